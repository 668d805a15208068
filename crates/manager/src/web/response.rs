//! Response Management's pages (Rules and Actions tabs, Add New Action → Email with a
//! preview, Test Action with its banner, the troubleshooting log) and Central Management's
//! configuration pages (SMTP configuration, Trust Store), over [`ResponseService`].
//!
//! Secrets are accepted by the forms and never written back into a page: the SMTP password
//! field is always empty ("leave empty to keep").

use std::sync::Arc;
use std::time::SystemTime;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use vigie_notify::{AttemptQuery, Mailbox, Secret, capture_with};

use crate::actions::render::{DEFAULT_BODY, DEFAULT_SUBJECT};
use crate::actions::{
    ActionKind, ActionSpec, EmailAction, EncryptionMode, RenderContext, ResponseService,
    SmtpSettings, render,
};
use crate::alarm::{Alarm, AlarmId, AlarmKey, AlarmState, Severity, Source};
use crate::rules::{Batch, BatchReason, Change, GroupedAlert, NamedVarBind, NotificationFacts};
use crate::time::Timestamp;
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::render::PageError;

/// The service, or the page saying response management is not running here.
pub(super) fn service(
    state: &WebState,
    operator: &Operator,
) -> Result<Arc<ResponseService>, Box<Response>> {
    if let Some(service) = &state.app.response {
        return Ok(Arc::clone(service));
    }
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Response Management",
            message => "Response management is not running in this vigie: start it with \
                        `vigie serve` and a [response] section, or check its log.",
            user => &operator.user, csrf => &operator.csrf, nav => "actions",
        },
    );
    Err(Box::new(match page {
        Ok(page) => (StatusCode::SERVICE_UNAVAILABLE, page).into_response(),
        Err(error) => error.into_response(),
    }))
}

/// One row of the Actions tab.
#[derive(Debug, Serialize)]
struct ActionRow {
    name: String,
    kind: &'static str,
    target: String,
    source: &'static str,
}

fn action_row(service: &ResponseService, action: &ActionSpec) -> ActionRow {
    let target = match &action.kind {
        ActionKind::Email(email) => email.to.join(", "),
        ActionKind::Webhook(hook) => hook.url.clone(),
        ActionKind::Syslog(syslog) => match syslog.port {
            Some(port) => format!("{}:{port}", syslog.host),
            None => syslog.host.clone(),
        },
        ActionKind::TrapForward(forward) => forward.target.clone(),
    };
    ActionRow {
        name: action.name.clone(),
        kind: action.kind.name(),
        target,
        source: if service.is_file_action(&action.name) {
            "file"
        } else {
            "web / API"
        },
    }
}

/// The query of the Actions tab.
#[derive(Debug, Deserialize)]
pub(super) struct ActionsQuery {
    added: Option<String>,
    saved: Option<String>,
}

/// `GET /response`: the Actions tab.
pub(super) async fn home(_operator: Operator) -> Redirect {
    Redirect::to("/response/actions")
}

/// `GET /response/actions`.
pub(super) async fn actions(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<ActionsQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let done = query
        .added
        .map(|name| format!("Action {name} added."))
        .or_else(|| query.saved.map(|name| format!("Action {name} saved.")));
    actions_page(&state, &operator, &service, done, None).map(IntoResponse::into_response)
}

fn actions_page(
    state: &WebState,
    operator: &Operator,
    service: &ResponseService,
    done: Option<String>,
    outcome: Option<crate::actions::TestOutcome>,
) -> Result<Html<String>, PageError> {
    let rows: Vec<ActionRow> = service
        .actions()
        .iter()
        .map(|action| action_row(service, action))
        .collect();
    state.templates.page(
        "response_actions.html",
        context! {
            rows, done, outcome,
            smtp_configured => service.smtp().is_some(),
            tab => "actions",
            user => &operator.user, csrf => &operator.csrf, nav => "response",
            title => "Response Management",
        },
    )
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    csrf: Option<String>,
}

