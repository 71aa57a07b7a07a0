//! Datasets (CKAN's "packages"). Extras are a JSON list of `{"key","value"}`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{members, package_tags, packages};
use super::{StoreResult, Tx, map_err};

/// A stored dataset.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = packages, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PackageRow {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub license_id: Option<String>,
    pub notes: Option<String>,
    pub url: Option<String>,
    pub version: Option<String>,
    pub state: String,
    pub package_type: String,
    pub owner_org: Option<String>,
    pub private: bool,
    pub creator_user_id: Option<String>,
    pub metadata_created: NaiveDateTime,
    pub metadata_modified: NaiveDateTime,
    pub extras: String,
}

/// The deleted datasets (the trash), most recently changed first, at most `limit`.
pub fn deleted(tx: &mut Tx, limit: i64) -> StoreResult<Vec<PackageRow>> {
    map_err(
        packages::table
            .filter(packages::state.eq("deleted"))
            .order(packages::metadata_modified.desc())
            .limit(limit)
            .select(PackageRow::as_select())
            .load(tx),
    )
}

/// Inserts a dataset.
pub fn insert(tx: &mut Tx, row: &PackageRow, dict_cache: Option<&str>) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::insert_into(packages::table)
        .values((row, packages::dict_cache.eq(dict_cache)))
        .execute(c)))
    .map(|_| ())
}

/// Replaces every column of a dataset (and forgets its cached dict).
pub fn update(tx: &mut Tx, row: &PackageRow) -> StoreResult<()> {
    let none: Option<String> = None;
    map_err(diesel::update(packages::table.find(&row.id)).set((row, packages::dict_cache.eq(&none))).execute(tx))
        .map(|_| ())
}

/// Returns whether a string could be a dataset id (ids are UUIDs; a UUID-shaped string is
/// still looked up by name too).
fn looks_like_id(text: &str) -> bool {
    text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// Finds a dataset by id, then by name.
pub fn find(tx: &mut Tx, id_or_name: &str) -> StoreResult<Option<PackageRow>> {
    Ok(find_with_cache(tx, id_or_name)?.map(|(row, _)| row))
}

/// Finds a dataset by id, then by name, with its cached dict (see `set_cache`).
pub fn find_with_cache(tx: &mut Tx, id_or_name: &str) -> StoreResult<Option<(PackageRow, Option<String>)>> {
    if looks_like_id(id_or_name) {
        let by_id = map_err(super::on_engine!(tx, |c| packages::table
            .find(id_or_name)
            .select((PackageRow::as_select(), packages::dict_cache))
            .first(c)
            .optional()))?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    map_err(super::on_engine!(tx, |c| packages::table
        .filter(packages::name.eq(id_or_name))
        .select((PackageRow::as_select(), packages::dict_cache))
        .first(c)
        .optional()))
}

/// Stores the dict `package_show` returns for a dataset (written after every change of it).
pub fn set_cache(tx: &mut Tx, id: &str, dict: &str) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::update(packages::table.find(id))
        .set(packages::dict_cache.eq(Some(dict)))
        .execute(c)))
    .map(|_| ())
}

/// Stores a dict built outside a write (by a reader or the indexer) only while the dataset
/// still has none and has not changed since its row was read: a writer that committed in the
/// meantime stored its own, newer dict, which must not be overwritten. Not covered: an
/// organisation or group renamed between the read and this write (their change clears the
/// caches, then this may store a dict with the old title); a version column would close it.
pub fn fill_cache(tx: &mut Tx, id: &str, read_modified: NaiveDateTime, dict: &str) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::update(
        packages::table
            .find(id)
            .filter(packages::dict_cache.is_null())
            .filter(packages::metadata_modified.eq(read_modified))
    )
    .set(packages::dict_cache.eq(Some(dict)))
    .execute(c)))
    .map(|_| ())
}

/// Forgets the cached dicts of an organisation's datasets and of the given datasets (when an
/// organisation or group they show changes).
pub fn clear_cache(tx: &mut Tx, owner_org: Option<&str>, ids: &[String]) -> StoreResult<()> {
    let none: Option<String> = None;
    if let Some(org) = owner_org {
        map_err(
            diesel::update(packages::table.filter(packages::owner_org.eq(org)))
                .set(packages::dict_cache.eq(&none))
                .execute(tx),
        )?;
    }
    if !ids.is_empty() {
        map_err(
            diesel::update(packages::table.filter(packages::id.eq_any(ids)))
                .set(packages::dict_cache.eq(&none))
                .execute(tx),
        )?;
    }
    Ok(())
}

