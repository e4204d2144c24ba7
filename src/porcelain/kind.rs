//! What differs between the two kinds of Postman remote for `status` and `disconnect`,
//! in one place: an API of the API Builder (`/apis/<id>`) or a Postman v12 workspace
//! (`/workspaces/<id>`). `connect` has its own per-kind modules (`connect::apis`,
//! `connect::workspaces`).

use crate::postman::model::Api;
use crate::postman::workspace::snapshot;
use crate::postman::{self, Client};
use crate::remote::api_builder::{self, history};
use crate::remote::state::RemoteState;
use crate::remote::url::Target;

/// The key of the workspace backend's section of the remote's cache
/// (`crate::remote::workspace` keeps [`snapshot::remember`] under it).
const WORKSPACE_CACHE: &str = "workspace";

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

/// The author of the commits fetch makes from the remote's state.
pub fn author_email(target: &Target) -> String {
    match target {
        Target::Api(url) => history::author_email(&url.api_id),
        Target::Workspace { workspace_id, .. } => snapshot::author_email(workspace_id),
    }
}

/// One small request: the object's name and `updatedAt` in Postman
/// (`GET /apis/{id}` without `include`, or `GET /workspaces/{id}`).
pub fn look(client: &Client, target: &Target) -> Result<(String, Option<String>), postman::Error> {
    match target {
        Target::Api(url) => {
            let api = client.get::<Api>(&["apis", &url.api_id], &[])?;
            Ok((api.name, api.updated_at))
        }
        Target::Workspace { workspace_id, .. } => match client.workspace(workspace_id) {
            Ok(w) => Ok((w.name, w.updated_at)),
            Err(postman::workspace::Error::Api(e)) => Err(e),
            Err(other) => Err(postman::Error::Decode {
                method: "GET".into(),
                path: format!("/workspaces/{workspace_id}"),
                detail: other.to_string(),
            }),
        },
    }
}

/// The `updatedAt` the fetch that last set R saw, kept in the remote's cache.
pub fn seen_updated_at(state: &RemoteState, target: &Target) -> Option<String> {
    match target {
        Target::Api(_) => api_builder::api_updated_at(state).map(str::to_string),
        Target::Workspace { .. } => {
            snapshot::workspace_updated_at(state.backend_cache().get(WORKSPACE_CACHE)?)
        }
    }
}
