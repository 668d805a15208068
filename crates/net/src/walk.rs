//! Walking a subtree with GETNEXT or GETBULK, with Net-SNMP's stopping rules.

use std::collections::{HashSet, VecDeque};

use vigie_snmp::{ErrorStatus, Oid, Pdu, Value, VarBind, Version};

use crate::client::Client;
use crate::error::RequestError;

/// How to walk. The default is `snmpwalk`'s: GETNEXT, with the increasing check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// `None`: a GETNEXT walk (`snmpwalk`); `Some(n)`: GETBULK with max-repetitions `n`
    /// (`snmpbulkwalk -Cr n`). v1 sessions walk with GETNEXT, unless
    /// [`Walk::whole_responses`] asks for `snmpbulkwalk`'s behaviour.
    pub max_repetitions: Option<u32>,
    /// Stop with [`WalkError::NotIncreasing`] when an OID is not greater than the previous
    /// one, as Net-SNMP does unless given `-Cc`. Without it, a repeated OID still stops the
    /// walk with [`WalkError::Loop`].
    pub check_increasing: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            max_repetitions: None,
            check_increasing: true,
        }
    }
}

/// A walk in progress: call [`next`](Self::next) until it returns `None`.
///
/// The builder methods ([`ending_before`](Self::ending_before),
/// [`non_repeaters`](Self::non_repeaters), [`typed_root`](Self::typed_root),
/// [`whole_responses`](Self::whole_responses)) and [`next_item`](Self::next_item) give what
/// `snmpwalk` and `snmpbulkwalk` do, detail for detail; `vigie walk` and `vigie bulkwalk` are
/// built on them.
#[derive(Debug)]
pub struct Walk<'a> {
    client: &'a Client,
    root: Oid,
    options: WalkOptions,
    /// GETBULK non-repeaters (`snmpbulkwalk -Cn`).
    non_repeaters: u32,
    /// Which varbinds belong to the walk.
    range: Range,
    /// The root as typed, when it differs from the OID sent (a single arc): the first
    /// increasing check compares with it.
    typed_root: Option<Vec<u32>>,
    /// Keep handing out the rest of a response after the walk has ended in it, as the
    /// Net-SNMP tools print it; and never turn GETBULK into GETNEXT on v1.
    whole_responses: bool,
    /// The OID the next request goes on from: the last varbind of the previous response.
    cursor: Oid,
    /// What the increasing check compares with: the previous varbind (GETNEXT) or the OID
    /// the request asked for (GETBULK), as `snmpwalk` and `snmpbulkwalk` do.
    previous: Oid,
    buffered: VecDeque<VarBind>,
    seen: HashSet<Oid>,
    end: Option<WalkEnd>,
    /// No more requests: the walk ends once `buffered` is drained.
    stopping: bool,
    finished: bool,
}

/// One step of a walk as the Net-SNMP tools print it ([`Walk::next_item`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalkItem {
    /// A varbind of the subtree.
    VarBind(VarBind),
    /// An exception (endOfMibView, noSuchObject, noSuchInstance) inside the subtree: printed,
    /// and no request follows.
    Exception(VarBind),
    /// A varbind not after `previous`: printed, then `Error: OID not increasing`, and no
    /// request follows.
    NotIncreasing {
        /// The OID it was compared with.
        previous: Oid,
        /// The varbind received.
        varbind: VarBind,
    },
}

impl<'a> Walk<'a> {
    pub(crate) fn new(client: &'a Client, root: Oid, options: WalkOptions) -> Self {
        Self {
            client,
            cursor: root.clone(),
            previous: root.clone(),
            root,
            options,
            non_repeaters: 0,
            range: Range::Subtree,
            typed_root: None,
            whole_responses: false,
            buffered: VecDeque::new(),
            seen: HashSet::new(),
            end: None,
            stopping: false,
            finished: false,
        }
    }

