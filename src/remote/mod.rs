//! `git-remote-postman`: the git remote-helper protocol over a Postman API.
//!
//! git starts the helper as `git remote-postman <remote> <url>` and talks to it on
//! stdin/stdout (reference/remote-helper.md). `list` reads the Postman state, writes
//! it as deterministic commits into the object database and reports their ids; `fetch`
//! then only confirms the objects are there.

pub mod history;
pub mod progress;
pub mod push;
pub mod snapshot;
pub mod state;
pub mod url;

use std::io::{BufRead, Write};

use gix::ObjectId;

use crate::layout::mapping::{Mapping, Overrides};
use crate::layout::{dotpostman, paths};
use crate::postman::model::Api;
use crate::postman::{self, apikey, Client};
use push::{PlanError, PushLine};
use snapshot::{Reader, Snapshot, Which};
use state::{PendingPush, RemoteState};
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
    dry_run: bool,
    /// Refs named by `option cas <ref>:<oid>` (`--force-with-lease`): git checked the
    /// lease against our `list for-push` already, so they are pushed as forced.
    leased: Vec<String>,
}

pub struct Session {
    remote: Option<String>,
    url: RemoteUrl,
    repo: gix::Repository,
    /// Holds the scratch repository alive when there is no GIT_DIR.
    _scratch: Option<tempfile::TempDir>,
    options: Options,
    /// The authenticated client, once the first command needed it.
    client: Option<Client>,
    /// What `list for-push` read, for the `push` that follows in the same session:
    /// detecting a concurrent change costs one read of the state, not two.
    listed_for_push: Option<Live>,
}

/// The live Postman state and what it is compared with.
struct Live {
    api: Api,
    snapshot: Snapshot,
    mapping: Mapping,
    /// R: the commit this remote last reported.
    last: Option<ObjectId>,
    head: Option<ObjectId>,
}

impl Live {
    /// Postman holds a mix of R and the target of the interrupted push `pending`.
    fn resumes(&self, repo: &gix::Repository, pending: &PendingPush) -> Result<bool, Error> {
        let base = history::tree_of(repo, pending.base)?;
        let live = history::apply(repo, base, &self.snapshot, &self.mapping)?;
        let target = history::tree_of(repo, pending.target)?;
        push::between(repo, base, live, target, &pending.created)
    }

