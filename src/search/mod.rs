//! Search: a tantivy index on disk under the data directory, with CKAN's index field names,
//! kept current from the store's change log by the feed (`crate::feed`) and queried by
//! `package_search` (`actions/search.rs`).

pub mod analysis;
mod build;
pub mod collation;
mod collect;
mod correct;
mod document;
mod expand;
mod explain;
mod fields;
mod orders;
pub mod query;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

pub use build::{QueryBuilder, parse_date};
pub use collect::{FacetField, Facets, MAX_SORT_ITEMS, SortBy, SortItem, TopSorted};
pub use document::permission_labels;
pub use expand::Kind;
pub use explain::Expansion;
pub use fields::{FieldRef, Fields, KV_SEPARATOR, SCHEMA_VERSION};

/// Memory the index writer may use before it flushes a segment, while keeping the index
/// current (small: every write commits, and a big budget makes each commit allocate more)...
const WRITER_MEMORY: usize = 15_000_000;
/// ...and while rebuilding it (two threads, bigger segments).
const BULK_WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// How long a write waits for its change to become searchable before answering anyway.
const READ_YOUR_WRITES_TIMEOUT: Duration = Duration::from_secs(10);

/// What an index commit records: how far in the change log it got, and for which store
/// state (the dataset dict cache key) and schema it was built.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    pub version: u32,
    pub seq: i64,
    pub key: String,
}

/// The index, its reader, and (in the process that keeps it current) its writer.
pub struct Search {
    pub fields: Fields,
    pub index: Index,
    pub reader: IndexReader,
    directory: PathBuf,
    /// The writer, and whether it is the bulk (rebuild) one.
    writer: Mutex<Option<(IndexWriter, bool)>>,
    progress: Mutex<Progress>,
    progress_changed: Condvar,
    wake: (Mutex<bool>, Condvar),
    indexer_running: AtomicBool,
    /// The public catalogue's dates, for the index generation they were read from (the DCAT
    /// catalogue's `dct:issued` and `dct:modified` on every page).
    catalogue_dates: Mutex<Option<(u64, CatalogueDates)>>,
    /// Deep pages (`start + rows` above [`DEEP_PAGE`]) running now; at most one per core, so
    /// their memory stays bounded (more at once would not finish sooner).
    deep_pages: crate::gate::Gate,
    /// Complete result orders of the current generation, for paging deep into one result set.
    orders: orders::Orders,
    /// Leave datasets past their online retention out of every search (`[workflows]
    /// unlist_expired`), except one that asks for the retention itself.
    pub unlist_expired: bool,
}

/// How far this node's index has followed the change log.
#[derive(Debug, Clone, Copy)]
struct Progress {
    /// Every change up to this number is searchable (or will never exist).
    settled: i64,
    /// When the newest complete round of the feed began: every change committed before
    /// then is searchable.
    complete_round_started: Option<Instant>,
}

/// A search that keeps more than this many documents in its sort is a deep page.
const DEEP_PAGE: usize = 10_000;
/// A page that ends beyond this position is cut from the query's complete, kept order (when
/// the query allows: see [`Search::order_fingerprint`]).
const KEPT_ORDER_FROM: usize = 1_000;

impl Search {
    /// Opens (or creates) the index in `directory`.
    pub fn open(directory: &Path) -> anyhow::Result<Search> {
        std::fs::create_dir_all(directory)?;
        let fields = Fields::new();
        let index = match Index::open_in_dir(directory) {
            Ok(index) if index.schema() == fields.schema => index,
            Ok(_) => {
                tracing::warn!(dir = %directory.display(), "search index has an older schema: recreating it");
                recreate(directory, &fields)?
            }
            Err(_) => recreate(directory, &fields)?,
        };
        Fields::register_tokenizers(&index);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let search = Search {
            fields,
            index,
            reader,
            directory: directory.to_path_buf(),
            writer: Mutex::new(None),
            progress: Mutex::new(Progress { settled: 0, complete_round_started: None }),
            progress_changed: Condvar::new(),
            wake: (Mutex::new(false), Condvar::new()),
            indexer_running: AtomicBool::new(false),
            deep_pages: crate::gate::Gate::per_core(),
            catalogue_dates: Mutex::new(None),
            orders: orders::Orders::default(),
            unlist_expired: false,
        };
        search.progress_guard().settled = search.checkpoint().seq;
        Ok(search)
    }

