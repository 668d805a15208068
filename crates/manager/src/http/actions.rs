//! `/api/v1/actions`: the actions the API manages, and Test Action. Secrets (webhook keys,
//! communities) are accepted and never shown.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::actions::{ActionKind, ActionSpec};
use crate::http::rules::{reload, service};
use crate::http::{ApiError, AppState, now};
use crate::store::StoredAction;

/// Every action: the stored ones with their id, then the file's.
pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let stored = state.store.actions().await?;
    let mut items: Vec<Value> = stored.iter().map(view).collect();
    for spec in service.actions() {
        if service.is_file_action(&spec.name) {
            items.push(json!({ "id": null, "source": "file", "action": spec }));
        }
    }
    Ok(Json(json!({ "items": items })))
}

/// Creates an action.
pub(super) async fn create(
    State(state): State<AppState>,
    body: Result<Json<ActionSpec>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let service = service(&state)?;
    let Json(spec) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    check(&spec)?;
    if service.action(&spec.name).is_some() {
        return Err(ApiError::Conflict(format!(
            "an action named {:?} exists already",
            spec.name
        )));
    }
    let id = state.store.insert_action(&spec, now()).await?;
    reload(service).await?;
    Ok((StatusCode::CREATED, Json(view(&StoredAction { id, spec }))))
}

/// One stored action.
pub(super) async fn show(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = action_id(id)?;
    let action = state.store.action(id).await?.ok_or_else(|| not_found(id))?;
    Ok(Json(view(&action)))
}

/// Replaces a stored action; a secret left out keeps the stored one.
pub(super) async fn replace(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<ActionSpec>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let id = action_id(id)?;
    let Json(spec) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    check(&spec)?;
    let Some(before) = state.store.action(id).await? else {
        return Err(not_found(id));
    };
    if before.spec.name != spec.name {
        return Err(ApiError::BadRequest(
            "an action cannot be renamed: rules name it; create a new one".to_owned(),
        ));
    }
    state.store.update_action(id, &spec, now()).await?;
    reload(service).await?;
    Ok(Json(view(&StoredAction { id, spec })))
}

/// Deletes a stored action that no rule uses.
pub(super) async fn delete(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let service = service(&state)?;
    let id = action_id(id)?;
    match state.store.delete_action(id).await? {
        None => Err(not_found(id)),
        Some(users) if !users.is_empty() => Err(ApiError::Conflict(format!(
            "the action is used by the rules {}",
            users.join(", ")
        ))),
        Some(_) => {
            reload(service).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    }
}

/// `POST /api/v1/actions/{id}/test`: sends now, answers the relay's reply or the classified
/// failure with its fix. `{id}` is a stored action's id or any action's name.
pub(super) async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let action = match id.parse::<i64>() {
        Ok(number) => state.store.action(number).await?.map(|a| a.spec),
        Err(_) => service.action(&id),
    }
    .ok_or_else(|| ApiError::NotFound(format!("no action {id:?}")))?;
    let outcome = service.test_action(&action).await;
    Ok(Json(json!(outcome)))
}

fn check(spec: &ActionSpec) -> Result<(), ApiError> {
    if spec.name.trim().is_empty() {
        return Err(ApiError::BadRequest("the action needs a name".to_owned()));
    }
    if let ActionKind::Email(email) = &spec.kind {
        if email.to.is_empty() {
            return Err(ApiError::BadRequest(
                "an e-mail action needs a recipient".to_owned(),
            ));
        }
        for address in email.to.iter().chain(&email.cc) {
            vigie_notify::Mailbox::new(address.as_str())
                .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        }
    }
    Ok(())
}

fn view(action: &StoredAction) -> Value {
    json!({ "id": action.id, "source": "api", "action": action.spec })
}

fn action_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError::BadRequest("the action id must be an integer".to_owned()))
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("no action with id {id}"))
}
