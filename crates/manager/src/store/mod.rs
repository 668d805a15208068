//! Storage: SQLite through `sqlx`, versioned migrations, and one repository file per table
//! group (events, alarms, devices, credentials).
//!
//! # Durability
//!
//! The database runs in WAL mode (readers never block the writer) with `synchronous=FULL` by
//! default: an inform is acknowledged only after its event is stored, and a sender that got
//! its acknowledgement never resends, so a committed event must survive a power cut, not
//! only a crash of vigie. `NORMAL` in WAL mode survives a crash of the process but may lose
//! the last commits on power loss; [`Durability::Normal`] offers it for installations that
//! prefer intake speed. The cost of `FULL` is one fsync per commit, which
//! [`Store::insert_events`] spreads over a batch.
//!
//! # Portability
//!
//! Queries use `$N` placeholders, `RETURNING` and `ON CONFLICT`, which SQLite and
//! PostgreSQL both accept; the DDL in `migrations/` is SQLite's (rowid keys). Only the
//! `sqlite` driver is compiled in: a PostgreSQL build adds the `postgres` feature of `sqlx`
//! and a PostgreSQL copy of the migrations.
//!
//! # Sharing the database
//!
//! The manager's migrations are versions 1 to 999. The migrator ignores applied versions it
//! does not know, so another component (the notification outbox) may keep its own migrations,
//! numbered from 1000, in the same file.

mod actions;
mod admin;
mod alarms;
mod credentials;
mod devices;
mod events;
mod file_devices;
mod interfaces;
mod pending;
mod retention;
mod rules;
mod sessions;
mod smtp;

use std::borrow::Cow;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::alarm::AlarmId;
use crate::time::Timestamp;

pub use actions::StoredAction;
pub use admin::TokenInfo;
pub use alarms::{AlarmFilter, HistoryEntry, StateFilter};
pub use credentials::{ApiToken, TokenId, TokenOwner};
pub use devices::{
    Device, DeviceId, DeviceUpdate, InvalidCredentials, NewDevice, SnmpCredentials, UsmCredentials,
};
pub use events::{EventFilter, EventId, Page, StoredEvent};
pub use interfaces::{Discovery, Interface};
pub use pending::{PendingDecision, PendingRead};
pub use retention::Pruned;
pub use rules::{StoredDeviceGroup, StoredRule};
pub use sessions::{NewWebSession, SessionPolicy, WebSession};

/// The manager's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Bumped after each change of the device list through this store (and its clones).
    inventory: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a commit survives power loss. The default: informs are acknowledged
    /// only after their event is committed.
    #[default]
    Full,
    /// `synchronous=NORMAL`: a commit survives a crash of vigie, not of the machine.
    Normal,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse back, e.g. an unknown severity name.
    #[error("invalid value in {table}.{column}")]
    InvalidRow {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },
    /// An alarm update found no stored alarm with its id and identity: the book and the
    /// store disagree (two writers, or a store changed behind the book's back).
    #[error("alarm {0} in memory does not match the store")]
    AlarmMismatch(AlarmId),
    /// A device with this name exists already.
    #[error("a device named {0:?} exists already")]
    DuplicateDevice(String),
    /// The password hash could not be computed or read.
    #[error("password hashing failed: {0}")]
    PasswordHash(argon2::password_hash::Error),
    /// A blocking task (password hashing) did not finish.
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// How often [`Store::migrate`] tries again when another process migrates the same database.
const MIGRATION_RETRIES: u32 = 20;
/// The pause between those tries.
const MIGRATION_RETRY_DELAY: Duration = Duration::from_millis(100);

impl Store {
    /// Opens (creating it if needed) the database at `path` and applies pending migrations.
    pub async fn open(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            inventory: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Changes of the inventory: the value changes after each device is added, updated or
    /// deleted through this store or one of its clones, so that a cache of device names
    /// (the receiver's) is read again only when it is stale.
    pub fn inventory_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inventory.subscribe()
    }

    fn inventory_changed(&self) {
        self.inventory
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    /// Applies the manager's pending migrations, leaving other components' versions alone.
    ///
    /// Two processes may open a new database at once (`vigie serve` starting while `vigie
    /// token create` runs): SQLite gives the migrator no lock across processes, so the loser
    /// of the race fails on a table the winner has just created. It then tries again, a few
    /// times, and finds the versions applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut migrator = Migrator::new(Embedded).await?;
        migrator.set_ignore_missing(true);
        let mut attempts = 0;
        loop {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(_) if attempts < MIGRATION_RETRIES => {
                    attempts += 1;
                    tokio::time::sleep(MIGRATION_RETRY_DELAY).await;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Deletes events received before `cutoff` and the history of alarms cleared before it;
    /// returns how many events were deleted. Open alarms are kept whatever their age.
    pub async fn prune(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let events = sqlx::query("DELETE FROM events WHERE received_at < $1")
            .bind(cutoff.millis())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM alarms WHERE state = 'cleared' AND cleared_at < $1")
            .bind(cutoff.millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(events)
    }

    /// Closes every connection, checkpointing the write-ahead log.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool, for components that keep their own tables in this database.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The manager's migrations, compiled in.
#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Parses a stored name back into its type, or says which column held garbage.
fn parse_column<T: FromStr>(
    text: &str,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::InvalidRow { table, column })
}

/// Versions 1–999 belong to the manager (see the module docs).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "inventory",
        include_str!("../../migrations/0002_inventory.sql"),
    ),
    (
        3,
        "response",
        include_str!("../../migrations/0003_response.sql"),
    ),
    (
        4,
        "event names",
        include_str!("../../migrations/0004_event_names.sql"),
    ),
    (
        5,
        "web sessions",
        include_str!("../../migrations/0005_web_sessions.sql"),
    ),
    (
        6,
        "device groups",
        include_str!("../../migrations/0006_device_groups.sql"),
    ),
    (
        7,
        "file devices",
        include_str!("../../migrations/0007_file_devices.sql"),
    ),
    (
        8,
        "response pending",
        include_str!("../../migrations/0008_response_pending.sql"),
    ),
];

/// How long a writer waits for another before `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Readers in parallel with the one writer WAL allows; the API's handful of readers need no more.
const MAX_CONNECTIONS: u32 = 4;

#[cfg(test)]
mod tests;
