//! `kho search verify`: compares the index with the store, dataset by dataset (id, state,
//! `metadata_modified`, permission labels), without reading any stored document: the index
//! side comes from fast columns and the labels' posting lists, the store side from one narrow
//! query per page.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde_json::{Map, Value, json};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use crate::actions::Services;
use crate::search::permission_labels;
use crate::store::{collaborators, packages};

/// Datasets read from the store at a time.
const PAGE: i64 = 5000;

/// One way the index differs from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A stored dataset has no document.
    NotIndexed { id: String },
    /// A document names a dataset the store does not hold.
    NotStored { id: String },
    /// A dataset has more than one document.
    Duplicated { id: String, copies: usize },
    /// A field's indexed value is not the stored one.
    Differs { id: String, field: &'static str, stored: String, indexed: String },
}

impl Difference {
    /// Returns the dataset the difference is about.
    pub fn id(&self) -> &str {
        match self {
            Difference::NotIndexed { id }
            | Difference::NotStored { id }
            | Difference::Duplicated { id, .. }
            | Difference::Differs { id, .. } => id,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::NotIndexed { id } => write!(f, "{id}: in the store, not in the index"),
            Difference::NotStored { id } => write!(f, "{id}: in the index, not in the store"),
            Difference::Duplicated { id, copies } => write!(f, "{id}: {copies} documents in the index"),
            Difference::Differs { id, field, stored, indexed } => {
                write!(f, "{id}: {field} is {stored:?} in the store, {indexed:?} in the index")
            }
        }
    }
}

/// What the index says about one dataset.
#[derive(Debug, Default)]
struct Indexed {
    copies: usize,
    state: String,
    modified_micros: Option<i64>,
    labels: BTreeSet<String>,
}

/// Returns every difference between this node's index (as last committed) and the store.
pub fn verify(services: &Services) -> anyhow::Result<Vec<Difference>> {
    let mut indexed = read_index(services)?;
    let mut differences = Vec::new();
    let mut after = String::new();
    loop {
        let page = services.store.read(|tx| packages::index_facts(tx, &after, PAGE))?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        let ids: Vec<String> = page.iter().map(|f| f.id.clone()).collect();
        let mut collaborations: HashMap<String, Vec<String>> = HashMap::new();
        for row in services.store.read(|tx| collaborators::for_packages(tx, &ids))? {
            collaborations.entry(row.package_id).or_default().push(row.user_id);
        }
        for stored in page {
            let Some(found) = indexed.remove(&stored.id) else {
                differences.push(Difference::NotIndexed { id: stored.id });
                continue;
            };
            let collaborators = collaborations.remove(&stored.id).unwrap_or_default();
            compare(&stored, &collaborators, &found, &mut differences);
        }
    }
    let mut orphans: Vec<String> = indexed.into_keys().collect();
    orphans.sort();
    differences.extend(orphans.into_iter().map(|id| Difference::NotStored { id }));
    Ok(differences)
}

fn compare(stored: &packages::IndexFacts, collaborators: &[String], found: &Indexed, out: &mut Vec<Difference>) {
    let id = &stored.id;
    if found.copies > 1 {
        out.push(Difference::Duplicated { id: id.clone(), copies: found.copies });
    }
    let mut differs = |field: &'static str, stored: String, indexed: String| {
        if stored != indexed {
            out.push(Difference::Differs { id: id.clone(), field, stored, indexed });
        }
    };
    differs("state", stored.state.clone(), found.state.clone());
    let timestamp = |at: chrono::NaiveDateTime| at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let indexed_modified = found
        .modified_micros
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|at| timestamp(at.naive_utc()))
        .unwrap_or_default();
    differs("metadata_modified", timestamp(stored.metadata_modified), indexed_modified);
    let mut dict = Map::new();
    dict.insert("state".into(), json!(stored.state));
    dict.insert("private".into(), json!(stored.private));
    dict.insert("owner_org".into(), stored.owner_org.clone().map_or(Value::Null, Value::String));
    dict.insert("creator_user_id".into(), stored.creator_user_id.clone().map_or(Value::Null, Value::String));
    let expected: BTreeSet<String> = permission_labels(&dict, collaborators).into_iter().collect();
    let join = |labels: &BTreeSet<String>| labels.iter().cloned().collect::<Vec<_>>().join(" ");
    differs("permission_labels", join(&expected), join(&found.labels));
}

/// Reads id, state, `metadata_modified` and permission labels of every live document.
fn read_index(services: &Services) -> anyhow::Result<HashMap<String, Indexed>> {
    let search = &services.search;
    let searcher = search.reader.searcher();
    let mut by_id: HashMap<String, Indexed> = HashMap::new();
    let mut buffer = String::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(ids), states) = (fast.str("id")?, fast.str("state")?) else { continue };
        let modified = fast.date("metadata_modified").ok();
        // Labels are indexed only: read them from their posting lists, doc by doc.
        let mut labels: HashMap<u32, Vec<String>> = HashMap::new();
        let inverted = segment.inverted_index(search.fields.labels)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let label = String::from_utf8_lossy(terms.key()).into_owned();
            let mut postings = inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                labels.entry(doc).or_default().push(label.clone());
                doc = postings.advance();
            }
        }
        for doc in segment.doc_ids_alive() {
            let first = |column: &tantivy::columnar::StrColumn, buffer: &mut String| -> String {
                buffer.clear();
                match column.term_ords(doc).next() {
                    Some(ord) if column.ord_to_str(ord, buffer).unwrap_or(false) => buffer.clone(),
                    _ => String::new(),
                }
            };
            let id = first(&ids, &mut buffer);
            let entry = by_id.entry(id).or_default();
            entry.copies += 1;
            entry.state = states.as_ref().map(|c| first(c, &mut buffer)).unwrap_or_default();
            entry.modified_micros = modified.as_ref().and_then(|c| c.first(doc)).map(|d| d.into_timestamp_micros());
            entry.labels = labels.remove(&doc).unwrap_or_default().into_iter().collect();
        }
    }
    Ok(by_id)
}
