//! Opening the user's browser, and whether there is one to open.
//!
//! The command: `GIT_POSTMAN_BROWSER` (a command line; the URL is appended, or replaces
//! `%s`), else `BROWSER` (the first of its `:`-separated commands, same rule), else the
//! platform's opener (`xdg-open`, `open`, `rundll32 url.dll,FileProtocolHandler`). The
//! child gets no stdin, stdout or stderr: whatever a browser prints (Chromium does) would
//! otherwise land in git's credential protocol on our stdout. It is not waited for, since
//! a browser may stay in the foreground; only a launcher that fails at once is reported.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The helper's own browser setting.
pub const BROWSER_ENV: &str = "GIT_POSTMAN_BROWSER";

/// Errors opening the browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("cannot start the browser ({command}): {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("the browser command ({command}) failed ({status})")]
    Failed { command: String, status: String },
}

/// Whether a browser can be shown here: one is configured, or there is a desktop session
/// (on Linux and BSDs: a display; on macOS and Windows: not an SSH session).
pub fn available() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set(BROWSER_ENV) || set("BROWSER") {
        return true;
    }
    if cfg!(any(target_os = "macos", windows)) {
        !set("SSH_CONNECTION") && !set("SSH_TTY")
    } else {
        set("DISPLAY") || set("WAYLAND_DISPLAY")
    }
}

/// Opens `url` in the browser.
pub fn open(url: &str) -> Result<(), BrowserError> {
    let mut cmd = command(url);
    let shown = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|source| BrowserError::Spawn {
        command: shown.clone(),
        source,
    })?;
    // xdg-open and friends hand the URL over and exit: catch a quick failure, and never
    // wait long for a browser that stays.
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(BrowserError::Failed {
                    command: shown,
                    status: status.to_string(),
                })
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// The command that opens `url`.
fn command(url: &str) -> Command {
    let configured = std::env::var(BROWSER_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("BROWSER").ok().and_then(|v| {
                v.split(':')
                    .map(str::trim)
                    .find(|c| !c.is_empty())
                    .map(str::to_string)
            })
        });
    if let Some(line) = configured {
        return user_command(&line, url);
    }
    if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    }
}

/// A user's command line: through the shell on Unix (it may hold arguments or quotes),
/// the URL passed as a positional parameter so it is never parsed by the shell.
fn user_command(line: &str, url: &str) -> Command {
    if cfg!(unix) {
        let script = if line.contains("%s") {
            line.replace("%s", "\"$1\"")
        } else {
            format!("{line} \"$1\"")
        };
        let mut c = Command::new("/bin/sh");
        c.args(["-c", &script, "sh", url]);
        c
    } else {
        let mut words = line.split_whitespace();
        let mut c = Command::new(words.next().unwrap_or("rundll32"));
        let mut replaced = false;
        for w in words {
            if w.contains("%s") {
                c.arg(w.replace("%s", url));
                replaced = true;
            } else {
                c.arg(w);
            }
        }
        if !replaced {
            c.arg(url);
        }
        c
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn user_commands_get_the_url_as_one_argument() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let url = "http://h/?a=1&b='x y'";
        let line = format!(
            "p() {{ for a in \"$@\"; do echo \"$a\"; done >{}; }}; p",
            out.display()
        );
        // Without %s the URL comes last; %s puts it in its place.
        for (args, expected) in [
            ("--flag", format!("--flag\n{url}\n")),
            ("%s --after", format!("{url}\n--after\n")),
        ] {
            let status = user_command(&format!("{line} {args}"), url)
                .status()
                .unwrap();
            assert!(status.success());
            assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
        }
    }
}
