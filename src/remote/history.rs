//! Postman state -> trees and commits, deterministically (layout contract v1): the same
//! state gives the same blobs, trees and commit ids on any machine.

use gix::object::tree::EntryKind;
use gix::ObjectId;

use super::snapshot::Snapshot;
use super::Error;
use crate::layout::dotpostman::{self, ApiEntityData, ApiIndex};
use crate::layout::mapping::{self, DefinitionState, Mapping};

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

/// The bytes of the file at `path` in `tree`.
pub fn read_file(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<Vec<u8>>, Error> {
    let tree = repo.find_tree(tree)?;
    let Some(entry) = tree.lookup_entry(path.split('/'))? else {
        return Ok(None);
    };
    if !entry.mode().is_blob() {
        return Ok(None);
    }
    Ok(Some(repo.find_blob(entry.object_id())?.take_data()))
}

/// `base` with this API's managed paths replaced by the Postman state; every other file
/// stays as it is.
pub fn apply(
    repo: &gix::Repository,
    base: ObjectId,
    snapshot: &Snapshot,
    mapping: &Mapping,
) -> Result<ObjectId, Error> {
    let old = entity_data(repo, base, &snapshot.api_id)?;
    let mut editor = repo.edit_tree(base)?;

    // What Postman managed before: the files the old `.postman/api_<id>` lists, and the
    // collection directory, which belongs to Postman.
    let mut stale: Vec<String> = Vec::new();
    if let Some(old) = &old {
        stale.extend(
            old.definition_files
                .iter()
                .map(|p| old.definition_repo_path(p)),
        );
        stale.extend(old.collections.iter().map(|c| old.collection_repo_path(c)));
    }
    if !mapping.collection_dir.is_empty() {
        stale.extend(json_files_under(repo, base, &mapping.collection_dir)?);
    }
    for path in &stale {
        editor.remove(path.as_str())?;
    }

    let definition = definition_state(repo, snapshot, mapping)?;
    if let Some(schema) = &snapshot.schema {
        for file in &schema.files {
            editor.upsert(mapping.schema_path(&file.path), EntryKind::Blob, file.blob)?;
        }
    }
    for (state, entry) in snapshot.collections.iter().zip(&definition.collections) {
        editor.upsert(
            mapping.collection_path(&entry.path),
            EntryKind::Blob,
            state.blob,
        )?;
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

/// Repository paths of every `*.json` file below `dir` in `tree`.
pub fn json_files_under(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
) -> Result<Vec<String>, Error> {
    let root = repo.find_tree(tree)?;
    let Some(entry) = root.lookup_entry(dir.split('/'))? else {
        return Ok(Vec::new());
    };
    if !entry.mode().is_tree() {
        return Ok(Vec::new());
    }
    Ok(blobs_by_path(repo, entry.object_id())?
        .into_keys()
        .filter(|p| p.ends_with(".json"))
        .map(|p| format!("{dir}/{p}"))
        .collect())
}

/// Every blob of a tree, by repository path.
pub fn blobs_by_path(
    repo: &gix::Repository,
    tree: ObjectId,
) -> Result<std::collections::BTreeMap<String, ObjectId>, Error> {
    Ok(repo
        .find_tree(tree)?
        .traverse()
        .breadthfirst
        .files()?
        .into_iter()
        .filter(|e| e.mode.is_blob())
        .map(|e| (e.filepath.to_string(), e.oid))
        .collect())
}

/// The e-mail of the author and committer of every commit made from a Postman state:
/// how `git log --author` and `git postman status` tell them from people's commits.
pub fn author_email(api_id: &str) -> String {
    format!("api-{api_id}@postman.invalid")
}

/// Writes the commit for a Postman state: author and committer
/// `Postman <api-<apiId>@postman.invalid>` at the state's time, UTC.
pub fn commit(
    repo: &gix::Repository,
    snapshot: &Snapshot,
    tree: ObjectId,
    parent: Option<ObjectId>,
    version: Option<(&str, &str)>,
) -> Result<ObjectId, Error> {
    let email = author_email(&snapshot.api_id);
    let time = format!("{} +0000", snapshot.time);
    let signature = gix::actor::SignatureRef {
        name: "Postman".into(),
        email: email.as_str().into(),
        time: &time,
    };
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
    let commit = repo.new_commit_as(signature, signature, message, tree, parent)?;
    Ok(commit.id)
}

/// The abbreviated id git prints (7 hex digits).
pub fn short_id(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// The tree of a commit.
pub fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, Error> {
    Ok(repo.find_commit(commit)?.tree_id()?.detach())
}
