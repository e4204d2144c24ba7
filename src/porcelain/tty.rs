//! Questions on the terminal itself (`/dev/tty`), never on stdin/stdout: those may be
//! pipes, and a secret typed there would show up in a log. `GIT_TERMINAL_PROMPT=0`
//! forbids prompting, as it does for git.

use std::io::{BufRead, BufReader, Write};

use crate::credential::{
    self,
    askpass::{self, AskpassError},
    noecho::{self, NoEchoError},
};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("terminal prompts are disabled (GIT_TERMINAL_PROMPT=0)")]
    Disabled,
    #[error("no terminal to ask on ({0})")]
    NoTerminal(std::io::Error),
    #[error("reading the terminal: {0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Secret(#[from] NoEchoError),
    #[error(transparent)]
    Askpass(#[from] AskpassError),
}

#[cfg(unix)]
const TTY_IN: &str = "/dev/tty";
#[cfg(unix)]
const TTY_OUT: &str = "/dev/tty";
#[cfg(windows)]
const TTY_IN: &str = "CONIN$";
#[cfg(windows)]
const TTY_OUT: &str = "CONOUT$";

/// `GIT_TERMINAL_PROMPT`, read as git and the credential helper read it (a boolean).
fn allowed() -> Result<(), Error> {
    if credential::tty::terminal_prompts_off() {
        return Err(Error::Disabled);
    }
    Ok(())
}

/// Asks `prompt` and reads one line with echo (a confirmation). No trailing newline.
pub fn ask(prompt: &str) -> Result<String, Error> {
    allowed()?;
    let input = std::fs::File::open(TTY_IN).map_err(Error::NoTerminal)?;
    let mut output = std::fs::OpenOptions::new()
        .write(true)
        .open(TTY_OUT)
        .map_err(Error::NoTerminal)?;
    output.write_all(prompt.as_bytes()).map_err(Error::Io)?;
    output.flush().map_err(Error::Io)?;
    let mut line = String::new();
    BufReader::new(input)
        .read_line(&mut line)
        .map_err(Error::Io)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Asks `prompt` and reads one line without echo (a secret), echo off before the prompt
/// shows; through the askpass program git would use, if there is one (a GUI's dialog).
pub fn ask_secret(prompt: &str) -> Result<String, Error> {
    if let Some(program) = askpass::program() {
        let subject = prompt.trim_end_matches([':', ' ']);
        let answer = askpass::ask(&program, &askpass::secret_prompt(subject), subject)?;
        return Ok(answer);
    }
    allowed()?;
    Ok(noecho::read_secret(prompt)?)
}
