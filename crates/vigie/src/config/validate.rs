//! The second stage: [`RawConfig`] into [`Config`], each value checked where it was written.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;
use vigie_manager::alarm::{Severity, Source};
use vigie_manager::poller::PolledObject;
use vigie_manager::store::{Durability, PostgresUrl};
use vigie_snmp::Version;
use vigie_snmp::usm::{AuthProtocol, EngineId, PrivProtocol};

use super::error::line_of;
use super::raw::{
    RawAction, RawAgent, RawConfig, RawDelivery, RawDevice, RawPoller, RawReceiver, RawRule,
    RawServer, RawSmtp, RawStorage, RawThreshold, RawUser,
};
use super::{
    ActionKind, ActionSettings, AgentSettings, Comparison, Config, ConfigError, DeliverySettings,
    DeviceCredentials, DeviceSettings, PollerSettings, ReceiverSettings, RuleSettings, Secret,
    ServerConfig, SmtpEncryption, SmtpSettings, StorageSettings, SyslogTransport,
    ThresholdSettings, UsmUser,
};

/// Checks a raw configuration read from `file`, whose text locates the errors.
pub(super) struct Validator<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Validator<'_> {
    /// The whole file.
    pub(super) fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let defaults = Config::default();
        let poller = self.poller(raw.poller, defaults.poller)?;
        let mut names = BTreeSet::new();
        let mut devices = Vec::with_capacity(raw.devices.len());
        for device in raw.devices {
            if !names.insert(device.name.get_ref().clone()) {
                return Err(self.invalid(
                    device.name.span(),
                    "[[devices]] name",
                    format!("{:?} is used by another device", device.name.get_ref()),
                ));
            }
            devices.push(self.device(device)?);
        }
        let actions = self.actions(raw.actions)?;
        let rules = raw
            .rules
            .into_iter()
            .map(|rule| self.rule(rule, &actions))
            .collect::<Result<_, _>>()?;
        Ok(Config {
            server: self.server(raw.server, defaults.server)?,
            receiver: self.receiver(raw.receiver, defaults.receiver)?,
            agent: self.agent(raw.agent, defaults.agent)?,
            poller,
            devices,
            storage: self.storage(raw.storage, defaults.storage)?,
            thresholds: raw
                .thresholds
                .into_iter()
                .map(|threshold| self.threshold(threshold))
                .collect::<Result<_, _>>()?,
            smtp: raw.smtp.map(|smtp| self.smtp(smtp)).transpose()?,
            actions,
            rules,
            delivery: self.delivery(raw.delivery, defaults.delivery)?,
        })
    }

    fn delivery(
        &self,
        raw: RawDelivery,
        defaults: DeliverySettings,
    ) -> Result<DeliverySettings, ConfigError> {
        let retry_initial = self.duration_or(
            raw.retry_initial.clone(),
            "[delivery] retry_initial",
            defaults.retry_initial,
        )?;
        let retry_max = self.duration_or(
            raw.retry_max.clone(),
            "[delivery] retry_max",
            defaults.retry_max,
        )?;
        let give_up_after = self.duration_or(
            raw.give_up_after,
            "[delivery] give_up_after",
            defaults.give_up_after,
        )?;
        if retry_max < retry_initial {
            let span = raw
                .retry_max
                .or(raw.retry_initial)
                .map_or(0..0, |text| text.span());
            return Err(self.invalid(
                span,
                "[delivery] retry_max",
                format!("{retry_max:?} is below retry_initial ({retry_initial:?})"),
            ));
        }
        Ok(DeliverySettings {
            retry_initial,
            retry_max,
            give_up_after,
        })
    }

    fn server(&self, raw: RawServer, defaults: ServerConfig) -> Result<ServerConfig, ConfigError> {
        let data_dir = match raw.data_dir {
            Some(dir) if dir.get_ref().is_empty() => {
                return Err(self.invalid(dir.span(), "[server] data_dir", "is empty"));
            }
            Some(dir) => Some(PathBuf::from(dir.into_inner())),
            None => defaults.data_dir,
        };
        let http = match raw.http {
            Some(text) => self.socket_address(&text, "[server] http")?,
            None => defaults.http,
        };
        Ok(ServerConfig { data_dir, http })
    }

    fn receiver(
        &self,
        raw: RawReceiver,
        defaults: ReceiverSettings,
    ) -> Result<ReceiverSettings, ConfigError> {
        let listen = match raw.listen {
            Some(list) => list
                .iter()
                .map(|text| self.socket_address(text, "[receiver] listen"))
                .collect::<Result<_, _>>()?,
            None => defaults.listen,
        };
        let communities = match raw.communities {
            Some(list) => list
                .into_iter()
                .map(|community| self.community(community, "[receiver] communities"))
                .collect::<Result<_, _>>()?,
            None => defaults.communities,
        };
        let users = raw
            .users
            .into_iter()
            .map(|user| {
                if user.auth.is_none() {
                    return Err(self.invalid(
                        user.name.span(),
                        "[[receiver.users]] auth",
                        "a receiver user needs auth (v1 and v2c senders use a community)",
                    ));
                }
                self.user(user, "[[receiver.users]]")
            })
            .collect::<Result<_, _>>()?;
        Ok(ReceiverSettings {
            enabled: raw.enabled.unwrap_or(defaults.enabled),
            listen,
            communities,
            users,
        })
    }

    fn agent(&self, raw: RawAgent, defaults: AgentSettings) -> Result<AgentSettings, ConfigError> {
        Ok(AgentSettings {
            enabled: raw.enabled.unwrap_or(defaults.enabled),
            listen: match raw.listen {
                Some(text) => self.socket_address(&text, "[agent] listen")?,
                None => defaults.listen,
            },
            community: match raw.community {
                Some(community) => self.community(community, "[agent] community")?,
                None => defaults.community,
            },
        })
    }

    fn poller(
        &self,
        raw: RawPoller,
        defaults: PollerSettings,
    ) -> Result<PollerSettings, ConfigError> {
        Ok(PollerSettings {
            interval: self.duration_or(raw.interval, "[poller] interval", defaults.interval)?,
            concurrency: match raw.concurrency {
                Some(n) => self.bounded(&n, "[poller] concurrency", 1, 100_000)?,
                None => defaults.concurrency,
            },
            timeout: self.duration_or(raw.timeout, "[poller] timeout", defaults.timeout)?,
            retries: match raw.retries {
                Some(n) => self.bounded(&n, "[poller] retries", 0, 20)?,
                None => defaults.retries,
            },
        })
    }

    fn device(&self, raw: RawDevice) -> Result<DeviceSettings, ConfigError> {
        let (address, port) = self.device_address(&raw.address)?;
        let version = match &raw.version {
            None => Version::V2c,
            Some(text) => match text.get_ref().as_str() {
                "v1" | "1" => Version::V1,
                "v2c" | "2c" => Version::V2c,
                "v3" | "3" => Version::V3,
                other => {
                    return Err(self.invalid(
                        text.span(),
                        "[[devices]] version",
                        format!("{other:?} is not \"v1\", \"v2c\" or \"v3\""),
                    ));
                }
            },
        };
        let credentials = match (version, raw.community, raw.user) {
            (Version::V3, None, Some(user)) => {
                DeviceCredentials::Usm(self.user(user, "[devices.user]")?)
            }
            (Version::V3, _, None) => {
                return Err(self.invalid(
                    raw.name.span(),
                    "[[devices]] user",
                    "a v3 device needs a [devices.user] table",
                ));
            }
            (Version::V3, Some(community), Some(_)) => {
                return Err(self.invalid(
                    community.span(),
                    "[[devices]] community",
                    "a v3 device has a user, not a community",
                ));
            }
            (version, Some(community), None) => DeviceCredentials::Community {
                version,
                community: self.community(community, "[[devices]] community")?,
            },
            (_, _, Some(user)) => {
                return Err(self.invalid(
                    user.name.span(),
                    "[devices.user] name",
                    "a user needs version = \"v3\"",
                ));
            }
            (_, None, None) => {
                return Err(self.invalid(
                    raw.name.span(),
                    "[[devices]] community",
                    "a v1 or v2c device needs a community",
                ));
            }
        };
        let interval = raw
            .interval
            .map(|text| self.duration(&text, "[[devices]] interval"))
            .transpose()?;
        Ok(DeviceSettings {
            name: self.name(raw.name, "[[devices]] name")?,
            address,
            port,
            credentials,
            interval,
            enabled: raw.enabled.unwrap_or(true),
        })
    }

    fn storage(
        &self,
        raw: RawStorage,
        defaults: StorageSettings,
    ) -> Result<StorageSettings, ConfigError> {
        let retention = match raw.retention_days {
            Some(days) => {
                let days: u64 = self.bounded(&days, "[storage] retention_days", 1, 36_500)?;
                Duration::from_secs(days * 86_400)
            }
            None => defaults.retention,
        };
        let durability = match raw.durability {
            None => defaults.durability,
            Some(text) => match text.get_ref().as_str() {
                "full" => Durability::Full,
                "normal" => Durability::Normal,
                other => {
                    return Err(self.invalid(
                        text.span(),
                        "[storage] durability",
                        format!("{other:?} is not \"full\" or \"normal\""),
                    ));
                }
            },
        };
        let url =
            match raw.url {
                None => defaults.url,
                Some(text) => Some(text.get_ref().parse::<PostgresUrl>().map_err(|error| {
                    self.invalid(text.span(), "[storage] url", error.to_string())
                })?),
            };
        Ok(StorageSettings {
            url,
            retention,
            durability,
        })
    }

    fn threshold(&self, raw: RawThreshold) -> Result<ThresholdSettings, ConfigError> {
        let condition = match raw.condition.get_ref().as_str() {
            ">" => Comparison::Above,
            "<" => Comparison::Below,
            "==" => Comparison::Equal,
            "!=" => Comparison::NotEqual,
            other => {
                return Err(self.invalid(
                    raw.condition.span(),
                    "[[thresholds]] condition",
                    format!("{other:?} is not >, <, == or !="),
                ));
            }
        };
        if !raw.value.get_ref().is_finite() {
            return Err(self.invalid(raw.value.span(), "[[thresholds]] value", "is not finite"));
        }
        let guard = match raw.guard {
            Some(guard) => Some((
                self.polled_object(&guard.object, "[[thresholds]] guard.object")?,
                guard.equals,
            )),
            None => None,
        };
        Ok(ThresholdSettings {
            object: self.polled_object(&raw.object, "[[thresholds]] object")?,
            name: self.name(raw.name, "[[thresholds]] name")?,
            condition,
            value: *raw.value.get_ref(),
            rate: raw.rate.unwrap_or(false),
            polls: match raw.polls {
                Some(n) => self.bounded(&n, "[[thresholds]] polls", 1, 1_000)?,
                None => 1,
            },
            severity: match raw.severity {
                Some(text) => self.severity(&text, "[[thresholds]] severity")?,
                None => Severity::Major,
            },
            guard,
        })
    }

    /// An object the poller knows by name.
    fn polled_object(&self, text: &Spanned<String>, field: &str) -> Result<String, ConfigError> {
        let name = text.get_ref().trim();
        let name = name.rsplit_once("::").map_or(name, |(_, name)| name);
        if PolledObject::standard(name).is_none() {
            return Err(self.invalid(
                text.span(),
                field,
                format!(
                    "{:?} is not an object the poller reads (e.g. ifOperStatus, \
                     ifHCInOctets, hrProcessorLoad, sysUpTime)",
                    text.get_ref()
                ),
            ));
        }
        Ok(name.to_owned())
    }

    fn smtp(&self, raw: RawSmtp) -> Result<SmtpSettings, ConfigError> {
        let host = raw.host.get_ref().trim();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(self.invalid(
                raw.host.span(),
                "[smtp] host",
                format!("invalid host {host:?}"),
            ));
        }
        let port: Option<u16> = raw
            .port
            .map(|port| self.bounded(&port, "[smtp] port", 1, 65_535))
            .transpose()?;
        let encryption = match &raw.encryption {
            Some(text) => match text.get_ref().as_str() {
                "none" => SmtpEncryption::None,
                "starttls" => SmtpEncryption::StartTls,
                "tls" => SmtpEncryption::ImplicitTls,
                other => {
                    return Err(self.invalid(
                        text.span(),
                        "[smtp] encryption",
                        format!("{other:?} is not \"none\", \"starttls\" or \"tls\""),
                    ));
                }
            },
            // The port tells: 465 and 2465 are TLS from the first byte (RFC 8314 §3.3).
            None if matches!(port, Some(465 | 2465)) => SmtpEncryption::ImplicitTls,
            None => SmtpEncryption::StartTls,
        };
        let port = port.unwrap_or(match encryption {
            SmtpEncryption::ImplicitTls => 465,
            SmtpEncryption::StartTls | SmtpEncryption::None => 587,
        });
        if !raw.from.get_ref().contains('@') {
            return Err(self.invalid(
                raw.from.span(),
                "[smtp] from",
                format!("{:?} is not an e-mail address", raw.from.get_ref()),
            ));
        }
        let login = match (raw.user, raw.password) {
            (Some(user), Some(password)) => Some((user, Secret::new(password.into_inner()))),
            (None, None) => None,
            (Some(_), None) => {
                return Err(self.invalid(
                    raw.host.span(),
                    "[smtp] password",
                    "user needs a password",
                ));
            }
            (None, Some(password)) => {
                return Err(self.invalid(password.span(), "[smtp] user", "password needs a user"));
            }
        };
        let insecure_plaintext_auth = raw.insecure_plaintext_auth.unwrap_or(false);
        if login.is_some() && encryption == SmtpEncryption::None && !insecure_plaintext_auth {
            return Err(self.invalid(
                raw.host.span(),
                "[smtp] encryption",
                "AUTH over plain SMTP would send the password in clear: use \"starttls\" or \
                 \"tls\", or set insecure_plaintext_auth = true",
            ));
        }
        Ok(SmtpSettings {
            host: host.to_owned(),
            port,
            encryption,
            from: raw.from.into_inner(),
            login,
            ciphers: raw.ciphers.unwrap_or_default(),
            tls13_only: match &raw.tls_versions {
                None => false,
                Some(text) => match text.get_ref().as_str() {
                    "1.2+" | "1.2" => false,
                    "1.3" => true,
                    other => {
                        return Err(self.invalid(
                            text.span(),
                            "[smtp] tls_versions",
                            format!("{other:?} is not \"1.2+\" (TLS 1.2 and 1.3) or \"1.3\""),
                        ));
                    }
                },
            },
            insecure_plaintext_auth,
            max_per_second: raw
                .max_per_second
                .map(|n| self.bounded(&n, "[smtp] max_per_second", 1, 100_000))
                .transpose()?,
            max_per_day: raw
                .max_per_day
                .map(|n| self.bounded(&n, "[smtp] max_per_day", 1, 100_000_000))
                .transpose()?,
        })
    }

    fn actions(&self, raw: Vec<RawAction>) -> Result<Vec<ActionSettings>, ConfigError> {
        let mut names = BTreeSet::new();
        let mut actions = Vec::with_capacity(raw.len());
        for action in raw {
            if !names.insert(action.name.get_ref().clone()) {
                return Err(self.invalid(
                    action.name.span(),
                    "[[actions]] name",
                    format!("{:?} is used by another action", action.name.get_ref()),
                ));
            }
            actions.push(self.action(action)?);
        }
        Ok(actions)
    }

    fn action(&self, raw: RawAction) -> Result<ActionSettings, ConfigError> {
        let span = raw.kind.span();
        let required = |value: Option<Spanned<String>>, field: &str| {
            value.ok_or_else(|| {
                self.invalid(
                    span.clone(),
                    &format!("[[actions]] {field}"),
                    format!("a {:?} action needs {field}", raw.kind.get_ref()),
                )
            })
        };
        let kind = match raw.kind.get_ref().as_str() {
            "email" => {
                let to = raw.to.unwrap_or_default();
                if to.is_empty() {
                    return Err(self.invalid(span, "[[actions]] to", "an e-mail needs recipients"));
                }
                let addresses = |list: Vec<Spanned<String>>, field: &str| {
                    list.into_iter()
                        .map(|address| {
                            if address.get_ref().contains('@') {
                                Ok(address.into_inner())
                            } else {
                                Err(self.invalid(
                                    address.span(),
                                    field,
                                    format!("{:?} is not an e-mail address", address.get_ref()),
                                ))
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()
                };
                ActionKind::Email {
                    to: addresses(to, "[[actions]] to")?,
                    cc: addresses(raw.cc.unwrap_or_default(), "[[actions]] cc")?,
                    subject: raw.subject,
                    body: raw.body,
                }
            }
            "webhook" => {
                let url = required(raw.url, "url")?;
                if !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://"))
                {
                    return Err(self.invalid(
                        url.span(),
                        "[[actions]] url",
                        format!("{:?} is not an http:// or https:// URL", url.get_ref()),
                    ));
                }
                ActionKind::Webhook {
                    url: url.into_inner(),
                    secret: raw.secret.map(|secret| Secret::new(secret.into_inner())),
                }
            }
            "syslog" => {
                let target = required(raw.target, "target")?;
                let transport = match raw.transport.as_ref().map(|t| t.get_ref().as_str()) {
                    None | Some("udp") => SyslogTransport::Udp,
                    Some("tcp") => SyslogTransport::Tcp,
                    Some("tls") => SyslogTransport::Tls,
                    Some(other) => {
                        let span = raw.transport.as_ref().map_or(span, Spanned::span);
                        return Err(self.invalid(
                            span,
                            "[[actions]] transport",
                            format!("{other:?} is not \"udp\", \"tcp\" or \"tls\""),
                        ));
                    }
                };
                ActionKind::Syslog {
                    target: self.host_port(target, "[[actions]] target")?,
                    transport,
                }
            }
            "trap" => {
                let target = required(raw.target, "target")?;
                let inform = raw.inform.unwrap_or(false);
                let (community, usm) = match raw.user {
                    Some(user) => {
                        if let Some(community) = raw.community {
                            return Err(self.invalid(
                                community.span(),
                                "[[actions]] community",
                                "an SNMPv3 forward (with user) takes no community",
                            ));
                        }
                        let usm = vigie_manager::actions::ForwardUsm {
                            user: user.get_ref().clone(),
                            auth_protocol: raw.auth,
                            auth_password: vigie_notify::Secret::new(
                                raw.auth_password.unwrap_or_default(),
                            ),
                            priv_protocol: raw.privacy,
                            priv_password: vigie_notify::Secret::new(
                                raw.priv_password.unwrap_or_default(),
                            ),
                            engine_id: raw.engine_id,
                        };
                        // Keys are made now, so a bad protocol name or a short password is
                        // reported with the file's line rather than at the first alarm.
                        if let Err(error) = usm.user(inform) {
                            return Err(self.invalid(
                                user.span(),
                                "[[actions]] user",
                                error.to_string(),
                            ));
                        }
                        (None, Some(usm))
                    }
                    None => {
                        let v3_only = [
                            ("auth", raw.auth.is_some()),
                            ("auth_password", raw.auth_password.is_some()),
                            ("privacy", raw.privacy.is_some()),
                            ("priv_password", raw.priv_password.is_some()),
                            ("engine_id", raw.engine_id.is_some()),
                        ];
                        if let Some((field, _)) = v3_only.iter().find(|(_, given)| *given) {
                            return Err(self.invalid(
                                span,
                                &format!("[[actions]] {field}"),
                                "belongs to an SNMPv3 forward: give user too",
                            ));
                        }
                        let community = required(raw.community, "community")?;
                        let community = self.community(community, "[[actions]] community")?;
                        (Some(community), None)
                    }
                };
                ActionKind::Trap {
                    target: self.host_port(target, "[[actions]] target")?,
                    community,
                    usm,
                    inform,
                }
            }
            other => {
                return Err(self.invalid(
                    span,
                    "[[actions]] kind",
                    format!("{other:?} is not \"email\", \"webhook\", \"syslog\" or \"trap\""),
                ));
            }
        };
        Ok(ActionSettings {
            name: self.name(raw.name, "[[actions]] name")?,
            kind,
        })
    }

    fn rule(&self, raw: RawRule, actions: &[ActionSettings]) -> Result<RuleSettings, ConfigError> {
        if raw.actions.get_ref().is_empty() {
            return Err(self.invalid(raw.actions.span(), "[[rules]] actions", "is empty"));
        }
        for name in raw.actions.get_ref() {
            if !actions.iter().any(|action| &action.name == name.get_ref()) {
                return Err(self.invalid(
                    name.span(),
                    "[[rules]] actions",
                    format!("no [[actions]] is named {:?}", name.get_ref()),
                ));
            }
        }
        let sources = raw
            .sources
            .unwrap_or_default()
            .into_iter()
            .map(|text| {
                text.get_ref().parse::<Source>().map_err(|_| {
                    self.invalid(
                        text.span(),
                        "[[rules]] sources",
                        format!(
                            "{:?} is not \"trap\", \"poll\" or \"system\"",
                            text.get_ref()
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(RuleSettings {
            actions: raw
                .actions
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            severity: raw
                .severity
                .map(|text| self.severity(&text, "[[rules]] severity"))
                .transpose()?,
            devices: raw.devices.unwrap_or_default(),
            notifications: raw.notifications.unwrap_or_default(),
            sources,
            varbinds: raw.varbinds.unwrap_or_default().into_iter().collect(),
            group_by: raw
                .group_by
                .unwrap_or_default()
                .into_iter()
                .map(|label| {
                    if GROUP_LABELS.contains(&label.get_ref().as_str()) {
                        Ok(label.into_inner())
                    } else {
                        Err(self.invalid(
                            label.span(),
                            "[[rules]] group_by",
                            format!(
                                "{:?} is not device, alarm_type, alarm_key or severity",
                                label.get_ref()
                            ),
                        ))
                    }
                })
                .collect::<Result<_, _>>()?,
            group_wait: match raw.group_wait {
                // No wait at all: each alarm's first message goes out at once.
                Some(text) if is_zero_duration(text.get_ref()) => Duration::ZERO,
                text => self.duration_or(text, "[[rules]] group_wait", GROUP_WAIT)?,
            },
            group_interval: self.duration_or(
                raw.group_interval,
                "[[rules]] group_interval",
                GROUP_INTERVAL,
            )?,
            repeat_interval: self.duration_or(
                raw.repeat_interval,
                "[[rules]] repeat_interval",
                REPEAT_INTERVAL,
            )?,
            name: self.name(raw.name, "[[rules]] name")?,
        })
    }

    fn user(&self, raw: RawUser, section: &str) -> Result<UsmUser, ConfigError> {
        let engine_id = raw
            .engine_id
            .map(|text| {
                text.get_ref().parse::<EngineId>().map_err(|error| {
                    self.invalid(
                        text.span(),
                        &format!("{section} engine_id"),
                        error.to_string(),
                    )
                })
            })
            .transpose()?;
        let auth = match (raw.auth, raw.auth_password) {
            (Some(protocol), Some(password)) => {
                let parsed: AuthProtocol = protocol.get_ref().parse().map_err(|error| {
                    self.invalid(
                        protocol.span(),
                        &format!("{section} auth"),
                        format!("{error}"),
                    )
                })?;
                Some((
                    parsed,
                    self.password(password, &format!("{section} auth_password"))?,
                ))
            }
            (None, None) => None,
            (Some(protocol), None) => {
                return Err(self.invalid(
                    protocol.span(),
                    &format!("{section} auth_password"),
                    "auth needs auth_password",
                ));
            }
            (None, Some(password)) => {
                return Err(self.invalid(
                    password.span(),
                    &format!("{section} auth"),
                    "auth_password needs auth",
                ));
            }
        };
        let privacy = match (raw.privacy, raw.priv_password) {
            (Some(protocol), Some(password)) => {
                if auth.is_none() {
                    return Err(self.invalid(
                        protocol.span(),
                        &format!("{section} privacy"),
                        "privacy needs authentication (RFC 3414 §3.1.2)",
                    ));
                }
                let parsed: PrivProtocol = protocol.get_ref().parse().map_err(|error| {
                    self.invalid(
                        protocol.span(),
                        &format!("{section} privacy"),
                        format!("{error}"),
                    )
                })?;
                Some((
                    parsed,
                    self.password(password, &format!("{section} priv_password"))?,
                ))
            }
            (None, None) => None,
            (Some(protocol), None) => {
                return Err(self.invalid(
                    protocol.span(),
                    &format!("{section} priv_password"),
                    "privacy needs priv_password",
                ));
            }
            (None, Some(password)) => {
                return Err(self.invalid(
                    password.span(),
                    &format!("{section} privacy"),
                    "priv_password needs privacy",
                ));
            }
        };
        Ok(UsmUser {
            name: self.name(raw.name, &format!("{section} name"))?,
            engine_id,
            auth,
            privacy,
        })
    }

    /// A USM password: Net-SNMP refuses fewer than 8 characters, and so do we.
    fn password(&self, text: Spanned<String>, field: &str) -> Result<Secret, ConfigError> {
        if text.get_ref().len() < MIN_PASSWORD {
            return Err(self.invalid(
                text.span(),
                field,
                format!("is shorter than {MIN_PASSWORD} characters"),
            ));
        }
        Ok(Secret::new(text.into_inner()))
    }

    fn community(&self, text: Spanned<String>, field: &str) -> Result<Secret, ConfigError> {
        if text.get_ref().is_empty() {
            return Err(self.invalid(text.span(), field, "is empty"));
        }
        Ok(Secret::new(text.into_inner()))
    }

    fn name(&self, text: Spanned<String>, field: &str) -> Result<String, ConfigError> {
        let name = text.get_ref().trim();
        if name.is_empty() {
            return Err(self.invalid(text.span(), field, "is empty"));
        }
        Ok(name.to_owned())
    }

    fn severity(&self, text: &Spanned<String>, field: &str) -> Result<Severity, ConfigError> {
        text.get_ref().parse().map_err(|_| {
            self.invalid(
                text.span(),
                field,
                format!(
                    "{:?} is not info, warning, minor, major or critical",
                    text.get_ref()
                ),
            )
        })
    }

    /// `ADDRESS:PORT`, `[IPv6]:PORT`, with `udp:`/`udp6:` accepted as Net-SNMP writes them.
    fn socket_address(
        &self,
        text: &Spanned<String>,
        field: &str,
    ) -> Result<SocketAddr, ConfigError> {
        let raw = text.get_ref();
        let address = raw
            .strip_prefix("udp6:")
            .or_else(|| raw.strip_prefix("udp:"))
            .unwrap_or(raw);
        address
            .parse()
            .map_err(|_| self.invalid(text.span(), field, format!("invalid address {raw:?}")))
    }

    /// A device: an IP address, with `:PORT` (161 when absent).
    fn device_address(&self, text: &Spanned<String>) -> Result<(IpAddr, u16), ConfigError> {
        let raw = text.get_ref();
        if let Ok(ip) = raw.parse::<IpAddr>() {
            return Ok((ip, SNMP_PORT));
        }
        raw.parse::<SocketAddr>()
            .map(|address| (address.ip(), address.port()))
            .map_err(|_| {
                self.invalid(
                    text.span(),
                    "[[devices]] address",
                    format!("invalid address {raw:?} (an IP address, with :PORT if not 161)"),
                )
            })
    }

    /// `HOST:PORT` with a non-empty host and a numeric port.
    fn host_port(&self, text: Spanned<String>, field: &str) -> Result<String, ConfigError> {
        let valid = text
            .get_ref()
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(self.invalid(
                text.span(),
                field,
                format!("invalid address {:?} (HOST:PORT)", text.get_ref()),
            ));
        }
        Ok(text.into_inner())
    }

    fn duration_or(
        &self,
        text: Option<Spanned<String>>,
        field: &str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        text.map_or(Ok(default), |text| self.duration(&text, field))
    }

    /// `500ms`, `30s`, `5m`, `1h`, `1d`.
    fn duration(&self, text: &Spanned<String>, field: &str) -> Result<Duration, ConfigError> {
        parse_duration(text.get_ref()).ok_or_else(|| {
            self.invalid(
                text.span(),
                field,
                format!(
                    "invalid duration {:?} (a number and ms, s, m, h or d, e.g. \"30s\")",
                    text.get_ref()
                ),
            )
        })
    }

    /// An integer within `min..=max`.
    fn bounded<T: TryFrom<i64>>(
        &self,
        value: &Spanned<i64>,
        field: &str,
        min: i64,
        max: i64,
    ) -> Result<T, ConfigError> {
        let n = *value.get_ref();
        if !(min..=max).contains(&n) {
            return Err(self.invalid(
                value.span(),
                field,
                format!("{n} is not between {min} and {max}"),
            ));
        }
        T::try_from(n).map_err(|_| {
            self.invalid(
                value.span(),
                field,
                format!("{n} is not between {min} and {max}"),
            )
        })
    }

    fn invalid(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_owned(),
            line: line_of(self.text, span.start),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// `500ms`, `30s`, `5m`, `1h`, `1d`; a zero duration is refused.
pub(super) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let duration = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3_600)?),
        "d" => Duration::from_secs(n.checked_mul(86_400)?),
        _ => return None,
    };
    (!duration.is_zero()).then_some(duration)
}

/// `0`, `0s`, `0ms`, …: a zero that [`parse_duration`] refuses, accepted where waiting is
/// optional.
fn is_zero_duration(text: &str) -> bool {
    let digits = text
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty()
        && digits.bytes().all(|b| b == b'0')
        && (digits.len() == text.trim().len()
            || parse_duration(&format!("1{}", &text.trim()[digits.len()..])).is_some())
}

/// What rules may group alarms by.
pub(super) const GROUP_LABELS: &[&str] = &["device", "alarm_type", "alarm_key", "severity"];
/// RFC 3417 §3.
const SNMP_PORT: u16 = 161;
/// Net-SNMP's `snmpusm` and `createUser` refuse shorter passphrases.
const MIN_PASSWORD: usize = 8;
/// Alertmanager's defaults for grouping (its `route` documentation).
const GROUP_WAIT: Duration = Duration::from_secs(30);
const GROUP_INTERVAL: Duration = Duration::from_secs(5 * 60);
const REPEAT_INTERVAL: Duration = Duration::from_secs(4 * 3_600);
