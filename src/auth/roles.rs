//! CKAN's role rules for organisations and groups (`ckan/authz.py`), as pure functions.

/// A permission checked against a membership's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    CreateDataset,
    UpdateDataset,
    DeleteDataset,
    ManageGroup,
    /// Edit or delete the organisation/group itself: only the catch-all `admin` grants it.
    Update,
    Delete,
    /// Add and remove members.
    Membership,
}

/// The roles an organisation offers, in CKAN's order.
pub const ORGANIZATION_ROLES: [&str; 3] = ["admin", "editor", "member"];
/// The roles a (non-organisation) group offers.
pub const GROUP_ROLES: [&str; 2] = ["admin", "member"];

/// Returns whether a membership with `capacity` grants `permission`.
pub fn capacity_grants(capacity: &str, permission: Permission) -> bool {
    use Permission::*;
    match capacity {
        "admin" => true,
        "editor" => matches!(permission, Read | CreateDataset | UpdateDataset | DeleteDataset | ManageGroup),
        "member" => matches!(permission, Read | ManageGroup),
        _ => false,
    }
}

/// Returns the roles valid for an organisation or a group.
pub fn roles_for(is_organization: bool) -> &'static [&'static str] {
    if is_organization { &ORGANIZATION_ROLES } else { &GROUP_ROLES }
}

/// Returns CKAN's display text of a role (`member_list` shows it capitalised).
pub fn role_title(capacity: &str) -> String {
    let mut chars = capacity.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn admins_may_do_everything() {
        for permission in [Read, CreateDataset, UpdateDataset, DeleteDataset, ManageGroup, Update, Delete, Membership] {
            assert!(capacity_grants("admin", permission));
        }
    }

    #[test]
    fn editors_manage_datasets_but_not_the_organization() {
        assert!(capacity_grants("editor", CreateDataset));
        assert!(capacity_grants("editor", DeleteDataset));
        assert!(!capacity_grants("editor", Update));
        assert!(!capacity_grants("editor", Membership));
    }

    #[test]
    fn members_only_read_and_manage_group_content() {
        assert!(capacity_grants("member", Read));
        assert!(capacity_grants("member", ManageGroup));
        assert!(!capacity_grants("member", CreateDataset));
        assert!(!capacity_grants("public", Read));
    }

    #[test]
    fn groups_have_no_editor_role() {
        assert_eq!(roles_for(false), ["admin", "member"]);
        assert_eq!(role_title("editor"), "Editor");
    }
}
