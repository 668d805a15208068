//! Templates compiled into the binary, and the pages' error answers.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::store::StoreError;
use crate::time::Timestamp;

/// The page templates, parsed once at start.
#[derive(Debug)]
pub(super) struct Templates {
    env: Environment<'static>,
}

/// Every template: name (its extension turns HTML escaping on) and text.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("setup.html", include_str!("templates/setup.html")),
    ("status.html", include_str!("templates/status.html")),
    (
        "status_table.html",
        include_str!("templates/status_table.html"),
    ),
    ("alarms.html", include_str!("templates/alarms.html")),
    ("alarm_rows.html", include_str!("templates/alarm_rows.html")),
    ("alarm.html", include_str!("templates/alarm.html")),
    ("events.html", include_str!("templates/events.html")),
    ("event_rows.html", include_str!("templates/event_rows.html")),
    ("devices.html", include_str!("templates/devices.html")),
    ("device.html", include_str!("templates/device.html")),
    (
        "interface_table.html",
        include_str!("templates/interface_table.html"),
    ),
    ("error.html", include_str!("templates/error.html")),
    (
        "response_tabs.html",
        include_str!("templates/response_tabs.html"),
    ),
    (
        "response_actions.html",
        include_str!("templates/response_actions.html"),
    ),
    (
        "response_rules.html",
        include_str!("templates/response_rules.html"),
    ),
    (
        "response_rule.html",
        include_str!("templates/response_rule.html"),
    ),
    (
        "response_action.html",
        include_str!("templates/response_action.html"),
    ),
    (
        "response_email.html",
        include_str!("templates/response_email.html"),
    ),
    (
        "response_log.html",
        include_str!("templates/response_log.html"),
    ),
    (
        "settings_smtp.html",
        include_str!("templates/settings_smtp.html"),
    ),
    (
        "settings_tls.html",
        include_str!("templates/settings_tls.html"),
    ),
    (
        "settings_trust.html",
        include_str!("templates/settings_trust.html"),
    ),
];

impl Templates {
    /// Parses the embedded templates.
    pub(super) fn new() -> Self {
        let mut env = Environment::new();
        for &(name, text) in TEMPLATES {
            // The templates are part of the binary and every one is parsed by the unit tests:
            // a syntax error fails the build's tests, never a running vigie.
            env.add_template(name, text)
                .expect("embedded templates parse (checked by the unit tests)");
        }
        env.add_filter("time", time);
        env.add_filter("age", age);
        env.add_filter("urlencode", urlencode);
        Self { env }
    }

    /// Renders `name` with `context`.
    pub(super) fn render(&self, name: &str, context: impl Serialize) -> Result<String, PageError> {
        let template = self.env.get_template(name).map_err(PageError::Template)?;
        template
            .render(Value::from_serialize(&context))
            .map_err(PageError::Template)
    }

    /// Renders a whole page.
    pub(super) fn page(
        &self,
        name: &str,
        context: impl Serialize,
    ) -> Result<Html<String>, PageError> {
        self.render(name, context).map(Html)
    }
}

/// `{{ millis | time }}`: `2026-11-23 20:36:54` in UTC, the precision an operator reads.
fn time(millis: i64) -> String {
    let text = Timestamp(millis).to_string();
    // RFC 3339 with milliseconds: keep the date and the second, with a space for the `T`.
    text.get(..19)
        .map_or_else(|| text.clone(), |head| head.replacen('T', " ", 1))
}

/// `{{ millis | age(now) }}`: how long ago, e.g. `3 min`.
fn age(millis: i64, now: i64) -> String {
    let seconds = now.saturating_sub(millis).max(0) / 1_000;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..86_400 => format!("{} h {} min", seconds / 3_600, seconds / 60 % 60),
        _ => format!("{} d {} h", seconds / 86_400, seconds / 3_600 % 24),
    }
}

/// `{{ text | urlencode }}`: percent-encoding for a path segment or query value
/// (RFC 3986 §2.1), everything but the unreserved characters.
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Why a page could not be served. Details go to the log; the browser gets a plain page.
#[derive(Debug, thiserror::Error)]
pub(super) enum PageError {
    /// The database failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// A template failed to render.
    #[error("template: {0}")]
    Template(minijinja::Error),
    /// The poller failed.
    #[error("poller: {0}")]
    Poll(String),
    /// A blocking task (key derivation) did not finish.
    #[error("a background task failed")]
    Task,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "web page failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(ERROR_PAGE.replace(
                "{message}",
                "vigie could not build this page; the details are in its log.",
            )),
        )
            .into_response()
    }
}

/// The page of an internal error, without templates (which may be what failed).
const ERROR_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Error — vigie</title><link rel=\"stylesheet\" href=\"/assets/vigie.css\"></head>\
<body class=\"bare\"><main class=\"card narrow\"><h1>Something went wrong</h1><p>{message}</p>\
<p><a href=\"/status\">Back to the status page</a></p></main></body></html>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_escapes_html() {
        let templates = Templates::new();
        for &(name, _) in TEMPLATES {
            assert!(templates.env.get_template(name).is_ok(), "{name}");
        }
        let html = templates
            .render(
                "error.html",
                serde_json::json!({ "title": "<script>", "message": "a & b", "csrf": "" }),
            )
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn times_and_ages_read_as_operators_expect() {
        assert_eq!(time(1_795_984_614_120), "2026-11-29 20:36:54");
        assert_eq!(age(0, 59_999), "59 s");
        assert_eq!(age(0, 61_000), "1 min");
        assert_eq!(age(0, 3_660_000), "1 h 1 min");
        assert_eq!(age(0, 90_000_000), "1 d 1 h");
        assert_eq!(age(10, 0), "0 s");
        assert_eq!(urlencode("noc mail/1"), "noc%20mail%2F1");
    }
}
