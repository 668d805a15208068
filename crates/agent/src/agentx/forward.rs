//! Requests forwarded to a subagent: the registry's [`DynamicMib`] for one registration
//! (RFC 2741 §7.2).
//!
//! A forwarder runs on the responder's blocking threads: it queues the request on the
//! connection's writer and waits on a std channel with a timeout for the connection's task to
//! hand over the Response. A request that times out is abandoned (its late answer is
//! dropped); after `retries` timeouts in a row the session is closed with reasonTimeouts and
//! its registrations removed, as Net-SNMP does.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use vigie_snmp::{ErrorStatus, Oid, Value, VarBind};

use super::master::Link;
use super::pdu::{self, Body, CloseReason, Header, Pdu, Response, flags};
use crate::mib::{RequestCtx, SetError};
use crate::registry::{DynamicMib, DynamicRegions, SearchRange};

/// One open session (RFC 2741 §7.1.1).
pub(super) struct Session {
    id: u32,
    link: Arc<Link>,
    big_endian: bool,
    timeout: Duration,
    retries: u32,
    /// Timeouts in a row.
    timeouts: AtomicU32,
    closed: AtomicBool,
    /// The regions table, set at the first registration, for a close on timeouts.
    regions: Mutex<Option<Arc<DynamicRegions>>>,
    /// The SET transactions in progress: the varbind each is for, and its transaction ID.
    transactions: Mutex<Vec<(Oid, u32)>>,
    next_transaction: AtomicU32,
}

impl Session {
    pub(super) fn new(
        id: u32,
        link: Arc<Link>,
        big_endian: bool,
        timeout: Duration,
        retries: u32,
    ) -> Self {
        Self {
            id,
            link,
            big_endian,
            timeout,
            retries,
            timeouts: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            regions: Mutex::new(None),
            transactions: Mutex::new(Vec::new()),
            next_transaction: AtomicU32::new(1),
        }
    }

    pub(super) fn id(&self) -> u32 {
        self.id
    }

    /// The session's default timeout.
    pub(super) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes the session: its registrations go at once.
    pub(super) fn close(&self, regions: &DynamicRegions) {
        self.closed.store(true, Ordering::Release);
        regions.remove_owner(u64::from(self.id));
    }

