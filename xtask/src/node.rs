//! The Node package's typed surface from the operation model: `node/generated.cjs` (the handle classes, the
//! client base classes and the settings tables) and `node/index.d.ts` (TypeScript types of everything the package
//! exports, the hand-written parts from `node_dts_prelude` below).
//!
//! JS conventions: camelCase names; required positional arguments of the model stay positional, every other
//! argument goes into a trailing options object (with `signal` for an `AbortSignal`); `seconds` become `…Ms`
//! milliseconds; records are frozen objects with camelCase fields and `raw`.

use hostapi::ops::{Api, Arg, FieldType, Kind, OpSpec, Output, RecordSpec, Type};

use crate::text::{camel, wrap};

const WIDTH: usize = 120;

/// The JS name of an argument or setting (`timeout` → `timeoutMs` for seconds).
pub(crate) fn js_name(a: &Arg) -> String {
    let base = camel(a.name);
    match a.ty {
        Type::Seconds | Type::Pair(Type::Seconds) => format!("{base}Ms"),
        _ => base,
    }
}

/// The doc of an argument or setting in JS terms: durations in milliseconds.
fn js_doc_of(a: &Arg) -> String {
    match a.ty {
        Type::Seconds | Type::Pair(Type::Seconds) => a.doc.replacen("seconds", "milliseconds", 1),
        _ => a.doc.to_owned(),
    }
}

/// Whether JS takes the argument by position (else in the options object). Durations always go into the
/// options object (`{ waitMs }`).
pub(crate) fn positional(a: &Arg) -> bool {
    a.positional && a.ty != Type::Seconds
}

/// The trailing optional positional argument that a plain object in its place is read as the options object for
/// (`users.list({ signal })`, `appInstances.get({ id })`); only for arguments that are never objects themselves.
fn shiftable(op: &OpSpec) -> Option<&'static Arg> {
    let last = op.args.iter().filter(|a| positional(a)).last()?;
    let object_typed = matches!(last.ty, Type::Object | Type::Inheritance | Type::RecordOr { .. });
    (!last.required && !object_typed).then_some(last)
}

fn ts_type(t: Type) -> String {
    match t {
        Type::Str | Type::Secret | Type::Path => "string".into(),
        Type::Bool => "boolean".into(),
        Type::Int | Type::Count | Type::Seconds => "number".into(),
        Type::Object => "Record<string, unknown>".into(),
        Type::Enum(values) => values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(" | "),
        Type::Pair(inner) => format!("[{0}, {0}]", ts_type(*inner)),
        Type::List(inner) => format!("{}[]", ts_type(*inner)),
        Type::Inheritance => "string | Record<string, string | number>".into(),
        Type::RecordOr { record, .. } => format!("{record} | string"),
        Type::Id => "string | number".into(),
    }
}

fn field_type(t: FieldType) -> &'static str {
    match t {
        FieldType::Str => "string",
        FieldType::Int | FieldType::Float => "number",
        FieldType::Bool => "boolean",
        FieldType::StrList => "readonly string[]",
        FieldType::Raw => "Readonly<Record<string, unknown>>",
        FieldType::Any => "unknown",
    }
}

fn ts_output(o: Output) -> String {
    match o {
        Output::Record(r) => r.to_owned(),
        Output::List(r) => format!("{r}[]"),
        Output::Optional(r) => format!("{r} | null"),
        Output::Count => "number".to_owned(),
        Output::Either { default, then, .. } => format!("{default} | {then}"),
    }
}

fn pascal(s: &str) -> String {
    let c = camel(s);
    let mut chars = c.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The class name that owns `op` (a handle class, or the client base).
fn owner(api: Api, op: &OpSpec) -> String {
    match op.handle {
        Some(h) => api.handles().iter().find(|x| x.name == h).expect("declared handle").class.to_owned(),
        None => client_class(api).to_owned(),
    }
}

fn client_class(api: Api) -> &'static str {
    match api {
        Api::Velneo => "VelneoClient",
        Api::Wedos => "WedosClient",
    }
}

