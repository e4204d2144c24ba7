//! Postman v12 workspaces: `GET /workspaces/{id}` with its elements, the workspace's
//! global variables, `/collections?workspace=` (list, create in a workspace) and
//! `/environments`, as `postman-api-current.yaml` describes them. Spec Hub (`/specs`)
//! is in `specs.rs`; both keep their state in [`Workspaces`], inside `State`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::generation::SpecTask;
use super::http::{Reply, Req};
use super::routes;
use super::specs::{self, Spec};
use super::state::{Collection, State};

type Result<T> = std::result::Result<T, Reply>;

/// Postman's limit on an environment request body.
pub const MAX_ENVIRONMENT_BYTES: usize = 30 * 1024 * 1024;

/// Everything the workspace API adds to the fake's state.
#[derive(Debug, Default)]
pub struct Workspaces {
    pub workspaces: BTreeMap<String, Workspace>,
    /// Spec Hub specs of every workspace, by id.
    pub specs: BTreeMap<String, Spec>,
    /// Environments of every workspace, by UID.
    pub environments: BTreeMap<String, Environment>,
    /// Generation and synchronisation tasks, by id.
    pub tasks: BTreeMap<String, SpecTask>,
    /// API Builder APIs moved to Spec Hub (`migrations.rs`).
    pub migrations: super::migrations::Migrations,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
    /// UIDs of its collections (which live in `State::collections`); one deleted
    /// through `DELETE /collections/{id}` is simply no longer found.
    pub collections: Vec<String>,
    /// `GET /workspaces/{id}/global-variables`: `{key, value, type, enabled, description?}`.
    pub globals: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub uid: String,
    pub id: String,
    pub owner: u64,
    pub workspace: Option<String>,
    pub name: String,
    /// As sent: `{key, value, type: default|secret, enabled, description?}`.
    pub values: Vec<Value>,
    pub created_at: String,
    pub updated_at: String,
}

impl State {
    pub fn create_workspace(&mut self, id: Option<&str>, name: &str) -> String {
        let now = self.clock.tick();
        let id = id.map_or_else(|| self.new_id(), str::to_string);
        let ws = Workspace {
            id: id.clone(),
            name: name.into(),
            created_at: now.clone(),
            updated_at: now,
            collections: Vec::new(),
            globals: Vec::new(),
        };
        self.ws.workspaces.insert(id.clone(), ws);
        id
    }

    pub fn workspace(&self, id: &str) -> Option<&Workspace> {
        self.ws.workspaces.get(id)
    }

    /// Bumps the workspace's `updatedAt` (an element was added or removed).
    pub(super) fn touch_workspace(&mut self, id: &str, now: &str) {
        if let Some(ws) = self.ws.workspaces.get_mut(id) {
            ws.updated_at = now.into();
        }
    }

    /// The workspace's collections that still exist, in the order they were added.
    pub fn workspace_collections(&self, ws: &str) -> Vec<&Collection> {
        let uids = self.workspace(ws).map(|w| w.collections.as_slice());
        let uids = uids.unwrap_or_default();
        uids.iter().filter_map(|u| self.collection(u)).collect()
    }

    /// Creates a collection in a workspace; returns its UID.
    pub fn create_collection_in(&mut self, ws: &str, collection: Value) -> String {
        let uid = self.create_workspace_collection(self.user, None, collection);
        self.add_to_workspace(ws, &uid);
        uid
    }

    pub(super) fn add_to_workspace(&mut self, ws: &str, uid: &str) {
        let now = self.clock.now();
        if let Some(w) = self.ws.workspaces.get_mut(ws) {
            w.collections.push(uid.into());
            w.updated_at = now;
        }
    }

