//! Which devices of the inventory the configuration file declares (`[[devices]]`), so that a
//! reload removes those the file no longer declares without touching the devices created
//! through the API or the web UI.

use vigie_notify::db::BeginWrite;
use vigie_notify::with_pool;

use super::{Store, StoreError};

impl Store {
    /// The names of the devices the configuration file declared at the last sync, sorted.
    pub async fn file_devices(&self) -> Result<Vec<String>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            Ok(
                sqlx::query_scalar("SELECT name FROM file_devices ORDER BY name")
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    /// Records `names` as the devices the configuration file declares, in place of the
    /// previous list, in one transaction.
    pub async fn set_file_devices(&self, names: &[String]) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut tx = pool.begin_write().await?;
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
        })
    }
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn the_list_is_replaced_as_a_whole() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
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
}
