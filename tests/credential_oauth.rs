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

#[path = "support/pty.rs"]
mod pty;

#[path = "support/leaks.rs"]
mod leaks;

use std::io::Cursor;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clap::{FromArgMatches, Subcommand};
use git_postman::credential::apps::{AppUrl, Locations};
use git_postman::credential::cli::{self, AppCommand, CliError, PatCommand};
use git_postman::credential::record;
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
        self.porcelain::<AppCommand>("app", args, stdin, cli::run_app_with)
    }

    /// `git postman pat ...`, `stdin` its input.
    fn pat(&self, args: &[&str], stdin: &str) -> Result<String, CliError> {
        self.porcelain::<PatCommand>("pat", args, stdin, cli::run_pat_with)
    }

    /// `git postman <name> args...` parsed as `C` and run by `run_with` on this world's
    /// apps files and keyring, `stdin` its input; what it printed.
    fn porcelain<C: Subcommand + FromArgMatches>(
        &self,
        name: &'static str,
        args: &[&str],
        stdin: &str,
        run_with: fn(&C, &mut cli::Context) -> Result<(), CliError>,
    ) -> Result<String, CliError> {
        let matches = C::augment_subcommands(clap::Command::new(name).subcommand_required(true))
            .try_get_matches_from(std::iter::once(name).chain(args.iter().copied()))
            .unwrap();
        let command = C::from_arg_matches(&matches).unwrap();
        let mut input = Cursor::new(stdin.as_bytes().to_vec());
        let mut out = Vec::new();
        run_with(
            &command,
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
            Client::CallbackOnly => {
                args.extend(["--client-id", "cli-callback"]);
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

    /// `git <options> clone -q <url> <target>`, the browser doing `browser_action`.
    fn clone_command(
        &self,
        options: &[&str],
        url: &str,
        target: &Path,
        browser_action: Option<&str>,
    ) -> Command {
        let mut args = options.to_vec();
        args.extend(["clone", "-q", url, target.to_str().unwrap()]);
        self.git(&args, browser_action)
    }

    /// `git clone -q <url> <target>`, run to the end.
    fn clone_repo(&self, url: &str, target: &Path, browser_action: Option<&str>) -> Run {
        run(self.clone_command(&[], url, target, browser_action), |_| {})
    }

    /// The forge's `demo.git` cloned into [`World::work`].
    fn clone(&self, browser_action: Option<&str>) -> Run {
        self.clone_with(browser_action, |_| {})
    }

    /// [`World::clone`], `on_stderr_line` seeing what git says as it comes.
    fn clone_with(&self, browser_action: Option<&str>, on_stderr_line: impl FnMut(&str)) -> Run {
        let cmd = self.clone_command(&[], &self.clone_url(), &self.work(), browser_action);
        run(cmd, on_stderr_line)
    }

    fn clone_url(&self) -> String {
        format!("{}/git/demo.git", self.forge.url)
    }

    fn work(&self) -> PathBuf {
        self.k.home.path().join("work")
    }

    /// `git -C <work> <args>`, run to the end.
    fn in_work(&self, args: &[&str], browser_action: Option<&str>) -> Run {
        let work = self.work();
        let mut all = vec!["-C", work.to_str().unwrap()];
        all.extend(args);
        run(self.git(&all, browser_action), |_| {})
    }

    /// The clone's `main` pushed.
    fn push(&self, browser_action: Option<&str>) -> Run {
        self.in_work(&["push", "-q", "origin", "main"], browser_action)
    }

    /// A new commit in the clone, pushed.
    fn commit_and_push(&self, message: &str, browser_action: Option<&str>) -> Run {
        std::fs::write(self.work().join(format!("{message}.txt")), message).unwrap();
        self.in_work(&["add", "."], None).assert_ok();
        self.in_work(&["commit", "-q", "-m", message], None)
            .assert_ok();
        self.push(browser_action)
    }

    fn browser_starts(&self) -> usize {
        std::fs::read_to_string(&self.browser_log)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// The stored tokens expire (by their records, not by waiting for them).
    fn expire_stored(&self) {
        let store = Store::open(StoreKind::Keyutils).unwrap();
        let service = record::service(b"http", self.forge.host().as_bytes());
        for mut r in record::load(&store, &service).unwrap() {
            r.credential.password_expiry_utc = Some(1);
            r.save(&store).unwrap();
        }
    }

    /// What the keyring holds for the forge now (the newest record with a password, as
    /// the helper would answer it), read directly: a `get` could refresh or log in.
    fn stored(&self) -> String {
        let store = Store::open(StoreKind::Keyutils).unwrap();
        let service = record::service(b"http", self.forge.host().as_bytes());
        let newest = record::load(&store, &service)
            .unwrap()
            .into_iter()
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
    /// A public client the forge knows with the redirect URI http://127.0.0.1/callback only:
    /// it refuses every login the helper starts, with an error page and no redirect.
    CallbackOnly,
    Secret(&'static str),
}

/// The helper's own lines on git's stderr.
fn helper_lines(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("git-credential-postman:"))
        .collect()
}

/// A browser login (with the default redirect URI) that failed: git failed and the helper
/// said two lines, the browser line ([`assert_browser_line`]) and the error, returned.
#[track_caller]
fn failed_browser_login<'a>(clone: &'a Run, w: &World, timeout: u64, authorize: &str) -> &'a str {
    assert!(!clone.status.success());
    let ours = helper_lines(clone);
    assert_eq!(ours.len(), 2, "{}", clone.stderr);
    assert_browser_line(
        ours[0],
        w,
        timeout,
        "http://127.0.0.1",
        "http://127.0.0.1/ (any port)",
        authorize,
    );
    ours[1]
}

/// Checks, word for word, the line the helper prints when it opens the browser: it waits
/// `timeout` s for the browser to come back to `listen` (`http://127.0.0.1`) on the port
/// it listens on, names the redirect URI the app must allow (`register`) and Ctrl-C, and
/// ends with the login page at the forge's `authorize` path, which sends that redirect.
#[track_caller]
fn assert_browser_line(
    line: &str,
    w: &World,
    timeout: u64,
    listen: &str,
    register: &str,
    authorize: &str,
) {
    let port = line
        .split_once(&format!("come back to {listen}:"))
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(port, _)| port)
        .unwrap_or_else(|| panic!("{line}"));
    let page = line
        .rsplit_once(" visit ")
        .unwrap_or_else(|| panic!("{line}"))
        .1;
    assert_eq!(
        line,
        format!(
            "git-credential-postman: waiting up to {timeout} s for your browser to log in to \
             Test Forge ({}) and come back to {listen}:{port}/; the app must allow the redirect \
             URI {register}. Ctrl-C cancels. If no browser opens, visit {page}",
            w.forge.url
        )
    );
    assert!(
        page.starts_with(&format!("{}{authorize}?", w.forge.url)),
        "{page}"
    );
    let sent = format!("{listen}:{port}/")
        .replace(':', "%3A")
        .replace('/', "%2F");
    assert!(page.contains(&format!("redirect_uri={sent}")), "{page}");
}

fn field<'a>(answer: &'a str, key: &str) -> Option<&'a str> {
    answer
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
}

