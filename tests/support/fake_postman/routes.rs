//! Routing and the handlers of every operation the fake serves. One table (`route`)
//! maps method and path to a handler; handlers return `Err(reply)` for any error so
//! lookups compose with `?`.

use serde_json::{json, Value};

use super::clock::{base64_decode, base64_encode};
use super::collections;
use super::http::{self, Reply, Req};
use super::state::{Api, Collection, Schema, SchemaFile, State, TaskStatus, Version};

type Result<T> = std::result::Result<T, Reply>;

/// Postman's API Builder media type.
pub const V10_ACCEPT: &str = "application/vnd.api.v10+json";

/// Dispatches an authenticated request.
pub fn route(st: &mut State, req: &Req) -> Reply {
    let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    if segs.first() == Some(&"apis") && !accepts_v10(req) {
        return http::v10_header_missing();
    }
    if let Some(reply) = super::workspaces::route(st, req, &segs) {
        return reply;
    }
    if let Some(reply) = super::migrations::route(st, req, &segs) {
        return reply;
    }
    let result = match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["apis", api]) => get_api(st, req, api),
        ("POST", ["apis", api, "schemas"]) => create_schema(st, req, api),
        ("GET", ["apis", api, "schemas", sid]) => get_schema(st, req, api, sid),
        ("GET", ["apis", api, "schemas", sid, "files"]) => list_files(st, req, api, sid),
        (m, ["apis", api, "schemas", sid, "files", path @ ..]) if !path.is_empty() => {
            file_route(st, req, m, api, sid, &path.join("/"))
        }
        ("POST", ["apis", api, "collections"]) => add_api_collection(st, req, api),
        ("GET", ["apis", api, "collections", cid]) => get_api_collection(st, req, api, cid),
        ("GET", ["apis", api, "versions"]) => list_versions(st, req, api),
        ("POST", ["apis", api, "versions"]) => create_version(st, req, api),
        ("GET", ["apis", api, "versions", vid]) => get_version(st, api, vid),
        ("GET", ["apis", api, "tasks", tid]) => get_task(st, api, tid),
        ("POST", ["collections"]) => create_collection(st, req),
        ("GET", ["collections", cid]) => get_collection(st, cid),
        ("PUT", ["collections", cid]) => put_collection(st, req, cid),
        ("DELETE", ["collections", cid]) => delete_collection(st, cid),
        ("GET", ["collection-updates-tasks", tid]) => get_update_task(st, tid),
        ("GET", ["me"]) => Ok(Reply::ok(me())),
        _ => Err(http::route_not_found()),
    };
    result.unwrap_or_else(|e| e)
}

fn accepts_v10(req: &Req) -> bool {
    req.header("Accept")
        .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with(V10_ACCEPT)))
}

// ---------------------------------------------------------------- lookups

fn find_api<'a>(st: &'a State, id: &str) -> Result<&'a Api> {
    st.api(id).ok_or_else(http::api_not_found)
}

/// The API, refusing Git-linked ones (schema and collection calls answer 422).
fn cloud_api<'a>(st: &'a State, id: &str) -> Result<&'a Api> {
    let api = find_api(st, id)?;
    match api.git_info {
        Some(_) => Err(http::git_linked()),
        None => Ok(api),
    }
}

/// The published version named by `?versionId=`, if any.
fn requested_version<'a>(api: &'a Api, req: &Req) -> Result<Option<&'a Version>> {
    match req.query("versionId").filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(vid) => api
            .versions
            .iter()
            .find(|v| v.id == vid)
            .map(Some)
            .ok_or_else(http::version_not_found),
    }
}

/// The live schema, or the one frozen in `?versionId=`.
fn schema_for<'a>(api: &'a Api, req: &Req, schema_id: &str) -> Result<&'a Schema> {
    let schema = match requested_version(api, req)? {
        Some(v) => v.schema.as_ref(),
        None => api.schema.as_ref(),
    };
    schema
        .filter(|s| s.id == schema_id)
        .ok_or_else(http::schema_not_found)
}

fn user_value(st: &State, as_string: bool) -> Value {
    if as_string {
        json!(st.user.to_string())
    } else {
        json!(st.user)
    }
}

