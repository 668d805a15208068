//! Exit statuses, as the Net-SNMP tools use them.

use std::process::ExitCode;

/// How a tool ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: done.
    Success,
    /// 1: bad command line, unknown host, timeout, OID not increasing.
    Failure,
    /// 2: the agent answered with an error-status.
    ErrorInPacket,
    /// 2: an input file could not be read or holds nothing to work on (`vigie mib lint`).
    Unusable,
}

impl Exit {
    /// The process exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::ErrorInPacket | Self::Unusable => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}
