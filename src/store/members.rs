//! Membership rows: a user (or dataset, or group) in an organisation or group, with a capacity.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::groups::GroupRow;
use super::schema::{groups, members};
use super::{StoreResult, Tx, map_err};

/// A stored membership.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: String,
    pub group_id: String,
    pub table_name: String,
    pub table_id: String,
    pub capacity: String,
    pub state: String,
    pub created: NaiveDateTime,
}

/// Inserts a membership or, when one exists for the same object, changes its capacity.
/// Returns the row as stored.
pub fn upsert(tx: &mut Tx, row: &MemberRow) -> StoreResult<MemberRow> {
    if let Some(existing) = find(tx, &row.group_id, &row.table_name, &row.table_id)? {
        map_err(
            diesel::update(members::table.find(&existing.id))
                .set((members::capacity.eq(&row.capacity), members::state.eq("active")))
                .execute(tx),
        )?;
        return Ok(MemberRow { capacity: row.capacity.clone(), state: "active".into(), ..existing });
    }
    map_err(diesel::insert_into(members::table).values(row).execute(tx))?;
    Ok(row.clone())
}

/// Finds the membership of one object in one group.
pub fn find(tx: &mut Tx, group_id: &str, table_name: &str, table_id: &str) -> StoreResult<Option<MemberRow>> {
    map_err(super::on_engine!(tx, |c| members::table
        .filter(members::group_id.eq(group_id))
        .filter(members::table_name.eq(table_name))
        .filter(members::table_id.eq(table_id))
        .select(MemberRow::as_select())
        .first(c)
        .optional()))
}

/// Deletes the membership of one object in one group; returns whether there was one.
pub fn delete(tx: &mut Tx, group_id: &str, table_name: &str, table_id: &str) -> StoreResult<bool> {
    map_err(
        diesel::delete(
            members::table
                .filter(members::group_id.eq(group_id))
                .filter(members::table_name.eq(table_name))
                .filter(members::table_id.eq(table_id)),
        )
        .execute(tx),
    )
    .map(|n| n > 0)
}

/// Lists the active memberships inside a group, optionally of one object kind, oldest first.
pub fn list_in_group(tx: &mut Tx, group_id: &str, table_name: Option<&str>) -> StoreResult<Vec<MemberRow>> {
    let mut query =
        members::table.filter(members::group_id.eq(group_id)).filter(members::state.eq("active")).into_boxed();
    if let Some(kind) = table_name {
        query = query.filter(members::table_name.eq(kind.to_string()));
    }
    map_err(query.order((members::created, members::id)).select(MemberRow::as_select()).load(tx))
}

/// Lists the active memberships of one object (e.g. every group a user belongs to).
pub fn list_for_object(tx: &mut Tx, table_name: &str, table_id: &str) -> StoreResult<Vec<MemberRow>> {
    map_err(super::on_engine!(tx, |c| members::table
        .filter(members::table_name.eq(table_name))
        .filter(members::table_id.eq(table_id))
        .filter(members::state.eq("active"))
        .select(MemberRow::as_select())
        .load(c)))
}

/// Returns a user's active memberships, each with its organisation or group (one query).
pub fn of_user_with_groups(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<(MemberRow, GroupRow)>> {
    map_err(super::on_engine!(tx, |c| members::table
        .inner_join(groups::table.on(groups::id.eq(members::group_id)))
        .filter(members::table_name.eq("user"))
        .filter(members::table_id.eq(user_id))
        .filter(members::state.eq("active"))
        .select((MemberRow::as_select(), GroupRow::as_select()))
        .load(c)))
}

/// Deletes every membership of one object (used when a user is deleted).
pub fn delete_for_object(tx: &mut Tx, table_name: &str, table_id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(
            members::table.filter(members::table_name.eq(table_name)).filter(members::table_id.eq(table_id)),
        )
        .execute(tx),
    )
    .map(|_| ())
}

/// Lists the active memberships of several objects of one kind.
pub fn for_objects(tx: &mut Tx, table_name: &str, table_ids: &[String]) -> StoreResult<Vec<MemberRow>> {
    map_err(
        members::table
            .filter(members::table_name.eq(table_name))
            .filter(members::table_id.eq_any(table_ids))
            .filter(members::state.eq("active"))
            .select(MemberRow::as_select())
            .load(tx),
    )
}
