//! `git postman connect`: maps an existing repository to a Postman API (`apis`) or a
//! Postman v12 workspace (`workspaces`).
//!
//! Everything is checked before anything is written: the target, the remote name, the
//! branch, then what the kind of remote needs (its files, Postman itself: it exists, the
//! key works). Then, in order: the remote, its settings in git config, the base ref, the
//! kind's dot-files in the working tree; a failure on the way undoes it all.
//!
//! What is the same for both kinds is here; what a kind adds is a [`Connection`].

mod apis;
mod workspaces;

use std::io::Write;

use gix::ObjectId;

use super::cli::ConnectArgs;
use super::compare::{Change, Difference};
use super::kind::describe;
use super::target::{self, remote_url_string};
use super::workspace::{self, Workspace};
use crate::remote::url::Target;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Target(#[from] target::Error),
    #[error(transparent)]
    Api(#[from] apis::Error),
    #[error(transparent)]
    PostmanWorkspace(#[from] workspaces::Error),
    #[error("{0:?} is not a usable remote name: letters, digits, `.`, `_` and `-` only, not starting with `.` or `-`")]
    RemoteName(String),
    #[error("remote {name} already exists ({url}): pick another name with --remote, or remove it first (git postman disconnect --remote {name})")]
    RemoteExists { name: String, url: String },
    #[error("{what} is already connected as remote {remote}")]
    AlreadyConnected { what: String, remote: String },
    #[error("give the API to connect, or --workspace <workspaceId>")]
    NothingToConnect,
    #[error("{0} is for an API; a workspace has Native Git's layout (postman/specs, postman/collections, ...)")]
    NotForWorkspace(&'static str),
    #[error("HEAD is detached: check out the branch the API lives on first")]
    Detached,
    #[error("--branch {wanted}: check it out first (HEAD is {current}); connect reads and writes the working tree")]
    BranchNotCheckedOut { wanted: String, current: String },
    #[error("branch {0} has no commit yet: commit your files first (the first fetch builds on that commit), or start from Postman with git clone postman::<apiId>")]
    NoCommit(String),
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

/// What one kind of remote adds to a connection, worked out (Postman read, the working
/// tree checked) before anything is written.
trait Connection {
    /// `remote.<name>.<key>` settings besides the URL and `postmanBranch`.
    fn settings(&self) -> Vec<(&'static str, String)>;
    /// The dot-files connect writes in the working tree (left for the user to commit).
    fn files(&self) -> Vec<(String, Vec<u8>)>;
    /// What was connected and what differs from Postman.
    fn report(&self, out: &mut dyn Write, at: &Connected<'_>) -> std::io::Result<()>;
}

/// Where a connection was made, for the report.
struct Connected<'a> {
    remote: &'a str,
    url: String,
    branch: &'a str,
    /// The commit the first fetch builds on; `None` on a branch with no commit yet (a
    /// workspace's first fetch then makes the commit a clone makes).
    base: Option<ObjectId>,
}

pub fn run(args: &ConnectArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ws = Workspace::discover("connect")?;
    let target = match (&args.workspace, &args.api) {
        (Some(id), None) => target::parse_workspace(id, args.base_url.as_deref())?,
        (None, Some(api)) => target::parse(api, args.base_url.as_deref())?,
        _ => return Err(Error::NothingToConnect),
    };
    let remote = args.remote.as_str();
    check_remote_name(remote)?;
    if let Some(existing) = remote_url(&ws, remote) {
        return Err(Error::RemoteExists {
            name: remote.to_string(),
            url: existing,
        });
    }
    let remotes = ws.postman_remotes();
    if let Some(other) = remotes.iter().find(|r| r.target == target) {
        return Err(Error::AlreadyConnected {
            what: describe(&target),
            remote: other.name.clone(),
        });
    }
    let branch = ws.current_branch()?.ok_or(Error::Detached)?;
    if let Some(wanted) = &args.branch {
        if *wanted != branch {
            return Err(Error::BranchNotCheckedOut {
                wanted: wanted.clone(),
                current: branch,
            });
        }
    }
    let base = ws.head_commit();

    let connection: Box<dyn Connection> = match &target {
        Target::Api(url) => {
            let base = base.ok_or_else(|| Error::NoCommit(branch.clone()))?;
            Box::new(apis::prepare(&ws, args, url, &remotes, &branch, base)?)
        }
        Target::Workspace {
            base: server,
            workspace_id,
        } => {
            for (given, option) in [
                (args.schema_file.is_some(), "--schema-file"),
                (args.collection_dir.is_some(), "--collection-dir"),
                (args.collection_format.is_some(), "--collection-format"),
            ] {
                if given {
                    return Err(Error::NotForWorkspace(option));
                }
            }
            Box::new(workspaces::prepare(
                &ws,
                server,
                workspace_id,
                base,
                &remotes,
                &branch,
            )?)
        }
    };

    write_connection(&ws, remote, &target, &branch, base, connection.as_ref())?;
    let at = Connected {
        remote,
        url: remote_url_string(&target),
        branch: &branch,
        base,
    };
    connection.report(out, &at)?;
    Ok(())
}

fn write_connection(
    ws: &Workspace,
    remote: &str,
    target: &Target,
    branch: &str,
    base: Option<ObjectId>,
    connection: &dyn Connection,
) -> Result<(), Error> {
    ws.git(["remote", "add", remote, &remote_url_string(target)])?;
    let rest = || -> Result<(), Error> {
        let mut settings = connection.settings();
        settings.push(("postmanBranch", branch.to_string()));
        for (name, value) in settings {
            ws.git(["config", &format!("remote.{remote}.{name}"), &value])?;
        }
        if let Some(base) = base {
            ws.git([
                "update-ref",
                "-m",
                "postman: connect",
                &format!("refs/postman/{remote}/base"),
                &base.to_string(),
            ])?;
        }
        for (path, bytes) in connection.files() {
            ws.write(&path, &bytes)?;
        }
        Ok(())
    };
    rest().inspect_err(|_| {
        // Leave nothing half-connected behind.
        let _ = ws.git(["remote", "remove", remote]);
        let _ = ws.git(["update-ref", "-d", &format!("refs/postman/{remote}/base")]);
    })
}

/// The end of a report, the same for every kind: how the working tree compares with
/// Postman (`None`: Postman has nothing yet, `empty` says so) and the two ways on;
/// `wrote`: connect wrote dot-files the user commits first.
fn report_differences(
    out: &mut dyn Write,
    at: &Connected<'_>,
    differences: Option<&[Difference]>,
    empty: &str,
    wrote: bool,
) -> std::io::Result<()> {
    let remote = at.remote;
    let push = if at.branch == "main" {
        "main".to_string()
    } else {
        format!("{}:main", at.branch)
    };
    // The first fetch lays Postman's state on the base commit, so a merge sees Postman's
    // files as the change: `-X theirs` also settles the dot-files both sides added.
    let take_theirs = format!("git fetch {remote} && git merge -X theirs {remote}/main");
    let take_ours = format!(
        "git fetch {remote} && git merge -s ours {remote}/main && git push {remote} {push}"
    );
    let (after, reports) = match wrote {
        true => (" after that commit,", "reports it"),
        false => ("", "reports HEAD"),
    };
    match differences {
        None => {
            let when = if wrote { ", after that commit" } else { "" };
            writeln!(out, "{empty} To upload yours{when}:\n  {take_ours}")
        }
        Some([]) => writeln!(
            out,
            "Postman has exactly these files:{after} `git fetch {remote}` {reports} as {remote}/main, with nothing to merge; `git push {remote} {push}` then sends what you change."
        ),
        Some(differences) => {
            writeln!(out, "Postman and your files differ:")?;
            for d in differences {
                let what = match d.change {
                    Change::Differs => "differs        ",
                    Change::OnlyInPostman => "only in Postman",
                    Change::OnlyHere => "only here      ",
                };
                writeln!(out, "  {what}  {}", d.path)?;
            }
            let either = if wrote { "After that commit, either" } else { "Either" };
            writeln!(
                out,
                "{either} take Postman's files:\n  {take_theirs}\nor make Postman equal to yours:\n  {take_ours}"
            )
        }
    }
}

/// Remote names become ref and directory names (`refs/postman/<name>/`,
/// `.git/postman/<name>/`): keep them plain.
fn check_remote_name(name: &str) -> Result<(), Error> {
    let plain = !name.is_empty()
        && !name.starts_with(['.', '-'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        Ok(())
    } else {
        Err(Error::RemoteName(name.to_string()))
    }
}

/// The URL of remote `name`, if it exists (whatever kind it is).
fn remote_url(ws: &Workspace, name: &str) -> Option<String> {
    let exists = ws.repo.remote_names().iter().any(|n| *n == name);
    exists.then(|| {
        ws.repo
            .config_snapshot()
            .string(format!("remote.{name}.url").as_str())
            .map(|u| u.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_names() {
        for ok in ["postman", "sms", "api.v2", "a_b-c"] {
            assert!(check_remote_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".x", "-x", "a/b", "a..b", "x.lock", "a b", "ü"] {
            assert!(check_remote_name(bad).is_err(), "{bad}");
        }
    }
}
