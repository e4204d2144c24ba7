//! git-credential-postman's installed apps against real parts: a real OAuth server (npm
//! oidc-provider) and a real git server (`git http-backend`) in the test forge, real
//! `git clone` and `git push` over HTTP with the helper as git's credential helper, and a
//! real keyring (kernel keyutils in a throw-away session keyring).
//!
//! The user is played by `browser.sh` (set as the helper's browser: logs in and consents,
//! or aborts) and `approve-device.sh` (enters the device code on "another device").
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod support;

#[path = "support/oauth/mod.rs"]
mod oauth;

use std::io::Cursor;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clap::Parser;
use git_postman::credential::apps::{AppUrl, Locations};
use git_postman::credential::cli::{self, AppCommand, CliError, PatCommand};
use git_postman::credential::record::{self, Record};
use git_postman::credential::{secrets, store::Store, StoreKind};

use oauth::{approve_device, device_prompt, git_command, run, Flavor, Forge, ForgeOptions, Run};
use support::{Keyring, Kind};

/// One test's world: a keyring and HOME, a forge, and what the browser did.
struct World {
    k: Keyring,
    forge: Forge,
    browser_log: PathBuf,
    /// Secrets kept outside git's records, deleted at the end (keyutils entries also live
    /// in the user's persistent keyring, shared by every session).
    app_urls: Vec<String>,
}

impl Drop for World {
    fn drop(&mut self) {
        let host = self.forge.host();
        let _ = self
            .k
            .helper(&["erase"], &format!("protocol=http\nhost={host}\n"));
        if let Ok(store) = Store::open(StoreKind::Keyutils) {
            for url in &self.app_urls {
                let url = AppUrl::parse(url).unwrap();
                let _ = secrets::delete(&store, secrets::Kind::Pat, &url);
                let _ = secrets::delete(&store, secrets::Kind::ClientSecret, &url);
            }
        }
    }
}

impl World {
    fn start(options: ForgeOptions) -> Option<World> {
        if !oauth::available() {
            return None;
        }
        let k = Keyring::start(Kind::Keyutils)?;
        let forge = Forge::start(options);
        let browser_log = k.home.path().join("browser.log");
        let url = forge.url.clone();
        Some(World {
            k,
            forge,
            browser_log,
            app_urls: vec![url.clone(), format!("{url}/tfs/DefaultCollection")],
        })
    }

    fn locations(&self) -> Locations {
        Locations {
            system: Some(self.k.home.path().join("system-apps.yaml")),
            user: Some(self.k.home.path().join(".config/git-postman/apps.yaml")),
        }
    }

