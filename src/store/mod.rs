//! The store: the only module that talks to the database. PostgreSQL or SQLite through one
//! diesel connection enum; every write runs in one transaction.

mod conn;
mod migrate;
mod schema;

pub mod access_requests;
pub mod activities;
pub mod changes;
pub mod collaborators;
pub mod datarequests;
pub mod error_reports;
pub mod groups;
pub mod harvest;
pub mod identities;
pub mod maintenance;
pub mod members;
pub mod new_dataset;
pub mod outbox;
pub mod packages;
pub mod resources;
pub mod sessions;
pub mod settings;
pub mod tags;
pub mod tokens;
pub mod users;
pub mod vocabularies;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::r2d2::Pool;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use conn::{Backend, DbConnection, MultiBackend as DbBackend, SqliteSynchronous, backend_of};

/// A database connection inside a transaction; store functions take it as `&mut Tx`.
pub type Tx = DbConnection;

/// Errors the store reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write: what is taken, as `table.column`.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// The database refused a value (PostgreSQL's data exceptions: a NUL byte, a number out of
    /// range, …): the input was impossible, not the server faulty.
    #[error("value refused: {0}")]
    InvalidValue(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl StoreError {
    /// Returns whether a foreign key refused the write.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Database(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)))
    }

    fn from_diesel(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::UniqueViolation(taken(info.message(), info.table_name(), info.constraint_name()))
            }
            DieselError::DatabaseError(_, info) if is_data_exception(info.message()) => {
                StoreError::InvalidValue(info.message().to_string())
            }
            other => StoreError::Database(other),
        }
    }
}

/// Returns what a unique violation says is taken, as `table.column`: SQLite names it
/// (`UNIQUE constraint failed: users.name`); PostgreSQL names the constraint (`users_name_key`).
fn taken(message: &str, table: Option<&str>, constraint: Option<&str>) -> String {
    if let Some((_, columns)) = message.split_once("UNIQUE constraint failed: ") {
        return columns.split(',').next().unwrap_or(columns).trim().to_string();
    }
    match (table, constraint) {
        (Some(table), Some(constraint)) => {
            let column = constraint
                .strip_prefix(table)
                .and_then(|rest| rest.strip_prefix('_'))
                .map(|rest| rest.trim_end_matches("_key").trim_end_matches("_idx"))
                .unwrap_or(constraint);
            format!("{table}.{column}")
        }
        _ => message.to_string(),
    }
}

/// Returns whether PostgreSQL refused a value rather than failed (its messages for SQLSTATE
/// class 22 that input can cause).
fn is_data_exception(message: &str) -> bool {
    [
        "invalid byte sequence",
        "out of range",
        "value too long",
        "invalid input syntax",
        "unsupported Unicode escape",
        "index row size",
        "index row requires",
    ]
    .iter()
    .any(|known| message.contains(known))
}

/// Runs a query on the engine's own connection: `on_engine!(tx, |c| query.first(c))`.
/// Through diesel's `MultiConnection` a query loses its static query id, so every run builds
/// its SQL text again only to find the cached statement; on the engine's own connection the
/// statement is found by type. Used for the queries of the busiest paths.
macro_rules! on_engine {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::DbConnection::Pg($conn) => $body,
            $crate::store::DbConnection::Sqlite($conn) => $body,
        }
    };
}
pub(crate) use on_engine;

/// Inserts rows: on PostgreSQL in one multi-row statement (one round trip; diesel's
/// `MultiConnection` cannot build it), on SQLite one cached single-row statement per row
/// (cheaper than parsing a new multi-row statement every time).
/// `insert_rows!(tx, table, rows, |row| insertable)`.
macro_rules! insert_rows {
    ($tx:expr, $table:expr, $rows:expr, |$row:ident| $value:expr) => {
        match $tx {
            $crate::store::DbConnection::Pg(conn) => {
                let values: Vec<_> = $rows.iter().map(|$row| $value).collect();
                diesel::insert_into($table).values(values).execute(conn)
            }
            $crate::store::DbConnection::Sqlite(conn) => $rows.iter().try_fold(0, |inserted, $row| {
                diesel::insert_into($table).values($value).execute(conn).map(|n| inserted + n)
            }),
        }
    };
}
pub(crate) use insert_rows;

