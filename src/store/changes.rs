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

/// Appends a change in the caller's transaction.
pub fn append(tx: &mut Tx, entity: Entity, entity_id: &str, action: &str, at: NaiveDateTime) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::insert_into(changes::table)
        .values(entry(entity, entity_id, action, at))
        .execute(c)))
    .map(|_| ())
}

/// The values of a change-log row (its `seq` is assigned by the database).
pub(super) type Entry<'a> = (
    diesel::dsl::Eq<changes::entity, &'static str>,
    diesel::dsl::Eq<changes::entity_id, &'a str>,
    diesel::dsl::Eq<changes::action, &'a str>,
    diesel::dsl::Eq<changes::changed_at, NaiveDateTime>,
);

pub(super) fn entry<'a>(entity: Entity, entity_id: &'a str, action: &'a str, at: NaiveDateTime) -> Entry<'a> {
    (
        changes::entity.eq(entity.as_str()),
        changes::entity_id.eq(entity_id),
        changes::action.eq(action),
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

/// Returns the sequence number of the newest change (0 when there is none).
pub fn last_seq(tx: &mut Tx) -> StoreResult<i64> {
    let newest: Option<i64> = map_err(changes::table.select(diesel::dsl::max(changes::seq)).first(tx))?;
    Ok(newest.unwrap_or(0))
}
