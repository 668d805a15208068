//! The typed configuration of response management: the SMTP relay, the actions, and what
//! `vigie serve` passes in ([`ResponseConfig`]). The same types are stored by the API.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use vigie_notify::{
    CipherList, Encryption, MinTlsVersion, RateLimit, RetryPolicy, Secret, SmtpConfig,
    SyslogTransport, TlsPolicy, TrustAnchors,
};

use crate::rules::RuleSpec;

/// Everything response management needs from the configuration file. Rules and actions
/// given here live beside those the API stores; a name defined in both is the file's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseConfig {
    /// The SMTP relay; the API's settings replace it when set.
    pub smtp: Option<SmtpSettings>,
    /// Actions from the file.
    pub actions: Vec<ActionSpec>,
    /// Rules from the file.
    pub rules: Vec<RuleSpec>,
    /// The web UI's base URL, e.g. `https://vigie.example.net`, for links to alarms in
    /// messages. Default: none (messages carry the alarm id only).
    pub public_url: Option<String>,
    /// Device groups: group name → device names, for [`crate::rules::Condition::DeviceGroup`].
    pub device_groups: Vec<(String, Vec<String>)>,
    /// The outbox's retries. Default: 30 s doubling to 30 min, abandoned after 3 days.
    pub retry: RetryPolicy,
}

/// The protection of the SMTP connection, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncryptionMode {
    /// Plain text; AUTH refused unless `allow_plaintext_auth`.
    None,
    /// STARTTLS, required (RFC 3207).
    Starttls,
    /// TLS from the first byte (RFC 8314).
    ImplicitTls,
}

impl EncryptionMode {
    /// The mode proposed for `port`: 465 and 2465 implicit TLS; 25, 587, 2587 (and any
    /// other) STARTTLS.
    pub fn for_port(port: u16) -> Self {
        match Encryption::for_port(port) {
            Encryption::ImplicitTls => Self::ImplicitTls,
            Encryption::StartTls | Encryption::None => Self::Starttls,
        }
    }

    fn to_notify(self) -> Encryption {
        match self {
            Self::None => Encryption::None,
            Self::Starttls => Encryption::StartTls,
            Self::ImplicitTls => Encryption::ImplicitTls,
        }
    }
}

/// The TLS protocol versions the SMTP connection accepts (RFC 8996 retired 1.0 and 1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3 (RFC 5246, RFC 8446): the default, since SES and most relays still
    /// negotiate 1.2.
    #[default]
    #[serde(rename = "1.2+")]
    Tls12AndTls13,
    /// TLS 1.3 only (RFC 8446).
    #[serde(rename = "1.3")]
    Tls13Only,
}

impl TlsVersions {
    fn to_notify(self) -> MinTlsVersion {
        match self {
            Self::Tls12AndTls13 => MinTlsVersion::Tls12,
            Self::Tls13Only => MinTlsVersion::Tls13,
        }
    }
}

/// The TLS policy of the SMTP relay, as the API and the web page show and change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpTlsSettings {
    /// The protocol versions accepted.
    pub tls_versions: TlsVersions,
    /// Cipher suites by IANA or OpenSSL names; `None` for the default (ECDHE and TLS 1.3,
    /// AEAD only).
    pub ciphers: Option<String>,
    /// Accept any certificate and host name. Dangerous.
    pub dangerous_accept_invalid_certs: bool,
    /// Trust the system's root certificates besides the trust store's.
    pub system_roots: bool,
}

/// The SMTP relay e-mail actions go through (the seed's SES settings).
///
/// The password deserialises but never serialises: an API answer or a log line built from
/// these settings cannot show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name of the relay, e.g. `email-smtp.eu-west-1.amazonaws.com`.
    pub server: String,
    /// TCP port, e.g. 587.
    pub port: u16,
    /// The sender address (for SES, a verified identity).
    pub from: String,
    /// The sender's display name. Default: `vigie`.
    #[serde(default = "default_from_name")]
    pub from_name: Option<String>,
    /// AUTH user name (for SES, the SMTP user name, not an IAM access key). Default: no AUTH.
    #[serde(default)]
    pub username: Option<String>,
    /// AUTH password (for SES, the SMTP password derived from the secret key).
    #[serde(default, skip_serializing, deserialize_with = "secret")]
    pub password: Secret,
    /// Encryption. Default: proposed from the port.
    #[serde(default)]
    pub encryption: Option<EncryptionMode>,
    /// The EHLO name. Default: `localhost`.
    #[serde(default = "default_helo")]
    pub helo_name: String,
    /// Per-step timeout in seconds (connect, TLS, each command). Default: 10 s.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Allow AUTH over an unencrypted connection. Insecure. Default: no.
    #[serde(default)]
    pub allow_plaintext_auth: bool,
    /// Trust the system's root certificates besides the trust store's. Default: yes.
    #[serde(default = "yes")]
    pub system_roots: bool,
    /// TLS protocol versions: `"1.2+"` (1.2 and 1.3) or `"1.3"`. Default: `"1.2+"`.
    #[serde(default)]
    pub tls_versions: TlsVersions,
    /// Cipher suites by IANA or OpenSSL names, colon- or comma-separated. Default: ECDHE
    /// and TLS 1.3 with AEAD.
    #[serde(default)]
    pub ciphers: Option<String>,
    /// Accept any certificate and host name. Dangerous. Default: no.
    #[serde(default)]
    pub dangerous_accept_invalid_certs: bool,
    /// At most this many messages per second (SES sandbox: 1). Default: no limit.
    #[serde(default)]
    pub max_per_second: Option<u32>,
    /// At most this many messages per day (SES sandbox: 200). Default: no limit.
    #[serde(default)]
    pub max_per_day: Option<u32>,
}

