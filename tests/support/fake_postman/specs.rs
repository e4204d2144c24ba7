//! Spec Hub (`/specs`), as `postman-api-current.yaml` and `reference/postman-v12.md` §1
//! describe it: specs listed by workspace with cursor paging, files addressed by path
//! with exactly one ROOT, PATCH taking one property per call, 10 MB per file (12 MB on
//! create). Version tags are in `version_tags.rs`; collections generated from a spec,
//! and the 202 tasks that report them, in `generation.rs`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::generation::{self, Generated};
use super::http::{Reply, Req};
use super::routes;
use super::state::State;
use super::version_tags::{self, VersionTag};

type Result<T> = std::result::Result<T, Reply>;

/// `createSpecFile`/`updateSpecFile`: "Files cannot exceed a maximum of 10 MB in size."
pub const MAX_SPEC_FILE_BYTES: usize = 10 * 1024 * 1024;
/// `createSpec`: "Files cannot exceed a maximum of 12 MB in size." (as published).
pub const MAX_CREATE_SPEC_FILE_BYTES: usize = 12 * 1024 * 1024;

/// The `specType` enum.
pub const SPEC_TYPES: [&str; 9] = [
    "OPENAPI:2.0",
    "OPENAPI:3.0",
    "OPENAPI:3.1",
    "ASYNCAPI:2.0",
    "ASYNCAPI:3.0",
    "PROTOBUF:2",
    "PROTOBUF:3",
    "GRAPHQL",
    "SMITHY:2.0",
];

const EXTENSIONS: [&str; 6] = ["json", "yaml", "yml", "proto", "graphql", "smithy"];

#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub name: String,
    pub spec_type: String,
    pub workspace: String,
    pub created_at: String,
    pub updated_at: String,
    /// By path (the listing's order).
    pub files: BTreeMap<String, SpecFile>,
    /// Oldest first.
    pub tags: Vec<VersionTag>,
    /// The spec's `updatedAt` when it was last tagged: tagging again without a change
    /// since is the 409 ("changelog group that already has a version tag").
    pub tagged_at: Option<String>,
    /// Collections generated from it: the link survives edits on either side.
    pub generated: Vec<Generated>,
}

impl Spec {
    pub fn root(&self) -> Option<&SpecFile> {
        self.files.values().find(|f| f.root)
    }

    /// `fileFormat` from the root file's extension.
    pub fn file_format(&self) -> &'static str {
        let ext = self
            .root()
            .and_then(|f| f.path.rsplit_once('.'))
            .map_or("", |(_, e)| e);
        match ext {
            "json" => "json",
            "proto" => "proto",
            "graphql" => "graphql",
            "smithy" => "smithy",
            _ => "yaml",
        }
    }
}

/// A spec file has the fields of an API Builder schema file (`root`: the ROOT type).
pub use super::state::SchemaFile as SpecFile;

/// `ROOT` or `DEFAULT`.
pub(super) fn file_type(f: &SpecFile) -> &'static str {
    if f.root {
        "ROOT"
    } else {
        "DEFAULT"
    }
}

// ---------------------------------------------------------------- state

impl State {
    /// Creates a spec; `files` are `(path, content, root)`.
    pub fn create_spec(
        &mut self,
        ws: &str,
        name: &str,
        spec_type: &str,
        files: &[(&str, &str, bool)],
    ) -> String {
        let now = self.clock.tick();
        let id = self.new_id();
        let mut stored = BTreeMap::new();
        for (path, content, root) in files {
            let f = SpecFile {
                id: self.new_id(),
                path: path.to_string(),
                content: content.to_string(),
                root: *root,
                created_at: now.clone(),
                updated_at: now.clone(),
            };
            stored.insert(f.path.clone(), f);
        }
        let spec = Spec {
            id: id.clone(),
            name: name.into(),
            spec_type: spec_type.into(),
            workspace: ws.into(),
            created_at: now.clone(),
            updated_at: now.clone(),
            files: stored,
            tags: Vec::new(),
            tagged_at: None,
            generated: Vec::new(),
        };
        self.ws.specs.insert(id.clone(), spec);
        self.touch_workspace(ws, &now);
        id
    }

