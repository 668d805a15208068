//! `vigie serve`'s configuration: a TOML file read in two stages, [`raw`] (as written, unknown
//! fields refused) then [`Config`] (validated types that cannot hold an invalid value).
//! Every error names the file, the line and the field:
//! `vigie.toml:12: [receiver] listen: invalid address "x"`.
//!
//! With no file, [`Config::default`] is the embedded default: HTTP on 127.0.0.1:8080, the
//! trap receiver on UDP 162, the built-in agent on 127.0.0.1:16100 polled as `localhost`,
//! events kept 30 days. `docs/configuration.md` describes every field.

mod error;
pub(crate) mod permissions;
mod raw;
mod secret;
mod validate;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use vigie_manager::alarm::Severity;
use vigie_manager::store::{Durability, PostgresUrl};
use vigie_snmp::Version;
use vigie_snmp::usm::{AuthProtocol, EngineId, PrivProtocol};

pub(crate) use self::error::ConfigError;
pub(crate) use self::secret::Secret;

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// `[server]`.
    pub(crate) server: ServerConfig,
    /// `[receiver]`.
    pub(crate) receiver: ReceiverSettings,
    /// `[agent]`.
    pub(crate) agent: AgentSettings,
    /// `[poller]`.
    pub(crate) poller: PollerSettings,
    /// `[[devices]]`.
    pub(crate) devices: Vec<DeviceSettings>,
    /// `[storage]`.
    pub(crate) storage: StorageSettings,
    /// `[[thresholds]]`.
    pub(crate) thresholds: Vec<ThresholdSettings>,
    /// `[smtp]`.
    pub(crate) smtp: Option<SmtpSettings>,
    /// `[[actions]]`.
    pub(crate) actions: Vec<ActionSettings>,
    /// `[[rules]]`.
    pub(crate) rules: Vec<RuleSettings>,
    /// `[delivery]`.
    pub(crate) delivery: DeliverySettings,
}

/// `[delivery]`: the outbox's retries after a transient failure (exponential back-off
/// with jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeliverySettings {
    /// The delay after the first failure; it doubles at each retry.
    pub(crate) retry_initial: Duration,
    /// The longest delay.
    pub(crate) retry_max: Duration,
    /// A notification still undelivered this long after it was stored is abandoned.
    pub(crate) give_up_after: Duration,
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerConfig {
    /// The data directory; `None` means the platform default (see `serve::paths`).
    pub(crate) data_dir: Option<PathBuf>,
    /// Where the HTTP API listens.
    pub(crate) http: SocketAddr,
}

/// `[receiver]`: the trap and inform receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceiverSettings {
    /// Whether to receive notifications at all.
    pub(crate) enabled: bool,
    /// UDP addresses to listen on.
    pub(crate) listen: Vec<SocketAddr>,
    /// Communities accepted from v1 and v2c senders.
    pub(crate) communities: Vec<Secret>,
    /// USM users accepted from v3 senders.
    pub(crate) users: Vec<UsmUser>,
}

/// A USM user (RFC 3414), for the receiver or a polled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsmUser {
    /// The user name.
    pub(crate) name: String,
    /// The authoritative engine the keys are localised to, when fixed (a v3 trap sender's).
    pub(crate) engine_id: Option<EngineId>,
    /// Authentication protocol and password; `None` for noAuthNoPriv.
    pub(crate) auth: Option<(AuthProtocol, Secret)>,
    /// Privacy protocol and password; only with authentication.
    pub(crate) privacy: Option<(PrivProtocol, Secret)>,
}

/// `[agent]`: the built-in agent for the local host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AgentSettings {
    /// Whether to run it (and poll it as `localhost`).
    pub(crate) enabled: bool,
    /// Where it listens (loopback by default).
    pub(crate) listen: SocketAddr,
    /// Its read-only community.
    pub(crate) community: Secret,
}

/// `[poller]`: defaults for every device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PollerSettings {
    /// Time between two polls of a device.
    pub(crate) interval: Duration,
    /// Devices polled at once, at most.
    pub(crate) concurrency: usize,
    /// How long to wait for an answer.
    pub(crate) timeout: Duration,
    /// Retries after a timeout.
    pub(crate) retries: u32,
}

/// `[[devices]]`: a device of the inventory, managed by the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceSettings {
    /// Its unique name.
    pub(crate) name: String,
    /// Its address.
    pub(crate) address: IpAddr,
    /// Its SNMP port.
    pub(crate) port: u16,
    /// How to talk to it.
    pub(crate) credentials: DeviceCredentials,
    /// Its own poll interval, else the poller's.
    pub(crate) interval: Option<Duration>,
    /// Whether it is polled.
    pub(crate) enabled: bool,
}

