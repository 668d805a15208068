//! API errors: client errors say what was wrong; internal errors say nothing but are logged.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::WWW_AUTHENTICATE;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No valid bearer token.
    #[error("a valid API token is required")]
    Unauthorized,
    /// The request is malformed: the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The resource is not in a state that allows this, e.g. acknowledging a cleared alarm.
    #[error("{0}")]
    Conflict(String),
    /// The store failed: logged in full, answered with a generic 500.
    #[error("internal error")]
    Store(#[from] StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Store(error) => {
                // The detail goes to the log only; it never contains a secret (tokens and
                // passwords are hashed before they reach the store).
                tracing::error!(error = %error, "API request failed in the store");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let body = Json(json!({ "error": self.to_string() }));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}

/// The answer for a path no route serves.
pub(super) async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".to_owned())
}