/// `POST /response/actions/{name}/test`: Test Action, answered with the Actions tab and a
/// success or failure banner.
pub(super) async fn test_action(
    State(state): State<WebState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let Some(action) = service.action(&name) else {
        let page = state.templates.page(
            "error.html",
            context! {
                title => "Test Action", message => format!("There is no action named {name}."),
                user => &operator.user, csrf => &operator.csrf, nav => "response",
            },
        )?;
        return Ok((StatusCode::NOT_FOUND, page).into_response());
    };
    let outcome = service.test_action(&action).await;
    tracing::info!(action = %name, ok = outcome.ok, user = %operator.user, "Test Action from the web UI");
    actions_page(&state, &operator, &service, None, Some(outcome)).map(IntoResponse::into_response)
}

/// The Add New Action → Email form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(super) struct EmailForm {
    #[serde(skip_serializing)]
    pub(super) csrf: Option<String>,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) to: String,
    #[serde(default)]
    pub(super) cc: String,
    #[serde(default)]
    pub(super) subject: String,
    #[serde(default)]
    pub(super) body: String,
    /// `preview` or `save`.
    #[serde(default, skip_serializing)]
    pub(super) intent: String,
    /// The stored action being edited (its id), or `None` for Add New Action; never read
    /// from the request.
    #[serde(skip_deserializing)]
    pub(super) editing: Option<i64>,
}

impl EmailForm {
    /// The form showing a stored e-mail action.
    pub(super) fn of(id: i64, name: &str, email: &EmailAction) -> Self {
        Self {
            csrf: None,
            name: name.to_owned(),
            to: email.to.join(", "),
            cc: email.cc.join(", "),
            subject: email.subject.clone().unwrap_or_default(),
            body: email.body.clone().unwrap_or_default(),
            intent: String::new(),
            editing: Some(id),
        }
    }
}

/// `GET /response/actions/new`: Add New Action → Email, with the default templates.
pub(super) async fn new_email(
    State(state): State<WebState>,
    operator: Operator,
) -> Result<Response, PageError> {
    let form = EmailForm {
        subject: DEFAULT_SUBJECT.to_owned(),
        body: DEFAULT_BODY.to_owned(),
        ..EmailForm::default()
    };
    email_page(&state, &operator, &form, None, None, StatusCode::OK)
}

/// A rendered preview: subject and body from the sample alarm.
#[derive(Debug, Serialize)]
pub(super) struct Preview {
    subject: String,
    body: String,
}

pub(super) fn email_page(
    state: &WebState,
    operator: &Operator,
    form: &EmailForm,
    preview: Option<Preview>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let page = state.templates.page(
        "response_email.html",
        context! {
            form, preview, error,
            post_to => form.editing.map_or_else(
                || "/response/actions/new".to_owned(),
                |_| format!("/response/actions/{}/edit", encode(&form.name)),
            ),
            heading => if form.editing.is_some() {
                format!("Edit action {} (Email)", form.name)
            } else {
                "Add New Action → Email".to_owned()
            },
            tab => "actions",
            user => &operator.user, csrf => &operator.csrf, nav => "response",
            title => if form.editing.is_some() { "Edit Action" } else { "Add New Action" },
        },
    )?;
    Ok((status, page).into_response())
}

/// `POST /response/actions/new`: previews (`intent=preview`) or saves the e-mail action.
pub(super) async fn create_email(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    save_email(state, operator, form).await
}