    /// Creates an environment (in a workspace, or in none); returns its UID.
    pub fn create_environment(
        &mut self,
        ws: Option<&str>,
        name: &str,
        values: Vec<Value>,
    ) -> String {
        let now = self.clock.tick();
        let id = self.new_id();
        let uid = format!("{}-{id}", self.user);
        let env = Environment {
            uid: uid.clone(),
            id,
            owner: self.user,
            workspace: ws.map(str::to_string),
            name: name.into(),
            values,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        self.ws.environments.insert(uid.clone(), env);
        if let Some(ws) = ws {
            self.touch_workspace(ws, &now);
        }
        uid
    }

    /// By UID or bare id.
    pub fn environment(&self, id_or_uid: &str) -> Option<&Environment> {
        let envs = &self.ws.environments;
        envs.get(id_or_uid)
            .or_else(|| envs.values().find(|e| e.id == id_or_uid))
    }

    /// PUT semantics: what is given replaces what was there.
    pub fn update_environment(
        &mut self,
        uid: &str,
        name: Option<&str>,
        values: Option<Vec<Value>>,
    ) {
        let now = self.clock.tick();
        let env = existing(&mut self.ws.environments, uid, "environment");
        if let Some(name) = name {
            env.name = name.into();
        }
        if let Some(values) = values {
            env.values = values;
        }
        env.updated_at = now;
    }

    pub fn delete_environment(&mut self, uid: &str) {
        let now = self.clock.tick();
        if let Some(ws) = self.ws.environments.remove(uid).and_then(|e| e.workspace) {
            self.touch_workspace(&ws, &now);
        }
    }

    pub fn set_globals(&mut self, ws: &str, values: Vec<Value>) {
        let now = self.clock.tick();
        let w = existing(&mut self.ws.workspaces, ws, "workspace");
        w.globals = values;
        w.updated_at = now;
    }
}

/// What a test (or a handler after its checks) names must exist: a bug otherwise.
pub(super) fn existing<'a, V>(map: &'a mut BTreeMap<String, V>, id: &str, what: &str) -> &'a mut V {
    map.get_mut(id)
        .unwrap_or_else(|| panic!("fake Postman: no {what} {id}"))
}

/// Dispatches the workspace API's routes; `None` leaves the request to `routes.rs`.
pub fn route(st: &mut State, req: &Req, segs: &[&str]) -> Option<Reply> {
    if let Some(reply) = specs::route(st, req, segs) {
        return Some(reply);
    }
    let result = match (req.method.as_str(), segs) {
        ("GET", ["workspaces", ws]) => get_workspace(st, ws),
        ("GET", ["workspaces", ws, "global-variables"]) => get_globals(st, ws),
        ("PUT", ["workspaces", ws, "global-variables"]) => put_globals(st, req, ws),
        ("GET", ["collections"]) => list_collections(st, req),
        // Only a known workspace is ours; anything else stays the API Builder's create.
        ("POST", ["collections"]) => match req.query("workspace") {
            Some(ws) if st.workspace(ws).is_some() => create_collection(st, req, ws),
            _ => return None,
        },
        ("GET", ["environments"]) => list_environments(st, req),
        ("POST", ["environments"]) => create_environment(st, req),
        ("GET", ["environments", id]) => get_environment(st, id),
        ("PUT", ["environments", id]) => put_environment(st, req, id),
        ("DELETE", ["environments", id]) => delete_environment(st, id),
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| e))
}

// ---------------------------------------------------------------- errors

/// Example `workspace404ErrorNotFound`.
pub fn workspace_not_found() -> Reply {
    Reply::json(
        404,
        json!({"error": {"name": "workspaceNotFoundError", "message": "Workspace not found", "statusCode": 404}}),
    )
}

fn name_message(status: u16, name: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error": {"name": name, "message": message}}))
}

/// `getEnvironment` declares its "not found" as a 400 (`environments404Error` content).
fn environment_not_found_get() -> Reply {
    name_message(
        400,
        "instanceNotFoundError",
        "We could not find the environment you are looking for",
    )
}

/// Example `environments404ErrorEnvDoesNotExist`.
fn environment_not_found() -> Reply {
    name_message(
        404,
        "instanceNotFoundError",
        "The specified environment does not exist.",
    )
}

/// Example `environments400ErrorMalformedRequest`.
fn malformed_environment(problems: Vec<String>) -> Reply {
    Reply::json(
        400,
        json!({"error": {
            "name": "malformedRequestError",
            "message": format!("Found {} errors with the supplied environment.", problems.len()),
            "details": problems,
        }}),
    )
}

/// Example `common413Error`.
fn too_large() -> Reply {
    Reply::json(
        413,
        json!({
            "type": "https://api.postman.com/problems/payload-too-large", "title": "Payload Too Large",
            "status": 413, "detail": "Request size limit exceeded", "instance": "/",
        }),
    )
}

// ---------------------------------------------------------------- workspaces

