//! Storage: SQLite (the default) or PostgreSQL through `sqlx`, versioned migrations, and
//! one repository file per table group (events, alarms, devices, credentials).
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
//! PostgreSQL both accept, and are written once: [`with_pool!`] compiles each for both
//! drivers of [`Pool`], so SQLite keeps its native driver with no translation layer. Values
//! are the types both decode (`i64`, `i32`, `bool`, `String`). The DDL differs:
//! `migrations/` is SQLite's (rowid keys), `migrations-postgres/` PostgreSQL's (identity
//! keys, `BIGINT`), with the same versions, tables and columns.
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
use vigie_notify::db::{BeginWrite, sqlite_pool_options};

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

pub use vigie_notify::db::{Pool, PostgresUrl};
pub(crate) use vigie_notify::with_pool;

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
    pool: Pool,
    location: Location,
    /// Bumped after each change of the device list through this store (and its clones).
    inventory: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    durability: Durability,
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

/// Whether SQLite answered `SQLITE_BUSY` (or one of its extended codes) without waiting:
/// it does so, whatever the busy timeout, to a connection that switches a new database to
/// write-ahead logging while another process does the same.
fn is_busy(error: &sqlx::Error) -> bool {
    const SQLITE_BUSY: i32 = 5;
    match error {
        sqlx::Error::Database(error) => error
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_BUSY),
        _ => false,
    }
}

/// How often [`retrying`] tries again.
const RACE_RETRIES: u32 = 20;
/// The pause between those tries.
const RACE_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Runs `attempt` until it succeeds, fails with an error `retryable` refuses, or has been
/// tried again [`RACE_RETRIES`] times: for the races of two processes opening or migrating
/// one new database (`vigie serve` starting while `vigie token create` runs).
async fn retrying<T, E, F: Future<Output = Result<T, E>>>(
    mut attempt: impl FnMut() -> F,
    retryable: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let mut attempts = 0;
    loop {
        match attempt().await {
            Err(error) if attempts < RACE_RETRIES && retryable(&error) => {
                attempts += 1;
                tokio::time::sleep(RACE_RETRY_DELAY).await;
            }
            result => return result,
        }
    }
}

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
        let pool = retrying(
            || sqlite_pool_options(MAX_CONNECTIONS).connect_with(options.clone()),
            is_busy,
        )
        .await?;
        Self::with_pool(
            Pool::Sqlite(pool),
            Location::Sqlite(path.to_owned()),
            durability,
        )
        .await
    }

    /// Connects to the PostgreSQL database of `url`, which must exist, and applies pending
    /// migrations. Durability is the server's (`synchronous_commit`): a commit returns once
    /// the server has it on disk unless the server is told otherwise.
    pub async fn open_postgres(url: &PostgresUrl) -> Result<Self, StoreError> {
        let pool = Pool::connect_postgres(url, POSTGRES_CONNECTIONS).await?;
        Self::with_pool(
            pool,
            Location::Postgres(Box::new(url.clone())),
            Durability::Full,
        )
        .await
    }

    /// Opens the database `location` names.
    pub async fn open_location(
        location: &Location,
        durability: Durability,
    ) -> Result<Self, StoreError> {
        match location {
            Location::Sqlite(path) => Self::open(path, durability).await,
            Location::Postgres(url) => Self::open_postgres(url).await,
        }
    }

    async fn with_pool(
        pool: Pool,
        location: Location,
        durability: Durability,
    ) -> Result<Self, StoreError> {
        let store = Self {
            pool,
            location,
            inventory: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
            durability,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// How hard a commit waits for the disk (PostgreSQL: [`Durability::Full`], the server's
    /// own setting deciding).
    pub fn durability(&self) -> Durability {
        self.durability
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
    /// times, and finds the versions applied. (PostgreSQL's migrator holds an advisory lock.)
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let set = match self.pool {
            Pool::Sqlite(_) => SQLITE_MIGRATIONS,
            Pool::Postgres(_) => POSTGRES_MIGRATIONS,
        };
        let mut migrator = Migrator::new(Embedded(set)).await?;
        migrator.set_ignore_missing(true);
        let (pool, migrator) = (&self.pool, &migrator);
        retrying(
            move || async move { with_pool!(pool, |pool| migrator.run(pool).await) },
            |_| true,
        )
        .await?;
        Ok(())
    }

    /// Deletes events received before `cutoff` and the history of alarms cleared before it;
    /// returns how many events were deleted. Open alarms are kept whatever their age.
    pub async fn prune(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        with_pool!(&self.pool, |pool| {
            let mut tx = pool.begin_write().await?;
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
        })
    }

    /// Where the database is (its `Display` never shows a password).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Runs a trivial query: whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)")
                .fetch_one(pool)
                .await?
        });
        Ok(())
    }

    /// Closes every connection (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool, for components that keep their own tables in this database.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// Where the database is: an SQLite file or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file, created if missing.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database, which must exist.
    Postgres(Box<PostgresUrl>),
}

