//! Authorisation checks shared by actions: CKAN's `has_user_permission_for_group_or_org`.

use crate::auth::{Caller, Permission, roles};
use crate::error::ActionResult;
use crate::store::{Tx, members};

/// Returns whether the caller holds `permission` on the organisation or group `group_id`.
pub fn has_group_permission(
    tx: &mut Tx,
    caller: &Caller,
    group_id: &str,
    permission: Permission,
) -> ActionResult<bool> {
    if caller.is_sysadmin() {
        return Ok(true);
    }
    let Some(user_id) = caller.user_id() else {
        return Ok(false);
    };
    let membership = members::find(tx, group_id, "user", user_id)?;
    Ok(membership.is_some_and(|m| m.state == "active" && roles::capacity_grants(&m.capacity, permission)))
}
