//! The inventory's devices and their SNMP credentials.
//!
//! Credentials are secrets: they are stored so that the poller can use them, and never
//! serialised back. A [`Device`] serialises its credentials as a summary (version, user,
//! security level, protocols). USM passwords are turned into master keys (Ku, RFC 3414 §2.6)
//! before they are stored, so the database never holds a password a person chose.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use vigie_notify::db::BeginWrite;

use bytes::Bytes;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;
use vigie_net::Session;
use vigie_snmp::engine::UsmUser;
use vigie_snmp::usm::{AuthProtocol, Credentials, KeyInput, PrivProtocol, UsmError};
use vigie_snmp::{SecurityLevel, Version};

use vigie_notify::db::DbRow;
use vigie_notify::with_pool;

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
    /// How to speak to it.
    pub credentials: SnmpCredentials,
}

/// A change to a device: the fields that are `Some` are replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceUpdate {
    /// A new unique name.
    pub name: Option<String>,
    /// A new address.
    pub address: Option<IpAddr>,
    /// A new port.
    pub port: Option<u16>,
    /// A new poll interval.
    pub poll_interval: Option<Duration>,
    /// Enable or disable polling.
    pub enabled: Option<bool>,
    /// New credentials.
    pub credentials: Option<SnmpCredentials>,
}

/// A device of the inventory, with what discovery learnt about it.
///
/// Serialised for the API with its credentials summarised, never their secrets.
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
    /// How to speak to it; serialised as a summary without secrets (field `snmp`).
    #[serde(rename = "snmp")]
    pub credentials: SnmpCredentials,
    /// `sysDescr.0`, once discovered.
    pub sys_descr: Option<String>,
    /// `sysObjectID.0`, once discovered.
    pub sys_object_id: Option<String>,
    /// `sysName.0`, once discovered.
    pub sys_name: Option<String>,
    /// When discovery last succeeded.
    pub discovered_at: Option<Timestamp>,
    /// When it was added.
    pub created_at: Timestamp,
}

impl Device {
    /// The agent's UDP address.
    pub fn target(&self) -> SocketAddr {
        SocketAddr::new(self.address, self.port)
    }

    /// How often it is polled.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.poll_interval_s)
    }
}

/// How to speak to a device: SNMPv1 or v2c with a community, or SNMPv3 with a USM user.
///
/// `Debug` and `Serialize` show the version, the user and the protocols, never a community
/// or a key.
#[derive(Clone, PartialEq, Eq)]
pub enum SnmpCredentials {
    /// SNMPv1 with this community.
    V1 {
        /// The community (a secret).
        community: Bytes,
    },
    /// SNMPv2c with this community.
    V2c {
        /// The community (a secret).
        community: Bytes,
    },
    /// SNMPv3 with a USM user.
    V3(UsmCredentials),
}

/// An SNMPv3 user as the poller uses it: its name and master keys (RFC 3414 §2.6).
#[derive(Clone, PartialEq, Eq)]
pub struct UsmCredentials {
    user: String,
    auth: Option<(AuthProtocol, Vec<u8>)>,
    privacy: Option<(PrivProtocol, Vec<u8>)>,
    context: String,
}

/// Credentials that cannot be used: a password too short, a key of the wrong length, privacy
/// without authentication, an unknown protocol name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidCredentials {
    /// The USM refused a password, key or protocol.
    #[error("{0}")]
    Usm(#[from] UsmError),
    /// Privacy needs authentication (RFC 3414 §3.1.1: authPriv, never privNoAuth).
    #[error("SNMPv3 privacy needs authentication")]
    PrivacyWithoutAuth,
    /// A v3 user name is 1 to 32 octets (RFC 3414 §5, `SnmpAdminString (SIZE(1..32))`).
    #[error("an SNMPv3 user name has 1 to 32 octets")]
    UserName,
    /// A community is 1 to 255 octets.
    #[error("a community has 1 to 255 octets")]
    Community,
}

impl SnmpCredentials {
    /// SNMPv2c with `community`.
    pub fn v2c(community: impl Into<Bytes>) -> Result<Self, InvalidCredentials> {
        Ok(Self::V2c {
            community: checked_community(community.into())?,
        })
    }

    /// SNMPv1 with `community`.
    pub fn v1(community: impl Into<Bytes>) -> Result<Self, InvalidCredentials> {
        Ok(Self::V1 {
            community: checked_community(community.into())?,
        })
    }

