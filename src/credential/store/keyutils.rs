//! Linux kernel keyutils (`linux-keyutils-keyring-store`): keys of type `user` named
//! `keyring:<account>@<service>` in the session keyring, also linked into the user's
//! persistent keyring so they outlive the session (for a few days, the kernel's default).
//!
//! The store crate cannot search, so `find` walks the session keyring (and the keyrings
//! linked into it, such as `_persistent.<uid>`) with `keyctl(KEYCTL_READ)` and
//! `keyctl(KEYCTL_DESCRIBE)`, then reads matching keys through the store crate.

use std::collections::BTreeSet;
use std::sync::Arc;

use keyring_core::CredentialStore;

use super::{read_all, Backend, Stored};

/// The store crate's default description format: `keyring:{user}@{service}`.
const PREFIX: &str = "keyring:";

const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
const KEYCTL_DESCRIBE: libc::c_long = 6;
const KEYCTL_READ: libc::c_long = 11;
const KEYCTL_GET_PERSISTENT: libc::c_long = 22;
const KEY_SPEC_SESSION_KEYRING: i32 = -3;
/// How deep to follow keyrings linked into the session keyring (the kernel nests at most 6).
const MAX_DEPTH: usize = 3;

pub(super) struct Keyutils {
    store: Arc<CredentialStore>,
}

impl Keyutils {
    pub(super) fn open() -> Result<Self, String> {
        let no_access = |e: std::io::Error| format!("no access to the kernel keyrings: {e}");
        // A process outside any login session (cron, CI, ssh without pam_keyinit) only has
        // the user-session keyring, which cannot be linked to the persistent keyring: the
        // store crate then fails with "AccessDenied". Such a process gets a session keyring
        // of its own; keys still outlive it through the persistent keyring, which every
        // process of the user reaches.
        let (_, session) = describe(KEY_SPEC_SESSION_KEYRING).map_err(no_access)?;
        if session.starts_with("_uid_ses.") {
            join_new_session().map_err(no_access)?;
        }
        // Link the persistent keyring in before listing, as the store crate does before
        // its own reads; without a persistent keyring (kernel option) keys live in the
        // session only, which is still usable.
        let _ = link_persistent();
        let store: Arc<CredentialStore> =
            linux_keyutils_keyring_store::Store::new().map_err(|e| super::describe(&e))?;
        Ok(Keyutils { store })
    }
}

/// `keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)`: a new anonymous session keyring for this
/// process only.
fn join_new_session() -> std::io::Result<()> {
    // SAFETY: a NULL name asks for an anonymous keyring; no memory is passed.
    let id = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if id < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Backend for Keyutils {
    fn store(&self) -> &Arc<CredentialStore> {
        &self.store
    }

    /// The kernel's limit for a `user` key's payload; the store crate only says "invalid".
    fn max_secret_len(&self) -> Option<usize> {
        Some(32767)
    }

    fn services(&self, prefix: &str) -> keyring_core::Result<Vec<String>> {
        let marker = format!("@{prefix}");
        let mut services = Vec::new();
        walk(
            KEY_SPEC_SESSION_KEYRING,
            0,
            &mut BTreeSet::new(),
            &mut |kind, description| {
                // `keyring:<account>@<service>`: an account may hold `@`, our services do not.
                let service = description
                    .strip_prefix(PREFIX)
                    .and_then(|rest| rest.rfind(&marker).map(|at| &rest[at + 1..]));
                if let (true, Some(service)) = (kind == "user", service) {
                    services.push(service.to_string());
                }
            },
        )
        .map_err(|e| keyring_core::Error::NoStorageAccess(Box::new(e)))?;
        Ok(services)
    }

    fn find(&self, service: &str) -> keyring_core::Result<Vec<Stored>> {
        let suffix = format!("@{service}");
        let mut accounts = BTreeSet::new();
        let mut seen = BTreeSet::new();
        walk(
            KEY_SPEC_SESSION_KEYRING,
            0,
            &mut seen,
            &mut |kind, description| {
                let account = description
                    .strip_prefix(PREFIX)
                    .and_then(|rest| rest.strip_suffix(&suffix));
                if let (true, Some(account)) = (kind == "user", account) {
                    accounts.insert(account.to_string());
                }
            },
        )
        .map_err(|e| keyring_core::Error::NoStorageAccess(Box::new(e)))?;
        let entries = accounts
            .iter()
            .map(|account| self.store.build(service, account, None))
            .collect::<keyring_core::Result<Vec<_>>>()?;
        read_all(entries)
    }
}

/// Calls `visit(type, description)` for every key reachable from `ring`; keys that vanish or
/// that this process may not describe are skipped.
fn walk(
    ring: i32,
    depth: usize,
    seen: &mut BTreeSet<i32>,
    visit: &mut dyn FnMut(&str, &str),
) -> std::io::Result<()> {
    for id in read_links(ring)? {
        if !seen.insert(id) {
            continue;
        }
        let Ok((kind, description)) = describe(id) else {
            continue;
        };
        if kind == "keyring" {
            if depth < MAX_DEPTH {
                // A nested keyring we may not read is not an error for the whole walk.
                let _ = walk(id, depth + 1, seen, visit);
            }
        } else {
            visit(&kind, &description);
        }
    }
    Ok(())
}

/// `keyctl(KEYCTL_GET_PERSISTENT, -1, session)`: links this user's persistent keyring into
/// the session keyring (and restarts its expiry timer).
fn link_persistent() -> std::io::Result<()> {
    // SAFETY: plain integer arguments.
    let id = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_GET_PERSISTENT,
            -1 as libc::c_long,
            KEY_SPEC_SESSION_KEYRING as libc::c_long,
        )
    };
    if id < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// `keyctl(KEYCTL_READ)` on a keyring: the ids linked into it.
fn read_links(ring: i32) -> std::io::Result<Vec<i32>> {
    // Room for a typical session keyring, so one call usually does.
    let mut ids: Vec<i32> = Vec::with_capacity(64);
    loop {
        let capacity = ids.capacity();
        // SAFETY: the kernel writes at most `capacity * 4` bytes into the buffer and returns
        // the full size, which may be larger; only what fits is taken.
        let len = unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                KEYCTL_READ,
                ring as libc::c_long,
                ids.as_mut_ptr(),
                (capacity * 4) as libc::size_t,
            )
        };
        if len < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let count = len as usize / 4;
        if count <= capacity {
            // SAFETY: the kernel initialised `count` ids.
            unsafe { ids.set_len(count) };
            return Ok(ids);
        }
        // Grown since the size was known: ask again with room for the full list.
        ids.reserve_exact(count + 16);
    }
}

/// `keyctl(KEYCTL_DESCRIBE)`: `type;uid;gid;perm;description`, where the description may
/// itself contain `;`.
fn describe(id: i32) -> std::io::Result<(String, String)> {
    let mut buf = vec![0u8; 512];
    loop {
        // SAFETY: the kernel writes at most `buf.len()` bytes and returns the full size.
        let len = unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                KEYCTL_DESCRIBE,
                id as libc::c_long,
                buf.as_mut_ptr(),
                buf.len() as libc::size_t,
            )
        };
        if len < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let len = len as usize;
        if len > buf.len() {
            buf.resize(len, 0);
            continue;
        }
        // The result ends with a NUL.
        let text = String::from_utf8_lossy(&buf[..len.saturating_sub(1)]).into_owned();
        let mut parts = text.splitn(5, ';');
        let kind = parts.next().unwrap_or_default().to_string();
        let description = parts.nth(3).unwrap_or_default().to_string();
        return Ok((kind, description));
    }
}