    pub fn spec(&self, id: &str) -> Option<&Spec> {
        self.ws.specs.get(id)
    }

    /// Changes the spec with `f` and bumps its `updatedAt`; returns the new time.
    fn edit_spec(&mut self, id: &str, f: impl FnOnce(&mut Spec, &str)) -> String {
        let now = self.clock.tick();
        let spec = super::workspaces::existing(&mut self.ws.specs, id, "spec");
        f(spec, &now);
        spec.updated_at = now.clone();
        now
    }

    /// Creates or rewrites a file (someone edits it in Postman).
    pub fn put_spec_file(&mut self, spec: &str, path: &str, content: &str) {
        let new_id = self.new_id();
        self.edit_spec(spec, |s, now| {
            let f = s.files.entry(path.into()).or_insert_with(|| SpecFile {
                id: new_id,
                path: path.into(),
                content: String::new(),
                root: false,
                created_at: now.into(),
                updated_at: now.into(),
            });
            f.content = content.into();
            f.updated_at = now.into();
        });
    }

    /// Makes `path` the ROOT; the previous root becomes DEFAULT (Postman's rule).
    pub fn set_spec_root(&mut self, spec: &str, path: &str) {
        self.edit_spec(spec, |s, now| {
            for f in s.files.values_mut() {
                let root = f.path == path;
                if f.root != root {
                    f.root = root;
                    f.updated_at = now.into();
                }
            }
        });
    }

    pub fn rename_spec_file(&mut self, spec: &str, path: &str, new_path: &str) {
        self.edit_spec(spec, |s, now| {
            let mut f = s.files.remove(path).expect("the file exists");
            f.path = new_path.into();
            f.updated_at = now.into();
            s.files.insert(new_path.into(), f);
        });
    }

    pub fn delete_spec_file(&mut self, spec: &str, path: &str) {
        self.edit_spec(spec, |s, _| {
            s.files.remove(path);
        });
    }

    pub fn rename_spec(&mut self, spec: &str, name: &str) {
        self.edit_spec(spec, |s, _| s.name = name.into());
    }

    pub fn delete_spec(&mut self, spec: &str) {
        let now = self.clock.tick();
        if let Some(s) = self.ws.specs.remove(spec) {
            self.touch_workspace(&s.workspace, &now);
        }
    }
}

/// The workspace's specs, newest first (as `getAllSpecs`'s example lists them).
pub fn in_workspace<'a>(st: &'a State, ws: &str) -> Vec<&'a Spec> {
    let mut specs: Vec<&Spec> = st.ws.specs.values().filter(|s| s.workspace == ws).collect();
    specs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    specs
}

// ---------------------------------------------------------------- routing

pub fn route(st: &mut State, req: &Req, segs: &[&str]) -> Option<Reply> {
    let result = match (req.method.as_str(), segs) {
        ("GET", ["specs"]) => list_specs(st, req),
        ("POST", ["specs"]) => create_spec(st, req),
        ("GET", ["specs", id]) => find(st, id).map(|s| Reply::ok(spec_data(st, s, true))),
        ("PATCH", ["specs", id]) => patch_spec(st, req, id),
        ("DELETE", ["specs", id]) => delete_spec(st, id),
        ("GET", ["specs", id, "files"]) => list_files(st, req, id),
        ("POST", ["specs", id, "files"]) => create_file(st, req, id),
        (m, ["specs", id, "files", path @ ..]) if !path.is_empty() => {
            file_route(st, req, m, id, &path.join("/"))
        }
        ("GET", ["specs", id, "version-tags"]) => version_tags::list(st, req, id),
        ("POST", ["specs", id, "version-tags"]) => version_tags::create(st, req, id),
        ("GET", ["specs", id, "version-tags", tag, "files"]) => version_tags::files(st, id, tag),
        ("GET", ["specs", id, "generations", "collection"]) => generation::list(st, req, id),
        ("POST", ["specs", id, "generations", "collection"]) => generation::generate(st, req, id),
        ("PUT", ["collections", uid, "synchronizations"]) => generation::sync(st, req, uid),
        ("GET", [kind @ ("specs" | "collections"), eid, "tasks", tid]) => {
            generation::task(st, kind, eid, tid)
        }
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| e))
}

