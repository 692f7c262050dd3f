//! lego's `httpreq` provider: `POST /present` and `POST /cleanup` with `{"fqdn", "value"}` (or, in lego's `RAW`
//! mode, `{"domain", "token", "keyAuth"}`), HTTP basic auth against `--httpreq-credentials`. 200 once the TXT row
//! is committed (present) or gone (cleanup), through the same `dns.set_txt` / `clear_txt` as `hostapi wedos acme`.
//!
//! The credentials file: one `user:password` or `user:$argon2…` (a PHC hash) per line, `#` comments; its mode must
//! give nobody but its owner access (0600), as ssh treats its keys.

use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde::Deserialize;

use super::{dns_name, parse, refuse, upstream, Shared, LABEL};
use crate::error::{CliError, Result};

/// The users and their passwords (or argon2 hashes). `Debug` shows only the user names.
pub(crate) struct Credentials {
    users: Vec<(String, Secret)>,
}

enum Secret {
    Plain(String),
    Hash(String),
}

impl Credentials {
    pub(crate) fn load(path: &Path) -> Result<Credentials> {
        let what = |e: &dyn std::fmt::Display| {
            CliError::config(LABEL, format!("cannot read --httpreq-credentials {}: {e}", path.display()))
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path).map_err(|e| what(&e))?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(CliError::config(
                    LABEL,
                    format!(
                        "--httpreq-credentials {} may be read by others (mode {:o}): chmod 600 it",
                        path.display(),
                        meta.permissions().mode() & 0o777
                    ),
                ));
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| what(&e))?;
        let mut users = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((user, secret)) = line.split_once(':').filter(|(u, s)| !u.is_empty() && !s.is_empty()) else {
                return Err(CliError::config(
                    LABEL,
                    format!("--httpreq-credentials {} line {}: not user:password", path.display(), n + 1),
                ));
            };
            let secret = if secret.starts_with("$argon2") {
                PasswordHash::new(secret).map_err(|_| {
                    CliError::config(LABEL, format!("--httpreq-credentials {} line {}: a broken argon2 hash", path.display(), n + 1))
                })?;
                Secret::Hash(secret.to_owned())
            } else {
                Secret::Plain(secret.to_owned())
            };
            users.push((user.to_owned(), secret));
        }
        if users.is_empty() {
            return Err(CliError::config(LABEL, format!("--httpreq-credentials {} names no user", path.display())));
        }
        Ok(Credentials { users })
    }

    /// Whether the request's basic auth names a user with its password (an argon2 hash is checked off the async
    /// workers).
    async fn check(&self, headers: &HeaderMap) -> bool {
        let Some(encoded) = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
            .filter(|v| v.len() <= 1024)
        else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else { return false };
        let Ok(text) = String::from_utf8(decoded) else { return false };
        let Some((user, password)) = text.split_once(':') else { return false };
        let Some((_, secret)) = self.users.iter().find(|(u, _)| u == user) else { return false };
        match secret {
            // Compared in constant time over the longer length.
            Secret::Plain(p) => constant_time_eq(p.as_bytes(), password.as_bytes()),
            Secret::Hash(h) => {
                let (h, password) = (h.clone(), password.to_owned());
                tokio::task::spawn_blocking(move || {
                    PasswordHash::new(&h).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
                })
                .await
                .unwrap_or(false)
            }
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.users.iter().map(|(u, _)| u)).finish()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..n {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/present", post(present)).route("/cleanup", post(cleanup))
}

/// `{"fqdn", "value"}` or RAW `{"domain", "token", "keyAuth"}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Default {
        fqdn: String,
        value: String,
    },
    Raw {
        domain: String,
        #[allow(dead_code)]
        token: String,
        #[serde(rename = "keyAuth")]
        key_auth: String,
    },
}

/// The TXT row's name and value, checked.
pub(super) fn target(body: &Bytes) -> std::result::Result<(String, String), Response> {
    let (fqdn, value) = match parse::<Body>(body)? {
        Body::Default { fqdn, value } => (fqdn, value),
        Body::Raw { domain, key_auth, .. } => {
            let digest = ring::digest::digest(&ring::digest::SHA256, key_auth.as_bytes());
            let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
            let domain = domain.strip_prefix("*.").unwrap_or(&domain).to_owned();
            (format!("_acme-challenge.{domain}"), value)
        }
    };
    let Some(fqdn) = dns_name(&fqdn).filter(|n| !n.contains('*')) else {
        return Err(refuse(StatusCode::BAD_REQUEST, "fqdn is not a DNS name"));
    };
    if value.is_empty() || value.len() > 255 || value.chars().any(char::is_control) {
        return Err(refuse(StatusCode::BAD_REQUEST, "value must be 1-255 characters of text"));
    }
    Ok((fqdn, value))
}

async fn present(State(g): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&g, &headers, &body, Step::Present).await
}

async fn cleanup(State(g): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    handle(&g, &headers, &body, Step::Cleanup).await
}

#[derive(Clone, Copy)]
enum Step {
    Present,
    Cleanup,
}

/// Checks the credentials, the body and the name, then sets (present) or removes (cleanup) the TXT value.
async fn handle(g: &Shared, headers: &HeaderMap, body: &Bytes, step: Step) -> Response {
    let Some(creds) = &g.httpreq else { return refuse(StatusCode::NOT_FOUND, "httpreq is off") };
    if !creds.check(headers).await {
        return unauthorized();
    }
    let (fqdn, value) = match target(body) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Err(r) = g.zone_of(&fqdn).await {
        return r;
    }
    let _one_at_a_time = g.writes.lock().await;
    let done = match step {
        Step::Present => g.client.dns().set_txt(&fqdn, &value, 300).await.map(|_| ()),
        Step::Cleanup => g.client.dns().clear_txt(&fqdn, &value).await.map(|_| ()),
    };
    match done {
        Ok(()) => (StatusCode::OK, "OK\n").into_response(),
        Err(e) => upstream(&e),
    }
}

fn unauthorized() -> Response {
    let mut r = refuse(StatusCode::UNAUTHORIZED, "basic auth with a user of --httpreq-credentials required");
    r.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Basic realm=\"hostapi gateway\""),
    );
    r
}
