//! The seam between git's side of a remote (rules 1-3, fetch first, non-fast-forward,
//! force and lease, dry-run, the push journal, commits, progress: `session`,
//! `list`, [`super::push`]) and one kind of Postman remote. The git side is
//! written once, generic over [`Backend`]; a backend only reads and writes Postman, and
//! its [`Layout`] turns a state into files of a tree and a tree into writes.

use std::collections::BTreeMap;

use gix::ObjectId;

use super::progress::Progress;
use super::state::Cache;
use super::tree::CommitIdentity;
use super::view::Viewed;
use super::Error;
use crate::postman::{self, Client};

/// Repository paths and the ids of the Postman objects they are: what a push created
/// (the journal) or left where (R's Postman view).
pub type RemoteIds = BTreeMap<String, String>;

/// A published version (a git tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRef {
    pub name: String,
    pub id: String,
}

/// An object's creation, as the push journal hears of it.
pub enum Creation<'a> {
    /// About to be sent: the file and the object's name (how a repeat finds it when the
    /// answer is lost).
    Sending { file: &'a str, name: &'a str },
    /// Postman answered: the file and the object's id.
    Created { file: &'a str, uid: &'a str },
}

/// What a push left in Postman.
pub struct Pushed<S> {
    /// The state Postman holds now, as a fetch would read it.
    pub state: S,
    /// Where each object of the pushed tree went.
    pub ids: RemoteIds,
}

/// One kind of Postman remote: reads and writes, nothing about git's rules.
pub trait Backend {
    /// One Postman state, its files already written to the object database.
    type State;
    type Layout: Layout<State = Self::State>;

    /// Opens the remote (one request; the first one authenticates the client): what
    /// [`Backend::versions`] and [`Backend::publish`] see until the next open.
    fn open(&mut self, client: &Client) -> Result<(), postman::Error>;
    /// The layout: git config of `remote`, else the dot-files of the tree `start` (R's
    /// Postman view, or HEAD's), else defaults.
    fn layout(
        &self,
        repo: &gix::Repository,
        remote: Option<&str>,
        start: Option<ObjectId>,
    ) -> Result<Self::Layout, Error>;
    /// The current state; what `cache` ([`Backend::remember`]) holds is not downloaded
    /// again; `layout` says what to read (a workspace's secret values only on opt-in).
    fn read_current(
        &self,
        client: &Client,
        repo: &gix::Repository,
        layout: &Self::Layout,
        cache: &Cache,
        progress: &mut Progress,
    ) -> Result<Self::State, Error>;
    /// This backend's section of the cache after a fetch read `state`.
    fn remember(&self, state: &Self::State, cache: &mut Cache);
    /// Author, time and message of the commit made from `state`: the determinism contract.
    fn identity(&self, state: &Self::State, version: Option<&VersionRef>) -> CommitIdentity;
    /// The ids of the objects of `state` named `name`, in order: where a creation whose
    /// answer was lost may have gone.
    fn named(&self, state: &Self::State, name: &str) -> Vec<String>;
    /// The published versions of the remote whose current state is `live` (the API
    /// Builder: as [`Backend::open`] found them; a workspace: its specs' version tags).
    fn versions(&self, client: &Client, live: &Self::State) -> Result<Vec<VersionRef>, Error>;
    /// A published version's state and its reference; `None` while Postman is still
    /// publishing it. Both reads tell `progress` what they download, as they learn it.
    fn read_version(
        &self,
        client: &Client,
        repo: &gix::Repository,
        live: &Self::State,
        version: &VersionRef,
        progress: &mut Progress,
    ) -> Result<Option<(Self::State, VersionRef)>, Error>;
    /// Sends a plan's writes in order, telling `journal` of each creation before and
    /// after; then what Postman holds. `cache` is this backend's section, to update.
    fn push(
        &self,
        client: &Client,
        repo: &gix::Repository,
        live: &Self::State,
        plan: <Self::Layout as Layout>::Plan,
        journal: &mut dyn FnMut(Creation) -> Result<(), Error>,
        cache: &mut Cache,
    ) -> Result<Pushed<Self::State>, Error>;
    /// Publishes the current state (`live`) as version `name`; its id. `existing`: the
    /// version `name` that a publication of the same tag left when its answer was lost,
    /// to finish without making a second one.
    fn publish(
        &self,
        client: &Client,
        live: &Self::State,
        name: &str,
        notes: &str,
        existing: Option<&VersionRef>,
    ) -> Result<String, Error>;
}

/// Where a remote's files live in a tree: pure, objects in and objects out.
pub trait Layout {
    type State;
    /// Validated writes that make Postman equal a pushed tree.
    type Plan;
    type PlanError: std::fmt::Display;

    /// `base` with this remote's managed paths replaced by `state`; every other file
    /// stays as it is.
    fn apply(
        &self,
        repo: &gix::Repository,
        base: ObjectId,
        state: &Self::State,
    ) -> Result<ObjectId, Error>;
    /// The writes that make Postman (`live`) equal the pushed tree as Postman sees it;
    /// `created`: what an interrupted push of it already created.
    fn plan(
        &self,
        repo: &gix::Repository,
        pushed: &Viewed,
        live: &Self::State,
        created: &RemoteIds,
    ) -> Result<Self::Plan, Self::PlanError>;
    /// Files derived from Postman's state (the dot-files) that the interrupted-push
    /// check does not compare.
    fn is_derived(&self, repo_path: &str) -> bool;
    /// Whether `path` holds (part of) the object a push created from repository path
    /// `created` (the interrupted-push check does not compare it: Postman adds ids).
    fn is_created_file(&self, created: &str, path: &str) -> bool {
        inside(created, path)
    }
    /// The ids of the objects `tree`'s dot-files know.
    fn known_ids(&self, repo: &gix::Repository, tree: ObjectId) -> Result<Vec<String>, Error>;
}

/// `path` is `dir` or inside it.
pub fn inside(dir: &str, path: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
