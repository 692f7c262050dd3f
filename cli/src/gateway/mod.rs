//! `hostapi wedos gateway`: one long-running process on the account's whitelisted host, behind the account's guard
//! and store, speaking the protocols fleets already use to delegate DNS changes:
//!
//! - acme-dns's HTTP API (`--acme-dns-domain`): `POST /register`, `POST /update`, `GET /health` (`acme_dns`);
//! - lego's `httpreq` provider (`--httpreq-credentials`): `POST /present`, `POST /cleanup` (`httpreq`);
//! - external-dns's webhook provider (`--external-dns DOMAIN…`): `GET /`, `GET|POST /records`,
//!   `POST /adjustendpoints`, `GET /healthz` (`external_dns`).
//!
//! Every request is checked before anything reaches WEDOS — its size (64 KiB at most), its JSON shape, its names
//! (inside the account's zones and the protocol's domains) — so garbage from a client never costs the account an
//! invalid request. Each client address has a request budget (a token bucket). One log line per request on stderr
//! (method, path, status, duration, client; never a body, a header or a secret). SIGTERM or Ctrl-C: no new
//! connections, the requests in flight finish (a few seconds at most).

mod acme_dns;
mod external_dns;
mod httpreq;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hostapi::wedos::Client;
use serde_json::json;

use crate::args::GatewayArgs;
use crate::common::{Ctx, Signals};
use crate::error::{CliError, Result};

const LABEL: &str = "wedos gateway";
/// The largest request body read.
const MAX_BODY: usize = 64 * 1024;
/// Each client address: this many requests at once, refilled at `RATE` per second.
const BURST: f64 = 30.0;
const RATE: f64 = 5.0;
/// How long requests in flight get once the gateway is asked to stop.
const GRACE: Duration = Duration::from_secs(5);
/// How long a connection may take to send a request's head (and a TLS handshake).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the account's zone list is trusted before it is listed again.
const ZONES_TTL: Duration = Duration::from_secs(300);

/// What every handler shares.
pub(crate) struct Gateway {
    client: Client,
    /// The account's DNS zones (lower-case) and when they were listed.
    zones: tokio::sync::Mutex<(Vec<String>, Instant)>,
    acme_dns: Option<acme_dns::Config>,
    httpreq: Option<httpreq::Credentials>,
    external_dns: Option<Vec<String>>,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    /// One change of the account's rows at a time in this gateway: WEDOS commits a whole zone, so a commit of one
    /// protocol must not publish another's half-made change, and an acme-dns update reads, publishes and rewrites
    /// its registration's values.
    pub(crate) writes: tokio::sync::Mutex<()>,
}

type Shared = Arc<Gateway>;

/// An answer refused with `status` and a message (JSON `{"error": …}`).
pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// A failure of the WEDOS side: 502 with the core's message (which never holds a secret), 503 when the guard or a
/// budget holds the request back.
pub(crate) fn upstream(e: &hostapi::Error) -> Response {
    let status = match e.kind() {
        hostapi::ErrorKind::RateLimited => StatusCode::SERVICE_UNAVAILABLE,
        hostapi::ErrorKind::Config => StatusCode::BAD_REQUEST,
        _ => StatusCode::BAD_GATEWAY,
    };
    refuse(status, e.to_string())
}

