//! The conversation with git: capabilities, options, batches; and the live Postman state
//! every command starts from.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};

use gix::ObjectId;

use super::snapshot::{Reader, Snapshot, Which};
use super::state::{PendingPush, RemoteState};
use super::url::RemoteUrl;
use super::view::{Trees, Viewed};
use super::{history, push, Error};
use crate::layout::mapping::{Mapping, Overrides};
use crate::postman::model::Api;
use crate::postman::{self, apikey, Client};

/// Options git sets with `option <name> <value>`.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) progress: bool,
    pub(super) verbosity: u32,
    pub(super) dry_run: bool,
    /// Refs named by `option cas <ref>:<oid>` (`--force-with-lease`): git checked the
    /// lease against our `list for-push` already, so they are pushed as forced.
    pub(super) leased: Vec<String>,
}

pub struct Session {
    pub(super) remote: Option<String>,
    pub(super) url: RemoteUrl,
    pub(super) repo: gix::Repository,
    /// Holds the scratch repository alive when there is no GIT_DIR.
    pub(super) _scratch: Option<tempfile::TempDir>,
    pub(super) options: Options,
    /// The authenticated client, once the first command needed it.
    pub(super) client: Option<Client>,
    /// What `list for-push` read, for the `push` that follows in the same session:
    /// detecting a concurrent change costs one read of the state, not two.
    pub(super) listed_for_push: Option<Live>,
    /// The remote's lock ([`RemoteState::lock`]), from the first `list` or `push` on.
    pub(super) turn: Option<crate::lock::Lock>,
}

/// The live Postman state and what it is compared with.
pub(super) struct Live {
    pub(super) api: Api,
    pub(super) snapshot: Snapshot,
    pub(super) mapping: Mapping,
    /// R (the commit this remote last reported), its tree and its Postman view, which
    /// Postman's state is compared with.
    pub(super) trees: Option<Trees>,
    pub(super) head: Option<ObjectId>,
}

