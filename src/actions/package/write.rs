//! `package_create`, `package_update`, `package_patch`: one transaction each, with a
//! change-log row; an update that changes nothing writes nothing (CKAN 2.12).

use serde_json::{Map, Value, json};

use super::input::{self, DatasetInput, Errors};
use super::resource_input::{self, Context};
use super::unit::{self, DatasetChange};
use super::{can_edit, readable, show_dict};
use crate::actions::authz::has_group_permission;
use crate::actions::{ActionContext, Params, validate};
use crate::auth::{Caller, Permission};
use crate::error::{ActionError, ActionResult};
use crate::store::groups::GroupRow;
use crate::store::new_dataset::{self, NewDataset};
use crate::store::packages::PackageRow;
use crate::store::resources::ResourceRow;
use crate::store::{self, Tx, groups, members, packages, resources, tags};

/// Where the caller may create datasets: everywhere (sysadmins), or in the groups where one of
/// their active memberships grants it. Read with one query, then consulted by every check.
enum CreateRights {
    Everywhere,
    In(Vec<GroupRow>),
}

impl CreateRights {
    fn of(tx: &mut Tx, caller: &Caller) -> ActionResult<CreateRights> {
        if caller.is_sysadmin() {
            return Ok(CreateRights::Everywhere);
        }
        let Some(user_id) = caller.user_id() else {
            return Ok(CreateRights::In(Vec::new()));
        };
        let granted = members::of_user_with_groups(tx, user_id)?
            .into_iter()
            .filter(|(m, _)| crate::auth::roles::capacity_grants(&m.capacity, Permission::CreateDataset))
            .map(|(_, group)| group)
            .collect();
        Ok(CreateRights::In(granted))
    }

    /// Returns whether the caller may create datasets in at least one organisation.
    fn anywhere(&self) -> bool {
        match self {
            CreateRights::Everywhere => true,
            CreateRights::In(groups) => !groups.is_empty(),
        }
    }
}

/// Resolves `owner_org` (an id or a name) to an active organisation the caller may add
/// datasets to. A non-sysadmin's organisations are at hand: any other is refused unread.
fn owner_org(
    tx: &mut Tx,
    caller: &Caller,
    rights: &CreateRights,
    given: &str,
    errors: &mut Errors,
) -> ActionResult<Option<GroupRow>> {
    let usable = |g: &GroupRow| g.is_organization && g.state == "active";
    match rights {
        CreateRights::Everywhere => {
            let org = groups::find(tx, given)?.filter(usable);
            if org.is_none() {
                errors.fields.add("owner_org", "Organization does not exist");
            }
            Ok(org)
        }
        CreateRights::In(granted) => granted
            .iter()
            .find(|g| g.id == given)
            .or_else(|| granted.iter().find(|g| g.name == given))
            .filter(|g| usable(g))
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                ActionError::denied(format!(
                    "User {} not authorized to add dataset to this organization",
                    caller.name()
                ))
            }),
    }
}

