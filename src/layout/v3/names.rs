//! File names in a v3 tree, as Postman's converter picks them: characters illegal in file
//! names become `-`, names are unique per directory ignoring case (` 1`, ` 2`... added),
//! and the file records the real name in `name:` when the two differ.

use std::collections::HashSet;

pub const RESOURCES: &str = ".resources";
pub const DEFINITION: &str = ".resources/definition.yaml";
pub const REQUEST_SUFFIX: &str = ".request.yaml";
pub const EXAMPLE_SUFFIX: &str = ".example.yaml";
pub const RESOURCES_SUFFIX: &str = ".resources";
pub const EXAMPLES: &str = "examples";
/// The names Postman gives items that have none.
pub const NEW_FOLDER: &str = "New Folder";
pub const NEW_REQUEST: &str = "New Request";
/// The file name of an example whose name is empty (or all illegal characters).
const EMPTY_EXAMPLE: &str = "example";

/// The names taken in one directory (folders, request files or example files).
#[derive(Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    pub fn folder(&mut self, name: &str) -> String {
        self.unique(name, "", NEW_FOLDER)
    }

    pub fn request(&mut self, name: &str) -> String {
        self.unique(name, REQUEST_SUFFIX, NEW_REQUEST)
    }

    pub fn example(&mut self, name: &str) -> String {
        self.unique(name, EXAMPLE_SUFFIX, EMPTY_EXAMPLE)
    }

    /// The sanitised `name` (`empty` when nothing is left), with ` <n>` added until
    /// `<stem><suffix>` is not taken.
    fn unique(&mut self, name: &str, suffix: &str, empty: &str) -> String {
        let mut base = safe(sanitize(name));
        if base.is_empty() {
            base = empty.into();
        }
        let mut stem = base.clone();
        let mut n = 0;
        while !self.taken.insert(format!("{stem}{suffix}").to_lowercase()) {
            n += 1;
            stem = format!("{base} {n}");
        }
        stem
    }
}

/// The directory of a collection in a v3 tree: its sanitised name.
pub fn collection_dir(name: &str) -> String {
    let dir = safe(sanitize(name));
    if dir.is_empty() {
        "collection".into()
    } else {
        dir
    }
}

/// Names from Postman are untrusted: `.`, `..`, `.git` and our own `.resources` must not
/// name a directory, so they get a `-` in front.
fn safe(name: String) -> String {
    let trimmed = name.trim_end_matches(['.', ' ']);
    let reserved = matches!(name.as_str(), "." | "..")
        || trimmed.eq_ignore_ascii_case(".git")
        || trimmed.eq_ignore_ascii_case(RESOURCES);
    if reserved {
        format!("-{name}")
    } else {
        name
    }
}

/// `/[<>:"/\\|?*\x00-\x1f]+/g` -> `-`
pub fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        let bad =
            matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') || (c as u32) < 0x20;
        if bad {
            if !in_run {
                out.push('-');
            }
        } else {
            out.push(c);
        }
        in_run = bad;
    }
    out
}

/// The reason phrase Postman writes as `statusText` when an example has a code only
/// (Node.js's `http.STATUS_CODES`).
pub fn reason_phrase(code: u64) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        509 => "Bandwidth Limit Exceeded",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// A UUID (version 4 layout) derived from `seed`: where Postman's converter invents a
/// random id, ours is a function of the content, so a fetch is deterministic.
pub fn derived_uuid(seed: &[u8]) -> String {
    // FNV-1a, 128 bits: stable across platforms and releases, unlike std's hasher.
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in seed {
        h ^= u128::from(*b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    let mut b = h.to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised_and_unique_ignoring_case() {
        assert_eq!(sanitize("Folder: one/two"), "Folder- one-two");
        assert_eq!(sanitize("a<>b"), "a-b");
        let mut names = Names::default();
        assert_eq!(names.request("Same name"), "Same name");
        assert_eq!(names.request("same NAME"), "same NAME 1");
        assert_eq!(names.folder("same name"), "same name");
        assert_eq!(names.request("Same name"), "Same name 2");
        assert_eq!(names.folder(".."), "-..");
        assert_eq!(names.folder(".Git"), "-.Git");
        assert_eq!(collection_dir("a/b"), "a-b");
    }

    #[test]
    fn derived_ids_are_stable_uuids() {
        let a = derived_uuid(b"x");
        assert_eq!(a, derived_uuid(b"x"));
        assert_ne!(a, derived_uuid(b"y"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
