//! `get`, `store` and `erase`: git's semantics for a storage helper, over a keyring.
//!
//! - `get` answers with the newest stored credential that `credential_match`es the
//!   request (an exact path first), skipping expired ones and, for a caller without
//!   `capability[]=authtype`, ones that only hold an `authtype`/`credential`. With none,
//!   and a URL that an installed app covers ([`super::apps`], [`super::provider`]), it
//!   makes one: OAuth refresh or login, or a personal access token ([`super::generate`]).
//! - `store` keeps one entry per protocol, host, path and username; `ephemeral` and
//!   already expired credentials are not kept.
//! - `erase` removes every entry that matches, password included (git's "does not erase a
//!   password distinct from input"); for an OAuth app's URL the refresh token stays, so
//!   that a rejected access token costs a silent refresh, not a new login.
//! - Any other action is ignored, silently, as gitcredentials(7) asks.
//!
//! The normal paths print nothing on stderr: git's t0303 compares stderr byte for byte.

use std::io::{BufRead, Write};

use super::apps::{Apps, AppsError, Locations};
use super::config::{ConfigError, GitConfig};
use super::generate::{self, GenerateError};
use super::protocol::{read_input, Capabilities, Credential, ProtocolError};
use super::provider::{self, ProviderError};
use super::record::{self, now_utc, Record};
use super::store::{Store, StoreError, StoreKind};

/// What git asks the helper to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Get,
    Store,
    Erase,
    /// Anything else: ignored, for forward compatibility.
    Other,
}

impl Action {
    pub fn parse(word: &str) -> Action {
        match word {
            "get" => Action::Get,
            "store" => Action::Store,
            "erase" => Action::Erase,
            _ => Action::Other,
        }
    }
}

/// Errors of one helper run. None carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum HelperError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Apps(#[from] AppsError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("cannot write the answer to git: {0}")]
    Output(std::io::Error),
}

/// Runs one action: reads the request from `input`, answers a `get` on `output`.
///
/// `store_choice` (the `--store=` argument) wins over `credential.postmanStore`.
pub fn run(
    action: Action,
    store_choice: Option<StoreKind>,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<(), HelperError> {
    let raw = read_input(input)?;
    if action == Action::Other {
        return Ok(());
    }
    let mut request = Credential::parse(&raw)?;
    let (Some(protocol), Some(host)) = (request.protocol.clone(), request.host.clone()) else {
        // git always sends both; without them nothing can match or be stored.
        return Ok(());
    };
    if action == Action::Store && !worth_storing(&request, now_utc()) {
        return Ok(());
    }

    let settings = GitConfig::load()?.settings_for(&request)?;
    // git drops an http(s) path unless credential.useHttpPath; do the same for callers
    // other than git, so that one URL always maps to the same entries.
    if !settings.use_http_path && matches!(&protocol[..], b"http" | b"https") {
        request.path = None;
    }
    let store = Store::open_configured(store_choice.or(settings.store))?;
    let service = record::service(&protocol, &host);

    match action {
        Action::Get => {
            let records = record::load(&store, &service)?;
            let answer = match select(&request, &records, now_utc()) {
                Some(best) => Some(best.credential.clone()),
                // Nothing usable stored: an app may make one. The apps files are read only
                // now, so a stored credential costs no more than before.
                None => {
                    let apps = Apps::load(&Locations::from_env())?;
                    match provider::select(&request, settings.app.as_deref(), &apps)? {
                        Some(loaded) => {
                            let ctx = generate::Context {
                                request: &request,
                                settings: &settings,
                                store: &store,
                                stored: &records,
                            };
                            Some(generate::generate(&loaded.app, &ctx)?)
                        }
                        None => None,
                    }
                }
            };
            if let Some(answer) = answer {
                answer.check_answer(request.capabilities)?;
                let mut bytes = Vec::new();
                answer
                    .write_answer(request.capabilities, &mut bytes)
                    .map_err(HelperError::Output)?;
                output.write_all(&bytes).map_err(HelperError::Output)?;
                output.flush().map_err(HelperError::Output)?;
            }
        }
        Action::Store => {
            Record::from_request(&request).save(&store)?;
        }
        Action::Erase => {
            let apps = Apps::load(&Locations::from_env())?;
            let app = provider::select(&request, settings.app.as_deref(), &apps)?.map(|l| &l.app);
            let keep_refresh = app.is_some_and(|a| generate::keeps_refresh_token(a, &request));
            for stored in store.find(&service)? {
                let Some(r) = Record::parse(&stored.secret) else {
                    continue;
                };
                if !record::matches(&request, &r.credential, true) {
                    continue;
                }
                if keep_refresh && r.credential.oauth_refresh_token.is_some() {
                    Record::from_request(&Credential {
                        password: None,
                        password_expiry_utc: None,
                        ..r.credential
                    })
                    .save(&store)?;
                } else {
                    store.delete(&stored)?;
                }
            }
            if let Some(app) = app {
                generate::forget_pat(app, &request, &store)?;
            }
        }
        Action::Other => {}
    }
    Ok(())
}

/// Whether a `store` request is kept at all.
pub fn worth_storing(request: &Credential, now: u64) -> bool {
    !request.ephemeral
        && request.has_secret()
        && request.password_expiry_utc.is_none_or(|t| t >= now)
}

/// The record a `get` answers with, if any.
pub fn select<'a>(request: &Credential, records: &'a [Record], now: u64) -> Option<&'a Record> {
    records
        .iter()
        .filter(|r| record::matches(request, &r.credential, false))
        .filter(|r| !r.is_expired(now))
        .filter(|r| usable(&r.credential, request.capabilities))
        .max_by_key(|r| (r.credential.path == request.path, r.stored_ns))
}