    /// `git postman app ...`, `stdin` its input.
    fn app(&self, args: &[&str], stdin: &str) -> Result<String, CliError> {
        #[derive(Parser)]
        struct Cli {
            #[command(subcommand)]
            command: AppCommand,
        }
        let cli = Cli::try_parse_from(std::iter::once("app").chain(args.iter().copied())).unwrap();
        let mut input = Cursor::new(stdin.as_bytes().to_vec());
        let mut out = Vec::new();
        cli::run_app_with(
            &cli.command,
            &mut cli::Context {
                locations: self.locations(),
                store: Some(StoreKind::Keyutils),
                input: &mut input,
                out: &mut out,
            },
        )?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// `git postman pat ...`, `stdin` its input.
    fn pat(&self, args: &[&str], stdin: &str) -> Result<String, CliError> {
        #[derive(Parser)]
        struct Cli {
            #[command(subcommand)]
            command: PatCommand,
        }
        let cli = Cli::try_parse_from(std::iter::once("pat").chain(args.iter().copied())).unwrap();
        let mut input = Cursor::new(stdin.as_bytes().to_vec());
        let mut out = Vec::new();
        cli::run_pat_with(
            &cli.command,
            &mut cli::Context {
                locations: self.locations(),
                store: Some(StoreKind::Keyutils),
                input: &mut input,
                out: &mut out,
            },
        )?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// Adds the test forge as an app.
    fn add_app(&self, provider: &str, client: Client, flow: &str) {
        self.add_app_with(provider, client, flow, &[]);
    }

    fn add_app_with(&self, provider: &str, client: Client, flow: &str, extra: &[&str]) {
        let mut args = vec![
            "add",
            "--name",
            "Test Forge",
            "--provider",
            provider,
            "--url",
            &self.forge.url,
            "--flow",
            flow,
        ];
        let stdin = match client {
            Client::Public => {
                args.extend(["--client-id", "cli-public"]);
                ""
            }
            Client::Secret(secret) => {
                args.extend(["--client-id", "cli-secret", "--client-secret-stdin"]);
                secret
            }
        };
        args.extend(extra);
        let out = self.app(&args, &format!("{stdin}\n")).unwrap();
        assert!(out.contains("Added app 'Test Forge'"), "{out}");
    }

    /// git, with the test browser configured (acting as `FAKE_USER`, doing `action`).
    fn git(&self, args: &[&str], browser_action: Option<&str>) -> Command {
        let mut cmd = git_command(&self.k, args);
        cmd.env(
            "GIT_POSTMAN_SYSTEM_APPS",
            self.k.home.path().join("system-apps.yaml"),
        )
        .env("FAKE_BROWSER_LOG", &self.browser_log)
        .env("FAKE_USER", "alice");
        if let Some(action) = browser_action {
            cmd.env("GIT_POSTMAN_BROWSER", oauth::browser_script())
                .env("FAKE_BROWSER_ACTION", action);
        }
        cmd
    }

    fn clone_url(&self) -> String {
        format!("{}/git/demo.git", self.forge.url)
    }

    fn work(&self) -> PathBuf {
        self.k.home.path().join("work")
    }

    /// A new commit in the clone, pushed.
    fn commit_and_push(&self, message: &str, browser_action: Option<&str>) -> Run {
        let work = self.work();
        std::fs::write(work.join(format!("{message}.txt")), message).unwrap();
        let w = work.to_str().unwrap();
        run(self.git(&["-C", w, "add", "."], None), |_| {}).assert_ok();
        run(
            self.git(&["-C", w, "commit", "-q", "-m", message], None),
            |_| {},
        )
        .assert_ok();
        run(
            self.git(&["-C", w, "push", "-q", "origin", "main"], browser_action),
            |_| {},
        )
    }

    fn browser_starts(&self) -> usize {
        std::fs::read_to_string(&self.browser_log)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// What the keyring holds for the forge now (the newest record with a password, as
    /// the helper would answer it), read directly: a `get` could refresh or log in.
    fn stored(&self) -> String {
        let store = Store::open(StoreKind::Keyutils).unwrap();
        let service = record::service(b"http", self.forge.host().as_bytes());
        let newest = store
            .find(&service)
            .unwrap()
            .iter()
            .filter_map(|s| Record::parse(&s.secret))
            .filter(|r| r.credential.password.is_some())
            .max_by_key(|r| r.stored_ns);
        let mut out = Vec::new();
        if let Some(r) = newest {
            r.credential
                .write_answer(Default::default(), &mut out)
                .unwrap();
        }
        String::from_utf8(out).unwrap()
    }
}

#[derive(Clone, Copy)]
enum Client {
    Public,
    Secret(&'static str),
}

fn field<'a>(answer: &'a str, key: &str) -> Option<&'a str> {
    answer
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
}

#[test]
fn browser_login_for_ghes_then_clone_and_push_silently() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    // A confidential app whose secret the admin gave on stdin: kept in the keyring.
    w.add_app(
        "github-enterprise",
        Client::Secret("cli-secret-value"),
        "auto",
    );
    let text = std::fs::read_to_string(w.locations().user.unwrap()).unwrap();
    assert!(!text.contains("cli-secret-value"), "{text}");

    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    );
    clone.assert_ok();
    assert_eq!(w.browser_starts(), 1);
    assert!(
        clone
            .stderr
            .contains("opening your browser to log in to Test Forge"),
        "{}",
        clone.stderr
    );
    // GHES: the username is the user's login (the forge insists on it).
    let stored = w.stored();
    assert_eq!(field(&stored, "username"), Some("alice"), "{stored}");
    assert!(field(&stored, "password").is_some_and(|p| p.len() > 20));
    assert!(field(&stored, "oauth_refresh_token").is_some(), "{stored}");
    assert!(
        w.forge.count("git alice 200") >= 1,
        "{:?}",
        w.forge.events()
    );