/// The user on another device, as git's stderr shows the helper's device-flow line:
/// asserts the verification URI ends with `uri_suffix` (`""`: any), enters the code as
/// `login` doing `action`, and keeps the page the approver saw in `page`.
fn device_user<'a>(
    uri_suffix: &'a str,
    login: &'a str,
    action: &'a str,
    page: &'a mut String,
) -> impl FnMut(&str) + 'a {
    move |line| {
        if let Some((uri, code)) = device_prompt(line) {
            assert!(uri.ends_with(uri_suffix), "{line}");
            *page = approve_device(&uri, &code, login, action);
        }
    }
}

#[test]
fn browser_login_for_ghes_then_clone_and_push_silently() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
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

    let clone = w.clone(Some("consent"));
    clone.assert_ok();
    assert_eq!(w.browser_starts(), 1);
    assert_browser_line(
        helper_lines(&clone)[0],
        &w,
        120,
        "http://127.0.0.1",
        "http://127.0.0.1/ (any port)",
        "/login/oauth/authorize",
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
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    // flow auto, no display, no browser configured: the device flow.
    w.add_app("gitlab", Client::Public, "auto");
    let mut approved = String::new();
    let clone = w.clone_with(
        None,
        device_user("/oauth/device", "bob", "approve", &mut approved),
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
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    w.add_app("github-enterprise", Client::Public, "device");
    let mut approved = String::new();
    let clone = w.clone_with(
        Some("consent"),
        device_user("/login/device", "carol", "approve", &mut approved),
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
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    w.add_app_with(
        "github-enterprise",
        Client::Public,
        "browser",
        &["--redirect-uri", "http://localhost/"],
    );
    let clone = w.clone(Some("consent"));
    clone.assert_ok();
    assert_browser_line(
        helper_lines(&clone)[0],
        &w,
        120,
        "http://localhost",
        "http://localhost/ (any port)",
        "/login/oauth/authorize",
    );
    assert_eq!(w.browser_starts(), 1);
}

#[test]
fn expired_token_is_refreshed_without_the_browser() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    w.clone(Some("consent")).assert_ok();
    let first = w.stored();
    assert!(
        field(&first, "password_expiry_utc").is_some(),
        "an expiring token is kept with its expiry: {first}"
    );
    // Expired by its record, not by waiting: a slow machine cannot make this flaky.
    w.expire_stored();
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

/// Processes blocked on the file lock `path` (the `->` lines of `/proc/locks` for its
/// inode).
fn lock_waiters(path: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let Ok(inode) = std::fs::metadata(path).map(|m| m.ino().to_string()) else {
        return 0;
    };
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .filter(|l| l.contains(" -> "))
        .filter(|l| {
            l.split_whitespace()
                .any(|f| f.split(':').count() == 3 && f.rsplit(':').next() == Some(&inode))
        })
        .count()
}

#[test]
fn concurrent_gets_with_an_expired_token_refresh_once() {
    const N: usize = 4;
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    w.clone(Some("consent")).assert_ok();
    let before = w.stored();
    w.expire_stored();

    // N `git credential fill`s at once. The first refresh is held at the forge until
    // the other N-1 helpers wait for the lock, so all N need the refresh at the same time.
    // A browser would abort (and be counted).
    w.forge.hold_token_requests();
    let input = format!("protocol=http\nhost={}\n\n", w.forge.host());
    let fills: Vec<std::process::Child> = (0..N)
        .map(|_| {
            let mut cmd = w.git(&["credential", "fill"], Some("abort"));
            cmd.stdin(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            std::io::Write::write_all(&mut stdin, input.as_bytes()).unwrap();
            child
        })
        .collect();
    let locks = w.k.home.path().join("git-postman");
    let deadline = std::time::Instant::now() + oauth::GIT_TIMEOUT;
    loop {
        let held = w.forge.count("token-held");
        assert!(held <= 1, "two refreshes at once: {:?}", w.forge.events());
        let lock_file = std::fs::read_dir(&locks)
            .into_iter()
            .flatten()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("refresh-")
            });
        if held == 1 && lock_file.is_some_and(|f| lock_waiters(&f) == N - 1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the helpers never all waited: {:?}",
            w.forge.events()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    w.forge.release_token_requests();

    let answers: Vec<String> = fills
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && stderr.is_empty(), "{stderr}");
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    let refreshes: Vec<String> = w
        .forge
        .events()
        .into_iter()
        .filter(|e| e.starts_with("grant refresh_token"))
        .collect();
    assert_eq!(refreshes, ["grant refresh_token 200 -"]);
    assert_eq!(w.browser_starts(), 1, "only the first clone's");
    // Everyone got the fresh token, the one kept, which the forge takes.
    let now = w.stored();
    let fresh = field(&now, "password");
    assert_ne!(fresh, field(&before, "password"));
    assert_ne!(
        field(&now, "oauth_refresh_token"),
        field(&before, "oauth_refresh_token")
    );
    for answer in &answers {
        assert_eq!(field(answer, "password"), fresh, "{answer}");
    }
    let fetch = w.in_work(&["fetch", "-q"], Some("abort"));
    fetch.assert_ok();
    assert!(fetch.stderr.is_empty(), "{}", fetch.stderr);
    assert_eq!(w.forge.count("grant refresh_token"), 1);
}

#[test]
fn no_secret_reaches_output_traces_argv_or_files() {
    const PAT: &str = "ado-pat-known-secret-7f3a";
    const CLIENT_SECRET: &str = "cli-secret-value";
    let Some(w) = World::start(ForgeOptions {
        pats: &[PAT],
        ..ForgeOptions::new(Flavor::Github)
    }) else {
        return;
    };
    let traces = tempfile::tempdir().unwrap();
    let traced = |mut cmd: Command| {
        cmd.env("GIT_TRACE", traces.path().join("trace"))
            .env("GIT_TRACE2", traces.path().join("trace2"))
            .env("GIT_TRACE2_EVENT", traces.path().join("trace2-event"))
            .env("GIT_CURL_VERBOSE", "1");
        run(cmd, |_| {})
    };
    let in_work = |args: &[&str]| {
        let work = w.work();
        let mut all = vec!["-C", work.to_str().unwrap()];
        all.extend(args);
        traced(w.git(&all, Some("abort")))
    };
    let sampler = leaks::ProcessSampler::start();
    let mut runs = Vec::new();
    let mut tokens = std::collections::BTreeSet::new();
    let mut keep_tokens = |stored: String| {
        for key in ["password", "oauth_refresh_token"] {
            tokens.insert(field(&stored, key).unwrap().to_string());
        }
    };

    // Every flow: the client secret given on stdin, a browser login and clone, a push with
    // the stored token, a silent refresh, a personal access token.
    w.add_app(
        "github-enterprise",
        Client::Secret(CLIENT_SECRET),
        "browser",
    );
    runs.push(traced(w.clone_command(
        &[],
        &w.clone_url(),
        &w.work(),
        Some("consent"),
    )));
    keep_tokens(w.stored());
    std::fs::write(w.work().join("x.txt"), "x").unwrap();
    in_work(&["add", "."]).assert_ok();
    in_work(&["commit", "-q", "-m", "x"]).assert_ok();
    runs.push(in_work(&["push", "origin", "main"]));
    w.expire_stored();
    runs.push(in_work(&["fetch", "origin"]));
    keep_tokens(w.stored());
    // The collection on the forge's host: with credential.useHttpPath, or the host's OAuth
    // app and tokens would answer for it.
    let host = format!("protocol=http\nhost={}\n", w.forge.host());
    support::assert_quiet_success(&w.k.helper(&["erase"], &host));
    let collection = format!("{}/tfs/DefaultCollection", w.forge.url);
    w.pat(
        &["add", &collection, "--username", "alice", "--token-stdin"],
        &format!("{PAT}\n"),
    )
    .unwrap();
    let ado = w.k.home.path().join("ado");
    runs.push(traced(w.clone_command(
        &["-c", "credential.useHttpPath=true"],
        &format!("{collection}/Proj/_git/repo"),
        &ado,
        None,
    )));
    let sampled = sampler.finish();

    for run in &runs {
        run.assert_ok();
    }
    assert_eq!(w.forge.count("grant refresh_token 200"), 1);
    // Two access tokens and the refresh token (a confidential client's is not rotated).
    assert_eq!(tokens.len(), 3, "{}", tokens.len());
    let secrets: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .chain([PAT, CLIENT_SECRET])
        .collect();
    let mut places: Vec<(String, String)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            [
                (format!("stdout of command {i}"), r.stdout.clone()),
                (format!("stderr of command {i}"), r.stderr.clone()),
            ]
        })
        .collect();
    places.extend(
        sampled
            .argv
            .into_iter()
            .map(|a| ("a process's argv".to_string(), a)),
    );
    // The traces, and every file written in HOME (apps file, lock files, clones).
    for dir in [traces.path(), w.k.home.path()] {
        places.extend(
            leaks::files_below(dir)
                .into_iter()
                .map(|(p, text)| (p.display().to_string(), text)),
        );
    }
    // The traces did trace what is checked: git's requests with their credentials.
    let traced_auth = places
        .iter()
        .filter(|(_, text)| text.contains("Authorization: Basic <redacted>"))
        .count();
    assert!(traced_auth >= 2, "{traced_auth}");
    let checked = leaks::assert_no_secret_in(&places, &secrets);
    eprintln!("{} secrets checked in {checked} places", secrets.len());
}

