//! `hostapi wedos notifications serve`: receives the notifications WEDOS POSTs to the account's URL (form field
//! `request`), prints each one or keeps it in the account's spool, and answers 200 only once it is handled — so a
//! notification it could not handle is delivered again.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hostapi::wedos::{protocol, Client, Notification};
use tokio::sync::{mpsc, oneshot};

use crate::common::Ctx;
use crate::error::{CliError, Result};

const LABEL: &str = "wedos notifications serve";

type Inbox = mpsc::Sender<(Notification, oneshot::Sender<std::result::Result<(), String>>)>;

async fn receive(State(inbox): State<Inbox>, method: Method, body: Bytes) -> Response {
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST a WEDOS notification (form field `request`)\n").into_response();
    }
    let n = match protocol::parse_notification(&body) {
        Ok(n) => n,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    let (reply, handled) = oneshot::channel();
    if inbox.send((n, reply)).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    match handled.await {
        Ok(Ok(())) => (StatusCode::OK, "OK\n").into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response(),
    }
}

pub async fn serve(ctx: &Ctx, c: &Client, addr: SocketAddr, spool: bool, count: Option<u64>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::config(LABEL, format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| CliError::config(LABEL, e.to_string()))?;
    eprintln!("Listening on http://{local}/ for WEDOS notifications (Ctrl-C to stop)");
    let (inbox, mut incoming) = mpsc::channel(16);
    let app = Router::new().fallback(receive).with_state(inbox);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });
    let mut handled = 0u64;
    let mut header_done = false;
    loop {
        if count.is_some_and(|n| handled >= n) {
            break;
        }
        let (n, reply) = tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            m = incoming.recv() => match m {
                Some(m) => m,
                None => break,
            },
        };
        let outcome = if spool {
            c.notifications().keep(&n).map(|_| ()).map_err(|e| e.to_string())
        } else {
            crate::wedos_cmd::print_notification_line(ctx, &n, &mut header_done).map_err(|e| e.to_string())
        };
        let ok = outcome.is_ok();
        let _ = reply.send(outcome);
        if ok {
            handled += 1;
        }
    }
    // A handler still waiting in the channel gets its answer (an error: not handled) when the channel closes;
    // idle keep-alive connections get two seconds before the server is dropped.
    drop(incoming);
    let _ = stop_tx.send(());
    let abort = server.abort_handle();
    if tokio::time::timeout(std::time::Duration::from_secs(2), server).await.is_err() {
        abort.abort();
    }
    Ok(())
}
