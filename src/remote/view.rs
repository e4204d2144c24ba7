//! R's *Postman view*. A pushed commit keeps the `.postman/api_<id>` the user had (stale
//! by design: nobody edits it by hand, so it still lists a deleted file and lacks an
//! added one or a created collection's UID) and collection files as the user wrote them
//! (Postman gives a new collection its own ids). So after a push the helper records the
//! tree a fetch would write for the state the push left in Postman, and compares Postman
//! with that tree instead of R's own: rule 1, `fetch first`, the interrupted-push check.
//! A pushed tree is read through it as well ([`Trees::as_postman_sees`]): a path the user
//! left as R had it means what Postman holds for it.

use std::collections::{BTreeMap, BTreeSet};

use gix::object::tree::EntryKind;
use gix::ObjectId;

use super::history;
use super::push::plan::{Applied, Plan, Write};
use super::snapshot::{CollectionState, FileState, Reader, SchemaState, Snapshot};
use super::state::{CollectionFiles, RemoteState};
use super::Error;
use crate::layout::collection;
use crate::postman::model::Api;

/// R, its own tree and its Postman view (the same tree when no push recorded a view).
#[derive(Debug, Clone)]
pub struct Trees {
    pub commit: ObjectId,
    pub own: ObjectId,
    pub view: ObjectId,
    /// Which collection each collection file of R is (recorded by the push), for files
    /// Postman lists under another path (the push changed the collection's name).
    pub files: CollectionFiles,
}

/// A pushed tree as Postman sees it ([`Trees::as_postman_sees`]).
#[derive(Debug, Clone)]
pub struct Viewed {
    pub tree: ObjectId,
    /// R's own tree (none before the first fetch): where a collection the pushed tree
    /// moved was before.
    pub last: Option<ObjectId>,
    /// Paths the pushed tree lacks, as R does, that the view has: Postman's copy of
    /// what R has elsewhere, so a file the user has for the same collection wins.
    pub from_view: BTreeSet<String>,
    /// See [`Trees::files`].
    pub files: CollectionFiles,
}

impl Trees {
    pub fn of(repo: &gix::Repository, state: &RemoteState, last: ObjectId) -> Result<Trees, Error> {
        let own = history::tree_of(repo, last)?;
        let (view, files) = state
            .postman_view(repo, last)?
            .unwrap_or_else(|| (own, CollectionFiles::new()));
        Ok(Trees {
            commit: last,
            own,
            view,
            files,
        })
    }

    /// `tree` with every path it has exactly as R has it (or lacks as R lacks it) taken
    /// from the view: what the user left alone is what Postman holds, not R's stale
    /// `.postman` or a collection file as the user first wrote it.
    pub fn as_postman_sees(&self, repo: &gix::Repository, tree: ObjectId) -> Result<Viewed, Error> {
        let mut viewed = Viewed {
            tree,
            last: Some(self.own),
            from_view: BTreeSet::new(),
            files: self.files.clone(),
        };
        if self.own == self.view {
            return Ok(viewed);
        }
        let (own, view) = (
            history::blobs_by_path(repo, self.own)?,
            history::blobs_by_path(repo, self.view)?,
        );
        let pushed = history::blobs_by_path(repo, tree)?;
        let differing: BTreeSet<&String> = own
            .keys()
            .chain(view.keys())
            .filter(|p| own.get(*p) != view.get(*p) && pushed.get(*p) == own.get(*p))
            .collect();
        if differing.is_empty() {
            return Ok(viewed);
        }
        let mut editor = repo.edit_tree(tree)?;
        for path in differing {
            match view.get(path) {
                Some(blob) => {
                    editor.upsert(path.as_str(), EntryKind::Blob, *blob)?;
                    if !own.contains_key(path) {
                        viewed.from_view.insert(path.clone());
                    }
                }
                None => {
                    editor.remove(path.as_str())?;
                }
            };
        }
        viewed.tree = editor.write()?.detach();
        Ok(viewed)
    }
}

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