    /// Returns the checkpoint of the last commit.
    pub fn checkpoint(&self) -> Checkpoint {
        self.index
            .load_metas()
            .ok()
            .and_then(|metas| metas.payload)
            .and_then(|payload| serde_json::from_str(&payload).ok())
            .unwrap_or_default()
    }

    fn progress_guard(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Builds a dataset's index document from its dict and its collaborators' user ids.
    pub(crate) fn document(
        &self,
        dict: &serde_json::Map<String, serde_json::Value>,
        collaborators: &[String],
        vocabularies: &HashMap<String, String>,
    ) -> tantivy::TantivyDocument {
        let extra = document::Extra { site_id: "default", collaborators, vocabularies };
        document::build(&self.fields, dict, &extra)
    }

    /// Returns the index writer, opening it on first use (one process holds it at a time);
    /// `bulk` asks for the rebuild configuration.
    pub(crate) fn writer(&self, bulk: bool) -> anyhow::Result<MutexGuard<'_, Option<(IndexWriter, bool)>>> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(|(_, is_bulk)| *is_bulk != bulk)
            && let Some((writer, _)) = guard.take()
        {
            writer.wait_merging_threads()?;
        }
        if guard.is_none() {
            let (threads, memory) = if bulk { (2, BULK_WRITER_MEMORY) } else { (1, WRITER_MEMORY) };
            let writer = self.index.writer_with_num_threads(threads, memory).map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the search index in {} for writing ({e}); is a Kho server running on this data directory?",
                    self.directory.display()
                )
            })?;
            *guard = Some((writer, bulk));
        }
        Ok(guard)
    }

    /// Records the feed's progress (see [`Progress`]) and wakes waiting searches.
    pub(crate) fn record_progress(&self, settled: i64, complete_round_started: Option<Instant>) {
        let mut progress = self.progress_guard();
        progress.settled = settled;
        if complete_round_started.is_some() {
            progress.complete_round_started = complete_round_started;
        }
        drop(progress);
        self.progress_changed.notify_all();
    }

    /// Marks this process as the one that keeps the index current.
    pub(crate) fn set_indexing(&self) {
        self.indexer_running.store(true, Ordering::Release);
    }

    /// Asks the indexer to look at the change log now.
    pub fn nudge(&self) {
        let (pending, condvar) = &self.wake;
        *pending.lock().unwrap_or_else(|p| p.into_inner()) = true;
        condvar.notify_one();
    }

    /// Waits up to `timeout` for a nudge.
    pub(crate) fn wait_for_nudge(&self, timeout: Duration) {
        let (pending, condvar) = &self.wake;
        let guard = pending.lock().unwrap_or_else(|p| p.into_inner());
        let (mut guard, _) = condvar.wait_timeout_while(guard, timeout, |p| !*p).unwrap_or_else(|p| p.into_inner());
        *guard = false;
    }

    /// Returns whether this process keeps the index current.
    pub fn is_indexing(&self) -> bool {
        self.indexer_running.load(Ordering::Acquire)
    }

    /// Read-your-writes: when this process runs the indexer, waits until every change the
    /// store had logged when the caller began (`since`, when the newest change was `seq`) is
    /// searchable: either the log is settled up to `seq`, or a complete round of the feed
    /// began after `since` (it saw every change committed before then, even while an older
    /// transaction still holds a lower number open).
    pub fn wait_for(&self, seq: i64, since: Instant) {
        let caught_up = |p: &Progress| p.settled >= seq || p.complete_round_started.is_some_and(|s| s >= since);
        if !self.indexer_running.load(Ordering::Acquire) || caught_up(&self.progress_guard()) {
            return;
        }
        self.nudge();
        let guard = self.progress_guard();
        let (guard, timeout) = self
            .progress_changed
            .wait_timeout_while(guard, READ_YOUR_WRITES_TIMEOUT, |p| !caught_up(p))
            .unwrap_or_else(|p| p.into_inner());
        drop(guard);
        if timeout.timed_out() {
            tracing::warn!(seq, "search index did not catch up in time; answering anyway");
        }
    }
}

