//! The workspace API (Postman v12), the calls the workspace backend needs: a workspace
//! and its elements, Spec Hub specs (`/specs`: files with one ROOT, one property per
//! PATCH, 10 MB per file, version tags, generated collections and their tasks), and
//! the collections, environments and globals of a workspace.
//!
//! Listings are read to the end (`meta.nextCursor`, or `limit`/`offset` for
//! collections) and carry `updatedAt`, so a reader downloads only what changed.
//!
//! On top of the client, the workspace backend's network pieces:
//! - [`snapshot`]: the live workspace read, incrementally (a cache of what was read);
//! - [`apply`]: a push's planned writes sent in order, creates journaled at once;
//! - [`tags`]: Spec Hub version tags as git tags (publish, list, read).

use std::collections::HashSet;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::client::{decode, decode_error, Client};

pub mod apply;
pub mod snapshot;
pub mod tags;

/// `createSpecFile`/`updateSpecFile`: "Files cannot exceed a maximum of 10 MB in size."
pub const MAX_SPEC_FILE_BYTES: usize = 10 * 1024 * 1024;
/// `createSpec` publishes 12 MB per file.
pub const MAX_CREATE_SPEC_FILE_BYTES: usize = 12 * 1024 * 1024;
/// Collections asked for per page (Postman may answer fewer).
const COLLECTION_PAGE: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] super::Error),
    #[error("spec {spec_id}: version tag {tag:?} refused: {message} (a tag needs a change to the spec since the last tag, and a new name)")]
    TagConflict {
        spec_id: String,
        tag: String,
        message: String,
    },
    #[error("{path}: {bytes} bytes, more than the {limit} bytes Postman accepts for a spec file")]
    FileTooLarge {
        path: String,
        bytes: usize,
        limit: usize,
    },
    #[error("Postman could not {what}: {message}")]
    TaskFailed { what: String, message: String },
    #[error("Postman's task to {what} ended without naming the collection")]
    NoResource { what: String },
    #[error("Postman's listing of {path} gave the same cursor twice")]
    CursorLoop { path: String },
}

