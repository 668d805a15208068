//! Response Management's action forms beyond e-mail: Add New Action → Webhook, Syslog, Trap
//! forward, and Edit for every kind (e-mail edits go through the e-mail form with its
//! preview).
//!
//! Secrets (the webhook's HMAC key, the forward's community) are write-only: the form never
//! shows them, and an empty field keeps the stored one.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use vigie_notify::Secret;

use crate::actions::{
    ActionKind, ActionSpec, ResponseService, SyslogAction, SyslogTransportName, TrapForwardAction,
    WebhookAction,
};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::render::PageError;
use crate::web::response::{EmailForm, email_page, encode, save_email, service};

/// The kinds this module's form edits, by their name in paths and the API.
const KINDS: &[&str] = &["webhook", "syslog", "trap_forward"];

/// The form of a webhook, syslog or trap forward action. Secrets deserialise but never
/// serialise into a page.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct ActionForm {
    #[serde(skip_serializing)]
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default, skip_serializing)]
    secret: String,
    #[serde(default)]
    dangerous_accept_invalid_certs: Option<String>,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    transport: String,
    #[serde(default)]
    facility: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    target: String,
    #[serde(default, skip_serializing)]
    community: String,
    #[serde(default)]
    inform: Option<String>,
    /// E-mail fields, when an e-mail action is edited through this route.
    #[serde(default)]
    to: String,
    #[serde(default)]
    cc: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default, skip_serializing)]
    intent: String,
}

impl ActionForm {
    /// The form showing `spec`, secrets left out.
    fn of(spec: &ActionSpec) -> Self {
        let on = |flag: bool| flag.then(|| "on".to_owned());
        let mut form = Self {
            name: spec.name.clone(),
            ..Self::default()
        };
        match &spec.kind {
            ActionKind::Webhook(hook) => {
                form.url.clone_from(&hook.url);
                form.dangerous_accept_invalid_certs = on(hook.dangerous_accept_invalid_certs);
            }
            ActionKind::Syslog(syslog) => {
                form.host.clone_from(&syslog.host);
                form.port = syslog.port.map(|p| p.to_string()).unwrap_or_default();
                form.transport = transport_name(syslog.transport).to_owned();
                form.facility = syslog.facility.to_string();
                form.message = syslog.message.clone().unwrap_or_default();
            }
            ActionKind::TrapForward(forward) => {
                form.target.clone_from(&forward.target);
                form.inform = on(forward.inform);
            }
            ActionKind::Email(_) => {}
        }
        form
    }

    /// The action of kind `kind` the form describes, or what is wrong with it. `editing`:
    /// an empty secret keeps the stored one, so it is not required.
    fn spec(&self, kind: &str, editing: bool) -> Result<ActionSpec, String> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err("The action needs a name of 1 to 100 characters.".to_owned());
        }
        let checked = |field: &Option<String>| field.as_deref().is_some_and(|v| !v.is_empty());
        let kind = match kind {
            "webhook" => {
                let url = self.url.trim();
                let rest = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if rest.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
                    return Err(
                        "The URL is https://host[:port]/path (or http:// on a trusted network)."
                            .to_owned(),
                    );
                }
                if self.secret.is_empty() && !editing {
                    return Err(
                        "A webhook needs a secret: the receiver checks the HMAC-SHA256 signature with it."
                            .to_owned(),
                    );
                }
                ActionKind::Webhook(WebhookAction {
                    url: url.to_owned(),
                    secret: Secret::new(self.secret.clone()),
                    dangerous_accept_invalid_certs: checked(&self.dangerous_accept_invalid_certs),
                })
            }
            "syslog" => {
                let host = self.host.trim();
                if host.is_empty() {
                    return Err("The syslog receiver's host is required.".to_owned());
                }
                let port = match self.port.trim() {
                    "" => None,
                    text => Some(
                        text.parse::<u16>()
                            .ok()
                            .filter(|port| *port != 0)
                            .ok_or_else(|| {
                                "The port is a number from 1 to 65535 (514 UDP/TCP, 6514 TLS)."
                                    .to_owned()
                            })?,
                    ),
                };
                let transport = match self.transport.as_str() {
                    "" | "udp" => SyslogTransportName::Udp,
                    "tcp" => SyslogTransportName::Tcp,
                    "tls" => SyslogTransportName::Tls,
                    other => return Err(format!("Unknown transport {other:?}.")),
                };
                let facility = match self.facility.trim() {
                    "" => 16,
                    text => text
                        .parse::<u8>()
                        .ok()
                        .filter(|f| *f <= 23)
                        .ok_or_else(|| "The facility is a number from 0 to 23.".to_owned())?,
                };
                let message = self.message.trim();
                ActionKind::Syslog(SyslogAction {
                    host: host.to_owned(),
                    port,
                    transport,
                    facility,
                    message: (!message.is_empty()).then(|| message.to_owned()),
                })
            }
            "trap_forward" => {
                let target = self.target.trim();
                if target.is_empty() || target.contains(char::is_whitespace) {
                    return Err(
                        "The receiver is host or host:port (port 162 by default).".to_owned()
                    );
                }
                if self.community.is_empty() && !editing {
                    return Err("A trap forward needs the receiver's community.".to_owned());
                }
                ActionKind::TrapForward(TrapForwardAction {
                    target: target.to_owned(),
                    community: Secret::new(self.community.clone()),
                    inform: checked(&self.inform),
                    usm: None,
                })
            }
            other => return Err(format!("Unknown action kind {other:?}.")),
        };
        Ok(ActionSpec {
            name: name.to_owned(),
            kind,
        })
    }

    fn email(self, editing: Option<i64>) -> EmailForm {
        EmailForm {
            csrf: self.csrf,
            name: self.name,
            to: self.to,
            cc: self.cc,
            subject: self.subject,
            body: self.body,
            intent: self.intent,
            editing,
        }
    }
}

