//! Asking through an askpass program, as git itself does: `GIT_ASKPASS`, then
//! `core.askPass`, then `SSH_ASKPASS`; the prompt is its only argument and the answer is
//! its standard output up to the first line end.
//!
//! IDEs (VS Code, JetBrains) run git with stdin not a terminal and `GIT_ASKPASS` pointing
//! at their own dialog: a secret asked there reaches the user, where a terminal prompt
//! would wait for someone who cannot see it. As in git, an askpass program comes before
//! the terminal. Unlike git, a failed askpass is final (one line saying so) rather than a
//! second try on a terminal the GUI may not show.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};

use super::config::GitConfig;

/// Errors from the askpass program. They name the program and what was asked, never the
/// answer.
#[derive(Debug, thiserror::Error)]
pub enum AskpassError {
    #[error("cannot run the askpass program '{program}' to ask for {what}: {source}")]
    Start {
        program: String,
        what: String,
        source: std::io::Error,
    },
    #[error("the askpass program '{program}' gave no answer for {what} ({status})")]
    Failed {
        program: String,
        what: String,
        status: ExitStatus,
    },
    #[error("cannot read the answer of the askpass program '{program}' for {what}: {source}")]
    Read {
        program: String,
        what: String,
        source: std::io::Error,
    },
}

/// The askpass program git would run here, if any.
pub fn program() -> Option<OsString> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    choose(
        env("GIT_ASKPASS"),
        || {
            GitConfig::load()
                .ok()
                .and_then(|c| c.ask_pass())
                .map(OsString::from)
        },
        env("SSH_ASKPASS"),
    )
}

/// git's order (`git_prompt`): `GIT_ASKPASS`, else `core.askPass`, else `SSH_ASKPASS`.
/// The config is read only when the environment does not decide.
fn choose(
    git_askpass: Option<OsString>,
    core_ask_pass: impl FnOnce() -> Option<OsString>,
    ssh_askpass: Option<OsString>,
) -> Option<OsString> {
    git_askpass.or_else(core_ask_pass).or(ssh_askpass)
}

/// Asks `prompt` through `program`; `what` names the secret in errors. The program gets no
/// stdin (ours is git's protocol) and shares stderr, where it may explain itself.
pub fn ask(program: &OsStr, prompt: &str, what: &str) -> Result<String, AskpassError> {
    let shown = program.to_string_lossy().into_owned();
    let mut child = Command::new(program)
        .arg(prompt)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|source| AskpassError::Start {
            program: shown.clone(),
            what: what.to_string(),
            source,
        })?;
    let mut answer = Vec::new();
    let read = child.stdout.take().expect("piped").read_to_end(&mut answer);
    let status = child.wait().map_err(|source| AskpassError::Read {
        program: shown.clone(),
        what: what.to_string(),
        source,
    })?;
    read.map_err(|source| AskpassError::Read {
        program: shown.clone(),
        what: what.to_string(),
        source,
    })?;
    if !status.success() {
        return Err(AskpassError::Failed {
            program: shown,
            what: what.to_string(),
            status,
        });
    }
    let end = answer
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(answer.len());
    answer.truncate(end);
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// The prompt an askpass program is shown for a secret (`subject`: "Personal access
/// token for ..."). GUIs decide from the words whether to hide what is typed (VS Code hides
/// the answer when the prompt says "password"), so a secret's prompt says it.
pub fn secret_prompt(subject: &str) -> String {
    format!("{subject} (password): ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_askpass_then_core_ask_pass_then_ssh_askpass() {
        let some = |s: &str| Some(OsString::from(s));
        // (GIT_ASKPASS, core.askPass, SSH_ASKPASS, chosen)
        for (git, core, ssh, chosen) in [
            (some("g"), some("c"), some("s"), some("g")),
            (None, some("c"), some("s"), some("c")),
            (None, None, some("s"), some("s")),
            (None, None, None, None),
        ] {
            assert_eq!(choose(git, || core, ssh), chosen);
        }
        // The config is not read when the environment decides.
        assert_eq!(choose(some("g"), || panic!("config read"), None), some("g"));
    }

    #[cfg(unix)]
    #[test]
    fn the_answer_is_the_first_line_and_a_failure_names_the_program() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("askpass");
        std::fs::write(&script, "#!/bin/sh\nprintf 'tok-1\\r\\nignored\\n'\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(ask(script.as_os_str(), "p: ", "x").unwrap(), "tok-1");

        let err = ask(OsStr::new("/bin/false"), "p: ", "the token").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(
                "the askpass program '/bin/false' gave no answer for the token (exit status: 1)"
            ),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        let err = ask(OsStr::new("/nonexistent/askpass"), "p: ", "x").unwrap_err();
        assert!(matches!(err, AskpassError::Start { .. }), "{err}");
    }
}
