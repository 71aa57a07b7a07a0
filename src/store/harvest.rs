//! Harvest jobs and objects (ckanext-harvest's model). Sources are datasets of type `harvest`
//! and are stored as datasets; these rows only record the jobs run on them and which local
//! dataset holds each record of a source.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{harvest_configs, harvest_jobs, harvest_objects};
use super::{StoreResult, Tx, map_err};

/// One harvest job.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = harvest_jobs)]
pub struct JobRow {
    pub id: String,
    pub source_id: String,
    pub status: String,
    pub created: NaiveDateTime,
    pub gather_started: Option<NaiveDateTime>,
    pub gather_finished: Option<NaiveDateTime>,
    pub finished: Option<NaiveDateTime>,
    pub gather_complete: bool,
    pub added: i32,
    pub updated: i32,
    pub not_modified: i32,
    pub deleted: i32,
    pub errored: i32,
    pub gather_errors: String,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
}

/// One record of a source as one job saw it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = harvest_objects)]
pub struct ObjectRow {
    pub id: String,
    pub guid: String,
    pub job_id: String,
    pub source_id: String,
    pub package_id: Option<String>,
    pub current: bool,
    pub state: String,
    pub report_status: String,
    pub content: Option<String>,
    pub content_hash: Option<String>,
    pub original_url: Option<String>,
    pub errors: String,
    pub gathered: NaiveDateTime,
    pub import_finished: Option<NaiveDateTime>,
    pub last_seen_job: Option<String>,
}

/// A source's configuration text (empty when it has none).
pub fn config_of(tx: &mut Tx, source_id: &str) -> StoreResult<String> {
    let found =
        map_err(harvest_configs::table.find(source_id).select(harvest_configs::config).first::<String>(tx).optional())?;
    Ok(found.unwrap_or_default())
}

/// Sets a source's configuration text.
pub fn set_config(tx: &mut Tx, source_id: &str, config: &str) -> StoreResult<()> {
    map_err(diesel::delete(harvest_configs::table.find(source_id)).execute(tx))?;
    map_err(
        diesel::insert_into(harvest_configs::table)
            .values((harvest_configs::source_id.eq(source_id), harvest_configs::config.eq(config)))
            .execute(tx),
    )
    .map(|_| ())
}

/// Statuses of a job that has not ended.
pub const OPEN: [&str; 2] = ["New", "Running"];

/// Adds a job; a unique violation means the source already has an unfinished job.
pub fn insert_job(tx: &mut Tx, row: &JobRow) -> StoreResult<()> {
    map_err(diesel::insert_into(harvest_jobs::table).values(row).execute(tx)).map(|_| ())
}

pub fn job(tx: &mut Tx, id: &str) -> StoreResult<Option<JobRow>> {
    map_err(harvest_jobs::table.find(id).select(JobRow::as_select()).first(tx).optional())
}

