//! One git process at a time makes a credential for a host.
//!
//! git runs a helper per command, and an IDE runs `git fetch` in the background while the
//! user pushes: two `get`s can find the same expired token at the same moment. Refresh
//! tokens are single-use (GitLab, GitHub Apps, oidc-provider), and a server that sees one
//! used twice may revoke the whole grant, the winner's fresh token included; the loser
//! would then erase what the winner stored, or open a second browser. So the OAuth half of
//! `get` runs under an exclusive lock per protocol and host, taken with a bounded wait, and
//! reads the keyring again once it holds it (see [`super::generate`]).
//!
//! The lock is an OS file lock (`flock` on Unix, `LockFileEx` on Windows) on a file in the
//! user's runtime directory (`$XDG_RUNTIME_DIR/git-postman`), else in the user's cache
//! directory ([`dir`]): the OS drops it when its holder exits, even when killed, so it never goes
//! stale. Lock files are left in place: deleting one could let two holders lock two files
//! of one name.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// How long a `get` waits for another process's refresh or login before it gives up: far
/// more than a refresh takes, and short enough for a GUI that waits on git.
pub const WAIT: Duration = Duration::from_secs(30);

/// Characters kept as they are in a lock file's name; the rest are %-escaped, so that
/// names are valid on every platform (no `:` or `/`) and distinct keys stay distinct.
const NAME_KEEPS: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

/// Longest key part of a lock file name (file names have a limit of 255 bytes). Two keys
/// that only differ beyond it share a lock, which costs a wait, never a wrong answer.
const MAX_NAME: usize = 200;

/// Errors while taking a lock. None carries a secret: keys are protocol and host.
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
        "another git process has been getting a token for {what} for {} s and still holds \
         the lock {path}; try again once it is done",
        waited.as_secs()
    )]
    Timeout {
        what: String,
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
    /// Takes the lock named `key` in `dir`, waiting at most `wait` for another holder;
    /// `what` names what is locked in the error.
    pub fn acquire(dir: &Path, key: &str, what: &str, wait: Duration) -> Result<Lock, LockError> {
        let path = dir.join(file_name(key));
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        create_private_dir(dir).map_err(io)?;
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
                what: what.to_string(),
                path,
                waited: wait,
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Where this user's lock files live: the runtime directory (per user, in memory, private:
/// `$XDG_RUNTIME_DIR`) when it is this user's own, else the cache directory (macOS,
/// Windows, Linux without a login session, or an `XDG_RUNTIME_DIR` inherited from another
/// user through `su` or `sudo`).
pub fn dir() -> Result<PathBuf, LockError> {
    let base = directories::BaseDirs::new().ok_or(LockError::NoDir)?;
    let root = base
        .runtime_dir()
        .filter(|d| owned_by_me(d))
        .unwrap_or(base.cache_dir());
    Ok(root.join("git-postman"))
}

#[cfg(unix)]
fn owned_by_me(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == me)
}

#[cfg(not(unix))]
fn owned_by_me(_: &Path) -> bool {
    true
}

/// `refresh-<key, %-escaped>.lock`.
fn file_name(key: &str) -> String {
    let mut name: String = utf8_percent_encode(key, NAME_KEEPS).collect();
    // All ASCII now, so any byte index is a char boundary.
    name.truncate(MAX_NAME);
    format!("refresh-{name}.lock")
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The lock directory, readable by its user only (host names are nobody else's business).
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
    fn names_are_portable_distinct_and_bounded() {
        assert_eq!(
            file_name("git-postman:https://h.example.com:8443"),
            "refresh-git-postman%3Ahttps%3A%2F%2Fh.example.com%3A8443.lock"
        );
        assert_ne!(file_name("a:b"), file_name("a_b"));
        assert!(file_name(&"x".repeat(1000)).len() <= 255);
        assert!(file_name(&"é".repeat(1000)).len() <= 255);
    }

    #[test]
    fn a_held_lock_makes_others_wait_then_time_out_with_one_clear_line() {
        let dir = tempfile::tempdir().unwrap();
        let held = Lock::acquire(dir.path(), "k", "https://h", WAIT).unwrap();
        let err = Lock::acquire(dir.path(), "k", "https://h", Duration::ZERO).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("another git process has been getting a token for https://h for 0 s")
                && msg.contains(&held.path().display().to_string())
                && !msg.contains('\n'),
            "{msg}"
        );
        // Another key is another lock.
        Lock::acquire(dir.path(), "other", "https://o", Duration::ZERO).unwrap();
        // Released: the next one gets it, also from a waiter already blocked.
        let waiter = {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || Lock::acquire(&dir, "k", "https://h", WAIT).map(|_| ()))
        };
        drop(held);
        waiter.join().unwrap().unwrap();
    }
}
