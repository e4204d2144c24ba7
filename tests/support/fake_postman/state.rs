//! The whole in-memory "Postman": APIs with one schema of many files, collections,
//! published versions and their async tasks. Tests change it directly through
//! `FakePostman::with_state`; the HTTP routes change it through the same methods, so
//! both paths keep `updatedAt` and ids consistent.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::clock::{Clock, IdGen};
use super::collections::{self, ItemMeta, Served};

/// The user every API, file and collection is created by (unless a UID says otherwise).
pub const DEFAULT_USER: u64 = 12_345_678;
/// Postman's documented limit for `PUT /collections/{id}`.
pub const MAX_COLLECTION_BYTES: usize = 100 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct GitInfo {
    pub domain: Option<String>,
    pub repository: String,
    pub organization: String,
    pub schema_folder: String,
    pub collection_folder: String,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    /// `Some` for a Git-linked API: schema and collection calls answer 422.
    pub git_info: Option<GitInfo>,
    pub schema: Option<Schema>,
    /// UIDs of the attached collections, in the order they were attached.
    pub collections: Vec<String>,
    /// In publishing order (oldest first).
    pub versions: Vec<Version>,
}

#[derive(Debug, Clone)]
pub struct Schema {
    pub id: String,
    pub schema_type: String,
    pub created_at: String,
    pub updated_at: String,
    /// By Postman path; a BTreeMap gives the listing's ascending path order.
    pub files: BTreeMap<String, SchemaFile>,
}

#[derive(Debug, Clone)]
pub struct SchemaFile {
    pub id: String,
    pub path: String,
    pub content: String,
    pub root: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl SchemaFile {
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

#[derive(Debug, Clone)]
pub struct Collection {
    pub uid: String,
    pub owner: u64,
    pub id: String,
    /// The collection as stored: normalised, with ids, without server-only fields.
    pub body: Value,
    pub created_at: String,
    pub updated_at: String,
    pub items: HashMap<String, ItemMeta>,
}

impl Collection {
    pub fn name(&self) -> &str {
        self.body["info"]["name"].as_str().unwrap_or_default()
    }

    pub fn served(&self) -> Served<'_> {
        Served {
            body: &self.body,
            owner: self.owner,
            uid: &self.uid,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            items: &self.items,
        }
    }
}

/// A published version: a frozen copy of the schema and the chosen collections.
#[derive(Debug, Clone)]
pub struct Version {
    pub id: String,
    pub name: String,
    pub release_notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub schema: Option<Schema>,
    pub collections: Vec<Collection>,
    /// The publishing task while it is pending (versions created over HTTP).
    pub pending_task: Option<String>,
}

/// An async task (`/apis/{apiId}/tasks/{taskId}` or `/collection-updates-tasks/{id}`).
/// It answers "pending" to the first look and is complete from the second on.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub api_id: String,
    /// The version the task publishes; `None` for a collection update task.
    pub version_id: Option<String>,
    pub looks: u32,
    /// Set when the task is to fail (see `State::fail_next_publish`).
    pub failure: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a look at a task finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Pending,
    Completed,
    Failed(String),
}

/// A change someone else makes in Postman.
pub type Change = Box<dyn FnOnce(&mut State) + Send>;

/// The changes `State::after_next_write` queued (closures: shown by their number only).
#[derive(Default)]
struct AfterWrites(std::collections::VecDeque<Change>);

impl std::fmt::Debug for AfterWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} change(s) after the next writes", self.0.len())
    }
}

#[derive(Debug)]
pub struct State {
    pub(super) clock: Clock,
    pub(super) ids: IdGen,
    pub page_size: usize,
    pub max_body_bytes: usize,
    pub user: u64,
    pub apis: BTreeMap<String, Api>,
    /// Every collection in the (single) workspace, by UID.
    pub collections: BTreeMap<String, Collection>,
    pub tasks: BTreeMap<String, Task>,
    /// Messages for the next version publications that are to fail.
    pub publish_failures: std::collections::VecDeque<String>,
    /// Changes someone else makes right after the next writes are done
    /// (`State::after_next_write`).
    after_writes: AfterWrites,
    /// Postman v12: workspaces, Spec Hub specs, environments (`workspaces.rs`, `specs.rs`).
    pub ws: super::workspaces::Workspaces,
}

