//! `/api/v1/devices`: the inventory (list, create, show, update, delete), each device's
//! interfaces with their live values, and polling on demand.
//!
//! Credentials are write-only: a community or a password is accepted in a request body and
//! never appears in an answer, which shows only the version, the user and the protocols.

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use vigie_snmp::usm::{AuthProtocol, PrivProtocol};

use crate::http::{ApiError, AppState, now};
use crate::poller::PollError;
use crate::store::{
    Device, DeviceId, DeviceUpdate, NewDevice, SnmpCredentials, StoreError, UsmCredentials,
};

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
    #[serde(default)]
    snmp: Option<RawCredentials>,
}

/// The body of `PATCH /api/v1/devices/{id}`: the fields to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUpdate {
    name: Option<String>,
    address: Option<IpAddr>,
    port: Option<u16>,
    poll_interval_s: Option<u64>,
    enabled: Option<bool>,
    snmp: Option<RawCredentials>,
}

/// SNMP credentials as a request gives them (`snmp` object).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCredentials {
    version: String,
    community: Option<String>,
    user: Option<String>,
    auth_protocol: Option<String>,
    auth_password: Option<String>,
    priv_protocol: Option<String>,
    priv_password: Option<String>,
    context: Option<String>,
}

// Secrets stay out of logs even when a handler logs its input.
impl std::fmt::Debug for RawCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawCredentials")
            .field("version", &self.version)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
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
    let name = checked_name(&raw.name)?;
    let credentials = match raw.snmp {
        Some(raw) => credentials(raw).await?,
        None => SnmpCredentials::V2c {
            community: DEFAULT_COMMUNITY.into(),
        },
    };
    let new = NewDevice {
        name,
        address: raw.address,
        port: raw.port,
        poll_interval: checked_interval(raw.poll_interval_s)?,
        enabled: raw.enabled,
        credentials,
    };
    let device = match state.store.create_device(&new, now()).await {
        Ok(device) => device,
        Err(StoreError::DuplicateDevice(name)) => {
            return Err(ApiError::Conflict(format!(
                "a device named {name:?} exists already"
            )));
        }
        Err(error) => return Err(error.into()),
    };
    reload(&state).await;
    Ok((StatusCode::CREATED, Json(device)))
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

/// Changes a device: 200 with the device, 404 if there is none, 409 if the new name is taken.
pub(super) async fn update(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<RawUpdate>, JsonRejection>,
) -> Result<Json<Device>, ApiError> {
    let id = device_id(id)?;
    let Json(raw) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let update = DeviceUpdate {
        name: raw.name.as_deref().map(checked_name).transpose()?,
        address: raw.address,
        port: raw.port,
        poll_interval: raw.poll_interval_s.map(checked_interval).transpose()?,
        enabled: raw.enabled,
        credentials: match raw.snmp {
            Some(raw) => Some(credentials(raw).await?),
            None => None,
        },
    };
    let device = match state.store.update_device(id, &update).await {
        Ok(Some(device)) => device,
        Ok(None) => return Err(not_found(id)),
        Err(StoreError::DuplicateDevice(name)) => {
            return Err(ApiError::Conflict(format!(
                "a device named {name:?} exists already"
            )));
        }
        Err(error) => return Err(error.into()),
    };
    reload(&state).await;
    Ok(Json(device))
}

/// A device's interfaces as discovery found them, each with the values and rates of the
/// last poll.
pub(super) async fn interfaces(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = device_id(id)?;
    if state.store.device(id).await?.is_none() {
        return Err(not_found(id));
    }
    let stored = state.store.interfaces(id).await?;
    let live = state.poller.interfaces(id);
    let items: Vec<Value> = stored
        .into_iter()
        .map(|interface| {
            let polled = live
                .as_ref()
                .and_then(|live| live.interfaces.get(&interface.if_index));
            let mut item = json!(interface);
            if let (Some(object), Some(polled)) = (item.as_object_mut(), polled) {
                object.insert("values".to_owned(), json!(polled.values));
                object.insert("rates".to_owned(), json!(polled.rates));
            }
            item
        })
        .collect();
    Ok(Json(json!({
        "device": id,
        "polled_at": live.as_ref().map(|live| live.polled_at),
        "reachable": live.as_ref().map(|live| live.reachable),
        "items": items,
    })))
}

