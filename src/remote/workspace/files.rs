//! A tree as the file list `layout::workspace` works on, and that list back into a tree
//! over its base: only the blobs that changed are written, so every other entry (a
//! symlink, an executable, a submodule) stays exactly as the base has it.

use std::collections::BTreeMap;

use gix::object::tree::EntryKind;
use gix::ObjectId;

use crate::layout::workspace::File;
use crate::remote::tree::blobs_by_path;
use crate::remote::Error;

/// Every blob of `tree` with its bytes, sorted by path.
pub fn read(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<File>, Error> {
    let mut out = Vec::new();
    for (path, blob) in blobs_by_path(repo, tree)? {
        let bytes = repo.find_blob(blob)?.take_data();
        out.push(File { path, bytes });
    }
    Ok(out)
}

/// `base` (whose blobs are `before`) turned into a tree holding `after`.
pub fn write(
    repo: &gix::Repository,
    base: ObjectId,
    before: &[File],
    after: &[File],
) -> Result<ObjectId, Error> {
    let old: BTreeMap<&str, &[u8]> = before
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()))
        .collect();
    let new: BTreeMap<&str, &[u8]> = after
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()))
        .collect();
    let mut editor = repo.edit_tree(base)?;
    for path in old.keys().filter(|p| !new.contains_key(*p)) {
        editor.remove(*path)?;
    }
    for (path, bytes) in &new {
        if old.get(path) != Some(bytes) {
            let blob = repo.write_blob(bytes)?.detach();
            editor.upsert(*path, EntryKind::Blob, blob)?;
        }
    }
    Ok(editor.write()?.detach())
}
