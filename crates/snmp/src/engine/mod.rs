//! Sans-IO engines: the client (command generator) and, later, the responder.
//!
//! The engines never read a clock, open a socket or draw randomness: the caller passes the
//! time (`now`), the received datagrams and a random seed in, and takes datagrams to send
//! ([`Transmit`]), events ([`ClientEvent`]) and the next deadline out, in the quinn-proto
//! idiom.

mod client;

pub use client::{
    ClientConfig, ClientEngine, ClientEvent, ClientStats, Request, RetryPolicy, Transmit,
};
