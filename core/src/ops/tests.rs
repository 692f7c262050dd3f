//! The model against what the core accepts: every wire operation of the protocol modules is in the model and
//! back, and `from_json` accepts exactly the model's arguments.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::*;
use crate::error::ErrorKind;

/// A valid value of `ty` for the protocol's own checks (TTL range, folder paths, inheritance form).
fn sample(ty: Type) -> Value {
    match ty {
        Type::Str | Type::Secret => json!("x"),
        Type::Bool => json!(true),
        Type::Int => json!(3600),
        Type::Count => json!(1),
        Type::Seconds => json!(1.5),
        Type::Path => json!("/tmp/hostapi-model-test"),
        Type::Object => json!({}),
        Type::Enum(values) => json!(values[0]),
        Type::Pair(inner) => json!([sample(*inner), sample(*inner)]),
        Type::List(inner) => json!([sample(*inner)]),
        Type::Inheritance => json!({"p": "i"}),
        Type::RecordOr { field, .. } => json!({ field: "https://example.com/b.zip" }),
        Type::Id => json!(7),
    }
}

fn required(spec: &OpSpec) -> Map<String, Value> {
    spec.args.iter().filter(|a| a.required && !a.local).map(|a| (a.name.to_owned(), sample(a.ty))).collect()
}

fn from_json(spec: &OpSpec, args: &Value) -> crate::error::Result<()> {
    match spec.api {
        Api::Velneo => crate::velneo::Call::from_json(spec.name, args).map(drop),
        Api::Wedos => crate::wedos::Call::from_json(spec.name, args).map(drop),
    }
}

#[test]
fn every_wire_operation_is_in_the_model_and_back() {
    let velneo: HashSet<&str> = crate::velneo::Operation::ALL.iter().map(|o| o.name()).collect();
    let wedos: HashSet<&str> = crate::wedos::protocol::Operation::ALL.iter().map(|o| o.name()).collect();
    for (api, wire) in [(Api::Velneo, &velneo), (Api::Wedos, &wedos)] {
        let model: HashSet<&str> = api.ops().iter().filter(|o| o.kind == Kind::Wire).map(|o| o.name).collect();
        assert_eq!(&model, wire, "{}: the model's wire operations differ from the protocol's", api.as_str());
    }
    for op in crate::velneo::Operation::ALL {
        assert_eq!(op.spec().name, op.name());
    }
    for op in crate::wedos::protocol::Operation::ALL {
        assert_eq!(op.spec().name, op.name());
    }
}

#[test]
fn names_methods_and_defaults_are_well_formed() {
    for api in [Api::Velneo, Api::Wedos] {
        let mut names = HashSet::new();
        let mut methods = HashSet::new();
        for op in api.ops() {
            assert!(names.insert(op.name), "{} twice", op.name);
            assert!(methods.insert((op.handle, op.method)), "{}: method {} twice", op.name, op.method);
            assert!(!op.doc.is_empty() && op.doc.ends_with('.'), "{}: doc line", op.name);
            let mut args = HashSet::new();
            let mut keyword_seen = false;
            for a in op.args {
                assert!(args.insert(a.name), "{}: argument {} twice", op.name, a.name);
                assert!(!a.doc.is_empty(), "{}.{}: doc", op.name, a.name);
                // Positional arguments come first, required ones before optional ones.
                if a.positional {
                    assert!(!keyword_seen, "{}.{}: positional after a keyword argument", op.name, a.name);
                } else {
                    keyword_seen = true;
                }
                if let Some(d) = a.default {
                    let v: Value = serde_json::from_str(d).expect("a default is JSON");
                    let label = op.label();
                    check::check_args(op, &label, &json!({ a.name: v }), false)
                        .map(drop)
                        .or_else(|e| if e.message().starts_with("missing") { Ok(()) } else { Err(e) })
                        .unwrap_or_else(|e| panic!("{}.{}: default {d} is not of its type: {e}", op.name, a.name));
                }
            }
            let positional: Vec<&Arg> = op.args.iter().filter(|a| a.positional).collect();
            let first_optional = positional.iter().position(|a| !a.required).unwrap_or(positional.len());
            assert!(positional[first_optional..].iter().all(|a| !a.required), "{}: required after optional", op.name);
        }
        for op in api.ops() {
            if let Some(h) = op.handle {
                assert!(api.handles().iter().any(|x| x.name == h), "{}: handle {h} is not declared", op.name);
            }
        }
        for h in api.handles() {
            assert!(api.ops().iter().any(|o| o.handle == Some(h.name)), "handle {} has no operation", h.name);
        }
        for s in api.settings() {
            if let Some(d) = s.default {
                let v: Value = serde_json::from_str(d).expect("a default is JSON");
                check::check_settings(api, "settings", &json!({ s.name: v })).unwrap();
            }
        }
    }
}

