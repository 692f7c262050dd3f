//! Configuration of the emulator: where it listens, which Velneo and WEDOS accounts it knows, with their initial
//! content, and where its state persists.
//!
//! Everything deserializes from a JSON config file (snake_case keys, every field optional):
//!
//! ```json
//! {
//!   "host": "127.0.0.1",
//!   "port": 8640,
//!   "state_file": "/tmp/hostapi-emulator-state.json",
//!   "velneo": {
//!     "timestamp_window_secs": 300,
//!     "accounts": [
//!       { "email": "me@example.com", "api_key": "secret" }
//!     ]
//!   },
//!   "wedos": {
//!     "hourly_request_limit": 1000, "hourly_domain_check_limit": 100,
//!     "block_threshold": 10, "block_secs": 60, "async_delay_ms": 300, "auto_publish_secs": 300,
//!     "accounts": [
//!       { "user": "me@example.cz", "password": "wapi-secret", "allowed_ips": ["127.0.0.1", "::1"],
//!         "polling_allowed": true, "credit": 100.0, "currency": "CZK",
//!         "domains": [ { "name": "mine.cz", "status": "active", "expiration": "2027-01-31" } ],
//!         "dns_zones": [ { "name": "mine.cz", "status": "active", "min_ttl": 300,
//!           "rows": [ { "name": "", "ttl": 3600, "rdtype": "A", "rdata": "192.0.2.7", "author_comment": "" } ] } ] }
//!     ]
//!   }
//! }
//! ```
//!
//! A Velneo account that gives only `email` and `api_key` gets the standard initial content (the same as the demo
//! account's, with its folder paths under its own e-mail). Any of `vserver`, `credentials`, `groups`, `users`,
//! `folders` and `instances` given in the file replaces that part of the standard content.
//!
//! A WEDOS account that gives only `user` and `password` allows the loopback addresses, may poll, has no credit
//! (0 CZK), no domains and no DNS zones ([`WedosAccount::new`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use serde::Deserialize;

/// The documented demo account's e-mail (from the vendor's bash example).
pub const DEMO_VELNEO_EMAIL: &str = "ejemplo@gmail.com";
/// The documented demo account's API key (a public value from the vendor's bash example).
pub const DEMO_VELNEO_API_KEY: &str = "NyraFY6GMz8lu1fameMdrH0V";

/// Where the emulator listens and what it knows.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Address to bind; default `127.0.0.1`.
    pub host: IpAddr,
    /// Port to bind; default 0 = pick a free port.
    pub port: u16,
    /// The Velneo Cloud API half.
    pub velneo: VelneoConfig,
    /// The WEDOS WAPI half.
    pub wedos: WedosConfig,
    /// Where the state of both halves persists: loaded at start when the file exists, written (atomically: a
    /// temporary file in the same directory, fsync, rename) after changes — before the answer to a change of
    /// content, coalesced in the background for counters. `None` = memory only.
    pub state_file: Option<PathBuf>,
    /// Seconds a connection may take to send a request's headers, and may stay idle between requests, before it
    /// is closed; default 10.
    pub header_timeout_secs: f64,
    /// Seconds a request may take to send its body (answered 408 after); default 10.
    pub body_timeout_secs: f64,
    /// The most faults `POST /_emulator/faults` holds (more: HTTP 429); default 1000.
    pub max_faults: usize,
    /// The most notifications one WEDOS account's queue holds, those waiting for their delay included (more: the
    /// control endpoint answers 429; the notification of a `ping-async` past it is dropped, with a warning on
    /// stderr); default 10000.
    pub max_notifications: usize,
    /// Serve DNS (UDP and TCP) for every WEDOS zone on this port of `host` (0 = pick a free port); default none
    /// (off). See the `dns` module.
    pub dns_port: Option<u16>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            velneo: VelneoConfig::default(),
            wedos: WedosConfig::default(),
            state_file: None,
            header_timeout_secs: 10.0,
            body_timeout_secs: 10.0,
            max_faults: 1000,
            max_notifications: 10_000,
            dns_port: None,
        }
    }
}

