//! The WEDOS WAPI operations and client settings.

use super::{kw, kw_def, kw_opt, op, pos, pos_opt, Api, Arg, HandleSpec, Kind, OpSpec, Output, Type};

const API: Api = Api::Wedos;

/// The handles of a WEDOS client.
pub(crate) static WEDOS_HANDLES: &[HandleSpec] = &[
    HandleSpec { name: "domains", class: "Domains", doc: "Domains of the account." },
    HandleSpec {
        name: "dns",
        class: "Dns",
        doc: "DNS zones and rows. Changes are pending until commit (or 5 minutes after the last change).",
    },
    HandleSpec {
        name: "notifications",
        class: "Notifications",
        doc: "The POLL notification queue. Iterating yields every queued notification, acknowledging each as it is \
              handed over, and stops when the queue is empty.",
    },
];

use Output::{List, Optional, Record};
use Type::*;

const RESPONSE: Output = Record("Response");

/// Every typed WEDOS command, the composites around the notification queue, and `call` for any other command.
pub static WEDOS_OPS: &[OpSpec] = &[
    op(
        API,
        "ping",
        None,
        "ping",
        "ping",
        &[],
        RESPONSE,
        true,
        "ping: checks credentials, IP allow-list and connectivity.",
    ),
    op(
        API,
        "ping_async",
        None,
        "ping_async",
        "ping-async",
        &[pos_opt(
            "wait",
            Seconds,
            "seconds to wait for the request's notification; without it the pending request is returned at once",
        )
        .local()],
        Output::Either { default: "Pending", when: "wait", then: "Notification" },
        false,
        "ping-async: the server answers 1001 (request pending) and delivers the result as a notification. With \
         wait, waits for that notification and acknowledges it as it is returned; notifications of other requests \
         met on the way are kept for the notifications handle, never lost.",
    ),
    op(
        API,
        "credit_info",
        None,
        "credit_info",
        "credit-info",
        &[],
        Record("Credit"),
        true,
        "credit-info: the account's credit.",
    ),
    op(
        API,
        "call",
        None,
        "call",
        "*",
        &[
            pos("command", Str, "the WAPI command, e.g. \"domain-info\""),
            pos_opt("data", Object, "the command's data object"),
            kw_opt("cltrid", Str, "the clTRID to send (default: a fresh one)").local(),
        ],
        RESPONSE,
        false,
        "Any WAPI command with its data object; returns the response with its data as the server sent it.",
    ),
    op(
        API,
        "domains.list",
        Some("domains"),
        "list",
        "domains-list",
        &[pos_opt("status", Str, "only the domains with this status, e.g. \"active\"").nonempty()],
        List("Domain"),
        true,
        "domains-list: the account's domains.",
    ),
    op(
        API,
        "domains.info",
        Some("domains"),
        "info",
        "domain-info",
        &[pos("name", Str, "the domain name").nonempty()],
        Record("Domain"),
        true,
        "domain-info: one domain of the account.",
    ),
    op(
        API,
        "domains.check",
        Some("domains"),
        "check",
        "domain-check",
        &[pos("name", Str, "the domain name").nonempty()],
        Record("DomainCheck"),
        true,
        "domain-check: whether a domain can be registered (counts against the 100-per-hour budget).",
    ),
    op(
        API,
        "domains.transfer_check",
        Some("domains"),
        "transfer_check",
        "domain-transfer-check",
        &[pos("name", Str, "the domain name").nonempty()],
        Record("TransferCheck"),
        true,
        "domain-transfer-check: whether a domain registered elsewhere can be transferred to the account (counts \
         against the 100-per-hour budget).",
    ),
    op(
        API,
        "domains.create",
        Some("domains"),
        "create",
        "domain-create",
        &[
            pos("name", Str, "the domain name to register").nonempty(),
            kw("owner_c", Str, "the registrant's contact id").nonempty(),
            kw_def("period", Int, "1", "years, 1-10").range(1, 10, " years"),
            kw_opt("nsset", Str, "the NSSET to use (.cz), default the account's").nonempty(),
            kw_opt(
                "wait",
                Seconds,
                "seconds to wait for the result's notification; without it the pending request is returned",
            )
            .local(),
        ],
        Output::Either { default: "Pending", when: "wait", then: "Notification" },
        false,
        "domain-create: registers a domain (charged to the credit). Asynchronous: the server answers 1001 and \
         delivers the result as a notification; with wait, waits for it.",
    )
    .wire_order(&["name", "period", "owner_c", "nsset"]),
    op(
        API,
        "domains.renew",
        Some("domains"),
        "renew",
        "domain-renew",
        &[pos("name", Str, "the domain name").nonempty(), kw_def("period", Int, "1", "years, 1-10").range(1, 10, " years")],
        RESPONSE,
        false,
        "domain-renew: extends a domain's registration (charged to the credit).",
    ),
    op(
        API,
        "dns.domains",
        Some("dns"),
        "domains",
        "dns-domains-list",
        &[],
        List("DnsDomain"),
        true,
        "dns-domains-list: the DNS zones of the account.",
    ),
    op(
        API,
        "dns.domain_info",
        Some("dns"),
        "domain_info",
        "dns-domain-info",
        &[pos("domain", Str, "the zone").nonempty().wire("name")],
        Record("DnsDomain"),
        true,
        "dns-domain-info: one DNS zone of the account.",
    ),
    op(
        API,
        "dns.rows",
        Some("dns"),
        "rows",
        "dns-rows-list",
        &[pos("domain", Str, "the zone").nonempty()],
        List("DnsRow"),
        true,
        "dns-rows-list: the rows of a zone.",
    ),
    op(
        API,
        "dns.row_detail",
        Some("dns"),
        "row_detail",
        "dns-row-detail",
        &[pos("domain", Str, "the zone").nonempty(), pos("row_id", Int, "the row's id")],
        Record("DnsRow"),
        true,
        "dns-row-detail: one row of a zone.",
    ),
    op(
        API,
        "dns.add_row",
        Some("dns"),
        "add_row",
        "dns-row-add",
        &[
            pos("domain", Str, "the zone").nonempty(),
            pos("name", Str, "the row's name relative to the zone (\"\" = the apex)"),
            pos("rdtype", Str, "the row type: A, AAAA, CNAME, MX, TXT, …").nonempty().wire("type"),
            pos("rdata", Str, "the row's data").nonempty(),
            kw_def("ttl", Int, "3600", "seconds, 300-172800").range(300, 172_800, ""),
            kw_opt("comment", Str, "a comment stored with the row").wire("auth_comment"),
        ],
        Record("AddedRow"),
        false,
        "dns-row-add: adds a row and returns it with its id (listed from the zone after the add: one more request) \
         and the server's answer; the change is pending until commit (or 5 minutes after the last change).",
    )
    .wire_order(&["domain", "name", "ttl", "rdtype", "rdata", "comment"])
    .answer("Response"),
    op(
        API,
        "dns.update_row",
        Some("dns"),
        "update_row",
        "dns-row-update",
        &[
            pos("domain", Str, "the zone").nonempty(),
            pos("row_id", Int, "the row's id"),
            kw("ttl", Int, "seconds, 300-172800").range(300, 172_800, ""),
            kw("rdata", Str, "the row's new data").nonempty(),
        ],
        RESPONSE,
        true,
        "dns-row-update: changes a row's TTL and data (name and type cannot change).",
    ),
    op(
        API,
        "dns.delete_row",
        Some("dns"),
        "delete_row",
        "dns-row-delete",
        &[pos("domain", Str, "the zone").nonempty(), pos("row_id", Int, "the row's id")],
        RESPONSE,
        true,
        "dns-row-delete: deletes a row.",
    ),
    op(
        API,
        "dns.commit",
        Some("dns"),
        "commit",
        "dns-domain-commit",
        &[pos("domain", Str, "the zone").nonempty().wire("name")],
        RESPONSE,
        true,
        "dns-domain-commit: publishes the zone's pending changes.",
    ),
    op(
        API,
        "dns.set_txt",
        Some("dns"),
        "set_txt",
        "",
        &[
            pos(
                "fqdn",
                Str,
                "the full name, e.g. \"_acme-challenge.www.example.cz\" (the zone is found among the account's)",
            ),
            pos("value", Str, "the TXT value"),
            kw_def("ttl", Int, "300", "seconds, 300-172800"),
            kw_opt(
                "wait",
                Seconds,
                "after the commit, wait up to this many seconds until every authoritative name server of the zone \
                 answers the value (a Timeout error names those that did not); default: do not wait",
            ),
            kw_opt(
                "nameservers",
                Type::List(&Str),
                "with wait: the name servers to ask, \"HOST:PORT\" or \"HOST\" (default: the zone's NS records \
                 through the system resolver)",
            ),
        ],
        Record("DnsRow"),
        true,
        "The ACME DNS-01 step: finds the zone of fqdn (the longest matching suffix among the account's DNS zones), \
         adds the TXT row unless an identical one exists (never provoking 2316), commits, optionally waits until \
         the zone's name servers serve it, and returns the row with its id. Safe to repeat.",
    ),
    op(
        API,
        "dns.clear_txt",
        Some("dns"),
        "clear_txt",
        "",
        &[pos("fqdn", Str, "the full name the TXT row was set for"), pos("value", Str, "the TXT value to remove")],
        Output::Count,
        true,
        "The ACME DNS-01 cleanup: deletes only the TXT rows of fqdn with exactly this value, commits, and returns \
         how many it deleted. Safe to repeat.",
    ),
    op(
        API,
        "notifications.poll",
        Some("notifications"),
        "poll",
        "poll-req",
        &[],
        Optional("Notification"),
        true,
        "The oldest unread notification (those the client kept while waiting come first), not acknowledged; null \
         when the queue is empty.",
    ),
    op(
        API,
        "notifications.ack",
        Some("notifications"),
        "ack",
        "poll-ack",
        &[pos("id", Id, "the notification's queue id").nonempty()],
        RESPONSE,
        true,
        "poll-ack: marks a notification read, which exposes the next one. For a notification the client kept, \
         only removes it from the client (the server has it acknowledged already).",
    ),
    op(
        API,
        "notifications.next",
        Some("notifications"),
        "next",
        "",
        &[],
        Optional("Notification"),
        false,
        "The next notification, acknowledged as it is handed over; null when the queue is empty.",
    ),
    OpSpec {
        api: API,
        name: "notifications.kept",
        handle: Some("notifications"),
        method: "kept",
        wire: "",
        kind: Kind::Local,
        args: &[],
        output: Output::Count,
        idempotent: true,
        wire_order: None,
        answer: None,
        doc: "How many notifications wait in the account's spool: taken off the server queue by a client of the account (in any process) while it waited for another one, not yet handed out.",
    },
];

