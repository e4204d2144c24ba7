//! `git postman login` / `logout`: the Postman API key in git's credential system, under
//! the entry the remote helper asks for (`postman::apikey::credential_description`:
//! protocol and host of the API server, username `postman-api-key`).
//!
//! The key comes from the terminal without echo, or from stdin with `--with-key-stdin`;
//! it goes to `git credential` on stdin. It is never in argv and never printed.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::Method;
use url::Url;

use super::cli::{LoginArgs, LogoutArgs};
use super::{server, tty};
use crate::postman::apikey::{self, credential_description, Prompt, USERNAME};
use crate::postman::client::RetryPolicy;
use crate::postman::{self, ApiKey, Client};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Server(#[from] server::Error),
    #[error("{0}; use --with-key-stdin to give the key on standard input")]
    Terminal(#[from] tty::Error),
    #[error("reading the key from standard input: {0}")]
    Stdin(std::io::Error),
    #[error("the key is empty")]
    Empty,
    #[error("Postman at {server} refused this key ({detail}); nothing was stored")]
    Refused { server: String, detail: String },
    #[error("cannot check the key with Postman ({0}); use --no-verify to store it anyway")]
    Unreachable(postman::Error),
    #[error("`git credential {action}` failed: {detail}")]
    Credential {
        action: &'static str,
        detail: String,
    },
    #[error("no credential helper kept the key, so git cannot give it back: configure one (for instance `git config --global credential.helper postman`, see git-credential-postman(1)), or set POSTMAN_API_KEY instead")]
    NotKept,
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

pub fn login(args: &LoginArgs, out: &mut dyn Write) -> Result<(), Error> {
    let base = server::resolve(&args.server)?;
    let shown = server::display(&base);
    let typed = if args.with_key_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(Error::Stdin)?;
        text.lines().next().unwrap_or("").to_string()
    } else {
        tty::ask_secret(&format!("Postman API key for {shown}: "))?
    };
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Error::Empty);
    }
    let key = ApiKey::new(typed);
    if !args.no_verify {
        verify(&base, &key)?;
    }
    let description = credential_description(&base);
    credential(
        "approve",
        &format!("{description}password={}\n", key.expose()),
    )?;
    // `approve` succeeds even when no helper stores anything: ask for the key back.
    let answer = credential("fill", &description).unwrap_or_default();
    let kept = answer
        .lines()
        .any(|l| l.strip_prefix("password=") == Some(key.expose()));
    if !kept {
        return Err(Error::NotKept);
    }
    writeln!(
        out,
        "Stored the Postman API key for {shown} (git credential, username {USERNAME})."
    )?;
    Ok(())
}

pub fn logout(args: &LogoutArgs, out: &mut dyn Write) -> Result<(), Error> {
    let base = server::resolve(&args.server)?;
    credential("reject", &credential_description(&base))?;
    writeln!(
        out,
        "Removed the Postman API key for {} from git's credential helpers.",
        server::display(&base)
    )?;
    Ok(())
}

/// The key the remote helper would use, found without asking anyone: `POSTMAN_API_KEY`,
/// else what a credential helper answers without prompting.
pub fn key_without_prompting(base: &Url) -> Option<ApiKey> {
    apikey::obtain_with(base, Prompt::Never)
        .ok()
        .map(|(key, _)| key)
}

/// Asks the server something small with the key: only a 401 says the key is bad (the
/// answer itself does not matter; `/me` is Postman's cheapest authenticated call).
fn verify(base: &Url, key: &ApiKey) -> Result<(), Error> {
    let client = Client::new(base.clone(), key.clone())
        .map_err(Error::Unreachable)?
        .with_retry(RetryPolicy {
            max_attempts: 2,
            backoff: Duration::from_millis(500),
        });
    match client.send(Method::GET, &["me"], &[], None) {
        Ok(_) => Ok(()),
        Err(postman::Error::Unauthorized { status, message }) => Err(Error::Refused {
            server: server::display(base),
            detail: format!("{status}: {message}"),
        }),
        Err(e @ postman::Error::Transport { .. }) => Err(Error::Unreachable(e)),
        // Any other answer came from a server that did not refuse the key.
        Err(_) => Ok(()),
    }
}

/// `git credential <action>` without prompting: login and logout name the entry exactly.
fn credential(action: &'static str, input: &str) -> Result<String, Error> {
    apikey::git_credential(action, input, Prompt::Never)
        .map_err(|detail| Error::Credential { action, detail })
}
