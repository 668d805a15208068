//! The SMTP relay's settings, set through the API; the password is stored apart and never
//! read back by the API.

use vigie_notify::Secret;

use crate::actions::SmtpSettings;
use vigie_notify::with_pool;

use crate::store::{Store, StoreError};
use crate::time::Timestamp;

impl Store {
    /// The stored SMTP settings, with their password.
    pub async fn smtp_settings(&self) -> Result<Option<SmtpSettings>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT settings, password FROM response_smtp WHERE id = 1")
                    .fetch_optional(pool)
                    .await?;
            let Some((json, password)) = row else {
                return Ok(None);
            };
            let mut settings: SmtpSettings = serde_json::from_str(&json).map_err(|_| invalid())?;
            settings.password = Secret::new(password);
            Ok(Some(settings))
        })
    }

    /// Stores `settings`. With `keep_password`, the password already stored is kept (an
    /// API update that does not repeat it).
    pub async fn save_smtp_settings(
        &self,
        settings: &SmtpSettings,
        keep_password: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let json = serde_json::to_string(settings).map_err(|_| invalid())?;
            sqlx::query(
                "INSERT INTO response_smtp (id, settings, password, updated_at) VALUES (1, $1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings,
                     password = CASE WHEN $4 THEN response_smtp.password ELSE excluded.password END,
                     updated_at = excluded.updated_at",
            )
            .bind(json)
            .bind(settings.password.expose())
            .bind(now.millis())
            .bind(keep_password)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Forgets the stored SMTP settings (the configuration file's apply again).
    pub async fn delete_smtp_settings(&self) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM response_smtp WHERE id = 1")
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

fn invalid() -> StoreError {
    StoreError::InvalidRow {
        table: "response_smtp",
        column: "settings",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_password_is_kept_unless_replaced() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            assert_eq!(store.smtp_settings().await.unwrap(), None);
            let mut settings =
                SmtpSettings::new("email-smtp.eu-west-1.amazonaws.com", 587, "a@b.c");
            settings.username = Some("AKIA".into());
            settings.password = Secret::new("first");
            store
                .save_smtp_settings(&settings, false, Timestamp(1))
                .await
                .unwrap();
            settings.password = Secret::default();
            settings.port = 2587;
            store
                .save_smtp_settings(&settings, true, Timestamp(2))
                .await
                .unwrap();
            let stored = store.smtp_settings().await.unwrap().unwrap();
            assert_eq!(stored.port, 2587);
            assert_eq!(stored.password.expose(), "first");
            assert!(store.delete_smtp_settings().await.unwrap());
            assert_eq!(store.smtp_settings().await.unwrap(), None);
        }
    }
}
