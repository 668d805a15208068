//! One device: its facts, Poll now, its interfaces with live values, and new SNMP
//! credentials (written, never shown).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::poller::{InterfaceLive, PollError};
use crate::store::{Device, DeviceId, DeviceUpdate};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::pages::{DeviceInput, parse_credentials};
use crate::web::render::PageError;

/// One interface's line: what discovery stored, and what the last poll read.
#[derive(Debug, Default, Serialize)]
struct InterfaceRow {
    index: u32,
    name: String,
    alias: String,
    speed: String,
    admin_up: Option<bool>,
    oper_up: Option<bool>,
    rx: String,
    tx: String,
    errors: String,
    /// The recent in/out rates, once two polls were seen.
    chart: Option<super::traffic::Chart>,
}

/// The interfaces of `device`, joined with the poller's live values.
async fn interface_rows(
    state: &WebState,
    device: DeviceId,
) -> Result<(Vec<InterfaceRow>, Option<i64>), PageError> {
    let stored = state.app.store.interfaces(device).await?;
    let live = state.app.poller.interfaces(device);
    let polled_at = live.as_ref().map(|live| live.polled_at.millis());
    let empty = InterfaceLive::default();
    let rows = stored
        .into_iter()
        .map(|interface| {
            let values = live
                .as_ref()
                .and_then(|live| live.interfaces.get(&interface.if_index))
                .unwrap_or(&empty);
            let status = |name: &str, stored: Option<i32>| {
                values
                    .values
                    .get(name)
                    .and_then(serde_json::Value::as_i64)
                    .or_else(|| stored.map(i64::from))
                    .map(|status| status == 1)
            };
            let octets = |high: &str, low: &str| {
                values
                    .rates
                    .get(high)
                    .or_else(|| values.rates.get(low))
                    .copied()
            };
            let rate = |high: &str, low: &str| {
                octets(high, low).map_or_else(String::new, |octets| bits(octets * 8.0))
            };
            let rx_octets = octets("ifHCInOctets", "ifInOctets");
            let tx_octets = octets("ifHCOutOctets", "ifOutOctets");
            let chart = match (polled_at, rx_octets, tx_octets) {
                (Some(at), rx, tx) if rx.is_some() || tx.is_some() => state.traffic.record(
                    device.0,
                    interface.if_index,
                    at,
                    rx.unwrap_or(0.0) * 8.0,
                    tx.unwrap_or(0.0) * 8.0,
                ),
                _ => None,
            };
            let errors = ["ifInErrors", "ifOutErrors"]
                .iter()
                .filter_map(|name| values.rates.get(*name))
                .sum::<f64>();
            InterfaceRow {
                index: interface.if_index,
                name: interface
                    .if_name
                    .clone()
                    .or_else(|| interface.if_descr.clone())
                    .unwrap_or_default(),
                alias: interface.if_alias.clone().unwrap_or_default(),
                speed: interface.speed_bps.map_or_else(String::new, |speed| {
                    // Speeds are whole bits per second, far below f64's 2^53.
                    #[expect(clippy::cast_precision_loss, reason = "display only")]
                    bits(speed as f64)
                }),
                admin_up: status("ifAdminStatus", interface.admin_status),
                oper_up: status("ifOperStatus", interface.oper_status),
                rx: rate("ifHCInOctets", "ifInOctets"),
                tx: rate("ifHCOutOctets", "ifOutOctets"),
                chart,
                errors: if errors > 0.0 {
                    format!("{errors:.1}/s")
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Ok((rows, polled_at))
}

/// A rate or speed in bits per second, as `12.3 Mb/s`.
fn bits(per_second: f64) -> String {
    const UNITS: [&str; 5] = ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"];
    let mut value = per_second;
    let mut unit = 0;
    while value >= 1_000.0 && unit < UNITS.len() - 1 {
        value /= 1_000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The query of the device page after Poll now or a credentials change.
#[derive(Debug, Deserialize)]
pub(super) struct DeviceQuery {
    done: Option<String>,
}

/// `GET /devices/{id}`.
pub(super) async fn device(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Query(query): Query<DeviceQuery>,
) -> Result<Response, PageError> {
    let Some(device) = state.app.store.device(DeviceId(id)).await? else {
        return not_found(&state, &operator, id);
    };
    page(&state, &operator, &device, query.done, None, StatusCode::OK).await
}

async fn page(
    state: &WebState,
    operator: &Operator,
    device: &Device,
    done: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (interfaces, polled_at) = interface_rows(state, device.id).await?;
    let page = state.templates.page(
        "device.html",
        context! {
            device, interfaces, polled_at, done, error,
            now => now().millis(),
            user => &operator.user, csrf => &operator.csrf, nav => "devices",
            title => &device.name,
        },
    )?;
    Ok((status, page).into_response())
}

/// `GET /devices/{id}/interfaces`: the interface table alone, which the page refreshes.
pub(super) async fn interfaces(
    State(state): State<WebState>,
    _operator: Operator,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let (interfaces, polled_at) = interface_rows(&state, DeviceId(id)).await?;
    state.templates.page(
        "interface_table.html",
        context! { interfaces, polled_at, now => now().millis() },
    )
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    csrf: Option<String>,
}

/// `POST /devices/{id}/poll`: polls now and says what happened.
pub(super) async fn poll(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let done = match state.app.poller.poll_now(DeviceId(id)).await {
        Ok(outcome) if outcome.reachable => format!(
            "Polled in {} ms: {} values read.",
            outcome.duration_ms, outcome.values
        ),
        Ok(outcome) => format!(
            "The device did not answer: {}",
            outcome.error.unwrap_or_else(|| "no response".to_owned())
        ),
        Err(PollError::UnknownDevice(_)) => return not_found(&state, &operator, id),
        Err(error) => return Err(PageError::Poll(error.to_string())),
    };
    Ok(Redirect::to(&format!("/devices/{id}?done={}", encode(&done))).into_response())
}

/// The credentials form.
#[derive(Debug, Deserialize)]
pub(super) struct CredentialsForm {
    csrf: Option<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    auth_protocol: String,
    #[serde(default)]
    auth_password: String,
    #[serde(default)]
    priv_protocol: String,
    #[serde(default)]
    priv_password: String,
}

/// `POST /devices/{id}/credentials`: replaces the SNMP credentials.
pub(super) async fn credentials(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Form(form): Form<CredentialsForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let Some(device) = state.app.store.device(DeviceId(id)).await? else {
        return not_found(&state, &operator, id);
    };
    let input = DeviceInput {
        version: form.version,
        community: form.community,
        user: form.user.trim().to_owned(),
        auth_protocol: form.auth_protocol,
        auth_password: form.auth_password,
        priv_protocol: form.priv_protocol,
        priv_password: form.priv_password,
        ..DeviceInput::default()
    };
    // SNMPv3 passwords become keys through a megabyte of hashing each (RFC 3414 A.2).
    let parsed = tokio::task::spawn_blocking(move || parse_credentials(&input))
        .await
        .map_err(|_| PageError::Task)?;
    let credentials = match parsed {
        Ok(credentials) => credentials,
        Err(error) => {
            return page(
                &state,
                &operator,
                &device,
                None,
                Some(error),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let update = DeviceUpdate {
        credentials: Some(credentials),
        ..DeviceUpdate::default()
    };
    state.app.store.update_device(device.id, &update).await?;
    if let Err(error) = state.app.poller.reload().await {
        tracing::warn!(%error, "poller reload after new credentials");
    }
    tracing::info!(user = %operator.user, device = %device.name, "SNMP credentials changed from the web UI");
    let done = "New SNMP credentials saved.";
    Ok(Redirect::to(&format!("/devices/{id}?done={}", encode(done))).into_response())
}

fn not_found(state: &WebState, operator: &Operator, id: i64) -> Result<Response, PageError> {
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Not found", message => format!("There is no device {id}."),
            user => &operator.user, csrf => &operator.csrf, nav => "devices",
        },
    )?;
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

fn encode(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_in_bits_per_second() {
        assert_eq!(bits(0.0), "0 b/s");
        assert_eq!(bits(999.0), "999 b/s");
        assert_eq!(bits(12_345.0), "12.3 kb/s");
        assert_eq!(bits(1e9), "1.0 Gb/s");
        assert_eq!(bits(5e15), "5000.0 Tb/s");
    }
}
