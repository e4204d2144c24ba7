//! git-remote-postman: the remote helper git runs for `postman::` URLs.

#[path = "mains/remote.rs"]
mod remote;

fn main() -> std::process::ExitCode {
    remote::main()
}
