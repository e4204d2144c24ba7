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
//! - `$GIT_COMMON_DIR/postman/<remote>/journal.json`: the push journal, durable state.
//!   Written before a push's first write and while it runs (from where to where, which
//!   collections it is about to create and which it created), removed when it is done, so
//!   pushing again after a failure finishes the job and creates nothing twice. Written
//!   atomically (a unique temporary file, fsync, rename, fsync of the directory); a
//!   journal that does not parse is an error naming it, never silently dropped.
//! - `$GIT_COMMON_DIR/postman/<remote>/lock`: held by a helper from its first `list` or
//!   `push` to its exit ([`RemoteState::lock`]), so an IDE's background `git fetch`
//!   waits for a push instead of reading (and recording as R) a half-done one, and two
//!   pushes take turns.
//! - `$GIT_COMMON_DIR/postman/<remote>/cache.json`: a throwaway cache (version commits by
//!   version id, and the backend's own keys, [`Cache`]: API Builder schema file blobs by
//!   `updatedAt`). Losing it costs downloads, never
//!   correctness: everything in it is checked against the object database before use.
//!
//! Anonymous remotes (a URL typed on the command line) keep nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gix::refs::transaction::PreviousValue;
use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::backend::RemoteIds;
use super::Error;
use crate::lock::Lock;

/// How long a helper waits for another one working on the same remote (a push of a
/// large API under Postman's rate limit takes minutes) before it gives up.
const LOCK_WAIT: Duration = Duration::from_secs(300);
const JOURNAL: &str = "journal.json";

/// The backend's keys of `cache.json` ([`crate::remote::backend::Backend::remember`]),
/// which the git side keeps without reading them.
pub type Cache = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    #[serde(default)]
    versions: BTreeMap<String, String>,
    /// Tags being published, by version name: the tag object each was pushed as, so
    /// that a version whose publication lost its answer is reported as that tag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    publishing: BTreeMap<String, String>,
    #[serde(flatten)]
    backend: Cache,
}

/// The journal file: hex ids, so that a person can read it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalFile {
    base: String,
    target: String,
    #[serde(default)]
    created: BTreeMap<String, String>,
    #[serde(default)]
    creating: BTreeMap<String, String>,
}

/// A push that was interrupted after some writes: from `base` (R then) towards `target`.
/// Postman may now hold any mix of the two; pushing `target` again finishes the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPush {
    pub base: ObjectId,
    pub target: ObjectId,
    /// Files of objects it created in Postman, with their ids, so that a repeat updates
    /// them instead of creating them twice.
    pub created: RemoteIds,
    /// Files of objects it was about to create (journaled before the request), with the
    /// object's name: when the answer was lost, the object may exist all the
    /// same, and a repeat looks for it ([`crate::remote::push`]).
    pub creating: BTreeMap<String, String>,
}