/// Previews or saves the e-mail form: a new action, or the stored action it edits.
pub(super) async fn save_email(
    state: WebState,
    operator: Operator,
    form: EmailForm,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let spec = match email_spec(&form) {
        Ok(spec) => spec,
        Err(error) => {
            return email_page(
                &state,
                &operator,
                &form,
                None,
                Some(error),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    if form.intent == "preview" {
        return match preview(&spec, service.smtp().as_ref()) {
            Ok(preview) => email_page(
                &state,
                &operator,
                &form,
                Some(preview),
                None,
                StatusCode::OK,
            ),
            Err(error) => email_page(&state, &operator, &form, None, Some(error), StatusCode::OK),
        };
    }
    if let Err(error) = preview(&spec, service.smtp().as_ref()) {
        return email_page(
            &state,
            &operator,
            &form,
            None,
            Some(error),
            StatusCode::BAD_REQUEST,
        );
    }
    if let Some(id) = form.editing {
        if !state.app.store.update_action(id, &spec, now()).await? {
            let error = format!("The action {} no longer exists.", spec.name);
            return email_page(
                &state,
                &operator,
                &form,
                None,
                Some(error),
                StatusCode::NOT_FOUND,
            );
        }
        if let Err(error) = service.reload().await {
            tracing::error!(%error, "response management reload after an action change");
        }
        tracing::info!(action = %spec.name, user = %operator.user, "action changed from the web UI");
        return Ok(
            Redirect::to(&format!("/response/actions?saved={}", encode(&spec.name)))
                .into_response(),
        );
    }
    if service.action(&spec.name).is_some() {
        let error = format!("An action named {} exists already.", spec.name);
        return email_page(
            &state,
            &operator,
            &form,
            None,
            Some(error),
            StatusCode::CONFLICT,
        );
    }
    state.app.store.insert_action(&spec, now()).await?;
    if let Err(error) = service.reload().await {
        tracing::error!(%error, "response management reload after a new action");
    }
    Ok(Redirect::to(&format!("/response/actions?added={}", encode(&spec.name))).into_response())
}

/// The action the form describes, or what is wrong with it.
fn email_spec(form: &EmailForm) -> Result<ActionSpec, String> {
    let name = form.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err("The action needs a name of 1 to 100 characters.".to_owned());
    }
    let list = |text: &str| -> Result<Vec<String>, String> {
        text.split([',', ';', '\n'])
            .map(str::trim)
            .filter(|address| !address.is_empty())
            .map(|address| {
                Mailbox::new(address)
                    .map(|_| address.to_owned())
                    .map_err(|error| format!("{address}: {error}"))
            })
            .collect()
    };
    let to = list(&form.to)?;
    if to.is_empty() {
        return Err("An e-mail action needs at least one recipient (To).".to_owned());
    }
    let template = |text: &str| (!text.trim().is_empty()).then(|| text.replace("\r\n", "\n"));
    Ok(ActionSpec {
        name: name.to_owned(),
        kind: ActionKind::Email(EmailAction {
            to,
            cc: list(&form.cc)?,
            subject: template(&form.subject),
            body: template(&form.body),
        }),
    })
}

/// The message `spec` would send for a sample linkDown alarm.
fn preview(spec: &ActionSpec, smtp: Option<&SmtpSettings>) -> Result<Preview, String> {
    let ActionKind::Email(email) = &spec.kind else {
        return Err("Only e-mail actions have a preview.".to_owned());
    };
    let context = RenderContext::of(&sample(), None)
        .ok_or_else(|| "The sample alarm cannot be rendered.".to_owned())?;
    // With a relay configured, the whole message as the outbox would store it.
    if smtp.is_some() {
        render(spec, &context, smtp)
            .map_err(|error| format!("The template does not render: {error}"))?;
    }
    let subject = context
        .render_line(email.subject.as_deref().unwrap_or(DEFAULT_SUBJECT))
        .map_err(|error| format!("The subject does not render: {error}"))?;
    let body = context
        .render(email.body.as_deref().unwrap_or(DEFAULT_BODY))
        .map_err(|error| format!("The body does not render: {error}"))?;
    Ok(Preview { subject, body })
}

/// A linkDown on `sample-switch`, interface 3: the preview's alarm.
fn sample() -> Batch<Arc<NotificationFacts>> {
    let at = Timestamp::from_system_time(SystemTime::now());
    let varbind = |oid: &str, name: &str, value: &str| NamedVarBind {
        oid: oid.to_owned(),
        name: name.to_owned(),
        type_name: "INTEGER".to_owned(),
        value: value.to_owned(),
    };
    let facts = NotificationFacts {
        oid: "1.3.6.1.6.3.1.1.5.3".to_owned(),
        name: "IF-MIB::linkDown".to_owned(),
        source: "192.0.2.1:161".to_owned(),
        varbinds: vec![
            varbind("1.3.6.1.2.1.2.2.1.1.3", "IF-MIB::ifIndex.3", "3"),
            varbind("1.3.6.1.2.1.2.2.1.7.3", "IF-MIB::ifAdminStatus.3", "up(1)"),
            varbind("1.3.6.1.2.1.2.2.1.8.3", "IF-MIB::ifOperStatus.3", "down(2)"),
        ],
    };
    let alarm = Alarm {
        id: AlarmId(42),
        key: AlarmKey::new("linkDown/sample-switch/3"),
        device: "sample-switch".to_owned(),
        source: Source::Trap,
        severity: Severity::Major,
        state: AlarmState::Active,
        count: 1,
        first_seen: at,
        last_seen: at,
        text: "linkDown ifIndex=3".to_owned(),
        acknowledged_by: None,
        acknowledged_at: None,
        cleared_by: None,
        cleared_at: None,
    };
    Batch {
        rule: "preview".to_owned(),
        group: "sample-switch/linkDown".to_owned(),
        reason: BatchReason::New,
        alerts: vec![GroupedAlert {
            alarm,
            change: Change::Raised,
            firing: true,
            transitions: 1,
            payload: Arc::new(facts),
        }],
    }
}

/// The query of the troubleshooting log.
#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    action: Option<String>,
    failures: Option<String>,
}

/// `GET /response/log`: the troubleshooting log, one line per delivery attempt.
pub(super) async fn log(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<LogQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let action = query.action.filter(|action| !action.is_empty());
    let failures_only = query.failures.is_some_and(|value| !value.is_empty());
    let wanted = AttemptQuery {
        limit: LOG_ROWS,
        action: action.clone(),
        failures_only,
        ..AttemptQuery::default()
    };
    let (records, error) = match service.outbox().attempts(&wanted).await {
        Ok(records) => (records, None),
        Err(error) => {
            tracing::error!(%error, "the troubleshooting log cannot be read");
            (
                Vec::new(),
                Some("The troubleshooting log cannot be read; see vigie's log."),
            )
        }
    };
    let page = state.templates.page(
        "response_log.html",
        context! {
            records, error, action, failures_only,
            tab => "log",
            user => &operator.user, csrf => &operator.csrf, nav => "log",
            title => "Troubleshooting log",
        },
    )?;
    Ok(page.into_response())
}

/// The SMTP configuration form. The password is write-only.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(super) struct SmtpForm {
    #[serde(skip_serializing)]
    csrf: Option<String>,
    #[serde(default)]
    server: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    encryption: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    username: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    max_per_second: String,
    #[serde(default)]
    max_per_day: String,
}

