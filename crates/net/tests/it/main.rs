//! Integration tests of vigie-net: target parsing, a real `snmpd`, and a fake agent that
//! misbehaves on purpose.

mod fake_agent;
mod resolve;
mod snmpd;
mod support;
