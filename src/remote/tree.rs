//! Trees and commits in the object database, for any backend: reading files, walking
//! trees, and the one function that writes a commit made from a Postman state, so that
//! determinism (the same state gives the same ids on any machine) holds by construction.

use gix::ObjectId;

use super::Error;

/// Who makes a commit from a Postman state, when, and with what message: the backend's
/// only input to a commit ([`commit`]), which makes the commit id a function of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitIdentity {
    /// Author and committer name.
    pub name: String,
    /// Author and committer e-mail: how `git log --author` tells Postman's commits.
    pub email: String,
    /// Seconds since the epoch, UTC.
    pub time: i64,
    pub message: String,
}

/// Writes the commit for a Postman state: author and committer as `who` says, UTC.
pub fn commit(
    repo: &gix::Repository,
    who: &CommitIdentity,
    tree: ObjectId,
    parent: Option<ObjectId>,
) -> Result<ObjectId, Error> {
    let time = format!("{} +0000", who.time);
    let signature = gix::actor::SignatureRef {
        name: who.name.as_str().into(),
        email: who.email.as_str().into(),
        time: &time,
    };
    let commit = repo.new_commit_as(signature, signature, who.message.as_str(), tree, parent)?;
    Ok(commit.id)
}

/// The empty tree: the base of a published version's commit.
pub fn empty(repo: &gix::Repository) -> ObjectId {
    ObjectId::empty_tree(repo.object_hash())
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

/// `paths` without those inside another one: removing a file inside a directory makes
/// the tree editor hold that directory in memory, and it would write that copy over a
/// tree upserted at the directory's path afterwards.
pub fn outermost(mut paths: Vec<String>) -> Vec<String> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<String> = Vec::with_capacity(paths.len());
    for p in paths {
        let inside = out.last().is_some_and(|o| {
            p.strip_prefix(o.as_str())
                .is_some_and(|r| r.starts_with('/'))
        });
        if !inside {
            out.push(p);
        }
    }
    out
}

/// The directories right below `dir` in `tree` (v3 collections): repository path, tree.
pub fn dirs_under(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
) -> Result<Vec<(String, ObjectId)>, Error> {
    let Some(sub) = subtree(repo, tree, dir)? else {
        return Ok(Vec::new());
    };
    Ok(repo
        .find_tree(sub)?
        .decode()?
        .entries
        .iter()
        .filter(|e| e.mode.is_tree())
        .map(|e| (format!("{dir}/{}", e.filename), e.oid.to_owned()))
        .collect())
}

/// The tree at `path` in `tree`, if it is a directory there.
pub fn subtree(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<ObjectId>, Error> {
    let entry = repo.find_tree(tree)?.lookup_entry(path.split('/'))?;
    Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
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

/// The abbreviated id git prints (7 hex digits).
pub fn short_id(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// The tree of a commit.
pub fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, Error> {
    Ok(repo.find_commit(commit)?.tree_id()?.detach())
}
