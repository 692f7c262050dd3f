//! The wire format: `method` / `params` fields, real HTTP verbs, query strings, lenient params, parameter names.

mod common;

use common::{assert_error, now, sign, Api, EMAIL, KEY};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn missing_or_unknown_method_is_403() {
    let api = Api::logged_in().await;
    let params = api.authed(json!({})).to_string();
    let r = api.send(Method::POST, "/v1/vserver", &[("params", &params)]).await;
    assert_error(&r, 403, "missing method");
    let r = api.send(Method::POST, "/v1/vserver", &[("method", "FETCH"), ("params", &params)]).await;
    assert_error(&r, 403, "unknown method");
    // Verbs are upper case, as documented.
    let r = api.send(Method::POST, "/v1/vserver", &[("method", "get"), ("params", &params)]).await;
    assert_error(&r, 403, "unknown method");
    let r = api.send(Method::POST, "/v1/vserver", &[("method", "GET"), ("params", &params)]).await;
    assert_eq!(r.0, 200);
}

#[tokio::test]
async fn missing_or_unparseable_params_is_403() {
    let api = Api::logged_in().await;
    assert_error(&api.send(Method::POST, "/v1/vserver", &[("method", "GET")]).await, 403, "missing params");
    assert_error(&api.post_raw("vserver", "GET", "{'session': ").await, 403, "params");
    assert_error(&api.post_raw("vserver", "GET", "not json").await, 403, "params");
    assert_error(&api.post_raw("vserver", "GET", "[1, 2]").await, 403, "params must be a JSON object");
    assert_error(&api.post_raw("vserver", "GET", "").await, 403, "params");
    // Repeated form fields are ambiguous: rejected.
    let p = api.authed(json!({})).to_string();
    let r = api.send(Method::POST, "/v1/vserver", &[("method", "GET"), ("method", "PUT"), ("params", &p)]).await;
    assert_error(&r, 403, "more than once");
}

#[tokio::test]
async fn unknown_resource_is_404_and_unsupported_verb_is_403() {
    let api = Api::logged_in().await;
    let p = api.authed(json!({})).to_string();
    assert_error(&api.post_raw("servers", "GET", &p).await, 404, "unknown resource");
    assert_error(&api.post_raw("groups", "DELETE", &p).await, 403, "not supported");
    assert_error(&api.post_raw("vserver", "POST", &p).await, 403, "not supported");
    assert_error(&api.post_raw("session", "GET", &p).await, 403, "not supported");
    let (status, body) = api.send(Method::GET, "/nowhere", &[]).await;
    assert_eq!((status, &body["status_code"]), (404, &json!(404)));
}

#[tokio::test]
async fn single_quoted_params_are_accepted() {
    let api = Api::logged_in().await;
    let ts = now();
    let s = &api.session;
    let signed = sign(s, ts, KEY);
    let text = format!("{{'session':'{s}','timestamp': {ts},'signed':'{signed}'}}");
    let (status, body) = api.post_raw("vserver", "GET", &text).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "running");
    // Without the closing brace, and with a typographic opening quote.
    let text = format!("{{'session':'{s}','timestamp': {ts},'signed':'{signed}', \u{2018}name': 'Administradores'");
    let (status, body) = api.post_raw("group", "GET", &text).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Name"], "Administradores");
}

#[tokio::test]
async fn real_http_verbs_are_accepted() {
    let api = Api::logged_in().await;
    // GET with the form body and no method field.
    let p = api.authed(json!({})).to_string();
    let (status, body) = api.send(Method::GET, "/v1/vserver", &[("params", &p)]).await;
    assert_eq!((status, &body["status"]), (200, &json!("running")));
    // PUT with a body.
    let p = api.authed(json!({"name": "Cajeros"})).to_string();
    let (status, body) = api.send(Method::PUT, "/v1/group", &[("params", &p)]).await;
    assert_eq!((status, &body["status_code"]), (200, &json!(200)), "{body}");
    // DELETE with a body.
    let p = api.authed(json!({"name": "Cajeros"})).to_string();
    let (status, _) = api.send(Method::DELETE, "/v1/group", &[("params", &p)]).await;
    assert_eq!(status, 200);
    assert_error(&api.call("GET", "group", json!({"name": "Cajeros"})).await, 403, "does not exist");
    // The method field wins over the HTTP verb.
    let p = api.authed(json!({"name": "Administradores"})).to_string();
    let (status, body) = api.send(Method::PUT, "/v1/group", &[("method", "GET"), ("params", &p)]).await;
    assert_eq!((status, &body["Name"]), (200, &json!("Administradores")));
    // A real POST still needs the method field (it is mandatory on the documented wire).
    let ts = now();
    let login = json!({"email": EMAIL, "timestamp": ts, "signed": sign(EMAIL, ts, KEY)}).to_string();
    assert_error(&api.send(Method::POST, "/v1/session", &[("params", &login)]).await, 403, "missing method");
    // Other HTTP verbs without a method field: no verb at all.
    assert_error(&api.send(Method::PATCH, "/v1/vserver", &[("params", &p)]).await, 403, "missing method");
}

