//! The connection enum over both engines, and a pool manager that picks the engine from the
//! URL scheme itself (diesel's derived `establish` silently falls back to SQLite when a
//! PostgreSQL URL fails, see `shared/research/diesel-multi-trial.md`).

use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel::{PgConnection, SqliteConnection};

/// One database connection, PostgreSQL or SQLite.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Returns the engine a database URL names: `postgres://`/`postgresql://` is PostgreSQL,
/// anything else is a SQLite path (an optional `sqlite://` prefix is stripped).
pub fn backend_of(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Backend::Postgres, url.to_string())
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        (Backend::Sqlite, path.to_string())
    }
}

/// An r2d2 manager that opens the engine chosen by [`backend_of`] and reports its real error.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    target: String,
    sqlite_synchronous: SqliteSynchronous,
}

impl Manager {
    pub fn new(url: &str, sqlite_synchronous: SqliteSynchronous) -> Self {
        let (backend, target) = backend_of(url);
        Manager { backend, target, sqlite_synchronous }
    }
}

/// SQLite's `synchronous` setting in WAL mode (see `docs/decisions.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSynchronous {
    /// Every commit syncs the log: an acknowledged write survives a power cut.
    #[default]
    Full,
    /// Commits sync only at checkpoints: faster, but a power cut may lose the newest writes.
    Normal,
}

impl SqliteSynchronous {
    /// Reads the setting's text (`full` or `normal`).
    pub fn parse(text: &str) -> Option<SqliteSynchronous> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Some(SqliteSynchronous::Full),
            "normal" => Some(SqliteSynchronous::Normal),
            _ => None,
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target).map_err(r2d2::Error::ConnectionError)?;
                diesel::connection::SimpleConnection::batch_execute(&mut conn, "SET TIME ZONE 'UTC'")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target).map_err(r2d2::Error::ConnectionError)?;
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    // Checkpoints every 10,000 WAL pages (SQLite's default is 1,000): each one
                    // syncs the log and the database, and a page written by many commits is
                    // copied once per checkpoint. See docs/decisions.md.
                    match self.sqlite_synchronous {
                        SqliteSynchronous::Full => {
                            "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                             PRAGMA wal_autocheckpoint = 10000;"
                        }
                        SqliteSynchronous::Normal => {
                            "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                             PRAGMA wal_autocheckpoint = 10000;"
                        }
                    },
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        diesel::connection::SimpleConnection::batch_execute(conn, "SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_pick_postgres_and_everything_else_sqlite() {
        assert_eq!(backend_of("postgres://u@h/db").0, Backend::Postgres);
        assert_eq!(backend_of("postgresql://u@h/db").0, Backend::Postgres);
        assert_eq!(backend_of("host=localhost port=5432").0, Backend::Sqlite);
        assert_eq!(backend_of("sqlite:///tmp/x.db"), (Backend::Sqlite, "/tmp/x.db".to_string()));
    }
}
