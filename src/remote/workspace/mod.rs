//! The workspace backend (`postman::<base>/workspaces/<id>`, Postman v12): a workspace's
//! Spec Hub specs, collections, environments and globals in the layout the desktop app's
//! Native Git writes (`layout::workspace`). git's rules are not here
//! ([`crate::remote::backend`] is the seam); the network pieces are
//! `postman::workspace::{snapshot, apply, tags}`, the files `layout::workspace::{tree, plan}`.
//!
//! Secret values reach git only when the remote opts in
//! (`remote.<name>.postmanSecrets = true`, [`SECRETS_KEY`]); otherwise a fetch writes a
//! secret empty and a push leaves Postman's value alone.

mod files;
mod placed;

use gix::ObjectId;
use serde_json::Value;

use crate::layout::workspace::plan::{self as ws_plan, Write};
use crate::layout::workspace::resources::{self, Cloud};
use crate::layout::workspace::{
    self as ws_layout, after_push, spec, tree as ws_tree, RESOURCES_FILE,
};
use crate::postman::workspace::snapshot::{self, Snapshot};
use crate::postman::workspace::{apply, tags};
use crate::postman::{self, Client};
use crate::remote::backend::{self, Creation, Pushed, RemoteIds, VersionRef};
use crate::remote::progress::Progress;
use crate::remote::state::Cache;
use crate::remote::tree::{self, CommitIdentity};
use crate::remote::view::Viewed;