/// A DNS name as the protocols send it: 1–253 characters of labels of 1–63 letters, digits, `-`, `_` (and `*` as
/// a whole first label), an optional final dot; lower-cased, without the dot.
pub(crate) fn dns_name(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let ok = name.split('.').enumerate().all(|(i, label)| {
        (label == "*" && i == 0)
            || (!label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    });
    ok.then(|| name.to_ascii_lowercase())
}

/// Whether `name` is `domain` or below it.
pub(crate) fn within(name: &str, domain: &str) -> bool {
    name == domain || name.ends_with(&format!(".{domain}"))
}

impl Gateway {
    /// The account's zone that holds `name` (the longest suffix), listing the zones again when the list is old.
    pub(crate) async fn zone_of(&self, name: &str) -> std::result::Result<String, Response> {
        let mut held = self.zones.lock().await;
        if held.1.elapsed() > ZONES_TTL {
            // A failed listing keeps the old list for another period (no listing per request while WEDOS refuses).
            if let Ok(zones) = self.client.dns().domains().await {
                held.0 = zones.into_iter().map(|z| z.name.to_ascii_lowercase()).collect();
            }
            held.1 = Instant::now();
        }
        held.0
            .iter()
            .filter(|z| within(name, z))
            .max_by_key(|z| z.len())
            .cloned()
            .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, format!("{name} is in none of the account's DNS zones")))
    }

    /// Takes one request from `ip`'s budget; `false` when it is spent.
    fn admit(&self, ip: IpAddr) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * RATE < BURST);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((BURST, Instant::now()));
        *tokens = (*tokens + at.elapsed().as_secs_f64() * RATE).min(BURST);
        *at = Instant::now();
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The client's address, the rate limit, and the request's log line.
async fn front(State(g): State<Shared>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let response = if g.admit(peer.ip()) {
        next.run(req).await
    } else {
        let mut r = refuse(StatusCode::TOO_MANY_REQUESTS, "too many requests from this address; slow down");
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        r
    };
    // The path is the route's (a client's garbage path is cut short); no query, body or header is logged.
    let shown: String = path.chars().take(64).filter(|c| !c.is_control()).collect();
    eprintln!(
        "hostapi gateway: {} {method} {shown} {} {}ms",
        peer.ip(),
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// A body as JSON of type `T`, or 400 naming what is wrong.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> std::result::Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
}

/// A JSON object body read as Go's decoder reads a struct: field names matched case-insensitively (`T`'s fields
/// in lower case), unknown fields ignored. acme-dns's Go clients send `SubDomain`/`Txt`, older external-dns
/// releases `Create`/`UpdateOld`.
pub(crate) fn parse_any_case<T: serde::de::DeserializeOwned>(body: &Bytes) -> std::result::Result<T, Response> {
    let map: serde_json::Map<String, serde_json::Value> = parse(body)?;
    let lowered: serde_json::Map<String, serde_json::Value> =
        map.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
    serde_json::from_value(serde_json::Value::Object(lowered))
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))
}

fn router(g: Shared) -> Router {
    let mut app = Router::new();
    if g.acme_dns.is_some() {
        app = app.merge(acme_dns::routes());
    }
    if g.httpreq.is_some() {
        app = app.merge(httpreq::routes());
    }
    if g.external_dns.is_some() {
        app = app.merge(external_dns::routes());
    } else {
        app = app.route("/healthz", get(|| async { "OK\n" }));
    }
    app.fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(g.clone(), front))
        .with_state(g)
}

