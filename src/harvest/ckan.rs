//! The `ckan` source type: a remote CKAN (or Kho) Action API, read with `package_search`
//! paged on `id asc`. After a complete run only what changed since (with an hour's overlap) is
//! read whole; a cheap listing of every id tells which records still exist. Private remote
//! datasets are never taken.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::config::{CkanConfig, Remote};
use super::fetch::Fetcher;
use super::run::{Halt, Item, JobRun};
use crate::actions::Services;
use crate::actions::harvest::import::{Failure, Record};
use crate::actions::harvest::source::Source;
use crate::auth::Caller;

/// Full datasets per page (ckanext-harvest's page size).
const ROWS: usize = 100;
/// Ids per page of the listing of every record.
const ID_ROWS: usize = 1000;
/// Keys of a remote dict that are the remote's own bookkeeping, never copied.
const REMOTE_ONLY: &[&str] = &[
    "id",
    "owner_org",
    "organization",
    "groups",
    "metadata_created",
    "metadata_modified",
    "revision_id",
    "creator_user_id",
    "num_resources",
    "num_tags",
    "relationships_as_object",
    "relationships_as_subject",
    "tracking_summary",
    "state",
    "private",
    "isopen",
    "license_title",
    "license_url",
];
const RESOURCE_REMOTE_ONLY: &[&str] = &[
    "id",
    "package_id",
    "position",
    "revision_id",
    "tracking_summary",
    "datastore_active",
    "url_type",
    "cache_url",
    "state",
];

fn api(source: &Source, action: &str) -> String {
    format!("{}/api/3/action/{action}", source.url.trim_end_matches('/'))
}

fn fetcher_for(run: &mut JobRun, config: &CkanConfig) {
    if let Some(key) = config.api_key.as_deref().filter(|k| !k.is_empty()) {
        run.fetcher.add_header("Authorization", key);
    }
    if let Some(agent) = config.user_agent.as_deref().filter(|a| !a.is_empty()) {
        run.fetcher.set_user_agent(agent);
    }
}

/// Calls a remote action with GET; its `result`.
fn call(fetcher: &mut Fetcher, url: &str) -> Result<Value, String> {
    let fetched = fetcher.get(url)?;
    let answer: Value =
        serde_json::from_slice(&fetched.body).map_err(|e| format!("{url} did not answer CKAN's JSON: {e}"))?;
    if answer.get("success") != Some(&Value::Bool(true)) {
        return Err(format!("{url} answered an error: {}", answer.get("error").unwrap_or(&Value::Null)));
    }
    Ok(answer.get("result").cloned().unwrap_or(Value::Null))
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What is done with each page of results.
type EachPage<'c> = dyn FnMut(&mut JobRun, Vec<Value>) -> Result<(), Halt> + 'c;

/// Reads every page of a `package_search`; `each` gets each page's results.
fn pages(run: &mut JobRun, fq: &str, fl: Option<&str>, rows: usize, each: &mut EachPage<'_>) -> Result<(), Halt> {
    let mut start = 0usize;
    let mut previous: Option<Vec<String>> = None;
    loop {
        let mut url =
            format!("{}?q=*:*&sort={}&rows={rows}&start={start}", api(&run.source, "package_search"), encode("id asc"));
        if !fq.is_empty() {
            url.push_str(&format!("&fq={}", encode(fq)));
        }
        if let Some(fl) = fl {
            url.push_str(&format!("&fl={}", encode(fl)));
        }
        let result = call(&mut run.fetcher, &url).map_err(Halt::Failed)?;
        let results = result.get("results").and_then(Value::as_array).cloned().unwrap_or_default();
        if results.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> =
            results.iter().filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string)).collect();
        if previous.as_ref() == Some(&ids) {
            return Err(Halt::Failed(format!("{url} answered the same page twice: stopped")));
        }
        previous = Some(ids);
        let count = result.get("count").and_then(Value::as_u64).unwrap_or(0) as usize;
        start += results.len();
        each(run, results)?;
        if start >= count {
            return Ok(());
        }
    }
}

