//! Interop test harness: starts Net-SNMP peers on loopback for the tests in `tests/`.
