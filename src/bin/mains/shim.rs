//! `git-remote-postman` and `git-credential-postman` as tiny programs that run
//! `git-postman` under their own name.
//!
//! `cargo install` installs one program per `[[bin]]`; were each of the three the
//! whole tool, the install would be three copies of it (31.8 MB stripped instead of
//! 13.3 MB). So the two helper names only find `git-postman` beside them and hand over
//! to it; `git postman install` and the `.deb` replace them with links, which need no
//! hand-over at all.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// Which program `git-postman` is to be, when its file name cannot say so (Windows
/// has no `argv[0]` of one's choosing). The multi-call main reads and clears it.
pub const RUN_AS: &str = "GIT_POSTMAN_RUN_AS";

/// Runs `git-postman` from this program's directory as `name`, with this program's
/// arguments, standard streams and exit status.
pub fn run_as(name: &str) -> ExitCode {
    let main = match multi_call_binary() {
        Ok(path) => path,
        Err(why) => return fail(name, &why),
    };
    let mut command = Command::new(&main);
    command.args(std::env::args_os().skip(1)).env(RUN_AS, name);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // `exec` only returns on failure; on success git talks to git-postman itself.
        let error = command.arg0(name).exec();
        fail(name, &format!("cannot run {}: {error}", main.display()))
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(status.code().map_or(128, |code| code as u8)),
        Err(error) => fail(name, &format!("cannot run {}: {error}", main.display())),
    }
}

/// `git-postman` in the directory this program was started from.
fn multi_call_binary() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find where it runs from: {e}"))?;
    let mut file = OsString::from("git-postman");
    file.push(std::env::consts::EXE_SUFFIX);
    Ok(me.with_file_name(file))
}

fn fail(name: &str, why: &str) -> ExitCode {
    eprintln!("fatal: {name}: {why}\n  {name} runs git-postman from its own directory; reinstall both (cargo install git-postman)");
    ExitCode::from(128)
}
