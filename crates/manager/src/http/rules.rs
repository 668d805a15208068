//! `/api/v1/rules`: the rules the API manages (list, create, show, replace, delete). The
//! list also shows the configuration file's rules, read-only.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