fn recreate(directory: &Path, fields: &Fields) -> anyhow::Result<Index> {
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::remove_file(path)?;
        }
    }
    Ok(Index::create_in_dir(directory, fields.schema.clone())?)
}

/// When the public catalogue began and last changed (CKAN timestamps).
#[derive(Debug, Clone, Default)]
pub struct CatalogueDates {
    pub issued: Option<String>,
    pub modified: Option<String>,
}

/// Why a search failed: the request (CKAN's 409 `Search Error`) or the index itself (a server
/// fault: logged, answered with a 500).
#[derive(Debug)]
pub enum SearchError {
    Syntax(query::SyntaxError),
    Index(tantivy::TantivyError),
}

impl From<query::SyntaxError> for SearchError {
    fn from(error: query::SyntaxError) -> Self {
        SearchError::Syntax(error)
    }
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchError::Syntax(error) => write!(f, "{}", error.0),
            SearchError::Index(error) => write!(f, "search index: {error}"),
        }
    }
}

/// One search, in index terms (the action layer builds it from CKAN's parameters).
pub struct Request {
    /// Free text for CKAN's DisMax, or a Lucene query; `None` matches everything.
    pub q: Option<Query>,
    /// Filter queries in Lucene syntax, each required.
    pub filters: Vec<String>,
    /// Permission labels the caller holds; `None` sees everything (sysadmin).
    pub labels: Option<Vec<String>>,
    pub sort: Vec<SortItem>,
    pub start: usize,
    pub rows: usize,
    /// Facet fields by CKAN name.
    pub facets: Vec<String>,
    /// The instant `NOW` means in date math.
    pub now: chrono::NaiveDateTime,
    /// Say which expansions of free text found datasets, and suggest a corrected query when
    /// nothing was found (the portal's search page).
    pub explain: bool,
}

/// The query text and how to read it.
#[derive(Debug)]
pub enum Query {
    DisMax(String),
    Lucene(String),
    /// `package_autocomplete`: names containing the text, titles whose words start with it.
    Autocomplete(String),
}

/// What a search found.
pub struct Outcome {
    pub count: usize,
    /// The stored dataset dicts of the requested page, in order, as JSON text.
    pub documents: Vec<String>,
    /// Per requested facet field: value → count.
    pub facets: Vec<std::collections::HashMap<String, u64>>,
    /// With `explain`: the expansions of free text that found some of the datasets.
    pub expansions: Vec<Expansion>,
    /// With `explain`, when nothing was found: a corrected query that finds something.
    pub suggestion: Option<String>,
}

impl Outcome {
    /// Returns the page's dataset dicts.
    pub fn dicts(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        self.documents.iter().filter_map(|text| serde_json::from_str(text).ok()).collect()
    }
}

impl Search {
    /// Runs a search. Syntax errors in `q` or a filter come back as [`SearchError::Syntax`].
    pub fn run(&self, request: &Request) -> Result<Outcome, SearchError> {
        // A page cut from a kept order takes a deep-page slot only while the order is
        // computed (inside `run_now`; never two slots at once).
        let fingerprint = Self::order_fingerprint(request);
        if request.start.saturating_add(request.rows) <= DEEP_PAGE || fingerprint.is_some() {
            return self.run_now(request, fingerprint);
        }
        self.in_deep_slot(|| self.run_now(request, None))
    }

    /// Runs `work` (which keeps many documents in memory) once fewer deep pages than cores run.
    fn in_deep_slot<T>(&self, work: impl FnOnce() -> T) -> T {
        self.deep_pages.run(work)
    }