/// Forgets every cached dict (when the licence register or the site URL changed).
pub fn clear_all_caches(tx: &mut Tx) -> StoreResult<()> {
    let none: Option<String> = None;
    map_err(diesel::update(packages::table).set(packages::dict_cache.eq(&none)).execute(tx)).map(|_| ())
}

/// Finds datasets by id (any state), in no particular order.
pub fn find_many(tx: &mut Tx, ids: &[String]) -> StoreResult<Vec<PackageRow>> {
    map_err(packages::table.filter(packages::id.eq_any(ids)).select(PackageRow::as_select()).load(tx))
}

/// Locks a dataset's row until the transaction ends (PostgreSQL; SQLite transactions already
/// hold the database's single write lock).
pub fn lock(tx: &mut Tx, id: &str) -> StoreResult<()> {
    if let super::DbConnection::Pg(conn) = tx {
        map_err(
            diesel::sql_query("SELECT 1 FROM packages WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Text, _>(id)
                .execute(conn),
        )?;
    }
    Ok(())
}

/// Renames a dataset (CKAN frees a deleted dataset's name by renaming it to its id).
pub fn rename(tx: &mut Tx, id: &str, new_name: &str) -> StoreResult<()> {
    map_err(diesel::update(packages::table.find(id)).set(packages::name.eq(new_name)).execute(tx)).map(|_| ())
}

/// Deletes a dataset, its resources, tags and group memberships.
pub fn purge(tx: &mut Tx, id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(members::table.filter(members::table_name.eq("package")).filter(members::table_id.eq(id)))
            .execute(tx),
    )?;
    map_err(diesel::delete(package_tags::table.filter(package_tags::package_id.eq(id))).execute(tx))?;
    map_err(
        diesel::delete(super::schema::resources::table.filter(super::schema::resources::package_id.eq(id))).execute(tx),
    )?;
    map_err(diesel::delete(packages::table.find(id)).execute(tx)).map(|_| ())
}

/// Which datasets a listing may include.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// Sees everything (sysadmin).
    pub all: bool,
    /// Organisations whose private and draft datasets the caller may read.
    pub member_of: Vec<String>,
    /// The caller's own user id (their datasets without an organisation).
    pub user_id: Option<String>,
    /// Datasets the caller collaborates on.
    pub collaborations: Vec<String>,
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_org: Option<String>,
    pub ids: Option<Vec<String>>,
    /// Only datasets in this group (by membership; a subquery, so groups of any size work).
    pub in_group: Option<String>,
    /// Only datasets carrying this tag.
    pub with_tag: Option<String>,
    pub creator_user_id: Option<String>,
    /// Include private datasets the caller may see (else public only).
    pub include_private: bool,
    /// Include drafts the caller may see.
    pub include_drafts: bool,
    /// Include harvest sources (datasets of type `harvest`; listings leave them out).
    pub include_harvest_sources: bool,
}

type Boxed<'a> = packages::BoxedQuery<'a, super::DbBackend>;

