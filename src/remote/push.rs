//! `push`: git's own rules first (git does not enforce them for helpers,
//! reference/remote-helper.md §1.8): the live Postman state must still be the one last
//! fetched (`fetch first`), the pushed commit must descend from it (`non-fast forward`),
//! unless forced or leased; then the backend's layout plans (validates and diffs)
//! everything before the first write; a journal lets an interrupted push finish when
//! pushed again.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use gix::ObjectId;

use super::backend::{Backend, Creation, Layout};
use super::progress::Progress;
use super::protocol::shown;
use super::session::Session;
use super::state::{PendingPush, RemoteState};
use super::{tree, Error, BRANCH};
use crate::postman;

impl<B: Backend> Session<B> {
    /// `push`: one `ok`/`error` line per ref, then a blank line. The branch goes first,
    /// so a tag pushed with it can point at what the branch push made Postman have.
    pub(in crate::remote) fn push(&mut self, batch: &[String]) -> Result<String, Error> {
        let mut lines: Vec<PushLine> = Vec::new();
        for line in batch {
            lines.push(
                PushLine::parse(line)
                    .ok_or_else(|| Error::Protocol(format!("bad push line {}", shown(line))))?,
            );
        }
        lines.sort_by_key(|l| l.dst != BRANCH);
        let mut out = String::new();
        for line in &lines {
            let result = if line.dst == BRANCH {
                self.push_branch(line)
            } else if let Some(name) = line.dst.strip_prefix("refs/tags/") {
                self.push_tag(line, name)
            } else {
                Err(Refusal(format!(
                    "Postman has only {BRANCH} and tags (published versions)"
                )))
            };
            match result {
                Ok(()) => out.push_str(&format!("ok {}\n", line.dst)),
                Err(Refusal(why)) => {
                    out.push_str(&format!("error {} {}\n", line.dst, why.replace('\n', " ")))
                }
            }
        }
        out.push('\n');
        Ok(out)
    }

    fn forced(&self, line: &PushLine) -> bool {
        line.force || self.options.leased.contains(&line.dst)
    }

    fn push_branch(&mut self, line: &PushLine) -> Result<(), Refusal> {
        if line.src.is_empty() {
            return Err(Refusal(format!(
                "refusing to delete {BRANCH}: it is the API itself"
            )));
        }
        let new = self.commit_of(self.resolve(&line.src)?)?;
        let mut state = RemoteState::open(&self.repo, self.remote.as_deref());
        let live = match self.listed_for_push.take() {
            Some(live) => live,
            None => self.read_live(&state, &mut Progress::off())?,
        };
        let pending = live.pending(&self.backend, &self.repo, &state)?;
        if !self.forced(line) {
            let resuming = match &pending {
                Some(p) => {
                    descends_from(&self.repo, new, p.target)? && live.resumes(&self.repo, p)?
                }
                None => false,
            };
            if !resuming && !live.unchanged(&self.repo)? {
                return Err(Refusal("fetch first".into()));
            }
            let last = live.last().expect("unchanged or resuming implies R");
            if !descends_from(&self.repo, new, last)? {
                return Err(Refusal("non-fast forward".into()));
            }
        }
        let (created, creating) = pending.map(|p| (p.created, p.creating)).unwrap_or_default();
        let pushed = live.as_postman_sees(&self.repo, new)?;
        let plan = live
            .layout
            .plan(&self.repo, &pushed, &live.state, &created)
            .map_err(|e| Refusal(e.to_string()))?;
        if self.options.dry_run {
            return Ok(());
        }
        // A journal first: if the writes stop half-way, pushing again finishes them.
        if let Some(base) = live.last() {
            state.begin_push(&PendingPush {
                base,
                target: new,
                created,
                creating,
            })?;
        }
        let client = self.client.as_ref().expect("read_live() connected");
        let mut cache = std::mem::take(state.backend_cache_mut());
        let done = self.backend.push(
            client,
            &self.repo,
            &live.state,
            plan,
            &mut |creation| match creation {
                Creation::Sending { file, name } => state.record_creating(file, name),
                Creation::Created { file, uid } => state.record_created(file, uid),
            },
            &mut cache,
        )?;
        *state.backend_cache_mut() = cache;
        // The new R's Postman view: what the next fetch writes if nothing else changes.
        let view = live.layout.apply(&self.repo, pushed.tree, &done.state)?;
        state.record_push(&self.repo, new, (view, &done.ids))?;
        Ok(())
    }

