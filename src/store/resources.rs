//! Resources of datasets. Custom resource fields are a JSON object in `extras`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::resources;
use super::{StoreResult, Tx, map_err};

/// A stored resource.
/// Serialises with the column names (PostgreSQL stores new datasets' resources from JSON).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = resources, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ResourceRow {
    pub id: String,
    pub package_id: String,
    pub position: i32,
    pub state: String,
    pub url: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub format: String,
    pub hash: String,
    pub mimetype: Option<String>,
    pub mimetype_inner: Option<String>,
    pub size: Option<i64>,
    pub url_type: Option<String>,
    pub resource_type: Option<String>,
    pub created: NaiveDateTime,
    pub last_modified: Option<NaiveDateTime>,
    pub metadata_modified: NaiveDateTime,
    pub cache_url: Option<String>,
    pub cache_last_updated: Option<NaiveDateTime>,
    pub extras: String,
}

/// Finds a resource by id (any state).
pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<ResourceRow>> {
    map_err(resources::table.find(id).select(ResourceRow::as_select()).first(tx).optional())
}

/// Stores new resources in one statement.
pub fn insert_all(tx: &mut Tx, rows: &[ResourceRow]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    map_err(super::insert_rows!(tx, resources::table, rows, |row| row)).map(|_| ())
}

/// Returns the active resources of a dataset by position.
pub fn active_for_package(tx: &mut Tx, package_id: &str) -> StoreResult<Vec<ResourceRow>> {
    map_err(
        resources::table
            .filter(resources::package_id.eq(package_id))
            .filter(resources::state.eq("active"))
            .order(resources::position)
            .select(ResourceRow::as_select())
            .load(tx),
    )
}

/// Returns the active resources of several datasets, by dataset then position.
pub fn active_for_packages(tx: &mut Tx, package_ids: &[String]) -> StoreResult<Vec<ResourceRow>> {
    map_err(
        resources::table
            .filter(resources::package_id.eq_any(package_ids))
            .filter(resources::state.eq("active"))
            .order((resources::package_id, resources::position))
            .select(ResourceRow::as_select())
            .load(tx),
    )
}

/// Replaces the resources of a dataset: rows listed are written (inserted or updated), active
/// rows not listed become `state=deleted`.
pub fn replace_for_package(tx: &mut Tx, package_id: &str, rows: &[ResourceRow]) -> StoreResult<()> {
    let keep: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    map_err(
        diesel::update(
            resources::table
                .filter(resources::package_id.eq(package_id))
                .filter(resources::state.eq("active"))
                .filter(resources::id.ne_all(keep)),
        )
        .set(resources::state.eq("deleted"))
        .execute(tx),
    )?;
    let mut new_rows = Vec::new();
    for row in rows {
        let exists =
            map_err(resources::table.find(&row.id).select(resources::id).first::<String>(tx).optional())?.is_some();
        if exists {
            map_err(diesel::update(resources::table.find(&row.id)).set(row).execute(tx))?;
        } else {
            new_rows.push(row.clone());
        }
    }
    insert_all(tx, &new_rows)
}

/// Counts the active resources of each format among the datasets a caller may see (active
/// datasets: public ones, plus those of `member_of` organisations unless `all`).
pub fn format_counts(tx: &mut Tx, all: bool, member_of: &[String]) -> StoreResult<Vec<(String, i64)>> {
    use super::schema::packages;
    let mut query = resources::table
        .inner_join(packages::table)
        .filter(resources::state.eq("active"))
        .filter(packages::state.eq("active"))
        .filter(resources::format.ne(""))
        .select(resources::format)
        .into_boxed();
    if !all {
        query = query.filter(packages::private.eq(false).or(packages::owner_org.eq_any(member_of.to_vec())));
    }
    let formats: Vec<String> = map_err(query.load(tx))?;
    let mut counts: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for format in formats {
        *counts.entry(format).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}
