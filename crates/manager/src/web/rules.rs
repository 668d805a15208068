//! Response Management's Rules tab: the list, and the form that creates and edits a rule
//! (conditions, all/any, triggers, linked actions, grouping), over [`crate::rules`] and the
//! store's `response_rules`.
//!
//! The form edits the conditions operators use most: alarm type, notification name or OID,
//! device, device group, minimum severity, source and up to [`VARBIND_ROWS`] varbind tests,
//! combined with all or any. A rule whose condition nests further (a `not`, an `any` inside
//! an `all`) is shown, not edited: the API edits it. Rules of the configuration file are
//! read-only.

use std::collections::HashMap;
use std::time::Duration;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::actions::ResponseService;
use crate::alarm::{Severity, Source};
use crate::rules::{Condition, GroupLabel, Grouping, RuleSpec, Triggers, VarbindOp, VarbindTest};
use crate::web::WebState;
use crate::web::auth::{Operator, now};
use crate::web::render::PageError;
use crate::web::response::{encode, service};

/// Varbind tests the form offers.
pub(super) const VARBIND_ROWS: usize = 3;

/// One row of the Rules tab.
#[derive(Debug, Serialize)]
struct RuleRow {
    /// The store's id; `None` for the configuration file's rules.
    id: Option<i64>,
    name: String,
    enabled: bool,
    actions: Vec<String>,
    triggers: Vec<&'static str>,
    condition: String,
    grouping: String,
}

/// The query of the Rules tab.
#[derive(Debug, Deserialize)]
pub(super) struct RulesQuery {
    saved: Option<String>,
}

/// `GET /response/rules`: every rule in effect, with Edit for those the web or API made.
pub(super) async fn list(
    State(state): State<WebState>,
    operator: Operator,
    Query(query): Query<RulesQuery>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let ids: HashMap<String, i64> = state
        .app
        .store
        .rules()
        .await?
        .into_iter()
        .map(|stored| (stored.spec.name, stored.id))
        .collect();
    let rules: Vec<RuleRow> = service
        .rules()
        .iter()
        .map(|rule| RuleRow {
            id: ids.get(&rule.name).copied(),
            name: rule.name.clone(),
            enabled: rule.enabled,
            actions: rule.actions.clone(),
            triggers: trigger_names(rule.triggers),
            condition: describe(&rule.condition),
            grouping: describe_grouping(&rule.grouping),
        })
        .collect();
    let page = state.templates.page(
        "response_rules.html",
        context! {
            rules, saved => query.saved,
            tab => "rules",
            user => &operator.user, csrf => &operator.csrf, nav => "response",
            title => "Response Management",
        },
    )?;
    Ok(page.into_response())
}

fn trigger_names(triggers: Triggers) -> Vec<&'static str> {
    [
        (triggers.raised, "raised"),
        (triggers.repeated, "repeated"),
        (triggers.cleared, "cleared"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect()
}

/// A condition in words: `alarm type = linkDown and severity ≥ major`.
fn describe(condition: &Condition) -> String {
    let join = |parts: &[Condition], word: &str| {
        parts
            .iter()
            .map(|part| match part {
                Condition::All(inner) | Condition::Any(inner) if inner.len() > 1 => {
                    format!("({})", describe(part))
                }
                _ => describe(part),
            })
            .collect::<Vec<_>>()
            .join(word)
    };
    match condition {
        Condition::All(parts) if parts.is_empty() => "every alarm".to_owned(),
        Condition::Any(parts) if parts.is_empty() => "never".to_owned(),
        Condition::All(parts) => join(parts, " and "),
        Condition::Any(parts) => join(parts, " or "),
        Condition::Not(inner) => format!("not ({})", describe(inner)),
        Condition::AlarmType(name) => format!("alarm type = {name}"),
        Condition::AlarmKey(pattern) => format!("alarm key ~ {pattern}"),
        Condition::Device(pattern) => format!("device ~ {pattern}"),
        Condition::DeviceGroup(group) => format!("device in group {group}"),
        Condition::MinSeverity(severity) => format!("severity ≥ {}", severity.name()),
        Condition::Source(source) => format!("source = {}", source.name()),
        Condition::NotificationOid(oid) => format!("notification under {oid}"),
        Condition::NotificationName(name) => format!("notification = {name}"),
        Condition::Varbind(test) => {
            format!("{} {} {}", test.object, op_symbol(test.op), test.value)
        }
    }
}

fn op_symbol(op: VarbindOp) -> &'static str {
    match op {
        VarbindOp::Equals => "=",
        VarbindOp::NotEquals => "≠",
        VarbindOp::Contains => "contains",
        VarbindOp::Matches => "matches",
    }
}

