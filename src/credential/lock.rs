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
//! The lock ([`crate::lock`]) is a file in the user's runtime directory
//! (`$XDG_RUNTIME_DIR/git-postman`), else in the user's cache directory ([`dir`]).

use std::path::{Path, PathBuf};
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

pub use crate::lock::{Lock, LockError};

/// Takes the lock for making a credential for `key` (protocol and host), in [`dir`];
/// `what` names the URL in the error.
pub fn acquire(key: &str, what: &str, wait: Duration) -> Result<Lock, LockError> {
    Lock::acquire(
        dir()?.join(file_name(key)),
        &format!("getting a token for {what}"),
        wait,
    )
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
}