fn find_workspace<'a>(st: &'a State, id: &str) -> Result<&'a Workspace> {
    st.workspace(id).ok_or_else(workspace_not_found)
}

fn element(id: &str, name: &str, uid: &str) -> Value {
    json!({"id": id, "name": name, "uid": uid})
}

fn get_workspace(st: &mut State, id: &str) -> Result<Reply> {
    let ws = find_workspace(st, id)?;
    let user = st.user.to_string();
    let collections: Vec<Value> = st
        .workspace_collections(id)
        .iter()
        .map(|c| element(&c.id, c.name(), &c.uid))
        .collect();
    let environments: Vec<Value> = st
        .ws
        .environments
        .values()
        .filter(|e| e.workspace.as_deref() == Some(id))
        .map(|e| element(&e.id, &e.name, &e.uid))
        .collect();
    let specs: Vec<Value> = specs::in_workspace(st, id)
        .iter()
        .map(|s| element(&s.id, &s.name, &format!("{}-{}", st.user, s.id)))
        .collect();
    Ok(Reply::ok(json!({"workspace": {
        "id": ws.id, "name": ws.name, "type": "team", "description": "", "visibility": "team",
        "createdBy": user, "updatedBy": user, "createdAt": ws.created_at, "updatedAt": ws.updated_at,
        "collections": collections, "environments": environments, "specs": specs,
    }})))
}

fn get_globals(st: &mut State, ws: &str) -> Result<Reply> {
    let ws = find_workspace(st, ws)?;
    Ok(Reply::ok(json!({"values": ws.globals})))
}

fn put_globals(st: &mut State, req: &Req, ws: &str) -> Result<Reply> {
    find_workspace(st, ws)?;
    let values = req
        .json_body()
        .and_then(|b| b.get("values").cloned())
        .and_then(|v| v.as_array().cloned())
        .ok_or_else(|| {
            malformed_environment(vec![": must have required property 'values'".into()])
        })?;
    check_variables(&values, "values")?;
    st.set_globals(ws, values);
    get_globals(st, ws)
}

// ---------------------------------------------------------------- collections

/// `GET /collections?workspace=`: every collection of the workspace (of all workspaces
/// without the parameter; none for an unknown one, with 200 as the spec says), paged by
/// `limit`/`offset` when asked (`limit` at most the page size).
fn list_collections(st: &mut State, req: &Req) -> Result<Reply> {
    let all: Vec<&Collection> = match req.query("workspace") {
        Some(ws) => st.workspace_collections(ws),
        None => st.collections.values().collect(),
    };
    let owner = st.user.to_string();
    let entry = |c: &&Collection| {
        json!({
            "id": c.id, "name": c.name(), "owner": owner, "createdAt": c.created_at,
            "updatedAt": c.updated_at, "uid": c.uid, "isPublic": false,
        })
    };
    let number = |name: &str| req.query(name).and_then(|v| v.parse::<usize>().ok());
    let mut body = json!({});
    let (offset, limit) = (number("offset"), number("limit"));
    let page: Vec<Value> = match (offset, limit) {
        (None, None) => all.iter().map(entry).collect(),
        _ => {
            // Capped at the page size, like the cursor listings, so clients page.
            let limit = limit.unwrap_or(st.page_size).min(st.page_size);
            let offset = offset.unwrap_or(0);
            body["meta"] = json!({"total": all.len(), "offset": offset, "limit": limit});
            all.iter().skip(offset).take(limit).map(entry).collect()
        }
    };
    body["collections"] = json!(page);
    Ok(Reply::ok(body))
}

fn create_collection(st: &mut State, req: &Req, ws: &str) -> Result<Reply> {
    let reply = routes::create_collection(st, req)?;
    let uid = reply
        .body
        .as_ref()
        .and_then(|b| b["collection"]["uid"].as_str());
    let uid = uid.expect("createCollection answers the UID").to_string();
    st.add_to_workspace(ws, &uid);
    Ok(reply)
}

// ---------------------------------------------------------------- environments

