//! Stored notifications.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;
use sqlx::QueryBuilder;
use vigie_notify::db::{DbRow, Transaction};
use vigie_notify::{with_pool, with_tx};
use vigie_snmp::Oid;

use crate::alarm::Decision;
use crate::event::{Notification, NotificationKind, SnmpVersion, StoredVarBind};
use crate::store::alarms::record_caused_in;
use crate::store::{Store, StoreError, keep_prepared, parse_column};
use crate::time::Timestamp;

/// A stored event's identity; later events have larger ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// A notification and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    /// Its id.
    pub id: EventId,
    /// The notification.
    #[serde(flatten)]
    pub notification: Notification,
}

/// Which events to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only from this source address.
    pub source: Option<IpAddr>,
    /// Only received at or after this time.
    pub since: Option<Timestamp>,
    /// Only received before this time.
    pub until: Option<Timestamp>,
    /// Only with this trap OID.
    pub trap_oid: Option<Oid>,
    /// Only with ids below this one: the `next` cursor of the previous page.
    pub before: Option<EventId>,
    /// At most this many (capped at [`EventFilter::MAX_LIMIT`]; 0 means the default, 100).
    pub limit: u32,
}

/// One page of a listing, and the cursor of the next page if there may be one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `before` to get the next page; absent on the last page.
    pub next: Option<EventId>,
}

impl EventFilter {
    /// The largest page.
    pub const MAX_LIMIT: u32 = 1_000;

    /// The page size this filter asks for.
    pub fn page_size(&self) -> u32 {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(Self::MAX_LIMIT),
        }
    }
}

impl Store {
    /// Stores one notification, committed before it returns.
    pub async fn insert_event(&self, notification: &Notification) -> Result<EventId, StoreError> {
        let ids = self
            .insert_events(std::slice::from_ref(notification))
            .await?;
        ids.first().copied().ok_or(StoreError::InvalidRow {
            table: "events",
            column: "id",
        })
    }

    /// Stores notifications in one transaction (one fsync for the batch); all or none.
    /// The ids come back in insertion order.
    pub async fn insert_events<N: Borrow<Notification>>(
        &self,
        notifications: &[N],
    ) -> Result<Vec<EventId>, StoreError> {
        self.insert_events_marked(notifications, None).await
    }

    /// [`Store::insert_events`], moving the journal mark to `mark` in the same transaction
    /// when given: the notifications are the intake journal's records up to that one.
    pub async fn insert_events_marked<N: Borrow<Notification>>(
        &self,
        notifications: &[N],
        mark: Option<u64>,
    ) -> Result<Vec<EventId>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ids = insert_events_in(&mut tx, notifications).await?;
        if let Some(mark) = mark {
            set_journal_mark_in(&mut tx, mark).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The sequence number of the last intake journal record stored as an event (0 before
    /// the first).
    pub async fn journal_mark(&self) -> Result<u64, StoreError> {
        let seq: i64 = with_pool!(&self.pool, |pool, DB| {
            sqlx::query_scalar("SELECT seq FROM journal_mark WHERE id = 1")
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        });
        u64::try_from(seq).map_err(|_| StoreError::InvalidRow {
            table: "journal_mark",
            column: "seq",
        })
    }

    /// Stores notifications and the alarm decisions they caused in one transaction: after a
    /// crash either both are on disk or neither, so no stored event misses its alarm.
    ///
    /// `causes` gives, for the decision of the same index, the notification behind it (see
    /// [`Store::record_caused`]). The ids of the events come back in insertion order.
    /// `mark`: as for [`Store::insert_events_marked`].
    pub async fn insert_events_and_decisions<N: Borrow<Notification>>(
        &self,
        notifications: &[N],
        now: Timestamp,
        decisions: &[Decision],
        causes: &[Option<Arc<Notification>>],
        mark: Option<u64>,
    ) -> Result<Vec<EventId>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ids = insert_events_in(&mut tx, notifications).await?;
        if let Some(mark) = mark {
            set_journal_mark_in(&mut tx, mark).await?;
        }
        // A cause that is one of the notifications stored here (the same allocation) is
        // named by its event.
        let stored: HashMap<usize, EventId> = notifications
            .iter()
            .zip(&ids)
            .map(|(n, id)| (std::ptr::from_ref(n.borrow()).addr(), *id))
            .collect();
        let cause_events: Vec<Option<EventId>> = causes
            .iter()
            .map(|cause| {
                cause
                    .as_ref()
                    .and_then(|n| stored.get(&Arc::as_ptr(n).addr()).copied())
            })
            .collect();
        record_caused_in(&mut tx, now, decisions, causes, &cause_events).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The stored events `ids` (those that still exist), by id.
    pub(crate) async fn events_by_id(
        &self,
        ids: &[EventId],
    ) -> Result<HashMap<EventId, Notification>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_SELECT) {
            let rows = with_pool!(&self.pool, |pool, DB| {
                let mut query = QueryBuilder::<DB>::new("SELECT * FROM events WHERE id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.0);
                }
                query.push(")");
                let rows = query
                    .build()
                    .persistent(keep_prepared(chunk.len(), IDS_PER_SELECT))
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(event_from_row)
                    .collect::<Result<Vec<_>, _>>()?
            });
            found.extend(rows.into_iter().map(|event| (event.id, event.notification)));
        }
        Ok(found)
    }

