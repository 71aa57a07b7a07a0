//! Site-level reads: `status_show`, `site_read`, `help_show`, `license_list`, `member_roles_list`.

use serde_json::{Value, json};

use super::{ActionContext, Params};
use crate::auth::roles;
use crate::error::{ActionError, ActionResult};

/// The CKAN release whose wire behaviour Kho follows.
pub const CKAN_VERSION: &str = "2.12.0";

/// `status_show`: the site's configuration summary.
pub fn status_show(context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    let config = context.config();
    Ok(json!({
        "site_title": config.site_title,
        "site_description": config.site_description,
        "site_url": config.effective_site_url(),
        "error_emails_to": Value::Null,
        "locale_default": config.locale_default,
        "extensions": Vec::<String>::new(),
        "ckan_version": CKAN_VERSION,
        "kho_version": env!("CARGO_PKG_VERSION"),
        "maintenance": super::maintenance::current_notices(context.services)
            .iter()
            .map(super::maintenance::notice_dict)
            .collect::<Vec<_>>(),
    }))
}

/// `site_read`: CKAN 2.10's always-true check, kept because old clients call it.
pub fn site_read(_context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    Ok(json!(true))
}

/// `help_show`: an action's documentation.
pub fn help_show(_context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let name = params.non_empty("name").ok_or_else(|| ActionError::field("name", "Missing value"))?;
    let action = super::find(&name).ok_or_else(|| ActionError::not_found("Action function not found"))?;
    Ok(json!(action.help))
}

/// `license_list`: the licence register.
pub fn license_list(context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    Ok(Value::Array(context.services.licenses.clone()))
}

/// `member_roles_list`: the roles of an organisation (or, with `group_type=group`, a group).
pub fn member_roles_list(_context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let is_organization = params.text("group_type").as_deref() != Some("group");
    let roles: Vec<Value> = roles::roles_for(is_organization)
        .iter()
        .map(|role| json!({"text": roles::role_title(role), "value": role}))
        .collect();
    Ok(Value::Array(roles))
}

/// `scheming_dataset_schema_list`: the dataset types that have a schema.
pub fn scheming_dataset_schema_list(context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    Ok(Value::Array(context.services.schemas.0.iter().map(|s| json!(s.dataset_type)).collect()))
}

/// `scheming_dataset_schema_show`: one schema, as its file gives it.
pub fn scheming_dataset_schema_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let dataset_type = params.non_empty("type").ok_or_else(|| ActionError::field("type", "Missing value"))?;
    let schema = context.services.schemas.for_type(&dataset_type).ok_or(ActionError::NotFound(None))?;
    Ok(schema.document.clone())
}
