//! acme-dns's HTTP API (as joohoi/acme-dns documents it), on the account's WEDOS zones.
//!
//! - `POST /register` (optional `{"allowfrom": [CIDR…]}`) → 201 `{"username", "password", "fulldomain",
//!   "subdomain", "allowfrom"}`; `fulldomain` is `SUBDOMAIN.<--acme-dns-domain>`, inside one of the account's zones.
//!   The registration is kept in the account store (shared by every gateway of the account), its password only as
//!   an argon2 hash; the password is shown once, in this answer.
//! - `POST /update` with `X-Api-User` / `X-Api-Key` and `{"subdomain", "txt"}` → 200 `{"txt"}`: the TXT row at
//!   `fulldomain` is set and committed; the two most recent values stay (apex + wildcard), older ones go.
//!   Wrong or missing credentials, or a client outside the registration's `allowfrom`: 401; a `txt` that is not 43
//!   characters of base64url, or a subdomain that is not the user's: 400.
//! - `GET /health` → 200.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::SocketAddr;

use super::{dns_name, parse_any_case, refuse, upstream, within, Shared, LABEL};
use crate::error::{CliError, Result};

/// The registrations' key prefix in the account store.
const KEY: &str = "acme-dns.";

pub(crate) struct Config {
    /// The domain under which subdomains are handed out (e.g. `acme.example.cz`).
    pub(crate) domain: String,
}

impl Config {
    pub(crate) fn new(domain: &str, zones: &[String]) -> Result<Config> {
        let domain = dns_name(domain)
            .filter(|d| !d.contains('*'))
            .ok_or_else(|| CliError::config(LABEL, format!("--acme-dns-domain {domain:?} is not a domain name")))?;
        if !zones.iter().any(|z| within(&domain, z)) {
            return Err(CliError::config(
                LABEL,
                format!("--acme-dns-domain {domain} lies in none of the account's DNS zones ({})", zones.join(", ")),
            ));
        }
        Ok(Config { domain })
    }
}

/// A registration as the store keeps it.
#[derive(Serialize, Deserialize)]
struct Registration {
    username: String,
    /// argon2 PHC string.
    password_hash: String,
    subdomain: String,
    allowfrom: Vec<String>,
    /// The TXT values set, oldest first (at most two).
    #[serde(default)]
    txt: Vec<String>,
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/register", post(register))
        .route("/update", post(update))
        .route("/health", get(|| async { StatusCode::OK }))
}

/// 40 characters of `[A-Za-z0-9_-]`, from the system's random source (as acme-dns's passwords).
fn secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 40];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % 64])).collect()
}

#[derive(Deserialize, Default)]
pub(super) struct RegisterBody {
    #[serde(default)]
    allowfrom: Vec<String>,
}

/// A `/register` body, checked: empty, or `{"allowfrom": [CIDR…]}` (at most 64).
pub(super) fn check_register(body: &Bytes) -> std::result::Result<RegisterBody, Response> {
    let asked: RegisterBody =
        if body.iter().all(u8::is_ascii_whitespace) { RegisterBody::default() } else { parse_any_case(body)? };
    if asked.allowfrom.len() > 64 {
        return Err(refuse(StatusCode::BAD_REQUEST, "allowfrom holds at most 64 networks"));
    }
    for net in &asked.allowfrom {
        if net.parse::<ipnet::IpNet>().is_err() && net.parse::<std::net::IpAddr>().is_err() {
            return Err(refuse(StatusCode::BAD_REQUEST, format!("allowfrom: {net:?} is not a CIDR network")));
        }
    }
    Ok(asked)
}

/// An `/update` body, checked: `{"subdomain", "txt"}` with a DNS-01 value.
pub(super) fn check_update(body: &Bytes) -> std::result::Result<UpdateBody, Response> {
    let asked: UpdateBody = parse_any_case(body)?;
    if !acme_value(&asked.txt) {
        return Err(refuse(StatusCode::BAD_REQUEST, "bad txt: a DNS-01 value is 43 characters of base64url"));
    }
    Ok(asked)
}