    /// Ends the walk at the first varbind at or past `end`, instead of at the first outside
    /// the subtree: `snmpwalk -CE END`, or, with the root's last arc incremented, Net-SNMP's
    /// own rule (which prints an OID below the root, then says it is not increasing).
    /// `None`: no end at all, as for a root of `2`, whose end `3` no OID reaches.
    #[must_use]
    pub fn ending_before(mut self, end: Option<Oid>) -> Self {
        self.range = end.map_or(Range::Unbounded, Range::Before);
        self
    }

    /// GETBULK non-repeaters (`snmpbulkwalk -Cn`); 0 by default.
    #[must_use]
    pub fn non_repeaters(mut self, non_repeaters: u32) -> Self {
        self.non_repeaters = non_repeaters;
        self
    }

    /// The root as typed when it is not the OID sent: Net-SNMP sends a single arc `1` as
    /// the one subidentifier `01`, which reads as `0.1`, yet compares the first answer with
    /// `1`.
    #[must_use]
    pub fn typed_root(mut self, arcs: &[u32]) -> Self {
        self.typed_root = Some(arcs.to_vec());
        self
    }

    /// Hands out the rest of the response in which the walk ended (after an exception, an
    /// OID outside the range or not increasing), as `snmpwalk` and `snmpbulkwalk` print
    /// them, and sends GETBULK on v1 too (the request then fails, as `snmpbulkwalk -v1`).
    #[must_use]
    pub fn whole_responses(mut self) -> Self {
        self.whole_responses = true;
        self
    }

    /// The next varbind of the subtree, an error (after which the walk is over), or `None`
    /// when the walk is over.
    pub async fn next(&mut self) -> Option<Result<VarBind, WalkError>> {
        match self.next_item().await? {
            Ok(WalkItem::VarBind(varbind)) => Some(Ok(varbind)),
            // The end holds it; the walk is over.
            Ok(WalkItem::Exception(_)) => None,
            Ok(WalkItem::NotIncreasing { previous, varbind }) => {
                Some(Err(WalkError::NotIncreasing {
                    previous,
                    received: varbind.name,
                }))
            }
            Err(error) => Some(Err(error)),
        }
    }