impl Default for State {
    fn default() -> Self {
        State {
            clock: Clock::default(),
            ids: IdGen::default(),
            page_size: 3,
            max_body_bytes: MAX_COLLECTION_BYTES,
            user: DEFAULT_USER,
            apis: BTreeMap::new(),
            collections: BTreeMap::new(),
            tasks: BTreeMap::new(),
            publish_failures: Default::default(),
            after_writes: Default::default(),
            ws: Default::default(),
        }
    }
}

impl State {
    pub fn new_id(&mut self) -> String {
        self.ids.uuid()
    }

    pub fn set_page_size(&mut self, n: usize) {
        self.page_size = n.max(1);
    }

    /// Lowers the `PUT /collections` size limit so tests can exercise it cheaply.
    pub fn set_max_body_bytes(&mut self, n: usize) {
        self.max_body_bytes = n;
    }

    pub fn create_api(&mut self, id: Option<&str>, name: &str) -> String {
        let now = self.clock.tick();
        let id = id.map_or_else(|| self.new_id(), str::to_string);
        let api = Api {
            id: id.clone(),
            name: name.into(),
            summary: String::new(),
            description: String::new(),
            created_at: now.clone(),
            updated_at: now,
            git_info: None,
            schema: None,
            collections: Vec::new(),
            versions: Vec::new(),
        };
        self.apis.insert(id.clone(), api);
        id
    }

    pub fn api(&self, api_id: &str) -> Option<&Api> {
        self.apis.get(api_id)
    }

    fn api_mut(&mut self, api_id: &str) -> &mut Api {
        self.apis
            .get_mut(api_id)
            .unwrap_or_else(|| panic!("fake Postman: no API {api_id}"))
    }

    fn schema_mut(&mut self, api_id: &str) -> &mut Schema {
        self.api_mut(api_id)
            .schema
            .as_mut()
            .unwrap_or_else(|| panic!("fake Postman: API {api_id} has no schema"))
    }

    /// One schema per API (Postman's rule); panics on a second one.
    pub fn create_schema(
        &mut self,
        api_id: &str,
        schema_id: Option<&str>,
        schema_type: &str,
    ) -> String {
        let now = self.clock.tick();
        let id = schema_id.map_or_else(|| self.new_id(), str::to_string);
        let api = self.api_mut(api_id);
        assert!(
            api.schema.is_none(),
            "fake Postman: API {api_id} already has a schema"
        );
        api.schema = Some(Schema {
            id: id.clone(),
            schema_type: schema_type.into(),
            created_at: now.clone(),
            updated_at: now.clone(),
            files: BTreeMap::new(),
        });
        api.updated_at = now;
        id
    }

    pub fn schema_file(&self, api_id: &str, path: &str) -> Option<&SchemaFile> {
        self.apis.get(api_id)?.schema.as_ref()?.files.get(path)
    }

    /// Creates or updates a file; bumps the file's, the schema's and the API's `updatedAt`.
    pub fn put_schema_file(&mut self, api_id: &str, path: &str, content: &str) {
        self.put_schema_file_with_root(api_id, path, content, None);
    }

    /// As `put_schema_file`, optionally setting the root flag.
    pub fn put_schema_file_with_root(
        &mut self,
        api_id: &str,
        path: &str,
        content: &str,
        root: Option<bool>,
    ) {
        let now = self.clock.tick();
        let new_id = self.new_id();
        let schema = self.schema_mut(api_id);
        let file = schema
            .files
            .entry(path.to_string())
            .or_insert_with(|| SchemaFile {
                id: new_id,
                path: path.into(),
                content: String::new(),
                root: false,
                created_at: now.clone(),
                updated_at: now.clone(),
            });
        file.content = content.into();
        if let Some(root) = root {
            file.root = root;
        }
        file.updated_at = now.clone();
        schema.updated_at = now.clone();
        self.api_mut(api_id).updated_at = now;
    }

