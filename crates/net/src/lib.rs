//! vigie-net: tokio drivers that carry the `vigie-snmp` engines over UDP.
//!
//! [`Client`] speaks to one agent the way the Net-SNMP tools do: a [`Session`] (target,
//! version, community, timeout, retries), requests that return the agent's Response-PDU, and
//! walks ([`Client::walk`]) over GETNEXT or GETBULK. The protocol logic (request-ids,
//! retransmissions, response matching) lives in `vigie_snmp::engine::ClientEngine`; this
//! crate only owns the socket, the timer and the task.
//!
//! [`resolve_target`] parses agent addresses in Net-SNMP's syntax (`host`, `host:port`,
//! `udp6:[::1]:port`, …).

mod client;
mod error;
mod listener;
mod responder;
mod session;
mod target;
mod walk;

pub use client::{Client, Direction, Packet, PacketTrace};
pub use error::{NetError, RequestError};
pub use listener::{
    Accepted, Ack, BATCH, ListenerDrop, ListenerError, ListenerObserver, ListenerReloadHandle,
    ListenerStats, NoObserver, NotificationListener, RECEIVE_BUFFER,
};
pub use responder::{
    MAX_WORKERS, ReloadHandle, RequestHandler, Responder, ResponderError, SharedHandler,
};
pub use session::Session;
pub use target::{AddressFamily, TargetError, resolve_target};
pub use vigie_snmp::engine::ClientStats;
pub use walk::{Walk, WalkEnd, WalkError, WalkItem, WalkOptions};
