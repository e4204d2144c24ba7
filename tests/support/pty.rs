//! A real pseudo-terminal for tests of what the user sees and types.
//!
//! The command runs in a session of its own whose controlling terminal is a new pty
//! (stdin, stdout, stderr and `/dev/tty` are all the pty, as in a terminal window); the
//! test plays the user on the master side. The answer is written the instant the prompt's
//! last byte arrives, from the thread that reads the terminal, as a paste would: the
//! race a secret prompt must not lose. Linux (posix_openpt, TIOCSCTTY).

#![allow(dead_code)] // each test file uses a different part

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one terminal session may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// How many times the echo tests answer a secret prompt.
pub const ROUNDS: usize = 50;

/// What a finished session showed.
#[derive(Debug)]
pub struct Session {
    pub status: ExitStatus,
    /// Everything the terminal showed, as text.
    pub shown: String,
    /// Whether the terminal echoes again after the command ended.
    pub echo_after: bool,
    /// Whether the prompt showed (and so the answer was typed).
    pub answered: bool,
}

/// A new pty: (master, slave).
fn open_pty() -> (File, File) {
    // SAFETY: plain libc calls on descriptors we own; ptsname_r writes into `name`.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(
            master >= 0,
            "posix_openpt: {}",
            std::io::Error::last_os_error()
        );
        let master = File::from_raw_fd(master);
        assert_eq!(libc::grantpt(master.as_raw_fd()), 0, "grantpt");
        assert_eq!(libc::unlockpt(master.as_raw_fd()), 0, "unlockpt");
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(
            libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()),
            0,
            "ptsname_r"
        );
        let path = std::ffi::CStr::from_ptr(name.as_ptr()).to_str().unwrap();
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .unwrap();
        (master, slave)
    }
}

/// Runs `cmd` on a new terminal; the instant the terminal shows `prompt`, types `answer`.
/// Fails the test if the command runs longer than [`TIMEOUT`].
pub fn answer_prompt(mut cmd: Command, prompt: &str, answer: &[u8]) -> Session {
    let (master, slave) = open_pty();
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: setsid and ioctl are async-signal-safe; nothing else runs before exec.
    unsafe {
        cmd.pre_exec(|| {
            // A session of its own (it may have one already: a command made to run
            // without a terminal), with the pty as its terminal.
            libc::setsid();
            if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    // The slave's last copies are in `cmd`: once they are gone, the master reads EOF
    // (EIO) when the command and its children have closed the terminal.
    drop(cmd);

    let mut reader = master.try_clone().unwrap();
    let mut typist = master.try_clone().unwrap();
    let prompt = prompt.as_bytes().to_vec();
    let answer = answer.to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut shown = Vec::new();
        let mut answered = false;
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            shown.extend_from_slice(&buf[..n]);
            if !answered && shown.windows(prompt.len()).any(|w| w == prompt) {
                typist.write_all(&answer).unwrap();
                answered = true;
            }
        }
        let _ = tx.send((shown, answered));
    });

    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the terminal session ran longer than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let (shown, answered) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the terminal stayed open after the command ended");
    Session {
        status,
        shown: String::from_utf8_lossy(&shown).into_owned(),
        echo_after: echoes(&master),
        answered,
    }
}

/// Whether the terminal (master and slave share their settings) echoes.
fn echoes(master: &File) -> bool {
    let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr fills `t` when it returns 0.
    unsafe {
        assert_eq!(libc::tcgetattr(master.as_raw_fd(), t.as_mut_ptr()), 0);
        t.assume_init().c_lflag & libc::ECHO != 0
    }
}

/// A secret for round `i` of a test, different in every round and every run.
pub fn secret(i: usize) -> String {
    format!("sekret-{i}-{}", std::process::id())
}

/// Answers a secret prompt [`ROUNDS`] times, the instant it shows: `round(i)` gives the
/// command of round `i` and the secret to type, `check(i, secret)` then checks that the
/// secret arrived where it belongs. Fails if a round's terminal ever showed the secret,
/// or was left without echo.
pub fn never_echoed(
    prompt: &str,
    round: impl Fn(usize) -> (Command, String),
    check: impl Fn(usize, &str),
) {
    for i in 0..ROUNDS {
        let (command, secret) = round(i);
        let session = answer_prompt(command, prompt, format!("{secret}\r").as_bytes());
        assert!(
            session.answered,
            "round {i}: no prompt: {:?}",
            session.shown
        );
        assert!(
            session.status.success(),
            "round {i}: {:?}: {}",
            session.status,
            session.shown
        );
        assert!(
            !session.shown.contains(&secret),
            "round {i}: the secret was echoed: {:?}",
            session.shown
        );
        assert!(session.echo_after, "round {i}: echo stayed off");
        check(i, &secret);
    }
}