pub struct RemoteState {
    /// `None` for an anonymous remote.
    name: Option<String>,
    cache_dir: Option<PathBuf>,
    cache: CacheFile,
    /// The running push's journal, as last written.
    journal: Option<JournalFile>,
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
            journal: None,
        }
    }

    /// Takes the remote's lock (see the module docs), waiting for another helper at most
    /// `LOCK_WAIT`; `None` for an anonymous remote, which keeps no state.
    pub fn lock(&self) -> Result<Option<Lock>, Error> {
        let (Some(dir), Some(name)) = (&self.cache_dir, &self.name) else {
            return Ok(None);
        };
        let doing = format!("pushing to or fetching from the Postman remote {name:?}");
        Ok(Some(Lock::acquire(dir.join("lock"), &doing, LOCK_WAIT)?))
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
    ) -> Result<Option<(ObjectId, RemoteIds)>, Error> {
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
        files: &RemoteIds,
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

    /// The backend's keys of the cache ([`Cache`]).
    pub fn backend_cache(&self) -> &Cache {
        &self.cache.backend
    }

    pub fn backend_cache_mut(&mut self) -> &mut Cache {
        &mut self.cache.backend
    }

    /// After a successful push: the pushed commit is R, `view` (a tree) its Postman view,
    /// `files` where its objects went (the backend updated its cache keys already).
    pub fn record_push(
        &mut self,
        repo: &gix::Repository,
        commit: ObjectId,
        (view, files): (ObjectId, &RemoteIds),
    ) -> Result<(), Error> {
        self.set_last_reported(repo, commit)?;
        self.set_postman_view(repo, commit, view, files)?;
        self.save()?;
        self.end_push()
    }

    /// The interrupted push that started from R, if any. A journal that does not parse
    /// is an error naming it: it may be all that knows what a push created in Postman.
    pub fn pending_push(
        &self,
        repo: &gix::Repository,
        last: Option<ObjectId>,
    ) -> Result<Option<PendingPush>, Error> {
        let Some(dir) = &self.cache_dir else {
            return Ok(None);
        };
        let path = dir.join(JOURNAL);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Io(path.display().to_string(), e)),
        };
        let broken = |why: String| Error::Journal {
            file: path.display().to_string(),
            why,
        };
        let file: JournalFile =
            serde_json::from_slice(&bytes).map_err(|e| broken(e.to_string()))?;
        let id = |hex: &str| {
            ObjectId::from_hex(hex.as_bytes())
                .map_err(|_| broken(format!("{hex:?} is not a commit id")))
        };
        let (base, target) = (id(&file.base)?, id(&file.target)?);
        Ok(
            (Some(base) == last && repo.has_object(target)).then_some(PendingPush {
                base,
                target,
                created: file.created,
                creating: file.creating,
            }),
        )
    }

    /// Before the first write of a push: what it starts from and where it goes.
    pub fn begin_push(&mut self, pending: &PendingPush) -> Result<(), Error> {
        self.journal = Some(JournalFile {
            base: pending.base.to_string(),
            target: pending.target.to_string(),
            created: pending.created.clone(),
            creating: pending.creating.clone(),
        });
        self.write_journal()
    }

    /// Before the request that creates an object (a collection): its file and name, so that a repeat
    /// finds it if the answer is lost.
    pub fn record_creating(&mut self, file: &str, name: &str) -> Result<(), Error> {
        if let Some(j) = &mut self.journal {
            j.creating.insert(file.to_string(), name.to_string());
        }
        self.write_journal()
    }

    /// An object (a collection) the running push created, saved at once.
    pub fn record_created(&mut self, file: &str, uid: &str) -> Result<(), Error> {
        if let Some(j) = &mut self.journal {
            j.creating.remove(file);
            j.created.insert(file.to_string(), uid.to_string());
        }
        self.write_journal()
    }

    fn write_journal(&self) -> Result<(), Error> {
        let (Some(dir), Some(journal)) = (&self.cache_dir, &self.journal) else {
            return Ok(());
        };
        let bytes = serde_json::to_vec_pretty(journal).expect("the journal serializes");
        write_durably(dir, JOURNAL, &bytes)
    }

    /// The push is done: no journal.
    fn end_push(&mut self) -> Result<(), Error> {
        self.journal = None;
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        let path = dir.join(JOURNAL);
        match std::fs::remove_file(&path) {
            Ok(()) => sync_dir(dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::Io(path.display().to_string(), e)),
        }
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

    /// Before a tag is published as version `name`: the tag object, saved at once.
    pub fn begin_publishing(&mut self, name: &str, tag: ObjectId) -> Result<(), Error> {
        self.cache
            .publishing
            .insert(name.to_string(), tag.to_string());
        self.save()
    }

    /// The tag was published as the version `version_id`.
    pub fn end_publishing(
        &mut self,
        name: &str,
        version_id: &str,
        tag: ObjectId,
    ) -> Result<(), Error> {
        self.cache.publishing.remove(name);
        self.remember_version(version_id, tag);
        self.save()
    }

    /// The tag this repository was publishing as version `name` and did not hear the
    /// end of (a lost answer, a killed helper): pushing it again finishes it.
    pub fn publishing(&self, repo: &gix::Repository, name: &str) -> Option<ObjectId> {
        let tag = ObjectId::from_hex(self.cache.publishing.get(name)?.as_bytes()).ok()?;
        repo.has_object(tag).then_some(tag)
    }

    /// Writes the cache atomically, so a killed helper never leaves a torn file behind.
    pub fn save(&self) -> Result<(), Error> {
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        let bytes = serde_json::to_vec_pretty(&self.cache).expect("the cache serializes");
        write_durably(dir, "cache.json", &bytes)
    }
}

/// Replaces `dir/name` with `bytes` atomically and durably: a temporary file of a unique
/// name (two helpers never write the same one), flushed to disk, renamed over the file,
/// then the directory flushed so that the rename survives a crash.
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |e| Error::Io(path, e)
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    let path = dir.join(name);
    tmp.persist(&path).map_err(|e| io(&path)(e.error))?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::Io(dir.display().to_string(), e))
}

/// Windows has no directory handle to flush; its rename is durable once it returns.
#[cfg(not(unix))]
fn sync_dir(_: &Path) -> Result<(), Error> {
    Ok(())
}
