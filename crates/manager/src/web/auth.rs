//! Login, first-start setup, logout, and the [`Operator`] every other page requires.

use std::time::{Instant, SystemTime};

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use crate::time::Timestamp;
use crate::web::WebState;
use crate::web::form::{
    PRELOGIN_COOKIE, SESSION_COOKIE, client_ip, cookie, local_path, random_token, set_cookie,
    token_matches,
};
use crate::web::render::PageError;

/// A logged-in operator: who, and the CSRF token of their session.
#[derive(Debug, Clone)]
pub(super) struct Operator {
    /// The account.
    pub(super) user: String,
    /// The session's synchroniser token.
    pub(super) csrf: String,
}

impl Operator {
    /// The 403 answer to a form whose CSRF token is not this session's; `None` when it is.
    pub(super) fn refuse(&self, state: &WebState, submitted: Option<&str>) -> Option<Response> {
        (!token_matches(&self.csrf, submitted)).then(|| forbidden(state))
    }
}

impl FromRequestParts<WebState> for Operator {
    type Rejection = Response;

    /// The session of the request's cookie; without one, a redirect to the login page (or to
    /// the setup page while no admin password is set).
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let found = state
                .app
                .store
                .web_session(token, now(), state.config.sessions)
                .await
                .map_err(|error| PageError::from(error).into_response())?;
            if let Some(session) = found {
                return Ok(Self {
                    user: session.user,
                    csrf: session.csrf,
                });
            }
        }
        let has_admin = state
            .app
            .store
            .has_admin()
            .await
            .map_err(|error| PageError::from(error).into_response())?;
        if !has_admin {
            return Err(Redirect::to("/setup").into_response());
        }
        let here = parts.uri.path_and_query().map_or("/", |path| path.as_str());
        Err(Redirect::to(&format!("/login?next={}", encode(here))).into_response())
    }
}

/// The query of the login page.
#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

/// The login form.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    csrf: Option<String>,
    user: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// The first-start form.
#[derive(Debug, Deserialize)]
pub(super) struct SetupForm {
    csrf: Option<String>,
    code: Option<String>,
    password: Option<String>,
    confirm: Option<String>,
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    csrf: Option<String>,
}

/// `GET /login`.
pub(super) async fn login_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    if !state.app.store.has_admin().await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    let next = local_path(query.next.as_deref(), "/status");
    let default_user = state.config.admin.clone();
    prelogin_page(&state, &headers, StatusCode::OK, "login.html", |csrf| {
        context! { csrf, next, user => default_user, error => None::<String> }
    })
}

/// `POST /login`: checks the password, opens a session, goes where the operator was going.
pub(super) async fn login(
    State(state): State<WebState>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let expected = cookie(&parts.headers, PRELOGIN_COOKIE).unwrap_or_default();
    if !token_matches(expected, form.csrf.as_deref()) {
        return Ok(forbidden(&state));
    }
    let client = client_ip(&parts);
    let next = local_path(form.next.as_deref(), "/status").to_owned();
    let user = form.user.unwrap_or_default().trim().to_owned();
    if let Err(wait) = state.limiter.check(client, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let error = format!("Too many failed attempts: try again in {minutes} min.");
        let mut page = prelogin_page(
            &state,
            &parts.headers,
            StatusCode::TOO_MANY_REQUESTS,
            "login.html",
            |csrf| context! { csrf, next, user, error },
        )?;
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            page.headers_mut().insert(RETRY_AFTER, value);
        }
        return Ok(page);
    }
    let password = form.password.unwrap_or_default();
    let valid = !user.is_empty()
        && !password.is_empty()
        && state
            .app
            .store
            .verify_admin_password(&user, &password)
            .await?;
    if !valid {
        state.limiter.fail(client, Instant::now());
        tracing::warn!(user = %user, client = ?client, "web login refused");
        let error = "Wrong user name or password.".to_owned();
        return prelogin_page(
            &state,
            &parts.headers,
            StatusCode::UNAUTHORIZED,
            "login.html",
            |csrf| context! { csrf, next, user, error },
        );
    }
    state.limiter.succeed(client);
    tracing::info!(user = %user, client = ?client, "web login");
    open_session(&state, &user, &next).await
}

/// `GET /setup`: the first-start page that sets the admin password, for whoever has the
/// setup code printed on the server's console.
pub(super) async fn setup_page(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if state.app.store.has_admin().await? {
        return Ok(Redirect::to("/login").into_response());
    }
    if state.config.setup_code.is_none() {
        return Ok(setup_closed(&state));
    }
    let user = state.config.admin.clone();
    prelogin_page(&state, &headers, StatusCode::OK, "setup.html", |csrf| {
        context! { csrf, user, error => None::<String>, min => MIN_PASSWORD_CHARS }
    })
}