impl EmulatorConfig {
    /// Reads a JSON config file.
    pub fn from_json_file(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Self::from_json_str(&text)
    }

    /// Parses a JSON config text.
    pub fn from_json_str(text: &str) -> std::io::Result<Self> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        config.check_limits().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(config)
    }

    /// The timeouts are positive and finite, the caps at least 1.
    pub fn check_limits(&self) -> Result<(), String> {
        for (name, v) in
            [("header_timeout_secs", self.header_timeout_secs), ("body_timeout_secs", self.body_timeout_secs)]
        {
            if !(v.is_finite() && v > 0.0 && v <= 86_400.0) {
                return Err(format!("{name} must be a number of seconds above 0 and at most 86400, not {v}"));
            }
        }
        if self.max_faults == 0 || self.max_notifications == 0 {
            return Err("max_faults and max_notifications must be at least 1".into());
        }
        Ok(())
    }
}

/// The Velneo accounts and the signature's timestamp window.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VelneoConfig {
    /// Known accounts; default: [`VelneoAccount::demo`] only.
    pub accounts: Vec<VelneoAccount>,
    /// A request's `timestamp` must be within ± this many seconds of the emulator's clock; default 300.
    pub timestamp_window_secs: u64,
}

impl Default for VelneoConfig {
    fn default() -> Self {
        VelneoConfig { accounts: vec![VelneoAccount::demo()], timestamp_window_secs: 300 }
    }
}

/// One Velneo Cloud account: its login e-mail, its API key and the initial content of its vServer.
///
/// `Debug` never shows the API key nor any password.
#[derive(Clone, Deserialize)]
#[serde(from = "AccountFile")]
pub struct VelneoAccount {
    pub email: String,
    pub api_key: String,
    /// The vServer's initial status, VRL and version.
    pub vserver: VServerSeed,
    /// The initially stored administration credentials (`PUT vserver username/password`); `None` = none stored,
    /// so every administrative call answers `{"error":"Invalid user/password"}` until they are set.
    pub credentials: Option<CredentialsSeed>,
    pub groups: Vec<GroupSeed>,
    pub users: Vec<UserSeed>,
    /// Shared folders; `path` is the full stored path (e.g. `/home/<email>/Velneo/datos`).
    pub folders: Vec<FolderSeed>,
    pub instances: Vec<InstanceSeed>,
}

impl fmt::Debug for VelneoAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VelneoAccount")
            .field("email", &self.email)
            .field("api_key", &"<redacted>")
            .field("vserver", &self.vserver)
            .field("credentials", &self.credentials)
            .field("groups", &self.groups)
            .field("users", &self.users)
            .field("folders", &self.folders)
            .field("instances", &self.instances)
            .finish()
    }
}

impl VelneoAccount {
    /// An account with the standard initial content: vServer running (`vatps://c3.velneo.com:6070`, `25.0.4`),
    /// group `Administradores` (codigo 1, all flags true), supervisor `velneo` / `velneo` in it (stored as the
    /// administration credentials), folders `/` and `datos` (`/home/<email>/Velneo/datos`).
    pub fn new(email: impl Into<String>, api_key: impl Into<String>) -> Self {
        let email = email.into();
        VelneoAccount {
            api_key: api_key.into(),
            vserver: VServerSeed::default(),
            credentials: Some(CredentialsSeed::default()),
            groups: vec![GroupSeed::default()],
            users: vec![UserSeed::default()],
            folders: standard_folders(&email),
            instances: Vec::new(),
            email,
        }
    }

    /// The documented demo account ([`DEMO_VELNEO_EMAIL`], [`DEMO_VELNEO_API_KEY`]) with the standard content.
    pub fn demo() -> Self {
        Self::new(DEMO_VELNEO_EMAIL, DEMO_VELNEO_API_KEY)
    }
}

fn standard_folders(email: &str) -> Vec<FolderSeed> {
    vec![
        FolderSeed { name: "/".into(), path: "/".into(), group: None },
        FolderSeed {
            name: "datos".into(),
            path: format!("/home/{email}/Velneo/datos"),
            group: Some("Administradores".into()),
        },
    ]
}

