//! The operations the client runs itself rather than as one request of the model's command: composites (waiting
//! for a notification, the TXT helpers, the spool) and the commands the client wraps (`dns.add_row` reconciled
//! after a lost answer, the POLL queue through the spool, `call` with its own clTRID). One table, keyed by the
//! operation's name in the model; a test checks that it covers every composite of the model and nothing else.

use crate::BoxFuture;
use serde_json::Value;

use super::{unexpected, Client};
use crate::error::{Error, Result};
use crate::ops::{self, Args, OpSpec};
use crate::wedos::protocol::{Call, Output, RequestOptions};

/// How the client runs one operation: its checked arguments (with the model's defaults) and the request options.
pub(super) type Run = for<'a> fn(&'a Client, Args<'a>, &'a RequestOptions) -> BoxFuture<'a, Result<Value>>;

/// The operations the client runs itself.
pub(super) static COMPOSITES: &[(&str, Run)] = &[
    ("ping_async", asynchronous),
    ("domains.create", asynchronous),
    ("dns.set_txt", set_txt),
    ("dns.clear_txt", clear_txt),
    ("dns.add_row", add_row),
    ("notifications.poll", poll),
    ("notifications.ack", ack),
    ("notifications.next", next),
    ("notifications.kept", kept),
    ("call", call),
];

/// How the client runs `spec`, when not as one request.
pub(super) fn find(spec: &OpSpec) -> Option<Run> {
    COMPOSITES.iter().find(|(name, _)| *name == spec.name).map(|(_, run)| *run)
}

/// Whether the model's operation needs an entry here (it is not one request).
#[cfg(test)]
fn needs_entry(spec: &OpSpec) -> bool {
    spec.kind != crate::ops::Kind::Wire
}

/// An asynchronous command: the pending request, or with `wait` its notification.
fn asynchronous<'a>(c: &'a Client, a: Args<'a>, options: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let wait = a.seconds("wait");
        let mut wire = a.given().clone();
        wire.remove("wait");
        let out = c.execute_with(&Call::from_json(a.spec().name, &Value::Object(wire))?, options).await?;
        let Some(wait) = wait else { return ops::to_json(out) };
        let Output::Pending(pending) = out else { return Err(unexpected(a.spec().wire)) };
        ops::to_json(c.wait_for(&pending, wait).await?)
    })
}

fn set_txt<'a>(c: &'a Client, a: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let ttl = a.u32("ttl")?.ok_or_else(|| Error::config(a.label(), "missing argument \"ttl\""))?;
        let (fqdn, value) = (a.req_str("fqdn")?, a.req_str("value")?);
        let Some(timeout) = a.seconds("wait") else {
            if a.value("nameservers").is_some() {
                return Err(Error::config(a.label(), "nameservers are only asked with wait"));
            }
            return ops::to_json(c.dns().set_txt(&fqdn, &value, ttl).await?);
        };
        let nameservers = a.strs("nameservers");
        let wait = crate::wedos::propagation::TxtWait { timeout, nameservers };
        ops::to_json(c.dns().set_txt_and_wait(&fqdn, &value, ttl, &wait, None).await?)
    })
}

fn clear_txt<'a>(c: &'a Client, a: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move { Ok(Value::from(c.dns().clear_txt(&a.req_str("fqdn")?, &a.req_str("value")?).await?)) })
}

fn add_row<'a>(c: &'a Client, a: Args<'a>, options: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        match Call::from_json(a.spec().name, &Value::Object(a.given().clone()))? {
            Call::DnsRowAdd(row) => ops::to_json(c.add_row_listed(row, options).await?),
            _ => Err(unexpected("dns-row-add")),
        }
    })
}

fn poll<'a>(c: &'a Client, _: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move { ops::to_json(c.notifications().poll().await?) })
}

fn ack<'a>(c: &'a Client, a: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move { ops::to_json(c.notifications().ack(&a.req_str("id")?).await?) })
}

fn next<'a>(c: &'a Client, _: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move { ops::to_json(c.notifications().next().await?) })
}

fn kept<'a>(c: &'a Client, _: Args<'a>, _: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move { Ok(Value::from(c.notifications().kept().await?)) })
}

/// Any command; the `cltrid` argument overrides the request options' clTRID.
fn call<'a>(c: &'a Client, a: Args<'a>, options: &'a RequestOptions) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let mut wire = a.given().clone();
        let mut options = options.clone();
        if let Some(cltrid) = wire.remove("cltrid").and_then(|v| v.as_str().map(str::to_owned)) {
            options.cltrid = Some(cltrid);
        }
        ops::to_json(c.execute_with(&Call::from_json(a.spec().name, &Value::Object(wire))?, &options).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_covers_every_operation_that_is_not_one_request() {
        for spec in crate::ops::Api::Wedos.ops() {
            if needs_entry(spec) {
                assert!(find(spec).is_some(), "{} is not one request: COMPOSITES must run it", spec.name);
            }
        }
        for (name, _) in COMPOSITES {
            assert!(crate::ops::Api::Wedos.op(name).is_some(), "{name} is not an operation of the model");
        }
    }
}
