//! AgentX master agent (RFC 2741): subagents connect over a Unix stream socket or TCP, open
//! sessions, register subtrees, and answer the requests the agent forwards to them.
//!
//! - [`pdu`]: the PDUs and their encoding in both byte orders, without I/O;
//! - [`Master`]: the listening sockets and one task per connection, which keep the
//!   sessions' registrations in the [`DynamicRegions`](crate::DynamicRegions) table the
//!   [`Registry`](crate::Registry) consults;
//! - the forwarder, the registry's [`DynamicMib`](crate::DynamicMib) for one registration:
//!   it sends Get, GetNext and the SET phases to the subagent and blocks, with a timeout,
//!   until the session's task hands over the answer.

mod address;
mod forward;
mod master;
pub mod pdu;

pub use address::{AddressError, SocketAddress};
pub use master::{
    DEFAULT_MODE, DEFAULT_RETRIES, DEFAULT_SOCKET, DEFAULT_TIMEOUT, Master, MasterConfig,
    MasterError, MasterEvent, MasterSettings,
};