    /// The events matching `filter`, newest first, one page at a time.
    pub async fn events(&self, filter: &EventFilter) -> Result<Page<StoredEvent>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let limit = filter.page_size();
            let mut query = QueryBuilder::<DB>::new("SELECT * FROM events WHERE 1 = 1");
            if let Some(source) = filter.source {
                query
                    .push(" AND source_ip = ")
                    .push_bind(source.to_string());
            }
            if let Some(since) = filter.since {
                query.push(" AND received_at >= ").push_bind(since.millis());
            }
            if let Some(until) = filter.until {
                query.push(" AND received_at < ").push_bind(until.millis());
            }
            if let Some(trap_oid) = &filter.trap_oid {
                query
                    .push(" AND trap_oid = ")
                    .push_bind(trap_oid.to_string());
            }
            if let Some(before) = filter.before {
                query.push(" AND id < ").push_bind(before.0);
            }
            // One more than asked tells whether a next page exists.
            query
                .push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(limit) + 1);
            let rows = query.build().fetch_all(pool).await?;
            let mut items = rows
                .iter()
                .map(event_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            let next = more.then(|| items.last().map(|event| event.id)).flatten();
            Ok(Page { items, next })
        })
    }

    /// How many events are stored.
    pub async fn event_count(&self) -> Result<u64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
                .fetch_one(pool)
                .await?;
            Ok(u64::try_from(count).unwrap_or(0))
        })
    }
}

/// Inserts `notifications` in `tx`, in multi-row INSERTs of [`ROWS_PER_INSERT`] rows: one
/// statement per chunk rather than per row, since at trap-storm rates the per-statement
/// cost, not the disk, is the limit. The ids come back in insertion order.
async fn insert_events_in<N: Borrow<Notification>>(
    tx: &mut Transaction<'_>,
    notifications: &[N],
) -> Result<Vec<EventId>, StoreError> {
    let mut ids = Vec::with_capacity(notifications.len());
    for chunk in notifications.chunks(ROWS_PER_INSERT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for n in chunk {
            let n = n.borrow();
            let varbinds =
                serde_json::to_string(&n.varbinds).map_err(|_| StoreError::InvalidRow {
                    table: "events",
                    column: "varbinds",
                })?;
            rows.push((n, varbinds));
        }
        let count = rows.len();
        let mut chunk_ids: Vec<i64> = with_tx!(&mut *tx, |tx, DB| {
            let mut query = QueryBuilder::<DB>::new(
                "INSERT INTO events (received_at, source_ip, source_port, version, kind, \
                 security_name, trap_oid, uptime, varbinds, trap_name) ",
            );
            query.push_values(rows, |mut row, (n, varbinds)| {
                row.push_bind(n.received_at.millis())
                    .push_bind(n.source.ip().to_string())
                    .push_bind(i64::from(n.source.port()))
                    .push_bind(n.version.name())
                    .push_bind(n.kind.name())
                    .push_bind(n.security_name.clone())
                    .push_bind(n.trap_oid.to_string())
                    .push_bind(n.uptime.map(i64::from))
                    .push_bind(varbinds)
                    .push_bind(n.trap_name.clone());
            });
            query.push(" RETURNING id");
            query
                .build_query_scalar()
                .persistent(keep_prepared(count, ROWS_PER_INSERT))
                .fetch_all(&mut **tx)
                .await?
        });
        // A rowid key grows with each insert in one writer's transaction, whatever
        // order RETURNING lists the rows in.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids.into_iter().map(EventId));
    }
    Ok(ids)
}

