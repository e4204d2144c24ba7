//! git's credential protocol: `key=value` lines, read and written the way `credential.c` does.
//!
//! Values are bytes, not strings: git allows any byte but newline and NUL in a value, and a
//! helper must give back exactly what it was given. Parsing follows `credential_read()`:
//! a trailing `\r` is dropped with the newline (git reads with `strbuf_getline`), a blank line
//! or EOF ends the list, unknown keys are ignored, and a line without `=` is an error (git
//! warns and stops). Where git's C strings would silently cut a value short, at a NUL byte,
//! the line is refused instead; a `url=` with a newline in a part is refused as git refuses
//! it; and an answer whose value holds a newline or a NUL (a token a broken or hostile
//! server sent) is never written, as git's `credential_write_item` dies on one. Lines have no length limit (git's reader has none either): cutting a
//! long line would turn its tail into a line of its own, which is exactly the "confused by
//! long header" attack git's t0303 checks. Multi-valued `key[]` attributes keep their order,
//! and an empty `key[]=` clears the list, as `git-credential(1)` specifies.

use std::io::{BufRead, Write};

/// Total input accepted on stdin: generous (git sends a few hundred bytes, a big
/// `wwwauth[]` a few KB) but bounded, so a runaway writer cannot exhaust memory.
pub const MAX_INPUT: usize = 8 << 20;

/// Errors while reading the protocol.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// A line without `=`; git says "invalid credential line" and stops. The line itself is
    /// not repeated: it may hold a secret.
    #[error("invalid credential line {line}: no '=' in it")]
    NoEquals { line: usize },
    #[error("invalid credential line {line}: it contains a NUL byte")]
    Nul { line: usize },
    #[error("credential input is larger than {MAX_INPUT} bytes")]
    TooLarge,
    /// The URL is not repeated: it may hold a password.
    #[error("credential url cannot be parsed: {0}")]
    BadUrl(String),
    #[error(
        "refusing to answer: the credential's {key} contains {what}, which git cannot read back"
    )]
    BadAnswer {
        key: &'static str,
        what: &'static str,
    },
    #[error("bad boolean value for '{key}'")]
    BadBool { key: &'static str },
    #[error("cannot read the credential from stdin: {0}")]
    Io(#[from] std::io::Error),
}

/// Which optional protocol features the caller announced with `capability[]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub authtype: bool,
    pub state: bool,
}

/// One credential description, as git sends it to a helper or a helper answers.
///
/// `None` and `Some(empty)` differ, as in git: `username=` is an empty username, which a
/// stored credential must match exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credential {
    pub protocol: Option<Vec<u8>>,
    pub host: Option<Vec<u8>>,
    pub path: Option<Vec<u8>>,
    pub username: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
    /// Unix seconds. `None` is git's `TIME_MAX` ("never expires"); git reads `0` and
    /// out-of-range values that way too.
    pub password_expiry_utc: Option<u64>,
    pub oauth_refresh_token: Option<Vec<u8>>,
    pub authtype: Option<Vec<u8>>,
    pub credential: Option<Vec<u8>>,
    /// The `credential` must not be stored.
    pub ephemeral: bool,
    /// `continue=1`: a non-final step of a multistage scheme.
    pub multistage: bool,
    pub quit: bool,
    pub wwwauth: Vec<Vec<u8>>,
    pub state: Vec<Vec<u8>>,
    pub capabilities: Capabilities,
}

/// One `key=value` line, split at the first `=`.
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// Splits protocol text into `(key, value)` pairs up to a blank line or EOF.
///
/// Shared by [`Credential::parse`] and the stored-record format, so both read lines the
/// same way.
pub fn split_lines(input: &[u8]) -> Result<Vec<Pair<'_>>, ProtocolError> {
    let mut pairs = Vec::new();
    let mut rest = input;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let (mut line, tail) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        if let Some(stripped) = line.strip_suffix(b"\r") {
            line = stripped;
        }
        if line.is_empty() {
            break;
        }
        if line.contains(&0) {
            return Err(ProtocolError::Nul { line: number });
        }
        let eq = line
            .iter()
            .position(|&b| b == b'=')
            .ok_or(ProtocolError::NoEquals { line: number })?;
        pairs.push((&line[..eq], &line[eq + 1..]));
    }
    Ok(pairs)
}

