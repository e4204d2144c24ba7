//! Nothing waits for input nobody can see: run as IDEs run git (stdin not a terminal, no
//! controlling terminal, an askpass program set), a personal access token and the Postman
//! API key are asked through a real askpass script, found as git finds one
//! (`GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`); a failing askpass is one clear line.
//! The secret is never in an argument or on stderr; the PAT lands in a real keyring.
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod keyring;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use git_postman::credential::apps::AppUrl;
use git_postman::credential::{secrets, store::Store, StoreKind};
use keyring::{text, Keyring, Kind, HELPER};
use support::fake_postman::{FakePostman, API_KEY};
use support::git::{postman_url, Sandbox};

/// An askpass script in `dir` that logs each prompt (its argv) to `<dir>/prompts` and
/// answers `answer`, or fails (exit 1) when `answer` is `None`.
fn askpass_script(dir: &Path, answer: Option<&str>) -> PathBuf {
    let script = dir.join("askpass");
    let log = dir.join("prompts");
    let reply = match answer {
        Some(answer) => format!("printf '%s\\n' '{answer}'"),
        None => "echo 'askpass: cancelled' >&2; exit 1".to_string(),
    };
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\n{reply}\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn prompts(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("prompts"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `cmd` as a GUI runs it: no controlling terminal (a session of its own).
fn without_terminal(cmd: &mut Command) -> &mut Command {
    // SAFETY: setsid is async-signal-safe; nothing else runs before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        })
    }
}

/// How the askpass program is named to git.
#[derive(Clone, Copy, Debug)]
enum Named {
    GitAskpass,
    CoreAskPass,
    SshAskpass,
}

/// `git credential fill` through our helper for `url`, the askpass named `how`, with no
/// terminal; terminal prompts stay off (`GIT_TERMINAL_PROMPT=0`), as in many IDEs.
fn fill(k: &Keyring, url: &str, script: &Path, how: Named) -> Output {
    let mut cmd = k.command("git");
    let helper = format!("credential.helper={HELPER}");
    let ask_pass = format!("core.askPass={}", script.display());
    cmd.args(["-c", "credential.helper=", "-c", &helper]);
    match how {
        Named::GitAskpass => cmd.env("GIT_ASKPASS", script),
        Named::CoreAskPass => cmd.args(["-c", &ask_pass]),
        Named::SshAskpass => cmd.env("SSH_ASKPASS", script),
    };
    cmd.args(["credential", "fill"]);
    without_terminal(&mut cmd);
    keyring::run_with_input(cmd, format!("url={url}\n").as_bytes())
}

/// A keyring with an apps file naming one Azure DevOps Server collection; its URL.
fn collection(label: &str) -> Option<(Keyring, String)> {
    let k = Keyring::start(Kind::Keyutils)?;
    let url = format!("https://{}/tfs/DefaultCollection", k.host(label));
    let dir = k.home.path().join(".config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps.yaml"),
        format!("apps:\n  - name: TFS\n    provider: azure-devops-server\n    url: {url}\n"),
    )
    .unwrap();
    Some((k, url))
}

#[test]
fn a_personal_access_token_is_asked_through_askpass_as_git_finds_it() {
    for how in [Named::GitAskpass, Named::CoreAskPass, Named::SshAskpass] {
        let Some((k, url)) = collection("askpass-pat") else {
            return;
        };
        let token = format!("ado-pat-{how:?}-{}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        let script = askpass_script(dir.path(), Some(&token));

        let out = fill(&k, &format!("{url}/Proj/_git/repo"), &script, how);
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{how:?}: {stderr}");
        assert!(
            stdout.contains(&format!("password={token}\n")),
            "{how:?}: {stdout}"
        );
        assert!(
            !stderr.contains(&token),
            "{how:?}: the token on stderr: {stderr}"
        );
        // One question, from the helper, saying what it wants and that it is a password
        // (VS Code hides the answer then); never the token itself.
        assert_eq!(
            prompts(dir.path()),
            [format!(
                "Personal access token for {url} (TFS) (password): "
            )],
            "{how:?}"
        );
        let kept = secrets::get_pat(
            &Store::open(StoreKind::Keyutils).unwrap(),
            &AppUrl::parse(&url).unwrap(),
        )
        .unwrap();
        assert_eq!(kept.map(|p| p.token), Some(token.clone()), "{how:?}");

        // Kept: the next git command asks nobody.
        let again = fill(&k, &format!("{url}/Proj/_git/repo"), &script, how);
        assert!(text(&again.stdout).contains(&format!("password={token}\n")));
        assert_eq!(prompts(dir.path()).len(), 1, "{how:?}: asked again");
        secrets::delete(
            &Store::open(StoreKind::Keyutils).unwrap(),
            secrets::Kind::Pat,
            &AppUrl::parse(&url).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn a_failing_askpass_is_one_line_and_nothing_is_kept() {
    let Some((k, url)) = collection("askpass-fails") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let script = askpass_script(dir.path(), None);
    let out = fill(&k, &url, &script, Named::GitAskpass);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("git-credential-postman:"))
        .collect();
    assert_eq!(
        ours,
        [format!(
            "git-credential-postman: the askpass program '{}' gave no answer for personal \
             access token for {url} (TFS) (exit status: 1)",
            script.display()
        )],
        "{stderr}"
    );
    let kept = secrets::get_pat(
        &Store::open(StoreKind::Keyutils).unwrap(),
        &AppUrl::parse(&url).unwrap(),
    )
    .unwrap();
    assert!(kept.is_none());
}

/// The Postman API key, with no terminal and `GIT_ASKPASS` set: `git postman login` asks
/// through it, and so does git itself when the remote helper needs a key nobody stored.
#[test]
fn the_postman_api_key_is_asked_through_askpass() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", None);
    sandbox.set_env("GIT_TERMINAL_PROMPT", None);
    let file = sandbox.join("home/credentials");
    let store = format!("store --file={}", file.display());
    sandbox.git_ok(
        sandbox.path(),
        ["config", "--global", "credential.helper", &store],
    );
    let dir = tempfile::tempdir().unwrap();
    sandbox.set_env(
        "GIT_ASKPASS",
        Some(askpass_script(dir.path(), Some(API_KEY)).to_str().unwrap()),
    );
    let gui = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(sandbox.path())
            .env_clear()
            .envs(sandbox.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        without_terminal(&mut cmd).output().unwrap()
    };
    let base = fake.base_url();

    let out = gui(&["postman", "login", "--base-url", &base]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(API_KEY) && !text(&out.stdout).contains(API_KEY));
    assert_eq!(
        prompts(dir.path()),
        [format!("Postman API key for {base} (password): ")]
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains(API_KEY));

    // Nothing stored: git asks through the same program for the remote helper's key.
    std::fs::remove_file(&file).unwrap();
    let out = gui(&["clone", "-q", &postman_url(&fake, &api), "clone"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(API_KEY), "{stderr}");
    let host = base.trim_start_matches("http://");
    assert_eq!(
        prompts(dir.path())[1..],
        [format!("Password for 'http://postman-api-key@{host}': ")]
    );
    assert!(sandbox.join("clone/postman/schemas/index.yaml").is_file());
}