/// `GroupsPutOptions`.
fn options_type(api: Api, op: &OpSpec) -> String {
    format!("{}{}Options", owner(api, op), pascal(op.method))
}

fn js_doc(indent: &str, doc: &str, args: &[&Arg]) -> Vec<String> {
    let mut out = vec![format!("{indent}/**")];
    out.extend(wrap(doc, &format!("{indent} * "), WIDTH));
    for a in args {
        let name = if positional(a) { js_name(a) } else { format!("options.{}", js_name(a)) };
        out.extend(wrap(&format!("@param {name} {}", js_doc_of(a)), &format!("{indent} * "), WIDTH));
    }
    out.push(format!("{indent} */"));
    out
}

/// The JS expression converting argument `a` (a local variable) for the core.
fn to_core(a: &Arg, var: &str) -> String {
    match a.ty {
        Type::Seconds => format!("ms({var})"),
        Type::Pair(Type::Seconds) => format!("pairMs({var})"),
        Type::RecordOr { field, .. } => format!("recordOr({var}, {field:?})"),
        _ => var.to_owned(),
    }
}

fn method_js(api: Api, op: &OpSpec) -> Vec<String> {
    let ind = "  ";
    let body = "    ";
    let pos: Vec<&Arg> = op.args.iter().filter(|a| positional(a)).collect();
    let kw: Vec<&Arg> = op.args.iter().filter(|a| !positional(a)).collect();
    let mut out = Vec::new();
    let all: Vec<&Arg> = op.args.iter().collect();
    out.extend(js_doc(ind, op.doc, &all));
    if op.kind == Kind::Local {
        out.push(format!("{ind}get {}() {{", camel(op.method)));
        out.push(format!("{body}return callLocal(this[CLIENT], {:?})", op.name));
        out.push(format!("{ind}}}"));
        return out;
    }
    let mut params: Vec<String> = pos.iter().map(|a| js_name(a)).collect();
    params.push("options = {}".into());
    out.push(format!("{ind}async {}({}) {{", camel(op.method), params.join(", ")));
    if let Some(a) = shiftable(op) {
        let v = js_name(a);
        out.push(format!(
            "{body}if (arguments.length === {} && isOptions({v})) [{v}, options] = [undefined, {v}]",
            pos.len()
        ));
    }
    let mut known: Vec<String> = kw.iter().map(|a| format!("{:?}", js_name(a))).collect();
    if op.reports_progress() {
        known.push("\"onProgress\"".into());
    }
    out.push(format!("{body}const o = checkOptions({:?}, options, [{}])", op_label(api, op), known.join(", ")));
    let tail = if op.reports_progress() { "o.signal, o.onProgress" } else { "o.signal" };
    let entry = |a: &Arg, var: String| {
        let value = to_core(a, &var);
        if value == a.name {
            value
        } else {
            format!("{}: {value}", a.name)
        }
    };
    let mut entries: Vec<String> = pos.iter().map(|a| entry(a, js_name(a))).collect();
    entries.extend(kw.iter().map(|a| entry(a, format!("o.{}", js_name(a)))));
    let args = if entries.is_empty() { "{}".to_owned() } else { format!("{{ {} }}", entries.join(", ")) };
    let line = format!("{body}return invoke(this[CLIENT], {:?}, {args}, {tail})", op.name);
    if line.len() <= WIDTH {
        out.push(line);
    } else {
        out.push(format!("{body}const args = {{"));
        for e in entries {
            out.push(format!("{body}  {e},"));
        }
        out.push(format!("{body}}}"));
        out.push(format!("{body}return invoke(this[CLIENT], {:?}, args, {tail})", op.name));
    }
    out.push(format!("{ind}}}"));
    out
}

fn op_label(api: Api, op: &OpSpec) -> String {
    op.label().replacen(api.as_str(), api.as_str(), 1)
}