fn describe_grouping(grouping: &Grouping) -> String {
    let labels: Vec<&str> = grouping.group_by.iter().map(|l| label_name(*l)).collect();
    format!(
        "by {}; wait {}, interval {}, repeat {}",
        if labels.is_empty() {
            "nothing".to_owned()
        } else {
            labels.join(", ")
        },
        span(grouping.group_wait),
        span(grouping.group_interval),
        span(grouping.repeat_interval),
    )
}

/// `30 s`, `5 min`, `4 h`.
fn span(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds >= 3_600 && seconds % 3_600 == 0 {
        format!("{} h", seconds / 3_600)
    } else if seconds >= 60 && seconds % 60 == 0 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

fn label_name(label: GroupLabel) -> &'static str {
    match label {
        GroupLabel::Device => "device",
        GroupLabel::AlarmType => "alarm_type",
        GroupLabel::AlarmKey => "alarm_key",
        GroupLabel::Severity => "severity",
    }
}

/// One varbind test row of the form.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
struct VarbindRow {
    object: String,
    op: String,
    value: String,
}

/// The rule form, as submitted or as filled from a rule.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub(super) struct RuleForm {
    #[serde(skip)]
    csrf: Option<String>,
    name: String,
    enabled: bool,
    /// `all` or `any`.
    combine: String,
    alarm_type: String,
    /// A name (`IF-MIB::linkDown`) or a dotted OID.
    notification: String,
    device: String,
    device_group: String,
    min_severity: String,
    source: String,
    varbinds: Vec<VarbindRow>,
    actions: Vec<String>,
    raised: bool,
    repeated: bool,
    cleared: bool,
    group_by: Vec<String>,
    group_wait: String,
    group_interval: String,
    repeat_interval: String,
}

impl RuleForm {
    /// The form of a new rule: everything at its default.
    fn blank() -> Self {
        Self::of(&RuleSpec {
            name: String::new(),
            enabled: true,
            condition: Condition::default(),
            triggers: Triggers::default(),
            actions: Vec::new(),
            grouping: Grouping::default(),
        })
        .unwrap_or_default()
    }