// ---------------------------------------------------------------- errors

/// `commonErrorTypeTitleDetailStatus`, the shape of every Spec Hub error.
pub(super) fn error(status: u16, kind: &str, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        json!({"type": kind, "title": title, "detail": detail, "status": status}),
    )
}

pub(super) const BAD_REQUEST: &str = "https://api.postman.com/problems/bad-request";

/// The 400 most Spec Hub checks answer ("Malformed request").
pub(super) fn malformed(detail: &str) -> Reply {
    error(400, BAD_REQUEST, "Malformed request", detail)
}

/// Example `apiSpec404ErrorSpecificationNotFound`.
fn spec_not_found() -> Reply {
    error(
        404,
        "instanceNotFoundError",
        "Specification not found",
        "The specification you are trying to access does not exist.",
    )
}

/// Example `apiSpec404ErrorInstanceNotFound` (a file, a task, a collection).
pub(super) fn instance_not_found() -> Reply {
    error(
        404,
        "instanceNotFoundError",
        "Instance not found",
        "Entity that you are trying to access does not exist.",
    )
}

fn size_exceeded(limit_mb: usize) -> Reply {
    malformed(&format!("File size exceeded the limit of {limit_mb} MB"))
}

const ONE_ROOT: &str = "Only one file can have type ROOT";
const NO_ROOT: &str = "At least one file must have type ROOT";

// ---------------------------------------------------------------- specs

pub(super) fn find<'a>(st: &'a State, id: &str) -> Result<&'a Spec> {
    st.spec(id).ok_or_else(spec_not_found)
}

/// `specData` (`getSpec`, with `fileFormat`), the listing's entries and the
/// create/update answers (without it).
fn spec_data(st: &State, s: &Spec, with_format: bool) -> Value {
    let mut v = json!({
        "id": s.id, "name": s.name, "type": s.spec_type,
        "createdBy": st.user, "updatedBy": st.user, "createdAt": s.created_at, "updatedAt": s.updated_at,
    });
    if with_format {
        v["fileFormat"] = json!(s.file_format());
    }
    v
}

/// The body's non-empty `name` (example `apiSpec400ErrorMissingNameProperty`).
pub(super) fn required_name(body: &Value) -> Result<&str> {
    let name = body["name"].as_str().filter(|n| !n.is_empty());
    name.ok_or_else(|| malformed("Required property `name` is missing from the request."))
}

fn workspace_param(req: &Req) -> Result<&str> {
    req.query("workspaceId")
        .filter(|w| !w.is_empty())
        .ok_or_else(|| malformed("Required query parameter workspaceId is missing."))
}

fn list_specs(st: &mut State, req: &Req) -> Result<Reply> {
    let ws = workspace_param(req)?;
    if st.workspace(ws).is_none() {
        // Example `apiSpec400ErrorWorkspaceNotFound`.
        return Err(malformed(
            "We could not find the workspace you are looking for.",
        ));
    }
    let specs = in_workspace(st, ws);
    let (data, next, _) = routes::page(st, req, &specs, |s| s.id.as_str())?;
    let specs: Vec<Value> = data.iter().map(|s| spec_data(st, s, false)).collect();
    Ok(Reply::ok(
        json!({"specs": specs, "meta": {"nextCursor": next}}),
    ))
}

fn valid_path(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// A file path from a body: well-formed, with an extension Spec Hub accepts.
fn check_new_path(path: &str) -> Result<()> {
    if !valid_path(path) {
        return Err(malformed(&format!("The file path '{path}' is invalid.")));
    }
    let ext = path.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some(e) if EXTENSIONS.contains(&e) => Ok(()),
        _ => Err(error(
            400,
            BAD_REQUEST,
            "Invalid parameters",
            "Invalid file extension",
        )),
    }
}

