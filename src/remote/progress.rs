//! Progress on stderr in git's own words (`Receiving objects:  40% (4/10)`, then
//! `Receiving objects: 100% (10/10), done.`), so that GUIs that parse git's progress
//! (VS Code: `/Receiving objects:\s*(\d+)%/`) move their bars. Only when git asked for
//! progress (`option progress true`) and not `-q`.
//!
//! One bar for a whole fetch: it reads Postman in passes (the current state, then each
//! published version not yet cached), and a pass knows how many objects it downloads
//! only once its listings are in, so each pass adds to the total as it starts. The
//! percentage shown never goes back (a GUI's bar must only move forward) and reaches
//! 100% only when the fetch is done.

use std::io::Write;

use crate::postman::workspace::snapshot::Downloads;

pub struct Progress {
    enabled: bool,
    title: &'static str,
    total: usize,
    done: usize,
    shown: Option<usize>,
}

impl Progress {
    pub fn new(enabled: bool, title: &'static str) -> Self {
        Progress {
            enabled,
            title,
            total: 0,
            done: 0,
            shown: None,
        }
    }

    /// A bar that shows nothing.
    pub fn off() -> Self {
        Progress::new(false, "")
    }

    /// `n` more objects to come.
    pub fn expect(&mut self, n: usize) {
        self.total += n;
    }

    /// One object came.
    pub fn tick(&mut self) {
        self.done += 1;
        // 100% is the end of the whole fetch, said by `finish`.
        let percent = (self.done * 100 / self.total.max(self.done)).min(99);
        if self.shown.is_some_and(|shown| percent <= shown) {
            return;
        }
        self.shown = Some(percent);
        if self.enabled {
            eprint!(
                "\r{}: {:3}% ({}/{})",
                self.title, percent, self.done, self.total
            );
            let _ = std::io::stderr().flush();
        }
    }

    pub fn finish(self) {
        if self.enabled && self.total > 0 {
            eprintln!(
                "\r{}: 100% ({}/{}), done.",
                self.title, self.total, self.total
            );
        }
    }
}

impl Downloads for Progress {
    fn expect(&mut self, n: usize) {
        Progress::expect(self, n);
    }

    fn downloaded(&mut self) {
        self.tick();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_percentage_never_goes_back_when_a_pass_adds_to_the_total() {
        let mut bar = Progress::new(false, "Receiving objects");
        let mut seen = Vec::new();
        let mut pass = |bar: &mut Progress, n: usize| {
            bar.expect(n);
            for _ in 0..n {
                bar.tick();
                seen.push(bar.shown);
            }
        };
        pass(&mut bar, 4);
        pass(&mut bar, 4);
        let seen: Vec<usize> = seen.into_iter().flatten().collect();
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(seen.first(), Some(&25));
        assert_eq!(seen.last(), Some(&99), "100% only at the end");
    }
}