#[test]
fn from_json_accepts_exactly_the_models_arguments() {
    for api in [Api::Velneo, Api::Wedos] {
        for spec in api.ops().iter().filter(|o| o.kind == Kind::Wire) {
            let base = required(spec);
            for arg in spec.args.iter().filter(|a| !a.local) {
                let mut args = base.clone();
                args.insert(arg.name.to_owned(), sample(arg.ty));
                if let Err(e) = from_json(spec, &Value::Object(args)) {
                    assert!(!e.message().contains("unknown argument"), "{}: {e}", spec.name);
                }
            }
            let mut extra = base.clone();
            extra.insert("zzz_not_an_argument".into(), json!(1));
            let e = from_json(spec, &Value::Object(extra)).unwrap_err();
            assert!(e.kind() == ErrorKind::Config && e.message().contains("unknown argument"), "{}: {e}", spec.name);
            for arg in spec.args.iter().filter(|a| a.required) {
                let mut missing = base.clone();
                missing.remove(arg.name);
                let e = from_json(spec, &Value::Object(missing)).unwrap_err();
                assert!(e.message().contains(arg.name), "{}: {e}", spec.name);
            }
            for arg in spec.args.iter().filter(|a| a.local) {
                let mut local = base.clone();
                local.insert(arg.name.to_owned(), sample(arg.ty));
                let e = from_json(spec, &Value::Object(local)).unwrap_err();
                assert!(e.message().contains("unknown argument"), "{}: {} is the client's: {e}", spec.name, arg.name);
            }
        }
    }
}

#[test]
fn composites_are_refused_by_the_sans_io_layer() {
    for api in [Api::Velneo, Api::Wedos] {
        for spec in api.ops().iter().filter(|o| o.kind != Kind::Wire) {
            let e = from_json(spec, &Value::Null).unwrap_err();
            assert!(e.message().contains("call_json"), "{}: {e}", spec.name);
        }
    }
}

#[test]
fn types_are_checked() {
    let spec = Api::Velneo.op("groups.put").unwrap();
    let bad = [
        json!({"name": "g", "manage_solutions": "yes"}),
        json!({"name": ["g"]}),
        json!({"name": "g", "add_solution": {}}),
    ];
    for args in bad {
        let e = check_args(spec, "velneo groups.put", &args, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{args}");
    }
    let wait = Api::Velneo.op("vserver.wait_for_state").unwrap();
    let e = check_args(wait, "w", &json!({"state": "runing"}), false).unwrap_err();
    assert!(e.message().contains("\"running\", \"stopped\""), "{e}");
    let e = check_args(wait, "w", &json!({"state": "running", "interval": -1}), false).unwrap_err();
    assert!(e.message().contains("interval"), "{e}");
    let e = check_settings(Api::Wedos, "wedos client", &json!({"hourly_limits": [1]})).unwrap_err();
    assert!(e.message().contains("pair"), "{e}");
    let e = check_settings(Api::Velneo, "velneo client", &json!({"colour": "blue"})).unwrap_err();
    assert!(e.message().contains("unknown setting \"colour\""), "{e}");
}

#[test]
fn the_vectors_name_only_operations_of_the_model() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    for (api, files) in
        [(Api::Velneo, ["requests.json", "responses.json"]), (Api::Wedos, ["requests.json", "responses.json"])]
    {
        for file in files {
            let path = root.join(api.as_str()).join(file);
            let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            for case in doc["cases"].as_array().unwrap() {
                if let Some(op) = case["operation"].as_str() {
                    assert!(api.op(op).is_some(), "{}: {op} is not in the model", path.display());
                }
            }
        }
    }
}

#[test]
fn error_numbers_are_fixed_and_distinct() {
    let numbers: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.number()).collect();
    assert_eq!(numbers, [3, 8, 10, 9, 4, 6, 5, 7]);
    let codes: HashSet<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes.len(), ErrorKind::ALL.len());
    for k in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_number(k.number()), Some(k));
        assert!(k.code().starts_with("HOSTAPI_"));
    }
}

#[test]
fn the_json_export_holds_every_operation() {
    let m = model_json();
    assert_eq!(m["velneo"]["operations"].as_array().unwrap().len(), VELNEO_OPS.len());
    assert_eq!(m["wedos"]["operations"].as_array().unwrap().len(), WEDOS_OPS.len());
    assert_eq!(m["errors"].as_array().unwrap().len(), 8);
    let add_row = m["wedos"]["operations"].as_array().unwrap().iter().find(|o| o["name"] == "dns.add_row").unwrap();
    assert_eq!(add_row["args"][4]["default"], json!(3600));
    assert_eq!(add_row["idempotent"], json!(false));
}

