//! git-postman: the porcelain, and the other two programs when run by their names.
//!
//! One binary is all three (`git postman install` links the other names to it): it
//! looks at the file name it was run by, or at `GIT_POSTMAN_RUN_AS`, which the two tiny
//! programs `cargo install` puts beside it set when they hand over (`mains/shim.rs`).

#[path = "mains/credential.rs"]
mod credential;
#[path = "mains/porcelain.rs"]
mod porcelain;
#[path = "mains/remote.rs"]
mod remote;
#[path = "mains/shim.rs"]
#[allow(dead_code)] // only its variable's name is used here
mod shim;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Cleared at once: git and the programs it starts must not inherit it.
    let handed_over = std::env::var_os(shim::RUN_AS);
    std::env::remove_var(shim::RUN_AS);
    let argv0 = std::env::args_os().next().unwrap_or_default();
    // `file_stem`: `git-remote-postman.exe` on Windows.
    let name = match &handed_over {
        Some(name) => name.as_os_str(),
        None => Path::new(&argv0).file_stem().unwrap_or_default(),
    };
    match name.to_str() {
        Some("git-remote-postman") => remote::main(),
        Some("git-credential-postman") => credential::main(),
        _ => porcelain::main(),
    }
}
