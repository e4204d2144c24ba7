//! `git postman login` / `logout`: the API key in git's credential system, where the
//! remote helper finds it. A `credential.helper = store --file …` in the sandbox's HOME
//! stands for the user's helper; the key is never in argv or output.

mod porcelain_common;
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use porcelain_common::*;
use support::fake_postman::{FakePostman, API_KEY};
use support::git::{postman_url, Sandbox};

/// A sandbox without `POSTMAN_API_KEY` whose git stores credentials in a plain file.
fn with_credential_file() -> (Sandbox, PathBuf) {
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", None);
    let file = sandbox.join("home/credentials");
    sandbox.git_ok(
        sandbox.path(),
        [
            "config",
            "--global",
            "credential.helper",
            &format!("store --file={}", file.display()),
        ],
    );
    (sandbox, file)
}

/// `git postman login --with-key-stdin <options...>` in `cwd`, `key` on stdin.
fn login_with_stdin(sandbox: &Sandbox, cwd: &Path, options: &[&str], key: &str) -> Output {
    let mut args = vec!["postman", "login", "--with-key-stdin"];
    args.extend_from_slice(options);
    git_with_stdin(sandbox, cwd, &args, key)
}

fn stored(file: &PathBuf) -> String {
    std::fs::read_to_string(file).unwrap_or_default()
}

/// The line `git credential-store` keeps for the key of the server at `base`
/// (`http://127.0.0.1:<port>`).
fn stored_line(base: &str) -> String {
    let host = base.trim_start_matches("http://");
    format!(
        "http://postman-api-key:{API_KEY}@{}\n",
        host.replace(':', "%3a")
    )
}

#[test]
fn login_stores_the_key_where_fetch_finds_it_and_logout_removes_it() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let (sandbox, file) = with_credential_file();
    let base = fake.base_url();

    let out = login_with_stdin(
        &sandbox,
        sandbox.path(),
        &["--base-url", &base],
        &format!("{API_KEY}\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains(API_KEY) && !stderr.contains(API_KEY));
    assert_eq!(
        stdout,
        format!(
            "Stored the Postman API key for {base} (git credential, username postman-api-key).\n"
        )
    );
    assert_eq!(stored(&file), stored_line(&base));
    // Postman was asked first, with the key in its header only.
    assert!(fake.requests().iter().any(|r| r.path == "/me"));

    // The remote helper reads it back: a clone without POSTMAN_API_KEY works.
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-q", &postman_url(&fake, &api), "clone"],
    );

    let out = postman_ok(&sandbox, sandbox.path(), &["logout", "--base-url", &base]);
    assert_eq!(
        out,
        format!("Removed the Postman API key for {base} from git's credential helpers.\n")
    );
    assert_eq!(stored(&file).trim(), "");
    let (_, stderr) = sandbox.git_fails(
        sandbox.path(),
        ["clone", "-q", &postman_url(&fake, &api), "again"],
    );
    assert!(stderr.contains("no Postman API key"), "{stderr}");
}

#[test]
fn login_takes_the_server_of_a_connected_remote() {
    let fake = FakePostman::start();
    let (mut sandbox, file) = with_credential_file();
    sandbox.set_env("POSTMAN_API_KEY", Some(API_KEY));
    let (_, repo) = connected_empty_api(&fake, &sandbox);
    sandbox.set_env("POSTMAN_API_KEY", None);
    let out = login_with_stdin(&sandbox, &repo, &["--remote", "postman"], API_KEY);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stored(&file), stored_line(&fake.base_url()));
    let stderr = postman_fails(&sandbox, &repo, &["logout", "--remote", "nope"]);
    assert!(stderr.contains("no remote \"nope\""), "{stderr}");
}

#[test]
fn a_key_postman_refuses_is_not_stored() {
    let fake = FakePostman::start();
    let (sandbox, file) = with_credential_file();
    let out = login_with_stdin(
        &sandbox,
        sandbox.path(),
        &["--base-url", &fake.base_url()],
        "PMAK-wrong-key\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("refused this key"), "{stderr}");
    assert!(!stderr.contains("PMAK-wrong-key"), "{stderr}");
    assert_eq!(stored(&file), "");

    for (input, expected) in [("\n", "the key is empty"), ("", "the key is empty")] {
        let out = login_with_stdin(
            &sandbox,
            sandbox.path(),
            &["--base-url", &fake.base_url()],
            input,
        );
        assert!(!out.status.success(), "{input:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(expected));
    }
    assert_eq!(stored(&file), "");
    // An unreachable server: not stored unless asked to.
    let closed = "http://127.0.0.1:9";
    let out = login_with_stdin(&sandbox, sandbox.path(), &["--base-url", closed], API_KEY);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --no-verify"));
    assert_eq!(stored(&file), "");
    let out = login_with_stdin(
        &sandbox,
        sandbox.path(),
        &["--no-verify", "--base-url", closed],
        API_KEY,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stored(&file), stored_line(closed));
    // Plain http:// is for loopback addresses only.
    let stderr = postman_fails(
        &sandbox,
        sandbox.path(),
        &["logout", "--base-url", "http://example.com"],
    );
    assert!(
        stderr.contains("http:// only on a loopback address"),
        "{stderr}"
    );
}

#[test]
fn without_a_credential_helper_login_says_the_key_was_not_kept() {
    let fake = FakePostman::start();
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", None);
    let out = login_with_stdin(
        &sandbox,
        sandbox.path(),
        &["--base-url", &fake.base_url()],
        API_KEY,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no credential helper kept the key"),
        "{stderr}"
    );
    assert!(!stderr.contains(API_KEY));
}

#[test]
#[cfg(target_os = "linux")]
fn login_asks_on_the_terminal_and_never_echoes_the_key() {
    let fake = FakePostman::start();
    let (sandbox, file) = with_credential_file();
    let base = fake.base_url();
    // The key typed the instant the prompt shows, many times: never on the screen, and
    // each time checked with Postman and stored.
    support::pty::never_echoed(
        &format!("Postman API key for {base}: "),
        |_| {
            let args = ["postman", "login", "--base-url", &base];
            let cmd = git_in_sandbox(&sandbox, sandbox.path(), &args, &["GIT_TERMINAL_PROMPT"]);
            (cmd, API_KEY.to_string())
        },
        |i, _| {
            assert_eq!(stored(&file), stored_line(&base), "round {i}");
            std::fs::remove_file(&file).unwrap();
        },
    );
    assert_eq!(
        fake.requests().iter().filter(|r| r.path == "/me").count(),
        support::pty::ROUNDS
    );

    // GIT_TERMINAL_PROMPT=0 (the sandbox's default) forbids asking.
    let stderr = postman_fails(&sandbox, sandbox.path(), &["login", "--base-url", &base]);
    assert!(stderr.contains("terminal prompts are disabled"), "{stderr}");
    assert!(stderr.contains("--with-key-stdin"), "{stderr}");
}