/// Reads the protocol from `reader` up to a blank line or EOF (bounded by [`MAX_INPUT`]).
pub fn read_input(reader: &mut impl BufRead) -> Result<Vec<u8>, ProtocolError> {
    let mut buf = Vec::new();
    loop {
        let start = buf.len();
        let mut limited = std::io::Read::take(&mut *reader, (MAX_INPUT + 1 - start) as u64);
        let n = limited.read_until(b'\n', &mut buf)?;
        if buf.len() > MAX_INPUT {
            return Err(ProtocolError::TooLarge);
        }
        let line = &buf[start..];
        // Stop at the blank line: git may keep the pipe open after it.
        if n == 0 || line == b"\n" || line == b"\r\n" {
            return Ok(buf);
        }
    }
}

/// git's `git_config_bool`: `true`/`yes`/`on`, `false`/`no`/`off`/empty, or an integer
/// (non-zero is true); `None` for anything else. git reads its boolean environment
/// variables (`GIT_TERMINAL_PROMPT`) the same way.
pub(crate) fn git_bool(value: &[u8]) -> Option<bool> {
    let lower = value.trim_ascii().to_ascii_lowercase();
    match lower.as_slice() {
        b"true" | b"yes" | b"on" => Some(true),
        b"false" | b"no" | b"off" | b"" => Some(false),
        digits => std::str::from_utf8(digits)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .map(|n| n != 0),
    }
}

/// The protocol's boolean attributes.
fn parse_bool(key: &'static str, value: &[u8]) -> Result<bool, ProtocolError> {
    git_bool(value).ok_or(ProtocolError::BadBool { key })
}

/// git's `parse_timestamp` (strtoumax) followed by its "0 or overflow means never".
fn parse_expiry(value: &[u8]) -> Option<u64> {
    let s = value.trim_ascii_start();
    let s = s.strip_prefix(b"+").unwrap_or(s);
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&s[..digits])
        .ok()?
        .parse::<u64>()
        .ok()?;
    (n != 0).then_some(n)
}

/// Pushes onto a `key[]` list, or clears it for an empty value.
fn push_or_reset(list: &mut Vec<Vec<u8>>, value: &[u8]) {
    if value.is_empty() {
        list.clear();
    } else {
        list.push(value.to_vec());
    }
}

impl Credential {
    /// Parses protocol text (what git writes to a helper's stdin).
    pub fn parse(input: &[u8]) -> Result<Self, ProtocolError> {
        Credential::from_pairs(&split_lines(input)?)
    }

