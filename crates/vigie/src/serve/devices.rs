//! `[[devices]]` into the inventory: added when missing, updated when the file changed them.
//! A device removed from the file stays in the inventory (it may have been added through the
//! API); delete it there.

use anyhow::Context as _;
use vigie_manager::store::{DeviceUpdate, NewDevice, SnmpCredentials, Store, UsmCredentials};
use vigie_snmp::Version;

use crate::config::{DeviceCredentials, DeviceSettings, PollerSettings};

/// How many devices a sync added and updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Synced {
    pub(crate) added: usize,
    pub(crate) updated: usize,
}

/// Brings the inventory in line with `devices`.
pub(crate) async fn sync_devices(
    store: &Store,
    devices: &[DeviceSettings],
    poller: &PollerSettings,
) -> anyhow::Result<Synced> {
    let mut synced = Synced::default();
    for device in devices {
        let credentials = credentials(device).await?;
        let poll_interval = device.interval.unwrap_or(poller.interval);
        let existing = store
            .device_by_name(&device.name)
            .await
            .context("reading the inventory")?;
        match existing {
            None => {
                store
                    .create_device(
                        &NewDevice {
                            name: device.name.clone(),
                            address: device.address,
                            port: device.port,
                            poll_interval,
                            enabled: device.enabled,
                            credentials,
                        },
                        super::now(),
                    )
                    .await
                    .with_context(|| format!("adding device {:?}", device.name))?;
                synced.added += 1;
            }
            Some(stored)
                if stored.address != device.address
                    || stored.port != device.port
                    || stored.poll_interval() != poll_interval
                    || stored.enabled != device.enabled
                    || stored.credentials != credentials =>
            {
                store
                    .update_device(
                        stored.id,
                        &DeviceUpdate {
                            address: Some(device.address),
                            port: Some(device.port),
                            poll_interval: Some(poll_interval),
                            enabled: Some(device.enabled),
                            credentials: Some(credentials),
                            ..DeviceUpdate::default()
                        },
                    )
                    .await
                    .with_context(|| format!("updating device {:?}", device.name))?;
                synced.updated += 1;
            }
            Some(_) => {}
        }
    }
    Ok(synced)
}

/// The store's form of a device's credentials; USM passwords become master keys, a megabyte
/// of hashing each, off the runtime's threads.
async fn credentials(device: &DeviceSettings) -> anyhow::Result<SnmpCredentials> {
    let name = device.name.clone();
    let invalid = move |error: vigie_manager::store::InvalidCredentials| {
        anyhow::anyhow!("device {name:?}: {error}")
    };
    match &device.credentials {
        DeviceCredentials::Community { version, community } => {
            let community = community.expose().as_bytes().to_vec();
            match version {
                Version::V1 => SnmpCredentials::v1(community),
                _ => SnmpCredentials::v2c(community),
            }
            .map_err(invalid)
        }
        DeviceCredentials::Usm(user) => {
            let user = user.clone();
            tokio::task::spawn_blocking(move || {
                UsmCredentials::from_passwords(
                    &user.name,
                    user.auth
                        .as_ref()
                        .map(|(protocol, password)| (*protocol, password.expose().as_bytes())),
                    user.privacy
                        .as_ref()
                        .map(|(protocol, password)| (*protocol, password.expose().as_bytes())),
                )
            })
            .await
            .context("hashing USM passwords")?
            .map(SnmpCredentials::V3)
            .map_err(invalid)
        }
    }
}