/// Reads the TLS certificate chain and key (PEM).
fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<Arc<tokio_rustls::rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<std::result::Result<_, _>>())
        .map_err(|e| CliError::config(LABEL, format!("cannot read the TLS certificate {}: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(CliError::config(LABEL, format!("{} holds no certificate", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| CliError::config(LABEL, format!("cannot read the TLS key {}: {e}", key.display())))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| CliError::config(LABEL, format!("the TLS certificate and key do not fit: {e}")))?;
    Ok(Arc::new(config))
}

pub async fn run(ctx: &Ctx, client: Client, args: GatewayArgs) -> Result<()> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some(tls_config(c, k)?),
        (None, None) => None,
        _ => return Err(CliError::config(LABEL, "--tls-cert and --tls-key go together")),
    };
    if tls.is_none() && !args.listen.ip().is_loopback() && !args.insecure_http {
        return Err(CliError::config(
            LABEL,
            format!(
                "plain HTTP on {} would send credentials in the clear: give --tls-cert and --tls-key, or \
                 --insecure-http behind a TLS proxy",
                args.listen
            ),
        ));
    }
    if !args.external_dns.is_empty() && !args.listen.ip().is_loopback() {
        return Err(CliError::config(
            LABEL,
            format!(
                "--external-dns serves unauthenticated row changes (external-dns's webhook client sends no \
                 credentials): listen on a loopback address (the sidecar external-dns expects), not {}",
                args.listen
            ),
        ));
    }
    if args.acme_dns_domain.is_none() && args.httpreq_credentials.is_none() && args.external_dns.is_empty() {
        return Err(CliError::config(
            LABEL,
            "no protocol is on: give --acme-dns-domain, --httpreq-credentials and/or --external-dns",
        ));
    }
    let httpreq = match &args.httpreq_credentials {
        Some(path) => Some(httpreq::Credentials::load(path)?),
        None => None,
    };
    let external_dns = if args.external_dns.is_empty() {
        None
    } else {
        let domains = args
            .external_dns
            .iter()
            .map(|d| dns_name(d).ok_or_else(|| CliError::config(LABEL, format!("--external-dns {d:?} is not a domain"))))
            .collect::<Result<Vec<_>>>()?;
        Some(domains)
    };
    if args.acme_dns_domain.is_some() && client.state_store() == ":memory:" {
        eprintln!(
            "hostapi gateway: warning: the account state is in memory (:memory:): acme-dns registrations are lost \
             when the gateway stops; use the default state directory or a redis:// state store"
        );
    }
    // The account's zones: the one request the gateway sends before it listens (checks the credentials too).
    let zones: Vec<String> =
        client.dns().domains().await?.into_iter().map(|z| z.name.to_ascii_lowercase()).collect();
    let acme_dns = match &args.acme_dns_domain {
        Some(d) => Some(acme_dns::Config::new(d, &zones)?),
        None => None,
    };
    let gateway = Arc::new(Gateway {
        client,
        zones: tokio::sync::Mutex::new((zones, Instant::now())),
        acme_dns,
        httpreq,
        external_dns,
        buckets: Mutex::new(HashMap::new()),
        writes: tokio::sync::Mutex::new(()),
    });
    let stop = Signals::new(LABEL)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::config(LABEL, format!("cannot listen on {}: {e}", args.listen)))?;
    let local = listener.local_addr().map_err(|e| CliError::local(LABEL, e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{local}");
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "url": url,
            "acme_dns": gateway.acme_dns.as_ref().map(|c| c.domain.clone()),
            "httpreq": gateway.httpreq.is_some(),
            "external_dns": gateway.external_dns.clone(),
        }))?;
    } else {
        crate::output::write_stdout(&format!("hostapi gateway listening on {url} (Ctrl-C to stop)\n"))?;
    }
    serve(listener, tls, router(gateway), stop).await;
    eprintln!("hostapi gateway: stopped");
    Ok(())
}

/// Accepts connections (TLS when configured) until a signal, then lets the requests in flight finish.
async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    app: Router,
    stop: Signals,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = stop.wait();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("hostapi gateway: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            which = &mut stop => {
                eprintln!("hostapi gateway: {which}: stopping");
                break;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move { tower_service::Service::call(&mut app, req.map(axum::body::Body::new)).await }
        });
        let mut http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        http.http1().timer(TokioTimer::new()).header_read_timeout(HEAD_TIMEOUT);
        match &acceptor {
            None => {
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service).into_owned());
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(HEAD_TIMEOUT, acceptor.accept(stream)).await else {
                        return;
                    };
                    let _ = watcher.watch(http.serve_connection(TokioIo::new(tls), service).into_owned()).await;
                });
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
}

/// Entry points for the fuzz target (`fuzz/`, `make fuzz`): a request body through every parser and check of the
/// gateway, without I/O. Not a stable API.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    /// Each parser answers or refuses the body; none panics.
    pub fn request_body(data: &[u8]) {
        let body = axum::body::Bytes::copy_from_slice(data);
        let _ = super::httpreq::target(&body);
        let _ = super::acme_dns::check_update(&body);
        let _ = super::acme_dns::check_register(&body);
        let _ = super::external_dns::check_changes(&body);
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = super::dns_name(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_anything_is_sent() {
        assert_eq!(dns_name("_acme-challenge.Example.CZ.").as_deref(), Some("_acme-challenge.example.cz"));
        assert_eq!(dns_name("*.example.cz").as_deref(), Some("*.example.cz"));
        for bad in ["", ".", "a..b", "a b.cz", "x.*.cz", "ä.cz", &"a".repeat(64), &format!("{}.cz", "a.".repeat(130))] {
            assert_eq!(dns_name(bad), None, "{bad:?}");
        }
        assert!(within("a.example.cz", "example.cz") && within("example.cz", "example.cz"));
        assert!(!within("myexample.cz", "example.cz"));
    }
}
