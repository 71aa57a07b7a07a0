//! The dataset dict (`package_show`) and the resource dict, as CKAN 2.12 builds them.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::actions::dict::{group_base, timestamp, timestamp_opt};
use crate::error::ActionResult;
use crate::store::groups::GroupRow;
use crate::store::packages::PackageRow;
use crate::store::resources::ResourceRow;
use crate::store::tags::TagRow;
use crate::store::{Tx, groups, members, resources, tags};

/// What a dataset dict needs besides its row.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    pub organization: Option<GroupRow>,
    pub tags: Vec<TagRow>,
    pub groups: Vec<GroupRow>,
    pub resources: Vec<ResourceRow>,
}

/// Loads the parts of several datasets with one query per kind.
pub fn load_parts(tx: &mut Tx, rows: &[PackageRow]) -> ActionResult<HashMap<String, Parts>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut parts: HashMap<String, Parts> = ids.iter().map(|id| (id.clone(), Parts::default())).collect();
    let mut group_ids: Vec<String> = rows.iter().filter_map(|r| r.owner_org.clone()).collect();
    let memberships = members::for_objects(tx, "package", &ids)?;
    group_ids.extend(memberships.iter().map(|m| m.group_id.clone()));
    group_ids.sort();
    group_ids.dedup();
    let found_groups: HashMap<String, GroupRow> =
        groups::find_many(tx, &group_ids)?.into_iter().map(|g| (g.id.clone(), g)).collect();
    for row in rows {
        if let (Some(org_id), Some(entry)) = (&row.owner_org, parts.get_mut(&row.id)) {
            entry.organization = found_groups.get(org_id).filter(|g| g.state == "active").cloned();
        }
    }
    for membership in memberships {
        if let (Some(group), Some(entry)) =
            (found_groups.get(&membership.group_id), parts.get_mut(&membership.table_id))
            && !group.is_organization
            && group.state == "active"
        {
            entry.groups.push(group.clone());
        }
    }
    for (package_id, tag) in tags::for_packages(tx, &ids)? {
        if let Some(entry) = parts.get_mut(&package_id) {
            entry.tags.push(tag);
        }
    }
    for resource in resources::active_for_packages(tx, &ids)? {
        if let Some(entry) = parts.get_mut(&resource.package_id) {
            entry.resources.push(resource);
        }
    }
    Ok(parts)
}

/// Returns the resource dict (keys sorted, custom fields at top level).
pub fn resource(row: &ResourceRow, site_url: &str) -> Map<String, Value> {
    let url = if row.url_type.as_deref() == Some("upload") && !row.url.contains("://") && !site_url.is_empty() {
        format!("{site_url}/dataset/{}/resource/{}/download/{}", row.package_id, row.id, row.url)
    } else {
        row.url.clone()
    };
    let mut dict = Map::new();
    if let Ok(Value::Object(extra)) = serde_json::from_str::<Value>(&row.extras) {
        dict.extend(extra);
    }
    let fields = [
        ("cache_last_updated", timestamp_opt(row.cache_last_updated)),
        ("cache_url", json!(row.cache_url)),
        ("created", json!(timestamp(row.created))),
        ("description", json!(row.description)),
        ("format", json!(row.format)),
        ("hash", json!(row.hash)),
        ("id", json!(row.id)),
        ("last_modified", timestamp_opt(row.last_modified)),
        ("metadata_modified", json!(timestamp(row.metadata_modified))),
        ("mimetype", json!(row.mimetype)),
        ("mimetype_inner", json!(row.mimetype_inner)),
        ("name", json!(row.name)),
        ("package_id", json!(row.package_id)),
        ("position", json!(row.position)),
        ("resource_type", json!(row.resource_type)),
        ("size", json!(row.size)),
        ("state", json!(row.state)),
        ("url", json!(url)),
        ("url_type", json!(row.url_type)),
    ];
    for (key, value) in fields {
        dict.insert(key.into(), value);
    }
    let mut sorted: Vec<(String, Value)> = dict.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.into_iter().collect()
}

fn license<'a>(licenses: &'a [Value], id: &Option<String>) -> Option<&'a Value> {
    let id = id.as_deref()?;
    licenses.iter().find(|l| l["id"].as_str() == Some(id))
}

