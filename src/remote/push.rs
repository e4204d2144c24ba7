//! `push`: git's own rules first (git does not enforce them for helpers,
//! reference/remote-helper.md §1.8), then [`plan`] validates and diffs everything before
//! the first write; a journal lets an interrupted push finish when pushed again.

use gix::ObjectId;

pub use plan::{between, descends_from, Applied, Creation, Plan, PlanError, PushLine, Write};

use super::api_builder::history;
use super::api_builder::plan;
use super::api_builder::snapshot::Reader;
use super::session::{shown, Session};
use super::state::{PendingPush, RemoteState};
use super::{view, Error, BRANCH};
use crate::postman;

impl Session {
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
            None => self.read_live(&state)?,
        };
        let pending = live.pending(&self.repo, &state)?;
        if !self.forced(line) {
            let resuming = match &pending {
                Some(p) => {
                    plan::descends_from(&self.repo, new, p.target)?
                        && live.resumes(&self.repo, p)?
                }
                None => false,
            };
            if !resuming && !live.unchanged(&self.repo)? {
                return Err(Refusal("fetch first".into()));
            }
            let last = live.last().expect("unchanged or resuming implies R");
            if !plan::descends_from(&self.repo, new, last)? {
                return Err(Refusal("non-fast forward".into()));
            }
        }
        let (created, creating) = pending.map(|p| (p.created, p.creating)).unwrap_or_default();
        let pushed = live.as_postman_sees(&self.repo, new)?;
        let plan = plan::plan(&self.repo, &pushed, &live.snapshot, &live.mapping, &created)
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
        let schema_id = live.api.schemas.first().map(|s| s.id.clone());
        let applied = plan::apply(
            self.client(),
            &live.api.id,
            schema_id.as_deref(),
            &plan,
            &mut |creation| match creation {
                Creation::Sending { file, name } => state.record_creating(file, name),
                Creation::Created { file, uid } => state.record_created(file, uid),
            },
        )?;
        // The new R's Postman view: what the next fetch writes if nothing else changes.
        let reader = Reader {
            client: self.client(),
            repo: &self.repo,
            progress: false,
        };
        let after = view::after_push(&reader, &live.api, &live.snapshot, &plan, &applied)?;
        let view = history::apply(&self.repo, pushed.tree, &after, &live.mapping)?;
        let mut files = plan.collection_files;
        files.extend(applied.created);
        state.record_push(&self.repo, new, (view, &files), &applied.files)?;
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
            None => self.read_live(&state)?,
        };
        if live.api.versions.iter().any(|v| v.name == name) {
            return Err(Refusal("already exists".into()));
        }
        if !live.unchanged(&self.repo)? {
            return Err(Refusal("fetch first".into()));
        }
        if live.last() != Some(commit) {
            return Err(Refusal(format!(
                "Postman publishes its current state: push {BRANCH} first (the tag points at {}, Postman has {})",
                history::short_id(commit),
                live.last().map(history::short_id).unwrap_or_else(|| "nothing fetched".into())
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
        let schema_ids: Vec<String> = live.api.schemas.iter().map(|s| s.id.clone()).collect();
        let collection_ids: Vec<String> =
            live.api.collections.iter().map(|c| c.id.clone()).collect();
        // Journaled first: if the answer is lost, the next list finds the version by
        // its name and reports this tag for it, so pushing the tag again is up to date.
        state.begin_publishing(name, tag_id)?;
        let version_id = self.client().publish_version(
            &live.api.id,
            name,
            notes.trim_end(),
            &schema_ids,
            &collection_ids,
        )?;
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
