//! `git postman connect --workspace`: a Postman v12 workspace in the layout the desktop
//! app's Native Git writes (`layout::workspace`). The layout is fixed, so there is
//! nothing to configure: connect recognises a repository the app wrote by its
//! `.postman/resources.yaml` (which must name this workspace; it is never rewritten),
//! gives one without it the app's template, and compares the working tree with
//! Postman through the remote's own `Layout::apply` and `Backend::identity`, so the
//! commit it announces is the one the first fetch makes (on a branch with no commit, the
//! one `git clone` makes).

use std::io::Write;

use gix::ObjectId;
use url::Url;

use super::super::compare::{self, Difference};
use super::super::kind::{counted, describe};
use super::super::server;
use super::super::workspace::{self, PostmanRemote, Workspace};
use super::{apis, report_differences, Connected, Connection};
use crate::layout::managed::is_under;
use crate::layout::workspace::resources::{self, Cloud};
use crate::layout::workspace::{self as native, tree as native_tree, RESOURCES_FILE};
use crate::postman::{self, apikey};
use crate::remote::backend::{Backend, Layout};
use crate::remote::progress::Progress;
use crate::remote::state::Cache;
use crate::remote::tree;
use crate::remote::workspace::{State, Workspace as WorkspaceBackend, WorkspaceLayout};