#[test]
fn every_result_names_a_record_and_the_vectors_have_its_fields() {
    for api in [Api::Velneo, Api::Wedos] {
        for op in api.ops() {
            let names: Vec<&str> = match op.output {
                Output::Record(r) | Output::List(r) | Output::Optional(r) => vec![r],
                Output::Either { default, then, .. } => vec![default, then],
                Output::Count => vec![],
            };
            for n in names {
                assert!(api.record(n).is_some(), "{}: record {n} is not in the model", op.name);
            }
        }
        // Every canonical result in the response vectors has exactly the model's fields.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let doc: Value =
            serde_json::from_slice(&std::fs::read(root.join(api.as_str()).join("responses.json")).unwrap()).unwrap();
        let mut seen = HashSet::new();
        for case in doc["cases"].as_array().unwrap() {
            let Some(ok) = case["expect"].get("ok") else { continue };
            let op = api.op(case["operation"].as_str().unwrap()).unwrap();
            let record = match op.answer_output() {
                Output::Record(r) | Output::List(r) | Output::Optional(r) => r,
                Output::Either { default, .. } => default,
                Output::Count => continue,
            };
            let spec = api.record(record).unwrap();
            let items: Vec<&Value> = match ok {
                Value::Array(a) => a.iter().collect(),
                Value::Null => vec![],
                other => vec![other],
            };
            for item in items {
                let keys: HashSet<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
                let fields: HashSet<&str> = spec.fields.iter().map(|f| f.name).collect();
                assert_eq!(keys, fields, "{}: {record}", case["name"]);
                seen.insert(record);
            }
        }
        assert!(
            seen.len() >= api.records().count() - 3,
            "{}: few records are pinned by vectors: {seen:?}",
            api.as_str()
        );
    }
}

/// The code reads its defaults from the model: every default it reads exists and converts, and the public
/// constants that name the same facts agree with it.
#[test]
fn defaults_come_from_the_model() {
    use std::time::Duration;
    let t = crate::transport::TransportConfig::default();
    assert_eq!((t.timeout, t.connect_timeout, t.retries), (Duration::from_secs(30), Duration::from_secs(10), 2));
    assert_eq!((t.backoff_initial, t.backoff_max), (Duration::from_millis(200), Duration::from_secs(5)));
    assert_eq!(t.max_response_bytes, crate::transport::DEFAULT_MAX_RESPONSE_BYTES);
    let _ = crate::wedos::ClientBuilder::default();
    let _ = crate::velneo::ClientBuilder::default();
    assert_eq!(super::setting_default::<String>(Api::Wedos, "base_url"), crate::wedos::protocol::DEFAULT_BASE_URL);
    assert_eq!(super::setting_default::<String>(Api::Velneo, "base_url"), crate::velneo::protocol::DEFAULT_BASE_URL);
    assert_eq!(
        super::setting_default::<[u32; 2]>(Api::Wedos, "hourly_limits"),
        [crate::wedos::protocol::HOURLY_REQUEST_LIMIT, crate::wedos::protocol::HOURLY_DOMAIN_CHECK_LIMIT]
    );
    // An argument left out takes the model's default: dns.add_row's TTL, domains.create's period.
    let row = crate::wedos::Call::from_json(
        "dns.add_row",
        &serde_json::json!({"domain": "example.cz", "name": "www", "rdtype": "A", "rdata": "192.0.2.1"}),
    )
    .unwrap();
    assert!(matches!(row, crate::wedos::Call::DnsRowAdd(ref r) if r.ttl == 3600), "{row:?}");
    let create = crate::wedos::Call::from_json(
        "domains.create",
        &serde_json::json!({"name": "example.cz", "owner_c": "OWNER"}),
    )
    .unwrap();
    assert!(matches!(create, crate::wedos::Call::DomainCreate { period: 1, .. }), "{create:?}");
}

/// The TTL range the emulator checks (`wedos::protocol::TTL_RANGE`) is the model's constraint on every TTL.
#[test]
fn the_ttl_range_is_the_models() {
    for op in ["dns.add_row", "dns.update_row"] {
        let ttl = Api::Wedos.op(op).and_then(|o| o.arg("ttl")).expect("a ttl argument");
        let range = crate::wedos::protocol::TTL_RANGE;
        let expected = Check::Range { min: i64::from(*range.start()), max: i64::from(*range.end()), unit: "" };
        assert_eq!(ttl.check, expected, "{op}");
    }
}
