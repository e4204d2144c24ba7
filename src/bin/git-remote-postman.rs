//! git-remote-postman: the remote helper git runs for `postman::` URLs; a hand-over to
//! `git-postman` (see `mains/shim.rs`).

#[path = "mains/shim.rs"]
mod shim;

fn main() -> std::process::ExitCode {
    shim::run_as("git-remote-postman")
}