/// The JSON shape of an account in a config file: content parts are optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    email: String,
    api_key: String,
    vserver: Option<VServerSeed>,
    #[serde(default, deserialize_with = "explicit_option")]
    credentials: Option<Option<CredentialsSeed>>,
    groups: Option<Vec<GroupSeed>>,
    users: Option<Vec<UserSeed>>,
    folders: Option<Vec<FolderSeed>>,
    instances: Option<Vec<InstanceSeed>>,
}

/// Distinguishes `"credentials": null` (none stored) from an absent key (the standard ones).
fn explicit_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl From<AccountFile> for VelneoAccount {
    fn from(f: AccountFile) -> Self {
        let mut a = VelneoAccount::new(f.email, f.api_key);
        if let Some(v) = f.vserver {
            a.vserver = v;
        }
        if let Some(c) = f.credentials {
            a.credentials = c;
        }
        if let Some(g) = f.groups {
            a.groups = g;
        }
        if let Some(u) = f.users {
            a.users = u;
        }
        if let Some(fo) = f.folders {
            a.folders = fo;
        }
        if let Some(i) = f.instances {
            a.instances = i;
        }
        a
    }
}

/// The vServer's initial state.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VServerSeed {
    /// `true` = `"running"`, `false` = `"stopped"`.
    pub running: bool,
    pub vrl: String,
    pub version: String,
}

impl Default for VServerSeed {
    fn default() -> Self {
        VServerSeed { running: true, vrl: "vatps://c3.velneo.com:6070".into(), version: "25.0.4".into() }
    }
}

/// Stored administration credentials.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsSeed {
    pub username: String,
    pub password: String,
}

impl Default for CredentialsSeed {
    fn default() -> Self {
        CredentialsSeed { username: "velneo".into(), password: "velneo".into() }
    }
}

impl fmt::Debug for CredentialsSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsSeed").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// A group. `codigo` 0 = assign the next free code.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSeed {
    pub name: String,
    pub codigo: u64,
    pub can_delete_sites: bool,
    pub can_create_sites: bool,
    pub can_run_with_data_client: bool,
}

impl Default for GroupSeed {
    fn default() -> Self {
        GroupSeed {
            name: "Administradores".into(),
            codigo: 1,
            can_delete_sites: true,
            can_create_sites: true,
            can_run_with_data_client: true,
        }
    }
}

/// A user. `codigo` 0 = assign the next free code. `groups` must name configured groups.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSeed {
    pub name: String,
    pub codigo: u64,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub groups: Vec<String>,
    pub supervisor: bool,
    pub disabled: bool,
    pub must_change_password: bool,
    pub password_never_expires: bool,
}

impl Default for UserSeed {
    fn default() -> Self {
        UserSeed {
            name: "velneo".into(),
            codigo: 1,
            full_name: String::new(),
            email: "micorreo@velneo.com".into(),
            password: "velneo".into(),
            groups: vec!["Administradores".into()],
            supervisor: true,
            disabled: false,
            must_change_password: false,
            password_never_expires: true,
        }
    }
}

impl fmt::Debug for UserSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSeed")
            .field("name", &self.name)
            .field("codigo", &self.codigo)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("groups", &self.groups)
            .field("supervisor", &self.supervisor)
            .finish_non_exhaustive()
    }
}

/// A shared folder. `group` `None` only for the root folder `/`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSeed {
    pub name: String,
    pub path: String,
    #[serde(default)]
    pub group: Option<String>,
}

/// An instance. `kind` is `"app"` or `"data"`; `ruta` is `folder` or `folder/sub/dirs` (the folder must exist).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSeed {
    pub kind: String,
    pub name: String,
    pub project: String,
    pub solution: String,
    pub ruta: String,
    #[serde(default)]
    pub inheritance: Option<String>,
}

/// The documented WEDOS demo account's login (the knowledge base's example user, as an e-mail).
pub const DEMO_WEDOS_USER: &str = "tester@example.com";
/// The documented WEDOS demo account's WAPI password (the knowledge base's example password; a public value).
pub const DEMO_WEDOS_PASSWORD: &str = "123456";

