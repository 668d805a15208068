//! `/api/v1/smtp`: the SMTP relay's settings (the password accepted, never shown), the trust
//! store (list, import PEM, remove), the capture of the chain a relay presents, and the
//! troubleshooting log of delivery attempts (`/api/v1/log/actions`).

use std::time::SystemTime;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use vigie_notify::{AttemptQuery, CapturedChain, CertificateInfo, Encryption, capture_with};

use crate::actions::{EncryptionMode, ResponseError, SMTP_CHANNEL, SmtpSettings, SmtpTlsSettings};
use crate::http::rules::{reload, service};
use crate::http::{ApiError, AppState, now};
use crate::time::Timestamp;

/// `GET /api/v1/smtp`: the settings in effect, without the password.
pub(super) async fn show(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    Ok(Json(settings_view(service.smtp().as_ref())))
}

/// `PUT /api/v1/smtp`: replaces the settings. A password left out (or empty) keeps the
/// stored one. Encryption left out is proposed from the port.
pub(super) async fn replace(
    State(state): State<AppState>,
    body: Result<Json<SmtpSettings>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let Json(settings) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    settings
        .validate()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    vigie_notify::Mailbox::new(settings.from.as_str())
        .map_err(|e| ApiError::BadRequest(format!("from: {e}")))?;
    let keep = settings.password.is_empty();
    state
        .store
        .save_smtp_settings(&settings, keep, now())
        .await?;
    reload(service).await?;
    Ok(Json(settings_view(service.smtp().as_ref())))
}

/// `GET /api/v1/smtp/tls`: the relay's TLS policy (versions, ciphers, the dangerous option,
/// system roots), with the suites a connection offers and the names left out.
pub(super) async fn tls_show(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let tls = service.smtp_tls().ok_or_else(no_relay)?;
    Ok(Json(tls_view(&tls)))
}

/// `PUT /api/v1/smtp/tls`: replaces the relay's TLS policy; an unknown cipher name, or a
/// list with no suite for the versions allowed, is refused with the reason.
pub(super) async fn tls_replace(
    State(state): State<AppState>,
    body: Result<Json<SmtpTlsSettings>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let Json(tls) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    match service.set_smtp_tls(tls).await {
        Ok(settings) => Ok(Json(tls_view(&settings.tls()))),
        Err(ResponseError::Store(error)) => Err(ApiError::Store(error)),
        Err(ResponseError::NoSmtp) => Err(no_relay()),
        Err(other) => Err(ApiError::BadRequest(other.to_string())),
    }
}

fn no_relay() -> ApiError {
    ApiError::NotFound("no SMTP relay is configured: PUT /api/v1/smtp first".to_owned())
}

fn tls_view(tls: &SmtpTlsSettings) -> Value {
    let list = tls
        .ciphers
        .as_deref()
        .and_then(|c| vigie_notify::CipherList::parse(c).ok());
    let offered: Vec<&str> = list.as_ref().map(|l| l.names()).unwrap_or_default();
    let ignored: Vec<Value> = list
        .as_ref()
        .map(|l| {
            l.ignored()
                .iter()
                .map(|i| json!({ "name": i.name, "reason": i.reason.explain() }))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "tls": tls,
        "host_name_verification": !tls.dangerous_accept_invalid_certs,
        "suites_offered": if tls.ciphers.is_some() { json!(offered) } else { json!("default") },
        "ignored_ciphers": ignored,
    })
}