    /// Removes a file (no-op when absent); bumps the schema's and the API's `updatedAt`.
    pub fn delete_schema_file(&mut self, api_id: &str, path: &str) {
        let now = self.clock.tick();
        let schema = self.schema_mut(api_id);
        if schema.files.remove(path).is_some() {
            schema.updated_at = now.clone();
            self.api_mut(api_id).updated_at = now;
        }
    }

    /// Resolves a UID or a bare collection id to the UID.
    pub fn collection_uid(&self, id_or_uid: &str) -> Option<String> {
        if self.collections.contains_key(id_or_uid) {
            return Some(id_or_uid.into());
        }
        self.collections
            .values()
            .find(|c| c.id == id_or_uid)
            .map(|c| c.uid.clone())
    }

    pub fn collection(&self, id_or_uid: &str) -> Option<&Collection> {
        self.collections.get(&self.collection_uid(id_or_uid)?)
    }

    /// Creates a workspace collection (not attached to any API). With `uid` the ids are
    /// taken from it; otherwise `info._postman_id` is kept when it is free.
    pub fn create_workspace_collection(
        &mut self,
        owner: u64,
        uid: Option<&str>,
        collection: Value,
    ) -> String {
        let now = self.clock.tick();
        let id = match uid {
            Some(uid) => uid.split_once('-').map_or(uid, |(_, id)| id).to_string(),
            None => match collection["info"]["_postman_id"].as_str() {
                Some(pid) if !pid.is_empty() && self.collection(pid).is_none() => pid.to_string(),
                _ => self.new_id(),
            },
        };
        let uid = uid.map_or_else(|| format!("{owner}-{id}"), str::to_string);
        let body = collections::normalize(collection, &id, &mut self.ids);
        let items = collections::track_items(&body, &HashMap::new(), &now);
        let c = Collection {
            uid: uid.clone(),
            owner,
            id,
            body,
            created_at: now.clone(),
            updated_at: now,
            items,
        };
        self.collections.insert(uid.clone(), c);
        uid
    }

    /// Creates a collection and attaches it to the API; returns its UID.
    pub fn create_collection(
        &mut self,
        api_id: &str,
        owner: u64,
        uid: Option<&str>,
        collection: Value,
    ) -> String {
        let uid = self.create_workspace_collection(owner, uid, collection);
        self.attach_collection(api_id, &uid);
        uid
    }

    pub fn attach_collection(&mut self, api_id: &str, uid: &str) {
        let now = self.clock.now();
        let api = self.api_mut(api_id);
        if !api.collections.iter().any(|c| c == uid) {
            api.collections.push(uid.to_string());
            api.updated_at = now;
        }
    }

    /// PUT semantics: full replace; items without ids get new ids, given ids are kept.
    pub fn update_collection(&mut self, uid: &str, collection: Value) {
        let now = self.clock.tick();
        let uid = self
            .collection_uid(uid)
            .unwrap_or_else(|| panic!("fake Postman: no collection {uid}"));
        let mut ids = std::mem::take(&mut self.ids);
        let c = self.collections.get_mut(&uid).expect("resolved above");
        c.body = collections::normalize(collection, &c.id, &mut ids);
        c.items = collections::track_items(&c.body, &c.items, &now);
        c.updated_at = now.clone();
        self.ids = ids;
        self.touch_apis_holding(&uid, &now);
    }

    /// Deletes the collection and detaches it from every API.
    pub fn delete_collection(&mut self, uid: &str) {
        let now = self.clock.tick();
        let Some(uid) = self.collection_uid(uid) else {
            return;
        };
        self.collections.remove(&uid);
        self.touch_apis_holding(&uid, &now);
        for api in self.apis.values_mut() {
            api.collections.retain(|c| *c != uid);
        }
        // A generated collection's link to its spec goes with it: a collection created
        // in its place is not generated from the spec, and a sync would make another.
        for spec in self.ws.specs.values_mut() {
            spec.generated.retain(|g| g.collection != uid);
        }
    }

