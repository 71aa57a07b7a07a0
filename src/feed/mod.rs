//! The change feed: where the store and the search index meet. Every Kho node runs one
//! indexer that tails the store's change log and keeps its own index current; no committed
//! change is ever skipped, even one that commits after a later one (see `frontier.rs`).
//! Each index commit records how far the log is settled, so a restart resumes there.

mod frontier;
mod verify;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tantivy::{IndexWriter, Term};

pub use frontier::Frontier;
pub use verify::{Difference, verify};

use crate::actions::{Services, index_dicts};
use crate::search::{Checkpoint, SCHEMA_VERSION};
use crate::store::changes::{ChangeKind, ChangeRow, Entity};
use crate::store::{Store, changes, collaborators, members, packages, vocabularies};

/// Changes read per round at most.
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
    let mut indexer = Indexer::start(&services)?;
    services.search.set_indexing();
    // The thread holds the services weakly: it ends once the application is dropped.
    let weak = Arc::downgrade(&services);
    std::thread::Builder::new().name("kho-indexer".into()).spawn(move || {
        while let Some(services) = weak.upgrade() {
            if let Err(error) = indexer.catch_up(&services) {
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

/// One node's indexer: its position in the change log.
pub struct Indexer {
    frontier: Frontier,
}

impl Indexer {
    /// Opens the indexer at the index's checkpoint (rebuilding the index first when it does
    /// not fit the store) and applies every pending change.
    pub fn start(services: &Services) -> anyhow::Result<Indexer> {
        let checkpoint = services.search.checkpoint();
        if checkpoint.version != SCHEMA_VERSION || checkpoint.key != current_key(services) {
            tracing::info!("search index is missing or out of date: rebuilding it from the store");
            rebuild(services, false)?;
        }
        let mut indexer = Indexer { frontier: Frontier::starting_after(services.search.checkpoint().seq) };
        indexer.catch_up(services)?;
        Ok(indexer)
    }

    /// Applies every change committed so far: reads the log in rounds until a round reads
    /// less than a full batch.
    pub fn catch_up(&mut self, services: &Services) -> anyhow::Result<()> {
        let search = &services.search;
        loop {
            let started = Instant::now();
            let missing = self.frontier.missing();
            let read = services.store.read(|tx| changes::read_feed(tx, &missing, self.frontier.read_to(), BATCH))?;
            let complete = (read.new.len() as i64) < BATCH;
            let numbers = |rows: &[ChangeRow]| rows.iter().map(|c| c.seq).collect::<Vec<_>>();
            let mut next = self.frontier.clone();
            next.record(&numbers(&read.filled), &numbers(&read.new), read.snapshot);
            let applied: Vec<&ChangeRow> = read.filled.iter().chain(&read.new).collect();
            if !applied.is_empty() {
                apply(services, &applied, next.settled())?;
            }
            self.frontier = next;
            search.record_progress(self.frontier.settled(), complete.then_some(started));
            // Changes that arrived while this batch was indexed wait for the next poll (or
            // nudge): committing again at once would turn a steady stream of writes into a
            // stream of tiny segments, each with its own flush and merge cost.
            if complete {
                return Ok(());
            }
        }
    }
}

/// Re-indexes the datasets a run of changes touches and commits, recording `settled`.
fn apply(services: &Services, applied: &[&ChangeRow], settled: i64) -> anyhow::Result<()> {
    let search = &services.search;
    let ids = affected_datasets(services, applied)?;
    let mut guard = search.writer(false)?;
    let (writer, _) = guard.as_mut().ok_or_else(|| anyhow::anyhow!("no index writer"))?;
    reindex(services, writer, &ids)?;
    commit(services, writer, settled)
}

/// Replaces the documents of these datasets with their current state (none for a purged one).
fn reindex(services: &Services, writer: &mut IndexWriter, ids: &[String]) -> anyhow::Result<()> {
    for chunk in ids.chunks(REBUILD_PAGE as usize) {
        let found = services.store.read(|tx| packages::with_caches(tx, Some(chunk), "", 0))?;
        for id in chunk {
            writer.delete_term(Term::from_field_text(services.search.fields.id, id));
        }
        add_documents(services, writer, found)?;
    }
    Ok(())
}

/// The datasets whose index documents a run of changes touches.
fn affected_datasets(services: &Services, pending: &[&ChangeRow]) -> anyhow::Result<Vec<String>> {
    let mut ids = BTreeSet::new();
    services.store.read(|tx| -> anyhow::Result<()> {
        for change in pending {
            // A dataset joining or leaving a group is logged as a change of that dataset too;
            // other membership changes (users) do not change any dataset's document.
            if change.kind() == ChangeKind::Membership {
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
            let collaborators = collaborations.get(id).unwrap_or(&none);
            writer.add_document(services.search.document(dict, collaborators, &vocabularies))?;
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
    Ok(())
}

/// Returns the newest change number once every change below it has committed or been rolled
/// back: a rebuild that starts reading datasets after this sees all of them.
fn settled_last_seq(store: &Store) -> anyhow::Result<i64> {
    let (last, snapshot) = store.read(changes::last_seq_with_snapshot)?;
    let Some(newest_running) = snapshot.newest_running else { return Ok(last) };
    let started = Instant::now();
    let mut warned = false;
    while store.read(changes::snapshot)?.xmin <= newest_running {
        if !warned && started.elapsed() > Duration::from_secs(10) {
            tracing::warn!(xid = newest_running, "waiting for a long-running write transaction before indexing");
            warned = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(last)
}

/// Rebuilds the whole index from the store in one commit (searches see the old index until
/// it ends). Returns how many datasets were indexed and how long it took.
pub fn rebuild(services: &Services, show_progress: bool) -> anyhow::Result<(usize, Duration)> {
    let started = Instant::now();
    let search = &services.search;
    let seq = settled_last_seq(&services.store)?;
    let total = services.store.read(packages::count_all)?;
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
    search.record_progress(seq, None);
    if show_progress {
        eprintln!();
    }
    Ok((done, started.elapsed()))
}

/// Logs a [`ChangeKind::Reindex`] of these datasets: every node indexes them again.
pub fn request_reindex(services: &Services, ids: &[String]) -> anyhow::Result<()> {
    let now = crate::store::now();
    services.store.write(|tx| -> anyhow::Result<()> {
        for id in ids {
            changes::append(tx, Entity::Dataset, id, ChangeKind::Reindex, now)?;
        }
        Ok(())
    })?;
    services.search.nudge();
    Ok(())
}
