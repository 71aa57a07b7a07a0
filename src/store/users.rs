//! User accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{StoreResult, Tx, map_err};

/// A stored user account.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub fullname: Option<String>,
    pub email: Option<String>,
    pub password_hash: String,
    pub about: Option<String>,
    pub image_url: Option<String>,
    pub sysadmin: bool,
    pub state: String,
    pub created: NaiveDateTime,
    pub last_active: Option<NaiveDateTime>,
}

/// Inserts a new user.
pub fn insert(tx: &mut Tx, row: &UserRow) -> StoreResult<()> {
    map_err(diesel::insert_into(users::table).values(row).execute(tx)).map(|_| ())
}

/// Replaces every column of an existing user.
pub fn update(tx: &mut Tx, row: &UserRow) -> StoreResult<()> {
    map_err(diesel::update(users::table.find(&row.id)).set(row).execute(tx)).map(|_| ())
}

/// Finds a user by id, then by name (CKAN's lookup order).
pub fn find(tx: &mut Tx, id_or_name: &str) -> StoreResult<Option<UserRow>> {
    let by_id = map_err(users::table.find(id_or_name).select(UserRow::as_select()).first(tx).optional())?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    map_err(users::table.filter(users::name.eq(id_or_name)).select(UserRow::as_select()).first(tx).optional())
}

/// Finds the active user with this e-mail address (case-insensitive).
pub fn find_active_by_email(tx: &mut Tx, email: &str) -> StoreResult<Option<UserRow>> {
    let wanted = email.to_lowercase();
    Ok(all(tx)?
        .into_iter()
        .find(|u| u.state == "active" && u.email.as_deref().is_some_and(|e| e.to_lowercase() == wanted)))
}

/// Finds users by id.
pub fn find_many(tx: &mut Tx, ids: &[String]) -> StoreResult<Vec<UserRow>> {
    map_err(users::table.filter(users::id.eq_any(ids)).select(UserRow::as_select()).load(tx))
}

/// Returns every user (the list actions filter and sort in memory: user counts are small).
pub fn all(tx: &mut Tx) -> StoreResult<Vec<UserRow>> {
    map_err(users::table.order(users::name).select(UserRow::as_select()).load(tx))
}

/// Returns whether an active user other than `except_id` has this e-mail (case-insensitive).
pub fn email_taken(tx: &mut Tx, email: &str, except_id: Option<&str>) -> StoreResult<bool> {
    let wanted = email.to_lowercase();
    let candidates: Vec<(String, Option<String>)> =
        map_err(users::table.filter(users::state.eq("active")).select((users::id, users::email)).load(tx))?;
    Ok(candidates.into_iter().any(|(id, stored)| {
        Some(id.as_str()) != except_id && stored.map(|s| s.to_lowercase() == wanted).unwrap_or(false)
    }))
}

/// Records that the user made an authenticated request now.
pub fn touch_last_active(tx: &mut Tx, user_id: &str, at: NaiveDateTime) -> StoreResult<()> {
    map_err(diesel::update(users::table.find(user_id)).set(users::last_active.eq(Some(at))).execute(tx)).map(|_| ())
}

/// Returns how many users exist (any state).
pub fn count(tx: &mut Tx) -> StoreResult<i64> {
    map_err(users::table.count().get_result(tx))
}
