//! The OS keyrings behind the helper, through `keyring-core` and one store crate per OS.
//!
//! A keyring finds an entry only by its exact name, but git asks `get` without a username
//! and `erase` by host. Every store here can list the entries of one *service* (one
//! protocol + host, see [`super::record`]): Secret Service, Keychain and Windows by their
//! own search, keyutils by walking the session keyring. So there is no index to keep in
//! step and no lock: concurrent `store`s of different users write different entries.
//!
//! No fallback to a mock or a file, ever: if no store works the error names each store
//! tried and why.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

#[cfg(target_os = "macos")]
mod keychain;
#[cfg(target_os = "linux")]
mod keyutils;
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod secret_service;
#[cfg(windows)]
mod windows;

/// The stores, by the names users give them (`credential.postmanStore`, `--store=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreKind {
    SecretService,
    Keyutils,
    Keychain,
    Windows,
}

impl StoreKind {
    pub const ALL: [StoreKind; 4] = [
        StoreKind::SecretService,
        StoreKind::Keyutils,
        StoreKind::Keychain,
        StoreKind::Windows,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Keyutils => "keyutils",
            StoreKind::Keychain => "keychain",
            StoreKind::Windows => "windows",
        }
    }

    /// The stores tried, in order, when none is configured.
    pub fn platform_defaults() -> &'static [StoreKind] {
        if cfg!(target_os = "macos") {
            &[StoreKind::Keychain]
        } else if cfg!(windows) {
            &[StoreKind::Windows]
        } else if cfg!(target_os = "linux") {
            // A desktop session has a Secret Service; a headless box has the kernel's keyutils.
            &[StoreKind::SecretService, StoreKind::Keyutils]
        } else {
            &[StoreKind::SecretService]
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StoreKind {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StoreKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| StoreError::UnknownName(s.to_string()))
    }
}

/// Errors from the stores. Messages name the store and never carry a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown credential store '{0}' (known: secret-service, keyutils, keychain, windows)")]
    UnknownName(String),
    #[error("the {0} credential store does not exist on this platform")]
    NotOnThisPlatform(StoreKind),
    #[error("the {store} credential store is not available: {reason}")]
    Unavailable { store: StoreKind, reason: String },
    #[error(
        "no credential store works here; tried {}. Choose one with `git config --global credential.postmanStore <name>`",
        list_tried(.0)
    )]
    NoneAvailable(Vec<(StoreKind, String)>),
    #[error("the {0} credential store cannot list its entries")]
    CannotList(StoreKind),
    #[error("the {store} credential store failed to {action}: {reason}")]
    Failed {
        store: StoreKind,
        action: &'static str,
        reason: String,
    },
}

