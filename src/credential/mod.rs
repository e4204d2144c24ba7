//! `git-credential-postman`: a git credential helper that keeps credentials in the OS
//! keyring (Secret Service, keyutils, Keychain, Windows Credential Manager).
//!
//! - [`protocol`]: git's credential protocol, read and written as git does;
//! - [`record`]: what one keyring entry holds and how it is named; git's matching rule;
//! - [`store`]: the keyrings, behind one small interface, with no silent fallback;
//! - [`config`]: the git config the helper reads (`credential.postmanStore`, ...), read once
//!   with gix, never by running `git config`;
//! - [`helper`]: `get`, `store`, `erase`;
//! - [`apps`]: the apps file ("installed apps": GitHub Enterprise Server, GitLab
//!   Self-Managed, Azure DevOps Server) and [`provider`]: which app covers a URL;
//! - [`generate`]: a credential for an app's URL when none is stored: [`oauth`] (refresh,
//!   browser login over [`loopback`] and [`browser`], device login) or a personal access
//!   token; [`lock`] lets one git process at a time do it for a host; [`secrets`] keeps
//!   PATs and client secrets; [`tty`] talks to the user
//!   ([`noecho`]: secrets typed on the terminal, echo off before the prompt; [`askpass`]:
//!   a GUI's askpass program, as git uses it);
//! - [`cli`]: `git postman app ...` and `git postman pat ...`; [`accounts`]: `git postman
//!   accounts`, every stored login.
//!
//! The binary `src/bin/git-credential-postman.rs` only parses arguments and calls
//! [`helper::run`].

pub mod accounts;
pub mod apps;
pub mod askpass;
pub mod browser;
pub mod cli;
pub mod config;
pub mod generate;
pub mod helper;
pub mod lock;
pub mod loopback;
pub mod noecho;
pub mod oauth;
pub mod protocol;
pub mod provider;
pub mod record;
pub mod secrets;
pub mod store;
pub mod tty;

pub use helper::{run, Action, HelperError};
pub use store::StoreKind;
