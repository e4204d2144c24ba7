//! `git postman <command>`: git runs this for `git postman`.
//! All the work is in `git_postman::porcelain`.

use std::process::ExitCode;

use clap::Parser;
use git_postman::porcelain::{self, cli::Cli};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match porcelain::run(&cli, &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fatal: {e}");
            ExitCode::from(128)
        }
    }
}
