//! `git postman accounts`: every login the credential helper keeps, in every keyring it
//! can open here (a user who switched `credential.postmanStore` still has the old one's
//! entries), and `git postman accounts remove <host>`, which forgets one host in all of
//! them: the credentials git stored (OAuth tokens with their refresh tokens, passwords,
//! the Postman API key) and the personal access tokens kept for its collections. An OAuth
//! app's client secret is the app's, not a login: `git postman app remove` forgets it.
//!
//! A store that cannot list its entries (Keychain, Windows here) is asked for the names
//! this machine knows: the hosts of the apps file and Postman's API servers.
//!
//! Nothing secret is ever shown: a login is its host, provider, user, expiry and whether a
//! refresh token is held.

use std::io::Write;

use super::apps::{AppUrl, Apps, AppsError, Locations};
use super::config::{ConfigError, GitConfig};
use super::protocol::Credential;
use super::record::{self, Record};
use super::secrets::{self, Kind};
use super::store::{Store, StoreError, StoreKind};
use super::{cli, provider};
use crate::postman::apikey::USERNAME as API_KEY_USERNAME;
use crate::postman::time::format_utc;
use crate::postman::DEFAULT_BASE_URL;

/// Postman's API servers, asked by name in a store that cannot list.
const POSTMAN_SERVERS: [&str; 2] = [DEFAULT_BASE_URL, "https://api.eu.postman.com"];

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Apps(#[from] AppsError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("'{0}' is not a host, host:port or URL (for example ghes.example.com or https://ghes.example.com)")]
    BadHost(String),
    #[error("no login is stored for {0}; `git postman accounts` lists them")]
    NothingFor(String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// One stored login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// `protocol://host[:port][/path]`.
    pub url: String,
    /// The provider of the app that covers the URL, `postman` for the API key, else `-`.
    pub provider: String,
    pub user: String,
    /// `password_expiry_utc`, seconds since the epoch.
    pub expires: Option<u64>,
    pub refresh_token: bool,
    pub store: StoreKind,
}

/// The configured store first (`credential.postmanStore`), then the platform's; those that
/// do not open here are left out. An error only when none opens.
pub fn open_stores() -> Result<Vec<Store>, AccountsError> {
    let configured = GitConfig::load()?
        .settings_for(&Credential::default())?
        .store;
    let mut kinds: Vec<StoreKind> = configured.into_iter().collect();
    for &kind in StoreKind::platform_defaults() {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut stores = Vec::new();
    let mut tried = Vec::new();
    for kind in kinds {
        match Store::open(kind) {
            Ok(store) => stores.push(store),
            Err(e) => tried.push((kind, e.to_string())),
        }
    }
    if stores.is_empty() {
        return Err(StoreError::NoneAvailable(tried).into());
    }
    Ok(stores)
}

/// Every login in `stores`, sorted by URL and user.
pub fn list(stores: &[Store], apps: &Apps) -> Result<Vec<Account>, AccountsError> {
    let mut accounts = Vec::new();
    for store in stores {
        for service in record_services(store, apps)? {
            for r in record::load(store, &service)? {
                accounts.push(from_record(&r, store.kind(), apps));
            }
        }
        for url in pat_urls(store, apps)? {
            if let Some(pat) = secrets::get_pat(store, &url)? {
                accounts.push(Account {
                    url: url.to_string(),
                    provider: "azure-devops-server".into(),
                    user: pat.username,
                    expires: None,
                    refresh_token: false,
                    store: store.kind(),
                });
            }
        }
    }
    accounts.sort_by(|a, b| (&a.url, &a.user).cmp(&(&b.url, &b.user)));
    Ok(accounts)
}

/// The services of git's records in `store`: listed, or the known ones.
fn record_services(store: &Store, apps: &Apps) -> Result<Vec<String>, AccountsError> {
    match record::services(store) {
        Err(StoreError::CannotList(_)) => Ok(known_services(apps)),
        other => Ok(other?),
    }
}

/// The URLs with a personal access token in `store`: listed, or the apps file's.
fn pat_urls(store: &Store, apps: &Apps) -> Result<Vec<AppUrl>, AccountsError> {
    match secrets::pat_urls(store) {
        Err(StoreError::CannotList(_)) => Ok(apps
            .apps
            .iter()
            .filter(|l| !l.app.provider.is_oauth())
            .map(|l| l.app.url.clone())
            .collect()),
        other => Ok(other?),
    }
}

/// The record services this machine knows of: each app's host and Postman's servers.
fn known_services(apps: &Apps) -> Vec<String> {
    let urls = apps.apps.iter().map(|l| l.app.url.as_url().clone()).chain(
        POSTMAN_SERVERS
            .iter()
            .filter_map(|u| url::Url::parse(u).ok()),
    );
    let mut services: Vec<String> = urls
        .filter_map(|u| {
            let host = host_and_port(&u)?;
            Some(record::service(u.scheme().as_bytes(), host.as_bytes()))
        })
        .collect();
    services.sort();
    services.dedup();
    services
}

fn from_record(r: &Record, store: StoreKind, apps: &Apps) -> Account {
    let c = &r.credential;
    let mut url = format!("{}://{}", text(&c.protocol), text(&c.host));
    if let Some(path) = &c.path {
        url.push('/');
        url.push_str(&String::from_utf8_lossy(path));
    }
    let user = text(&c.username);
    let provider = match provider::select(c, None, apps) {
        Ok(Some(loaded)) => loaded.app.provider.name().to_string(),
        _ if user == API_KEY_USERNAME => "postman".into(),
        _ => "-".into(),
    };
    Account {
        url,
        provider,
        user,
        expires: c.password_expiry_utc,
        refresh_token: c.oauth_refresh_token.is_some(),
        store,
    }
}

/// A credential field as text (never a secret's: only protocol, host, path, username).
fn text(value: &Option<Vec<u8>>) -> String {
    String::from_utf8_lossy(value.as_deref().unwrap_or_default()).into_owned()
}

/// `host[:port]` of a URL, as git's credential protocol names a host.
fn host_and_port(url: &url::Url) -> Option<String> {
    let host = url.host_str().filter(|h| !h.is_empty())?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Which host `git postman accounts remove` means: `host[:port]`, or a URL (its protocol,
/// host and port).
#[derive(Debug, PartialEq, Eq)]
struct Target {
    protocol: Option<String>,
    host: String,
}

impl Target {
    fn parse(text: &str) -> Result<Target, AccountsError> {
        let bad = || AccountsError::BadHost(text.to_string());
        let text = text.trim();
        if text.contains("://") {
            let url = url::Url::parse(text).map_err(|_| bad())?;
            let host = host_and_port(&url).ok_or_else(bad)?;
            return Ok(Target {
                protocol: Some(url.scheme().to_string()),
                host,
            });
        }
        let valid = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_:[]".contains(c));
        if !valid {
            return Err(bad());
        }
        Ok(Target {
            protocol: None,
            host: text.to_ascii_lowercase(),
        })
    }

    fn matches(&self, protocol: &str, host: &str) -> bool {
        self.protocol.as_deref().is_none_or(|p| p == protocol)
            && host.eq_ignore_ascii_case(&self.host)
    }

    fn matches_url(&self, url: &AppUrl) -> bool {
        let u = url.as_url();
        host_and_port(u).is_some_and(|host| self.matches(u.scheme(), &host))
    }
}

/// Forgets every login for `host` in every store; returns how many entries went.
pub fn remove(stores: &[Store], apps: &Apps, host: &str) -> Result<usize, AccountsError> {
    let target = Target::parse(host)?;
    let mut removed = 0;
    for store in stores {
        for service in record_services(store, apps)? {
            for stored in store.find(&service)? {
                let Some(r) = Record::parse(&stored.secret) else {
                    continue;
                };
                let c = &r.credential;
                if target.matches(&text(&c.protocol), &text(&c.host)) {
                    store.delete(&stored)?;
                    removed += 1;
                }
            }
        }
        for url in pat_urls(store, apps)? {
            if target.matches_url(&url) && secrets::delete(store, Kind::Pat, &url)? {
                removed += 1;
            }
        }
    }
    if removed == 0 {
        return Err(AccountsError::NothingFor(host.trim().to_string()));
    }
    Ok(removed)
}

/// `git postman accounts`: the table of logins.
pub fn run_list(out: &mut dyn Write) -> Result<(), AccountsError> {
    let stores = open_stores()?;
    let apps = Apps::load(&Locations::from_env())?;
    let accounts = list(&stores, &apps)?;
    if accounts.is_empty() {
        writeln!(
            out,
            "No stored logins. git stores one at the first clone or push; or run `git postman \
             login` (Postman), `git postman app login <app>`, `git postman pat add <url>`."
        )?;
        return Ok(());
    }
    let now = record::now_utc();
    let rows: Vec<[String; 6]> = accounts
        .iter()
        .map(|a| {
            let expires = match a.expires {
                Some(t) if t < now => format!("{} (expired)", format_utc(t as i64)),
                Some(t) => format_utc(t as i64),
                None => "-".into(),
            };
            [
                a.url.clone(),
                a.provider.clone(),
                a.user.clone(),
                expires,
                if a.refresh_token { "yes" } else { "no" }.into(),
                a.store.to_string(),
            ]
        })
        .collect();
    let header = [
        "HOST",
        "PROVIDER",
        "USER",
        "EXPIRES",
        "REFRESH TOKEN",
        "STORE",
    ]
    .map(String::from);
    cli::write_table(out, &header, &rows)?;
    Ok(())
}

/// `git postman accounts remove <host>`.
pub fn run_remove(host: &str, out: &mut dyn Write) -> Result<(), AccountsError> {
    let stores = open_stores()?;
    let apps = Apps::load(&Locations::from_env())?;
    let removed = remove(&stores, &apps, host)?;
    let names: Vec<String> = stores.iter().map(|s| s.kind().to_string()).collect();
    let plural = if removed == 1 { "entry" } else { "entries" };
    writeln!(
        out,
        "Forgot {removed} stored {plural} for {} (searched {}).",
        host.trim(),
        names.join(", ")
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_cannot_list_is_asked_for_the_known_hosts() {
        let file = crate::credential::apps::AppsFile::parse(
            "apps:\n  - name: Lab\n    provider: gitlab\n    url: https://lab.example.com:8443/g\n    client_id: x\n",
            std::path::Path::new("apps.yaml"),
        )
        .unwrap();
        let apps = Apps::merge(file, Default::default());
        assert_eq!(
            known_services(&apps),
            [
                "git-postman:https://api.eu.postman.com",
                "git-postman:https://api.getpostman.com",
                "git-postman:https://lab.example.com:8443",
            ]
        );
    }

    #[test]
    fn a_target_is_a_host_or_a_url() {
        let t = Target::parse("GHES.example.com").unwrap();
        assert!(t.matches("https", "ghes.example.com"));
        assert!(t.matches("http", "ghes.example.com"));
        assert!(!t.matches("https", "ghes.example.com:8443"));
        let t = Target::parse("https://ghes.example.com:8443/acme").unwrap();
        assert!(t.matches("https", "ghes.example.com:8443"));
        assert!(!t.matches("http", "ghes.example.com:8443"));
        let url = AppUrl::parse("https://ghes.example.com:8443/tfs/Coll").unwrap();
        assert!(t.matches_url(&url));
        for bad in ["", "a b", "https://", "ghes/acme"] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("is not a host, host:port or URL"),
                "{bad:?}: {err}"
            );
        }
    }
}
