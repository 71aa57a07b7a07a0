//! What only sysadmins do beyond CKAN's actions: see the trash and empty it (through
//! `dataset_purge`, `organization_purge` and `group_purge`, so each purge is the API's), and end
//! a user's portal sessions.

use serde_json::{Value, json};

use super::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};
use crate::store::{groups, packages, sessions};

/// A JSON action (here: a purge).
type JsonAction = fn(&ActionContext, &Params) -> ActionResult<Value>;

/// Datasets listed in the trash at most.
const TRASH_LIMIT: i64 = 1000;

/// One deleted object.
#[derive(Debug, Clone)]
pub struct Trashed {
    pub id: String,
    pub name: String,
    pub title: String,
}

/// What the trash holds.
#[derive(Debug, Default)]
pub struct Trash {
    pub datasets: Vec<Trashed>,
    pub organizations: Vec<Trashed>,
    pub groups: Vec<Trashed>,
}

/// What `purge_trash` empties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrashKind {
    Datasets,
    Organizations,
    Groups,
    All,
}

fn require_sysadmin(context: &ActionContext) -> ActionResult<()> {
    if context.caller.is_sysadmin() { Ok(()) } else { Err(ActionError::Authorization(None)) }
}

/// The deleted datasets (newest first, at most 1,000), organisations and groups.
pub fn trash(context: &ActionContext) -> ActionResult<Trash> {
    require_sysadmin(context)?;
    context.store().read(|tx| {
        let datasets = packages::deleted(tx, TRASH_LIMIT)?
            .into_iter()
            .map(|p| Trashed { title: p.title.clone().unwrap_or_default(), id: p.id, name: p.name })
            .collect();
        let (mut organizations, mut groups) = (Vec::new(), Vec::new());
        for row in groups::list_deleted(tx)? {
            let item = Trashed { id: row.id.clone(), name: row.name.clone(), title: row.title.clone() };
            if row.is_organization { organizations.push(item) } else { groups.push(item) }
        }
        Ok(Trash { datasets, organizations, groups })
    })
}

/// Purges what the trash holds of a kind (datasets before organisations, which refuse to go
/// while they hold datasets); returns how many objects were purged.
pub fn purge_trash(context: &ActionContext, kind: TrashKind) -> ActionResult<usize> {
    let held = trash(context)?;
    let wanted = |k: TrashKind| kind == k || kind == TrashKind::All;
    let mut purged = 0;
    let steps: [(TrashKind, &Vec<Trashed>, JsonAction); 3] = [
        (TrashKind::Datasets, &held.datasets, super::package::dataset_purge),
        (TrashKind::Groups, &held.groups, super::group::group_purge),
        (TrashKind::Organizations, &held.organizations, super::group::organization_purge),
    ];
    for (step, items, purge) in steps {
        if !wanted(step) {
            continue;
        }
        for item in items {
            let params = Params::from_value(json!({"id": item.id}))?;
            purge(context, &params)?;
            purged += 1;
        }
    }
    Ok(purged)
}

/// Ends every portal session of a user (sysadmins only); returns how many ended.
pub fn end_sessions(context: &ActionContext, user: &str) -> ActionResult<usize> {
    require_sysadmin(context)?;
    context.store().write(|tx| {
        let row = crate::store::users::find(tx, user)?.ok_or_else(|| ActionError::not_found("User was not found."))?;
        Ok(sessions::delete_for_user(tx, &row.id)?)
    })
}

/// The number of unexpired portal sessions of each user, by user id (sysadmins only).
pub fn session_counts(context: &ActionContext) -> ActionResult<std::collections::HashMap<String, i64>> {
    require_sysadmin(context)?;
    let now = crate::store::now();
    Ok(context.store().read(|tx| sessions::counts_by_user(tx, now))?.into_iter().collect())
}