impl SmtpForm {
    fn of(settings: &SmtpSettings) -> Self {
        Self {
            csrf: None,
            server: settings.server.clone(),
            port: settings.port.to_string(),
            encryption: settings
                .encryption
                .map(encryption_name)
                .unwrap_or_default()
                .to_owned(),
            from: settings.from.clone(),
            from_name: settings.from_name.clone().unwrap_or_default(),
            username: settings.username.clone().unwrap_or_default(),
            password: String::new(),
            max_per_second: settings
                .max_per_second
                .map(|n| n.to_string())
                .unwrap_or_default(),
            max_per_day: settings
                .max_per_day
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }
}

fn encryption_name(mode: EncryptionMode) -> &'static str {
    match mode {
        EncryptionMode::None => "none",
        EncryptionMode::Starttls => "starttls",
        EncryptionMode::ImplicitTls => "implicit_tls",
    }
}

/// The query of the SMTP page after saving.
#[derive(Debug, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

/// `GET /settings/smtp`: Edit configuration → General → SMTP configuration.
pub(super) async fn smtp(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let current = service.smtp();
    let form = current
        .as_ref()
        .map(SmtpForm::of)
        .unwrap_or_else(|| SmtpForm {
            port: "587".to_owned(),
            from_name: "vigie".to_owned(),
            ..SmtpForm::default()
        });
    smtp_page(
        &state,
        &operator,
        &service,
        &form,
        query.saved.is_some(),
        None,
        StatusCode::OK,
    )
}