fn iteration_js(api: Api, handle: &str) -> Vec<String> {
    let has_next = api.ops().iter().any(|o| {
        o.handle == Some(handle) && o.method == "next" && matches!(o.output, Output::Optional(_)) && o.args.is_empty()
    });
    if !has_next {
        return vec![];
    }
    vec![
        "  /**".into(),
        "   * Yields every notification, acknowledging each as it is handed over, until none is left; with".into(),
        "   * `{ follow: true }` it keeps polling every `intervalMs` (default 2000) until `signal` aborts.".into(),
        "   */".into(),
        "  async * watch(options = {}) {".into(),
        "    const o = checkOptions('notifications.watch', options, ['follow', 'intervalMs'])".into(),
        "    for (;;) {".into(),
        "      const item = await this.next({ signal: o.signal })".into(),
        "      if (item !== null) {".into(),
        "        yield item".into(),
        "        continue".into(),
        "      }".into(),
        "      if (!o.follow) return".into(),
        "      await sleep(o.intervalMs ?? 2000, o.signal)".into(),
        "    }".into(),
        "  }".into(),
        String::new(),
        "  [Symbol.asyncIterator]() {".into(),
        "    return this.watch()".into(),
        "  }".into(),
    ]
}

fn settings_table(api: Api) -> Vec<String> {
    let name = match api {
        Api::Velneo => "VELNEO_SETTINGS",
        Api::Wedos => "WEDOS_SETTINGS",
    };
    let mut out = vec![
        format!("/** The client settings: JS name → the core's name and conversion. */"),
        format!("const {name} = {{"),
    ];
    for a in api.settings() {
        let conv = match a.ty {
            Type::Seconds => "ms",
            Type::Pair(Type::Seconds) => "pairMs",
            _ => "null",
        };
        out.push(format!("  {}: [{:?}, {conv}],", js_name(a), a.name));
    }
    out.push("}".into());
    out
}

pub fn module() -> String {
    let mut l: Vec<String> = vec![
        "// GENERATED by `make generate` (xtask/src/node.rs) from the operation model in core/src/ops/. Do not edit:".into(),
        "// `make test` fails when this file differs from what the generator writes.".into(),
        "'use strict'".into(),
        String::new(),
        "const { CLIENT, callLocal, checkOptions, invoke, isOptions, ms, pairMs, recordOr, sleep } = require('./internal.cjs')".into(),
    ];
    let mut exports = Vec::new();
    for api in [Api::Velneo, Api::Wedos] {
        l.push(String::new());
        l.extend(settings_table(api));
        for h in api.handles() {
            l.push(String::new());
            l.extend(wrap(&format!("/** {} */", h.doc), "", WIDTH));
            l.push(format!("class {} {{", h.class));
            l.push("  constructor(client) {".into());
            l.push("    Object.defineProperty(this, CLIENT, { value: client })".into());
            l.push("  }".into());
            for op in api.ops().iter().filter(|o| o.handle == Some(h.name)) {
                l.push(String::new());
                l.extend(method_js(api, op));
            }
            let it = iteration_js(api, h.name);
            if !it.is_empty() {
                l.push(String::new());
                l.extend(it);
            }
            l.push("}".into());
            exports.push(h.class.to_owned());
        }
        let base = format!("{}Base", client_class(api));
        l.push(String::new());
        l.push("/** What the client gets from the operation model: its handles and client-level operations. */".into());
        l.push(format!("class {base} {{"));
        l.push("  constructor() {".into());
        l.push("    Object.defineProperty(this, CLIENT, { value: this })".into());
        for h in api.handles() {
            l.push(format!("    /** {} */", h.doc));
            l.push(format!("    this.{} = new {}(this)", camel(h.name), h.class));
        }
        l.push("  }".into());
        for op in api.ops().iter().filter(|o| o.handle.is_none()) {
            l.push(String::new());
            l.extend(method_js(api, op));
        }
        l.push("}".into());
        exports.push(base);
        exports.push(match api {
            Api::Velneo => "VELNEO_SETTINGS".into(),
            Api::Wedos => "WEDOS_SETTINGS".into(),
        });
    }
    l.push(String::new());
    l.push(format!("module.exports = {{ {} }}", exports.join(", ")));
    let mut s = l.join("\n");
    s.push('\n');
    s
}

