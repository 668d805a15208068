//! Actions created through the API. Each action's secret (webhook key, community) is stored
//! in its own column, outside the JSON the API shows.

use vigie_notify::Secret;
use vigie_notify::db::BeginWrite;

use crate::actions::{ActionKind, ActionSpec};
use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// A stored action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAction {
    /// Its id.
    pub id: i64,
    /// The action, with its secret.
    pub spec: ActionSpec,
}

impl Store {
    /// Every stored action, by id.
    pub async fn actions(&self) -> Result<Vec<StoredAction>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT id, spec, secret FROM response_actions ORDER BY id")
                    .fetch_all(pool)
                    .await?;
            rows.into_iter().map(action).collect()
        })
    }

    /// The action `id`.
    pub async fn action(&self, id: i64) -> Result<Option<StoredAction>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row: Option<(i64, String, String)> =
                sqlx::query_as("SELECT id, spec, secret FROM response_actions WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            row.map(action).transpose()
        })
    }

    /// Stores a new action; its name must be unused.
    pub async fn insert_action(
        &self,
        spec: &ActionSpec,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(spec).map_err(|_| invalid())?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO response_actions (name, kind, spec, secret, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(&spec.name)
            .bind(spec.kind.name())
            .bind(json)
            .bind(secret(&spec.kind))
            .bind(now.millis())
            .fetch_one(pool)
            .await?;
            Ok(id)
        })
    }

    /// Replaces the action `id`; an empty secret keeps the stored one. Returns whether it
    /// exists.
    pub async fn update_action(
        &self,
        id: i64,
        spec: &ActionSpec,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(spec).map_err(|_| invalid())?;
            let done = sqlx::query(
                "UPDATE response_actions SET name = $1, kind = $2, spec = $3,
                     secret = CASE WHEN $4 = '' THEN secret ELSE $4 END, updated_at = $5
                 WHERE id = $6",
            )
            .bind(&spec.name)
            .bind(spec.kind.name())
            .bind(json)
            .bind(secret(&spec.kind))
            .bind(now.millis())
            .bind(id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Deletes the action `id`: `Ok(None)` when it does not exist, `Ok(Some(rules))` with
    /// the names of the rules that still use it (then nothing is deleted).
    pub async fn delete_action(&self, id: i64) -> Result<Option<Vec<String>>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut tx = pool.begin_write().await?;
            let users: Vec<String> = sqlx::query_scalar(
                "SELECT r.name FROM response_rule_actions l JOIN response_rules r ON r.id = l.rule_id
                 WHERE l.action_id = $1 ORDER BY r.name",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            if !users.is_empty() {
                return Ok(Some(users));
            }
            let done = sqlx::query("DELETE FROM response_actions WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((done.rows_affected() == 1).then(Vec::new))
        })
    }
}

/// The secret column of an action: the webhook key, the community, or for an SNMPv3
/// forward its two passwords as a JSON array; empty when none is given (an update then
/// keeps the stored one).
fn secret(kind: &ActionKind) -> String {
    match kind {
        ActionKind::Webhook(hook) => hook.secret.expose().to_owned(),
        ActionKind::TrapForward(forward) => match &forward.usm {
            None => forward.community.expose().to_owned(),
            Some(usm) if usm.auth_password.is_empty() && usm.priv_password.is_empty() => {
                String::new()
            }
            Some(usm) => {
                let pair = [usm.auth_password.expose(), usm.priv_password.expose()];
                // An array of two strings always serialises.
                serde_json::to_string(&pair).unwrap_or_default()
            }
        },
        _ => String::new(),
    }
}

fn action((id, json, stored_secret): (i64, String, String)) -> Result<StoredAction, StoreError> {
    let mut spec: ActionSpec = serde_json::from_str(&json).map_err(|_| invalid())?;
    match &mut spec.kind {
        ActionKind::Webhook(hook) => hook.secret = Secret::new(stored_secret),
        ActionKind::TrapForward(forward) => match &mut forward.usm {
            None => forward.community = Secret::new(stored_secret),
            Some(usm) => {
                if !stored_secret.is_empty() {
                    let [auth, privacy]: [String; 2] = serde_json::from_str(&stored_secret)
                        .map_err(|_| StoreError::InvalidRow {
                            table: "response_actions",
                            column: "secret",
                        })?;
                    usm.auth_password = Secret::new(auth);
                    usm.priv_password = Secret::new(privacy);
                }
            }
        },
        _ => {}
    }
    Ok(StoredAction { id, spec })
}

fn invalid() -> StoreError {
    StoreError::InvalidRow {
        table: "response_actions",
        column: "spec",
    }
}
