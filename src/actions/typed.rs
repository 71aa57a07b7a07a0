//! Typed actions for in-process callers: the portal, the harvester, DCAT and downloads call
//! these (typed inputs, typed results), never the JSON registry by name. Each is the function
//! its JSON action adapts, so both answer the same, with the same permissions and validation.

use serde_json::{Map, Value};

use super::{ActionContext, Params, group, package};
use crate::error::{ActionError, ActionResult};
use crate::model::{Dataset, Group, Resource};

pub use super::search::{SearchPage, SearchQuery};

/// `package_search`: one page of the datasets the caller may see, with facets.
pub fn package_search(context: &ActionContext, query: &SearchQuery) -> ActionResult<SearchPage> {
    check(context, Map::new())?;
    super::search::search(context, query)
}

/// `package_show`: a dataset the caller may read, by id or name.
pub fn package_show(context: &ActionContext, id: &str) -> ActionResult<Dataset> {
    check(context, Map::new())?;
    package::show(context, id, false)
}

/// `resource_show`: an active resource of a dataset the caller may read.
pub fn resource_show(context: &ActionContext, id: &str) -> ActionResult<Resource> {
    check(context, Map::new())?;
    package::show_resource(context, id)
}

/// `package_create`: creates a dataset from its CKAN dict (the fields the caller sets).
pub fn package_create(context: &ActionContext, draft: &Dataset) -> ActionResult<Dataset> {
    check(context, draft.0.clone())?;
    let (dict, _) = package::create_with_text(context, &Params(draft.0.clone(), Vec::new()))?;
    Ok(Dataset(dict))
}

/// `package_update`: replaces a dataset (named by the dict's `id` or `name`) with this dict.
pub fn package_update(context: &ActionContext, dataset: &Dataset) -> ActionResult<Dataset> {
    check(context, dataset.0.clone())?;
    dataset_of(package::package_update(context, &Params(dataset.0.clone(), Vec::new()))?)
}

/// `package_patch`: sets the given fields of a dataset, keeping the others.
pub fn package_patch(context: &ActionContext, id: &str, changes: &Map<String, Value>) -> ActionResult<Dataset> {
    let mut params = changes.clone();
    params.insert("id".into(), Value::String(id.to_string()));
    check(context, params.clone())?;
    dataset_of(package::package_patch(context, &Params(params, Vec::new()))?)
}

/// `package_delete`: marks a dataset deleted.
pub fn package_delete(context: &ActionContext, id: &str) -> ActionResult<()> {
    let mut params = Map::new();
    params.insert("id".into(), Value::String(id.to_string()));
    check(context, params.clone())?;
    package::package_delete(context, &Params(params, Vec::new())).map(|_| ())
}

/// `organization_show` (`organization: true`) or `group_show`: one organisation or group the
/// caller may see, with its dataset count, without its datasets.
pub fn group_show(context: &ActionContext, id: &str, organization: bool) -> ActionResult<Group> {
    let mut params = Map::new();
    params.insert("id".into(), Value::String(id.to_string()));
    check(context, params.clone())?;
    let params = Params(params, Vec::new());
    let shown =
        if organization { group::organization_show(context, &params)? } else { group::group_show(context, &params)? };
    group_of(shown)
}

/// `organization_list` / `group_list` with `all_fields`: a page (at most 25, CKAN's cap) of
/// organisations or groups by title, each with the count of datasets the caller may see.
pub fn group_list(
    context: &ActionContext,
    organization: bool,
    offset: usize,
    limit: usize,
) -> ActionResult<Vec<Group>> {
    let mut params = Map::new();
    params.insert("all_fields".into(), Value::Bool(true));
    params.insert("offset".into(), Value::from(offset));
    params.insert("limit".into(), Value::from(limit));
    check(context, params.clone())?;
    let params = Params(params, Vec::new());
    let listed =
        if organization { group::organization_list(context, &params)? } else { group::group_list(context, &params)? };
    match listed {
        Value::Array(items) => items.into_iter().map(group_of).collect(),
        _ => Err(ActionError::Internal(anyhow::anyhow!("a group list answered no list"))),
    }
}

fn group_of(value: Value) -> ActionResult<Group> {
    match value {
        Value::Object(dict) => Ok(Group(dict)),
        _ => Err(ActionError::Internal(anyhow::anyhow!("a group action answered no group dict"))),
    }
}

/// Applies the checks every call gets at the registry's door (a disabled caller, impossible
/// text), so typed calls are refused exactly as JSON ones are.
fn check(context: &ActionContext, params: Map<String, Value>) -> ActionResult<()> {
    if context.caller.is_disabled() {
        return Err(ActionError::Authorization(None));
    }
    Params(params, Vec::new()).check_text()
}

fn dataset_of(value: Value) -> ActionResult<Dataset> {
    match value {
        Value::Object(dict) => Ok(Dataset(dict)),
        _ => Err(ActionError::Internal(anyhow::anyhow!("a dataset action answered no dataset dict"))),
    }
}
