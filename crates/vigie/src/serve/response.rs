//! Response management: `[smtp]`, `[[actions]]` and `[[rules]]` into the manager's
//! `ResponseConfig`, the durable outbox in the store's database, the trust store in the data
//! directory, and the service's tasks (dispatcher, outbox worker, delivery watcher).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use vigie_manager::actions::{
    ActionKind as Kind, ActionSpec, EmailAction, EncryptionMode, ResponseConfig, ResponseService,
    SmtpSettings as Smtp, SyslogAction, SyslogTransportName, TrapForwardAction, WebhookAction,
};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::rules::{Condition, GroupLabel, Grouping, RuleSpec, VarbindOp, VarbindTest};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::Store;
use vigie_notify::{Outbox, RetryPolicy, Secret, TrustStore};

use crate::config::{
    ActionKind, ActionSettings, Config, RuleSettings, SmtpEncryption, SmtpSettings, SyslogTransport,
};
use crate::paths;

/// The component name in `/api/v1/health` when the service cannot start.
const COMPONENT: &str = "response";

/// Starts response management; `None` (and the component DOWN with the reason) when its
/// outbox or trust store cannot be opened, so that the rest runs on.
pub(crate) async fn start_response(
    config: &Config,
    data_dir: &Path,
    store: Store,
    desk: Arc<AlarmDesk>,
    status: &StatusRegistry,
    mut shutdown: watch::Receiver<bool>,
) -> Option<(Arc<ResponseService>, Vec<JoinHandle<()>>)> {
    let started = async {
        let outbox = Outbox::from_pool(store.pool().clone())
            .await
            .context("opening the outbox")?;
        let trust_dir = paths::trust_store(data_dir);
        let trust = TrustStore::open(&trust_dir)
            .with_context(|| format!("opening the trust store {}", trust_dir.display()))?;
        let status = status.clone();
        ResponseService::with_status(store, desk, outbox, trust, response_config(config), status)
            .await
            .context("starting response management")
    };
    let service = match started.await {
        Ok(service) => service,
        Err(error) => {
            let reason = format!("{error:#}");
            eprintln!("vigie serve: response management is DOWN: {reason}");
            tracing::error!(%reason, "response management not started");
            status.set_down(COMPONENT, reason, super::now());
            return None;
        }
    };
    let tasks = service.start(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    });
    Some((service, tasks))
}

/// The file's response settings in the manager's terms.
pub(crate) fn response_config(config: &Config) -> ResponseConfig {
    ResponseConfig {
        smtp: config.smtp.as_ref().map(smtp),
        actions: config.actions.iter().map(action).collect(),
        rules: config.rules.iter().map(rule).collect(),
        retry: RetryPolicy {
            initial: config.delivery.retry_initial,
            max: config.delivery.retry_max,
            give_up_after: config.delivery.give_up_after,
            ..RetryPolicy::default()
        },
        ..ResponseConfig::default()
    }
}

fn smtp(settings: &SmtpSettings) -> Smtp {
    let mut smtp = Smtp::new(&settings.host, settings.port, &settings.from);
    if let Some((user, password)) = &settings.login {
        smtp.username = Some(user.clone());
        smtp.password = Secret::new(password.expose().to_owned());
    }
    smtp.encryption = Some(match settings.encryption {
        SmtpEncryption::None => EncryptionMode::None,
        SmtpEncryption::StartTls => EncryptionMode::Starttls,
        SmtpEncryption::ImplicitTls => EncryptionMode::ImplicitTls,
    });
    smtp.allow_plaintext_auth = settings.insecure_plaintext_auth;
    if !settings.ciphers.is_empty() {
        smtp.ciphers = Some(settings.ciphers.join(":"));
    }
    if settings.tls13_only {
        smtp.tls_versions = vigie_manager::actions::TlsVersions::Tls13Only;
    }
    smtp.max_per_second = settings.max_per_second;
    smtp.max_per_day = settings.max_per_day;
    smtp
}

fn action(settings: &ActionSettings) -> ActionSpec {
    let kind = match &settings.kind {
        ActionKind::Email {
            to,
            cc,
            subject,
            body,
        } => Kind::Email(EmailAction {
            to: to.clone(),
            cc: cc.clone(),
            subject: subject.clone(),
            body: body.clone(),
        }),
        ActionKind::Webhook { url, secret } => Kind::Webhook(WebhookAction {
            url: url.clone(),
            secret: secret
                .as_ref()
                .map(|secret| Secret::new(secret.expose().to_owned()))
                .unwrap_or_default(),
            dangerous_accept_invalid_certs: false,
        }),
        ActionKind::Syslog { target, transport } => {
            // Validation checked `HOST:PORT` with a numeric port.
            let (host, port) = target.rsplit_once(':').unwrap_or((target.as_str(), ""));
            Kind::Syslog(SyslogAction {
                host: host.trim_matches(['[', ']']).to_owned(),
                port: port.parse().ok(),
                transport: match transport {
                    SyslogTransport::Udp => SyslogTransportName::Udp,
                    SyslogTransport::Tcp => SyslogTransportName::Tcp,
                    SyslogTransport::Tls => SyslogTransportName::Tls,
                },
                facility: LOCAL0,
                message: None,
            })
        }
        ActionKind::Trap {
            target,
            community,
            usm,
            inform,
        } => Kind::TrapForward(TrapForwardAction {
            target: target.clone(),
            community: community
                .as_ref()
                .map(|community| Secret::new(community.expose().to_owned()))
                .unwrap_or_default(),
            inform: *inform,
            usm: usm.clone(),
        }),
    };
    ActionSpec {
        name: settings.name.clone(),
        kind,
    }
}

