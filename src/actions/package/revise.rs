//! `package_revise`: change a dataset only if it still matches what the caller last saw
//! (`match`), removing fields (`filter`) and deep-merging changes (`update`), with the flattened
//! `match__…`/`update__…` forms (`update__resources__extend`, `update__resources__<index or id
//! prefix>__field`).

use serde_json::{Map, Value, json};

use super::{find_locked_public, readable, show_dict};
use crate::actions::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};

/// Sets `value` at a `__`-separated path inside an object.
fn set_path(target: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else { return };
    if rest.is_empty() {
        target.insert(first.to_string(), value);
        return;
    }
    let entry = target.entry(first.to_string()).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    if let Some(object) = entry.as_object_mut() {
        set_path(object, rest, value);
    }
}

/// Collects `match`/`update` from their object form and their flattened `name__…` keys.
fn gather(params: &Params, name: &str) -> ActionResult<Map<String, Value>> {
    let mut gathered = match params.json(name)? {
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ActionError::field(name, "Not a dict")),
        None => Map::new(),
    };
    let prefix = format!("{name}__");
    for (key, value) in &params.0 {
        if let Some(path) = key.strip_prefix(&prefix) {
            let parts: Vec<&str> = path.split("__").collect();
            set_path(&mut gathered, &parts, value.clone());
        }
    }
    Ok(gathered)
}

/// Returns the paths of `expected` whose values differ in `actual`.
fn mismatches(expected: &Map<String, Value>, actual: &Map<String, Value>, prefix: &str, found: &mut Vec<String>) {
    for (key, want) in expected {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}__{key}") };
        match (want, actual.get(key)) {
            (Value::Object(want), Some(Value::Object(have))) => mismatches(want, have, &path, found),
            (want, have) if Some(want) != have => found.push(path),
            _ => {}
        }
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    pattern == "*" || pattern == text
}

/// Removes the fields a `filter` pattern names (`-key`, `key`, `resources__*__field`).
fn apply_filter(target: &mut Map<String, Value>, pattern: &[&str]) {
    let Some((first, rest)) = pattern.split_first() else { return };
    if rest.is_empty() {
        target.retain(|key, _| !glob(first, key));
        return;
    }
    for (key, value) in target.iter_mut() {
        if !glob(first, key) {
            continue;
        }
        match value {
            Value::Object(object) => apply_filter(object, rest),
            Value::Array(items) => {
                let Some((index_pattern, item_rest)) = rest.split_first() else { continue };
                for (index, item) in items.iter_mut().enumerate() {
                    if let (true, Value::Object(object)) = (glob(index_pattern, &index.to_string()), item) {
                        apply_filter(object, item_rest);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Merges `update` into `target`: objects recursively, everything else replaced; `resources`
/// accepts `extend` and entries keyed by index or id prefix (at least 5 characters).
fn merge(target: &mut Map<String, Value>, update: Map<String, Value>) -> ActionResult<()> {
    for (key, value) in update {
        if key == "resources"
            && let Value::Object(changes) = value
        {
            let resources = target.entry("resources").or_insert_with(|| json!([]));
            let Some(list) = resources.as_array_mut() else { continue };
            for (selector, change) in changes {
                if selector == "extend" {
                    list.extend(change.as_array().cloned().unwrap_or_default());
                    continue;
                }
                let position = selector.parse::<usize>().ok().filter(|i| *i < list.len()).or_else(|| {
                    (selector.len() >= 5)
                        .then(|| list.iter().position(|r| r["id"].as_str().is_some_and(|id| id.starts_with(&selector))))
                        .flatten()
                });
                let Some(slot) = position.and_then(|i| list.get_mut(i)).and_then(Value::as_object_mut) else {
                    return Err(ActionError::field("update", format!("resources__{selector}: no such resource")));
                };
                if let Value::Object(fields) = change {
                    merge(slot, fields)?;
                }
            }
            continue;
        }
        match (target.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(fields)) => merge(existing, fields)?,
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
    Ok(())
}

/// `package_revise`: returns `{"package": <dataset>}`.
pub fn package_revise(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let wanted = gather(params, "match")?;
    let id = wanted.get("id").or_else(|| wanted.get("name")).and_then(Value::as_str).map(str::to_string);
    let Some(id) = id else {
        let mut map = Map::new();
        map.insert("match__id".into(), json!("Missing value"));
        return Err(ActionError::Validation(map));
    };
    let update = gather(params, "update")?;
    let filters: Vec<String> = match params.json("filter")? {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(_) => return Err(ActionError::field("filter", "Not a list")),
        None => Vec::new(),
    };
    context.store().write(|tx| {
        let found = find_locked_public(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        let row = readable(tx, &context.caller, &found.id)?;
        let mut current = show_dict(tx, context, &row)?;
        let mut differing = Vec::new();
        mismatches(&wanted, &current, "", &mut differing);
        if !differing.is_empty() {
            let mut map = Map::new();
            map.insert("match".into(), json!(differing));
            return Err(ActionError::Validation(map));
        }
        for pattern in &filters {
            let trimmed = pattern.trim_start_matches(['-', '+']);
            if !pattern.starts_with('+') {
                apply_filter(&mut current, &trimmed.split("__").collect::<Vec<_>>());
            }
        }
        current.remove("organization");
        current.remove("metadata_modified");
        current.remove("metadata_created");
        merge(&mut current, update.clone())?;
        let revised = super::write::update_in(tx, context, &Params(current, params.1.clone()), &row.id)?;
        Ok(json!({"package": revised}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_keys_become_nested_objects() {
        let params = Params::from_value(
            json!({"match__name": "x", "update__resources__extend": [{"url": "u"}], "update": {"title": "t"}}),
        )
        .unwrap();
        assert_eq!(Value::Object(gather(&params, "match").unwrap()), json!({"name": "x"}));
        assert_eq!(
            Value::Object(gather(&params, "update").unwrap()),
            json!({"title": "t", "resources": {"extend": [{"url": "u"}]}})
        );
    }

    #[test]
    fn merge_extends_and_patches_resources_by_index_or_id_prefix() {
        let mut target =
            json!({"resources": [{"id": "abcdef-1", "name": "a"}], "title": "x"}).as_object().cloned().unwrap();
        let update = json!({"resources": {"abcdef": {"name": "b"}, "extend": [{"url": "u"}]}, "title": "y"});
        merge(&mut target, update.as_object().cloned().unwrap()).unwrap();
        assert_eq!(
            Value::Object(target),
            json!({"resources": [{"id": "abcdef-1", "name": "b"}, {"url": "u"}], "title": "y"})
        );
    }

    #[test]
    fn filters_remove_top_level_and_nested_fields() {
        let mut target =
            json!({"notes": "n", "resources": [{"description": "d", "url": "u"}]}).as_object().cloned().unwrap();
        apply_filter(&mut target, &["notes"]);
        apply_filter(&mut target, &["resources", "*", "description"]);
        assert_eq!(Value::Object(target), json!({"resources": [{"url": "u"}]}));
    }
}