    /// Identifies a request whose complete order may be kept and reused by its later pages:
    /// a page beyond [`KEPT_ORDER_FROM`], without facets, without relevance sorting of a `q`,
    /// and without `NOW` (whose meaning moves between requests).
    fn order_fingerprint(request: &Request) -> Option<String> {
        let mentions_now = |text: &str| text.contains("NOW");
        let q_mentions_now = match &request.q {
            Some(Query::DisMax(text) | Query::Lucene(text) | Query::Autocomplete(text)) => mentions_now(text),
            None => false,
        };
        let reusable = request.start.saturating_add(request.rows) > KEPT_ORDER_FROM
            && request.facets.is_empty()
            // Without `q` every match scores the same, so a relevance sort is a fixed order too.
            && (request.q.is_none() || !request.sort.iter().any(|item| item.by == SortBy::Score))
            && !q_mentions_now
            && !request.filters.iter().any(|f| mentions_now(f));
        reusable.then(|| format!("{:?}\0{:?}\0{:?}\0{:?}", request.q, request.filters, request.labels, request.sort))
    }

    /// Returns when the public catalogue began and last changed: `metadata_created` of its
    /// oldest dataset and `metadata_modified` of its most recently changed one (the DCAT
    /// catalogue's `dct:issued` and `dct:modified`); computed once per index generation.
    pub fn public_catalogue_dates(&self) -> Result<CatalogueDates, SearchError> {
        let generation = self.reader.searcher().generation().generation_id();
        let mut cached = self.catalogue_dates.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, dates)) = cached.as_ref()
            && *seen == generation
        {
            return Ok(dates.clone());
        }
        let first = |field: &str, descending: bool| -> Result<Option<String>, SearchError> {
            let request = Request {
                q: None,
                filters: vec!["+capacity:public +state:active".into()],
                labels: Some(vec!["public".into()]),
                sort: vec![SortItem { by: SortBy::Date(field.into()), descending }],
                start: 0,
                rows: 1,
                facets: Vec::new(),
                now: chrono::Utc::now().naive_utc(),
                explain: false,
            };
            Ok(self
                .run_now(&request, None)?
                .dicts()
                .first()
                .and_then(|dict| dict.get(field).and_then(|v| v.as_str()).map(str::to_string)))
        };
        let dates =
            CatalogueDates { issued: first("metadata_created", false)?, modified: first("metadata_modified", true)? };
        *cached = Some((generation, dates.clone()));
        Ok(dates)
    }

    /// Runs a search now; `fingerprint` (from [`Search::order_fingerprint`]) cuts the page from
    /// the query's kept order.
    fn run_now(&self, request: &Request, fingerprint: Option<String>) -> Result<Outcome, SearchError> {
        use tantivy::collector::Count;
        use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
        use tantivy::schema::IndexRecordOption;

        let builder = QueryBuilder { fields: &self.fields, now: request.now };
        let searcher = self.reader.searcher();
        let dictionary = explain::IndexDictionary { searcher: &searcher, fields: &self.fields };
        let units = match &request.q {
            Some(Query::DisMax(text)) => build::free_text_units(text, Some(&dictionary)),
            _ => Vec::new(),
        };
        let main: Box<dyn tantivy::query::Query> = match &request.q {
            None => Box::new(tantivy::query::AllQuery),
            Some(Query::DisMax(_)) => builder.dismax(&units),
            Some(Query::Lucene(text)) => builder.build(&query::parse(text)?, "text")?,
            Some(Query::Autocomplete(text)) => builder.autocomplete(text),
        };
        // What every answer must also satisfy: filters, visibility.
        let mut constraints: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        for filter in &request.filters {
            let built = builder.build(&query::parse(filter)?, "text")?;
            constraints.push((Occur::Must, Box::new(ConstScoreQuery::new(built, 0.0))));
        }
        // Harvest sources are datasets of type `harvest`, out of every search unless a
        // filter asks for them (ckanext-harvest's rule).
        if !request.filters.iter().any(|f| f.contains("dataset_type:harvest"))
            && let Some(field) = self.fields.string("dataset_type")
        {
            let term = tantivy::Term::from_field_text(field, "harvest");
            constraints.push((Occur::MustNot, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        if self.unlist_expired && !crate::workflows::retention::asks_for_retention(&request.filters) {
            let expired = crate::workflows::retention::expired_filter(request.now);
            constraints.push((Occur::MustNot, builder.build(&query::parse(&expired)?, "text")?));
        }
        if let Some(labels) = &request.labels {
            let any_label: Vec<(Occur, Box<dyn tantivy::query::Query>)> = labels
                .iter()
                .map(|label| {
                    let term = tantivy::Term::from_field_text(self.fields.labels, label);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn tantivy::query::Query>,
                    )
                })
                .collect();
            constraints
                .push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any_label)), 0.0))));
        }
        let constrained = |main: Box<dyn tantivy::query::Query>| {
            let mut clauses = vec![(Occur::Must, main)];
            clauses.extend(constraints.iter().map(|(o, q)| (*o, q.box_clone())));
            BooleanQuery::new(clauses)
        };
        let query = constrained(main);
        if let Some(fingerprint) = fingerprint {
            let generation = searcher.generation().generation_id();
            let order = match self.orders.get(generation, &fingerprint) {
                Some(order) => order,
                None => {
                    let all = TopSorted { items: request.sort.clone(), limit: usize::MAX, start: 0 };
                    let sorted = self.in_deep_slot(|| searcher.search(&query, &all)).map_err(SearchError::Index)?;
                    let order: orders::Order = std::sync::Arc::new(sorted.into_iter().map(|(_, a)| a).collect());
                    self.orders.insert(generation, fingerprint, order.clone());
                    order
                }
            };
            let page = order.iter().copied().skip(request.start).take(request.rows);
            let documents = self.stored_documents(&searcher, page)?;
            return Ok(Outcome {
                count: order.len(),
                documents,
                facets: Vec::new(),
                expansions: Vec::new(),
                suggestion: None,
            });
        }
        let top = TopSorted {
            items: request.sort.clone(),
            limit: request.start.saturating_add(request.rows),
            start: request.start,
        };
        let facet_fields: Vec<FacetField> = request
            .facets
            .iter()
            .map(|name| {
                let (column, prefix) = self.fields.column(name);
                FacetField { column, prefix }
            })
            .collect();
        let wants_page = request.rows > 0;
        let (count, sorted, facets) = searcher
            .search(&query, &(Count, (wants_page.then_some(top)), Facets(facet_fields)))
            .map_err(SearchError::Index)?;
        let documents = self.stored_documents(&searcher, sorted.unwrap_or_default().into_iter().map(|(_, a)| a))?;
        let (mut expansions, mut suggestion) = (Vec::new(), None);
        if request.explain
            && let Some(Query::DisMax(text)) = &request.q
        {
            let found = |main: Box<dyn tantivy::query::Query>| {
                searcher.search(&constrained(main), &Count).map_err(SearchError::Index)
            };
            expansions = explain::expansions(&units, &query, &builder, &searcher)?;
            if count == 0
                && let Some(corrected) = expand::suggestion(text, &dictionary)
                && found(builder.dismax(&build::free_text_units(&corrected, Some(&dictionary))))? > 0
            {
                suggestion = Some(corrected);
            }
        }
        Ok(Outcome { count, documents, facets, expansions, suggestion })
    }

    /// Reads the stored dataset dicts (JSON text) of documents, in the given order.
    fn stored_documents(
        &self,
        searcher: &tantivy::Searcher,
        addresses: impl Iterator<Item = tantivy::DocAddress>,
    ) -> Result<Vec<String>, SearchError> {
        use tantivy::schema::Value as _;
        let mut documents = Vec::new();
        for address in addresses {
            let document: tantivy::TantivyDocument = searcher.doc(address).map_err(SearchError::Index)?;
            if let Some(text) = document.get_first(self.fields.data).and_then(|v| v.as_str()) {
                documents.push(text.to_string());
            }
        }
        Ok(documents)
    }
}
