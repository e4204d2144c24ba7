//! Test fixture for the credential helper: a real, private keyring per test.
//!
//! - keyutils: each test thread joins a new anonymous kernel session keyring (what
//!   `keyctl session -` does) and every command it spawns inherits it. The kernel's per-user
//!   persistent keyring is shared by all sessions, so tests also use host names nobody else
//!   uses, and erase them.
//! - Secret Service: a private `dbus-daemon` bus and a `gnome-keyring-daemon` started on it,
//!   unlocked with a throw-away password, its keyring files in a temporary directory.
//!
//! Every command gets a temporary HOME with `credential.postmanStore` set to the store under
//! test, `GIT_CONFIG_NOSYSTEM=1` and no prompts. A missing system tool skips the test with a
//! message, or fails it when `CI` is set.

#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const HELPER: &str = env!("CARGO_BIN_EXE_git-credential-postman");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Keyutils,
    SecretService,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Keyutils, Kind::SecretService];

    pub fn store_name(self) -> &'static str {
        match self {
            Kind::Keyutils => "keyutils",
            Kind::SecretService => "secret-service",
        }
    }
}

/// Runs `f` once per store that can run here.
pub fn each_store(f: impl Fn(&Keyring)) {
    for kind in Kind::ALL {
        if let Some(keyring) = Keyring::start(kind) {
            f(&keyring);
        }
    }
}

/// Whether the tools are on PATH; if not: panic under CI, else print why and return false.
pub fn require(tools: &[&str], why: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| which(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{why}: missing {} (Debian: keyutils, dbus-daemon, gnome-keyring, libsecret-tools)",
        missing.join(", ")
    );
    skip_or_fail(&msg);
    false
}

/// Under CI a missing prerequisite fails the test; elsewhere the test is skipped, saying why.
pub fn skip_or_fail(msg: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set and {msg}");
    }
    // Straight to stderr, past libtest's capture of `eprintln!`, so the skip is seen.
    let _ = writeln!(std::io::stderr(), "skipping: {msg}");
}

pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// A unique host name for this test run: entries from other tests or earlier runs never match.
pub fn unique_host(label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    format!(
        "{label}-{}-{}-{nanos}.test.invalid",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A private keyring and HOME for one test.
pub struct Keyring {
    pub kind: Kind,
    pub home: tempfile::TempDir,
    /// Hosts handed out by [`Keyring::host`], erased on drop, even when a test panics:
    /// keyutils entries also live in the user's persistent keyring, shared by all sessions.
    hosts: std::cell::RefCell<Vec<String>>,
    bus: Option<Bus>,
}

impl Drop for Keyring {
    fn drop(&mut self) {
        for host in self.hosts.take() {
            for protocol in ["https", "http"] {
                let _ = self.helper(&["erase"], &format!("protocol={protocol}\nhost={host}\n"));
            }
        }
    }
}

struct Bus {
    address: String,
    daemon: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Bus {
    fn drop(&mut self) {
        // gnome-keyring-daemon leaves when its bus goes away.
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

impl Keyring {
    /// Starts a private keyring of `kind`, or `None` (test skipped) if a tool is missing.
    pub fn start(kind: Kind) -> Option<Keyring> {
        let bus = match kind {
            Kind::Keyutils => {
                if !require(&["keyctl"], "keyutils tests") {
                    return None;
                }
                None
            }
            Kind::SecretService => {
                if !require(
                    &[
                        "dbus-daemon",
                        "dbus-send",
                        "gnome-keyring-daemon",
                        "secret-tool",
                    ],
                    "Secret Service tests",
                ) {
                    return None;
                }
                Some(start_bus())
            }
        };
        let home = tempfile::tempdir().expect("temp HOME");
        std::fs::write(
            home.path().join(".gitconfig"),
            format!("[credential]\n\tpostmanStore = {}\n", kind.store_name()),
        )
        .unwrap();
        if let Err(e) = join_new_session_keyring() {
            skip_or_fail(&format!(
                "credential tests: no kernel keyrings here (keyctl: {e})"
            ));
            return None;
        }
        Some(Keyring {
            kind,
            home,
            hosts: Default::default(),
            bus,
        })
    }

    /// A host name for this test, erased from the keyring when the test ends.
    pub fn host(&self, label: &str) -> String {
        let host = unique_host(label);
        self.hosts.borrow_mut().push(host.clone());
        host
    }

    /// Erases `host`'s credentials when the test ends, as for [`Keyring::host`]: for a
    /// host the test did not name (a server's `127.0.0.1:<port>`).
    pub fn forget_on_drop(&self, host: &str) {
        self.hosts.borrow_mut().push(host.to_string());
    }

    /// A command in this keyring's environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_CONFIG_PARAMETERS")
            .env_remove("GIT_CONFIG_COUNT")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS")
            .current_dir(self.home.path());
        match &self.bus {
            Some(bus) => {
                cmd.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
            }
            None => {
                // No Secret Service for keyutils tests, whatever the caller's session has.
                cmd.env_remove("DBUS_SESSION_BUS_ADDRESS")
                    .env("XDG_RUNTIME_DIR", self.home.path());
            }
        }
        cmd
    }

    /// Runs `program args` with `input` on stdin.
    pub fn run(&self, program: &str, args: &[&str], input: &[u8]) -> Output {
        let mut cmd = self.command(program);
        cmd.args(args);
        run_with_input(cmd, input)
    }

    /// Runs the helper: `git-credential-postman args...`.
    pub fn helper(&self, args: &[&str], input: &str) -> Output {
        self.run(HELPER, args, input.as_bytes())
    }

    /// Runs the helper with its clock `seconds` ahead of the wall clock (libfaketime's
    /// `faketime`, a Debian package `install-deps.sh` installs).
    pub fn helper_later(&self, seconds: u64, args: &[&str], input: &str) -> Output {
        let offset = format!("+{seconds}s");
        let mut faketime_args = vec!["-f", offset.as_str(), HELPER];
        faketime_args.extend_from_slice(args);
        self.run("faketime", &faketime_args, input.as_bytes())
    }

    /// `git -c credential.helper= -c credential.helper=<our helper> credential <action>`.
    pub fn git_credential(&self, action: &str, input: &str) -> Output {
        let helper = format!("credential.helper={HELPER}");
        self.run(
            "git",
            &[
                "-c",
                "credential.helper=",
                "-c",
                &helper,
                "credential",
                action,
            ],
            input.as_bytes(),
        )
    }

    /// Erases every credential of `host` (both protocols used in tests).
    pub fn erase_host(&self, host: &str) {
        for protocol in ["https", "http"] {
            let out = self.helper(&["erase"], &format!("protocol={protocol}\nhost={host}\n"));
            assert!(
                out.status.success(),
                "cleanup erase failed: {}",
                text(&out.stderr)
            );
        }
    }
}

/// Runs `cmd` to the end with `input` on its stdin, capturing stdout and stderr.
pub fn run_with_input(mut cmd: Command, input: &[u8]) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Write from a thread: a child that answers before reading all input must not deadlock.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a normal, silent success: exit 0 and nothing on stderr.
#[track_caller]
pub fn assert_quiet_success(out: &Output) {
    assert!(
        out.status.success(),
        "failed ({:?}): {}",
        out.status,
        text(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "stderr must stay empty, got: {}",
        text(&out.stderr)
    );
}

/// Gives the calling thread a new anonymous session keyring (`keyctl session -`): the
/// commands a test spawns inherit it from the thread that spawns them, so each test has a
/// session keyring of its own. (A keyring joined by name is not shared between processes by
/// current kernels, so a name cannot do this.)
fn join_new_session_keyring() -> std::io::Result<()> {
    // SAFETY: KEYCTL_JOIN_SESSION_KEYRING with a NULL name; no memory is passed.
    let id = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            1 as libc::c_long,
            std::ptr::null::<libc::c_char>(),
        )
    };
    if id < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// A private session bus with an unlocked gnome-keyring on it.
fn start_bus() -> Bus {
    let dir = tempfile::tempdir().expect("bus dir");
    let socket = dir.path().join("bus");
    let address = format!("unix:path={}", socket.display());
    let mut daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .arg(format!("--address={address}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dbus-daemon");
    // The daemon prints its address once it listens.
    let mut line = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("dbus-daemon address");
    assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
    let bus = Bus {
        address: line.trim().to_string(),
        daemon,
        _dir: dir,
    };

    let runtime = bus._dir.path().join("run");
    let data = bus._dir.path().join("data");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", &data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gnome-keyring-daemon");
    keyring
        .stdin
        .take()
        .unwrap()
        .write_all(b"test-keyring-password")
        .unwrap();
    assert!(
        keyring.wait().unwrap().success(),
        "gnome-keyring-daemon --unlock failed"
    );
    wait_for_secrets_name(&bus.address);
    bus
}

/// Waits until gnome-keyring owns `org.freedesktop.secrets`, so no second (locked) daemon is
/// started by D-Bus activation.
fn wait_for_secrets_name(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .output()
            .expect("dbus-send");
        if text(&out.stdout).contains("boolean true") {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("gnome-keyring did not take org.freedesktop.secrets on the test bus");
}

/// Where the helper's binary directory is (for `credential.helper=postman` through PATH).
pub fn helper_dir() -> &'static Path {
    Path::new(HELPER).parent().unwrap()
}
