//! Dataset collaborators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::package_collaborators;
use super::{StoreResult, Tx, map_err};

/// A stored collaboration.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = package_collaborators)]
pub struct CollaboratorRow {
    pub package_id: String,
    pub user_id: String,
    pub capacity: String,
    pub modified: NaiveDateTime,
}

/// Adds a collaborator or changes their capacity.
pub fn upsert(tx: &mut Tx, row: &CollaboratorRow) -> StoreResult<()> {
    delete(tx, &row.package_id, &row.user_id)?;
    map_err(diesel::insert_into(package_collaborators::table).values(row).execute(tx)).map(|_| ())
}

/// Removes a collaborator; returns whether there was one.
pub fn delete(tx: &mut Tx, package_id: &str, user_id: &str) -> StoreResult<bool> {
    map_err(diesel::delete(package_collaborators::table.find((package_id, user_id))).execute(tx)).map(|n| n > 0)
}

/// Returns a user's collaboration on a dataset.
pub fn find(tx: &mut Tx, package_id: &str, user_id: &str) -> StoreResult<Option<CollaboratorRow>> {
    map_err(
        package_collaborators::table
            .find((package_id, user_id))
            .select(CollaboratorRow::as_select())
            .first(tx)
            .optional(),
    )
}

/// Lists a dataset's collaborators.
pub fn for_package(tx: &mut Tx, package_id: &str) -> StoreResult<Vec<CollaboratorRow>> {
    map_err(
        package_collaborators::table
            .filter(package_collaborators::package_id.eq(package_id))
            .order(package_collaborators::modified)
            .select(CollaboratorRow::as_select())
            .load(tx),
    )
}

/// Lists a user's collaborations.
pub fn for_user(tx: &mut Tx, user_id: &str) -> StoreResult<Vec<CollaboratorRow>> {
    map_err(
        package_collaborators::table
            .filter(package_collaborators::user_id.eq(user_id))
            .order(package_collaborators::modified)
            .select(CollaboratorRow::as_select())
            .load(tx),
    )
}

/// Removes every collaborator of a dataset (when it is deleted).
pub fn clear(tx: &mut Tx, package_id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(package_collaborators::table.filter(package_collaborators::package_id.eq(package_id)))
            .execute(tx),
    )
    .map(|_| ())
}

/// Lists the collaborators of several datasets.
pub fn for_packages(tx: &mut Tx, package_ids: &[String]) -> StoreResult<Vec<CollaboratorRow>> {
    map_err(
        package_collaborators::table
            .filter(package_collaborators::package_id.eq_any(package_ids))
            .select(CollaboratorRow::as_select())
            .load(tx),
    )
}
