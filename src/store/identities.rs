//! OpenID Connect identities: a provider's `(issuer, subject)` linked to a Kho user.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::user_identities;
use super::{StoreResult, Tx, map_err};

/// A stored link.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_identities)]
pub struct IdentityRow {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
}

/// The user linked to a provider's subject.
pub fn user_of(tx: &mut Tx, issuer: &str, subject: &str) -> StoreResult<Option<String>> {
    map_err(user_identities::table.find((issuer, subject)).select(user_identities::user_id).first(tx).optional())
}

/// Links a provider's subject to a user.
pub fn insert(tx: &mut Tx, row: &IdentityRow) -> StoreResult<()> {
    map_err(diesel::insert_into(user_identities::table).values(row).execute(tx)).map(|_| ())
}