    // Later commands use the stored token: no browser, nothing said.
    let push = w.commit_and_push("second", Some("consent"));
    push.assert_ok();
    assert_eq!(w.browser_starts(), 1);
    assert!(push.stderr.is_empty(), "{}", push.stderr);
    assert_eq!(w.forge.count("grant authorization_code"), 1);
    eprintln!(
        "browser login + clone: {:?}; push with the stored token: {:?}",
        clone.elapsed, push.elapsed
    );
}

#[test]
fn device_login_for_gitlab_without_a_display() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Gitlab,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    // flow auto, no display, no browser configured: the device flow.
    w.add_app("gitlab", Client::Public, "auto");
    let mut approved = String::new();
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            None,
        ),
        |line| {
            if let Some((uri, code)) = device_prompt(line) {
                assert!(uri.ends_with("/oauth/device"), "{line}");
                approved = approve_device(&uri, &code, "bob", "approve");
            }
        },
    );
    clone.assert_ok();
    assert!(approved.contains("Sign-in Success"), "{approved}");
    assert_eq!(w.browser_starts(), 0);
    // GitLab: username oauth2 (the forge insists), and an expiry from expires_in.
    let stored = w.stored();
    assert_eq!(field(&stored, "username"), Some("oauth2"), "{stored}");
    let expiry: u64 = field(&stored, "password_expiry_utc")
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        expiry > now + 3000 && expiry <= now + 3600,
        "{expiry} vs {now}"
    );
    w.commit_and_push("after-device", None).assert_ok();
    eprintln!("device login + clone: {:?}", clone.elapsed);
}

#[test]
fn device_login_for_ghes_polls_through_errors_sent_with_http_200() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app("github-enterprise", Client::Public, "device");
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |line| {
            if let Some((uri, code)) = device_prompt(line) {
                assert!(uri.ends_with("/login/device"), "{line}");
                approve_device(&uri, &code, "carol", "approve");
            }
        },
    );
    clone.assert_ok();
    // flow: device wins over a configured browser.
    assert_eq!(w.browser_starts(), 0);
    let pending = "grant urn:ietf:params:oauth:grant-type:device_code 200 authorization_pending";
    assert!(w.forge.count(pending) >= 1, "{:?}", w.forge.events());
    assert_eq!(field(&w.stored(), "username"), Some("carol"));
}

#[test]
fn legacy_localhost_redirect_for_ghes() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app_with(
        "github-enterprise",
        Client::Public,
        "browser",
        &["--redirect-uri", "http://localhost/"],
    );
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    );
    clone.assert_ok();
    assert!(
        clone
            .stderr
            .contains("redirect_uri=http%3A%2F%2Flocalhost%3A"),
        "{}",
        clone.stderr
    );
    assert_eq!(w.browser_starts(), 1);
}

#[test]
fn expired_token_is_refreshed_without_the_browser() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Gitlab,
        token_ttl: Some(4),
        pats: &[],
    }) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    )
    .assert_ok();
    let first = w.stored();
    std::thread::sleep(Duration::from_secs(5));
    // git drops the expired token; the helper refreshes with the stored refresh token.
    // The browser must not be needed: it would abort.
    let push = w.commit_and_push("after-expiry", Some("abort"));
    push.assert_ok();
    assert!(push.stderr.is_empty(), "{}", push.stderr);
    assert_eq!(w.browser_starts(), 1);
    assert_eq!(
        w.forge.count("grant refresh_token 200"),
        1,
        "{:?}",
        w.forge.events()
    );
    eprintln!("push with a silent refresh: {:?}", push.elapsed);
    let second = w.stored();
    assert_ne!(field(&first, "password"), field(&second, "password"));
    // A public client's refresh tokens rotate: the new one replaced the used one.
    assert_ne!(
        field(&first, "oauth_refresh_token"),
        field(&second, "oauth_refresh_token")
    );
}