    /// Reads the submitted pairs; checkboxes and multiple choices repeat their name.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self {
            varbinds: vec![VarbindRow::default(); VARBIND_ROWS],
            ..Self::default()
        };
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = Some(value),
                "name" => form.name = value,
                "enabled" => form.enabled = true,
                "combine" => form.combine = value,
                "alarm_type" => form.alarm_type = value,
                "notification" => form.notification = value,
                "device" => form.device = value,
                "device_group" => form.device_group = value,
                "min_severity" => form.min_severity = value,
                "source" => form.source = value,
                "action" => form.actions.push(value),
                "raised" => form.raised = true,
                "repeated" => form.repeated = true,
                "cleared" => form.cleared = true,
                "group_by" => form.group_by.push(value),
                "group_wait" => form.group_wait = value,
                "group_interval" => form.group_interval = value,
                "repeat_interval" => form.repeat_interval = value,
                other => {
                    // `vb_object_0`, `vb_op_0`, `vb_value_0`, …
                    let Some((field, index)) = other
                        .strip_prefix("vb_")
                        .and_then(|rest| rest.rsplit_once('_'))
                    else {
                        continue;
                    };
                    let Some(row) = index
                        .parse::<usize>()
                        .ok()
                        .and_then(|index| form.varbinds.get_mut(index))
                    else {
                        continue;
                    };
                    match field {
                        "object" => row.object = value,
                        "op" => row.op = value,
                        "value" => row.value = value,
                        _ => {}
                    }
                }
            }
        }
        form
    }

    /// The form showing `rule`, or `None` when its condition is beyond the form.
    fn of(rule: &RuleSpec) -> Option<Self> {
        let mut form = Self {
            name: rule.name.clone(),
            enabled: rule.enabled,
            combine: "all".to_owned(),
            actions: rule.actions.clone(),
            raised: rule.triggers.raised,
            repeated: rule.triggers.repeated,
            cleared: rule.triggers.cleared,
            group_by: rule
                .grouping
                .group_by
                .iter()
                .map(|label| label_name(*label).to_owned())
                .collect(),
            group_wait: rule.grouping.group_wait.as_secs().to_string(),
            group_interval: rule.grouping.group_interval.as_secs().to_string(),
            repeat_interval: rule.grouping.repeat_interval.as_secs().to_string(),
            ..Self::default()
        };
        let leaves: &[Condition] = match &rule.condition {
            Condition::All(parts) => parts,
            Condition::Any(parts) if !parts.is_empty() => {
                form.combine = "any".to_owned();
                parts
            }
            single => std::slice::from_ref(single),
        };
        let set = |field: &mut String, value: String| {
            if field.is_empty() {
                *field = value;
                true
            } else {
                false
            }
        };
        for leaf in leaves {
            let fitted = match leaf {
                Condition::AlarmType(name) => set(&mut form.alarm_type, name.clone()),
                Condition::NotificationName(name) | Condition::NotificationOid(name) => {
                    set(&mut form.notification, name.clone())
                }
                Condition::Device(pattern) => set(&mut form.device, pattern.clone()),
                Condition::DeviceGroup(group) => set(&mut form.device_group, group.clone()),
                Condition::MinSeverity(severity) => {
                    set(&mut form.min_severity, severity.name().to_owned())
                }
                Condition::Source(source) => set(&mut form.source, source.name().to_owned()),
                Condition::Varbind(test) if form.varbinds.len() < VARBIND_ROWS => {
                    form.varbinds.push(VarbindRow {
                        object: test.object.clone(),
                        op: op_name(test.op).to_owned(),
                        value: test.value.clone(),
                    });
                    true
                }
                _ => false,
            };
            if !fitted {
                return None;
            }
        }
        form.varbinds.resize(VARBIND_ROWS, VarbindRow::default());
        Some(form)
    }

    /// The rule the form describes, or what is wrong with it.
    fn spec(&self) -> Result<RuleSpec, String> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err("The rule needs a name of 1 to 100 characters.".to_owned());
        }
        let mut leaves = Vec::new();
        let text = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        if let Some(kind) = text(&self.alarm_type) {
            leaves.push(Condition::AlarmType(kind));
        }
        if let Some(notification) = text(&self.notification) {
            leaves.push(notification_condition(notification)?);
        }
        if let Some(device) = text(&self.device) {
            leaves.push(Condition::Device(device));
        }
        if let Some(group) = text(&self.device_group) {
            leaves.push(Condition::DeviceGroup(group));
        }
        if let Some(severity) = text(&self.min_severity) {
            let severity = severity
                .parse::<Severity>()
                .map_err(|_| format!("Unknown severity {severity:?}."))?;
            leaves.push(Condition::MinSeverity(severity));
        }
        if let Some(source) = text(&self.source) {
            let source = source
                .parse::<Source>()
                .map_err(|_| format!("Unknown source {source:?}."))?;
            leaves.push(Condition::Source(source));
        }
        for (index, row) in self.varbinds.iter().enumerate() {
            let Some(object) = text(&row.object) else {
                continue;
            };
            let op = match row.op.as_str() {
                "" | "equals" => VarbindOp::Equals,
                "not_equals" => VarbindOp::NotEquals,
                "contains" => VarbindOp::Contains,
                "matches" => VarbindOp::Matches,
                other => {
                    return Err(format!(
                        "Varbind test {}: unknown test {other:?}.",
                        index + 1
                    ));
                }
            };
            leaves.push(Condition::Varbind(VarbindTest {
                object,
                op,
                value: row.value.trim().to_owned(),
            }));
        }
        let condition = match self.combine.as_str() {
            "any" if !leaves.is_empty() => Condition::Any(leaves),
            "" | "all" | "any" => Condition::All(leaves),
            other => return Err(format!("Combine with all or any, not {other:?}.")),
        };
        let actions: Vec<String> = self
            .actions
            .iter()
            .map(|action| action.trim().to_owned())
            .filter(|action| !action.is_empty())
            .collect();
        if actions.is_empty() {
            return Err("Link at least one action: the rule fires its actions.".to_owned());
        }
        let triggers = Triggers {
            raised: self.raised,
            repeated: self.repeated,
            cleared: self.cleared,
        };
        if !(triggers.raised || triggers.repeated || triggers.cleared) {
            return Err(
                "Choose at least one change the rule fires on (raised, repeated, cleared)."
                    .to_owned(),
            );
        }
        let mut group_by = Vec::new();
        for label in &self.group_by {
            let label = match label.as_str() {
                "device" => GroupLabel::Device,
                "alarm_type" => GroupLabel::AlarmType,
                "alarm_key" => GroupLabel::AlarmKey,
                "severity" => GroupLabel::Severity,
                other => return Err(format!("Unknown grouping value {other:?}.")),
            };
            if !group_by.contains(&label) {
                group_by.push(label);
            }
        }
        let defaults = Grouping::default();
        let grouping = Grouping {
            group_by,
            group_wait: seconds(&self.group_wait, "Group wait", defaults.group_wait)?,
            group_interval: seconds(
                &self.group_interval,
                "Group interval",
                defaults.group_interval,
            )?,
            repeat_interval: seconds(
                &self.repeat_interval,
                "Repeat interval",
                defaults.repeat_interval,
            )?,
        };
        Ok(RuleSpec {
            name: name.to_owned(),
            enabled: self.enabled,
            condition,
            triggers,
            actions,
            grouping,
        })
    }
}