fn transport_name(transport: SyslogTransportName) -> &'static str {
    match transport {
        SyslogTransportName::Udp => "udp",
        SyslogTransportName::Tcp => "tcp",
        SyslogTransportName::Tls => "tls",
    }
}

fn heading_of(kind: &str) -> &'static str {
    match kind {
        "webhook" => "Webhook",
        "syslog" => "Syslog",
        _ => "Trap forward",
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a page of a form: its state, the form and what to say about it"
)]
fn form_page(
    state: &WebState,
    operator: &Operator,
    kind: &str,
    form: &ActionForm,
    editing: Option<i64>,
    secret_set: bool,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (post_to, heading) = match editing {
        Some(_) => (
            format!("/response/actions/{}/edit", encode(&form.name)),
            format!("Edit action {} ({})", form.name, heading_of(kind)),
        ),
        None => (
            format!("/response/actions/new/{kind}"),
            format!("Add New Action → {}", heading_of(kind)),
        ),
    };
    let page = state.templates.page(
        "response_action.html",
        context! {
            form, kind, post_to, heading, error, secret_set,
            editing => editing.is_some(),
            tab => "actions",
            user => &operator.user, csrf => &operator.csrf, nav => "response",
            title => heading,
        },
    )?;
    Ok((status, page).into_response())
}

fn not_found(
    state: &WebState,
    operator: &Operator,
    message: String,
) -> Result<Response, PageError> {
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Actions", message,
            user => &operator.user, csrf => &operator.csrf, nav => "response",
        },
    )?;
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

/// `GET /response/actions/new/{kind}`: Add New Action → Webhook, Syslog or Trap forward.
pub(super) async fn new_action(
    State(state): State<WebState>,
    operator: Operator,
    Path(kind): Path<String>,
) -> Result<Response, PageError> {
    if kind == "email" {
        return Ok(Redirect::to("/response/actions/new").into_response());
    }
    if !KINDS.contains(&kind.as_str()) {
        return not_found(
            &state,
            &operator,
            format!("There is no action kind {kind}."),
        );
    }
    let form = ActionForm {
        facility: "16".to_owned(),
        transport: "udp".to_owned(),
        ..ActionForm::default()
    };
    form_page(
        &state,
        &operator,
        &kind,
        &form,
        None,
        false,
        None,
        StatusCode::OK,
    )
}

