//! Central Management → Edit configuration → General → TLS policy: the SMTP relay's cipher
//! suites (IANA or OpenSSL names, validated), the system roots, AUTH without encryption, and
//! the dangerous option that accepts any certificate, named as such.
//!
//! Apply stores the settings (the SMTP password is kept), reloads the e-mail channel and
//! shows the status table, refreshed every 5 seconds, so the relay is seen returning to UP.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use vigie_notify::CipherList;

use crate::actions::{ResponseService, SmtpSettings};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::pages::status_context;
use crate::web::render::PageError;
use crate::web::response::service;

/// The TLS policy form.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct TlsForm {
    #[serde(skip_serializing)]
    csrf: Option<String>,
    #[serde(default)]
    ciphers: String,
    #[serde(default)]
    system_roots: Option<String>,
    #[serde(default)]
    allow_plaintext_auth: Option<String>,
    #[serde(default)]
    dangerous_accept_invalid_certs: Option<String>,
}

impl TlsForm {
    fn of(settings: &SmtpSettings) -> Self {
        let on = |flag: bool| flag.then(|| "on".to_owned());
        Self {
            csrf: None,
            ciphers: settings.ciphers.clone().unwrap_or_default(),
            system_roots: on(settings.system_roots),
            allow_plaintext_auth: on(settings.allow_plaintext_auth),
            dangerous_accept_invalid_certs: on(settings.dangerous_accept_invalid_certs),
        }
    }

    /// `settings` with the form's policy, or what is wrong with it.
    fn apply(&self, mut settings: SmtpSettings) -> Result<SmtpSettings, String> {
        let checked = |field: &Option<String>| field.as_deref().is_some_and(|v| !v.is_empty());
        let ciphers = self.ciphers.trim();
        settings.ciphers = (!ciphers.is_empty()).then(|| ciphers.to_owned());
        settings.system_roots = checked(&self.system_roots);
        settings.allow_plaintext_auth = checked(&self.allow_plaintext_auth);
        settings.dangerous_accept_invalid_certs = checked(&self.dangerous_accept_invalid_certs);
        settings.validate().map_err(|error| format!("{error}."))?;
        Ok(settings)
    }
}

/// What a cipher list offers: the suites in order, and the names left out with the reason.
#[derive(Debug, Serialize)]
struct Offered {
    suites: Vec<&'static str>,
    ignored: Vec<(String, &'static str)>,
}

fn offered(ciphers: &str) -> Option<Offered> {
    let list = CipherList::parse(ciphers).ok()?;
    Some(Offered {
        suites: list.names(),
        ignored: list
            .ignored()
            .iter()
            .map(|ignored| (ignored.name.clone(), ignored.reason.explain()))
            .collect(),
    })
}

/// The query after Apply.
#[derive(Debug, Deserialize)]
pub(super) struct AppliedQuery {
    saved: Option<String>,
}

/// `GET /settings/tls`.
pub(super) async fn page(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<AppliedQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let form = service
        .smtp()
        .as_ref()
        .map(TlsForm::of)
        .unwrap_or_else(|| TlsForm {
            system_roots: Some("on".to_owned()),
            ..TlsForm::default()
        });
    render(
        &state,
        &operator,
        &service,
        &form,
        query.saved.is_some(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &WebState,
    operator: &Operator,
    service: &ResponseService,
    form: &TlsForm,
    saved: bool,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let table = status_context(state).await?;
    let offered = offered(if form.ciphers.trim().is_empty() {
        DEFAULT_SUITES
    } else {
        &form.ciphers
    });
    let page = state.templates.page(
        "settings_tls.html",
        context! {
            form, saved, error, offered,
            configured => service.smtp().is_some(),
            dangerous => form.dangerous_accept_invalid_certs.is_some(),
            user => &operator.user, csrf => &operator.csrf, nav => "tls",
            title => "TLS policy",
            ..table
        },
    )?;
    Ok((status, page).into_response())
}

/// `POST /settings/tls`: Apply.
pub(super) async fn apply(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<TlsForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let Some(current) = service.smtp() else {
        let error = "Configure the SMTP relay first: the policy applies to its connections.";
        return render(
            &state,
            &operator,
            &service,
            &form,
            false,
            Some(error.to_owned()),
            StatusCode::CONFLICT,
        )
        .await;
    };
    let settings = match form.apply(current) {
        Ok(settings) => settings,
        Err(error) => {
            return render(
                &state,
                &operator,
                &service,
                &form,
                false,
                Some(error),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    // The password is not part of this form: the stored one stays.
    state
        .app
        .store
        .save_smtp_settings(&settings, true, now())
        .await?;
    if let Err(error) = service.reload().await {
        let error = format!("Saved, but the policy could not be applied: {error}");
        return render(
            &state,
            &operator,
            &service,
            &form,
            false,
            Some(error),
            StatusCode::OK,
        )
        .await;
    }
    tracing::info!(
        user = %operator.user,
        dangerous = settings.dangerous_accept_invalid_certs,
        "TLS policy changed from the web UI"
    );
    Ok(Redirect::to("/settings/tls?saved=1").into_response())
}

/// What an empty cipher list offers: every ECDHE + AEAD suite and TLS 1.3's, as the provider
/// orders them.
const DEFAULT_SUITES: &str = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:\
TLS_CHACHA20_POLY1305_SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:\
TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:\
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:\
TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_validated_and_names_what_is_left_out() {
        let base = SmtpSettings::new("relay.example.net", 587, "vigie@example.net");
        let form = TlsForm {
            ciphers: "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384".into(),
            system_roots: Some("on".into()),
            ..TlsForm::default()
        };
        let settings = form.apply(base.clone()).unwrap();
        assert!(settings.system_roots && !settings.dangerous_accept_invalid_certs);
        let list = offered(settings.ciphers.as_deref().unwrap()).unwrap();
        assert_eq!(list.suites, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        assert_eq!(list.ignored.len(), 1);
        assert!(list.ignored[0].1.contains("DHE"));
        let bad = TlsForm {
            ciphers: "NOT-A-CIPHER".into(),
            ..TlsForm::default()
        };
        assert!(bad.apply(base).unwrap_err().contains("NOT-A-CIPHER"));
        assert_eq!(offered(DEFAULT_SUITES).unwrap().suites.len(), 9);
        let back = TlsForm::of(&settings);
        assert_eq!(back.ciphers, form.ciphers);
    }
}