impl Live {
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
            if let Some(entity) = history::entity_data(repo, trees.view, &self.api.id)? {
                known.extend(entity.collections.into_iter().map(|c| c.id));
            }
        }
        for (file, name) in std::mem::take(&mut pending.creating) {
            let found = self
                .snapshot
                .collections
                .iter()
                .find(|c| c.name == name && !known.contains(&c.uid));
            match found {
                Some(c) => {
                    known.insert(c.uid.clone());
                    pending.created.insert(file, c.uid.clone());
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
        let live = history::apply(repo, trees.view, &self.snapshot, &self.mapping)?;
        let target = trees.as_postman_sees(repo, history::tree_of(repo, pending.target)?)?;
        push::between(repo, trees.view, live, target.tree, &pending.created)
    }

    /// Rule 1: Postman still has exactly the state R stands for (its Postman view).
    pub(super) fn unchanged(&self, repo: &gix::Repository) -> Result<bool, Error> {
        let Some(trees) = &self.trees else {
            return Ok(false);
        };
        Ok(history::apply(repo, trees.view, &self.snapshot, &self.mapping)? == trees.view)
    }

    /// A pushed commit's tree as Postman sees it ([`Trees::as_postman_sees`]).
    pub(super) fn as_postman_sees(
        &self,
        repo: &gix::Repository,
        commit: ObjectId,
    ) -> Result<Viewed, Error> {
        let tree = history::tree_of(repo, commit)?;
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

impl Session {
    /// `args` are the helper's arguments: `<remote> [<url>]`.
    pub fn new(remote_arg: &str, url_arg: Option<&str>) -> Result<Session, Error> {
        let raw_url = url_arg.unwrap_or(remote_arg);
        // A URL typed on the command line arrives as argv[1] too: such a remote is
        // anonymous and keeps no state.
        let anonymous = remote_arg.starts_with("postman::")
            || remote_arg.starts_with("postman://")
            || Some(remote_arg) == url_arg;
        let url = RemoteUrl::parse(raw_url)?;
        let (repo, scratch) = open_repository()?;
        Ok(Session {
            remote: (!anonymous).then(|| remote_arg.to_string()),
            url,
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
        let mut lines = input.lines();
        let io = |e| Error::Io("the conversation with git".into(), e);
        while let Some(line) = lines.next() {
            let line = line.map_err(io)?;
            let reply = match line.split_once(' ').unwrap_or((line.as_str(), "")) {
                ("", _) => return Ok(()),
                ("capabilities", _) => "fetch\npush\noption\n\n".to_string(),
                ("option", rest) => self.option(rest) + "\n",
                ("list", rest) => self.list(rest == "for-push")?,
                (command @ ("fetch" | "push"), _) => {
                    // A batch: lines up to a blank line; `option` lines may come inside.
                    let mut batch = vec![line.clone()];
                    for next in lines.by_ref() {
                        let next = next.map_err(io)?;
                        if next.is_empty() {
                            break;
                        }
                        if let Some(rest) = next.strip_prefix("option ") {
                            let answer = self.option(rest);
                            output
                                .write_all(format!("{answer}\n").as_bytes())
                                .map_err(io)?;
                            output.flush().map_err(io)?;
                            continue;
                        }
                        batch.push(next);
                    }
                    if command == "fetch" {
                        self.fetch(&batch)?;
                        "\n".to_string()
                    } else {
                        self.push(&batch)?
                    }
                }
                (command, _) => {
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

    /// `option <name> <value>`: `ok`, `unsupported`, or `error <why>` for a value the
    /// option does not take (git warns and goes on).
    pub(super) fn option(&mut self, rest: &str) -> String {
        let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
        let flag = |value: &str| match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!(
                "error {name} takes true or false, not {}",
                shown(value)
            )),
        };
        let answer = match name {
            "progress" => flag(value).map(|on| self.options.progress = on),
            "dry-run" => flag(value).map(|on| self.options.dry_run = on),
            "verbosity" => value
                .parse()
                .map(|v| self.options.verbosity = v)
                .map_err(|_| format!("error verbosity takes a number, not {}", shown(value))),
            "cas" => {
                let (refname, _) = value
                    .trim_matches('"')
                    .split_once(':')
                    .unwrap_or((value, ""));
                self.options.leased.push(refname.to_string());
                Ok(())
            }
            "cloning" | "check-connectivity" | "followtags" | "force-if-includes" => Ok(()),
            _ => return "unsupported".into(),
        };
        answer.map_or_else(|e| e, |()| "ok".into())
    }

    pub(super) fn show_progress(&self) -> bool {
        self.options.progress && self.options.verbosity >= 1
    }

    /// Reads the API, authenticating on first use: the key is approved in the
    /// credential store after Postman accepted it, rejected after a 401.
    pub(super) fn connect(&mut self) -> Result<Api, Error> {
        if let Some(client) = &self.client {
            return checked(client.api(&self.url.api_id)?);
        }
        let (client, api) = apikey::first_request(&self.url.base, |c| c.api(&self.url.api_id))?;
        self.client = Some(client);
        checked(api?)
    }

    /// The client, once [`Session::connect`] made it.
    pub(super) fn client(&self) -> &Client {
        self.client.as_ref().expect("connect() comes first")
    }

    /// Reads the live Postman state (schema files unchanged since the last fetch are
    /// not downloaded again), holding the remote's lock from now to the end of the
    /// session: R, the view and the journal are read and written by one helper at a time.
    pub(super) fn read_live(&mut self, state: &RemoteState) -> Result<Live, Error> {
        if self.turn.is_none() {
            self.turn = state.lock()?;
        }
        let api = self.connect()?;
        let trees = match state.last_reported(&self.repo)? {
            Some(r) => Some(Trees::of(&self.repo, state, r)?),
            None => None,
        };
        let head = self.repo.head_id().ok().map(|id| id.detach());
        let start = match (&trees, head) {
            (Some(t), _) => Some(t.view),
            (None, Some(h)) => Some(history::tree_of(&self.repo, h)?),
            (None, None) => None,
        };
        let mapping = self.mapping(start)?;
        let reader = Reader {
            client: self.client(),
            repo: &self.repo,
            progress: self.show_progress(),
        };
        let snapshot = reader.read(&api, Which::Current, &state.file_cache())?;
        Ok(Live {
            api,
            snapshot,
            mapping,
            trees,
            head,
        })
    }

    /// The mapping: git config, else the `.postman/api_<id>` of the tree `start` (R's
    /// Postman view, or HEAD's), else defaults.
    pub(super) fn mapping(&self, start: Option<ObjectId>) -> Result<Mapping, Error> {
        let overrides = match &self.remote {
            Some(name) => crate::config::mapping_overrides(&self.repo, name)?,
            None => Overrides::default(),
        };
        let existing = match start {
            Some(tree) => history::entity_data(&self.repo, tree, &self.url.api_id)?,
            None => None,
        };
        Ok(Mapping::resolve(&overrides, existing.as_ref()))
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

/// A line from git as an error message shows it: quoted, and cut after 100 characters
/// (a line of a megabyte is not echoed whole to the terminal).
pub(super) fn shown(line: &str) -> String {
    const MAX: usize = 100;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &line[..cut], line.len()),
        None => format!("{line:?}"),
    }
}

/// An API git can sync: not linked to a git repository inside Postman.
fn checked(api: Api) -> Result<Api, Error> {
    if api.is_git_linked() {
        return Err(postman::Error::GitLinked { api_id: api.id }.into());
    }
    Ok(api)
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