/// `POST /response/actions/new/{kind}`: saves the new action.
pub(super) async fn create_action(
    State(state): State<WebState>,
    operator: Operator,
    Path(kind): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    if !KINDS.contains(&kind.as_str()) {
        return not_found(
            &state,
            &operator,
            format!("There is no action kind {kind}."),
        );
    }
    let spec = match form.spec(&kind, false) {
        Ok(spec) => spec,
        Err(error) => {
            return form_page(
                &state,
                &operator,
                &kind,
                &form,
                None,
                false,
                Some(error),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    if service.action(&spec.name).is_some() {
        let error = format!("An action named {} exists already.", spec.name);
        return form_page(
            &state,
            &operator,
            &kind,
            &form,
            None,
            false,
            Some(error),
            StatusCode::CONFLICT,
        );
    }
    state.app.store.insert_action(&spec, now()).await?;
    reload(&service).await;
    tracing::info!(action = %spec.name, kind = %kind, user = %operator.user, "action added from the web UI");
    Ok(Redirect::to(&format!("/response/actions?added={}", encode(&spec.name))).into_response())
}

/// The stored action named `name`: its id and spec.
async fn stored(state: &WebState, name: &str) -> Result<Option<(i64, ActionSpec)>, PageError> {
    Ok(state
        .app
        .store
        .actions()
        .await?
        .into_iter()
        .find(|action| action.spec.name == name)
        .map(|action| (action.id, action.spec)))
}

/// `GET /response/actions/{name}/edit`: the action in its form.
pub(super) async fn edit_action(
    State(state): State<WebState>,
    operator: Operator,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let Some((id, spec)) = editable(&state, &operator, &service, &name).await? else {
        return not_found(
            &state,
            &operator,
            format!(
                "There is no action named {name} made from the web or the API (the configuration \
                 file's actions are changed in the file)."
            ),
        );
    };
    if let ActionKind::Email(email) = &spec.kind {
        let form = EmailForm::of(id, &spec.name, email);
        return email_page(&state, &operator, &form, None, None, StatusCode::OK);
    }
    form_page(
        &state,
        &operator,
        spec.kind.name(),
        &ActionForm::of(&spec),
        Some(id),
        true,
        None,
        StatusCode::OK,
    )
}

/// A stored action that the file does not shadow.
async fn editable(
    state: &WebState,
    _operator: &Operator,
    service: &ResponseService,
    name: &str,
) -> Result<Option<(i64, ActionSpec)>, PageError> {
    if service.is_file_action(name) {
        return Ok(None);
    }
    stored(state, name).await
}

/// `POST /response/actions/{name}/edit`: replaces the action; its name and kind stay.
pub(super) async fn update_action(
    State(state): State<WebState>,
    operator: Operator,
    Path(name): Path<String>,
    Form(mut form): Form<ActionForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let Some((id, current)) = editable(&state, &operator, &service, &name).await? else {
        return not_found(
            &state,
            &operator,
            format!("There is no stored action named {name}."),
        );
    };
    // Rules name their actions: the name is not changed here.
    form.name.clone_from(&current.name);
    if matches!(current.kind, ActionKind::Email(_)) {
        return save_email(state, operator, form.email(Some(id))).await;
    }
    let kind = current.kind.name();
    let spec = match form.spec(kind, true) {
        Ok(spec) => spec,
        Err(error) => {
            return form_page(
                &state,
                &operator,
                kind,
                &form,
                Some(id),
                true,
                Some(error),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    if !state.app.store.update_action(id, &spec, now()).await? {
        return not_found(
            &state,
            &operator,
            format!("There is no stored action named {name}."),
        );
    }
    reload(&service).await;
    tracing::info!(action = %spec.name, user = %operator.user, "action changed from the web UI");
    Ok(Redirect::to(&format!("/response/actions?saved={}", encode(&spec.name))).into_response())
}

async fn reload(service: &ResponseService) {
    if let Err(error) = service.reload().await {
        tracing::error!(%error, "response management reload after an action change");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_from_the_form_and_secrets_never_show() {
        let hook = ActionForm {
            name: "hook".into(),
            url: "https://hooks.example.net/vigie".into(),
            secret: "k3y-secret".into(),
            ..ActionForm::default()
        };
        let spec = hook.spec("webhook", false).unwrap();
        let ActionKind::Webhook(webhook) = &spec.kind else {
            panic!("a webhook");
        };
        assert_eq!(webhook.secret.expose(), "k3y-secret");
        assert!(!serde_json::to_string(&hook).unwrap().contains("k3y"));
        assert!(
            !serde_json::to_string(&ActionForm::of(&spec))
                .unwrap()
                .contains("k3y")
        );

        let syslog = ActionForm {
            name: "log".into(),
            host: "192.0.2.9".into(),
            port: "6514".into(),
            transport: "tls".into(),
            facility: "".into(),
            ..ActionForm::default()
        };
        let spec = syslog.spec("syslog", false).unwrap();
        assert_eq!(ActionForm::of(&spec).transport, "tls");
        let ActionKind::Syslog(syslog) = spec.kind else {
            panic!("syslog");
        };
        assert_eq!((syslog.port, syslog.facility), (Some(6514), 16));

        let forward = ActionForm {
            name: "fwd".into(),
            target: "192.0.2.7:1162".into(),
            community: "n0c-community".into(),
            inform: Some("on".into()),
            ..ActionForm::default()
        };
        let spec = forward.spec("trap_forward", false).unwrap();
        assert!(matches!(&spec.kind, ActionKind::TrapForward(f) if f.inform));
        assert!(!serde_json::to_string(&forward).unwrap().contains("n0c"));
    }

    #[test]
    fn bad_forms_say_what_is_wrong_and_edits_keep_secrets() {
        let base = ActionForm {
            name: "x".into(),
            ..ActionForm::default()
        };
        assert!(base.spec("webhook", false).unwrap_err().contains("URL"));
        let hook = ActionForm {
            url: "https://h/x".into(),
            ..base.clone()
        };
        assert!(hook.spec("webhook", false).unwrap_err().contains("secret"));
        assert!(hook.spec("webhook", true).is_ok());
        let syslog = ActionForm {
            host: "h".into(),
            facility: "24".into(),
            ..base.clone()
        };
        assert!(
            syslog
                .spec("syslog", false)
                .unwrap_err()
                .contains("facility")
        );
        assert!(
            base.spec("trap_forward", false)
                .unwrap_err()
                .contains("host:port")
        );
        assert!(
            base.spec("carrier_pigeon", false)
                .unwrap_err()
                .contains("kind")
        );
    }
}