    /// A description from lines [`split_lines`] already split (the stored-record format
    /// reads a key of its own from the same lines).
    pub fn from_pairs(pairs: &[Pair<'_>]) -> Result<Self, ProtocolError> {
        let mut c = Credential::default();
        for &(key, value) in pairs {
            let v = || Some(value.to_vec());
            match key {
                b"protocol" => c.protocol = v(),
                b"host" => c.host = v(),
                b"path" => c.path = v(),
                b"username" => c.username = v(),
                b"password" => c.password = v(),
                b"credential" => c.credential = v(),
                b"authtype" => c.authtype = v(),
                b"oauth_refresh_token" => c.oauth_refresh_token = v(),
                b"password_expiry_utc" => c.password_expiry_utc = parse_expiry(value),
                b"ephemeral" => c.ephemeral = parse_bool("ephemeral", value)?,
                b"continue" => c.multistage = parse_bool("continue", value)?,
                b"quit" => c.quit = parse_bool("quit", value)?,
                b"url" => c.apply_url(value)?,
                b"wwwauth[]" => push_or_reset(&mut c.wwwauth, value),
                b"state[]" => push_or_reset(&mut c.state, value),
                b"capability[]" => match value {
                    b"" => c.capabilities = Capabilities::default(),
                    b"authtype" => c.capabilities.authtype = true,
                    b"state" => c.capabilities.state = true,
                    _ => {}
                },
                // Unknown attributes are ignored, so newer gits can talk to this helper.
                _ => {}
            }
        }
        Ok(c)
    }

    /// `url=`: git's `credential_from_url`, which clears the whole description and fills
    /// it from `proto://[user[:pass]@]host[/path]` (parts percent-decoded, slashes around
    /// the path trimmed). As in git, a URL without a scheme, or with a newline in a part
    /// (`%0a`, which would smuggle a line into the stored record), is an error; so is a
    /// NUL (`%00`), where git would cut the part short.
    fn apply_url(&mut self, url: &[u8]) -> Result<(), ProtocolError> {
        let Some(sep) = url.windows(3).position(|w| w == b"://").filter(|&i| i > 0) else {
            return Err(ProtocolError::BadUrl("it has no scheme".into()));
        };
        *self = Credential::default();
        self.protocol = Some(url[..sep].to_vec());
        let rest = &url[sep + 3..];
        // A query or fragment marker ends the host part too.
        let slash = rest
            .iter()
            .position(|b| b"/?#".contains(b))
            .unwrap_or(rest.len());
        let at = rest.iter().position(|&b| b == b'@').filter(|&a| a < slash);
        let colon = rest.iter().position(|&b| b == b':');
        let host_start = match (at, colon) {
            (Some(at), Some(colon)) if colon < at => {
                self.username = Some(decode(&rest[..colon]));
                self.password = Some(decode(&rest[colon + 1..at]));
                at + 1
            }
            (Some(at), _) => {
                self.username = Some(decode(&rest[..at]));
                at + 1
            }
            (None, _) => 0,
        };
        self.host = Some(decode(&rest[host_start..slash]));
        let path = &rest[slash..];
        let lead = path.iter().take_while(|&&b| b == b'/').count();
        let path = &path[lead..];
        let trail = path.iter().rev().take_while(|&&b| b == b'/').count();
        let path = &path[..path.len() - trail];
        if !path.is_empty() {
            self.path = Some(decode(path));
        }
        for (part, value) in [
            ("username", &self.username),
            ("password", &self.password),
            ("host", &self.host),
            ("path", &self.path),
        ] {
            if let Some(what) = value.as_deref().and_then(line_breaker) {
                return Err(ProtocolError::BadUrl(format!(
                    "{what} in its {part} component"
                )));
            }
        }
        Ok(())
    }

    /// Checks that every value [`Credential::write_answer`] would write can be read back
    /// by git: none holds a newline (it would end the line, and the rest would be read as
    /// a line of its own, `host=` say) or a NUL.
    pub fn check_answer(&self, caller: Capabilities) -> Result<(), ProtocolError> {
        let authtype = |v: &Option<Vec<u8>>| if caller.authtype { v.clone() } else { None };
        for (key, value) in [
            ("authtype", authtype(&self.authtype)),
            ("credential", authtype(&self.credential)),
            ("username", self.username.clone()),
            ("password", self.password.clone()),
            ("oauth_refresh_token", self.oauth_refresh_token.clone()),
        ] {
            if let Some(what) = value.as_deref().and_then(answer_breaker) {
                return Err(ProtocolError::BadAnswer { key, what });
            }
        }
        Ok(())
    }

    /// Whether this description carries something git can authenticate with.
    pub fn has_secret(&self) -> bool {
        self.password.is_some() || (self.authtype.is_some() && self.credential.is_some())
    }

    /// Writes the answer to a `get`, in the order `credential_write()` uses.
    ///
    /// Only what a storage helper may set: `capability[]` (echoed only if the caller
    /// announced it), `authtype`/`credential` (only for an `authtype`-capable caller),
    /// `username`, `password`, `oauth_refresh_token`, `password_expiry_utc`. Never
    /// `protocol`/`host`/`path`, which would override what git asked for.
    pub fn write_answer(&self, caller: Capabilities, out: &mut impl Write) -> std::io::Result<()> {
        let mut item = |key: &str, value: &[u8]| -> std::io::Result<()> {
            out.write_all(key.as_bytes())?;
            out.write_all(b"=")?;
            out.write_all(value)?;
            out.write_all(b"\n")
        };
        if caller.authtype {
            item("capability[]", b"authtype")?;
            if let Some(v) = &self.authtype {
                item("authtype", v)?;
            }
            if let Some(v) = &self.credential {
                item("credential", v)?;
            }
        }
        if let Some(v) = &self.username {
            item("username", v)?;
        }
        if let Some(v) = &self.password {
            item("password", v)?;
        }
        if let Some(v) = &self.oauth_refresh_token {
            item("oauth_refresh_token", v)?;
        }
        if let Some(t) = self.password_expiry_utc {
            item("password_expiry_utc", t.to_string().as_bytes())?;
        }
        Ok(())
    }
}

/// What in `value` would break a protocol line: a newline, or a NUL for C strings.
fn line_breaker(value: &[u8]) -> Option<&'static str> {
    if value.contains(&b'\n') {
        Some("a newline")
    } else if value.contains(&0) {
        Some("a NUL byte")
    } else {
        None
    }
}