/// Native Git's folder: every file the app manages is in it, or is
/// `.postman/resources.yaml`.
pub const NATIVE_GIT_DIR: &str = "postman";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Layout(#[from] native::Error),
    #[error(transparent)]
    Postman(#[from] postman::Error),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    #[error(transparent)]
    Compare(#[from] compare::Error),
    #[error(transparent)]
    ApiRemote(#[from] apis::Error),
    #[error("{RESOURCES_FILE} belongs to workspace {found}, not {wanted}: connect that one, or move the file away first")]
    OtherWorkspace { found: String, wanted: String },
    #[error("no workspace {id} on {server}: {detail}")]
    NoSuchWorkspace {
        id: String,
        server: String,
        detail: String,
    },
    #[error("{what} is already mapped by remote {remote} ({other}) on this branch: a workspace owns {NATIVE_GIT_DIR}/ and {RESOURCES_FILE} (connect it on its own branch, --branch)")]
    Overlap {
        what: String,
        remote: String,
        other: String,
    },
}

/// A workspace's connection, worked out: what connect writes and what it reports.
pub(super) struct WorkspaceConnection {
    id: String,
    name: String,
    /// Postman's objects, for the report.
    counts: [(usize, &'static str); 3],
    /// `.postman/resources.yaml`'s `cloudResources` as the working tree has it.
    found: Option<Cloud>,
    /// The app's template of it, which connect writes when there is none and the
    /// branch has a commit (on an unborn branch the first fetch brings the whole file).
    template: Option<String>,
    differences: Vec<Difference>,
    /// The commit the first fetch makes when Postman and the files differ (rule 3 on
    /// the base, or the clone's commit on a branch with no commit).
    first_fetch: ObjectId,
}

/// Checks the working tree and reads the workspace from Postman (the key must work).
pub(super) fn prepare(
    ws: &Workspace,
    server: &Url,
    id: &str,
    base: Option<ObjectId>,
    remotes: &[PostmanRemote],
    branch: &str,
) -> Result<WorkspaceConnection, Error> {
    check_overlaps(ws, remotes, branch)?;
    let found = match ws.read(RESOURCES_FILE)? {
        Some(bytes) => {
            let read = resources::read(&String::from_utf8_lossy(&bytes))?;
            if read.workspace_id != id {
                return Err(Error::OtherWorkspace {
                    found: read.workspace_id,
                    wanted: id.to_string(),
                });
            }
            Some(read.cloud)
        }
        None => None,
    };
    let template = match (&found, base) {
        (None, Some(_)) => Some(resources::write(None, id, &Cloud::new())?),
        _ => None,
    };
    let (backend, live) = read_postman(ws, server, id)?;

    // The working tree's side: HEAD with the files Native Git manages replaced by the
    // working tree's (and the template connect writes).
    let memory = ws.repo.clone().with_object_memory();
    let cloud = found.clone().unwrap_or_default();
    let mut files = managed_files(ws, &cloud)?;
    if let Some(t) = &template {
        files.push((RESOURCES_FILE.to_string(), t.clone().into_bytes()));
    }
    let stale = |tree| {
        let paths = tree::blobs_by_path(&memory, tree)?.into_keys();
        Ok(paths
            .filter(|p| native_tree::is_managed(p, &cloud))
            .collect())
    };
    let local = compare::local_tree(&memory, base, stale, &files)?;

    // The remote helper's own functions, as its first fetch calls them.
    let layout = WorkspaceLayout { secrets: false };
    let differences = compare::differences(&memory, local, &layout, &live)?;
    let base_tree = match base {
        Some(commit) => tree::tree_of(&memory, commit)?,
        None => tree::empty(&memory),
    };
    let fetched = layout.apply(&memory, base_tree, &live)?;
    let first_fetch = tree::commit(&memory, &backend.identity(&live, None), fetched, base)?;

    let state = &live.read.state;
    Ok(WorkspaceConnection {
        id: id.to_string(),
        name: live.read.name.clone(),
        counts: [
            (state.specs.len(), "spec"),
            (state.collections.len(), "collection"),
            (state.environments.len(), "environment"),
        ],
        found,
        template,
        differences,
        first_fetch,
    })
}

/// The workspace as the remote helper's first fetch reads it (`Backend::open`, which
/// authenticates, then `read_current` with no cache; secret values not held).
fn read_postman(
    ws: &Workspace,
    server: &Url,
    id: &str,
) -> Result<(WorkspaceBackend, State), Error> {
    let mut backend = WorkspaceBackend::new(id);
    let (client, opened) = apikey::first_request(server, |c| backend.open(c))?;
    match opened {
        Err(postman::Error::Status {
            status: 404,
            message,
            ..
        }) => {
            return Err(Error::NoSuchWorkspace {
                id: id.to_string(),
                server: server::display(server),
                detail: message,
            })
        }
        other => other?,
    };
    let layout = WorkspaceLayout { secrets: false };
    let live = backend.read_current(
        &client,
        &ws.repo,
        &layout,
        &Cache::new(),
        &mut Progress::off(),
    )?;
    Ok((backend, live))
}

/// The working tree's files that a fetch writes and a push reads: under Native Git's
/// folder, `.postman/resources.yaml`, and what `cloud` maps elsewhere.
fn managed_files(ws: &Workspace, cloud: &Cloud) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut paths = ws.files_under(NATIVE_GIT_DIR, |_| true)?;
    paths.push(RESOURCES_FILE.to_string());
    for mapped in cloud.values().flat_map(|m| m.keys()) {
        paths.push(mapped.clone());
        paths.extend(ws.files_under(mapped, |_| true)?);
    }
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths
        .into_iter()
        .filter(|p| native_tree::is_managed(p, cloud))
    {
        if let Some(bytes) = ws.read(&path)? {
            out.push((path, bytes));
        }
    }
    Ok(out)
}

/// A workspace owns Native Git's folder and `.postman/resources.yaml` on its branch: no
/// other remote there may map a file in them.
fn check_overlaps(ws: &Workspace, remotes: &[PostmanRemote], branch: &str) -> Result<(), Error> {
    for other in remotes {
        if other.branch.as_deref().is_some_and(|b| b != branch) {
            continue;
        }
        let (files, dir) = apis::footprint_of(ws, other)?;
        let clash = |what: String| Error::Overlap {
            what,
            remote: other.name.clone(),
            other: describe(&other.target),
        };
        if let Some(f) = files
            .iter()
            .find(|f| is_under(f, NATIVE_GIT_DIR) || *f == RESOURCES_FILE)
        {
            return Err(clash(f.clone()));
        }
        if is_under(&dir, NATIVE_GIT_DIR) || is_under(NATIVE_GIT_DIR, &dir) {
            return Err(clash(format!("directory {dir}")));
        }
    }
    Ok(())
}

impl Connection for WorkspaceConnection {
    /// The layout is Native Git's: nothing to record but the URL and the branch.
    fn settings(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        let template = self.template.iter();
        template
            .map(|t| (RESOURCES_FILE.to_string(), t.clone().into_bytes()))
            .collect()
    }

    fn report(&self, out: &mut dyn Write, at: &Connected<'_>) -> std::io::Result<()> {
        writeln!(
            out,
            "Connected Postman workspace {:?} ({}) as remote {} ({}).",
            self.name, self.id, at.remote, at.url
        )?;
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(n, what)| counted(*n, what))
            .collect();
        writeln!(out, "  Postman      {}", counts.join(", "))?;
        match &self.found {
            Some(cloud) => {
                let n: usize = cloud.values().map(|m| m.len()).sum();
                let mapped = counted(n, "object");
                writeln!(
                    out,
                    "  here         {RESOURCES_FILE} of this workspace ({mapped} mapped), kept as it is"
                )?
            }
            None => writeln!(out, "  here         no {RESOURCES_FILE} yet")?,
        }
        let first = tree::short_id(self.first_fetch);
        let Some(base) = at.base else {
            // An unborn branch: the first fetch is the clone's commit, merged as is.
            let remote = at.remote;
            return writeln!(
                out,
                "  branch       {} (no commit yet: the first fetch makes {first}, the commit git clone makes)\n\nTo take Postman's files:\n  git fetch {remote} && git merge {remote}/main",
                at.branch
            );
        };
        writeln!(
            out,
            "  branch       {} (base {}: the first fetch builds on it)",
            at.branch,
            tree::short_id(base)
        )?;
        if self.template.is_some() {
            writeln!(
                out,
                "Wrote {RESOURCES_FILE} (the desktop app's template); commit it:\n  git add .postman && git commit -m \"Connect {} to Postman\"",
                self.name.replace('"', "'")
            )?;
        }
        writeln!(out)?;
        if !self.differences.is_empty() {
            writeln!(
                out,
                "The first fetch makes commit {first} on the base, with Postman's files."
            )?;
        }
        report_differences(
            out,
            at,
            Some(&self.differences),
            "",
            self.template.is_some(),
        )
    }
}
