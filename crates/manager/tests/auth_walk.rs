//! Every route of the API and of the web UI requires authentication, except the few listed
//! in [`PUBLIC`] with the reason each is open.
//!
//! The routes come from three places that must agree, so that a new route cannot be added
//! without this walk covering it: the routers' source (`.route(…)` calls read from
//! `src/http/mod.rs` and `src/web/mod.rs`), the route tables `http::ROUTES` and
//! `web::PAGES`, and the OpenAPI document the API serves. Then each route is called with every
//! method it accepts, without credentials and with forged ones: the API answers 401, the web
//! UI redirects to `/login`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION};
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;
use vigie_manager::actions::{ResponseConfig, ResponseService};
use vigie_manager::desk::AlarmDesk;
use vigie_manager::http::{self, Access, AppState, ROUTES};
use vigie_manager::metrics::Metrics;
use vigie_manager::poller::{Poller, PollerConfig};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::{Durability, Store};
use vigie_manager::time::Timestamp;
use vigie_manager::web::{self, PAGES, WebConfig};

/// The routes anyone may call, and why.
const PUBLIC: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/api/v1/health",
        "load balancers and supervisors check it without a token; it names components and \
         their state, never a secret",
    ),
    ("GET", "/login", "the login form itself"),
    (
        "POST",
        "/login",
        "checks the password; failures are rate-limited per address",
    ),
    (
        "GET",
        "/setup",
        "first start only: closed (redirect to /login) once an admin password exists",
    ),
    (
        "POST",
        "/setup",
        "first start only: requires the one-time code printed on the console, failures \
         rate-limited like logins; refused once an admin password exists",
    ),
    (
        "GET",
        "/assets/{name}",
        "the CSS and JavaScript compiled into the binary: no data",
    ),
];

const HTTP_SOURCE: &str = include_str!("../src/http/mod.rs");
const WEB_SOURCE: &str = include_str!("../src/web/mod.rs");
const OPENAPI: &str = include_str!("../src/http/openapi.json");

struct Harness {
    _dir: TempDir,
    router: Router,
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .expect("the store opens");
    // An admin password exists: unauthenticated pages lead to /login, not to /setup.
    store
        .set_admin_password("admin", "walk-the-routes-password", Timestamp(0))
        .await
        .expect("the password is set");
    // A token exists, so that a forged one is checked against something.
    store
        .create_token("walker", Timestamp(0))
        .await
        .expect("a token");
    let desk = Arc::new(
        AlarmDesk::load(store.clone())
            .await
            .expect("the desk loads"),
    );
    let status = StatusRegistry::new();
    let poller = Poller::start(
        PollerConfig {
            timeout: Duration::from_millis(100),
            retries: 0,
            ..PollerConfig::default()
        },
        store.clone(),
        desk.clone(),
        status.clone(),
    )
    .await
    .expect("the poller starts");
    let outbox = vigie_notify::Outbox::from_pool(store.pool().clone())
        .await
        .expect("the outbox opens");
    let response = ResponseService::new(
        store.clone(),
        Arc::clone(&desk),
        outbox,
        vigie_notify::TrustStore::in_memory(),
        ResponseConfig::default(),
    )
    .await
    .expect("the response service starts");
    let state = AppState {
        store,
        desk,
        status,
        metrics: Arc::new(Metrics::default()),
        poller,
        response: Some(response),
    };
    let web = WebConfig::default();
    let router = http::app(state.clone()).merge(web::router(state, web));
    Harness { _dir: dir, router }
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Harness {
    async fn call(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("a method"))
            .uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(
                request
                    .body(Body::from(body.to_owned()))
                    .expect("a request"),
            )
            .await
            .expect("the router answers");
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        // Live streams never end: read what is there, not to the end.
        let body = tokio::time::timeout(Duration::from_secs(2), response.into_body().collect())
            .await
            .ok()
            .and_then(Result::ok)
            .map(|collected| String::from_utf8_lossy(&collected.to_bytes()).into_owned())
            .unwrap_or_default();
        Answer {
            status,
            location,
            body,
        }
    }
}

/// `(method, path)` of every `.route(PATH, METHOD(handler).METHOD(handler)…)` call in a
/// router's source.
fn routes_in_source(source: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        let call = &rest[at + ".route(".len()..];
        // The call's arguments: up to the parenthesis that closes `.route(`.
        let mut depth = 1_usize;
        let end = call
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .expect("a .route( call closes");
        let arguments = &call[..end];
        let path = arguments
            .split('"')
            .nth(1)
            .expect("a .route( call starts with a literal path");
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = arguments
                .match_indices(&format!("{method}("))
                .any(|(i, _)| {
                    i == 0
                        || !arguments[..i]
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                });
            if called {
                found.insert((method.to_uppercase(), path.to_owned()));
            }
        }
        rest = &call[end..];
    }
    found
}

fn table(
    routes: impl IntoIterator<Item = (&'static str, &'static str)>,
) -> BTreeSet<(String, String)> {
    routes
        .into_iter()
        .map(|(method, path)| (method.to_owned(), path.to_owned()))
        .collect()
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{name}", "app.css")
        .replace("{kind}", "webhook")
}

