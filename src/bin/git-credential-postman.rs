//! git-credential-postman: git's credential helper on the OS keyring; a hand-over to
//! `git-postman` (see `mains/shim.rs`).

#[path = "mains/shim.rs"]
mod shim;

fn main() -> std::process::ExitCode {
    shim::run_as("git-credential-postman")
}
