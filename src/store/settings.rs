//! Site-wide values kept in the database, so every Kho node on one PostgreSQL shares them.

use diesel::prelude::*;

use super::schema::site_settings;
use super::{StoreResult, Tx, map_err};

/// Returns the value stored under `key`, storing `make()` first when there is none.
pub fn get_or_insert(tx: &mut Tx, key: &str, make: impl FnOnce() -> String) -> StoreResult<String> {
    let existing: Option<String> =
        map_err(site_settings::table.find(key).select(site_settings::value).first(tx).optional())?;
    if let Some(value) = existing {
        return Ok(value);
    }
    let value = make();
    map_err(
        diesel::insert_into(site_settings::table)
            .values((site_settings::key.eq(key), site_settings::value.eq(&value)))
            .execute(tx),
    )?;
    Ok(value)
}

/// Stores `value` under `key`, replacing any earlier value.
pub fn set(tx: &mut Tx, key: &str, value: &str) -> StoreResult<()> {
    map_err(diesel::delete(site_settings::table.find(key)).execute(tx))?;
    map_err(
        diesel::insert_into(site_settings::table)
            .values((site_settings::key.eq(key), site_settings::value.eq(value)))
            .execute(tx),
    )
    .map(|_| ())
}

/// Returns the value stored under `key`, if any.
pub fn get(tx: &mut Tx, key: &str) -> StoreResult<Option<String>> {
    map_err(site_settings::table.find(key).select(site_settings::value).first(tx).optional())
}
