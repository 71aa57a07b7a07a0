//! The `api` source type: a department's own JSON or CSV endpoint, mapped to datasets by the
//! declarative mapping in the source's config (`config::ApiConfig`), paged by page number, by
//! offset or by a next link.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::config::{ApiConfig, Paging};
use super::run::{Halt, Item, JobRun};
use crate::actions::harvest::import::{Failure, Record};

/// Pages read at most (a source that never ends is stopped).
const MAX_PAGES: usize = 100_000;

/// The value at a dotted path (`data.items`, `links.0.href`); the whole value for `""`.
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |current, step| match current {
        Value::Object(map) => map.get(step),
        Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A dataset field's value from the record: tags become `[{name}]` (a list, or a text split
/// at `,` and `;`); other fields take text.
fn field_value(field: &str, value: &Value) -> Option<Value> {
    if field == "tags" {
        let names: Vec<String> = match value {
            Value::Array(items) => items.iter().filter_map(text).collect(),
            other => {
                text(other).map(|t| t.split([',', ';']).map(|s| s.trim().to_string()).collect()).unwrap_or_default()
            }
        };
        let tags: Vec<Value> = names.into_iter().filter(|n| !n.is_empty()).map(|n| json!({"name": n})).collect();
        return (!tags.is_empty()).then_some(Value::Array(tags));
    }
    text(value).map(Value::String)
}

/// A record mapped: its guid and dataset, or its guid (when it has one) and what is wrong.
type Mapped = Result<(String, Map<String, Value>), (Option<String>, String)>;

/// Maps one record; the error says what is missing.
fn map_record(config: &ApiConfig, record: &Value) -> Mapped {
    let guid = at(record, &config.id).and_then(text).ok_or((None, format!("The record has no {}", config.id)))?;
    let mut dataset = config.constants.clone();
    for (field, path) in &config.fields {
        if let Some(value) = at(record, path).and_then(|v| field_value(field, v)) {
            dataset.insert(field.clone(), value);
        }
    }
    if dataset.get("title").and_then(Value::as_str).is_none_or(|t| t.trim().is_empty()) {
        let path = config.fields.get("title").cloned().unwrap_or_default();
        return Err((Some(guid), format!("The record has no title (at {path:?})")));
    }
    let mut resources = Vec::new();
    for mapping in &config.resources {
        let mut resource = Map::new();
        for (field, path) in mapping {
            if let Some(value) = at(record, path).and_then(text) {
                resource.insert(field.clone(), Value::String(value));
            }
        }
        if resource.contains_key("url") {
            resources.push(Value::Object(resource));
        }
    }
    dataset.insert("resources".into(), Value::Array(resources));
    Ok((guid, dataset))
}

/// The records of one answer, and the next page's link (JSON with a `next` path).
fn records_of(config: &ApiConfig, body: &[u8]) -> Result<(Vec<Value>, Option<String>), String> {
    if config.format == "csv" {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
        let headers = reader.headers().map_err(|e| format!("The CSV has no header row: {e}"))?.clone();
        let mut records = Vec::new();
        for (index, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("CSV line {}: {e}", index + 2))?;
            let map: Map<String, Value> =
                headers.iter().zip(row.iter()).map(|(h, v)| (h.trim().to_string(), json!(v))).collect();
            records.push(Value::Object(map));
        }
        return Ok((records, None));
    }
    let answer: Value = serde_json::from_slice(body)
        .map_err(|e| format!("The answer is not JSON (line {}, column {}): {e}", e.line(), e.column()))?;
    let records = match at(&answer, &config.records) {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(format!("{:?} in the answer is not a list", config.records)),
    };
    let next = match &config.paging {
        Some(Paging::Next { path }) => at(&answer, path).and_then(text),
        _ => None,
    };
    Ok((records, next))
}

fn with_parameter(base: &str, pairs: &[(&str, String)]) -> String {
    match url::Url::parse(base) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (key, value) in pairs {
                    query.append_pair(key, value);
                }
            }
            url.to_string()
        }
        Err(_) => base.to_string(),
    }
}