/// Polls a device now and answers with the outcome.
pub(super) async fn poll(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = device_id(id)?;
    match state.poller.poll_now(id).await {
        Ok(outcome) => Ok(Json(json!(outcome))),
        Err(PollError::UnknownDevice(id)) => Err(not_found(id)),
        Err(PollError::Store(error)) => Err(error.into()),
    }
}

/// Removes a device: 204, or 404 if there was none.
pub(super) async fn delete(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = device_id(id)?;
    if state.store.delete_device(id).await? {
        reload(&state).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(id))
    }
}

/// Tells the poller the inventory changed; a failure is the poller's to report in health.
async fn reload(state: &AppState) {
    if let Err(error) = state.poller.reload().await {
        tracing::warn!(%error, "the poller could not re-read the inventory");
    }
}

/// Validated credentials; USM passwords become master keys on a blocking thread.
async fn credentials(raw: RawCredentials) -> Result<SnmpCredentials, ApiError> {
    let invalid = |error: &dyn std::fmt::Display| ApiError::BadRequest(format!("snmp: {error}"));
    let community = || {
        raw.community
            .clone()
            .unwrap_or_else(|| DEFAULT_COMMUNITY.to_owned())
    };
    match raw.version.as_str() {
        "v1" => SnmpCredentials::v1(community()).map_err(|e| invalid(&e)),
        "v2c" => SnmpCredentials::v2c(community()).map_err(|e| invalid(&e)),
        "v3" => {
            let user = raw
                .user
                .ok_or_else(|| ApiError::BadRequest("snmp: v3 needs a user".to_owned()))?;
            let auth = pair::<AuthProtocol>(raw.auth_protocol, raw.auth_password, "auth")?;
            let privacy = pair::<PrivProtocol>(raw.priv_protocol, raw.priv_password, "priv")?;
            let context = raw.context.unwrap_or_default();
            // Password-to-key hashes a megabyte per password: keep it off the runtime.
            let usm = tokio::task::spawn_blocking(move || {
                UsmCredentials::from_passwords(
                    &user,
                    auth.as_ref().map(|(p, password)| (*p, password.as_bytes())),
                    privacy
                        .as_ref()
                        .map(|(p, password)| (*p, password.as_bytes())),
                )
            })
            .await
            .map_err(StoreError::from)?
            .map_err(|e| invalid(&e))?;
            Ok(SnmpCredentials::V3(usm.with_context(context)))
        }
        other => Err(ApiError::BadRequest(format!(
            "snmp: version {other:?} is not v1, v2c or v3"
        ))),
    }
}

/// A protocol and its password, both or neither.
fn pair<P: std::str::FromStr>(
    protocol: Option<String>,
    password: Option<String>,
    what: &str,
) -> Result<Option<(P, String)>, ApiError> {
    match (protocol, password) {
        (None, None) => Ok(None),
        (Some(protocol), Some(password)) => {
            let parsed = protocol.parse().map_err(|_| {
                ApiError::BadRequest(format!("snmp: unknown {what}_protocol {protocol:?}"))
            })?;
            Ok(Some((parsed, password)))
        }
        _ => Err(ApiError::BadRequest(format!(
            "snmp: {what}_protocol and {what}_password go together"
        ))),
    }
}

fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(ApiError::BadRequest(format!(
            "a device name has 1 to {MAX_NAME_LEN} characters"
        )));
    }
    Ok(name.to_owned())
}

fn checked_interval(seconds: u64) -> Result<Duration, ApiError> {
    if !(MIN_POLL_INTERVAL_S..=MAX_POLL_INTERVAL_S).contains(&seconds) {
        return Err(ApiError::BadRequest(format!(
            "poll_interval_s must be between {MIN_POLL_INTERVAL_S} and {MAX_POLL_INTERVAL_S}"
        )));
    }
    Ok(Duration::from_secs(seconds))
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

/// Net-SNMP's default community, for devices added without credentials.
const DEFAULT_COMMUNITY: &str = "public";
const MAX_NAME_LEN: usize = 255;
const MIN_POLL_INTERVAL_S: u64 = 5;
const MAX_POLL_INTERVAL_S: u64 = 86_400;
