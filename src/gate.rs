//! A gate that lets at most a fixed number of callers through at once; the others wait. Bounds
//! the memory of work that holds much of it (deep search pages, DCAT catalogue pages): more of
//! them at once would not finish sooner on this many cores, only use more memory.

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

#[cfg(test)]
mod tests {
    use super::Gate;
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
