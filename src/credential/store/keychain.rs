//! The macOS login keychain (generic passwords), through `apple-native-keyring-store`.
//! Items are found by their service attribute.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::CredentialStore;

use super::{read_all, Backend, Stored};

pub(super) struct Keychain {
    store: Arc<CredentialStore>,
}

impl Keychain {
    pub(super) fn open() -> keyring_core::Result<Self> {
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(Keychain { store })
    }
}

impl Backend for Keychain {
    fn store(&self) -> &Arc<CredentialStore> {
        &self.store
    }

    fn find(&self, service: &str) -> keyring_core::Result<Vec<Stored>> {
        let spec = HashMap::from([("service", service)]);
        read_all(self.store.search(&spec)?)
    }
}