/// Reads every page of the endpoint.
pub fn gather(run: &mut JobRun, config: &ApiConfig) -> Result<(), Halt> {
    for (name, value) in &config.headers {
        run.fetcher.add_header(name, value);
    }
    let base = run.source.url.clone();
    let mut visited: HashSet<String> = HashSet::new();
    let mut url = base.clone();
    for number in 0..MAX_PAGES {
        url = match &config.paging {
            Some(Paging::Page { param, start, size_param, size }) => {
                let mut pairs = vec![(param.as_str(), (start + number as u64).to_string())];
                if let (Some(name), Some(size)) = (size_param, size) {
                    pairs.push((name.as_str(), size.to_string()));
                }
                with_parameter(&base, &pairs)
            }
            Some(Paging::Offset { param, size_param, size }) => with_parameter(
                &base,
                &[(param.as_str(), (number as u64 * size).to_string()), (size_param.as_str(), size.to_string())],
            ),
            _ => url,
        };
        if !visited.insert(url.clone()) {
            return Err(Halt::Failed(format!(
                "The page {url} was already read (the next links form a cycle): stopped"
            )));
        }
        let fetched = run.fetch(&url)?;
        let (records, next) = records_of(config, &fetched.body).map_err(|e| Halt::Failed(format!("{url}: {e}")))?;
        let count = records.len();
        let items: Vec<Item> = records
            .into_iter()
            .enumerate()
            .map(|(index, record)| {
                let original_url = |guid: &str| config.record_url.as_ref().map(|u| u.replace("{id}", guid));
                match map_record(config, &record) {
                    Ok((guid, dataset)) => Item::Record(Record {
                        original_url: original_url(&guid),
                        guid,
                        dataset,
                        content: record.to_string(),
                    }),
                    Err((guid, message)) => {
                        let guid = guid.unwrap_or_else(|| format!("{url}#{}", index + 1));
                        Item::Failed(Failure {
                            original_url: original_url(&guid),
                            guid,
                            content: Some(record.to_string()),
                            errors: vec![json!({"message": message, "type": "import"})],
                        })
                    }
                }
            })
            .collect();
        run.page(items)?;
        let done = match &config.paging {
            None => true,
            Some(Paging::Page { .. }) => count == 0,
            Some(Paging::Offset { size, .. }) => (count as u64) < *size,
            Some(Paging::Next { .. }) => match next {
                Some(next) => {
                    url = url::Url::parse(&fetched.url)
                        .and_then(|u| u.join(&next))
                        .map(|u| u.to_string())
                        .map_err(|e| Halt::Failed(format!("Bad next link {next:?}: {e}")))?;
                    false
                }
                None => true,
            },
        };
        if done {
            return Ok(());
        }
    }
    Err(Halt::Failed(format!("The source has more than {MAX_PAGES} pages: stopped")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_mapped_by_their_paths() {
        let config: ApiConfig = serde_json::from_value(json!({
            "id": "ma",
            "records": "data.items",
            "fields": {"title": "ten", "notes": "mo_ta", "tags": "tu_khoa", "linh_vuc": "nhom.ma"},
            "constants": {"license_id": "cc-by"},
            "resources": [{"url": "tep.url", "format": "tep.dinh_dang"}],
            "paging": {"type": "next", "path": "links.next"}
        }))
        .unwrap();
        let body = json!({"data": {"items": [
            {"ma": 7, "ten": "Trường học", "mo_ta": "Danh sách", "tu_khoa": "giáo dục; trường", "nhom": {"ma": "giao-duc"}, "tep": {"url": "https://so.vn/a.csv", "dinh_dang": "CSV"}},
            {"ma": "8", "mo_ta": "no title"},
            {"ten": "no id"}
        ]}, "links": {"next": "?page=2"}});
        let (records, next) = records_of(&config, body.to_string().as_bytes()).unwrap();
        assert_eq!(next.as_deref(), Some("?page=2"));
        let (guid, dataset) = map_record(&config, &records[0]).unwrap();
        assert_eq!(guid, "7");
        assert_eq!(dataset["title"], "Trường học");
        assert_eq!(dataset["tags"], json!([{"name": "giáo dục"}, {"name": "trường"}]));
        assert_eq!(dataset["linh_vuc"], "giao-duc");
        assert_eq!(dataset["license_id"], "cc-by");
        assert_eq!(dataset["resources"], json!([{"url": "https://so.vn/a.csv", "format": "CSV"}]));
        assert_eq!(
            map_record(&config, &records[1]).unwrap_err(),
            (Some("8".into()), "The record has no title (at \"ten\")".into())
        );
        assert_eq!(map_record(&config, &records[2]).unwrap_err().0, None);
    }

    #[test]
    fn csv_rows_are_records_and_bad_json_names_its_position() {
        let config: ApiConfig =
            serde_json::from_value(json!({"format": "csv", "id": "ma", "fields": {"title": "ten"}})).unwrap();
        let (records, _) = records_of(&config, "ma,ten\n1,Một\n2,Hai\n".as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(map_record(&config, &records[1]).unwrap().1["title"], "Hai");
        let json_config: ApiConfig = serde_json::from_value(json!({"id": "ma", "fields": {"title": "ten"}})).unwrap();
        let error = records_of(&json_config, b"[{\"ma\": 1,\n oops}]").unwrap_err();
        assert!(error.contains("line 2"), "{error}");
    }
}
