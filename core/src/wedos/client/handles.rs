//! The typed handles of domains and DNS zones and rows, with the ACME DNS-01 steps.

use super::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::wedos::protocol::{Call, Output, RequestOptions};
use crate::wedos::propagation::{wait_for_txt, TxtWait, WaitProgress};
use crate::wedos::records::*;

/// Domains of the account.
#[derive(Clone, Copy, Debug)]
pub struct Domains<'a> {
    pub(super) client: &'a Client,
}

impl Domains<'_> {
    /// `domains-list`, optionally only those with `status`.
    pub async fn list(self, status: Option<&str>) -> Result<Vec<Domain>> {
        run_typed!(self.client, Call::DomainsList { status: status.map(str::to_owned) }, Output::Domains)
    }
    /// `domain-info`.
    pub async fn info(self, name: &str) -> Result<Domain> {
        run_typed!(self.client, Call::DomainInfo { name: name.to_owned() }, Output::Domain)
    }
    /// `domain-transfer-check` (counts against the 100-per-hour budget).
    pub async fn transfer_check(self, name: &str) -> Result<TransferCheck> {
        run_typed!(self.client, Call::DomainTransferCheck { name: name.to_owned() }, Output::TransferCheck)
    }
    /// `domain-create`: registers `name` for `period` years with the registrant `owner_c`; asynchronous (the
    /// result comes as a notification: see [`Client::wait_for`]).
    pub async fn create(self, name: &str, period: u32, owner_c: &str, nsset: Option<&str>) -> Result<Pending> {
        let call = Call::DomainCreate {
            name: name.to_owned(),
            period,
            owner_c: owner_c.to_owned(),
            nsset: nsset.map(str::to_owned),
        };
        run_typed!(self.client, call, Output::Pending)
    }
    /// `domain-renew`: extends `name` by `period` years.
    pub async fn renew(self, name: &str, period: u32) -> Result<Response> {
        self.client.run_response(Call::DomainRenew { name: name.to_owned(), period }).await
    }
    /// `domain-check` (counts against the 100-per-hour budget).
    pub async fn check(self, name: &str) -> Result<DomainCheck> {
        run_typed!(self.client, Call::DomainCheck { name: name.to_owned() }, Output::DomainCheck)
    }
}

/// DNS zones and rows.
#[derive(Clone, Copy, Debug)]
pub struct Dns<'a> {
    pub(super) client: &'a Client,
}