async fn set_journal_mark_in(tx: &mut Transaction<'_>, mark: u64) -> Result<(), StoreError> {
    let seq = i64::try_from(mark).map_err(|_| StoreError::InvalidRow {
        table: "journal_mark",
        column: "seq",
    })?;
    with_tx!(&mut *tx, |tx| {
        sqlx::query("UPDATE journal_mark SET seq = $1 WHERE id = 1")
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    });
    Ok(())
}

fn event_from_row(row: &impl DbRow) -> Result<StoredEvent, StoreError> {
    let invalid = |column| StoreError::InvalidRow {
        table: "events",
        column,
    };
    let ip: IpAddr = parse_column(row.try_get("source_ip")?, "events", "source_ip")?;
    let port =
        u16::try_from(row.try_get::<i64, _>("source_port")?).map_err(|_| invalid("source_port"))?;
    let version = match row.try_get::<String, _>("version")?.as_str() {
        "v1" => SnmpVersion::V1,
        "v2c" => SnmpVersion::V2c,
        "v3" => SnmpVersion::V3,
        _ => return Err(invalid("version")),
    };
    let kind = match row.try_get::<String, _>("kind")?.as_str() {
        "trap" => NotificationKind::Trap,
        "inform" => NotificationKind::Inform,
        _ => return Err(invalid("kind")),
    };
    let uptime = row
        .try_get::<Option<i64>, _>("uptime")?
        .map(|ticks| u32::try_from(ticks).map_err(|_| invalid("uptime")))
        .transpose()?;
    let varbinds: Vec<StoredVarBind> = serde_json::from_str(&row.try_get::<String, _>("varbinds")?)
        .map_err(|_| invalid("varbinds"))?;
    Ok(StoredEvent {
        id: EventId(row.try_get("id")?),
        notification: Notification {
            received_at: Timestamp(row.try_get("received_at")?),
            source: SocketAddr::new(ip, port),
            version,
            kind,
            security_name: row.try_get("security_name")?,
            trap_oid: parse_column(row.try_get("trap_oid")?, "events", "trap_oid")?,
            trap_name: row.try_get("trap_name")?,
            uptime,
            varbinds,
        },
    })
}

const DEFAULT_LIMIT: u32 = 100;
/// Ids per SELECT of events by id.
const IDS_PER_SELECT: usize = 500;

/// Rows per INSERT statement: 10 parameters each, far below SQLite's 32 766.
pub(crate) const ROWS_PER_INSERT: usize = 128;

#[cfg(test)]
mod tests {
    use vigie_snmp::{Value, VarBind, Version};

    use super::*;

    fn notification(n: i32) -> Notification {
        let mut notification = Notification::from_v2(
            Timestamp(i64::from(n)),
            "192.0.2.9:1000".parse().unwrap(),
            Version::V2c,
            NotificationKind::Trap,
            "comm1",
            &[
                VarBind {
                    name: "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                    value: Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.3".parse().unwrap()),
                },
                VarBind {
                    name: format!("1.3.6.1.2.1.2.2.1.1.{n}").parse().unwrap(),
                    value: Value::Integer(n),
                },
            ],
        )
        .unwrap();
        if n % 2 == 0 {
            notification.trap_name = Some("IF-MIB::linkDown".to_owned());
            notification.varbinds[0].name = Some(format!("IF-MIB::ifIndex.{n}"));
        }
        notification
    }

    #[tokio::test]
    async fn a_batch_over_several_statements_keeps_its_order_and_names() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let count = i32::try_from(ROWS_PER_INSERT * 2 + 7).unwrap();
            let batch: Vec<Notification> = (1..=count).map(notification).collect();
            let ids = store.insert_events(&batch).await.unwrap();
            assert_eq!(ids.len(), batch.len());
            assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
            let page = store
                .events(&EventFilter {
                    limit: EventFilter::MAX_LIMIT,
                    ..EventFilter::default()
                })
                .await
                .unwrap();
            // Newest first: the id of each stored event is the one returned for its position.
            for (event, (id, sent)) in page.items.iter().rev().zip(ids.iter().zip(&batch)) {
                assert_eq!(event.id, *id);
                assert_eq!(event.notification, *sent);
            }
        }
    }
}
