//! Collection JSON handling, done the way Postman's servers do it:
//! - on write, every item, response, event script and variable lacking an `id` gets one
//!   (a PUT without item ids therefore "recreates" the items with new ids);
//! - per item the server tracks `createdAt`/`updatedAt` and adds them, with a `uid`,
//!   when `GET /collections/{id}` serves the collection (see the current spec's
//!   `getCollection` example); `GET /apis/{apiId}/collections/{id}` serves it bare.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::clock::IdGen;

/// What Postman puts in `info.schema` of the collections it serves.
pub const SERVED_SCHEMA_URL: &str =
    "https://schema.postman.com/json/collection/v2.1.0/collection.json";

/// Fields only the server adds; they are dropped from what clients send.
const SERVER_INFO_FIELDS: [&str; 6] = [
    "uid",
    "createdAt",
    "updatedAt",
    "lastUpdatedBy",
    "fork",
    // written by Postman's git integration into files, not part of the cloud object
    "_uid",
];
const SERVER_ITEM_FIELDS: [&str; 3] = ["uid", "createdAt", "updatedAt"];

/// True for any v2.0.x / v2.1.x collection schema URL, on either host and with or
/// without the `draft-07` segment (all seen in real exports).
pub fn is_v2_schema_url(url: &str) -> bool {
    url.contains("/collection/v2.0.") || url.contains("/collection/v2.1.")
}

/// Problems that make Postman reject a collection body (one message per problem).
pub fn validate(collection: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(obj) = collection.as_object() else {
        return vec![": must be object".into()];
    };
    match obj.get("info").and_then(Value::as_object) {
        None => problems.push(": must have required property 'info'".into()),
        Some(info) => {
            if !info.get("name").is_some_and(Value::is_string) {
                problems.push("info: must have required property 'name'".into());
            }
            match info.get("schema").and_then(Value::as_str) {
                None => problems.push("info: must have required property 'schema'".into()),
                Some(url) if !is_v2_schema_url(url) => problems.push(format!(
                    "info.schema: unsupported collection schema '{url}'"
                )),
                Some(_) => {}
            }
        }
    }
    if !obj.get("item").is_some_and(Value::is_array) {
        problems.push(": must have required property 'item'".into());
    }
    problems
}

/// Server-side bookkeeping for one item or response.
#[derive(Debug, Clone)]
pub struct ItemMeta {
    pub created_at: String,
    pub updated_at: String,
    fingerprint: String,
}

/// Cleans a client body and gives ids to everything that lacks one.
/// `postman_id` becomes `info._postman_id`.
pub fn normalize(mut collection: Value, postman_id: &str, ids: &mut IdGen) -> Value {
    if let Some(info) = collection.get_mut("info").and_then(Value::as_object_mut) {
        for f in SERVER_INFO_FIELDS {
            info.shift_remove(f);
        }
        info.shift_remove("_postman_id");
        info.shift_insert(0, "_postman_id".into(), Value::String(postman_id.into()));
    }
    if let Some(obj) = collection.as_object_mut() {
        assign_variable_ids(obj, ids);
        assign_event_ids(obj, ids);
        if let Some(items) = obj.get_mut("item").and_then(Value::as_array_mut) {
            items.iter_mut().for_each(|i| normalize_item(i, ids));
        }
    }
    collection
}

fn normalize_item(item: &mut Value, ids: &mut IdGen) {
    let Some(obj) = item.as_object_mut() else {
        return;
    };
    for f in SERVER_ITEM_FIELDS {
        obj.shift_remove(f);
    }
    ensure_id(obj, ids);
    assign_variable_ids(obj, ids);
    assign_event_ids(obj, ids);
    if let Some(responses) = obj.get_mut("response").and_then(Value::as_array_mut) {
        for r in responses.iter_mut().filter_map(Value::as_object_mut) {
            for f in SERVER_ITEM_FIELDS {
                r.shift_remove(f);
            }
            ensure_id(r, ids);
        }
    }
    if let Some(children) = obj.get_mut("item").and_then(Value::as_array_mut) {
        children.iter_mut().for_each(|c| normalize_item(c, ids));
    }
}

/// Postman places a new `id` right after `name` (see the git-layout samples). Old
/// exports name items by `_postman_id` instead; that id is kept (postman-collection
/// reads it as the item's id too).
fn ensure_id(obj: &mut Map<String, Value>, ids: &mut IdGen) {
    let non_empty = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if non_empty(obj.get("id")).is_some() {
        return;
    }
    let id = non_empty(obj.get("_postman_id")).unwrap_or_else(|| ids.uuid());
    obj.shift_remove("id");
    let at = obj.keys().position(|k| k == "name").map_or(0, |i| i + 1);
    obj.shift_insert(at, "id".into(), Value::String(id));
}

/// Collection and folder variables carry an `id` first (as in Postman's exports).
fn assign_variable_ids(obj: &mut Map<String, Value>, ids: &mut IdGen) {
    if let Some(vars) = obj.get_mut("variable").and_then(Value::as_array_mut) {
        for v in vars.iter_mut().filter_map(Value::as_object_mut) {
            if !v.contains_key("id") {
                v.shift_insert(0, "id".into(), Value::String(ids.uuid()));
            }
        }
    }
}