/// What in an answer's `value` git would not read back as written: a line breaker, or a
/// carriage return at the end, which git's line reader (`strbuf_getline`) drops.
fn answer_breaker(value: &[u8]) -> Option<&'static str> {
    line_breaker(value).or(value
        .ends_with(b"\r")
        .then_some("a carriage return at its end"))
}

/// `%XX` decoding as git's `url_decode` (no `+` handling).
fn decode(bytes: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_git_reads_them() {
        for (value, expected) in [
            (&b"true"[..], Some(true)),
            (b"Yes", Some(true)),
            (b"2", Some(true)),
            (b"", Some(false)),
            (b"off", Some(false)),
            (b"0", Some(false)),
            (b"never", None),
        ] {
            assert_eq!(
                git_bool(value),
                expected,
                "{:?}",
                String::from_utf8_lossy(value)
            );
        }
    }

    fn parse(s: &str) -> Credential {
        Credential::parse(s.as_bytes()).expect("parses")
    }

    #[test]
    fn reads_basic_attributes_to_blank_line() {
        let c = parse("protocol=https\nhost=example.com:8080\npath=a/b.git\nusername=alice\npassword=p=q\n\nhost=evil\n");
        assert_eq!(c.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(c.host.as_deref(), Some(&b"example.com:8080"[..]));
        assert_eq!(c.path.as_deref(), Some(&b"a/b.git"[..]));
        assert_eq!(c.username.as_deref(), Some(&b"alice"[..]));
        // Only the first '=' separates key and value.
        assert_eq!(c.password.as_deref(), Some(&b"p=q"[..]));
    }

    #[test]
    fn reads_to_eof_without_final_newline() {
        let c = parse("protocol=https\nhost=h");
        assert_eq!(c.host.as_deref(), Some(&b"h"[..]));
    }

    #[test]
    fn empty_value_differs_from_absent() {
        let c = parse("protocol=https\nhost=sso.tld\nusername=\npassword=\n");
        assert_eq!(c.username.as_deref(), Some(&b""[..]));
        assert_eq!(c.password.as_deref(), Some(&b""[..]));
        assert!(parse("host=x\n").username.is_none());
    }

    #[test]
    fn line_without_equals_is_an_error_that_does_not_echo_it() {
        let err = Credential::parse(b"protocol=https\nsecret-token\n").unwrap_err();
        assert!(matches!(err, ProtocolError::NoEquals { line: 2 }));
        assert!(!err.to_string().contains("secret-token"));
    }

    #[test]
    fn crlf_is_stripped_but_inner_cr_is_kept() {
        let c = parse("protocol=https\r\nhost=h\r\npassword=a\rb\r\n");
        assert_eq!(c.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(c.password.as_deref(), Some(&b"a\rb"[..]));
        // A line that is only "\r" is blank.
        assert!(parse("host=h\r\n\r\nusername=u\n").username.is_none());
    }

    #[test]
    fn multi_valued_keys_keep_order_and_reset_on_empty() {
        let c = parse(
            "wwwauth[]=Basic a\nwwwauth[]=Bearer b\nwwwauth[]=\nwwwauth[]=Negotiate\nstate[]=x\n",
        );
        assert_eq!(c.wwwauth, vec![b"Negotiate".to_vec()]);
        assert_eq!(c.state, vec![b"x".to_vec()]);
        let c = parse("wwwauth[]=one\nwwwauth[]=two\n");
        assert_eq!(c.wwwauth, vec![b"one".to_vec(), b"two".to_vec()]);
    }

    #[test]
    fn capabilities_known_unknown_and_reset() {
        let c = parse("capability[]=authtype\ncapability[]=frobnicate\n");
        assert!(c.capabilities.authtype && !c.capabilities.state);
        let c = parse("capability[]=authtype\ncapability[]=state\ncapability[]=\n");
        assert_eq!(c.capabilities, Capabilities::default());
    }

    #[test]
    fn long_line_is_one_value_not_two_lines() {
        let long = format!(
            "protocol=https\nhost=badguy.example.com\nwwwauth[]=basic realm={}host=victim.example.com\n",
            "a".repeat(70 * 1024)
        );
        let c = parse(&long);
        assert_eq!(c.host.as_deref(), Some(&b"badguy.example.com"[..]));
        assert_eq!(c.wwwauth.len(), 1);
        assert!(c.wwwauth[0].ends_with(b"host=victim.example.com"));
    }

    #[test]
    fn expiry_as_git_parses_it() {
        assert_eq!(
            parse("password_expiry_utc=9999999999\n").password_expiry_utc,
            Some(9999999999)
        );
        assert_eq!(parse("password_expiry_utc=0\n").password_expiry_utc, None);
        assert_eq!(
            parse("password_expiry_utc=99999999999999999999999\n").password_expiry_utc,
            None
        );
        assert_eq!(
            parse("password_expiry_utc=12abc\n").password_expiry_utc,
            Some(12)
        );
        assert_eq!(
            parse("password_expiry_utc=junk\n").password_expiry_utc,
            None
        );
    }

    #[test]
    fn booleans_as_git_config_bool() {
        assert!(parse("ephemeral=1\n").ephemeral);
        assert!(parse("ephemeral=TRUE\n").ephemeral);
        assert!(!parse("ephemeral=0\n").ephemeral);
        assert!(!parse("ephemeral=\n").ephemeral);
        assert!(parse("continue=yes\n").multistage);
        assert!(Credential::parse(b"ephemeral=maybe\n").is_err());
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let c = parse("protocol=https\nfuture_thing=1\nhost=h\n");
        assert_eq!(c.host.as_deref(), Some(&b"h"[..]));
    }

    #[test]
    fn url_fills_the_parts() {
        let c = parse("url=https://al%40ice:pw@example.com:8443/group/repo.git\n");
        assert_eq!(c.protocol.as_deref(), Some(&b"https"[..]));
        assert_eq!(c.host.as_deref(), Some(&b"example.com:8443"[..]));
        assert_eq!(c.username.as_deref(), Some(&b"al@ice"[..]));
        assert_eq!(c.password.as_deref(), Some(&b"pw"[..]));
        assert_eq!(c.path.as_deref(), Some(&b"group/repo.git"[..]));
        let c = parse("username=bob\nurl=https://example.com\n");
        assert!(c.username.is_none() && c.path.is_none());
    }

    #[test]
    fn what_git_would_cut_or_split_is_refused() {
        for (input, message) in [
            (
                &b"host=h\npassword=ab\0cd\n"[..],
                "invalid credential line 2: it contains a NUL byte",
            ),
            (
                b"url=h.example.com/repo\n",
                "credential url cannot be parsed: it has no scheme",
            ),
            (
                b"url=https://h.example.com%0ahost=victim.example.com\n",
                "credential url cannot be parsed: a newline in its host component",
            ),
            (
                b"url=https://u:p%00w@h.example.com\n",
                "credential url cannot be parsed: a NUL byte in its password component",
            ),
        ] {
            let err = Credential::parse(input).unwrap_err().to_string();
            assert_eq!(err, message);
            assert!(!err.contains("victim") && !err.contains("p%00w"), "{err}");
        }
        // A carriage return inside a part is kept, as git keeps it.
        assert_eq!(
            parse("url=https://h%0d.example.com\n").host.as_deref(),
            Some(&b"h\r.example.com"[..])
        );
    }

    #[test]
    fn answers_git_could_not_read_back_are_refused() {
        let with = |password: &[u8], credential: &[u8]| Credential {
            username: Some(b"u".to_vec()),
            password: Some(password.to_vec()),
            authtype: Some(b"Bearer".to_vec()),
            credential: Some(credential.to_vec()),
            ..Credential::default()
        };
        let plain = Capabilities::default();
        let authtype = Capabilities {
            authtype: true,
            state: false,
        };
        let err = with(b"tok\nhost=victim", b"c")
            .check_answer(plain)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to answer: the credential's password contains a newline, which git cannot read back"
        );
        assert!(with(b"t\0k", b"c").check_answer(plain).is_err());
        // Only what is written counts: `credential` goes to authtype callers only.
        assert!(with(b"ok", b"c\nx").check_answer(plain).is_ok());
        assert!(with(b"ok", b"c\nx").check_answer(authtype).is_err());
        assert!(with(b"a\rb", b"c").check_answer(authtype).is_ok());
        // Found by fuzzing (fuzz/regressions/credential_protocol): a value ending in CR
        // would come back without it.
        assert_eq!(
            with(b"ab\r", b"c")
                .check_answer(plain)
                .unwrap_err()
                .to_string(),
            "refusing to answer: the credential's password contains a carriage return at its \
             end, which git cannot read back"
        );
    }

    #[test]
    fn answer_echoes_authtype_capability_only_when_announced() {
        let stored = Credential {
            username: Some(b"u".to_vec()),
            password: Some(b"p".to_vec()),
            authtype: Some(b"Bearer".to_vec()),
            credential: Some(b"tok".to_vec()),
            oauth_refresh_token: Some(b"r".to_vec()),
            password_expiry_utc: Some(42),
            host: Some(b"h".to_vec()),
            ..Credential::default()
        };
        let mut out = Vec::new();
        stored
            .write_answer(Capabilities::default(), &mut out)
            .unwrap();
        assert_eq!(
            out,
            b"username=u\npassword=p\noauth_refresh_token=r\npassword_expiry_utc=42\n"
        );
        let mut out = Vec::new();
        let caps = Capabilities {
            authtype: true,
            state: false,
        };
        stored.write_answer(caps, &mut out).unwrap();
        assert!(out
            .starts_with(b"capability[]=authtype\nauthtype=Bearer\ncredential=tok\nusername=u\n"));
    }

    #[test]
    fn read_input_stops_at_blank_line() {
        let mut r = std::io::Cursor::new(b"host=h\n\nmore=1\n".to_vec());
        assert_eq!(read_input(&mut r).unwrap(), b"host=h\n\n");
        let mut r = std::io::Cursor::new(b"host=h".to_vec());
        assert_eq!(read_input(&mut r).unwrap(), b"host=h");
    }
}
