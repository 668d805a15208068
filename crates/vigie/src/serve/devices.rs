//! `[[devices]]` into the inventory: added when missing, updated when the file changed them,
//! deleted when the file no longer declares them. The store remembers which devices the file
//! declared (`Store::file_devices`), so that a device removed from the file while vigie was
//! stopped goes too, and devices created through the API or the web UI are never touched.
//!
//! Deleted rather than disabled: the file is the source of truth for what it declares (as
//! Prometheus' static targets), a disabled leftover would keep its name taken for the API,
//! and the device's events and alarms stay in the history either way (they are stored by
//! name and address, not by the inventory row).

use anyhow::Context as _;
use vigie_manager::store::{DeviceUpdate, NewDevice, SnmpCredentials, Store, UsmCredentials};
use vigie_snmp::Version;

use crate::config::{DeviceCredentials, DeviceSettings, PollerSettings};

/// How many devices a sync added, updated and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Synced {
    pub(crate) added: usize,
    pub(crate) updated: usize,
    pub(crate) removed: usize,
}

impl Synced {
    /// Whether the inventory changed.
    pub(crate) fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
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
    let declared: Vec<String> = devices.iter().map(|device| device.name.clone()).collect();
    let previous = store
        .file_devices()
        .await
        .context("reading the inventory")?;
    for name in previous.iter().filter(|name| !declared.contains(name)) {
        let Some(stored) = store
            .device_by_name(name)
            .await
            .context("reading the inventory")?
        else {
            continue;
        };
        if store
            .delete_device(stored.id)
            .await
            .with_context(|| format!("removing device {name:?}"))?
        {
            tracing::info!(device = %name, "removed from the inventory: no longer in [[devices]]");
            synced.removed += 1;
        }
    }
    store
        .set_file_devices(&declared)
        .await
        .context("recording the devices of [[devices]]")?;
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

#[cfg(test)]
mod tests {
    use vigie_manager::store::Durability;

    use super::*;
    use crate::config::Config;

    fn devices(text: &str) -> (Vec<DeviceSettings>, PollerSettings) {
        let config = Config::parse("vigie.toml", text).unwrap();
        (config.devices, config.poller)
    }

    #[tokio::test]
    async fn devices_gone_from_the_file_leave_and_the_apis_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("v.db"), Durability::Normal)
            .await
            .unwrap();
        let two = "[[devices]]\nname = \"a\"\naddress = \"192.0.2.1\"\ncommunity = \"c\"\n\
                   [[devices]]\nname = \"b\"\naddress = \"192.0.2.2\"\ncommunity = \"c\"\n";
        let (listed, poller) = devices(two);
        let synced = sync_devices(&store, &listed, &poller).await.unwrap();
        assert_eq!((synced.added, synced.removed), (2, 0));
        let api = NewDevice {
            name: "api".into(),
            address: "192.0.2.3".parse().unwrap(),
            port: 161,
            poll_interval: poller.interval,
            enabled: true,
            credentials: SnmpCredentials::v2c(b"c".to_vec()).unwrap(),
        };
        store
            .create_device(&api, super::super::now())
            .await
            .unwrap();

        let (listed, poller) = devices(&two.replace("name = \"a\"", "name = \"c\""));
        let synced = sync_devices(&store, &listed, &poller).await.unwrap();
        assert_eq!((synced.added, synced.updated, synced.removed), (1, 0, 1));
        let names: Vec<String> = store
            .devices()
            .await
            .unwrap()
            .into_iter()
            .map(|device| device.name)
            .collect();
        assert_eq!(names, ["api", "b", "c"]);
        assert_eq!(store.file_devices().await.unwrap(), ["b", "c"]);

        // Nothing declared: the file's devices go, the API's stays.
        let synced = sync_devices(&store, &[], &poller).await.unwrap();
        assert_eq!(synced.removed, 2);
        assert_eq!(store.devices().await.unwrap().len(), 1);
    }
}