fn filtered<'a>(filter: &'a Filter, visibility: &'a Visibility) -> Boxed<'a> {
    let mut query: Boxed<'a> = packages::table.into_boxed();
    query = if filter.include_drafts {
        query.filter(packages::state.eq("active").or(packages::state.eq("draft")))
    } else {
        query.filter(packages::state.eq("active"))
    };
    if !filter.include_harvest_sources {
        query = query.filter(packages::package_type.ne("harvest"));
    }
    if let Some(org) = &filter.owner_org {
        query = query.filter(packages::owner_org.eq(org));
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(packages::id.eq_any(ids));
    }
    if let Some(group) = &filter.in_group {
        let members_of_group = members::table
            .filter(members::group_id.eq(group.clone()))
            .filter(members::table_name.eq("package"))
            .filter(members::state.eq("active"))
            .select(members::table_id);
        query = query.filter(packages::id.eq_any(members_of_group));
    }
    if let Some(tag) = &filter.with_tag {
        let tagged = package_tags::table.filter(package_tags::tag_id.eq(tag.clone())).select(package_tags::package_id);
        query = query.filter(packages::id.eq_any(tagged));
    }
    if let Some(creator) = &filter.creator_user_id {
        query = query.filter(packages::creator_user_id.eq(creator));
    }
    if !visibility.all {
        // Public and active, or private/draft in one of the caller's organisations.
        let public = packages::private.eq(false).and(packages::state.eq("active"));
        if filter.include_private || filter.include_drafts {
            let orgs = visibility.member_of.clone();
            let own = visibility.user_id.clone().unwrap_or_default();
            let collaborations = visibility.collaborations.clone();
            query = query.filter(
                public
                    .or(packages::owner_org.eq_any(orgs))
                    .or(packages::owner_org.is_null().and(packages::creator_user_id.eq(own)))
                    .or(packages::id.eq_any(collaborations)),
            );
        } else {
            query = query.filter(public);
        }
    } else if !filter.include_private {
        query = query.filter(packages::private.eq(false));
    }
    query
}

/// The active harvest sources (of one organisation when given), by name.
pub fn harvest_sources(tx: &mut Tx, owner_org: Option<&str>) -> StoreResult<Vec<PackageRow>> {
    let mut query = packages::table
        .filter(packages::package_type.eq("harvest"))
        .filter(packages::state.eq("active"))
        .select(PackageRow::as_select())
        .order(packages::name)
        .into_boxed();
    if let Some(org) = owner_org {
        query = query.filter(packages::owner_org.eq(org.to_string()));
    }
    map_err(query.load(tx))
}

/// Counts the datasets a filter admits.
pub fn count(tx: &mut Tx, filter: &Filter, visibility: &Visibility) -> StoreResult<i64> {
    map_err(filtered(filter, visibility).count().get_result(tx))
}

/// Lists the datasets a filter admits, newest change first.
pub fn list(
    tx: &mut Tx,
    filter: &Filter,
    visibility: &Visibility,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<PackageRow>> {
    map_err(
        filtered(filter, visibility)
            .order((packages::metadata_modified.desc(), packages::id))
            .limit(limit)
            .offset(offset)
            .select(PackageRow::as_select())
            .load(tx),
    )
}

/// Returns datasets (any state) with their cached dicts: the given ids (`after` ignored), or
/// when `ids` is `None` the next `limit` by id after `after` (for rebuilding the index).
pub fn with_caches(
    tx: &mut Tx,
    ids: Option<&[String]>,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<(PackageRow, Option<String>)>> {
    let columns = (PackageRow::as_select(), packages::dict_cache);
    match ids {
        Some(ids) => map_err(packages::table.filter(packages::id.eq_any(ids)).select(columns).load(tx)),
        None => map_err(
            packages::table.filter(packages::id.gt(after)).order(packages::id).limit(limit).select(columns).load(tx),
        ),
    }
}

/// What the search index must agree with about a dataset (`kho search verify`).
#[derive(Debug, Queryable)]
pub struct IndexFacts {
    pub id: String,
    pub state: String,
    pub private: bool,
    pub owner_org: Option<String>,
    pub creator_user_id: Option<String>,
    pub metadata_modified: NaiveDateTime,
}

/// Returns the next `limit` datasets' [`IndexFacts`] (any state) by id after `after`.
pub fn index_facts(tx: &mut Tx, after: &str, limit: i64) -> StoreResult<Vec<IndexFacts>> {
    map_err(
        packages::table
            .filter(packages::id.gt(after))
            .order(packages::id)
            .limit(limit)
            .select((
                packages::id,
                packages::state,
                packages::private,
                packages::owner_org,
                packages::creator_user_id,
                packages::metadata_modified,
            ))
            .load(tx),
    )
}

/// Returns the ids of an organisation's datasets (any state).
pub fn ids_of_org(tx: &mut Tx, org_id: &str) -> StoreResult<Vec<String>> {
    map_err(packages::table.filter(packages::owner_org.eq(org_id)).select(packages::id).load(tx))
}

/// Counts every stored dataset (any state).
pub fn count_all(tx: &mut Tx) -> StoreResult<i64> {
    map_err(packages::table.count().get_result(tx))
}
