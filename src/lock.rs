//! An exclusive lock between git processes, held until dropped, taken with a bounded wait.
//!
//! git runs a helper per command, and an IDE runs `git fetch` in the background while the
//! user pushes, so two helpers can work on the same thing at the same moment: a token to
//! refresh ([`crate::credential::lock`]), a remote's push journal ([`crate::remote::state`]).
//!
//! The lock is an OS file lock (`flock` on Unix, `LockFileEx` on Windows): the OS drops it
//! when its holder exits, even when killed, so it never goes stale. Lock files are left in
//! place: deleting one could let two holders lock two files of one name.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Errors while taking a lock. None carries a secret: callers name what is locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "no directory for lock files: neither XDG_RUNTIME_DIR nor a cache directory is known \
         (is HOME set?)"
    )]
    NoDir,
    #[error("cannot use the lock file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another git process has been {doing} for {} s and still holds the lock {path}; \
         try again once it is done",
        waited.as_secs()
    )]
    Timeout {
        doing: String,
        path: PathBuf,
        waited: Duration,
    },
}

/// An exclusive lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock file `path` (its directory is created, private to the user),
    /// waiting at most `wait` for another holder; `doing` says in the error what the
    /// holder is doing ("getting a token for https://h").
    pub fn acquire(path: PathBuf, doing: &str, wait: Duration) -> Result<Lock, LockError> {
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(io)?;
        }
        let file = open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        // Held by another process: wait in a thread, so the wait can end. A thread that
        // gets the lock after we gave up finds nobody to hand it to and drops it at once.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let result = file.lock().map(|()| file);
            let _ = tx.send(result);
        });
        match rx.recv_timeout(wait) {
            Ok(Ok(file)) => Ok(Lock { _file: file, path }),
            Ok(Err(e)) => Err(io(e)),
            Err(_) => Err(LockError::Timeout {
                doing: doing.to_string(),
                path,
                waited: wait,
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// A lock directory, readable by its user only (host and remote names are nobody else's
/// business).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_makes_others_wait_then_time_out_with_one_clear_line() {
        let dir = tempfile::tempdir().unwrap();
        let (k, other) = (dir.path().join("k.lock"), dir.path().join("o.lock"));
        let held = Lock::acquire(k.clone(), "working on k", Duration::from_secs(30)).unwrap();
        let err = Lock::acquire(k.clone(), "working on k", Duration::ZERO).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("another git process has been working on k for 0 s")
                && msg.contains(&held.path().display().to_string())
                && !msg.contains('\n'),
            "{msg}"
        );
        // Another file is another lock.
        Lock::acquire(other, "working on o", Duration::ZERO).unwrap();
        // Released: the next one gets it, also from a waiter already blocked.
        let waiter = std::thread::spawn(move || {
            Lock::acquire(k, "working on k", Duration::from_secs(30)).map(|_| ())
        });
        drop(held);
        waiter.join().unwrap().unwrap();
    }
}