// ---- index.d.ts -----------------------------------------------------------------------------------------------

fn record_dts(r: &RecordSpec) -> Vec<String> {
    let mut out = vec![format!("/** {} */", r.doc), format!("export interface {} {{", r.name)];
    for f in r.fields {
        let t = field_type(f.ty);
        let t = if f.optional { format!("{t} | null") } else { t.to_owned() };
        out.push(format!("  /** {} */", f.doc));
        out.push(format!("  readonly {}: {t}", camel(f.name)));
    }
    out.push("}".into());
    out
}

fn ts_param(a: &Arg) -> String {
    format!("{}{}: {}", js_name(a), if a.required { "" } else { "?" }, ts_type(a.ty))
}

fn method_dts(api: Api, op: &OpSpec) -> Vec<String> {
    let pos: Vec<&Arg> = op.args.iter().filter(|a| positional(a)).collect();
    let kw: Vec<&Arg> = op.args.iter().filter(|a| !positional(a)).collect();
    let all: Vec<&Arg> = op.args.iter().collect();
    let mut out = js_doc("  ", op.doc, &all);
    if op.kind == Kind::Local {
        out.push(format!("  readonly {}: {}", camel(op.method), ts_output(op.output)));
        return out;
    }
    let mut params: Vec<String> = pos.iter().map(|a| ts_param(a)).collect();
    let mut opt_type = if kw.is_empty() { "CallOptions".to_owned() } else { options_type(api, op) };
    if op.reports_progress() {
        opt_type.push_str(" & ProgressOptions");
    }
    let required_kw = kw.iter().any(|a| a.required);
    params.push(format!("options{}: {opt_type}", if required_kw { "" } else { "?" }));
    if let Output::Either { default, when, then } = op.output {
        let wait = op.arg(when).expect("the Either argument");
        let mut p1 = pos.iter().map(|a| ts_param(a)).collect::<Vec<_>>();
        p1.push(format!("options: {opt_type} & {{ {}: number }}", js_name(wait)));
        out.push(format!("  {}({}): Promise<{then}>", camel(op.method), p1.join(", ")));
        let mut p2 = pos.iter().map(|a| ts_param(a)).collect::<Vec<_>>();
        p2.push(format!("options?: {opt_type} & {{ {}?: undefined }}", js_name(wait)));
        out.push(format!("  {}({}): Promise<{default}>", camel(op.method), p2.join(", ")));
        return out;
    }
    out.push(format!("  {}({}): Promise<{}>", camel(op.method), params.join(", "), ts_output(op.output)));
    if let Some(a) = shiftable(op) {
        // The same call with the optional argument left out and the options object in its place.
        let mut p = pos.iter().filter(|x| x.name != a.name).map(|x| ts_param(x)).collect::<Vec<_>>();
        p.push(format!("options{}: {opt_type}", if required_kw { "" } else { "?" }));
        out.push(format!("  {}({}): Promise<{}>", camel(op.method), p.join(", "), ts_output(op.output)));
    }
    out
}

fn options_dts(api: Api, op: &OpSpec) -> Vec<String> {
    let kw: Vec<&Arg> = op.args.iter().filter(|a| !positional(a)).collect();
    if kw.is_empty() || op.kind == Kind::Local {
        return vec![];
    }
    let mut out = vec![
        format!("/** The options of `{}`. */", op.name),
        format!("export interface {} extends CallOptions {{", options_type(api, op)),
    ];
    for a in kw {
        out.push(format!("  /** {} */", js_doc_of(a)));
        out.push(format!("  {}", ts_param(a)));
    }
    out.push("}".into());
    out
}

fn settings_dts(api: Api) -> Vec<String> {
    let name = format!("{}Options", client_class(api));
    let mut out =
        vec![format!("/** The settings of a {}. */", client_class(api)), format!("export interface {name} {{")];
    for a in api.settings().filter(|a| a.name != "from_env") {
        out.push(format!("  /** {} */", js_doc_of(a)));
        out.push(format!("  {}?: {}", js_name(a), ts_type(a.ty)));
    }
    out.push("}".into());
    out
}