/// A source's jobs, newest first, optionally of one status.
pub fn jobs_of_source(tx: &mut Tx, source_id: &str, status: Option<&str>, limit: i64) -> StoreResult<Vec<JobRow>> {
    let mut query = harvest_jobs::table
        .filter(harvest_jobs::source_id.eq(source_id))
        .select(JobRow::as_select())
        .order((harvest_jobs::created.desc(), harvest_jobs::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(harvest_jobs::status.eq(status.to_string()));
    }
    map_err(query.load(tx))
}

/// Jobs of any source with this status, oldest first.
pub fn jobs_with_status(tx: &mut Tx, status: &str, limit: i64) -> StoreResult<Vec<JobRow>> {
    map_err(
        harvest_jobs::table
            .filter(harvest_jobs::status.eq(status))
            .select(JobRow::as_select())
            .order(harvest_jobs::created.asc())
            .limit(limit)
            .load(tx),
    )
}

pub fn job_count(tx: &mut Tx, source_id: &str) -> StoreResult<i64> {
    map_err(harvest_jobs::table.filter(harvest_jobs::source_id.eq(source_id)).count().get_result(tx))
}

/// The source's unfinished job, if any.
pub fn open_job(tx: &mut Tx, source_id: &str) -> StoreResult<Option<JobRow>> {
    map_err(
        harvest_jobs::table
            .filter(harvest_jobs::source_id.eq(source_id))
            .filter(harvest_jobs::status.eq_any(OPEN))
            .select(JobRow::as_select())
            .first(tx)
            .optional(),
    )
}

/// The newest finished job whose gather read the whole source.
pub fn last_complete_job(tx: &mut Tx, source_id: &str) -> StoreResult<Option<JobRow>> {
    map_err(
        harvest_jobs::table
            .filter(harvest_jobs::source_id.eq(source_id))
            .filter(harvest_jobs::status.eq("Finished"))
            .filter(harvest_jobs::gather_complete.eq(true))
            .select(JobRow::as_select())
            .order(harvest_jobs::created.desc())
            .first(tx)
            .optional(),
    )
}

/// Claims a `New` job for a node: `false` when another node took it first.
pub fn claim(tx: &mut Tx, id: &str, owner: &str, now: NaiveDateTime, until: NaiveDateTime) -> StoreResult<bool> {
    let changed = map_err(
        diesel::update(harvest_jobs::table.filter(harvest_jobs::id.eq(id)).filter(harvest_jobs::status.eq("New")))
            .set((
                harvest_jobs::status.eq("Running"),
                harvest_jobs::gather_started.eq(now),
                harvest_jobs::lease_owner.eq(owner),
                harvest_jobs::lease_until.eq(until),
            ))
            .execute(tx),
    )?;
    Ok(changed == 1)
}

/// Extends a running job's claim and saves its counts: `false` when the job is no longer this
/// node's to run (aborted, or ended as stalled).
pub fn progress(tx: &mut Tx, job: &JobRow, owner: &str, until: NaiveDateTime) -> StoreResult<bool> {
    let changed = map_err(
        diesel::update(
            harvest_jobs::table
                .filter(harvest_jobs::id.eq(&job.id))
                .filter(harvest_jobs::status.eq("Running"))
                .filter(harvest_jobs::lease_owner.eq(owner)),
        )
        .set((
            harvest_jobs::lease_until.eq(until),
            harvest_jobs::added.eq(job.added),
            harvest_jobs::updated.eq(job.updated),
            harvest_jobs::not_modified.eq(job.not_modified),
            harvest_jobs::deleted.eq(job.deleted),
            harvest_jobs::errored.eq(job.errored),
            harvest_jobs::gather_errors.eq(&job.gather_errors),
            harvest_jobs::gather_finished.eq(job.gather_finished),
        ))
        .execute(tx),
    )?;
    Ok(changed == 1)
}

/// Ends a job (its counts, errors and outcome as given), whoever runs it.
pub fn finish(tx: &mut Tx, job: &JobRow) -> StoreResult<()> {
    map_err(
        diesel::update(harvest_jobs::table.filter(harvest_jobs::id.eq(&job.id)))
            .set((
                harvest_jobs::status.eq(&job.status),
                harvest_jobs::finished.eq(job.finished),
                harvest_jobs::gather_finished.eq(job.gather_finished),
                harvest_jobs::gather_complete.eq(job.gather_complete),
                harvest_jobs::added.eq(job.added),
                harvest_jobs::updated.eq(job.updated),
                harvest_jobs::not_modified.eq(job.not_modified),
                harvest_jobs::deleted.eq(job.deleted),
                harvest_jobs::errored.eq(job.errored),
                harvest_jobs::gather_errors.eq(&job.gather_errors),
                harvest_jobs::lease_owner.eq(None::<String>),
                harvest_jobs::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(tx),
    )
    .map(|_| ())
}

/// Running jobs whose claim ran out before `now` (their node stopped, or they made no progress).
pub fn stalled(tx: &mut Tx, now: NaiveDateTime) -> StoreResult<Vec<JobRow>> {
    map_err(
        harvest_jobs::table
            .filter(harvest_jobs::status.eq("Running"))
            .filter(harvest_jobs::lease_until.lt(now))
            .select(JobRow::as_select())
            .load(tx),
    )
}

/// Marks a source's `New` jobs `Aborted` (the source was deleted).
pub fn abort_new_jobs(tx: &mut Tx, source_id: &str, now: NaiveDateTime) -> StoreResult<()> {
    map_err(
        diesel::update(
            harvest_jobs::table.filter(harvest_jobs::source_id.eq(source_id)).filter(harvest_jobs::status.eq("New")),
        )
        .set((harvest_jobs::status.eq("Aborted"), harvest_jobs::finished.eq(now)))
        .execute(tx),
    )
    .map(|_| ())
}

/// Deletes a source's ended jobs (all but `keep`) and their objects, keeping the current ones.
pub fn clear_job_history(tx: &mut Tx, source_id: &str, keep: Option<&str>) -> StoreResult<usize> {
    let ended: Vec<String> = map_err(
        harvest_jobs::table
            .filter(harvest_jobs::source_id.eq(source_id))
            .filter(harvest_jobs::status.ne_all(OPEN))
            .filter(harvest_jobs::id.ne(keep.unwrap_or("")))
            .select(harvest_jobs::id)
            .load(tx),
    )?;
    for chunk in ended.chunks(500) {
        map_err(
            diesel::delete(
                harvest_objects::table
                    .filter(harvest_objects::job_id.eq_any(chunk))
                    .filter(harvest_objects::current.eq(false)),
            )
            .execute(tx),
        )?;
        map_err(diesel::delete(harvest_jobs::table.filter(harvest_jobs::id.eq_any(chunk))).execute(tx))?;
    }
    Ok(ended.len())
}

/// Deletes every job and object of a source (after its datasets were deleted).
pub fn clear_source(tx: &mut Tx, source_id: &str) -> StoreResult<()> {
    map_err(diesel::delete(harvest_objects::table.filter(harvest_objects::source_id.eq(source_id))).execute(tx))?;
    map_err(diesel::delete(harvest_jobs::table.filter(harvest_jobs::source_id.eq(source_id))).execute(tx)).map(|_| ())
}

/// The object of a source's record that its dataset holds now.
pub fn current_object(tx: &mut Tx, source_id: &str, guid: &str) -> StoreResult<Option<ObjectRow>> {
    map_err(
        harvest_objects::table
            .filter(harvest_objects::source_id.eq(source_id))
            .filter(harvest_objects::guid.eq(guid))
            .filter(harvest_objects::current.eq(true))
            .select(ObjectRow::as_select())
            .first(tx)
            .optional(),
    )
}

/// The current object of a dataset (of any source).
pub fn current_for_package(tx: &mut Tx, package_id: &str) -> StoreResult<Option<ObjectRow>> {
    map_err(
        harvest_objects::table
            .filter(harvest_objects::package_id.eq(package_id))
            .filter(harvest_objects::current.eq(true))
            .select(ObjectRow::as_select())
            .first(tx)
            .optional(),
    )
}

pub fn object(tx: &mut Tx, id: &str) -> StoreResult<Option<ObjectRow>> {
    map_err(harvest_objects::table.find(id).select(ObjectRow::as_select()).first(tx).optional())
}

/// Adds an object; a current one replaces the source's previous current object of its guid.
pub fn insert_object(tx: &mut Tx, row: &ObjectRow) -> StoreResult<()> {
    if row.current {
        map_err(
            diesel::update(
                harvest_objects::table
                    .filter(harvest_objects::source_id.eq(&row.source_id))
                    .filter(harvest_objects::guid.eq(&row.guid))
                    .filter(harvest_objects::current.eq(true)),
            )
            .set(harvest_objects::current.eq(false))
            .execute(tx),
        )?;
    }
    map_err(diesel::insert_into(harvest_objects::table).values(row).execute(tx)).map(|_| ())
}

/// Records that a job's gather saw these guids of the source.
pub fn mark_seen(tx: &mut Tx, source_id: &str, guids: &[String], job_id: &str) -> StoreResult<()> {
    for chunk in guids.chunks(500) {
        map_err(
            diesel::update(
                harvest_objects::table
                    .filter(harvest_objects::source_id.eq(source_id))
                    .filter(harvest_objects::current.eq(true))
                    .filter(harvest_objects::guid.eq_any(chunk)),
            )
            .set(harvest_objects::last_seen_job.eq(job_id))
            .execute(tx),
        )?;
    }
    Ok(())
}

/// Current objects of a source's live datasets that the job's gather did not see.
pub fn unseen(tx: &mut Tx, source_id: &str, job_id: &str, limit: i64) -> StoreResult<Vec<ObjectRow>> {
    map_err(
        harvest_objects::table
            .filter(harvest_objects::source_id.eq(source_id))
            .filter(harvest_objects::current.eq(true))
            .filter(harvest_objects::report_status.ne("deleted"))
            .filter(harvest_objects::package_id.is_not_null())
            .filter(harvest_objects::last_seen_job.is_null().or(harvest_objects::last_seen_job.ne(job_id)))
            .select(ObjectRow::as_select())
            .order(harvest_objects::guid.asc())
            .limit(limit)
            .load(tx),
    )
}

/// The datasets a source holds now (deleted ones only when asked), as package ids.
pub fn current_packages(tx: &mut Tx, source_id: &str, include_deleted: bool, limit: i64) -> StoreResult<Vec<String>> {
    let mut query = harvest_objects::table
        .filter(harvest_objects::source_id.eq(source_id))
        .filter(harvest_objects::current.eq(true))
        .filter(harvest_objects::package_id.is_not_null())
        .select(harvest_objects::package_id.assume_not_null())
        .order(harvest_objects::guid.asc())
        .limit(limit)
        .into_boxed();
    if !include_deleted {
        query = query.filter(harvest_objects::report_status.ne("deleted"));
    }
    map_err(query.load(tx))
}

/// A source's current objects, by guid.
pub fn current_objects(tx: &mut Tx, source_id: &str, limit: i64) -> StoreResult<Vec<ObjectRow>> {
    map_err(
        harvest_objects::table
            .filter(harvest_objects::source_id.eq(source_id))
            .filter(harvest_objects::current.eq(true))
            .select(ObjectRow::as_select())
            .order(harvest_objects::guid.asc())
            .limit(limit)
            .load(tx),
    )
}

/// Deletes a source's objects of a dataset that was purged.
pub fn forget_package(tx: &mut Tx, source_id: &str, package_id: &str) -> StoreResult<()> {
    map_err(
        diesel::delete(
            harvest_objects::table
                .filter(harvest_objects::source_id.eq(source_id))
                .filter(harvest_objects::package_id.eq(package_id)),
        )
        .execute(tx),
    )
    .map(|_| ())
}

pub fn count_current_packages(tx: &mut Tx, source_id: &str) -> StoreResult<i64> {
    map_err(
        harvest_objects::table
            .filter(harvest_objects::source_id.eq(source_id))
            .filter(harvest_objects::current.eq(true))
            .filter(harvest_objects::report_status.ne("deleted"))
            .filter(harvest_objects::package_id.is_not_null())
            .count()
            .get_result(tx),
    )
}

/// A job's objects, in the order they were gathered; only errored ones when asked.
pub fn objects_of_job(tx: &mut Tx, job_id: &str, errored_only: bool, limit: i64) -> StoreResult<Vec<ObjectRow>> {
    let mut query = harvest_objects::table
        .filter(harvest_objects::job_id.eq(job_id))
        .select(ObjectRow::as_select())
        .order((harvest_objects::gathered.asc(), harvest_objects::id.asc()))
        .limit(limit)
        .into_boxed();
    if errored_only {
        query = query.filter(harvest_objects::state.eq("ERROR"));
    }
    map_err(query.load(tx))
}

/// Marks a job's unfinished objects `ERROR` (the job was aborted).
pub fn fail_unfinished_objects(tx: &mut Tx, job_id: &str) -> StoreResult<()> {
    map_err(
        diesel::update(
            harvest_objects::table
                .filter(harvest_objects::job_id.eq(job_id))
                .filter(harvest_objects::state.ne_all(["COMPLETE", "ERROR"])),
        )
        .set(harvest_objects::state.eq("ERROR"))
        .execute(tx),
    )
    .map(|_| ())
}
