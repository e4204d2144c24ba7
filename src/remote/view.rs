//! R's *Postman view*. A pushed commit keeps the `.postman/api_<id>` the user had (stale
//! by design: nobody edits it by hand, so it still lists a deleted file and lacks an
//! added one or a created collection's UID) and collection files as the user wrote them
//! (Postman gives a new collection its own ids). So after a push the helper records the
//! tree a fetch would write for the state the push left in Postman, and compares Postman
//! with that tree instead of R's own: rule 1, `fetch first`, the interrupted-push check.
//! A pushed tree is read through it as well ([`Trees::as_postman_sees`]): a path the user
//! left as R had it means what Postman holds for it.

use std::collections::BTreeSet;

use gix::object::tree::EntryKind;
use gix::ObjectId;

use super::backend::RemoteIds;
use super::state::RemoteState;
use super::{tree, Error};

/// R, its own tree and its Postman view (the same tree when no push recorded a view).
#[derive(Debug, Clone)]
pub struct Trees {
    pub commit: ObjectId,
    pub own: ObjectId,
    pub view: ObjectId,
    /// Which collection each collection file of R is (recorded by the push), for files
    /// Postman lists under another path (the push changed the collection's name).
    pub files: RemoteIds,
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
    pub files: RemoteIds,
}

impl Trees {
    pub fn of(repo: &gix::Repository, state: &RemoteState, last: ObjectId) -> Result<Trees, Error> {
        let own = tree::tree_of(repo, last)?;
        let (view, files) = state
            .postman_view(repo, last)?
            .unwrap_or_else(|| (own, RemoteIds::new()));
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
            tree::blobs_by_path(repo, self.own)?,
            tree::blobs_by_path(repo, self.view)?,
        );
        let pushed = tree::blobs_by_path(repo, tree)?;
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
