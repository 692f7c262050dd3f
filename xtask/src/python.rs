//! The Python handle classes of one API (`python/hostapi/<api>/_generated.py`): the sync classes and their async
//! twins from one description, with identical signatures and docstrings, plus the client-level operations as
//! mixins of `Client` and `AsyncClient`.

use std::collections::BTreeSet;

use hostapi::ops::{Api, Arg, HandleSpec, Kind, OpSpec, Output, Type};

use crate::text::wrap;

const WIDTH: usize = 120;

/// The Python type of an argument.
fn py_type(t: Type) -> String {
    match t {
        Type::Str | Type::Secret => "str".into(),
        Type::Bool => "bool".into(),
        Type::Int | Type::Count => "int".into(),
        Type::Seconds => "float".into(),
        Type::Path => "PathLike".into(),
        Type::Object => "Mapping[str, Any]".into(),
        Type::Enum(values) => {
            format!("Literal[{}]", values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", "))
        }
        Type::Pair(inner) => format!("Tuple[{0}, {0}]", py_type(*inner)),
        Type::List(inner) => format!("Sequence[{}]", py_type(*inner)),
        Type::Inheritance => "Inheritance".into(),
        Type::RecordOr { record, .. } => format!("Union[{record}, str]"),
        Type::Id => "Union[str, int]".into(),
    }
}

/// A model default (JSON text) as a Python literal.
fn py_default(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json).expect("defaults are JSON") {
        serde_json::Value::Bool(true) => "True".into(),
        serde_json::Value::Bool(false) => "False".into(),
        serde_json::Value::Null => "None".into(),
        serde_json::Value::String(s) => format!("{s:?}"),
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| py_default(&v.to_string())).collect();
            format!("({})", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn record_names(api: Api) -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for op in api.ops() {
        match op.output {
            Output::Record(r) | Output::List(r) | Output::Optional(r) => {
                names.insert(r);
            }
            Output::Either { default, then, .. } => {
                names.insert(default);
                names.insert(then);
            }
            Output::Count => {}
        }
        for a in op.args {
            if let Type::RecordOr { record, .. } = a.ty {
                names.insert(record);
            }
        }
    }
    names
}

fn uses(api: Api, pred: impl Fn(Type) -> bool) -> bool {
    api.ops().iter().flat_map(|o| o.args).any(|a| pred(a.ty))
}

/// The parameter list after `self`.
fn params(op: &OpSpec) -> Vec<String> {
    let mut out = Vec::new();
    let mut star = false;
    for a in op.args {
        if !a.positional && !star {
            out.push("*".to_owned());
            star = true;
        }
        out.push(param(a));
    }
    if op.reports_progress() {
        if !star {
            out.push("*".to_owned());
        }
        out.push(format!("progress: {PROGRESS_TYPE} = None"));
    }
    out
}

/// The type of the `progress` parameter of the operations that report progress.
const PROGRESS_TYPE: &str = "Optional[Callable[[int, Optional[int]], object]]";

/// Its documentation.
const PROGRESS_DOC: &str = "called with (bytes received so far, total bytes or None) at most every 0.1 s and \
     once at the end; in Client, when it raises (or returns False) the download stops and its exception is raised; \
     in AsyncClient it runs on the event loop's thread (cancel the task to stop)";

fn param(a: &Arg) -> String {
    let t = py_type(a.ty);
    match (a.required, a.default) {
        (true, _) => format!("{}: {t}", a.name),
        (false, Some(d)) => format!("{}: {t} = {}", a.name, py_default(d)),
        (false, None) => format!("{}: Optional[{t}] = None", a.name),
    }
}

fn return_type(o: Output) -> String {
    match o {
        Output::Record(r) => r.to_owned(),
        Output::List(r) => format!("List[{r}]"),
        Output::Optional(r) => format!("Optional[{r}]"),
        Output::Count => "int".to_owned(),
        Output::Either { default, then, .. } => format!("Union[{default}, {then}]"),
    }
}

/// `def name(self, …) -> T:` on one line, or one parameter a line when too long.
fn signature(indent: &str, prefix: &str, name: &str, params: &[String], ret: &str) -> Vec<String> {
    let mut all = vec!["self".to_owned()];
    all.extend(params.iter().cloned());
    let one = format!("{indent}{prefix}def {name}({}) -> {ret}:", all.join(", "));
    if one.len() <= WIDTH {
        return vec![one];
    }
    let mut lines = vec![format!("{indent}{prefix}def {name}(")];
    for p in &all {
        lines.push(format!("{indent}    {p},"));
    }
    lines.push(format!("{indent}) -> {ret}:"));
    lines
}

