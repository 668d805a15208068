//! Central Management's pages: status, alarms, events, devices.

use std::net::IpAddr;
use std::time::Duration;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::alarm::{AlarmEvent, AlarmId, AlarmState, Severity};
use crate::status::Health;
use vigie_snmp::usm::{AuthProtocol, PrivProtocol};

use crate::store::{
    AlarmFilter, EventFilter, EventId, InvalidCredentials, NewDevice, SnmpCredentials, StateFilter,
    StoreError, UsmCredentials,
};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::form::local_path;
use crate::web::render::PageError;

/// `GET /`: the status page.
pub(super) async fn home(_operator: Operator) -> Redirect {
    Redirect::to("/status")
}

/// One component's line on the status page.
#[derive(Debug, Serialize)]
struct ComponentLine {
    name: String,
    up: bool,
    reason: Option<String>,
    since: i64,
}

/// The status table's context: components, open alarms by severity, counts.
pub(super) async fn status_context(state: &WebState) -> Result<minijinja::Value, PageError> {
    let components: Vec<ComponentLine> = state
        .app
        .status
        .snapshot()
        .into_iter()
        .map(|(name, status)| ComponentLine {
            name,
            up: status.status == Health::Up,
            reason: status.reason,
            since: status.since.millis(),
        })
        .collect();
    let down = components.iter().filter(|line| !line.up).count();
    let severities: Vec<(&str, usize)> = state
        .app
        .desk
        .count_by_severity()
        .await
        .into_iter()
        .rev()
        .map(|(severity, count)| (severity.name(), count))
        .collect();
    let events = state.app.store.event_count().await?;
    let devices = state.app.store.devices().await?.len();
    Ok(context! {
        components,
        down,
        severities,
        events,
        devices,
        now => now().millis(),
    })
}

/// `GET /status`: Central Management's appliance status.
pub(super) async fn status(
    State(state): State<WebState>,
    operator: Operator,
) -> Result<Html<String>, PageError> {
    let table = status_context(&state).await?;
    state.templates.page(
        "status.html",
        context! { ..table, ..page(&operator, "status", "Central Management") },
    )
}

/// `GET /status/table`: the status table alone, which the page's script refreshes.
pub(super) async fn status_table(
    State(state): State<WebState>,
    _operator: Operator,
) -> Result<Html<String>, PageError> {
    let table = status_context(&state).await?;
    state.templates.page("status_table.html", table)
}

/// The alarm filters of the Alarms page and of its live stream.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct AlarmQuery {
    /// `open` (the default), `active`, `acknowledged`, `cleared` or `any`.
    state: Option<String>,
    /// The lowest severity shown.
    severity: Option<String>,
    /// One device only.
    device: Option<String>,
}

impl AlarmQuery {
    /// The store's filter; unknown values read as "no filter", as a form would send them.
    pub(super) fn filter(&self) -> AlarmFilter {
        let state = match self.state.as_deref() {
            None | Some("" | "open") => StateFilter::Open,
            Some("any") => StateFilter::Any,
            Some(text) => text
                .parse::<AlarmState>()
                .map_or(StateFilter::Open, StateFilter::Only),
        };
        AlarmFilter {
            state,
            device: self
                .device
                .as_deref()
                .map(str::trim)
                .filter(|device| !device.is_empty())
                .map(str::to_owned),
            min_severity: self
                .severity
                .as_deref()
                .and_then(|text| text.parse::<Severity>().ok()),
            limit: ALARM_ROWS,
        }
    }

