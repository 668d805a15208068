//! Rules created through the API, and their links to stored actions.

use crate::rules::RuleSpec;
use vigie_notify::db::BeginWrite;
use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    /// Its id.
    pub id: i64,
    /// The rule.
    pub spec: RuleSpec,
}

/// A device group stored through the API: a name and the devices it holds, for the rules'
/// `device_group` condition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredDeviceGroup {
    /// Its id.
    pub id: i64,
    /// Its name, unique.
    pub name: String,
    /// The device names.
    pub devices: Vec<String>,
}

/// Links the actions `spec` names to the rule `id`, in order, inside the transaction `tx`
/// (of either backend, inside [`with_pool!`]).
macro_rules! link {
    ($tx:expr, $id:expr, $spec:expr) => {
        for (position, name) in $spec.actions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO response_rule_actions (rule_id, action_id, position)
                 SELECT $1, id, $2 FROM response_actions WHERE name = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind($id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(name)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

impl Store {
    /// Every stored device group, by name.
    pub async fn device_groups(&self) -> Result<Vec<StoredDeviceGroup>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, name, devices FROM response_device_groups ORDER BY name",
            )
            .fetch_all(pool)
            .await?;
            rows.into_iter().map(group).collect()
        })
    }

    /// The device group `name`.
    pub async fn device_group(&self, name: &str) -> Result<Option<StoredDeviceGroup>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row: Option<(i64, String, String)> = sqlx::query_as(
                "SELECT id, name, devices FROM response_device_groups WHERE name = $1",
            )
            .bind(name)
            .fetch_optional(pool)
            .await?;
            row.map(group).transpose()
        })
    }

    /// Creates or replaces the device group `name`; returns whether it is new.
    pub async fn save_device_group(
        &self,
        name: &str,
        devices: &[String],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(devices).map_err(|_| invalid_group())?;
            let mut tx = pool.begin_write().await?;
            let existed: Option<i64> =
                sqlx::query_scalar("SELECT id FROM response_device_groups WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO response_device_groups (name, devices, created_at, updated_at)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (name) DO UPDATE SET devices = excluded.devices,
                     updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(json)
            .bind(now.millis())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(existed.is_none())
        })
    }

    /// Deletes the device group `name`. Returns whether it existed.
    pub async fn delete_device_group(&self, name: &str) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM response_device_groups WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Every stored rule, by id.
    pub async fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, spec FROM response_rules ORDER BY id")
                    .fetch_all(pool)
                    .await?;
            rows.into_iter().map(rule).collect()
        })
    }

    /// The rule `id`.
    pub async fn rule(&self, id: i64) -> Result<Option<StoredRule>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row: Option<(i64, String)> =
                sqlx::query_as("SELECT id, spec FROM response_rules WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            row.map(rule).transpose()
        })
    }

    /// Stores a new rule and links it to the stored actions it names (actions from the
    /// configuration file have no row and no link).
    pub async fn insert_rule(&self, spec: &RuleSpec, now: Timestamp) -> Result<i64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(spec).map_err(|_| invalid())?;
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO response_rules (name, enabled, spec, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(&spec.name)
            .bind(spec.enabled)
            .bind(json)
            .bind(now.millis())
            .fetch_one(&mut *tx)
            .await?;
            link!(tx, id, spec);
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Replaces the rule `id` and its links. Returns whether it exists.
    pub async fn update_rule(
        &self,
        id: i64,
        spec: &RuleSpec,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(spec).map_err(|_| invalid())?;
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE response_rules SET name = $1, enabled = $2, spec = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(&spec.name)
            .bind(spec.enabled)
            .bind(json)
            .bind(now.millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM response_rule_actions WHERE rule_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            link!(tx, id, spec);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Deletes the rule `id` and its links. Returns whether it existed.
    pub async fn delete_rule(&self, id: i64) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM response_rules WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

fn rule((id, json): (i64, String)) -> Result<StoredRule, StoreError> {
    let spec = serde_json::from_str(&json).map_err(|_| invalid())?;
    Ok(StoredRule { id, spec })
}

fn group((id, name, devices): (i64, String, String)) -> Result<StoredDeviceGroup, StoreError> {
    let devices = serde_json::from_str(&devices).map_err(|_| invalid_group())?;
    Ok(StoredDeviceGroup { id, name, devices })
}

fn invalid_group() -> StoreError {
    StoreError::InvalidRow {
        table: "response_device_groups",
        column: "devices",
    }
}

fn invalid() -> StoreError {
    StoreError::InvalidRow {
        table: "response_rules",
        column: "spec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::{ActionKind, ActionSpec, EmailAction};
    use crate::rules::{Condition, Grouping, Triggers};

    #[tokio::test]
    async fn rules_link_actions_which_cannot_go_while_linked() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let action = ActionSpec {
                name: "noc".into(),
                kind: ActionKind::Email(EmailAction {
                    to: vec!["noc@example.com".into()],
                    cc: Vec::new(),
                    subject: None,
                    body: None,
                }),
            };
            let action_id = store.insert_action(&action, Timestamp(1)).await.unwrap();
            let mut spec = RuleSpec {
                name: "links".into(),
                enabled: true,
                condition: Condition::AlarmType("linkDown".into()),
                triggers: Triggers::default(),
                actions: vec!["noc".into()],
                grouping: Grouping::default(),
            };
            let id = store.insert_rule(&spec, Timestamp(1)).await.unwrap();
            assert_eq!(store.rule(id).await.unwrap().unwrap().spec, spec);
            assert_eq!(
                store.delete_action(action_id).await.unwrap(),
                Some(vec!["links".to_owned()])
            );
            spec.actions.clear();
            assert!(store.update_rule(id, &spec, Timestamp(2)).await.unwrap());
            assert_eq!(
                store.delete_action(action_id).await.unwrap(),
                Some(Vec::new())
            );
            assert_eq!(store.delete_action(action_id).await.unwrap(), None);
            assert!(store.delete_rule(id).await.unwrap());
            assert!(store.rules().await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn device_groups_are_created_replaced_and_deleted() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            assert!(store.device_groups().await.unwrap().is_empty());
            let core = vec!["core-1".to_owned(), "core-2".to_owned()];
            assert!(
                store
                    .save_device_group("core", &core, Timestamp(1))
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .save_device_group("core", &core[..1], Timestamp(2))
                    .await
                    .unwrap()
            );
            let stored = store.device_group("core").await.unwrap().unwrap();
            assert_eq!(stored.devices, vec!["core-1".to_owned()]);
            assert_eq!(store.device_groups().await.unwrap(), vec![stored]);
            assert!(store.delete_device_group("core").await.unwrap());
            assert!(!store.delete_device_group("core").await.unwrap());
            assert_eq!(store.device_group("core").await.unwrap(), None);
        }
    }
}