    fn push_tag(&mut self, line: &PushLine, name: &str) -> Result<(), Refusal> {
        if line.src.is_empty() {
            return Err(Refusal(
                "deleting a published version is not supported".into(),
            ));
        }
        let tag_id = self.resolve(&line.src)?;
        let commit = self.commit_of(tag_id)?;
        let mut state = RemoteState::open(&self.repo, self.remote.as_deref());
        let live = match self.listed_for_push.take() {
            Some(live) => live,
            None => self.read_live(&state, &mut Progress::off())?,
        };
        let versions = self.backend.versions(self.client(), &live.state)?;
        // A version of this name that this very tag began and did not hear the end of
        // is finished, not refused and not published twice.
        let existing = versions.iter().find(|v| v.name == name);
        let interrupted = existing.is_some() && state.publishing(&self.repo, name) == Some(tag_id);
        if existing.is_some() && !interrupted {
            return Err(Refusal("already exists".into()));
        }
        if !live.unchanged(&self.repo)? {
            return Err(Refusal("fetch first".into()));
        }
        if live.last() != Some(commit) {
            return Err(Refusal(format!(
                "Postman publishes its current state: push {BRANCH} first (the tag points at {}, Postman has {})",
                tree::short_id(commit),
                live.last().map(tree::short_id).unwrap_or_else(|| "nothing fetched".into())
            )));
        }
        if self.options.dry_run {
            return Ok(());
        }
        let notes = self
            .repo
            .find_object(tag_id)
            .ok()
            .and_then(|o| o.try_into_tag().ok())
            .and_then(|t| t.decode().ok().map(|t| t.message.to_string()))
            .unwrap_or_default();
        // Journaled first: if the answer is lost, the next list finds the version by
        // its name and reports this tag for it, and pushing the tag again finishes it.
        state.begin_publishing(name, tag_id)?;
        let version_id =
            self.backend
                .publish(self.client(), &live.state, name, notes.trim_end(), existing)?;
        state.end_publishing(name, &version_id, tag_id)?;
        Ok(())
    }

    /// The object `src` names, not peeled: an annotated tag stays the tag object.
    fn resolve(&self, src: &str) -> Result<ObjectId, Refusal> {
        if let Ok(id) = ObjectId::from_hex(src.as_bytes()) {
            return Ok(id);
        }
        let cannot = |e: gix::Error| Refusal(format!("cannot resolve {src}: {e}"));
        let mut reference = self.repo.find_reference(src).map_err(cannot)?;
        match reference.target().try_id() {
            Some(id) => Ok(id.to_owned()),
            None => Ok(reference.peel_to_id().map_err(cannot)?.detach()),
        }
    }

    /// The commit `id` is or points at (through tags).
    fn commit_of(&self, id: ObjectId) -> Result<ObjectId, Refusal> {
        let object = self
            .repo
            .find_object(id)
            .map_err(|e| Refusal(e.to_string()))?;
        Ok(object
            .peel_to_commit()
            .map_err(|_| Refusal("needs force".into()))?
            .id)
    }
}

/// Why one ref was not pushed: the `<why>` of `error <ref> <why>`.
struct Refusal(String);

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal(e.to_string())
    }
}

impl From<postman::Error> for Refusal {
    fn from(e: postman::Error) -> Self {
        Refusal(e.to_string())
    }
}

/// One `push [+]<src>:<dst>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushLine {
    pub force: bool,
    pub src: String,
    pub dst: String,
}

impl PushLine {
    pub fn parse(line: &str) -> Option<PushLine> {
        let spec = line.strip_prefix("push ")?;
        let (force, spec) = match spec.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        let (src, dst) = spec.split_once(':')?;
        Some(PushLine {
            force,
            src: src.to_string(),
            dst: dst.to_string(),
        })
    }
}

/// Whether every file of `live` is as in `base` or as in `target` (trees as Postman sees
/// them): what Postman holds after a push from `base` to `target` stopped half-way. The
/// files the layout derives (`is_derived`: the dot-files) and the objects that push
/// created (`is_created_file`: Postman adds ids to them) are not compared.
pub fn between(
    repo: &gix::Repository,
    (base, live, target): (ObjectId, ObjectId, ObjectId),
    created: &BTreeMap<String, String>,
    layout: &impl Layout,
) -> Result<bool, Error> {
    let files = |t| tree::blobs_by_path(repo, t);
    let (base, live, target) = (files(base)?, files(live)?, files(target)?);
    let paths: BTreeSet<&String> = base
        .keys()
        .chain(live.keys())
        .chain(target.keys())
        .collect();
    let mixed = paths
        .into_iter()
        .filter(|p| !layout.is_derived(p))
        .filter(|p| !created.keys().any(|c| layout.is_created_file(c, p)))
        .all(|p| live.get(p) == base.get(p) || live.get(p) == target.get(p));
    Ok(mixed)
}

/// Whether `commit` descends from (or is) `ancestor`.
pub fn descends_from(
    repo: &gix::Repository,
    commit: ObjectId,
    ancestor: ObjectId,
) -> Result<bool, Error> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([commit]);
    while let Some(id) = queue.pop_front() {
        if id == ancestor {
            return Ok(true);
        }
        if !seen.insert(id) {
            continue;
        }
        let c = repo.find_commit(id)?;
        queue.extend(c.parent_ids().map(|p| p.detach()));
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_lines() {
        assert_eq!(
            PushLine::parse("push +refs/heads/x:refs/heads/main"),
            Some(PushLine {
                force: true,
                src: "refs/heads/x".into(),
                dst: "refs/heads/main".into()
            })
        );
        assert_eq!(PushLine::parse("push :refs/tags/v1").unwrap().src, "");
        assert_eq!(PushLine::parse("fetch x y"), None);
    }
}
