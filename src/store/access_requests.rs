//! Requests for access to shared datasets and the connection accounts issued for them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::access_requests;
use super::{StoreResult, Tx, map_err};

/// A stored request: `package_ids` is a JSON list; `issue_due` the province's date by which the
/// operator issues the connection account once the owner approved.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = access_requests, treat_none_as_null = true)]
pub struct AccessRow {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub package_ids: String,
    pub purpose: String,
    pub legal_basis: String,
    pub state: String,
    pub created: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_time: Option<NaiveDateTime>,
    pub refusal_reason: Option<String>,
    pub issue_due: Option<String>,
    pub issued_by: Option<String>,
    pub issued_time: Option<NaiveDateTime>,
    pub expires: Option<NaiveDateTime>,
    pub token_id: Option<String>,
}

pub fn insert(tx: &mut Tx, row: &AccessRow) -> StoreResult<()> {
    map_err(diesel::insert_into(access_requests::table).values(row).execute(tx)).map(|_| ())
}

pub fn update(tx: &mut Tx, row: &AccessRow) -> StoreResult<()> {
    map_err(diesel::update(access_requests::table.find(&row.id)).set(row).execute(tx)).map(|_| ())
}

pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<AccessRow>> {
    map_err(access_requests::table.find(id).select(AccessRow::as_select()).first(tx).optional())
}

/// Which requests a listing holds: `None` for every request (the operator's view), else those
/// made by the user or addressed to one of the organisations.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub user_id: Option<String>,
    pub organization_ids: Vec<String>,
}

/// Requests newest first, optionally in one state, within `scope`.
pub fn list(tx: &mut Tx, scope: Option<&Scope>, state: Option<&str>, limit: i64) -> StoreResult<Vec<AccessRow>> {
    let mut query = access_requests::table
        .select(AccessRow::as_select())
        .order((access_requests::created.desc(), access_requests::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(access_requests::state.eq(state.to_string()));
    }
    if let Some(scope) = scope {
        let user = scope.user_id.clone().unwrap_or_default();
        query = query.filter(
            access_requests::user_id
                .eq(user)
                .or(access_requests::organization_id.eq_any(scope.organization_ids.clone())),
        );
    }
    map_err(query.load(tx))
}

/// The requests made in `[from, to)`.
pub fn created_between(tx: &mut Tx, from: NaiveDateTime, to: NaiveDateTime) -> StoreResult<Vec<AccessRow>> {
    map_err(
        access_requests::table
            .filter(access_requests::created.ge(from))
            .filter(access_requests::created.lt(to))
            .select(AccessRow::as_select())
            .load(tx),
    )
}