/// A dotted OID (`1.3.6.1.6.3.1.1.5.3`, with or without the leading dot) or a name.
fn notification_condition(text: String) -> Result<Condition, String> {
    let numeric = text.trim_start_matches('.');
    if numeric.starts_with(|c: char| c.is_ascii_digit()) {
        let valid = numeric
            .split('.')
            .all(|arc| !arc.is_empty() && arc.parse::<u32>().is_ok());
        if !valid || numeric.split('.').count() < 2 {
            return Err(format!(
                "Notification {text:?} is neither a name (IF-MIB::linkDown) nor a dotted OID."
            ));
        }
        return Ok(Condition::NotificationOid(numeric.to_owned()));
    }
    Ok(Condition::NotificationName(text))
}

fn op_name(op: VarbindOp) -> &'static str {
    match op {
        VarbindOp::Equals => "equals",
        VarbindOp::NotEquals => "not_equals",
        VarbindOp::Contains => "contains",
        VarbindOp::Matches => "matches",
    }
}

/// Seconds from a form field, up to 30 days; empty gives the default.
fn seconds(text: &str, what: &str, default: Duration) -> Result<Duration, String> {
    const MAX: u64 = 30 * 86_400;
    match text.trim() {
        "" => Ok(default),
        number => number
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= MAX)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{what} is a number of seconds from 0 to {MAX}.")),
    }
}

/// Which rule a form page is about: a new one or the stored rule `id`.
#[derive(Debug, Clone, Copy)]
enum Target {
    New,
    Stored(i64),
}

#[expect(
    clippy::too_many_arguments,
    reason = "a page of a form: its state, the form and what to say about it"
)]
fn form_page(
    state: &WebState,
    operator: &Operator,
    service: &ResponseService,
    target: Target,
    form: &RuleForm,
    readonly: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (action, heading) = match target {
        Target::New => ("/response/rules/new".to_owned(), "Add New Rule".to_owned()),
        Target::Stored(id) => (
            format!("/response/rules/{id}/edit"),
            format!("Edit rule {}", form.name),
        ),
    };
    let available: Vec<String> = service
        .actions()
        .into_iter()
        .map(|action| action.name)
        .collect();
    let page = state.templates.page(
        "response_rule.html",
        context! {
            form, readonly, error, action, heading, available,
            severities => Severity::ALL.iter().filter(|s| **s != Severity::Cleared).map(|s| s.name()).collect::<Vec<_>>(),
            tab => "rules",
            user => &operator.user, csrf => &operator.csrf, nav => "response",
            title => heading,
        },
    )?;
    Ok((status, page).into_response())
}

