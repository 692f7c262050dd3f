//! Replays every curl example of the vendor page `velneo-cloud-api-uso.es.txt` (the "seed") verbatim.
//!
//! Each constant below is the exact `params` text of one example — the characters between `params="` and the
//! closing `"` of the shell word, i.e. what the shell hands to `curl --data-urlencode` — including the example
//! without its closing brace (line 141) and the typographic quote `‘` (lines 323, 456, 465). Only `<timestamp>`,
//! `<signed>` and the example session id are replaced by real values (and `$email`, `$timestamp`, `$signed` in the
//! login snippet, as bash would). The body is encoded as curl does: `method=VERB&params=` + the text
//! percent-encoded (everything but `A-Z a-z 0-9 - . _ ~`, spaces as `%20`).

mod common;

use common::{now, sign, Api, EMAIL, KEY};
use serde_json::{json, Value};

/// The example session id the page uses in every call after the login (seed line 86).
const EXAMPLE_SESSION: &str = "796bcd1d-30da-433b-a36c-f0cf7737f73f";

/// Seed line 81: the bash login snippet (`POST session`).
const LOGIN: &str = "{'email': '$email', 'timestamp': $timestamp, 'signed': '$signed'}";
/// Seed line 102: `DELETE session`.
const SESSION_DELETE: &str =
    "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed': '<signed>'}";
/// Seed line 141: `GET vserver` (the page omits the closing brace).
const VSERVER_GET: &str =
    "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>'";
/// Seed line 172: `PUT vserver` start.
const VSERVER_START: &str =
    "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>','action':'start'}";
/// Seed line 205: `PUT vserver` stop.
const VSERVER_STOP: &str =
    "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>','action':'stop'}";
/// Seed line 238: `PUT vserver` credentials.
const VSERVER_CREDENTIALS: &str = "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>', 'username': 'web', 'password': 'adsas1'}";
/// Seed line 323: `GET group` (typographic opening quote before `name`).
const GROUP_GET: &str = "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>', \u{2018}name': 'test'}";
/// Seed line 456: `GET users` of group `test`.
const USERS_GET_GROUP: &str = "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>', \u{2018}groupname': 'test'}";
/// Seed line 465: `GET users` of every group.
const USERS_GET_ALL: &str = "{'session':'796bcd1d-30da-433b-a36c-f0cf7737f73f','timestamp': <timestamp>,'signed':'<signed>', \u{2018}groupname': '-all'}";
/// Seed line 56: the login's parameter template (not a runnable example: its timestamp is blank).
const LOGIN_TEMPLATE: &str = "{'email':'','timestamp': ,'signed':''}";

/// `curl --data-urlencode` encoding.
fn curl_urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends `curl -H 'Accept: application/json' -d method=VERB --data-urlencode "params=TEXT" URL`.
async fn curl(api: &Api, verb: &str, resource: &str, params: &str) -> (u16, Value) {
    let body = format!("method={verb}&params={}", curl_urlencode(params));
    let resp = api
        .http
        .post(format!("{}/{resource}", api.emu.velneo_url()))
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")))
}