/// Why SMTP settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// AUTH over plain text without the explicit permission.
    #[error(
        "a user name is set with encryption none: the password would cross the network in clear; use STARTTLS or implicit TLS, or set allow_plaintext_auth"
    )]
    PlaintextAuth,
    /// The cipher list is not usable.
    #[error("ciphers: {0}")]
    Ciphers(#[from] vigie_notify::TlsPolicyError),
    /// A field is empty or out of range.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

impl SmtpSettings {
    /// Settings for `server:port` sending as `from`, everything else by default.
    pub fn new(server: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            server: server.into(),
            port,
            from: from.into(),
            from_name: default_from_name(),
            username: None,
            password: Secret::default(),
            encryption: None,
            helo_name: default_helo(),
            timeout_secs: default_timeout(),
            allow_plaintext_auth: false,
            system_roots: true,
            tls_versions: TlsVersions::default(),
            ciphers: None,
            dangerous_accept_invalid_certs: false,
            max_per_second: None,
            max_per_day: None,
        }
    }

    /// The encryption in effect: the configured one, or the port's.
    pub fn effective_encryption(&self) -> EncryptionMode {
        self.encryption
            .unwrap_or_else(|| EncryptionMode::for_port(self.port))
    }

    /// Checks the settings: non-empty server and sender, no AUTH in clear unless allowed, a
    /// valid cipher list.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.server.trim().is_empty() {
            return Err(SettingsError::Empty("server"));
        }
        if self.from.trim().is_empty() {
            return Err(SettingsError::Empty("from"));
        }
        if self.effective_encryption() == EncryptionMode::None
            && self.username.is_some()
            && !self.allow_plaintext_auth
        {
            return Err(SettingsError::PlaintextAuth);
        }
        self.tls_policy()?.check()?;
        Ok(())
    }

    /// The TLS policy: versions and validated cipher list.
    fn tls_policy(&self) -> Result<TlsPolicy, SettingsError> {
        Ok(TlsPolicy {
            min_version: self.tls_versions.to_notify(),
            ciphers: self.ciphers.as_deref().map(CipherList::parse).transpose()?,
        })
    }

    /// The TLS part of the settings.
    pub fn tls(&self) -> SmtpTlsSettings {
        SmtpTlsSettings {
            tls_versions: self.tls_versions,
            ciphers: self.ciphers.clone(),
            dangerous_accept_invalid_certs: self.dangerous_accept_invalid_certs,
            system_roots: self.system_roots,
        }
    }

    /// Replaces the TLS part of the settings, after checking it (an unknown cipher name, or
    /// a list with no suite for the versions allowed, is refused and nothing changes).
    pub fn set_tls(&mut self, tls: SmtpTlsSettings) -> Result<(), SettingsError> {
        let mut changed = self.clone();
        changed.tls_versions = tls.tls_versions;
        changed.ciphers = tls.ciphers.filter(|c| !c.trim().is_empty());
        changed.dangerous_accept_invalid_certs = tls.dangerous_accept_invalid_certs;
        changed.system_roots = tls.system_roots;
        changed.tls_policy()?.check()?;
        *self = changed;
        Ok(())
    }

    /// vigie-notify's configuration, trusting `trusted` (the trust store's certificates).
    pub fn to_config(&self, trusted: &TrustAnchors) -> Result<SmtpConfig, SettingsError> {
        self.validate()?;
        let mut config = SmtpConfig::new(&self.server, self.port, &self.from);
        if let Some(username) = &self.username {
            config = config.with_credentials(username, self.password.clone());
        }
        config.encryption = self.effective_encryption().to_notify();
        config.helo_name.clone_from(&self.helo_name);
        let step = Duration::from_secs(self.timeout_secs.max(1));
        config.timeouts.connect = step;
        config.timeouts.tls = step;
        config.timeouts.greeting = step;
        config.timeouts.command = step;
        config.timeouts.data_end = step.saturating_mul(2);
        config.tls = self.tls_policy()?;
        config.trust = TrustAnchors {
            system_roots: self.system_roots,
            certificates: trusted.certificates.clone(),
        };
        config.dangerous_accept_invalid_certs = self.dangerous_accept_invalid_certs;
        config.insecure_plaintext_auth = self.allow_plaintext_auth;
        Ok(config)
    }

    /// The rate limit of the relay, if any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        (self.max_per_second.is_some() || self.max_per_day.is_some()).then_some(RateLimit {
            per_second: self.max_per_second,
            per_day: self.max_per_day,
        })
    }
}

