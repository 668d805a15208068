//! The vigie manager's library: alarms, stored notifications, storage and the HTTP API.
//!
//! Layout, functional core first:
//! - [`alarm`] (pure): alarms, their de-duplication, clearing and acknowledgement;
//! - [`event`] (pure): a received notification in the one shape rules see, and the alarm
//!   events the standard traps and configured clearing pairs give;
//! - [`store`] (shell): SQLite through `sqlx`, versioned migrations, repositories;
//! - [`desk`] (shell): the alarm book behind a lock, each decision stored;
//! - [`intake`] (shell): a batch of notifications stored, then turned into alarms;
//! - [`status`], [`metrics`] (shell): component health and vigie's own counters;
//! - [`poller`] (core and shell): discovery and scheduled polling, thresholds, rates;
//! - [`rules`] (pure): rules over alarm decisions, grouping and throttling;
//! - [`actions`] (shell): e-mail, webhook, syslog and trap-forward actions through the
//!   durable outbox, Test Action;
//! - [`http`] (shell): the JSON API under `/api/v1/`, `/metrics`, bearer-token auth;
//! - [`web`] (shell): the operators' web UI, server-rendered, with login sessions.
//!
//! It does not open sockets for SNMP, read configuration files or the environment: the
//! binary passes typed configuration in.

pub mod actions;
pub mod alarm;
pub mod desk;
pub mod event;
pub mod http;
pub mod intake;
pub mod journal;
pub mod metrics;
pub mod poller;
pub mod receiver;
pub mod rules;
pub mod status;
pub mod store;
#[cfg(test)]
mod testing;
pub mod time;
pub mod web;
