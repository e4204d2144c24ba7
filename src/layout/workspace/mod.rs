//! A Postman v12 workspace in the layout the desktop app's Native Git writes
//! (`reference/postman-v12.md` §2): specs in `postman/specs/`, collections as v3 trees in
//! `postman/collections/<name>/`, environments as
//! `postman/environments/<name>.environment.yaml`, globals as
//! `postman/globals/workspace.globals.yaml`, and `.postman/resources.yaml` mapping each of
//! them to its cloud id.
//!
//! - [`resources`]: `.postman/resources.yaml` read, and written back with only its
//!   `cloudResources` entries changed;
//! - [`state`]: the plain-data workspace both directions share;
//! - [`mod@write`]: a workspace -> the files the app writes for it;
//! - [`read`]: the files of a commit -> a workspace to push, validated;
//! - [`plan`]: a commit's workspace against the live one -> the writes a push sends;
//! - [`after_push`]: what a push records as Postman's state (only what it wrote read again);
//! - [`tree`]: a fetched workspace -> a commit's files over a base commit's;
//! - [`environment`]: environment and globals files;
//! - [`spec`]: spec types and the spec files' limits.
//!
//! Pure functions over text and bytes, like the rest of `layout`.
//!
//! What is confirmed from files the app wrote (public repositories, read at the commits
//! `reference/postman-v12.md` §2.3 names; quoted verbatim in the tests) and what is our
//! choice:
//! - confirmed: `.postman/resources.yaml`'s template, the comment above a
//!   `cloudResources` the app adds, block style with two-space indent, `../` paths with
//!   spaces and non-ASCII unquoted, the three id forms, a new kind added at the end of the
//!   block and a new entry at the end of its kind; an environment the app pulls (`key`,
//!   `value`, `enabled` in that order, npm `yaml` quoting, plus `owner`, `team`,
//!   `lastRevision`, `color` and dates the public API does not serve, so such a file is
//!   kept when it says the same); globals as `name: Globals` / `values: []`; a one-file
//!   spec as `postman/specs/<name>.yaml`;
//! - chosen: a multi-file spec as `postman/specs/<name>/` holding its paths, its ROOT
//!   recorded as its `cloudResources` entry (no real multi-file sample found); `type:`
//!   written only when it is not `default`; a secret Postman does not share written as
//!   `value: ""` with `type: secret` (the plugin documents the field; no app-written
//!   secret seen); the kinds of a new `cloudResources` in the plugin's example order; an
//!   emptied `cloudResources` removed with its comment; names refused when empty or with
//!   control characters; 10 MB read as 10 MiB.

pub mod after_push;
pub mod environment;
pub mod plan;
pub mod read;
pub mod resources;
pub mod spec;
pub mod state;
pub mod tree;
pub mod write;

/// The shared-data rule of the integration tests, for these unit tests too.
#[cfg(test)]
#[path = "../../../tests/support/shared.rs"]
mod shared;
#[cfg(test)]
mod testdata;

pub use crate::layout::v3::File;

/// Where Native Git keeps each kind of object.
pub const SPECS_DIR: &str = "postman/specs";
pub const COLLECTIONS_DIR: &str = "postman/collections";
pub const ENVIRONMENTS_DIR: &str = "postman/environments";
pub const GLOBALS_FILE: &str = "postman/globals/workspace.globals.yaml";
pub const RESOURCES_FILE: &str = ".postman/resources.yaml";
pub const ENVIRONMENT_SUFFIX: &str = ".environment.yaml";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that does not parse (YAML, JSON), with the line when the parser knows it.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        path: String,
        line: Option<usize>,
        message: String,
    },
    /// A file that parses but holds something Postman would refuse, or that git-postman
    /// cannot map: the file, and what is wrong with which field or value.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Error {
    fn invalid(path: &str, message: impl Into<String>) -> Error {
        Error::Invalid {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// A serde_yaml error in `path`, with its line.
    fn yaml(path: &str, e: &serde_yaml::Error) -> Error {
        Error::Parse {
            path: path.to_string(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        }
    }
}

/// A YAML scalar as text: ids, versions and values may be written without quotes (an
/// id of digits, `openapi: 3.0`, `value: 8080`).
fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The kinds of `cloudResources` git-postman manages; every other kind (mocks, flows,
/// documents, datasets...) is kept as the file has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Collections,
    Environments,
    Globals,
    Specs,
}

impl Kind {
    /// In the order a new `cloudResources` lists them: the order of the plugin's
    /// documented example (collections, environments, globals, ..., specs).
    pub const ALL: [Kind; 4] = [
        Kind::Collections,
        Kind::Environments,
        Kind::Globals,
        Kind::Specs,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Collections => "collections",
            Kind::Environments => "environments",
            Kind::Globals => "globals",
            Kind::Specs => "specs",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[cfg(test)]
mod tests;
