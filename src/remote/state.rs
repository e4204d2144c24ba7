//! What a named remote remembers between runs.
//!
//! - `refs/postman/<remote>/heads/main`: R, the commit this remote last reported. A ref,
//!   so `git gc` keeps it and everything it needs.
//! - `refs/postman/<remote>/view`: after a push, R's *Postman view*: a commit whose
//!   parent is R and whose tree is what a fetch writes for the state the push left in
//!   Postman (`.postman/api_<id>` as Postman lists the files, collections as Postman
//!   stores them). A pushed commit's own `.postman` is stale by design (nobody edits it),
//!   so rule 1 compares Postman with this tree instead. A ref too, for `git gc`; it is
//!   ignored once R moves on.
//! - `$GIT_COMMON_DIR/postman/<remote>/cache.json`: a throwaway cache (schema file blobs
//!   by `updatedAt`, version commits by version id). Losing it costs downloads, never
//!   correctness: everything in it is checked against the object database before use.
//!
//! Anonymous remotes (a URL typed on the command line) keep nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::refs::transaction::PreviousValue;
use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::snapshot::FileCache;
use super::Error;

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    #[serde(default)]
    files: BTreeMap<String, (String, String)>,
    #[serde(default)]
    versions: BTreeMap<String, String>,
    /// The API's `updatedAt` as the fetch that last set R read it: `git postman status`
    /// compares it with one cheap read. A push clears it (Postman's new value is known
    /// only after the next fetch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_updated_at: Option<String>,
    /// A push that started writing and did not finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<PendingFile>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PendingFile {
    base: String,
    target: String,
    created: BTreeMap<String, String>,
}

/// Collection files (repository paths) and the UIDs of the collections they are.
pub type CollectionFiles = BTreeMap<String, String>;

/// A push that was interrupted after some writes: from `base` (R then) towards `target`.
/// Postman may now hold any mix of the two; pushing `target` again finishes the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPush {
    pub base: ObjectId,
    pub target: ObjectId,
    /// Collection files it created in Postman, with their UIDs, so that a repeat updates
    /// them instead of creating them twice.
    pub created: BTreeMap<String, String>,
}

pub struct RemoteState {
    /// `None` for an anonymous remote.
    name: Option<String>,
    cache_dir: Option<PathBuf>,
    cache: CacheFile,
}

impl RemoteState {
    pub fn open(repo: &gix::Repository, remote: Option<&str>) -> RemoteState {
        let cache_dir = remote.map(|r| repo.common_dir().join("postman").join(r));
        let cache = cache_dir
            .as_ref()
            .and_then(|d| std::fs::read(d.join("cache.json")).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        RemoteState {
            name: remote.map(str::to_string),
            cache_dir,
            cache,
        }
    }

    /// Deletes the remote's cache directory (`git postman disconnect`); its refs are the
    /// caller's to delete. The parent directory goes too when no other remote uses it.
    pub fn forget_cache(&self) -> Result<(), Error> {
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        }
        if let Some(parent) = dir.parent() {
            let _ = std::fs::remove_dir(parent);
        }
        Ok(())
    }

    fn ref_name(&self, what: &str) -> Option<String> {
        self.name
            .as_ref()
            .map(|n| format!("refs/postman/{n}/{what}"))
    }

    /// R: the commit this remote last reported.
    pub fn last_reported(&self, repo: &gix::Repository) -> Result<Option<ObjectId>, Error> {
        self.read_ref(repo, "heads/main")
    }

    /// The commit `git postman connect` recorded as the base of the first fetch.
    pub fn connect_base(&self, repo: &gix::Repository) -> Result<Option<ObjectId>, Error> {
        self.read_ref(repo, "base")
    }

    fn read_ref(&self, repo: &gix::Repository, what: &str) -> Result<Option<ObjectId>, Error> {
        let Some(name) = self.ref_name(what) else {
            return Ok(None);
        };
        let Some(mut reference) = repo.try_find_reference(name.as_str())? else {
            return Ok(None);
        };
        let id = reference.peel_to_id()?.detach();
        Ok(repo.has_object(id).then_some(id))
    }

    pub fn set_last_reported(&self, repo: &gix::Repository, commit: ObjectId) -> Result<(), Error> {
        if let Some(name) = self.ref_name("heads/main") {
            repo.reference(name.as_str(), commit, PreviousValue::Any, "postman: list")?;
        }
        Ok(())
    }