/// An action: what a rule does when it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionSpec {
    /// The action's name, unique; the troubleshooting log names it.
    pub name: String,
    /// What it does.
    #[serde(flatten)]
    pub kind: ActionKind,
}

/// The kinds of action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionKind {
    /// An e-mail through the SMTP relay.
    Email(EmailAction),
    /// A JSON POST signed with HMAC-SHA256.
    Webhook(WebhookAction),
    /// An RFC 5424 syslog message.
    Syslog(SyslogAction),
    /// The notification forwarded as an SNMPv2c trap or inform.
    TrapForward(TrapForwardAction),
}

impl ActionKind {
    /// `email`, `webhook`, `syslog` or `trap_forward`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::Webhook(_) => "webhook",
            Self::Syslog(_) => "syslog",
            Self::TrapForward(_) => "trap_forward",
        }
    }
}

/// An e-mail action. Subject and body are minijinja templates over `device`, `alarm`,
/// `severity`, `status`, `time`, `varbinds`, `notification`, `link`, `alerts` and `rule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailAction {
    /// Recipients, at least one.
    pub to: Vec<String>,
    /// Copies. Default: none.
    #[serde(default)]
    pub cc: Vec<String>,
    /// The subject template. Default: [`super::render::DEFAULT_SUBJECT`].
    #[serde(default)]
    pub subject: Option<String>,
    /// The body template. Default: [`super::render::DEFAULT_BODY`].
    #[serde(default)]
    pub body: Option<String>,
}

/// A webhook action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookAction {
    /// `https://host[:port]/path` (or `http://`, for a receiver on a trusted network).
    pub url: String,
    /// The HMAC-SHA256 key; never serialised.
    #[serde(default, skip_serializing, deserialize_with = "secret")]
    pub secret: Secret,
    /// Accept any certificate. Dangerous. Default: no.
    #[serde(default)]
    pub dangerous_accept_invalid_certs: bool,
}

/// A syslog action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogAction {
    /// The receiver's host.
    pub host: String,
    /// Its port. Default: 514 (UDP, TCP), 6514 (TLS).
    #[serde(default)]
    pub port: Option<u16>,
    /// `udp`, `tcp` or `tls`. Default: `udp`.
    #[serde(default)]
    pub transport: SyslogTransportName,
    /// The facility, 0–23. Default: 16 (local0).
    #[serde(default = "local0")]
    pub facility: u8,
    /// The message template. Default: [`super::render::DEFAULT_SUBJECT`].
    #[serde(default)]
    pub message: Option<String>,
}

/// The syslog transport, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyslogTransportName {
    /// RFC 5426.
    #[default]
    Udp,
    /// RFC 6587 octet counting.
    Tcp,
    /// RFC 5425.
    Tls,
}

impl SyslogTransportName {
    pub(crate) fn to_notify(self) -> SyslogTransport {
        match self {
            Self::Udp => SyslogTransport::Udp,
            Self::Tcp => SyslogTransport::Tcp,
            Self::Tls => SyslogTransport::Tls,
        }
    }
}

/// A trap or inform forward (RFC 3416 §4.2.6 and §4.2.7): SNMPv2c with a community, or
/// SNMPv3 with a USM user when `usm` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrapForwardAction {
    /// The receiver, `host:port` (port 162 by default).
    pub target: String,
    /// The community (SNMPv2c); never serialised.
    #[serde(default, skip_serializing, deserialize_with = "secret")]
    pub community: Secret,
    /// Send an InformRequest and wait for its acknowledgement. Default: a trap.
    #[serde(default)]
    pub inform: bool,
    /// SNMPv3: the USM user to send as (RFC 3414). Default: SNMPv2c with `community`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usm: Option<ForwardUsm>,
}

