//! Request processing: GET, GETNEXT, GETBULK and SET across the registry, with VACM access
//! control (RFC 3416 §4.2, RFC 3413 §3.2, RFC 3415 §3.2) and SNMPv1 semantics (RFC 3584 §4).

use std::time::Instant;

use vigie_snmp::engine::{RequestContext, SnmpCounter, SnmpCounters};
use vigie_snmp::translate::{is_v1_value, response_to_v1};
use vigie_snmp::vacm::{AccessError, SubtreeView, Vacm, View, ViewType};
use vigie_snmp::{
    AnyPdu, BulkPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, SecurityLevel, SecurityModel,
    Value, VarBind, Version,
};

use crate::mib::{Mib, RequestCtx, SetError};
use crate::registry::{DynamicMib, Registry, Scope, Target};

/// The command responder's application: it answers the requests the responder engine
/// authenticated, from the [`Registry`], within the views [`Vacm`] grants.
#[derive(Debug)]
pub struct Agent {
    registry: Registry,
    vacm: Vacm,
    config: AgentConfig,
}

impl Agent {
    /// An agent serving `registry` under the access rules of `vacm`.
    pub fn new(registry: Registry, vacm: Vacm, config: AgentConfig) -> Self {
        Self {
            registry,
            vacm,
            config,
        }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry, to replace handlers (a configuration reload).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Replaces the access rules (a configuration reload).
    pub fn set_vacm(&mut self, vacm: Vacm) {
        self.vacm = vacm;
    }

    /// Replaces the processing limits (a configuration reload).
    pub fn set_config(&mut self, config: AgentConfig) {
        self.config = config;
    }

    /// Computes the Response-PDU to `pdu` (a Get, GetNext, GetBulk or Set the engine handed
    /// over with `request`), for the engine's `respond` to size and send. `counters` is the
    /// engine's, for `snmpInBadCommunityUses`.
    pub fn process(
        &self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Pdu {
        let ctx = RequestCtx {
            now,
            version: request.version,
            from: request.from,
        };
        let context = request.context_name.as_bytes();
        // Requests in a non-default context see only what is registered in it (a proxied
        // context, subagents' registrations in it).
        let registry = &self.registry.scope(context);
        let principal = Principal {
            vacm: &self.vacm,
            model: request.security_model,
            level: request.security_level,
            name: request.security_name.as_bytes(),
            context,
            registry: &self.registry,
        };
        let request_id = request.request_id;
        let response = match pdu {
            AnyPdu::Pdu(pdu) => match pdu.kind {
                PduKind::GetRequest => principal
                    .view(ViewType::Read)
                    .map(|view| self.get(&ctx, registry, view, pdu)),
                PduKind::GetNextRequest => principal
                    .view(ViewType::Read)
                    .map(|view| self.get_next(&ctx, registry, view, pdu)),
                PduKind::SetRequest => match principal.view(ViewType::Write) {
                    Ok(view) => Ok(self.set(&ctx, registry, view, pdu)),
                    // A principal that may read but not write (a read-only community:
                    // snmpInBadCommunityUses, RFC 3584 §5.2.1), answered noAccess like snmpd;
                    // one that may not even read gets authorizationError below.
                    Err(_) => principal.view(ViewType::Read).map(|_| {
                        counters.increment(SnmpCounter::InBadCommunityUses);
                        error_response(pdu, ErrorStatus::NoAccess, 1)
                    }),
                },
                _ => Ok(error_response(pdu, ErrorStatus::GenErr, 0)),
            },
            AnyPdu::Bulk(bulk) => principal
                .view(ViewType::Read)
                .map(|view| self.get_bulk(&ctx, registry, view, bulk, request.max_size)),
            AnyPdu::TrapV1(_) => Ok(empty_response(request_id)),
        };
        let response = response.unwrap_or_else(|_| {
            // RFC 3413 §3.2 step 5: no view at all for this principal (a user below the
            // level its access needs, say); snmpd points at no varbind.
            Pdu {
                kind: PduKind::Response,
                request_id,
                error_status: ErrorStatus::AuthorizationError,
                error_index: 0,
                varbinds: pdu.varbinds().to_vec(),
            }
        });
        match request.version {
            Version::V1 => response_to_v1(pdu.varbinds(), response),
            _ => response,
        }
    }

    /// GET (RFC 3416 §4.2.1); a varbind whose handler failed as a whole makes the Response
    /// the request's varbinds with that error-status and the varbind's index.
    fn get(&self, ctx: &RequestCtx, registry: &Scope<'_>, view: &View, pdu: &Pdu) -> Pdu {
        let mut varbinds = Vec::with_capacity(pdu.varbinds.len());
        for (index, varbind) in pdu.varbinds.iter().enumerate() {
            let value = if view.contains(&varbind.name) {
                match registry.try_get(ctx, &varbind.name) {
                    Ok(value) => value,
                    Err(error_status) => {
                        return Pdu {
                            kind: PduKind::Response,
                            request_id: pdu.request_id,
                            error_status,
                            error_index: u32::try_from(index + 1).unwrap_or(u32::MAX),
                            varbinds: pdu.varbinds.clone(),
                        };
                    }
                }
            } else {
                Value::NoSuchObject
            };
            varbinds.push(VarBind {
                name: varbind.name.clone(),
                value,
            });
        }
        ok_response(pdu.request_id, varbinds)
    }

    /// GETNEXT (RFC 3416 §4.2.2).
    fn get_next(&self, ctx: &RequestCtx, registry: &Scope<'_>, view: &View, pdu: &Pdu) -> Pdu {
        let varbinds = pdu
            .varbinds
            .iter()
            .map(|varbind| next(ctx, registry, view, &varbind.name))
            .collect();
        ok_response(pdu.request_id, varbinds)
    }

    /// GETBULK (RFC 3416 §4.2.3), max-repetitions capped by the configuration, and stopped
    /// once the varbinds already exceed what `max_size` can carry (the engine cuts the rest).
    fn get_bulk(
        &self,
        ctx: &RequestCtx,
        registry: &Scope<'_>,
        view: &View,
        bulk: &BulkPdu,
        max_size: usize,
    ) -> Pdu {
        let non_repeaters = usize::try_from(bulk.non_repeaters)
            .unwrap_or(usize::MAX)
            .min(bulk.varbinds.len());
        let repetitions = bulk.max_repetitions.min(self.config.max_repetitions);
        let (first, repeaters) = bulk.varbinds.split_at(non_repeaters);
        let mut varbinds: Vec<VarBind> = first
            .iter()
            .map(|varbind| next(ctx, registry, view, &varbind.name))
            .collect();
        let mut size: usize = varbinds.iter().map(approximate_size).sum();
        let mut last: Vec<Oid> = repeaters
            .iter()
            .map(|varbind| varbind.name.clone())
            .collect();
        // With dynamic regions, a repeater inside a region that serves several instances at
        // once (an AgentX GetBulk) is asked for the repetitions left in one request, and the
        // following repetitions are served from the answer.
        let mut ahead: Vec<std::collections::VecDeque<VarBind>> = if registry.has_dynamic() {
            repeaters
                .iter()
                .map(|_| std::collections::VecDeque::new())
                .collect()
        } else {
            Vec::new()
        };
        let mut repeated = 0;
        while repeated < repetitions && !last.is_empty() && size <= max_size {
            let left = repetitions - repeated;
            repeated += 1;
            let mut all_ended = true;
            for (column, at) in last.iter_mut().enumerate() {
                let varbind = match ahead.get_mut(column) {
                    Some(queue) => next_ahead(ctx, registry, view, at, queue, left),
                    None => next(ctx, registry, view, at),
                };
                all_ended &= varbind.value == Value::EndOfMibView;
                at.clone_from(&varbind.name);
                size += approximate_size(&varbind);
                varbinds.push(varbind);
            }
            // RFC 3416 §4.2.3: once every repeater is at the end, further repetitions
            // would only repeat endOfMibView.
            if all_ended {
                break;
            }
        }
        ok_response(bulk.request_id, varbinds)
    }

    /// SET (RFC 3416 §4.2.5): every varbind tested, then every one committed, and the
    /// committed ones undone in reverse order if one commit fails.
    ///
    /// The varbinds a dynamic region (an AgentX session) serves are tested together, in
    /// one transaction per session (RFC 2741 §7.2.1), after the built-in handlers' tests,
    /// so that a subagent sees a row's columns and its `RowStatus` in one `TestSet`.
    fn set(&self, ctx: &RequestCtx, registry: &Scope<'_>, view: &View, pdu: &Pdu) -> Pdu {
        let mut transactions: Vec<Transaction> = Vec::new();
        let response = set_phases(ctx, registry, view, pdu, &mut transactions);
        // Every transaction opened is closed, whatever the outcome (RFC 2741 §7.2.5).
        for transaction in &transactions {
            transaction.handler.end_set(ctx);
        }
        response
    }
}

/// The varbinds of one SET that one dynamic region's session serves: their positions in the
/// request and their values, tested, committed and undone together.
struct Transaction {
    handler: std::sync::Arc<dyn DynamicMib>,
    key: u64,
    positions: Vec<usize>,
    varbinds: Vec<VarBind>,
}

fn set_phases(
    ctx: &RequestCtx,
    registry: &Scope<'_>,
    view: &View,
    pdu: &Pdu,
    transactions: &mut Vec<Transaction>,
) -> Pdu {
    let mut built_in: Vec<(&dyn Mib, &VarBind, usize)> = Vec::with_capacity(pdu.varbinds.len());
    for (i, varbind) in pdu.varbinds.iter().enumerate() {
        let index = i + 1;
        if !view.contains(&varbind.name) {
            return error_response(pdu, ErrorStatus::NoAccess, index);
        }
        match registry.target(&varbind.name) {
            // snmpd answers notWritable for objects it does not implement.
            None => return error_response(pdu, ErrorStatus::NotWritable, index),
            Some(Target::Static(handler)) => {
                if let Err(error) = handler.test_set(ctx, varbind) {
                    return error_response(pdu, error.status(), index);
                }
                built_in.push((handler, varbind, index));
            }
            Some(Target::Dynamic(handler)) => {
                let key = handler.transaction_key();
                let at = match transactions
                    .iter()
                    .position(|transaction| transaction.key == key)
                {
                    Some(at) => at,
                    None => {
                        transactions.push(Transaction {
                            handler,
                            key,
                            positions: Vec::new(),
                            varbinds: Vec::new(),
                        });
                        transactions.len() - 1
                    }
                };
                if let Some(transaction) = transactions.get_mut(at) {
                    transaction.positions.push(index);
                    transaction.varbinds.push(varbind.clone());
                }
            }
        }
    }
    for transaction in transactions.iter() {
        if let Err((at, error)) = transaction.handler.test_set(ctx, &transaction.varbinds) {
            let index = transaction
                .positions
                .get(at)
                .or_else(|| transaction.positions.first())
                .copied()
                .unwrap_or(1);
            return error_response(pdu, error.status(), index);
        }
    }
    let mut committed: Vec<(&dyn Mib, &Oid, Value)> = Vec::with_capacity(built_in.len());
    let undo_built_in = |committed: &[(&dyn Mib, &Oid, Value)]| {
        committed
            .iter()
            .rev()
            .all(|(handler, name, previous)| handler.undo_set(ctx, name, previous).is_ok())
    };
    for (handler, varbind, index) in &built_in {
        match handler.commit_set(ctx, varbind) {
            Ok(previous) => committed.push((*handler, &varbind.name, previous)),
            Err(_) => {
                let status = if undo_built_in(&committed) {
                    SetError::CommitFailed
                } else {
                    SetError::UndoFailed
                };
                return error_response(pdu, status.status(), *index);
            }
        }
    }
    for (done, transaction) in transactions.iter().enumerate() {
        if transaction.handler.commit_set(ctx).is_err() {
            // The sessions committed before this one are undone, then the built-in handlers,
            // all of them even when one cannot be.
            let mut undone = true;
            for earlier in transactions.get(..done).unwrap_or_default().iter().rev() {
                undone &= earlier.handler.undo_set(ctx).is_ok();
            }
            undone &= undo_built_in(&committed);
            let status = if undone {
                SetError::CommitFailed
            } else {
                SetError::UndoFailed
            };
            let index = transaction.positions.first().copied().unwrap_or(1);
            return error_response(pdu, status.status(), index);
        }
    }
    ok_response(pdu.request_id, pdu.varbinds.clone())
}

/// The varbind after `oid` within `view` (with v1's rule of no Counter64), or
/// `endOfMibView` at `oid`.
///
/// An instance outside the view is not stepped over alone: the widest subtree holding it
/// that the view excludes entirely is jumped over at once (RFC 3415 §4 families), so a
/// view that excludes a large table costs one lookup, not a walk of the table.
fn next(ctx: &RequestCtx, registry: &Scope<'_>, view: &View, oid: &Oid) -> VarBind {
    let mut candidate = registry.get_next(ctx, oid);
    loop {
        let Some(varbind) = candidate else {
            return VarBind {
                name: oid.clone(),
                value: Value::EndOfMibView,
            };
        };
        if view.contains(&varbind.name) {
            if ctx.version != Version::V1 || is_v1_value(&varbind.value) {
                return varbind;
            }
            candidate = registry.get_next(ctx, &varbind.name);
            continue;
        }
        candidate = match excluded_subtree(view, &varbind.name) {
            Some(subtree) => match subtree_successor(&subtree) {
                Some(after) => first_from(ctx, registry, &after),
                // Nothing can follow a subtree of maximal arcs.
                None => None,
            },
            None => registry.get_next(ctx, &varbind.name),
        };
    }
}

/// [`next`], from `queue` when it holds the varbind after `oid`: when it is empty and more
/// than one repetition is `left`, it is filled from a dynamic region that serves several
/// instances at once. A queued varbind outside the view, or not after `oid`, empties it.
fn next_ahead(
    ctx: &RequestCtx,
    registry: &Scope<'_>,
    view: &View,
    oid: &Oid,
    queue: &mut std::collections::VecDeque<VarBind>,
    left: u32,
) -> VarBind {
    if queue.is_empty() && left > 1 && ctx.version != Version::V1 {
        queue.extend(registry.next_run(ctx, oid, left));
    }
    match queue.pop_front() {
        Some(varbind) if varbind.name > *oid && view.contains(&varbind.name) => varbind,
        _ => {
            queue.clear();
            next(ctx, registry, view, oid)
        }
    }
}

/// The first instance at or after `oid`.
fn first_from(ctx: &RequestCtx, registry: &Scope<'_>, oid: &Oid) -> Option<VarBind> {
    match registry.get(ctx, oid) {
        Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => {
            registry.get_next(ctx, oid)
        }
        value => Some(VarBind {
            name: oid.clone(),
            value,
        }),
    }
}

/// Limits on request processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentConfig {
    /// The largest max-repetitions honoured in a GETBULK; larger requests are served this
    /// many repetitions (snmpd's `maxGetbulkRepeats`).
    pub max_repetitions: u32,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            max_repetitions: DEFAULT_MAX_REPETITIONS,
        }
    }
}

