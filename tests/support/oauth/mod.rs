//! Test fixture for the OAuth side of git-credential-postman: the test forge
//! (`forge.mjs`: npm oidc-provider + `git http-backend` in one node process, on port 0),
//! the test "browser" and the device approver, and real git run against them with the
//! helper configured.
//!
//! Needs `node`, `curl` and `npm ci --prefix tests/support/oauth`. When something is
//! missing the test is skipped with a message, or fails when `CI` is set.

#![allow(dead_code)] // each test uses a different part

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{skip_or_fail, which, Keyring, HELPER};

pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/oauth");

/// How long any one git command may run before the test fails.
pub const GIT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn browser_script() -> PathBuf {
    Path::new(DIR).join("browser.sh")
}

pub fn approve_script() -> PathBuf {
    Path::new(DIR).join("approve-device.sh")
}

/// Whether node, curl and the npm packages are here (else skip, or fail under CI).
pub fn available() -> bool {
    let missing: Vec<String> = ["node", "curl", "git"]
        .into_iter()
        .filter(|t| which(t).is_none())
        .map(|t| format!("`{t}` on PATH"))
        .chain(
            (!Path::new(DIR)
                .join("node_modules/oidc-provider/package.json")
                .is_file())
            .then(|| "npm packages (run `npm ci --prefix tests/support/oauth`)".to_string()),
        )
        .collect();
    if missing.is_empty() {
        return true;
    }
    skip_or_fail(&format!("OAuth tests need {}", missing.join(", ")));
    false
}

/// Which endpoint layout the forge serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Github,
    Gitlab,
}

/// A running test forge with its repositories.
pub struct Forge {
    child: Child,
    pub url: String,
    pub root: tempfile::TempDir,
    events: Arc<Mutex<Vec<String>>>,
}

impl Drop for Forge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct ForgeOptions<'a> {
    pub flavor: Flavor,
    /// Access token lifetime, seconds.
    pub token_ttl: Option<u32>,
    /// Static personal access tokens.
    pub pats: &'a [&'a str],
}

impl ForgeOptions<'_> {
    /// A forge of `flavor` whose tokens do not expire, without personal access tokens.
    pub fn new(flavor: Flavor) -> ForgeOptions<'static> {
        ForgeOptions {
            flavor,
            token_ttl: None,
            pats: &[],
        }
    }
}

impl Forge {
    /// Starts a forge; repositories `demo.git` (OAuth) and, for Azure DevOps style URLs,
    /// `DefaultCollection/Proj/repo.git` exist with one commit on `main`.
    pub fn start(options: ForgeOptions) -> Forge {
        let root = tempfile::tempdir().expect("forge root");
        seed_repo(&root.path().join("demo.git"));
        seed_repo(&root.path().join("DefaultCollection/Proj/repo.git"));
        let flavor = match options.flavor {
            Flavor::Github => "github",
            Flavor::Gitlab => "gitlab",
        };
        let mut cmd = Command::new("node");
        cmd.arg(Path::new(DIR).join("forge.mjs"))
            .arg("0")
            .env("FORGE_ROOT", root.path())
            .env("FORGE_FLAVOR", flavor)
            .env("FORGE_PATS", options.pats.join(","))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // oidc-provider's warnings about its dev settings: expected, not interesting.
            .stderr(Stdio::null());
        if let Some(ttl) = options.token_ttl {
            cmd.env("FORGE_TOKEN_TTL", ttl.to_string());
        }
        let mut child = cmd.spawn().expect("start node forge.mjs");
        let stdout = child.stdout.take().unwrap();
        let (ready_tx, ready_rx) = mpsc::channel();
        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = events.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("READY ") {
                    let _ = ready_tx.send(url.to_string());
                } else if let Some(event) = line.strip_prefix("EVENT ") {
                    seen.lock().unwrap().push(event.to_string());
                }
            }
        });
        let url = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the test forge did not start within 30 s");
        Forge {
            child,
            url,
            root,
            events,
        }
    }

    /// `127.0.0.1:PORT`, as git sends it in `host=`.
    pub fn host(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    /// The forge's event lines so far ("grant refresh_token 200 -", "git alice 200").
    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// How many events start with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.events()
            .iter()
            .filter(|e| e.starts_with(prefix))
            .count()
    }

    /// The forge's admin revokes every access token issued so far.
    pub fn revoke_all_access_tokens(&self) {
        self.admin("revoke-all");
    }

    /// Requests to the token endpoint wait (each one an event `token-held`) until
    /// [`Forge::release_token_requests`].
    pub fn hold_token_requests(&self) {
        self.admin("hold-token");
    }

    pub fn release_token_requests(&self) {
        self.admin("release-token");
    }

    fn admin(&self, action: &str) {
        let status = Command::new("curl")
            .args(["-sS", "--max-time", "10", "-X", "POST", "-o", "/dev/null"])
            .arg(format!("{}/admin/{action}", self.url))
            .status()
            .unwrap();
        assert!(status.success(), "admin/{action}");
    }
}

