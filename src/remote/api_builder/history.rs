//! Postman state -> trees and commits, deterministically (layout contract v1): the same
//! state gives the same blobs, trees and commit ids on any machine.

use gix::object::tree::EntryKind;
use gix::ObjectId;

use super::snapshot::Snapshot;
use crate::layout::dotpostman::{self, ApiEntityData, ApiIndex};
use crate::layout::mapping::{self, CollectionFormat, DefinitionState, Mapping};
use crate::layout::{collection, v3};
use crate::remote::tree::{
    blobs_by_path, dirs_under, outermost, read_file, subtree, CommitIdentity,
};
use crate::remote::Error;

/// The `.postman/api_<id>` in `tree`, if there is one.
pub fn entity_data(
    repo: &gix::Repository,
    tree: ObjectId,
    api_id: &str,
) -> Result<Option<ApiEntityData>, Error> {
    let path = dotpostman::entity_path(api_id);
    match read_file(repo, tree, &path)? {
        None => Ok(None),
        Some(bytes) => Ok(Some(ApiEntityData::parse(
            &path,
            &String::from_utf8_lossy(&bytes),
        )?)),
    }
}

/// `base` with this API's managed paths replaced by the Postman state; every other file
/// stays as it is.
pub fn apply(
    repo: &gix::Repository,
    base: ObjectId,
    snapshot: &Snapshot,
    mapping: &Mapping,
) -> Result<ObjectId, Error> {
    let mut editor = repo.edit_tree(base)?;
    for path in &managed_paths(repo, base, &snapshot.api_id, mapping)? {
        editor.remove(path.as_str())?;
    }

    let definition = definition_state(repo, snapshot, mapping)?;
    if let Some(schema) = &snapshot.schema {
        for file in &schema.files {
            editor.upsert(mapping.schema_path(&file.path), EntryKind::Blob, file.blob)?;
        }
    }
    for (state, entry) in snapshot.collections.iter().zip(&definition.collections) {
        let path = mapping.collection_path(&entry.path);
        match mapping.collection_format {
            CollectionFormat::V2 => editor.upsert(path, EntryKind::Blob, state.blob)?,
            CollectionFormat::V3 => editor.upsert(path, EntryKind::Tree, state.v3_tree(repo)?)?,
        };
    }
    let entity = mapping.entity_data(&snapshot.api_id, &definition).render();
    editor.upsert(
        dotpostman::entity_path(&snapshot.api_id),
        EntryKind::Blob,
        repo.write_blob(entity.as_bytes())?.detach(),
    )?;
    let index = match read_file(repo, base, dotpostman::INDEX_PATH)? {
        Some(bytes) => ApiIndex::parse(&String::from_utf8_lossy(&bytes))?,
        None => ApiIndex::default(),
    };
    let index = index.with_api(&snapshot.api_id).render();
    editor.upsert(
        dotpostman::INDEX_PATH,
        EntryKind::Blob,
        repo.write_blob(index.as_bytes())?.detach(),
    )?;
    Ok(editor.write()?.detach())
}

/// What Postman manages of API `api_id` in `tree` (outermost paths): the files (or v3
/// directories) its `.postman/api_<id>` lists, and what the collection directory holds
/// of Postman's. The dot-files themselves are not listed.
pub fn managed_paths(
    repo: &gix::Repository,
    tree: ObjectId,
    api_id: &str,
    mapping: &Mapping,
) -> Result<Vec<String>, Error> {
    let mut paths: Vec<String> = Vec::new();
    if let Some(old) = entity_data(repo, tree, api_id)? {
        paths.extend(
            old.definition_files
                .iter()
                .map(|p| old.definition_repo_path(p)),
        );
        paths.extend(old.collections.iter().map(|c| old.collection_repo_path(c)));
    }
    paths.extend(postman_paths_under(repo, tree, mapping)?);
    Ok(outermost(paths))
}

