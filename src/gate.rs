//! Bounded concurrency for work that holds much memory (deep search pages, DCAT catalogue
//! pages): more of it at once would not finish sooner on this many cores, only use more memory.
//! [`Gate`] lets at most N callers through at once, on their own threads; [`Workers`] runs the
//! work on N threads of its own, so that what it allocates is also freed and reused by the same
//! few threads (the allocator keeps freed memory per thread: spread over a blocking pool of
//! dozens of threads, a catalogue under 16 clients held 225 MB of heap).

use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// At most `limit` holders at a time.
pub struct Gate {
    running: Mutex<usize>,
    released: Condvar,
    limit: usize,
}

impl Gate {
    /// A gate for `limit` holders (at least one).
    pub fn new(limit: usize) -> Gate {
        Gate { running: Mutex::new(0), released: Condvar::new(), limit: limit.max(1) }
    }

    /// A gate for as many holders as the machine has cores.
    pub fn per_core() -> Gate {
        Gate::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` once fewer than `limit` others are running (a blocking wait: call it on a
    /// blocking thread).
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        let guard = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let mut guard = self.released.wait_while(guard, |n| *n >= self.limit).unwrap_or_else(|p| p.into_inner());
        *guard += 1;
        drop(guard);
        // Released even if `work` panics.
        let _release = Release(self);
        work()
    }
}

struct Release<'a>(&'a Gate);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let mut running = self.0.running.lock().unwrap_or_else(|p| p.into_inner());
        *running = running.saturating_sub(1);
        drop(running);
        self.0.released.notify_one();
    }
}

/// A job for [`Workers`].
type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that run jobs in turn.
pub struct Workers {
    queue: Mutex<mpsc::Sender<Job>>,
}

impl Workers {
    /// Starts `count` threads (at least one) named `name`.
    pub fn new(name: &str, count: usize) -> std::io::Result<Workers> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = std::sync::Arc::new(Mutex::new(receiver));
        for index in 0..count.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new().name(format!("{name}-{index}")).spawn(move || {
                loop {
                    let job = match receiver.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                        Ok(job) => job,
                        Err(_) => return, // the pool was dropped
                    };
                    job();
                }
            })?;
        }
        Ok(Workers { queue: Mutex::new(sender) })
    }

    /// As many threads as the machine has cores.
    pub fn per_core(name: &str) -> std::io::Result<Workers> {
        Workers::new(name, std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` on one of the threads and waits for its result (a blocking wait: call it on
    /// a blocking thread). `None` when the work panicked.
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (answer, result) = mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
            let _ = answer.send(outcome);
        });
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).send(job).ok()?;
        result.recv().ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::{Gate, Workers};

    #[test]
    fn workers_run_jobs_on_their_own_threads_and_survive_a_panic() {
        let workers = Workers::new("test-worker", 2).unwrap();
        let name = workers.run(|| std::thread::current().name().map(str::to_string)).flatten();
        assert!(name.is_some_and(|n| n.starts_with("test-worker-")));
        assert_eq!(workers.run(|| -> u8 { panic!("a job fails") }), None);
        assert_eq!(workers.run(|| 2 + 2), Some(4));
    }
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_limit_run_at_once() {
        let gate = Gate::new(2);
        let (inside, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    gate.run(|| {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    })
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
