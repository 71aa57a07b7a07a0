//! API token rows. The token string itself is never stored: only its id (`jti`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::api_tokens;
use super::{StoreResult, Tx, map_err};

/// A stored API token.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_access: Option<NaiveDateTime>,
    /// A scoped token's datasets (a JSON list of ids): it reads only these.
    pub package_ids: Option<String>,
    /// When a scoped token stops working.
    pub expires: Option<NaiveDateTime>,
}

/// Inserts a token row.
pub fn insert(tx: &mut Tx, row: &TokenRow) -> StoreResult<()> {
    map_err(diesel::insert_into(api_tokens::table).values(row).execute(tx)).map(|_| ())
}

/// Finds a token by its id.
pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<TokenRow>> {
    map_err(api_tokens::table.find(id).select(TokenRow::as_select()).first(tx).optional())
}

/// Finds a token and its user with one query (every authenticated request does this).
pub fn find_with_user(tx: &mut Tx, id: &str) -> StoreResult<Option<(TokenRow, super::users::UserRow)>> {
    use super::schema::users;
    map_err(super::on_engine!(tx, |c| api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::id.eq(id))
        .select((TokenRow::as_select(), super::users::UserRow::as_select()))
        .first(c)
        .optional()))
}

/// Lists a user's tokens, oldest first.
pub fn list_for_user(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<TokenRow>> {
    map_err(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .order((api_tokens::created_at, api_tokens::id))
            .select(TokenRow::as_select())
            .load(tx),
    )
}

/// Deletes a token; returns whether it existed.
pub fn delete(tx: &mut Tx, id: &str) -> StoreResult<bool> {
    map_err(diesel::delete(api_tokens::table.find(id)).execute(tx)).map(|n| n > 0)
}

/// Records that the token was used now.
pub fn touch(tx: &mut Tx, id: &str, at: NaiveDateTime) -> StoreResult<()> {
    map_err(diesel::update(api_tokens::table.find(id)).set(api_tokens::last_access.eq(Some(at))).execute(tx))
        .map(|_| ())
}
