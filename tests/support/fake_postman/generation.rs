//! A collection generated from an OpenAPI spec, as Spec Hub's "Paths" folder strategy
//! lays it out: one folder per first path segment, one request per operation, named
//! by its `summary` (else `operationId`, else `METHOD path`), URLs on `{{baseUrl}}`.
//! Path items `$ref`'d to other files of the spec are followed, so a multi-file spec
//! generates the same collection as its single-file form. A generated collection stays
//! linked to its spec (in sync until either side changes); generations and syncs are
//! 202 tasks, polled at `/{specs|collections}/{id}/tasks/{taskId}`.

use serde_json::{json, Map, Value};

use super::collections::SERVED_SCHEMA_URL;
use super::http::{Reply, Req};
use super::routes;
use super::specs::{error, find, instance_not_found, Spec};
use super::state::{Collection, State};

/// A handler's answer, or the error reply it stopped at.
type Result<T> = std::result::Result<T, Reply>;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The v2.1 collection for `spec`; with `previous` (a sync), folders and requests
/// that keep their names keep their ids. `Err` is why Postman would fail the task.
pub fn collection(
    spec: &Spec,
    name: &str,
    previous: Option<&Value>,
) -> std::result::Result<Value, String> {
    if !spec.spec_type.starts_with("OPENAPI:") {
        return Err(format!(
            "Failed to generate collection from specification: {} is not supported",
            spec.spec_type
        ));
    }
    let root = spec.root().ok_or("the specification has no root file")?;
    let doc = parse(&root.content, &root.path)?;
    let dir = root.path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut folders: Vec<(String, Vec<Value>)> = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (path, item) in paths {
        let item = resolve(spec, dir, item)?;
        let folder = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let request = request(&path, method, op);
            match folders.iter_mut().find(|(f, _)| *f == folder) {
                Some((_, items)) => items.push(request),
                None => folders.push((folder.clone(), vec![request])),
            }
        }
    }
    let items: Vec<Value> = folders
        .into_iter()
        .map(|(name, item)| json!({"name": name, "item": item}))
        .collect();
    let mut c = json!({
        "info": {"name": name, "schema": SERVED_SCHEMA_URL},
        "item": items,
        "variable": [{"key": "baseUrl", "value": base_url(&doc), "type": "string"}],
    });
    if let Some(previous) = previous {
        keep_ids(&mut c["item"], &previous["item"]);
    }
    Ok(c)
}

fn parse(text: &str, path: &str) -> std::result::Result<Value, String> {
    serde_yaml::from_str(text).map_err(|e| format!("Failed to parse {path}: {e}"))
}

/// A path item, or the file a relative `$ref` names (fragments not followed).
fn resolve(spec: &Spec, dir: &str, item: Value) -> std::result::Result<Value, String> {
    let Some(target) = item.get("$ref").and_then(Value::as_str) else {
        return Ok(item);
    };
    let file = target.split('#').next().unwrap_or("");
    if file.is_empty() {
        return Ok(item);
    }
    let path = join(dir, file);
    let f = spec
        .files
        .get(&path)
        .ok_or_else(|| format!("Failed to resolve $ref {target}: no file {path}"))?;
    parse(&f.content, &path)
}

/// `dir/rel` with `.` and `..` resolved.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn request(path: &str, method: &str, op: &Value) -> Value {
    let text = |k: &str| op.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let name = text("summary").or_else(|| text("operationId")).map_or_else(
        || format!("{} {path}", method.to_uppercase()),
        str::to_string,
    );
    // `{id}` in OpenAPI is `:id` in a Postman URL.
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(var) => format!(":{var}"),
                None => s.to_string(),
            },
        )
        .collect();
    json!({
        "name": name,
        "request": {
            "method": method.to_uppercase(),
            "header": [],
            "url": {
                "raw": format!("{{{{baseUrl}}}}/{}", segments.join("/")),
                "host": ["{{baseUrl}}"],
                "path": segments,
            },
        },
        "response": [],
    })
}