impl std::fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// One backend's migrations, compiled in.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async {
            Ok(self
                .0
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

/// Whether a statement built for `items` rows or ids, in chunks of `chunk`, stays prepared
/// in its connection's statement cache: only a full chunk's. Each other count is a statement
/// of its own, and kept they would fill every connection's cache (a hundred statements, a
/// 128-row INSERT about 100 KB) with the batch sizes met, the largest during bursts; they are
/// prepared for their one use instead.
fn keep_prepared(items: usize, chunk: usize) -> bool {
    items == chunk
}

/// Parses a stored name back into its type, or says which column held garbage.
fn parse_column<T: FromStr>(
    text: String,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::InvalidRow { table, column })
}

/// Versions 1–999 belong to the manager (see the module docs); PostgreSQL's set has the
/// same versions and descriptions.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
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
    (
        9,
        "pending cause event",
        include_str!("../../migrations/0009_pending_cause_event.sql"),
    ),
    (
        10,
        "journal mark",
        include_str!("../../migrations/0010_journal_mark.sql"),
    ),
];

const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations-postgres/0001_initial.sql"),
    ),
    (
        2,
        "inventory",
        include_str!("../../migrations-postgres/0002_inventory.sql"),
    ),
    (
        3,
        "response",
        include_str!("../../migrations-postgres/0003_response.sql"),
    ),
    (
        4,
        "event names",
        include_str!("../../migrations-postgres/0004_event_names.sql"),
    ),
    (
        5,
        "web sessions",
        include_str!("../../migrations-postgres/0005_web_sessions.sql"),
    ),
    (
        6,
        "device groups",
        include_str!("../../migrations-postgres/0006_device_groups.sql"),
    ),
    (
        7,
        "file devices",
        include_str!("../../migrations-postgres/0007_file_devices.sql"),
    ),
    (
        8,
        "response pending",
        include_str!("../../migrations-postgres/0008_response_pending.sql"),
    ),
    (
        9,
        "pending cause event",
        include_str!("../../migrations-postgres/0009_pending_cause_event.sql"),
    ),
    (
        10,
        "journal mark",
        include_str!("../../migrations-postgres/0010_journal_mark.sql"),
    ),
];

/// Connections to a PostgreSQL server: the intake's writer, the API's readers, the outbox.
const POSTGRES_CONNECTIONS: u32 = 8;

/// How long a writer waits for another before `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Readers in parallel with the one writer WAL allows; the API's handful of readers need no more.
const MAX_CONNECTIONS: u32 = 4;

/// The stores a backend-neutral test runs on: SQLite in a temporary directory, then a new
/// database on the test process's private PostgreSQL server, when PostgreSQL is installed
/// (a skip line otherwise, a failure under `VIGIE_REQUIRE_PEERS=1`). Each comes with the
/// directory that must outlive it.
#[cfg(test)]
pub(crate) async fn test_stores() -> Vec<(tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&dir.path().join("vigie.db"), Durability::Normal)
        .await
        .unwrap();
    let mut stores = vec![(dir, sqlite)];
    if let Some(server) = vigie_interop::Postgres::shared() {
        let url: PostgresUrl = server.create_database().parse().unwrap();
        let postgres = Store::open_postgres(&url).await.unwrap();
        stores.push((tempfile::tempdir().unwrap(), postgres));
    }
    stores
}

#[cfg(test)]
mod tests;
