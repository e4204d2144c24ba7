//! git's side of the remote-helper conversation, read and parsed: its lines (with a bound
//! on their length), the command each one is, and the options git sets. Pure, so that it
//! is fuzzed (`fuzz/targets.rs`, `remote_protocol`); `session` acts on what it parses.
//!
//! `BufRead::lines` holds a whole line in memory before anyone can look at it, so one
//! hostile 100 MB line cost 100 MB. The longest line git sends is a push's refspec
//! (two ref names), far below [`MAX_LINE`]; past it the rest of the line is read and
//! dropped in buffer-sized pieces, and the line is an error.

use std::io::{self, BufRead};

/// The longest line kept: 64 KiB.
pub const MAX_LINE: usize = 64 * 1024;

/// The lines of `input` without their `\n`, each at most [`MAX_LINE`] bytes.
pub struct Lines<R> {
    input: R,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Self {
        Lines { input }
    }

    fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let mut length = 0usize;
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                // The end: a last line without `\n` still counts, as for `lines()`.
                if length == 0 {
                    return Ok(None);
                }
                break;
            }
            let (piece, used, ends) = match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (&buffer[..at], at + 1, true),
                None => (buffer, buffer.len(), false),
            };
            length += piece.len();
            if length <= MAX_LINE {
                line.extend_from_slice(piece);
            }
            self.input.consume(used);
            if ends {
                break;
            }
        }
        if length > MAX_LINE {
            let start = String::from_utf8_lossy(&line[..line.len().min(100)]).into_owned();
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line of {length} bytes, longer than {MAX_LINE}: {start:?}…"),
            ));
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a line that is not UTF-8"))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line().transpose()
    }
}

/// One line from git, as a command (gitremote-helpers(7), the commands we announce).
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// The blank line that ends the conversation.
    End,
    Capabilities,
    /// `option <name> <value>`: the rest of the line.
    Option(&'a str),
    List {
        for_push: bool,
    },
    /// The first line of a `fetch` batch (more lines follow, up to a blank one).
    Fetch,
    /// The first line of a `push` batch.
    Push,
    Unknown(&'a str),
}

impl<'a> Command<'a> {
    pub fn parse(line: &'a str) -> Self {
        match line.split_once(' ').unwrap_or((line, "")) {
            ("", _) => Command::End,
            ("capabilities", _) => Command::Capabilities,
            ("option", rest) => Command::Option(rest),
            ("list", rest) => Command::List {
                for_push: rest == "for-push",
            },
            ("fetch", _) => Command::Fetch,
            ("push", _) => Command::Push,
            (command, _) => Command::Unknown(command),
        }
    }
}

/// Options git sets with `option <name> <value>`.
#[derive(Debug, Default)]
pub struct Options {
    pub progress: bool,
    pub verbosity: u32,
    pub dry_run: bool,
    /// Refs named by `option cas <ref>:<oid>` (`--force-with-lease`): git checked the
    /// lease against our `list for-push` already, so they are pushed as forced.
    pub leased: Vec<String>,
}

impl Options {
    /// `option <name> <value>` (`rest` is `<name> <value>`): `ok`, `unsupported`, or
    /// `error <why>` for a value the option does not take (git warns and goes on).
    pub fn set(&mut self, rest: &str) -> String {
        let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
        let flag = |value: &str| match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!(
                "error {name} takes true or false, not {}",
                shown(value)
            )),
        };
        let answer = match name {
            "progress" => flag(value).map(|on| self.progress = on),
            "dry-run" => flag(value).map(|on| self.dry_run = on),
            "verbosity" => value
                .parse()
                .map(|v| self.verbosity = v)
                .map_err(|_| format!("error verbosity takes a number, not {}", shown(value))),
            "cas" => {
                let (refname, _) = value
                    .trim_matches('"')
                    .split_once(':')
                    .unwrap_or((value, ""));
                self.leased.push(refname.to_string());
                Ok(())
            }
            "cloning" | "check-connectivity" | "followtags" | "force-if-includes" => Ok(()),
            _ => return "unsupported".into(),
        };
        answer.map_or_else(|e| e, |()| "ok".into())
    }
}

/// A line from git as an error message shows it: quoted, and cut after 100 characters
/// (a line of a megabyte is not echoed whole to the terminal).
pub fn shown(line: &str) -> String {
    const MAX: usize = 100;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &line[..cut], line.len()),
        None => format!("{line:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], capacity: usize) -> Vec<Result<String, String>> {
        let reader = io::BufReader::with_capacity(capacity, input);
        Lines::new(reader)
            .map(|line| line.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn splits_as_buf_read_lines_does() {
        for capacity in [1, 3, 8192] {
            assert_eq!(
                lines(b"capabilities\n\nlist for-push\nlast", capacity),
                ["capabilities", "", "list for-push", "last"].map(|l| Ok(l.to_string()))
            );
            assert_eq!(lines(b"", capacity), []);
        }
    }

    #[test]
    fn a_line_past_the_bound_is_an_error_and_the_next_line_is_read() {
        let mut input = b"push ".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
        input.extend(b"\nlist\n");
        let got = lines(&input, 8192);
        assert_eq!(
            got.len(),
            2,
            "{:?}",
            got.iter()
                .map(|l| l.as_ref().map(String::len))
                .collect::<Vec<_>>()
        );
        let error = got[0].as_ref().unwrap_err();
        assert!(
            error.starts_with(&format!(
                "a line of {} bytes, longer than {MAX_LINE}: \"push xxx",
                MAX_LINE * 3 + 5
            )),
            "{error}"
        );
        assert_eq!(got[1], Ok("list".to_string()));
        // Exactly the bound is a line.
        let exact = vec![b'y'; MAX_LINE];
        assert_eq!(lines(&exact, 8192), [Ok(String::from_utf8(exact).unwrap())]);
    }

    #[test]
    fn commands_as_git_sends_them() {
        for (line, command) in [
            ("", Command::End),
            ("capabilities", Command::Capabilities),
            ("option dry-run true", Command::Option("dry-run true")),
            ("list", Command::List { for_push: false }),
            ("list for-push", Command::List { for_push: true }),
            ("fetch 0123 refs/heads/main", Command::Fetch),
            ("push refs/heads/main:refs/heads/main", Command::Push),
            ("connect git-upload-pack", Command::Unknown("connect")),
        ] {
            assert_eq!(Command::parse(line), command, "{line:?}");
        }
        let mut options = Options::default();
        assert_eq!(options.set("cas \"refs/heads/main:0123\""), "ok");
        assert_eq!(options.leased, ["refs/heads/main"]);
        assert_eq!(options.set("object-format sha1"), "unsupported");
    }

    #[test]
    fn a_line_that_is_not_utf8_is_an_error() {
        assert_eq!(
            lines(b"\xff\n", 8192),
            [Err("a line that is not UTF-8".to_string())]
        );
    }
}
