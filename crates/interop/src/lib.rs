//! Interop test harness: runs `vigie` next to the Net-SNMP tools against real Net-SNMP
//! peers on loopback, for the tests in `tests/netsnmp/` and the other crates' suites.
//!
//! What it does:
//! - finds the Net-SNMP programs ([`Peer`]) and skips a test, with the Debian package to
//!   install, when one is missing ([`require`]); `VIGIE_REQUIRE_PEERS=1` turns a missing
//!   peer into a failure, so CI cannot pass by skipping;
//! - starts `snmpd` ([`Snmpd`]) and `snmptrapd` ([`Snmptrapd`]) on free loopback ports with
//!   throwaway configurations, and stops them (by PID) when dropped; an agent can keep
//!   snmpd's own system group ([`Snmpd::start_netsnmp_system`]), a receiver can log in
//!   snmptrapd's own format ([`Snmptrapd::start_netsnmp_format`]);
//! - starts a private PostgreSQL server ([`Postgres::shared`]) for the storage tests, one
//!   database per test, stopped by PID when the test process exits, and vigie-notify's
//!   aiosmtpd relay ([`SmtpRelay`]) for the e-mail tests;
//! - runs a Net-SNMP tool and its `vigie` equivalent with the same arguments in the same
//!   sandboxed environment and compares stdout, stderr and exit status ([`compare`]), or
//!   with the tool named as a shell names it, so that its `argv[0]`-prefixed messages
//!   compare too ([`compare_as_shell`]).
//!
//! The test suites of `vigie` (`crates/vigie/tests/it`) and `vigie-net`
//! (`crates/net/tests/it`) use it as well, as a dev-dependency; it depends on no vigie
//! crate and finds the `vigie` binary by path ([`vigie_bin`]).
//!
//! What it does not do: it never touches ports 161/162, never reads the system's Net-SNMP
//! configuration, and loads no MIB of its own accord (`MIBS=` and `-m ''`): a comparison is
//! made on numeric OIDs unless the test gives both sides the same MIB directory.
//!
//! The harness panics on failure (a peer that does not start, a tool that hangs): it is
//! test-only code and a panic is how a test fails.

mod context;
mod peer;
mod pki;
mod postgres;
mod process;
mod smtp;
mod snmpd;
mod snmptrapd;

pub use context::{CONTEXT_USER, context_user_args};
pub use peer::{Peer, require};
pub use pki::{ServerCert, TestPki};
pub use postgres::{PASSWORD as POSTGRES_PASSWORD, Postgres};
pub use process::{Outcome, Pair, compare, compare_as_shell, cut_usage, mask_timeticks, run};
pub use process::{run_as_shell, run_netsnmp, vigie_bin};
pub use smtp::{Received, SmtpRelay, aiosmtpd_available, relay_script};
pub use snmpd::{PASS_SUBTREE, SYS_CONTACT, SYS_DESCR, SYS_LOCATION, SYS_NAME, SYS_OBJECT_ID};
pub use snmpd::{PassObject, Snmpd, SnmpdConfig, free_udp_port, pass_objects};
pub use snmptrapd::Snmptrapd;
