//! Portal sessions and failed sign-ins. A session row is keyed by the SHA-256 of the cookie's
//! secret, so the store never holds what a browser presents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_failures, user_sessions};
use super::{StoreResult, Tx, map_err};

/// A stored session.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Inserts a session.
pub fn insert(tx: &mut Tx, row: &SessionRow) -> StoreResult<()> {
    map_err(diesel::insert_into(user_sessions::table).values(row).execute(tx)).map(|_| ())
}

/// Finds a session that has not expired at `now`, with its user.
pub fn find_with_user(
    tx: &mut Tx,
    id: &str,
    now: NaiveDateTime,
) -> StoreResult<Option<(SessionRow, super::users::UserRow)>> {
    use super::schema::users;
    map_err(super::on_engine!(tx, |c| user_sessions::table
        .inner_join(users::table)
        .filter(user_sessions::id.eq(id))
        .filter(user_sessions::expires_at.gt(now))
        .select((SessionRow::as_select(), super::users::UserRow::as_select()))
        .first(c)
        .optional()))
}

/// Records a session's use.
pub fn touch(tx: &mut Tx, id: &str, at: NaiveDateTime) -> StoreResult<()> {
    map_err(diesel::update(user_sessions::table.find(id)).set(user_sessions::last_seen.eq(at)).execute(tx)).map(|_| ())
}

/// Ends one session.
pub fn delete(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(diesel::delete(user_sessions::table.find(id)).execute(tx)).map(|_| ())
}

/// Ends every session of a user (password change, deletion, an administrator's decision);
/// returns how many ended.
pub fn delete_for_user(tx: &mut Tx, user_id: &str) -> StoreResult<usize> {
    map_err(diesel::delete(user_sessions::table.filter(user_sessions::user_id.eq(user_id))).execute(tx))
}

/// How many unexpired sessions each user has, as `(user id, count)`.
pub fn counts_by_user(tx: &mut Tx, now: NaiveDateTime) -> StoreResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    map_err(
        user_sessions::table
            .filter(user_sessions::expires_at.gt(now))
            .group_by(user_sessions::user_id)
            .select((user_sessions::user_id, count_star()))
            .load(tx),
    )
}

/// The failures counted under `key` since `since` (older windows count as none).
pub fn failures(tx: &mut Tx, key: &str, since: NaiveDateTime) -> StoreResult<i32> {
    let found: Option<(i32, NaiveDateTime)> = map_err(
        login_failures::table
            .find(key)
            .select((login_failures::failures, login_failures::window_start))
            .first(tx)
            .optional(),
    )?;
    Ok(found.filter(|(_, start)| *start > since).map_or(0, |(count, _)| count))
}

/// Counts one more failure under `key`; a window that began before `since` starts again at `now`.
pub fn record_failure(tx: &mut Tx, key: &str, since: NaiveDateTime, now: NaiveDateTime) -> StoreResult<()> {
    let current: Option<NaiveDateTime> =
        map_err(login_failures::table.find(key).select(login_failures::window_start).first(tx).optional())?;
    match current {
        Some(start) if start > since => map_err(
            diesel::update(login_failures::table.find(key))
                .set(login_failures::failures.eq(login_failures::failures + 1))
                .execute(tx),
        )
        .map(|_| ()),
        _ => {
            map_err(diesel::delete(login_failures::table.find(key)).execute(tx))?;
            map_err(
                diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::key.eq(key),
                        login_failures::failures.eq(1),
                        login_failures::window_start.eq(now),
                    ))
                    .execute(tx),
            )
            .map(|_| ())
        }
    }
}

/// Forgets the failures under `key` (after a successful sign-in).
pub fn clear_failures(tx: &mut Tx, key: &str) -> StoreResult<()> {
    map_err(diesel::delete(login_failures::table.find(key)).execute(tx)).map(|_| ())
}
