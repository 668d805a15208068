//! The real [`Deliverer`]: the configured channels, each an SMTP relay, a webhook receiver
//! or a syslog receiver.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use super::worker::{Accepted, Attempt, ChannelFailure, Deliverer};
use super::{Notification, Payload};
use crate::client::send;
use crate::config::SmtpConfig;
use crate::custom::CustomChannel;
use crate::syslog::{SyslogConfig, send_syslog};
use crate::transport;
use crate::webhook::{WebhookConfig, post_webhook};

/// One channel's configuration.
#[derive(Debug, Clone)]
pub enum Channel {
    /// E-mail through an SMTP relay.
    Smtp(Box<SmtpConfig>),
    /// Webhook POSTs.
    Webhook(WebhookConfig),
    /// Syslog messages.
    Syslog(SyslogConfig),
    /// Deliveries the application makes ([`Payload::Custom`]).
    Custom(Arc<dyn CustomChannel>),
}

impl PartialEq for Channel {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Smtp(a), Self::Smtp(b)) => a == b,
            (Self::Webhook(a), Self::Webhook(b)) => a == b,
            (Self::Syslog(a), Self::Syslog(b)) => a == b,
            // The application's deliverer has no equality of its own: the same one is equal.
            (Self::Custom(a), Self::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Channel {}

impl Channel {
    fn target(&self) -> String {
        match self {
            Self::Smtp(config) => transport::target(&config.server, config.port),
            Self::Webhook(config) => config.url.clone(),
            Self::Syslog(config) => config.target(),
            Self::Custom(channel) => channel.target(),
        }
    }
}

/// The configured channels by id: the deliverer of a production [`super::Worker`].
#[derive(Debug, Clone, Default)]
pub struct Channels {
    channels: HashMap<String, Channel>,
}

impl Channels {
    /// No channel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the channel `id`.
    pub fn insert(&mut self, id: impl Into<String>, channel: Channel) {
        self.channels.insert(id.into(), channel);
    }

    /// Removes the channel `id`.
    pub fn remove(&mut self, id: &str) -> Option<Channel> {
        self.channels.remove(id)
    }
}

impl Deliverer for Channels {
    async fn deliver(&self, notification: &Notification, now: SystemTime) -> Attempt {
        let Some(channel) = self.channels.get(&notification.channel) else {
            return Attempt {
                target: String::new(),
                result: Err(ChannelFailure::UnknownChannel(notification.channel.clone())),
            };
        };
        let target = channel.target();
        let result = match (channel, &notification.payload) {
            (Channel::Smtp(config), Payload::Email(message)) => send(config, message)
                .await
                .map(|delivered| Accepted {
                    code: Some(delivered.reply.code),
                    detail: delivered.reply.to_string(),
                })
                .map_err(ChannelFailure::from),
            (Channel::Webhook(config), Payload::Webhook { body }) => {
                post_webhook(config, &notification.key, body, now)
                    .await
                    .map(|response| Accepted {
                        code: Some(response.status),
                        detail: response.body_excerpt,
                    })
                    .map_err(ChannelFailure::from)
            }
            (Channel::Syslog(config), Payload::Syslog(message)) => send_syslog(config, message)
                .await
                .map(|()| Accepted {
                    code: None,
                    detail: String::new(),
                })
                .map_err(ChannelFailure::from),
            (Channel::Custom(channel), Payload::Custom { body }) => {
                channel.deliver(body).await.map_err(ChannelFailure::from)
            }
            (_, payload) => Err(ChannelFailure::WrongChannelKind {
                channel: notification.channel.clone(),
                payload: payload.kind(),
            }),
        };
        Attempt { target, result }
    }
}