/// The SNMP version and credentials of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeviceCredentials {
    /// v1 or v2c with a community.
    Community {
        /// `V1` or `V2c`.
        version: Version,
        /// The community.
        community: Secret,
    },
    /// v3 with a USM user.
    Usm(UsmUser),
}

/// `[storage]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StorageSettings {
    /// A PostgreSQL database instead of the SQLite file in the data directory.
    pub(crate) url: Option<PostgresUrl>,
    /// Events older than this are pruned, once a day.
    pub(crate) retention: Duration,
    /// How hard a commit waits for the disk.
    pub(crate) durability: Durability,
}

/// `[[thresholds]]`: a rule on polled values, in the poller's terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ThresholdSettings {
    /// The rule's name (the alarm key names it).
    pub(crate) name: String,
    /// The polled object, by the name the poller knows it by (`ifOperStatus`,
    /// `hrProcessorLoad`, `ifHCInOctets`, …).
    pub(crate) object: String,
    /// The comparison.
    pub(crate) condition: Comparison,
    /// The value compared with.
    pub(crate) value: f64,
    /// Compare the counter's rate per second rather than the value.
    pub(crate) rate: bool,
    /// Consecutive polls the condition must hold before the alarm is raised.
    pub(crate) polls: u32,
    /// The alarm's severity.
    pub(crate) severity: Severity,
    /// Only rows where this other object of the same row has this value.
    pub(crate) guard: Option<(String, f64)>,
}

/// A threshold's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    /// `>`
    Above,
    /// `<`
    Below,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

/// `[smtp]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmtpSettings {
    /// The relay's host name.
    pub(crate) host: String,
    /// Its port.
    pub(crate) port: u16,
    /// How the connection is protected.
    pub(crate) encryption: SmtpEncryption,
    /// The From address (a verified identity at Amazon SES).
    pub(crate) from: String,
    /// AUTH user and password, when the relay asks for them.
    pub(crate) login: Option<(String, Secret)>,
    /// TLS cipher suites allowed, in rustls names; empty for the default policy.
    pub(crate) ciphers: Vec<String>,
    /// TLS 1.3 only (`tls_versions = "1.3"`); TLS 1.2 and 1.3 otherwise.
    pub(crate) tls13_only: bool,
    /// AUTH without TLS: refused unless this is set.
    pub(crate) insecure_plaintext_auth: bool,
    /// At most this many messages per second (SES sandbox: 1).
    pub(crate) max_per_second: Option<u32>,
    /// At most this many messages per day (SES sandbox: 200).
    pub(crate) max_per_day: Option<u32>,
}

/// The SMTP connection's protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmtpEncryption {
    /// Plain SMTP.
    None,
    /// STARTTLS (RFC 3207), ports 25, 587, 2587.
    StartTls,
    /// TLS from the first byte, ports 465, 2465.
    ImplicitTls,
}

/// `[[actions]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionSettings {
    /// Its unique name, which rules refer to.
    pub(crate) name: String,
    /// What it does.
    pub(crate) kind: ActionKind,
}

/// What an action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// An e-mail through `[smtp]`.
    Email {
        /// Recipients.
        to: Vec<String>,
        /// Copies.
        cc: Vec<String>,
        /// Subject template; `None` for the built-in one.
        subject: Option<String>,
        /// Body template; `None` for the built-in one.
        body: Option<String>,
    },
    /// A signed JSON POST.
    Webhook {
        /// `http://` or `https://` URL.
        url: String,
        /// The HMAC-SHA256 key.
        secret: Option<Secret>,
    },
    /// An RFC 5424 syslog message.
    Syslog {
        /// `HOST:PORT`.
        target: String,
        /// `udp`, `tcp` or `tls`.
        transport: SyslogTransport,
    },
    /// The notification forwarded as a trap, or an inform (acknowledged): v2c with a
    /// community, or v3 with a USM user.
    Trap {
        /// `HOST:PORT`.
        target: String,
        /// v2c: the community.
        community: Option<Secret>,
        /// v3: the USM user, checked to make keys.
        usm: Option<vigie_manager::actions::ForwardUsm>,
        /// Send an inform and wait for its acknowledgement.
        inform: bool,
    },
}

/// How syslog messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyslogTransport {
    /// RFC 5426.
    Udp,
    /// RFC 6587, octet counting.
    Tcp,
    /// RFC 5425.
    Tls,
}

