//! git-credential-postman: git's credential helper on the OS keyring.
//! All the work is in `git_postman::credential`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use git_postman::credential::{self, Action, StoreKind};

/// Keeps git credentials in the OS keyring: Secret Service (GNOME Keyring, KWallet),
/// Linux keyutils, macOS Keychain or Windows Credential Manager.
///
/// git runs it for you once configured:
///     git config --global credential.helper postman
///
/// Choose the keyring with `git config --global credential.postmanStore <store>` (also per
/// URL: `credential.<url>.postmanStore`) or with --store. By default: keychain on macOS,
/// windows on Windows, secret-service and else keyutils on Linux.
///
/// More in `man git-credential-postman`.
#[derive(Parser, Debug)]
#[command(name = "git-credential-postman", version, verbatim_doc_comment)]
struct Args {
    /// The keyring to use (overrides credential.postmanStore).
    #[arg(long, value_name = "STORE", value_parser = ["secret-service", "keyutils", "keychain", "windows"])]
    store: Option<String>,

    /// What git asks: get, store or erase (other actions are ignored).
    #[arg(value_name = "ACTION")]
    action: String,
}

pub fn main() -> ExitCode {
    let args = Args::parse();
    let store = args
        .store
        .as_deref()
        .map(|s| s.parse::<StoreKind>().expect("checked by clap"));
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let result = credential::run(
        Action::parse(&args.action),
        store,
        &mut stdin.lock(),
        &mut stdout.lock(),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "git-credential-postman: {err}");
            ExitCode::FAILURE
        }
    }
}
