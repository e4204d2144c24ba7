//! The repository's side of a migration: one commit on HEAD whose tree is HEAD's with
//! the API's layout taken out (what `api_builder::history::managed_paths` says the API
//! manages, and its dot-files) and the workspace laid in by the workspace remote's own
//! `Layout::apply`, so it holds exactly what `git clone` of the workspace writes plus
//! every file the API did not manage. Then the remote is the workspace's, as if that
//! commit had been fetched from it: R and `<remote>/main` are the commit, the cache is
//! the workspace read's, so `git pull` is up to date and a push sends only what changed.
//!
//! Order: the commit, the branch (work tree first: `read-tree -m -u` refuses to
//! overwrite an untracked file, and then nothing changed), then R, the cache, the
//! remote-tracking branch and last the URL. A run stopped after the branch moved is
//! recognised by the commit's trailers ([`resumable`]) and finished.

use std::collections::BTreeSet;

use gix::object::tree::EntryKind;
use gix::ObjectId;

use super::super::kind;
use super::super::target::remote_url_string;
use super::super::workspace::{self, PostmanRemote, Workspace};
use crate::layout::dotpostman::{self, ApiIndex, INDEX_PATH};
use crate::postman::{self, Client};
use crate::remote::api_builder::{history, ApiBuilder};
use crate::remote::backend::{Backend, Layout};
use crate::remote::progress::Progress;
use crate::remote::state::{Cache, RemoteState};
use crate::remote::tree::{blobs_by_path, outermost, read_file, tree_of};
use crate::remote::url::{RemoteUrl, Target};
use crate::remote::view::Trees;
use crate::remote::workspace::{State, Workspace as WorkspaceBackend, WorkspaceLayout};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    #[error(transparent)]
    Postman(#[from] postman::Error),
    #[error("git: {0}")]
    Git(#[from] gix::Error),
    #[error("{INDEX_PATH}: {0}")]
    Index(#[from] dotpostman::Error),
    #[error("this branch has no commit: nothing to move")]
    NoCommit,
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// The trailers of the migration commit: how a later run recognises it.
const API_TRAILER: &str = "Postman-Api: ";
const WORKSPACE_TRAILER: &str = "Postman-Workspace: ";
/// The API layout's settings, which mean nothing to a workspace remote.
const API_KEYS: [&str; 4] = [
    "postmanSchemaDirectory",
    "postmanCollectionDirectory",
    "postmanRootFile",
    "postmanCollectionFormat",
];

/// A migration commit already on the branch (a run stopped before it switched the
/// remote): HEAD, and the workspace it names.
pub struct Resumable {
    pub commit: ObjectId,
    pub workspace_id: String,
}

/// What [`finish`] did.
pub struct Moved {
    pub commit: ObjectId,
    pub branch: String,
    pub subject: String,
    /// Files of the API's layout the commit took out.
    pub removed: usize,
    /// "1 spec, 2 collections, 0 environments and .postman/resources.yaml".
    pub counts: String,
    pub workspace_name: String,
    pub workspace_id: String,
    pub url: String,
}

/// HEAD, when it is the migration commit of API `api_id` on R (or R itself).
pub fn resumable(ws: &Workspace, remote: &str, api_id: &str) -> Result<Option<Resumable>> {
    let Some(head) = ws.head_commit() else {
        return Ok(None);
    };
    let commit = ws.repo.find_commit(head)?;
    let message = commit.message_raw()?.to_string();
    let trailer = |key: &str| {
        message
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    let (Some(api), Some(workspace_id)) = (trailer(API_TRAILER), trailer(WORKSPACE_TRAILER)) else {
        return Ok(None);
    };
    let last = RemoteState::open(&ws.repo, Some(remote)).last_reported(&ws.repo)?;
    let parent = commit.parent_ids().next().map(|p| p.detach());
    let on_r = last.is_some() && (last == Some(head) || last == parent);
    Ok((api == api_id && on_r).then_some(Resumable {
        commit: head,
        workspace_id,
    }))
}

/// Reads the workspace, makes the commit (unless `resumed` made it) and switches the
/// remote over.
pub fn finish(
    ws: &Workspace,
    client: &Client,
    remote: &PostmanRemote,
    url: &RemoteUrl,
    api_name: &str,
    workspace_id: &str,
    resumed: Option<Resumable>,
) -> Result<Moved> {
    let repo = &ws.repo;
    let mut backend = WorkspaceBackend::new(workspace_id);
    backend.open(client)?;
    let layout = backend.layout(repo, Some(&remote.name), None)?;
    let live = backend.read_current(client, repo, &layout, &Cache::new(), &mut Progress::off())?;
    let workspace_name = live.read.name.clone();
    let branch = ws.current_branch()?.unwrap_or_default();
    let subject = format!("Move API \"{api_name}\" to Postman workspace \"{workspace_name}\"");

    let (commit, parent) = match resumed {
        Some(r) => {
            let parent = repo.find_commit(r.commit)?.parent_ids().next();
            (r.commit, parent.ok_or(Error::NoCommit)?.detach())
        }
        None => {
            let head = ws.head_commit().ok_or(Error::NoCommit)?;
            let tree = migrated_tree(repo, &remote.name, &url.api_id, head, &layout, &live)?;
            let message = message(&subject, &url.api_id, &remote.name, workspace_id);
            let commit = land(ws, head, tree, &message, &subject)?;
            (commit, head)
        }
    };
    let removed = removed(repo, parent, commit)?;
    let target = Target::Workspace {
        base: url.base.clone(),
        workspace_id: workspace_id.to_string(),
    };
    switch_remote(ws, &remote.name, &backend, &live, commit, &target)?;
    Ok(Moved {
        commit,
        branch,
        subject,
        removed,
        counts: counts(&live),
        workspace_name,
        workspace_id: workspace_id.to_string(),
        url: remote_url_string(&target),
    })
}

/// Commits `tree` on `head` (git's own author identity) and moves the branch and the
/// work tree to it: the work tree first, since `read-tree -m -u` refuses to overwrite
/// an untracked file and then nothing changed.
fn land(
    ws: &Workspace,
    head: ObjectId,
    tree: ObjectId,
    message: &str,
    subject: &str,
) -> Result<ObjectId> {
    let (head, tree) = (head.to_string(), tree.to_string());
    let out = ws.git_with_input(["commit-tree", &tree, "-p", &head], Some(message))?;
    let commit = ObjectId::from_hex(out.trim().as_bytes()).map_err(|e| workspace::Error::Git {
        args: "commit-tree".into(),
        stderr: e.to_string(),
    })?;
    let id = commit.to_string();
    ws.git(["read-tree", "-m", "-u", &head, &id])?;
    let reflog = format!("postman migrate: {subject}");
    ws.git(["update-ref", "-m", &reflog, "HEAD", &id, &head])?;
    Ok(commit)
}

/// HEAD's tree without the API's layout, with the workspace's (`live`) laid in.
fn migrated_tree(
    repo: &gix::Repository,
    remote: &str,
    api_id: &str,
    head: ObjectId,
    layout: &WorkspaceLayout,
    live: &State,
) -> Result<ObjectId> {
    let head_tree = tree_of(repo, head)?;
    // The API's mapping as the remote helper resolves it, from R's Postman view (HEAD's
    // own `.postman/api_<id>` may be stale after a push, by design).
    let state = RemoteState::open(repo, Some(remote));
    let view = match state.last_reported(repo)? {
        Some(r) => Trees::of(repo, &state, r)?.view,
        None => head_tree,
    };
    let api = ApiBuilder::new(api_id);
    let mapping = api.layout(repo, Some(remote), Some(view))?.mapping;
    let mut paths = history::managed_paths(repo, head_tree, api_id, &mapping)?;
    paths.extend(history::managed_paths(repo, view, api_id, &mapping)?);
    paths.push(dotpostman::entity_path(api_id));
    let mut editor = repo.edit_tree(head_tree)?;
    for path in outermost(paths) {
        editor.remove(path.as_str())?;
    }
    // `.postman/api` goes, or keeps the other APIs it lists.
    if let Some(bytes) = read_file(repo, head_tree, INDEX_PATH)? {
        let mut index = ApiIndex::parse(&String::from_utf8_lossy(&bytes))?;
        index.without_api(api_id);
        match index.api_ids.is_empty() {
            true => editor.remove(INDEX_PATH)?,
            false => {
                let blob = repo.write_blob(index.render().as_bytes())?.detach();
                editor.upsert(INDEX_PATH, EntryKind::Blob, blob)?
            }
        };
    }
    let base = editor.write()?.detach();
    Ok(layout.apply(repo, base, live)?)
}

/// How many files of `parent` the commit no longer has.
fn removed(repo: &gix::Repository, parent: ObjectId, commit: ObjectId) -> Result<usize> {
    let before = blobs_by_path(repo, tree_of(repo, parent)?)?;
    let after: BTreeSet<String> = blobs_by_path(repo, tree_of(repo, commit)?)?
        .into_keys()
        .collect();
    Ok(before.keys().filter(|p| !after.contains(*p)).count())
}

/// The remote stands for the workspace, as if the commit had been fetched from it.
fn switch_remote(
    ws: &Workspace,
    remote: &str,
    backend: &WorkspaceBackend,
    live: &State,
    commit: ObjectId,
    target: &Target,
) -> Result<()> {
    let repo = &ws.repo;
    let mut state = RemoteState::open(repo, Some(remote));
    state.set_last_reported(repo, commit)?;
    let view = format!("refs/postman/{remote}/view");
    if repo.try_find_reference(view.as_str())?.is_some() {
        ws.git(["update-ref", "-d", &view])?;
    }
    // The API's cache keys mean nothing to the workspace; the read just made is what
    // the next fetch starts from.
    state.backend_cache_mut().clear();
    backend.remember(live, state.backend_cache_mut());
    state.save()?;
    let tracking = format!("refs/remotes/{remote}/main");
    ws.git([
        "update-ref",
        "-m",
        "postman migrate",
        &tracking,
        &commit.to_string(),
    ])?;
    for key in API_KEYS {
        if crate::config::remote_value(repo, remote, key).is_some() {
            ws.git(["config", "--unset-all", &format!("remote.{remote}.{key}")])?;
        }
    }
    ws.git([
        "config",
        &format!("remote.{remote}.url"),
        &remote_url_string(target),
    ])?;
    Ok(())
}

fn counts(live: &State) -> String {
    let ws = &live.read.state;
    let n = [
        (ws.specs.len(), "spec"),
        (ws.collections.len(), "collection"),
        (ws.environments.len(), "environment"),
    ];
    let listed: Vec<String> = n.iter().map(|(n, what)| kind::counted(*n, what)).collect();
    format!("{} and .postman/resources.yaml", listed.join(", "))
}

/// The commit message: what happened (the subject names the API and the workspace),
/// and the trailers with their ids, which [`resumable`] reads.
fn message(subject: &str, api_id: &str, remote: &str, workspace_id: &str) -> String {
    format!(
        "{subject}\n\n\
         Postman moved the API from the API Builder to Spec Hub. The API's layout\n\
         (its schema files, its collections and .postman/api*) gives way to the\n\
         workspace's, as git clone of the workspace writes it; every other file is\n\
         kept as it was. Remote {remote} now fetches and pushes the workspace.\n\n\
         {API_TRAILER}{api_id}\n{WORKSPACE_TRAILER}{workspace_id}\n"
    )
}
