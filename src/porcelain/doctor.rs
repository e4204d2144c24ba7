//! `git postman doctor`: checks what breaks users most, one line per check with the fix,
//! and fails (exit status 128) when any check fails. `--json` for scripts.
//!
//! The checks, each independent (one broken part never hides another's verdict):
//! helpers where git looks for them (`git --exec-path`, then PATH); `credential.helper`
//! for each forge the apps file names (postman asked, and not after a helper that answers
//! with its own credential); the keyring (a test entry written, read back and deleted);
//! the apps file; git's version (refresh tokens need 2.41); the `postman::` remotes' URLs;
//! and each remote's Postman API key (one `GET /me`, never a prompt).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use url::Url;

use super::cli::DoctorArgs;
use crate::credential::apps::{Apps, Locations};
use crate::credential::config::GitConfig;
use crate::credential::protocol::Credential;
use crate::credential::store::Store;
use crate::postman::apikey::{self, Prompt};
use crate::postman::{self, Client};
use crate::remote::url::Target;

/// git's first release that passes `oauth_refresh_token` (and `wwwauth[]`) to helpers.
const REFRESH_TOKEN_GIT: (u32, u32) = (2, 41);

/// The programs git must find.
const HELPERS: [&str; 3] = [
    "git-remote-postman",
    "git-credential-postman",
    "git-postman",
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{failed} of {total} checks failed")]
    Failed { failed: usize, total: usize },
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Fail,
    Skip,
}

/// One check's verdict.
#[derive(Debug, Serialize)]
struct Check {
    check: String,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

impl Check {
    fn ok(check: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            check: check.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn skip(check: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            status: Status::Skip,
            ..Check::ok(check, detail)
        }
    }

    fn fail(check: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Check::ok(check, detail)
        }
    }

    fn line(&self) -> String {
        let status = match self.status {
            Status::Ok => "ok  ",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        };
        let mut line = format!("{status}  {}: {}", self.check, self.detail);
        if let Some(fix) = &self.fix {
            line.push_str(&format!("; fix: {fix}"));
        }
        line
    }
}

pub fn run(args: &DoctorArgs, out: &mut dyn Write) -> Result<(), Error> {
    let apps = Apps::load(&Locations::from_env());
    let remotes = postman_remotes();
    let mut checks = vec![helpers_on_path(), git_version()];
    checks.push(match &apps {
        Ok(apps) => Check::ok("apps file", format!("{} app(s)", apps.apps.len())),
        Err(e) => Check::fail(
            "apps file",
            e.to_string(),
            "correct the file at the place named, or `git postman app remove <name>`",
        ),
    });
    checks.extend(helper_order(apps.as_ref().ok()));
    checks.push(keyring());
    checks.extend(remote_urls(&remotes));
    checks.extend(api_keys(&remotes));

    if args.json {
        let ok = checks.iter().all(|c| c.status != Status::Fail);
        let report = serde_json::json!({ "ok": ok, "checks": checks });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("plain data")
        )?;
    } else {
        for check in &checks {
            writeln!(out, "{}", check.line())?;
        }
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if failed > 0 {
        return Err(Error::Failed {
            failed,
            total: checks.len(),
        });
    }
    Ok(())
}