    /// The SNMP version these credentials speak.
    pub fn version(&self) -> Version {
        match self {
            Self::V1 { .. } => Version::V1,
            Self::V2c { .. } => Version::V2c,
            Self::V3(_) => Version::V3,
        }
    }

    /// A session to `target` with these credentials, `timeout` and `retries`.
    pub fn session(
        &self,
        target: SocketAddr,
        timeout: Duration,
        retries: u32,
    ) -> Result<Session, InvalidCredentials> {
        let mut session = match self {
            Self::V1 { community } => Session::new(target, Version::V1, community.clone()),
            Self::V2c { community } => Session::new(target, Version::V2c, community.clone()),
            Self::V3(usm) => Session::v3(target, usm.user()?),
        };
        session.timeout = timeout;
        session.retries = retries;
        Ok(session)
    }

    /// The stored form (see `migrations/0002_inventory.sql`).
    fn to_stored(&self) -> String {
        let value = match self {
            Self::V1 { community } => json!({ "version": "v1", "community": hex(community) }),
            Self::V2c { community } => json!({ "version": "v2c", "community": hex(community) }),
            Self::V3(usm) => json!({
                "version": "v3",
                "user": usm.user,
                "auth": usm.auth.as_ref().map(|(protocol, key)| {
                    json!({ "protocol": protocol.name(), "key": hex(key) })
                }),
                "privacy": usm.privacy.as_ref().map(|(protocol, key)| {
                    json!({ "protocol": protocol.name(), "key": hex(key) })
                }),
                "context": usm.context,
            }),
        };
        value.to_string()
    }

    /// Parses the stored form back.
    fn from_stored(text: &str) -> Option<Self> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        Some(match stored.version.as_str() {
            "v1" => Self::V1 {
                community: Bytes::from(unhex(stored.community.as_deref()?)?),
            },
            "v2c" => Self::V2c {
                community: Bytes::from(unhex(stored.community.as_deref()?)?),
            },
            "v3" => {
                let auth = match stored.auth {
                    Some(key) => Some((key.protocol.parse().ok()?, unhex(&key.key)?)),
                    None => None,
                };
                let privacy = match stored.privacy {
                    Some(key) => Some((key.protocol.parse().ok()?, unhex(&key.key)?)),
                    None => None,
                };
                Self::V3(UsmCredentials {
                    user: stored.user?,
                    auth,
                    privacy,
                    context: stored.context.unwrap_or_default(),
                })
            }
            _ => return None,
        })
    }
}

impl UsmCredentials {
    /// A user with optional authentication and privacy passwords (each at least 8 octets,
    /// RFC 3414 §11.2), turned into master keys here: a megabyte of hashing each, so call it
    /// off the async runtime when many are built.
    pub fn from_passwords(
        user: &str,
        auth: Option<(AuthProtocol, &[u8])>,
        privacy: Option<(PrivProtocol, &[u8])>,
    ) -> Result<Self, InvalidCredentials> {
        if user.is_empty() || user.len() > MAX_USER_LEN {
            return Err(InvalidCredentials::UserName);
        }
        let auth = auth
            .map(|(protocol, password)| {
                let key = protocol.password_to_key(password)?;
                Ok::<_, InvalidCredentials>((protocol, key.as_bytes().to_vec()))
            })
            .transpose()?;
        let privacy = match (privacy, &auth) {
            (None, _) => None,
            (Some(_), None) => return Err(InvalidCredentials::PrivacyWithoutAuth),
            // The privacy key is derived with the authentication hash (RFC 3414 §2.6,
            // RFC 3826 §1.2).
            (Some((protocol, password)), Some((hash, _))) => Some((
                protocol,
                hash.password_to_key(password)?.as_bytes().to_vec(),
            )),
        };
        let usm = Self {
            user: user.to_owned(),
            auth,
            privacy,
            context: String::new(),
        };
        // Checks the key lengths once, so that polling cannot fail on them later.
        usm.user()?;
        Ok(usm)
    }

    /// The same user in SNMPv3 context `context` (empty: the default context).
    pub fn with_context(self, context: impl Into<String>) -> Self {
        Self {
            context: context.into(),
            ..self
        }
    }

