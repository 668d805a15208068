//! The configuration file as written: every field optional where a default exists, unknown
//! fields refused, and each value that is checked later kept with its byte span so that an
//! error can name its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `vigie.toml`, top level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub(crate) server: RawServer,
    #[serde(default)]
    pub(crate) receiver: RawReceiver,
    #[serde(default)]
    pub(crate) agent: RawAgent,
    #[serde(default)]
    pub(crate) poller: RawPoller,
    #[serde(default)]
    pub(crate) devices: Vec<RawDevice>,
    #[serde(default)]
    pub(crate) storage: RawStorage,
    #[serde(default)]
    pub(crate) thresholds: Vec<RawThreshold>,
    pub(crate) smtp: Option<RawSmtp>,
    #[serde(default)]
    pub(crate) actions: Vec<RawAction>,
    #[serde(default)]
    pub(crate) rules: Vec<RawRule>,
    #[serde(default)]
    pub(crate) delivery: RawDelivery,
}

/// `[delivery]`: how the outbox retries.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDelivery {
    pub(crate) retry_initial: Option<Spanned<String>>,
    pub(crate) retry_max: Option<Spanned<String>>,
    pub(crate) give_up_after: Option<Spanned<String>>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServer {
    pub(crate) data_dir: Option<Spanned<String>>,
    pub(crate) http: Option<Spanned<String>>,
}

/// `[receiver]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReceiver {
    pub(crate) enabled: Option<bool>,
    pub(crate) listen: Option<Vec<Spanned<String>>>,
    pub(crate) communities: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(crate) users: Vec<RawUser>,
}

/// `[[receiver.users]]` and the v3 part of `[[devices]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUser {
    pub(crate) name: Spanned<String>,
    pub(crate) engine_id: Option<Spanned<String>>,
    pub(crate) auth: Option<Spanned<String>>,
    pub(crate) auth_password: Option<Spanned<String>>,
    pub(crate) privacy: Option<Spanned<String>>,
    pub(crate) priv_password: Option<Spanned<String>>,
}

/// `[agent]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgent {
    pub(crate) enabled: Option<bool>,
    pub(crate) listen: Option<Spanned<String>>,
    pub(crate) community: Option<Spanned<String>>,
}

/// `[poller]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoller {
    pub(crate) interval: Option<Spanned<String>>,
    pub(crate) concurrency: Option<Spanned<i64>>,
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) retries: Option<Spanned<i64>>,
}

/// `[[devices]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDevice {
    pub(crate) name: Spanned<String>,
    pub(crate) address: Spanned<String>,
    pub(crate) version: Option<Spanned<String>>,
    pub(crate) community: Option<Spanned<String>>,
    pub(crate) user: Option<RawUser>,
    pub(crate) interval: Option<Spanned<String>>,
    pub(crate) enabled: Option<bool>,
}

/// `[storage]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStorage {
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) retention_days: Option<Spanned<i64>>,
    pub(crate) durability: Option<Spanned<String>>,
}

/// `[[thresholds]]`: a rule on polled values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawThreshold {
    pub(crate) name: Spanned<String>,
    pub(crate) object: Spanned<String>,
    pub(crate) condition: Spanned<String>,
    pub(crate) value: Spanned<f64>,
    pub(crate) rate: Option<bool>,
    pub(crate) polls: Option<Spanned<i64>>,
    pub(crate) severity: Option<Spanned<String>>,
    pub(crate) guard: Option<RawGuard>,
}

/// `guard = { object = "ifAdminStatus", equals = 1 }`: only rows where another object of
/// the same row has this value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGuard {
    pub(crate) object: Spanned<String>,
    pub(crate) equals: f64,
}

/// `[smtp]`: the relay e-mail actions go through.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmtp {
    pub(crate) host: Spanned<String>,
    pub(crate) port: Option<Spanned<i64>>,
    pub(crate) encryption: Option<Spanned<String>>,
    pub(crate) from: Spanned<String>,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<Spanned<String>>,
    pub(crate) ciphers: Option<Vec<String>>,
    pub(crate) tls_versions: Option<Spanned<String>>,
    pub(crate) insecure_plaintext_auth: Option<bool>,
    pub(crate) max_per_second: Option<Spanned<i64>>,
    pub(crate) max_per_day: Option<Spanned<i64>>,
}

/// `[[actions]]`: what a rule may do. The fields beyond `name` and `kind` depend on the kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAction {
    pub(crate) name: Spanned<String>,
    pub(crate) kind: Spanned<String>,
    pub(crate) to: Option<Vec<Spanned<String>>>,
    pub(crate) cc: Option<Vec<Spanned<String>>>,
    pub(crate) subject: Option<String>,
    pub(crate) body: Option<String>,
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) secret: Option<Spanned<String>>,
    pub(crate) target: Option<Spanned<String>>,
    pub(crate) transport: Option<Spanned<String>>,
    pub(crate) community: Option<Spanned<String>>,
    pub(crate) inform: Option<bool>,
    pub(crate) user: Option<Spanned<String>>,
    pub(crate) auth: Option<String>,
    pub(crate) auth_password: Option<String>,
    pub(crate) privacy: Option<String>,
    pub(crate) priv_password: Option<String>,
    pub(crate) engine_id: Option<String>,
}

/// `[[rules]]`: conditions on an alarm, and the actions that fire when they hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) name: Spanned<String>,
    pub(crate) actions: Spanned<Vec<Spanned<String>>>,
    pub(crate) severity: Option<Spanned<String>>,
    pub(crate) devices: Option<Vec<String>>,
    pub(crate) notifications: Option<Vec<String>>,
    pub(crate) sources: Option<Vec<Spanned<String>>>,
    pub(crate) varbinds: Option<BTreeMap<String, String>>,
    pub(crate) group_by: Option<Vec<Spanned<String>>>,
    pub(crate) group_wait: Option<Spanned<String>>,
    pub(crate) group_interval: Option<Spanned<String>>,
    pub(crate) repeat_interval: Option<Spanned<String>>,
}
