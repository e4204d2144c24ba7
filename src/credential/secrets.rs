//! Secrets this helper keeps for an app, besides the credentials git stores: an Azure
//! DevOps Server personal access token (with the username to send it with) and an OAuth
//! app's client secret. One keyring entry each, named after the app's URL, so they follow
//! the app and never mix with git's own entries (`git-postman:<protocol>://<host>`).

use super::apps::AppUrl;
use super::protocol::Credential;
use super::store::{Store, StoreError};

/// Prefix of the keyring service of a personal access token (`git-postman-pat:<url>`).
const PAT_PREFIX: &str = "git-postman-pat:";

/// What kind of secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A personal access token and its username.
    Pat,
    /// An OAuth app's client secret.
    ClientSecret,
}

impl Kind {
    fn service(self, url: &AppUrl) -> String {
        match self {
            Kind::Pat => format!("{PAT_PREFIX}{url}"),
            Kind::ClientSecret => format!("git-postman-app:{url}"),
        }
    }

    fn account(self) -> &'static str {
        match self {
            Kind::Pat => "pat",
            Kind::ClientSecret => "client-secret",
        }
    }

    fn label(self, url: &AppUrl) -> String {
        match self {
            Kind::Pat => format!("Personal access token for {url}"),
            Kind::ClientSecret => format!("OAuth client secret for {url}"),
        }
    }
}

/// A personal access token with the username git sends it with.
#[derive(Clone, PartialEq, Eq)]
pub struct Pat {
    pub username: String,
    pub token: String,
}

impl std::fmt::Debug for Pat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pat {{ username: {:?}, token: .. }}", self.username)
    }
}

/// Reads the secret of `kind` for `url`, if stored.
pub fn get(store: &Store, kind: Kind, url: &AppUrl) -> Result<Option<Vec<u8>>, StoreError> {
    let found = store.find(&kind.service(url))?;
    Ok(found.into_iter().next().map(|s| s.secret))
}

/// Stores (or replaces) the secret of `kind` for `url`.
pub fn put(store: &Store, kind: Kind, url: &AppUrl, secret: &[u8]) -> Result<(), StoreError> {
    store.put(&kind.service(url), kind.account(), &kind.label(url), secret)
}

/// Deletes the secret of `kind` for `url`; true if there was one.
pub fn delete(store: &Store, kind: Kind, url: &AppUrl) -> Result<bool, StoreError> {
    let found = store.find(&kind.service(url))?;
    let any = !found.is_empty();
    for entry in &found {
        store.delete(entry)?;
    }
    Ok(any)
}

/// The PAT for `url`, if stored.
pub fn get_pat(store: &Store, url: &AppUrl) -> Result<Option<Pat>, StoreError> {
    Ok(get(store, Kind::Pat, url)?.and_then(|bytes| parse_pat(&bytes)))
}

/// Deletes the PAT for `url` if its token is `token` (one keyring search, not a read and
/// then a delete that searches again).
pub fn delete_pat_if_token(store: &Store, url: &AppUrl, token: &[u8]) -> Result<(), StoreError> {
    for entry in store.find(&Kind::Pat.service(url))? {
        if parse_pat(&entry.secret).is_some_and(|pat| pat.token.as_bytes() == token) {
            store.delete(&entry)?;
        }
    }
    Ok(())
}

/// A PAT as [`put_pat`] writes it: in the protocol's own form; anything else is not ours.
fn parse_pat(bytes: &[u8]) -> Option<Pat> {
    let c = Credential::parse(bytes).ok()?;
    let text = |v: Option<Vec<u8>>| v.and_then(|b| String::from_utf8(b).ok());
    Some(Pat {
        username: text(c.username)?,
        token: text(c.password)?,
    })
}

/// The URLs that have a personal access token in `store` (names that are not URLs are
/// another program's and left out).
pub fn pat_urls(store: &Store) -> Result<Vec<AppUrl>, StoreError> {
    Ok(store
        .services(PAT_PREFIX)?
        .iter()
        .filter_map(|s| AppUrl::parse(s.strip_prefix(PAT_PREFIX)?).ok())
        .collect())
}

/// Stores the PAT for `url`.
pub fn put_pat(store: &Store, url: &AppUrl, pat: &Pat) -> Result<(), StoreError> {
    let bytes = format!("username={}\npassword={}\n", pat.username, pat.token);
    put(store, Kind::Pat, url, bytes.as_bytes())
}

/// The client secret kept in the keyring for the app at `url`, if any.
pub fn get_client_secret(store: &Store, url: &AppUrl) -> Result<Option<String>, StoreError> {
    Ok(get(store, Kind::ClientSecret, url)?.and_then(|b| String::from_utf8(b).ok()))
}
