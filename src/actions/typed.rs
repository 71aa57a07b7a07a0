//! Typed actions for in-process callers: the portal, the harvester, DCAT and downloads call
//! these (typed inputs, typed results), never the JSON registry by name. Each is the function
//! its JSON action adapts, so both answer the same, with the same permissions and validation.

use std::convert::identity;

use serde_json::{Map, Value};

use super::{ActionContext, Params, Upload, admit, group, package};
use crate::error::{ActionError, ActionResult};
use crate::model::{Dataset, Group, Resource};

pub use super::admin::{Trash, TrashKind, Trashed, end_sessions, purge_trash, session_counts, trash};
pub use super::identity::user_for_identity;
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

/// `package_create` as CKAN's web form calls it (`allow_state_change`): the caller may create
/// the dataset as a `draft` (state `draft`) or publish it at once (`active`).
pub fn package_create_from_form(context: &ActionContext, draft: &Dataset) -> ActionResult<Dataset> {
    let params = Params(draft.0.clone(), Vec::new());
    admit(&context.caller, &params)?;
    let (dict, _) = package::create_allowing_state(context, &params, true)?;
    Ok(Dataset(dict))
}

/// Whether the caller may edit a dataset it can read (`package_update`'s permission); a
/// dataset it cannot read is not found.
pub fn package_can_edit(context: &ActionContext, id: &str) -> ActionResult<bool> {
    context.store().read(|tx| {
        let row = package::readable(tx, &context.caller, id)?;
        package::can_edit(tx, &context.caller, &row)
    })
}

/// `organization_list_for_user`: the caller's organisations where it holds `permission`
/// (`create_dataset`, `manage_group`, `read`), by title, each with the caller's `capacity`.
pub fn organizations_of_caller(context: &ActionContext, permission: &str) -> ActionResult<Vec<Group>> {
    let mut fields = Map::new();
    fields.insert("permission".into(), Value::String(permission.to_string()));
    list_of(run(context, fields, Vec::new(), group::organization_list_for_user)?, Group)
}

/// `resource_create`: adds a resource (a link, or the file in `upload`) to a dataset.
pub fn resource_create(
    context: &ActionContext,
    dataset_id: &str,
    mut fields: Map<String, Value>,
    upload: Option<Upload>,
) -> ActionResult<Resource> {
    fields.insert("package_id".into(), Value::String(dataset_id.to_string()));
    dict_of(run(context, fields, upload.into_iter().collect(), package::resource_create)?, Resource)
}

/// `resource_patch`: sets the given fields of a resource (and its file, with `upload`).
pub fn resource_patch(
    context: &ActionContext,
    id: &str,
    fields: Map<String, Value>,
    upload: Option<Upload>,
) -> ActionResult<Resource> {
    let Params(fields, _) = with_id(id, fields);
    dict_of(run(context, fields, upload.into_iter().collect(), package::resource_patch)?, Resource)
}

/// `resource_delete`.
pub fn resource_delete(context: &ActionContext, id: &str) -> ActionResult<()> {
    let Params(fields, _) = with_id(id, Map::new());
    run(context, fields, Vec::new(), package::resource_delete).map(|_| ())
}

/// `package_resource_reorder`: the dataset's resources in this order.
pub fn package_resource_reorder(context: &ActionContext, id: &str, order: &[String]) -> ActionResult<()> {
    let mut fields = Map::new();
    fields.insert("order".into(), Value::from(order.to_vec()));
    let Params(fields, _) = with_id(id, fields);
    run(context, fields, Vec::new(), package::package_resource_reorder).map(|_| ())
}

/// `activity_diff`: the unified diff between an activity's object and the one before it, with
/// both activities.
pub fn activity_diff(context: &ActionContext, activity_id: &str) -> ActionResult<Map<String, Value>> {
    let Params(fields, _) = with_id(activity_id, Map::new());
    dict_of(run(context, fields, Vec::new(), super::activity::activity_diff)?, |map| map)
}

/// `organization_member_create`: gives a user (by name, or by e-mail address when it holds an
/// `@`) a role in an organisation, or changes it.
pub fn organization_member_create(
    context: &ActionContext,
    organization: &str,
    user: &str,
    role: &str,
) -> ActionResult<()> {
    let username = if user.contains('@') {
        // Only an organisation's administrators learn whether an address has an account.
        let managed = organizations_of_caller(context, "membership")?;
        if !managed.iter().any(|g| g.id() == organization || g.name() == organization) {
            return Err(ActionError::denied(format!("User {} not authorized to add members", context.caller.name())));
        }
        let found = context.store().read(|tx| crate::store::users::find_active_by_email(tx, user))?;
        found.map(|u| u.name).ok_or_else(|| ActionError::field("username", "User not found"))?
    } else {
        user.to_string()
    };
    let mut fields = Map::new();
    fields.insert("username".into(), Value::String(username));
    fields.insert("role".into(), Value::String(role.to_string()));
    let Params(fields, _) = with_id(organization, fields);
    run(context, fields, Vec::new(), super::member::organization_member_create).map(|_| ())
}