    /// The next step of the walk as the Net-SNMP tools see it: a varbind, an exception or a
    /// non-increasing varbind (each to be printed), an error (after which the walk is over),
    /// or `None` when the walk is over.
    pub async fn next_item(&mut self) -> Option<Result<WalkItem, WalkError>> {
        loop {
            if let Some(varbind) = self.buffered.pop_front() {
                match self.accept(varbind) {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            if self.finished || self.stopping {
                self.finished = true;
                return None;
            }
            let pdu = match self.fetch().await {
                Ok(pdu) => pdu,
                Err(error) => return self.fail(WalkError::Request(error)),
            };
            if pdu.error_status == ErrorStatus::NoSuchName {
                // v1 agents end a GETNEXT walk so; Net-SNMP prints "End of MIB".
                self.stop(WalkEnd::NoSuchName);
                return None;
            }
            if pdu.error_status != ErrorStatus::NoError {
                return self.fail(WalkError::ErrorStatus { pdu });
            }
            if pdu.varbinds.is_empty() {
                self.stop(WalkEnd::EmptyResponse);
                return None;
            }
            self.buffered = pdu.varbinds.into();
        }
    }

    /// Why the walk ended, once `next` has returned `None` (or an error).
    pub fn end(&self) -> Option<&WalkEnd> {
        self.end.as_ref()
    }

    /// The subtree walked.
    pub fn root(&self) -> &Oid {
        &self.root
    }

    fn bulk(&self) -> Option<u32> {
        match self.options.max_repetitions {
            Some(repetitions)
                if self.whole_responses || self.client.session().version != Version::V1 =>
            {
                Some(repetitions)
            }
            _ => None,
        }
    }

    async fn fetch(&self) -> Result<Pdu, RequestError> {
        let oids = std::slice::from_ref(&self.cursor);
        match self.bulk() {
            Some(repetitions) => {
                self.client
                    .get_bulk(self.non_repeaters, repetitions, oids)
                    .await
            }
            None => self.client.get_next(oids).await,
        }
    }

    fn in_range(&self, name: &Oid) -> bool {
        match &self.range {
            Range::Subtree => name.starts_with(&self.root),
            Range::Before(end) => name < end,
            Range::Unbounded => true,
        }
    }

    /// One varbind of a response: `None` when it is skipped (outside the range).
    fn accept(&mut self, varbind: VarBind) -> Option<Result<WalkItem, WalkError>> {
        if !self.in_range(&varbind.name) {
            self.stop(WalkEnd::LeftSubtree(varbind));
            return None;
        }
        if matches!(
            varbind.value,
            Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance
        ) {
            self.stop(WalkEnd::Exception(varbind.clone()));
            return Some(Ok(WalkItem::Exception(varbind)));
        }
        let compared = match &self.typed_root {
            Some(arcs) if self.previous == self.root => arcs.as_slice(),
            _ => self.previous.arcs(),
        };
        let not_increasing = self.options.check_increasing && varbind.name.arcs() <= compared;
        // A strictly increasing walk cannot repeat itself; the set is needed only without
        // the check, where a misbehaving agent could send us round in circles.
        if !self.options.check_increasing && !self.seen.insert(varbind.name.clone()) {
            return self.fail(WalkError::Loop { oid: varbind.name });
        }
        let previous = self.previous.clone();
        // snmpwalk moves on from every varbind, snmpbulkwalk from the last of each response.
        if self.bulk().is_none() || self.buffered.is_empty() {
            self.previous = varbind.name.clone();
        }
        self.cursor = varbind.name.clone();
        if not_increasing {
            self.stop(WalkEnd::Failed);
            return Some(Ok(WalkItem::NotIncreasing { previous, varbind }));
        }
        Some(Ok(WalkItem::VarBind(varbind)))
    }

    /// Ends the walk: at once, or after the rest of this response with `whole_responses`.
    fn stop(&mut self, end: WalkEnd) {
        if self.end.is_none() {
            self.end = Some(end);
        }
        if self.whole_responses {
            self.stopping = true;
        } else {
            self.finished = true;
            self.buffered.clear();
        }
    }

    fn fail<T>(&mut self, error: WalkError) -> Option<Result<T, WalkError>> {
        self.finished = true;
        self.buffered.clear();
        self.end = Some(WalkEnd::Failed);
        Some(Err(error))
    }
}

/// Which varbinds belong to a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Range {
    /// Those under the root.
    Subtree,
    /// Those before this OID (Net-SNMP's rule).
    Before(Oid),
    /// All.
    Unbounded,
}

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalkEnd {
    /// The agent returned an OID outside the subtree (this varbind): the usual end.
    LeftSubtree(VarBind),
    /// The agent returned an exception (endOfMibView, or noSuchObject/noSuchInstance from a
    /// misbehaving agent) in this varbind; Net-SNMP prints it before stopping.
    Exception(VarBind),
    /// The agent answered noSuchName (the v1 end of the MIB); Net-SNMP prints "End of MIB".
    NoSuchName,
    /// A response without varbinds.
    EmptyResponse,
    /// `next` returned an error.
    Failed,
}

/// A walk stopped on an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// The agent returned an OID not greater than the previous one (Net-SNMP: "OID not
    /// increasing").
    #[error("OID not increasing: {previous} >= {received}")]
    NotIncreasing {
        /// The OID returned before.
        previous: Oid,
        /// The OID just returned.
        received: Oid,
    },
    /// The agent returned an OID it had already returned: the walk would never end.
    #[error("OID {oid} returned twice: the agent loops")]
    Loop {
        /// The repeated OID.
        oid: Oid,
    },
    /// The agent answered with an error-status other than noSuchName.
    #[error("error in packet: {} (index {})", .pdu.error_status.name(), .pdu.error_index)]
    ErrorStatus {
        /// The Response-PDU.
        pdu: Pdu,
    },
    /// The request failed.
    #[error(transparent)]
    Request(#[from] RequestError),
}