#[test]
fn revoked_token_is_erased_and_the_next_command_signs_in_again() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    w.add_app("github-enterprise", Client::Public, "browser");
    w.clone(Some("consent")).assert_ok();
    let before = w.stored();
    w.forge.revoke_all_access_tokens();

    // The stored token is refused: git says so and calls `erase`.
    let push = w.commit_and_push("revoked", Some("consent"));
    assert!(!push.status.success(), "{push:?} {:?}", w.forge.events());
    push.assert_stderr_has("Authentication failed");
    assert_eq!(w.stored(), "", "the rejected token must be gone");

    // The next command gets a new token, silently, from the kept refresh token.
    w.push(Some("consent")).assert_ok();
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
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "browser");
    w.clone(Some("consent")).assert_ok();
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
    w.push(Some("consent")).assert_ok();
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
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    w.add_app(
        "github-enterprise",
        Client::Secret("not-the-secret"),
        "browser",
    );
    let clone = w.clone(Some("consent"));
    assert!(!clone.status.success());
    clone.assert_stderr_has(&format!(
        "git-credential-postman: Test Forge ({}): the server refused the app's client credentials (invalid_client",
        w.forge.url
    ));
    clone.assert_stderr_has("check its client_id and client_secret");
    assert!(!clone.stderr.contains("not-the-secret"), "{}", clone.stderr);
    assert_eq!(w.stored(), "");
}

