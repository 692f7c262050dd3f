//! The command tree (clap derive). Every subcommand carries examples in its `--help`.

use hostapi::Secret;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Parser, Subcommand};
use clap_complete::Shell;

const TOP_HELP: &str = "\
Credentials come from the environment or from flags (flags win):
  Velneo: VELNEO_EMAIL, VELNEO_API_KEY, VELNEO_BASE_URL
          (hostapi velneo --email … --api-key-stdin …)
  WEDOS:  WEDOS_USER, WEDOS_PASSWORD, WEDOS_BASE_URL
          (hostapi wedos --user … --password-stdin …)
Prefer the environment or the *-stdin flags for secrets: a secret given as a
flag value shows in the process list and the shell history. Secrets are never
printed.

Output: tables on a terminal; tab-separated lines when piped (a header line
first, unless --no-headers); --format json (or --json) prints the records as
one JSON document (lists as one array).

Exit codes:
  0  success
  1  local failure (cannot write a file, bind the emulator's port)
  2  usage error (unknown subcommand or flag, missing argument)
  3  configuration (missing credentials, invalid setting or argument; nothing was sent)
  4  authentication (Velneo e-mail/API key refused; WEDOS user/password/IP refused)
  5  Velneo vServer credentials refused (\"Invalid user/password\")
  6  rate limited (WEDOS hourly limits, IP block, or the client's own budget)
  7  API error (the API refused the request, e.g. a missing group)
  8  transport failure (connection, TLS, I/O)
  9  protocol error (the answer is not what the protocol allows)
  10 timeout (no answer in time, --wait running out)
Errors are one line on stderr, naming the operation:
  error: velneo groups.get: group Nope does not exist (code 403, HTTP 403)

Examples:
  hostapi emulator --port 8640 &
  export VELNEO_BASE_URL=http://127.0.0.1:8640/v1 VELNEO_EMAIL=ejemplo@gmail.com
  export VELNEO_API_KEY=NyraFY6GMz8lu1fameMdrH0V
  hostapi velneo vserver status
  hostapi velneo users list --json
  hostapi wedos dns rows example.cz
  hostapi completions bash > /etc/bash_completion.d/hostapi";

/// Velneo Cloud API and WEDOS WAPI from the shell, and a local emulator of both.
#[derive(Debug, Parser)]
#[command(name = "hostapi", version, about, after_help = TOP_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every subcommand.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOpts {
    /// Print the result as JSON (one document; lists as one array): the same as --format json.
    #[arg(long, global = true)]
    pub json: bool,
    /// The output form: `table` (the default on a terminal), `tsv` (tab-separated lines, the default when piped)
    /// or `json`.
    #[arg(long, global = true, value_name = "FORM", value_parser = ["table", "tsv", "json"])]
    pub format: Option<String>,
    /// Leave out the header line of tables and tab-separated output.
    #[arg(long, global = true)]
    pub no_headers: bool,
    /// Log each request, retry and wait on stderr (never a secret); -vv for more detail.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The same as -v.
    #[arg(long, global = true)]
    pub debug: bool,
    /// What is logged on stderr: error, warn (the default), info, debug, trace, or a filter such as
    /// `hostapi=debug`; overrides -v and the RUST_LOG variable.
    #[arg(long, global = true, value_name = "LEVEL", value_parser = parse_log_level)]
    pub log_level: Option<String>,
}

/// A `--log-level` value: a level, or an `EnvFilter` directive list (`hostapi=debug,hyper=info`). A single word
/// must be a level: `tracing` would take any other word for a target name and log nothing.
fn parse_log_level(v: &str) -> Result<String, String> {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    let hint = "use error, warn, info, debug, trace or off, or a filter such as hostapi=debug";
    if !v.contains(['=', ',']) && !LEVELS.contains(&v.to_ascii_lowercase().as_str()) {
        return Err(format!("{v:?} is not a log level; {hint}"));
    }
    tracing_subscriber::EnvFilter::try_new(v).map(|_| v.to_owned()).map_err(|e| format!("{e}; {hint}"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Velneo Cloud API: vServer, groups, users, shared folders, application and data instances.
    #[command(after_help = "\
Examples:
  hostapi velneo vserver status
  hostapi velneo groups put Clientes --no-manage-solutions
  printf '%s' \"$PASS\" | hostapi velneo users put acme --group Clientes --password-stdin
  hostapi velneo --email me@example.com --api-key-stdin users list --json < key.txt")]
    Velneo(VelneoCmd),
    /// WEDOS WAPI: ping, credit, domains, DNS rows, notifications, any command.
    #[command(after_help = "\
Examples:
  hostapi wedos ping
  hostapi wedos dns rows example.cz
  hostapi wedos --test dns add example.cz --name www --type A --rdata 192.0.2.10
  hostapi wedos call contact-info --data '{\"cname\":\"WEDOS\"}'")]
    Wedos(WedosCmd),
    /// Run the local emulator of both APIs in the foreground (Ctrl-C or SIGTERM stops it).
    #[command(after_help = "\
Prints its URLs and the public demo credentials, then serves until Ctrl-C or SIGTERM.

Examples:
  hostapi emulator                       # http://127.0.0.1:8640
  hostapi emulator --port 0              # a free port; the URL is printed
  hostapi emulator --config accounts.json --state-file state.json")]
    Emulator(EmulatorArgs),
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  hostapi completions bash > ~/.local/share/bash-completion/completions/hostapi
  hostapi completions zsh > \"${fpath[1]}/_hostapi\"
  hostapi completions fish > ~/.config/fish/completions/hostapi.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

// ------------------------------------------------------------------------------------------------ Velneo

#[derive(Debug, Args)]
pub struct VelneoCmd {
    #[command(flatten)]
    pub settings: crate::settings::VelneoSettings,
    #[command(flatten)]
    pub creds: VelneoCreds,
    #[command(subcommand)]
    pub op: VelneoOp,
}

/// The flag of the Velneo account that is no setting (the settings are flags of their own: see `settings.rs`).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Velneo account")]
pub struct VelneoCreds {
    /// Read the API key from standard input (a prompt without echo on a terminal).
    #[arg(long, global = true, conflicts_with = "api_key")]
    pub api_key_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum VelneoOp {
    /// The vServer: status, start, stop, credentials, backup.
    #[command(subcommand)]
    Vserver(VServerOp),
    /// Groups of vServer users.
    #[command(subcommand)]
    Groups(GroupsOp),
    /// vServer users.
    #[command(subcommand)]
    Users(UsersOp),
    /// Shared folders.
    #[command(subcommand)]
    Folders(FoldersOp),
    /// Application instances.
    #[command(subcommand)]
    AppInstances(AppInstancesOp),
    /// Data instances.
    #[command(subcommand)]
    DataInstances(DataInstancesOp),
    /// Log in and end the account's API session (for every application using it).
    #[command(after_help = "Examples:\n  hostapi velneo logout")]
    Logout,
}

#[derive(Debug, Subcommand)]
pub enum VServerOp {
    /// Show whether the vServer runs, its VRL and version.
    #[command(after_help = "Examples:\n  hostapi velneo vserver status\n  hostapi velneo vserver status --json")]
    Status,
    /// Start the vServer.
    #[command(
        after_help = "Examples:\n  hostapi velneo vserver start\n  hostapi velneo vserver start --wait --wait-timeout 120"
    )]
    Start(WaitArgs),
    /// Stop the vServer.
    #[command(after_help = "Examples:\n  hostapi velneo vserver stop --wait")]
    Stop(WaitArgs),
    /// Store the supervisor credentials the API uses to administer the vServer (not checked by this call).
    #[command(after_help = "\
Examples:
  printf '%s' \"$SUPERVISOR_PASSWORD\" |
      hostapi velneo vserver credentials velneo --password-stdin")]
    Credentials {
        /// The supervisor's user name.
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Start a backup and print its download link, or download it with --output.
    #[command(after_help = "\
Examples:
  hostapi velneo vserver backup
  hostapi velneo vserver backup --output vserver-backup.zip")]
    Backup {
        /// Download the backup to FILE (written to a temporary file renamed on success); `-` writes it to stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Wait until the vServer has reached the state (a spinner shows on a terminal).
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits at most, in seconds.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_secs, requires = "wait")]
    pub wait_timeout: Duration,
    /// How often --wait asks for the status, in seconds.
    #[arg(long, value_name = "SECS", default_value = "2", value_parser = parse_secs, requires = "wait")]
    pub poll_interval: Duration,
}

/// A password: from standard input (preferred) or the command line (discouraged).
#[derive(Debug, Args, Clone, Default)]
pub struct PasswordArgs {
    /// Read the password from standard input (a prompt without echo on a terminal).
    #[arg(long)]
    pub password_stdin: bool,
    /// The password. Discouraged: it shows in the process list and the shell history; prefer
    /// --password-stdin.
    #[arg(long, value_name = "PASSWORD", conflicts_with = "password_stdin", value_parser = secret)]
    pub password: Option<Secret>,
}

#[derive(Debug, Subcommand)]
pub enum GroupsOp {
    /// List the groups.
    #[command(after_help = "Examples:\n  hostapi velneo groups list\n  hostapi velneo groups list --json")]
    List,
    /// Show one group.
    #[command(after_help = "Examples:\n  hostapi velneo groups get Administradores")]
    Get {
        /// The group's name.
        name: String,
    },
    /// Create the group if missing, else modify it.
    #[command(after_help = "\
Examples:
  hostapi velneo groups put Clientes
  hostapi velneo groups put Clientes --manage-solutions --add-app-instance 3")]
    Put {
        /// The group's name.
        name: String,
        /// Members may create and delete solutions.
        #[arg(long, overrides_with = "no_manage_solutions")]
        manage_solutions: bool,
        /// Members may not create and delete solutions.
        #[arg(long, overrides_with = "manage_solutions")]
        no_manage_solutions: bool,
        /// Give the group access to a solution.
        #[arg(long, value_name = "SOLUTION")]
        add_solution: Option<String>,
        /// Give the group access to an application instance (its id).
        #[arg(long, value_name = "INSTANCE_ID")]
        add_app_instance: Option<String>,
    },
    /// Delete a group.
    #[command(after_help = "Examples:\n  hostapi velneo groups delete Clientes")]
    Delete {
        /// The group's name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersOp {
    /// List the users (all, or the members of one group).
    #[command(
        after_help = "Examples:\n  hostapi velneo users list\n  hostapi velneo users list --group Clientes --json"
    )]
    List {
        /// Only the members of this group.
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
    },
    /// Show one user.
    #[command(after_help = "Examples:\n  hostapi velneo users get velneo")]
    Get {
        /// The user name.
        username: String,
    },
    /// Create the user if missing, else modify it (the user name cannot change).
    #[command(after_help = "\
Examples:
  printf '%s' \"$PASS\" | hostapi velneo users put acme --user-email acme@example.com \\
      --full-name 'ACME Ltd' --group Clientes --password-stdin --must-change-password
  hostapi velneo users put acme --del-group Clientes --disabled")]
    Put(Box<UserPutArgs>),
    /// Delete a user.
    #[command(after_help = "Examples:\n  hostapi velneo users delete acme")]
    Delete {
        /// The user name.
        username: String,
    },
}

#[derive(Debug, Args)]
pub struct UserPutArgs {
    /// The user name.
    pub username: String,
    /// The user's e-mail address (`--email` is the account's).
    #[arg(long, value_name = "EMAIL")]
    pub user_email: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// The user's full name.
    #[arg(long, value_name = "NAME")]
    pub full_name: Option<String>,
    /// Add the user to this group (it must exist).
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Take the user out of this group (only when modifying).
    #[arg(long, value_name = "GROUP")]
    pub del_group: Option<String>,
    /// Make the user a supervisor.
    #[arg(long, overrides_with = "no_supervisor")]
    pub supervisor: bool,
    /// Make the user an ordinary user.
    #[arg(long, overrides_with = "supervisor")]
    pub no_supervisor: bool,
    /// Disable the account.
    #[arg(long, overrides_with = "no_disabled")]
    pub disabled: bool,
    /// Enable the account.
    #[arg(long, overrides_with = "disabled")]
    pub no_disabled: bool,
    /// The user must change the password at the next login.
    #[arg(long, overrides_with = "no_must_change_password")]
    pub must_change_password: bool,
    /// The user need not change the password.
    #[arg(long, overrides_with = "must_change_password")]
    pub no_must_change_password: bool,
    /// The password never expires.
    #[arg(long, overrides_with = "no_password_never_expires")]
    pub password_never_expires: bool,
    /// The password expires as the vServer's policy says.
    #[arg(long, overrides_with = "password_never_expires")]
    pub no_password_never_expires: bool,
}

#[derive(Debug, Subcommand)]
pub enum FoldersOp {
    /// List the shared folders.
    #[command(after_help = "Examples:\n  hostapi velneo folders list")]
    List,
    /// Show one shared folder.
    #[command(after_help = "Examples:\n  hostapi velneo folders get datos")]
    Get {
        /// The folder's name.
        name: String,
    },
    /// Create the shared folder if missing, else modify it.
    #[command(after_help = "Examples:\n  hostapi velneo folders put clientes --path clientes --group Clientes")]
    Put {
        /// The folder's name.
        name: String,
        /// The group given access (it must exist).
        #[arg(long, value_name = "GROUP")]
        group: String,
        /// Relative to the account's HOME, with `/` (needed only on creation).
        #[arg(long, value_name = "PATH")]
        path: Option<String>,
    },
    /// Delete a shared folder.
    #[command(after_help = "Examples:\n  hostapi velneo folders delete clientes")]
    Delete {
        /// The folder's name.
        name: String,
    },
}

/// An instance named by name or by `--id`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key").required(true).args(["name", "id"])))]
pub struct InstanceKeyArgs {
    /// The instance's name.
    pub name: Option<String>,
    /// The instance's id (returned by put) instead of its name.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct InstancePutArgs {
    /// The instance's name.
    pub name: String,
    /// The project.
    #[arg(long, value_name = "PROJECT")]
    pub project: String,
    /// The solution.
    #[arg(long, value_name = "SOLUTION")]
    pub solution: String,
    /// A shared folder, optionally followed by sub-directories that are created (`datos/cliente1`).
    #[arg(long, value_name = "FOLDER")]
    pub folder_shared: String,
    /// Reuse instances of inherited projects: `idProject1=codInstance1,idProject2=codInstance2`.
    #[arg(long, value_name = "PAIRS")]
    pub inheritance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AppInstancesOp {
    /// List the application instances.
    #[command(after_help = "Examples:\n  hostapi velneo app-instances list")]
    List,
    /// Show one application instance.
    #[command(
        after_help = "Examples:\n  hostapi velneo app-instances get erp\n  hostapi velneo app-instances get --id 2"
    )]
    Get(InstanceKeyArgs),
    /// Add an application instance (prints its id).
    #[command(after_help = "\
Examples:
  hostapi velneo app-instances put erp --project erp_app.vin --solution ERP \\
      --folder-shared datos --inheritance erp_dat.vin=1")]
    Put(InstancePutArgs),
    /// Delete an application instance.
    #[command(
        after_help = "Examples:\n  hostapi velneo app-instances delete erp\n  hostapi velneo app-instances delete --id 2"
    )]
    Delete(InstanceKeyArgs),
}

