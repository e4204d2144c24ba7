//! git-postman: Postman APIs inside plain git.
//!
//! The three binaries in `src/bin/` are thin; the work happens here:
//!
//! - [`postman`]: the Postman API client (HTTP, models, errors, rate limits);
//! - [`layout`]: Postman state <-> file tree (`.postman/api*`, collection JSON, paths);
//! - [`remote`]: the git remote-helper protocol, fetch and push;
//! - [`credential`]: the git credential protocol, stores, OAuth;
//! - [`config`]: git config and the files this project reads;
//! - [`http_body`]: an HTTP answer's body read up to a cap;
//! - [`lock`]: a lock between git processes, with a bounded wait;
//! - [`porcelain`]: `git postman connect|disconnect|status|login|logout`.
//!
//! `ARCHITECTURE.md` at the top of the repository has the map and the invariants.

pub mod config;
pub mod credential;
pub mod http_body;
pub mod layout;
pub mod lock;
pub mod porcelain;
pub mod postman;
pub mod remote;
