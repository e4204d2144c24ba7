//! The conversation with git: capabilities, options, batches; and the live Postman state
//! every command starts from.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};

use gix::ObjectId;

use url::Url;

use super::backend::{Backend, Layout};
use super::progress::Progress;
use super::protocol::{shown, Command, Lines, Options};
use super::state::{PendingPush, RemoteState};
use super::view::{Trees, Viewed};
use super::{push, tree, Error};
use crate::postman::{apikey, Client};

/// A conversation with git about one remote, whose Postman side is `B`.
pub struct Session<B: Backend> {
    pub(super) remote: Option<String>,
    /// The API server.
    pub(super) base: Url,
    pub(super) backend: B,
    pub(super) repo: gix::Repository,
    /// Holds the scratch repository alive when there is no GIT_DIR.
    pub(super) _scratch: Option<tempfile::TempDir>,
    pub(super) options: Options,
    /// The authenticated client, once the first command needed it.
    pub(super) client: Option<Client>,
    /// What `list for-push` read, for the `push` that follows in the same session:
    /// detecting a concurrent change costs one read of the state, not two.
    pub(super) listed_for_push: Option<Live<B>>,
    /// The remote's lock ([`RemoteState::lock`]), from the first `list` or `push` on.
    pub(super) turn: Option<crate::lock::Lock>,
}

/// The live Postman state and what it is compared with.
pub(super) struct Live<B: Backend> {
    pub(super) state: B::State,
    pub(super) layout: B::Layout,
    /// R (the commit this remote last reported), its tree and its Postman view, which
    /// Postman's state is compared with.
    pub(super) trees: Option<Trees>,
    pub(super) head: Option<ObjectId>,
}

impl<B: Backend> Live<B> {
    /// R: the commit this remote last reported.
    pub(super) fn last(&self) -> Option<ObjectId> {
        self.trees.as_ref().map(|t| t.commit)
    }

    /// The interrupted push that started from R, if the journal has one, with each
    /// collection whose creation lost its answer (a reset, a 500 after Postman made it, a
    /// killed helper) found in Postman: one of the name the journal recorded that
    /// Postman has and R's Postman view does not know. A repeat then updates it instead
    /// of creating it twice; one not found was never made and is created.
    pub(super) fn pending(
        &self,
        backend: &B,
        repo: &gix::Repository,
        state: &RemoteState,
    ) -> Result<Option<PendingPush>, Error> {
        let Some(mut pending) = state.pending_push(repo, self.last())? else {
            return Ok(None);
        };
        if pending.creating.is_empty() {
            return Ok(Some(pending));
        }
        let mut known: BTreeSet<String> = pending.created.values().cloned().collect();
        if let Some(trees) = &self.trees {
            known.extend(trees.files.values().cloned());
            known.extend(self.layout.known_ids(repo, trees.view)?);
        }
        for (file, name) in std::mem::take(&mut pending.creating) {
            let found = backend
                .named(&self.state, &name)
                .into_iter()
                .find(|id| !known.contains(id));
            match found {
                Some(id) => {
                    known.insert(id.clone());
                    pending.created.insert(file, id);
                }
                None => {
                    pending.creating.insert(file, name);
                }
            }
        }
        Ok(Some(pending))
    }

    /// Postman holds a mix of R and the target of the interrupted push `pending` (which
    /// started from R: [`Live::pending`]).
    pub(super) fn resumes(
        &self,
        repo: &gix::Repository,
        pending: &PendingPush,
    ) -> Result<bool, Error> {
        let Some(trees) = self.trees.as_ref().filter(|t| t.commit == pending.base) else {
            return Ok(false);
        };
        let live = self.layout.apply(repo, trees.view, &self.state)?;
        let target = trees.as_postman_sees(repo, tree::tree_of(repo, pending.target)?)?;
        push::between(
            repo,
            (trees.view, live, target.tree),
            &pending.created,
            &self.layout,
        )
    }

    /// Rule 1: Postman still has exactly the state R stands for (its Postman view).
    pub(super) fn unchanged(&self, repo: &gix::Repository) -> Result<bool, Error> {
        let Some(trees) = &self.trees else {
            return Ok(false);
        };
        self.has_state(repo, trees.view)
    }

    /// Rules 1 and 2: `tree` already has exactly Postman's state (applying it changes
    /// nothing).
    pub(super) fn has_state(&self, repo: &gix::Repository, tree: ObjectId) -> Result<bool, Error> {
        Ok(self.layout.apply(repo, tree, &self.state)? == tree)
    }

    /// A pushed commit's tree as Postman sees it ([`Trees::as_postman_sees`]).
    pub(super) fn as_postman_sees(
        &self,
        repo: &gix::Repository,
        commit: ObjectId,
    ) -> Result<Viewed, Error> {
        let tree = tree::tree_of(repo, commit)?;
        match &self.trees {
            Some(trees) => trees.as_postman_sees(repo, tree),
            None => Ok(Viewed {
                tree,
                last: None,
                from_view: Default::default(),
                files: Default::default(),
            }),
        }
    }
}

