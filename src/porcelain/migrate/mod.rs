//! `git postman migrate`: an API Builder remote becomes a workspace remote. Postman
//! moves the API (`postman::migration`), then one commit on HEAD swaps the API's layout
//! for the workspace's ([`local`]) and the remote follows.
//!
//! Nothing is sent before the checks pass (an API remote, its branch checked out, no
//! uncommitted change, Postman's current state here: `status`'s own numbers). The
//! status is read before anything is started, so a run that stopped (Postman still
//! busy, or done but the commit not made) is picked up by running again, never started
//! twice. A run that stopped after its commit landed on the branch is recognised by
//! that commit ([`local::resumable`]) and finished.

mod local;

use std::io::Write;

use super::cli::MigrateArgs;
use super::kind::{self, Unpicked};
use super::status::{self, ApiStatus};
use super::workspace::{self, PostmanRemote, Workspace};
use crate::postman::migration::{self, Destination, Status};
use crate::postman::model::Api;
use crate::postman::poll::Polling;
use crate::postman::{self, apikey, Client};
use crate::remote::url::{RemoteUrl, Target};

/// `postman.migrationPolls` and `postman.migrationPollInterval` (seconds).
const POLLS_KEY: &str = "postman.migrationPolls";
const INTERVAL_KEY: &str = "postman.migrationPollInterval";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Status(#[from] status::Error),
    #[error(transparent)]
    Postman(#[from] postman::Error),
    #[error(transparent)]
    Migration(#[from] migration::Error),
    #[error(transparent)]
    Local(#[from] local::Error),
    #[error("no API Builder remote here (git postman status lists the connected APIs)")]
    NoApiRemote,
    #[error("several API Builder remotes here ({0}): name the one to move")]
    Ambiguous(String),
    #[error("no remote {0} with a postman:: URL here")]
    NoSuchRemote(String),
    #[error("remote {0} is a workspace already ({1}): there is nothing to move")]
    NotAnApi(String, String),
    #[error("HEAD is detached: check out {0} first (the commit goes on the API's branch)")]
    Detached(String),
    #[error(
        "remote {remote} lives on branch {wanted}, and HEAD is {current}: check out {wanted} first"
    )]
    OtherBranch {
        remote: String,
        wanted: String,
        current: String,
    },
    #[error("the work tree has uncommitted changes ({0}): commit or stash them first")]
    Dirty(String),
    #[error("{0}")]
    NotInSync(String),
    #[error("give --workspace <id> (an existing workspace) or --new-workspace <name>: Postman's answer about API {0} does not say which workspace it is in")]
    NoDestination(String),
    #[error("Postman could not move API {api}: {reason}; nothing changed here")]
    Failed { api: String, reason: String },
    #[error("{0}; nothing changed here: run git postman migrate again later to pick it up")]
    StillRunning(migration::Error),
    #[error("Postman moved API {api} to workspace {moved}, not {asked}: run git postman migrate --workspace {moved}")]
    MovedElsewhere {
        api: String,
        moved: String,
        asked: String,
    },
    #[error("git config {key} is {value:?}; expected {expected}")]
    BadConfig {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

pub fn run(args: &MigrateArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ws = Workspace::discover("migrate")?;
    let remote = pick(&ws, args.remote.as_deref())?;
    let Target::Api(url) = &remote.target else {
        let what = kind::describe(&remote.target);
        return Err(Error::NotAnApi(remote.name.clone(), what));
    };
    let dirty = ws.git(["status", "--porcelain", "--untracked-files=no"])?;
    if let Some(first) = dirty.lines().next() {
        return Err(Error::Dirty(first.trim().to_string()));
    }
    let resumed = local::resumable(&ws, &remote.name, &url.api_id)?;
    let read_api = |c: &Client| c.get::<Api>(&["apis", &url.api_id], &[]);
    let (client, api) = match &resumed {
        Some(_) => {
            let (client, api) = apikey::first_request(&url.base, read_api)?;
            (client, api?)
        }
        None => {
            let client = in_sync(&ws, &remote)?;
            let api = read_api(&client)?;
            (client, api)
        }
    };

    let workspace_id = match &resumed {
        Some(moved) => moved.workspace_id.clone(),
        None => migrate(&ws, &client, url, args)?,
    };
    let moved = local::finish(
        &ws,
        &client,
        &remote,
        url,
        &api.name,
        &workspace_id,
        resumed,
    )?;
    report(out, &api.name, url, &remote.name, &moved)
}

fn report(
    out: &mut dyn Write,
    api_name: &str,
    url: &RemoteUrl,
    remote: &str,
    moved: &local::Moved,
) -> Result<(), Error> {
    writeln!(
        out,
        "Postman moved API {api_name:?} ({}) to Spec Hub, in workspace {:?} ({}).",
        url.api_id, moved.workspace_name, moved.workspace_id
    )?;
    let short = crate::remote::tree::short_id(moved.commit);
    writeln!(out, "[{} {short}] {}", moved.branch, moved.subject)?;
    let removed = kind::counted(moved.removed, "file");
    writeln!(out, "  removed  {removed} of the API's layout")?;
    writeln!(out, "  wrote    {}", moved.counts)?;
    writeln!(
        out,
        "Remote {remote} now fetches and pushes the workspace ({}); {remote}/main is this commit.",
        moved.url
    )?;
    Ok(())
}

/// The remote to move: the one named, else the only API Builder remote. With none,
/// the only workspace remote is named, so that running again after a migration says
/// what the remote became.
fn pick(ws: &Workspace, named: Option<&str>) -> Result<PostmanRemote, Error> {
    kind::pick(ws, named, |t| matches!(t, Target::Api(_))).map_err(|e| match e {
        Unpicked::NoSuchRemote(name) => Error::NoSuchRemote(name),
        Unpicked::None => match kind::pick(ws, None, |t| matches!(t, Target::Workspace { .. })) {
            Ok(moved) => Error::NotAnApi(moved.name, kind::describe(&moved.target)),
            Err(_) => Error::NoApiRemote,
        },
        Unpicked::Several(names) => Error::Ambiguous(names),
    })
}

/// The repository holds Postman's current state, on the remote's branch, checked out:
/// `git postman status`'s own numbers, else one line saying what to do. The client that
/// asked Postman.
fn in_sync(ws: &Workspace, remote: &PostmanRemote) -> Result<Client, Error> {
    let (status, client) = status::of_remote(ws, remote)?;
    let current = ws.current_branch()?;
    let branch = status.branch.clone().unwrap_or_else(|| "main".into());
    match current {
        None => return Err(Error::Detached(branch)),
        Some(c) if c != branch => {
            return Err(Error::OtherBranch {
                remote: remote.name.clone(),
                wanted: branch,
                current: c,
            })
        }
        Some(_) => {}
    }
    if let Some(why) = out_of_sync(&status, &branch) {
        return Err(Error::NotInSync(why));
    }
    // `unchanged` means Postman answered, so the client is there.
    client.ok_or_else(|| Error::NotInSync("Postman could not be asked".into()))
}

/// Why the repository does not hold Postman's current state, with the command that
/// fixes it; `None` when it does.
fn out_of_sync(s: &ApiStatus, branch: &str) -> Option<String> {
    let remote = &s.remote;
    let pull = format!("git pull {remote} main");
    let push = match branch {
        "main" => format!("git push {remote} main"),
        b => format!("git push {remote} {b}:main"),
    };
    let commits = |n: usize| kind::counted(n, "commit");
    if s.last_fetched.is_none() {
        return Some(format!(
            "nothing was fetched from {remote} yet: run {pull} first, so that this repository holds Postman's current state"
        ));
    }
    match (s.not_merged, s.postman.state) {
        (Some(n), _) if n > 0 => {
            return Some(format!(
                "{} fetched from Postman {} not merged into {branch}: run {pull} first",
                commits(n),
                if n == 1 { "is" } else { "are" }
            ))
        }
        (_, "changed") => {
            return Some(format!(
                "Postman changed since the last fetch: run {pull} first"
            ))
        }
        (_, "unchanged") => {}
        // Postman answered, but its `updatedAt` is compared after a fetch only.
        (_, _) if s.postman.updated_at.is_some() => {
            return Some(format!(
            "whether Postman changed since your last push is known after a fetch: run {pull} first"
        ))
        }
        (_, _) => {
            let why = s.postman.detail.as_deref().unwrap_or("no answer");
            return Some(format!("cannot ask Postman whether it changed: {why}"));
        }
    }
    match s.not_pushed {
        Some(n) if n > 0 => Some(format!(
            "{} on {branch} not pushed to Postman: run {push} first",
            commits(n)
        )),
        _ => None,
    }
}

/// Postman's migration of the API, to its end: the workspace it went to. The status is
/// read first: a migration already done or under way is waited for, not started again.
fn migrate(
    ws: &Workspace,
    client: &Client,
    url: &RemoteUrl,
    args: &MigrateArgs,
) -> Result<String, Error> {
    let api = &url.api_id;
    let polling = polling(&ws.repo)?;
    let mut read = || client.migration_status(api);
    let first = read()?;
    let wait_from = match first {
        Status::Completed { .. } | Status::Running => Some(first),
        // Never started, or an earlier attempt failed: start one.
        Status::None | Status::Failed { .. } => {
            let to = destination(args).ok_or_else(|| Error::NoDestination(api.clone()))?;
            client.start_migration(api, &to)?;
            None
        }
    };
    let done = migration::wait(&mut read, wait_from, polling, &mut std::thread::sleep).map_err(
        |e| match e {
            e @ migration::Error::StillRunning { .. } => Error::StillRunning(e),
            e => e.into(),
        },
    )?;
    match done {
        Status::Completed { workspace_id } => match &args.workspace {
            Some(asked) if *asked != workspace_id => Err(Error::MovedElsewhere {
                api: api.clone(),
                moved: workspace_id,
                asked: asked.clone(),
            }),
            _ => Ok(workspace_id),
        },
        Status::Failed { reason } => Err(Error::Failed {
            api: api.clone(),
            reason,
        }),
        Status::None | Status::Running => unreachable!("wait returns a final status"),
    }
}

fn destination(args: &MigrateArgs) -> Option<Destination> {
    match (&args.workspace, &args.new_workspace) {
        (Some(id), _) => Some(Destination::Workspace(id.clone())),
        (None, Some(name)) => Some(Destination::NewWorkspace(name.clone())),
        (None, None) => None,
    }
}

/// How long to wait for Postman: [`POLLS_KEY`], [`INTERVAL_KEY`], else the defaults.
fn polling(repo: &gix::Repository) -> Result<Polling, Error> {
    let config = repo.config_snapshot();
    let mut polling = migration::POLLING;
    let value = |key: &'static str| config.string(key).map(|v| v.to_string());
    if let Some(v) = value(POLLS_KEY) {
        polling.reads = v
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or(Error::BadConfig {
                key: POLLS_KEY,
                value: v,
                expected: "a number of reads, 1 or more",
            })?;
    }
    if let Some(v) = value(INTERVAL_KEY) {
        let seconds = v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| (0.0..=3600.0).contains(s));
        let interval = std::time::Duration::from_secs_f64(seconds.ok_or(Error::BadConfig {
            key: INTERVAL_KEY,
            value: v,
            expected: "seconds between 0 and 3600",
        })?);
        polling = Polling::fixed(interval, polling.reads);
    }
    Ok(polling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::porcelain::status::{LastFetched, PostmanCheck};

    fn status(not_pushed: usize, not_merged: usize, postman: &'static str) -> ApiStatus {
        ApiStatus {
            remote: "postman".into(),
            api_id: Some("a".into()),
            workspace_id: None,
            url: "postman::a".into(),
            branch: Some("main".into()),
            schema_root_file: None,
            schema_directory: "postman/schemas".into(),
            collection_directory: "postman/collections".into(),
            last_fetched: Some(LastFetched {
                commit: "c".into(),
                time: "t".into(),
                made_by_fetch: true,
            }),
            not_pushed: Some(not_pushed),
            not_merged: Some(not_merged),
            postman: PostmanCheck {
                state: postman,
                updated_at: None,
                detail: Some("pushed since the last fetch".into()),
            },
        }
    }

    #[test]
    fn out_of_sync_names_the_command_that_fixes_it() {
        assert_eq!(out_of_sync(&status(0, 0, "unchanged"), "main"), None);
        let line = |s: &ApiStatus, b: &str| out_of_sync(s, b).unwrap();
        assert!(line(&status(2, 0, "unchanged"), "dev").ends_with(
            "2 commits on dev not pushed to Postman: run git push postman dev:main first"
        ));
        let mut pushed = status(0, 0, "unknown");
        pushed.postman.updated_at = Some("2024-01-01T00:00:00.000Z".into());
        for s in [status(0, 1, "unchanged"), status(1, 0, "changed"), pushed] {
            assert!(
                line(&s, "main").ends_with("run git pull postman main first"),
                "{}",
                line(&s, "main")
            );
        }
        assert_eq!(
            line(&status(0, 0, "unknown"), "main"),
            "cannot ask Postman whether it changed: pushed since the last fetch"
        );
        let mut never = status(0, 0, "not-fetched");
        never.last_fetched = None;
        assert!(line(&never, "main").starts_with("nothing was fetched from postman yet"));
    }
}