/// Fills an example's placeholders for `session`.
fn fill(example: &str, session: &str) -> String {
    let ts = now();
    example
        .replace(EXAMPLE_SESSION, session)
        .replace("<timestamp>", &ts.to_string())
        .replace("<signed>", &sign(session, ts, KEY))
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

/// The keys of a documented sample output.
fn doc_keys(sample: &str) -> Vec<String> {
    keys(&serde_json::from_str(sample).expect("sample parses"))
}

#[tokio::test]
async fn every_curl_example_replays() {
    let api = Api::start().await;

    // Seed lines 72–82: the bash snippet, with bash's substitutions.
    let ts = now();
    let login =
        LOGIN.replace("$email", EMAIL).replace("$timestamp", &ts.to_string()).replace("$signed", &sign(EMAIL, ts, KEY));
    let (status, body) = curl(&api, "POST", "session", &login).await;
    assert_eq!(status, 200, "{body}");
    // Seed line 86: { "status_code" : 200, "session": "796bcd1d-…"}
    assert_eq!(keys(&body), doc_keys(r#"{ "status_code" : 200, "session": "796bcd1d-30da-433b-a36c-f0cf7737f73f"}"#));
    assert_eq!(body["status_code"], 200);
    let session = body["session"].as_str().expect("session").to_string();
    assert_eq!(session.len(), EXAMPLE_SESSION.len());

    // Seed line 141; output at line 150.
    let (status, body) = curl(&api, "GET", "vserver", &fill(VSERVER_GET, &session)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"status_code": 200, "status": "running", "vrl": "vatps://c3.velneo.com:6070", "version": "25.0.4"})
    );

    // Seed line 205 (stop); output at line 214.
    let (status, body) = curl(&api, "PUT", "vserver", &fill(VSERVER_STOP, &session)).await;
    assert_eq!((status, body), (200, json!({"status_code": 200})));
    let (_, body) = curl(&api, "GET", "vserver", &fill(VSERVER_GET, &session)).await;
    assert_eq!(body["status"], "stopped");

    // Seed line 172 (start); output at line 181.
    let (status, body) = curl(&api, "PUT", "vserver", &fill(VSERVER_START, &session)).await;
    assert_eq!((status, body), (200, json!({"status_code": 200})));
    let (_, body) = curl(&api, "GET", "vserver", &fill(VSERVER_GET, &session)).await;
    assert_eq!(body["status"], "running");

    // The group and user examples name group `test`: create it, with one member, through the strict wire.
    let mut strict = Api { emu: api.emu, http: api.http.clone(), session: session.clone() };
    strict.ok("PUT", "group", json!({"name": "test"})).await;
    strict.ok("PUT", "user", json!({"username": "acarmona", "fullname": "Antonio Carmona", "group": "test"})).await;
    let api = &mut strict;

    // Seed line 323; output at line 328.
    let (status, body) = curl(api, "GET", "group", &fill(GROUP_GET, &session)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body),
        doc_keys(
            r#"{"Name":"Administradores","codigo":1,"puedeBorrarSitios":true,"puedeCrearSitios":true,"puedeEjecutarConDataClient":true}"#
        )
    );
    assert_eq!(body["Name"], "test");

    // Seed line 456; output at line 459 (whose elements lack codigo/esSupervisor, which line 470 shows).
    let (status, body) = curl(api, "GET", "users", &fill(USERS_GET_GROUP, &session)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body), ["users"]);
    let users = body["users"].as_array().expect("users array");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["Name"], "acarmona");
    assert_eq!(users[0]["FullName"], "Antonio Carmona");

    // Seed line 465; output at line 470.
    let (status, body) = curl(api, "GET", "users", &fill(USERS_GET_ALL, &session)).await;
    assert_eq!(status, 200, "{body}");
    let users = body["users"].as_array().expect("users array");
    assert_eq!(users.len(), 2);
    let documented = doc_keys(
        r#"{"FullName":"David Garcia","Name":"dgarcia","bloqueado":false,"codigo":14,"debeCambiarPassword":false,"desactivado":false,"esSupervisor":true,"passwordNuncaCaduca":false}"#,
    );
    for u in users {
        assert_eq!(keys(u), documented, "{u}");
    }

    // Seed line 238; output at line 247. The credentials are stored unchecked…
    let (status, body) = curl(api, "PUT", "vserver", &fill(VSERVER_CREDENTIALS, &session)).await;
    assert_eq!((status, body), (200, json!({"status_code": 200})));
    // …and, being wrong (no user `web`), the next administrative request answers as line 249 says.
    let (status, body) = curl(api, "GET", "group", &fill(GROUP_GET, &session)).await;
    assert_eq!((status, body), (200, json!({"error": "Invalid user/password"})));

    // Seed line 102: ends the session; the session no longer works afterwards.
    let (status, body) = curl(api, "DELETE", "session", &fill(SESSION_DELETE, &session)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status_code"], 200);
    let (status, body) = curl(api, "GET", "vserver", &fill(VSERVER_GET, &session)).await;
    assert_eq!((status, &body["status_code"]), (401, &json!(401)));
}

#[tokio::test]
async fn the_login_template_is_not_a_valid_request() {
    // Seed line 56 shows the parameter names with blank values; sent as is it is a 403, not a crash.
    let api = Api::start().await;
    let (status, body) = curl(&api, "POST", "session", LOGIN_TEMPLATE).await;
    assert_eq!((status, &body["status_code"]), (403, &json!(403)));
}

/// When a copy of the vendor's page is at hand (`HOSTAPI_SEEDS_DIR` names its folder; the page is not part of
/// this repository), every constant above must occur in it verbatim.
#[test]
fn constants_are_verbatim_copies_of_the_seed() {
    let Ok(dir) = std::env::var("HOSTAPI_SEEDS_DIR") else {
        eprintln!("HOSTAPI_SEEDS_DIR is not set; skipping the verbatim check against the vendor's page");
        return;
    };
    let Ok(seed) = std::fs::read_to_string(format!("{dir}/velneo-cloud-api-uso.es.txt")) else {
        eprintln!("seed not found under {dir}; skipping the verbatim check");
        return;
    };
    for (line, text) in [
        (56, LOGIN_TEMPLATE),
        (81, LOGIN),
        (102, SESSION_DELETE),
        (141, VSERVER_GET),
        (172, VSERVER_START),
        (205, VSERVER_STOP),
        (238, VSERVER_CREDENTIALS),
        (323, GROUP_GET),
        (456, USERS_GET_GROUP),
        (465, USERS_GET_ALL),
    ] {
        let seed_line = seed.lines().nth(line - 1).unwrap_or_default();
        let verbatim =
            seed_line.contains(&format!("params={text}")) || seed_line.contains(&format!("params=\"{text}\""));
        assert!(verbatim, "seed line {line} does not hold {text:?}: {seed_line:?}");
    }
    // Every curl example of the seed is covered: count the `params=` occurrences inside curl commands.
    let in_curl = seed.lines().filter(|l| l.contains("--data-urlencode")).count();
    assert_eq!(in_curl, 9, "the seed has curl examples this test does not replay");
}