    /// The query string of this filter (for the live stream and the return path).
    fn query_string(&self) -> String {
        let pairs = [
            ("state", self.state.as_deref()),
            ("severity", self.severity.as_deref()),
            ("device", self.device.as_deref()),
        ];
        pairs
            .iter()
            .filter_map(|(key, value)| {
                value
                    .filter(|value| !value.is_empty())
                    .map(|value| format!("{key}={}", form_encode(value)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The rows of the alarm table for `query`, as the page and the live stream render them.
pub(super) async fn alarm_rows(
    state: &WebState,
    operator: &Operator,
    query: &AlarmQuery,
) -> Result<String, PageError> {
    let alarms = state.app.store.alarms(&query.filter()).await?;
    let back = alarms_path(query);
    state.templates.render(
        "alarm_rows.html",
        context! { alarms, csrf => &operator.csrf, back, now => now().millis() },
    )
}

fn alarms_path(query: &AlarmQuery) -> String {
    let query = query.query_string();
    if query.is_empty() {
        "/alarms".to_owned()
    } else {
        format!("/alarms?{query}")
    }
}

/// `GET /alarms`: filterable alarm table, updated live.
pub(super) async fn alarms(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<AlarmQuery>,
) -> Result<Html<String>, PageError> {
    let rows = alarm_rows(&state, &operator, &query).await?;
    let severities: Vec<&str> = Severity::ALL
        .into_iter()
        .rev()
        .filter(|severity| *severity != Severity::Cleared)
        .map(Severity::name)
        .collect();
    let live = format!("/alarms/live?{}", query.query_string());
    state.templates.page(
        "alarms.html",
        context! {
            rows,
            live,
            severities,
            selected_state => query.state.as_deref().unwrap_or("open"),
            selected_severity => query.severity.as_deref().unwrap_or(""),
            device => query.device.as_deref().unwrap_or(""),
            ..page(&operator, "alarms", "Alarms")
        },
    )
}

/// `GET /alarms/{id}`: one alarm and its history.
pub(super) async fn alarm(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let id = AlarmId(id);
    let Some(alarm) = state.app.store.alarm(id).await? else {
        return not_found(&state, &operator, &format!("There is no alarm {id}."));
    };
    let history = state.app.store.alarm_history(id).await?;
    let page = state.templates.page(
        "alarm.html",
        context! {
            alarm,
            history,
            back => format!("/alarms/{id}"),
            now => now().millis(),
            ..page(&operator, "alarms", &format!("Alarm {id}"))
        },
    )?;
    Ok(page.into_response())
}

/// An acknowledge or clear form.
#[derive(Debug, Deserialize)]
pub(super) struct ActionForm {
    csrf: Option<String>,
    back: Option<String>,
}

/// `POST /alarms/{id}/ack`.
pub(super) async fn acknowledge(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let event = AlarmEvent::Ack {
        id: AlarmId(id),
        user: operator.user.clone(),
    };
    state.app.desk.apply(now(), event).await?;
    Ok(Redirect::to(local_path(form.back.as_deref(), "/alarms")).into_response())
}

/// `POST /alarms/{id}/clear`.
pub(super) async fn clear(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let event = AlarmEvent::ClearById {
        id: AlarmId(id),
        user: operator.user.clone(),
    };
    state.app.desk.apply(now(), event).await?;
    Ok(Redirect::to(local_path(form.back.as_deref(), "/alarms")).into_response())
}

/// The query of the Events page: a cursor to older pages.
#[derive(Debug, Deserialize)]
pub(super) struct EventQuery {
    before: Option<i64>,
}

/// `GET /events`: received traps and informs, newest first; new ones appear live on the
/// first page.
pub(super) async fn events(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<EventQuery>,
) -> Result<Html<String>, PageError> {
    let filter = EventFilter {
        before: query.before.map(EventId),
        limit: EVENT_ROWS,
        ..EventFilter::default()
    };
    let page = state.app.store.events(&filter).await?;
    let newest = page.items.first().map_or(0, |event| event.id.0);
    let rows = state.templates.render(
        "event_rows.html",
        context! { events => &page.items, now => now().millis() },
    )?;
    state.templates.page(
        "events.html",
        context! {
            rows,
            first_page => query.before.is_none(),
            newest,
            next => page.next.map(|id| id.0),
            ..self::page(&operator, "events", "Events")
        },
    )
}

/// The device form.
#[derive(Debug, Deserialize)]
pub(super) struct DeviceForm {
    csrf: Option<String>,
    name: Option<String>,
    address: Option<String>,
    port: Option<String>,
    poll_interval_s: Option<String>,
    version: Option<String>,
    community: Option<String>,
    user: Option<String>,
    auth_protocol: Option<String>,
    auth_password: Option<String>,
    priv_protocol: Option<String>,
    priv_password: Option<String>,
}

/// The query of the Devices page after an addition.
#[derive(Debug, Deserialize)]
pub(super) struct DeviceQuery {
    added: Option<String>,
}

/// `GET /devices`: the inventory and the form that adds to it.
pub(super) async fn devices(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<DeviceQuery>,
) -> Result<Html<String>, PageError> {
    devices_page(
        &state,
        &operator,
        query.added,
        None,
        &DeviceInput::default(),
    )
    .await
}

/// What the form held, shown back after an error: never the community or the passwords,
/// which are not serialised.
#[derive(Debug, Default, Serialize)]
pub(super) struct DeviceInput {
    pub(super) name: String,
    pub(super) address: String,
    pub(super) port: String,
    pub(super) poll_interval_s: String,
    pub(super) version: String,
    pub(super) user: String,
    pub(super) auth_protocol: String,
    pub(super) priv_protocol: String,
    #[serde(skip)]
    pub(super) community: String,
    #[serde(skip)]
    pub(super) auth_password: String,
    #[serde(skip)]
    pub(super) priv_password: String,
}

async fn devices_page(
    state: &WebState,
    operator: &Operator,
    added: Option<String>,
    error: Option<String>,
    input: &DeviceInput,
) -> Result<Html<String>, PageError> {
    let devices = state.app.store.devices().await?;
    state.templates.page(
        "devices.html",
        context! {
            devices,
            added,
            error,
            input,
            ..page(operator, "devices", "Devices")
        },
    )
}

/// `POST /devices`: adds a device.
pub(super) async fn add_device(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<DeviceForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let input = DeviceInput {
        name: form.name.unwrap_or_default().trim().to_owned(),
        address: form.address.unwrap_or_default().trim().to_owned(),
        port: form.port.unwrap_or_default().trim().to_owned(),
        poll_interval_s: form.poll_interval_s.unwrap_or_default().trim().to_owned(),
        version: form.version.unwrap_or_default(),
        user: form.user.unwrap_or_default().trim().to_owned(),
        auth_protocol: form.auth_protocol.unwrap_or_default(),
        priv_protocol: form.priv_protocol.unwrap_or_default(),
        community: form.community.unwrap_or_default(),
        auth_password: form.auth_password.unwrap_or_default(),
        priv_password: form.priv_password.unwrap_or_default(),
    };
    // SNMPv3 passwords become keys through a megabyte of hashing each (RFC 3414 A.2).
    let parsed = tokio::task::spawn_blocking(move || {
        let parsed = parse_device(&input);
        (input, parsed)
    })
    .await;
    let Ok((input, parsed)) = parsed else {
        return Err(PageError::Task);
    };
    let new = match parsed {
        Ok(new) => new,
        Err(error) => {
            let page = devices_page(&state, &operator, None, Some(error), &input).await?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    match state.app.store.create_device(&new, now()).await {
        Ok(device) => {
            // The poller reads the inventory again; a failure shows on the status page.
            if let Err(error) = state.app.poller.reload().await {
                tracing::warn!(%error, "poller reload after a device was added");
            }
            Ok(
                Redirect::to(&format!("/devices?added={}", form_encode(&device.name)))
                    .into_response(),
            )
        }
        Err(StoreError::DuplicateDevice(name)) => {
            let error = format!("A device named {name} exists already.");
            let page = devices_page(&state, &operator, None, Some(error), &input).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// Validates the device form; the error is a sentence for the page.
fn parse_device(input: &DeviceInput) -> Result<NewDevice, String> {
    if input.name.is_empty() || input.name.len() > MAX_DEVICE_NAME {
        return Err(format!(
            "A device name has 1 to {MAX_DEVICE_NAME} characters."
        ));
    }
    let address: IpAddr = input
        .address
        .parse()
        .map_err(|_| format!("{:?} is not an IPv4 or IPv6 address.", input.address))?;
    let port = if input.port.is_empty() {
        DEFAULT_SNMP_PORT
    } else {
        input
            .port
            .parse::<u16>()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| format!("{:?} is not a UDP port (1 to 65535).", input.port))?
    };
    let interval = if input.poll_interval_s.is_empty() {
        DEFAULT_POLL_INTERVAL_S
    } else {
        input
            .poll_interval_s
            .parse::<u64>()
            .ok()
            .filter(|seconds| (MIN_POLL_INTERVAL_S..=MAX_POLL_INTERVAL_S).contains(seconds))
            .ok_or_else(|| {
                format!(
                    "The poll interval is a number of seconds from {MIN_POLL_INTERVAL_S} to \
                     {MAX_POLL_INTERVAL_S}."
                )
            })?
    };
    Ok(NewDevice {
        name: input.name.clone(),
        address,
        port,
        poll_interval: Duration::from_secs(interval),
        enabled: true,
        credentials: parse_credentials(input)?,
    })
}

/// The SNMP part of the device form.
pub(super) fn parse_credentials(input: &DeviceInput) -> Result<SnmpCredentials, String> {
    let refused = |error: InvalidCredentials| format!("SNMP credentials refused: {error}.");
    match input.version.as_str() {
        "" | "v2c" => SnmpCredentials::v2c(input.community.clone().into_bytes()).map_err(refused),
        "v1" => SnmpCredentials::v1(input.community.clone().into_bytes()).map_err(refused),
        "v3" => {
            let auth = match input.auth_protocol.as_str() {
                "" | "none" => None,
                name => Some((
                    name.parse::<AuthProtocol>()
                        .map_err(|_| format!("Unknown authentication protocol {name:?}."))?,
                    input.auth_password.as_bytes(),
                )),
            };
            let privacy = match input.priv_protocol.as_str() {
                "" | "none" => None,
                name => Some((
                    name.parse::<PrivProtocol>()
                        .map_err(|_| format!("Unknown privacy protocol {name:?}."))?,
                    input.priv_password.as_bytes(),
                )),
            };
            UsmCredentials::from_passwords(&input.user, auth, privacy)
                .map(SnmpCredentials::V3)
                .map_err(refused)
        }
        other => Err(format!("Unknown SNMP version {other:?}.")),
    }
}

/// A 404 page inside the layout.
fn not_found(state: &WebState, operator: &Operator, message: &str) -> Result<Response, PageError> {
    let page = state.templates.page(
        "error.html",
        context! { message, ..page(operator, "", "Not found") },
    )?;
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

/// What the layout needs: who is logged in, their CSRF token (the logout form), the
/// highlighted navigation entry and the title.
fn page(operator: &Operator, nav: &str, title: &str) -> minijinja::Value {
    context! { user => &operator.user, csrf => &operator.csrf, nav, title }
}

/// `application/x-www-form-urlencoded` encoding of a value (space as `%20`, which every
/// decoder accepts).
fn form_encode(text: &str) -> String {
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

/// Rows of the alarm table: the open ones fit on one screen; the API pages through more.
const ALARM_ROWS: u32 = 500;
/// Rows per page of the Events table.
const EVENT_ROWS: u32 = 100;
const MAX_DEVICE_NAME: usize = 100;
const DEFAULT_SNMP_PORT: u16 = 161;
const DEFAULT_POLL_INTERVAL_S: u64 = 60;
const MIN_POLL_INTERVAL_S: u64 = 5;
const MAX_POLL_INTERVAL_S: u64 = 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_filters_read_like_the_form() {
        let query = AlarmQuery {
            state: Some("acknowledged".into()),
            severity: Some("major".into()),
            device: Some(" r1 ".into()),
        };
        let filter = query.filter();
        assert_eq!(filter.state, StateFilter::Only(AlarmState::Acknowledged));
        assert_eq!(filter.min_severity, Some(Severity::Major));
        assert_eq!(filter.device.as_deref(), Some("r1"));
        assert_eq!(AlarmQuery::default().filter().state, StateFilter::Open);
        let any = AlarmQuery {
            state: Some("any".into()),
            severity: Some("bogus".into()),
            device: Some(String::new()),
        };
        assert_eq!(any.filter().state, StateFilter::Any);
        assert_eq!(any.filter().min_severity, None);
        assert_eq!(any.filter().device, None);
        assert_eq!(
            alarms_path(&query),
            "/alarms?state=acknowledged&severity=major&device=%20r1%20"
        );
    }

    #[test]
    fn the_device_form_is_validated() {
        let mut input = DeviceInput {
            name: "core-sw1".into(),
            address: "192.0.2.1".into(),
            community: "public".into(),
            ..DeviceInput::default()
        };
        let device = parse_device(&input).unwrap();
        assert_eq!(device.port, 161);
        assert_eq!(device.poll_interval, Duration::from_secs(60));
        input.port = "0".into();
        assert!(parse_device(&input).unwrap_err().contains("UDP port"));
        input.port = "1161".into();
        input.poll_interval_s = "1".into();
        assert!(parse_device(&input).unwrap_err().contains("poll interval"));
        input.poll_interval_s = String::new();
        input.address = "router".into();
        assert!(parse_device(&input).unwrap_err().contains("not an IPv4"));
        input.name = String::new();
        assert!(parse_device(&input).unwrap_err().contains("device name"));
    }

    #[test]
    fn credentials_come_from_the_form_and_are_never_shown_back() {
        let mut input = DeviceInput {
            version: "v3".into(),
            user: "ops".into(),
            auth_protocol: "SHA-256".into(),
            auth_password: "authpass-secret".into(),
            priv_protocol: "AES".into(),
            priv_password: "privpass-secret".into(),
            community: "c0mmunity-secret".into(),
            ..DeviceInput::default()
        };
        let SnmpCredentials::V3(usm) = parse_credentials(&input).unwrap() else {
            panic!("v3 credentials");
        };
        assert_eq!(usm.user_name(), "ops");
        let shown = serde_json::to_string(&input).unwrap();
        for secret in ["authpass-secret", "privpass-secret", "c0mmunity-secret"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        input.auth_protocol = "none".into();
        assert!(parse_credentials(&input).unwrap_err().contains("refused"));
        input.version = "v2c".into();
        assert!(parse_credentials(&input).is_ok());
        input.version = "v4".into();
        assert!(parse_credentials(&input).unwrap_err().contains("v4"));
    }
}
