//! A session: which agent, and how to speak to it.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use vigie_snmp::Version;
use vigie_snmp::engine::{RetryPolicy, UsmUser};

/// One agent, as the Net-SNMP tools address it: `-v`, `-c`, `-t`, `-r`, the SNMPv3 options and
/// the agent address.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The agent's address.
    pub target: SocketAddr,
    /// `V1` or `V2c`.
    pub version: Version,
    /// The community, a secret: `Debug` prints `***`.
    pub community: Bytes,
    /// How long to wait for each transmission's response (Net-SNMP `-t`, default 1 s).
    pub timeout: Duration,
    /// How many times to resend (Net-SNMP `-r`, default 5).
    pub retries: u32,
    /// SNMPv3: the user and how its messages are secured (`-u -l -a -A -x -X -e -E -n -Z`);
    /// required when `version` is `V3`, ignored otherwise.
    pub usm: Option<UsmUser>,
}

impl Session {
    /// A session with Net-SNMP's default timeout (1 s) and retries (5).
    pub fn new(target: SocketAddr, version: Version, community: impl Into<Bytes>) -> Self {
        let policy = RetryPolicy::default();
        Self {
            target,
            version,
            community: community.into(),
            timeout: policy.timeout,
            retries: policy.retries,
            usm: None,
        }
    }

    /// An SNMPv3 session as `user`, with Net-SNMP's default timeout (1 s) and retries (5).
    pub fn v3(target: SocketAddr, user: UsmUser) -> Self {
        Self {
            usm: Some(user),
            ..Self::new(target, Version::V3, Bytes::new())
        }
    }

    /// The retransmission policy this session asks for.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            timeout: self.timeout,
            retries: self.retries,
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("target", &self.target)
            .field("version", &self.version)
            .field("community", &"***")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("usm", &self.usm)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_community() {
        let session = Session::new(
            "127.0.0.1:161".parse().unwrap(),
            Version::V2c,
            Bytes::from_static(b"s3cret"),
        );
        let shown = format!("{session:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn defaults_are_net_snmp_defaults() {
        let session = Session::new("[::1]:161".parse().unwrap(), Version::V1, "public");
        assert_eq!(session.timeout, Duration::from_secs(1));
        assert_eq!(session.retries, 5);
    }
}
