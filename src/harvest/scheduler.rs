//! The scheduler inside `kho serve`: every few seconds it ends stalled jobs, creates the jobs of
//! due sources and starts the waiting ones, up to `[harvest] workers` at once on this node. A
//! job is claimed in the database first, so two nodes never run one job (and a source never
//! has two unfinished jobs: a unique index).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::actions::harvest::jobs;
use crate::actions::{ActionContext, Services};
use crate::auth::Caller;

/// Starts the scheduler thread (unless `[harvest] scheduler = false`). It holds the services
/// weakly: it ends once the application is dropped.
pub fn start(services: &Arc<Services>) -> anyhow::Result<()> {
    if !services.config.harvest.scheduler {
        return Ok(());
    }
    let node = uuid::Uuid::new_v4().to_string();
    let running = Arc::new(AtomicUsize::new(0));
    let weak = Arc::downgrade(services);
    let poll = Duration::from_secs(services.config.harvest.poll_seconds.max(1));
    std::thread::Builder::new().name("kho-harvest".into()).spawn(move || {
        loop {
            let Some(services) = weak.upgrade() else { return };
            if let Err(error) = tick(&services, &node, &running) {
                tracing::warn!(%error, "harvest scheduler round failed");
            }
            drop(services);
            std::thread::sleep(poll);
        }
    })?;
    Ok(())
}

/// One round: returns how many jobs it started.
fn tick(services: &Arc<Services>, node: &str, running: &Arc<AtomicUsize>) -> anyhow::Result<usize> {
    let context = ActionContext { services, caller: Caller::system() };
    let idle = chrono::Duration::seconds(i64::try_from(services.config.harvest.idle_timeout_seconds).unwrap_or(600));
    let waiting = jobs::schedule(&context, idle)?;
    let mut started = 0;
    for job in waiting {
        if running.load(Ordering::SeqCst) >= services.config.harvest.workers.max(1) {
            break;
        }
        if !jobs::claim(&context, &job.id, node, crate::store::now() + idle)? {
            continue;
        }
        running.fetch_add(1, Ordering::SeqCst);
        started += 1;
        let (services, node, counter) = (services.clone(), node.to_string(), running.clone());
        let spawned = std::thread::Builder::new().name("kho-harvest-job".into()).spawn(move || {
            let ended = super::run::run(&services, job, &node, None);
            tracing::info!(job = %ended.id, source = %ended.source_id, added = ended.added, updated = ended.updated,
                not_modified = ended.not_modified, deleted = ended.deleted, errored = ended.errored, "harvest job ended");
            counter.fetch_sub(1, Ordering::SeqCst);
        });
        if let Err(error) = spawned {
            running.fetch_sub(1, Ordering::SeqCst);
            return Err(error.into());
        }
    }
    Ok(started)
}
