//! One connection pool, SQLite or PostgreSQL, for the outbox and for the manager's store that
//! shares its database.
//!
//! The two backends are an enum rather than `sqlx::Any`: SQLite, the default and the
//! trap-intake hot path, keeps its native driver with no conversion of arguments or rows.
//! [`with_pool!`](crate::with_pool) writes a query once and compiles it for each backend;
//! queries use `$N` placeholders, `RETURNING` and `ON CONFLICT`, which both accept, and only
//! the DDL (separate migration sets, numbered alike) differs. Columns are read through
//! [`DbRow`], whose values decode on both backends: `i64` (PostgreSQL `BIGINT`), `bool`,
//! `String`, `f64`, `Vec<u8>` and their `Option`s.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Decode, Postgres, Row, Sqlite, Type};

/// The options of every SQLite pool: at most `max_connections`, kept open for the life of the
/// pool. sqlx's defaults close a connection idle for 10 minutes and any connection 30 minutes
/// old, which suits a server behind a proxy, not a local file: each new SQLite connection
/// starts a thread, parses the schema, prepares its statements again and refills its page
/// cache, every half hour, for nothing (docs/reliability.md, "Seventh").
pub fn sqlite_pool_options(max_connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .idle_timeout(None)
        .max_lifetime(None)
}

/// A pool of connections to the database: SQLite (the default) or PostgreSQL.
#[derive(Debug, Clone)]
pub enum Pool {
    /// An SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

impl Pool {
    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite pool, if this is one: for what only SQLite has (its pragmas).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Self::Sqlite(pool) => Some(pool),
            Self::Postgres(_) => None,
        }
    }

    /// Closes every connection (SQLite checkpoints its write-ahead log).
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// Connects to the PostgreSQL database of `url` (`postgres://…`), which must exist.
    pub async fn connect_postgres(
        url: &PostgresUrl,
        max_connections: u32,
    ) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(url.options.clone())
            .await?;
        Ok(Self::Postgres(pool))
    }
}

impl Pool {
    /// Starts a write transaction ([`BeginWrite`]), for helpers that take one whichever the
    /// backend ([`with_tx!`](crate::with_tx)).
    pub async fn begin(&self) -> Result<Transaction<'static>, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Transaction::Sqlite(pool.begin_write().await?),
            Self::Postgres(pool) => Transaction::Postgres(pool.begin_write().await?),
        })
    }
}

/// How a transaction that will write begins.
///
/// SQLite's plain `BEGIN` is deferred: the transaction reads under a shared lock and asks
/// for the write lock only at its first write, and when another connection has written in
/// between, that upgrade fails at once with "database is locked" — the busy timeout does
/// not apply, since waiting could not help. `BEGIN IMMEDIATE` takes the write lock first,
/// waiting its turn under the busy timeout, so concurrent writers queue instead of
/// failing. PostgreSQL's `BEGIN` needs no such care.
pub trait BeginWrite {
    /// The database the transaction runs on.
    type Database: sqlx::Database;

    /// Starts a transaction that holds the write lock from its first statement.
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// A transaction on either backend; rolled back when dropped uncommitted.
#[derive(Debug)]
pub enum Transaction<'c> {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'c, Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'c, Postgres>),
}

impl Transaction<'_> {
    /// Commits it.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

impl From<SqlitePool> for Pool {
    fn from(pool: SqlitePool) -> Self {
        Self::Sqlite(pool)
    }
}

impl From<PgPool> for Pool {
    fn from(pool: PgPool) -> Self {
        Self::Postgres(pool)
    }
}

/// The database a [`Pool`] speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A parsed `postgres://` URL. Its `Debug` and `Display` never show the password.
#[derive(Clone)]
pub struct PostgresUrl {
    options: PgConnectOptions,
    shown: String,
}

/// Why a database URL was refused; never contains the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

impl FromStr for PostgresUrl {
    type Err = UrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parsed =
            url::Url::parse(text).map_err(|error| UrlError(format!("not a URL: {error}")))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(UrlError(format!(
                "unsupported scheme {:?}: use postgres://",
                parsed.scheme()
            )));
        }
        let password = parsed.password().map(str::to_owned);
        let mut shown = parsed;
        if password.is_some() {
            // `set_password` fails only for URLs that cannot have one, which this has.
            let _ = shown.set_password(Some("***"));
        }
        let options = PgConnectOptions::from_str(text).map_err(|error| {
            // sqlx's reason, unless it quotes the password.
            let reason = error.to_string();
            match password {
                Some(password) if reason.contains(&password) => {
                    UrlError(format!("invalid PostgreSQL URL {shown}"))
                }
                _ => UrlError(format!("invalid PostgreSQL URL {shown}: {reason}")),
            }
        })?;
        Ok(Self {
            options,
            shown: shown.to_string(),
        })
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostgresUrl").field(&self.shown).finish()
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PartialEq for PostgresUrl {
    fn eq(&self, other: &Self) -> bool {
        self.shown == other.shown
            && self.options.get_host() == other.options.get_host()
            && self.options.get_port() == other.options.get_port()
            && self.options.get_database() == other.options.get_database()
    }
}

impl Eq for PostgresUrl {}

