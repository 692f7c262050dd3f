//! The shared test vectors of `tests/vectors/wedos/`, checked against the sans-I/O protocol layer.

use hostapi::wedos::protocol::{self, Call, RequestOptions};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/wedos/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cases(doc: &Value) -> &Vec<Value> {
    let cases = doc["cases"].as_array().expect("cases array");
    assert!(!cases.is_empty());
    cases
}

fn check_error(name: &Value, e: &hostapi::Error, err: &Value) {
    assert_eq!(e.kind().as_str(), err["kind"].as_str().unwrap(), "case {name}: {e}");
    if let Some(code) = err.get("code") {
        assert_eq!(e.code(), code.as_i64(), "case {name}: {e}");
    }
    if let Some(h) = err.get("http_status") {
        assert_eq!(e.http_status().map(u64::from), h.as_u64(), "case {name}: {e}");
    }
    if let Some(text) = err.get("message_contains") {
        assert!(e.message().contains(text.as_str().unwrap()), "case {name}: {e}");
    }
}

#[test]
fn auth() {
    let doc = load("auth.json");
    for case in cases(&doc) {
        let name = &case["name"];
        let unix = case["unix"].as_i64().unwrap();
        let hour = protocol::prague_hour(unix).unwrap();
        assert_eq!(format!("{hour:02}"), case["hour"].as_str().unwrap(), "case {name}");
        let got = protocol::auth(case["user"].as_str().unwrap(), case["password"].as_str().unwrap(), unix).unwrap();
        assert_eq!(got, case["auth"].as_str().unwrap(), "case {name}");
    }
}

#[test]
fn requests() {
    let doc = load("requests.json");
    let base = doc["base_url"].as_str().unwrap();
    let user = doc["user"].as_str().unwrap();
    let password = doc["password"].as_str().unwrap();
    let mut seen = std::collections::HashSet::new();
    for case in cases(&doc) {
        let name = &case["name"];
        let op = case["operation"].as_str().unwrap();
        let opts = &case["options"];
        let options = RequestOptions {
            cltrid: opts.get("cltrid").and_then(Value::as_str).map(str::to_owned),
            test: opts.get("test").and_then(Value::as_bool).unwrap_or(false),
        };
        let unix = case["unix"].as_i64().unwrap();
        let built = Call::from_json(op, &case["args"])
            .and_then(|call| protocol::build_request(base, &call, user, password, unix, &options));
        let expect = &case["expect"];
        if let Some(err) = expect.get("error") {
            let e = built.expect_err(&format!("case {name}: expected an error"));
            check_error(name, &e, err);
            assert!(e.operation().starts_with("wedos"), "case {name}: {e}");
            continue;
        }
        let req = built.unwrap_or_else(|e| panic!("case {name}: {e}"));
        seen.insert(op.to_owned());
        assert_eq!(req.method, expect["method"].as_str().unwrap(), "case {name}");
        assert_eq!(req.url, expect["url"].as_str().unwrap(), "case {name}");
        let fields: Vec<(String, String)> = form_urlencoded::parse(req.body.as_bytes()).into_owned().collect();
        assert_eq!(fields, [("request".to_owned(), expect["document"].as_str().unwrap().to_owned())], "case {name}");
        assert_eq!(req.body, expect["body"].as_str().unwrap(), "case {name}");
        let ct = req.headers.iter().find(|(k, _)| k == "Content-Type").map(|(_, v)| v.as_str());
        assert_eq!(ct, expect["content_type"].as_str(), "case {name}");
    }
    for op in protocol::Operation::ALL {
        assert!(seen.contains(op.name()), "no request vector for {}", op.name());
    }
}

#[test]
fn responses() {
    let doc = load("responses.json");
    for case in cases(&doc) {
        let name = &case["name"];
        let call = Call::from_json(case["operation"].as_str().unwrap(), &case["args"])
            .unwrap_or_else(|e| panic!("case {name}: {e}"));
        let status = case["http_status"].as_u64().unwrap() as u16;
        let got = protocol::parse_response(&call, status, case["body"].as_str().unwrap().as_bytes());
        let expect = &case["expect"];
        if let Some(ok) = expect.get("ok") {
            let out = got.unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(&serde_json::to_value(&out).unwrap(), ok, "case {name}");
        } else {
            let e = got.expect_err(&format!("case {name}: expected an error"));
            check_error(name, &e, &expect["error"]);
        }
    }
}

