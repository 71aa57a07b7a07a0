//! Maintenance notices: announced suspensions of data or services.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::maintenance_notices;
use super::{StoreResult, Tx, map_err};

/// A stored notice (times in UTC; `services` as a JSON list of names).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = maintenance_notices)]
pub struct NoticeRow {
    pub id: String,
    pub title: String,
    pub reason: String,
    pub services: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub emergency: bool,
    pub state: String,
    pub created_by: String,
    pub created: NaiveDateTime,
    pub changed: NaiveDateTime,
}

pub fn insert(tx: &mut Tx, row: &NoticeRow) -> StoreResult<()> {
    map_err(diesel::insert_into(maintenance_notices::table).values(row).execute(tx)).map(|_| ())
}

pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<NoticeRow>> {
    map_err(maintenance_notices::table.find(id).select(NoticeRow::as_select()).first(tx).optional())
}

/// Active notices not yet over at `now`, soonest first.
pub fn current(tx: &mut Tx, now: NaiveDateTime) -> StoreResult<Vec<NoticeRow>> {
    map_err(
        maintenance_notices::table
            .filter(maintenance_notices::state.eq("active"))
            .filter(maintenance_notices::ends_at.ge(now))
            .select(NoticeRow::as_select())
            .order(maintenance_notices::starts_at.asc())
            .limit(100)
            .load(tx),
    )
}

/// Every notice, newest announcement first.
pub fn all(tx: &mut Tx, limit: i64) -> StoreResult<Vec<NoticeRow>> {
    map_err(
        maintenance_notices::table
            .select(NoticeRow::as_select())
            .order(maintenance_notices::created.desc())
            .limit(limit)
            .load(tx),
    )
}

/// Marks a notice cancelled.
pub fn cancel(tx: &mut Tx, id: &str, now: NaiveDateTime) -> StoreResult<()> {
    map_err(
        diesel::update(maintenance_notices::table.find(id))
            .set((maintenance_notices::state.eq("cancelled"), maintenance_notices::changed.eq(now)))
            .execute(tx),
    )
    .map(|_| ())
}

/// The notices of suspensions starting in `[from, to)`.
pub fn starting_between(tx: &mut Tx, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<NoticeRow>> {
    map_err(
        maintenance_notices::table
            .filter(maintenance_notices::starts_at.ge(from))
            .filter(maintenance_notices::starts_at.lt(to))
            .select(NoticeRow::as_select())
            .load(tx),
    )
}