fn is_public(method: &str, path: &str) -> bool {
    PUBLIC.iter().any(|(m, p, _)| *m == method && *p == path)
}

#[test]
fn the_route_tables_list_every_route_the_routers_declare() {
    let api = routes_in_source(HTTP_SOURCE);
    assert!(api.len() > 30, "the parser found the API's routes: {api:?}");
    assert_eq!(
        api,
        table(ROUTES.iter().map(|r| (r.0, r.1))),
        "http::ROUTES"
    );
    let pages = routes_in_source(WEB_SOURCE);
    assert!(pages.len() > 30, "the parser found the pages: {pages:?}");
    assert_eq!(pages, table(PAGES.iter().copied()), "web::PAGES");
    // The API's public routes are exactly the ones listed here.
    for &(method, path, access) in ROUTES {
        assert_eq!(
            access == Access::Public,
            is_public(method, path),
            "{method} {path}: public in ROUTES and in this test's exceptions, or in neither"
        );
    }
    // Every exception is a route that exists.
    for (method, path, _) in PUBLIC {
        assert!(
            ROUTES.iter().any(|r| r.0 == *method && r.1 == *path)
                || PAGES.iter().any(|p| p.0 == *method && p.1 == *path),
            "{method} {path} is listed as public but is not a route"
        );
    }
}

#[test]
fn the_openapi_document_lists_every_api_route() {
    let document: Value = serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON");
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert_eq!(documented, table(ROUTES.iter().map(|r| (r.0, r.1))));
}

#[tokio::test]
async fn every_api_route_but_health_answers_401_without_a_valid_token() {
    let h = harness().await;
    let document: Value = serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON");
    let mut walked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            let method = method.to_uppercase();
            let uri = concrete(path);
            if is_public(&method, path) {
                let answer = h.call(&method, &uri, &[], "").await;
                assert_eq!(answer.status, StatusCode::OK, "{method} {path}");
                continue;
            }
            let json = [(CONTENT_TYPE.as_str(), "application/json")];
            for headers in [
                &[][..],
                &json[..],
                &[(AUTHORIZATION.as_str(), "Bearer vigie_forged0000000000")],
                &[(AUTHORIZATION.as_str(), "Basic YWRtaW46d2Fsaw==")],
                &[(AUTHORIZATION.as_str(), "Bearer ")],
            ] {
                let answer = h.call(&method, &uri, headers, "{}").await;
                assert_eq!(
                    answer.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} with {headers:?}"
                );
                assert!(
                    answer.body.contains("a valid API token is required"),
                    "{method} {path}: {}",
                    answer.body
                );
            }
            // A web session does not open the API: the API takes bearer tokens only.
            let cookie = [(COOKIE.as_str(), "vigie_session=forged")];
            let answer = h.call(&method, &uri, &cookie, "").await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            walked += 1;
        }
    }
    assert_eq!(
        walked,
        ROUTES.len() - 1,
        "every route but health was walked"
    );
}

#[tokio::test]
async fn every_page_redirects_to_login_without_a_session() {
    let h = harness().await;
    let mut walked = 0;
    for &(method, path) in PAGES {
        let uri = concrete(path);
        if is_public(method, path) {
            let answer = h.call(method, &uri, &[], "").await;
            assert!(
                !answer.status.is_server_error(),
                "{method} {path}: {}",
                answer.status
            );
            continue;
        }
        let form = [(CONTENT_TYPE.as_str(), "application/x-www-form-urlencoded")];
        let forged = [(COOKIE.as_str(), "vigie_session=forged-session-token")];
        for (headers, body) in [
            (&[][..], ""),
            (&form[..], "csrf=x&name=walk"),
            (&forged[..], ""),
        ] {
            let answer = h.call(method, &uri, headers, body).await;
            assert!(
                answer.status.is_redirection(),
                "{method} {path} with {headers:?}: {} {}",
                answer.status,
                answer.body
            );
            let location = answer.location.unwrap_or_default();
            assert!(
                location.starts_with("/login"),
                "{method} {path}: redirected to {location}"
            );
        }
        walked += 1;
    }
    assert_eq!(
        walked,
        PAGES.len() - PUBLIC.iter().filter(|p| !p.1.starts_with("/api/")).count()
    );
}

#[tokio::test]
async fn methods_a_route_does_not_accept_are_refused() {
    let h = harness().await;
    let declared: BTreeSet<(String, String)> = table(ROUTES.iter().map(|r| (r.0, r.1)))
        .union(&table(PAGES.iter().copied()))
        .cloned()
        .collect();
    let paths: BTreeSet<&String> = declared.iter().map(|(_, path)| path).collect();
    for path in paths {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if declared.contains(&(method.to_owned(), path.clone())) {
                continue;
            }
            let answer = h.call(method, &concrete(path), &[], "").await;
            assert!(
                answer.status == StatusCode::METHOD_NOT_ALLOWED
                    || answer.status == StatusCode::UNAUTHORIZED
                    || answer.status == StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                answer.status
            );
        }
    }
}