#[test]
fn revoked_token_is_erased_and_the_next_command_signs_in_again() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app("github-enterprise", Client::Public, "browser");
    run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    )
    .assert_ok();
    let before = w.stored();
    w.forge.revoke_all_access_tokens();

    // The stored token is refused: git says so and calls `erase`.
    let push = w.commit_and_push("revoked", Some("consent"));
    assert!(!push.status.success(), "{push:?} {:?}", w.forge.events());
    assert!(
        push.stderr.contains("Authentication failed"),
        "{}",
        push.stderr
    );
    assert_eq!(w.stored(), "", "the rejected token must be gone");

    // The next command gets a new token, silently, from the kept refresh token.
    let again = run(
        w.git(
            &[
                "-C",
                w.work().to_str().unwrap(),
                "push",
                "-q",
                "origin",
                "main",
            ],
            Some("consent"),
        ),
        |_| {},
    );
    again.assert_ok();
    assert_eq!(
        w.forge.count("grant refresh_token 200"),
        1,
        "{:?}",
        w.forge.events()
    );
    assert_eq!(w.browser_starts(), 1);
    assert_ne!(field(&before, "password"), field(&w.stored(), "password"));
}

#[test]
fn refused_refresh_token_falls_back_to_the_browser() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Gitlab,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    )
    .assert_ok();
    // A refresh token the server does not know (a wiped server, a revoked grant), put in
    // the stored record through the helper's own `store`.
    let host = format!("protocol=http\nhost={}\n", w.forge.host());
    let record: String = w
        .stored()
        .lines()
        .map(|line| match line.split_once('=') {
            Some(("oauth_refresh_token", _)) => {
                "oauth_refresh_token=unknown-to-the-server\n".to_string()
            }
            _ => format!("{line}\n"),
        })
        .collect();
    support::assert_quiet_success(&w.k.helper(&["erase"], &host));
    support::assert_quiet_success(&w.k.helper(&["store"], &format!("{host}{record}")));

    // The access token is revoked: one failure, then the refresh is refused and the
    // browser opens again.
    w.forge.revoke_all_access_tokens();
    assert!(!w.commit_and_push("x", Some("consent")).status.success());
    let again = run(
        w.git(
            &[
                "-C",
                w.work().to_str().unwrap(),
                "push",
                "-q",
                "origin",
                "main",
            ],
            Some("consent"),
        ),
        |_| {},
    );
    again.assert_ok();
    assert_eq!(
        w.forge.count("grant refresh_token 400 invalid_grant"),
        1,
        "{:?}",
        w.forge.events()
    );
    assert_eq!(w.browser_starts(), 2);
    let now = w.stored();
    assert!(
        field(&now, "oauth_refresh_token").is_some_and(|t| t != "unknown-to-the-server"),
        "{now}"
    );
}

#[test]
fn wrong_client_secret_is_one_clear_error() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app(
        "github-enterprise",
        Client::Secret("not-the-secret"),
        "browser",
    );
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("consent"),
        ),
        |_| {},
    );
    assert!(!clone.status.success());
    assert!(
        clone.stderr.contains(&format!(
            "git-credential-postman: Test Forge ({}): the server refused the app's client credentials (invalid_client",
            w.forge.url
        )),
        "{}",
        clone.stderr
    );
    assert!(
        clone
            .stderr
            .contains("check its client_id and client_secret"),
        "{}",
        clone.stderr
    );
    assert!(!clone.stderr.contains("not-the-secret"), "{}", clone.stderr);
    assert_eq!(w.stored(), "");
}

