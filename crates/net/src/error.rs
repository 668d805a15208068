//! Errors of the UDP driver.

use std::io;

use vigie_snmp::{DecodeError, Version};

/// Setting up a client or sending a datagram failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The UDP socket could not be opened.
    #[error("cannot open a UDP socket: {0}")]
    Bind(#[source] io::Error),
    /// The datagram could not be sent.
    #[error("sendto: {0}")]
    Send(#[source] io::Error),
    /// This driver speaks SNMPv1 and SNMPv2c only, for now.
    #[error("SNMP version {0:?} is not supported by this client")]
    UnsupportedVersion(Version),
    /// A trap whose PDU does not fit the session's version: the v1 Trap-PDU goes with v1, an
    /// SNMPv2-Trap-PDU with v2c (RFC 3416 §4.2.6, RFC 3584 §3).
    #[error("this PDU is not a {0:?} trap")]
    InvalidTrap(Version),
    /// The client's task has ended.
    #[error("the client has shut down")]
    Closed,
}

/// A confirmed request (Get, GetNext, GetBulk, Set, Inform) failed.
///
/// An agent's error-status is not an error here: it is data in the returned `Pdu`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No acceptable response after all retransmissions.
    #[error("{}", timeout_message(.last_malformed.as_ref()))]
    Timeout {
        /// The agent answered, but with a datagram that could not be decoded.
        last_malformed: Option<DecodeError>,
    },
    /// The request could not be sent.
    #[error("sendto: {0}")]
    Io(#[source] io::Error),
    /// The operation does not exist in SNMPv1 (GetBulk, Inform: RFC 3416 §4.2.3, §4.2.7).
    #[error("{operation} is not supported by SNMPv1")]
    NotInV1 {
        /// `GetBulk` or `Inform`.
        operation: &'static str,
    },
    /// The client's task has ended.
    #[error("the client has shut down")]
    Closed,
}

fn timeout_message(last_malformed: Option<&DecodeError>) -> String {
    match last_malformed {
        None => "Timeout: No Response".to_owned(),
        Some(error) => format!("Timeout: the agent's responses could not be decoded ({error})"),
    }
}