#[test]
fn notifications() {
    let doc = load("notifications.json");
    for case in cases(&doc) {
        let name = &case["name"];
        let got = protocol::parse_notification(case["body"].as_str().unwrap().as_bytes());
        let expect = &case["expect"];
        if let Some(ok) = expect.get("ok") {
            let n = got.unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(&serde_json::to_value(&n).unwrap(), ok, "case {name}");
        } else {
            let e = got.expect_err(&format!("case {name}: expected an error"));
            check_error(name, &e, &expect["error"]);
        }
    }
}

/// A call of `operation` as a command of the model without a typed variant would be ([`Call::Model`]): what a
/// new command added to the model alone gets.
fn model_call(operation: &str, args: &Value) -> Result<Call, hostapi::Error> {
    let spec = hostapi::ops::Api::Wedos.op(operation).expect("an operation of the model");
    let a = hostapi::ops::check_args(spec, &spec.label(), args, true)?;
    Ok(Call::Model { spec, args: a.canonical() })
}

/// Every request vector, built from the model alone: the same body, the same errors. So a command needs no code
/// of its own to be sent right, only its model entry (wire keys, order, constraints).
#[test]
fn requests_from_the_model_alone() {
    let doc = load("requests.json");
    let (base, user, password) =
        (doc["base_url"].as_str().unwrap(), doc["user"].as_str().unwrap(), doc["password"].as_str().unwrap());
    let mut checked = 0;
    for case in cases(&doc) {
        let (name, op) = (&case["name"], case["operation"].as_str().unwrap());
        if op == "call" {
            continue; // any command: its data is the caller's
        }
        let opts = &case["options"];
        let options = RequestOptions {
            cltrid: opts.get("cltrid").and_then(Value::as_str).map(str::to_owned),
            test: opts.get("test").and_then(Value::as_bool).unwrap_or(false),
        };
        let unix = case["unix"].as_i64().unwrap();
        let built = model_call(op, &case["args"])
            .and_then(|call| protocol::build_request(base, &call, user, password, unix, &options));
        match case["expect"].get("error") {
            Some(err) => check_error(name, &built.expect_err(&format!("case {name}: expected an error")), err),
            None => {
                let req = built.unwrap_or_else(|e| panic!("case {name}: {e}"));
                assert_eq!(req.body, case["expect"]["body"].as_str().unwrap(), "case {name}");
            }
        }
        checked += 1;
    }
    assert!(checked > 30, "{checked}");
}

/// Every response vector of a command whose result is records of the model, read from the model alone: the
/// same canonical JSON. (The checks, pending requests and the notification queue have typed rules of their own:
/// a result named by the answer's code, not by its data.)
#[test]
fn responses_from_the_model_alone() {
    use hostapi::ops::Output as Out;
    let doc = load("responses.json");
    let mut checked = 0;
    for case in cases(&doc) {
        let (name, op) = (&case["name"], case["operation"].as_str().unwrap());
        let spec = hostapi::ops::Api::Wedos.op(op).expect("an operation of the model");
        let by_data = match spec.answer_output() {
            // The checks' results come from the answer's code, not its data.
            Out::Record(r) | Out::List(r) => !["DomainCheck", "TransferCheck"].contains(&r),
            _ => false,
        };
        if !by_data || op == "call" {
            continue;
        }
        let call = model_call(op, &case["args"]).unwrap_or_else(|e| panic!("case {name}: {e}"));
        let status = case["http_status"].as_u64().unwrap() as u16;
        let got = protocol::parse_response(&call, status, case["body"].as_str().unwrap().as_bytes());
        match case["expect"].get("ok") {
            Some(ok) => {
                let out = got.unwrap_or_else(|e| panic!("case {name}: {e}"));
                assert_eq!(&serde_json::to_value(&out).unwrap(), ok, "case {name}");
            }
            None => {
                check_error(name, &got.expect_err(&format!("case {name}: expected an error")), &case["expect"]["error"])
            }
        }
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}