/// Reads the source: every id (when incremental), then the datasets to import.
pub fn gather(run: &mut JobRun, config: &CkanConfig) -> Result<(), Halt> {
    fetcher_for(run, config);
    let since = run.since.filter(|_| !config.force_all).map(|t| t - chrono::Duration::hours(1));
    let mut taken: HashSet<String> = HashSet::new();
    if since.is_some() {
        // Which records exist (and pass the filters): everything else is deleted at the end.
        pages(run, "", Some("id,private,organization,groups"), ID_ROWS, &mut |run, results| {
            let guids: Vec<String> = results
                .iter()
                .filter(|d| wanted(d, config))
                .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            run.see(&guids)?;
            run.save()
        })?;
    }
    let fq = since.map(|t| format!("metadata_modified:[{}Z TO *]", t.format("%Y-%m-%dT%H:%M:%S"))).unwrap_or_default();
    let services = run.context.services;
    let mut imported = 0u64;
    pages(run, &fq, None, ROWS, &mut |run, results| {
        let mut items = Vec::new();
        for remote in results {
            let Some(id) = remote.get("id").and_then(Value::as_str).map(str::to_string) else { continue };
            if !wanted(&remote, config) || !taken.insert(id.clone()) {
                continue;
            }
            let original_url = format!("{}/dataset/{}", run.source.url.trim_end_matches('/'), id);
            let content = remote.to_string();
            items.push(match map(services, &run.source, config, &remote) {
                Ok(dataset) => Item::Record(Record { guid: id, dataset, content, original_url: Some(original_url) }),
                Err(message) => Item::Failed(Failure {
                    guid: id,
                    original_url: Some(original_url),
                    content: Some(content),
                    errors: vec![json!({"message": message, "type": "import"})],
                }),
            });
        }
        imported += items.len() as u64;
        run.page(items)
    })?;
    if since.is_some() {
        // Records listed but not read whole did not change.
        let unchanged = run.seen.saturating_sub(imported * 2);
        run.job.not_modified += i32::try_from(unchanged).unwrap_or(i32::MAX);
    }
    Ok(())
}

/// A name from a dict with `name`, or the text itself (CKAN's `fl` answers index values: the
/// organisation's and groups' names as text; full dicts hold objects).
fn name_of(value: &Value) -> Option<&str> {
    value.as_str().or_else(|| value.get("name").and_then(Value::as_str))
}

/// Whether a remote dataset is one to take: public, and within the organisation and group filters.
fn wanted(remote: &Value, config: &CkanConfig) -> bool {
    let private = remote.get("private");
    if private.and_then(Value::as_bool) == Some(true)
        || private.and_then(Value::as_str).is_some_and(|p| p.eq_ignore_ascii_case("true"))
    {
        return false;
    }
    let org = remote.get("organization").and_then(name_of).unwrap_or_default();
    if !config.organizations_filter_include.is_empty() && !config.organizations_filter_include.iter().any(|o| o == org)
    {
        return false;
    }
    if config.organizations_filter_exclude.iter().any(|o| o == org) {
        return false;
    }
    let groups: Vec<&str> =
        remote.get("groups").and_then(Value::as_array).into_iter().flatten().filter_map(name_of).collect();
    if !config.groups_filter_include.is_empty()
        && !groups.iter().any(|g| config.groups_filter_include.iter().any(|i| i == g))
    {
        return false;
    }
    !groups.iter().any(|g| config.groups_filter_exclude.iter().any(|e| e == g))
}

/// Before deleting a record the listing did not show, asks the remote once more: a record that
/// moved between pages while they were read is kept.
pub fn still_there(fetcher: &mut Fetcher, source: &Source, config: &CkanConfig, guid: &str) -> bool {
    let url = format!("{}?id={}", api(source, "package_show"), encode(guid));
    match call(fetcher, &url) {
        Ok(remote) => remote.get("state").and_then(Value::as_str) == Some("active") && wanted(&remote, config),
        Err(_) => false,
    }
}

/// A tag name as `clean_tags` makes it: lower case, characters CKAN refuses replaced by `-`.
fn clean_tag(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || " -_.".contains(c) { c } else { '-' })
        .collect::<String>()
        .trim()
        .chars()
        .take(100)
        .collect()
}

/// The local organisation or group for a remote one: found by name (or id); created when the
/// config says `create`; `None` when it does not exist locally.
fn local_group(services: &Services, remote: &Value, organization: bool, mode: Remote) -> Option<String> {
    let name = remote.get("name").and_then(Value::as_str)?;
    let found = services.store.read(|tx| crate::store::groups::find(tx, name)).ok().flatten();
    if let Some(group) = found.filter(|g| g.is_organization == organization && g.state == "active") {
        return Some(group.name);
    }
    if mode != Remote::Create {
        return None;
    }
    let action = crate::actions::find(if organization { "organization_create" } else { "group_create" })?;
    let mut fields = Map::new();
    for key in ["name", "title", "description", "image_url"] {
        if let Some(value) = remote.get(key).filter(|v| v.is_string()) {
            fields.insert(key.into(), value.clone());
        }
    }
    let params = crate::actions::Params(fields, Vec::new());
    crate::actions::call(services, Caller::system(), action, &params).ok()?;
    Some(name.to_string())
}

