//! The licence register `license_list` returns: `dcat/licenses.json` (CKAN's default register
//! plus the Vietnamese state open-data licence), or a JSON file given as `licenses_file`
//! (CKAN's `licenses_group_url`: a list, or a dict of licence dicts).

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

const BUILT_IN: &str = include_str!("../dcat/licenses.json");

/// Loads the licence register.
pub fn load(file: Option<&Path>) -> anyhow::Result<Vec<Value>> {
    let text = match file {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        None => BUILT_IN.to_string(),
    };
    let parsed: Value = serde_json::from_str(&text).context("parsing the licence register")?;
    let entries = match parsed {
        Value::Array(items) => items,
        Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
        _ => anyhow::bail!("the licence register must be a JSON list or object"),
    };
    anyhow::ensure!(
        entries.iter().all(|e| e.get("id").and_then(Value::as_str).is_some()),
        "every licence needs an \"id\""
    );
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_register_has_ckans_licences_then_the_vietnamese_one() {
        let licenses = load(None).unwrap();
        let ids: Vec<&str> = licenses.iter().filter_map(|l| l["id"].as_str()).collect();
        assert_eq!(ids[..3], ["notspecified", "odc-pddl", "odc-odbl"]);
        assert!(ids.contains(&"cc-by"));
        assert_eq!(ids.last(), Some(&"vn-state-open-data"));
        assert!(licenses.iter().all(|l| l["is_generic"].is_string()));
    }
}