#[test]
fn user_aborting_is_one_clear_error() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Gitlab,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    // In the browser.
    w.add_app("gitlab", Client::Public, "browser");
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            Some("abort"),
        ),
        |_| {},
    );
    assert!(!clone.status.success());
    assert!(
        clone
            .stderr
            .contains("the login was cancelled (access_denied"),
        "{}",
        clone.stderr
    );
    assert_eq!(w.stored(), "");

    // On the device.
    w.app(&["remove", "Test Forge"], "").unwrap();
    w.add_app("gitlab", Client::Public, "device");
    let clone = run(
        w.git(
            &["clone", "-q", &w.clone_url(), w.work().to_str().unwrap()],
            None,
        ),
        |line| {
            if let Some((uri, code)) = device_prompt(line) {
                approve_device(&uri, &code, "alice", "abort");
            }
        },
    );
    assert!(!clone.status.success());
    assert!(
        clone
            .stderr
            .contains("the login was cancelled (access_denied"),
        "{}",
        clone.stderr
    );
}

#[test]
fn no_prompts_allowed_fails_fast_with_one_line() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Gitlab,
        token_ttl: None,
        pats: &[],
    }) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    for (env, config, why) in [
        (
            Some(("GIT_TERMINAL_PROMPT", "0")),
            None,
            "terminal prompts are disabled (GIT_TERMINAL_PROMPT=0)",
        ),
        (
            None,
            Some("credential.interactive=never"),
            "interaction is disabled (credential.interactive=never)",
        ),
    ] {
        let (url, target) = (w.clone_url(), w.work());
        let mut args: Vec<&str> = Vec::new();
        if let Some(c) = config {
            args.extend(["-c", c]);
        }
        args.extend(["clone", "-q", url.as_str(), target.to_str().unwrap()]);
        let mut cmd = w.git(&args, Some("consent"));
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let clone = run(cmd, |_| {});
        assert!(!clone.status.success());
        let ours: Vec<&str> = clone
            .stderr
            .lines()
            .filter(|l| l.starts_with("git-credential-postman:"))
            .collect();
        assert_eq!(
            ours,
            [format!(
                "git-credential-postman: {} needs you to log in, but {why}",
                w.forge.url
            )],
            "{}",
            clone.stderr
        );
        assert_eq!(w.browser_starts(), 0);
        assert!(
            clone.elapsed < Duration::from_secs(10),
            "{:?}",
            clone.elapsed
        );
    }
}

#[test]
fn personal_access_token_for_an_azure_devops_server_collection() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &["ado-pat-1"],
    }) else {
        return;
    };
    let collection = format!("{}/tfs/DefaultCollection", w.forge.url);
    let repo = format!("{collection}/Proj/_git/repo");

    // A token that does not work: git rejects it, the helper forgets it.
    let out = w
        .pat(
            &["add", &collection, "--username", "alice", "--token-stdin"],
            "bad-pat\n",
        )
        .unwrap();
    assert!(
        out.contains(&format!(
            "Kept the personal access token for {collection} (username alice)"
        )),
        "{out}"
    );
    assert!(!out.contains("bad-pat"), "{out}");
    let clone = run(
        w.git(&["clone", "-q", &repo, w.work().to_str().unwrap()], None),
        |_| {},
    );
    assert!(!clone.status.success());
    let list = w.pat(&["list"], "").unwrap();
    assert!(list.contains("none (asked for at first use)"), "{list}");

    // The right one: clone and push with it, no prompt.
    w.pat(
        &["add", &collection, "--username", "alice", "--token-stdin"],
        "ado-pat-1\n",
    )
    .unwrap();
    let list = w.pat(&["list"], "").unwrap();
    assert!(list.contains("kept (username alice)"), "{list}");
    assert!(!list.contains("ado-pat-1"), "{list}");
    let clone = run(
        w.git(&["clone", "-q", &repo, w.work().to_str().unwrap()], None),
        |_| {},
    );
    clone.assert_ok();
    assert!(clone.stderr.is_empty(), "{}", clone.stderr);
    w.commit_and_push("via-pat", None).assert_ok();
    assert!(
        w.forge.count("git alice 200") >= 2,
        "{:?}",
        w.forge.events()
    );

    let out = w.pat(&["remove", &collection], "").unwrap();
    assert!(out.contains("Forgot"), "{out}");
    assert!(w
        .pat(&["list"], "")
        .unwrap()
        .contains("No Azure DevOps Server URLs"));
}