impl Error {
    /// As the client's own error (what `apikey::first_request` tells a refused key by):
    /// an answer to `GET <path>` that did not make sense names the request.
    pub fn into_client_error(self, path: &str) -> super::Error {
        match self {
            Error::Api(e) => e,
            other => super::Error::Decode {
                method: "GET".into(),
                path: path.into(),
                detail: other.to_string(),
            },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

// ---------------------------------------------------------------- models

/// `GET /workspaces/{id}`: the workspace and the ids of its elements.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub collections: Vec<Element>,
    #[serde(default)]
    pub environments: Vec<Element>,
    #[serde(default)]
    pub specs: Vec<Element>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Element {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub uid: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub id: String,
    pub name: String,
    /// `OPENAPI:3.0`, `ASYNCAPI:2.0`, ... (Postman's `specType`).
    #[serde(rename = "type")]
    pub spec_type: String,
    /// Only `GET /specs/{id}` says it.
    #[serde(default)]
    pub file_format: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FileType {
    Root,
    #[default]
    Default,
}

/// A spec file: from the listing (no content) or `GET` of the file (with it).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecFile {
    #[serde(default)]
    pub id: Option<String>,
    pub path: String,
    #[serde(rename = "type", default)]
    pub file_type: FileType,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

impl SpecFile {
    pub fn is_root(&self) -> bool {
        self.file_type == FileType::Root
    }
}

/// A file of a spec about to be created.
#[derive(Debug, Clone, Copy)]
pub struct NewSpecFile<'a> {
    pub path: &'a str,
    pub content: &'a str,
    pub root: bool,
}

/// What one `PATCH /specs/{id}/files/{path}` changes: Postman takes one at a time.
#[derive(Debug, Clone, Copy)]
pub enum FilePatch<'a> {
    Content(&'a str),
    /// `Root` also makes the previous root `Default`.
    Type(FileType),
    /// The last path segment (a rename within its folder).
    Name(&'a str),
}

impl FilePatch<'_> {
    fn body(&self) -> Value {
        match self {
            FilePatch::Content(c) => json!({ "content": c }),
            FilePatch::Type(t) => json!({ "type": t }),
            FilePatch::Name(n) => json!({ "name": n }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VersionTag {
    pub id: String,
    pub name: String,
}

/// A file of a version tag, with its content as tagged.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaggedFile {
    pub path: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    pub file_type: Option<FileType>,
    #[serde(default)]
    pub content: String,
    /// When the file last changed before it was tagged: a tag has no date of its own.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A collection generated from a spec (`GET /specs/{id}/generations/collection`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedCollection {
    /// The collection's UID.
    pub id: String,
    pub name: String,
    /// `in-sync`, `out-of-sync` or `sync-in-progress`.
    pub state: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A collection or an environment as a workspace lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub uid: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `GET /environments/{id}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub values: Vec<Variable>,
}

/// An environment or global variable; members we do not model (a vault `source`, ...)
/// are kept as they came, so a round trip loses nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub key: String,
    #[serde(default)]
    pub value: String,
    /// `default` or `secret`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Variable {
    pub fn is_secret(&self) -> bool {
        self.kind.as_deref() == Some("secret")
    }
}

// ---------------------------------------------------------------- reads

impl Client {
    /// `GET /workspaces/{id}`.
    pub fn workspace(&self, id: &str) -> Result<Workspace> {
        #[derive(Deserialize)]
        struct Wrapper {
            workspace: Workspace,
        }
        let w: Wrapper = self.get(&["workspaces", id], &[])?;
        Ok(w.workspace)
    }

    /// Every spec of the workspace (all pages).
    pub fn specs(&self, workspace_id: &str) -> Result<Vec<Spec>> {
        self.cursor_pages(&["specs"], &[("workspaceId", workspace_id)], "specs")
    }

    /// `GET /specs/{id}` (with `fileFormat`).
    pub fn spec(&self, id: &str) -> Result<Spec> {
        Ok(self.get(&["specs", id], &[])?)
    }

    /// Every file of the spec with its type and `updatedAt`, no content (all pages).
    pub fn spec_files(&self, spec_id: &str) -> Result<Vec<SpecFile>> {
        self.cursor_pages(&["specs", spec_id, "files"], &[], "files")
    }

    /// One file with its content. A `/` in the path is sent as is.
    pub fn spec_file(&self, spec_id: &str, path: &str) -> Result<SpecFile> {
        Ok(self.get(&spec_file_segments(spec_id, path), &[])?)
    }

    /// The spec's version tags, newest first (all pages).
    pub fn version_tags(&self, spec_id: &str) -> Result<Vec<VersionTag>> {
        self.cursor_pages(&["specs", spec_id, "version-tags"], &[], "data")
    }

    /// The files of a version tag as they were tagged (folders left out).
    pub fn version_tag_files(&self, spec_id: &str, tag_id: &str) -> Result<Vec<TaggedFile>> {
        #[derive(Deserialize)]
        struct Wrapper {
            data: Vec<TaggedFile>,
        }
        let w: Wrapper = self.get(&["specs", spec_id, "version-tags", tag_id, "files"], &[])?;
        Ok(w.data.into_iter().filter(|f| f.kind == "FILE").collect())
    }

    /// The collections generated from the spec, with their sync state (all pages).
    pub fn generated_collections(&self, spec_id: &str) -> Result<Vec<GeneratedCollection>> {
        let segments = ["specs", spec_id, "generations", "collection"];
        self.cursor_pages(&segments, &[], "collections")
    }

    /// The workspace's collections with `updatedAt` (all pages, by `limit`/`offset`).
    pub fn workspace_collections(&self, workspace_id: &str) -> Result<Vec<Listed>> {
        let mut out: Vec<Listed> = Vec::new();
        let limit = COLLECTION_PAGE.to_string();
        loop {
            let offset = out.len().to_string();
            let query = [
                ("workspace", workspace_id),
                ("limit", limit.as_str()),
                ("offset", offset.as_str()),
            ];
            let page: Value = self.get(&["collections"], &query)?;
            let got: Vec<Listed> = field(&page, "collections", "GET", &["collections"])?;
            let total = page.pointer("/meta/total").and_then(Value::as_u64);
            let done = got.is_empty() || total.is_none_or(|t| (out.len() + got.len()) as u64 >= t);
            out.extend(got);
            if done {
                return Ok(out);
            }
        }
    }

    /// The workspace's environments with `updatedAt`.
    pub fn environments(&self, workspace_id: &str) -> Result<Vec<Listed>> {
        let page: Value = self.get(&["environments"], &[("workspace", workspace_id)])?;
        field(&page, "environments", "GET", &["environments"])
    }

    /// `GET /environments/{uid}`: every variable, secret ones with their value.
    pub fn environment(&self, uid: &str) -> Result<Environment> {
        #[derive(Deserialize)]
        struct Wrapper {
            environment: Environment,
        }
        let w: Wrapper = self.get(&["environments", uid], &[])?;
        Ok(w.environment)
    }

    /// The workspace's global variables.
    pub fn globals(&self, workspace_id: &str) -> Result<Vec<Variable>> {
        let segments = ["workspaces", workspace_id, "global-variables"];
        let page: Value = self.get(&segments, &[])?;
        field(&page, "values", "GET", &segments)
    }

    /// Follows `meta.nextCursor` to the end, collecting `field` of every page.
    fn cursor_pages<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        name: &str,
    ) -> Result<Vec<T>> {
        let (mut out, mut seen) = (Vec::new(), HashSet::new());
        let mut cursor: Option<String> = None;
        loop {
            let mut q = query.to_vec();
            if let Some(c) = &cursor {
                q.push(("cursor", c));
            }
            let page: Value = self.get(segments, &q)?;
            out.extend(field::<Vec<T>>(&page, name, "GET", segments)?);
            let next = page.pointer("/meta/nextCursor").and_then(Value::as_str);
            match next.filter(|c| !c.is_empty()) {
                None => return Ok(out),
                Some(c) if !seen.insert(c.to_string()) => {
                    let path = format!("/{}", segments.join("/"));
                    return Err(Error::CursorLoop { path });
                }
                Some(c) => cursor = Some(c.to_string()),
            }
        }
    }
}

// ---------------------------------------------------------------- writes

impl Client {
    /// `POST /specs?workspaceId=`: a spec with its files (one of them `root` when there
    /// are several). Files over 12 MB are refused before anything is sent.
    pub fn create_spec(
        &self,
        workspace_id: &str,
        name: &str,
        spec_type: &str,
        files: &[NewSpecFile<'_>],
    ) -> Result<Spec> {
        for f in files {
            check_size(f.path, f.content, MAX_CREATE_SPEC_FILE_BYTES)?;
        }
        let files: Vec<Value> = files
            .iter()
            .map(|f| {
                let kind = if f.root {
                    FileType::Root
                } else {
                    FileType::Default
                };
                json!({"path": f.path, "content": f.content, "type": kind})
            })
            .collect();
        let body = json!({"name": name, "type": spec_type, "files": files});
        self.send_for(
            Method::POST,
            &["specs"],
            &[("workspaceId", workspace_id)],
            &body,
        )
    }

    /// `PATCH /specs/{id}`: a new name.
    pub fn rename_spec(&self, id: &str, name: &str) -> Result<Spec> {
        self.send_for(Method::PATCH, &["specs", id], &[], &json!({ "name": name }))
    }

    pub fn delete_spec(&self, id: &str) -> Result<()> {
        self.send(Method::DELETE, &["specs", id], &[], None)?;
        Ok(())
    }

    /// `POST /specs/{id}/files`: a new `DEFAULT` file (over 10 MB: refused unsent).
    pub fn create_spec_file(&self, spec_id: &str, path: &str, content: &str) -> Result<SpecFile> {
        check_size(path, content, MAX_SPEC_FILE_BYTES)?;
        let body = json!({"path": path, "content": content});
        self.send_for(Method::POST, &["specs", spec_id, "files"], &[], &body)
    }

    /// `PATCH /specs/{id}/files/{path}`: one property (new content over 10 MB: refused
    /// unsent). Returns the file as it is now (a rename changes its path).
    pub fn patch_spec_file(
        &self,
        spec_id: &str,
        path: &str,
        patch: FilePatch<'_>,
    ) -> Result<SpecFile> {
        if let FilePatch::Content(content) = patch {
            check_size(path, content, MAX_SPEC_FILE_BYTES)?;
        }
        let segments = spec_file_segments(spec_id, path);
        self.send_for(Method::PATCH, &segments, &[], &patch.body())
    }

    pub fn delete_spec_file(&self, spec_id: &str, path: &str) -> Result<()> {
        self.send(
            Method::DELETE,
            &spec_file_segments(spec_id, path),
            &[],
            None,
        )?;
        Ok(())
    }

    /// `POST /specs/{id}/version-tags`. Postman's 409 (no change since the last tag)
    /// is [`Error::TagConflict`].
    pub fn create_version_tag(&self, spec_id: &str, name: &str) -> Result<VersionTag> {
        #[derive(Deserialize)]
        struct Wrapper {
            data: VersionTag,
        }
        let body = json!({ "name": name });
        let segments = ["specs", spec_id, "version-tags"];
        match self.send_for::<Wrapper>(Method::POST, &segments, &[], &body) {
            Ok(w) => Ok(w.data),
            Err(Error::Api(super::Error::Status {
                status: 409,
                message,
                ..
            })) => Err(Error::TagConflict {
                spec_id: spec_id.into(),
                tag: name.into(),
                message,
            }),
            Err(e) => Err(e),
        }
    }

    /// Asks Postman to generate a collection from the spec (linked to it), waits for the
    /// task and returns the collection's UID.
    pub fn generate_collection(&self, spec_id: &str, name: &str) -> Result<String> {
        let body = json!({"name": name, "options": {"requestNameSource": "Fallback", "folderStrategy": "Paths", "parametersResolution": "Example"}});
        let segments = ["specs", spec_id, "generations", "collection"];
        let task: Value = self.send_for(Method::POST, &segments, &[], &body)?;
        let what = format!("generate a collection from spec {spec_id}");
        self.finish_task("specs", spec_id, &task, &what)
    }

    /// Asks Postman to bring a generated collection in line with its spec, and waits.
    pub fn sync_collection(&self, spec_id: &str, collection_uid: &str) -> Result<()> {
        let segments = ["collections", collection_uid, "synchronizations"];
        let answer = self.send(Method::PUT, &segments, &[("specId", spec_id)], None)?;
        let task: Value = decode(&answer.body, "PUT", &segments)?;
        let what = format!("sync collection {collection_uid} with spec {spec_id}");
        self.finish_task("collections", collection_uid, &task, &what)?;
        Ok(())
    }

    /// `POST /collections?workspace=`: a collection (JSON text) in the workspace. Returns
    /// its UID.
    pub fn create_workspace_collection(
        &self,
        workspace_id: &str,
        collection: &str,
    ) -> Result<String> {
        let body = format!("{{\"collection\":{collection}}}").into_bytes();
        let segments = ["collections"];
        let query = [("workspace", workspace_id)];
        let answer = self.send_json_text(Method::POST, &segments, &query, Some(body))?;
        let created: Value = decode(&answer.body, "POST", &segments)?;
        uid_in(&created, "collection", "POST", &segments)
    }

    /// `POST /environments?workspace=`. Returns its UID.
    pub fn create_environment(
        &self,
        workspace_id: &str,
        name: &str,
        values: &[Variable],
    ) -> Result<String> {
        let body = json!({"environment": {"name": name, "values": values}});
        let query = [("workspace", workspace_id)];
        let created: Value = self.send_for(Method::POST, &["environments"], &query, &body)?;
        uid_in(&created, "environment", "POST", &["environments"])
    }

    /// `PUT /environments/{uid}`: name and every variable replaced.
    pub fn update_environment(&self, uid: &str, name: &str, values: &[Variable]) -> Result<()> {
        let body = json!({"environment": {"name": name, "values": values}});
        self.send(Method::PUT, &["environments", uid], &[], Some(&body))?;
        Ok(())
    }

    pub fn delete_environment(&self, uid: &str) -> Result<()> {
        self.send(Method::DELETE, &["environments", uid], &[], None)?;
        Ok(())
    }

    /// `PUT /workspaces/{id}/global-variables`: every global replaced.
    pub fn put_globals(&self, workspace_id: &str, values: &[Variable]) -> Result<()> {
        let segments = ["workspaces", workspace_id, "global-variables"];
        self.send(
            Method::PUT,
            &segments,
            &[],
            Some(&json!({ "values": values })),
        )?;
        Ok(())
    }

    /// Sends a JSON body and decodes the answer.
    fn send_for<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: &Value,
    ) -> Result<T> {
        let answer = self.send(method.clone(), segments, query, Some(body))?;
        Ok(decode(&answer.body, method.as_str(), segments)?)
    }

    /// Polls the task a 202 named (`{taskId}`; the poll URL is built here, its `url` is
    /// not documented precisely) and returns the UID of the collection it reports.
    fn finish_task(&self, kind: &str, element: &str, task: &Value, what: &str) -> Result<String> {
        let id = task
            .get("taskId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // A failed task comes back as the 200 that reported it: say what failed instead.
        let done = match self.wait_for_task(&format!("/{kind}/{element}/tasks/{id}")) {
            Err(super::Error::Status {
                status: 200,
                message,
                ..
            }) => {
                let what = what.into();
                return Err(Error::TaskFailed { what, message });
            }
            other => other?,
        };
        done.pointer("/details/resources/0/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::NoResource { what: what.into() })
    }
}

/// `/specs/{id}/files/{path}`: a `/` in the path stays a `/`.
fn spec_file_segments<'a>(spec_id: &'a str, path: &'a str) -> Vec<&'a str> {
    let mut segments = vec!["specs", spec_id, "files"];
    segments.extend(path.split('/'));
    segments
}

fn check_size(path: &str, content: &str, limit: usize) -> Result<()> {
    match content.len() > limit {
        true => Err(Error::FileTooLarge {
            path: path.into(),
            bytes: content.len(),
            limit,
        }),
        false => Ok(()),
    }
}

/// `page[name]` decoded (a missing member is an empty list).
fn field<T: DeserializeOwned>(
    page: &Value,
    name: &str,
    method: &str,
    segments: &[&str],
) -> Result<T> {
    let value = page.get(name).cloned().unwrap_or_else(|| json!([]));
    serde_json::from_value(value).map_err(|e| decode_error(method, segments, e).into())
}

/// `created[wrapper].uid`.
fn uid_in(created: &Value, wrapper: &str, method: &str, segments: &[&str]) -> Result<String> {
    created[wrapper]["uid"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| {
            decode_error(
                method,
                segments,
                format!("no `{wrapper}.uid` in the answer"),
            )
            .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_sends_exactly_one_property() {
        let bodies = [
            FilePatch::Content("a: 1\n").body(),
            FilePatch::Type(FileType::Root).body(),
            FilePatch::Name("b.yaml").body(),
        ];
        let expected = [
            json!({"content": "a: 1\n"}),
            json!({"type": "ROOT"}),
            json!({"name": "b.yaml"}),
        ];
        assert_eq!(bodies, expected);
        assert!(bodies.iter().all(|b| b.as_object().unwrap().len() == 1));
    }

    #[test]
    fn variables_keep_members_they_do_not_model() {
        let raw = json!({"key": "k", "value": "v", "type": "secret", "enabled": true,
            "source": {"provider": "postman"}});
        let v: Variable = serde_json::from_value(raw.clone()).unwrap();
        assert!(v.is_secret());
        assert_eq!(serde_json::to_value(&v).unwrap(), raw);
    }

    #[test]
    fn oversized_files_are_named() {
        let big = "x".repeat(MAX_SPEC_FILE_BYTES + 1);
        let e = check_size("specs/a.yaml", &big, MAX_SPEC_FILE_BYTES).unwrap_err();
        assert!(
            e.to_string().starts_with("specs/a.yaml: 10485761 bytes"),
            "{e}"
        );
        assert!(check_size("a.yaml", "x", MAX_SPEC_FILE_BYTES).is_ok());
    }
}