/// OpenAPI 3 `servers[0].url`, Swagger 2 `schemes`/`host`/`basePath`, else `/`.
fn base_url(doc: &Value) -> String {
    if let Some(url) = doc.pointer("/servers/0/url").and_then(Value::as_str) {
        return url.to_string();
    }
    match doc.get("host").and_then(Value::as_str) {
        Some(host) => {
            let scheme = doc
                .pointer("/schemes/0")
                .and_then(Value::as_str)
                .unwrap_or("https");
            let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
            format!("{scheme}://{host}{base}")
        }
        None => "/".into(),
    }
}

/// Copies `id`s from `old` items to `new` items of the same name, level by level.
fn keep_ids(new: &mut Value, old: &Value) {
    let old: Vec<&Map<String, Value>> = old
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    for item in new.as_array_mut().into_iter().flatten() {
        let Some(before) = old.iter().find(|o| o.get("name") == item.get("name")) else {
            continue;
        };
        if let Some(id) = before.get("id") {
            item["id"] = id.clone();
        }
        if let (Some(children), Some(old_children)) = (item.get_mut("item"), before.get("item")) {
            keep_ids(children, old_children);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Generated {
    pub collection: String,
    /// The spec's and the collection's `updatedAt` at the last generation or sync:
    /// a later change on either side makes the collection `out-of-sync`.
    pub spec_at: String,
    pub collection_at: String,
}

/// A generation or synchronisation: `pending` to its first look, then done.
#[derive(Debug, Clone)]
pub struct SpecTask {
    pub id: String,
    /// `specs` or `collections`, with `element_id`: where it is polled.
    pub element_type: &'static str,
    pub element_id: String,
    pub spec_id: String,
    pub action: &'static str,
    /// The collection it made or synced, or why it failed.
    pub outcome: std::result::Result<String, String>,
    pub looks: u32,
}

impl State {
    /// Generates a collection from the spec into its workspace, linked to it.
    pub fn generate_collection(
        &mut self,
        spec: &str,
        name: &str,
    ) -> std::result::Result<String, String> {
        let s = self.spec(spec).expect("the spec exists");
        let collection = collection(s, name, None)?;
        let ws = s.workspace.clone();
        let uid = self.create_collection_in(&ws, collection);
        self.link(spec, &uid);
        Ok(uid)
    }

    /// Regenerates a linked collection from the spec, keeping the ids of what stays.
    pub fn sync_collection(&mut self, spec: &str, uid: &str) -> std::result::Result<(), String> {
        let s = self.spec(spec).expect("the spec exists");
        let old = self.collection(uid).expect("the collection exists");
        let collection = collection(s, old.name(), Some(&old.body))?;
        self.update_collection(uid, collection);
        self.link(spec, uid);
        Ok(())
    }

    fn link(&mut self, spec: &str, uid: &str) {
        let collection_at = self.collection(uid).expect("exists").updated_at.clone();
        let s = self.ws.specs.get_mut(spec).expect("exists");
        s.generated.retain(|g| g.collection != uid);
        s.generated.push(Generated {
            collection: uid.into(),
            spec_at: s.updated_at.clone(),
            collection_at,
        });
    }

    /// One look at a task (pending the first time).
    fn look_at_spec_task(&mut self, id: &str) -> Option<&SpecTask> {
        let t = self.ws.tasks.get_mut(id)?;
        t.looks += 1;
        Some(t)
    }

    fn new_task(
        &mut self,
        element: (&'static str, &str),
        spec: &str,
        action: &'static str,
        outcome: std::result::Result<String, String>,
    ) -> String {
        let id = self.new_id();
        let task = SpecTask {
            id: id.clone(),
            element_type: element.0,
            element_id: element.1.into(),
            spec_id: spec.into(),
            action,
            outcome,
            looks: 0,
        };
        self.ws.tasks.insert(id.clone(), task);
        id
    }
}

// ---------------------------------------------------------------- routes

pub(super) fn list(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let spec = find(st, id)?;
    let linked: Vec<(&Generated, &Collection)> = spec
        .generated
        .iter()
        .filter_map(|g| Some((g, st.collection(&g.collection)?)))
        .collect();
    let (data, next, _) = routes::page(st, req, &linked, |(g, _)| g.collection.as_str())?;
    let collections: Vec<Value> = data
        .iter()
        .map(|(g, c)| {
            let in_sync = g.spec_at == spec.updated_at && g.collection_at == c.updated_at;
            json!({
                "id": c.uid, "name": c.name(), "state": if in_sync { "in-sync" } else { "out-of-sync" },
                "createdAt": c.created_at, "updatedAt": c.updated_at, "createdBy": st.user,
            })
        })
        .collect();
    Ok(Reply::ok(
        json!({"collections": collections, "meta": {"nextCursor": next}}),
    ))
}

/// Example `apiSpec423ErrorLocked` while an earlier generation is still pending.
fn check_unlocked(st: &State, spec: &str) -> Result<()> {
    let busy = st
        .ws
        .tasks
        .values()
        .any(|t| t.spec_id == spec && t.looks < 2);
    match busy {
        true => Err(error(
            423,
            "actionLockedError",
            "Collection generation in progress",
            "Collection generation is already in progress for the spec.",
        )),
        false => Ok(()),
    }
}

fn task_created(kind: &str, element: &str, task: &str) -> Reply {
    Reply::json(
        202,
        json!({"taskId": task, "url": format!("/{kind}/{element}/tasks/{task}")}),
    )
}

pub(super) fn generate(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let spec = find(st, id)?;
    check_unlocked(st, id)?;
    let body = req.json_body().unwrap_or_default();
    let name = body["name"].as_str().filter(|n| !n.is_empty());
    let name = name.unwrap_or(&spec.name).to_string();
    let outcome = st.generate_collection(id, &name);
    let task = st.new_task(("specs", id), id, "generation", outcome);
    Ok(task_created("specs", id, &task))
}

/// `PUT /collections/{uid}/synchronizations?specId=`: only a collection generated from
/// that spec can be synced.
pub(super) fn sync(st: &mut State, req: &Req, uid: &str) -> Result<Reply> {
    let spec_id = req.query("specId").unwrap_or_default().to_string();
    let spec = find(st, &spec_id)?;
    let uid = st.collection_uid(uid).ok_or_else(instance_not_found)?;
    if !spec.generated.iter().any(|g| g.collection == uid) {
        return Err(error(
            404,
            "instanceNotFoundError",
            "Resource not found",
            "Entity that you are trying to access does not exist.",
        ));
    }
    check_unlocked(st, &spec_id)?;
    let outcome = st.sync_collection(&spec_id, &uid).map(|()| uid.clone());
    let task = st.new_task(("collections", &uid), &spec_id, "synchronization", outcome);
    Ok(task_created("collections", &uid, &task))
}

pub(super) fn task(st: &mut State, kind: &str, element: &str, id: &str) -> Result<Reply> {
    let known = st
        .ws
        .tasks
        .get(id)
        .filter(|t| t.element_type == kind && t.element_id == element);
    if known.is_none() {
        return Err(instance_not_found());
    }
    let t = st.look_at_spec_task(id).expect("looked up above");
    let meta = json!({"action": t.action, "model": "collection"});
    let body = match (&t.outcome, t.looks) {
        (_, 1) => json!({"status": "pending", "meta": meta}),
        (Ok(uid), _) => {
            let bare = uid.split_once('-').map_or(uid.as_str(), |(_, id)| id);
            json!({
                "status": "completed", "meta": meta,
                "details": {"resources": [{"id": uid, "url": format!("/collections/{bare}")}]},
            })
        }
        (Err(why), _) => json!({"status": "failed", "meta": meta, "details": why}),
    };
    Ok(Reply::ok(body))
}