/// Result of a store function.
pub type StoreResult<T> = Result<T, StoreError>;

pub(crate) fn map_err<T>(result: Result<T, DieselError>) -> StoreResult<T> {
    result.map_err(StoreError::from_diesel)
}

/// Returns a new row id: a UUID, as CKAN's ids are, but time-ordered (version 7), so that a
/// new row lands at the end of every index keyed by id instead of on a random page: inserts
/// stay as cheap at a million datasets as at a hundred.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Returns the current UTC time truncated to microseconds, the precision both engines keep.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A pool of connections to one database, PostgreSQL or SQLite.
#[derive(Clone)]
pub struct Store {
    pool: Pool<conn::Manager>,
    backend: Backend,
    /// SQLite allows one writer: writes in this process queue here instead of failing busy.
    write_lock: Arc<Mutex<()>>,
}

impl Store {
    /// Opens a pool on `url` (engine chosen by its scheme) and applies pending migrations.
    pub fn open(url: &str, pool_size: u32, sqlite_synchronous: SqliteSynchronous) -> StoreResult<Store> {
        let store = Store::connect(url, pool_size, sqlite_synchronous)?;
        let applied = store.migrate()?;
        if applied > 0 {
            tracing::info!(migrations = applied, "database migrated");
        }
        Ok(store)
    }

    /// Opens a pool on `url` without touching the schema.
    pub fn connect(url: &str, pool_size: u32, sqlite_synchronous: SqliteSynchronous) -> StoreResult<Store> {
        let (backend, target) = backend_of(url);
        if backend == Backend::Sqlite {
            migrate::prepare_sqlite_file(&target)?;
        }
        let manager = conn::Manager::new(url, sqlite_synchronous);
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            // A connection that broke is reported by the query that meets it; checking every
            // connection on checkout cost a statement (a round trip on PostgreSQL) per use.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Store { pool, backend, write_lock: Arc::new(Mutex::new(())) })
    }

    /// Returns which engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> StoreResult<usize> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut conn = self.connection()?;
        migrate::run(&mut conn)
    }

    fn connection(&self) -> StoreResult<diesel::r2d2::PooledConnection<conn::Manager>> {
        self.pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Runs `work` on a connection without a transaction (reads).
    pub fn read<T, E>(&self, work: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.connection()?;
        work(&mut conn)
    }

    /// Runs `work` without a transaction, each statement committing by itself: only for work
    /// that writes with one statement at most (or writes nothing), which is then atomic on
    /// its own. Saves the `BEGIN` and `COMMIT` round trips on PostgreSQL.
    pub fn autocommit<T, E>(&self, work: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        let mut conn = self.connection()?;
        work(&mut conn)
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn write<T, E>(&self, work: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.autocommit(|conn| transaction(conn, work))
    }
}

/// Runs `work` inside a database transaction on `conn`. SQLite takes the write lock at
/// `BEGIN IMMEDIATE`, so a transaction never fails half-way on a lock upgrade.
fn transaction<T, E>(conn: &mut Tx, work: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    use diesel::connection::SimpleConnection;
    let begin = match conn {
        DbConnection::Sqlite(_) => "BEGIN IMMEDIATE",
        DbConnection::Pg(_) => "BEGIN",
    };
    conn.batch_execute(begin).map_err(|e| E::from(StoreError::from_diesel(e)))?;
    match work(conn) {
        Ok(value) => {
            conn.batch_execute("COMMIT").map_err(|e| E::from(StoreError::from_diesel(e)))?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback_error) = conn.batch_execute("ROLLBACK") {
                tracing::error!(error = %rollback_error, "rollback failed");
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_unique_violation_names_what_is_taken_on_both_engines() {
        assert_eq!(super::taken("UNIQUE constraint failed: users.name", None, None), "users.name");
        assert_eq!(
            super::taken("duplicate key value violates unique constraint", Some("users"), Some("users_name_key")),
            "users.name"
        );
    }
}