/// Resolves the submitted groups (sorted by id, each once); unknown groups are a 404 for
/// non-sysadmins (CKAN's auth check) and skipped for sysadmins; each needs `manage_group`.
fn find_groups(tx: &mut Tx, caller: &Caller, names: &[String], already: &[String]) -> ActionResult<Vec<GroupRow>> {
    let mut found: Vec<GroupRow> = Vec::new();
    for name in names {
        let Some(group) = groups::find(tx, name)?.filter(|g| !g.is_organization && g.state == "active") else {
            if caller.is_sysadmin() {
                continue;
            }
            return Err(ActionError::not_found("Group was not found."));
        };
        if !already.contains(&group.id) && !has_group_permission(tx, caller, &group.id, Permission::ManageGroup)? {
            return Err(ActionError::denied(format!("User {} not authorized to edit these groups", caller.name())));
        }
        if !found.iter().any(|g| g.id == group.id) {
            found.push(group);
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

/// Builds the resource rows of a dataset from the submitted list, matching existing ones by id.
fn build_resources(
    tx: &mut Tx,
    package_id: &str,
    submitted: &[Map<String, Value>],
    existing: &[ResourceRow],
    now: chrono::NaiveDateTime,
    errors: &mut Errors,
    creating: bool,
) -> ActionResult<Vec<ResourceRow>> {
    let mut rows = Vec::new();
    let mut item_errors = Vec::new();
    let mut any_error = false;
    for (position, item) in submitted.iter().enumerate() {
        let mut item_fields = crate::error::FieldErrors::default();
        let given_id = item.get("id").and_then(crate::actions::params::value_text).filter(|i| !i.is_empty());
        let current = given_id.as_ref().and_then(|id| existing.iter().find(|r| &r.id == id));
        let id = match (&given_id, current) {
            (Some(id), Some(_)) => id.clone(),
            (Some(id), None) if !validate::is_uuid(id) => {
                item_fields.add("id", "Invalid id provided");
                id.clone()
            }
            (Some(id), None) => {
                if resources::find(tx, id)?.is_some_and(|r| r.package_id != package_id) {
                    item_fields.add("id", "Resource id already exists.");
                }
                id.clone()
            }
            (None, _) => crate::store::new_id(),
        };
        // CKAN guesses the mimetype of resources added by an update, not of those a create brings.
        let guess_mimetype = !creating && given_id.is_none();
        let context = Context { package_id, position: position as i32, now, guess_mimetype, upload: None };
        let mut row = resource_input::build(item, current, id, &context, &mut item_fields);
        if let Some(old) = current
            && resource_input::same_content(
                &ResourceRow { metadata_modified: old.metadata_modified, ..row.clone() },
                old,
            )
        {
            row.metadata_modified = old.metadata_modified;
        }
        rows.push(row);
        match item_fields.into_result() {
            Ok(()) => item_errors.push(json!({})),
            Err(ActionError::Validation(map)) => {
                any_error = true;
                item_errors.push(Value::Object(map.into_iter().filter(|(k, _)| k != "__type").collect()));
            }
            Err(other) => return Err(other),
        }
    }
    if any_error {
        errors.nested.insert("resources".into(), Value::Array(item_errors));
    }
    Ok(rows)
}

/// Everything a dataset write stores.
struct Stored {
    row: PackageRow,
    groups: Vec<String>,
    resources: Vec<ResourceRow>,
}

fn current_groups(tx: &mut Tx, package_id: &str) -> ActionResult<Vec<String>> {
    let ids: Vec<String> =
        members::list_for_object(tx, "package", package_id)?.into_iter().map(|m| m.group_id).collect();
    let found = groups::find_many(tx, &ids)?;
    let mut ids: Vec<String> = found.into_iter().filter(|g| !g.is_organization).map(|g| g.id).collect();
    ids.sort();
    Ok(ids)
}

fn current_tags(tx: &mut Tx, package_id: &str) -> ActionResult<Vec<input::TagInput>> {
    Ok(tags::for_packages(tx, &[package_id.to_string()])?
        .into_iter()
        .map(|(_, t)| input::TagInput { name: t.name, vocabulary_id: t.vocabulary_id })
        .collect())
}

/// Finds the submitted tags (creating new free tags); a vocabulary tag must be one of its
/// vocabulary's tags. Returns them sorted by name.
fn resolve_tags(tx: &mut Tx, submitted: &[input::TagInput]) -> ActionResult<Vec<tags::TagRow>> {
    let free: Vec<&str> = submitted.iter().filter(|t| t.vocabulary_id.is_empty()).map(|t| t.name.as_str()).collect();
    let mut tag_rows = tags::find_free(tx, &free)?;
    let mut tag_errors = Vec::new();
    let mut any_error = false;
    for tag in submitted {
        if tag.vocabulary_id.is_empty() {
            tag_errors.push(json!({}));
            continue;
        }
        let Some(vocabulary) = crate::store::vocabularies::find(tx, &tag.vocabulary_id)? else {
            any_error = true;
            tag_errors.push(json!({"vocabulary_id": ["Tag vocabulary was not found."]}));
            continue;
        };
        match tags::find(tx, &tag.name, &vocabulary.id)?.filter(|t| t.vocabulary_id == vocabulary.id) {
            Some(found) => {
                tag_rows.push(found);
                tag_errors.push(json!({}));
            }
            None => {
                any_error = true;
                tag_errors.push(
                    json!({"name": [format!("Tag {} does not belong to vocabulary {}", tag.name, vocabulary.name)]}),
                );
            }
        }
    }
    if any_error {
        let mut map = Map::new();
        map.insert("tags".into(), Value::Array(tag_errors));
        return Err(ActionError::Validation(map));
    }
    tag_rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tag_rows)
}

/// Links an updated dataset to its tags, groups and resources.
fn store_parts(tx: &mut Tx, stored: &Stored, tag_rows: &[tags::TagRow], old_groups: &[String]) -> ActionResult<()> {
    let tag_ids: Vec<&str> = tag_rows.iter().map(|t| t.id.as_str()).collect();
    tags::set_for_package(tx, &stored.row.id, &tag_ids, false)?;
    for group in old_groups.iter().filter(|g| !stored.groups.contains(g)) {
        members::delete(tx, group, "package", &stored.row.id)?;
    }
    for group in stored.groups.iter().filter(|g| !old_groups.contains(g)) {
        members::upsert(tx, &crate::actions::group::create_membership(group, "package", &stored.row.id, "public"))?;
    }
    resources::replace_for_package(tx, &stored.row.id, &stored.resources)?;
    Ok(())
}

/// Extras as `(key, value)` pairs.
type Extras = Vec<(String, String)>;

/// Merges a dataset schema's custom fields (validated) into the extras; returns the extras to
/// store and the plain extras as sent.
fn with_schema_fields(
    context: &ActionContext,
    params: &Params,
    dataset_type: &str,
    sent: Vec<(String, String)>,
    errors: &mut Errors,
) -> (Extras, Extras) {
    let Some(schema) = context.services.schemas.for_type(dataset_type).filter(|s| !s.custom_fields.is_empty()) else {
        return (sent.clone(), sent);
    };
    let custom = schema.validate(|name| params.text(name), &mut errors.fields);
    let plain: Vec<(String, String)> =
        sent.into_iter().filter(|(key, _)| !schema.custom_fields.iter().any(|f| &f.name == key)).collect();
    let mut all = plain.clone();
    all.extend(custom);
    (all, plain)
}

/// Returns extras as JSON text: as sent, or in the order CKAN 2.12's PostgreSQL `jsonb` gives
/// them back (shorter keys first, then bytes), which is how they are stored.
fn extras_json(extras: &[(String, String)], jsonb_order: bool) -> String {
    let mut ordered: Vec<&(String, String)> = extras.iter().collect();
    if jsonb_order {
        ordered.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
    }
    Value::Array(ordered.iter().map(|(k, v)| json!({"key": k, "value": v})).collect()).to_string()
}

/// Sets the free-text columns from the submission (absent ones become `None`).
fn set_text_fields(row: &mut PackageRow, input: &DatasetInput) {
    let text_of = |field: &str| input.text.iter().find(|(f, _)| *f == field).and_then(|(_, v)| v.clone());
    row.title = text_of("title");
    row.author = text_of("author");
    row.author_email = text_of("author_email");
    row.maintainer = text_of("maintainer");
    row.maintainer_email = text_of("maintainer_email");
    row.license_id = text_of("license_id");
    row.notes = text_of("notes");
    row.url = text_of("url");
    row.version = text_of("version");
}

/// Returns a timestamp a sysadmin set explicitly (CKAN 2.12 lets sysadmins set
/// `metadata_modified` when mirroring or harvesting); ignored for everyone else.
fn sysadmin_timestamp(caller: &Caller, params: &Params, key: &str) -> Option<chrono::NaiveDateTime> {
    if !caller.is_sysadmin() {
        return None;
    }
    params.text(key).and_then(|t| resource_input::parse_datetime(&t))
}

/// `package_create` answering with the dict's JSON text as stored (serialised once).
pub fn package_create_json(context: &ActionContext, params: &Params, out: &mut String) -> ActionResult<()> {
    out.push_str(&create_with_text(context, params)?.1);
    Ok(())
}

/// Creates a dataset; returns its dict and that dict as JSON text (the one way a create's
/// result is built, for the API and the typed action alike).
pub fn create_with_text(context: &ActionContext, params: &Params) -> ActionResult<(Map<String, Value>, String)> {
    create_allowing_state(context, params, false)
}

/// Creates a dataset; with `allow_state_change` (CKAN's context flag, set by its web form, never
/// by the API) the caller may create it as a `draft` without being a sysadmin.
pub fn create_allowing_state(
    context: &ActionContext,
    params: &Params,
    allow_state_change: bool,
) -> ActionResult<(Map<String, Value>, String)> {
    if context.caller.active_user().is_none() {
        return Err(ActionError::denied(format!("User {} not authorized to create packages", context.caller.name())));
    }
    context.store().write(|tx| create_in(tx, context, params, allow_state_change))
}

pub(crate) fn create_in(
    tx: &mut Tx,
    context: &ActionContext,
    params: &Params,
    allow_state_change: bool,
) -> ActionResult<(Map<String, Value>, String)> {
    let caller = &context.caller;
    let rights = CreateRights::of(tx, caller)?;
    if !rights.anywhere() {
        return Err(ActionError::denied(format!("User {} not authorized to create packages", caller.name())));
    }
    let mut errors = Errors::default();
    let organization = match params.non_empty("owner_org") {
        Some(given) => owner_org(tx, caller, &rights, &given, &mut errors)?,
        None => {
            errors.fields.add("owner_org", "An organization must be provided");
            None
        }
    };
    let input = input::parse(params, &mut errors, true)?;
    let group_names = input.groups.clone().unwrap_or_default();
    let tags_submitted = input.tags.clone().unwrap_or_default();
    let group_rows = find_groups(tx, caller, &group_names, &[])?;
    let id = validate::new_object_id(&mut errors.fields, input.id.clone(), caller.is_sysadmin());
    if input.id.is_some() && !id.is_empty() && packages::find(tx, &id)?.is_some_and(|p| p.id == id) {
        errors.fields.add("id", "Dataset id already exists");
    }
    let name = input.name.clone().unwrap_or_default();
    if !errors.fields.has("name")
        && let Some(existing) = packages::find(tx, &name)?.filter(|p| p.name == name)
    {
        if existing.state == "deleted" {
            unit::save(tx, context, DatasetChange::FreedName(&existing))?;
        } else {
            errors.fields.add("name", "That URL is already in use.");
        }
    }
    let now = store::now();
    let resources =
        build_resources(tx, &id, &input.resources.clone().unwrap_or_default(), &[], now, &mut errors, true)?;
    let dataset_type = input.package_type.clone().unwrap_or_else(|| "dataset".into());
    let (extras, sent_extras) =
        with_schema_fields(context, params, &dataset_type, input.extras.clone().unwrap_or_default(), &mut errors);
    errors.into_result()?;
    let state = input.state.clone().filter(|s| {
        (caller.is_sysadmin() && ["active", "draft", "deleted"].contains(&s.as_str()))
            || (allow_state_change && ["active", "draft"].contains(&s.as_str()))
    });
    let mut row = PackageRow {
        id: id.clone(),
        title: None,
        author: None,
        author_email: None,
        maintainer: None,
        maintainer_email: None,
        license_id: None,
        notes: None,
        url: None,
        version: None,
        name,
        state: state.unwrap_or_else(|| "active".into()),
        package_type: input.package_type.clone().unwrap_or_else(|| "dataset".into()),
        owner_org: organization.as_ref().map(|o| o.id.clone()),
        private: input.private.unwrap_or(false),
        creator_user_id: caller.user_id().map(str::to_string),
        metadata_created: sysadmin_timestamp(caller, params, "metadata_created").unwrap_or(now),
        metadata_modified: sysadmin_timestamp(caller, params, "metadata_modified").unwrap_or(now),
        extras: extras_json(&extras, true),
    };
    set_text_fields(&mut row, &input);
    if params.get("license_id").is_none() {
        row.license_id.clone_from(&context.config().default_license);
    }
    let tag_rows = resolve_tags(tx, &tags_submitted)?;
    // Everything the dict shows is at hand: build it before storing, and store the dataset
    // with its cached dict in one statement.
    let site_url = context.config().effective_site_url();
    let custom = context.services.schemas.custom_field_names(&row.package_type);
    let parts = super::dict::Parts {
        organization,
        tags: tag_rows.clone(),
        groups: group_rows.clone(),
        resources: resources.clone(),
    };
    let mut dict = super::dict::package(&row, &parts, &context.services.licenses, &site_url, &custom);
    // CKAN answers a create, and shows the dataset until its first change, with the extras
    // in the order sent; everything read back from storage has them in jsonb order.
    dict.insert("extras".into(), serde_json::from_str(&extras_json(&sent_extras, false)).unwrap_or(json!([])));
    let dict_text = serde_json::to_string(&dict).map_err(|e| ActionError::Internal(e.into()))?;
    let tag_ids: Vec<&str> = tag_rows.iter().map(|t| t.id.as_str()).collect();
    let activity = crate::actions::activity::dataset_activity(caller, &dict, &dict_text, "new package");
    let new = NewDataset {
        row: &row,
        dict_text: &dict_text,
        tag_ids: &tag_ids,
        resources: &resources,
        activity: &activity,
        changed_at: now,
    };
    new_dataset::insert(tx, &new)?;
    for group in &group_rows {
        members::upsert(tx, &crate::actions::group::create_membership(&group.id, "package", &row.id, "public"))?;
    }
    Ok((dict, dict_text))
}

/// `package_update`: the submitted dict is the whole dataset (2.12: omitted `resources` and
/// `groups` are kept, omitted tags and extras removed).
pub fn package_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").or_else(|| params.non_empty("name")).ok_or_else(|| {
        let mut map = Map::new();
        map.insert("id".into(), json!("Missing value"));
        ActionError::Validation(map)
    })?;
    context.store().write(|tx| update_in(tx, context, params, &id))
}

