//! Activity rows: one per change, written in the transaction of the change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::activities;
use super::{StoreResult, Tx, map_err};

/// A stored activity. `data` and `permission_labels` are JSON text.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activities, treat_none_as_default_value = false)]
pub struct ActivityRow {
    pub id: String,
    pub timestamp: NaiveDateTime,
    pub user_id: String,
    pub object_id: String,
    pub activity_type: String,
    pub data: String,
    pub permission_labels: Option<String>,
    pub owner_org: Option<String>,
    pub group_ids: String,
}

/// Which activities a stream shows.
#[derive(Debug, Clone)]
pub enum Stream {
    /// Activities of one object (a dataset, organisation, group).
    Object(String),
    /// An organisation's own activities and those of its datasets.
    Organization(String),
    /// A group's own activities and those of its datasets.
    Group(String),
    /// Activities done by one user.
    User(String),
    /// Dataset activities of the whole site.
    Datasets,
}

/// Inserts an activity.
pub fn insert(tx: &mut Tx, row: &ActivityRow) -> StoreResult<()> {
    map_err(super::on_engine!(tx, |c| diesel::insert_into(activities::table).values(row).execute(c))).map(|_| ())
}

/// Finds one activity.
pub fn find(tx: &mut Tx, id: &str) -> StoreResult<Option<ActivityRow>> {
    map_err(activities::table.find(id).select(ActivityRow::as_select()).first(tx).optional())
}

/// Returns a page of a stream, newest first, within an optional time window.
pub fn page(
    tx: &mut Tx,
    stream: &Stream,
    before: Option<NaiveDateTime>,
    after: Option<NaiveDateTime>,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<ActivityRow>> {
    // An organisation's stream is its own activities or its datasets': each side reads its own
    // index (timestamp order) and the two are merged, instead of one OR that no index serves.
    // (The first page only: deeper pages would load every skipped row; the database skips them.)
    if let (Stream::Organization(id), None, None, 0) = (stream, before, after, offset) {
        let wanted = limit + offset;
        let side = |tx: &mut Tx, own: bool| -> StoreResult<Vec<ActivityRow>> {
            let query = activities::table.into_boxed();
            let query = if own {
                query.filter(activities::object_id.eq(id.clone()))
            } else {
                query.filter(activities::owner_org.eq(id.clone()))
            };
            map_err(
                query
                    .order((activities::timestamp.desc(), activities::id.desc()))
                    .limit(wanted)
                    .select(ActivityRow::as_select())
                    .load(tx),
            )
        };
        let mut rows = side(tx, true)?;
        rows.extend(side(tx, false)?);
        rows.sort_by(|a, b| (b.timestamp, &b.id).cmp(&(a.timestamp, &a.id)));
        rows.dedup_by(|a, b| a.id == b.id);
        return Ok(rows.into_iter().skip(offset as usize).take(limit as usize).collect());
    }
    let mut query = activities::table.into_boxed();
    query = match stream {
        Stream::Object(id) => query.filter(activities::object_id.eq(id.clone())),
        Stream::Organization(id) => {
            query.filter(activities::object_id.eq(id.clone()).or(activities::owner_org.eq(id.clone())))
        }
        Stream::Group(id) => {
            query.filter(activities::object_id.eq(id.clone()).or(activities::group_ids.like(format!("%{id}%"))))
        }
        Stream::User(id) => query.filter(activities::user_id.eq(id.clone())),
        Stream::Datasets => query.filter(activities::activity_type.like("% package")),
    };
    if let Some(before) = before {
        query = query.filter(activities::timestamp.lt(before));
    }
    if let Some(after) = after {
        query = query.filter(activities::timestamp.gt(after));
    }
    // With only `after`, CKAN pages from the oldest activity after it (shown newest first).
    let oldest_first = after.is_some() && before.is_none();
    query = if oldest_first {
        query.order((activities::timestamp.asc(), activities::id.asc()))
    } else {
        query.order((activities::timestamp.desc(), activities::id.desc()))
    };
    map_err(query.limit(limit).offset(offset).select(ActivityRow::as_select()).load(tx))
}

/// For each dataset, its first creation or change at or after `since` (datasets without one are
/// left out).
pub fn first_changes_since(
    tx: &mut Tx,
    ids: &[String],
    since: NaiveDateTime,
) -> StoreResult<Vec<(String, NaiveDateTime)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, Option<NaiveDateTime>)> = map_err(
            activities::table
                .filter(activities::object_id.eq_any(chunk))
                .filter(activities::timestamp.ge(since))
                .filter(activities::activity_type.eq_any(["new package", "changed package"]))
                .group_by(activities::object_id)
                .select((activities::object_id, diesel::dsl::min(activities::timestamp)))
                .load(tx),
        )?;
        found.extend(rows.into_iter().filter_map(|(id, first)| first.map(|f| (id, f))));
    }
    Ok(found)
}