/// `organization_member_delete`: removes a user from an organisation.
pub fn organization_member_delete(context: &ActionContext, organization: &str, user: &str) -> ActionResult<()> {
    let mut fields = Map::new();
    fields.insert("username".into(), Value::String(user.to_string()));
    let Params(fields, _) = with_id(organization, fields);
    run(context, fields, Vec::new(), super::member::organization_member_delete).map(|_| ())
}

/// `user_show`: a user's dict as the caller may see it, with the datasets they created
/// (`include_datasets`, at most 50, those the caller may read).
pub fn user_show(context: &ActionContext, id: &str, include_datasets: bool) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("include_datasets".into(), Value::Bool(include_datasets));
    let Params(fields, _) = with_id(id, fields);
    dict_of(run(context, fields, Vec::new(), super::user::user_show)?, |map| map)
}

/// `user_list`: active users matching `q` (name, full name, and e-mail for sysadmins), by
/// display name.
pub fn user_list(context: &ActionContext, q: &str) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("q".into(), Value::String(q.to_string()));
    list_of(run(context, fields, Vec::new(), super::user::user_list)?, |map| map)
}

/// `user_delete`: sysadmins only.
pub fn user_delete(context: &ActionContext, id: &str) -> ActionResult<()> {
    let Params(fields, _) = with_id(id, Map::new());
    run(context, fields, Vec::new(), super::user::user_delete).map(|_| ())
}

/// `user_patch`: sets the given fields of a user (the user or a sysadmin).
pub fn user_patch(context: &ActionContext, id: &str, changes: Map<String, Value>) -> ActionResult<Map<String, Value>> {
    let Params(fields, _) = with_id(id, changes);
    dict_of(run(context, fields, Vec::new(), super::user::user_patch)?, |map| map)
}

/// `organization_activity_list`: a page of an organisation's activity (its datasets' changes
/// included), newest first, as the caller may see it.
pub fn organization_activity_list(
    context: &ActionContext,
    id: &str,
    limit: usize,
) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("limit".into(), Value::from(limit));
    let Params(fields, _) = with_id(id, fields);
    list_of(run(context, fields, Vec::new(), super::activity::organization_activity_list)?, |map| map)
}

/// Whether the caller may edit an organisation or group (`organization_update`'s permission).
pub fn group_can_edit(context: &ActionContext, id: &str) -> ActionResult<bool> {
    context.store().read(|tx| {
        crate::actions::authz::has_group_permission(tx, &context.caller, id, crate::auth::Permission::Update)
    })
}

/// `organization_patch` (`organization: true`) or `group_patch`.
pub fn group_patch(
    context: &ActionContext,
    id: &str,
    organization: bool,
    changes: Map<String, Value>,
) -> ActionResult<Group> {
    let Params(fields, _) = with_id(id, changes);
    let action = if organization { group::organization_patch } else { group::group_patch };
    dict_of(run(context, fields, Vec::new(), action)?, Group)
}

/// What `bulk_update` does to the chosen datasets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BulkChange {
    Public,
    Private,
    Delete,
}

/// `bulk_update_public`, `bulk_update_private` or `bulk_update_delete` on datasets of one
/// organisation.
pub fn bulk_update(
    context: &ActionContext,
    organization: &str,
    datasets: &[String],
    change: BulkChange,
) -> ActionResult<()> {
    let mut fields = Map::new();
    fields.insert("org_id".into(), Value::String(organization.to_string()));
    fields.insert("datasets".into(), Value::from(datasets.to_vec()));
    let action = match change {
        BulkChange::Public => package::bulk_update_public,
        BulkChange::Private => package::bulk_update_private,
        BulkChange::Delete => package::bulk_update_delete,
    };
    run(context, fields, Vec::new(), action).map(|_| ())
}

/// Admits the caller and runs a JSON action with these parameters.
fn run(
    context: &ActionContext,
    fields: Map<String, Value>,
    uploads: Vec<Upload>,
    action: fn(&ActionContext, &Params) -> ActionResult<Value>,
) -> ActionResult<Value> {
    let params = Params(fields, uploads);
    admit(&context.caller, &params)?;
    action(context, &params)
}

