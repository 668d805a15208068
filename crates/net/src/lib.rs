//! vigie-net: tokio drivers that carry the `vigie-snmp` engines over UDP.