fn create_spec(st: &mut State, req: &Req) -> Result<Reply> {
    let ws = workspace_param(req)?;
    if st.workspace(ws).is_none() {
        // `workspace404Error` (no `status` in its example).
        let msg = "We could not find the workspace you are looking for";
        return Err(Reply::json(
            404,
            json!({"type": "instanceNotFoundError", "title": msg, "detail": format!("{msg}.")}),
        ));
    }
    let body = req.json_body().unwrap_or_default();
    let name = required_name(&body)?;
    let spec_type = body["type"].as_str().unwrap_or_default();
    if !SPEC_TYPES.contains(&spec_type) {
        return Err(error(
            400,
            "InvalidParamsError",
            "Required parameter is invalid",
            &format!(
                "Required property `type` is invalid. Should be one of: {}",
                SPEC_TYPES.join(", ")
            ),
        ));
    }
    let files = body["files"].as_array().filter(|f| !f.is_empty());
    let files = files.ok_or_else(|| malformed("Required body parameter files is missing"))?;
    let mut checked: Vec<(&str, &str, bool)> = Vec::new();
    for f in files {
        let (Some(path), Some(content)) = (f["path"].as_str(), f["content"].as_str()) else {
            return Err(error(
                400,
                "invalidParamError",
                "Invalid request body",
                "The body parameter content is missing from the request.",
            ));
        };
        check_new_path(path)?;
        if content.len() > MAX_CREATE_SPEC_FILE_BYTES {
            return Err(size_exceeded(12));
        }
        if checked.iter().any(|(p, _, _)| *p == path) {
            return Err(malformed(&format!(
                "The file path '{path}' is given twice."
            )));
        }
        let root = match (files.len(), f["type"].as_str()) {
            (1, _) => true,
            (_, Some("ROOT")) => true,
            (_, Some("DEFAULT")) => false,
            _ => return Err(malformed(
                "Required property `type` is missing from a file of a multi-file specification.",
            )),
        };
        checked.push((path, content, root));
    }
    match checked.iter().filter(|(_, _, root)| *root).count() {
        0 => return Err(malformed(NO_ROOT)),
        1 => {}
        _ => return Err(malformed(ONE_ROOT)),
    }
    let name = name.to_string();
    let spec_type = spec_type.to_string();
    let owned: Vec<(String, String, bool)> = checked
        .iter()
        .map(|(p, c, r)| (p.to_string(), c.to_string(), *r))
        .collect();
    let files: Vec<(&str, &str, bool)> = owned
        .iter()
        .map(|(p, c, r)| (p.as_str(), c.as_str(), *r))
        .collect();
    let id = st.create_spec(ws, &name, &spec_type, &files);
    Ok(Reply::json(201, spec_data(st, &st.ws.specs[&id], false)))
}

fn patch_spec(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    find(st, id)?;
    let body = req.json_body().unwrap_or_default();
    let name = required_name(&body)?;
    st.rename_spec(id, name);
    Ok(Reply::ok(spec_data(st, &st.ws.specs[id], false)))
}

