//! How far the change log has been applied, without ever skipping a change that commits late.
//!
//! Change numbers come from a sequence, and concurrent transactions commit out of number order:
//! a reader can see change 11 while change 10 is still uncommitted. So the feed remembers the
//! numbers it has not seen below the highest one it read (the gaps), asks for them again on
//! every read, and declares a gap final only when every transaction that could still fill it
//! has ended. A change takes its number after its transaction has an id (see the migration
//! `gap_free_change_numbers`), so the holder of a gap below a visible change was running, with
//! an id, when that change became visible: it is in the reading snapshot's list of running
//! transactions. Once the snapshot's oldest running transaction is newer than all of them,
//! any gap still missing was rolled back. On SQLite (one writer at a time) a gap below a
//! visible change is always final.

use std::collections::BTreeSet;

use crate::store::changes::Snapshot;

/// The feed's position in the change log.
#[derive(Debug, Default, Clone)]
pub struct Frontier {
    /// The highest change number read.
    read_to: i64,
    /// Numbers below `read_to` not seen yet, which may still commit.
    missing: BTreeSet<i64>,
    /// Earlier reads that left gaps: once their newest running transaction has ended, every
    /// gap up to their `read_to` is final. Kept in increasing order of both.
    waiting: Vec<Waiting>,
}

#[derive(Debug, Clone)]
struct Waiting {
    read_to: i64,
    newest_running: u64,
}

impl Frontier {
    /// Starts after `settled` (every change up to it applied or never to exist).
    pub fn starting_after(settled: i64) -> Frontier {
        Frontier { read_to: settled, ..Frontier::default() }
    }

    /// Returns the number up to which every change is applied or will never exist.
    pub fn settled(&self) -> i64 {
        self.missing.first().map_or(self.read_to, |gap| gap - 1)
    }

    /// Returns the highest change number read.
    pub fn read_to(&self) -> i64 {
        self.read_to
    }

    /// Returns the gaps to ask for again.
    pub fn missing(&self) -> Vec<i64> {
        self.missing.iter().copied().collect()
    }

    /// Records one read, from one snapshot: the gaps found filled and the new changes after
    /// `read_to` (in order), all of which the caller applies.
    pub fn record(&mut self, filled: &[i64], new: &[i64], snapshot: Snapshot) {
        for number in filled {
            self.missing.remove(number);
        }
        for &number in new {
            if number > self.read_to {
                self.missing.extend(self.read_to + 1..number);
                self.read_to = number;
            }
        }
        let Some(newest_running) = snapshot.newest_running else {
            // Nothing was running: whatever is still missing was rolled back.
            self.missing.clear();
            self.waiting.clear();
            return;
        };
        let ended = self.waiting.partition_point(|w| w.newest_running < snapshot.xmin);
        if let Some(last_ended) = ended.checked_sub(1).and_then(|i| self.waiting.get(i)) {
            let final_through = last_ended.read_to;
            self.missing = self.missing.split_off(&(final_through + 1));
            self.waiting.drain(..ended);
        }
        if self.missing.is_empty() {
            self.waiting.clear();
            return;
        }
        // An earlier read waiting on a newer (or the same) transaction is settled no sooner
        // than this one, which covers more.
        self.waiting.retain(|w| w.newest_running < newest_running);
        self.waiting.push(Waiting { read_to: self.read_to, newest_running });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(xmin: u64, newest: u64) -> Snapshot {
        Snapshot { xmin, newest_running: Some(newest) }
    }

    const NOTHING_RUNNING: Snapshot = Snapshot { xmin: 1000, newest_running: None };

    #[test]
    fn contiguous_changes_settle_at_once() {
        let mut frontier = Frontier::starting_after(4);
        frontier.record(&[], &[5, 6, 7], running(50, 60));
        assert_eq!(frontier.settled(), 7);
    }

    #[test]
    fn a_gap_holds_the_frontier_while_a_writer_that_may_fill_it_runs() {
        let mut frontier = Frontier::starting_after(0);
        frontier.record(&[], &[1, 3], running(50, 52));
        assert_eq!((frontier.settled(), frontier.read_to(), frontier.missing()), (1, 3, vec![2]));
        // Still running: the gap stays open, however many reads pass.
        frontier.record(&[], &[4], running(50, 53));
        assert_eq!(frontier.settled(), 1);
        // It committed: the read finds it.
        frontier.record(&[2], &[], running(53, 53));
        assert_eq!(frontier.settled(), 4);
    }

    #[test]
    fn a_gap_is_final_once_every_writer_running_when_it_was_seen_has_ended() {
        let mut frontier = Frontier::starting_after(0);
        frontier.record(&[], &[1, 3], running(50, 52));
        // A newer writer keeps running, but the ones that could hold number 2 have ended.
        frontier.record(&[], &[4, 6], running(53, 55));
        assert_eq!(frontier.missing(), vec![5], "2 was rolled back; 5 may still come");
        assert_eq!(frontier.settled(), 4);
        frontier.record(&[], &[], running(56, 57));
        assert_eq!(frontier.settled(), 6);
    }

    #[test]
    fn with_nothing_running_every_gap_is_final() {
        let mut frontier = Frontier::starting_after(0);
        frontier.record(&[], &[2, 5], NOTHING_RUNNING);
        assert_eq!(frontier.settled(), 5);
    }

    #[test]
    fn a_long_writer_holds_the_frontier_but_not_later_reads() {
        let mut frontier = Frontier::starting_after(0);
        frontier.record(&[], &[2], running(40, 41));
        for (number, newest) in [(3, 42), (4, 43), (5, 44)] {
            frontier.record(&[], &[number], running(40, newest));
            assert_eq!((frontier.settled(), frontier.read_to()), (0, number));
        }
        assert!(frontier.waiting.len() <= 4);
        frontier.record(&[1], &[], running(45, 45));
        assert_eq!(frontier.settled(), 5);
    }
}