fn smtp_page(
    state: &WebState,
    operator: &Operator,
    service: &ResponseService,
    form: &SmtpForm,
    saved: bool,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let current = service.smtp();
    let in_effect = current
        .as_ref()
        .map(|settings| encryption_name(settings.effective_encryption()));
    let password_set = current
        .as_ref()
        .is_some_and(|settings| !settings.password.is_empty());
    let health = state.app.status.snapshot();
    let relay = health
        .iter()
        .find(|(name, _)| name.contains("smtp"))
        .map(|(name, status)| {
            context! { name, up => status.status == crate::status::Health::Up, reason => &status.reason }
        });
    let page = state.templates.page(
        "settings_smtp.html",
        context! {
            form, saved, error, in_effect, password_set, relay,
            configured => current.is_some(),
            user => &operator.user, csrf => &operator.csrf, nav => "smtp",
            title => "SMTP configuration",
        },
    )?;
    Ok((status, page).into_response())
}

/// `POST /settings/smtp`: applies the settings; an empty password keeps the stored one.
pub(super) async fn save_smtp(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<SmtpForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let settings = match smtp_settings(&form) {
        Ok(settings) => settings,
        Err(error) => {
            return smtp_page(
                &state,
                &operator,
                &service,
                &form,
                false,
                Some(error),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let keep = settings.password.is_empty();
    state
        .app
        .store
        .save_smtp_settings(&settings, keep, now())
        .await?;
    if let Err(error) = service.reload().await {
        let error = format!("Saved, but the new settings could not be applied: {error}");
        return smtp_page(
            &state,
            &operator,
            &service,
            &form,
            false,
            Some(error),
            StatusCode::OK,
        );
    }
    tracing::info!(user = %operator.user, server = %settings.server, "SMTP settings changed from the web UI");
    Ok(Redirect::to("/settings/smtp?saved=1").into_response())
}

/// The settings the form describes, or what is wrong with them.
fn smtp_settings(form: &SmtpForm) -> Result<SmtpSettings, String> {
    let server = form.server.trim();
    if server.is_empty() {
        return Err("The SMTP server's host name is required.".to_owned());
    }
    let port = form
        .port
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| {
            "The port is a number from 1 to 65535 (587 for STARTTLS, 465 for TLS).".to_owned()
        })?;
    let from = form.from.trim();
    Mailbox::new(from).map_err(|error| format!("From: {error}"))?;
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let limit = |text: &str, what: &str| -> Result<Option<u32>, String> {
        match text.trim() {
            "" => Ok(None),
            number => number
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| format!("{what} is a positive number, or empty for no limit.")),
        }
    };
    let mut settings = SmtpSettings::new(server, port, from);
    settings.from_name = optional(&form.from_name);
    settings.username = optional(&form.username);
    settings.password = Secret::new(form.password.clone());
    settings.encryption = match form.encryption.as_str() {
        "" | "auto" => None,
        "starttls" => Some(EncryptionMode::Starttls),
        "implicit_tls" => Some(EncryptionMode::ImplicitTls),
        "none" => Some(EncryptionMode::None),
        other => return Err(format!("Unknown encryption {other:?}.")),
    };
    settings.max_per_second = limit(&form.max_per_second, "Messages per second")?;
    settings.max_per_day = limit(&form.max_per_day, "Messages per day")?;
    settings.validate().map_err(|error| format!("{error}."))?;
    Ok(settings)
}

/// A trusted certificate, as the Trust Store page lists it.
#[derive(Debug, Serialize)]
struct CertificateRow {
    name: String,
    subject: String,
    issuer: String,
    sha256: String,
    not_after: i64,
    expired: bool,
    is_ca: bool,
}

/// The query of the Trust Store page.
#[derive(Debug, Deserialize)]
pub(super) struct TrustQuery {
    done: Option<String>,
}

/// `GET /settings/trust`: the Trust Store.
pub(super) async fn trust(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<TrustQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    trust_page(
        &state,
        &operator,
        &service,
        query.done,
        None,
        None,
        StatusCode::OK,
    )
}

fn trust_page(
    state: &WebState,
    operator: &Operator,
    service: &ResponseService,
    done: Option<String>,
    error: Option<String>,
    chain: Option<CapturedView>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let at = SystemTime::now();
    let certificates: Vec<CertificateRow> = service
        .trust_store()
        .list()
        .iter()
        .map(|cert| CertificateRow {
            name: cert.name.clone(),
            subject: cert.info.subject.clone(),
            issuer: cert.info.issuer.clone(),
            sha256: cert.info.sha256.clone(),
            not_after: Timestamp::from_system_time(cert.info.not_after).millis(),
            expired: cert.info.is_expired_at(at),
            is_ca: cert.info.is_ca,
        })
        .collect();
    let page = state.templates.page(
        "settings_trust.html",
        context! {
            certificates, done, error, chain,
            relay => service.smtp().map(|smtp| format!("{}:{}", smtp.server, smtp.port)),
            user => &operator.user, csrf => &operator.csrf, nav => "trust",
            title => "Trust Store",
        },
    )?;
    Ok((status, page).into_response())
}

/// Add New: a friendly name and PEM text.
#[derive(Debug, Deserialize)]
pub(super) struct ImportForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pem: String,
}