#[derive(Debug, Subcommand)]
pub enum DataInstancesOp {
    /// List the data instances.
    #[command(after_help = "Examples:\n  hostapi velneo data-instances list --json")]
    List,
    /// Show one data instance.
    #[command(
        after_help = "Examples:\n  hostapi velneo data-instances get erp-datos\n  hostapi velneo data-instances get --id 1"
    )]
    Get(InstanceKeyArgs),
    /// Create the data instance if missing, else modify it (prints its id).
    #[command(after_help = "\
Examples:
  hostapi velneo data-instances put erp-datos --project erp_dat.vin --solution ERP \\
      --folder-shared datos/cliente1
  hostapi velneo data-instances put 1 --by-id --project erp_dat.vin --solution ERP \\
      --folder-shared datos/cliente1")]
    Put {
        #[command(flatten)]
        spec: InstancePutArgs,
        /// NAME is the instance's id: modify that instance.
        #[arg(long)]
        by_id: bool,
    },
    /// Delete a data instance.
    #[command(after_help = "Examples:\n  hostapi velneo data-instances delete erp-datos")]
    Delete(InstanceKeyArgs),
}

// ------------------------------------------------------------------------------------------------- WEDOS

#[derive(Debug, Args)]
pub struct WedosCmd {
    #[command(flatten)]
    pub settings: crate::settings::WedosSettings,
    #[command(flatten)]
    pub creds: WedosCreds,
    #[command(subcommand)]
    pub op: WedosOp,
}