#[test]
fn user_aborting_is_one_clear_error() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    // In the browser: the forge redirects back with error=access_denied, and the helper
    // ends at once, not after the 120 s a login may take.
    w.add_app("gitlab", Client::Public, "browser");
    let clone = w.clone(Some("abort"));
    assert_eq!(
        failed_browser_login(&clone, &w, 120, "/oauth/authorize"),
        format!(
            "git-credential-postman: Test Forge ({}): the login was cancelled (access_denied: \
             End-User aborted interaction)",
            w.forge.url
        )
    );
    // The line says why it ended; it ended before the login timeout would have.
    assert!(clone.elapsed < LOGIN_WAIT, "{:?}", clone.elapsed);
    eprintln!(
        "browser came back with access_denied: git ended after {:?}",
        clone.elapsed
    );
    assert_eq!(w.stored(), "");

    // On the device.
    w.app(&["remove", "Test Forge"], "").unwrap();
    w.add_app("gitlab", Client::Public, "device");
    let mut page = String::new();
    let clone = w.clone_with(None, device_user("", "alice", "abort", &mut page));
    assert!(!clone.status.success());
    clone.assert_stderr_has("the login was cancelled (access_denied");
}

/// A git command run by a GUI or an IDE: `GIT_TERMINAL_PROMPT=0` (unless `terminal` says
/// otherwise), the test browser configured if `browser_action` is some, `-c options`.
fn gui_clone(w: &World, options: &[&str], browser_action: Option<&str>, terminal: bool) -> Run {
    let target = tempfile::tempdir_in(w.k.home.path()).unwrap().keep();
    let mut cmd = w.clone_command(options, &w.clone_url(), &target, browser_action);
    if !terminal {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    run(cmd, |_| {})
}

/// Asserts a failure at once, with `line` the helper's only line.
#[track_caller]
fn assert_refused(clone: &Run, line: &str) {
    assert!(!clone.status.success(), "{}", clone.stderr);
    let ours: Vec<&str> = clone
        .stderr
        .lines()
        .filter(|l| l.starts_with("git-credential-postman:"))
        .collect();
    assert_eq!(ours, [line], "{}", clone.stderr);
    // Not a wall-clock race: a helper that waited for a login nobody can see would wait
    // the whole login timeout (120 s by default) before failing.
    assert!(clone.elapsed < LOGIN_WAIT, "{:?}", clone.elapsed);
}

/// How long the helper waits for a browser login by default (`credential.postmanBrowserTimeout`).
const LOGIN_WAIT: Duration = Duration::from_secs(120);

/// `GIT_TERMINAL_PROMPT=0` means no *terminal* prompts, as Git Credential Manager reads
/// it: the browser login runs when a browser can be shown; a login that needs the
/// terminal (the device code, no browser here) fails at once naming what to run in a
/// terminal. `credential.interactive=never` stops everything, browser included.
#[test]
fn without_terminal_prompts_only_the_browser_logs_in() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    let url = &w.forge.url;
    let no_terminal = |need: &str| {
        format!(
            "git-credential-postman: {url} needs you to log in, but terminal prompts are disabled \
             (GIT_TERMINAL_PROMPT=0) and {need}: run `git postman app login {url}` in a terminal"
        )
    };
    let no_browser = no_terminal("no browser can be opened here");
    let device = no_terminal("the device login shows its code on the terminal");
    let never = format!(
        "git-credential-postman: {url} needs you to log in, but interaction is disabled \
         (credential.interactive=never)"
    );
    let interactive_never = ["-c", "credential.interactive=never"];
    // (app flow, browser, git options, terminal prompts, the helper's line if refused)
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        &'a [&'a str],
        bool,
        Option<&'a str>,
    );
    let cases: [Case; 6] = [
        ("auto", Some("consent"), &[], false, None),
        ("browser", Some("consent"), &[], false, None),
        ("auto", None, &[], false, Some(&no_browser)),
        ("browser", None, &[], false, Some(&no_browser)),
        ("device", Some("consent"), &[], false, Some(&device)),
        (
            "auto",
            Some("consent"),
            &interactive_never,
            true,
            Some(&never),
        ),
    ];
    for (flow, browser, options, terminal, refused) in cases {
        let case = format!("flow {flow}, browser {browser:?}, {options:?}");
        w.add_app_with("gitlab", Client::Public, flow, &["--force"]);
        let starts = w.browser_starts();
        let clone = gui_clone(&w, options, browser, terminal);
        match refused {
            None => {
                clone.assert_ok();
                let ours = helper_lines(&clone);
                assert_eq!(ours.len(), 1, "{case}: {}", clone.stderr);
                assert_browser_line(
                    ours[0],
                    &w,
                    120,
                    "http://127.0.0.1",
                    "http://127.0.0.1/ (any port)",
                    "/oauth/authorize",
                );
                assert_eq!(w.browser_starts(), starts + 1, "{case}");
                let stored = w.stored();
                assert!(field(&stored, "password").is_some(), "{case}: {stored}");
                w.k.erase_host(&w.forge.host());
            }
            Some(line) => {
                assert_refused(&clone, line);
                assert_eq!(w.browser_starts(), starts, "{case}");
                assert_eq!(w.stored(), "", "{case}");
            }
        }
    }
}

