//! Net-SNMP's extension mechanisms, run unchanged: `pass` and `pass_persist` scripts
//! (snmpd.conf(5), "MIB-Specific Extension Commands") and `extend` commands
//! (NET-SNMP-EXTEND-MIB, `1.3.6.1.4.1.8072.1.3`).
//!
//! - [`Pass`]: one process per request, `PROG -g OID`, `PROG -n OID`, `PROG -s OID TYPE
//!   VALUE`, answered in Net-SNMP's three-line protocol ([`protocol`]);
//! - [`PassPersist`]: one long-running child per registration, fed `get`, `getnext` and
//!   `set` over its standard input after a `PING`/`PONG` handshake, restarted when it dies
//!   or misbehaves;
//! - [`Extend`]: the `nsExtendConfigTable`, `nsExtendOutput1Table` and
//!   `nsExtendOutput2Table` of the configured commands, each run on demand and cached.
//!
//! Every handler blocks (processes): the agent must call them on blocking threads. Every
//! wait is bounded by a timeout, every read by a length; a process that outlives its
//! timeout is killed with its whole process group and reaped, so no zombie is left behind.
//! The programs' standard error goes to `/dev/null`: nothing they print reaches a response.

mod nsextend;
mod pass;
mod persist;
mod process;
pub mod protocol;

use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

pub use nsextend::{Extend, ExtendCommand, NS_EXTEND_OBJECTS};
pub use pass::Pass;
pub use persist::PassPersist;
pub use process::{Finished, RunError, run};

/// Where the extension handlers report what operators must know (a script that timed out,
/// a `pass_persist` child restarted): the binary decides whether that is standard error or
/// its log.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// A log that drops everything (tests).
pub fn silent() -> Log {
    Arc::new(|_| {})
}

/// A program and its arguments, run without a shell.
#[derive(Clone, PartialEq, Eq)]
pub struct Program {
    argv: Vec<OsString>,
}

impl Program {
    /// `argv[0]` and its arguments; `None` when `argv` is empty.
    pub fn new(argv: Vec<OsString>) -> Option<Self> {
        (!argv.is_empty()).then_some(Self { argv })
    }

    /// The program and its arguments.
    pub fn argv(&self) -> &[OsString] {
        &self.argv
    }

    /// The same program with `more` arguments appended.
    pub(crate) fn with_args<I, S>(&self, more: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let mut argv = self.argv.clone();
        argv.extend(more.into_iter().map(Into::into));
        Self { argv }
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.argv).finish()
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.argv.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&arg.to_string_lossy())?;
        }
        Ok(())
    }
}