/// The flag of the WEDOS account that is no setting (the settings are flags of their own: see `settings.rs`).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "WEDOS account")]
pub struct WedosCreds {
    /// Read the WAPI password from standard input (a prompt without echo on a terminal).
    #[arg(long, global = true, conflicts_with = "password")]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum WedosOp {
    /// Check credentials, IP allow-list and connectivity.
    #[command(after_help = "Examples:\n  hostapi wedos ping\n  hostapi wedos ping --json")]
    Ping,
    /// The asynchronous ping: prints the pending request, or waits for its notification.
    #[command(after_help = "Examples:\n  hostapi wedos ping-async\n  hostapi wedos ping-async --wait 60")]
    PingAsync {
        /// Wait up to SECS for the result notification (and acknowledge it).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        wait: Option<Duration>,
    },
    /// The account's credit.
    #[command(after_help = "Examples:\n  hostapi wedos credit")]
    Credit,
    /// Domains of the account.
    #[command(subcommand)]
    Domains(DomainsOp),
    /// DNS zones and rows.
    #[command(subcommand)]
    Dns(DnsOp),
    /// The notification queue (results of asynchronous requests).
    #[command(subcommand)]
    Notifications(NotificationsOp),
    /// ACME DNS-01 hooks: set and remove the `_acme-challenge` TXT row (lego's exec provider, certbot's manual hooks).
    #[command(subcommand)]
    Acme(AcmeOp),
    /// The guard every hostapi client of the account on this machine shares: what it counted, and its reset.
    #[command(subcommand)]
    Guard(GuardOp),
    /// Serve the account to a fleet: acme-dns's API, lego's httpreq and external-dns's webhook, each when its
    /// option is given, behind the account's guard and store (one process on the whitelisted host).
    #[command(after_help = "\
Examples:
  hostapi wedos gateway --listen 127.0.0.1:8053 --acme-dns-domain acme.example.cz
  hostapi wedos gateway --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem \\
      --httpreq-credentials /etc/hostapi/httpreq.users --json
  hostapi wedos gateway --listen 127.0.0.1:8888 --external-dns example.cz   # external-dns's sidecar")]
    Gateway(GatewayArgs),
    /// Any WAPI command, with its data as a JSON object.
    #[command(after_help = "\
Examples:
  hostapi wedos call ping
  hostapi wedos call domain-info --data '{\"name\":\"example.cz\"}'
  hostapi wedos call contact-info --data '{\"cname\":\"WEDOS\"}' --json")]
    Call {
        /// The WAPI command, e.g. `domain-info`.
        command: String,
        /// The command's data: a JSON object.
        #[arg(long, value_name = "JSON")]
        data: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Where to listen (port 0 picks a free one); plain HTTP only on a loopback address unless --insecure-http.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: std::net::SocketAddr,
    /// acme-dns: hand out subdomains of NAME (inside one of the account's zones), e.g. acme.example.cz.
    #[arg(long, value_name = "NAME")]
    pub acme_dns_domain: Option<String>,
    /// lego httpreq: the users allowed (lines user:password or user:$argon2…; mode 0600).
    #[arg(long, value_name = "FILE")]
    pub httpreq_credentials: Option<PathBuf>,
    /// external-dns webhook: manage the names under DOMAIN (repeatable); only on a loopback --listen (its webhook
    /// client sends no credentials).
    #[arg(long, value_name = "DOMAIN", num_args = 1..)]
    pub external_dns: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM)…
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// …and this private key (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy).
    #[arg(long)]
    pub insecure_http: bool,
}