// ---------------------------------------------------------------- paging

/// Slices the page after `?cursor=`. The page size is `?limit=` capped at the
/// state's page size, so tests exercise paging even when a client asks for more.
/// Cursors are base64 JSON naming the last key served, as Postman's are.
/// Returns the page, the next cursor (only when there is more) and the page size.
pub(super) fn page<'a, T>(
    st: &State,
    req: &Req,
    items: &'a [T],
    key: impl Fn(&T) -> &str,
) -> Result<(&'a [T], Option<String>, usize)> {
    let limit = match req.query("limit") {
        None | Some("") => st.page_size,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|&l| l > 0)
            .ok_or_else(|| {
                http::invalid_params(
                    "Invalid limit",
                    "Parameter, limit must be a positive integer.",
                )
            })?
            .min(st.page_size),
    };
    let start = match req.query("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => {
            let last = decode_cursor(cursor).ok_or_else(|| {
                http::invalid_params(
                    "Invalid cursor",
                    "Parameter, cursor is in an invalid format.",
                )
            })?;
            // After the key served last; if it vanished meanwhile, after where it was.
            items
                .iter()
                .position(|i| key(i) == last)
                .map(|p| p + 1)
                .unwrap_or_else(|| items.iter().take_while(|i| key(i) < last.as_str()).count())
        }
    };
    let start = start.min(items.len());
    let end = (start + limit).min(items.len());
    let next = (end < items.len()).then(|| encode_cursor(key(&items[end - 1])));
    Ok((&items[start..end], next, limit))
}