/// The dicts of a list an action answered, in their model type.
fn list_of<T>(value: Value, wrap: fn(Map<String, Value>) -> T) -> ActionResult<Vec<T>> {
    match value {
        Value::Array(items) => items.into_iter().map(|item| dict_of(item, wrap)).collect(),
        other => Err(ActionError::Internal(anyhow::anyhow!("an action answered {other} where a list was due"))),
    }
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

/// The harvest sources of the organisations the caller edits (every source for a sysadmin),
/// each with its status.
pub fn harvest_sources_editable(context: &ActionContext) -> ActionResult<Vec<Map<String, Value>>> {
    admit(&context.caller, &Params::default())?;
    super::harvest::editable_sources(context)
}

/// `harvest_source_show`: a source the caller may read, with its status.
pub fn harvest_source_show(context: &ActionContext, id: &str) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, with_id(id, Map::new()).0, Vec::new(), super::harvest::harvest_source_show)?, identity)
}

/// `harvest_job_list`: a source's jobs, newest first (its editors only).
pub fn harvest_job_list(context: &ActionContext, source_id: &str) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("source_id".into(), Value::String(source_id.to_string()));
    list_of(run(context, fields, Vec::new(), super::harvest::harvest_job_list)?, identity)
}

/// `harvest_job_report`: a job's gather errors and failed records.
pub fn harvest_job_report(context: &ActionContext, job_id: &str) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, with_id(job_id, Map::new()).0, Vec::new(), super::harvest::harvest_job_report)?, identity)
}

/// `harvest_job_create`: a job for the source now.
pub fn harvest_job_create(context: &ActionContext, source_id: &str) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("source_id".into(), Value::String(source_id.to_string()));
    dict_of(run(context, fields, Vec::new(), super::harvest::harvest_job_create)?, identity)
}

/// `harvest_job_abort`: ends the source's newest job.
pub fn harvest_job_abort(context: &ActionContext, source_id: &str) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("source_id".into(), Value::String(source_id.to_string()));
    dict_of(run(context, fields, Vec::new(), super::harvest::harvest_job_abort)?, identity)
}

/// `maintenance_notice_list`: the notices not yet over, or (`all`, sysadmins) every one.
pub fn maintenance_notice_list(context: &ActionContext, all: bool) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("all".into(), Value::Bool(all));
    list_of(run(context, fields, Vec::new(), super::maintenance::maintenance_notice_list)?, identity)
}

/// `maintenance_notice_create`: announces a suspension (fields as the action takes them).
pub fn maintenance_notice_create(
    context: &ActionContext,
    fields: Map<String, Value>,
) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, fields, Vec::new(), super::maintenance::maintenance_notice_create)?, identity)
}

/// `maintenance_notice_delete`: cancels a notice.
pub fn maintenance_notice_delete(context: &ActionContext, id: &str) -> ActionResult<()> {
    run(context, with_id(id, Map::new()).0, Vec::new(), super::maintenance::maintenance_notice_delete).map(|_| ())
}

/// `datarequest_index`: `(count, a page of requests)`, newest first; `closed` filters.
pub fn datarequest_index(
    context: &ActionContext,
    closed: Option<bool>,
    offset: usize,
    limit: usize,
) -> ActionResult<(u64, Vec<Map<String, Value>>)> {
    let mut fields = Map::new();
    if let Some(closed) = closed {
        fields.insert("closed".into(), Value::Bool(closed));
    }
    fields.insert("offset".into(), Value::from(offset));
    fields.insert("limit".into(), Value::from(limit));
    let answer = run(context, fields, Vec::new(), super::datarequest::datarequest_index)?;
    let count = answer.get("count").and_then(Value::as_u64).unwrap_or_default();
    Ok((count, list_of(answer.get("result").cloned().unwrap_or_default(), identity)?))
}

/// `datarequest_show`.
pub fn datarequest_show(context: &ActionContext, id: &str) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, with_id(id, Map::new()).0, Vec::new(), super::datarequest::datarequest_show)?, identity)
}

/// `datarequest_comment_list`: oldest first.
pub fn datarequest_comment_list(context: &ActionContext, id: &str) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("datarequest_id".into(), Value::String(id.to_string()));
    list_of(run(context, fields, Vec::new(), super::datarequest::datarequest_comment_list)?, identity)
}

/// Whether the caller answers for the request's department.
pub fn datarequest_is_department(context: &ActionContext, id: &str) -> ActionResult<bool> {
    admit(&context.caller, &Params::default())?;
    super::datarequest::answers_for(context, id)
}

/// `datarequest_create`.
pub fn datarequest_create(context: &ActionContext, fields: Map<String, Value>) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, fields, Vec::new(), super::datarequest::datarequest_create)?, identity)
}

/// `datarequest_comment` on request `id`.
pub fn datarequest_comment(
    context: &ActionContext,
    id: &str,
    mut fields: Map<String, Value>,
) -> ActionResult<Map<String, Value>> {
    fields.insert("datarequest_id".into(), Value::String(id.to_string()));
    dict_of(run(context, fields, Vec::new(), super::datarequest::datarequest_comment)?, identity)
}