fn delete_spec(st: &mut State, id: &str) -> Result<Reply> {
    find(st, id)?;
    st.delete_spec(id);
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------- files

/// `specFileData`; `getSpecFile` adds the content.
fn file_data(st: &State, f: &SpecFile) -> Value {
    json!({
        "id": f.id, "path": f.path, "name": f.name(), "type": file_type(f),
        "createdBy": st.user, "updatedBy": st.user, "createdAt": f.created_at, "updatedAt": f.updated_at,
    })
}

/// `createUpdateSpecFileResponse`: no `name`.
fn file_written(st: &State, f: &SpecFile) -> Value {
    json!({
        "id": f.id, "path": f.path, "type": file_type(f),
        "createdBy": st.user, "updatedBy": st.user, "createdAt": f.created_at, "updatedAt": f.updated_at,
    })
}

fn list_files(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let files: Vec<&SpecFile> = find(st, id)?.files.values().collect();
    let (data, next, _) = routes::page(st, req, &files, |f| f.path.as_str())?;
    let files: Vec<Value> = data.iter().map(|f| file_data(st, f)).collect();
    Ok(Reply::ok(
        json!({"files": files, "meta": {"nextCursor": next}}),
    ))
}

fn create_file(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let spec = find(st, id)?;
    if !(spec.spec_type.starts_with("OPENAPI") || spec.spec_type.starts_with("PROTOBUF")) {
        return Err(malformed(
            "Files can be added to OpenAPI and protobuf specifications only.",
        ));
    }
    let body = req.json_body().unwrap_or_default();
    let (Some(path), Some(content)) = (body["path"].as_str(), body["content"].as_str()) else {
        return Err(malformed(
            "The required body parameter is missing from the request.",
        ));
    };
    check_new_path(path)?;
    if content.len() > MAX_SPEC_FILE_BYTES {
        return Err(size_exceeded(10));
    }
    if spec.files.contains_key(path) {
        return Err(malformed(&format!(
            "A file with the path '{path}' already exists."
        )));
    }
    st.put_spec_file(id, path, content);
    Ok(Reply::json(
        201,
        file_written(st, &st.ws.specs[id].files[path]),
    ))
}

fn file_route(st: &mut State, req: &Req, method: &str, id: &str, path: &str) -> Result<Reply> {
    let spec = find(st, id)?;
    if !valid_path(path) {
        // Example `apiSpecFile400ErrorInvalidFilePath`.
        return Err(malformed("The path parameter /filePath is invalid."));
    }
    let file = spec.files.get(path).ok_or_else(instance_not_found)?;
    match method {
        "GET" => {
            let mut out = file_data(st, file);
            out["content"] = json!(file.content);
            Ok(Reply::ok(out))
        }
        "PATCH" => patch_file(st, req, id, path),
        "DELETE" if file.root => Err(malformed(NO_ROOT)),
        "DELETE" => {
            st.delete_spec_file(id, path);
            Ok(Reply::empty(204))
        }
        _ => Err(super::http::route_not_found()),
    }
}

/// Exactly one of `content`, `type`, `name` per call.
fn patch_file(st: &mut State, req: &Req, id: &str, path: &str) -> Result<Reply> {
    let body = req.json_body().filter(Value::is_object).unwrap_or_default();
    let given: Vec<&str> = ["content", "type", "name"]
        .into_iter()
        .filter(|k| body.get(*k).is_some())
        .collect();
    let one = match given.as_slice() {
        [] => {
            return Err(malformed(
                "The required body parameter is missing from the request.",
            ))
        }
        [one] => *one,
        _ => {
            return Err(malformed(
                "Only one of 'content', 'type', or 'name' should be provided.",
            ))
        }
    };
    let is_root = st.ws.specs[id].files[path].root;
    let mut path = path.to_string();
    match (one, body[one].as_str()) {
        ("content", Some(content)) if content.len() > MAX_SPEC_FILE_BYTES => {
            return Err(size_exceeded(10))
        }
        ("content", Some(content)) => st.put_spec_file(id, &path, content),
        ("type", Some("ROOT")) => st.set_spec_root(id, &path),
        ("type", Some("DEFAULT")) if is_root => return Err(malformed(NO_ROOT)),
        ("type", Some("DEFAULT")) => {}
        ("name", Some(name)) => {
            let new_path = match path.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/{name}"),
                None => name.to_string(),
            };
            if name.contains('/') {
                return Err(malformed(&format!("The file name '{name}' is invalid.")));
            }
            check_new_path(&new_path)?;
            if st.ws.specs[id].files.contains_key(&new_path) {
                return Err(malformed(&format!(
                    "A file with the path '{new_path}' already exists."
                )));
            }
            st.rename_spec_file(id, &path, &new_path);
            path = new_path;
        }
        _ => {
            return Err(malformed(&format!(
                "The property '{one}' has an invalid value."
            )))
        }
    }
    Ok(Reply::ok(file_written(st, &st.ws.specs[id].files[&path])))
}