#[tokio::test]
async fn method_and_params_in_the_query_string() {
    let api = Api::logged_in().await;
    let p = api.authed(json!({"name": "Administradores"})).to_string();
    let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("params", &p).finish();
    let url = format!("{}/v1/group?{query}", api.emu.url());
    let resp = api.http.get(&url).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&resp.text().await.expect("body")).expect("json");
    assert_eq!(body["Name"], "Administradores");
    // method in the query string too, on a POST without a body.
    let query: String =
        form_urlencoded::Serializer::new(String::new()).append_pair("method", "GET").append_pair("params", &p).finish();
    let resp = api.http.post(format!("{}/v1/group?{query}", api.emu.url())).send().await.expect("sent");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn parameter_names_match_case_insensitively() {
    let api = Api::logged_in().await;
    let ts = now();
    let s = api.session.clone();
    let p = json!({"SESSION": s, "TimeStamp": ts, "Signed": sign(&s, ts, KEY), "NAME": "Administradores"});
    let (status, body) = api.post_raw("group", "GET", &p.to_string()).await;
    assert_eq!((status, &body["Name"]), (200, &json!("Administradores")), "{body}");
    let body = api.ok("PUT", "group", json!({"name": "Ventas", "MANAGESOLUTIONS": "yes"})).await;
    assert_eq!(body["status_code"], 200);
    let g = api.ok("GET", "group", json!({"name": "Ventas"})).await;
    assert_eq!(g["puedeCrearSitios"], true);
    // The same name twice in different case is ambiguous.
    let p = json!({"session": s, "timestamp": ts, "signed": sign(&s, ts, KEY), "name": "a", "Name": "b"});
    assert_error(&api.post_raw("group", "GET", &p.to_string()).await, 403, "more than once");
}

#[tokio::test]
async fn yes_no_values_are_strict() {
    let api = Api::logged_in().await;
    for bad in [json!("si"), json!("YES"), json!(true), json!(1)] {
        let r = api.call("PUT", "group", json!({"name": "G", "manageSolutions": bad})).await;
        assert_error(&r, 403, "manageSolutions must be \"yes\" or \"no\"");
    }
    api.ok("PUT", "group", json!({"name": "G", "manageSolutions": "no"})).await;
}

#[tokio::test]
async fn by_id_accepts_booleans_and_one_zero() {
    let api = Api::logged_in().await;
    let body = api
        .ok(
            "PUT",
            "instance",
            json!({"name": "Biblio", "project": "2ewlh1l5.vca", "solution": "Biblioteca", "folderShared": "datos", "type": "app"}),
        )
        .await;
    let id = body["id_instancia"].as_str().expect("id").to_string();
    for by_id in [json!(true), json!(1)] {
        let got = api.ok("GET", "instance", json!({"name": id, "byId": by_id, "type": "app"})).await;
        assert_eq!(got["nombre"], "Biblio");
    }
    for by_name in [json!(false), json!(0)] {
        let got = api.ok("GET", "instance", json!({"name": "Biblio", "byId": by_name, "type": "app"})).await;
        assert_eq!(got["nombre"], "Biblio");
    }
    for bad in [json!("true"), json!(2), json!(null)] {
        let r = api.call("GET", "instance", json!({"name": id, "byId": bad, "type": "app"})).await;
        assert_error(&r, 403, "byId must be");
    }
}

#[tokio::test]
async fn string_parameters_must_be_strings() {
    let api = Api::logged_in().await;
    assert_error(&api.call("GET", "group", json!({"name": 5})).await, 403, "name must be a string");
    assert_error(&api.call("GET", "group", json!({"name": ""})).await, 403, "must not be empty");
    assert_error(&api.call("GET", "group", json!({})).await, 403, "missing parameter name");
}

#[tokio::test]
async fn garbage_bodies_never_crash_the_server() {
    let api = Api::logged_in().await;
    let url = format!("{}/v1/vserver", api.emu.url());
    let bodies: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00, b'=', b'&'],
        b"method=GET&params=%ZZ".to_vec(),
        b"method=GET&params=%7B%27a%27%3A%5B%5B%5B%5B".to_vec(),
        format!("method=GET&params={}", "%5B".repeat(5000)).into_bytes(),
        b"method=GET&params=%7B%27timestamp%27%3A99999999999999999999999%7D".to_vec(),
    ];
    for b in bodies {
        let resp = api
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b)
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        assert!(status == 403 || status == 401, "status {status}");
    }
    api.ok("GET", "vserver", json!({})).await;
}
