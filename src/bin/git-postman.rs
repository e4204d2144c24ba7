//! git-postman: the porcelain, and the other two programs when run by their names.
//!
//! One binary can be all three (`git postman install` links the other names to it):
//! it looks at the file name it was run by. `cargo install` also builds the other two
//! as their own small programs, which hold only their part.

#[path = "mains/credential.rs"]
mod credential;
#[path = "mains/porcelain.rs"]
mod porcelain;
#[path = "mains/remote.rs"]
mod remote;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    // `file_stem`: `git-remote-postman.exe` on Windows.
    let name = Path::new(&argv0).file_stem().unwrap_or_default();
    match name.to_str() {
        Some("git-remote-postman") => remote::main(),
        Some("git-credential-postman") => credential::main(),
        _ => porcelain::main(),
    }
}