impl<B: Backend> Session<B> {
    /// `remote`: the remote's name, `None` for a URL typed on the command line (such a
    /// remote is anonymous and keeps no state); `base`: the API server.
    pub fn new(remote: Option<String>, base: Url, backend: B) -> Result<Session<B>, Error> {
        let (repo, scratch) = open_repository()?;
        Ok(Session {
            remote,
            base,
            backend,
            repo,
            _scratch: scratch,
            options: Options {
                verbosity: 1,
                ..Default::default()
            },
            client: None,
            listed_for_push: None,
            turn: None,
        })
    }

    /// Answers git's commands until git closes the conversation.
    pub fn serve(&mut self, input: impl BufRead, mut output: impl Write) -> Result<(), Error> {
        let mut lines = Lines::new(input);
        let io = |e| Error::Io("the conversation with git".into(), e);
        while let Some(line) = lines.next() {
            let line = line.map_err(io)?;
            let command = Command::parse(&line);
            let reply = match command {
                Command::End => return Ok(()),
                Command::Capabilities => "fetch\npush\noption\n\n".to_string(),
                Command::Option(rest) => self.options.set(rest) + "\n",
                Command::List { for_push } => self.list(for_push)?,
                Command::Fetch | Command::Push => {
                    // A batch: lines up to a blank line; `option` lines may come inside.
                    let mut batch = vec![line.clone()];
                    for next in lines.by_ref() {
                        let next = next.map_err(io)?;
                        if next.is_empty() {
                            break;
                        }
                        if let Some(rest) = next.strip_prefix("option ") {
                            let answer = self.options.set(rest);
                            output
                                .write_all(format!("{answer}\n").as_bytes())
                                .map_err(io)?;
                            output.flush().map_err(io)?;
                            continue;
                        }
                        batch.push(next);
                    }
                    if command == Command::Fetch {
                        self.fetch(&batch)?;
                        "\n".to_string()
                    } else {
                        self.push(&batch)?
                    }
                }
                Command::Unknown(command) => {
                    return Err(Error::Protocol(format!(
                        "unknown command {} from git",
                        shown(command)
                    )))
                }
            };
            output.write_all(reply.as_bytes()).map_err(io)?;
            output.flush().map_err(io)?;
        }
        Ok(())
    }

    /// A bar on stderr when git asked for progress and not `-q`.
    pub(super) fn progress(&self) -> Progress {
        let shown = self.options.progress && self.options.verbosity >= 1;
        Progress::new(shown, "Receiving objects")
    }

    /// Opens the remote ([`Backend::open`]), authenticating on first use: the key is
    /// approved in the credential store after Postman accepted it, rejected after a 401.
    pub(super) fn connect(&mut self) -> Result<(), Error> {
        if let Some(client) = &self.client {
            return Ok(self.backend.open(client)?);
        }
        let backend = &mut self.backend;
        let (client, opened) = apikey::first_request(&self.base, |c| backend.open(c))?;
        self.client = Some(client);
        Ok(opened?)
    }

    /// The client, once [`Session::connect`] made it.
    pub(super) fn client(&self) -> &Client {
        self.client.as_ref().expect("connect() comes first")
    }

    /// Reads the live Postman state (what the cache holds is not downloaded again),
    /// holding the remote's lock from now to the end of the
    /// session: R, the view and the journal are read and written by one helper at a time.
    /// What it downloads goes on `progress`.
    pub(super) fn read_live(
        &mut self,
        state: &RemoteState,
        progress: &mut Progress,
    ) -> Result<Live<B>, Error> {
        if self.turn.is_none() {
            self.turn = state.lock()?;
        }
        self.connect()?;
        let trees = match state.last_reported(&self.repo)? {
            Some(r) => Some(Trees::of(&self.repo, state, r)?),
            None => None,
        };
        let head = self.repo.head_id().ok().map(|id| id.detach());
        let start = match (&trees, head) {
            (Some(t), _) => Some(t.view),
            (None, Some(h)) => Some(tree::tree_of(&self.repo, h)?),
            (None, None) => None,
        };
        let layout = self
            .backend
            .layout(&self.repo, self.remote.as_deref(), start)?;
        let current = self.backend.read_current(
            self.client(),
            &self.repo,
            &layout,
            state.backend_cache(),
            progress,
        )?;
        Ok(Live {
            state: current,
            layout,
            trees,
            head,
        })
    }

    /// `fetch`: `list` already wrote every object; confirm they are there.
    pub(super) fn fetch(&self, batch: &[String]) -> Result<(), Error> {
        for line in batch {
            let mut words = line.split(' ').skip(1);
            let id = words.next().unwrap_or_default();
            let id = ObjectId::from_hex(id.as_bytes())
                .map_err(|_| Error::Protocol(format!("bad fetch line {}", shown(line))))?;
            if !self.repo.has_object(id) {
                return Err(Error::Protocol(format!(
                    "{id} was not listed by this helper; run the fetch again"
                )));
            }
        }
        Ok(())
    }
}

/// The repository git runs us for, or, without GIT_DIR (`git ls-remote` outside a
/// repository), a scratch one that keeps objects in memory only.
fn open_repository() -> Result<(gix::Repository, Option<tempfile::TempDir>), Error> {
    if std::env::var_os("GIT_DIR").is_some() {
        return Ok((gix::open_with_environment_overrides(".")?, None));
    }
    let dir = tempfile::tempdir().map_err(|e| Error::Io("a temporary directory".into(), e))?;
    let repo = gix::init_bare(dir.path())?.with_object_memory();
    Ok((repo, Some(dir)))
}
