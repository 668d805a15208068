//! Sans-IO engines: the client (command generator) and the responder (command responder).
//!
//! The engines never read a clock, open a socket or draw randomness: the caller passes the
//! time (`now`), the received datagrams and a random seed in, and takes datagrams to send
//! ([`Transmit`]), events ([`ClientEvent`]) and the next deadline out, in the quinn-proto
//! idiom.

mod client;
mod responder;

pub use client::{
    ClientConfig, ClientEngine, ClientEvent, ClientStats, RemoteEngine, Request, RetryPolicy,
    Transmit, UsmUser, V3Failure,
};
pub use responder::{
    AmplificationLimit, DropReason, Incoming, MAX_MESSAGE_SIZE, MAX_REMOTE_ENGINES,
    MIN_MESSAGE_SIZE, MpdStat, RequestContext, ResponderConfig, ResponderEngine, SnmpCounter,
    SnmpCounters, TrapUser, UsmConfig, UsmStat,
};