/// The WEDOS accounts and the server's limits (every number configurable so tests reach the limits fast).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WedosConfig {
    /// Known accounts; default: [`WedosAccount::demo`] only.
    pub accounts: Vec<WedosAccount>,
    /// Requests per account in any sliding hour (all commands); default 1000. Past it: 2006.
    pub hourly_request_limit: u32,
    /// `domain-check`/`domain-create`/`domain-transfer-check` per account in any sliding hour; default 100.
    /// Past it: 2250 (2252 for `domain-transfer-check`).
    pub hourly_domain_check_limit: u32,
    /// More than this many invalid requests (answer code ≥ 2000) from one IP within an hour block it; default 10.
    pub block_threshold: u32,
    /// The block lasts this many seconds per invalid request beyond the threshold; default 60.
    pub block_secs: u64,
    /// Delay before `ping-async` queues its notification, milliseconds; default 300.
    pub async_delay_ms: u64,
    /// Uncommitted DNS changes publish by themselves this many seconds after the last change; default 300.
    pub auto_publish_secs: u64,
}

impl Default for WedosConfig {
    fn default() -> Self {
        WedosConfig {
            accounts: vec![WedosAccount::demo()],
            hourly_request_limit: hostapi::wedos::protocol::HOURLY_REQUEST_LIMIT,
            hourly_domain_check_limit: hostapi::wedos::protocol::HOURLY_DOMAIN_CHECK_LIMIT,
            block_threshold: 10,
            block_secs: 60,
            async_delay_ms: 300,
            auto_publish_secs: 300,
        }
    }
}

/// One WEDOS account: its login, WAPI password, IP allow-list and initial content.
///
/// `Debug` never shows the password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WedosAccount {
    /// The login (e-mail).
    pub user: String,
    /// The WAPI password (not the account password).
    pub password: String,
    /// Callers allowed to use WAPI; default the loopback addresses `127.0.0.1` and `::1`.
    #[serde(default = "loopback")]
    pub allowed_ips: Vec<IpAddr>,
    /// Notifications may be fetched with `poll-req`/`poll-ack`; default true (false: 2150).
    #[serde(default = "yes")]
    pub polling_allowed: bool,
    /// Commands disabled for this account: they answer 2011 (default none).
    #[serde(default)]
    pub disabled_commands: Vec<String>,
    /// The credit balance; default 0.
    #[serde(default)]
    pub credit: f64,
    /// The credit's currency; default `CZK`.
    #[serde(default = "czk")]
    pub currency: String,
    #[serde(default)]
    pub domains: Vec<WedosDomainSeed>,
    #[serde(default)]
    pub dns_zones: Vec<DnsZoneSeed>,
    /// How `dns-domains-list` answers `data.domain`: an array (`"array"`, the default, as recorded live traffic
    /// shows) or an object keyed by zone id (`"keyed"`, as other accounts see it).
    #[serde(default)]
    pub dns_domains_list: DnsListShape,
    /// Deliver notifications by HTTP `POST` to this URL (form field `request` holding `{"notify": …}`) instead of
    /// the POLL queue, as an account set to URL delivery in the WEDOS admin; default none (the POLL queue).
    #[serde(default)]
    pub notification_url: Option<String>,
    /// Seconds between deliveries of a notification the URL did not accept with HTTP 200; default 300.
    #[serde(default = "five_minutes")]
    pub notification_retry_secs: f64,
    /// Seconds between a commit (or the automatic publication) and the moment the emulator's DNS server serves
    /// the committed rows, as WEDOS's name servers take minutes to an hour; default 0.
    #[serde(default)]
    pub dns_publish_delay_secs: u64,
}

fn five_minutes() -> f64 {
    300.0
}

/// The two shapes of `dns-domains-list`'s `data.domain` seen from the real server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DnsListShape {
    /// `[{"name": …, "type": …, "status": …}, …]`.
    #[default]
    Array,
    /// `{"24": {…}, "11": {…}}`: keyed by the zone's id (not sequential, not sorted).
    Keyed,
}

fn loopback() -> Vec<IpAddr> {
    vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)]
}

fn yes() -> bool {
    true
}

fn czk() -> String {
    "CZK".into()
}

