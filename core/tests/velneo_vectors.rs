//! The shared test vectors of `tests/vectors/velneo/`, checked against the sans-I/O protocol layer.

use hostapi::velneo::protocol::{self, Auth, Call, Operation, WireOptions};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/velneo/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cases(doc: &Value) -> &Vec<Value> {
    let cases = doc["cases"].as_array().expect("cases array");
    assert!(!cases.is_empty());
    cases
}

#[test]
fn signing() {
    let doc = load("signing.json");
    for case in cases(&doc) {
        let got = protocol::sign(
            case["subject"].as_str().unwrap(),
            case["timestamp"].as_i64().unwrap(),
            case["api_key"].as_str().unwrap(),
        );
        assert_eq!(got, case["signed"].as_str().unwrap(), "case {}", case["name"]);
    }
}

#[test]
fn requests() {
    let doc = load("requests.json");
    let base = doc["base_url"].as_str().unwrap();
    let key = doc["api_key"].as_str().unwrap();
    let mut seen = std::collections::HashSet::new();
    for case in cases(&doc) {
        let name = &case["name"];
        let op = case["operation"].as_str().unwrap();
        let auth_obj = &case["auth"];
        let auth = match (auth_obj.get("email"), auth_obj.get("session")) {
            (Some(e), _) => Auth::Email(e.as_str().unwrap()),
            (_, Some(s)) => Auth::Session(s.as_str().unwrap()),
            _ => panic!("case {name}: no auth"),
        };
        let ts = case["timestamp"].as_i64().unwrap();
        let built = Call::from_json(op, &case["args"])
            .and_then(|call| protocol::build_request(base, &call, auth, key, ts, WireOptions::default()));
        let expect = &case["expect"];
        if let Some(err) = expect.get("error") {
            let e = built.expect_err(&format!("case {name}: expected an error"));
            assert_eq!(e.kind().as_str(), err["kind"].as_str().unwrap(), "case {name}: {e}");
            assert!(e.to_string().contains(op), "case {name}: error names the operation: {e}");
            continue;
        }
        let req = built.unwrap_or_else(|e| panic!("case {name}: {e}"));
        seen.insert(op.to_owned());
        assert_eq!(req.method, expect["method"].as_str().unwrap(), "case {name}");
        assert_eq!(req.url, expect["url"].as_str().unwrap(), "case {name}");
        assert_eq!(req.body, expect["body"].as_str().unwrap(), "case {name}");
        let ct = req.headers.iter().find(|(k, _)| k == "Content-Type").map(|(_, v)| v.as_str());
        assert_eq!(ct, expect["content_type"].as_str(), "case {name}");
        // The body decodes to exactly the expected verb and params text.
        let fields: Vec<(String, String)> = form_urlencoded::parse(req.body.as_bytes()).into_owned().collect();
        assert_eq!(fields.len(), 2, "case {name}");
        assert_eq!(fields[0], ("method".into(), expect["verb"].as_str().unwrap().into()), "case {name}");
        assert_eq!(fields[1], ("params".into(), expect["params"].as_str().unwrap().into()), "case {name}");
    }
    for op in Operation::ALL {
        assert!(seen.contains(op.name()), "no request vector for {}", op.name());
    }
}

#[test]
fn responses() {
    let doc = load("responses.json");
    for case in cases(&doc) {
        let name = &case["name"];
        let op = Operation::from_name(case["operation"].as_str().unwrap()).expect("known operation");
        let status = case["http_status"].as_u64().unwrap() as u16;
        let body = case["body"].as_str().unwrap();
        let got = protocol::parse_response(op, status, body.as_bytes());
        let expect = &case["expect"];
        if let Some(ok) = expect.get("ok") {
            let out = got.unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(&serde_json::to_value(&out).unwrap(), ok, "case {name}");
        } else {
            let err = &expect["error"];
            let e = got.expect_err(&format!("case {name}: expected an error"));
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
            assert!(e.to_string().starts_with(&op.label()), "case {name}: error names the operation: {e}");
        }
    }
}
