//! Storing a new dataset: its row with the cached dict, its tags, resources, change-log entry
//! and activity. On PostgreSQL this is one statement (one round trip, one prepared plan); on
//! SQLite, where a statement costs no round trip, it is one cached statement per row.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Text};

use super::activities::ActivityRow;
use super::changes::{ChangeKind, Entity};
use super::packages::PackageRow;
use super::resources::ResourceRow;
use super::schema::{activities, changes, packages};
use super::{DbConnection, StoreResult, Tx, map_err};

/// Everything a new dataset writes.
pub struct NewDataset<'a> {
    pub row: &'a PackageRow,
    /// The dataset's `package_show` dict as JSON text (see `packages::set_cache`).
    pub dict_text: &'a str,
    pub tag_ids: &'a [&'a str],
    pub resources: &'a [ResourceRow],
    pub activity: &'a ActivityRow,
    /// When the change is logged for the search indexer.
    pub changed_at: NaiveDateTime,
}

/// Stores a new dataset's rows (group memberships are stored apart).
pub fn insert(tx: &mut Tx, new: &NewDataset) -> StoreResult<()> {
    match tx {
        DbConnection::Pg(conn) => {
            let resources = map_err(
                serde_json::to_string(new.resources).map_err(|e| diesel::result::Error::SerializationError(e.into())),
            )?;
            map_err(pg_statement(new, &resources).execute(conn)).map(|_| ())
        }
        DbConnection::Sqlite(_) => {
            super::packages::insert(tx, new.row, Some(new.dict_text))?;
            super::tags::set_for_package(tx, &new.row.id, new.tag_ids, true)?;
            super::resources::insert_all(tx, new.resources)?;
            super::changes::append(tx, Entity::Dataset, &new.row.id, ChangeKind::Create, new.changed_at)?;
            super::activities::insert(tx, new.activity)
        }
    }
}

/// The PostgreSQL statement: the dataset and activity through diesel's own single-row inserts,
/// tags as an array and resources as a JSON array (their counts vary; the SQL text does not).
/// Data-modifying `WITH` parts all run, and foreign keys are checked when the statement ends.
fn pg_statement<'a>(
    new: &'a NewDataset<'a>,
    resources_json: &'a str,
) -> NewDatasetStatement<'a, impl QueryFragment<Pg> + 'a, impl QueryFragment<Pg> + 'a, impl QueryFragment<Pg> + 'a> {
    NewDatasetStatement {
        package: diesel::insert_into(packages::table).values((new.row, packages::dict_cache.eq(Some(new.dict_text)))),
        package_id: &new.row.id,
        tag_ids: new.tag_ids,
        resources_json,
        change: diesel::insert_into(changes::table).values(super::changes::entry(
            Entity::Dataset,
            &new.row.id,
            ChangeKind::Create,
            new.changed_at,
        )),
        activity: diesel::insert_into(activities::table).values(new.activity),
    }
}

struct NewDatasetStatement<'a, P, C, A> {
    package: P,
    package_id: &'a str,
    tag_ids: &'a [&'a str],
    resources_json: &'a str,
    change: C,
    activity: A,
}

/// The statement's SQL text never changes, so its prepared plan is cached by this type.
struct NewDatasetStatementId;

impl<P, C, A> QueryId for NewDatasetStatement<'_, P, C, A> {
    type QueryId = NewDatasetStatementId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<P, C, A> QueryFragment<Pg> for NewDatasetStatement<'_, P, C, A>
where
    P: QueryFragment<Pg>,
    C: QueryFragment<Pg>,
    A: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH new_package AS (");
        self.package.walk_ast(out.reborrow())?;
        out.push_sql("), new_tags AS (INSERT INTO package_tags (package_id, tag_id) SELECT ");
        out.push_bind_param::<Text, _>(self.package_id)?;
        out.push_sql(", unnest(");
        out.push_bind_param::<Array<Text>, _>(self.tag_ids)?;
        out.push_sql(
            ")), new_resources AS (INSERT INTO resources SELECT * FROM json_populate_recordset(NULL::resources, ",
        );
        out.push_bind_param::<Text, _>(self.resources_json)?;
        out.push_sql("::json)), new_change AS (");
        self.change.walk_ast(out.reborrow())?;
        out.push_sql(") ");
        self.activity.walk_ast(out.reborrow())
    }
}

impl<P, C, A> RunQueryDsl<diesel::PgConnection> for NewDatasetStatement<'_, P, C, A> {}