/// `POST /settings/trust`: imports PEM certificates.
pub(super) async fn import_trust(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<ImportForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let name = form.name.trim();
    let name = (!name.is_empty()).then_some(name);
    let imported = service.update_trust(|trust| trust.import_pem(form.pem.as_bytes(), name));
    match imported {
        Ok(added) => {
            let names: Vec<&str> = added.iter().map(|cert| cert.name.as_str()).collect();
            tracing::info!(user = %operator.user, certificates = ?names, "certificates trusted from the web UI");
            let done = format!("Imported {}.", names.join(", "));
            Ok(Redirect::to(&format!("/settings/trust?done={}", encode(&done))).into_response())
        }
        Err(error) => trust_page(
            &state,
            &operator,
            &service,
            None,
            Some(format!("Nothing imported: {error}.")),
            None,
            StatusCode::BAD_REQUEST,
        ),
    }
}

/// The remove button's form.
#[derive(Debug, Deserialize)]
pub(super) struct RemoveForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
}

/// `POST /settings/trust/remove`.
pub(super) async fn remove_trust(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<RemoveForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    match service.update_trust(|trust| trust.remove(&form.name)) {
        Ok(removed) => {
            tracing::info!(user = %operator.user, certificate = %removed.name, "certificate removed from the web UI");
            let done = format!("Removed {}.", removed.name);
            Ok(Redirect::to(&format!("/settings/trust?done={}", encode(&done))).into_response())
        }
        Err(error) => trust_page(
            &state,
            &operator,
            &service,
            None,
            Some(format!("{error}.")),
            None,
            StatusCode::NOT_FOUND,
        ),
    }
}

/// A chain captured from the relay, as the Trust Store page shows it.
#[derive(Debug, Serialize)]
struct CapturedView {
    target: String,
    validates: bool,
    problem: Option<String>,
    tls: Option<String>,
    certificates: Vec<CapturedCertificate>,
}

/// One certificate of a captured chain, with its PEM for the Import button.
#[derive(Debug, Serialize)]
struct CapturedCertificate {
    subject: String,
    issuer: String,
    sha256: String,
    not_after: i64,
    is_ca: bool,
    name: String,
    pem: String,
}