pub fn dts() -> String {
    let mut l: Vec<String> = vec![
        "// GENERATED by `make generate` (xtask/src/node.rs) from the operation model in core/src/ops/. Do not edit:"
            .into(),
        "// `make test` fails when this file differs from what the generator writes.".into(),
        String::new(),
    ];
    l.extend(NODE_DTS_PRELUDE.lines().map(str::to_owned));
    for api in [Api::Velneo, Api::Wedos] {
        l.push(String::new());
        l.push(format!("// ---- {} ----", client_class(api)));
        for r in api.records() {
            l.push(String::new());
            l.extend(record_dts(r));
        }
        l.push(String::new());
        l.extend(settings_dts(api));
        for op in api.ops() {
            let o = options_dts(api, op);
            if !o.is_empty() {
                l.push(String::new());
                l.extend(o);
            }
        }
        for h in api.handles() {
            l.push(String::new());
            l.push(format!("/** {} */", h.doc));
            l.push(format!("export class {} {{", h.class));
            l.push("  private constructor()".into());
            for op in api.ops().iter().filter(|o| o.handle == Some(h.name)) {
                l.extend(method_dts(api, op));
            }
            if !iteration_js(api, h.name).is_empty() {
                l.push("  /** Yields every notification, acknowledging each; `follow` keeps polling until `signal` aborts. */".into());
                l.push("  watch(options?: CallOptions & { follow?: boolean; intervalMs?: number }): AsyncGenerator<Notification, void, undefined>".into());
                l.push("  [Symbol.asyncIterator](): AsyncGenerator<Notification, void, undefined>".into());
            }
            l.push("}".into());
        }
        let class = client_class(api);
        l.push(String::new());
        l.push(format!(
            "/** A {} client. Calls return Promises; many may run at once on one client. */",
            match api {
                Api::Velneo => "Velneo Cloud API",
                Api::Wedos => "WEDOS WAPI",
            }
        ));
        l.push(format!("export class {class} {{"));
        l.push(format!("  constructor(options: {class}Options)"));
        l.push(format!(
            "  /** A client configured from the environment ({}); `options` add to it (explicit values win). */",
            match api {
                Api::Velneo => "VELNEO_EMAIL, VELNEO_API_KEY, VELNEO_BASE_URL",
                Api::Wedos => "WEDOS_USER, WEDOS_PASSWORD, WEDOS_BASE_URL",
            }
        ));
        l.push(format!("  static fromEnv(options?: {class}Options): {class}"));
        match api {
            Api::Velneo => {
                l.push("  /** The account e-mail. */".into());
                l.push("  readonly email: string".into());
                l.push("  /** How many logins this client has performed (one per session). */".into());
                l.push("  readonly loginCount: number".into());
            }
            Api::Wedos => {
                l.push("  /** The account login. */".into());
                l.push("  readonly user: string".into());
                l.push("  /** Authentication/IP failures in a row so far (every client of the account on this machine). */".into());
                l.push("  readonly authFailures: number".into());
                l.push("  /** Lets every client of the account send again after the guard stopped them (clears the stop, the invalid-answer count and the clock offset; starts a damaged state file afresh). */".into());
                l.push("  resetAuthGuard(): void".into());
                l.push("  /** The file of the account state shared by every client of the account on this machine (null when kept in memory). */".into());
                l.push("  readonly stateFile: string | null".into());
                l.push("  /** A fresh, unique clTRID. */".into());
                l.push("  newCltrid(): string".into());
            }
        }
        l.push("  /** The endpoint this client talks to. */".into());
        l.push("  readonly baseUrl: string".into());
        l.push("  /** Whether close() was called. */".into());
        l.push("  readonly closed: boolean".into());
        for h in api.handles() {
            l.push(format!("  /** {} */", h.doc));
            l.push(format!("  readonly {}: {}", camel(h.name), h.class));
        }
        for op in api.ops().iter().filter(|o| o.handle.is_none()) {
            l.extend(method_dts(api, op));
        }
        l.push(format!(
            "  /** Releases the client{}; later calls reject with a ConfigError. */",
            if api == Api::Velneo { " after logging out" } else { "" }
        ));
        l.push("  close(): Promise<void>".into());
        l.push("}".into());
    }
    let mut s = l.join("\n");
    s.push('\n');
    s
}

