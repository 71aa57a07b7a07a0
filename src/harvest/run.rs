//! Running one job: the source type's gatherer reads the source page by page and hands each
//! page here, where its records are imported at once (memory stays that of one page); after a
//! gather that read the whole source without an error, the records it did not see are deleted.
//! Every write goes through the harvest actions.

use std::collections::HashSet;
use std::time::Instant;

use chrono::Duration;
use serde_json::{Value, json};

use super::config::{self, SourceConfig};
use super::fetch::Fetcher;
use crate::actions::harvest::import::{self, Failure, Imported, Record};
use crate::actions::harvest::jobs;
use crate::actions::harvest::source::{self, Source};
use crate::actions::{ActionContext, Services};
use crate::auth::Caller;
use crate::store::harvest::JobRow;

/// One item of a page: a record to import, or one that could not be read.
pub enum Item {
    Record(Record),
    Failed(Failure),
}

impl Item {
    fn guid(&self) -> &str {
        match self {
            Item::Record(r) => &r.guid,
            Item::Failed(f) => &f.guid,
        }
    }
}

/// Why a gather ended early.
#[derive(Debug)]
pub enum Halt {
    /// The source could not be read whole: the message goes to the job's gather errors.
    Failed(String),
    /// A page was not valid in its format: where (1-based line and column, when known).
    Invalid { message: String, line: Option<u64>, column: Option<u64> },
    /// The job was aborted (or ended as stalled): stop without touching it further.
    Stopped,
}

/// A job being run.
pub struct JobRun<'a> {
    pub context: ActionContext<'a>,
    pub source: Source,
    pub job: JobRow,
    pub fetcher: Fetcher,
    /// When the last complete gather started (incremental sources read changes since then).
    pub since: Option<chrono::NaiveDateTime>,
    node: String,
    lease: Duration,
    /// How many guids this gather has seen.
    pub seen: u64,
    /// The guids imported by this gather (a second record with one of them fails).
    imported: HashSet<String>,
    on_progress: Option<&'a mut dyn FnMut(&JobRow)>,
    last_saved: Instant,
}

impl JobRun<'_> {
    /// Imports one page: marks its guids seen, then imports each record (a failing record
    /// fails alone). Saves the counts and extends the job's claim.
    pub fn page(&mut self, items: Vec<Item>) -> Result<(), Halt> {
        let guids: Vec<String> = items.iter().map(|i| i.guid().to_string()).collect();
        self.see(&guids)?;
        for item in items {
            if !self.imported.insert(item.guid().to_string()) {
                let guid = item.guid().to_string();
                let message = format!("The identifier {guid} appears more than once in the source");
                self.fail(Failure {
                    guid,
                    original_url: None,
                    content: None,
                    errors: vec![json!({"message": message, "type": "gather"})],
                })?;
                continue;
            }
            match item {
                Item::Record(record) => {
                    let guid = record.guid.clone();
                    let original_url = record.original_url.clone();
                    let content = Some(record.content.clone());
                    match import::import(&self.context, &self.source, &self.job.id, record) {
                        Ok(Imported::Added) => self.job.added += 1,
                        Ok(Imported::Updated) => self.job.updated += 1,
                        Ok(Imported::NotModified) => self.job.not_modified += 1,
                        Err(error) => {
                            let errors = import::errors_of(&error);
                            self.fail(Failure { guid, original_url, content, errors })?;
                        }
                    }
                }
                Item::Failed(failure) => self.fail(failure)?,
            }
        }
        self.save()
    }

    /// Records that the gather saw these guids (they are not deleted at the end).
    pub fn see(&mut self, guids: &[String]) -> Result<(), Halt> {
        self.seen += guids.len() as u64;
        import::mark_seen(&self.context, &self.source, &self.job.id, guids).map_err(|e| Halt::Failed(e.to_string()))
    }

    fn fail(&mut self, failure: Failure) -> Result<(), Halt> {
        self.job.errored += 1;
        import::record_failure(&self.context, &self.source, &self.job.id, &failure)
            .map_err(|e| Halt::Failed(e.to_string()))
    }

    /// Adds a gather error (the gather goes on; deletions are then skipped).
    pub fn gather_error(&mut self, message: &str) {
        self.push_gather_error(json!({"message": message}));
    }

    fn push_gather_error(&mut self, error: Value) {
        let mut errors = jobs::gather_errors(&self.job);
        errors.push(error);
        self.job.gather_errors = Value::Array(errors).to_string();
    }

    /// Saves the counts and extends the claim; `Stopped` when the job is no longer ours.
    pub fn save(&mut self) -> Result<(), Halt> {
        if let Some(report) = self.on_progress.as_mut() {
            report(&self.job);
        }
        if self.last_saved.elapsed().as_millis() < 500 {
            return Ok(());
        }
        self.last_saved = Instant::now();
        let until = crate::store::now() + self.lease;
        match jobs::progress(&self.context, &self.job, &self.node, until) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Halt::Stopped),
            Err(error) => Err(Halt::Failed(error.to_string())),
        }
    }

    /// GETs a URL of the source.
    pub fn fetch(&mut self, url: &str) -> Result<super::fetch::Fetched, Halt> {
        self.fetcher.get(url).map_err(Halt::Failed)
    }
}