/// `POST /settings/trust/capture`: connects to the configured relay (STARTTLS or TLS), shows
/// the chain it presents even when it does not validate, with an Import button for each
/// certificate: what the seed does by hand with `openssl s_client -showcerts`.
pub(super) async fn capture_trust(
    State(state): State<WebState>,
    operator: Operator,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let error = |message: String| {
        trust_page(
            &state,
            &operator,
            &service,
            None,
            Some(message),
            None,
            StatusCode::OK,
        )
    };
    let Some(mut settings) = service.smtp() else {
        return error("Configure the SMTP relay first: the capture connects to it.".to_owned());
    };
    // A capture needs TLS and no credentials.
    settings.username = None;
    if settings.effective_encryption() == EncryptionMode::None {
        settings.encryption = Some(EncryptionMode::Starttls);
    }
    let target = format!("{}:{}", settings.server, settings.port);
    let anchors = service.trust_store().anchors(settings.system_roots);
    let config = match settings.to_config(&anchors) {
        Ok(config) => config,
        Err(problem) => return error(format!("The SMTP settings are unusable: {problem}.")),
    };
    let chain = match capture_with(&config).await {
        Ok(chain) => chain,
        Err(failure) => {
            return error(format!(
                "No chain captured from {target}: {failure} Fix: {}",
                failure.fix()
            ));
        }
    };
    let view = CapturedView {
        target,
        validates: chain.validation.is_ok(),
        problem: chain.validation.as_ref().err().map(ToString::to_string),
        tls: chain
            .tls
            .as_ref()
            .map(|tls| format!("{} {}", tls.version, tls.cipher_suite)),
        certificates: chain
            .certificates
            .iter()
            .map(|cert| CapturedCertificate {
                subject: cert.info.subject.clone(),
                issuer: cert.info.issuer.clone(),
                sha256: cert.info.sha256.clone(),
                not_after: Timestamp::from_system_time(cert.info.not_after).millis(),
                is_ca: cert.info.is_ca,
                name: cert.info.common_name.clone().unwrap_or_default(),
                pem: cert.pem(),
            })
            .collect(),
    };
    trust_page(
        &state,
        &operator,
        &service,
        None,
        None,
        Some(view),
        StatusCode::OK,
    )
}

/// `text` percent-encoded for a query string or a path segment (RFC 3986 §2.1).
pub(super) fn encode(text: &str) -> String {
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

/// Rows of the troubleshooting log page.
const LOG_ROWS: u32 = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_form_becomes_an_action_and_previews_the_sample_alarm() {
        let form = EmailForm {
            name: " noc-mail ".into(),
            to: "noc@example.net, oncall@example.net".into(),
            subject: "[vigie] {{ severity | upper }} on {{ device }}".into(),
            body: "Alarm on {{ device }}\r\n".into(),
            ..EmailForm::default()
        };
        let spec = email_spec(&form).unwrap();
        assert_eq!(spec.name, "noc-mail");
        let ActionKind::Email(email) = &spec.kind else {
            panic!("an e-mail action");
        };
        assert_eq!(email.to, ["noc@example.net", "oncall@example.net"]);
        assert_eq!(email.body.as_deref(), Some("Alarm on {{ device }}\n"));
        let preview = preview(&spec, None).unwrap();
        assert_eq!(preview.subject, "[vigie] MAJOR on sample-switch");
        assert_eq!(preview.body, "Alarm on sample-switch");
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        let mut form = EmailForm {
            name: "x".into(),
            ..EmailForm::default()
        };
        assert!(email_spec(&form).unwrap_err().contains("recipient"));
        form.to = "not an address".into();
        assert!(email_spec(&form).unwrap_err().contains("not an address"));
        form.to = "noc@example.net".into();
        form.subject = "{{ unclosed".into();
        let spec = email_spec(&form).unwrap();
        assert!(preview(&spec, None).unwrap_err().contains("subject"));
    }

    #[test]
    fn smtp_settings_come_from_the_form_and_the_password_is_never_shown() {
        let form = SmtpForm {
            server: "email-smtp.eu-west-1.amazonaws.com".into(),
            port: "587".into(),
            from: "vigie@example.net".into(),
            username: "AKIAEXAMPLE".into(),
            password: "ses-smtp-password".into(),
            max_per_second: "1".into(),
            max_per_day: "200".into(),
            ..SmtpForm::default()
        };
        let settings = smtp_settings(&form).unwrap();
        assert_eq!(settings.port, 587);
        assert_eq!(settings.effective_encryption(), EncryptionMode::Starttls);
        assert_eq!(settings.password.expose(), "ses-smtp-password");
        assert_eq!(settings.max_per_day, Some(200));
        let shown = serde_json::to_string(&SmtpForm::of(&settings)).unwrap();
        assert!(!shown.contains("ses-smtp-password"));
        let shown = serde_json::to_string(&form).unwrap();
        assert!(!shown.contains("ses-smtp-password"));
        let bad = SmtpForm {
            port: "0".into(),
            ..form
        };
        assert!(smtp_settings(&bad).unwrap_err().contains("port"));
    }
}
