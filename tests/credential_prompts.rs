//! The secret prompts of `git postman pat add` and `git postman app add` on a real
//! terminal (a pty): the secret is typed the instant the prompt shows, many times, and
//! must never be echoed; echo comes back however the prompt ends (an answer, Ctrl-D,
//! Ctrl-C). The secrets land in a real keyring (kernel keyutils, a throw-away session
//! keyring).
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod support;

#[path = "support/pty.rs"]
mod pty;

use std::process::Command;

use git_postman::credential::apps::AppUrl;
use git_postman::credential::{secrets, store::Store, StoreKind};

use support::{Keyring, Kind};

const PORCELAIN: &str = env!("CARGO_BIN_EXE_git-postman");

/// `git postman <args>` in the keyring's HOME, terminal prompts allowed.
fn porcelain(k: &Keyring, args: &[&str]) -> Command {
    let mut cmd = k.command(PORCELAIN);
    cmd.args(args).env_remove("GIT_TERMINAL_PROMPT");
    cmd
}

/// A keyring and an Azure DevOps Server collection URL of this test's own.
fn collection(label: &str) -> Option<(Keyring, String)> {
    let k = Keyring::start(Kind::Keyutils)?;
    let url = format!("https://{}/tfs/DefaultCollection", k.host(label));
    Some((k, url))
}

fn keyring() -> Store {
    Store::open(StoreKind::Keyutils).unwrap()
}

#[test]
fn pat_add_never_echoes_the_token() {
    let Some((k, url)) = collection("pat-echo") else {
        return;
    };
    let app_url = AppUrl::parse(&url).unwrap();
    pty::never_echoed(
        &format!("Personal access token for {url}: "),
        |i| {
            let cmd = porcelain(&k, &["pat", "add", &url, "--username", "alice"]);
            (cmd, pty::secret(i))
        },
        |i, secret| {
            let pat = secrets::get_pat(&keyring(), &app_url).unwrap().unwrap();
            assert_eq!(
                (pat.username.as_str(), pat.token.as_str()),
                ("alice", secret),
                "round {i}"
            );
        },
    );
    secrets::delete(&keyring(), secrets::Kind::Pat, &app_url).unwrap();
}

#[test]
fn app_add_never_echoes_the_client_secret() {
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let url = format!("https://{}", k.host("client-secret-echo"));
    let app_url = AppUrl::parse(&url).unwrap();
    pty::never_echoed(
        "Client secret of Echo Forge: ",
        |i| {
            let args = [
                "app",
                "add",
                "--name",
                "Echo Forge",
                "--provider",
                "gitlab",
                "--url",
                &url,
                "--client-id",
                "cli",
                "--client-secret-prompt",
                "--force",
            ];
            (porcelain(&k, &args), pty::secret(i))
        },
        |i, secret| {
            let kept = secrets::get_client_secret(&keyring(), &app_url).unwrap();
            assert_eq!(kept.as_deref(), Some(secret), "round {i}");
        },
    );
    secrets::delete(&keyring(), secrets::Kind::ClientSecret, &app_url).unwrap();
}

#[test]
fn echo_comes_back_after_ctrl_d_and_ctrl_c() {
    let Some((k, url)) = collection("pat-abort") else {
        return;
    };
    let prompt = format!("Personal access token for {url}: ");
    let add = || porcelain(&k, &["pat", "add", &url]);

    // Ctrl-D on an empty line: the end of input, an error, echo back on.
    let eof = pty::answer_prompt(add(), &prompt, b"\x04");
    assert!(eof.answered, "{}", eof.shown);
    assert_eq!(eof.status.code(), Some(128), "{}", eof.shown);
    let said = format!("fatal: no personal access token for {url} entered");
    assert!(eof.shown.contains(&said), "{}", eof.shown);
    assert!(eof.echo_after, "echo stayed off after Ctrl-D");

    // Ctrl-C: SIGINT ends the process as it would without us, echo back on.
    let half = "half-typed-token";
    let interrupted = pty::answer_prompt(add(), &prompt, format!("{half}\x03").as_bytes());
    assert!(interrupted.answered, "{}", interrupted.shown);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        interrupted.status.signal(),
        Some(libc::SIGINT),
        "{:?}: {}",
        interrupted.status,
        interrupted.shown
    );
    assert!(!interrupted.shown.contains(half), "{}", interrupted.shown);
    assert!(interrupted.echo_after, "echo stayed off after Ctrl-C");
    let app_url = AppUrl::parse(&url).unwrap();
    assert!(secrets::get_pat(&keyring(), &app_url).unwrap().is_none());
}