    /// R's Postman view (see the module docs), if the last push recorded one for `last`:
    /// its tree, and which collection UID each collection file of the pushed tree went to.
    pub fn postman_view(
        &self,
        repo: &gix::Repository,
        last: ObjectId,
    ) -> Result<Option<(ObjectId, CollectionFiles)>, Error> {
        let Some(view) = self.read_ref(repo, "view")? else {
            return Ok(None);
        };
        let view = repo.find_commit(view)?;
        if view.parent_ids().next().map(|p| p.detach()) != Some(last) {
            return Ok(None);
        }
        let message = view.message_raw()?.to_string();
        let files = message
            .split_once("\n\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or_default();
        Ok(Some((view.tree_id()?.detach(), files)))
    }

    /// Records R's Postman view: a commit on `last` with the tree, the collection files
    /// (JSON) in its message.
    fn set_postman_view(
        &self,
        repo: &gix::Repository,
        last: ObjectId,
        tree: ObjectId,
        files: &CollectionFiles,
    ) -> Result<(), Error> {
        let Some(name) = self.ref_name("view") else {
            return Ok(());
        };
        // Fixed identity and time: the commit only carries the tree and names R.
        let signature = gix::actor::SignatureRef {
            name: "Postman".into(),
            email: "view@postman.invalid".into(),
            time: "0 +0000",
        };
        let files = serde_json::to_string(files).expect("a map of strings serializes");
        let message = format!("Postman view of {last}\n\n{files}\n");
        let commit = repo.new_commit_as(signature, signature, message, tree, Some(last))?;
        repo.reference(
            name.as_str(),
            commit.id,
            PreviousValue::Any,
            "postman: push",
        )?;
        Ok(())
    }

    pub fn file_cache(&self) -> FileCache {
        self.cache
            .files
            .iter()
            .filter_map(|(path, (updated, blob))| {
                Some((
                    path.clone(),
                    (updated.clone(), ObjectId::from_hex(blob.as_bytes()).ok()?),
                ))
            })
            .collect()
    }

    pub fn remember_files<'a>(
        &mut self,
        files: impl IntoIterator<Item = (&'a str, Option<&'a str>, ObjectId)>,
    ) {
        self.cache.files = files
            .into_iter()
            .filter_map(|(path, updated, blob)| {
                Some((path.to_string(), (updated?.to_string(), blob.to_string())))
            })
            .collect();
    }

    /// After a successful push: the pushed commit is R, `view` (a tree) its Postman view,
    /// `files` where its collection files went, and the schema files written are cached
    /// with their new `updatedAt`.
    pub fn record_push(
        &mut self,
        repo: &gix::Repository,
        commit: ObjectId,
        (view, files): (ObjectId, &CollectionFiles),
        written: &[(String, Option<String>, ObjectId)],
    ) -> Result<(), Error> {
        for (path, updated, blob) in written {
            match updated {
                Some(u) => {
                    self.cache
                        .files
                        .insert(path.clone(), (u.clone(), blob.to_string()));
                }
                None => {
                    self.cache.files.remove(path);
                }
            }
        }
        self.cache.api_updated_at = None;
        self.cache.pending = None;
        self.set_last_reported(repo, commit)?;
        self.set_postman_view(repo, commit, view, files)?;
        self.save()
    }

    /// See [`CacheFile::api_updated_at`].
    pub fn api_updated_at(&self) -> Option<&str> {
        self.cache.api_updated_at.as_deref()
    }

    pub fn remember_api_updated_at(&mut self, updated_at: Option<&str>) {
        self.cache.api_updated_at = updated_at.map(str::to_string);
    }

    /// The interrupted push that started from R, if any.
    pub fn pending_push(
        &self,
        repo: &gix::Repository,
        last: Option<ObjectId>,
    ) -> Option<PendingPush> {
        let p = self.cache.pending.as_ref()?;
        let base = ObjectId::from_hex(p.base.as_bytes()).ok()?;
        let target = ObjectId::from_hex(p.target.as_bytes()).ok()?;
        (Some(base) == last && repo.has_object(target)).then(|| PendingPush {
            base,
            target,
            created: p.created.clone(),
        })
    }

    /// Before the first write of a push: what it starts from and where it goes.
    pub fn begin_push(&mut self, pending: &PendingPush) -> Result<(), Error> {
        self.cache.pending = Some(PendingFile {
            base: pending.base.to_string(),
            target: pending.target.to_string(),
            created: pending.created.clone(),
        });
        self.save()
    }

    /// A collection the running push created, saved at once.
    pub fn record_created(&mut self, file: &str, uid: &str) -> Result<(), Error> {
        if let Some(p) = &mut self.cache.pending {
            p.created.insert(file.to_string(), uid.to_string());
        }
        self.save()
    }

    pub fn version_commit(&self, repo: &gix::Repository, version_id: &str) -> Option<ObjectId> {
        let id = ObjectId::from_hex(self.cache.versions.get(version_id)?.as_bytes()).ok()?;
        repo.has_object(id).then_some(id)
    }

    pub fn remember_version(&mut self, version_id: &str, commit: ObjectId) {
        self.cache
            .versions
            .insert(version_id.to_string(), commit.to_string());
    }

    /// Writes the cache atomically (temp file + rename), so a killed helper never leaves
    /// a torn file behind.
    pub fn save(&self) -> Result<(), Error> {
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        let tmp = dir.join("cache.json.tmp");
        let bytes = serde_json::to_vec_pretty(&self.cache).expect("the cache serializes");
        std::fs::write(&tmp, bytes).map_err(|e| Error::Io(tmp.display().to_string(), e))?;
        std::fs::rename(&tmp, dir.join("cache.json"))
            .map_err(|e| Error::Io(dir.display().to_string(), e))
    }
}
