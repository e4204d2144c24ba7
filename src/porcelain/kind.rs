//! What differs between the two kinds of Postman remote for `status` and `disconnect`,
//! in one place: an API of the API Builder (`/apis/<id>`) or a Postman v12 workspace
//! (`/workspaces/<id>`). `connect` has its own per-kind modules (`connect::apis`,
//! `connect::workspaces`).

use gix::ObjectId;

use super::workspace::{PostmanRemote, Workspace};
use crate::postman::model::Api;
use crate::postman::workspace::snapshot;
use crate::postman::{self, Client};
use crate::remote::api_builder::{self, history};
use crate::remote::backend::{Backend, Layout};
use crate::remote::progress::Progress;
use crate::remote::state::RemoteState;
use crate::remote::url::Target;
use crate::remote::workspace::Workspace as WorkspaceBackend;

/// "API" or "workspace", for messages.
pub fn noun(target: &Target) -> &'static str {
    match target {
        Target::Api(_) => "API",
        Target::Workspace { .. } => "workspace",
    }
}

/// "API <id>" or "workspace <id>".
pub fn describe(target: &Target) -> String {
    format!("{} {}", noun(target), target.id())
}

/// Why [`pick`] found no one remote.
pub enum Unpicked {
    /// No remote of that name has a `postman::` URL.
    NoSuchRemote(String),
    /// No remote of the kind.
    None,
    /// Several remotes of the kind: their names, comma-separated.
    Several(String),
}

/// The remote named, else the only one of a kind (`of_kind`).
pub fn pick(
    ws: &Workspace,
    named: Option<&str>,
    of_kind: fn(&Target) -> bool,
) -> Result<PostmanRemote, Unpicked> {
    let remotes = ws.postman_remotes();
    if let Some(name) = named {
        return remotes
            .into_iter()
            .find(|r| r.name == name)
            .ok_or_else(|| Unpicked::NoSuchRemote(name.to_string()));
    }
    let mut of_kind: Vec<PostmanRemote> =
        remotes.into_iter().filter(|r| of_kind(&r.target)).collect();
    match of_kind.len() {
        0 => Err(Unpicked::None),
        1 => Ok(of_kind.remove(0)),
        _ => {
            let names: Vec<String> = of_kind.into_iter().map(|r| r.name).collect();
            Err(Unpicked::Several(names.join(", ")))
        }
    }
}

/// "1 spec", "2 collections".
pub fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The author of the commits fetch makes from the remote's state.
pub fn author_email(target: &Target) -> String {
    match target {
        Target::Api(url) => history::author_email(&url.api_id),
        Target::Workspace { workspace_id, .. } => snapshot::author_email(workspace_id),
    }
}

/// What [`look`] saw of a remote's object in Postman.
pub struct Looked {
    pub name: String,
    pub updated_at: Option<String>,
    /// A workspace's whole answer, which its backend's read starts from (not asked twice).
    pub workspace: Option<postman::workspace::Workspace>,
}

/// One small request: the object's name and `updatedAt` in Postman
/// (`GET /apis/{id}` without `include`, or `GET /workspaces/{id}`).
pub fn look(client: &Client, target: &Target) -> Result<Looked, postman::Error> {
    match target {
        Target::Api(url) => {
            let api = client.get::<Api>(&["apis", &url.api_id], &[])?;
            Ok(Looked {
                name: api.name,
                updated_at: api.updated_at,
                workspace: None,
            })
        }
        Target::Workspace { workspace_id, .. } => {
            let path = format!("/workspaces/{workspace_id}");
            let w = client
                .workspace(workspace_id)
                .map_err(|e| e.into_client_error(&path))?;
            Ok(Looked {
                name: w.name.clone(),
                updated_at: w.updated_at.clone(),
                workspace: Some(w),
            })
        }
    }
}

/// The `updatedAt` the fetch that last set R saw (an API's, kept in the remote's cache).
pub fn seen_updated_at(state: &RemoteState) -> Option<&str> {
    api_builder::api_updated_at(state)
}

/// Whether workspace `id` still holds R's Postman view (`view`, a tree), read as the
/// remote helper reads it: the listings, with what the remote's cache holds not
/// downloaded again, then rule 1's comparison (`Layout::apply` over the view changes
/// nothing). A workspace's `updatedAt` moves only when an element is added or removed,
/// so one request cannot tell an edited spec file.
pub fn workspace_holds(
    repo: &gix::Repository,
    remote: &str,
    looked: postman::workspace::Workspace,
    state: &RemoteState,
    view: ObjectId,
    client: &Client,
) -> Result<bool, crate::remote::Error> {
    let backend = WorkspaceBackend::opened(looked);
    let layout = backend.layout(repo, Some(remote), None)?;
    let memory = repo.clone().with_object_memory();
    let live = backend.read_current(
        client,
        &memory,
        &layout,
        state.backend_cache(),
        &mut Progress::off(),
    )?;
    Ok(layout.apply(&memory, view, &live)? == view)
}
