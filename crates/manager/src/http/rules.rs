//! `/api/v1/rules`: the rules the API manages (list, create, show, replace, delete). The
//! list also shows the configuration file's rules, read-only. `/api/v1/device-groups`: the
//! device groups the rules' `device_group` condition names, stored, beside the file's.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actions::ResponseService;
use crate::http::{ApiError, AppState, now};
use crate::rules::RuleSpec;
use crate::store::StoredRule;

/// Every rule: the stored ones with their id, then the file's (`"source": "file"`).
pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let stored = state.store.rules().await?;
    let mut items: Vec<Value> = stored.iter().map(view).collect();
    for rule in service.rules() {
        if !stored.iter().any(|s| s.spec.name == rule.name) {
            items.push(json!({ "id": null, "source": "file", "rule": rule }));
        }
    }
    Ok(Json(json!({ "items": items })))
}

/// Creates a rule.
pub(super) async fn create(
    State(state): State<AppState>,
    body: Result<Json<RuleSpec>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let service = service(&state)?;
    let Json(spec) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    check(service, &spec)?;
    if service.rules().iter().any(|r| r.name == spec.name) {
        return Err(ApiError::Conflict(format!(
            "a rule named {:?} exists already",
            spec.name
        )));
    }
    let id = state.store.insert_rule(&spec, now()).await?;
    reload(service).await?;
    Ok((StatusCode::CREATED, Json(view(&StoredRule { id, spec }))))
}

/// One stored rule.
pub(super) async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = rule_id(id)?;
    let rule = state.store.rule(id).await?.ok_or_else(|| not_found(id))?;
    Ok(Json(view(&rule)))
}

/// Replaces a stored rule.
pub(super) async fn replace(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<RuleSpec>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let id = rule_id(id)?;
    let Json(spec) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    check(service, &spec)?;
    let others = state.store.rules().await?;
    if others
        .iter()
        .any(|r| r.id != id && r.spec.name == spec.name)
    {
        return Err(ApiError::Conflict(format!(
            "a rule named {:?} exists already",
            spec.name
        )));
    }
    if !state.store.update_rule(id, &spec, now()).await? {
        return Err(not_found(id));
    }
    reload(service).await?;
    Ok(Json(view(&StoredRule { id, spec })))
}

/// Deletes a stored rule.
pub(super) async fn delete(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let service = service(&state)?;
    let id = rule_id(id)?;
    if !state.store.delete_rule(id).await? {
        return Err(not_found(id));
    }
    reload(service).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `POST /api/v1/device-groups`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewGroup {
    name: String,
    #[serde(default)]
    devices: Vec<String>,
}

/// The body of `PUT /api/v1/device-groups/{name}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupDevices {
    devices: Vec<String>,
}

/// `GET /api/v1/device-groups`: every group, the stored ones (`"source": "api"`) and the
/// file's (`"source": "file"`, read-only), by name.
pub(super) async fn groups_list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let items: Vec<Value> = service
        .device_groups()
        .into_iter()
        .map(|(name, devices)| group_view(service, &name, &devices))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/device-groups`: creates a group.
pub(super) async fn groups_create(
    State(state): State<AppState>,
    body: Result<Json<NewGroup>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let service = service(&state)?;
    let Json(group) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let name = group_name(&group.name)?;
    let devices = group_devices(group.devices)?;
    if service.device_groups().iter().any(|(n, _)| *n == name) {
        return Err(ApiError::Conflict(format!(
            "a device group named {name:?} exists already"
        )));
    }
    state
        .store
        .save_device_group(&name, &devices, now())
        .await?;
    reload(service).await?;
    Ok((
        StatusCode::CREATED,
        Json(group_view(service, &name, &devices)),
    ))
}

/// `GET /api/v1/device-groups/{name}`.
pub(super) async fn groups_show(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let name = path_name(name)?;
    let (name, devices) = service
        .device_groups()
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| group_not_found(&name))?;
    Ok(Json(group_view(service, &name, &devices)))
}

/// `PUT /api/v1/device-groups/{name}`: replaces a stored group's devices, or creates it.
pub(super) async fn groups_replace(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<GroupDevices>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let service = service(&state)?;
    let name = group_name(&path_name(name)?)?;
    let Json(body) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let devices = group_devices(body.devices)?;
    if service.is_file_group(&name) {
        return Err(file_group(&name));
    }
    let created = state
        .store
        .save_device_group(&name, &devices, now())
        .await?;
    reload(service).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(group_view(service, &name, &devices))))
}

/// `DELETE /api/v1/device-groups/{name}`: deletes a stored group.
pub(super) async fn groups_delete(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let service = service(&state)?;
    let name = path_name(name)?;
    if service.is_file_group(&name) {
        return Err(file_group(&name));
    }
    if !state.store.delete_device_group(&name).await? {
        return Err(group_not_found(&name));
    }
    reload(service).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn group_view(service: &ResponseService, name: &str, devices: &[String]) -> Value {
    let source = if service.is_file_group(name) {
        "file"
    } else {
        "api"
    };
    json!({ "name": name, "devices": devices, "source": source })
}

fn path_name(name: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(name) = name.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    Ok(name)
}

/// A group name: 1 to 64 printable characters, no surrounding space.
fn group_name(name: &str) -> Result<String, ApiError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.len() > 64 || trimmed.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "a device group name has 1 to 64 printable characters".to_owned(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// The device names, trimmed, without empties or duplicates, in the order given.
fn group_devices(devices: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(devices.len());
    for device in devices {
        let device = device.trim();
        if device.is_empty() {
            return Err(ApiError::BadRequest(
                "a device name in a group must not be empty".to_owned(),
            ));
        }
        if !out.iter().any(|d| d == device) {
            out.push(device.to_owned());
        }
    }
    Ok(out)
}

fn group_not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("no device group named {name:?}"))
}

fn file_group(name: &str) -> ApiError {
    ApiError::Conflict(format!(
        "the device group {name:?} comes from the configuration file: change it there"
    ))
}

/// The response service, or why the API cannot manage responses.
pub(super) fn service(state: &AppState) -> Result<&Arc<ResponseService>, ApiError> {
    state.response.as_ref().ok_or_else(|| {
        ApiError::NotFound("response management is not enabled on this manager".to_owned())
    })
}

/// Makes the service see the store's change.
pub(super) async fn reload(service: &ResponseService) -> Result<(), ApiError> {
    service.reload().await.map_err(|error| match error {
        crate::actions::ResponseError::Store(error) => ApiError::Store(error),
        other => ApiError::BadRequest(other.to_string()),
    })
}

/// A rule needs a name and actions that exist.
fn check(service: &ResponseService, spec: &RuleSpec) -> Result<(), ApiError> {
    if spec.name.trim().is_empty() {
        return Err(ApiError::BadRequest("the rule needs a name".to_owned()));
    }
    if spec.actions.is_empty() {
        return Err(ApiError::BadRequest(
            "the rule needs at least one action".to_owned(),
        ));
    }
    if let Some(missing) = spec.actions.iter().find(|a| service.action(a).is_none()) {
        return Err(ApiError::BadRequest(format!("no action named {missing:?}")));
    }
    Ok(())
}

fn view(rule: &StoredRule) -> Value {
    json!({ "id": rule.id, "source": "api", "rule": rule.spec })
}

fn rule_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError::BadRequest("the rule id must be an integer".to_owned()))
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("no rule with id {id}"))
}