/// `remote.<name>.postmanSecrets`: `true` writes secret values to git (and the cache).
pub const SECRETS_KEY: &str = "postmanSecrets";
/// This backend's key in the remote's cache: what [`snapshot::remember`] gives.
const SNAPSHOT: &str = "workspace";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Read(#[from] snapshot::Error),
    #[error(transparent)]
    Apply(#[from] apply::Error),
    #[error(transparent)]
    Tags(#[from] tags::Error),
    #[error(transparent)]
    Layout(#[from] ws_layout::Error),
    #[error("git config remote.{remote}.{SECRETS_KEY} is {value:?}; expected true or false")]
    BadSecrets { remote: String, value: String },
    #[error("version {0:?} as the cache recorded it is not a list of spec:tag ids")]
    BadVersion(String),
}

impl From<Error> for crate::remote::Error {
    fn from(e: Error) -> Self {
        crate::remote::Error::Postman(e.to_string())
    }
}

/// One workspace.
pub struct Workspace {
    id: String,
    /// `GET /workspaces/{id}` as the last [`backend::Backend::open`] read it: the read
    /// that follows starts from it.
    opened: Option<postman::workspace::Workspace>,
}

impl Workspace {
    pub fn new(id: &str) -> Workspace {
        Workspace {
            id: id.to_string(),
            opened: None,
        }
    }

    /// A workspace whose `GET /workspaces/{id}` the caller already has: as after
    /// [`backend::Backend::open`], without asking again.
    pub fn opened(workspace: postman::workspace::Workspace) -> Workspace {
        Workspace {
            id: workspace.id.clone(),
            opened: Some(workspace),
        }
    }
}

/// A workspace state: what Postman holds and, after a push, where the objects it
/// created live in the pushed tree (`cloudResources` entries the pushed
/// `.postman/resources.yaml` lacks), so that R's Postman view keeps them where the user
/// put them (a spec created from `Refunds/openapi.yaml` comes back as a one-file spec,
/// which a fetch would write as `Refunds.yaml`).
pub struct State {
    pub read: Snapshot,
    placed: Cloud,
    /// Whether the read holds secret values (the remote's opt-in), for the read after
    /// a push.
    secrets: bool,
}

impl State {
    fn new(read: Snapshot, secrets: bool) -> State {
        State {
            read,
            placed: Cloud::new(),
            secrets,
        }
    }
}

/// The layout is Native Git's, fixed; the remote only chooses about secrets.
pub struct WorkspaceLayout {
    pub secrets: bool,
}

type Result<T, E = crate::remote::Error> = std::result::Result<T, E>;

impl backend::Backend for Workspace {
    type State = State;
    type Layout = WorkspaceLayout;

    /// `GET /workspaces/{id}`.
    fn open(&mut self, client: &Client) -> Result<(), postman::Error> {
        let opened = client
            .workspace(&self.id)
            .map_err(|e| e.into_client_error(&format!("/workspaces/{}", self.id)))?;
        self.opened = Some(opened);
        Ok(())
    }

    fn layout(
        &self,
        repo: &gix::Repository,
        remote: Option<&str>,
        _start: Option<ObjectId>,
    ) -> Result<WorkspaceLayout> {
        let Some(remote) = remote else {
            return Ok(WorkspaceLayout { secrets: false });
        };
        // git's own reading of a boolean (`yes`, `on`, `1`, a bare key…), as `git config --bool`.
        let key = format!("remote.{remote}.{SECRETS_KEY}");
        let secrets = match repo.config_snapshot().try_boolean(key.as_str()) {
            Ok(on) => on.unwrap_or(false),
            Err(_) => {
                return Err(Error::BadSecrets {
                    remote: remote.into(),
                    value: crate::config::remote_value(repo, remote, SECRETS_KEY)
                        .unwrap_or_default(),
                }
                .into())
            }
        };
        Ok(WorkspaceLayout { secrets })
    }

    fn read_current(
        &self,
        client: &Client,
        _repo: &gix::Repository,
        layout: &WorkspaceLayout,
        cache: &Cache,
        progress: &mut Progress,
    ) -> Result<State> {
        let old = cache.get(SNAPSHOT).cloned().unwrap_or(Value::Null);
        let opened = self.opened.clone().expect("open() comes first");
        let read = snapshot::read_opened(client, opened, &old, layout.secrets, progress)
            .map_err(Error::from)?;
        Ok(State::new(read, layout.secrets))
    }

    fn remember(&self, state: &State, cache: &mut Cache) {
        cache.insert(SNAPSHOT.into(), snapshot::remember(&state.read));
    }

    fn identity(&self, state: &State, version: Option<&VersionRef>) -> CommitIdentity {
        let id = snapshot::identity(&state.read, version.map(|v| v.name.as_str()));
        CommitIdentity {
            name: id.name,
            email: id.email,
            time: id.time,
            message: id.message,
        }
    }

    fn named(&self, state: &State, name: &str) -> Vec<String> {
        let ws = &state.read.state;
        let specs = ws.specs.iter().map(|s| (&s.id, &s.name));
        let collections = ws.collections.iter().map(|c| (&c.id, &c.name));
        let environments = ws.environments.iter().map(|e| (&e.id, &e.name));
        specs
            .chain(collections)
            .chain(environments)
            .filter(|(_, n)| n.as_str() == name)
            .filter_map(|(id, _)| id.clone())
            .collect()
    }

    fn versions(&self, client: &Client, live: &State) -> Result<Vec<VersionRef>> {
        let versions = tags::versions(client, &live.read.state).map_err(Error::from)?;
        Ok(versions
            .into_iter()
            .map(|v| VersionRef {
                id: v.id(),
                name: v.name,
            })
            .collect())
    }

    /// A version tag is readable as soon as it exists: never `None`.
    fn read_version(
        &self,
        client: &Client,
        _repo: &gix::Repository,
        live: &State,
        version: &VersionRef,
        progress: &mut Progress,
    ) -> Result<Option<(State, VersionRef)>> {
        let tags = parse_version_id(&version.id)?;
        let v = tags::Version {
            name: version.name.clone(),
            tags,
        };
        let tagged =
            tags::read_version(client, &live.read.state, &v, progress).map_err(Error::from)?;
        let read = Snapshot::of_version(tagged.workspace, &live.read.name, tagged.updated_at);
        Ok(Some((State::new(read, false), version.clone())))
    }

    fn push(
        &self,
        client: &Client,
        _repo: &gix::Repository,
        live: &State,
        plan: Vec<Write>,
        journal: &mut dyn FnMut(Creation) -> Result<()>,
        cache: &mut Cache,
    ) -> Result<Pushed<State>> {
        let mut ids = RemoteIds::new();
        for w in &plan {
            if let Some((file, name)) = creates(w) {
                journal(Creation::Sending { file, name: &name })?;
            }
            let mut failed = None;
            let mut on_created = |file: &str, uid: &str| {
                journal(Creation::Created { file, uid }).map_err(|e| {
                    let why = e.to_string();
                    failed = Some(e);
                    std::io::Error::other(why)
                })
            };
            let applied = apply::apply(client, &self.id, std::slice::from_ref(w), &mut on_created);
            if let Some(e) = failed {
                return Err(e);
            }
            ids.extend(applied.map_err(Error::from)?.created);
        }
        // What Postman holds now (only what changed is downloaded): the cache the next
        // fetch starts from; the new view, of what this push wrote only, so that a
        // change someone else made meanwhile is still one to fetch.
        let old = cache.get(SNAPSHOT).cloned().unwrap_or(Value::Null);
        let mut read = snapshot::read(client, &self.id, &old, live.secrets).map_err(Error::from)?;
        cache.insert(SNAPSHOT.into(), snapshot::remember(&read));
        read.state = after_push::view(&live.read.state, read.state, &plan, &ids);
        let state = State {
            placed: placed::entries(&plan, &ids),
            ..State::new(read, live.secrets)
        };
        Ok(Pushed { state, ids })
    }

    /// A version tag named `name` on each spec that changed since its last one; the id
    /// is the version's as [`backend::Backend::versions`] lists it.
    fn publish(
        &self,
        client: &Client,
        live: &State,
        name: &str,
        _notes: &str,
        existing: Option<&VersionRef>,
    ) -> Result<String> {
        let ws = &live.read.state;
        // A spec tagged before the answer was lost is unchanged since that tag, so it is
        // skipped: only the specs the lost attempt did not reach are tagged now.
        match tags::publish(client, ws, name) {
            Ok(_) => {}
            Err(tags::Error::NothingChanged { .. }) if existing.is_some() => {}
            Err(e) => return Err(Error::from(e).into()),
        }
        let versions = tags::versions(client, ws).map_err(Error::from)?;
        Ok(versions
            .into_iter()
            .find(|v| v.name == name)
            .map(|v| v.id())
            .unwrap_or_default())
    }
}

/// A create's repository path and the name Postman will list it by (how a repeat finds
/// an object whose creation lost its answer).
fn creates(w: &Write) -> Option<(&str, String)> {
    match w {
        Write::CreateSpec { path, name, .. } | Write::CreateEnvironment { path, name, .. } => {
            Some((path, name.clone()))
        }
        Write::CreateCollection { path, json } => {
            #[derive(serde::Deserialize)]
            struct Info {
                name: String,
            }
            #[derive(serde::Deserialize)]
            struct Head {
                info: Info,
            }
            let name = serde_json::from_str::<Head>(json).ok()?.info.name;
            Some((path, name))
        }
        _ => None,
    }
}

/// [`tags::Version::id`] back into its `(spec id, tag id)` pairs.
fn parse_version_id(id: &str) -> Result<Vec<(String, String)>, Error> {
    id.split(',')
        .map(|pair| {
            pair.split_once(':')
                .map(|(s, t)| (s.to_string(), t.to_string()))
                .ok_or_else(|| Error::BadVersion(id.to_string()))
        })
        .collect()
}

impl backend::Layout for WorkspaceLayout {
    type State = State;
    type Plan = Vec<Write>;
    type PlanError = ws_plan::Error;

    fn apply(&self, repo: &gix::Repository, base: ObjectId, state: &State) -> Result<ObjectId> {
        let before = files::read(repo, base)?;
        let ws = &state.read.state;
        let seeded = placed::seed(&before, &ws.id, &state.placed).map_err(Error::from)?;
        let after = ws_tree::apply(seeded.as_deref().unwrap_or(&before), ws, self.secrets)
            .map_err(Error::from)?;
        files::write(repo, base, &before, &after)
    }

    fn plan(
        &self,
        repo: &gix::Repository,
        pushed: &Viewed,
        live: &State,
        created: &RemoteIds,
    ) -> Result<Vec<Write>, ws_plan::Error> {
        let files = files::read(repo, pushed.tree).map_err(|e| {
            ws_plan::Error::Invalid(ws_layout::Error::Invalid {
                path: "(the pushed commit)".into(),
                message: e.to_string(),
            })
        })?;
        ws_plan::plan(&files, &live.read.state, created)
    }

    /// `.postman/resources.yaml`: a create adds its id there.
    fn is_derived(&self, repo_path: &str) -> bool {
        repo_path == RESOURCES_FILE
    }

    /// Also the one file a spec created from a directory comes back as until a push
    /// records where it lives (`Refunds/` -> `Refunds.yaml`).
    fn is_created_file(&self, created: &str, path: &str) -> bool {
        backend::inside(created, path)
            || path
                .strip_prefix(created)
                .is_some_and(|ext| ext.starts_with('.') && spec::is_spec_file(path))
    }

    fn known_ids(&self, repo: &gix::Repository, tree: ObjectId) -> Result<Vec<String>> {
        let Some(bytes) = tree::read_file(repo, tree, RESOURCES_FILE)? else {
            return Ok(Vec::new());
        };
        let text = String::from_utf8_lossy(&bytes);
        let read = resources::read(&text).map_err(Error::from)?;
        Ok(read
            .cloud
            .into_values()
            .flat_map(|m| m.into_values())
            .collect())
    }
}
