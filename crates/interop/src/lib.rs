//! Interop test harness: runs `vigie` next to the Net-SNMP tools against real Net-SNMP
//! peers on loopback, for the tests in `tests/netsnmp/`.
//!
//! What it does:
//! - finds the Net-SNMP programs ([`Peer`]) and skips a test, with the Debian package to
//!   install, when one is missing ([`require`]); `VIGIE_REQUIRE_PEERS=1` turns a missing
//!   peer into a failure, so CI cannot pass by skipping;
//! - starts `snmpd` ([`Snmpd`]) and `snmptrapd` ([`Snmptrapd`]) on free loopback ports with
//!   throwaway configurations, and stops them (by PID) when dropped;
//! - runs a Net-SNMP tool and its `vigie` equivalent with the same arguments in the same
//!   sandboxed environment and compares stdout, stderr and exit status ([`compare`]).
//!
//! What it does not do: it never touches ports 161/162, never reads the system's Net-SNMP
//! configuration, and loads no MIB (`MIBS=` and `-m ''`), because vigie has no MIB compiler
//! yet; every comparison is therefore made on numeric OIDs.
//!
//! The harness panics on failure (a peer that does not start, a tool that hangs): it is
//! test-only code and a panic is how a test fails.

mod peer;
mod process;
mod snmpd;
mod snmptrapd;

pub use peer::{Peer, require};
pub use process::{Outcome, Pair, compare, mask_timeticks, run, vigie_bin};
pub use snmpd::{PASS_SUBTREE, SYS_CONTACT, SYS_DESCR, SYS_LOCATION, SYS_NAME, SYS_OBJECT_ID};
pub use snmpd::{PassObject, Snmpd, SnmpdConfig, free_udp_port, pass_objects};
pub use snmptrapd::Snmptrapd;
