//! The change log: one row per change to a dataset, organisation or group, written in the
//! same transaction as the change. The search index and the DCAT feed are fed from it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::changes;
use super::{StoreResult, Tx, map_err};

/// What kind of object changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Dataset,
    Organization,
    Group,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Dataset => "dataset",
            Entity::Organization => "organization",
            Entity::Group => "group",
        }
    }
}

/// What happened to the object (the change log's `action` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
    Purge,
    /// Members of an organisation or group changed (a dataset joining or leaving a group is
    /// also logged as a `Groups` change of that dataset).
    Membership,
    /// The dataset joined or left a group.
    Groups,
    Collaborators,
    /// Nothing changed, but every node must index the object again (`kho search verify --repair`).
    Reindex,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::Create,
        ChangeKind::Update,
        ChangeKind::Delete,
        ChangeKind::Purge,
        ChangeKind::Membership,
        ChangeKind::Groups,
        ChangeKind::Collaborators,
        ChangeKind::Reindex,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Delete => "delete",
            ChangeKind::Purge => "purge",
            ChangeKind::Membership => "membership",
            ChangeKind::Groups => "groups",
            ChangeKind::Collaborators => "collaborators",
            ChangeKind::Reindex => "reindex",
        }
    }

    /// Reads a stored kind; `None` for one this version does not know.
    pub fn parse(text: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One change-log row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changed_at: NaiveDateTime,
}

impl ChangeRow {
    /// Returns what happened; an unknown kind (written by a newer version) counts as an update.
    pub fn kind(&self) -> ChangeKind {
        ChangeKind::parse(&self.action).unwrap_or(ChangeKind::Update)
    }
}

/// Appends a change in the caller's transaction.
pub fn append(tx: &mut Tx, entity: Entity, entity_id: &str, kind: ChangeKind, at: NaiveDateTime) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::insert_into(changes::table)
        .values(entry(entity, entity_id, kind, at))
        .execute(c)))
    .map(|_| ())
}

/// The values of a change-log row (its `seq` is assigned by the database).
pub(super) type Entry<'a> = (
    diesel::dsl::Eq<changes::entity, &'static str>,
    diesel::dsl::Eq<changes::entity_id, &'a str>,
    diesel::dsl::Eq<changes::action, &'static str>,
    diesel::dsl::Eq<changes::changed_at, NaiveDateTime>,
);

pub(super) fn entry(entity: Entity, entity_id: &str, kind: ChangeKind, at: NaiveDateTime) -> Entry<'_> {
    (
        changes::entity.eq(entity.as_str()),
        changes::entity_id.eq(entity_id),
        changes::action.eq(kind.as_str()),
        changes::changed_at.eq(at),
    )
}

/// Returns up to `limit` changes with a sequence number above `after`, in order.
pub fn after(tx: &mut Tx, after: i64, limit: i64) -> StoreResult<Vec<ChangeRow>> {
    map_err(
        changes::table
            .filter(changes::seq.gt(after))
            .order(changes::seq)
            .limit(limit)
            .select(ChangeRow::as_select())
            .load(tx),
    )
}

/// What a reader's snapshot says about writers still running: on PostgreSQL, the oldest
/// running transaction id (`xmin`) and the newest one; on SQLite (one writer, whose changes
/// always take the highest numbers) nothing is ever running below a visible change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Every transaction id below this one has ended.
    pub xmin: u64,
    /// The newest transaction running when the snapshot was taken, if any.
    pub newest_running: Option<u64>,
}

impl Snapshot {
    /// Reads PostgreSQL's `pg_snapshot` text form, `xmin:xmax:xip,xip,…`.
    pub fn parse(text: &str) -> Option<Snapshot> {
        let mut parts = text.split(':');
        let xmin = parts.next()?.parse().ok()?;
        let _xmax: u64 = parts.next()?.parse().ok()?;
        let running = parts.next()?;
        let running: Vec<u64> =
            running.split(',').filter(|x| !x.is_empty()).map(str::parse).collect::<Result<_, _>>().ok()?;
        let newest_running = running.into_iter().max();
        Some(Snapshot { xmin, newest_running })
    }

    /// This snapshot, counting every transaction id below `next` as possibly running. A
    /// snapshot lists only the running ids below its `xmax` (one past the newest *completed*
    /// transaction); a writer whose id was assigned after that, yet which took a change number
    /// before a change the snapshot sees, is not listed. An id the reader takes after its
    /// snapshot bounds every id assigned before it.
    pub fn covering_ids_below(self, next: u64) -> Snapshot {
        let newest = next.saturating_sub(1).max(self.newest_running.unwrap_or(0));
        Snapshot { newest_running: Some(newest), ..self }
    }
}

/// One read of the change log, all from one snapshot.
#[derive(Debug, Default)]
pub struct FeedRead {
    pub snapshot: Snapshot,
    /// Changes found among the numbers asked for (gaps that have filled since).
    pub filled: Vec<ChangeRow>,
    /// Up to `limit` changes after the number asked for, in order.
    pub new: Vec<ChangeRow>,
}