/// `GET /response/rules/new`: Add New Rule.
pub(super) async fn new_rule(
    State(state): State<WebState>,
    operator: Operator,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    form_page(
        &state,
        &operator,
        &service,
        Target::New,
        &RuleForm::blank(),
        None,
        None,
        StatusCode::OK,
    )
}

/// `POST /response/rules/new`: creates the rule.
pub(super) async fn create_rule(
    State(state): State<WebState>,
    operator: Operator,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(state, operator, Target::New, RuleForm::from_pairs(pairs)).await
}

/// `GET /response/rules/{id}/edit`: the stored rule in the form.
pub(super) async fn edit_rule(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let Some(stored) = state.app.store.rule(id).await? else {
        return not_found(&state, &operator, id);
    };
    let (form, readonly) = match RuleForm::of(&stored.spec) {
        Some(form) => (form, None),
        None => (
            RuleForm {
                name: stored.spec.name.clone(),
                ..RuleForm::default()
            },
            Some(serde_json::to_string_pretty(&stored.spec).unwrap_or_default()),
        ),
    };
    form_page(
        &state,
        &operator,
        &service,
        Target::Stored(id),
        &form,
        readonly,
        None,
        StatusCode::OK,
    )
}

/// `POST /response/rules/{id}/edit`: replaces the stored rule.
pub(super) async fn update_rule(
    State(state): State<WebState>,
    operator: Operator,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(
        state,
        operator,
        Target::Stored(id),
        RuleForm::from_pairs(pairs),
    )
    .await
}

async fn save(
    state: WebState,
    operator: Operator,
    target: Target,
    form: RuleForm,
) -> Result<Response, PageError> {
    if let Some(refused) = operator.refuse(&state, form.csrf.as_deref()) {
        return Ok(refused);
    }
    let service = match service(&state, &operator) {
        Ok(service) => service,
        Err(page) => return Ok(*page),
    };
    let problem = |error: String, status: StatusCode| {
        form_page(
            &state,
            &operator,
            &service,
            target,
            &form,
            None,
            Some(error),
            status,
        )
    };
    let spec = match form.spec() {
        Ok(spec) => spec,
        Err(error) => return problem(error, StatusCode::BAD_REQUEST),
    };
    if let Some(missing) = spec.actions.iter().find(|a| service.action(a).is_none()) {
        return problem(
            format!("There is no action named {missing}."),
            StatusCode::BAD_REQUEST,
        );
    }
    // A name is taken by another stored rule or by one of the configuration file's.
    let stored = state.app.store.rules().await?;
    let own =
        |rule: &crate::store::StoredRule| matches!(target, Target::Stored(id) if id == rule.id);
    let taken = stored
        .iter()
        .any(|rule| rule.spec.name == spec.name && !own(rule))
        || (service.rules().iter().any(|rule| rule.name == spec.name)
            && !stored.iter().any(|rule| rule.spec.name == spec.name));
    if taken {
        return problem(
            format!("A rule named {} exists already.", spec.name),
            StatusCode::CONFLICT,
        );
    }
    match target {
        Target::New => {
            state.app.store.insert_rule(&spec, now()).await?;
        }
        Target::Stored(id) => {
            if !state.app.store.update_rule(id, &spec, now()).await? {
                return not_found(&state, &operator, id);
            }
        }
    }
    if let Err(error) = service.reload().await {
        tracing::error!(%error, "response management reload after a rule change");
    }
    tracing::info!(rule = %spec.name, user = %operator.user, "rule saved from the web UI");
    Ok(Redirect::to(&format!("/response/rules?saved={}", encode(&spec.name))).into_response())
}