impl Dns<'_> {
    /// `dns-domains-list`.
    pub async fn domains(self) -> Result<Vec<DnsDomain>> {
        run_typed!(self.client, Call::DnsDomainsList, Output::DnsDomains)
    }
    /// `dns-domain-info`.
    pub async fn domain_info(self, domain: &str) -> Result<DnsDomain> {
        run_typed!(self.client, Call::DnsDomainInfo { name: domain.to_owned() }, Output::DnsDomain)
    }
    /// `dns-row-detail`.
    pub async fn row_detail(self, domain: &str, row_id: i64) -> Result<DnsRow> {
        run_typed!(self.client, Call::DnsRowDetail { domain: domain.to_owned(), row_id }, Output::DnsRow)
    }

    /// The zone of `fqdn` among the account's DNS zones (the longest matching suffix) and the name relative to
    /// it (`""` at the apex).
    pub async fn zone_of(self, fqdn: &str) -> Result<(String, String)> {
        let label = "wedos dns.set_txt";
        let name = fqdn.trim().trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() {
            return Err(Error::config(label, "fqdn must not be empty"));
        }
        let zones = self.domains().await?;
        let best = zones
            .iter()
            .map(|z| z.name.trim_end_matches('.').to_ascii_lowercase())
            .filter(|z| name == *z || name.ends_with(&format!(".{z}")))
            .max_by_key(String::len)
            .ok_or_else(|| Error::new(ErrorKind::Api, label, format!("no DNS zone of the account holds {name}")))?;
        let relative = if name == best { String::new() } else { name[..name.len() - best.len() - 1].to_owned() };
        Ok((best, relative))
    }

    /// The ACME DNS-01 step: the TXT row `value` at `fqdn`, added and committed unless an identical row exists
    /// (so a repeat never provokes 2316, which counts toward the IP block). Returns the row with its id.
    ///
    /// An identical row already there is committed again: an earlier run may have added it and stopped before its
    /// commit.
    pub async fn set_txt(self, fqdn: &str, value: &str, ttl: u32) -> Result<DnsRow> {
        Ok(self.set_txt_in_zone(fqdn, value, ttl).await?.1)
    }

    /// [`set_txt`](Self::set_txt), then waits until every authoritative name server of the zone answers the
    /// value (see [`propagation`](crate::wedos::propagation)); `progress` hears how far it got.
    pub async fn set_txt_and_wait(
        self,
        fqdn: &str,
        value: &str,
        ttl: u32,
        wait: &TxtWait,
        progress: Option<WaitProgress<'_>>,
    ) -> Result<DnsRow> {
        let (zone, row) = self.set_txt_in_zone(fqdn, value, ttl).await?;
        // In test mode nothing was added: there is nothing to wait for.
        if !self.client.inner.test {
            wait_for_txt(&zone, fqdn, value, wait, progress).await?;
        }
        Ok(row)
    }

    /// `set_txt`, and the zone it found.
    async fn set_txt_in_zone(self, fqdn: &str, value: &str, ttl: u32) -> Result<(String, DnsRow)> {
        if value.is_empty() {
            return Err(Error::config("wedos dns.set_txt", "value must not be empty"));
        }
        let (zone, name) = self.zone_of(fqdn).await?;
        let same =
            |r: &DnsRow| r.name.eq_ignore_ascii_case(&name) && r.rdtype.eq_ignore_ascii_case("TXT") && r.rdata == value;
        if let Some(existing) = self.rows(&zone).await?.into_iter().find(same) {
            self.commit(&zone).await?;
            return Ok((zone, existing));
        }
        let added = self.add_row(NewDnsRow::new(&zone, &name, "TXT", value).ttl(ttl)).await?;
        self.commit(&zone).await?;
        if let Some(id) = added.id {
            // The row as the zone listed it right after the add.
            let AddedRow { name, ttl, rdtype, rdata, changed_date, author_comment, raw, .. } = added;
            return Ok((zone, DnsRow { id, name, ttl, rdtype, rdata, changed_date, author_comment, raw }));
        }
        let row = self.rows(&zone).await?.into_iter().find(same).ok_or_else(|| {
            Error::new(ErrorKind::Protocol, "wedos dns.set_txt", format!("the new TXT row of {fqdn} is not listed"))
        })?;
        Ok((zone, row))
    }

    /// The ACME DNS-01 cleanup: deletes the TXT rows of `fqdn` with exactly `value` (no other), commits when it
    /// deleted any, and returns how many it deleted.
    pub async fn clear_txt(self, fqdn: &str, value: &str) -> Result<u64> {
        let (zone, name) = self.zone_of(fqdn).await?;
        let doomed: Vec<i64> = self
            .rows(&zone)
            .await?
            .into_iter()
            .filter(|r| r.name.eq_ignore_ascii_case(&name) && r.rdtype.eq_ignore_ascii_case("TXT") && r.rdata == value)
            .map(|r| r.id)
            .collect();
        for id in &doomed {
            self.delete_row(&zone, *id).await?;
        }
        if !doomed.is_empty() {
            self.commit(&zone).await?;
        }
        Ok(doomed.len() as u64)
    }

    /// `dns-rows-list`.
    pub async fn rows(self, domain: &str) -> Result<Vec<DnsRow>> {
        run_typed!(self.client, Call::DnsRowsList { domain: domain.to_owned() }, Output::DnsRows)
    }
    /// `dns-row-add`. The change is pending until [`commit`](Self::commit) (or 5 minutes after the last change).
    ///
    /// When the answer is lost after the request may have reached the server (a timeout, a dropped connection, a
    /// 5xx from a proxy), the add is not blindly repeated — that would fail with 2316 "row exists", an invalid
    /// request — but reconciled: the zone's rows are listed, and the row found there is the add's success; only
    /// a row provably not there is added again, once.
    ///
    /// Returns the new row with its id, as the zone lists it after the add (one more request, `dns-rows-list`),
    /// and the server's answer; in test mode nothing is added and nothing listed (`id` is `None`).
    pub async fn add_row(self, row: NewDnsRow) -> Result<AddedRow> {
        self.client.add_row_listed(row, &RequestOptions::default()).await
    }
    /// `dns-row-update`: TTL and data only (name and type cannot change).
    pub async fn update_row(self, domain: &str, row_id: i64, ttl: u32, rdata: &str) -> Result<Response> {
        self.client
            .run_response(Call::DnsRowUpdate { domain: domain.to_owned(), row_id, ttl, rdata: rdata.to_owned() })
            .await
    }
    /// `dns-row-delete`.
    pub async fn delete_row(self, domain: &str, row_id: i64) -> Result<Response> {
        self.client.run_response(Call::DnsRowDelete { domain: domain.to_owned(), row_id }).await
    }
    /// `dns-domain-commit`: publishes the zone's pending changes.
    pub async fn commit(self, domain: &str) -> Result<Response> {
        self.client.run_response(Call::DnsDomainCommit { name: domain.to_owned() }).await
    }
}