/// Returns the dataset dict.
/// `custom_fields` (the schema's own fields) move from `extras` to the top level, as
/// ckanext-scheming shows them.
pub fn package(
    row: &PackageRow,
    parts: &Parts,
    licenses: &[Value],
    site_url: &str,
    custom_fields: &[String],
) -> Map<String, Value> {
    let known_license = license(licenses, &row.license_id);
    let title = row.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or(&row.name);
    let mut dict = Map::new();
    dict.insert("author".into(), json!(row.author));
    dict.insert("author_email".into(), json!(row.author_email));
    dict.insert("creator_user_id".into(), json!(row.creator_user_id));
    dict.insert("id".into(), json!(row.id));
    let is_open =
        known_license.is_some_and(|l| l["od_conformance"] == "approved" || l["osd_conformance"] == "approved");
    dict.insert("isopen".into(), json!(is_open));
    dict.insert("license_id".into(), json!(row.license_id));
    let license_title = known_license.map(|l| l["title"].clone()).unwrap_or_else(|| json!(row.license_id));
    dict.insert("license_title".into(), license_title);
    if let Some(url) = known_license.and_then(|l| l["url"].as_str()).filter(|u| !u.is_empty()) {
        dict.insert("license_url".into(), json!(url));
    }
    dict.insert("maintainer".into(), json!(row.maintainer));
    dict.insert("maintainer_email".into(), json!(row.maintainer_email));
    dict.insert("metadata_created".into(), json!(timestamp(row.metadata_created)));
    dict.insert("metadata_modified".into(), json!(timestamp(row.metadata_modified)));
    dict.insert("name".into(), json!(row.name));
    dict.insert("notes".into(), json!(row.notes));
    dict.insert("num_resources".into(), json!(parts.resources.len()));
    dict.insert("num_tags".into(), json!(parts.tags.len()));
    let organization = parts.organization.as_ref().map(|org| {
        let base = group_base(org, site_url);
        Value::Object(
            crate::actions::dict::GROUP_COLUMNS
                .iter()
                .map(|k| (k.to_string(), base.get(*k).cloned().unwrap_or(Value::Null)))
                .collect(),
        )
    });
    dict.insert("organization".into(), organization.unwrap_or(Value::Null));
    dict.insert("owner_org".into(), json!(row.owner_org));
    dict.insert("private".into(), json!(row.private));
    dict.insert("state".into(), json!(row.state));
    dict.insert("title".into(), json!(title));
    dict.insert("type".into(), json!(row.package_type));
    dict.insert("url".into(), json!(row.url));
    dict.insert("version".into(), json!(row.version));
    let extras: Vec<Value> = serde_json::from_str(&row.extras).unwrap_or_default();
    let (custom, plain): (Vec<Value>, Vec<Value>) = extras
        .into_iter()
        .partition(|e| e.get("key").and_then(Value::as_str).is_some_and(|k| custom_fields.iter().any(|f| f == k)));
    for field in custom_fields {
        let value = custom.iter().find(|e| e.get("key").and_then(Value::as_str) == Some(field.as_str()));
        dict.insert(field.clone(), value.and_then(|e| e.get("value").cloned()).unwrap_or(Value::Null));
    }
    dict.insert("extras".into(), Value::Array(plain));
    let mut group_dicts: Vec<Value> = parts
        .groups
        .iter()
        .map(|g| {
            let base = group_base(g, site_url);
            let keys = ["description", "display_name", "id", "image_display_url", "name", "title"];
            Value::Object(keys.iter().map(|k| (k.to_string(), base.get(*k).cloned().unwrap_or(Value::Null))).collect())
        })
        .collect();
    group_dicts.sort_by(|a, b| a["display_name"].as_str().cmp(&b["display_name"].as_str()));
    dict.insert("groups".into(), Value::Array(group_dicts));
    dict.insert(
        "resources".into(),
        Value::Array(parts.resources.iter().map(|r| Value::Object(resource(r, site_url))).collect()),
    );
    let tag_dicts = parts
        .tags
        .iter()
        .map(|t| {
            let vocabulary = if t.vocabulary_id.is_empty() { Value::Null } else { json!(t.vocabulary_id) };
            json!({"display_name": t.name, "id": t.id, "name": t.name, "state": "active", "vocabulary_id": vocabulary})
        })
        .collect();
    dict.insert("tags".into(), Value::Array(tag_dicts));
    dict.insert("relationships_as_subject".into(), json!([]));
    dict.insert("relationships_as_object".into(), json!([]));
    dict
}
