//! The delivery channels' health in the [`StatusRegistry`]: the SMTP relay as component
//! `smtp`, the other channels under their outbox id (`webhook/<action>`, …).
//!
//! A delivery or a successful Test Action marks the channel UP; a failed attempt marks it
//! DOWN with the classified reason and the fix. The relay is also probed (TCP connect,
//! greeting, EHLO, STARTTLS or implicit TLS per the settings; no AUTH, no message, RFC 5321
//! §3.1 and RFC 3207) at start, after each settings change, and every
//! [`PROBE_WHILE_DOWN`] while it is down, so its health is known before the first alarm and
//! comes back by itself.

use std::time::Duration;

use vigie_notify::{ChannelFailure, DeliveryFailure, Encryption, SmtpConfig, capture_with};

use crate::status::{Health, StatusRegistry};
use crate::time::Timestamp;

/// How often the relay is probed again while it is down.
pub const PROBE_WHILE_DOWN: Duration = Duration::from_secs(60);

/// The status reason of a failure: classification, what happened, the fix. Never a secret:
/// failures carry neither passwords nor message contents.
pub(super) fn reason(failure: &ChannelFailure) -> String {
    format!("{}: {} — {}", failure.kind(), failure, failure.fix())
}

/// Whether the failure is about reaching the relay (so a successful probe disproves it),
/// rather than about what the relay refused after the greeting (AUTH, MAIL, RCPT, DATA),
/// which only a delivery disproves.
pub(super) fn is_reachability(failure: &ChannelFailure) -> bool {
    match failure {
        ChannelFailure::Smtp(smtp) => smtp.stage().is_none_or(|stage| {
            use vigie_notify::Stage;
            matches!(
                stage,
                Stage::Resolve
                    | Stage::Connect
                    | Stage::TlsHandshake
                    | Stage::Greeting
                    | Stage::Ehlo
                    | Stage::StartTls
            )
        }),
        _ => true,
    }
}

/// Connects to the relay as `config` says, up to the TLS handshake, and closes. `Ok` when
/// the relay greets and, with TLS, presents a chain the trust store validates.
pub async fn probe(config: &SmtpConfig) -> Result<(), DeliveryFailure> {
    match capture_with(config).await {
        Ok(captured) => {
            captured
                .validation
                .map_err(|problem| DeliveryFailure::UntrustedCertificate {
                    problem,
                    chain: captured.certificates.into_iter().map(|c| c.der).collect(),
                })
        }
        // Without encryption the session greets and says EHLO but never presents a chain:
        // the only TLS failure it can report is that missing chain.
        Err(DeliveryFailure::Tls { .. }) if config.encryption == Encryption::None => Ok(()),
        Err(failure) => Err(failure),
    }
}

/// Records a probe's outcome for `smtp`: a failure marks it DOWN; a success marks it UP
/// unless a delivery failed after the greeting (`sticky`), which only a delivery clears.
pub(super) fn record_probe(
    status: &StatusRegistry,
    component: &str,
    outcome: &Result<(), DeliveryFailure>,
    sticky: bool,
    now: Timestamp,
) {
    match outcome {
        Ok(()) => {
            let down = status
                .get(component)
                .is_some_and(|c| c.status == Health::Down);
            if !(down && sticky) {
                status.set_up(component, now);
            }
        }
        Err(failure) => {
            let failure = ChannelFailure::Smtp(failure.clone());
            status.set_down(component, reason(&failure), now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_port_is_down_with_the_fix() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut config = SmtpConfig::new("127.0.0.1", port, "vigie@example.com");
        config.encryption = Encryption::None;
        let outcome = probe(&config).await;
        let status = StatusRegistry::new();
        record_probe(&status, "smtp", &outcome, false, Timestamp(1));
        let smtp = status.get("smtp").unwrap();
        assert_eq!(smtp.status, Health::Down);
        let reason = smtp.reason.unwrap();
        assert!(reason.contains(" — "), "{reason}");
        assert!(status.serving());
    }

    #[test]
    fn a_probe_does_not_clear_a_refusal_after_the_greeting() {
        let status = StatusRegistry::new();
        status.set_down("smtp", "bad_credentials", Timestamp(1));
        record_probe(&status, "smtp", &Ok(()), true, Timestamp(2));
        assert_eq!(status.get("smtp").unwrap().status, Health::Down);
        record_probe(&status, "smtp", &Ok(()), false, Timestamp(3));
        assert_eq!(status.get("smtp").unwrap().status, Health::Up);
    }
}
