//! `list` and `list for-push`: which commit stands for Postman's state (DESIGN, rules
//! 1-3), and the published versions as tags.

use gix::ObjectId;

use super::backend::{Backend, Layout};
use super::progress::Progress;
use super::session::{Live, Session};
use super::state::RemoteState;
use super::{tree, Error, BRANCH};

impl<B: Backend> Session<B> {
    /// `list` / `list for-push`: the Postman state as commits, one line per ref. For a
    /// push, a state that differs from R is computed in memory only, so git does not
    /// know its id and says `fetch first` itself. A state left by an interrupted push
    /// lists as R, for a fetch too (with a warning): pushing the same change again
    /// finishes it, where a commit of the half-done state would make the user merge
    /// their own change (add/add on a collection it created).
    pub(super) fn list(&mut self, for_push: bool) -> Result<String, Error> {
        let mut state = RemoteState::open(&self.repo, self.remote.as_deref());
        // One bar over every read of the fetch: the current state, then the versions.
        let mut progress = self.progress();
        let live = self.read_live(&state, &mut progress)?;
        let memory;
        let repo = if for_push {
            memory = self.repo.clone().with_object_memory();
            &memory
        } else {
            &self.repo
        };
        let base = state.connect_base(repo)?;
        let main = match live.pending(&self.backend, repo, &state)? {
            Some(pending) if live.resumes(repo, &pending)? => {
                if !for_push {
                    eprintln!(
                        "warning: a push to Postman stopped half-way ({} -> {}); push again to finish it",
                        tree::short_id(pending.base),
                        tree::short_id(pending.target)
                    );
                }
                pending.base
            }
            _ => report_main(
                repo,
                &self.backend,
                &live,
                live.trees.as_ref().map(|t| (t.commit, t.view)),
                live.head,
                base,
            )?,
        };

        let mut out = format!("@{BRANCH} HEAD\n{main} {BRANCH}\n");
        let tags = self.version_tags(repo, &live, &mut state, for_push, &mut progress)?;
        progress.finish();
        for (tag, commit) in tags {
            out.push_str(&format!("{commit} {tag}\n"));
        }
        out.push('\n');
        if for_push {
            self.listed_for_push = Some(live);
        } else {
            self.backend
                .remember(&live.state, state.backend_cache_mut());
            state.set_last_reported(repo, main)?;
            state.save()?;
        }
        Ok(out)
    }

    /// `refs/tags/<version name>` for each published version: its commit, built once
    /// and then taken from the cache (a version never changes). A version whose
    /// publication lost its answer is the tag it was pushed as; for a push it is not
    /// listed, so that git sends that tag again and the push finishes the publication.
    pub(super) fn version_tags(
        &self,
        repo: &gix::Repository,
        live: &Live<B>,
        state: &mut RemoteState,
        for_push: bool,
        progress: &mut Progress,
    ) -> Result<Vec<(String, ObjectId)>, Error> {
        let mut tags = Vec::new();
        for version in self.backend.versions(self.client(), &live.state)? {
            let tag = format!("refs/tags/{}", version.name);
            if gix::validate::reference::name(tag.as_str().into()).is_err() {
                eprintln!(
                    "warning: Postman version {:?} is not a valid git tag name; skipped",
                    version.name
                );
                continue;
            }
            let publishing = state.publishing(repo, &version.name);
            match (publishing, for_push) {
                (Some(_), true) => continue,
                (Some(_), false) => eprintln!(
                    "warning: the publication of tag {:?} in Postman was interrupted; push the tag again to finish it",
                    version.name
                ),
                (None, _) => {}
            }
            let known = publishing.or_else(|| state.version_commit(repo, &version.id));
            let commit = match known {
                Some(c) => c,
                None => {
                    let read = self.backend.read_version(
                        self.client(),
                        repo,
                        &live.state,
                        &version,
                        progress,
                    )?;
                    let Some((published, details)) = read else {
                        eprintln!(
                            "warning: Postman version {:?} is still being published; skipped",
                            version.name
                        );
                        continue;
                    };
                    let tree = live.layout.apply(repo, tree::empty(repo), &published)?;
                    let who = self.backend.identity(&published, Some(&details));
                    let c = tree::commit(repo, &who, tree, None)?;
                    state.remember_version(&version.id, c);
                    c
                }
            };
            tags.push((tag, commit));
        }
        Ok(tags)
    }
}

/// The commit to report for the branch (DESIGN, rules 1-3); `last_view`: R and the tree
/// of its Postman view. R if Postman still has the state R stands for, else a local
/// commit that has it, else one new commit on R (or on the base `connect` recorded, or
/// none), made from R's Postman view, so its `.postman` files are exactly Postman's.
pub(super) fn report_main<B: Backend>(
    repo: &gix::Repository,
    backend: &B,
    live: &Live<B>,
    last_view: Option<(ObjectId, ObjectId)>,
    head: Option<ObjectId>,
    base: Option<ObjectId>,
) -> Result<ObjectId, Error> {
    let head = match head {
        Some(h) => Some((h, tree::tree_of(repo, h)?)),
        None => None,
    };
    for (candidate, tree) in [last_view, head].into_iter().flatten() {
        if live.has_state(repo, tree)? {
            return Ok(candidate);
        }
    }
    let parent = last_view.map(|(commit, _)| commit).or(base);
    let parent_tree = match (last_view, base) {
        (Some((_, view)), _) => view,
        (None, Some(b)) => tree::tree_of(repo, b)?,
        (None, None) => tree::empty(repo),
    };
    let tree = live.layout.apply(repo, parent_tree, &live.state)?;
    tree::commit(repo, &backend.identity(&live.state, None), tree, parent)
}
