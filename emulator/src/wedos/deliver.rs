//! Notifications leave the WEDOS half: into an account's POLL queue, or (URL delivery) as a `POST` to the account's
//! URL, again until it answers HTTP 200.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use serde_json::{json, Value};

use crate::Shared;

/// Hands a due notification to its account: the POLL queue, or (URL delivery) a `POST` to the account's URL,
/// repeated every `notification_retry_secs` until it answers HTTP 200 (at most [`MAX_DELIVERIES`] times, or until
/// a reset). Returns the notification's ID.
pub(crate) fn deliver_notification(
    s: &Arc<Shared>,
    user: &str,
    mut notify: serde_json::Map<String, Value>,
) -> Result<String, String> {
    let target = s.wedos().delivery_url(user);
    let Some((url, retry_secs)) = target else {
        let mut w = s.wedos();
        if w.queue_len(user) >= s.config.max_notifications {
            return Err(format!(
                "the notification queue of {user} is full ({} notifications, max_notifications)",
                s.config.max_notifications
            ));
        }
        return w.queue_notification(user, notify);
    };
    let id = s.wedos().number_notification(&mut notify);
    let epoch = s.epoch.load(Ordering::SeqCst);
    let doc = json!({"notify": Value::Object(notify)}).to_string();
    let body = form_urlencoded::Serializer::new(String::new()).append_pair("request", &doc).finish();
    let (s, user, out_id) = (s.clone(), user.to_owned(), id.clone());
    tokio::spawn(async move {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).no_proxy().build();
        let Ok(client) = client else { return };
        let retry = Duration::from_secs_f64(retry_secs.clamp(0.05, 86_400.0));
        for _ in 0..MAX_DELIVERIES {
            if s.epoch.load(Ordering::SeqCst) != epoch {
                return;
            }
            let sent = client
                .post(&url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await;
            let status = match &sent {
                Ok(r) => Some(r.status().as_u16()),
                Err(e) => {
                    tracing::warn!(url = %url, error = %e, "notification delivery failed");
                    None
                }
            };
            tracing::debug!(url = %url, id = %out_id, ?status, "notification delivered by POST");
            s.wedos().log_delivery(&user, &out_id, &url, status);
            s.persist();
            if status == Some(200) {
                return;
            }
            tokio::time::sleep(retry).await;
        }
    });
    Ok(id)
}

/// How many times one notification is POSTed before the emulator gives up.
const MAX_DELIVERIES: u32 = 50;