/// `POST /setup`: with the right setup code, sets the admin password once, then logs the
/// operator in. Wrong codes count as failed logins of the client.
pub(super) async fn setup(
    State(state): State<WebState>,
    parts: Parts,
    Form(form): Form<SetupForm>,
) -> Result<Response, PageError> {
    let headers = &parts.headers;
    let expected = cookie(headers, PRELOGIN_COOKIE).unwrap_or_default();
    if !token_matches(expected, form.csrf.as_deref()) {
        return Ok(forbidden(&state));
    }
    let _once = state.setup.lock().await;
    if state.app.store.has_admin().await? {
        // Someone set it meanwhile: never overwrite a password from this page.
        return Ok(Redirect::to("/login").into_response());
    }
    let Some(setup_code) = state.config.setup_code.as_ref() else {
        return Ok(setup_closed(&state));
    };
    let user = state.config.admin.clone();
    let client = client_ip(&parts);
    if let Err(wait) = state.limiter.check(client, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let error = format!("Too many failed attempts: try again in {minutes} min.");
        let mut page = prelogin_page(
            &state,
            headers,
            StatusCode::TOO_MANY_REQUESTS,
            "setup.html",
            |csrf| context! { csrf, user, error, min => MIN_PASSWORD_CHARS },
        )?;
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            page.headers_mut().insert(RETRY_AFTER, value);
        }
        return Ok(page);
    }
    if !setup_code.matches(form.code.as_deref().unwrap_or_default()) {
        state.limiter.fail(client, Instant::now());
        tracing::warn!(client = ?client, "first-start setup refused: wrong setup code");
        let error = "Wrong setup code: copy it from the server's console, where vigie serve \
                     printed it at start."
            .to_owned();
        return prelogin_page(
            &state,
            headers,
            StatusCode::UNAUTHORIZED,
            "setup.html",
            |csrf| context! { csrf, user, error, min => MIN_PASSWORD_CHARS },
        );
    }
    let password = form.password.unwrap_or_default();
    let confirm = form.confirm.unwrap_or_default();
    let error = if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "The password needs at least {MIN_PASSWORD_CHARS} characters."
        ))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Some(format!(
            "The password may have at most {MAX_PASSWORD_BYTES} bytes."
        ))
    } else if password != confirm {
        Some("The two passwords differ.".to_owned())
    } else {
        None
    };
    if let Some(error) = error {
        return prelogin_page(
            &state,
            headers,
            StatusCode::BAD_REQUEST,
            "setup.html",
            |csrf| context! { csrf, user, error, min => MIN_PASSWORD_CHARS },
        );
    }
    state.limiter.succeed(client);
    state
        .app
        .store
        .set_admin_password(&user, &password, now())
        .await?;
    tracing::info!(user = %user, client = ?client, "admin password set from the first-start page");
    open_session(&state, &user, "/status").await
}

/// The setup page when the server has no setup code to ask for.
fn setup_closed(state: &WebState) -> Response {
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Set-up from the console",
            message => "No admin password is set yet. Set it on the server with \
                        `vigie admin set-password`, or restart vigie serve and use the setup \
                        code it prints.",
        },
    );
    match page {
        Ok(page) => (StatusCode::SERVICE_UNAVAILABLE, page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `POST /logout`.
pub(super) async fn logout(
    State(state): State<WebState>,
    operator: Operator,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.app.store.delete_web_session(token).await?;
    }
    tracing::info!(user = %operator.user, "web logout");
    let mut response = Redirect::to("/login").into_response();
    append_cookie(
        &mut response,
        &set_cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
    Ok(response)
}

/// A page before login (login, setup) with its double-submit token: the one of the
/// browser's cookie, or a new one set now.
fn prelogin_page(
    state: &WebState,
    headers: &HeaderMap,
    status: StatusCode,
    template: &str,
    context: impl FnOnce(String) -> minijinja::Value,
) -> Result<Response, PageError> {
    let (token, fresh) = match cookie(headers, PRELOGIN_COOKIE) {
        Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (token.to_owned(), false)
        }
        _ => (random_token(), true),
    };
    let page = state.templates.page(template, context(token.clone()))?;
    let mut response = (status, page).into_response();
    if fresh {
        append_cookie(
            &mut response,
            &set_cookie(PRELOGIN_COOKIE, &token, state.config.secure_cookies, None),
        );
    }
    Ok(response)
}

/// Opens a session for `user` and sends the browser to `next`.
async fn open_session(state: &WebState, user: &str, next: &str) -> Result<Response, PageError> {
    let session = state.app.store.create_web_session(user, now()).await?;
    let mut response = Redirect::to(next).into_response();
    let secure = state.config.secure_cookies;
    append_cookie(
        &mut response,
        &set_cookie(SESSION_COOKIE, session.token(), secure, None),
    );
    append_cookie(
        &mut response,
        &set_cookie(PRELOGIN_COOKIE, "", secure, Some(0)),
    );
    Ok(response)
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The answer to a form without the right CSRF token.
pub(super) fn forbidden(state: &WebState) -> Response {
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Forbidden",
            message => "This form has expired or did not come from one of vigie's pages. \
                        Go back, reload the page and try again.",
        },
    );
    match page {
        Ok(page) => (StatusCode::FORBIDDEN, page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Percent-encodes a path and query for a `next=` parameter (RFC 3986 §2.1): everything but
/// the unreserved characters and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The wall clock, read by the shell only.
pub(super) fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// NIST SP 800-63B §5.1.1.2 asks for at least 8; an appliance's only account gets more.
const MIN_PASSWORD_CHARS: usize = 12;
/// Argon2 hashes any length, but a megabyte password is a denial of service, not a password.
const MAX_PASSWORD_BYTES: usize = 1_024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_are_percent_encoded() {
        assert_eq!(
            encode("/alarms?state=open&x=a b"),
            "/alarms%3Fstate%3Dopen%26x%3Da%20b"
        );
        assert_eq!(encode("/status"), "/status");
    }
}