/// What `.postman/api_<id>` will record: the schema's files and root, the collections'
/// file paths (in the snapshot's collection order).
fn definition_state(
    repo: &gix::Repository,
    snapshot: &Snapshot,
    mapping: &Mapping,
) -> Result<DefinitionState, Error> {
    let collections = mapping::collection_files(
        &snapshot
            .collections
            .iter()
            .map(|c| (c.uid.clone(), c.name.clone()))
            .collect::<Vec<_>>(),
        mapping.collection_format,
    );
    let Some(schema) = &snapshot.schema else {
        return Ok(DefinitionState {
            collections,
            ..Default::default()
        });
    };
    let previous_root = mapping
        .root_file
        .as_deref()
        .and_then(|r| mapping.postman_path(r));
    let exists = |p: &str| schema.files.iter().any(|f| f.path == p);
    let root = match (schema.flagged_root.as_deref(), previous_root) {
        (Some(f), _) if exists(f) => Some(f.to_string()),
        (_, Some(p)) if exists(p) => Some(p.to_string()),
        _ => {
            // Only now are the contents needed: find the document nothing references.
            let mut contents = Vec::with_capacity(schema.files.len());
            for f in &schema.files {
                contents.push((f.path.clone(), repo.find_blob(f.blob)?.take_data()));
            }
            let borrowed: Vec<(String, &[u8])> = contents
                .iter()
                .map(|(p, b)| (p.clone(), b.as_slice()))
                .collect();
            mapping::guess_root_file(&borrowed)
        }
    };
    Ok(DefinitionState {
        schema_type: Some(schema.schema_type.clone()),
        schema_files: schema.files.iter().map(|f| f.path.clone()).collect(),
        root_file: root,
        collections,
    })
}

/// What belongs to Postman in the collection directory of `tree`: its `*.json` files,
/// and with the v3 format its sub-directories (one collection each). Both forms, so that
/// switching the format replaces one by the other. Nothing when `C` is the root.
pub fn postman_paths_under(
    repo: &gix::Repository,
    tree: ObjectId,
    mapping: &Mapping,
) -> Result<Vec<String>, Error> {
    let dir = &mapping.collection_dir;
    if dir.is_empty() {
        return Ok(Vec::new());
    }
    let mut paths = json_files_under(repo, tree, dir)?;
    if mapping.collection_format == CollectionFormat::V3 {
        paths.extend(dirs_under(repo, tree, dir)?.into_iter().map(|(p, _)| p));
    }
    Ok(paths)
}

/// Repository paths of every `*.json` file below `dir` in `tree`.
fn json_files_under(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
) -> Result<Vec<String>, Error> {
    let Some(sub) = subtree(repo, tree, dir)? else {
        return Ok(Vec::new());
    };
    Ok(blobs_by_path(repo, sub)?
        .into_keys()
        .filter(|p| mapping::is_collection_file(p))
        .map(|p| format!("{dir}/{p}"))
        .collect())
}

/// A collection file (v2.1 JSON) as its Collection v3 tree ([`v3::to_tree`]; without
/// `_uid`, which `.postman/api_<id>` records), written to the object database: the
/// directory of one collection.
pub fn v3_tree(repo: &gix::Repository, collection: &[u8]) -> Result<ObjectId, Error> {
    let broken = |e: &dyn std::fmt::Display| Error::Postman(e.to_string());
    let raw: &serde_json::value::RawValue =
        serde_json::from_slice(collection).map_err(|e| broken(&e))?;
    let text = collection::without_uid(raw).map_err(|e| broken(&e))?;
    let raw: &serde_json::value::RawValue = serde_json::from_str(&text).map_err(|e| broken(&e))?;
    let tree = v3::to_tree(raw).map_err(|e| broken(&e))?;
    let mut editor = repo.edit_tree(ObjectId::empty_tree(repo.object_hash()))?;
    for f in tree.files {
        let blob = repo.write_blob(&f.bytes)?.detach();
        editor.upsert(f.path.as_str(), EntryKind::Blob, blob)?;
    }
    Ok(editor.write()?.detach())
}

/// The e-mail of the author and committer of every commit made from a Postman state:
/// how `git log --author` and `git postman status` tell them from people's commits.
pub fn author_email(api_id: &str) -> String {
    format!("api-{api_id}@postman.invalid")
}

/// Who makes the commit for a Postman state (a published version's when `version` is
/// its name and id): `Postman <api-<apiId>@postman.invalid>` at the state's time.
pub fn identity(snapshot: &Snapshot, version: Option<(&str, &str)>) -> CommitIdentity {
    let message = match version {
        None => format!(
            "Postman: {}\n\nPostman-Api: {}\n",
            snapshot.api_name, snapshot.api_id
        ),
        Some((name, id)) => format!(
            "Postman: {} {name}\n\nPostman-Api: {}\nPostman-Version: {id}\n",
            snapshot.api_name, snapshot.api_id
        ),
    };
    CommitIdentity {
        name: "Postman".into(),
        email: author_email(&snapshot.api_id),
        time: snapshot.time,
        message,
    }
}
