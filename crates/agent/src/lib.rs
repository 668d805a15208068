//! vigie-agent: the SNMP command responder's application side.
//!
//! - [`mib`]: the [`Mib`](mib::Mib) handler trait every MIB group implements, and helpers
//!   for scalar groups ([`ScalarGroup`](mib::ScalarGroup)) and tables
//!   ([`Table`](mib::Table)) with a short cache;
//! - [`Registry`]: the handlers, sorted, with GET and GETNEXT across them in lexicographic
//!   order;
//! - [`Agent`]: GET, GETNEXT, GETBULK and SET over the registry, with VACM access control and
//!   SNMPv1 semantics, answering what `vigie_snmp::engine::ResponderEngine` hands over;
//! - built-in groups: [`system`] (SNMPv2-MIB system group and sysORTable), [`snmp`] (the snmp
//!   counters, SNMP-FRAMEWORK-MIB's snmpEngine, SNMP-MPD-MIB and usmStats), [`usm`]
//!   (usmUserTable, without keys), [`vacm`] (the VACM tables), the host groups under
//!   [`mib`] (IF-MIB, HOST-RESOURCES-MIB, read from [`host`]), with [`State`] keeping what
//!   must survive a restart;
//! - [`agentx`]: the AgentX master (RFC 2741), whose subagents' registrations overlay the
//!   registry's handlers;
//! - [`extend`]: Net-SNMP's `pass`, `pass_persist` and `extend` programs as handlers, and
//!   [`proxy`]: a subtree forwarded to another agent;
//! - [`notification`]: coldStart, warmStart, linkDown/linkUp and authenticationFailure as
//!   SNMPv2 varbinds or v1 traps.
//!
//! This crate reads `/proc` and its state directory; sockets belong to `vigie-net`.

mod agent;
pub mod agentx;
pub mod extend;
pub mod host;
pub mod mib;
pub mod notification;
pub mod proxy;
mod registry;
pub mod snmp;
mod state;
pub mod system;
pub mod usm;
pub mod vacm;

pub use agent::{Agent, AgentConfig};
pub use registry::{
    ContextHandler, DynamicMib, DynamicRegion, DynamicRegions, MAX_DYNAMIC_REGIONS, Registry,
    RegistryError, STATIC_PRIORITY, Scope, SearchRange, Target,
};
pub use state::{State, StateError};
