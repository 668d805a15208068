//! Administration of API tokens by name, for `vigie token list` and `vigie token revoke`.
//! Creating a token and setting the admin password are in `credentials.rs`.

use serde::Serialize;

use vigie_notify::db::DbRow;
use vigie_notify::with_pool;

use crate::store::{Store, StoreError, TokenId};
use crate::time::Timestamp;

/// An API token as listed: never the token itself, which only its creator saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its id.
    pub id: TokenId,
    /// The name it was created with.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Store {
    /// Every API token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows = sqlx::query("SELECT id, name, created_at FROM api_tokens ORDER BY id")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(TokenInfo {
                        id: TokenId(row.try_get("id")?),
                        name: row.try_get("name")?,
                        created_at: Timestamp(row.try_get("created_at")?),
                    })
                })
                .collect()
        })
    }

    /// Revokes every token named `name`; returns how many there were.
    pub async fn revoke_tokens_named(&self, name: &str) -> Result<u64, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM api_tokens WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lists_and_revokes_tokens_by_name() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let grafana = store.create_token("grafana", Timestamp(1)).await.unwrap();
            store.create_token("ci", Timestamp(2)).await.unwrap();
            let listed = store.tokens().await.unwrap();
            assert_eq!(
                listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
                ["grafana", "ci"]
            );
            assert!(!format!("{listed:?}").contains(grafana.expose()));
            assert_eq!(store.revoke_tokens_named("grafana").await.unwrap(), 1);
            assert_eq!(store.revoke_tokens_named("grafana").await.unwrap(), 0);
            assert!(store.check_token(grafana.expose()).await.unwrap().is_none());
            assert_eq!(store.tokens().await.unwrap().len(), 1);
        }
    }
}
