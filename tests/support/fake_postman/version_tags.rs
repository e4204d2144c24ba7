//! Spec Hub version tags: a frozen copy of a spec's files, created only when the spec
//! changed since the last tag (else Postman's 409), listed newest first, and served
//! with their folders (`getSpecVersionTag`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::http::{Reply, Req};
use super::routes;
use super::specs::{error, file_type, find, required_name, SpecFile};
use super::state::State;

type Result<T> = std::result::Result<T, Reply>;

/// A frozen copy of the spec's files.
#[derive(Debug, Clone)]
pub struct VersionTag {
    pub id: String,
    pub name: String,
    pub files: Vec<SpecFile>,
    /// Folder path -> id (the tag's file listing names folders too).
    pub folders: BTreeMap<String, String>,
}

impl State {
    /// Tags the spec's current files; `Err` is the 409's detail.
    pub fn create_version_tag(
        &mut self,
        spec: &str,
        name: &str,
    ) -> std::result::Result<String, String> {
        let s = &self.ws.specs[spec];
        if s.tagged_at.as_deref() == Some(s.updated_at.as_str()) {
            return Err("A version tag already exists for the current changelog group. Make new changes to the spec to create a version tag.".into());
        }
        // Not documented; a name is a version, so a second one is refused the same way.
        if s.tags.iter().any(|t| t.name == name) {
            return Err(format!(
                "A version tag named '{name}' already exists for this specification."
            ));
        }
        let files: Vec<SpecFile> = s.files.values().cloned().collect();
        let mut folders = BTreeMap::new();
        for f in &files {
            let mut dir = f.path.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                folders
                    .entry(parent.to_string())
                    .or_insert_with(String::new);
                dir = parent;
            }
        }
        for id in folders.values_mut() {
            *id = self.ids.uuid();
        }
        let id = self.new_id();
        let s = self.ws.specs.get_mut(spec).expect("looked up above");
        s.tagged_at = Some(s.updated_at.clone());
        s.tags.push(VersionTag {
            id: id.clone(),
            name: name.into(),
            files,
            folders,
        });
        Ok(id)
    }
}

pub(super) fn list(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    let tags: Vec<&VersionTag> = find(st, id)?.tags.iter().rev().collect();
    let (data, next, _) = routes::page(st, req, &tags, |t| t.id.as_str())?;
    let data: Vec<Value> = data
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name}))
        .collect();
    Ok(Reply::ok(
        json!({"data": data, "meta": {"nextCursor": next}}),
    ))
}

pub(super) fn create(st: &mut State, req: &Req, id: &str) -> Result<Reply> {
    find(st, id)?;
    let body = req.json_body().unwrap_or_default();
    let name = required_name(&body)?;
    match st.create_version_tag(id, name) {
        Ok(tag) => Ok(Reply::json(201, json!({"data": {"id": tag, "name": name}}))),
        // Example `apiSpec409ErrorVersionTagConflict`.
        Err(detail) => Err(error(409, "conflictError", "Conflict", &detail)),
    }
}

/// `getSpecVersionTag`: folders and files of the tagged spec; users as strings.
pub(super) fn files(st: &mut State, id: &str, tag: &str) -> Result<Reply> {
    let t = find(st, id)?
        .tags
        .iter()
        .find(|t| t.id == tag)
        .ok_or_else(|| {
            error(
                404,
                "instanceNotFoundError",
                "Version not found",
                "The version tag you are trying to access does not exist on this specification.",
            )
        })?;
    let user = st.user.to_string();
    let parent = |path: &str| path.rsplit_once('/').map(|(dir, _)| t.folders[dir].clone());
    let name_of = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    let mut data: Vec<Value> = Vec::new();
    let stamp = t
        .files
        .iter()
        .map(|f| f.updated_at.as_str())
        .max()
        .unwrap_or_default();
    for (path, fid) in &t.folders {
        let mut e = json!({
            "id": fid, "name": name_of(path), "type": "FOLDER", "path": path,
            "createdBy": user, "updatedBy": user, "createdAt": stamp, "updatedAt": stamp,
        });
        if let Some(p) = parent(path) {
            e["parentId"] = json!(p);
        }
        data.push(e);
    }
    for f in &t.files {
        let mut e = json!({
            "id": f.id, "name": f.name(), "type": "FILE", "path": f.path, "fileType": file_type(f),
            "content": f.content, "createdBy": user, "updatedBy": user,
            "createdAt": f.created_at, "updatedAt": f.updated_at,
        });
        if let Some(p) = parent(&f.path) {
            e["parentId"] = json!(p);
        }
        data.push(e);
    }
    Ok(Reply::ok(json!({ "data": data })))
}
