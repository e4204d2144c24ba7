//! The API Builder backend (`postman::<base>/apis/<id>`, Postman v10-v11): one API, its
//! schema (files) and its collections, in the layout Postman's own git integration writes
//! (`.postman/api`, `.postman/api_<id>`, the schema directory S, the collection
//! directory C). git's rules are not here: [`crate::remote::backend`] is the seam.

pub mod history;
pub mod plan;
pub mod snapshot;
pub mod view;

use gix::ObjectId;

use self::snapshot::{FileCache, Reader, Snapshot, Which};
use crate::layout::mapping::{Mapping, Overrides};
use crate::postman::model::Api;
use crate::postman::{self, Client};
use crate::remote::backend::{self, Creation, Pushed, RemoteIds, VersionRef};
use crate::remote::progress::Progress;
use crate::remote::state::{Cache, RemoteState};
use crate::remote::tree::CommitIdentity;
use crate::remote::view::Viewed;
use crate::remote::Error;

/// Cache keys: schema file blobs by Postman path (`updatedAt`, blob), and the API's
/// `updatedAt` as the fetch that last set R read it, which `git postman status` compares
/// with one cheap read (a push clears it: Postman's new value is known only after the
/// next fetch).
const FILES: &str = "files";
const API_UPDATED_AT: &str = "api_updated_at";

/// One API of the API Builder.
pub struct ApiBuilder {
    api_id: String,
    /// The API as the last [`backend::Backend::open`] read it.
    api: Option<Api>,
}

impl ApiBuilder {
    pub fn new(api_id: &str) -> ApiBuilder {
        ApiBuilder {
            api_id: api_id.to_string(),
            api: None,
        }
    }

    fn api(&self) -> &Api {
        self.api.as_ref().expect("open() comes first")
    }

    fn reader<'a>(&self, client: &'a Client, repo: &'a gix::Repository) -> Reader<'a> {
        Reader { client, repo }
    }
}

/// Where an API's files live: the mapping, for the API it belongs to.
pub struct ApiLayout {
    pub api_id: String,
    pub mapping: Mapping,
}

impl backend::Backend for ApiBuilder {
    type State = Snapshot;
    type Layout = ApiLayout;

    /// `GET /apis/{id}?include=…`; an API linked to a git repository inside Postman is
    /// refused (Postman's own integration owns it).
    fn open(&mut self, client: &Client) -> Result<(), postman::Error> {
        let api = client.api(&self.api_id)?;
        if api.is_git_linked() {
            return Err(postman::Error::GitLinked { api_id: api.id });
        }
        self.api = Some(api);
        Ok(())
    }

    fn layout(
        &self,
        repo: &gix::Repository,
        remote: Option<&str>,
        start: Option<ObjectId>,
    ) -> Result<ApiLayout, Error> {
        let overrides = match remote {
            Some(name) => crate::config::mapping_overrides(repo, name)?,
            None => Overrides::default(),
        };
        let existing = match start {
            Some(tree) => history::entity_data(repo, tree, &self.api_id)?,
            None => None,
        };
        Ok(ApiLayout {
            api_id: self.api_id.clone(),
            mapping: Mapping::resolve(&overrides, existing.as_ref()),
        })
    }

    fn read_current(
        &self,
        client: &Client,
        repo: &gix::Repository,
        _layout: &ApiLayout,
        cache: &Cache,
        progress: &mut Progress,
    ) -> Result<Snapshot, Error> {
        let reader = self.reader(client, repo);
        reader.read(self.api(), Which::Current, &file_cache(cache), progress)
    }

    fn remember(&self, state: &Snapshot, cache: &mut Cache) {
        let files: serde_json::Map<String, serde_json::Value> = state
            .schema
            .iter()
            .flat_map(|s| &s.files)
            .filter_map(|f| {
                let pair = (f.updated_at.as_deref()?, f.blob.to_string());
                Some((f.path.clone(), serde_json::json!(pair)))
            })
            .collect();
        cache.insert(FILES.into(), files.into());
        match &self.api().updated_at {
            Some(at) => cache.insert(API_UPDATED_AT.into(), at.clone().into()),
            None => cache.remove(API_UPDATED_AT),
        };
    }

    fn identity(&self, state: &Snapshot, version: Option<&VersionRef>) -> CommitIdentity {
        history::identity(state, version.map(|v| (v.name.as_str(), v.id.as_str())))
    }