/// `git <args>`'s stdout, if it ran.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where git finds each helper: its exec path first, then PATH.
fn helpers_on_path() -> Check {
    let exec_path = git(&["--exec-path"]).map(PathBuf::from);
    let mut dirs: Vec<PathBuf> = exec_path.into_iter().collect();
    dirs.extend(
        std::env::var_os("PATH").map_or_else(Vec::new, |p| std::env::split_paths(&p).collect()),
    );
    let found: Vec<(&str, Option<PathBuf>)> = HELPERS
        .iter()
        .map(|name| (*name, dirs.iter().find_map(|d| executable(d, name))))
        .collect();
    let missing: Vec<&str> = found
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        let places: Vec<String> = found
            .iter()
            .filter_map(|(_, p)| {
                p.as_ref()
                    .and_then(|p| p.parent())
                    .map(|d| d.display().to_string())
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        return Check::ok(
            "helpers",
            format!("all three found in {}", places.join(", ")),
        );
    }
    Check::fail(
        "helpers",
        format!(
            "{} not in `git --exec-path` nor on PATH",
            missing.join(", ")
        ),
        "install git-postman (`cargo install --path .`) and put its directory (~/.cargo/bin) on \
         the PATH of the program that runs git, or link the helpers into `git --exec-path`",
    )
}

fn executable(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// git's version against the one refresh tokens need.
fn git_version() -> Check {
    let Some(text) = git(&["--version"]) else {
        return Check::fail("git version", "git does not run", "install git");
    };
    let numbers: Vec<u32> = text
        .trim_start_matches("git version ")
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    let (major, minor) = match numbers[..] {
        [major, minor] => (major, minor),
        _ => {
            return Check::fail(
                "git version",
                format!("cannot read {text:?}"),
                "install git",
            )
        }
    };
    let (need_major, need_minor) = REFRESH_TOKEN_GIT;
    if (major, minor) < REFRESH_TOKEN_GIT {
        return Check::fail(
            "git version",
            format!("{text}: git before {need_major}.{need_minor} drops OAuth refresh tokens, so every expired token means a new login"),
            format!("upgrade git to {need_major}.{need_minor} or later"),
        );
    }
    Check::ok("git version", format!("{text} keeps refresh tokens"))
}

/// For each forge URL in the apps file: the helpers git asks, in order.
fn helper_order(apps: Option<&Apps>) -> Vec<Check> {
    let Some(apps) = apps.filter(|a| !a.is_empty()) else {
        return vec![Check::skip(
            "credential.helper",
            "no forge in the apps file (`git postman app add`)",
        )];
    };
    let config = match GitConfig::load() {
        Ok(config) => config,
        Err(e) => {
            return vec![Check::fail(
                "credential.helper",
                e.to_string(),
                "correct the git config file named",
            )]
        }
    };
    apps.apps
        .iter()
        .map(|l| {
            let url = l.app.url.to_string();
            let name = format!("credential.helper for {url}");
            let request = Credential::parse(format!("url={url}\n").as_bytes()).unwrap_or_default();
            let helpers = config.helpers_for(&request);
            let ours = helpers.iter().position(|h| is_ours(h));
            let reset = format!(
                "git config --global --add credential.{url}.helper \"\" && git config --global --add credential.{url}.helper postman"
            );
            match ours {
                None => Check::fail(
                    name,
                    format!("git-credential-postman is not asked (helpers: {})", listed(&helpers)),
                    format!("git config --global --add credential.{url}.helper postman"),
                ),
                Some(at) => match helpers[..at].iter().find(|h| !answers_only_with_ours(h)) {
                    Some(earlier) => Check::fail(
                        name,
                        format!("`{earlier}` is asked before postman and may answer with a credential of its own"),
                        reset,
                    ),
                    None => Check::ok(name, format!("postman is asked (helpers: {})", listed(&helpers))),
                },
            }
        })
        .collect()
}

fn listed(helpers: &[String]) -> String {
    if helpers.is_empty() {
        return "none".into();
    }
    helpers.join(", ")
}

/// `postman`, `postman --store=...` or a path to git-credential-postman.
fn is_ours(helper: &str) -> bool {
    let program = helper.split_whitespace().next().unwrap_or_default();
    program == "postman"
        || program
            .trim_end_matches(".exe")
            .ends_with("git-credential-postman")
}

/// git's `cache` only hands back what git approved, which includes ours, and drops it when
/// it expires: harmless before postman.
fn answers_only_with_ours(helper: &str) -> bool {
    helper.split_whitespace().next() == Some("cache")
}

/// The keyring: a test entry written, read back and deleted.
fn keyring() -> Check {
    let configured = GitConfig::load()
        .and_then(|c| c.settings_for(&Credential::default()))
        .map(|s| s.store);
    let store = match configured.map(Store::open_configured) {
        Ok(Ok(store)) => store,
        Ok(Err(e)) => {
            return Check::fail(
                "keyring",
                e.to_string(),
                "unlock or start your keyring (a desktop session's Secret Service), or choose \
                 one: `git config --global credential.postmanStore <secret-service|keyutils|keychain|windows>`",
            )
        }
        Err(e) => return Check::fail("keyring", e.to_string(), "correct the git config file named"),
    };
    const SERVICE: &str = "git-postman-doctor:probe";
    let probe = || -> Result<bool, crate::credential::store::StoreError> {
        store.put(SERVICE, "doctor", "git postman doctor test entry", b"probe")?;
        let found = store.find(SERVICE)?;
        let read_back = found.iter().any(|s| s.secret == b"probe");
        for entry in &found {
            store.delete(entry)?;
        }
        Ok(read_back)
    };
    match probe() {
        Ok(true) => Check::ok("keyring", format!("{} stores and reads back", store.kind())),
        Ok(false) => Check::fail(
            "keyring",
            format!(
                "{} kept a test entry but did not give it back",
                store.kind()
            ),
            "choose another store: `git config --global credential.postmanStore <name>`",
        ),
        Err(e) => Check::fail(
            "keyring",
            e.to_string(),
            "unlock the keyring (log in to the desktop session), or choose another store: \
             `git config --global credential.postmanStore <name>`",
        ),
    }
}

/// The remotes of the repository here whose URL is a `postman::` URL, with its text.
fn postman_remotes() -> Vec<(String, String)> {
    let Some(repo) = super::workspace::Workspace::discover_any() else {
        return Vec::new();
    };
    repo.remote_names()
        .iter()
        .filter_map(|name| {
            let name = name.to_string();
            let url = crate::config::remote_value(&repo, &name, "url")?;
            (url.starts_with("postman::") || url.starts_with("postman://")).then_some((name, url))
        })
        .collect()
}

fn remote_urls(remotes: &[(String, String)]) -> Vec<Check> {
    if remotes.is_empty() {
        return vec![Check::skip("remote URLs", "no postman:: remote here")];
    }
    remotes
        .iter()
        .map(|(name, url)| match Target::parse(url) {
            Ok(_) => Check::ok(format!("remote {name}"), url.clone()),
            Err(e) => Check::fail(
                format!("remote {name}"),
                e.to_string().replace('\n', ";"),
                format!("git remote set-url {name} postman::<https://server>/apis/<apiId> (or postman::<apiId>; a workspace: postman::<https://server>/workspaces/<workspaceId>)"),
            ),
        })
        .collect()
}

/// One `GET /me` per API server of a well-formed remote, with the key the remote helper
/// would use (never asking for one).
fn api_keys(remotes: &[(String, String)]) -> Vec<Check> {
    let mut bases: Vec<Url> = remotes
        .iter()
        .filter_map(|(_, url)| Target::parse(url).ok().map(|t| t.base().clone()))
        .collect();
    bases.sort();
    bases.dedup();
    bases.iter().map(api_key).collect()
}

fn api_key(base: &Url) -> Check {
    let name = format!(
        "Postman API key for {}",
        base.as_str().trim_end_matches('/')
    );
    let login = format!(
        "git postman login --base-url {}",
        base.as_str().trim_end_matches('/')
    );
    let (key, source) = match apikey::obtain_with(base, Prompt::Never) {
        Ok(found) => found,
        Err(e) => return Check::fail(name, e.to_string().replace('\n', "; "), login),
    };
    let from = match source {
        apikey::Source::Environment => "POSTMAN_API_KEY",
        apikey::Source::Credential(_) => "git's credential store",
    };
    let answer = Client::new(base.clone(), key)
        .and_then(|client| client.send(reqwest::Method::GET, &["me"], &[], None));
    match answer {
        Ok(_) => Check::ok(name, format!("accepted (from {from})")),
        Err(postman::Error::Unauthorized { status, message }) => Check::fail(
            name,
            format!("Postman rejected the key from {from} ({status}: {message})"),
            match from {
                "POSTMAN_API_KEY" => {
                    "set POSTMAN_API_KEY to a valid key (Postman: Settings, API keys)".to_string()
                }
                _ => login,
            },
        ),
        Err(e @ postman::Error::Transport { .. }) => Check::fail(
            name,
            e.to_string().replace('\n', "; "),
            "check the server address and the network",
        ),
        // Any other answer came from a server that did not refuse the key (as `git postman
        // login` reads it; a server without /me answers 404 to an accepted key).
        Err(_) => Check::ok(name, format!("not refused (from {from})")),
    }
}
