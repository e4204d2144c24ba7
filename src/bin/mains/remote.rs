//! `git remote-postman <remote> [<url>]`: git runs this for `postman::` URLs.
//! All the work is in `git_postman::remote`.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(remote) = args.first() else {
        eprintln!("usage: git remote-postman <remote> [<url>]\n\nThis is a git remote helper: git runs it for postman:: URLs, e.g.\n  git clone postman::<apiId>");
        return ExitCode::from(129);
    };
    let result = git_postman::remote::run(
        remote,
        args.get(1).map(String::as_str),
        std::io::stdin().lock(),
        std::io::stdout().lock(),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fatal: {e}");
            ExitCode::from(128)
        }
    }
}