    fn named(&self, state: &Snapshot, name: &str) -> Vec<String> {
        state
            .collections
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.uid.clone())
            .collect()
    }

    fn versions(&self, _client: &Client, _live: &Snapshot) -> Result<Vec<VersionRef>, Error> {
        Ok(self
            .api()
            .versions
            .iter()
            .map(|v| VersionRef {
                name: v.name.clone(),
                id: v.id.clone(),
            })
            .collect())
    }

    /// A 302 means Postman is still publishing the version.
    fn read_version(
        &self,
        client: &Client,
        repo: &gix::Repository,
        _live: &Snapshot,
        version: &VersionRef,
        progress: &mut Progress,
    ) -> Result<Option<(Snapshot, VersionRef)>, Error> {
        let api = self.api();
        let details = match client.version(&api.id, &version.id) {
            Err(postman::Error::Status { status: 302, .. }) => return Ok(None),
            other => other?,
        };
        let which = Which::Version {
            id: &details.id,
            created_at: details.created_at.as_deref(),
            schemas: &details.schemas,
            collections: &details.collections,
        };
        let snapshot = self
            .reader(client, repo)
            .read(api, which, &Default::default(), progress)?;
        let version = VersionRef {
            name: details.name,
            id: details.id,
        };
        Ok(Some((snapshot, version)))
    }

    fn push(
        &self,
        client: &Client,
        repo: &gix::Repository,
        live: &Snapshot,
        plan: plan::Plan,
        journal: &mut dyn FnMut(Creation) -> Result<(), Error>,
        cache: &mut Cache,
    ) -> Result<Pushed<Snapshot>, Error> {
        let api = self.api();
        let schema_id = api.schemas.first().map(|s| s.id.clone());
        let applied = plan::apply(client, &api.id, schema_id.as_deref(), &plan, journal)?;
        let reader = self.reader(client, repo);
        let state = view::after_push(&reader, api, live, &plan, &applied)?;
        // The schema files written are cached with their new `updatedAt`.
        let files = cache
            .entry(FILES)
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let Some(files) = files.as_object_mut() {
            for (path, updated, blob) in &applied.files {
                match updated {
                    Some(u) => files.insert(path.clone(), serde_json::json!((u, blob.to_string()))),
                    None => files.remove(path),
                };
            }
        }
        cache.remove(API_UPDATED_AT);
        let mut ids = plan.collection_files;
        ids.extend(applied.created);
        Ok(Pushed { state, ids })
    }

    /// Publishes the API's schema and collections as they are now.
    fn publish(
        &self,
        client: &Client,
        _live: &Snapshot,
        name: &str,
        notes: &str,
        existing: Option<&VersionRef>,
    ) -> Result<String, Error> {
        // One POST makes a version whole: if it exists, the lost answer's POST did it.
        if let Some(version) = existing {
            return Ok(version.id.clone());
        }
        let api = self.api();
        let schema_ids: Vec<String> = api.schemas.iter().map(|s| s.id.clone()).collect();
        let collection_ids: Vec<String> = api.collections.iter().map(|c| c.id.clone()).collect();
        Ok(client.publish_version(&api.id, name, notes, &schema_ids, &collection_ids)?)
    }
}

impl backend::Layout for ApiLayout {
    type State = Snapshot;
    type Plan = plan::Plan;
    type PlanError = plan::PlanError;

    fn apply(
        &self,
        repo: &gix::Repository,
        base: ObjectId,
        state: &Snapshot,
    ) -> Result<ObjectId, Error> {
        history::apply(repo, base, state, &self.mapping)
    }

    fn plan(
        &self,
        repo: &gix::Repository,
        pushed: &Viewed,
        live: &Snapshot,
        created: &RemoteIds,
    ) -> Result<plan::Plan, plan::PlanError> {
        plan::plan(repo, pushed, live, &self.mapping, created)
    }

    /// `.postman/api` and `.postman/api_<id>`.
    fn is_derived(&self, repo_path: &str) -> bool {
        repo_path.starts_with(".postman/")
    }

    fn known_ids(&self, repo: &gix::Repository, tree: ObjectId) -> Result<Vec<String>, Error> {
        let entity = history::entity_data(repo, tree, &self.api_id)?;
        Ok(entity
            .into_iter()
            .flat_map(|e| e.collections)
            .map(|c| c.id)
            .collect())
    }
}

/// The schema file blobs a fetch remembered ([`FILES`]).
fn file_cache(cache: &Cache) -> FileCache {
    let Some(files) = cache.get(FILES).and_then(|f| f.as_object()) else {
        return FileCache::new();
    };
    files
        .iter()
        .filter_map(|(path, pair)| {
            let (updated, blob): (String, String) = serde_json::from_value(pair.clone()).ok()?;
            Some((
                path.clone(),
                (updated, ObjectId::from_hex(blob.as_bytes()).ok()?),
            ))
        })
        .collect()
}

/// The API's `updatedAt` as the fetch that last set R read it (`git postman status`).
pub fn api_updated_at(state: &RemoteState) -> Option<&str> {
    state.backend_cache().get(API_UPDATED_AT)?.as_str()
}
