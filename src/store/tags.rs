//! Tags: free tags (`vocabulary_id` stored as `''`) and vocabulary tags, linked to datasets.

use diesel::prelude::*;

use super::schema::{package_tags, tags};
use super::{StoreResult, Tx, map_err};

/// A stored tag.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: String,
    pub name: String,
    pub vocabulary_id: String,
}

/// Returns the tag with this name in this vocabulary (`""` = free), creating it if needed.
/// Two writers creating one new tag at once both get it (the second insert does nothing).
pub fn find_or_create(tx: &mut Tx, name: &str, vocabulary_id: &str) -> StoreResult<TagRow> {
    if let Some(tag) = find_exact(tx, name, vocabulary_id)? {
        return Ok(tag);
    }
    let row = TagRow { id: crate::store::new_id(), name: name.to_string(), vocabulary_id: vocabulary_id.to_string() };
    map_err(super::on_engine!(tx, |c| diesel::insert_into(tags::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(c)))?;
    find_exact(tx, name, vocabulary_id)?.ok_or(super::StoreError::NotFound)
}

/// Returns the free tags with these names, in this order, creating those that are new. On
/// PostgreSQL the existing ones are found in one query.
pub fn find_free(tx: &mut Tx, names: &[&str]) -> StoreResult<Vec<TagRow>> {
    let found: Vec<TagRow> = match tx {
        super::DbConnection::Pg(c) if names.len() > 1 => map_err(
            tags::table
                .filter(tags::name.eq_any(names))
                .filter(tags::vocabulary_id.eq(""))
                .select(TagRow::as_select())
                .load(c),
        )?,
        _ => Vec::new(),
    };
    let mut tags = Vec::with_capacity(names.len());
    for name in names {
        let tag = match found.iter().find(|t| t.name == *name) {
            Some(tag) => tag.clone(),
            None => find_or_create(tx, name, "")?,
        };
        tags.push(tag);
    }
    Ok(tags)
}

fn find_exact(tx: &mut Tx, name: &str, vocabulary_id: &str) -> StoreResult<Option<TagRow>> {
    map_err(super::on_engine!(tx, |c| tags::table
        .filter(tags::name.eq(name))
        .filter(tags::vocabulary_id.eq(vocabulary_id))
        .select(TagRow::as_select())
        .first(c)
        .optional()))
}

/// Sets a dataset's tags to exactly these (`fresh`: the dataset has none yet).
pub fn set_for_package(tx: &mut Tx, package_id: &str, tag_ids: &[&str], fresh: bool) -> StoreResult<()> {
    if !fresh {
        map_err(diesel::delete(package_tags::table.filter(package_tags::package_id.eq(package_id))).execute(tx))?;
    }
    if tag_ids.is_empty() {
        return Ok(());
    }
    map_err(super::insert_rows!(tx, package_tags::table, tag_ids, |tag_id| (
        package_tags::package_id.eq(package_id),
        package_tags::tag_id.eq(*tag_id)
    )))
    .map(|_| ())
}

/// Returns `(package id, tag)` for the given datasets, tags sorted by name.
pub fn for_packages(tx: &mut Tx, package_ids: &[String]) -> StoreResult<Vec<(String, TagRow)>> {
    map_err(
        package_tags::table
            .inner_join(tags::table)
            .filter(package_tags::package_id.eq_any(package_ids))
            .order(tags::name)
            .select((package_tags::package_id, TagRow::as_select()))
            .load(tx),
    )
}

/// Finds a tag by id or name within a vocabulary (`""` = free tags).
pub fn find(tx: &mut Tx, id_or_name: &str, vocabulary_id: &str) -> StoreResult<Option<TagRow>> {
    let by_id = map_err(tags::table.find(id_or_name).select(TagRow::as_select()).first(tx).optional())?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    map_err(
        tags::table
            .filter(tags::name.eq(id_or_name))
            .filter(tags::vocabulary_id.eq(vocabulary_id))
            .select(TagRow::as_select())
            .first(tx)
            .optional(),
    )
}

/// Returns the ids of the datasets carrying a tag.
pub fn package_ids_with(tx: &mut Tx, tag_id: &str) -> StoreResult<Vec<String>> {
    map_err(package_tags::table.filter(package_tags::tag_id.eq(tag_id)).select(package_tags::package_id).load(tx))
}

/// Returns the tags of a vocabulary, by name.
pub fn in_vocabulary(tx: &mut Tx, vocabulary_id: &str) -> StoreResult<Vec<TagRow>> {
    map_err(
        tags::table
            .filter(tags::vocabulary_id.eq(vocabulary_id))
            .order(tags::name)
            .select(TagRow::as_select())
            .load(tx),
    )
}

/// Returns the free tags with these names that exist, by name.
pub fn find_free_existing(tx: &mut Tx, names: &[String]) -> StoreResult<Vec<TagRow>> {
    map_err(
        tags::table
            .filter(tags::name.eq_any(names))
            .filter(tags::vocabulary_id.eq(""))
            .order(tags::name)
            .select(TagRow::as_select())
            .load(tx),
    )
}
