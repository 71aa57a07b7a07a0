//! `kho harvest sources | run SOURCE | jobs SOURCE`: the command line's view of harvesting.
//! `run` runs a job in this process (claimed like the scheduler's, so never beside another
//! node's job of the same source), with a progress line and a summary.

use std::io::Write;

use crate::actions::harvest::jobs;
use crate::actions::harvest::source::{self, Source};
use crate::actions::{ActionContext, Services};
use crate::auth::Caller;
use crate::store::{harvest, packages};

/// Prints every active source: name, type, frequency, datasets, last job.
pub fn list(services: &Services) -> anyhow::Result<()> {
    let rows = services.store.read(|tx| packages::harvest_sources(tx, None))?;
    println!("{:<30} {:<9} {:<9} {:>8}  LAST JOB", "SOURCE", "TYPE", "FREQUENCY", "DATASETS");
    for row in rows {
        let (source, count, last) = services.store.read(|tx| -> anyhow::Result<_> {
            Ok((
                Source::load(tx, &row).map_err(|e| anyhow::anyhow!("{e}"))?,
                harvest::count_current_packages(tx, &row.id)?,
                harvest::jobs_of_source(tx, &row.id, None, 1)?.into_iter().next(),
            ))
        })?;
        let last = last.map_or("never".to_string(), |j| format!("{} {}", j.status, j.created.format("%Y-%m-%d %H:%M")));
        println!("{:<30} {:<9} {:<9} {count:>8}  {last}", source.name, source.source_type, source.frequency);
    }
    Ok(())
}

/// Prints a source's jobs, newest first, with their counts.
pub fn jobs(services: &Services, name: &str) -> anyhow::Result<()> {
    let listed = services.store.read(|tx| -> anyhow::Result<_> {
        let row = source::find(tx, name)?.ok_or_else(|| anyhow::anyhow!("no harvest source {name:?}"))?;
        Ok(harvest::jobs_of_source(tx, &row.id, None, 50)?)
    })?;
    println!(
        "{:<36} {:<9} {:<16} {:>6} {:>7} {:>8} {:>7} {:>7} ERRORS",
        "JOB", "STATUS", "CREATED", "ADDED", "UPDATED", "UNCHANGED", "DELETED", "ERRORED"
    );
    for job in listed {
        println!(
            "{:<36} {:<9} {:<16} {:>6} {:>7} {:>8} {:>7} {:>7} {}",
            job.id,
            job.status,
            job.created.format("%Y-%m-%d %H:%M"),
            job.added,
            job.updated,
            job.not_modified,
            job.deleted,
            job.errored,
            jobs::gather_errors(&job).len()
        );
    }
    Ok(())
}

/// Runs a job of the source now, in this process; fails when the source has a running job.
pub fn run_now(services: &Services, name: &str) -> anyhow::Result<()> {
    let context = ActionContext { services, caller: Caller::system() };
    let job = jobs::waiting_or_new(&context, name).map_err(|e| anyhow::anyhow!("{}", e.to_error_object()))?;
    let node = format!("cli-{}", uuid::Uuid::new_v4());
    let idle = chrono::Duration::seconds(i64::try_from(services.config.harvest.idle_timeout_seconds).unwrap_or(600));
    if !jobs::claim(&context, &job.id, &node, crate::store::now() + idle).map_err(|e| anyhow::anyhow!("{e}"))? {
        anyhow::bail!("another node started job {} first", job.id);
    }
    let started = std::time::Instant::now();
    let mut show = |job: &harvest::JobRow| {
        let done = job.added + job.updated + job.not_modified + job.errored;
        let rate = f64::from(done) / started.elapsed().as_secs_f64().max(1e-3);
        eprint!(
            "\r{done} records ({rate:.0}/s): {} added, {} updated, {} unchanged, {} errored   ",
            job.added, job.updated, job.not_modified, job.errored
        );
        let _ = std::io::stderr().flush();
    };
    let ended = super::run::run(services, job, &node, Some(&mut show));
    eprintln!();
    println!(
        "job {} {} in {:.1} s: {} added, {} updated, {} not modified, {} deleted, {} errored",
        ended.id,
        ended.status,
        started.elapsed().as_secs_f64(),
        ended.added,
        ended.updated,
        ended.not_modified,
        ended.deleted,
        ended.errored
    );
    for error in jobs::gather_errors(&ended) {
        println!("gather error: {}", error.get("message").and_then(serde_json::Value::as_str).unwrap_or_default());
    }
    Ok(())
}