/// What the refusal says to run works: `git postman app login` in a terminal (here the
/// device flow, no browser), after which the GUI's git needs nobody.
#[test]
fn app_login_in_a_terminal_then_the_gui_needs_nobody() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Gitlab)) else {
        return;
    };
    w.add_app("gitlab", Client::Public, "auto");
    let url = w.forge.url.clone();
    assert!(!gui_clone(&w, &[], None, false).status.success());

    let mut login = w.k.command(env!("CARGO_BIN_EXE_git-postman"));
    login
        .args(["app", "login", &url])
        .env_remove("GIT_TERMINAL_PROMPT")
        .env(
            "GIT_POSTMAN_SYSTEM_APPS",
            w.k.home.path().join("system-apps.yaml"),
        )
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut approved = String::new();
    let out = run(
        login,
        device_user("/oauth/device", "bob", "approve", &mut approved),
    );
    out.assert_ok();
    assert!(approved.contains("Sign-in Success"), "{approved}");
    assert_eq!(
        out.stdout,
        format!("Logged in to Test Forge ({url}) as oauth2; git will use the kept token.\n")
    );

    let clone = gui_clone(&w, &[], None, false);
    clone.assert_ok();
    assert!(clone.stderr.is_empty(), "{}", clone.stderr);
}