    /// The user name.
    pub fn user_name(&self) -> &str {
        &self.user
    }

    /// noAuthNoPriv, authNoPriv or authPriv, from the keys present.
    pub fn level(&self) -> SecurityLevel {
        match (&self.auth, &self.privacy) {
            (None, _) => SecurityLevel::NoAuthNoPriv,
            (Some(_), None) => SecurityLevel::AuthNoPriv,
            (Some(_), Some(_)) => SecurityLevel::AuthPriv,
        }
    }

    /// The engine-level user for a v3 session (engine discovered by the client).
    fn user(&self) -> Result<UsmUser, InvalidCredentials> {
        let credentials = match &self.auth {
            None => None,
            Some((protocol, key)) => {
                let credentials = Credentials::new(*protocol, KeyInput::MasterKey(key))?;
                Some(match &self.privacy {
                    Some((privacy, key)) => {
                        credentials.with_privacy(*privacy, KeyInput::MasterKey(key))?
                    }
                    None => credentials,
                })
            }
        };
        let mut user = UsmUser::new(self.user.clone().into_bytes(), self.level(), credentials)?;
        user.context_name = Bytes::from(self.context.clone().into_bytes());
        Ok(user)
    }
}

impl fmt::Debug for SnmpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V1 { .. } => f.write_str("V1 { community: *** }"),
            Self::V2c { .. } => f.write_str("V2c { community: *** }"),
            Self::V3(usm) => f.debug_tuple("V3").field(usm).finish(),
        }
    }
}

impl fmt::Debug for UsmCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsmCredentials")
            .field("user", &self.user)
            .field("auth", &self.auth.as_ref().map(|(protocol, _)| protocol))
            .field(
                "privacy",
                &self.privacy.as_ref().map(|(protocol, _)| protocol),
            )
            .field("context", &self.context)
            .finish()
    }
}

/// The summary the API shows: `{"version":"v3","user":"ops","level":"authPriv",
/// "auth":"SHA-256","privacy":"AES"}`, or `{"version":"v2c"}`; never a secret.
impl Serialize for SnmpCredentials {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self::V3(usm) = self else {
            let mut summary = serializer.serialize_struct("SnmpCredentials", 1)?;
            summary.serialize_field("version", version_name(self.version()))?;
            return summary.end();
        };
        let mut summary = serializer.serialize_struct("SnmpCredentials", 6)?;
        summary.serialize_field("version", "v3")?;
        summary.serialize_field("user", &usm.user)?;
        summary.serialize_field(
            "level",
            match usm.level() {
                SecurityLevel::NoAuthNoPriv => "noAuthNoPriv",
                SecurityLevel::AuthNoPriv => "authNoPriv",
                SecurityLevel::AuthPriv => "authPriv",
            },
        )?;
        summary.serialize_field("auth", &usm.auth.as_ref().map(|(p, _)| p.name()))?;
        summary.serialize_field("privacy", &usm.privacy.as_ref().map(|(p, _)| p.name()))?;
        summary.serialize_field("context", &usm.context)?;
        summary.end()
    }
}

