//! The `dcat_rdf` source type: a DCAT-AP 2 or 3 catalogue in RDF/XML, Turtle, JSON-LD or
//! N-Triples, read page by page along Hydra's `next`/`nextPage` links. Any page read twice
//! (a cycle anywhere, not only back to the first) stops the gather with an error.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::config::DcatConfig;
use super::dcat_read::{self, RdfFormat};
use super::run::{Halt, Item, JobRun};
use crate::actions::harvest::import::{Failure, Record};

/// Pages read at most.
const MAX_PAGES: usize = 100_000;

fn configured_format(config: &DcatConfig) -> Option<RdfFormat> {
    Some(match config.rdf_format.as_deref()? {
        "xml" => RdfFormat::RdfXml,
        "turtle" | "n3" => RdfFormat::Turtle,
        "json-ld" => RdfFormat::JsonLd,
        "nt" => RdfFormat::NTriples,
        _ => return None,
    })
}

/// Reads every page of the catalogue.
pub fn gather(run: &mut JobRun, config: &DcatConfig) -> Result<(), Halt> {
    let mut url = run.source.url.clone();
    let mut visited: HashSet<String> = HashSet::new();
    for _ in 0..MAX_PAGES {
        if !visited.insert(url.clone()) {
            return Err(Halt::Failed(format!(
                "The page {url} was already read (the next links form a cycle): stopped"
            )));
        }
        let fetched = run.fetch(&url)?;
        let format = configured_format(config)
            .unwrap_or_else(|| dcat_read::format_of(fetched.content_type.as_deref(), &fetched.url, &fetched.body));
        let services = run.context.services;
        let page =
            dcat_read::read_page(&fetched.body, format, &fetched.url, &services.vocabularies, &services.licenses)
                .map_err(|error| Halt::Invalid {
                    message: format!("{url}: {error}"),
                    line: error.line,
                    column: error.column,
                })?;
        let items: Vec<Item> = page
            .records
            .into_iter()
            .enumerate()
            .map(|(index, read)| match read {
                Ok(record) => {
                    let mut dataset = record.dataset;
                    add_defaults(&mut dataset, config);
                    let original_url = record.guid.starts_with("http").then(|| record.guid.clone());
                    Item::Record(Record {
                        content: Value::Object(dataset.clone()).to_string(),
                        guid: record.guid,
                        dataset,
                        original_url,
                    })
                }
                Err(error) => Item::Failed(Failure {
                    guid: error.guid.unwrap_or_else(|| format!("{url}#dataset-{}", index + 1)),
                    original_url: Some(url.clone()),
                    content: None,
                    errors: vec![json!({"message": error.message, "type": "import"})],
                }),
            })
            .collect();
        run.page(items)?;
        match page.next {
            Some(next) => url = next,
            None => return Ok(()),
        }
    }
    Err(Halt::Failed(format!("The catalogue has more than {MAX_PAGES} pages: stopped")))
}

/// The config's `default_tags` and `default_extras`, added to what the record has.
fn add_defaults(dataset: &mut serde_json::Map<String, Value>, config: &DcatConfig) {
    if !config.default_tags.is_empty() {
        let tags = dataset.entry("tags").or_insert_with(|| json!([]));
        if let Value::Array(items) = tags {
            for tag in &config.default_tags {
                let name = tag.as_str().or_else(|| tag.get("name").and_then(Value::as_str)).unwrap_or_default();
                if !name.is_empty() && !items.iter().any(|t| t.get("name").and_then(Value::as_str) == Some(name)) {
                    items.push(json!({"name": name}));
                }
            }
        }
    }
    if !config.default_extras.is_empty() {
        let extras = dataset.entry("extras").or_insert_with(|| json!([]));
        if let Value::Array(items) = extras {
            for (key, value) in &config.default_extras {
                if !items.iter().any(|e| e.get("key").and_then(Value::as_str) == Some(key)) {
                    let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                    items.push(json!({"key": key, "value": text}));
                }
            }
        }
    }
}