#[derive(Debug, Subcommand)]
pub enum AcmeOp {
    /// Add the TXT row VALUE at FQDN (in the account's zone that FQDN belongs to), commit, print the row id. Does
    /// nothing when the row exists already. Without arguments, reads certbot's CERTBOT_DOMAIN and
    /// CERTBOT_VALIDATION (the row is then `_acme-challenge.<CERTBOT_DOMAIN>`).
    #[command(after_help = "\
Examples:
  # lego, exec provider (EXEC_PATH names a script that runs this with its two arguments):
  hostapi wedos acme present _acme-challenge.example.cz. 'LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM'
  # certbot, returning once WEDOS's name servers serve the value:
  certbot certonly --manual --preferred-challenges dns \\
    --manual-auth-hook 'hostapi wedos acme present --wait' --manual-cleanup-hook 'hostapi wedos acme cleanup' \\
    -d example.cz")]
    Present {
        /// The record's full name, e.g. `_acme-challenge.www.example.cz.` (default: from CERTBOT_DOMAIN).
        fqdn: Option<String>,
        /// The TXT value (default: CERTBOT_VALIDATION). It may begin with `-`: challenge values are base64url,
        /// and one in 64 does.
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
        /// Time to live, 300–172800 seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        ttl: u32,
        /// After the commit, wait until every authoritative name server of the zone answers the value (progress
        /// on stderr); set your ACME client's own propagation wait to 0.
        #[arg(long)]
        wait: bool,
        /// With --wait: give up after SECS with a Timeout error naming the servers that did not answer (WEDOS can
        /// take an hour to publish).
        #[arg(long, value_name = "SECS", default_value_t = 3600.0, requires = "wait")]
        wait_timeout: f64,
        /// With --wait: ask this name server (HOST:PORT, or HOST for port 53) instead of the zone's NS records
        /// found through the system resolver; repeatable.
        #[arg(long, value_name = "HOST:PORT", requires = "wait")]
        nameserver: Vec<String>,
    },
    /// Remove the TXT rows at FQDN with exactly VALUE, and commit. Harmless to repeat. Without arguments, reads
    /// CERTBOT_DOMAIN and CERTBOT_VALIDATION.
    #[command(
        after_help = "Examples:\n  hostapi wedos acme cleanup _acme-challenge.example.cz. 'LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM'"
    )]
    Cleanup {
        /// The record's full name (default: from CERTBOT_DOMAIN).
        fqdn: Option<String>,
        /// The TXT value (default: CERTBOT_VALIDATION). It may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// lego's exec provider asks for its timeouts with `timeout`: prints `{"timeout": 600, "interval": 10}`.
    Timeout,
}