/// Who asks, for VACM.
struct Principal<'a> {
    vacm: &'a Vacm,
    model: SecurityModel,
    level: SecurityLevel,
    name: &'a [u8],
    context: &'a [u8],
    /// A context the registry serves (a proxied context, or one a subagent registered in)
    /// exists for VACM as a `vacmContextTable` row does (RFC 3415 §2.2).
    registry: &'a Registry,
}

impl Principal<'_> {
    fn view(&self, view_type: ViewType) -> Result<&View, AccessError> {
        match self
            .vacm
            .view(self.model, self.name, self.level, view_type, self.context)
        {
            Err(AccessError::NoSuchContext) if self.registry.serves(self.context) => {
                // Steps 2 to 5 of isAccessAllowed (RFC 3415 §3.2) for a context known
                // to the registry rather than to the configuration.
                let group = self
                    .vacm
                    .group(self.model, self.name)
                    .ok_or(AccessError::NoGroupName)?;
                self.vacm
                    .select_access(group.as_bytes(), self.model, self.level, self.context)
                    .ok_or(AccessError::NoAccessEntry)?
                    .view(view_type)
                    .and_then(|name| self.vacm.view_named(name.as_bytes()))
                    .ok_or(AccessError::NoSuchView)
            }
            result => result,
        }
    }
}