/// Reads, in one snapshot, the changes numbered `missing` and up to `limit` changes after
/// `after`, with what the snapshot says about running writers.
pub fn read_feed(tx: &mut Tx, missing: &[i64], after: i64, limit: i64) -> StoreResult<FeedRead> {
    match tx {
        super::DbConnection::Pg(conn) => map_err(conn.build_transaction().repeatable_read().read_only().run(|conn| {
            let snapshot = pg_snapshot(conn)?;
            let snapshot = snapshot.covering_ids_below(own_transaction_id(conn)?);
            let filled = if missing.is_empty() {
                Vec::new()
            } else {
                changes::table
                    .filter(changes::seq.eq_any(missing))
                    .order(changes::seq)
                    .select(ChangeRow::as_select())
                    .load(conn)?
            };
            let new = changes::table
                .filter(changes::seq.gt(after))
                .order(changes::seq)
                .limit(limit)
                .select(ChangeRow::as_select())
                .load(conn)?;
            Ok(FeedRead { snapshot, filled, new })
        })),
        super::DbConnection::Sqlite(_) => {
            Ok(FeedRead { snapshot: Snapshot::default(), filled: Vec::new(), new: self::after(tx, after, limit)? })
        }
    }
}

/// Gives the reading transaction an id (after its snapshot was taken) and returns it.
fn own_transaction_id(conn: &mut diesel::PgConnection) -> QueryResult<u64> {
    #[derive(QueryableByName)]
    struct Own {
        #[diesel(sql_type = diesel::sql_types::Text)]
        xid: String,
    }
    let own: Own = diesel::sql_query("SELECT pg_current_xact_id()::text AS xid").get_result(conn)?;
    own.xid.parse().map_err(|_| diesel::result::Error::DeserializationError(format!("xid {}", own.xid).into()))
}

/// Returns the snapshot of the connection's current statement (PostgreSQL).
fn pg_snapshot(conn: &mut diesel::PgConnection) -> QueryResult<Snapshot> {
    #[derive(QueryableByName)]
    struct Current {
        #[diesel(sql_type = diesel::sql_types::Text)]
        snapshot: String,
    }
    let current: Current = diesel::sql_query("SELECT pg_current_snapshot()::text AS snapshot").get_result(conn)?;
    Snapshot::parse(&current.snapshot)
        .ok_or_else(|| diesel::result::Error::DeserializationError(format!("snapshot {}", current.snapshot).into()))
}

/// Returns the newest change number with the snapshot it was read in.
pub fn last_seq_with_snapshot(tx: &mut Tx) -> StoreResult<(i64, Snapshot)> {
    match tx {
        super::DbConnection::Pg(conn) => map_err(conn.build_transaction().repeatable_read().read_only().run(|conn| {
            let snapshot = pg_snapshot(conn)?;
            let newest: Option<i64> = changes::table.select(diesel::dsl::max(changes::seq)).first(conn)?;
            Ok((newest.unwrap_or(0), snapshot))
        })),
        super::DbConnection::Sqlite(_) => Ok((last_seq(tx)?, Snapshot::default())),
    }
}

/// Returns the current snapshot (on SQLite, one with nothing running).
pub fn snapshot(tx: &mut Tx) -> StoreResult<Snapshot> {
    match tx {
        super::DbConnection::Pg(conn) => map_err(pg_snapshot(conn)),
        super::DbConnection::Sqlite(_) => Ok(Snapshot::default()),
    }
}

/// Returns the sequence number of the newest change (0 when there is none).
pub fn last_seq(tx: &mut Tx) -> StoreResult<i64> {
    let newest: Option<i64> = map_err(changes::table.select(diesel::dsl::max(changes::seq)).first(tx))?;
    Ok(newest.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::{ChangeKind, Snapshot};

    #[test]
    fn every_change_kind_reads_back_as_itself() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_snapshot_names_its_oldest_and_newest_running_transactions() {
        assert_eq!(Snapshot::parse("10:20:12,15"), Some(Snapshot { xmin: 10, newest_running: Some(15) }));
        assert_eq!(Snapshot::parse("20:20:"), Some(Snapshot { xmin: 20, newest_running: None }));
        assert_eq!(Snapshot::parse("garbage"), None);
    }

    #[test]
    fn a_reader_counts_writers_not_yet_listed_as_running() {
        // Newest completed 19, writer 25 (assigned after it, not listed) may hold a number; the
        // reader's own id 30 bounds it.
        let seen = Snapshot::parse("10:20:12,15").unwrap();
        assert_eq!(seen.covering_ids_below(30), Snapshot { xmin: 10, newest_running: Some(29) });
        // Nothing listed still leaves the unlisted writers running: never "nothing running".
        let quiet = Snapshot::parse("20:20:").unwrap();
        assert_eq!(quiet.covering_ids_below(21).newest_running, Some(20));
    }
}
