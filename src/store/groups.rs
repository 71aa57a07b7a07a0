//! Organisations and groups (CKAN keeps both in one `group` table; so do we).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{groups, members};
use super::{StoreResult, Tx, map_err};

/// A stored organisation or group. `extras` is a JSON list of `{"key","value"}` objects.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = groups)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub title: String,
    pub description: String,
    pub image_url: String,
    pub group_type: String,
    pub is_organization: bool,
    pub approval_status: String,
    pub state: String,
    pub created: NaiveDateTime,
    pub extras: String,
}

/// Inserts a new organisation or group.
pub fn insert(tx: &mut Tx, row: &GroupRow) -> StoreResult<()> {
    map_err(diesel::insert_into(groups::table).values(row).execute(tx)).map(|_| ())
}

/// Replaces every column of an existing organisation or group.
pub fn update(tx: &mut Tx, row: &GroupRow) -> StoreResult<()> {
    map_err(diesel::update(groups::table.find(&row.id)).set(row).execute(tx)).map(|_| ())
}

/// Finds an organisation or group (either kind) by id, then by name.
pub fn find(tx: &mut Tx, id_or_name: &str) -> StoreResult<Option<GroupRow>> {
    // One query for both (a round trip less on PostgreSQL); a match by id wins.
    let mut found: Vec<GroupRow> = map_err(super::on_engine!(tx, |c| groups::table
        .filter(groups::id.eq(id_or_name).or(groups::name.eq(id_or_name)))
        .select(GroupRow::as_select())
        .load(c)))?;
    found.sort_by_key(|g| g.id != id_or_name);
    Ok(found.into_iter().next())
}

/// Finds organisations and groups by id.
pub fn find_many(tx: &mut Tx, ids: &[String]) -> StoreResult<Vec<GroupRow>> {
    map_err(groups::table.filter(groups::id.eq_any(ids)).select(GroupRow::as_select()).load(tx))
}

/// Returns whether any organisation or group uses this name, other than `except_id`.
pub fn name_taken(tx: &mut Tx, name: &str, except_id: Option<&str>) -> StoreResult<bool> {
    let owner: Option<String> =
        map_err(groups::table.filter(groups::name.eq(name)).select(groups::id).first(tx).optional())?;
    Ok(owner.is_some_and(|id| Some(id.as_str()) != except_id))
}

/// Returns the active organisations (`is_organization`) or groups, in name order.
pub fn list_active(tx: &mut Tx, is_organization: bool) -> StoreResult<Vec<GroupRow>> {
    map_err(
        groups::table
            .filter(groups::is_organization.eq(is_organization))
            .filter(groups::state.eq("active"))
            .order(groups::name)
            .select(GroupRow::as_select())
            .load(tx),
    )
}

/// Returns the deleted organisations and groups (the trash), in name order.
pub fn list_deleted(tx: &mut Tx) -> StoreResult<Vec<GroupRow>> {
    map_err(
        groups::table.filter(groups::state.eq("deleted")).order(groups::name).select(GroupRow::as_select()).load(tx),
    )
}

/// Deletes an organisation or group and every membership row that points at it.
pub fn purge(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(members::table.filter(members::table_name.eq("group").and(members::table_id.eq(id))))
            .execute(tx),
    )?;
    map_err(diesel::delete(members::table.filter(members::group_id.eq(id))).execute(tx))?;
    map_err(diesel::delete(groups::table.find(id)).execute(tx)).map(|_| ())
}
