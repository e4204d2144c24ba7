//! `git postman status`: where each connected API (and workspace) stands.
//!
//! Local facts come from git: R (`refs/postman/<remote>/heads/main`, the state last
//! fetched or pushed) against the remote's branch. Whether Postman changed since costs
//! one small request per API, `GET /apis/{id}`: its `updatedAt` is compared with the
//! value the last fetch saw (kept in the remote's cache), or, when the cache has none,
//! with the time of R when Postman's state made R. A workspace's `updatedAt` moves only
//! when an element is added or removed, so for a workspace status reads the listings as
//! fetch does (`GET /workspaces/{id}`, then the spec, file, collection and environment
//! listings and the globals; nothing the cache holds is downloaded) and compares the
//! state with R's Postman view, as fetch's rule 1 does.

use std::collections::BTreeMap;
use std::io::Write;

use gix::ObjectId;
use serde::Serialize;
use url::Url;

use super::cli::StatusArgs;
use super::dotfiles;
use super::kind;
use super::target::remote_url_string;
use super::workspace::{self, PostmanRemote, Workspace};
use crate::layout::managed::display_dir;
use crate::layout::mapping::Mapping;
use crate::layout::workspace::{COLLECTIONS_DIR, SPECS_DIR};
use crate::postman::time::{self, format_utc};
use crate::postman::{self, apikey, Client};
use crate::remote::state::RemoteState;
use crate::remote::url::Target;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    DotFiles(#[from] dotfiles::Error),
    #[error("git: {0}")]
    Git(#[from] gix::Error),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    #[error("no remote {0} with a postman:: URL here")]
    NoSuchRemote(String),
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

/// One remote's status: an API's (in `apis`) or a workspace's (in `workspaces`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStatus {
    pub remote: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    pub url: String,
    pub branch: Option<String>,
    pub schema_root_file: Option<String>,
    pub schema_directory: String,
    pub collection_directory: String,
    /// R: the Postman state last fetched (or pushed).
    pub last_fetched: Option<LastFetched>,
    /// Commits on the branch that Postman does not have.
    pub not_pushed: Option<usize>,
    /// Commits of R that the branch does not have yet.
    pub not_merged: Option<usize>,
    pub postman: PostmanCheck,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastFetched {
    pub commit: String,
    /// The commit's time, UTC: Postman's `updatedAt` for a commit fetch made.
    pub time: String,
    /// Whether R is a commit fetch made (else a commit you pushed).
    pub made_by_fetch: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostmanCheck {
    /// `unchanged`, `changed`, `unknown`, `not-fetched` or `not-checked`.
    pub state: &'static str,
    pub updated_at: Option<String>,
    pub detail: Option<String>,
}

impl PostmanCheck {
    fn new(state: &'static str, updated_at: Option<String>, detail: Option<String>) -> Self {
        PostmanCheck {
            state,
            updated_at,
            detail,
        }
    }
}

pub fn run(args: &StatusArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ws = Workspace::discover("status")?;
    let mut remotes = ws.postman_remotes();
    if let Some(only) = &args.remote {
        remotes.retain(|r| &r.name == only);
        if remotes.is_empty() {
            return Err(Error::NoSuchRemote(only.clone()));
        }
    }
    let branches = Branches::read(&ws)?;
    let mut clients = Clients::default();
    let mut statuses = Vec::new();
    for remote in &remotes {
        let branch = branches.of(remote);
        statuses.push(status_of(&ws, remote, branch, args.offline, &mut clients)?);
    }
    if args.json {
        let (apis, workspaces): (Vec<_>, Vec<_>) =
            statuses.iter().partition(|s| s.api_id.is_some());
        let all = serde_json::json!({ "apis": apis, "workspaces": workspaces });
        let text = serde_json::to_string_pretty(&all).expect("status serializes");
        writeln!(out, "{text}")?;
    } else {
        print_table(out, &statuses)?;
    }
    Ok(())
}

/// One remote's status as `git postman status --remote <name>` computes it (Postman
/// asked), and the client that asked, when the key worked (`git postman migrate`).
pub(super) fn of_remote(
    ws: &Workspace,
    remote: &PostmanRemote,
) -> Result<(ApiStatus, Option<Client>), Error> {
    let branch = Branches::read(ws)?.of(remote);
    let mut clients = Clients::default();
    let status = status_of(ws, remote, branch, false, &mut clients)?;
    Ok((status, clients.take(remote.target.base())))
}

/// Which branch each remote's API lives on: `postmanBranch`, else the local branch that
/// tracks the remote, else the current branch.
struct Branches {
    tracking: BTreeMap<String, String>,
    current: Option<String>,
}

impl Branches {
    fn read(ws: &Workspace) -> Result<Branches, Error> {
        Ok(Branches {
            tracking: tracking_branches(ws)?,
            current: ws.current_branch()?,
        })
    }

    fn of(&self, remote: &PostmanRemote) -> Option<String> {
        remote
            .branch
            .clone()
            .or_else(|| self.tracking.get(&remote.name).cloned())
            .or_else(|| self.current.clone())
    }
}

fn status_of(
    ws: &Workspace,
    remote: &PostmanRemote,
    branch: Option<String>,
    offline: bool,
    clients: &mut Clients,
) -> Result<ApiStatus, Error> {
    let state = RemoteState::open(&ws.repo, Some(&remote.name));
    let last = state.last_reported(&ws.repo)?;

    // Where the files are: a workspace's are Native Git's; an API's mapping as the
    // remote helper resolves it: config, else the `.postman/api_<id>` of R's Postman
    // view (else of the working tree), else defaults.
    let (root_file, schema_dir, collection_dir) = match &remote.target {
        Target::Api(url) => {
            let entity = match last {
                Some(r) => {
                    let tree = crate::remote::view::Trees::of(&ws.repo, &state, r)?.view;
                    crate::remote::api_builder::history::entity_data(&ws.repo, tree, &url.api_id)?
                }
                None => dotfiles::read_entity(ws, &url.api_id)?,
            };
            let mapping = Mapping::resolve(&remote.overrides, entity.as_ref());
            let schema_dir = display_dir(&mapping.schema_dir).to_string();
            (mapping.root_file, schema_dir, mapping.collection_dir)
        }
        Target::Workspace { .. } => (None, SPECS_DIR.into(), COLLECTIONS_DIR.into()),
    };

    let last_fetched = match last {
        Some(r) => Some(describe_commit(&ws.repo, r, &remote.target)?),
        None => None,
    };
    let tip = branch.as_deref().and_then(|b| ws.branch_tip(b));
    let (not_pushed, not_merged) = match (last, tip) {
        (Some(r), Some(tip)) => (
            Some(count(ws, &format!("{r}..{tip}"))?),
            Some(count(ws, &format!("{tip}..{r}"))?),
        ),
        _ => (None, None),
    };

    let postman = match last {
        _ if offline => PostmanCheck::new("not-checked", None, None),
        None => PostmanCheck::new(
            "not-fetched",
            None,
            Some(format!("nothing fetched yet: git fetch {}", remote.name)),
        ),
        Some(r) => match clients.look(&remote.target) {
            Err(why) => PostmanCheck::new("unknown", None, Some(why)),
            // An API: its `updatedAt` tells.
            Ok(kind::Looked {
                updated_at: now,
                workspace: None,
                ..
            }) => compare_updated_at(now, kind::seen_updated_at(&state), last_fetched.as_ref()),
            // A workspace: read as the remote helper would, from the answer just had.
            Ok(kind::Looked {
                updated_at: now,
                workspace: Some(looked),
                ..
            }) => {
                let view = crate::remote::view::Trees::of(&ws.repo, &state, r)?.view;
                let client = clients.client(remote.target.base());
                let holds = client.ok_or_else(|| "no client".to_string()).and_then(|c| {
                    kind::workspace_holds(&ws.repo, &remote.name, looked, &state, view, c)
                        .map_err(|e| e.to_string())
                });
                match holds {
                    Ok(true) => PostmanCheck::new("unchanged", now, None),
                    Ok(false) => PostmanCheck::new("changed", now, None),
                    Err(why) => PostmanCheck::new("unknown", now, Some(why)),
                }
            }
        },
    };

    Ok(ApiStatus {
        remote: remote.name.clone(),
        api_id: matches!(remote.target, Target::Api(_)).then(|| remote.target.id().into()),
        workspace_id: matches!(remote.target, Target::Workspace { .. })
            .then(|| remote.target.id().into()),
        url: remote_url_string(&remote.target),
        branch,
        schema_root_file: root_file,
        schema_directory: schema_dir,
        collection_directory: collection_dir,
        last_fetched,
        not_pushed,
        not_merged,
        postman,
    })
}

/// Postman's `updatedAt` now, against what the last fetch saw, else against R's time
/// when fetch made R (R's time is the latest `updatedAt` of the state it holds).
fn compare_updated_at(
    now: Option<String>,
    seen: Option<&str>,
    last: Option<&LastFetched>,
) -> PostmanCheck {
    let Some(now) = now else {
        return PostmanCheck::new("unknown", None, Some("Postman gave no updatedAt".into()));
    };
    let changed = match (seen, last) {
        (Some(seen), _) => Some(seen != now),
        (None, Some(last)) if last.made_by_fetch => {
            match (time::parse(&now), time::parse(&last.time)) {
                (Some(now), Some(then)) => Some(now > then),
                _ => None,
            }
        }
        _ => None,
    };
    match changed {
        Some(true) => PostmanCheck::new("changed", Some(now), None),
        Some(false) => PostmanCheck::new("unchanged", Some(now), None),
        None => PostmanCheck::new(
            "unknown",
            Some(now),
            Some("pushed since the last fetch; git fetch tells (it creates nothing when Postman has what you pushed)".into()),
        ),
    }
}

/// One client per server, made on first use (the key is looked up once per server).
#[derive(Default)]
struct Clients {
    by_server: BTreeMap<String, Result<Client, String>>,
}

impl Clients {
    /// The client of `base`, once [`Clients::look`] made it with a key Postman took.
    fn client(&self, base: &Url) -> Option<&Client> {
        self.by_server.get(base.as_str())?.as_ref().ok()
    }

    /// The client of `base`, taken out.
    fn take(&mut self, base: &Url) -> Option<Client> {
        self.by_server.remove(base.as_str())?.ok()
    }

    /// The API's (workspace's) name and `updatedAt`: one request per remote ([`kind::look`]).
    fn look(&mut self, target: &Target) -> Result<kind::Looked, String> {
        let get = |client: &Client| kind::look(client, target);
        let base: &Url = target.base();
        let server = base.to_string();
        if let Some(client) = self.by_server.get(&server) {
            let client = client.as_ref().map_err(String::clone)?;
            return get(client).map_err(|e| e.to_string());
        }
        // First API on this server: the key is looked up, used and reported once; a key
        // Postman refused is not tried again.
        let first = apikey::first_request(base, get).and_then(|(client, answer)| match answer {
            Err(e @ postman::Error::Unauthorized { .. }) => Err(e),
            answer => Ok((client, answer)),
        });
        match first {
            Ok((client, answer)) => {
                self.by_server.insert(server, Ok(client));
                answer.map_err(|e| e.to_string())
            }
            Err(e) => {
                self.by_server.insert(server, Err(e.to_string()));
                Err(e.to_string())
            }
        }
    }
}

fn describe_commit(
    repo: &gix::Repository,
    id: ObjectId,
    target: &Target,
) -> Result<LastFetched, Error> {
    let commit = repo.find_commit(id)?;
    let seconds = commit.time()?.seconds;
    let by_fetch = commit
        .author()
        .is_ok_and(|a| a.email == kind::author_email(target).as_str());
    Ok(LastFetched {
        commit: id.to_string(),
        time: format_utc(seconds),
        made_by_fetch: by_fetch,
    })
}

/// `git rev-list --count <range>`.
fn count(ws: &Workspace, range: &str) -> Result<usize, Error> {
    Ok(ws
        .git(["rev-list", "--count", range, "--"])?
        .trim()
        .parse()
        .unwrap_or(0))
}

/// Remote name -> the local branch whose upstream is on it.
fn tracking_branches(ws: &Workspace) -> Result<BTreeMap<String, String>, Error> {
    let listed = ws.git([
        "for-each-ref",
        "--format=%(upstream:remotename) %(refname:short)",
        "refs/heads/",
    ])?;
    Ok(listed
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(remote, _)| !remote.is_empty())
        .map(|(remote, branch)| (remote.to_string(), branch.to_string()))
        .collect())
}

fn print_table(out: &mut dyn Write, statuses: &[ApiStatus]) -> std::io::Result<()> {
    if statuses.is_empty() {
        return writeln!(
            out,
            "No Postman API is connected here. To connect one:\n  git postman connect <apiId> --schema-file <root file> --collection-dir <dir>\nor a Postman v12 workspace:\n  git postman connect --workspace <workspaceId>"
        );
    }
    let header = [
        "REMOTE",
        "KIND",
        "ID",
        "BRANCH",
        "SCHEMA",
        "COLLECTIONS",
        "LAST FETCHED",
        "NOT PUSHED",
        "NOT MERGED",
        "POSTMAN",
    ];
    let dash = || "-".to_string();
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|s| {
            // One word a script can match: `api` (API Builder) or `workspace` (v12).
            let kind = match &s.api_id {
                Some(_) => "api",
                None => "workspace",
            };
            vec![
                s.remote.clone(),
                kind.to_string(),
                s.api_id
                    .clone()
                    .or_else(|| s.workspace_id.clone())
                    .unwrap_or_default(),
                s.branch.clone().unwrap_or_else(dash),
                // A workspace has no one root file: its specs' directory.
                match (&s.schema_root_file, &s.workspace_id) {
                    (Some(root), _) => root.clone(),
                    (None, Some(_)) => s.schema_directory.clone(),
                    (None, None) => dash(),
                },
                s.collection_directory.clone(),
                s.last_fetched
                    .as_ref()
                    .map(|l| l.time.clone())
                    .unwrap_or_else(|| "never".into()),
                s.not_pushed.map(commits).unwrap_or_else(dash),
                s.not_merged.map(commits).unwrap_or_else(dash),
                s.postman.state.to_string(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        text
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    for s in statuses {
        match s.postman.state {
            "changed" => writeln!(
                out,
                "{}: Postman changed since the last fetch: git fetch {}",
                s.remote, s.remote
            )?,
            "unknown" | "not-fetched" => writeln!(
                out,
                "{}: {}",
                s.remote,
                s.postman.detail.as_deref().unwrap_or("unknown")
            )?,
            _ => {}
        }
    }
    Ok(())
}

fn commits(n: usize) -> String {
    match n {
        1 => "1 commit".into(),
        n => format!("{n} commits"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postman_changes_are_told_by_updated_at() {
        let fetched = LastFetched {
            commit: "x".into(),
            time: "2024-01-01T00:00:05Z".into(),
            made_by_fetch: true,
        };
        let now = |s: &str| Some(s.to_string());
        let seen = Some("2024-01-01T00:00:05.000Z");
        assert_eq!(
            compare_updated_at(now("2024-01-01T00:00:05.000Z"), seen, Some(&fetched)).state,
            "unchanged"
        );
        assert_eq!(
            compare_updated_at(now("2024-01-01T00:00:06.000Z"), seen, Some(&fetched)).state,
            "changed"
        );
        assert_eq!(
            compare_updated_at(now("2024-01-01T00:00:04.000Z"), None, Some(&fetched)).state,
            "unchanged"
        );
        let pushed = LastFetched {
            made_by_fetch: false,
            ..fetched
        };
        assert_eq!(
            compare_updated_at(now("2024-01-01T00:00:09.000Z"), None, Some(&pushed)).state,
            "unknown"
        );
    }
}
