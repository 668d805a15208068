//! The interfaces discovery found on each device (IF-MIB, RFC 2863).

use serde::Serialize;
use vigie_notify::db::BeginWrite;

use vigie_notify::db::DbRow;
use vigie_notify::with_pool;

use crate::store::{DeviceId, Store, StoreError};
use crate::time::Timestamp;

/// One row of a device's `ifTable` and `ifXTable` (RFC 2863 §6), as discovery read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interface {
    /// `ifIndex`.
    pub if_index: u32,
    /// `ifName` (ifXTable), e.g. `eth0`.
    pub if_name: Option<String>,
    /// `ifDescr`.
    pub if_descr: Option<String>,
    /// `ifAlias` (ifXTable), the operator's description.
    pub if_alias: Option<String>,
    /// `ifType` (`IANAifType`), e.g. 6 for `ethernetCsmacd`.
    pub if_type: Option<i32>,
    /// Bits per second: `ifHighSpeed` × 10⁶ when known, else `ifSpeed`.
    pub speed_bps: Option<u64>,
    /// `ifAdminStatus`: up(1), down(2), testing(3).
    pub admin_status: Option<i32>,
    /// `ifOperStatus`: up(1), down(2), testing(3), unknown(4), dormant(5), notPresent(6),
    /// lowerLayerDown(7).
    pub oper_status: Option<i32>,
}

/// What discovery read from a device's system group and interface tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// `sysDescr.0`.
    pub sys_descr: Option<String>,
    /// `sysObjectID.0`, dotted.
    pub sys_object_id: Option<String>,
    /// `sysName.0`.
    pub sys_name: Option<String>,
    /// The interfaces, by `ifIndex`.
    pub interfaces: Vec<Interface>,
}

impl Store {
    /// Stores a discovery of `device` made at `now`: its system fields, and its interfaces in
    /// place of the previous ones, in one transaction. False if the device is gone.
    pub async fn record_discovery(
        &self,
        device: DeviceId,
        discovery: &Discovery,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE devices SET sys_descr = $1, sys_object_id = $2, sys_name = $3, \
                 discovered_at = $4 WHERE id = $5",
            )
            .bind(&discovery.sys_descr)
            .bind(&discovery.sys_object_id)
            .bind(&discovery.sys_name)
            .bind(now.millis())
            .bind(device.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM interfaces WHERE device_id = $1")
                .bind(device.0)
                .execute(&mut *tx)
                .await?;
            for interface in &discovery.interfaces {
                sqlx::query(
                    "INSERT INTO interfaces (device_id, if_index, if_name, if_descr, if_alias, \
                     if_type, speed_bps, admin_status, oper_status) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(device.0)
                .bind(i64::from(interface.if_index))
                .bind(&interface.if_name)
                .bind(&interface.if_descr)
                .bind(&interface.if_alias)
                .bind(interface.if_type)
                .bind(
                    interface
                        .speed_bps
                        .map(|speed| i64::try_from(speed).unwrap_or(i64::MAX)),
                )
                .bind(interface.admin_status)
                .bind(interface.oper_status)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The interfaces of `device`, by `ifIndex`.
    pub async fn interfaces(&self, device: DeviceId) -> Result<Vec<Interface>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows =
                sqlx::query("SELECT * FROM interfaces WHERE device_id = $1 ORDER BY if_index")
                    .bind(device.0)
                    .fetch_all(pool)
                    .await?;
            let invalid = |column| StoreError::InvalidRow {
                table: "interfaces",
                column,
            };
            rows.iter()
                .map(|row| {
                    Ok(Interface {
                        if_index: u32::try_from(row.try_get::<i64, _>("if_index")?)
                            .map_err(|_| invalid("if_index"))?,
                        if_name: row.try_get("if_name")?,
                        if_descr: row.try_get("if_descr")?,
                        if_alias: row.try_get("if_alias")?,
                        if_type: row.try_get("if_type")?,
                        speed_bps: row
                            .try_get::<Option<i64>, _>("speed_bps")?
                            .map(|speed| u64::try_from(speed).map_err(|_| invalid("speed_bps")))
                            .transpose()?,
                        admin_status: row.try_get("admin_status")?,
                        oper_status: row.try_get("oper_status")?,
                    })
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::{NewDevice, SnmpCredentials};

    #[tokio::test]
    async fn discovery_replaces_interfaces_and_deleting_the_device_removes_them() {
        for (dir, store) in crate::store::test_stores().await {
            let _ = &dir;
            let device = store
                .create_device(
                    &NewDevice {
                        name: "r1".into(),
                        address: "192.0.2.1".parse().unwrap(),
                        port: 161,
                        poll_interval: Duration::from_secs(60),
                        enabled: true,
                        credentials: SnmpCredentials::v2c("public").unwrap(),
                    },
                    Timestamp(1),
                )
                .await
                .unwrap();
            let eth0 = Interface {
                if_index: 2,
                if_name: Some("eth0".into()),
                speed_bps: Some(10_000_000_000),
                oper_status: Some(1),
                ..Interface::default()
            };
            let mut discovery = Discovery {
                sys_descr: Some("Linux r1".into()),
                sys_object_id: Some("1.3.6.1.4.1.8072.3.2.10".into()),
                sys_name: Some("r1".into()),
                interfaces: vec![Interface {
                    if_index: 1,
                    if_name: Some("lo".into()),
                    ..Interface::default()
                }],
            };
            assert!(
                store
                    .record_discovery(device.id, &discovery, Timestamp(5))
                    .await
                    .unwrap()
            );
            discovery.interfaces = vec![eth0.clone()];
            assert!(
                store
                    .record_discovery(device.id, &discovery, Timestamp(6))
                    .await
                    .unwrap()
            );
            assert_eq!(store.interfaces(device.id).await.unwrap(), vec![eth0]);
            let read = store.device(device.id).await.unwrap().unwrap();
            assert_eq!(read.sys_name.as_deref(), Some("r1"));
            assert_eq!(read.discovered_at, Some(Timestamp(6)));
            assert!(store.delete_device(device.id).await.unwrap());
            assert!(store.interfaces(device.id).await.unwrap().is_empty());
            assert!(
                !store
                    .record_discovery(device.id, &discovery, Timestamp(7))
                    .await
                    .unwrap()
            );
        }
    }
}
