//! What the first fetch of a new connection will find: the repository as `connect`
//! leaves it (HEAD with the working tree's mapped files and the new dot-files), compared
//! with the same tree after the remote helper applied Postman's state to it (the remote's
//! `Layout::apply`, the very function fetch uses, for either kind of remote). Equal trees
//! mean Postman already has exactly these files: once the dot-files are committed, fetch
//! reports that commit itself.
//!
//! Everything is written to an in-memory object store, so nothing reaches `.git`.

use gix::object::tree::EntryKind;
use gix::ObjectId;

use crate::remote::backend::Layout;
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

/// HEAD's tree (empty for none) without the paths `stale` and with `files` (repository
/// path, bytes) upserted: the working tree's side of the comparison.
pub fn local_tree(
    repo: &gix::Repository,
    head: Option<ObjectId>,
    stale: impl Fn(ObjectId) -> Result<Vec<String>, Error>,
    files: &[(String, Vec<u8>)],
) -> Result<ObjectId, Error> {
    let base = match head {
        Some(commit) => tree::tree_of(repo, commit)?,
        None => tree::empty(repo),
    };
    let mut editor = repo.edit_tree(base)?;
    for path in tree::outermost(stale(base)?) {
        editor.remove(path.as_str())?;
    }
    for (path, bytes) in files {
        let blob = repo.write_blob(bytes)?.detach();
        editor.upsert(path.as_str(), EntryKind::Blob, blob)?;
    }
    Ok(editor.write()?.detach())
}

/// The paths where `local` and `local` with Postman's state applied differ, sorted.
pub fn differences<L: Layout>(
    repo: &gix::Repository,
    local: ObjectId,
    layout: &L,
    state: &L::State,
) -> Result<Vec<Difference>, Error> {
    let fetched = layout.apply(repo, local, state)?;
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
