//! The generated part of the C library (`bindings/c/src/generated.rs`): the exports whose documentation comes from
//! the operation model — the client constructors (their settings) and the two `_call` functions (every operation,
//! its arguments and its result). cbindgen copies these comments into `include/hostapi.h`.

use hostapi::ops::{Api, Arg, FieldType, Kind, Output, Type};

use crate::text::wrap;

const WIDTH: usize = 116;

fn ty(t: Type) -> String {
    match t {
        Type::Str => "string".into(),
        Type::Secret => "string (secret)".into(),
        Type::Bool => "bool".into(),
        Type::Int => "integer".into(),
        Type::Count => "non-negative integer".into(),
        Type::Seconds => "seconds (number)".into(),
        Type::Path => "file path".into(),
        Type::Object => "object".into(),
        Type::Enum(v) => v.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(" or "),
        Type::Pair(inner) => format!("[{0}, {0}]", ty(*inner)),
        Type::List(inner) => format!("[{0}, …]", ty(*inner)),
        Type::Inheritance => "\"proj=inst,…\" or {\"proj\": \"inst\"}".into(),
        Type::RecordOr { record, field } => format!("{record} object or its {field}"),
        Type::Id => "string or integer".into(),
    }
}

fn arg(a: &Arg) -> String {
    let mut s = format!("`\"{}\"` {}", a.name, ty(a.ty));
    if a.required {
        s.push_str(", required");
    }
    if let Some(d) = a.default {
        s.push_str(&format!(", default {d}"));
    }
    s
}

fn record(api: Api, name: &str) -> String {
    match api.record(name) {
        Some(r) => {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| {
                    let t = match f.ty {
                        FieldType::Raw => "raw".to_owned(),
                        other => other.name().to_owned(),
                    };
                    format!("\"{}\" {t}{}", f.name, if f.optional { "|null" } else { "" })
                })
                .collect();
            format!("{name} {{{}}}", fields.join(", "))
        }
        None => name.to_owned(),
    }
}

fn output(api: Api, o: Output) -> String {
    match o {
        Output::Record(r) => record(api, r),
        Output::List(r) => format!("array of {}", record(api, r)),
        Output::Optional(r) => format!("{} or null", record(api, r)),
        Output::Count => "an integer".into(),
        Output::Either { default, when, then } => {
            format!("{}; with \"{when}\": {}", record(api, default), record(api, then))
        }
    }
}

fn doc(lines: &mut Vec<String>, text: &str) {
    if text.is_empty() {
        lines.push("///".into());
    } else {
        lines.extend(wrap(text, "/// ", WIDTH));
    }
}

fn item(lines: &mut Vec<String>, text: &str) {
    let w = wrap(text, "", WIDTH - 6);
    for (i, l) in w.iter().enumerate() {
        lines.push(if i == 0 { format!("/// - {l}") } else { format!("///   {l}") });
    }
}

fn client(api: Api, l: &mut Vec<String>) {
    let (a, name, env) = match api {
        Api::Velneo => ("velneo", "Velneo Cloud API", "VELNEO_EMAIL, VELNEO_API_KEY and VELNEO_BASE_URL"),
        Api::Wedos => ("wedos", "WEDOS WAPI", "WEDOS_USER, WEDOS_PASSWORD and WEDOS_BASE_URL"),
    };
    doc(l, &format!("Makes a {name} client from `options_json`, a JSON object of settings (absent or null keys keep their defaults):"));
    for s in api.settings() {
        item(l, &format!("{}: {}", arg(s), s.doc));
    }
    doc(l, "");
    doc(
        l,
        &format!(
        "`\"from_env\": true` reads {env} first. The settings are checked as in every other language (unknown key, \
         wrong type: HOSTAPI_CONFIG). On success `*out` is a client to release with `hostapi_{a}_client_free`; it \
         may be shared by threads. Secrets are never stored in messages."
    ),
    );
    l.push("#[no_mangle]".into());
    l.push(format!(
        "pub extern \"C\" fn hostapi_{a}_client_new(options_json: *const c_char, out: *mut *mut hostapi_{a}_client) -> hostapi_status {{"
    ));
    l.push(format!("    super::{a}_new(options_json, out)"));
    l.push("}".into());
    l.push(String::new());

    doc(
        l,
        &format!(
            "Runs one {name} operation and waits for it (blocking the calling thread; other threads may call the same \
         client at once). `operation` is the operation's name and `args_json` a JSON object of its arguments (`{{}}` \
         for none). On success `*out_json` is the result as JSON, to free with `hostapi_string_free`; on failure \
         the status says the kind and `hostapi_last_error_message()` what went wrong."
        ),
    );
    doc(l, "");
    doc(l, "The operations (generated from the operation model):");
    for op in api.ops() {
        let mut text = format!("`{}`", op.name);
        if op.kind == Kind::Composite {
            text.push_str(" (composite)");
        }
        if !op.idempotent {
            text.push_str(" (not idempotent)");
        }
        text.push_str(&format!(": {} ", op.doc));
        if op.args.is_empty() {
            text.push_str("No arguments.");
        } else {
            text.push_str(&format!("Arguments: {}.", op.args.iter().map(arg).collect::<Vec<_>>().join("; ")));
        }
        text.push_str(&format!(" Result: {}.", output(api, op.output)));
        item(l, &text);
    }
    l.push("#[no_mangle]".into());
    l.push(format!("pub extern \"C\" fn hostapi_{a}_call("));
    l.push(format!("    client: *const hostapi_{a}_client,"));
    l.push("    operation: *const c_char,".into());
    l.push("    args_json: *const c_char,".into());
    l.push("    out_json: *mut *mut c_char,".into());
    l.push(") -> hostapi_status {".into());
    l.push(format!("    super::{a}_call(client, operation, args_json, out_json)"));
    l.push("}".into());
}

pub fn module() -> String {
    let mut l: Vec<String> = vec![
        "// GENERATED by `make generate` (xtask/src/c.rs) from the operation model in core/src/ops/. Do not edit:"
            .into(),
        "// `make test` fails when this file differs from what the generator writes.".into(),
        "//! The exports documented from the operation model.".into(),
        String::new(),
        "use std::ffi::c_char;".into(),
        String::new(),
        "use super::{hostapi_status, hostapi_velneo_client, hostapi_wedos_client};".into(),
        String::new(),
    ];
    client(Api::Velneo, &mut l);
    l.push(String::new());
    client(Api::Wedos, &mut l);
    let mut s = l.join("\n");
    s.push('\n');
    s
}
