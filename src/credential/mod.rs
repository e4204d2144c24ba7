//! `git-credential-postman`: a git credential helper that keeps credentials in the OS
//! keyring (Secret Service, keyutils, Keychain, Windows Credential Manager).
//!
//! - [`protocol`]: git's credential protocol, read and written as git does;
//! - [`record`]: what one keyring entry holds and how it is named; git's matching rule;
//! - [`store`]: the keyrings, behind one small interface, with no silent fallback;
//! - [`config`]: the git config the helper reads (`credential.postmanStore`, ...), read once
//!   with gix, never by running `git config`;
//! - [`helper`]: `get`, `store`, `erase`.
//!
//! The binary `src/bin/git-credential-postman.rs` only parses arguments and calls
//! [`helper::run`].

pub mod config;
pub mod helper;
pub mod protocol;
pub mod record;
pub mod store;

pub use helper::{run, Action, HelperError};
pub use store::StoreKind;
