//! The `vigie` binary against Net-SNMP: for the same arguments, each test runs the Net-SNMP
//! tool and `vigie` against a real `snmpd` (or `snmptrapd`) on a free loopback port and
//! compares stdout, stderr and the exit status byte for byte.
//!
//! Without the Net-SNMP binaries (Debian packages `snmp snmpd snmptrapd`) the tests print a
//! note and pass; with `VIGIE_REQUIRE_PEERS=1` they fail instead.

mod malformed;
mod notifications;
mod options;
mod requests;
mod support;
mod walks;
