//! What the first fetch of a new connection will find: the repository as `connect`
//! leaves it (HEAD with the working tree's mapped files and the new `.postman` files),
//! compared with the same tree after the remote helper applied Postman's state to it
//! (`history::apply`, the very function fetch uses). Equal trees mean Postman already has
//! exactly these files: once `.postman` is committed, fetch reports that commit itself.
//!
//! Everything is written to an in-memory object store, so nothing reaches `.git`.

use gix::object::tree::EntryKind;
use gix::ObjectId;

use crate::layout::mapping::Mapping;
use crate::remote::api_builder::history;
use crate::remote::api_builder::snapshot::Snapshot;
use crate::remote::tree;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("git: {0}")]
    Git(#[from] gix::Error),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Both have the file, with different bytes.
    Differs,
    /// Postman has it, the working tree does not.
    OnlyInPostman,
    /// The working tree has it, Postman does not.
    OnlyHere,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub path: String,
    pub change: Change,
}

/// HEAD's tree (empty for none) with what the collection directory holds of Postman's
/// (`history::postman_paths_under`) replaced by `files` (repository path, bytes).
pub fn local_tree(
    repo: &gix::Repository,
    head: Option<ObjectId>,
    mapping: &Mapping,
    files: &[(String, Vec<u8>)],
) -> Result<ObjectId, Error> {
    let base = match head {
        Some(commit) => tree::tree_of(repo, commit)?,
        None => ObjectId::empty_tree(repo.object_hash()),
    };
    let mut editor = repo.edit_tree(base)?;
    for stale in tree::outermost(history::postman_paths_under(repo, base, mapping)?) {
        editor.remove(stale.as_str())?;
    }
    for (path, bytes) in files {
        let blob = repo.write_blob(bytes)?.detach();
        editor.upsert(path.as_str(), EntryKind::Blob, blob)?;
    }
    Ok(editor.write()?.detach())
}

/// The paths where `local` and `local` with Postman's state applied differ, sorted.
pub fn differences(
    repo: &gix::Repository,
    local: ObjectId,
    snapshot: &Snapshot,
    mapping: &Mapping,
) -> Result<Vec<Difference>, Error> {
    let fetched = history::apply(repo, local, snapshot, mapping)?;
    if fetched == local {
        return Ok(Vec::new());
    }
    let ours = tree::blobs_by_path(repo, local)?;
    let theirs = tree::blobs_by_path(repo, fetched)?;
    let mut out = Vec::new();
    for (path, id) in &ours {
        match theirs.get(path) {
            Some(other) if other == id => {}
            Some(_) => out.push(Difference {
                path: path.clone(),
                change: Change::Differs,
            }),
            None => out.push(Difference {
                path: path.clone(),
                change: Change::OnlyHere,
            }),
        }
    }
    for path in theirs.keys().filter(|p| !ours.contains_key(*p)) {
        out.push(Difference {
            path: path.clone(),
            change: Change::OnlyInPostman,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
