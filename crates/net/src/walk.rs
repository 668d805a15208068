//! Walking a subtree with GETNEXT or GETBULK, with Net-SNMP's stopping rules.

use std::collections::{HashSet, VecDeque};

use vigie_snmp::{ErrorStatus, Oid, Pdu, Value, VarBind, Version};

use crate::client::Client;
use crate::error::RequestError;

/// How to walk. The default is `snmpwalk`'s: GETNEXT, with the increasing check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// `None`: a GETNEXT walk (`snmpwalk`); `Some(n)`: GETBULK with max-repetitions `n`
    /// (`snmpbulkwalk -Cr n`). v1 sessions always walk with GETNEXT.
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
#[derive(Debug)]
pub struct Walk<'a> {
    client: &'a Client,
    root: Oid,
    options: WalkOptions,
    /// The last OID returned, from which the next request goes on.
    cursor: Oid,
    buffered: VecDeque<VarBind>,
    seen: HashSet<Oid>,
    end: Option<WalkEnd>,
    finished: bool,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(client: &'a Client, root: Oid, options: WalkOptions) -> Self {
        Self {
            client,
            cursor: root.clone(),
            root,
            options,
            buffered: VecDeque::new(),
            seen: HashSet::new(),
            end: None,
            finished: false,
        }
    }

    /// The next varbind of the subtree, an error (after which the walk is over), or `None`
    /// when the walk is over.
    pub async fn next(&mut self) -> Option<Result<VarBind, WalkError>> {
        loop {
            if let Some(varbind) = self.buffered.pop_front() {
                return self.accept(varbind);
            }
            if self.finished {
                return None;
            }
            let pdu = match self.fetch().await {
                Ok(pdu) => pdu,
                Err(error) => return self.fail(WalkError::Request(error)),
            };
            if pdu.error_status == ErrorStatus::NoSuchName {
                // v1 agents end a GETNEXT walk so; Net-SNMP prints "End of MIB".
                return self.stop(WalkEnd::NoSuchName);
            }
            if pdu.error_status != ErrorStatus::NoError {
                return self.fail(WalkError::ErrorStatus { pdu });
            }
            if pdu.varbinds.is_empty() {
                return self.stop(WalkEnd::EmptyResponse);
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

    async fn fetch(&self) -> Result<Pdu, RequestError> {
        let oids = std::slice::from_ref(&self.cursor);
        match self.options.max_repetitions {
            Some(repetitions) if self.client.session().version != Version::V1 => {
                self.client.get_bulk(0, repetitions, oids).await
            }
            _ => self.client.get_next(oids).await,
        }
    }

    fn accept(&mut self, varbind: VarBind) -> Option<Result<VarBind, WalkError>> {
        if !varbind.name.starts_with(&self.root) {
            return self.stop(WalkEnd::LeftSubtree(varbind));
        }
        if matches!(
            varbind.value,
            Value::EndOfMibView | Value::NoSuchObject | Value::NoSuchInstance
        ) {
            return self.stop(WalkEnd::Exception(varbind));
        }
        if self.options.check_increasing && varbind.name <= self.cursor {
            let previous = self.cursor.clone();
            return self.fail(WalkError::NotIncreasing {
                previous,
                received: varbind.name,
            });
        }
        // A strictly increasing walk cannot repeat itself; the set is needed only without
        // the check, where a misbehaving agent could send us round in circles.
        if !self.options.check_increasing && !self.seen.insert(varbind.name.clone()) {
            return self.fail(WalkError::Loop { oid: varbind.name });
        }
        self.cursor = varbind.name.clone();
        Some(Ok(varbind))
    }

    fn stop(&mut self, end: WalkEnd) -> Option<Result<VarBind, WalkError>> {
        self.finished = true;
        self.buffered.clear();
        self.end = Some(end);
        None
    }

    fn fail(&mut self, error: WalkError) -> Option<Result<VarBind, WalkError>> {
        self.finished = true;
        self.buffered.clear();
        self.end = Some(WalkEnd::Failed);
        Some(Err(error))
    }
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