/// The WEDOS-specific settings of a client (`wedos::ClientBuilder::from_options`); the transport settings
/// ([`TRANSPORT_SETTINGS`](super::TRANSPORT_SETTINGS)) come after them.
pub static WEDOS_SETTINGS: &[Arg] = &[
    pos_opt("user", Str, "the WEDOS account login (e-mail)"),
    pos_opt("password", Secret, "the WAPI password (set in the admin panel; never shown)"),
    kw_def(
        "from_env",
        Bool,
        "false",
        "fill user, password and base_url from WEDOS_USER, WEDOS_PASSWORD, WEDOS_BASE_URL",
    ),
    kw_def("base_url", Str, "\"https://api.wedos.com/wapi/json\"", "the JSON endpoint"),
    kw_def("test_mode", Bool, "false", "send every request in WAPI test mode (validated, nothing changed)"),
    kw_def(
        "on_limit",
        Enum(&["raise", "wait"]),
        "\"raise\"",
        "when an hourly budget is spent: fail with RateLimited (raise) or wait until there is room (wait)",
    ),
    kw_def(
        "max_auth_failures",
        Count,
        "3",
        "stop sending after this many authentication/IP failures in a row (0 = never stop)",
    ),
    kw_def(
        "max_invalid_requests",
        Count,
        "10",
        "stop sending while this many invalid answers (code >= 2000, or lost after they may have reached the \
         server) lie within the hour, counting the requests in flight (WEDOS blocks the IP at the 11th; 0 = never \
         stop; at most 256)",
    ),
    kw_opt(
        "state_dir",
        Path,
        "the directory of the account state shared by every client on the machine (default HOSTAPI_STATE_STORE, \
         else HOSTAPI_STATE_DIR, else $XDG_STATE_HOME/hostapi, else ~/.local/state/hostapi; \":memory:\" keeps it \
         in the client)",
    ),
    kw_opt(
        "state_store",
        Path,
        "where the account state lives, shared by every client that uses it: a directory, \":memory:\", or \
         redis://[user:password@]host[:port][/db] (rediss:// for TLS) for a fleet of machines on one account; wins \
         over state_dir (default HOSTAPI_STATE_STORE, else as state_dir)",
    ),
    kw_def(
        "state_store_fallback",
        Enum(&["none", "local"]),
        "\"none\"",
        "when a Redis state_store cannot be reached: fail, sending nothing (none), or go on with this machine's own \
         store, with a warning (local)",
    ),
    kw_def("hourly_limits", Pair(&Count), "[1000, 100]", "[requests, domain checks] per budget window"),
    kw_def("budget_window", Seconds, "3600.0", "seconds the hourly budgets count in"),
    kw_def("poll_interval", Seconds, "2.0", "seconds between polls while waiting for a notification"),
    kw_def(
        "hour_boundary_window",
        Seconds,
        "5.0",
        "how close to a Prague hour boundary a 2050 is retried once with the other hour's auth",
    ),
];
