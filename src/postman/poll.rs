//! Waiting for work Postman does in the background (a version published, a collection
//! generated from a spec, an API moved to Spec Hub): a bounded number of reads with a
//! wait between two. The wait is injected ([`Sleep`]): the program sleeps for real
//! ([`real_sleep`]), a test counts the waits instead of spending them.

use std::sync::Arc;
use std::time::Duration;

/// How to wait between two reads.
pub type Sleep = Arc<dyn Fn(Duration) + Send + Sync>;

/// The program's [`Sleep`]: the thread sleeps.
pub fn real_sleep() -> Sleep {
    Arc::new(std::thread::sleep)
}

/// How a poll reads: at most `reads` times (at least once); `interval` before the
/// second read, doubled before each next one up to `max_interval` (a fixed interval when
/// they are equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    pub reads: u32,
    pub interval: Duration,
    pub max_interval: Duration,
}

impl Polling {
    /// `reads` reads, `interval` apart.
    pub const fn fixed(interval: Duration, reads: u32) -> Polling {
        Polling {
            reads,
            interval,
            max_interval: interval,
        }
    }

    /// The waits of a poll that reads `reads` times without an end, in order.
    pub fn waits(&self) -> impl Iterator<Item = Duration> + '_ {
        let reads = self.reads.max(1);
        let max = self.max_interval.max(self.interval);
        std::iter::successors(Some(self.interval), move |d| Some((*d * 2).min(max)))
            .take(reads as usize - 1)
    }

    /// How long a poll that never ends waits in all.
    pub fn longest(&self) -> Duration {
        self.waits().sum()
    }
}

/// Reads until `read` says it is done (`Some`), at most `polling.reads` times, calling
/// `sleep` between two reads (never after the last); `None` when it never was.
pub fn until<T, E>(
    polling: &Polling,
    sleep: &mut dyn FnMut(Duration),
    read: &mut dyn FnMut() -> Result<Option<T>, E>,
) -> Result<Option<T>, E> {
    let mut waits = polling.waits();
    loop {
        if let Some(done) = read()? {
            return Ok(Some(done));
        }
        match waits.next() {
            Some(wait) => sleep(wait),
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `until` over answers that are done at read `done_at` (never: 0): what it
    /// returned, the reads and the waits.
    fn run(polling: Polling, done_at: u32) -> (Option<u32>, u32, Vec<Duration>) {
        let mut waits = Vec::new();
        let mut reads = 0;
        let mut read = || -> Result<Option<u32>, ()> {
            reads += 1;
            Ok((reads == done_at).then_some(reads))
        };
        let out = until(&polling, &mut |d| waits.push(d), &mut read).unwrap();
        (out, reads, waits)
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_poll_stops_at_the_first_answer_that_is_done() {
        let polling = Polling::fixed(3 * MS, 4);
        assert_eq!(run(polling, 1), (Some(1), 1, vec![]));
        assert_eq!(run(polling, 2), (Some(2), 2, vec![3 * MS]));
    }

    #[test]
    fn a_poll_is_bounded_and_never_waits_after_its_last_read() {
        let polling = Polling::fixed(3 * MS, 4);
        assert_eq!(run(polling, 0), (None, 4, vec![3 * MS; 3]));
        assert_eq!(polling.longest(), 9 * MS);
        // Zero reads is one: a poll reads at least once.
        assert_eq!(run(Polling::fixed(MS, 0), 0), (None, 1, vec![]));
    }

    #[test]
    fn growing_waits_double_up_to_their_cap() {
        let polling = Polling {
            reads: 6,
            interval: 2 * MS,
            max_interval: 10 * MS,
        };
        let (out, reads, waits) = run(polling, 0);
        assert_eq!((out, reads), (None, 6));
        assert_eq!(waits, [2 * MS, 4 * MS, 8 * MS, 10 * MS, 10 * MS]);
        assert_eq!(polling.longest(), 34 * MS);
    }

    #[test]
    fn an_error_ends_the_poll() {
        let mut reads = 0;
        let mut read = || -> Result<Option<()>, &str> {
            reads += 1;
            Err("gone")
        };
        let out = until(
            &Polling::fixed(MS, 5),
            &mut |_| panic!("no wait"),
            &mut read,
        );
        assert_eq!((out, reads), (Err("gone"), 1));
    }
}