async fn register(State(g): State<Shared>, body: Bytes) -> Response {
    let Some(config) = &g.acme_dns else { return refuse(StatusCode::NOT_FOUND, "acme-dns is off") };
    let asked = match check_register(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let password = secret();
    let hashed = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await
    };
    let Ok(Ok(hash)) = hashed else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "cannot hash the password");
    };
    let username = uuid::Uuid::new_v4().to_string();
    let subdomain = uuid::Uuid::new_v4().to_string();
    let registration = Registration {
        username: username.clone(),
        password_hash: hash,
        subdomain: subdomain.clone(),
        allowfrom: asked.allowfrom.clone(),
        txt: Vec::new(),
    };
    let value = match serde_json::to_value(&registration) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    match g.client.put_record(&format!("{KEY}{username}"), &value, true).await {
        Ok(true) => {}
        Ok(false) => return refuse(StatusCode::CONFLICT, "a registration of that name exists; register again"),
        Err(e) => return upstream(&e),
    }
    let answer = json!({
        "username": username,
        "password": password,
        "fulldomain": format!("{subdomain}.{}", config.domain),
        "subdomain": subdomain,
        "allowfrom": asked.allowfrom,
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

#[derive(Deserialize)]
pub(super) struct UpdateBody {
    subdomain: String,
    txt: String,
}

/// A DNS-01 value: 43 characters of base64url (a SHA-256 digest without padding).
fn acme_value(txt: &str) -> bool {
    txt.len() == 43 && txt.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty())
}

fn allowed(allowfrom: &[String], ip: std::net::IpAddr) -> bool {
    let ip = ip.to_canonical();
    allowfrom.is_empty()
        || allowfrom.iter().any(|net| match net.parse::<ipnet::IpNet>() {
            Ok(n) => n.contains(&ip),
            Err(_) => net.parse::<std::net::IpAddr>().is_ok_and(|a| a.to_canonical() == ip),
        })
}

async fn update(
    State(g): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = &g.acme_dns else { return refuse(StatusCode::NOT_FOUND, "acme-dns is off") };
    let unauthorized = || refuse(StatusCode::UNAUTHORIZED, "forbidden");
    let (Some(user), Some(key)) = (header(&headers, "x-api-user"), header(&headers, "x-api-key")) else {
        return unauthorized();
    };
    // A user name that cannot be one of ours is refused before the store is asked.
    if !uuid::Uuid::parse_str(user).is_ok_and(|u| u.hyphenated().to_string() == user) || key.len() > 128 {
        return unauthorized();
    }
    let asked = match check_update(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let record_key = format!("{KEY}{user}");
    let read = |g: Shared| {
        let record_key = record_key.clone();
        async move {
            match g.client.record(&record_key).await {
                Ok(Some(v)) => serde_json::from_value::<Registration>(v).map_err(|_| unauthorized()),
                Ok(None) => Err(unauthorized()),
                Err(e) => Err(upstream(&e)),
            }
        }
    };
    let registration = match read(g.clone()).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // The password is checked (off the async workers: a hash takes memory and CPU) before any lock is taken.
    let (hash, key) = (registration.password_hash.clone(), key.to_owned());
    let verified = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(key.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false);
    if !verified || !allowed(&registration.allowfrom, peer.ip()) {
        return unauthorized();
    }
    let _one_at_a_time = g.writes.lock().await;
    // Read again under the lock: another update may have changed the values meanwhile.
    let mut registration = match read(g.clone()).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if asked.subdomain != registration.subdomain {
        return refuse(StatusCode::BAD_REQUEST, "bad subdomain: not the one of this registration");
    }
    let fqdn = format!("{}.{}", registration.subdomain, config.domain);
    if let Err(r) = g.zone_of(&fqdn).await {
        return r;
    }
    if let Err(e) = g.client.dns().set_txt(&fqdn, &asked.txt, 300).await {
        return upstream(&e);
    }
    registration.txt.retain(|t| t != &asked.txt);
    registration.txt.push(asked.txt.clone());
    while registration.txt.len() > 2 {
        let old = registration.txt.remove(0);
        if let Err(e) = g.client.dns().clear_txt(&fqdn, &old).await {
            return upstream(&e);
        }
    }
    match serde_json::to_value(&registration) {
        Ok(v) => {
            if let Err(e) = g.client.put_record(&record_key, &v, false).await {
                return upstream(&e);
            }
        }
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
    (StatusCode::OK, Json(json!({"txt": asked.txt}))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_networks() {
        assert!(acme_value("LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"));
        assert!(!acme_value("short") && !acme_value(&"a".repeat(44)) && !acme_value(&format!("{}=", "a".repeat(42))));
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(allowed(&[], ip("192.0.2.1")));
        assert!(allowed(&["192.0.2.0/24".into()], ip("192.0.2.77")));
        assert!(allowed(&["192.0.2.0/24".into()], ip("::ffff:192.0.2.77")));
        assert!(!allowed(&["192.0.2.0/24".into()], ip("198.51.100.1")));
        assert_eq!(secret().len(), 40);
    }
}