/// A bare repository with one commit on `main`.
fn seed_repo(bare: &Path) {
    std::fs::create_dir_all(bare).unwrap();
    run_ok(
        Command::new("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(bare),
    );
    let work = tempfile::tempdir().unwrap();
    run_ok(
        Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .arg(work.path()),
    );
    std::fs::write(work.path().join("README"), "seed\n").unwrap();
    let git = |args: &[&str]| {
        let mut c = Command::new("git");
        c.arg("-C")
            .arg(work.path())
            .args([
                "-c",
                "user.name=Seed",
                "-c",
                "user.email=seed@example.invalid",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1");
        c
    };
    run_ok(&mut git(&["add", "README"]));
    run_ok(&mut git(&["commit", "-q", "-m", "seed"]));
    run_ok(git(&["push", "-q"]).arg(bare).arg("main"));
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A finished command.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    #[track_caller]
    pub fn assert_ok(&self) -> &Run {
        assert!(
            self.status.success(),
            "failed ({}): {}",
            self.status,
            self.stderr
        );
        self
    }

    /// Asserts that stderr contains `text`.
    #[track_caller]
    pub fn assert_stderr_has(&self, text: &str) -> &Run {
        assert!(self.stderr.contains(text), "{}", self.stderr);
        self
    }
}

/// git with our helper as the only credential helper, in the keyring's HOME, in a session
/// of its own (no controlling terminal: nothing can hang on a prompt), prompts allowed
/// unless the test says otherwise, and no display or browser from the caller.
pub fn git_command(k: &Keyring, args: &[&str]) -> Command {
    let mut cmd = k.command("git");
    cmd.args(["-c", "credential.helper="])
        .arg("-c")
        .arg(format!("credential.helper={HELPER}"))
        .args([
            "-c",
            "user.name=Tester",
            "-c",
            "user.email=tester@example.invalid",
        ])
        .args(args)
        .env_remove("GIT_TERMINAL_PROMPT")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("BROWSER")
        .env_remove("GIT_POSTMAN_BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    cmd
}

/// Runs `cmd` to the end (at most [`GIT_TIMEOUT`]); `on_stderr_line` sees each stderr
/// line as it comes (to answer a device code while git waits).
pub fn run(mut cmd: Command, mut on_stderr_line: impl FnMut(&str)) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut err = String::new();
    let deadline = start + GIT_TIMEOUT;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                on_stderr_line(&line);
                err.push_str(&line);
                err.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} ran longer than {GIT_TIMEOUT:?}; stderr so far:\n{err}");
        }
    }
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} ran longer than {GIT_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err,
        elapsed: start.elapsed(),
    }
}

/// The device approver, acting as the user on another device.
pub fn approve_device(
    verification_uri: &str,
    user_code: &str,
    login: &str,
    action: &str,
) -> String {
    let out = Command::new(approve_script())
        .args([verification_uri, user_code, login, action])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "approve-device.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(verification_uri, user_code)` from the helper's device-flow line, if this is it.
pub fn device_prompt(line: &str) -> Option<(String, String)> {
    let rest = line.split_once(", open ")?.1;
    let (uri, rest) = rest.split_once(" and enter the code ")?;
    let code = rest.split_whitespace().next()?;
    Some((uri.to_string(), code.to_string()))
}