/// The hand-written part of `index.d.ts`: errors, protocol functions, the emulator.
const NODE_DTS_PRELUDE: &str = r#"/** Options every call takes. */
export interface CallOptions {
  /**
   * Aborting rejects the call at once and drops the request in flight. As `fetch` does, the call rejects with the
   * signal's reason: a `TimeoutError` for `AbortSignal.timeout(ms)`, the value given to `abort(reason)`, else an
   * `AbortError`.
   */
  signal?: AbortSignal
}

/** The options of the calls that report their progress (downloads). */
export interface ProgressOptions {
  /**
   * Called with the bytes received so far and the total when the server announced it (else null), at most every
   * 100 ms and once at the end. When it throws (or returns false), the call stops and rejects with its error (or an
   * AbortError).
   */
  onProgress?: (progress: { readonly received: number; readonly total: number | null }) => unknown
}

/** The base of every hostapi error. Messages name the operation and never hold a secret. */
export class HostapiError extends Error {
  /** The kind's stable code: "HOSTAPI_CONFIG", "HOSTAPI_TRANSPORT", … (the same in every language). */
  readonly code: string
  /** The kind's fixed number (3–10; the exit code of the `hostapi` command). */
  readonly number: number
  /** The kind: "Config", "Transport", "Timeout", "Protocol", "Authentication", "RateLimited", "VServerCredentials", "Api". */
  readonly kind: string
  /** The operation that failed, e.g. "velneo users.get". */
  readonly operation: string
  /** The API's own code (Velneo status_code, WEDOS code), when it sent one. */
  readonly apiCode: number | null
  /** The HTTP status of the answer, when there was one. */
  readonly httpStatus: number | null
  /** For protocol errors: the start of the unexpected body. */
  readonly body: string | null
  /** A write that failed after its request may have reached the server (a timeout, a dropped connection, an HTTP
   * 5xx): it was not sent again and may have been applied; look before writing again. */
  readonly mayHaveApplied: boolean
}
/** Invalid client settings or arguments, caught before anything is sent. */
export class ConfigError extends HostapiError {}
/** Connection, TLS or I/O failure, or the service unavailable (HTTP 5xx after the retries). */
export class TransportError extends HostapiError {}
/** No answer within the configured time. */
export class TimeoutError extends HostapiError {}
/** The answer is not what the protocol allows. */
export class ProtocolError extends HostapiError {}
/** The credentials were refused (Velneo 401 after one re-login; WEDOS 2050, 2051). */
export class AuthenticationError extends HostapiError {}
/** A request budget is spent (the server's or the client's own). */
export class RateLimitedError extends HostapiError {
  /** How long to wait before trying again, when known. */
  readonly retryAfterMs: number | null
}
/** Velneo: the stored vServer supervisor credentials are wrong. */
export class VServerCredentialsError extends HostapiError {}
/** Any other error the API reports. */
export class ApiError extends HostapiError {
  /** The HTTP status (same as httpStatus). */
  readonly status: number | null
}

/** A request as the sans-I/O functions build it. */
export interface HttpRequest {
  readonly method: string
  readonly url: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: string
}