fn docstring(indent: &str, op: &OpSpec) -> Vec<String> {
    let one = format!("{indent}\"\"\"{}\"\"\"", op.doc);
    if op.args.is_empty() && one.len() <= WIDTH {
        return vec![one];
    }
    let mut body = wrap(&format!("\"\"\"{}", op.doc), indent, WIDTH);
    if !op.args.is_empty() {
        body.push(String::new());
        let progress = op.reports_progress().then_some(("progress", PROGRESS_DOC));
        for (name, doc) in op.args.iter().map(|a| (a.name, a.doc)).chain(progress) {
            let lines = wrap(&format!(":param {name}: {doc}"), "", WIDTH - indent.len() - 4);
            for (i, l) in lines.iter().enumerate() {
                body.push(if i == 0 { format!("{indent}{l}") } else { format!("{indent}    {l}") });
            }
        }
    }
    body.push(format!("{indent}\"\"\""));
    body
}

/// The arguments dict passed to `_call`.
fn args_dict(indent: &str, op: &OpSpec) -> Vec<String> {
    if op.args.is_empty() {
        return vec![];
    }
    let items: Vec<String> = op.args.iter().map(|a| format!("{:?}: {}", a.name, a.name)).collect();
    let one = format!("{indent}args = {{{}}}", items.join(", "));
    if one.len() <= WIDTH {
        return vec![one];
    }
    let mut lines = vec![format!("{indent}args = {{")];
    for i in items {
        lines.push(format!("{indent}    {i},"));
    }
    lines.push(format!("{indent}}}"));
    lines
}

/// One method (or property) of a handle or client mixin; `target` is `self._client` or `self`.
fn method(op: &OpSpec, asynchronous: bool, target: &str) -> Vec<String> {
    let ind = "    ";
    let body = "        ";
    let mut out = Vec::new();
    if op.kind == Kind::Local {
        out.push(format!("{ind}@property"));
        out.extend(signature(ind, "", op.method, &[], &return_type(op.output)));
        out.extend(docstring(body, op));
        out.push(format!("{body}return int({target}._native.call({:?}, None))", op.name));
        return out;
    }
    let prefix = if asynchronous { "async " } else { "" };
    let awaited = if asynchronous { "await " } else { "" };
    if let Output::Either { default, when, then } = op.output {
        // Two overloads: without `when` (None) the default record, with it the other one.
        let arg = op.arg(when).expect("the Either argument exists");
        let t = py_type(arg.ty);
        for (annotation, ret) in [("None = None".to_owned(), default), (t.clone(), then)] {
            let mut ps = params(op);
            for p in ps.iter_mut() {
                if p.starts_with(&format!("{when}:")) {
                    *p = format!("{when}: {annotation}");
                }
            }
            out.push(format!("{ind}@overload"));
            let mut sig = signature(ind, prefix, op.method, &ps, ret);
            let last = sig.pop().expect("a signature line");
            sig.push(format!("{last} ..."));
            out.extend(sig);
            out.push(String::new());
        }
    }
    out.extend(signature(ind, prefix, op.method, &params(op), &return_type(op.output)));
    out.extend(docstring(body, op));
    out.extend(args_dict(body, op));
    let args = if op.args.is_empty() { "None" } else { "args" };
    let progress = if op.reports_progress() { ", progress" } else { "" };
    let value = format!("{awaited}{target}._call({:?}, {args}{progress})", op.name);
    match op.output {
        Output::Record(r) => out.push(format!("{body}return build({r}, {value})")),
        Output::List(r) => out.push(format!("{body}return build_list({r}, {value})")),
        Output::Optional(r) => out.push(format!("{body}return build_optional({r}, {value})")),
        Output::Count => out.push(format!("{body}return int({value})")),
        Output::Either { default, when, then } => {
            out.push(format!("{body}value = {value}"));
            out.push(format!("{body}return build({default}, value) if {when} is None else build({then}, value)"));
        }
    }
    out
}