/// Runs a job this node has claimed, to its end; returns the job as it ended.
pub fn run<'a>(
    services: &'a Services,
    job: JobRow,
    node: &str,
    on_progress: Option<&'a mut dyn FnMut(&JobRow)>,
) -> JobRow {
    let context = ActionContext { services, caller: Caller::system() };
    let found = context.store().read(|tx| match source::find(tx, &job.source_id)? {
        Some(row) => Source::load(tx, &row).map(Some),
        None => Ok(None),
    });
    let source = match found {
        Ok(Some(source)) => source,
        _ => return end_with_error(&context, job, node, "The harvest source no longer exists"),
    };
    let parsed = match config::validate(&source.source_type, &source.config) {
        Ok(parsed) => parsed,
        Err(message) => return end_with_error(&context, job, node, &format!("Invalid configuration: {message}")),
    };
    let since = context
        .store()
        .read(|tx| crate::store::harvest::last_complete_job(tx, &source.id))
        .ok()
        .flatten()
        .and_then(|j| j.gather_started);
    let fetcher = Fetcher::new(&services.config.harvest, &services.config.effective_site_url());
    let lease = Duration::seconds(i64::try_from(services.config.harvest.idle_timeout_seconds).unwrap_or(600));
    let mut run = JobRun {
        context,
        source,
        job,
        fetcher,
        since,
        node: node.to_string(),
        lease,
        seen: 0,
        imported: HashSet::new(),
        on_progress,
        last_saved: Instant::now(),
    };
    let outcome = match &parsed {
        SourceConfig::Ckan(config) => super::ckan::gather(&mut run, config),
        SourceConfig::Dcat(config) => super::dcat::gather(&mut run, config),
        SourceConfig::Api(config) => super::api::gather(&mut run, config),
    };
    match outcome {
        Ok(()) if jobs::gather_errors(&run.job).is_empty() => {
            run.job.gather_finished = Some(crate::store::now());
            run.job.gather_complete = true;
            let deleted = match &parsed {
                SourceConfig::Ckan(config) => {
                    let (context, source, job_id) = (&run.context, &run.source, run.job.id.clone());
                    let fetcher = &mut run.fetcher;
                    let mut still_there = |guid: &str| super::ckan::still_there(fetcher, source, config, guid);
                    import::delete_unseen(context, source, &job_id, &mut still_there)
                }
                _ => import::delete_unseen(&run.context, &run.source, &run.job.id, &mut |_| false),
            };
            match deleted {
                Ok(count) => run.job.deleted += i32::try_from(count).unwrap_or(i32::MAX),
                Err(error) => run.gather_error(&format!("Deleting the records gone from the source failed: {error}")),
            }
        }
        Ok(()) => run.job.gather_finished = Some(crate::store::now()),
        Err(Halt::Failed(message)) => {
            run.job.gather_finished = Some(crate::store::now());
            run.gather_error(&message);
        }
        Err(Halt::Invalid { message, line, column }) => {
            run.job.gather_finished = Some(crate::store::now());
            run.push_gather_error(json!({"message": message, "line": line, "column": column, "type": "parse"}));
        }
        Err(Halt::Stopped) => {}
    }
    if let Err(error) = jobs::finish(&run.context, &run.job, &run.node) {
        tracing::error!(job = %run.job.id, %error, "cannot end a harvest job");
    }
    run.context.store().read(|tx| crate::store::harvest::job(tx, &run.job.id)).ok().flatten().unwrap_or(run.job)
}

fn end_with_error(context: &ActionContext, mut job: JobRow, node: &str, message: &str) -> JobRow {
    job.gather_errors = json!([{"message": message}]).to_string();
    job.gather_finished = Some(crate::store::now());
    if let Err(error) = jobs::finish(context, &job, node) {
        tracing::error!(job = %job.id, %error, "cannot end a harvest job");
    }
    job
}