/// Postman identifies an event by its script's `id`.
fn assign_event_ids(obj: &mut Map<String, Value>, ids: &mut IdGen) {
    if let Some(events) = obj.get_mut("event").and_then(Value::as_array_mut) {
        for script in events
            .iter_mut()
            .filter_map(|e| e.get_mut("script").and_then(Value::as_object_mut))
        {
            if !script.contains_key("id") {
                script.shift_insert(0, "id".into(), Value::String(ids.uuid()));
            }
        }
    }
}

/// Every id of `collection` whose own content changed (or is new) gets `now` as
/// `updatedAt`; new ids also get it as `createdAt`. Ids that vanished are forgotten.
pub fn track_items(
    collection: &Value,
    old: &HashMap<String, ItemMeta>,
    now: &str,
) -> HashMap<String, ItemMeta> {
    let mut out = HashMap::new();
    let mut visit = |id: &str, fingerprint: String| {
        let meta = match old.get(id) {
            Some(m) if m.fingerprint == fingerprint => m.clone(),
            Some(m) => ItemMeta {
                created_at: m.created_at.clone(),
                updated_at: now.into(),
                fingerprint,
            },
            None => ItemMeta {
                created_at: now.into(),
                updated_at: now.into(),
                fingerprint,
            },
        };
        out.insert(id.to_string(), meta);
    };
    walk_items(collection.get("item"), &mut visit);
    out
}

fn walk_items(items: Option<&Value>, visit: &mut impl FnMut(&str, String)) {
    for item in items.and_then(Value::as_array).into_iter().flatten() {
        let Some(obj) = item.as_object() else {
            continue;
        };
        if let Some(id) = obj.get("id").and_then(Value::as_str) {
            // A folder's own fields only: children and responses have their own meta.
            let own: Map<String, Value> = obj
                .iter()
                .filter(|(k, _)| *k != "item" && *k != "response")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            visit(id, Value::Object(own).to_string());
        }
        for r in obj
            .get("response")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                visit(id, r.to_string());
            }
        }
        walk_items(obj.get("item"), visit);
    }
}

/// Server-side view of a stored collection.
pub struct Served<'a> {
    pub body: &'a Value,
    pub owner: u64,
    pub uid: &'a str,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub items: &'a HashMap<String, ItemMeta>,
}

impl Served<'_> {
    /// `GET /apis/{apiId}/collections/{id}`: the collection itself, `info.schema` as served.
    pub fn bare(&self) -> Value {
        let mut c = self.body.clone();
        if let Some(info) = c.get_mut("info").and_then(Value::as_object_mut) {
            info.insert("schema".into(), Value::String(SERVED_SCHEMA_URL.into()));
        }
        c
    }

    /// `GET /collections/{id}`: with the server-only fields Postman adds.
    pub fn decorated(&self) -> Value {
        let mut c = self.bare();
        if let Some(info) = c.get_mut("info").and_then(Value::as_object_mut) {
            info.insert("updatedAt".into(), Value::String(self.updated_at.into()));
            info.insert("createdAt".into(), Value::String(self.created_at.into()));
            info.insert(
                "lastUpdatedBy".into(),
                Value::String(self.owner.to_string()),
            );
            info.insert("uid".into(), Value::String(self.uid.into()));
        }
        if let Some(items) = c.get_mut("item").and_then(Value::as_array_mut) {
            items.iter_mut().for_each(|i| self.decorate_item(i));
        }
        c
    }

    fn decorate_item(&self, item: &mut Value) {
        let Some(obj) = item.as_object_mut() else {
            return;
        };
        if let Some(children) = obj.get_mut("item").and_then(Value::as_array_mut) {
            children.iter_mut().for_each(|c| self.decorate_item(c));
        }
        if let Some(responses) = obj.get_mut("response").and_then(Value::as_array_mut) {
            responses
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(|r| self.add_meta(r));
        }
        self.add_meta(obj);
    }

    fn add_meta(&self, obj: &mut Map<String, Value>) {
        let Some(meta) = obj
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| self.items.get(id))
        else {
            return;
        };
        let uid = format!("{}-{}", self.owner, obj["id"].as_str().unwrap_or_default());
        obj.insert("createdAt".into(), Value::String(meta.created_at.clone()));
        obj.insert("updatedAt".into(), Value::String(meta.updated_at.clone()));
        obj.insert("uid".into(), Value::String(uid));
    }
}

/// The collection with every id removed (what a copy starts from).
pub fn without_ids(mut collection: Value) -> Value {
    if let Some(info) = collection.get_mut("info").and_then(Value::as_object_mut) {
        info.shift_remove("_postman_id");
    }
    if let Some(obj) = collection.as_object_mut() {
        strip_ids(obj);
    }
    collection
}

fn strip_ids(obj: &mut Map<String, Value>) {
    for v in obj
        .get_mut("variable")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        v.as_object_mut().map(|v| v.shift_remove("id"));
    }
    for e in obj
        .get_mut("event")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        e.get_mut("script")
            .and_then(Value::as_object_mut)
            .map(|s| s.shift_remove("id"));
    }
    for key in ["item", "response"] {
        for child in obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(child) = child.as_object_mut() {
                child.shift_remove("id");
                strip_ids(child);
            }
        }
    }
}