/// `GET /api/v1/smtp/trust`: the trusted certificates.
pub(super) async fn trust_list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let items: Vec<Value> = service
        .trust_store()
        .list()
        .iter()
        .map(|c| {
            let mut view = certificate(&c.info);
            view["name"] = json!(c.name);
            view["used_by"] = json!([SMTP_CHANNEL]);
            view
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// The body of `POST /api/v1/smtp/trust`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportPem {
    /// One or several PEM certificates.
    pem: String,
    /// The first certificate's friendly name; default: its CN.
    #[serde(default)]
    name: Option<String>,
}

/// `POST /api/v1/smtp/trust`: imports PEM certificates.
pub(super) async fn trust_import(
    State(state): State<AppState>,
    body: Result<Json<ImportPem>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let service = service(&state)?;
    let Json(body) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let added = service
        .update_trust(|trust| trust.import_pem(body.pem.as_bytes(), body.name.as_deref()))
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let items: Vec<Value> = added
        .iter()
        .map(|c| {
            let mut view = certificate(&c.info);
            view["name"] = json!(c.name);
            view
        })
        .collect();
    Ok((StatusCode::CREATED, Json(json!({ "imported": items }))))
}

/// `DELETE /api/v1/smtp/trust/{id}`: removes a certificate by name or fingerprint.
pub(super) async fn trust_remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let service = service(&state)?;
    service
        .update_trust(|trust| trust.remove(&name))
        .map_err(|e| ApiError::NotFound(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `POST /api/v1/smtp/certs`; everything defaults to the configured relay.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Capture {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    encryption: Option<EncryptionMode>,
    /// SHA-256 fingerprints (as shown) of the captured certificates to import.
    #[serde(default)]
    import: Vec<String>,
}

/// `POST /api/v1/smtp/certs`: connects to the relay, captures the chain it presents even
/// when it does not validate, shows it, and imports the certificates chosen by fingerprint.
pub(super) async fn capture(
    State(state): State<AppState>,
    body: Result<Json<Capture>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let Json(body) = body.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let configured = service.smtp();
    let mut settings = match (&configured, body.host) {
        (_, Some(host)) => SmtpSettings::new(host, body.port.unwrap_or(587), "capture@localhost"),
        (Some(settings), None) => settings.clone(),
        (None, None) => {
            return Err(ApiError::BadRequest(
                "give host and port, or configure the SMTP relay first".to_owned(),
            ));
        }
    };
    if let Some(port) = body.port {
        settings.port = port;
    }
    if body.encryption.is_some() {
        settings.encryption = body.encryption;
    }
    if settings.effective_encryption() == EncryptionMode::None {
        settings.encryption = Some(EncryptionMode::Starttls);
    }
    settings.username = None;
    let anchors = service.trust_store().anchors(settings.system_roots);
    let mut config = settings
        .to_config(&anchors)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if config.encryption == Encryption::None {
        config.encryption = Encryption::StartTls;
    }
    let chain = match capture_with(&config).await {
        Ok(chain) => chain,
        Err(failure) => {
            return Ok(Json(json!({
                "captured": false,
                "failure": {
                    "kind": failure.kind(),
                    "message": failure.to_string(),
                    "fix": failure.fix(),
                },
            })));
        }
    };
    let mut imported = Vec::new();
    for wanted in &body.import {
        let wanted = normalise(wanted);
        let Some(cert) = chain
            .certificates
            .iter()
            .find(|c| normalise(&c.info.sha256) == wanted)
        else {
            return Err(ApiError::BadRequest(format!(
                "no captured certificate has the fingerprint {wanted}"
            )));
        };
        let added = service
            .update_trust(|trust| trust.import_pem(cert.pem().as_bytes(), None))
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        imported.extend(added.into_iter().map(|c| c.name));
    }
    Ok(Json(chain_view(&chain, &imported)))
}

/// The query of `GET /api/v1/log/actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogQuery {
    #[serde(default = "default_limit")]
    limit: u32,
    #[serde(default)]
    offset: u32,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    failures_only: bool,
}

/// `GET /api/v1/log/actions`: delivery attempts, newest first, paged by `limit` and
/// `offset`.
pub(super) async fn log(
    State(state): State<AppState>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let service = service(&state)?;
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let limit = query.limit.clamp(1, MAX_PAGE);
    let wanted = AttemptQuery {
        limit: limit.saturating_add(query.offset).min(MAX_SCAN),
        action: query.action,
        channel: query.channel,
        failures_only: query.failures_only,
        ..AttemptQuery::default()
    };
    let records = service.outbox().attempts(&wanted).await.map_err(|error| {
        tracing::error!(error = %error, "the troubleshooting log cannot be read");
        ApiError::BadRequest("the troubleshooting log cannot be read".to_owned())
    })?;
    let skip = usize::try_from(query.offset).unwrap_or(usize::MAX);
    let page: Vec<_> = records
        .into_iter()
        .skip(skip)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let next = (page.len() == usize::try_from(limit).unwrap_or(usize::MAX))
        .then(|| query.offset.saturating_add(limit));
    Ok(Json(json!({ "items": page, "next_offset": next })))
}

fn default_limit() -> u32 {
    50
}

fn settings_view(settings: Option<&SmtpSettings>) -> Value {
    let Some(settings) = settings else {
        return json!({ "configured": false });
    };
    json!({
        "configured": true,
        "settings": settings,
        "password_set": !settings.password.is_empty(),
        "encryption_in_effect": settings.effective_encryption(),
        "encryption_proposed_for_port": EncryptionMode::for_port(settings.port),
    })
}

fn certificate(info: &CertificateInfo) -> Value {
    let now = SystemTime::now();
    json!({
        "subject": info.subject,
        "issuer": info.issuer,
        "common_name": info.common_name,
        "sha256": info.sha256,
        "not_before": Timestamp::from_system_time(info.not_before).to_string(),
        "not_after": Timestamp::from_system_time(info.not_after).to_string(),
        "expired": info.is_expired_at(now),
        "is_ca": info.is_ca,
        "self_issued": info.self_issued,
    })
}

fn chain_view(chain: &CapturedChain, imported: &[String]) -> Value {
    let certificates: Vec<Value> = chain
        .certificates
        .iter()
        .map(|c| {
            let mut view = certificate(&c.info);
            view["file_name"] = json!(c.file_name());
            view["pem"] = json!(c.pem());
            view
        })
        .collect();
    json!({
        "captured": true,
        "certificates": certificates,
        "validates": chain.validation.is_ok(),
        "problem": chain.validation.as_ref().err().map(ToString::to_string),
        "tls": chain.tls.as_ref().map(|t| json!({ "version": t.version, "cipher_suite": t.cipher_suite })),
        "imported": imported,
    })
}

fn normalise(fingerprint: &str) -> String {
    fingerprint.replace(':', "").to_ascii_uppercase()
}

const MAX_PAGE: u32 = 1_000;
const MAX_SCAN: u32 = 100_000;