    /// Remembers the table the session's regions live in.
    pub(super) fn attach(&self, regions: &Arc<DynamicRegions>) {
        let mut slot = self.regions.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(Arc::clone(regions));
        }
    }

    fn header(&self, transaction_id: u32) -> Header {
        Header {
            kind: 0,
            flags: if self.big_endian {
                flags::NETWORK_BYTE_ORDER
            } else {
                0
            },
            session_id: self.id,
            transaction_id,
            packet_id: 0,
            payload_length: 0,
        }
    }

    /// Sends `body` and waits up to `timeout` for the Response; `None` when the session is
    /// closed, the connection lost or the time up.
    fn request(&self, body: Body, transaction_id: u32, timeout: Duration) -> Option<Response> {
        if self.is_closed() {
            return None;
        }
        let pdu = Pdu {
            header: self.header(transaction_id),
            context: None,
            body,
        };
        let (packet, answered) = self.link.request(pdu)?;
        match answered.recv_timeout(timeout) {
            Ok(response) => {
                self.timeouts.store(0, Ordering::Relaxed);
                Some(response)
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                self.link.forget(packet);
                let timeouts = self.timeouts.fetch_add(1, Ordering::Relaxed) + 1;
                if timeouts >= self.retries.max(1) {
                    self.give_up();
                }
                None
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Too many timeouts: the session is closed with reasonTimeouts (RFC 2741 §7.1.9).
    fn give_up(&self) {
        let pdu = Pdu {
            header: self.header(0),
            context: None,
            body: Body::Close {
                reason: CloseReason::Timeouts,
            },
        };
        self.link.send(&pdu);
        let regions = self
            .regions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match regions {
            Some(regions) => self.close(&regions),
            None => self.closed.store(true, Ordering::Release),
        }
    }

    fn send_without_answer(&self, body: Body, transaction_id: u32) {
        let pdu = Pdu {
            header: self.header(transaction_id),
            context: None,
            body,
        };
        self.link.send(&pdu);
    }
}

/// The registry's handler for one registration of a session.
pub(super) struct Forwarder {
    session: Arc<Session>,
    timeout: Duration,
}

impl Forwarder {
    pub(super) fn new(session: Arc<Session>, timeout: Duration) -> Self {
        Self { session, timeout }
    }

    fn transaction_of(&self, name: &Oid) -> Option<u32> {
        self.session
            .transactions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(other, _)| other == name)
            .map(|(_, transaction)| *transaction)
    }
}

impl DynamicMib for Forwarder {
    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        self.try_get(ctx, oid).unwrap_or(Value::NoSuchObject)
    }

    /// A subagent that does not answer, or answers with an error, fails the GET with genErr,
    /// as Net-SNMP's master does.
    fn try_get(&self, _ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        let range = pdu::SearchRange {
            start: oid.clone(),
            include: false,
            end: None,
        };
        let response = self
            .session
            .request(Body::Get(vec![range]), 0, self.timeout)
            .filter(|response| response.error == pdu::error::NO_ERROR)
            .ok_or(ErrorStatus::GenErr)?;
        Ok(response
            .varbinds
            .into_iter()
            .next()
            .filter(|varbind| varbind.name == *oid)
            .map_or(Value::NoSuchObject, |varbind| match varbind.value {
                Value::EndOfMibView => Value::NoSuchInstance,
                value => value,
            }))
    }

    fn next_in(&self, _ctx: &RequestCtx, range: &SearchRange) -> Option<VarBind> {
        let range = pdu::SearchRange {
            start: range.start.clone(),
            include: range.include,
            end: range.end.clone(),
        };
        let response = self
            .session
            .request(Body::GetNext(vec![range]), 0, self.timeout)?;
        if response.error != pdu::error::NO_ERROR {
            return None;
        }
        let varbind = response.varbinds.into_iter().next()?;
        (!matches!(
            varbind.value,
            Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance
        ))
        .then_some(varbind)
    }

    fn test_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let transaction = self
            .session
            .next_transaction
            .fetch_add(1, Ordering::Relaxed);
        self.session
            .transactions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((varbind.name.clone(), transaction));
        let response = self
            .session
            .request(
                Body::TestSet(vec![varbind.clone()]),
                transaction,
                self.timeout,
            )
            // A subagent that does not answer in time: genErr, as Net-SNMP answers.
            .ok_or(SetError::GenErr)?;
        set_result(response.error)
    }

    fn commit_set(&self, _ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        let transaction = self
            .transaction_of(&varbind.name)
            .ok_or(SetError::CommitFailed)?;
        let response = self
            .session
            .request(Body::CommitSet, transaction, self.timeout)
            .ok_or(SetError::CommitFailed)?;
        if response.error == pdu::error::NO_ERROR {
            // The subagent keeps the previous value for its UndoSet.
            Ok(Value::Null)
        } else {
            Err(SetError::CommitFailed)
        }
    }

    fn undo_set(&self, _ctx: &RequestCtx, name: &Oid, _previous: &Value) -> Result<(), SetError> {
        let transaction = self.transaction_of(name).ok_or(SetError::UndoFailed)?;
        let response = self
            .session
            .request(Body::UndoSet, transaction, self.timeout)
            .ok_or(SetError::UndoFailed)?;
        if response.error == pdu::error::NO_ERROR {
            Ok(())
        } else {
            Err(SetError::UndoFailed)
        }
    }

    fn end_set(&self, _ctx: &RequestCtx) {
        let transactions = std::mem::take(
            &mut *self
                .session
                .transactions
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        // RFC 2741 §7.2.4.4: CleanupSet has no Response.
        for (_, transaction) in transactions {
            self.session
                .send_without_answer(Body::CleanupSet, transaction);
        }
    }
}

/// A TestSet's `res.error` as the SET error the agent answers with: the SNMP statuses as
/// they are, anything else (genErr, an AgentX error) as genErr.
fn set_result(code: u16) -> Result<(), SetError> {
    Err(match code {
        pdu::error::NO_ERROR => return Ok(()),
        6 => SetError::NoAccess,
        7 => SetError::WrongType,
        8 => SetError::WrongLength,
        9 => SetError::WrongEncoding,
        10 => SetError::WrongValue,
        11 => SetError::NoCreation,
        12 => SetError::InconsistentValue,
        13 => SetError::ResourceUnavailable,
        14 => SetError::CommitFailed,
        15 => SetError::UndoFailed,
        17 => SetError::NotWritable,
        18 => SetError::InconsistentName,
        _ => SetError::GenErr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_set_errors_keep_their_snmp_status() {
        assert_eq!(set_result(0), Ok(()));
        assert_eq!(set_result(10), Err(SetError::WrongValue));
        assert_eq!(set_result(17), Err(SetError::NotWritable));
        assert_eq!(set_result(5), Err(SetError::GenErr));
        assert_eq!(set_result(268), Err(SetError::GenErr));
    }
}
