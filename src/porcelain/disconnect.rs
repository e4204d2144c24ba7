//! `git postman disconnect`: undoes `connect` (and what fetch and push kept since). The
//! remote goes with its remote-tracking branches and its `remote.<name>.*` settings
//! (`git remote remove`), then the private refs `refs/postman/<name>/*`, the cache
//! `$GIT_COMMON_DIR/postman/<name>/`, and an API's entries in `.postman/api*` (left
//! uncommitted, like connect's). A workspace's `.postman/resources.yaml` stays: it is
//! the desktop app's file as much as ours. Postman, your files and your commits are not
//! touched.

use std::io::Write;

use super::cli::DisconnectArgs;
use super::kind::{self, describe};
use super::workspace::{self, PostmanRemote, Workspace};
use super::{dotfiles, login, tty};
use crate::postman::Client;
use crate::remote::state::RemoteState;
use crate::remote::url::Target;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    DotFiles(#[from] dotfiles::Error),
    #[error(
        "no remote {0} with a postman:: URL here (git postman status lists the connected APIs and workspaces)"
    )]
    NoSuchRemote(String),
    #[error("cannot ask for confirmation: {0}; run again with --yes")]
    CannotAsk(#[from] tty::Error),
    #[error("{0:?} is not {1:?}: nothing was changed")]
    NotConfirmed(String, String),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

pub fn run(args: &DisconnectArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ws = Workspace::discover("disconnect")?;
    let remotes = ws.postman_remotes();
    let remote = remotes
        .iter()
        .find(|r| r.name == args.remote)
        .ok_or_else(|| Error::NoSuchRemote(args.remote.clone()))?;
    if !args.yes {
        confirm(&ws, remote)?;
    }

    ws.git(["remote", "remove", &remote.name])?;
    let refs = delete_private_refs(&ws, &remote.name)?;
    RemoteState::open(&ws.repo, Some(&remote.name)).forget_cache()?;

    // Another remote may name the same API (on another branch): its files stay.
    let changed = match &remote.target {
        Target::Api(url) => {
            let shared = remotes
                .iter()
                .any(|r| r.name != remote.name && r.target.id() == url.api_id);
            if shared {
                Vec::new()
            } else {
                dotfiles::remove(&ws, &url.api_id)?
            }
        }
        Target::Workspace { .. } => Vec::new(),
    };

    writeln!(
        out,
        "Disconnected remote {} (Postman {}): removed its settings, {refs} private ref{} and its cache.",
        remote.name,
        describe(&remote.target),
        if refs == 1 { "" } else { "s" }
    )?;
    if !changed.is_empty() {
        writeln!(
            out,
            "Changed {} (not committed): git add -A .postman && git commit -m \"Disconnect {}\"",
            changed.join(" and "),
            remote.target.id()
        )?;
    }
    writeln!(
        out,
        "Nothing changed in Postman; your files, commits and tags stay."
    )?;
    Ok(())
}

/// Asks for the API's (workspace's) name, or its id when the name is not known here, on
/// the terminal.
fn confirm(ws: &Workspace, remote: &PostmanRemote) -> Result<(), Error> {
    let noun = kind::noun(&remote.target);
    let id = remote.target.id();
    let (expected, prompt) = match postman_name(ws, remote) {
        Some(name) => (
            name.clone(),
            format!(
                "This disconnects Postman {noun} {name:?} ({id}) from remote {}.\nType the {noun}'s name to confirm: ",
                remote.name
            ),
        ),
        None => (
            id.to_string(),
            format!(
                "This disconnects Postman {noun} {id} from remote {}.\nType the {noun}'s id to confirm: ",
                remote.name
            ),
        ),
    };
    let answer = tty::ask(&prompt)?;
    if answer.trim() != expected {
        return Err(Error::NotConfirmed(answer.trim().to_string(), expected));
    }
    Ok(())
}

/// The API's (workspace's) name: from the last commit Postman's state made on this
/// remote (its message is `Postman: <name>`), else from Postman when a key is at hand,
/// else unknown.
fn postman_name(ws: &Workspace, remote: &PostmanRemote) -> Option<String> {
    let author = format!("--author=<{}>", kind::author_email(&remote.target));
    let state = RemoteState::open(&ws.repo, Some(&remote.name));
    if let Ok(Some(last)) = state.last_reported(&ws.repo) {
        let last = last.to_string();
        if let Ok(subject) = ws.git(["log", "-1", "--format=%s", &author, &last, "--"]) {
            if let Some(name) = subject.trim_end().strip_prefix("Postman: ") {
                return Some(name.to_string());
            }
        }
    }
    // Postman, only with a key at hand: a confirmation must not start a password prompt.
    let base = remote.target.base();
    let key = login::key_without_prompting(base)?;
    let client = Client::new(base.clone(), key).ok()?;
    kind::look(&client, &remote.target).ok().map(|l| l.name)
}

/// Deletes every ref under `refs/postman/<remote>/`; returns how many there were.
fn delete_private_refs(ws: &Workspace, remote: &str) -> Result<usize, Error> {
    let listed = ws.git([
        "for-each-ref",
        "--format=%(refname)",
        &format!("refs/postman/{remote}/"),
    ])?;
    let refs: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    if refs.is_empty() {
        return Ok(0);
    }
    let commands: String = refs.iter().map(|r| format!("delete {r}\n")).collect();
    ws.git_with_input(["update-ref", "--stdin"], Some(&commands))?;
    Ok(refs.len())
}
