//! Errors reported in datasets and the answers of the departments that provide them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::error_reports;
use super::{StoreResult, Tx, map_err};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = error_reports, treat_none_as_null = true)]
pub struct ReportRow {
    pub id: String,
    pub package_id: String,
    pub user_id: String,
    pub description: String,
    pub state: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub created: NaiveDateTime,
    pub answered_time: Option<NaiveDateTime>,
    pub fixed_time: Option<NaiveDateTime>,
}

pub fn insert(tx: &mut Tx, row: &ReportRow) -> StoreResult<()> {
    map_err(diesel::insert_into(error_reports::table).values(row).execute(tx)).map(|_| ())
}

pub fn update(tx: &mut Tx, row: &ReportRow) -> StoreResult<()> {
    map_err(diesel::update(error_reports::table.find(&row.id)).set(row).execute(tx)).map(|_| ())
}

pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<ReportRow>> {
    map_err(error_reports::table.find(id).select(ReportRow::as_select()).first(tx).optional())
}

/// A dataset's reports, newest first (only those not fixed when `open_only`).
pub fn for_package(tx: &mut Tx, package_id: &str, open_only: bool, limit: i64) -> StoreResult<Vec<ReportRow>> {
    let mut query = error_reports::table
        .filter(error_reports::package_id.eq(package_id.to_string()))
        .select(ReportRow::as_select())
        .order((error_reports::created.desc(), error_reports::id.desc()))
        .limit(limit)
        .into_boxed();
    if open_only {
        query = query.filter(error_reports::state.ne("fixed"));
    }
    map_err(query.load(tx))
}

/// The reports made in `[from, to)`.
pub fn created_between(tx: &mut Tx, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<ReportRow>> {
    map_err(
        error_reports::table
            .filter(error_reports::created.ge(from))
            .filter(error_reports::created.lt(to))
            .select(ReportRow::as_select())
            .load(tx),
    )
}
