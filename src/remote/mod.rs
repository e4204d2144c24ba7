//! `git-remote-postman`: the git remote-helper protocol over a Postman API.
//!
//! git starts the helper as `git remote-postman <remote> <url>` and talks to it on
//! stdin/stdout (reference/remote-helper.md). `list` reads the Postman state, writes
//! it as deterministic commits into the object database and reports their ids; `fetch`
//! then only confirms the objects are there; `push` sends a commit's changes back.
//!
//! git's side is written once, generic over a [`backend::Backend`] (one kind of Postman
//! remote), and picked once, by the URL's kind ([`run`]):
//!
//! - `session`: the conversation with git, options, the live Postman state;
//! - `list`: `list` / `list for-push`: the commits to report (DESIGN rules 1-3), tags;
//! - [`push`]: git's rules, then the layout's plan (validate, diff) and the writes;
//! - [`tree`], [`state`]: trees and commits (determinism), memory (R, journal, cache);
//! - [`view`]: R's Postman view, what Postman holds after a push (rule 1 compares with it);
//! - [`backend`]: the seam; [`api_builder`]: the API Builder (`/apis/<id>`);
//!   [`workspace`]: a Postman v12 workspace (`/workspaces/<id>`).

pub mod api_builder;
pub mod backend;
mod list;
pub mod progress;
pub mod protocol;
pub mod push;
mod session;
pub mod state;
pub mod tree;
pub mod url;
pub mod view;
pub mod workspace;

use std::io::{BufRead, Write};

use crate::layout::{dotpostman, paths};
use crate::postman;

pub use session::Session;

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
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error("git: {0}")]
    Git(#[from] gix::Error),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Protocol(String),
    #[error("cannot read the push journal {file} ({why}); it records what an interrupted push did in Postman: check that no collection is there twice, then move it away and push again")]
    Journal { file: String, why: String },
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
}

/// The remote helper: `remote` and `url` are its arguments (`<remote> [<url>]`); git's
/// side of the conversation on `input` and `output`. The URL's kind picks the backend.
pub fn run(
    remote: &str,
    url: Option<&str>,
    input: impl BufRead,
    output: impl Write,
) -> Result<(), Error> {
    let raw = url.unwrap_or(remote);
    // A URL typed on the command line arrives as argv[1] too: such a remote is anonymous
    // and keeps no state.
    let anonymous =
        remote.starts_with("postman::") || remote.starts_with("postman://") || Some(remote) == url;
    let name = (!anonymous).then(|| remote.to_string());
    match url::Target::parse(raw)? {
        url::Target::Api(api) => {
            let backend = api_builder::ApiBuilder::new(&api.api_id);
            Session::new(name, api.base, backend)?.serve(input, output)
        }
        url::Target::Workspace { base, workspace_id } => {
            let backend = workspace::Workspace::new(&workspace_id);
            Session::new(name, base, backend)?.serve(input, output)
        }
    }
}
