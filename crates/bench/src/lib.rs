//! vigie-bench: the codec benchmarks' inputs and one adapter per SNMP codec compared.
//!
//! `benches/codec.rs` times, for each message in [`fixture::Kind`], every codec in
//! [`codecs`]: decoding the same bytes, and encoding the same logical content.
//! `benches/v3.rs` does the same for SNMPv3 at authPriv ([`v3`] for vigie, [`v3_async_snmp`]
//! for async-snmp; `v3_snmp2`, with the `snmp2-v3` feature, for snmp2's key localization). This crate is not published and is kept out of the workspace's test run;
//! `docs/benchmarks.md` has the figures and how to reproduce them.

pub mod codecs;
pub mod fixture;
pub mod v3;
pub mod v3_async_snmp;
#[cfg(feature = "snmp2-v3")]
pub mod v3_snmp2;