    fn touch_apis_holding(&mut self, uid: &str, now: &str) {
        for api in self
            .apis
            .values_mut()
            .filter(|a| a.collections.iter().any(|c| c == uid))
        {
            api.updated_at = now.into();
        }
    }

    /// Publishes a version right away (no pending task): a snapshot of the schema
    /// files and the attached collections. Returns the version id.
    pub fn publish_version(&mut self, api_id: &str, name: &str, release_notes: &str) -> String {
        let uids = self.api_mut(api_id).collections.clone();
        self.publish_snapshot(api_id, name, release_notes, true, &uids, None)
    }

    pub(super) fn publish_snapshot(
        &mut self,
        api_id: &str,
        name: &str,
        release_notes: &str,
        with_schema: bool,
        uids: &[String],
        pending_task: Option<String>,
    ) -> String {
        let now = self.clock.tick();
        let id = self.new_id();
        let collections = uids
            .iter()
            .filter_map(|u| self.collections.get(u).cloned())
            .collect();
        let api = self.api_mut(api_id);
        let version = Version {
            id: id.clone(),
            name: name.into(),
            release_notes: release_notes.into(),
            created_at: now.clone(),
            updated_at: now,
            schema: api.schema.clone().filter(|_| with_schema),
            collections,
            pending_task,
        };
        api.versions.push(version);
        id
    }

    pub fn set_git_linked(&mut self, api_id: &str, linked: bool) {
        let api = self.api_mut(api_id);
        api.git_info = linked.then(|| GitInfo {
            domain: None,
            repository: "payments".into(),
            organization: "acme".into(),
            schema_folder: "postman/schemas".into(),
            collection_folder: "postman/collections".into(),
        });
    }

    /// Creates a task for `tasks` routes; the caller links it to what it tracks.
    pub(super) fn create_task(&mut self, api_id: &str, version_id: Option<String>) -> String {
        let now = self.clock.now();
        let id = self.new_id();
        let task = Task {
            id: id.clone(),
            api_id: api_id.into(),
            version_id,
            looks: 0,
            failure: None,
            created_at: now.clone(),
            updated_at: now,
        };
        self.tasks.insert(id.clone(), task);
        id
    }

    /// The next version published over HTTP fails: its task ends `failed` with
    /// `message` (as `details.error.message`) and the version disappears.
    pub fn fail_next_publish(&mut self, message: &str) {
        self.publish_failures.push_back(message.into());
    }

    /// Someone else makes `change` in Postman right after the next successful write
    /// request is done, before its answer leaves: what a client reading Postman again
    /// after that write (a push recording what Postman holds) finds. Each write takes
    /// one change, in the order they were queued.
    pub fn after_next_write(&mut self, change: impl FnOnce(&mut State) + Send + 'static) {
        self.after_writes.0.push_back(Box::new(change));
    }

    /// A write request succeeded: the change queued for it, if any, is made now.
    pub(super) fn wrote(&mut self) {
        if let Some(change) = self.after_writes.0.pop_front() {
            change(self);
        }
    }

    /// One look at a task: pending the first time, done afterwards. A completed
    /// version task makes the version readable; a failed one removes it.
    pub(super) fn look_at_task(&mut self, task_id: &str) -> TaskStatus {
        let now = self.clock.now();
        let Some(task) = self.tasks.get_mut(task_id) else {
            return TaskStatus::Pending;
        };
        task.looks += 1;
        if task.looks < 2 {
            return TaskStatus::Pending;
        }
        if task.looks == 2 {
            task.updated_at = now;
        }
        let (api_id, version_id) = (task.api_id.clone(), task.version_id.clone());
        let failure = task.failure.clone();
        if let (Some(api), Some(vid)) = (self.apis.get_mut(&api_id), version_id) {
            match failure {
                Some(_) => api.versions.retain(|v| v.id != vid),
                None => api
                    .versions
                    .iter_mut()
                    .filter(|v| v.id == vid)
                    .for_each(|v| v.pending_task = None),
            }
        }
        match failure {
            Some(message) => TaskStatus::Failed(message),
            None => TaskStatus::Completed,
        }
    }
}
