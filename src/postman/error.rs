//! One error type for every way a Postman API call can fail, showing the server's own
//! message whatever shape its error body has.

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Postman rejected the API key ({status}): {message}")]
    Unauthorized { status: u16, message: String },
    #[error("Postman answered {status} to {method} {path}: {message}")]
    Status {
        status: u16,
        method: String,
        path: String,
        message: String,
    },
    #[error("cannot reach Postman at {url}: {detail}")]
    Transport { url: String, detail: String },
    #[error("no answer from Postman to {method} {path}: the connection broke ({detail})")]
    NoAnswer {
        method: String,
        path: String,
        detail: String,
    },
    #[error("Postman's answer to {method} {path} was cut off: the connection closed after {received} bytes of it")]
    CutOff {
        method: String,
        path: String,
        received: usize,
    },
    #[error("Postman did not answer {method} {path} within {seconds} s")]
    Timeout {
        method: String,
        path: String,
        seconds: f64,
    },
    #[error("Postman's answer to {method} {path} is larger than {limit}, more than Postman's own limits allow (collections up to 100 MB, schema files up to 10 MB); not read")]
    TooLarge {
        method: String,
        path: String,
        /// "160 MB".
        limit: String,
    },
    #[error("Postman's {status} answer to {method} {path} does not confirm the write ({why}): maybe a proxy answered; push again to finish it")]
    Unconfirmed {
        method: String,
        path: String,
        status: u16,
        why: String,
    },
    #[error("the Postman API key cannot be sent: it contains a character that an HTTP header cannot carry (a line break, a control character or a non-ASCII letter); store it again without it")]
    BadKey,
    #[error("Postman's answer to {method} {path} is not what the API documents: {detail}")]
    Decode {
        method: String,
        path: String,
        detail: String,
    },
    #[error(
        "Postman kept answering {status} to {method} {path} after {attempts} attempts: {message}"
    )]
    GaveUp {
        status: u16,
        method: String,
        path: String,
        attempts: u32,
        message: String,
    },
    #[error("no Postman API key: set POSTMAN_API_KEY or run `git postman login` ({detail})")]
    NoApiKey { detail: String },
    #[error("POSTMAN_API_KEY is sent only to Postman's API hosts and this machine, not to {host}, and git's credential system has no key for it ({detail}); to send POSTMAN_API_KEY there: git config --global --add postman.trustedApiHost {host}")]
    KeyWithheld { host: String, detail: String },
    #[error("invalid Postman URL {url:?}: {why}")]
    Url { url: String, why: String },
    #[error("API {api_id} is linked to a git repository in Postman; its schema and collections live there, not in Postman's cloud")]
    GitLinked { api_id: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The human message in an error body. Postman uses six shapes (reference/postman.md
/// §1.7): `{"error":{"name","message"}}`, top-level `{"name","message"}`,
/// `{"type","title","detail"}` with `detail` a string or object, problem+json with
/// `status`, `{"error":{"type","title","detail"}}`, and `details` (plural).
pub fn server_message(body: &[u8]) -> String {
    printable(&raw_message(body))
}

/// At most [`MAX_MESSAGE`] characters, control characters escaped (`\u{1b}`), so that a
/// server's text cannot move the cursor, recolour or rewrite what the terminal shows,
/// nor add a line to git's protocol.
fn printable(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_MESSAGE {
            out.push('…');
            break;
        }
        match c.is_control() {
            true => out.extend(c.escape_unicode()),
            false => out.push(c),
        }
    }
    out
}

/// The longest server message shown.
const MAX_MESSAGE: usize = 300;

fn raw_message(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        return if text.is_empty() {
            "(empty body)".into()
        } else {
            text.to_string()
        };
    };
    let inner = value
        .get("error")
        .filter(|e| e.is_object())
        .unwrap_or(&value);
    let text = |key: &str| -> Option<String> {
        match inner.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Object(o) => o
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| Some(Value::Object(o.clone()).to_string())),
            _ => None,
        }
    };
    let headline = text("title").or_else(|| text("name"));
    let detail = text("message")
        .or_else(|| text("detail"))
        .or_else(|| text("details"));
    match (headline, detail) {
        (Some(h), Some(d)) if h != d => format!("{h}: {d}"),
        (Some(h), _) => h,
        (None, Some(d)) => d,
        (None, None) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::server_message;

    #[test]
    fn every_documented_error_shape_yields_its_message() {
        let cases: [(&str, &str); 7] = [
            (
                r#"{"error":{"name":"instanceNotFoundError","message":"We could not find the collection"}}"#,
                "instanceNotFoundError: We could not find the collection",
            ),
            (
                r#"{"name":"instanceNotFoundError","message":"API not found."}"#,
                "instanceNotFoundError: API not found.",
            ),
            (
                r#"{"type":"x","title":"Action not allowed","detail":"Not for Git linked APIs"}"#,
                "Action not allowed: Not for Git linked APIs",
            ),
            (
                r#"{"type":"u","title":"Unauthorized","status":401,"detail":"A valid API key must be provided."}"#,
                "Unauthorized: A valid API key must be provided.",
            ),
            (
                r#"{"error":{"type":"instanceNotFoundError","title":"Collection not found","detail":"Not in this API"}}"#,
                "Collection not found: Not in this API",
            ),
            (
                r#"{"type":"limitReachedError","title":"API limit","message":"Up to 3 APIs.","detail":{"model":"api"}}"#,
                "API limit: Up to 3 APIs.",
            ),
            (
                r#"{"type":"VersionNotFound","title":"API Version not found.","details":"No such version"}"#,
                "API Version not found.: No such version",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(server_message(body.as_bytes()), expected);
        }
        assert_eq!(
            server_message(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_length_is_bounded() {
        let body = br#"{"error":{"name":"x","message":"a\u001b[2J\r\nfatal: fake\u0007"}}"#;
        assert_eq!(
            server_message(body),
            r"x: a\u{1b}[2J\u{d}\u{a}fatal: fake\u{7}"
        );
        let long = server_message("é".repeat(10_000).as_bytes());
        assert_eq!(long.chars().count(), 301);
        assert!(server_message(b"\x1b]0;title\x07").starts_with(r"\u{1b}]0;title"));
    }
}