impl fmt::Debug for WedosAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WedosAccount")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("allowed_ips", &self.allowed_ips)
            .field("polling_allowed", &self.polling_allowed)
            .field("disabled_commands", &self.disabled_commands)
            .field("credit", &self.credit)
            .field("currency", &self.currency)
            .field("domains", &self.domains)
            .field("dns_zones", &self.dns_zones)
            .field("dns_publish_delay_secs", &self.dns_publish_delay_secs)
            .finish()
    }
}

impl WedosAccount {
    /// An account allowed from the loopback addresses, with polling allowed, no credit (0 CZK), no domains and no
    /// DNS zones.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        WedosAccount {
            user: user.into(),
            password: password.into(),
            allowed_ips: loopback(),
            polling_allowed: true,
            disabled_commands: Vec::new(),
            credit: 0.0,
            currency: czk(),
            domains: Vec::new(),
            dns_zones: Vec::new(),
            dns_domains_list: DnsListShape::Array,
            notification_url: None,
            notification_retry_secs: five_minutes(),
            dns_publish_delay_secs: 0,
        }
    }

    /// The documented demo account ([`DEMO_WEDOS_USER`], [`DEMO_WEDOS_PASSWORD`]): allowed from `127.0.0.1` and
    /// `::1`, polling allowed, credit 2570.35 CZK, domains `example.cz` (active, expires 2027-01-15) and
    /// `hostapi-demo.cz` (expired 2026-02-01), and a primary DNS zone for each with an apex `A`, a `www` `CNAME`
    /// to the apex and an apex `MX`.
    pub fn demo() -> Self {
        let mut a = Self::new(DEMO_WEDOS_USER, DEMO_WEDOS_PASSWORD);
        a.credit = 2570.35;
        a.domains = vec![
            WedosDomainSeed { name: "example.cz".into(), status: "active".into(), expiration: "2027-01-15".into() },
            WedosDomainSeed {
                name: "hostapi-demo.cz".into(),
                status: "expired".into(),
                expiration: "2026-02-01".into(),
            },
        ];
        a.dns_zones = vec![demo_zone("example.cz", "192.0.2.1"), demo_zone("hostapi-demo.cz", "192.0.2.2")];
        a
    }
}

fn demo_zone(name: &str, ip: &str) -> DnsZoneSeed {
    let row = |n: &str, rdtype: &str, rdata: String| DnsRowSeed {
        name: n.into(),
        ttl: 3600,
        rdtype: rdtype.into(),
        rdata,
        author_comment: String::new(),
    };
    DnsZoneSeed {
        name: name.into(),
        status: "active".into(),
        min_ttl: 300,
        rows: vec![
            row("", "A", ip.into()),
            row("www", "CNAME", format!("{name}.")),
            row("", "MX", format!("10 mail.{name}.")),
        ],
    }
}

/// A registered domain of the account (`domains-list`, `domain-info`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WedosDomainSeed {
    pub name: String,
    /// `active`, `expired`, `deleted`, … (free text, shown as is and matched by `domains-list`'s `status`).
    #[serde(default = "active")]
    pub status: String,
    /// `YYYY-MM-DD`; empty = none shown.
    #[serde(default)]
    pub expiration: String,
}

fn active() -> String {
    "active".into()
}

/// A primary DNS zone of the account.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsZoneSeed {
    pub name: String,
    /// `active`; `locked` (row changes answer 3305); `deleted` (every DNS command on it answers 3306).
    #[serde(default = "active")]
    pub status: String,
    /// The zone's lowest accepted TTL (≥ 300): a TTL within 300–172800 but below it answers 2317.
    #[serde(default = "min_ttl")]
    pub min_ttl: u32,
    #[serde(default)]
    pub rows: Vec<DnsRowSeed>,
}

fn min_ttl() -> u32 {
    300
}

/// A DNS row, validated as `dns-row-add` would validate it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsRowSeed {
    /// Relative to the zone; `""` = the apex.
    #[serde(default)]
    pub name: String,
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    pub rdtype: String,
    pub rdata: String,
    #[serde(default)]
    pub author_comment: String,
}

fn default_ttl() -> u32 {
    3600
}
