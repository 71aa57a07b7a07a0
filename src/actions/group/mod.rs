//! Organisations and groups share one implementation, as in CKAN; [`Kind`] says which.

mod create;
mod delete;
mod list;
mod show;
mod update;

use serde_json::Value;

use super::{ActionContext, Params};
use crate::auth::Caller;
use crate::error::{ActionError, ActionResult};
use crate::store::changes::{self, ChangeKind, Entity};
use crate::store::{self, Tx, groups, groups::GroupRow};

pub use create::new_membership as create_membership;
pub use show::readable;

/// Organisation or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organization,
    Group,
}

impl Kind {
    /// Returns whether this kind is an organisation.
    pub fn is_organization(self) -> bool {
        self == Kind::Organization
    }

    /// Returns the word CKAN uses in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Organization => "organization",
            Kind::Group => "group",
        }
    }

    /// Returns the change-log entity.
    pub fn entity(self) -> Entity {
        match self {
            Kind::Organization => Entity::Organization,
            Kind::Group => Entity::Group,
        }
    }
}

/// The one unit of work every change to an organisation or group ends with (its row and
/// memberships are written first): the change-log entry, which has every node index its
/// datasets again, and the activity (none for membership changes and purges, as in CKAN).
pub fn save_change(tx: &mut Tx, caller: &Caller, kind: Kind, row: &GroupRow, change: ChangeKind) -> ActionResult<()> {
    changes::append(tx, kind.entity(), &row.id, change, store::now())?;
    let verb = match change {
        ChangeKind::Create => "new",
        ChangeKind::Update => "changed",
        ChangeKind::Delete => "deleted",
        _ => return Ok(()),
    };
    crate::actions::activity::record_group(tx, caller, row, &format!("{verb} {}", kind.noun()))
}

/// Finds an organisation or group of the given kind (an organisation is not a group and vice versa).
pub fn find_kind(tx: &mut Tx, id_or_name: &str, kind: Kind) -> ActionResult<Option<GroupRow>> {
    Ok(groups::find(tx, id_or_name)?.filter(|row| row.is_organization == kind.is_organization()))
}

/// Returns the required `id` parameter of show-like actions.
fn required_id(params: &Params) -> ActionResult<String> {
    params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))
}

macro_rules! both_kinds {
    ($($org:ident, $grp:ident => $imp:path;)*) => {$(
        #[doc = concat!("`", stringify!($org), "`.")]
        pub fn $org(context: &ActionContext, params: &Params) -> ActionResult<Value> {
            $imp(context, params, Kind::Organization)
        }
        #[doc = concat!("`", stringify!($grp), "`.")]
        pub fn $grp(context: &ActionContext, params: &Params) -> ActionResult<Value> {
            $imp(context, params, Kind::Group)
        }
    )*};
}

both_kinds! {
    organization_create, group_create => create::create;
    organization_show, group_show => show::show;
    organization_list, group_list => list::list;
    organization_update, group_update => update::update;
    organization_patch, group_patch => update::patch;
    organization_delete, group_delete => delete::delete;
    organization_purge, group_purge => delete::purge;
}

pub use list::{group_list_authz, organization_list_for_user};
