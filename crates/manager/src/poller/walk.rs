//! Reading scalars and several table columns in as few requests as possible.
//!
//! In v2c and v3 one GETBULK (RFC 3416 §4.2.3) carries the scalars as non-repeaters (asked
//! by their object OID, so that GETNEXT lands on the `.0` instance) and every column as a
//! repeater: a device with a few interfaces answers a whole poll in one datagram. Each
//! column continues from its last row until it leaves its subtree, reaches endOfMibView or
//! stops increasing. SNMPv1 has no GETBULK: the scalars are read with GET and the columns
//! with multi-varbind GETNEXTs, a noSuchName ending the column it names (RFC 1157 §4.1.3).

use std::collections::BTreeMap;

use vigie_net::{Client, RequestError};
use vigie_snmp::{ErrorStatus, Oid, Pdu, Value, VarBind, Version};

/// Scalars and rows read from one device.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Read {
    /// The value of each scalar asked, in order; `None` when the agent has none.
    pub(super) scalars: Vec<Option<Value>>,
    /// Per row index, the value of each column asked, in order.
    pub(super) rows: BTreeMap<Vec<u32>, Vec<Option<Value>>>,
}

/// Why a read failed, beyond the request errors.
#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    /// The request failed: no answer, or an SNMPv3 failure.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The agent answered with an error status other than the ones walks expect.
    #[error("the agent answered {0:?}")]
    Agent(ErrorStatus),
}

/// Reads the `.0` instance of each of `scalars` and every row of `columns` from `client`.
pub(super) async fn read(
    client: &Client,
    scalars: &[Oid],
    columns: &[Oid],
    max_repetitions: u32,
) -> Result<Read, ReadError> {
    let mut read = Read {
        scalars: vec![None; scalars.len()],
        rows: BTreeMap::new(),
    };
    let mut cursors: Vec<Option<Oid>> = columns.iter().cloned().map(Some).collect();
    if client.session().version == Version::V1 {
        read_scalars_v1(client, scalars, &mut read).await?;
    }
    let mut first = client.session().version != Version::V1;
    for _ in 0..MAX_REQUESTS {
        let active: Vec<usize> = (0..cursors.len())
            .filter(|&at| cursors.get(at).is_some_and(Option::is_some))
            .collect();
        let non_repeaters = if first { scalars } else { &[] };
        if active.is_empty() && non_repeaters.is_empty() {
            break;
        }
        let mut oids: Vec<Oid> = non_repeaters.to_vec();
        oids.extend(
            active
                .iter()
                .filter_map(|&at| cursors.get(at).cloned().flatten()),
        );
        let pdu = if client.session().version == Version::V1 {
            client.get_next(&oids).await?
        } else {
            let non_repeaters = u32::try_from(non_repeaters.len()).unwrap_or(u32::MAX);
            client
                .get_bulk(non_repeaters, max_repetitions.max(1), &oids)
                .await?
        };
        if pdu.error_status == ErrorStatus::NoSuchName && client.session().version == Version::V1 {
            // v1's end of a column: drop the varbind it names and ask again.
            let named = usize::try_from(pdu.error_index).unwrap_or(0);
            let Some(&column) = named.checked_sub(1).and_then(|at| active.get(at)) else {
                return Err(ReadError::Agent(pdu.error_status));
            };
            if let Some(cursor) = cursors.get_mut(column) {
                *cursor = None;
            }
            continue;
        }
        if pdu.error_status != ErrorStatus::NoError {
            return Err(ReadError::Agent(pdu.error_status));
        }
        let (fixed, repeated) = pdu
            .varbinds
            .split_at(non_repeaters.len().min(pdu.varbinds.len()));
        if first {
            take_scalars(scalars, fixed, &mut read);
        }
        first = false;
        if active.is_empty() {
            continue;
        }
        if repeated.is_empty() {
            // An agent that answers nothing for the columns would be asked forever.
            break;
        }
        let mut ended = vec![false; active.len()];
        for chunk in repeated.chunks(active.len()) {
            for ((varbind, &column), ended) in chunk.iter().zip(&active).zip(ended.iter_mut()) {
                if *ended {
                    continue;
                }
                let (Some(root), Some(cursor)) = (columns.get(column), cursors.get_mut(column))
                else {
                    continue;
                };
                let Some(previous) = cursor.as_ref() else {
                    continue;
                };
                let row = varbind.name.suffix(root).filter(|row| !row.is_empty());
                let advances = varbind.name > *previous;
                match row {
                    Some(row) if advances && !is_exception(&varbind.value) => {
                        let values = read
                            .rows
                            .entry(row.to_vec())
                            .or_insert_with(|| vec![None; columns.len()]);
                        if let Some(slot) = values.get_mut(column) {
                            *slot = Some(varbind.value.clone());
                        }
                        *cursor = Some(varbind.name.clone());
                    }
                    _ => {
                        *ended = true;
                        *cursor = None;
                    }
                }
            }
        }
    }
    Ok(read)
}

/// v1: one GET for all scalars, then one per scalar if the agent lacks one of them.
async fn read_scalars_v1(
    client: &Client,
    scalars: &[Oid],
    read: &mut Read,
) -> Result<(), ReadError> {
    if scalars.is_empty() {
        return Ok(());
    }
    let instances: Vec<Oid> = scalars.iter().filter_map(|oid| oid.child(0).ok()).collect();
    let pdu = client.get(&instances).await?;
    if pdu.error_status == ErrorStatus::NoError {
        take_instances(&instances, &pdu, read);
        return Ok(());
    }
    for (at, instance) in instances.iter().enumerate() {
        let pdu = client.get(std::slice::from_ref(instance)).await?;
        if pdu.error_status == ErrorStatus::NoError {
            if let (Some(slot), Some(varbind)) = (read.scalars.get_mut(at), pdu.varbinds.first()) {
                *slot = Some(varbind.value.clone()).filter(|value| !is_exception(value));
            }
        }
    }
    Ok(())
}

fn take_instances(instances: &[Oid], pdu: &Pdu, read: &mut Read) {
    for ((instance, varbind), slot) in instances.iter().zip(&pdu.varbinds).zip(&mut read.scalars) {
        if varbind.name == *instance && !is_exception(&varbind.value) {
            *slot = Some(varbind.value.clone());
        }
    }
}

/// The non-repeaters' answers: GETNEXT of each scalar's OID, kept when it is its `.0`.
fn take_scalars(scalars: &[Oid], fixed: &[VarBind], read: &mut Read) {
    for ((scalar, varbind), slot) in scalars.iter().zip(fixed).zip(&mut read.scalars) {
        let is_instance = varbind.name.suffix(scalar) == Some(&[0][..]);
        if is_instance && !is_exception(&varbind.value) {
            *slot = Some(varbind.value.clone());
        }
    }
}

fn is_exception(value: &Value) -> bool {
    matches!(
        value,
        Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
    )
}

/// A table of 10 rows per request: enough for 10,000 interfaces per column before giving
/// up on a device that never ends its table.
const MAX_REQUESTS: usize = 1_000;
