//! `hostapi wedos notifications serve`: receives the notifications WEDOS POSTs to the account's URL (form field
//! `request`), prints each one or keeps it in the account's spool, and answers 200 only once it is handled — so a
//! notification it could not handle is delivered again.
//!
//! One signal future (Ctrl-C, SIGTERM) watches the whole run: a signal ends it within two seconds whatever it is
//! doing — waiting for a POST, for the account's lock, or for a stdout nobody reads — and a POST still in hand is
//! answered 503 (not handled: WEDOS delivers it again).

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hostapi::wedos::{protocol, Client, Notification};
use tokio::sync::{mpsc, oneshot};

use crate::common::{Ctx, Signals};
use crate::error::{CliError, Result};

const LABEL: &str = "wedos notifications serve";
/// How long open connections get to finish once the run ends.
const GRACE: Duration = Duration::from_millis(1500);

/// What became of a received notification.
enum Handled {
    Done,
    Failed(String),
    ShuttingDown,
}

type Inbox = mpsc::Sender<(Notification, oneshot::Sender<Handled>)>;

async fn receive(State(inbox): State<Inbox>, method: Method, body: Bytes) -> Response {
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST a WEDOS notification (form field `request`)\n").into_response();
    }
    let n = match protocol::parse_notification(&body) {
        Ok(n) => n,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response(),
    };
    let (reply, handled) = oneshot::channel();
    let shutting_down = || (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    if inbox.send((n, reply)).await.is_err() {
        return shutting_down();
    }
    match handled.await {
        Ok(Handled::Done) => (StatusCode::OK, "OK\n").into_response(),
        Ok(Handled::Failed(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Ok(Handled::ShuttingDown) | Err(_) => shutting_down(),
    }
}

/// Writes `text` to stdout on a thread of its own, so that a stdout nobody reads blocks that thread, not the run.
async fn write_out(text: String) -> std::result::Result<(), String> {
    let (done, written) = oneshot::channel();
    std::thread::Builder::new()
        .name("hostapi-stdout".into())
        .spawn(move || {
            let _ = done.send(crate::output::write_stdout(&text).map_err(|e| e.to_string()));
        })
        .map_err(|e| e.to_string())?;
    written.await.map_err(|_| "stdout writer ended".to_owned())?
}

async fn handle(ctx: &Ctx, c: &Client, n: &Notification, spool: bool, header_done: &mut bool) -> Handled {
    let outcome = if spool {
        c.notifications().keep(n).await.map(|_| ()).map_err(|e| e.to_string())
    } else {
        match crate::output::notification_line(&ctx.out, n, header_done) {
            Ok(text) => write_out(text).await,
            Err(e) => Err(e.to_string()),
        }
    };
    match outcome {
        Ok(()) => Handled::Done,
        Err(e) => Handled::Failed(e),
    }
}

pub async fn serve(ctx: &Ctx, c: &Client, addr: SocketAddr, spool: bool, count: Option<u64>) -> Result<()> {
    let stop = Signals::new(LABEL)?.wait();
    tokio::pin!(stop);
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
            _ = &mut stop => break,
            m = incoming.recv() => match m {
                Some(m) => m,
                None => break,
            },
        };
        let outcome = tokio::select! {
            _ = &mut stop => {
                let _ = reply.send(Handled::ShuttingDown);
                break;
            }
            o = handle(ctx, c, &n, spool, &mut header_done) => o,
        };
        let ok = matches!(outcome, Handled::Done);
        let _ = reply.send(outcome);
        if ok {
            handled += 1;
        }
    }
    // A handler still waiting in the channel gets its answer (503: not handled) when the channel closes; open
    // connections get a moment to finish before the server is dropped.
    drop(incoming);
    let _ = stop_tx.send(());
    let abort = server.abort_handle();
    if tokio::time::timeout(GRACE, server).await.is_err() {
        abort.abort();
    }
    Ok(())
}
