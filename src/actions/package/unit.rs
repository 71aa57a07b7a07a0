//! The one unit of work every change to an existing dataset ends with, inside the writer's
//! transaction: the dataset's row, the change-log entry (a typed kind, which feeds every
//! node's search index), the stored dict and the activity. A new writer (a portal page, a
//! harvest job, a workflow) calls an action that ends here, and so cannot forget a step; a
//! test (`tests/api/architecture.rs`) keeps the change log written from here and the
//! organisation/group unit only. A new dataset is stored whole by `store::new_dataset` (the
//! same four parts, one statement on PostgreSQL).

use serde_json::{Map, Value};

use crate::actions::ActionContext;
use crate::error::ActionResult;
use crate::store::changes::{self, ChangeKind, Entity};
use crate::store::packages::{self, PackageRow};
use crate::store::{self, Tx};

/// A change to one existing dataset. Rows of its parts (resources, tags, group memberships,
/// collaborators) are written by the caller first; the dataset's own row is written here.
pub enum DatasetChange<'a> {
    /// Its row changed (and maybe its parts): the activity says "changed package" (or
    /// "deleted package" when the new state is `deleted`, as CKAN's update does).
    Updated(&'a PackageRow),
    /// Marked deleted.
    Deleted(&'a PackageRow),
    /// A deleted dataset gives up its name for a new one (it is renamed to its id, as CKAN
    /// does): no activity.
    FreedName(&'a PackageRow),
    /// Removed for good, with everything that hangs off it.
    Purged(&'a PackageRow),
    /// Joined or left a group (the membership is written first).
    Groups(&'a str),
    /// Its collaborators changed: who may see it while private (no activity, as in CKAN).
    Collaborators(&'a str),
}

/// Writes a dataset change's row, logs it, stores the dataset's dict and records the activity.
/// Returns the stored dict, except for a purge.
pub fn save(tx: &mut Tx, context: &ActionContext, change: DatasetChange) -> ActionResult<Option<Map<String, Value>>> {
    let now = store::now();
    match change {
        DatasetChange::Updated(row) => {
            packages::update(tx, row)?;
            changes::append(tx, Entity::Dataset, &row.id, ChangeKind::Update, now)?;
            let activity = if row.state == "deleted" { "deleted package" } else { "changed package" };
            super::record_change(tx, context, row, activity).map(Some)
        }
        DatasetChange::Deleted(row) => {
            packages::update(tx, row)?;
            changes::append(tx, Entity::Dataset, &row.id, ChangeKind::Delete, now)?;
            super::record_change(tx, context, row, "deleted package").map(Some)
        }
        DatasetChange::FreedName(row) => {
            packages::rename(tx, &row.id, &row.id)?;
            changes::append(tx, Entity::Dataset, &row.id, ChangeKind::Update, now)?;
            let renamed = PackageRow { name: row.id.clone(), ..row.clone() };
            super::refresh(tx, context, &renamed).map(Some)
        }
        DatasetChange::Purged(row) => {
            packages::purge(tx, &row.id)?;
            changes::append(tx, Entity::Dataset, &row.id, ChangeKind::Purge, now)?;
            Ok(None)
        }
        DatasetChange::Groups(id) => {
            changes::append(tx, Entity::Dataset, id, ChangeKind::Groups, now)?;
            match packages::find(tx, id)? {
                Some(row) => super::refresh(tx, context, &row).map(Some),
                None => Ok(None),
            }
        }
        DatasetChange::Collaborators(id) => {
            changes::append(tx, Entity::Dataset, id, ChangeKind::Collaborators, now)?;
            Ok(None)
        }
    }
}