/// `[[rules]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleSettings {
    /// Its name.
    pub(crate) name: String,
    /// The actions it fires, by name (each one checked to exist).
    pub(crate) actions: Vec<String>,
    /// The least severity it matches.
    pub(crate) severity: Option<Severity>,
    /// Devices it matches; empty for all.
    pub(crate) devices: Vec<String>,
    /// Notification names or OIDs it matches; empty for all.
    pub(crate) notifications: Vec<String>,
    /// Alarm sources it matches (`trap`, `poll`, `system`); empty for all.
    pub(crate) sources: Vec<vigie_manager::alarm::Source>,
    /// Varbind name → value it requires.
    pub(crate) varbinds: Vec<(String, String)>,
    /// Alarms grouped into one message by these labels (`device`, `alarm_type`,
    /// `alarm_key`, `severity`); empty for the default (device and alarm type).
    pub(crate) group_by: Vec<String>,
    /// Wait before the first message of a group.
    pub(crate) group_wait: Duration,
    /// Wait between messages of a group that changes.
    pub(crate) group_interval: Duration,
    /// Wait before repeating an unchanged group.
    pub(crate) repeat_interval: Duration,
}

impl Config {
    /// Reads and validates `path`; warns on standard error when the file holds secrets that
    /// other users can read ([`permissions`]).
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        if let Some(warning) = permissions::warning(path, &text) {
            eprintln!("vigie: warning: {warning}");
        }
        Self::parse(&path.display().to_string(), &text)
    }

    /// Validates `text`, read from the file `file` (named in errors).
    pub(crate) fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let raw: raw::RawConfig = toml::from_str(text)
            .map_err(|error| ConfigError::syntax(file, text, error.span(), error.message()))?;
        validate::Validator { file, text }.config(raw)
    }

    /// The settings that changed between `self` and `new` but apply only at the next start.
    pub(crate) fn restart_needed(&self, new: &Self) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.server.data_dir != new.server.data_dir {
            changed.push("[server] data_dir");
        }
        if self.server.http != new.server.http {
            changed.push("[server] http");
        }
        if self.receiver.enabled != new.receiver.enabled
            || self.receiver.listen != new.receiver.listen
        {
            changed.push("[receiver] listen");
        }
        if self.agent.enabled != new.agent.enabled || self.agent.listen != new.agent.listen {
            changed.push("[agent] listen");
        }
        if self.storage.durability != new.storage.durability {
            changed.push("[storage] durability");
        }
        if self.storage.url != new.storage.url {
            changed.push("[storage] url");
        }
        // `[poller]`, `[[thresholds]]`, `[smtp]`, `[[actions]]`, `[[rules]]` and
        // `[delivery]` apply live (`serve::reload`).
        changed
    }
}

impl Default for Config {
    /// The embedded defaults, as the documentation lists them.
    fn default() -> Self {
        Self {
            server: ServerConfig {
                data_dir: None,
                http: DEFAULT_HTTP,
            },
            receiver: ReceiverSettings {
                enabled: true,
                listen: vec![DEFAULT_TRAPS],
                communities: vec![Secret::new("public")],
                users: Vec::new(),
            },
            agent: AgentSettings {
                enabled: true,
                listen: DEFAULT_AGENT,
                community: Secret::new("public"),
            },
            poller: PollerSettings {
                interval: Duration::from_secs(60),
                concurrency: 64,
                timeout: Duration::from_secs(1),
                retries: 2,
            },
            devices: Vec::new(),
            storage: StorageSettings {
                url: None,
                retention: Duration::from_secs(30 * 86_400),
                durability: Durability::Full,
            },
            thresholds: Vec::new(),
            smtp: None,
            actions: Vec::new(),
            rules: Vec::new(),
            delivery: DeliverySettings {
                retry_initial: Duration::from_secs(30),
                retry_max: Duration::from_secs(30 * 60),
                give_up_after: Duration::from_secs(3 * 86_400),
            },
        }
    }
}

/// HTTP on loopback: the API and UI are reachable from elsewhere only when asked for.
pub(crate) const DEFAULT_HTTP: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
/// The trap port of RFC 3417 §3 on every IPv4 address.
pub(crate) const DEFAULT_TRAPS: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 162);
/// The built-in agent: loopback only, a port clear of snmpd's 161 and the 1161 of test setups.
pub(crate) const DEFAULT_AGENT: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 16_100);

#[cfg(test)]
mod tests;
