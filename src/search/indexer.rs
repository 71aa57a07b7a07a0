//! Keeps the index current from the change log: applies changes in order, commits with the
//! sequence number it reached, so a restart (or a crash) resumes where the last commit ended.
//! Every Kho node runs its own indexer over the shared store.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tantivy::{IndexWriter, Term};

use super::Checkpoint;
use super::document::{self, Extra};
use super::fields::SCHEMA_VERSION;
use crate::actions::{Services, index_dicts};
use crate::store::changes::ChangeRow;
use crate::store::{changes, collaborators, members, packages, vocabularies};

/// Changes applied per commit at most.
const BATCH: i64 = 2000;
/// Datasets read from the store at a time when rebuilding.
const REBUILD_PAGE: i64 = 1000;
/// Dataset dicts parsed at a time while indexing.
const DICTS_AT_ONCE: usize = 64;
/// How often the indexer looks for changes written by other nodes.
const POLL: Duration = Duration::from_millis(500);

/// Brings the index up to date (rebuilding it when it was built for another schema or store
/// state), then keeps it current in a background thread.
pub fn run(services: Arc<Services>) -> anyhow::Result<()> {
    catch_up(&services)?;
    services.search.indexer_running.store(true, Ordering::Release);
    // The thread holds the services weakly: it ends once the application is dropped.
    let weak = Arc::downgrade(&services);
    std::thread::Builder::new().name("kho-indexer".into()).spawn(move || {
        while let Some(services) = weak.upgrade() {
            if let Err(error) = catch_up(&services) {
                tracing::error!(error = %format!("{error:#}"), "search indexer failed; retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
            services.search.wait_for_nudge(POLL);
        }
    })?;
    Ok(())
}

fn current_key(services: &Services) -> String {
    services.dict_cache_key_digest.clone()
}

/// Applies every pending change; rebuilds first when the index does not fit the store.
pub fn catch_up(services: &Services) -> anyhow::Result<()> {
    let search = &services.search;
    let checkpoint = search.checkpoint();
    if checkpoint.version != SCHEMA_VERSION || checkpoint.key != current_key(services) {
        tracing::info!("search index is missing or out of date: rebuilding it from the store");
        rebuild(services, false)?;
        return Ok(());
    }
    loop {
        let applied = *search.applied_guard();
        let pending = services.store.read(|tx| changes::after(tx, applied, BATCH))?;
        let Some(last) = pending.last().map(|c| c.seq) else { return Ok(()) };
        let ids = affected_datasets(services, &pending)?;
        let mut guard = search.writer(false)?;
        let (writer, _) = guard.as_mut().ok_or_else(|| anyhow::anyhow!("no index writer"))?;
        for chunk in ids.chunks(REBUILD_PAGE as usize) {
            let found = services.store.read(|tx| packages::with_caches(tx, Some(chunk), "", 0))?;
            for id in chunk {
                writer.delete_term(Term::from_field_text(search.fields.id, id));
            }
            add_documents(services, writer, found)?;
        }
        commit(services, writer, last)?;
        // Changes that arrived while this batch was indexed wait for the next poll (or nudge):
        // committing again at once would turn a steady stream of writes into a stream of
        // tiny segments, each with its own flush and merge cost.
        if (pending.len() as i64) < BATCH {
            return Ok(());
        }
    }
}

/// The datasets whose index documents a run of changes touches.
fn affected_datasets(services: &Services, pending: &[ChangeRow]) -> anyhow::Result<Vec<String>> {
    let mut ids = BTreeSet::new();
    services.store.read(|tx| -> anyhow::Result<()> {
        for change in pending {
            // A dataset joining or leaving a group is logged as a change of that dataset too;
            // other membership changes (users) do not change any dataset's document.
            if change.action == "membership" {
                continue;
            }
            match change.entity.as_str() {
                "dataset" => {
                    ids.insert(change.entity_id.clone());
                }
                "organization" => ids.extend(packages::ids_of_org(tx, &change.entity_id)?),
                _ => ids.extend(
                    members::list_in_group(tx, &change.entity_id, Some("package"))?.into_iter().map(|m| m.table_id),
                ),
            }
        }
        Ok(())
    })?;
    Ok(ids.into_iter().collect())
}

/// Builds and adds the documents of these datasets.
fn add_documents(
    services: &Services,
    writer: &mut IndexWriter,
    rows: Vec<(packages::PackageRow, Option<String>)>,
) -> anyhow::Result<usize> {
    let ids: Vec<String> = rows.iter().map(|(row, _)| row.id.clone()).collect();
    let (collaborations, vocabularies) = services.store.read(|tx| -> anyhow::Result<_> {
        let mut by_dataset: HashMap<String, Vec<String>> = HashMap::new();
        for row in collaborators::for_packages(tx, &ids)? {
            by_dataset.entry(row.package_id).or_default().push(row.user_id);
        }
        let names: HashMap<String, String> = vocabularies::all(tx)?.into_iter().map(|v| (v.id, v.name)).collect();
        Ok((by_dataset, names))
    })?;
    let none = Vec::new();
    let mut added = 0;
    // A few dicts at a time: their memory is reused instead of a whole page of them being
    // allocated (and faulted in) at once.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let part: Vec<_> = rows.by_ref().take(DICTS_AT_ONCE).collect();
        let dicts: Vec<Map<String, Value>> = index_dicts(services, part).map_err(|e| anyhow::anyhow!("{e}"))?;
        for dict in &dicts {
            let id = dict.get("id").and_then(Value::as_str).unwrap_or_default();
            let extra = Extra {
                site_id: "default",
                collaborators: collaborations.get(id).unwrap_or(&none),
                vocabularies: &vocabularies,
            };
            writer.add_document(document::build(&services.search.fields, dict, &extra))?;
        }
        added += dicts.len();
    }
    Ok(added)
}

fn commit(services: &Services, writer: &mut IndexWriter, seq: i64) -> anyhow::Result<()> {
    let checkpoint = Checkpoint { version: SCHEMA_VERSION, seq, key: current_key(services) };
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&checkpoint)?);
    prepared.commit()?;
    services.search.reader.reload()?;
    services.search.set_applied(seq);
    Ok(())
}

/// Rebuilds the whole index from the store in one commit (searches see the old index until
/// it ends). Returns how many datasets were indexed and how long it took.
pub fn rebuild(services: &Services, show_progress: bool) -> anyhow::Result<(usize, Duration)> {
    let started = Instant::now();
    let search = &services.search;
    let (seq, total) =
        services.store.read(|tx| -> anyhow::Result<_> { Ok((changes::last_seq(tx)?, packages::count_all(tx)?)) })?;
    let mut guard = search.writer(true)?;
    let (writer, _) = guard.as_mut().ok_or_else(|| anyhow::anyhow!("no index writer"))?;
    writer.delete_all_documents()?;
    let mut after = String::new();
    let mut done = 0usize;
    loop {
        let page = services.store.read(|tx| packages::with_caches(tx, None, &after, REBUILD_PAGE))?;
        let Some((last, _)) = page.last() else { break };
        after = last.id.clone();
        done += add_documents(services, writer, page)?;
        if show_progress {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\rindexed {done}/{total} datasets ({rate:.0}/s)   ");
            std::io::stderr().flush().ok();
        }
    }
    commit(services, writer, seq)?;
    if show_progress {
        eprintln!();
    }
    Ok((done, started.elapsed()))
}