/// Finds a dataset and locks its row until the transaction ends (concurrent writers of one
/// dataset queue instead of overwriting each other).
pub(super) fn find_locked(tx: &mut Tx, id: &str) -> ActionResult<Option<PackageRow>> {
    let Some(found) = packages::find(tx, id)? else {
        return Ok(None);
    };
    packages::lock(tx, &found.id)?;
    Ok(packages::find(tx, &found.id)?)
}

pub(crate) fn update_in(tx: &mut Tx, context: &ActionContext, params: &Params, id: &str) -> ActionResult<Value> {
    let caller = context.caller.clone();
    {
        let existing = find_locked(tx, id)?.ok_or_else(|| ActionError::not_found("Package was not found."))?;
        if !can_edit(tx, &caller, &existing)? {
            return Err(ActionError::denied(format!(
                "User {} not authorized to edit package {}",
                caller.name(),
                existing.id
            )));
        }
        let mut errors = Errors::default();
        let input = input::parse(params, &mut errors, false)?;
        let owner_org = match &input.owner_org {
            Some(given) if Some(given) != existing.owner_org.as_ref() => {
                let current_name =
                    existing.owner_org.as_ref().and_then(|o| groups::find(tx, o).ok().flatten()).map(|g| g.name);
                if current_name.as_ref() == Some(given) {
                    existing.owner_org.clone()
                } else {
                    let rights = CreateRights::of(tx, &caller)?;
                    owner_org(tx, &caller, &rights, given, &mut errors)?.map(|o| o.id)
                }
            }
            _ => existing.owner_org.clone(),
        };
        let name = input.name.clone().unwrap_or_else(|| existing.name.clone());
        if !errors.fields.has("name")
            && name != existing.name
            && let Some(other) = packages::find(tx, &name)?.filter(|p| p.name == name && p.id != existing.id)
        {
            if other.state == "deleted" {
                unit::save(tx, context, DatasetChange::FreedName(&other))?;
            } else {
                errors.fields.add("name", "That URL is already in use.");
            }
        }
        let old_groups = current_groups(tx, &existing.id)?;
        let groups = match &input.groups {
            Some(names) => find_groups(tx, &caller, names, &old_groups)?.into_iter().map(|g| g.id).collect(),
            None => old_groups.clone(),
        };
        let old_resources = resources::active_for_package(tx, &existing.id)?;
        let now = store::now();
        let new_resources = match &input.resources {
            Some(submitted) => build_resources(tx, &existing.id, submitted, &old_resources, now, &mut errors, false)?,
            None => old_resources.clone(),
        };
        let dataset_type = existing.package_type.clone();
        let (extras, _) =
            with_schema_fields(context, params, &dataset_type, input.extras.clone().unwrap_or_default(), &mut errors);
        errors.into_result()?;
        let may_set_state = caller.is_sysadmin() || can_edit(tx, &caller, &existing)?;
        let state =
            input.state.clone().filter(|s| may_set_state && ["active", "draft", "deleted"].contains(&s.as_str()));
        let mut row = PackageRow {
            name,
            state: state.unwrap_or_else(|| existing.state.clone()),
            owner_org,
            private: input.private.unwrap_or(existing.private),
            extras: extras_json(&extras, true),
            ..existing.clone()
        };
        // The submitted dict is the whole dataset: omitted free-text fields are cleared.
        set_text_fields(&mut row, &input);
        let new_tags = input.tags.clone().unwrap_or_default();
        let unchanged = row == existing
            && new_tags == current_tags(tx, &existing.id)?
            && groups == old_groups
            && new_resources.len() == old_resources.len()
            && new_resources.iter().zip(&old_resources).all(|(a, b)| a == b);
        if unchanged {
            return Ok(Value::Object(super::refresh(tx, context, &existing)?));
        }
        let row = PackageRow {
            metadata_modified: sysadmin_timestamp(&caller, params, "metadata_modified").unwrap_or(now),
            ..row
        };
        let tag_rows = resolve_tags(tx, &new_tags)?;
        let stored = Stored { row, groups, resources: new_resources };
        store_parts(tx, &stored, &tag_rows, &old_groups)?;
        let dict = unit::save(tx, context, DatasetChange::Updated(&stored.row))?.unwrap_or_default();
        Ok(Value::Object(dict))
    }
}

/// `package_patch`: `package_show` overlaid with the given keys, then `package_update`.
pub fn package_patch(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().write(|tx| {
        let found = find_locked(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        let row = readable(tx, &context.caller, &found.id)?;
        let mut merged = show_dict(tx, context, &row)?;
        // The organisation is given by id; the nested dict would only confuse the overlay.
        merged.remove("organization");
        // The stored timestamps are not part of the overlay: a patch always bumps the dataset.
        merged.remove("metadata_modified");
        merged.remove("metadata_created");
        merged.extend(params.0.clone());
        update_in(tx, context, &Params(merged, params.1.clone()), &row.id)
    })
}