impl Store {
    /// Adds a device; fails with `DuplicateDevice` if the name is taken.
    pub async fn create_device(
        &self,
        device: &NewDevice,
        now: Timestamp,
    ) -> Result<Device, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let interval = i64::try_from(device.poll_interval.as_secs()).unwrap_or(i64::MAX);
            let row = sqlx::query(
                "INSERT INTO devices \
                 (name, address, port, poll_interval_s, enabled, credentials, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            )
            .bind(&device.name)
            .bind(device.address.to_string())
            .bind(i64::from(device.port))
            .bind(interval)
            .bind(device.enabled)
            .bind(device.credentials.to_stored())
            .bind(now.millis())
            .fetch_one(pool)
            .await
            .map_err(|error| duplicate_or(error, &device.name))?;
            let created = device_from_row(&row)?;
            self.inventory_changed();
            Ok(created)
        })
    }

    /// Every device, by name.
    pub async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let rows = sqlx::query("SELECT * FROM devices ORDER BY name")
                .fetch_all(pool)
                .await?;
            rows.iter().map(device_from_row).collect()
        })
    }

    /// The device with this id.
    pub async fn device(&self, id: DeviceId) -> Result<Option<Device>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row = sqlx::query("SELECT * FROM devices WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(device_from_row).transpose()
        })
    }

    /// The device with this name.
    pub async fn device_by_name(&self, name: &str) -> Result<Option<Device>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let row = sqlx::query("SELECT * FROM devices WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(device_from_row).transpose()
        })
    }

    /// Applies `update` to the device `id`; `None` if there is no such device, and
    /// `DuplicateDevice` if the new name is taken.
    pub async fn update_device(
        &self,
        id: DeviceId,
        update: &DeviceUpdate,
    ) -> Result<Option<Device>, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let mut tx = pool.begin_write().await?;
            // A write first: the transaction takes the write lock now, waiting for other
            // writers, rather than reading first and failing at once with SQLITE_BUSY when it
            // upgrades a read snapshot that a concurrent commit (trap intake) made stale.
            let locked = sqlx::query("UPDATE devices SET id = id WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            if locked.rows_affected() == 0 {
                return Ok(None);
            }
            let Some(row) = sqlx::query("SELECT * FROM devices WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(None);
            };
            let mut device = device_from_row(&row)?;
            if let Some(name) = &update.name {
                device.name.clone_from(name);
            }
            device.address = update.address.unwrap_or(device.address);
            device.port = update.port.unwrap_or(device.port);
            if let Some(interval) = update.poll_interval {
                device.poll_interval_s = interval.as_secs();
            }
            device.enabled = update.enabled.unwrap_or(device.enabled);
            if let Some(credentials) = &update.credentials {
                device.credentials = credentials.clone();
            }
            let row = sqlx::query(
                "UPDATE devices SET name = $1, address = $2, port = $3, poll_interval_s = $4, \
                 enabled = $5, credentials = $6 WHERE id = $7 RETURNING *",
            )
            .bind(&device.name)
            .bind(device.address.to_string())
            .bind(i64::from(device.port))
            .bind(i64::try_from(device.poll_interval_s).unwrap_or(i64::MAX))
            .bind(device.enabled)
            .bind(device.credentials.to_stored())
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(|error| duplicate_or(error, &device.name))?;
            let updated = device_from_row(&row)?;
            tx.commit().await?;
            self.inventory_changed();
            Ok(Some(updated))
        })
    }

    /// Records what discovery read from the device.
    pub async fn set_device_system(
        &self,
        id: DeviceId,
        sys_descr: &str,
        sys_object_id: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done =
                sqlx::query("UPDATE devices SET sys_descr = $1, sys_object_id = $2 WHERE id = $3")
                    .bind(sys_descr)
                    .bind(sys_object_id)
                    .bind(id.0)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Removes a device (and its interfaces); false if there was none with this id.
    pub async fn delete_device(&self, id: DeviceId) -> Result<bool, StoreError> {
        with_pool!(&self.pool, |pool, DB| {
            let done = sqlx::query("DELETE FROM devices WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?;
            let deleted = done.rows_affected() == 1;
            if deleted {
                self.inventory_changed();
            }
            Ok(deleted)
        })
    }
}

/// The stored credentials document, before its hex is decoded.
#[derive(Deserialize)]
struct Stored {
    version: String,
    community: Option<String>,
    user: Option<String>,
    auth: Option<StoredKey>,
    privacy: Option<StoredKey>,
    context: Option<String>,
}

#[derive(Deserialize)]
struct StoredKey {
    protocol: String,
    key: String,
}

fn checked_community(community: Bytes) -> Result<Bytes, InvalidCredentials> {
    if community.is_empty() || community.len() > MAX_COMMUNITY_LEN {
        return Err(InvalidCredentials::Community);
    }
    Ok(community)
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::V1 => "v1",
        Version::V2c => "v2c",
        Version::V3 => "v3",
    }
}

fn duplicate_or(error: sqlx::Error, name: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::DuplicateDevice(name.to_owned())
        }
        _ => StoreError::Database(error),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

