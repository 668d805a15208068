//! The JSON form of a payload in the `payload` column.

use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Payload;
use crate::message::{Mailbox, Message};
use crate::syslog::SyslogMessage;

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Stored {
    Email(StoredMessage),
    Webhook { body: String },
    Syslog(SyslogMessage),
    Custom { body: String },
}

#[derive(Serialize, Deserialize)]
struct StoredMailbox {
    name: Option<String>,
    address: String,
}

#[derive(Serialize, Deserialize)]
struct StoredMessage {
    from: StoredMailbox,
    to: Vec<StoredMailbox>,
    cc: Vec<StoredMailbox>,
    subject: String,
    body: String,
    message_id: String,
    date_ms: u64,
}

fn mailbox_out(mailbox: &Mailbox) -> StoredMailbox {
    StoredMailbox {
        name: mailbox.name.clone(),
        address: mailbox.address.clone(),
    }
}

/// Rebuilds a mailbox through its checks: the row may have been edited by hand.
fn mailbox_in(stored: StoredMailbox) -> Result<Mailbox, String> {
    match stored.name {
        Some(name) => Mailbox::with_name(name, stored.address),
        None => Mailbox::new(stored.address),
    }
    .map_err(|e| e.to_string())
}

/// The JSON of `payload`.
pub(super) fn encode(payload: &Payload) -> Result<String, serde_json::Error> {
    let stored = match payload {
        Payload::Email(message) => Stored::Email(StoredMessage {
            from: mailbox_out(&message.from),
            to: message.to.iter().map(mailbox_out).collect(),
            cc: message.cc.iter().map(mailbox_out).collect(),
            subject: message.subject.clone(),
            body: message.body.clone(),
            message_id: message.message_id.clone(),
            date_ms: message
                .date
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }),
        Payload::Webhook { body } => Stored::Webhook { body: body.clone() },
        Payload::Syslog(message) => Stored::Syslog(message.clone()),
        Payload::Custom { body } => Stored::Custom { body: body.clone() },
    };
    serde_json::to_string(&stored)
}

/// The payload of `json`, or why it cannot be read.
pub(super) fn decode(json: &str) -> Result<Payload, String> {
    let stored: Stored = serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok(match stored {
        Stored::Email(m) => {
            let from = mailbox_in(m.from)?;
            let to = m.to.into_iter().map(mailbox_in).collect::<Result<_, _>>()?;
            let cc = m.cc.into_iter().map(mailbox_in).collect::<Result<_, _>>()?;
            Payload::Email(Message {
                from,
                to,
                cc,
                subject: m.subject,
                body: m.body,
                message_id: m.message_id,
                date: UNIX_EPOCH + Duration::from_millis(m.date_ms),
            })
        }
        Stored::Webhook { body } => Payload::Webhook { body },
        Stored::Syslog(message) => Payload::Syslog(message),
        Stored::Custom { body } => Payload::Custom { body },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_round_trips_with_its_message_id_and_date() {
        let from = Mailbox::with_name("Vigie é", "vigie@example.com");
        let to = Mailbox::new("ops@example.com");
        let (Ok(from), Ok(to)) = (from, to) else {
            panic!("valid test addresses")
        };
        let mut message = Message::new(from, vec![to], "Lien coupé", "body\n.\n")
            .unwrap_or_else(|e| panic!("{e}"));
        message.date = UNIX_EPOCH + Duration::from_millis(1_795_464_621_123);
        let payload = Payload::Email(message);
        let json = encode(&payload).unwrap_or_default();
        assert_eq!(decode(&json), Ok(payload));
    }

    #[test]
    fn syslog_and_webhook_round_trip() {
        for payload in [
            Payload::Webhook {
                body: r#"{"a":1}"#.into(),
            },
            Payload::Syslog(SyslogMessage::new(16, 3, "vigie-1", "link down")),
        ] {
            let json = encode(&payload).unwrap_or_default();
            assert_eq!(decode(&json), Ok(payload));
        }
    }

    #[test]
    fn a_tampered_row_is_refused_not_trusted() {
        let json = r#"{"kind":"email","from":{"name":null,"address":"bad address"},"to":[],"cc":[],"subject":"s","body":"b","message_id":"x@y","date_ms":0}"#;
        assert!(decode(json).is_err());
        assert!(decode("not json").is_err());
    }
}