#[derive(Debug, Subcommand)]
pub enum DomainsOp {
    /// List the account's domains.
    #[command(
        after_help = "Examples:\n  hostapi wedos domains list\n  hostapi wedos domains list --status active --json"
    )]
    List {
        /// Only domains with this status.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Show one domain.
    #[command(after_help = "Examples:\n  hostapi wedos domains info example.cz")]
    Info {
        /// The domain name.
        name: String,
    },
    /// Check whether a domain is available (counts against the 100-per-hour budget).
    #[command(after_help = "Examples:\n  hostapi wedos domains check my-new-name.cz")]
    Check {
        /// The domain name.
        name: String,
    },
    /// Check whether a domain registered elsewhere can be transferred to the account.
    #[command(after_help = "Examples:\n  hostapi wedos domains transfer-check example.sk")]
    TransferCheck {
        /// The domain name.
        name: String,
    },
    /// Register a domain (charged to the credit; asynchronous: prints the pending request, or waits).
    #[command(
        after_help = "Examples:\n  hostapi wedos domains create my-new-name.cz --owner-c OWNER-1 --period 2 --wait 300"
    )]
    Create {
        /// The domain name.
        name: String,
        /// The registrant's contact id.
        #[arg(long, value_name = "ID")]
        owner_c: String,
        /// Years, 1–10.
        #[arg(long, value_name = "YEARS", default_value_t = 1)]
        period: u32,
        /// The NSSET to use (.cz).
        #[arg(long, value_name = "NSSET")]
        nsset: Option<String>,
        /// Wait up to SECS for the result notification (and acknowledge it).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        wait: Option<Duration>,
    },
    /// Extend a domain's registration (charged to the credit).
    #[command(after_help = "Examples:\n  hostapi wedos domains renew example.cz --period 1")]
    Renew {
        /// The domain name.
        name: String,
        /// Years, 1–10.
        #[arg(long, value_name = "YEARS", default_value_t = 1)]
        period: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum DnsOp {
    /// List the DNS zones hosted at WEDOS.
    #[command(after_help = "Examples:\n  hostapi wedos dns domains")]
    Domains,
    /// Show one DNS zone.
    #[command(after_help = "Examples:\n  hostapi wedos dns domain example.cz")]
    Domain {
        /// The zone.
        domain: String,
    },
    /// Show one row of a zone.
    #[command(after_help = "Examples:\n  hostapi wedos dns row example.cz 12")]
    Row {
        /// The zone.
        domain: String,
        /// The row's id (see `dns rows`).
        row_id: i64,
    },
    /// List the rows of a zone.
    #[command(
        after_help = "Examples:\n  hostapi wedos dns rows example.cz\n  hostapi wedos dns rows example.cz --json"
    )]
    Rows {
        /// The zone.
        domain: String,
    },
    /// Add a row (pending until `dns commit`, or 5 minutes after the last change); prints the new row's id.
    #[command(after_help = "\