/// A password works for every caller; a bare `authtype`/`credential` only for one that
/// announced `capability[]=authtype`.
fn usable(stored: &Credential, caller: Capabilities) -> bool {
    stored.password.is_some()
        || (caller.authtype && stored.authtype.is_some() && stored.credential.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(s: &str) -> Credential {
        Credential::parse(s.as_bytes()).unwrap()
    }

    fn rec(s: &str, stored_ns: u128) -> Record {
        Record {
            stored_ns,
            ..Record::from_request(&cred(s))
        }
    }

    #[test]
    fn newest_match_wins_and_exact_path_first() {
        let records = [
            rec("protocol=https\nhost=h\nusername=a\npassword=1\n", 1),
            rec("protocol=https\nhost=h\nusername=b\npassword=2\n", 3),
            rec(
                "protocol=https\nhost=h\nusername=c\npath=p\npassword=3\n",
                5,
            ),
        ];
        let pick =
            |q: &str| select(&cred(q), &records, 0).and_then(|r| r.credential.password.clone());
        assert_eq!(pick("protocol=https\nhost=h\n"), Some(b"2".to_vec()));
        assert_eq!(
            pick("protocol=https\nhost=h\nusername=a\n"),
            Some(b"1".to_vec())
        );
        assert_eq!(
            pick("protocol=https\nhost=h\npath=p\n"),
            Some(b"3".to_vec())
        );
        assert_eq!(pick("protocol=https\nhost=h\nusername=z\n"), None);
    }

    #[test]
    fn expired_records_are_not_returned() {
        let records = [rec(
            "protocol=https\nhost=h\npassword=old\npassword_expiry_utc=100\n",
            1,
        )];
        assert!(select(&cred("protocol=https\nhost=h\n"), &records, 101).is_none());
        assert!(select(&cred("protocol=https\nhost=h\n"), &records, 99).is_some());
    }

    #[test]
    fn bare_authtype_needs_the_capability() {
        let records = [rec(
            "protocol=https\nhost=h\nauthtype=Bearer\ncredential=t\n",
            1,
        )];
        assert!(select(&cred("protocol=https\nhost=h\n"), &records, 0).is_none());
        assert!(select(
            &cred("capability[]=authtype\nprotocol=https\nhost=h\n"),
            &records,
            0
        )
        .is_some());
    }

    #[test]
    fn what_is_not_stored() {
        let now = 1000;
        assert!(worth_storing(
            &cred("protocol=https\nhost=h\nusername=\npassword=\n"),
            now
        ));
        assert!(!worth_storing(
            &cred("protocol=https\nhost=h\npassword=p\nephemeral=1\n"),
            now
        ));
        assert!(!worth_storing(
            &cred("protocol=https\nhost=h\nusername=u\n"),
            now
        ));
        assert!(!worth_storing(
            &cred("protocol=https\nhost=h\npassword=p\npassword_expiry_utc=999\n"),
            now
        ));
        assert!(worth_storing(
            &cred("protocol=https\nhost=h\nauthtype=Bearer\ncredential=c\n"),
            now
        ));
    }

    #[test]
    fn unknown_actions_are_ignored_without_touching_a_store() {
        // A store that cannot open here: opening it at all would be an error.
        let elsewhere = if cfg!(windows) {
            StoreKind::Keychain
        } else {
            StoreKind::Windows
        };
        let mut input = std::io::Cursor::new(b"protocol=https\nhost=h\npassword=p\n".to_vec());
        let mut out = Vec::new();
        run(
            Action::parse("frobnicate"),
            Some(elsewhere),
            &mut input,
            &mut out,
        )
        .unwrap();
        assert!(out.is_empty());
    }
}
