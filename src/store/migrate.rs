//! Embedded migrations, one set per engine (`migrations/postgres`, `migrations/sqlite`).

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbConnection, StoreError, StoreResult};

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Applies the pending migrations of the connection's engine; returns how many ran.
pub fn run(conn: &mut DbConnection) -> StoreResult<usize> {
    let applied = match conn {
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES).map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(|v| v.len()),
    };
    applied.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Creates the SQLite file's folder and switches the file to WAL once (it persists in the
/// file; setting it from several new connections at once races).
pub fn prepare_sqlite_file(path: &str) -> StoreResult<()> {
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Unavailable(format!("{}: {e}", parent.display())))?;
    }
    use diesel::Connection;
    let mut conn = diesel::SqliteConnection::establish(path).map_err(|e| StoreError::Unavailable(e.to_string()))?;
    conn.batch_execute("PRAGMA journal_mode = WAL;").map_err(StoreError::from)?;
    Ok(())
}
