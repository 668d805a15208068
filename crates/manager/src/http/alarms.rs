//! `/api/v1/alarms`: list, show with history, acknowledge, clear.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::alarm::{Alarm, AlarmEvent, AlarmId, AlarmState, Decision, Severity, Unchanged};
use crate::http::{ApiError, AppState, Caller, now};
use crate::store::{AlarmFilter, StateFilter};

/// The query string, before validation.
#[derive(Debug, Deserialize)]
pub(super) struct RawQuery {
    state: Option<String>,
    device: Option<String>,
    min_severity: Option<String>,
    limit: Option<u32>,
}

/// Lists alarms, newest first. `state` is `open`, `active`, `acknowledged` or `cleared`.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(raw) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let mut filter = AlarmFilter {
        device: raw.device,
        limit: raw.limit.unwrap_or(0),
        ..AlarmFilter::default()
    };
    match raw.state.as_deref() {
        None => {}
        Some("open") => filter.state = StateFilter::Open,
        Some(text) => {
            let state = text.parse::<AlarmState>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "state {text:?} is not open, active, acknowledged or cleared"
                ))
            })?;
            filter.state = StateFilter::Only(state);
        }
    }
    if let Some(text) = raw.min_severity {
        filter.min_severity = Some(text.parse::<Severity>().map_err(|_| {
            ApiError::BadRequest(format!("min_severity {text:?} is not a severity"))
        })?);
    }
    let items = state.store.alarms(&filter).await?;
    Ok(Json(json!({ "items": items })))
}

/// One alarm and its history.
pub(super) async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = alarm_id(id)?;
    let alarm = state.store.alarm(id).await?.ok_or_else(|| not_found(id))?;
    let history = state.store.alarm_history(id).await?;
    Ok(Json(json!({ "alarm": alarm, "history": history })))
}

/// Acknowledges an open alarm; acknowledging it again changes nothing.
pub(super) async fn acknowledge(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Alarm>, ApiError> {
    let id = alarm_id(id)?;
    let event = AlarmEvent::Ack {
        id,
        user: caller.name,
    };
    settle(&state, id, state.desk.apply(now(), event).await?).await
}

/// Clears an open alarm by hand.
pub(super) async fn clear(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Alarm>, ApiError> {
    let id = alarm_id(id)?;
    let event = AlarmEvent::ClearById {
        id,
        user: caller.name,
    };
    settle(&state, id, state.desk.apply(now(), event).await?).await
}

/// The answer to an operator's action: the alarm after it, 409 if it was already cleared,
/// 404 if it never existed.
async fn settle(
    state: &AppState,
    id: AlarmId,
    decision: Decision,
) -> Result<Json<Alarm>, ApiError> {
    match decision {
        Decision::Unchanged(Unchanged::NotOpen(_)) => match state.store.alarm(id).await? {
            Some(_) => Err(ApiError::Conflict(format!("alarm {id} is already cleared"))),
            None => Err(not_found(id)),
        },
        Decision::Unchanged(_) => state
            .store
            .alarm(id)
            .await?
            .map(Json)
            .ok_or_else(|| not_found(id)),
        decided => decided
            .alarm()
            .cloned()
            .map(Json)
            .ok_or_else(|| not_found(id)),
    }
}

fn alarm_id(id: Result<Path<i64>, PathRejection>) -> Result<AlarmId, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::BadRequest("an alarm id is a number".to_owned()))?;
    Ok(AlarmId(id))
}

fn not_found(id: AlarmId) -> ApiError {
    ApiError::NotFound(format!("no alarm {id}"))
}
