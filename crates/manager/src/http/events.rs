//! `GET /api/v1/events`.

use std::net::IpAddr;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::http::{ApiError, AppState};
use crate::store::{EventFilter, EventId, Page, StoredEvent};
use crate::time::Timestamp;

/// The query string, before validation.
#[derive(Debug, Deserialize)]
pub(super) struct RawQuery {
    device: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    trap_oid: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

/// Lists events, newest first. `device` is an address or an inventory name; `since` and
/// `until` are milliseconds since the Unix epoch; `before` is the `next` of the last page.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Json<Page<StoredEvent>>, ApiError> {
    let Query(raw) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let source = match raw.device {
        None => None,
        Some(device) => Some(match device.parse::<IpAddr>() {
            Ok(address) => address,
            Err(_) => {
                state
                    .store
                    .device_by_name(&device)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no device named {device:?}")))?
                    .address
            }
        }),
    };
    let trap_oid = raw
        .trap_oid
        .map(|text| {
            text.parse()
                .map_err(|_| ApiError::BadRequest(format!("trap_oid {text:?} is not an OID")))
        })
        .transpose()?;
    let filter = EventFilter {
        source,
        since: raw.since.map(Timestamp),
        until: raw.until.map(Timestamp),
        trap_oid,
        before: raw.before.map(EventId),
        limit: raw.limit.unwrap_or(0),
    };
    Ok(Json(state.store.events(&filter).await?))
}
