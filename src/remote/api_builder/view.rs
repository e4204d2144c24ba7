//! What Postman holds right after a push, from what the push sent and what Postman
//! answered: R's Postman view ([`crate::remote::view`]) is made from it.

use std::collections::BTreeMap;

use gix::ObjectId;

use super::plan::{Applied, Plan, Write};
use super::snapshot::{CollectionState, FileState, Reader, SchemaState, Snapshot};
use crate::layout::collection;
use crate::postman::model::Api;
use crate::remote::Error;

/// What Postman holds right after `plan` was applied to `live`, without reading it all
/// again: schema files are stored verbatim, so they are what the push sent, and the
/// answers gave the created UIDs. An updated collection is what was sent when that
/// carries every id ([`collection::stored_file`]: the usual case, a file from a fetch
/// with a request edited). Only the others are read back, one look each (what every
/// fetch takes of every collection): a created one, or one with a new request, because
/// Postman gives ids to whatever lacks one and its answer carries only UID and name.
/// Reading back just those keeps a change made in Postman meanwhile to anything else out
/// of the view, so it is still `fetch first`.
pub fn after_push(
    reader: &Reader,
    api: &Api,
    live: &Snapshot,
    plan: &Plan,
    applied: &Applied,
) -> Result<Snapshot, Error> {
    let mut schema = live.schema.clone();
    let mut files: BTreeMap<String, FileState> = schema
        .iter()
        .flat_map(|s| &s.files)
        .map(|f| (f.path.clone(), f.clone()))
        .collect();
    let mut collections: BTreeMap<String, CollectionState> = live
        .collections
        .iter()
        .map(|c| (c.uid.clone(), c.clone()))
        .collect();
    // The `updatedAt` Postman answered for each file put, looked up once per write.
    let put_at: BTreeMap<&str, &Option<String>> = applied
        .files
        .iter()
        .map(|(path, updated, _)| (path.as_str(), updated))
        .collect();
    let read_back = |uid: &str| -> Result<CollectionState, Error> {
        Ok(reader.read_collection(api, uid, None)?.0)
    };
    for write in &plan.writes {
        match write {
            Write::CreateSchema {
                schema_type,
                files: created,
            } => {
                let mut flagged_root = None;
                for (path, content, root) in created {
                    if *root {
                        flagged_root = Some(path.clone());
                    }
                    let blob = reader.repo.write_blob(content.as_bytes())?.detach();
                    files.insert(path.clone(), file_state(path, None, blob));
                }
                schema = Some(SchemaState {
                    schema_type: schema_type.clone(),
                    files: Vec::new(),
                    flagged_root,
                });
            }
            Write::PutFile { path, blob, .. } => {
                let updated = put_at.get(path.as_str()).and_then(|u| (*u).clone());
                files.insert(path.clone(), file_state(path, updated, *blob));
            }
            Write::DeleteFile { path } => {
                files.remove(path);
            }
            Write::PutCollection { uid, collection } => {
                let stored = collection::stored_file(collection, uid)
                    .map_err(|e| Error::Postman(format!("collection {uid}: {e}")))?;
                let state = match stored {
                    Some((name, bytes)) => CollectionState::new(
                        uid.clone(),
                        name,
                        reader.repo.write_blob(&bytes)?.detach(),
                    ),
                    None => read_back(uid)?,
                };
                collections.insert(uid.clone(), state);
            }
            Write::CreateCollection { file, .. } => {
                let uid = applied.created.get(file).ok_or_else(|| {
                    Error::Postman(format!("Postman gave no UID for the collection {file}"))
                })?;
                collections.insert(uid.clone(), read_back(uid)?);
            }
            Write::DeleteCollection { uid } => {
                collections.remove(uid);
            }
        }
    }
    if let Some(schema) = &mut schema {
        schema.files = files.into_values().collect();
        if let Some(root) = &schema.flagged_root {
            if !schema.files.iter().any(|f| &f.path == root) {
                schema.flagged_root = None;
            }
        }
    }
    Ok(Snapshot {
        api_id: live.api_id.clone(),
        api_name: live.api_name.clone(),
        time: live.time,
        schema,
        collections: collections.into_values().collect(),
    })
}

fn file_state(path: &str, updated_at: Option<String>, blob: ObjectId) -> FileState {
    FileState {
        path: path.to_string(),
        updated_at,
        blob,
    }
}
