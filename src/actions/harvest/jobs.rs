//! Harvest jobs: created by hand (`harvest_job_create`) or by the scheduler when a source is
//! due, claimed by one node at a time (a lease in the database), ended by their runner, by
//! `harvest_job_abort`, or by the scheduler when they stall.

use chrono::{Duration, NaiveDateTime};
use serde_json::{Value, json};

use super::source::Source;
use crate::actions::ActionContext;
use crate::error::{ActionError, ActionResult};
use crate::store::harvest::{self, JobRow};
use crate::store::{self, StoreError, Tx, packages};

/// ckanext-harvest's job dict, with the job's counts as `stats`.
pub fn job_dict(job: &JobRow) -> Value {
    let time = |t: Option<NaiveDateTime>| t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string());
    json!({
        "id": job.id,
        "source_id": job.source_id,
        "status": job.status,
        "created": time(Some(job.created)),
        "gather_started": time(job.gather_started),
        "gather_finished": time(job.gather_finished),
        "finished": time(job.finished),
        "stats": {
            "added": job.added,
            "updated": job.updated,
            "not modified": job.not_modified,
            "deleted": job.deleted,
            "errored": job.errored,
        },
        "gather_complete": job.gather_complete,
        "gather_error_count": gather_errors(job).len(),
    })
}

/// The job's gather errors: `[{"message": …}]`.
pub fn gather_errors(job: &JobRow) -> Vec<Value> {
    serde_json::from_str(&job.gather_errors).unwrap_or_default()
}

/// A new job record for a source (status `New`).
fn new_job(source_id: &str, now: NaiveDateTime) -> JobRow {
    JobRow {
        id: uuid::Uuid::new_v4().to_string(),
        source_id: source_id.to_string(),
        status: "New".into(),
        created: now,
        gather_started: None,
        gather_finished: None,
        finished: None,
        gather_complete: false,
        added: 0,
        updated: 0,
        not_modified: 0,
        deleted: 0,
        errored: 0,
        gather_errors: "[]".into(),
        lease_owner: None,
        lease_until: None,
    }
}

/// Adds a `New` job for an active source; refused while the source has an unfinished job.
pub fn create(tx: &mut Tx, source: &Source) -> ActionResult<JobRow> {
    if !source.active {
        return Err(ActionError::field("source_id", "Can not create jobs on inactive sources"));
    }
    let job = new_job(&source.id, store::now());
    match harvest::insert_job(tx, &job) {
        Ok(()) => Ok(job),
        Err(StoreError::UniqueViolation(_)) => {
            Err(ActionError::field("source_id", "There already is an unrun job for this source"))
        }
        Err(other) => Err(other.into()),
    }
}

/// The source's waiting job, else a new one (`kho harvest run`); refused while a job runs.
pub fn waiting_or_new(context: &ActionContext, source: &str) -> ActionResult<JobRow> {
    context.store().write(|tx| {
        let row = super::source::find(tx, source)?.ok_or_else(|| ActionError::not_found("Harvest source not found"))?;
        match harvest::open_job(tx, &row.id)? {
            Some(open) if open.status == "Running" => {
                Err(ActionError::field("source_id", format!("Job {} of this source is running", open.id)))
            }
            Some(open) => Ok(open),
            None => {
                let source = Source::load(tx, &row)?;
                create(tx, &source)
            }
        }
    })
}

/// The scheduler's round: ends stalled jobs, then creates jobs for every due source. Returns
/// the `New` jobs waiting to run, oldest first.
pub fn schedule(context: &ActionContext, idle_timeout: Duration) -> ActionResult<Vec<JobRow>> {
    let now = store::now();
    context.store().write(|tx| -> ActionResult<()> {
        for mut job in harvest::stalled(tx, now)? {
            let mut errors = gather_errors(&job);
            errors.push(json!({"message": format!(
                "The job stopped: no progress for {} seconds (its node stopped or the source stopped answering)",
                idle_timeout.num_seconds()
            )}));
            job.gather_errors = Value::Array(errors).to_string();
            job.status = "Finished".into();
            job.finished = Some(now);
            job.gather_complete = false;
            harvest::finish(tx, &job)?;
            harvest::fail_unfinished_objects(tx, &job.id)?;
        }
        Ok(())
    })?;
    let sources: Vec<Source> = context.store().read(|tx| -> ActionResult<Vec<Source>> {
        packages::harvest_sources(tx, None)?.iter().map(|row| Source::load(tx, row)).collect()
    })?;
    for source in sources.iter().filter(|s| s.period().is_some()) {
        context.store().write(|tx| -> ActionResult<()> {
            let last = harvest::jobs_of_source(tx, &source.id, None, 1)?.into_iter().next();
            let open = last.as_ref().is_some_and(|j| harvest::OPEN.contains(&j.status.as_str()));
            if !open && source.is_due(last.map(|j| j.created), now) {
                match create(tx, source) {
                    Ok(_) | Err(ActionError::Validation(_)) => {}
                    Err(other) => return Err(other),
                }
            }
            Ok(())
        })?;
    }
    Ok(context.store().read(|tx| harvest::jobs_with_status(tx, "New", 100))?)
}

/// Claims a `New` job for this node until `until`; `false` when another node took it.
pub fn claim(context: &ActionContext, job_id: &str, node: &str, until: NaiveDateTime) -> ActionResult<bool> {
    Ok(context.store().write(|tx| harvest::claim(tx, job_id, node, store::now(), until))?)
}

/// Saves a running job's counts and extends its claim; `false` when the job is no longer this
/// node's to run (aborted, or ended as stalled): the runner then stops.
pub fn progress(context: &ActionContext, job: &JobRow, node: &str, until: NaiveDateTime) -> ActionResult<bool> {
    Ok(context.store().write(|tx| harvest::progress(tx, job, node, until))?)
}

/// Ends a job this node ran (unless it was aborted meanwhile: then only its counts are kept).
pub fn finish(context: &ActionContext, job: &JobRow, node: &str) -> ActionResult<()> {
    context.store().write(|tx| -> ActionResult<()> {
        let Some(stored) = harvest::job(tx, &job.id)? else { return Ok(()) };
        let ours = stored.status == "Running" && stored.lease_owner.as_deref() == Some(node);
        let mut ended = job.clone();
        ended.finished = Some(store::now());
        ended.status = if ours { "Finished".into() } else { stored.status.clone() };
        if !ours {
            ended.gather_complete = false;
            ended.finished = stored.finished.or(ended.finished);
            ended.gather_errors = stored.gather_errors.clone();
        }
        harvest::finish(tx, &ended)?;
        Ok(())
    })
}

/// `harvest_job_abort`: the job ends `Finished` at once; its unfinished objects become `ERROR`;
/// its runner stops at its next step.
pub fn abort(tx: &mut Tx, job: &JobRow) -> ActionResult<JobRow> {
    let mut ended = job.clone();
    if harvest::OPEN.contains(&job.status.as_str()) {
        let mut errors = gather_errors(job);
        errors.push(json!({"message": "The job was aborted"}));
        ended.gather_errors = Value::Array(errors).to_string();
        ended.status = "Finished".into();
        ended.finished = Some(store::now());
        ended.gather_complete = false;
        harvest::finish(tx, &ended)?;
        harvest::fail_unfinished_objects(tx, &job.id)?;
    }
    Ok(ended)
}
