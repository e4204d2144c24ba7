//! git-credential-postman: git's credential helper on the OS keyring.

#[path = "mains/credential.rs"]
mod credential;

fn main() -> std::process::ExitCode {
    credential::main()
}