Examples:
  hostapi wedos dns add example.cz --name www --type A --rdata 192.0.2.10 --ttl 300
  hostapi wedos dns add example.cz --type TXT --rdata 'v=spf1 -all' --comment 'SPF'")]
    Add {
        /// The zone.
        domain: String,
        /// The row's name, relative to the zone ("" is the apex).
        #[arg(long, value_name = "NAME", default_value = "")]
        name: String,
        /// The row's type: A, AAAA, CNAME, MX, TXT, …
        #[arg(long = "type", value_name = "TYPE")]
        rdtype: String,
        /// The row's data.
        #[arg(long, value_name = "RDATA")]
        rdata: String,
        /// Time to live, 300–172800 seconds.
        #[arg(long, value_name = "SECS", default_value_t = 3600)]
        ttl: u32,
        /// A comment stored with the row.
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Change a row's TTL and data (name and type cannot change).
    #[command(after_help = "Examples:\n  hostapi wedos dns update example.cz 12 --ttl 600 --rdata 192.0.2.11")]
    Update {
        /// The zone.
        domain: String,
        /// The row's id (see `dns rows`).
        row_id: i64,
        /// Time to live, 300–172800 seconds.
        #[arg(long, value_name = "SECS")]
        ttl: u32,
        /// The row's data.
        #[arg(long, value_name = "RDATA")]
        rdata: String,
    },
    /// Delete a row.
    #[command(after_help = "Examples:\n  hostapi wedos dns delete example.cz 12")]
    Delete {
        /// The zone.
        domain: String,
        /// The row's id (see `dns rows`).
        row_id: i64,
    },
    /// Publish the zone's pending changes.
    #[command(after_help = "Examples:\n  hostapi wedos dns commit example.cz")]
    Commit {
        /// The zone.
        domain: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotificationsOp {
    /// Show the oldest unread notification without acknowledging it.
    #[command(after_help = "Examples:\n  hostapi wedos notifications poll --json")]
    Poll,
    /// Mark a notification read (which shows the next one).
    #[command(after_help = "Examples:\n  hostapi wedos notifications ack 42")]
    Ack {
        /// The notification's id.
        id: String,
    },
    /// Print each notification as it arrives (acknowledging it), until Ctrl-C.
    #[command(after_help = "\
With --json, each notification is one line of JSON (JSON Lines).

Examples:
  hostapi wedos notifications watch
  hostapi wedos notifications watch --once --json > notifications.jsonl")]
    Watch {
        /// Drain the queue and exit instead of waiting for more.
        #[arg(long)]
        once: bool,
        /// How often to look at an empty queue, in seconds.
        #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
        interval: Duration,
    },
    /// Receive notifications by HTTP POST (the account's URL delivery): print each one, or keep it in the
    /// account's spool for the next reader. Answers 200 to a notification it handled, 400 to anything else.
    #[command(
        after_help = "Point the account's notification URL (WEDOS admin, or the emulator's /_emulator/wedos/notification-url) at
http://HOST:PORT/. With --json, each notification is one line of JSON (JSON Lines).

Examples:
  hostapi wedos notifications serve --port 8099 --json
  hostapi wedos notifications serve --port 8099 --spool"
    )]
    Serve {
        /// The TCP port to listen on (0: any free port, printed on stderr).
        #[arg(long, value_name = "N", default_value = "8099")]
        port: u16,
        /// The address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Keep each notification in the account's spool (read by `notifications poll|watch` and waiting
        /// clients) instead of printing it.
        #[arg(long)]
        spool: bool,
        /// Exit after this many notifications.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GuardOp {
    /// What the account's clients on this machine counted: requests and domain checks in the hour, invalid
    /// answers, the stop after authentication failures, the server's IP block, the clock offset, spooled
    /// notifications.
    #[command(after_help = "Examples:
  hostapi wedos guard status
  hostapi wedos guard status --json")]
    Status,
    /// Let the account's clients send again after the guard stopped them (once the password, the IP allow-list
    /// or the input is fixed): clears the stop and the count of invalid answers. The server's own IP block still
    /// runs out.
    #[command(after_help = "Examples:
  hostapi wedos guard reset")]
    Reset,
}

// ---------------------------------------------------------------------------------------------- emulator

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on [default: 127.0.0.1, or the config file's].
    #[arg(long, value_name = "IP")]
    pub host: Option<IpAddr>,
    /// Port to listen on; 0 picks a free one [default: 8640, or the config file's].
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// A JSON config file: accounts and their initial content (see the emulator's README).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep the state in FILE: loaded at start when it exists, written atomically as it changes.
    #[arg(long, value_name = "FILE")]
    pub state_file: Option<PathBuf>,
    /// Close a connection that sends no complete request head (an idle keep-alive one included) within SECS
    /// [default: 10, or the config file's header_timeout_secs].
    #[arg(long, value_name = "SECS")]
    pub header_timeout: Option<f64>,
    /// Answer 408 and close when a request body does not arrive within SECS [default: 10, or the config file's
    /// body_timeout_secs].
    #[arg(long, value_name = "SECS")]
    pub body_timeout: Option<f64>,
    /// Also serve DNS (UDP and TCP) for every WEDOS zone on port N of the host: authoritative answers from the
    /// committed rows; 0 picks a free port [default: off, or the config file's dns_port].
    #[arg(long, value_name = "N")]
    pub dns_port: Option<u16>,
}

/// Seconds, possibly fractional: `30`, `0.5`.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || !(0.0..=1e9).contains(&v) {
        return Err(format!("{s:?} is not a number of seconds between 0 and 1e9"));
    }
    Ok(Duration::from_secs_f64(v))
}

/// `--x` / `--no-x` → `Some(true)` / `Some(false)`; neither → `None`.
pub fn tri(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// A secret given on the command line: kept as a [`Secret`], so `Debug` of the arguments never shows it.
fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

#[cfg(test)]
mod secret_tests {
    use clap::Parser;

    #[test]
    fn debug_of_the_arguments_never_shows_a_secret() {
        let cli = super::Cli::try_parse_from(["hostapi", "velneo", "--api-key", "KeyOnTheCommandLine", "logout"]);
        let shown = format!("{:?}", cli.expect("parses"));
        assert!(shown.contains("api_key") && !shown.contains("KeyOnTheCommandLine"), "{shown}");
        let cli = super::Cli::try_parse_from(["hostapi", "wedos", "--password", "WapiOnTheCommandLine", "ping"]);
        assert!(!format!("{:?}", cli.expect("parses")).contains("WapiOnTheCommandLine"));
    }
}