/** The protocols without I/O, for your own HTTP stack. Results are the records below. */
export declare const protocol: {
  readonly velneo: {
    /** sha1(subject + decimal(timestamp) + apiKey), lowercase hex. */
    sign(subject: string, timestamp: number, apiKey: string): string
    /** The exact request of an operation (snake_case args as in docs/operations.md). */
    buildRequest(operation: string, args: Record<string, unknown> | null, options: {
      authEmail?: string; session?: string; apiKey: string; timestamp: number; baseUrl?: string; httpVerbs?: boolean
    }): HttpRequest
    /** The record(s) of an answer, or the HostapiError it means (thrown). */
    parseResponse(operation: string, status: number, body: string | Uint8Array): unknown
  }
  readonly wedos: {
    /** sha1(user + sha1(password) + HH), HH the zero-padded Prague hour at unix. */
    auth(user: string, password: string, unix: number): string
    /** The hour (0–23) in Europe/Prague at unix. */
    pragueHour(unix: number): number
    buildRequest(operation: string, args: Record<string, unknown> | null, options: {
      user: string; password: string; unix: number; baseUrl?: string; cltrid?: string; test?: boolean
    }): HttpRequest
    parseResponse(operation: string, status: number, body: string | Uint8Array, args?: Record<string, unknown> | null): unknown
    parseNotification(body: string | Uint8Array): Notification
  }
}

/** A notification as WEDOS POSTs it to your URL (form field `request`, or the bare JSON document). */
export declare function parseNotification(body: string | Uint8Array): Notification

/** The demo accounts the emulator knows by default. */
export interface EmulatorDemo {
  readonly velneoEmail: string
  readonly velneoApiKey: string
  readonly wedosUser: string
  readonly wedosPassword: string
}

/** A running emulator of both APIs, for tests. */
export interface RunningEmulator {
  readonly url: string
  readonly velneoUrl: string
  readonly wedosUrl: string
  readonly controlUrl: string
  /** The DNS server's `HOST:PORT` (UDP and TCP: every WEDOS zone, the committed rows); null without `dnsPort`. */
  readonly dns: string | null
  readonly demo: EmulatorDemo
  /** A client of the demo Velneo account on this emulator. */
  velneoClient(options?: VelneoClientOptions): VelneoClient
  /** The account state directory of the clients `wedosClient()` makes (a temporary one, removed by `stop()`). */
  readonly stateDir: string
  /** A client of the demo WEDOS account on this emulator; its account state lives in `stateDir` unless `options`
   * name a `stateDir` or `stateStore` of their own. */
  wedosClient(options?: WedosClientOptions): WedosClient
  /** Forgets every change: the configured accounts as at start. */
  reset(): Promise<void>
  /** The emulator's state (login counters, answer counts, zones, queues). */
  state(): Promise<Record<string, any>>
  /** Moves the emulator's clock by offsetSecs. */
  setClock(offsetSecs: number): Promise<Record<string, number>>
  /**
   * Makes the next `times` requests of `path` (e.g. "/v1/vserver", "/wapi/json") misbehave: answer `status`/`body`
   * (plus `headers`, e.g. `{ 'Retry-After': '30' }`) and/or wait `delayMs` first; `apply: true` processes the
   * request first (a proxy that applies a write and answers 502); `action`: `reset` (no answer, connection closed),
   * `truncate` (half the body), `drip` (`dripBytes` every `dripIntervalMs`; of `size` generated bytes when given),
   * `oversize` (a body of `size` bytes); `chunked: true` leaves out the Content-Length.
   */
  addFault(fault: {
    path: string; status?: number; body?: string; times?: number; delayMs?: number; headers?: Record<string, string>;
    apply?: boolean; action?: 'reset' | 'truncate' | 'drip' | 'oversize'; size?: number; dripBytes?: number; dripIntervalMs?: number;
    chunked?: boolean
  }): Promise<unknown[]>
  /** Requests received per API path since the start or the last reset, or the count of one `path`. */
  requests(): Promise<Record<string, number>>
  requests(path: string): Promise<number>
  /** Stops the server and removes `stateDir`; idempotent. */
  stop(): Promise<void>
}

/** Starts the emulator in-process on a free loopback port (or `port`), with the default demo accounts or `config`. */
export declare function startEmulator(options?: { config?: Record<string, unknown>; host?: string; port?: number; dnsPort?: number }): Promise<RunningEmulator>

/** The package version. */
export declare const version: string"#;
