//! `git-remote-postman`: the git remote-helper protocol over a Postman API.
//!
//! git starts the helper as `git remote-postman <remote> <url>` and talks to it on
//! stdin/stdout (reference/remote-helper.md). `list` reads the Postman state, writes
//! it as deterministic commits into the object database and reports their ids; `fetch`
//! then only confirms the objects are there; `push` sends a commit's changes back.
//!
//! - [`session`]: the conversation with git, options, the live Postman state;
//! - [`list`]: `list` / `list for-push`: the commits to report (DESIGN rules 1-3), tags;
//! - [`push`]: git's rules, then [`push::plan`] (validate, diff) and the writes;
//! - [`snapshot`], [`history`], [`state`]: reading Postman, writing commits, memory;
//! - [`view`]: R's Postman view, what Postman holds after a push (rule 1 compares with it).

pub mod api_builder;
mod list;
pub mod progress;
pub mod push;
mod session;
pub mod state;
pub mod url;
pub mod view;

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
