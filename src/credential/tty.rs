//! Talking to the user while git waits: whether that is allowed at all, messages, and
//! prompts on the terminal.
//!
//! stdin and stdout belong to git's credential protocol, so a prompt reads the controlling
//! terminal (`/dev/tty`; the console on Windows; echo off before the prompt shows, see
//! [`super::noecho`]) and messages go to stderr, which git passes through to the user.
//!
//! Two switches, read as Git Credential Manager reads them (GUIs and IDEs run git with
//! `GIT_TERMINAL_PROMPT=0` so that nothing waits on a terminal nobody sees, and still
//! expect a browser login to work):
//! - `credential.interactive = never`: nothing interactive at all (no prompt, no browser,
//!   no device code);
//! - `GIT_TERMINAL_PROMPT=0`: no *terminal* prompts. The browser login still runs when a
//!   browser can be shown ([`super::browser::available`]); a login that needs the terminal
//!   (a personal access token typed in, the device flow's code, no browser here) is not
//!   attempted.
//!
//! Either way the helper fails at once with one line saying why and, for
//! `GIT_TERMINAL_PROMPT=0`, what to run in a terminal instead.

use std::io::Write;

use super::askpass::{self, AskpassError};
use super::config::Settings;
use super::noecho::{self, NoEchoError};
use super::protocol::git_bool;

/// Errors while talking to the user.
#[derive(Debug, thiserror::Error)]
pub enum TtyError {
    #[error(
        "{what} needs you to log in, but interaction is disabled (credential.interactive=never)"
    )]
    Disabled { what: String },
    #[error("{what} needs you to log in, but terminal prompts are disabled (GIT_TERMINAL_PROMPT=0) and {need}: run `{run}` in a terminal")]
    TerminalOff {
        what: String,
        need: &'static str,
        run: String,
    },
    #[error("cannot ask for {what}: {source}")]
    Terminal { what: String, source: NoEchoError },
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
    #[error("no {0} entered")]
    Empty(String),
    #[error(transparent)]
    Askpass(#[from] AskpassError),
}

/// Fails with one clear line when the user may not be asked anything
/// (`credential.interactive = never`).
pub fn ensure_interactive(settings: &Settings, what: &str) -> Result<(), TtyError> {
    if settings.interactive == Some(false) {
        return Err(TtyError::Disabled {
            what: what.to_string(),
        });
    }
    Ok(())
}

/// Whether terminal prompts are off: `GIT_TERMINAL_PROMPT`, read as git reads it (a
/// boolean).
pub fn terminal_prompts_off() -> bool {
    std::env::var_os("GIT_TERMINAL_PROMPT")
        .is_some_and(|v| git_bool(v.as_encoded_bytes()) == Some(false))
}

/// Fails with one clear line when a secret must be typed in but neither an askpass program
/// (a GUI's dialog, see [`askpass`]) nor the terminal may ask for it.
pub fn ensure_secret_prompt(what: &str, need: &'static str, run: String) -> Result<(), TtyError> {
    if askpass::program().is_some() {
        return Ok(());
    }
    ensure_terminal(what, need, run)
}

/// Fails with one clear line when this login needs the terminal and terminal prompts are
/// off: `need` says why it needs the terminal, `run` is the command that logs in from one.
pub fn ensure_terminal(what: &str, need: &'static str, run: String) -> Result<(), TtyError> {
    if terminal_prompts_off() {
        return Err(TtyError::TerminalOff {
            what: what.to_string(),
            need,
            run,
        });
    }
    Ok(())
}

/// A message for the user, on stderr. Never pass a secret.
pub fn say(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{message}");
    let _ = err.flush();
}

/// Asks for a secret through the askpass program git would use, else on the terminal
/// without echo. `what` names it in the prompt and in errors ("personal access token for
/// https://..."). Leading and trailing white space is dropped (a pasted token often
/// carries a newline).
pub fn prompt_secret(what: &str) -> Result<String, TtyError> {
    if let Some(program) = askpass::program() {
        let prompt = askpass::secret_prompt(&capitalized(what));
        let answer = askpass::ask(&program, &prompt, what)?;
        return non_empty(&answer, what);
    }
    let answer = noecho::read_secret(&format!("{}: ", capitalized(what))).map_err(|source| {
        TtyError::Terminal {
            what: what.to_string(),
            source,
        }
    })?;
    non_empty(&answer, what)
}

/// Reads a secret from a reader (`--client-secret-stdin`, `--token-stdin`): the first line,
/// trimmed.
pub fn read_secret_line(input: &mut dyn std::io::BufRead, what: &str) -> Result<String, TtyError> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|source| TtyError::Read {
            what: what.to_string(),
            source,
        })?;
    non_empty(&line, what)
}

/// The answer without leading and trailing white space; an error when nothing is left.
fn non_empty(answer: &str, what: &str) -> Result<String, TtyError> {
    let answer = answer.trim();
    if answer.is_empty() {
        return Err(TtyError::Empty(what.to_string()));
    }
    Ok(answer.to_string())
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactive_never_is_one_clear_line() {
        let settings = Settings {
            interactive: Some(false),
            ..Settings::default()
        };
        let err = ensure_interactive(&settings, "https://gitlab.example.com").unwrap_err();
        let msg = err.to_string();
        assert_eq!(
            msg,
            "https://gitlab.example.com needs you to log in, but interaction is disabled (credential.interactive=never)"
        );
        assert!(!msg.contains('\n'));
        assert!(ensure_interactive(&Settings::default(), "x").is_ok());
    }

    #[test]
    fn secrets_from_a_reader_are_trimmed_and_not_empty() {
        let mut input = std::io::Cursor::new(b"  tok-1 \r\nignored\n".to_vec());
        assert_eq!(read_secret_line(&mut input, "token").unwrap(), "tok-1");
        let mut input = std::io::Cursor::new(b"\n".to_vec());
        assert!(matches!(
            read_secret_line(&mut input, "token"),
            Err(TtyError::Empty(_))
        ));
    }
}
