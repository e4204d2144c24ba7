//! The porcelain: `git postman` commands.
//!
//! - [`cli`]: the command line (clap), also the source of `man/git-postman.1`;
//! - `connect`, `disconnect`, `status`, `sync`, `migrate`, `login` (and `logout`), `doctor`: one module per
//!   command (`accounts` is `crate::credential::accounts`);
//!   `app` and `pat` run in `crate::credential::cli`;
//! - `compare`: the working tree against Postman's state; `dotfiles`: `.postman/api*` in
//!   the working tree; `workspace`: the repository (read with gix, changed with git);
//!   `target`, `server`: API and server addresses, and the first authenticated request;
//!   `kind`: what differs between an API remote and a workspace remote for status and
//!   disconnect;
//!   `tty`: questions on the terminal; `install`: the program, man pages and completions
//!   under a prefix. The schema root's `$ref` closure is
//!   `crate::layout::managed`.

pub mod cli;
mod compare;
mod connect;
mod disconnect;
mod doctor;
mod dotfiles;
pub mod install;
mod kind;
mod login;
mod migrate;
mod server;
mod status;
mod sync;
mod target;
mod tty;
mod workspace;

use std::io::Write;

use cli::{Cli, Command};

/// Any command's failure; each command has its own error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Connect(#[from] connect::Error),
    #[error(transparent)]
    Disconnect(#[from] disconnect::Error),
    #[error(transparent)]
    Status(#[from] status::Error),
    #[error(transparent)]
    Sync(#[from] sync::Error),
    #[error(transparent)]
    Migrate(#[from] migrate::Error),
    #[error(transparent)]
    Login(#[from] login::Error),
    #[error(transparent)]
    Credential(#[from] crate::credential::cli::CliError),
    #[error(transparent)]
    Doctor(#[from] doctor::Error),
    #[error(transparent)]
    Accounts(#[from] crate::credential::accounts::AccountsError),
    #[error(transparent)]
    Install(#[from] install::Error),
}

/// Runs one command; its report goes to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), Error> {
    match &cli.command {
        Command::Connect(args) => connect::run(args, out)?,
        Command::Disconnect(args) => disconnect::run(args, out)?,
        Command::Status(args) => status::run(args, out)?,
        Command::Sync(args) => sync::run(args, out)?,
        Command::Migrate(args) => migrate::run(args, out)?,
        Command::Login(args) => login::login(args, out)?,
        Command::Logout(args) => login::logout(args, out)?,
        Command::App(command) => crate::credential::cli::run_app(command, out)?,
        Command::Pat(command) => crate::credential::cli::run_pat(command, out)?,
        Command::Doctor(args) => doctor::run(args, out)?,
        Command::Accounts(args) => match &args.command {
            None => crate::credential::accounts::run_list(out)?,
            Some(cli::AccountsCommand::Remove { host }) => {
                crate::credential::accounts::run_remove(host, out)?
            }
        },
        Command::Install(args) => install::run(args, out)?,
    }
    Ok(())
}
