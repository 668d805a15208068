//! The embedded stylesheet and script, served without a session (the login page uses them).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// Every asset: file name, media type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "vigie.css",
        "text/css; charset=utf-8",
        include_str!("assets/vigie.css"),
    ),
    (
        "vigie.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vigie.js"),
    ),
];

/// `GET /assets/{name}`.
pub(super) async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(file, _, _)| *file == name) {
        Some(&(_, media_type, body)) => (
            [
                (CONTENT_TYPE, media_type),
                // Revalidated at every load: a new vigie's assets apply at once.
                (CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