fn list_environments(st: &mut State, req: &Req) -> Result<Reply> {
    let ws = req.query("workspace");
    let owner = st.user.to_string();
    let envs: Vec<Value> = st
        .ws
        .environments
        .values()
        .filter(|e| ws.is_none() || e.workspace.as_deref() == ws)
        .map(|e| {
            json!({
                "id": e.id, "name": e.name, "createdAt": e.created_at, "updatedAt": e.updated_at,
                "owner": owner, "uid": e.uid, "isPublic": false,
            })
        })
        .collect();
    Ok(Reply::ok(json!({ "environments": envs })))
}

/// Each variable must be an object with a string `key` and, if given, a known `type`.
fn check_variables(values: &[Value], at: &str) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        let Some(obj) = v.as_object() else {
            let kind = match v {
                Value::Null => "null",
                Value::Array(_) => "array",
                Value::String(_) => "string",
                _ => "scalar",
            };
            return Err(Reply::json(
                400,
                json!({"error": {
                    "name": "malformedRequestError",
                    "message": format!("Invalid type: {kind} (expected object) at {at}.{i}"),
                }}),
            ));
        };
        if !obj.get("key").is_some_and(Value::is_string) {
            return Err(malformed_environment(vec![format!(
                "{at}.{i}: must have required property 'key'"
            )]));
        }
        if let Some(t) = obj
            .get("type")
            .filter(|t| !matches!(t.as_str(), Some("default" | "secret")))
        {
            return Err(malformed_environment(vec![format!(
                "{at}.{i}.type: must be equal to one of the allowed values, not {t}"
            )]));
        }
    }
    Ok(())
}

/// The `environment` member of a POST/PUT body: `(name, values)`, checked.
fn environment_body(
    st: &State,
    req: &Req,
    name_required: bool,
) -> Result<(Option<String>, Option<Vec<Value>>)> {
    if req.body.len() > MAX_ENVIRONMENT_BYTES.min(st.max_body_bytes) {
        return Err(too_large());
    }
    let env = req
        .json_body()
        .and_then(|b| b.get("environment").cloned())
        .filter(Value::is_object)
        .ok_or_else(|| {
            malformed_environment(vec![": must have required property 'environment'".into()])
        })?;
    let name = env["name"].as_str().map(str::to_string);
    if name_required && name.is_none() {
        return Err(malformed_environment(vec![
            "environment: must have required property 'name'".into(),
        ]));
    }
    let values = match env.get("values") {
        None => None,
        Some(Value::Array(values)) => {
            check_variables(values, "environment.values")?;
            Some(values.clone())
        }
        Some(_) => {
            return Err(malformed_environment(vec![
                "environment.values: must be array".into(),
            ]))
        }
    };
    Ok((name, values))
}

fn env_summary(e: &Environment) -> Value {
    json!({"environment": {"id": e.id, "name": e.name, "uid": e.uid}})
}

fn create_environment(st: &mut State, req: &Req) -> Result<Reply> {
    let ws = req.query("workspace").map(str::to_string);
    if let Some(ws) = &ws {
        if st.workspace(ws).is_none() {
            return Err(name_message(
                400,
                "instanceNotFoundError",
                "We could not find the workspace you are looking for",
            ));
        }
    }
    let (name, values) = environment_body(st, req, true)?;
    let name = name.expect("checked");
    let uid = st.create_environment(ws.as_deref(), &name, values.unwrap_or_default());
    Ok(Reply::ok(env_summary(&st.ws.environments[&uid])))
}

fn get_environment(st: &mut State, id: &str) -> Result<Reply> {
    let e = st.environment(id).ok_or_else(environment_not_found_get)?;
    Ok(Reply::ok(json!({"environment": {
        "id": e.id, "name": e.name, "owner": e.owner.to_string(), "createdAt": e.created_at,
        "updatedAt": e.updated_at, "values": e.values, "isPublic": false,
    }})))
}

fn put_environment(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let uid = st
        .environment(id)
        .ok_or_else(environment_not_found)?
        .uid
        .clone();
    let (name, values) = environment_body(st, req, false)?;
    st.update_environment(&uid, name.as_deref(), values);
    Ok(Reply::ok(env_summary(&st.ws.environments[&uid])))
}

fn delete_environment(st: &mut State, id: &str) -> Result<Reply> {
    let e = st.environment(id).ok_or_else(environment_not_found)?;
    let out = json!({"environment": {"id": e.id, "uid": e.uid}});
    let uid = e.uid.clone();
    st.delete_environment(&uid);
    Ok(Reply::ok(out))
}
