//! The freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) over D-Bus, through
//! `zbus-secret-service-keyring-store` (pure Rust: no libdbus, no OpenSSL). Items carry the
//! attributes `service` and `username` (our account), so `find` is one attribute search.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::CredentialStore;

use super::{describe, read_all, Backend, Stored};

pub(super) struct SecretService {
    store: Arc<CredentialStore>,
}

impl SecretService {
    /// Connects to the session bus and opens a session with the Secret Service.
    pub(super) fn open() -> Result<Self, String> {
        // Say plainly what is missing instead of zbus's socket error.
        let has_address =
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty());
        let has_runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists());
        if !has_address && !has_runtime_bus {
            return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into());
        }
        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(|e| describe(&e))?;
        Ok(SecretService { store })
    }
}

impl Backend for SecretService {
    fn store(&self) -> &Arc<CredentialStore> {
        &self.store
    }

    fn find(&self, service: &str) -> keyring_core::Result<Vec<Stored>> {
        let spec = HashMap::from([("service", service)]);
        read_all(self.store.search(&spec)?)
    }

    /// The Secret Service searches by exact attribute values only: every item is looked at
    /// (its attributes, not its secret).
    fn services(&self, prefix: &str) -> keyring_core::Result<Vec<String>> {
        let mut services = Vec::new();
        for entry in self.store.search(&HashMap::new())? {
            match entry.get_attributes() {
                Ok(attributes) => services.extend(
                    attributes
                        .get("service")
                        .filter(|s| s.starts_with(prefix))
                        .cloned(),
                ),
                // Deleted meanwhile.
                Err(keyring_core::Error::NoEntry) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(services)
    }

    fn modifiers<'a>(&self, label: &'a str) -> HashMap<&'static str, &'a str> {
        HashMap::from([("label", label)])
    }
}
