//! Windows Credential Manager (generic credentials), through
//! `windows-native-keyring-store`. Target names are `<account>.<service>`; the store's
//! search takes a regular expression over them.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::CredentialStore;

use super::{read_all, Backend, Stored};

pub(super) struct Windows {
    store: Arc<CredentialStore>,
}

impl Windows {
    pub(super) fn open() -> keyring_core::Result<Self> {
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(Windows { store })
    }
}

impl Backend for Windows {
    fn store(&self) -> &Arc<CredentialStore> {
        &self.store
    }

    fn find(&self, service: &str) -> keyring_core::Result<Vec<Stored>> {
        let pattern = format!(r"\.{}$", regex_escape(service));
        let spec = HashMap::from([("pattern", pattern.as_str())]);
        read_all(self.store.search(&spec)?)
    }
}

/// Escapes regex metacharacters (the `regex` crate's syntax).
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