fn ok_response(request_id: RequestId, varbinds: Vec<VarBind>) -> Pdu {
    Pdu {
        kind: PduKind::Response,
        request_id,
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds,
    }
}

fn empty_response(request_id: RequestId) -> Pdu {
    ok_response(request_id, Vec::new())
}

/// An error response: the request's varbinds, the status, and the 1-based index
/// (RFC 3416 §4.2.5).
fn error_response(pdu: &Pdu, status: ErrorStatus, index: usize) -> Pdu {
    Pdu {
        kind: PduKind::Response,
        request_id: pdu.request_id,
        error_status: status,
        error_index: u32::try_from(index).unwrap_or(u32::MAX),
        varbinds: pdu.varbinds.clone(),
    }
}

/// The shortest prefix of `name` (of two arcs or more) under which `view` holds nothing.
fn excluded_subtree(view: &View, name: &Oid) -> Option<Oid> {
    let arcs = name.arcs();
    (MIN_ARCS..=arcs.len()).find_map(|len| {
        let prefix = Oid::new(arcs.get(..len)?).ok()?;
        (view.check_subtree(&prefix) == SubtreeView::Excluded).then_some(prefix)
    })
}

/// The first OID after every OID under `subtree`: its last arc incremented, carried into the
/// previous ones past the largest valid arc; `None` when no OID follows.
fn subtree_successor(subtree: &Oid) -> Option<Oid> {
    let mut arcs = subtree.arcs().to_vec();
    while let Some(last) = arcs.pop() {
        let Some(next) = last.checked_add(1) else {
            continue;
        };
        let mut successor = arcs.clone();
        successor.push(next);
        // An OID has two arcs at least: `2` becomes `2.0`, the first OID from there.
        if successor.len() < MIN_ARCS {
            successor.push(0);
        }
        // Past the last valid arc (`1.39`, say), carry into the previous one.
        if let Ok(oid) = Oid::new(&successor) {
            return Some(oid);
        }
    }
    None
}

/// A varbind's encoded size, near enough to stop a GETBULK early.
fn approximate_size(varbind: &VarBind) -> usize {
    let value = match &varbind.value {
        Value::OctetString(bytes) | Value::Opaque(bytes) | Value::NsapAddress(bytes) => bytes.len(),
        Value::ObjectIdentifier(oid) => oid.len() * 2,
        _ => 8,
    };
    8 + varbind.name.len() * 2 + value
}

/// snmpd's default `maxGetbulkRepeats` is unlimited; a cap bounds the work one request
/// causes, and 1 000 is far above what fits in a 65 507-octet message anyway.
const DEFAULT_MAX_REPETITIONS: u32 = 1_000;
/// The fewest arcs of an OID (RFC 2578 §3.5 as `vigie_snmp::Oid` enforces it).
const MIN_ARCS: usize = 2;

#[cfg(test)]
mod tests;