fn device_from_row(row: &impl DbRow) -> Result<Device, StoreError> {
    let credentials: String = row.try_get("credentials")?;
    Ok(Device {
        id: DeviceId(row.try_get("id")?),
        name: row.try_get("name")?,
        address: parse_column(row.try_get("address")?, "devices", "address")?,
        port: u16::try_from(row.try_get::<i64, _>("port")?).map_err(|_| {
            StoreError::InvalidRow {
                table: "devices",
                column: "port",
            }
        })?,
        poll_interval_s: u64::try_from(row.try_get::<i64, _>("poll_interval_s")?).map_err(
            |_| StoreError::InvalidRow {
                table: "devices",
                column: "poll_interval_s",
            },
        )?,
        enabled: row.try_get("enabled")?,
        credentials: SnmpCredentials::from_stored(&credentials).ok_or(StoreError::InvalidRow {
            table: "devices",
            column: "credentials",
        })?,
        sys_descr: row.try_get("sys_descr")?,
        sys_object_id: row.try_get("sys_object_id")?,
        sys_name: row.try_get("sys_name")?,
        discovered_at: row
            .try_get::<Option<i64>, _>("discovered_at")?
            .map(Timestamp),
        created_at: Timestamp(row.try_get("created_at")?),
    })
}

/// RFC 3414 §5: `usmUserName SnmpAdminString (SIZE(1..32))`.
const MAX_USER_LEN: usize = 32;
const MAX_COMMUNITY_LEN: usize = 255;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip_through_the_stored_form() {
        let v3 = SnmpCredentials::V3(
            UsmCredentials::from_passwords(
                "ops",
                Some((AuthProtocol::Sha256, b"authpass1")),
                Some((PrivProtocol::Aes128, b"privpass1")),
            )
            .unwrap()
            .with_context("ctx"),
        );
        for credentials in [
            SnmpCredentials::v2c("s3cret").unwrap(),
            SnmpCredentials::v1("s3cret").unwrap(),
            v3,
        ] {
            let stored = credentials.to_stored();
            assert!(!stored.contains("s3cret") && !stored.contains("authpass1"));
            assert_eq!(SnmpCredentials::from_stored(&stored), Some(credentials));
        }
        assert_eq!(SnmpCredentials::from_stored("{\"version\":\"v9\"}"), None);
        assert_eq!(SnmpCredentials::from_stored("not json"), None);
    }

    #[test]
    fn summaries_and_debug_never_show_secrets() {
        let v3 = SnmpCredentials::V3(
            UsmCredentials::from_passwords("ops", Some((AuthProtocol::Sha1, b"authpass1")), None)
                .unwrap(),
        );
        assert_eq!(
            serde_json::to_value(&v3).unwrap(),
            json!({"version": "v3", "user": "ops", "level": "authNoPriv", "auth": "SHA",
                   "privacy": null, "context": ""})
        );
        let v2c = SnmpCredentials::v2c("s3cret").unwrap();
        assert_eq!(
            serde_json::to_value(&v2c).unwrap(),
            json!({"version": "v2c"})
        );
        assert!(!format!("{v2c:?}").contains("s3cret"));
        assert!(!format!("{v3:?}").contains("authpass"));
    }

    #[test]
    fn invalid_credentials_are_refused() {
        assert_eq!(
            UsmCredentials::from_passwords("ops", None, Some((PrivProtocol::Des, b"privpass1"))),
            Err(InvalidCredentials::PrivacyWithoutAuth)
        );
        assert!(matches!(
            UsmCredentials::from_passwords("ops", Some((AuthProtocol::Md5, b"short")), None),
            Err(InvalidCredentials::Usm(_))
        ));
        assert_eq!(
            UsmCredentials::from_passwords("", None, None),
            Err(InvalidCredentials::UserName)
        );
        assert_eq!(SnmpCredentials::v2c(""), Err(InvalidCredentials::Community));
    }

    #[test]
    fn sessions_carry_the_credentials() {
        let target: SocketAddr = "127.0.0.1:1161".parse().unwrap();
        let session = SnmpCredentials::v1("pub")
            .unwrap()
            .session(target, Duration::from_millis(300), 1)
            .unwrap();
        assert_eq!(
            (session.version, session.timeout, session.retries),
            (Version::V1, Duration::from_millis(300), 1)
        );
        let usm = UsmCredentials::from_passwords(
            "ops",
            Some((AuthProtocol::Sha1, b"authpass1")),
            Some((PrivProtocol::Aes128, b"privpass1")),
        )
        .unwrap();
        let session = SnmpCredentials::V3(usm)
            .session(target, Duration::from_secs(1), 2)
            .unwrap();
        assert_eq!(
            session.usm.map(|user| user.level),
            Some(SecurityLevel::AuthPriv)
        );
    }
}