/// `__iter__`/`__aiter__` for a handle with a `next` method that returns an optional record.
fn iteration(api: Api, handle: &HandleSpec, asynchronous: bool) -> Vec<String> {
    let next = api.ops().iter().find(|o| o.handle == Some(handle.name) && o.method == "next" && o.args.is_empty());
    let Some(Output::Optional(r)) = next.map(|o| o.output) else { return vec![] };
    let (def, ret, awaited) = if asynchronous {
        ("async def __aiter__", "AsyncIterator", "await ")
    } else {
        ("def __iter__", "Iterator", "")
    };
    vec![
        format!("    {def}(self) -> {ret}[{r}]:"),
        format!("        \"\"\"Yields every {r}, acknowledging each as it is handed over, until none is left.\"\"\""),
        "        while True:".to_owned(),
        format!("            item = {awaited}self.next()"),
        "            if item is None:".to_owned(),
        "                return".to_owned(),
        "            yield item".to_owned(),
    ]
}

fn class(name: &str, base: &str, doc: &str, members: Vec<Vec<String>>) -> Vec<String> {
    let mut out = vec![format!("class {name}({base}):")];
    out.extend(wrap(&format!("\"\"\"{doc}\"\"\""), "    ", WIDTH));
    out.push(String::new());
    out.push("    __slots__ = ()".to_owned());
    for m in members.into_iter().filter(|m| !m.is_empty()) {
        out.push(String::new());
        out.extend(m);
    }
    out
}

/// The constructor both clients of the API share (`_Constructor.__init__`): one parameter per setting of the
/// model (its positional settings by position, the others by keyword), documented from the model, handing every
/// setting to the core, which checks them all.
fn constructor(api: Api) -> Vec<String> {
    let settings: Vec<&Arg> = api.settings().filter(|a| a.name != "from_env").collect();
    let mut params = Vec::new();
    let mut star = false;
    for a in &settings {
        if a.positional {
            params.push(format!("{}: {}", a.name, py_type(a.ty)));
            continue;
        }
        if !star {
            params.push("*".to_owned());
            star = true;
        }
        // Booleans and choices show their default; the core fills in every other one (None = the model's).
        let p = match (a.ty, a.default) {
            (Type::Bool | Type::Enum(_), Some(d)) => format!("{}: {} = {}", a.name, py_type(a.ty), py_default(d)),
            _ => format!("{}: Optional[{}] = None", a.name, py_type(a.ty)),
        };
        params.push(p);
    }
    let mut l = vec![
        "class _Constructor(ClientBase):".to_owned(),
        "    \"\"\"The constructor of both clients, from the operation model's settings.\"\"\"".to_owned(),
        String::new(),
    ];
    l.extend(signature("    ", "", "__init__", &params, "None"));
    let first = match api {
        Api::Velneo => "A client of the Velneo account ``email`` with its private ``api_key`` (only ever hashed, never \
                        sent or shown).",
        Api::Wedos => "A client of the WEDOS account ``user`` with its WAPI ``password`` (never shown).",
    };
    l.extend(wrap(&format!("\"\"\"{first}"), "        ", WIDTH));
    l.push(String::new());
    for a in &settings {
        let default = match a.default {
            Some(d) if !a.positional => format!(" (default {})", py_default(d)),
            _ => String::new(),
        };
        let text = format!(":param {}: {}{default}.", a.name, a.doc.replace('"', "``"));
        let mut lines = wrap(&text, "        ", WIDTH - 4);
        for line in lines.iter_mut().skip(1) {
            line.insert_str(0, "    ");
        }
        l.extend(lines);
    }
    l.push("        :raises ConfigError: a missing or invalid setting.".into());
    l.push("        \"\"\"".into());
    if settings.iter().any(|a| a.name == "verify") {
        l.push("        if verify is False:".into());
        l.push("            warn_insecure()".into());
    }
    l.push("        self._start(".into());
    l.push("            {".into());
    for a in &settings {
        l.push(format!("                {:?}: {},", a.name, a.name));
    }
    l.push("            }".into());
    l.push("        )".into());
    l
}

