//! Requests forwarded to a subagent: the registry's [`DynamicMib`] for one registration
//! (RFC 2741 §7.2).
//!
//! A forwarder runs on the responder's blocking threads: it queues the request on the
//! connection's writer and waits on a std channel with a timeout for the connection's task to
//! hand over the Response. A request that times out is abandoned (its late answer is
//! dropped); after `retries` timeouts in a row the session is closed with reasonTimeouts and
//! its registrations removed, as Net-SNMP does.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
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
    /// The timeout the subagent asked for at Open; `None` (0): the master's.
    timeout: Option<Duration>,
    /// The master's timeout, retries and GetBulk choice, as the last reload set them.
    defaults: Arc<Defaults>,
    /// Timeouts in a row.
    timeouts: AtomicU32,
    closed: AtomicBool,
    /// The regions table, set at the first registration, for a close on timeouts.
    regions: Mutex<Option<Arc<DynamicRegions>>>,
    /// The SET transaction in progress, its transaction ID: one at a time, since the agent
    /// runs one SET at a time.
    transaction: Mutex<Option<u32>>,
    next_transaction: AtomicU32,
}

impl Session {
    pub(super) fn new(
        id: u32,
        link: Arc<Link>,
        big_endian: bool,
        timeout: Option<Duration>,
        defaults: Arc<Defaults>,
    ) -> Self {
        Self {
            id,
            link,
            big_endian,
            timeout,
            defaults,
            timeouts: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            regions: Mutex::new(None),
            transaction: Mutex::new(None),
            next_transaction: AtomicU32::new(1),
        }
    }

    pub(super) fn id(&self) -> u32 {
        self.id
    }

    /// The session's default timeout: its own, else the master's.
    pub(super) fn timeout(&self) -> Duration {
        self.timeout.unwrap_or_else(|| self.defaults.timeout())
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
    fn request(
        &self,
        context: Option<Bytes>,
        body: Body,
        transaction_id: u32,
        timeout: Duration,
    ) -> Option<Response> {
        if self.is_closed() {
            return None;
        }
        let pdu = Pdu {
            header: self.header(transaction_id),
            context,
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
                if timeouts >= self.defaults.retries().max(1) {
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

/// The master's timeout, retries and GetBulk choice ([`MasterConfig`]'s), read at each
/// request, so that a reload changes them for the sessions already open.
///
/// [`MasterConfig`]: super::MasterConfig
#[derive(Debug)]
pub(super) struct Defaults {
    timeout_ms: AtomicU64,
    retries: AtomicU32,
    get_bulk: AtomicBool,
}

impl Defaults {
    pub(super) fn new(timeout: Duration, retries: u32, get_bulk: bool) -> Self {
        let defaults = Self {
            timeout_ms: AtomicU64::new(0),
            retries: AtomicU32::new(0),
            get_bulk: AtomicBool::new(false),
        };
        defaults.set(timeout, retries, get_bulk);
        defaults
    }

    pub(super) fn set(&self, timeout: Duration, retries: u32, get_bulk: bool) {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.timeout_ms.store(millis, Ordering::Relaxed);
        self.retries.store(retries, Ordering::Relaxed);
        self.get_bulk.store(get_bulk, Ordering::Relaxed);
    }

    pub(super) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    pub(super) fn retries(&self) -> u32 {
        self.retries.load(Ordering::Relaxed)
    }

    pub(super) fn get_bulk(&self) -> bool {
        self.get_bulk.load(Ordering::Relaxed)
    }
}

/// The registry's handler for one registration of a session.
pub(super) struct Forwarder {
    session: Arc<Session>,
    /// The timeout the registration asked for; `None` (0): the session's.
    timeout: Option<Duration>,
    /// The registration's context, sent with every request (`None` for the default one).
    context: Option<Bytes>,
}

impl Forwarder {
    pub(super) fn new(session: Arc<Session>, timeout: Option<Duration>, context: Bytes) -> Self {
        Self {
            session,
            timeout,
            context: (!context.is_empty()).then_some(context),
        }
    }

    fn request(&self, body: Body, transaction_id: u32) -> Option<Response> {
        let timeout = self.timeout.unwrap_or_else(|| self.session.timeout());
        self.session
            .request(self.context.clone(), body, transaction_id, timeout)
    }

    fn open_transaction(&self) -> Option<u32> {
        *self
            .session
            .transaction
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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
            .request(Body::Get(vec![range]), 0)
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
        let response = self.request(Body::GetNext(vec![range]), 0)?;
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

    /// One AgentX GetBulk for the repetitions left (RFC 2741 §7.2.3.3), when the master is
    /// configured to send them; the answer's increasing prefix inside `range`.
    fn bulk_in(&self, _ctx: &RequestCtx, range: &SearchRange, max: u16) -> Vec<VarBind> {
        if !self.session.defaults.get_bulk() || max == 0 {
            return Vec::new();
        }
        let body = Body::GetBulk {
            non_repeaters: 0,
            max_repetitions: max,
            ranges: vec![pdu::SearchRange {
                start: range.start.clone(),
                include: range.include,
                end: range.end.clone(),
            }],
        };
        let Some(response) = self.request(body, 0) else {
            return Vec::new();
        };
        if response.error != pdu::error::NO_ERROR {
            return Vec::new();
        }
        response
            .varbinds
            .into_iter()
            .take(usize::from(max))
            .take_while(|varbind| {
                !matches!(
                    varbind.value,
                    Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance
                )
            })
            .collect()
    }

    /// Every region of one session shares its transaction.
    fn transaction_key(&self) -> u64 {
        u64::from(self.session.id)
    }

    /// One TestSet with all the varbinds (RFC 2741 §7.2.1): the subagent sees a row's
    /// columns and its `RowStatus` together.
    fn test_set(&self, _ctx: &RequestCtx, varbinds: &[VarBind]) -> Result<(), (usize, SetError)> {
        let transaction = self
            .session
            .next_transaction
            .fetch_add(1, Ordering::Relaxed);
        *self
            .session
            .transaction
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(transaction);
        let response = self
            .request(Body::TestSet(varbinds.to_vec()), transaction)
            // A subagent that does not answer in time: genErr, as Net-SNMP answers.
            .ok_or((0, SetError::GenErr))?;
        // res.index is 1-based; 0 (no particular varbind) points at the first.
        let at =
            usize::from(response.index.saturating_sub(1)).min(varbinds.len().saturating_sub(1));
        set_result(response.error).map_err(|error| (at, error))
    }

    fn commit_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
        let transaction = self.open_transaction().ok_or(SetError::CommitFailed)?;
        let response = self
            .request(Body::CommitSet, transaction)
            .ok_or(SetError::CommitFailed)?;
        if response.error == pdu::error::NO_ERROR {
            Ok(())
        } else {
            Err(SetError::CommitFailed)
        }
    }

    fn undo_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
        let transaction = self.open_transaction().ok_or(SetError::UndoFailed)?;
        let response = self
            .request(Body::UndoSet, transaction)
            .ok_or(SetError::UndoFailed)?;
        if response.error == pdu::error::NO_ERROR {
            Ok(())
        } else {
            Err(SetError::UndoFailed)
        }
    }

    fn end_set(&self, _ctx: &RequestCtx) {
        let transaction = self
            .session
            .transaction
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // RFC 2741 §7.2.4.4: CleanupSet has no Response.
        if let Some(transaction) = transaction {
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