/// A rule: every condition given must hold; within one, any listed value matches.
fn rule(settings: &RuleSettings) -> RuleSpec {
    let mut all = Vec::new();
    if let Some(severity) = settings.severity {
        all.push(Condition::MinSeverity(severity));
    }
    let any = |conditions: Vec<Condition>| match conditions.len() {
        1 => conditions.into_iter().next(),
        0 => None,
        _ => Some(Condition::Any(conditions)),
    };
    all.extend(any(settings
        .devices
        .iter()
        .map(|device| Condition::Device(device.clone()))
        .collect()));
    all.extend(any(settings
        .notifications
        .iter()
        .map(|notification| {
            // A dotted number is an OID; anything else a name.
            if notification
                .trim_start_matches('.')
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
            {
                Condition::NotificationOid(notification.trim_start_matches('.').to_owned())
            } else {
                Condition::NotificationName(notification.clone())
            }
        })
        .collect()));
    all.extend(any(settings
        .sources
        .iter()
        .map(|source| Condition::Source(*source))
        .collect()));
    all.extend(settings.varbinds.iter().map(|(object, value)| {
        Condition::Varbind(VarbindTest {
            object: object.clone(),
            op: VarbindOp::Equals,
            value: value.clone(),
        })
    }));
    let defaults = Grouping::default();
    RuleSpec {
        name: settings.name.clone(),
        enabled: true,
        condition: Condition::All(all),
        triggers: Default::default(),
        actions: settings.actions.clone(),
        grouping: Grouping {
            group_by: if settings.group_by.is_empty() {
                defaults.group_by
            } else {
                settings
                    .group_by
                    .iter()
                    .filter_map(|label| group_label(label))
                    .collect()
            },
            group_wait: settings.group_wait,
            group_interval: settings.group_interval,
            repeat_interval: settings.repeat_interval,
        },
    }
}

/// Validation accepted only these names.
fn group_label(name: &str) -> Option<GroupLabel> {
    Some(match name {
        "device" => GroupLabel::Device,
        "alarm_type" => GroupLabel::AlarmType,
        "alarm_key" => GroupLabel::AlarmKey,
        "severity" => GroupLabel::Severity,
        _ => return None,
    })
}

/// Syslog facility 16, local0 (RFC 5424 §6.2.1).
const LOCAL0: u8 = 16;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_example_becomes_the_managers_response_config() {
        let example = include_str!("../../../../docs/vigie.example.toml");
        let config = Config::parse("vigie.example.toml", example).unwrap();
        let response = response_config(&config);
        let smtp = response.smtp.unwrap();
        assert_eq!(smtp.effective_encryption(), EncryptionMode::Starttls);
        assert_eq!(smtp.max_per_second, Some(1));
        assert_eq!(smtp.password.expose(), "change-me-smtp");
        assert_eq!(response.actions.len(), 4);
        assert!(matches!(&response.actions[2].kind, Kind::Syslog(s) if s.port == Some(6514)));
        let rule = &response.rules[0];
        assert_eq!(rule.actions, ["mail-noc", "chatops"]);
        assert_eq!(rule.grouping.group_interval, Duration::from_secs(300));
        assert_eq!(
            rule.grouping.group_by,
            [GroupLabel::Device, GroupLabel::AlarmType]
        );
        let Condition::All(conditions) = &response.rules[1].condition else {
            panic!("a conjunction");
        };
        assert!(conditions.contains(&Condition::Device("core-sw1".into())));
        assert!(
            conditions
                .iter()
                .any(|c| matches!(c, Condition::Any(names) if names.len() == 2))
        );
    }

    #[test]
    fn tls_versions_in_smtp_reach_the_relay_settings() {
        let text =
            "[smtp]\nhost = \"relay.example\"\nfrom = \"v@example.com\"\ntls_versions = \"1.3\"\n";
        let config = Config::parse("v.toml", text).unwrap();
        let smtp = response_config(&config).smtp.unwrap();
        assert_eq!(
            smtp.tls_versions,
            vigie_manager::actions::TlsVersions::Tls13Only
        );
        let bad = text.replace("\"1.3\"", "\"1.1\"");
        let error = Config::parse("v.toml", &bad).unwrap_err().to_string();
        assert!(error.contains("[smtp] tls_versions"), "{error}");
    }
}