fn not_found(state: &WebState, operator: &Operator, id: i64) -> Result<Response, PageError> {
    let page = state.templates.page(
        "error.html",
        context! {
            title => "Rules", message => format!("There is no stored rule {id}."),
            user => &operator.user, csrf => &operator.csrf, nav => "response",
        },
    )?;
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_builds_a_rule_and_shows_it_back() {
        let form = RuleForm::from_pairs(pairs(&[
            ("name", " core-links "),
            ("enabled", "on"),
            ("combine", "all"),
            ("alarm_type", "linkDown"),
            ("notification", ".1.3.6.1.6.3.1.1.5.3"),
            ("device_group", "core"),
            ("min_severity", "major"),
            ("source", "trap"),
            ("vb_object_1", "IF-MIB::ifAdminStatus"),
            ("vb_op_1", "equals"),
            ("vb_value_1", "up"),
            ("action", "noc-mail"),
            ("action", "hook"),
            ("raised", "on"),
            ("cleared", "on"),
            ("group_by", "device"),
            ("group_by", "alarm_type"),
            ("group_wait", "10"),
            ("group_interval", "300"),
            ("repeat_interval", ""),
        ]));
        let spec = form.spec().unwrap();
        assert_eq!(spec.name, "core-links");
        assert_eq!(spec.actions, ["noc-mail", "hook"]);
        assert_eq!(
            spec.condition,
            Condition::All(vec![
                Condition::AlarmType("linkDown".into()),
                Condition::NotificationOid("1.3.6.1.6.3.1.1.5.3".into()),
                Condition::DeviceGroup("core".into()),
                Condition::MinSeverity(Severity::Major),
                Condition::Source(Source::Trap),
                Condition::Varbind(VarbindTest {
                    object: "IF-MIB::ifAdminStatus".into(),
                    op: VarbindOp::Equals,
                    value: "up".into(),
                }),
            ])
        );
        assert_eq!(spec.grouping.group_wait, Duration::from_secs(10));
        assert_eq!(
            spec.grouping.repeat_interval,
            Duration::from_secs(4 * 3_600)
        );
        let back = RuleForm::of(&spec).unwrap();
        assert_eq!(back.spec().unwrap(), spec);
        assert_eq!(back.notification, "1.3.6.1.6.3.1.1.5.3");
        assert_eq!(back.varbinds.len(), VARBIND_ROWS);
    }

    #[test]
    fn any_combines_and_nested_conditions_are_not_editable() {
        let form = RuleForm::from_pairs(pairs(&[
            ("name", "either"),
            ("combine", "any"),
            ("alarm_type", "linkDown"),
            ("notification", "IF-MIB::linkUp"),
            ("action", "a"),
            ("repeated", "on"),
        ]));
        let spec = form.spec().unwrap();
        assert!(!spec.enabled);
        assert!(matches!(&spec.condition, Condition::Any(parts) if parts.len() == 2));
        assert_eq!(RuleForm::of(&spec).unwrap().combine, "any");
        let nested = RuleSpec {
            condition: Condition::Not(Box::new(Condition::AlarmType("x".into()))),
            ..spec
        };
        assert!(RuleForm::of(&nested).is_none());
        assert_eq!(describe(&nested.condition), "not (alarm type = x)");
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        let base = [("name", "r"), ("action", "a"), ("raised", "on")];
        let with = |extra: &[(&str, &str)]| {
            let mut all = base.to_vec();
            all.extend_from_slice(extra);
            RuleForm::from_pairs(pairs(&all)).spec().unwrap_err()
        };
        assert!(with(&[("min_severity", "huge")]).contains("severity"));
        assert!(with(&[("notification", "1.3.x")]).contains("OID"));
        assert!(with(&[("group_wait", "-1")]).contains("Group wait"));
        assert!(with(&[("vb_object_0", "ifIndex"), ("vb_op_0", "≈")]).contains("Varbind"));
        let none = RuleForm::from_pairs(pairs(&[("name", "r"), ("raised", "on")]));
        assert!(none.spec().unwrap_err().contains("action"));
        let quiet = RuleForm::from_pairs(pairs(&[("name", "r"), ("action", "a")]));
        assert!(quiet.spec().unwrap_err().contains("at least one change"));
    }

    #[test]
    fn spans_read_well() {
        assert_eq!(span(Duration::from_secs(30)), "30 s");
        assert_eq!(span(Duration::from_secs(300)), "5 min");
        assert_eq!(span(Duration::from_secs(14_400)), "4 h");
        assert_eq!(
            describe_grouping(&Grouping::default()),
            "by device, alarm_type; wait 30 s, interval 5 min, repeat 4 h"
        );
    }
}
