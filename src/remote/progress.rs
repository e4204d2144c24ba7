//! Progress on stderr in git's own words (`Receiving objects:  40% (4/10)`), so that
//! GUIs that parse git's progress (VS Code) move their bars. Only when git asked for
//! progress (`option progress true`) and not `-q`.

use std::io::Write;

pub struct Progress {
    enabled: bool,
    title: &'static str,
    total: usize,
    done: usize,
    last_percent: Option<usize>,
}

impl Progress {
    pub fn new(enabled: bool, title: &'static str, total: usize) -> Self {
        Progress {
            enabled: enabled && total > 0,
            title,
            total,
            done: 0,
            last_percent: None,
        }
    }

    pub fn tick(&mut self) {
        self.done += 1;
        let percent = self.done * 100 / self.total.max(1);
        if self.enabled && self.last_percent != Some(percent) {
            self.last_percent = Some(percent);
            eprint!(
                "\r{}: {:3}% ({}/{})",
                self.title, percent, self.done, self.total
            );
            let _ = std::io::stderr().flush();
        }
    }

    pub fn finish(self) {
        if self.enabled {
            eprintln!(
                "\r{}: 100% ({}/{}), done.",
                self.title, self.total, self.total
            );
        }
    }
}