/// A column value both backends decode.
pub trait DbValue:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> DbValue for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A row of either backend, read by column name.
pub trait DbRow {
    /// The value of `column`.
    fn try_get<T: DbValue, I: AsRef<str>>(&self, column: I) -> Result<T, sqlx::Error>;
}

impl DbRow for SqliteRow {
    fn try_get<T: DbValue, I: AsRef<str>>(&self, column: I) -> Result<T, sqlx::Error> {
        Row::try_get(self, column.as_ref())
    }
}

impl DbRow for PgRow {
    fn try_get<T: DbValue, I: AsRef<str>>(&self, column: I) -> Result<T, sqlx::Error> {
        Row::try_get(self, column.as_ref())
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool (`&SqlitePool` or `&PgPool`) and
/// `$db` to its `sqlx::Database` type; the body is compiled once per backend.
///
/// ```ignore
/// let count: i64 = with_pool!(&self.pool, |pool, DB| {
///     sqlx::query_scalar::<DB, i64>("SELECT COUNT(*) FROM t").fetch_one(pool).await?
/// });
/// ```
#[macro_export]
macro_rules! with_pool {
    ($pool:expr, |$p:ident, $db:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => {
                #[allow(dead_code)]
                type $db = $crate::db::__sqlx::Sqlite;
                $body
            }
            $crate::db::Pool::Postgres($p) => {
                #[allow(dead_code)]
                type $db = $crate::db::__sqlx::Postgres;
                $body
            }
        }
    };
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$tx` bound to the concrete `&mut sqlx::Transaction` of a
/// [`Transaction`] and `$db` to its `sqlx::Database` type, as [`with_pool!`] does for a pool.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$t:ident, $db:ident| $body:expr) => {
        match $tx {
            $crate::db::Transaction::Sqlite($t) => {
                #[allow(dead_code)]
                type $db = $crate::db::__sqlx::Sqlite;
                $body
            }
            $crate::db::Transaction::Postgres($t) => {
                #[allow(dead_code)]
                type $db = $crate::db::__sqlx::Postgres;
                $body
            }
        }
    };
    ($tx:expr, |$t:ident| $body:expr) => {
        match $tx {
            $crate::db::Transaction::Sqlite($t) => $body,
            $crate::db::Transaction::Postgres($t) => $body,
        }
    };
}

#[doc(hidden)]
pub use sqlx as __sqlx;

#[cfg(test)]
mod tests {
    use super::*;

    /// An SQLite file, and a database on the test process's private PostgreSQL server when
    /// PostgreSQL is installed.
    async fn pools(dir: &std::path::Path) -> Vec<Pool> {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join("t.db"))
            .create_if_missing(true);
        let mut pools = vec![Pool::Sqlite(
            SqlitePool::connect_with(options).await.unwrap(),
        )];
        if let Some(server) = vigie_interop::Postgres::shared() {
            let url: PostgresUrl = server.create_database().parse().unwrap();
            pools.push(Pool::connect_postgres(&url, 2).await.unwrap());
        }
        pools
    }

    #[test]
    fn sqlite_pools_never_close_a_connection_for_age_or_idleness() {
        let options = sqlite_pool_options(3);
        assert_eq!(options.get_max_connections(), 3);
        assert_eq!(options.get_idle_timeout(), None);
        assert_eq!(options.get_max_lifetime(), None);
    }

    #[tokio::test]
    async fn a_transaction_commits_or_rolls_back_on_either_backend() {
        let dir = tempfile::tempdir().unwrap();
        for pool in pools(dir.path()).await {
            with_pool!(&pool, |p| {
                sqlx::query("CREATE TABLE t (v BIGINT NOT NULL)")
                    .execute(p)
                    .await
                    .unwrap();
            });
            for (value, commit) in [(1_i64, true), (2, false)] {
                let mut tx = pool.begin().await.unwrap();
                with_tx!(&mut tx, |t| {
                    sqlx::query("INSERT INTO t (v) VALUES ($1)")
                        .bind(value)
                        .execute(&mut **t)
                        .await
                        .unwrap();
                });
                if commit {
                    tx.commit().await.unwrap();
                }
            }
            let values: Vec<i64> = with_pool!(&pool, |p| {
                sqlx::query_scalar("SELECT v FROM t")
                    .fetch_all(p)
                    .await
                    .unwrap()
            });
            assert_eq!(values, [1], "{:?}", pool.backend());
        }
    }

    #[test]
    fn a_postgres_url_never_shows_its_password() {
        let url: PostgresUrl = "postgres://vigie:hunter2@db.example:5433/vigie?sslmode=require"
            .parse()
            .unwrap();
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example:5433/vigie"), "{shown}");
    }

    #[test]
    fn other_schemes_and_garbage_are_refused_without_the_password() {
        let error = "mysql://u:hunter2@h/d".parse::<PostgresUrl>().unwrap_err();
        assert!(error.0.contains("postgres://"), "{error}");
        assert!(!error.0.contains("hunter2"));
        let error = "postgres://u:hunter2@h/d?sslmode=bogus"
            .parse::<PostgresUrl>()
            .unwrap_err();
        assert!(!error.0.contains("hunter2"), "{error}");
        assert!("not a url".parse::<PostgresUrl>().is_err());
    }
}
