//! The `vigie` binary against Net-SNMP: for the same arguments, each test runs the Net-SNMP
//! tool and `vigie` against a real `snmpd` (or `snmptrapd`) on a free loopback port and
//! compares stdout, stderr and the exit status byte for byte. The peers, the sandbox the tools
//! run in and the comparison come from the `vigie_interop` harness.
//!
//! Without a Net-SNMP binary a test prints the Debian package to install and passes; with
//! `VIGIE_REQUIRE_PEERS=1` it fails instead.

mod link_netns;
mod malformed;
mod mib_lint;
mod mibs;
mod notifications;
mod options;
mod relay;
mod reliability;
mod reload;
mod requests;
mod secrets;
mod serve;
mod serve_e2e;
mod smtp;
mod snmp_security;
mod support;
mod walks;
