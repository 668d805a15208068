//! Which devices of the inventory the configuration file declares (`[[devices]]`), so that a
//! reload removes those the file no longer declares without touching the devices created
//! through the API or the web UI.

use super::{Store, StoreError};

impl Store {
    /// The names of the devices the configuration file declared at the last sync, sorted.
    pub async fn file_devices(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM file_devices ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Records `names` as the devices the configuration file declares, in place of the
    /// previous list, in one transaction.
    pub async fn set_file_devices(&self, names: &[String]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM file_devices")
            .execute(&mut *tx)
            .await?;
        for name in names {
            sqlx::query("INSERT INTO file_devices (name) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Durability, Store};

    #[tokio::test]
    async fn the_list_is_replaced_as_a_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("v.db"), Durability::Normal)
            .await
            .unwrap();
        assert!(store.file_devices().await.unwrap().is_empty());
        store
            .set_file_devices(&["sw2".into(), "sw1".into(), "sw1".into()])
            .await
            .unwrap();
        assert_eq!(store.file_devices().await.unwrap(), ["sw1", "sw2"]);
        store.set_file_devices(&["sw3".into()]).await.unwrap();
        assert_eq!(store.file_devices().await.unwrap(), ["sw3"]);
    }
}