pub fn module(api: Api) -> String {
    let (title, native) = match api {
        Api::Velneo => ("hostapi.velneo", "VelneoClient"),
        Api::Wedos => ("hostapi.wedos", "WedosClient"),
    };
    let records: Vec<&str> = record_names(api).into_iter().collect();
    let mut typing = vec!["TYPE_CHECKING", "Any", "List", "Mapping", "Optional", "TypedDict", "Union"];
    if api.ops().iter().any(OpSpec::reports_progress) {
        typing.push("Callable");
    }
    let settings_use = |pred: fn(Type) -> bool| api.settings().any(|a| pred(a.ty));
    if uses(api, |t| matches!(t, Type::Enum(_))) || settings_use(|t| matches!(t, Type::Enum(_))) {
        typing.push("Literal");
    }
    if uses(api, |t| matches!(t, Type::Pair(_))) || settings_use(|t| matches!(t, Type::Pair(_))) {
        typing.push("Tuple");
    }
    if uses(api, |t| matches!(t, Type::List(_))) || settings_use(|t| matches!(t, Type::List(_))) {
        typing.push("Sequence");
    }
    if api.ops().iter().any(|o| matches!(o.output, Output::Either { .. })) {
        typing.push("overload");
    }
    let iterable = api.handles().iter().any(|h| !iteration(api, h, false).is_empty());
    if iterable {
        typing.extend(["AsyncIterator", "Iterator"]);
    }
    typing.sort_by_key(|t| (t.chars().next().is_some_and(char::is_lowercase), t.to_ascii_lowercase()));
    let typing: Vec<&str> = {
        let mut upper: Vec<&str> = typing.iter().copied().filter(|t| *t == "TYPE_CHECKING").collect();
        let mut rest: Vec<&str> = typing.iter().copied().filter(|t| *t != "TYPE_CHECKING").collect();
        rest.sort_by_key(|t| t.to_ascii_lowercase());
        upper.extend(rest);
        upper
    };

    let mut l: Vec<String> = vec![
        "# GENERATED by `make generate` (xtask/src/python.rs) from the operation model in core/src/ops/. Do not".into(),
        "# edit: `make test` fails when this file differs from what the generator writes.".into(),
        format!("\"\"\"The typed handles of :mod:`{title}`, sync and async, generated from the operation model.\"\"\""),
        String::new(),
        "from __future__ import annotations".into(),
        String::new(),
        format!("from typing import {}", typing.join(", ")),
        String::new(),
        "from .. import _native".into(),
        "from .._client import ClientBase".into(),
        if api.ops().iter().any(OpSpec::reports_progress) {
            "from .._records import build, build_list, build_optional, call_with_progress, plain_args".into()
        } else {
            "from .._records import build, build_list, build_optional, plain_args".into()
        },
    ];
    if uses(api, |t| t == Type::Path) || settings_use(|t| t == Type::Path) {
        l.push("from .._settings import PathLike".into());
    }
    l.push("from ..errors import warn_insecure".into());
    l.push(format!("from .records import {}", records.join(", ")));
    l.push(String::new());
    l.push("if TYPE_CHECKING:".into());
    l.push("    from . import AsyncClient, Client".into());
    l.push(String::new());
    let mut all: Vec<String> = vec![];
    if uses(api, |t| t == Type::Inheritance) {
        l.push("Inheritance = Union[str, Mapping[str, Union[str, int]]]".into());
        l.push(
            "\"\"\"Inherited projects' instances: ``\"proj1=inst1,proj2=inst2\"`` or ``{\"proj1\": \"inst1\", …}``.\"\"\""
                .into(),
        );
        l.push(String::new());
        all.push("Inheritance".into());
    }
    // The keyword settings of the clients (what `from_env` takes), for type checkers.
    l.push("class Settings(TypedDict, total=False):".into());
    l.push(
        "    \"\"\"The keyword settings of the clients (what ``from_env`` takes), from the operation model.\"\"\""
            .into(),
    );
    l.push(String::new());
    for a in api.settings().filter(|a| a.positional == false && a.name != "from_env") {
        let t = py_type(a.ty);
        let t = if a.ty == Type::Bool { t } else { format!("Optional[{t}]") };
        l.push(format!("    {}: {t}", a.name));
        l.extend(wrap(&format!("\"\"\"{}\"\"\"", a.doc), "    ", WIDTH));
    }
    l.push(String::new());
    all.push("Settings".into());
    l.push(String::new());
    l.extend(constructor(api));
    l.push(String::new());
    l.push(String::new());
    all.push("_Constructor".into());

    for asynchronous in [false, true] {
        let a = if asynchronous { "Async" } else { "" };
        let client = format!("{a}Client");
        l.push(String::new());
        l.push(String::new());
        l.push(format!("class _{a}Handle:"));
        l.push("    \"\"\"The base of the handles: the client they belong to.\"\"\"".into());
        l.push(String::new());
        l.push("    __slots__ = (\"_client\",)".into());
        l.push(String::new());
        l.push(format!("    def __init__(self, client: {client}) -> None:"));
        l.push("        self._client = client".into());
        l.push(String::new());
        l.push("    def __repr__(self) -> str:".into());
        l.push("        return f\"<{type(self).__name__} of {self._client!r}>\"".into());
        for h in api.handles() {
            let mut members: Vec<Vec<String>> = api
                .ops()
                .iter()
                .filter(|o| o.handle == Some(h.name))
                .map(|o| method(o, asynchronous, "self._client"))
                .collect();
            members.push(iteration(api, h, asynchronous));
            l.push(String::new());
            l.push(String::new());
            l.extend(class(&format!("{a}{}", h.class), &format!("_{a}Handle"), h.doc, members));
        }
        // The client mixin: handles, the generic call, client-level operations.
        l.push(String::new());
        l.push(String::new());
        l.push(format!("class _{a}ClientOps:"));
        l.push(
            "    \"\"\"What the client gets from the operation model: its handles and client-level operations.\"\"\""
                .into(),
        );
        l.push(String::new());
        l.push("    _native: _native.".to_owned() + native);
        l.push("    _handles: dict[str, Any]".into());
        l.push(String::new());
        l.push("    def _init_handles(self) -> None:".into());
        l.push("        self._handles = {".into());
        for h in api.handles() {
            l.push(format!("            {:?}: {a}{}(self),  # type: ignore[arg-type]", h.name, h.class));
        }
        l.push("        }".into());
        // Each handle is a property whose doc lists its methods, so that help(Client) shows them.
        for h in api.handles() {
            let methods: Vec<String> = api
                .ops()
                .iter()
                .filter(|o| o.handle == Some(h.name))
                .map(|o| {
                    let args: Vec<&str> = o.args.iter().filter(|x| x.positional).map(|x| x.name).collect();
                    if o.kind == Kind::Local {
                        o.method.to_owned()
                    } else {
                        format!("{}({})", o.method, args.join(", "))
                    }
                })
                .collect();
            l.push(String::new());
            l.push("    @property".into());
            l.push(format!("    def {}(self) -> {a}{}:", h.name, h.class));
            l.extend(wrap(&format!("\"\"\"{} Methods: {}.\"\"\"", h.doc, methods.join(", ")), "        ", WIDTH));
            l.push(format!("        handle: {a}{} = self._handles[{:?}]", h.class, h.name));
            l.push("        return handle".into());
        }
        l.push(String::new());
        let progress = api.ops().iter().any(OpSpec::reports_progress);
        let mut call_params = vec!["operation: str".to_owned(), "args: Optional[Mapping[str, Any]]".to_owned()];
        if progress {
            call_params.push(format!("progress: {PROGRESS_TYPE} = None"));
        }
        let pass = if progress { ", progress" } else { "" };
        if asynchronous {
            l.extend(signature("    ", "async ", "_call", &call_params, "Any"));
            if progress {
                l.push(
                    "        return await call_with_progress(self._native.call_async, operation, plain_args(args), progress)"
                        .into(),
                );
            } else {
                l.push("        return await self._native.call_async(operation, plain_args(args))".into());
            }
        } else {
            l.extend(signature("    ", "", "_call", &call_params, "Any"));
            l.push(format!("        return self._native.call(operation, plain_args(args){pass})"));
        }
        for op in api.ops().iter().filter(|o| o.handle.is_none()) {
            l.push(String::new());
            l.extend(method(op, asynchronous, "self"));
        }
        all.push(format!("_{a}ClientOps"));
        for h in api.handles() {
            all.push(format!("{a}{}", h.class));
        }
    }
    l.push(String::new());
    l.push(String::new());
    l.push(format!("__all__ = [{}]", all.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")));
    let mut s = l.join("\n");
    s.push('\n');
    // Wrap __all__ if long.
    if let Some(last) = s.lines().last() {
        if last.len() > WIDTH {
            let mut out: Vec<String> = s.lines().map(str::to_owned).collect();
            out.pop();
            out.push("__all__ = [".into());
            for n in &all {
                out.push(format!("    {n:?},"));
            }
            out.push("]".into());
            s = out.join("\n") + "\n";
        }
    }
    s
}
