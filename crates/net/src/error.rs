//! Errors of the UDP driver.

use std::io;

use vigie_snmp::engine::V3Failure;
use vigie_snmp::usm::PrivProtocol;
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
    /// The version needs settings the session lacks: SNMPv3 without a user
    /// ([`Session::usm`](crate::Session::usm)).
    #[error("SNMP version {0:?} is not supported by this client")]
    UnsupportedVersion(Version),
    /// An SNMPv3 trap could not be secured (no engine ID of the sender's own, missing keys).
    #[error("cannot send the SNMPv3 trap: {0}")]
    V3(#[source] V3Failure),
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
    /// SNMPv3: the agent does not know the user (usmStatsUnknownUserNames).
    #[error("Unknown user name")]
    UnknownUser,
    /// SNMPv3: the agent could not verify the message's MAC (usmStatsWrongDigests): a wrong
    /// authentication password, key or protocol. The text is Net-SNMP's.
    #[error("Authentication failure (incorrect password, community or key)")]
    WrongDigest,
    /// SNMPv3: the agent could not decrypt the request (usmStatsDecryptionErrors): a wrong
    /// privacy password, key or protocol. With AES-192/256 the text adds that the agent may
    /// extend keys the other way.
    #[error("Decryption error{}", decryption_hint(*.privacy))]
    DecryptionError {
        /// The privacy protocol the request used.
        privacy: Option<PrivProtocol>,
    },
    /// SNMPv3: the agent's clock still disagreed after resynchronisation
    /// (usmStatsNotInTimeWindows).
    #[error("Not in time window")]
    NotInTimeWindow,
    /// SNMPv3: the agent does not recognise the engine ID the request named
    /// (usmStatsUnknownEngineIDs), such as a wrong `-e`.
    #[error("Unknown engine ID")]
    UnknownEngineId,
    /// SNMPv3: the user does not exist at this security level
    /// (usmStatsUnsupportedSecLevels).
    #[error("Unsupported security level")]
    UnsupportedSecurityLevel,
    /// SNMPv3: another Report (context, security model, invalid message), or a request that
    /// could not be secured.
    #[error("{0}")]
    V3(#[source] V3Failure),
}

impl RequestError {
    /// The error an SNMPv3 failure is, for a request that used `privacy`.
    pub fn from_v3(failure: V3Failure, privacy: Option<PrivProtocol>) -> Self {
        match failure {
            V3Failure::UnknownUserName => Self::UnknownUser,
            V3Failure::WrongDigest => Self::WrongDigest,
            V3Failure::DecryptionError => Self::DecryptionError { privacy },
            V3Failure::NotInTimeWindow => Self::NotInTimeWindow,
            V3Failure::UnknownEngineId => Self::UnknownEngineId,
            V3Failure::UnsupportedSecurityLevel => Self::UnsupportedSecurityLevel,
            other => Self::V3(other),
        }
    }

    /// The other key-extension scheme of a 192/256-bit AES (Blumenthal `AES192`/`AES256`,
    /// Reeder `AES192C`/`AES256C`), which an agent may be using instead; `None` for the
    /// other protocols, whose keys need no extension.
    pub fn other_key_extension(privacy: PrivProtocol) -> Option<PrivProtocol> {
        match privacy {
            PrivProtocol::Aes192 => Some(PrivProtocol::Aes192C),
            PrivProtocol::Aes192C => Some(PrivProtocol::Aes192),
            PrivProtocol::Aes256 => Some(PrivProtocol::Aes256C),
            PrivProtocol::Aes256C => Some(PrivProtocol::Aes256),
            _ => None,
        }
    }
}

/// The second line of a decryption error: the other key-extension scheme to try.
fn decryption_hint(privacy: Option<PrivProtocol>) -> String {
    match privacy.and_then(|privacy| {
        RequestError::other_key_extension(privacy).map(|other| (privacy, other))
    }) {
        Some((privacy, other)) => format!(
            "\nthe agent may use the other key-extension scheme: try {other} instead of {privacy}"
        ),
        None => String::new(),
    }
}

fn timeout_message(last_malformed: Option<&DecodeError>) -> String {
    match last_malformed {
        None => "Timeout: No Response".to_owned(),
        Some(error) => format!("Timeout: the agent's responses could not be decoded ({error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_failures_use_net_snmp_texts() {
        let text = |failure| RequestError::from_v3(failure, None).to_string();
        assert_eq!(
            text(V3Failure::WrongDigest),
            "Authentication failure (incorrect password, community or key)"
        );
        assert_eq!(text(V3Failure::UnknownUserName), "Unknown user name");
        assert_eq!(
            text(V3Failure::UnsupportedSecurityLevel),
            "Unsupported security level"
        );
        assert_eq!(text(V3Failure::NotInTimeWindow), "Not in time window");
        assert_eq!(text(V3Failure::UnknownEngineId), "Unknown engine ID");
        assert_eq!(text(V3Failure::DecryptionError), "Decryption error");
    }

    #[test]
    fn decryption_error_names_the_other_key_extension() {
        let error = RequestError::from_v3(V3Failure::DecryptionError, Some(PrivProtocol::Aes256));
        assert_eq!(
            error.to_string(),
            "Decryption error\nthe agent may use the other key-extension scheme: try AES256C \
             instead of AES256"
        );
        let error = RequestError::from_v3(V3Failure::DecryptionError, Some(PrivProtocol::Aes128));
        assert_eq!(error.to_string(), "Decryption error");
        assert_eq!(
            RequestError::other_key_extension(PrivProtocol::Aes192C),
            Some(PrivProtocol::Aes192)
        );
    }
}
