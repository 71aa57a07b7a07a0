//! Typed actions for in-process callers: the portal, the harvester, DCAT and downloads call
//! these (typed inputs, typed results), never the JSON registry by name. Each is the function
//! its JSON action adapts, so both answer the same, with the same permissions and validation.

use serde_json::{Map, Value};

use super::{ActionContext, Params, admit, group, package};
use crate::error::{ActionError, ActionResult};
use crate::model::{Dataset, Group, Resource};

pub use super::search::{SearchPage, SearchQuery};

/// `package_search`: one page of the datasets the caller may see, with facets.
pub fn package_search(context: &ActionContext, query: &SearchQuery) -> ActionResult<SearchPage> {
    admit(&context.caller, &Params::default())?;
    super::search::search(context, query)
}

/// `package_show`: a dataset the caller may read, by id or name.
pub fn package_show(context: &ActionContext, id: &str) -> ActionResult<Dataset> {
    admit(&context.caller, &with_id(id, Map::new()))?;
    package::show(context, id, false)
}

/// `resource_show`: an active resource of a dataset the caller may read.
pub fn resource_show(context: &ActionContext, id: &str) -> ActionResult<Resource> {
    admit(&context.caller, &with_id(id, Map::new()))?;
    package::show_resource(context, id)
}

/// `package_create`: creates a dataset from its CKAN dict (the fields the caller sets).
pub fn package_create(context: &ActionContext, draft: &Dataset) -> ActionResult<Dataset> {
    let params = Params(draft.0.clone(), Vec::new());
    admit(&context.caller, &params)?;
    let (dict, _) = package::create_with_text(context, &params)?;
    Ok(Dataset(dict))
}

/// `package_update`: replaces a dataset (named by the dict's `id` or `name`) with this dict.
pub fn package_update(context: &ActionContext, dataset: &Dataset) -> ActionResult<Dataset> {
    let params = Params(dataset.0.clone(), Vec::new());
    admit(&context.caller, &params)?;
    dict_of(package::package_update(context, &params)?, Dataset)
}

/// `package_patch`: sets the given fields of a dataset, keeping the others.
pub fn package_patch(context: &ActionContext, id: &str, changes: &Map<String, Value>) -> ActionResult<Dataset> {
    let params = with_id(id, changes.clone());
    admit(&context.caller, &params)?;
    dict_of(package::package_patch(context, &params)?, Dataset)
}

/// `package_delete`: marks a dataset deleted.
pub fn package_delete(context: &ActionContext, id: &str) -> ActionResult<()> {
    let params = with_id(id, Map::new());
    admit(&context.caller, &params)?;
    package::package_delete(context, &params).map(|_| ())
}

/// `organization_show` (`organization: true`) or `group_show`: one organisation or group the
/// caller may see, with its dataset count, without its datasets.
pub fn group_show(context: &ActionContext, id: &str, organization: bool) -> ActionResult<Group> {
    let params = with_id(id, Map::new());
    admit(&context.caller, &params)?;
    let shown =
        if organization { group::organization_show(context, &params)? } else { group::group_show(context, &params)? };
    dict_of(shown, Group)
}

/// `organization_list` / `group_list` with `all_fields`: a page (at most 25, CKAN's cap) of
/// organisations or groups by title, each with the count of datasets the caller may see.
pub fn group_list(
    context: &ActionContext,
    organization: bool,
    offset: usize,
    limit: usize,
) -> ActionResult<Vec<Group>> {
    let mut fields = Map::new();
    fields.insert("all_fields".into(), Value::Bool(true));
    fields.insert("offset".into(), Value::from(offset));
    fields.insert("limit".into(), Value::from(limit));
    let params = Params(fields, Vec::new());
    admit(&context.caller, &params)?;
    let listed =
        if organization { group::organization_list(context, &params)? } else { group::group_list(context, &params)? };
    match listed {
        Value::Array(items) => items.into_iter().map(|item| dict_of(item, Group)).collect(),
        _ => Err(ActionError::Internal(anyhow::anyhow!("a group list answered no list"))),
    }
}

/// `package_activity_list`: a page of a dataset's activity, newest first, when the caller may
/// see it (an authorisation error otherwise).
pub fn package_activity_list(
    context: &ActionContext,
    id: &str,
    offset: usize,
    limit: usize,
) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("offset".into(), Value::from(offset));
    fields.insert("limit".into(), Value::from(limit));
    let params = with_id(id, fields);
    admit(&context.caller, &params)?;
    match super::activity::package_activity_list(context, &params)? {
        Value::Array(items) => Ok(items.into_iter().filter_map(|item| item.as_object().cloned()).collect()),
        _ => Err(ActionError::Internal(anyhow::anyhow!("an activity list answered no list"))),
    }
}

/// `api_token_list`: a user's tokens (never the token strings), for the user or a sysadmin.
pub fn api_token_list(context: &ActionContext, user: &str) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("user_id".into(), Value::String(user.to_string()));
    let params = Params(fields, Vec::new());
    admit(&context.caller, &params)?;
    match super::token::api_token_list(context, &params)? {
        Value::Array(items) => Ok(items.into_iter().filter_map(|item| item.as_object().cloned()).collect()),
        _ => Err(ActionError::Internal(anyhow::anyhow!("a token list answered no list"))),
    }
}

/// `api_token_create`: a new token for `user`, named `name`; returns `(token, id)` (the token
/// string exists only in this answer).
pub fn api_token_create(context: &ActionContext, user: &str, name: &str) -> ActionResult<(String, String)> {
    let mut fields = Map::new();
    fields.insert("user".into(), Value::String(user.to_string()));
    fields.insert("name".into(), Value::String(name.to_string()));
    let params = Params(fields, Vec::new());
    admit(&context.caller, &params)?;
    let created = super::token::api_token_create(context, &params)?;
    let text = |key: &str| created.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    Ok((text("token"), text("id")))
}

/// `api_token_revoke`: revokes a token by its id (`jti`), the caller's own or, for a sysadmin, any.
pub fn api_token_revoke(context: &ActionContext, jti: &str) -> ActionResult<()> {
    let mut fields = Map::new();
    fields.insert("jti".into(), Value::String(jti.to_string()));
    let params = Params(fields, Vec::new());
    admit(&context.caller, &params)?;
    super::token::api_token_revoke(context, &params).map(|_| ())
}

/// The parameters `fields` with `id` set.
fn with_id(id: &str, mut fields: Map<String, Value>) -> Params {
    fields.insert("id".into(), Value::String(id.to_string()));
    Params(fields, Vec::new())
}

/// Wraps the dict an action answered in its model type.
fn dict_of<T>(value: Value, wrap: fn(Map<String, Value>) -> T) -> ActionResult<T> {
    match value {
        Value::Object(dict) => Ok(wrap(dict)),
        other => Err(ActionError::Internal(anyhow::anyhow!("an action answered {other} where a dict was due"))),
    }
}
