//! The inventory's devices.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::store::{Store, StoreError, parse_column};
use crate::time::Timestamp;

/// A device's identity in the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub i64);

/// A device to add to the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    /// A unique name, e.g. `core-sw1`.
    pub name: String,
    /// Its SNMP address.
    pub address: IpAddr,
    /// Its SNMP port, 161 by default.
    pub port: u16,
    /// How often to poll it.
    pub poll_interval: Duration,
    /// Whether to poll it.
    pub enabled: bool,
}

/// A device of the inventory, with what discovery learnt about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Its id.
    pub id: DeviceId,
    /// Its unique name.
    pub name: String,
    /// Its SNMP address.
    pub address: IpAddr,
    /// Its SNMP port.
    pub port: u16,
    /// Seconds between polls.
    pub poll_interval_s: u64,
    /// Whether it is polled.
    pub enabled: bool,
    /// `sysDescr.0`, once discovered.
    pub sys_descr: Option<String>,
    /// `sysObjectID.0`, once discovered.
    pub sys_object_id: Option<String>,
    /// When it was added.
    pub created_at: Timestamp,
}

impl Store {
    /// Adds a device; fails with `DuplicateDevice` if the name is taken.
    pub async fn create_device(
        &self,
        device: &NewDevice,
        now: Timestamp,
    ) -> Result<Device, StoreError> {
        let interval = i64::try_from(device.poll_interval.as_secs()).unwrap_or(i64::MAX);
        let row = sqlx::query(
            "INSERT INTO devices (name, address, port, poll_interval_s, enabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(&device.name)
        .bind(device.address.to_string())
        .bind(device.port)
        .bind(interval)
        .bind(device.enabled)
        .bind(now.millis())
        .fetch_one(&self.pool)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::DuplicateDevice(device.name.clone())
            }
            _ => StoreError::Database(error),
        })?;
        device_from_row(&row)
    }

    /// Every device, by name.
    pub async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query("SELECT * FROM devices ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(device_from_row).collect()
    }

    /// The device with this id.
    pub async fn device(&self, id: DeviceId) -> Result<Option<Device>, StoreError> {
        let row = sqlx::query("SELECT * FROM devices WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(device_from_row).transpose()
    }

    /// The device with this name.
    pub async fn device_by_name(&self, name: &str) -> Result<Option<Device>, StoreError> {
        let row = sqlx::query("SELECT * FROM devices WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(device_from_row).transpose()
    }

    /// Records what discovery read from the device.
    pub async fn set_device_system(
        &self,
        id: DeviceId,
        sys_descr: &str,
        sys_object_id: &str,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE devices SET sys_descr = $1, sys_object_id = $2 WHERE id = $3")
                .bind(sys_descr)
                .bind(sys_object_id)
                .bind(id.0)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a device; false if there was none with this id.
    pub async fn delete_device(&self, id: DeviceId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM devices WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn device_from_row(row: &SqliteRow) -> Result<Device, StoreError> {
    Ok(Device {
        id: DeviceId(row.try_get("id")?),
        name: row.try_get("name")?,
        address: parse_column(row.try_get("address")?, "devices", "address")?,
        port: row.try_get("port")?,
        poll_interval_s: u64::try_from(row.try_get::<i64, _>("poll_interval_s")?).map_err(
            |_| StoreError::InvalidRow {
                table: "devices",
                column: "poll_interval_s",
            },
        )?,
        enabled: row.try_get("enabled")?,
        sys_descr: row.try_get("sys_descr")?,
        sys_object_id: row.try_get("sys_object_id")?,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}
