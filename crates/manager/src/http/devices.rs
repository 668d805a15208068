//! `/api/v1/devices`: list, create, show, delete.

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{ApiError, AppState, now};
use crate::store::{Device, DeviceId, NewDevice, StoreError};

/// The body of `POST /api/v1/devices`, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDevice {
    name: String,
    address: IpAddr,
    #[serde(default = "default_port")]
    port: u16,
    #[serde(default = "default_poll_interval")]
    poll_interval_s: u64,
    #[serde(default = "default_enabled")]
    enabled: bool,
}

/// Every device, by name.
pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let items = state.store.devices().await?;
    Ok(Json(json!({ "items": items })))
}

/// Adds a device: 201 with the device, 409 if the name is taken.
pub(super) async fn create(
    State(state): State<AppState>,
    body: Result<Json<RawDevice>, JsonRejection>,
) -> Result<(StatusCode, Json<Device>), ApiError> {
    let Json(raw) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let name = raw.name.trim();
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(ApiError::BadRequest(format!(
            "a device name has 1 to {MAX_NAME_LEN} characters"
        )));
    }
    if !(MIN_POLL_INTERVAL_S..=MAX_POLL_INTERVAL_S).contains(&raw.poll_interval_s) {
        return Err(ApiError::BadRequest(format!(
            "poll_interval_s must be between {MIN_POLL_INTERVAL_S} and {MAX_POLL_INTERVAL_S}"
        )));
    }
    let new = NewDevice {
        name: name.to_owned(),
        address: raw.address,
        port: raw.port,
        poll_interval: Duration::from_secs(raw.poll_interval_s),
        enabled: raw.enabled,
    };
    match state.store.create_device(&new, now()).await {
        Ok(device) => Ok((StatusCode::CREATED, Json(device))),
        Err(StoreError::DuplicateDevice(name)) => Err(ApiError::Conflict(format!(
            "a device named {name:?} exists already"
        ))),
        Err(error) => Err(error.into()),
    }
}

/// One device.
pub(super) async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Device>, ApiError> {
    let id = device_id(id)?;
    state
        .store
        .device(id)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(id))
}

/// Removes a device: 204, or 404 if there was none.
pub(super) async fn delete(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = device_id(id)?;
    if state.store.delete_device(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}

fn device_id(id: Result<Path<i64>, PathRejection>) -> Result<DeviceId, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::BadRequest("a device id is a number".to_owned()))?;
    Ok(DeviceId(id))
}

fn not_found(id: DeviceId) -> ApiError {
    ApiError::NotFound(format!("no device {}", id.0))
}

fn default_port() -> u16 {
    161
}

/// Net-SNMP-based pollers and most NMSs poll every minute by default.
fn default_poll_interval() -> u64 {
    60
}

fn default_enabled() -> bool {
    true
}

const MAX_NAME_LEN: usize = 255;
const MIN_POLL_INTERVAL_S: u64 = 5;
const MAX_POLL_INTERVAL_S: u64 = 86_400;