/// `datarequest_close` of request `id`.
pub fn datarequest_close(
    context: &ActionContext,
    id: &str,
    fields: Map<String, Value>,
) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, with_id(id, fields).0, Vec::new(), super::datarequest::datarequest_close)?, identity)
}

/// `error_report_list`: a dataset's reports not yet fixed, newest first.
pub fn error_reports_open(context: &ActionContext, package_id: &str) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    fields.insert("package_id".into(), Value::String(package_id.to_string()));
    fields.insert("open_only".into(), Value::Bool(true));
    list_of(run(context, fields, Vec::new(), super::error_report::error_report_list)?, identity)
}

/// `error_report_create` on a dataset.
pub fn error_report_create(
    context: &ActionContext,
    package_id: &str,
    description: &str,
) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("package_id".into(), Value::String(package_id.to_string()));
    fields.insert("description".into(), Value::String(description.to_string()));
    dict_of(run(context, fields, Vec::new(), super::error_report::error_report_create)?, identity)
}

/// `error_report_answer`.
pub fn error_report_answer(
    context: &ActionContext,
    id: &str,
    answer: &str,
    fixed: bool,
) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("answer".into(), Value::String(answer.to_string()));
    fields.insert("fixed".into(), Value::Bool(fixed));
    dict_of(run(context, with_id(id, fields).0, Vec::new(), super::error_report::error_report_answer)?, identity)
}

/// `update_compliance_report` for a quarter (`2026Q3`).
pub fn update_compliance_report(context: &ActionContext, quarter: &str) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("quarter".into(), Value::String(quarter.to_string()));
    dict_of(run(context, fields, Vec::new(), super::compliance_report::update_compliance_report)?, identity)
}

/// `access_request_list`, optionally in one state.
pub fn access_request_list(context: &ActionContext, state: Option<&str>) -> ActionResult<Vec<Map<String, Value>>> {
    let mut fields = Map::new();
    if let Some(state) = state {
        fields.insert("state".into(), Value::String(state.to_string()));
    }
    list_of(run(context, fields, Vec::new(), super::access_request::access_request_list)?, identity)
}

/// `access_request_show`.
pub fn access_request_show(context: &ActionContext, id: &str) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, with_id(id, Map::new()).0, Vec::new(), super::access_request::access_request_show)?, identity)
}

/// `access_request_create`.
pub fn access_request_create(context: &ActionContext, fields: Map<String, Value>) -> ActionResult<Map<String, Value>> {
    dict_of(run(context, fields, Vec::new(), super::access_request::access_request_create)?, identity)
}

/// One step of access request `id`: `approve`, `refuse`, `issue`, `revoke` or `withdraw`.
pub fn access_request_step(
    context: &ActionContext,
    step: &str,
    id: &str,
    fields: Map<String, Value>,
) -> ActionResult<Map<String, Value>> {
    use super::access_request as a;
    let action: fn(&ActionContext, &Params) -> ActionResult<Value> = match step {
        "approve" => a::access_request_approve,
        "refuse" => a::access_request_refuse,
        "issue" => a::access_request_issue,
        "revoke" => a::access_request_revoke,
        "withdraw" => a::access_request_withdraw,
        _ => return Err(ActionError::NotFound(None)),
    };
    dict_of(run(context, with_id(id, fields).0, Vec::new(), action)?, identity)
}

/// `retention_list` of the caller's departments (sysadmins: every department): the count and
/// the first `limit` datasets past their online retention.
pub fn retention_list(context: &ActionContext, limit: usize) -> ActionResult<(u64, Vec<Map<String, Value>>)> {
    let mut fields = Map::new();
    fields.insert("limit".into(), Value::from(limit));
    let answer = run(context, fields, Vec::new(), super::retention::retention_list)?;
    let count = answer.get("count").and_then(Value::as_u64).unwrap_or_default();
    let results = list_of(answer.get("results").cloned().unwrap_or(Value::Array(Vec::new())), identity)?;
    Ok((count, results))
}

/// `annual_evaluation_report` of `year`.
pub fn annual_evaluation_report(context: &ActionContext, year: &str) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("year".into(), Value::String(year.to_string()));
    dict_of(run(context, fields, Vec::new(), super::quality::annual_evaluation_report)?, identity)
}

/// `quarterly_summary_report` of `quarter`.
pub fn quarterly_summary_report(context: &ActionContext, quarter: &str) -> ActionResult<Map<String, Value>> {
    let mut fields = Map::new();
    fields.insert("quarter".into(), Value::String(quarter.to_string()));
    dict_of(run(context, fields, Vec::new(), super::summary_report::quarterly_summary_report)?, identity)
}