    /// Rule 1: Postman still has exactly R's state.
    fn unchanged(&self, repo: &gix::Repository) -> Result<bool, Error> {
        let Some(last) = self.last else {
            return Ok(false);
        };
        let tree = history::tree_of(repo, last)?;
        Ok(history::apply(repo, tree, &self.snapshot, &self.mapping)? == tree)
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
                ("option", rest) => self.option(rest).to_string() + "\n",
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
            "dry-run" => {
                self.options.dry_run = value == "true";
                "ok"
            }
            "cas" => {
                let (refname, _) = value
                    .trim_matches('"')
                    .split_once(':')
                    .unwrap_or((value, ""));
                self.options.leased.push(refname.to_string());
                "ok"
            }
            "cloning" | "check-connectivity" | "followtags" | "force-if-includes" => "ok",
            _ => "unsupported",
        }
    }

    fn show_progress(&self) -> bool {
        self.options.progress && self.options.verbosity >= 1
    }

    /// Reads the API, authenticating on first use: the key is approved in the
    /// credential store after Postman accepted it, rejected after a 401.
    fn connect(&mut self) -> Result<Api, Error> {
        if let Some(client) = &self.client {
            return checked(client.api(&self.url.api_id)?);
        }
        let (key, source) = apikey::obtain(&self.url.base)?;
        let client = Client::new(self.url.base.clone(), key.clone())?;
        let api = client.api(&self.url.api_id);
        apikey::report(
            &key,
            &source,
            !matches!(api, Err(postman::Error::Unauthorized { .. })),
        );
        let api = api?;
        self.client = Some(client);
        checked(api)
    }

    /// The client, once [`Session::connect`] made it.
    fn client(&self) -> &Client {
        self.client.as_ref().expect("connect() comes first")
    }

    /// Reads the live Postman state (schema files unchanged since the last fetch are
    /// not downloaded again).
    fn read_live(&mut self, state: &RemoteState) -> Result<Live, Error> {
        let api = self.connect()?;
        let last = state.last_reported(&self.repo)?;
        let head = self.repo.head_id().ok().map(|id| id.detach());
        let mapping = self.mapping(last.or(head))?;
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
            last,
            head,
        })
    }

    /// `list` / `list for-push`: the Postman state as commits, one line per ref. For a
    /// push, a state that differs from R is computed in memory only, so git does not
    /// know its id and says `fetch first` itself; but a state left by an interrupted
    /// push lists as R, so pushing the same change again finishes it.
    fn list(&mut self, for_push: bool) -> Result<String, Error> {
        let mut state = RemoteState::open(&self.repo, self.remote.as_deref());
        let live = self.read_live(&state)?;
        let memory;
        let repo = if for_push {
            memory = self.repo.clone().with_object_memory();
            &memory
        } else {
            &self.repo
        };
        let base = state.connect_base(repo)?;
        let main = match state.pending_push(repo, live.last) {
            Some(pending) if for_push && live.resumes(repo, &pending)? => pending.base,
            _ => report_main(
                repo,
                &live.snapshot,
                &live.mapping,
                live.last,
                live.head,
                base,
            )?,
        };

        let mut out = format!("@{BRANCH} HEAD\n{main} {BRANCH}\n");
        for (tag, commit) in self.version_tags(repo, &live, &mut state)? {
            out.push_str(&format!("{commit} {tag}\n"));
        }
        out.push('\n');
        if for_push {
            self.listed_for_push = Some(live);
        } else {
            if let Some(schema) = &live.snapshot.schema {
                state.remember_files(
                    schema
                        .files
                        .iter()
                        .map(|f| (f.path.as_str(), f.updated_at.as_deref(), f.blob)),
                );
            }
            state.remember_api_updated_at(live.api.updated_at.as_deref());
            state.set_last_reported(repo, main)?;
            state.save()?;
        }
        Ok(out)
    }

    /// `refs/tags/<version name>` for each published version: its commit, built once
    /// and then taken from the cache (a version never changes).
    fn version_tags(
        &self,
        repo: &gix::Repository,
        live: &Live,
        state: &mut RemoteState,
    ) -> Result<Vec<(String, ObjectId)>, Error> {
        let progress = self.show_progress();
        let mut tags = Vec::new();
        for version in &live.api.versions {
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
                    let client = self.client();
                    let details = client.version(&live.api.id, &version.id)?;
                    let which = Which::Version {
                        id: &details.id,
                        created_at: details.created_at.as_deref(),
                        schemas: &details.schemas,
                        collections: &details.collections,
                    };
                    let reader = Reader {
                        client,
                        repo,
                        progress,
                    };
                    let snapshot = reader.read(&live.api, which, &Default::default())?;
                    let tree = history::apply(repo, empty_tree(repo), &snapshot, &live.mapping)?;
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
            tags.push((tag, commit));
        }
        Ok(tags)
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

    /// `push`: one `ok`/`error` line per ref, then a blank line. The branch goes first,
    /// so a tag pushed with it can point at what the branch push made Postman have.
    fn push(&mut self, batch: &[String]) -> Result<String, Error> {
        let mut lines: Vec<PushLine> = Vec::new();
        for line in batch {
            lines.push(
                PushLine::parse(line)
                    .ok_or_else(|| Error::Protocol(format!("bad push line {line:?}")))?,
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
        let new = self.resolve_commit(&line.src)?;
        let mut state = RemoteState::open(&self.repo, self.remote.as_deref());
        let live = match self.listed_for_push.take() {
            Some(live) => live,
            None => self.read_live(&state)?,
        };
        let pending = state.pending_push(&self.repo, live.last);
        if !self.forced(line) {
            let resuming = match &pending {
                Some(p) => {
                    push::descends_from(&self.repo, new, p.target)?
                        && live.resumes(&self.repo, p)?
                }
                None => false,
            };
            if !resuming && !live.unchanged(&self.repo)? {
                return Err(Refusal("fetch first".into()));
            }
            let last = live.last.expect("unchanged or resuming implies R");
            if !push::descends_from(&self.repo, new, last)? {
                return Err(Refusal("non-fast forward".into()));
            }
        }
        let created = pending.map(|p| p.created).unwrap_or_default();
        let plan = match push::plan(&self.repo, new, &live.snapshot, &live.mapping, &created) {
            Ok(plan) => plan,
            Err(PlanError::Invalid(invalid)) => return Err(Refusal(invalid.to_string())),
            Err(PlanError::Refs(refs)) => return Err(Refusal(refs.to_string())),
            Err(PlanError::Other(e)) => return Err(e.into()),
        };
        if self.options.dry_run {
            return Ok(());
        }
        // A journal first: if the writes stop half-way, pushing again finishes them.
        if let Some(base) = live.last {
            state.begin_push(&PendingPush {
                base,
                target: new,
                created,
            })?;
        }
        let schema_id = live.api.schemas.first().map(|s| s.id.clone());
        let written = push::apply(
            self.client(),
            &live.api.id,
            schema_id.as_deref(),
            &plan,
            &mut |file, uid| state.record_created(file, uid),
        )?;
        state.record_push(&self.repo, new, &written)?;
        Ok(())
    }

    fn push_tag(&mut self, line: &PushLine, name: &str) -> Result<(), Refusal> {
        if line.src.is_empty() {
            return Err(Refusal(
                "deleting a published version is not supported".into(),
            ));
        }
        let tag_id = self.resolve(&line.src)?;
        let commit = self.resolve_commit(&line.src)?;
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
        if live.last != Some(commit) {
            return Err(Refusal(format!(
                "Postman publishes its current state: push {BRANCH} first (the tag points at {}, Postman has {})",
                short(commit),
                live.last.map(short).unwrap_or_else(|| "nothing fetched".into())
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
        let version_id = self.client().publish_version(
            &live.api.id,
            name,
            notes.trim_end(),
            &schema_ids,
            &collection_ids,
        )?;
        state.remember_version(&version_id, tag_id);
        state.save()?;
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

    fn resolve_commit(&self, src: &str) -> Result<ObjectId, Refusal> {
        let id = self.resolve(src)?;
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

fn short(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// An API git can sync: not linked to a git repository inside Postman.
fn checked(api: Api) -> Result<Api, Error> {
    if api.is_git_linked() {
        return Err(postman::Error::GitLinked { api_id: api.id }.into());
    }
    Ok(api)
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