#[test]
fn refused_browser_login_says_what_it_waits_for_and_ends_after_the_timeout() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    // The app on the forge allows http://127.0.0.1/callback only: the forge shows the
    // browser an error page and never redirects back.
    w.add_app("github-enterprise", Client::CallbackOnly, "browser");
    let timeout = ["-c", "credential.postmanBrowserTimeout=3"];
    let cmd = w.clone_command(&timeout, &w.clone_url(), &w.work(), Some("consent"));
    let clone = run(cmd, |_| {});
    assert_eq!(
        failed_browser_login(&clone, &w, 3, "/login/oauth/authorize"),
        format!(
            "git-credential-postman: Test Forge ({}): the browser did not come back within 3 s; \
             if the forge showed an error page, make sure the app allows the redirect URI \
             http://127.0.0.1/ (any port), then run git again",
            w.forge.url
        )
    );
    assert_eq!(
        w.forge.count("authorization-error invalid_redirect_uri"),
        1,
        "{:?}",
        w.forge.events()
    );
    assert_eq!(w.browser_starts(), 1);
    // Ended by the configured 3 s, not the default wait (the line above names 3 s too).
    assert!(
        clone.elapsed >= Duration::from_secs(3) && clone.elapsed < LOGIN_WAIT,
        "{:?}",
        clone.elapsed
    );
    eprintln!(
        "refused login, 3 s timeout: git ended after {:?}",
        clone.elapsed
    );
    assert_eq!(w.stored(), "");
}