#[test]
fn personal_access_token_typed_once_on_the_terminal() {
    let Some(w) = World::start(ForgeOptions {
        flavor: Flavor::Github,
        token_ttl: None,
        pats: &["ado-pat-2"],
    }) else {
        return;
    };
    if support::which("script").is_none() {
        support::skip_or_fail("the terminal test needs `script` (util-linux)");
        return;
    }
    let collection = format!("{}/tfs/DefaultCollection", w.forge.url);
    std::fs::create_dir_all(w.k.home.path().join(".config/git-postman")).unwrap();
    std::fs::write(
        w.locations().user.unwrap(),
        format!("apps:\n  - name: TFS\n    provider: azure-devops-server\n    url: {collection}\n"),
    )
    .unwrap();
    let repo = format!("{collection}/Proj/_git/repo");
    // `script` gives git a terminal: what it shows is on script's stdout, what we write to
    // script's stdin is what the user types.
    let git_line = format!(
        "git -c credential.helper= -c credential.helper={} clone -q {repo} {}",
        support::HELPER,
        w.work().display()
    );
    let like_git = w.git(&[], None);
    let mut script = Command::new("script");
    script.args(["-qec", &git_line, "/dev/null"]);
    for (key, value) in like_git.get_envs() {
        match value {
            Some(v) => script.env(key, v),
            None => script.env_remove(key),
        };
    }
    script
        .current_dir(w.k.home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let (shown, status) = terminal_session(script, "Personal access token for", b"ado-pat-2\n");
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains(&format!("Personal access token for {collection} (TFS):")),
        "{shown}"
    );
    assert!(
        !shown.contains("ado-pat-2"),
        "the token was echoed: {shown}"
    );

    // Kept: the next clone needs no terminal at all.
    let again = run(
        w.git(
            &[
                "clone",
                "-q",
                &repo,
                w.k.home.path().join("again").to_str().unwrap(),
            ],
            None,
        ),
        |_| {},
    );
    again.assert_ok();
}

/// Runs `cmd` (a `script` session), types `answer` once `prompt` is on the terminal, and
/// returns what the terminal showed and the exit status; bounded in time.
fn terminal_session(
    mut cmd: Command,
    prompt: &str,
    answer: &[u8],
) -> (String, std::process::ExitStatus) {
    use std::io::{Read, Write};
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut shown = Vec::new();
    let mut answered = false;
    let status = loop {
        while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(20)) {
            shown.extend(chunk);
        }
        if !answered && String::from_utf8_lossy(&shown).contains(prompt) {
            stdin.write_all(answer).unwrap();
            stdin.flush().unwrap();
            answered = true;
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "terminal session timed out; it showed: {}",
                String::from_utf8_lossy(&shown)
            );
        }
    };
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
        shown.extend(chunk);
    }
    drop(stdin);
    (String::from_utf8_lossy(&shown).into_owned(), status)
}

#[test]
fn a_bad_apps_file_names_file_line_and_field() {
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let dir = k.home.path().join(".config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps.yaml"),
        "apps:\n  - name: x\n    provider: gitlab\n    url: https://h.example.com\n    client_id: a\n    flow: sometimes\n",
    )
    .unwrap();
    let host = k.host("badfile");
    let out = k.helper(&["get"], &format!("protocol=https\nhost={host}\n"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("git-postman/apps.yaml:6:"), "{err}");
    assert!(
        err.contains("apps[0].flow: unknown variant `sometimes`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn hosts_no_app_covers_stay_silent_and_cheap() {
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let dir = k.home.path().join(".config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps.yaml"),
        "apps:\n  - {name: x, provider: gitlab, url: 'https://gitlab.example.com', client_id: a}\n",
    )
    .unwrap();
    let host = k.host("plain");
    let out = k.helper(&["get"], &format!("protocol=https\nhost={host}\n"));
    support::assert_quiet_success(&out);
    assert!(out.stdout.is_empty());
}