/// The SNMPv3 user of a forward (RFC 3414). Passwords deserialise but never serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardUsm {
    /// The USM user name.
    pub user: String,
    /// `MD5`, `SHA`, `SHA-224`, `SHA-256`, `SHA-384` or `SHA-512`; none for noAuthNoPriv.
    #[serde(default)]
    pub auth_protocol: Option<String>,
    /// The authentication password (8 characters at least).
    #[serde(default, skip_serializing, deserialize_with = "secret")]
    pub auth_password: Secret,
    /// `DES`, `3DES`, `AES`, `AES-192` or `AES-256`; none for authNoPriv.
    #[serde(default)]
    pub priv_protocol: Option<String>,
    /// The privacy password (8 characters at least).
    #[serde(default, skip_serializing, deserialize_with = "secret")]
    pub priv_password: Secret,
    /// Traps: this sender's engine ID in hex (the receiver's `createUser -e`). Default: one
    /// made from the host name under vigie's enterprise number (RFC 3411 text format).
    #[serde(default)]
    pub engine_id: Option<String>,
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "serde's default functions return the field's type"
)]
fn default_from_name() -> Option<String> {
    Some("vigie".to_owned())
}

fn default_helo() -> String {
    "localhost".to_owned()
}

fn default_timeout() -> u64 {
    10
}

fn yes() -> bool {
    true
}

fn local0() -> u8 {
    16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_is_proposed_from_the_port() {
        for (port, mode) in [
            (465, EncryptionMode::ImplicitTls),
            (2465, EncryptionMode::ImplicitTls),
            (25, EncryptionMode::Starttls),
            (587, EncryptionMode::Starttls),
            (2587, EncryptionMode::Starttls),
        ] {
            assert_eq!(
                SmtpSettings::new("h", port, "a@b").effective_encryption(),
                mode
            );
        }
    }

    #[test]
    fn the_tls_policy_is_checked_before_it_changes() {
        let mut settings = SmtpSettings::new("h", 587, "a@b");
        let json: serde_json::Value = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["tls_versions"], "1.2+");
        let mut tls = settings.tls();
        tls.tls_versions = TlsVersions::Tls13Only;
        tls.ciphers = Some("ECDHE-RSA-AES128-GCM-SHA256".into());
        assert_eq!(
            settings.set_tls(tls.clone()),
            Err(SettingsError::Ciphers(
                vigie_notify::TlsPolicyError::VersionMismatch
            ))
        );
        assert_eq!(settings.tls_versions, TlsVersions::Tls12AndTls13);
        assert_eq!(settings.ciphers, None);
        tls.ciphers = Some("TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256".into());
        settings.set_tls(tls).unwrap();
        assert_eq!(settings.tls().tls_versions, TlsVersions::Tls13Only);
        let config = settings.to_config(&TrustAnchors::default()).unwrap();
        assert_eq!(config.tls.min_version, MinTlsVersion::Tls13);
        let read: SmtpSettings =
            serde_json::from_str(r#"{"server":"h","port":25,"from":"a@b","tls_versions":"1.3"}"#)
                .unwrap();
        assert_eq!(read.tls_versions, TlsVersions::Tls13Only);
        assert!(
            serde_json::from_str::<SmtpSettings>(
                r#"{"server":"h","port":25,"from":"a@b","tls_versions":"1.1"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn auth_in_clear_is_refused_unless_allowed() {
        let mut settings = SmtpSettings::new("h", 25, "a@b");
        settings.encryption = Some(EncryptionMode::None);
        settings.username = Some("u".into());
        assert_eq!(settings.validate(), Err(SettingsError::PlaintextAuth));
        settings.allow_plaintext_auth = true;
        assert_eq!(settings.validate(), Ok(()));
        settings.ciphers = Some("NOT-A-CIPHER".into());
        assert!(matches!(
            settings.validate(),
            Err(SettingsError::Ciphers(_))
        ));
    }

    #[test]
    fn secrets_are_read_but_never_written() {
        let json = r#"{"server":"h","port":587,"from":"a@b","username":"u","password":"hunter2"}"#;
        let settings: SmtpSettings = serde_json::from_str(json).unwrap();
        assert_eq!(settings.password.expose(), "hunter2");
        let out = serde_json::to_string(&settings).unwrap();
        assert!(!out.contains("hunter2"), "{out}");
        let action: ActionSpec = serde_json::from_str(
            r#"{"name":"hook","kind":"webhook","url":"https://h/x","secret":"k3y"}"#,
        )
        .unwrap();
        assert!(!serde_json::to_string(&action).unwrap().contains("k3y"));
        assert!(!format!("{action:?}").contains("k3y"));
    }

    #[test]
    fn actions_read_from_json() {
        let action: ActionSpec = serde_json::from_str(
            r#"{"name":"noc","kind":"email","to":["noc@example.com"],"subject":"{{ device }}"}"#,
        )
        .unwrap();
        let ActionKind::Email(email) = &action.kind else {
            panic!("e-mail");
        };
        assert_eq!(email.to, ["noc@example.com"]);
        assert!(email.body.is_none());
        assert_eq!(action.kind.name(), "email");
    }
}