#[test]
fn system_apps_file_is_readable_by_every_user_client_secret_included() {
    let Some(w) = World::start(ForgeOptions::new(Flavor::Github)) else {
        return;
    };
    let system = w.locations().system.unwrap();
    let add = || {
        let add = [
            "add",
            "--name",
            "Test Forge",
            "--provider",
            "github-enterprise",
            "--url",
            &w.forge.url,
            "--client-id",
            "cli-secret",
            "--client-secret-stdin",
            "--secret-in-file",
            "--flow",
            "browser",
            "--system",
            "--force",
        ];
        let out = w.app(&add, "cli-secret-value\n").unwrap();
        assert_eq!(
            out,
            format!(
                "Added app 'Test Forge' (github-enterprise, {}) to {} (readable by every user); \
                 client secret in the file.\n\
                 Register the redirect URI http://127.0.0.1/ (any port) as the app's Authorization \
                 callback URL and allow the scopes \"repo workflow\".\n\
                 Every user of this machine can read this client secret: a native app's secret is \
                 not confidential (RFC 8252 §8.5). To keep one private, leave it out of the system \
                 file and let each user add the app without --system: a user's app replaces the \
                 system app of the same name and keeps its secret in the user's keyring.\n",
                w.forge.url,
                system.display()
            )
        );
    };
    let mode = || std::fs::metadata(&system).unwrap().permissions().mode() & 0o777;
    add();
    assert_eq!(mode(), 0o644);
    let text = std::fs::read_to_string(&system).unwrap();
    assert!(text.contains("client_secret: cli-secret-value"), "{text}");

    let Some(other) = OtherUser::new() else {
        return;
    };
    // The system file's directory, as /etc is.
    std::fs::set_permissions(w.k.home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let clone_as_other = || {
        let target = other.home.path().join("work");
        let cmd = w.clone_command(&[], &w.clone_url(), &target, Some("consent"));
        let mut cmd = other.command(&cmd);
        cmd.env("FAKE_USER", "dave")
            .env("FAKE_BROWSER_LOG", other.home.path().join("browser.log"));
        run(cmd, |_| {})
    };

    // As `app add --system` used to write it when it held a secret: the other user's
    // helper cannot read it, and says what to do.
    std::fs::set_permissions(&system, std::fs::Permissions::from_mode(0o600)).unwrap();
    let refused = clone_as_other();
    assert!(!refused.status.success());
    assert_eq!(
        helper_lines(&refused),
        [format!(
            "git-credential-postman: cannot read {}: Permission denied (os error 13) (an apps \
             file must be readable by whoever runs git: a system-wide one by every user, \
             `chmod 644`; `git postman app add --system` writes it so)",
            system.display()
        )],
        "{}",
        refused.stderr
    );

    // Written again by `app add --system`: every user reads it and logs in with its secret.
    add();
    assert_eq!(mode(), 0o644);
    let clone = clone_as_other();
    clone.assert_ok();
    assert!(
        w.forge.count("grant authorization_code 200") == 1 && w.forge.count("git dave 200") >= 1,
        "{:?}",
        w.forge.events()
    );
    let mut erase = w.k.command(support::HELPER);
    erase.arg("erase");
    let erased = support::run_with_input(
        other.command(&erase),
        format!("protocol=http\nhost={}\n", w.forge.host()).as_bytes(),
    );
    support::assert_quiet_success(&erased);
}

#[test]
fn personal_access_token_for_an_azure_devops_server_collection() {
    let Some(w) = World::start(ForgeOptions {
        pats: &["ado-pat-1"],
        ..ForgeOptions::new(Flavor::Github)
    }) else {
        return;
    };
    let collection = format!("{}/tfs/DefaultCollection", w.forge.url);
    let repo = format!("{collection}/Proj/_git/repo");
    let add_pat = |token: &str| {
        w.pat(
            &["add", &collection, "--username", "alice", "--token-stdin"],
            &format!("{token}\n"),
        )
        .unwrap()
    };

    // `pat list`: the collection, the app entry `pat add` named after it, the token's state.
    let name = collection.trim_start_matches("http://");
    let table = |token: &str| {
        format!(
            "{:w1$}  {:w2$}  TOKEN\n{collection}  {name}  {token}\n",
            "URL",
            "NAME",
            w1 = collection.len(),
            w2 = name.len()
        )
    };

    // A token that does not work: git rejects it, the helper forgets it.
    let out = add_pat("bad-pat");
    assert_eq!(
        out,
        format!(
            "Kept the personal access token for {collection} (username alice) in the keyutils \
             keyring and added it to {}.\n",
            w.locations().user.unwrap().display()
        )
    );
    let clone = w.clone_repo(&repo, &w.work(), None);
    assert!(!clone.status.success());
    assert_eq!(
        w.pat(&["list"], "").unwrap(),
        table("none (asked for at first use)")
    );

    // The right one: clone and push with it, no prompt.
    add_pat("ado-pat-1");
    assert_eq!(
        w.pat(&["list"], "").unwrap(),
        table("kept (username alice)")
    );
    let clone = w.clone_repo(&repo, &w.work(), None);
    clone.assert_ok();
    assert!(clone.stderr.is_empty(), "{}", clone.stderr);
    w.commit_and_push("via-pat", None).assert_ok();
    assert!(
        w.forge.count("git alice 200") >= 2,
        "{:?}",
        w.forge.events()
    );

    let out = w.pat(&["remove", &collection], "").unwrap();
    assert_eq!(
        out,
        format!("Forgot the personal access token for {collection}.\n")
    );
    assert_eq!(
        w.pat(&["list"], "").unwrap(),
        "No Azure DevOps Server URLs. Add one with `git postman pat add <url>`.\n"
    );

    // No token kept (neither the PAT nor what git stored after using it) and no terminal
    // prompts (a GUI): one line saying what to run.
    w.k.erase_host(&w.forge.host());
    write_user_apps(
        &w.k,
        &format!(
            "apps:\n  - name: TFS\n    provider: azure-devops-server\n    url: {collection}\n"
        ),
    );
    let mut gui = w.clone_command(&[], &repo, &w.k.home.path().join("gui"), None);
    gui.env("GIT_TERMINAL_PROMPT", "0");
    assert_refused(
        &run(gui, |_| {}),
        &format!(
            "git-credential-postman: {collection} needs you to log in, but terminal prompts are \
             disabled (GIT_TERMINAL_PROMPT=0) and the personal access token is asked for on the \
             terminal: run `git postman pat add {collection}` in a terminal"
        ),
    );
}

#[test]
fn personal_access_token_typed_on_the_terminal_is_never_echoed() {
    let Some(w) = World::start(ForgeOptions {
        pats: &["ado-pat-2"],
        ..ForgeOptions::new(Flavor::Github)
    }) else {
        return;
    };
    let collection = format!("{}/tfs/DefaultCollection", w.forge.url);
    write_user_apps(
        &w.k,
        &format!(
            "apps:\n  - name: TFS\n    provider: azure-devops-server\n    url: {collection}\n"
        ),
    );
    let repo = format!("{collection}/Proj/_git/repo");
    let app_url = AppUrl::parse(&collection).unwrap();
    let store = Store::open(StoreKind::Keyutils).unwrap();
    // git clone on a terminal asks through the helper: the token typed the instant the
    // prompt shows, many times (the kept token forgotten after each round).
    pty::never_echoed(
        &format!("Personal access token for {collection} (TFS): "),
        |i| {
            let target = w.k.home.path().join(format!("clone-{i}"));
            let cmd = w.clone_command(&[], &repo, &target, None);
            (cmd, "ado-pat-2".to_string())
        },
        |i, token| {
            let pat = secrets::get_pat(&store, &app_url).unwrap();
            assert_eq!(pat.map(|p| p.token).as_deref(), Some(token), "round {i}");
            if i == 0 {
                // Kept: the next clone needs no terminal at all.
                let again = w.k.home.path().join("again");
                w.clone_repo(&repo, &again, None).assert_ok();
            }
            // Forgotten, with what git stored after using it: the next round asks again.
            w.k.erase_host(&w.forge.host());
            secrets::delete(&store, secrets::Kind::Pat, &app_url).unwrap();
        },
    );
}

/// Writes the user's apps file (`~/.config/git-postman/apps.yaml`) in `k`'s HOME.
/// A command running `program` in the environment `like` has.
fn with_env_of(like: &Command, program: &str) -> Command {
    let mut cmd = Command::new(program);
    for (key, value) in like.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd
}

/// Another user of this machine: `nobody`, with a HOME of its own (its keyutils keyring,
/// as the tests' own HOMEs say). `None` unless the tests run as root with `setpriv`.
struct OtherUser {
    home: tempfile::TempDir,
}

impl OtherUser {
    const UID: u32 = 65534;

    fn new() -> Option<OtherUser> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 || support::which("setpriv").is_none() {
            eprintln!("skipping the other-user part: needs root and setpriv");
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".gitconfig"),
            "[credential]\n\tpostmanStore = keyutils\n",
        )
        .unwrap();
        std::os::unix::fs::chown(home.path(), Some(Self::UID), Some(Self::UID)).unwrap();
        Some(OtherUser { home })
    }

    /// `cmd` run as this user, in its HOME, without a controlling terminal.
    fn command(&self, cmd: &Command) -> Command {
        let mut c = with_env_of(cmd, "setpriv");
        let id = Self::UID.to_string();
        c.args(["--reuid", &id, "--regid", &id, "--clear-groups", "--"])
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .current_dir(self.home.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            c.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        c
    }
}

fn write_user_apps(k: &Keyring, text: &str) {
    let dir = k.home.path().join(".config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("apps.yaml"), text).unwrap();
}

/// The helper's `get` for a host of its own, in a keyring whose apps file is `apps`.
fn get_with_apps(apps: &str, label: &str) -> Option<std::process::Output> {
    let k = Keyring::start(Kind::Keyutils)?;
    write_user_apps(&k, apps);
    let host = k.host(label);
    Some(k.helper(&["get"], &format!("protocol=https\nhost={host}\n")))
}

#[test]
fn a_bad_apps_file_names_file_line_and_field() {
    let Some(out) = get_with_apps(
        "apps:\n  - name: x\n    provider: gitlab\n    url: https://h.example.com\n    client_id: a\n    flow: sometimes\n",
        "badfile",
    ) else {
        return;
    };
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
    let Some(out) = get_with_apps(
        "apps:\n  - {name: x, provider: gitlab, url: 'https://gitlab.example.com', client_id: a}\n",
        "plain",
    ) else {
        return;
    };
    support::assert_quiet_success(&out);
    assert!(out.stdout.is_empty());
}
