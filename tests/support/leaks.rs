//! Where a secret could leak besides stdout and stderr: the command lines and
//! environments of processes, and files. Shared by the credential helper's and the
//! remote helper's no-leak tests.
#![allow(dead_code)] // included by path too, where not every part is used

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Every distinct command line and environment of the processes this test started
/// (its descendants), sampled from `/proc` until finished. Only descendants: other
/// tests and programs on the machine may hold the same fixed test values (the fake's
/// API key), and they are not what is checked.
pub struct ProcessSampler {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Sampled>>,
}

#[derive(Default)]
pub struct Sampled {
    /// Each argv, NULs as spaces.
    pub argv: BTreeSet<String>,
    /// Each environment, NULs as newlines.
    pub environ: BTreeSet<String>,
}

impl ProcessSampler {
    pub fn start() -> ProcessSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let root = std::process::id();
        let thread = std::thread::spawn(move || {
            let mut seen = Sampled::default();
            while !stopped.load(Ordering::Relaxed) {
                for pid in descendants(root) {
                    let dir = PathBuf::from(format!("/proc/{pid}"));
                    if let Ok(argv) = std::fs::read(dir.join("cmdline")) {
                        seen.argv
                            .insert(String::from_utf8_lossy(&argv).replace('\0', " "));
                    }
                    if let Ok(env) = std::fs::read(dir.join("environ")) {
                        seen.environ
                            .insert(String::from_utf8_lossy(&env).replace('\0', "\n"));
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            seen
        });
        ProcessSampler {
            stop,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for ProcessSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The processes below `root` now (from each process's parent in `/proc/<pid>/stat`).
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Some(parent) = parent_of(pid) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            out.push(child);
            todo.push(child);
        }
    }
    out
}

/// The parent pid: the 4th field of `/proc/<pid>/stat`, after the command name in
/// parentheses (which may itself hold spaces and parentheses).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Every file below `dir`, with its path, as text.
pub fn files_below(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            out.extend(files_below(&path));
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            out.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

/// Panics naming the place if any secret is in any place's text; returns how many
/// places were checked.
#[track_caller]
pub fn assert_no_secret_in(places: &[(String, String)], secrets: &[&str]) -> usize {
    for (place, text) in places {
        for secret in secrets {
            assert!(!text.contains(secret), "a secret in {place}");
        }
    }
    places.len()
}