fn list_tried(tried: &[(StoreKind, String)]) -> String {
    tried
        .iter()
        .map(|(k, why)| format!("{k} ({why})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A description of a keyring error that cannot leak a secret (`keyring_core::Error`'s
/// own `Display` prints the bytes of badly encoded data and the entries of an ambiguity).
pub(crate) fn describe(err: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match err {
        E::PlatformFailure(e) => e.to_string(),
        E::NoStorageAccess(e) => format!("no access to the storage: {e}"),
        E::NoEntry => "no such entry".into(),
        E::BadEncoding(_) | E::BadDataFormat(..) => "stored data is malformed".into(),
        E::BadStoreFormat(why) => format!("store data is malformed: {why}"),
        E::TooLong(what, max) => format!("{what} is longer than the store's limit of {max}"),
        E::Invalid(what, why) => format!("{what} is invalid: {why}"),
        E::Ambiguous(items) => format!("{} entries have the same name", items.len()),
        E::NoDefaultStore => "no store configured".into(),
        E::NotSupportedByStore(why) => format!("not supported: {why}"),
        other => format!("{other:?}").chars().take(200).collect(),
    }
}

/// One entry found in a store, with its secret.
pub struct Stored {
    entry: Entry,
    pub secret: Vec<u8>,
}

/// What each platform module provides.
trait Backend {
    fn store(&self) -> &Arc<CredentialStore>;

    /// Every entry under `service`.
    fn find(&self, service: &str) -> keyring_core::Result<Vec<Stored>>;

    /// Build-time modifiers for a new entry (a Secret Service label, say).
    fn modifiers<'a>(&self, _label: &'a str) -> HashMap<&'static str, &'a str> {
        HashMap::new()
    }

    /// The service of every entry whose service starts with `prefix` (`git postman
    /// accounts`). Not every store can list what it holds.
    fn services(&self, _prefix: &str) -> keyring_core::Result<Vec<String>> {
        Err(keyring_core::Error::NotSupportedByStore(
            "listing every entry".into(),
        ))
    }

    /// The largest secret the store keeps, if it has a limit it only reports vaguely.
    fn max_secret_len(&self) -> Option<usize> {
        None
    }
}

/// Reads the secret of each entry a store's search returned; entries deleted meanwhile
/// (by a concurrent `erase`) are skipped.
fn read_all(entries: Vec<Entry>) -> keyring_core::Result<Vec<Stored>> {
    let mut found = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry.get_secret() {
            Ok(secret) => found.push(Stored { entry, secret }),
            Err(keyring_core::Error::NoEntry) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// An opened store.
pub struct Store {
    kind: StoreKind,
    backend: Box<dyn Backend>,
}

impl Store {
    /// Opens the store `kind`, with no fallback.
    pub fn open(kind: StoreKind) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> =
            match kind {
                #[cfg(target_os = "linux")]
                StoreKind::Keyutils => Box::new(keyutils::Keyutils::open().map_err(|reason| {
                    StoreError::Unavailable {
                        store: kind,
                        reason,
                    }
                })?),
                #[cfg(all(
                    unix,
                    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
                ))]
                StoreKind::SecretService => {
                    Box::new(secret_service::SecretService::open().map_err(|reason| {
                        StoreError::Unavailable {
                            store: kind,
                            reason,
                        }
                    })?)
                }
                #[cfg(target_os = "macos")]
                StoreKind::Keychain => {
                    Box::new(keychain::Keychain::open().map_err(|e| unavailable(kind, &e))?)
                }
                #[cfg(windows)]
                StoreKind::Windows => {
                    Box::new(windows::Windows::open().map_err(|e| unavailable(kind, &e))?)
                }
                #[allow(unreachable_patterns)]
                _ => return Err(StoreError::NotOnThisPlatform(kind)),
            };
        Ok(Store { kind, backend })
    }

    /// Opens the configured store, or else the first platform default that works.
    pub fn open_configured(choice: Option<StoreKind>) -> Result<Store, StoreError> {
        if let Some(kind) = choice {
            return Store::open(kind);
        }
        let mut tried = Vec::new();
        for &kind in StoreKind::platform_defaults() {
            match Store::open(kind) {
                Ok(store) => return Ok(store),
                Err(StoreError::Unavailable { reason, .. }) => tried.push((kind, reason)),
                Err(other) => tried.push((kind, other.to_string())),
            }
        }
        Err(StoreError::NoneAvailable(tried))
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// Every entry stored under `service`.
    pub fn find(&self, service: &str) -> Result<Vec<Stored>, StoreError> {
        self.backend
            .find(service)
            .map_err(|e| self.failed("search", &e))
    }

    /// Every service name starting with `prefix` that has entries here, sorted, once each.
    pub fn services(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut services = self.backend.services(prefix).map_err(|e| match e {
            keyring_core::Error::NotSupportedByStore(_) => StoreError::CannotList(self.kind),
            e => self.failed("list", &e),
        })?;
        services.sort();
        services.dedup();
        Ok(services)
    }

    /// Creates or replaces the entry `service`/`account`.
    pub fn put(
        &self,
        service: &str,
        account: &str,
        label: &str,
        secret: &[u8],
    ) -> Result<(), StoreError> {
        if let Some(max) = self
            .backend
            .max_secret_len()
            .filter(|&max| secret.len() > max)
        {
            return Err(StoreError::Failed {
                store: self.kind,
                action: "store",
                reason: format!(
                    "the record is {} bytes, more than the {max} bytes an entry holds",
                    secret.len()
                ),
            });
        }
        let modifiers = self.backend.modifiers(label);
        let modifiers = (!modifiers.is_empty()).then_some(&modifiers);
        let build = || self.backend.store().build(service, account, modifiers);
        let entry = build().map_err(|e| self.failed("store", &e))?;
        match entry.set_secret(secret) {
            // Two racing writers of one name can leave duplicates (Secret Service): drop
            // them all and write one.
            Err(keyring_core::Error::Ambiguous(duplicates)) => {
                for dup in duplicates {
                    let _ = dup.delete_credential();
                }
                build()
                    .and_then(|e| e.set_secret(secret))
                    .map_err(|e| self.failed("store", &e))
            }
            other => other.map_err(|e| self.failed("store", &e)),
        }
    }

    /// Deletes an entry [`Store::find`] returned; one already gone is no error.
    pub fn delete(&self, stored: &Stored) -> Result<(), StoreError> {
        match stored.entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.failed("erase", &e)),
        }
    }

    fn failed(&self, action: &'static str, err: &keyring_core::Error) -> StoreError {
        StoreError::Failed {
            store: self.kind,
            action,
            reason: describe(err),
        }
    }
}

#[allow(dead_code)] // not every platform has a store that opens fallibly through keyring-core
fn unavailable(store: StoreKind, err: &keyring_core::Error) -> StoreError {
    StoreError::Unavailable {
        store,
        reason: describe(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in StoreKind::ALL {
            assert_eq!(kind.name().parse::<StoreKind>().unwrap(), kind);
        }
        assert_eq!(
            " KeyUtils ".parse::<StoreKind>().unwrap(),
            StoreKind::Keyutils
        );
        let err = "plaintext".parse::<StoreKind>().unwrap_err();
        assert!(err
            .to_string()
            .contains("unknown credential store 'plaintext'"));
    }

    #[test]
    fn none_available_names_every_store_tried() {
        let err = StoreError::NoneAvailable(vec![
            (StoreKind::SecretService, "no D-Bus session".into()),
            (StoreKind::Keyutils, "permission denied".into()),
        ]);
        let msg = err.to_string();
        assert!(msg.contains("secret-service (no D-Bus session)"), "{msg}");
        assert!(msg.contains("keyutils (permission denied)"), "{msg}");
    }

    #[test]
    fn described_errors_do_not_carry_secret_bytes() {
        let e = keyring_core::Error::BadEncoding(b"hunter2".to_vec());
        assert!(!describe(&e).contains("hunter2"));
    }

    #[test]
    fn store_on_another_platform_is_refused() {
        #[cfg(not(windows))]
        assert!(matches!(
            Store::open(StoreKind::Windows),
            Err(StoreError::NotOnThisPlatform(StoreKind::Windows))
        ));
    }
}
