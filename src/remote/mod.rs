//! `git-remote-postman`: the git remote-helper protocol over a Postman API.
//!
//! git starts the helper as `git remote-postman <remote> <url>` and talks to it on
//! stdin/stdout (reference/remote-helper.md). `list` reads the Postman state, writes
//! it as deterministic commits into the object database and reports their ids; `fetch`
//! then only confirms the objects are there.

pub mod history;
pub mod progress;
pub mod snapshot;
pub mod state;
pub mod url;

use std::io::{BufRead, Write};

use gix::ObjectId;

use crate::layout::mapping::{Mapping, Overrides};
use crate::layout::{dotpostman, paths};
use crate::postman::{self, apikey, Client};
use snapshot::{Reader, Snapshot, Which};
use state::RemoteState;
use url::RemoteUrl;

/// The one branch a Postman API maps to.
pub const BRANCH: &str = "refs/heads/main";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Url(#[from] url::Error),
    #[error(transparent)]
    Api(#[from] postman::Error),
    #[error("{0}")]
    Postman(String),
    #[error(transparent)]
    Path(#[from] paths::Error),
    #[error(transparent)]
    DotPostman(#[from] dotpostman::Error),
    #[error("git: {0}")]
    Git(#[from] gix::Error),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Protocol(String),
}

/// Options git sets with `option <name> <value>`.
#[derive(Debug, Default)]
struct Options {
    progress: bool,
    verbosity: u32,
}

pub struct Session {
    remote: Option<String>,
    url: RemoteUrl,
    repo: gix::Repository,
    /// Holds the scratch repository alive when there is no GIT_DIR.
    _scratch: Option<tempfile::TempDir>,
    options: Options,
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
                progress: false,
                verbosity: 1,
            },
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
                ("capabilities", _) => "fetch\noption\n\n".to_string(),
                ("option", rest) => self.option(rest).to_string() + "\n",
                ("list", _) => self.list()?,
                ("fetch", _) => {
                    let mut batch = vec![line.clone()];
                    for next in lines.by_ref() {
                        let next = next.map_err(io)?;
                        if next.is_empty() {
                            break;
                        }
                        batch.push(next);
                    }
                    self.fetch(&batch)?;
                    "\n".to_string()
                }
                (command, _) => {
                    return Err(Error::Protocol(format!(
                        "unknown command {command:?} from git"
                    )))
                }
            };
            output.write_all(reply.as_bytes()).map_err(io)?;
            output.flush().map_err(io)?;
        }
        Ok(())
    }

    fn option(&mut self, rest: &str) -> &'static str {
        let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
        match name {
            "progress" => {
                self.options.progress = value == "true";
                "ok"
            }
            "verbosity" => {
                self.options.verbosity = value.parse().unwrap_or(1);
                "ok"
            }
            "cloning" | "check-connectivity" | "followtags" => "ok",
            _ => "unsupported",
        }
    }

    fn show_progress(&self) -> bool {
        self.options.progress && self.options.verbosity >= 1
    }

    /// `list`: the Postman state as commits, one line per ref.
    fn list(&mut self) -> Result<String, Error> {
        let (key, source) = apikey::obtain(&self.url.base)?;
        let client = Client::new(self.url.base.clone(), key.clone())?;
        let api = match client.api(&self.url.api_id) {
            Err(e @ postman::Error::Unauthorized { .. }) => {
                apikey::report(&key, &source, false);
                return Err(e.into());
            }
            other => other?,
        };
        apikey::report(&key, &source, true);
        if api.is_git_linked() {
            return Err(postman::Error::GitLinked {
                api_id: api.id.clone(),
            }
            .into());
        }

        let repo = &self.repo;
        let mut state = RemoteState::open(repo, self.remote.as_deref());
        let last = state.last_reported(repo)?;
        let head = repo.head_id().ok().map(|id| id.detach());
        let mapping = self.mapping(last.or(head))?;
        let reader = Reader {
            client: &client,
            repo,
            progress: self.show_progress(),
        };
        let snapshot = reader.read(&api, Which::Current, &state.file_cache())?;
        let base = state.connect_base(repo)?;
        let main = report_main(repo, &snapshot, &mapping, last, head, base)?;
        if let Some(schema) = &snapshot.schema {
            state.remember_files(
                schema
                    .files
                    .iter()
                    .map(|f| (f.path.as_str(), f.updated_at.as_deref(), f.blob)),
            );
        }

        let mut out = format!("@{BRANCH} HEAD\n{main} {BRANCH}\n");
        for version in &api.versions {
            let tag = format!("refs/tags/{}", version.name);
            if gix::validate::reference::name(tag.as_str().into()).is_err() {
                eprintln!(
                    "warning: Postman version {:?} is not a valid git tag name; skipped",
                    version.name
                );
                continue;
            }
            let commit = match state.version_commit(repo, &version.id) {
                Some(c) => c,
                None => {
                    let details = client.version(&api.id, &version.id)?;
                    let which = Which::Version {
                        id: &details.id,
                        created_at: details.created_at.as_deref(),
                        schemas: &details.schemas,
                        collections: &details.collections,
                    };
                    let snapshot = reader.read(&api, which, &Default::default())?;
                    let tree = history::apply(repo, empty_tree(repo), &snapshot, &mapping)?;
                    let c = history::commit(
                        repo,
                        &snapshot,
                        tree,
                        None,
                        Some((&details.name, &details.id)),
                    )?;
                    state.remember_version(&version.id, c);
                    c
                }
            };
            out.push_str(&format!("{commit} {tag}\n"));
        }
        out.push('\n');
        state.set_last_reported(repo, main)?;
        state.save()?;
        Ok(out)
    }

    /// The mapping: git config, else the `.postman/api_<id>` of `start` (R or HEAD),
    /// else defaults.
    fn mapping(&self, start: Option<ObjectId>) -> Result<Mapping, Error> {
        let overrides = match &self.remote {
            Some(name) => crate::config::mapping_overrides(&self.repo, name),
            None => Overrides::default(),
        };
        let existing = match start {
            Some(commit) => {
                let tree = history::tree_of(&self.repo, commit)?;
                history::entity_data(&self.repo, tree, &self.url.api_id)?
            }
            None => None,
        };
        Ok(Mapping::resolve(&overrides, existing.as_ref()))
    }

    /// `fetch`: `list` already wrote every object; confirm they are there.
    fn fetch(&self, batch: &[String]) -> Result<(), Error> {
        for line in batch {
            let mut words = line.split(' ').skip(1);
            let id = words.next().unwrap_or_default();
            let id = ObjectId::from_hex(id.as_bytes())
                .map_err(|_| Error::Protocol(format!("bad fetch line {line:?}")))?;
            if !self.repo.has_object(id) {
                return Err(Error::Protocol(format!(
                    "{id} was not listed by this helper; run the fetch again"
                )));
            }
        }
        Ok(())
    }
}

/// The commit to report for the branch (DESIGN, rules 1-3): R if it already has the
/// Postman state, else a local commit that has it, else one new commit on R (or on the
/// base `connect` recorded, or none).
fn report_main(
    repo: &gix::Repository,
    snapshot: &Snapshot,
    mapping: &Mapping,
    last: Option<ObjectId>,
    head: Option<ObjectId>,
    base: Option<ObjectId>,
) -> Result<ObjectId, Error> {
    for candidate in [last, head].into_iter().flatten() {
        let tree = history::tree_of(repo, candidate)?;
        if history::apply(repo, tree, snapshot, mapping)? == tree {
            return Ok(candidate);
        }
    }
    let parent = last.or(base);
    let parent_tree = match parent {
        Some(p) => history::tree_of(repo, p)?,
        None => empty_tree(repo),
    };
    let tree = history::apply(repo, parent_tree, snapshot, mapping)?;
    history::commit(repo, snapshot, tree, parent, None)
}

fn empty_tree(repo: &gix::Repository) -> ObjectId {
    ObjectId::empty_tree(repo.object_hash())
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