fn encode_cursor(last: &str) -> String {
    let c = json!({"scheme": "path_asc", "directionType": "next", "pivot": "path", "value": last});
    base64_encode(c.to_string().as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<String> {
    // A client that reuses `nextPath` verbatim gets base64's `+` back as a space.
    let v: Value = serde_json::from_slice(&base64_decode(&cursor.replace(' ', "+"))?).ok()?;
    v.get("value")?.as_str().map(str::to_string)
}

// ---------------------------------------------------------------- APIs

fn get_api(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    let api = find_api(st, api_id)?;
    let mut body = json!({
        "id": api.id, "name": api.name, "summary": api.summary, "description": api.description,
        "createdAt": api.created_at, "createdBy": st.user,
        "updatedAt": api.updated_at, "updatedBy": st.user,
    });
    let linked = api.git_info.is_some();
    for include in req.query_list("include") {
        let value = match include.as_str() {
            // Git-linked APIs keep schemas and collections in git: only versions/gitInfo.
            "schemas" if !linked => json!(api
                .schema
                .iter()
                .map(|s| json!({"id": s.id}))
                .collect::<Vec<_>>()),
            "collections" if !linked => json!(api
                .collections
                .iter()
                .map(|c| json!({"id": c}))
                .collect::<Vec<_>>()),
            "versions" => json!(api
                .versions
                .iter()
                .map(|v| json!({"id": v.id, "name": v.name}))
                .collect::<Vec<_>>()),
            "gitInfo" => match &api.git_info {
                None => json!({}),
                Some(g) => json!({
                    "domain": g.domain, "repository": g.repository, "organization": g.organization,
                    "schemaFolder": g.schema_folder, "collectionFolder": g.collection_folder,
                }),
            },
            _ => continue,
        };
        body[include.as_str()] = value;
    }
    Ok(Reply::ok(body))
}

// ---------------------------------------------------------------- schemas

/// A file entry; `createdBy`/`updatedBy` are integers or strings depending on the
/// operation, exactly as the spec types them.
fn file_entry(st: &State, f: &SchemaFile, users_as_strings: bool) -> Value {
    let user = user_value(st, users_as_strings);
    json!({
        "id": f.id, "name": f.name(), "path": f.path,
        "createdAt": f.created_at, "createdBy": user, "updatedAt": f.updated_at, "updatedBy": user,
    })
}

fn schema_header(st: &State, s: &Schema) -> Value {
    let user = user_value(st, true);
    json!({
        "id": s.id, "type": s.schema_type,
        "createdAt": s.created_at, "createdBy": user, "updatedAt": s.updated_at, "updatedBy": user,
    })
}

fn create_schema(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    if cloud_api(st, api_id)?.schema.is_some() {
        return Err(http::invalid_params(
            "Could not create the resource",
            "Schema already exists for this API",
        ));
    }
    let body = req.json_body().unwrap_or_default();
    let Some(schema_type) = body["type"].as_str() else {
        return Err(http::invalid_params(
            "Invalid request body",
            "Missing field \"type\" in the request body",
        ));
    };
    let files = body["files"].as_array().cloned().unwrap_or_default();
    let sid = st.create_schema(api_id, None, schema_type);
    for f in &files {
        let (Some(path), Some(content)) = (f["path"].as_str(), f["content"].as_str()) else {
            continue;
        };
        st.put_schema_file_with_root(api_id, path, content, f["root"]["enabled"].as_bool());
    }
    let schema = st
        .api(api_id)
        .and_then(|a| a.schema.as_ref())
        .expect("just created");
    let mut out = schema_header(st, schema);
    out["files"] = json!(schema
        .files
        .values()
        .map(|f| {
            let mut e = file_entry(st, f, true);
            e["root"] = json!({"enabled": f.root});
            e
        })
        .collect::<Vec<_>>());
    debug_assert_eq!(out["id"], json!(sid));
    Ok(Reply::ok(out))
}

/// The multi-file form: the schema plus the first page of its file listing.
fn get_schema(st: &mut State, req: &Req, api_id: &str, schema_id: &str) -> Result<Reply> {
    let api = cloud_api(st, api_id)?;
    let schema = schema_for(api, req, schema_id)?;
    let files: Vec<&SchemaFile> = schema.files.values().collect();
    let first_page = Req::new("GET", "/", Vec::new(), Vec::new());
    let (data, next, _) = page(st, &first_page, &files, |f| f.path.as_str())?;
    let mut meta = json!({});
    if let Some(cursor) = next {
        let version = req
            .query("versionId")
            .map(|v| format!("&versionId={v}"))
            .unwrap_or_default();
        meta["nextPath"] = json!(format!(
            "/apis/{api_id}/schemas/{schema_id}/files?cursor={cursor}{version}"
        ));
    }
    let mut out = schema_header(st, schema);
    let data: Vec<Value> = data.iter().map(|f| file_entry(st, f, true)).collect();
    out["files"] = json!({"data": data, "meta": meta});
    Ok(Reply::ok(out))
}

fn list_files(st: &mut State, req: &Req, api_id: &str, schema_id: &str) -> Result<Reply> {
    let schema = schema_for(cloud_api(st, api_id)?, req, schema_id)?;
    let files: Vec<&SchemaFile> = schema.files.values().collect();
    let (data, next, _) = page(st, req, &files, |f| f.path.as_str())?;
    let mut meta = json!({});
    if let Some(cursor) = next {
        meta["nextCursor"] = json!(cursor);
    }
    let files: Vec<Value> = data.iter().map(|f| file_entry(st, f, false)).collect();
    Ok(Reply::ok(json!({"meta": meta, "files": files})))
}

fn file_route(
    st: &mut State,
    req: &Req,
    method: &str,
    api_id: &str,
    schema_id: &str,
    path: &str,
) -> Result<Reply> {
    let schema = schema_for(cloud_api(st, api_id)?, req, schema_id)?;
    match method {
        "GET" => {
            let f = schema
                .files
                .get(path)
                .ok_or_else(|| http::file_not_found(path))?;
            let mut out = file_entry(st, f, true);
            out["content"] = json!(f.content);
            Ok(Reply::ok(out))
        }
        "PUT" => put_file(st, req, api_id, path),
        "DELETE" => {
            if !schema.files.contains_key(path) {
                return Err(http::file_not_found(path));
            }
            st.delete_schema_file(api_id, path);
            Ok(Reply::empty(204))
        }
        _ => Err(http::route_not_found()),
    }
}

/// Create or update; a `/` in the path makes folders (paths are just keys here).
fn put_file(st: &mut State, req: &Req, api_id: &str, path: &str) -> Result<Reply> {
    if path.starts_with('/')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(http::invalid_params(
            "Invalid file path",
            &format!("The file path '{path}' is invalid."),
        ));
    }
    let body = req.json_body().filter(Value::is_object).ok_or_else(|| {
        http::invalid_params(
            "Invalid request body",
            "The request body must be a JSON object.",
        )
    })?;
    let exists = st.schema_file(api_id, path).is_some();
    let content = match (body["content"].as_str(), exists) {
        (Some(c), _) => c.to_string(),
        (None, true) => st
            .schema_file(api_id, path)
            .expect("exists")
            .content
            .clone(),
        (None, false) => {
            return Err(http::invalid_params(
                "Invalid request body",
                "Missing field \"content\" in the request body",
            ))
        }
    };
    st.put_schema_file_with_root(api_id, path, &content, body["root"]["enabled"].as_bool());
    let f = st.schema_file(api_id, path).expect("just written");
    let user = user_value(st, true);
    Ok(Reply::ok(json!({
        "createdBy": user, "createdAt": f.created_at, "root": {"enabled": f.root}, "name": f.name(),
        "path": f.path, "updatedBy": user, "id": f.id, "updatedAt": f.updated_at,
    })))
}

// ---------------------------------------------------------------- collections

fn get_api_collection(st: &mut State, req: &Req, api_id: &str, cid: &str) -> Result<Reply> {
    let api = cloud_api(st, api_id)?;
    let matches = |c: &Collection| c.uid == cid || c.id == cid;
    let found = match requested_version(api, req)? {
        Some(v) => v.collections.iter().find(|c| matches(c)),
        None => st
            .collection(cid)
            .filter(|c| api.collections.contains(&c.uid))
            .filter(|c| matches(c)),
    };
    let c = found.ok_or_else(http::api_collection_not_found)?;
    Ok(Reply::ok(c.served().bare()))
}

fn get_collection(st: &mut State, cid: &str) -> Result<Reply> {
    let c = st
        .collection(cid)
        .ok_or_else(http::collection_not_found_get)?;
    Ok(Reply::ok(json!({"collection": c.served().decorated()})))
}

pub(super) fn collection_summary(st: &State, uid: &str) -> Value {
    let c = st.collection(uid).expect("collection exists");
    json!({"id": c.id, "name": c.name(), "uid": c.uid})
}

/// The `collection` member of a POST/PUT body, checked as Postman checks it.
fn collection_from_body(req: &Req) -> Result<Value> {
    let collection = req
        .json_body()
        .and_then(|mut b| b.get_mut("collection").map(Value::take))
        .filter(Value::is_object)
        .ok_or_else(|| http::collection_property_missing(&req.path))?;
    if let Some(url) = collection["info"]["schema"].as_str() {
        if !collections::is_v2_schema_url(url) {
            return Err(http::collection_unparsable());
        }
    }
    let problems = collections::validate(&collection);
    if !problems.is_empty() {
        return Err(http::malformed_collection(problems));
    }
    Ok(collection)
}

fn check_size(st: &State, req: &Req) -> Result<()> {
    match req.body.len() > st.max_body_bytes {
        true => Err(http::payload_too_large()),
        false => Ok(()),
    }
}

pub(super) fn create_collection(st: &mut State, req: &Req) -> Result<Reply> {
    check_size(st, req)?;
    let collection = collection_from_body(req)?;
    if let Some(existing) = collection["info"]["_postman_id"]
        .as_str()
        .and_then(|id| st.collection(id))
    {
        return Err(http::collection_exists(&existing.id));
    }
    let uid = st.create_workspace_collection(st.user, None, collection);
    Ok(Reply::ok(
        json!({"collection": collection_summary(st, &uid)}),
    ))
}

fn put_collection(st: &mut State, req: &Req, cid: &str) -> Result<Reply> {
    check_size(st, req)?;
    let uid = st
        .collection_uid(cid)
        .ok_or_else(http::collection_not_found_put)?;
    let collection = collection_from_body(req)?;
    let own_id = st.collection(&uid).expect("resolved").id.clone();
    if collection["info"]["_postman_id"]
        .as_str()
        .is_some_and(|p| p != own_id)
    {
        return Err(http::collection_mismatch());
    }
    st.update_collection(&uid, collection);
    let is_async = req
        .header("Prefer")
        .is_some_and(|p| p.split(',').any(|t| t.trim() == "respond-async"));
    if is_async {
        // Applied at once; the task still reports "in-progress" to its first look.
        let task = st.create_task("", None);
        return Ok(Reply::json(
            202,
            json!({"task": {"id": task, "status": "in-progress"}}),
        ));
    }
    Ok(Reply::ok(
        json!({"collection": collection_summary(st, &uid)}),
    ))
}

fn delete_collection(st: &mut State, cid: &str) -> Result<Reply> {
    let c = st
        .collection(cid)
        .ok_or_else(|| http::collection_not_found_delete(cid))?;
    let out = json!({"collection": {"id": c.id, "uid": c.uid}});
    let uid = c.uid.clone();
    st.delete_collection(&uid);
    Ok(Reply::ok(out))
}

/// `GET /me`: the key's user (`git postman login` and `doctor` check a key with it).
fn me() -> serde_json::Value {
    json!({
        "user": {
            "id": 12345678,
            "username": "fake-user",
            "email": "fake-user@example.com",
            "fullName": "Fake User",
            "avatar": null,
            "isPublic": false,
            "teamId": 0,
            "teamName": "",
            "teamDomain": "",
            "roles": ["user"]
        },
        "operations": [
            { "name": "api_usage", "limit": 1000, "usage": 0, "overage": 0 }
        ]
    })
}

fn get_update_task(st: &mut State, tid: &str) -> Result<Reply> {
    if !st.tasks.contains_key(tid) {
        return Err(http::task_not_found());
    }
    let status = match st.look_at_task(tid) {
        TaskStatus::Pending => "in-progress",
        TaskStatus::Completed => "successful",
        TaskStatus::Failed(_) => "failed",
    };
    Ok(Reply::ok(json!({"id": tid, "status": status})))
}

fn add_api_collection(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    cloud_api(st, api_id)?;
    let body = req.json_body().unwrap_or_default();
    let uid = match body["operationType"].as_str() {
        Some("COPY_COLLECTION") => {
            let source = body["data"]["collectionId"]
                .as_str()
                .and_then(|id| st.collection(id));
            let source = source.ok_or_else(http::api_collection_not_found)?;
            // A copy is a new collection: Postman gives it and all its parts new ids.
            let copy = collections::without_ids(source.body.clone());
            st.create_collection(api_id, st.user, None, copy)
        }
        Some("CREATE_NEW") => {
            let data = body["data"].clone();
            let problems = collections::validate(&data);
            if !problems.is_empty() {
                return Err(http::malformed_collection(problems));
            }
            st.create_collection(api_id, st.user, None, data)
        }
        other => {
            return Err(Reply::json(
                400,
                json!({
                    "name": "invalidParamsError",
                    "message": format!("operationType {other:?} is not supported"),
                }),
            ))
        }
    };
    Ok(Reply::ok(json!({ "id": uid })))
}

// ---------------------------------------------------------------- versions and tasks

fn version_summary(v: &Version) -> Value {
    json!({
        "id": v.id, "name": v.name, "createdAt": v.created_at,
        "updatedAt": v.updated_at, "releaseNotes": v.release_notes,
    })
}

fn list_versions(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    let api = find_api(st, api_id)?;
    // Newest first, as in the spec's example.
    let versions: Vec<&Version> = api.versions.iter().rev().collect();
    let (data, next, limit) = page(st, req, &versions, |v| v.id.as_str())?;
    let mut meta = json!({"limit": limit, "total": versions.len()});
    if let Some(cursor) = next {
        meta["nextCursor"] = json!(cursor);
    }
    let versions: Vec<Value> = data.iter().map(|v| version_summary(v)).collect();
    Ok(Reply::ok(json!({"versions": versions, "meta": meta})))
}

fn task_location(api_id: &str, task_id: &str) -> String {
    format!("/apis/{api_id}/tasks/{task_id}")
}

fn create_version(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    let api = find_api(st, api_id)?;
    let body = req.json_body().unwrap_or_default();
    let name = body["name"].as_str().filter(|n| !n.is_empty());
    let name = name
        .ok_or_else(|| http::invalid_version_body("Missing field \"name\" in the request body"))?;
    if api.versions.iter().any(|v| v.name == name) {
        return Err(http::version_exists(name));
    }
    let ids = |key: &str| -> Vec<String> {
        let list = body[key].as_array().into_iter().flatten();
        list.filter_map(|e| e["id"].as_str().map(str::to_string))
            .collect()
    };
    let schemas = ids("schemas");
    for sid in &schemas {
        if api.schema.as_ref().is_none_or(|s| s.id != *sid) {
            return Err(http::invalid_version_body(&format!(
                "The schema '{sid}' is not linked to this API"
            )));
        }
    }
    let mut uids = Vec::new();
    for cid in ids("collections") {
        let uid = st
            .collection_uid(&cid)
            .filter(|u| api.collections.contains(u));
        uids.push(uid.ok_or_else(|| {
            http::invalid_version_body(&format!("The collection '{cid}' is not linked to this API"))
        })?);
    }
    let notes = body["releaseNotes"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = name.to_string();
    let task = st.create_task(api_id, None);
    let with_schema = !schemas.is_empty();
    let vid = st.publish_snapshot(
        api_id,
        &name,
        &notes,
        with_schema,
        &uids,
        Some(task.clone()),
    );
    let failure = st.publish_failures.pop_front();
    let t = st.tasks.get_mut(&task).expect("created");
    (t.version_id, t.failure) = (Some(vid.clone()), failure);
    let v = find_api(st, api_id)?.versions.last().expect("published");
    Ok(Reply::json(202, version_summary(v)).with_header("Location", task_location(api_id, &task)))
}

fn get_version(st: &mut State, api_id: &str, vid: &str) -> Result<Reply> {
    let api = find_api(st, api_id)?;
    let v = api
        .versions
        .iter()
        .find(|v| v.id == vid)
        .ok_or_else(http::version_not_found)?;
    if let Some(task) = v.pending_task.clone() {
        // For editors a pending version answers 302 with the task as Location.
        if st.look_at_task(&task) == TaskStatus::Pending {
            return Ok(Reply::empty(302).with_header("Location", task_location(api_id, &task)));
        }
    }
    // (gone if its task failed)
    let v = find_api(st, api_id)?
        .versions
        .iter()
        .find(|v| v.id == vid)
        .ok_or_else(http::version_not_found)?;
    let mut out = version_summary(v);
    out["schemas"] = json!(v
        .schema
        .iter()
        .map(|s| json!({"id": s.id, "type": s.schema_type}))
        .collect::<Vec<_>>());
    out["collections"] = json!(v
        .collections
        .iter()
        .map(|c| json!({"id": c.uid, "name": c.name()}))
        .collect::<Vec<_>>());
    Ok(Reply::ok(json!({ "version": out })))
}

fn get_task(st: &mut State, api_id: &str, tid: &str) -> Result<Reply> {
    find_api(st, api_id)?;
    let task = st
        .tasks
        .get(tid)
        .filter(|t| t.api_id == api_id)
        .ok_or_else(http::task_not_found)?;
    let version_id = task.version_id.clone().unwrap_or_default();
    let status = st.look_at_task(tid);
    let task = &st.tasks[tid];
    let mut out = json!({
        "id": task.id,
        "meta": {"url": format!("/apis/{api_id}/versions"), "model": "api-version", "action": "create"},
        "status": match status {
            TaskStatus::Pending => "pending",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed(_) => "failed",
        },
        "createdAt": task.created_at, "updatedAt": task.updated_at,
    });
    match status {
        TaskStatus::Pending => {}
        TaskStatus::Completed => {
            let url = format!("/apis/{api_id}/versions/{version_id}");
            out["details"] = json!({"resources": [{"id": version_id, "url": url}]});
        }
        TaskStatus::Failed(message) => out["details"] = json!({"error": {"message": message}}),
    }
    Ok(Reply::ok(out))
}