/// Maps a remote dataset dict to the local one (ckanext-harvest's CKAN harvester rules).
fn map(
    services: &Services,
    source: &Source,
    config: &CkanConfig,
    remote: &Value,
) -> Result<Map<String, Value>, String> {
    let remote = remote.as_object().ok_or("The remote dataset is not a JSON object")?;
    let mut dataset: Map<String, Value> = remote
        .iter()
        .filter(|(k, _)| !REMOTE_ONLY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(mode) = config.remote_orgs
        && let Some(org) = remote.get("organization").filter(|o| o.is_object())
        && let Some(local) = local_group(services, org, true, mode)
    {
        dataset.insert("owner_org".into(), json!(local));
    }
    let mut groups: Vec<Value> = Vec::new();
    if let Some(mode) = config.remote_groups {
        for group in remote.get("groups").and_then(Value::as_array).into_iter().flatten() {
            if let Some(local) = local_group(services, group, false, mode) {
                groups.push(json!({"name": local}));
            }
        }
    }
    groups.extend(config.default_groups.iter().map(|g| json!({"name": g})));
    dataset.insert("groups".into(), Value::Array(groups));
    let mut tags: Vec<Value> = remote
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .map(|name| if config.clean_tags { clean_tag(name) } else { name.to_string() })
        .map(|name| json!({"name": name}))
        .collect();
    for tag in &config.default_tags {
        let name = tag.as_str().or_else(|| tag.get("name").and_then(Value::as_str)).unwrap_or_default();
        if !name.is_empty() && !tags.iter().any(|t| t.get("name").and_then(Value::as_str) == Some(name)) {
            tags.push(json!({"name": name}));
        }
    }
    dataset.insert("tags".into(), Value::Array(tags));
    let resources: Vec<Value> = remote
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|r| {
            Value::Object(
                r.iter()
                    .filter(|(k, _)| !RESOURCE_REMOTE_ONLY.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        })
        .collect();
    dataset.insert("resources".into(), Value::Array(resources));
    let mut extras: Vec<Value> = remote.get("extras").and_then(Value::as_array).cloned().unwrap_or_default();
    let remote_id = remote.get("id").and_then(Value::as_str).unwrap_or_default();
    for (key, value) in &config.default_extras {
        let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
        let text = text
            .replace("{dataset_id}", remote_id)
            .replace("{harvest_source_id}", &source.id)
            .replace("{harvest_source_url}", source.url.trim_end_matches('/'))
            .replace("{harvest_source_title}", &source.title);
        let exists = extras.iter().any(|e| e.get("key").and_then(Value::as_str) == Some(key));
        if exists && !config.override_extras {
            continue;
        }
        extras.retain(|e| e.get("key").and_then(Value::as_str) != Some(key));
        extras.push(json!({"key": key, "value": text}));
    }
    dataset.insert("extras".into(), Value::Array(extras));
    if dataset.get("title").and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
        return Err("The remote dataset has no title".into());
    }
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_full_dicts_and_index_values_alike() {
        let config: CkanConfig = serde_json::from_value(json!({
            "organizations_filter_include": ["so-y-te"], "groups_filter_exclude": ["noi-bo"]
        }))
        .unwrap();
        let full = json!({"organization": {"name": "so-y-te"}, "groups": [{"name": "y-te"}], "private": false});
        let listed = json!({"organization": "so-y-te", "groups": ["y-te"], "private": "false"});
        assert!(wanted(&full, &config) && wanted(&listed, &config));
        assert!(!wanted(&json!({"organization": "so-khac"}), &config));
        assert!(!wanted(&json!({"organization": "so-y-te", "groups": ["noi-bo"]}), &config));
        assert!(!wanted(&json!({"organization": "so-y-te", "private": "true"}), &config));
        assert!(!wanted(&json!({"organization": {"name": "so-y-te"}, "private": true}), &config));
    }

    #[test]
    fn clean_tags_lower_case_and_replace_what_ckan_refuses() {
        assert_eq!(clean_tag("Y Tế/Bệnh viện!"), "y tế-bệnh viện-");
    }
}
