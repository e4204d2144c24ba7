//! The managed schema files of a connection (DESIGN, "Mapping"): the root file and every
//! file it reaches through relative `$ref`s, transitively. Each file is parsed (JSON or
//! YAML), so `$ref` text inside a description or a comment is not taken for a reference.
//!
//! A reference is a URI reference: its fragment (`#/components/...`) is dropped, an empty
//! remainder (`#/...`) points into the same file and a URL names no file here. What is
//! left is a path relative to the referencing file; it must stay inside the root file's
//! directory (Postman stores paths relative to it) and name an existing file.

use std::collections::{BTreeSet, VecDeque};

use percent_encoding::percent_decode_str;

use crate::layout::mapping::resolve_ref;
use crate::layout::{json, paths};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("the root file {root} is not inside the schema directory {dir}")]
    RootOutside { root: String, dir: String },
    #[error("{0}: no such file in the working tree")]
    MissingRoot(String),
    #[error("{file}: cannot read it: {detail}")]
    Read { file: String, detail: String },
    #[error("{file}: not valid {format}: {detail}")]
    Parse {
        file: String,
        format: &'static str,
        detail: String,
    },
    #[error("{file}: $ref {reference:?} is an absolute path; write it relative to {file}")]
    Absolute { file: String, reference: String },
    #[error("{file}: $ref {reference:?} leaves the root file's directory ({dir}); every schema file must be inside it")]
    Leaves {
        file: String,
        reference: String,
        dir: String,
    },
    #[error("{file}: $ref {reference:?} names {target}, which does not exist")]
    Missing {
        file: String,
        reference: String,
        target: String,
    },
    #[error("{file}: {source}")]
    Unsafe { file: String, source: paths::Error },
    #[error("{file}: not an OpenAPI 2.0, 3.0, 3.1 or AsyncAPI 2 document (no `openapi`, `swagger` or `asyncapi` version at the top)")]
    NotAnApiDocument { file: String },
}

/// The root file and its `$ref` closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedSet {
    /// Repository path of the root file.
    pub root: String,
    /// The root file's directory, `S` (empty for the repository root).
    pub schema_dir: String,
    /// Repository paths, the root included.
    pub files: BTreeSet<String>,
    /// Postman's schema type for the root document (`openapi:3`, `openapi:3_1`, ...).
    pub schema_type: String,
}

impl ManagedSet {
    /// The Postman path of a managed file: relative to `S`.
    pub fn postman_path<'a>(&self, repo_path: &'a str) -> &'a str {
        strip_dir(repo_path, &self.schema_dir).unwrap_or(repo_path)
    }
}

/// Reads a repository path of the working tree: `Ok(None)` when there is no such file.
pub type ReadFile<'a> = dyn Fn(&str) -> Result<Option<Vec<u8>>, String> + 'a;

/// Follows the `$ref`s of `root` (a repository path) through the files `read` gives.
/// The schema directory is the root file's.
pub fn scan(root: &str, read: &ReadFile<'_>) -> Result<ManagedSet, Error> {
    scan_in_dir(root, parent(root), read)
}

/// As [`scan`], with the schema directory given: a repository that Postman's integration
/// wrote in configVersion 1.0.0 names it (`rootDirectory`), and the root file may be
/// below it.
pub fn scan_in_dir(root: &str, schema_dir: &str, read: &ReadFile<'_>) -> Result<ManagedSet, Error> {
    let schema_dir = schema_dir.to_string();
    if strip_dir(root, &schema_dir).is_none() {
        return Err(Error::RootOutside {
            root: root.to_string(),
            dir: schema_dir,
        });
    }
    let read_one = |file: &str| -> Result<Option<Vec<u8>>, Error> {
        read(file).map_err(|detail| Error::Read {
            file: file.to_string(),
            detail,
        })
    };
    let root_bytes = read_one(root)?.ok_or_else(|| Error::MissingRoot(root.to_string()))?;
    let root_doc = Document::parse(root, &root_bytes)?;
    let schema_type = root_doc
        .schema_type()
        .ok_or_else(|| Error::NotAnApiDocument {
            file: root.to_string(),
        })?;

    let mut files = BTreeSet::from([root.to_string()]);
    let mut queue = VecDeque::from([(root.to_string(), root_doc)]);
    while let Some((file, doc)) = queue.pop_front() {
        check_postman_path(&file, &schema_dir)?;
        for reference in doc.refs() {
            let Some(target_ref) = file_part(&reference) else {
                continue;
            };
            if target_ref.starts_with('/') {
                return Err(Error::Absolute { file, reference });
            }
            let target = resolve_ref(&file, &target_ref)
                .filter(|t| strip_dir(t, &schema_dir).is_some())
                .ok_or_else(|| Error::Leaves {
                    file: file.clone(),
                    reference: reference.clone(),
                    dir: display_dir(&schema_dir).to_string(),
                })?;
            if files.contains(&target) {
                continue;
            }
            let bytes = read_one(&target)?.ok_or_else(|| Error::Missing {
                file: file.clone(),
                reference: reference.clone(),
                target: target.clone(),
            })?;
            let parsed = Document::parse(&target, &bytes)?;
            files.insert(target.clone());
            queue.push_back((target, parsed));
        }
    }
    Ok(ManagedSet {
        root: root.to_string(),
        schema_dir,
        files,
        schema_type,
    })
}

/// The file a reference names, percent-decoded and without its fragment; `None` for a
/// reference into the same document (`#/...`) or to a URL.
fn file_part(reference: &str) -> Option<String> {
    let without_fragment = reference.split('#').next().unwrap_or("").trim();
    if without_fragment.is_empty() || has_scheme(without_fragment) {
        return None;
    }
    if without_fragment.starts_with("//") {
        return None; // network-path reference: a URL without its scheme
    }
    Some(
        percent_decode_str(without_fragment)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// `http:`, `https:`, `urn:`...: RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn check_postman_path(file: &str, schema_dir: &str) -> Result<(), Error> {
    let postman_path = strip_dir(file, schema_dir).unwrap_or(file);
    paths::check_relative(postman_path).map_err(|source| Error::Unsafe {
        file: file.to_string(),
        source,
    })
}

/// `path` relative to `dir`, if it is inside it (`dir` empty: the repository root).
pub fn strip_dir<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir.is_empty() {
        return Some(path);
    }
    path.strip_prefix(dir)?.strip_prefix('/')
}

/// Whether repository path `path` is `dir` or inside it.
pub fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || strip_dir(path, dir).is_some()
}

pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
}

pub fn display_dir(dir: &str) -> &str {
    if dir.is_empty() {
        "."
    } else {
        dir
    }
}

/// The files a schema file references (relative paths, fragments dropped, not yet
/// resolved); none when it does not parse as JSON or YAML.
pub fn file_refs(file: &str, bytes: &[u8]) -> Vec<String> {
    Document::parse(file, bytes)
        .map(|doc| doc.refs().iter().filter_map(|r| file_part(r)).collect())
        .unwrap_or_default()
}

/// Postman's schema type of an API document (`openapi:3`...), `None` when `bytes` is
/// not one.
pub fn schema_type(file: &str, bytes: &[u8]) -> Option<String> {
    Document::parse(file, bytes).ok()?.schema_type()
}

/// A parsed schema file.
enum Document {
    Json(serde_json::Value),
    Yaml(serde_yaml::Value),
}

impl Document {
    /// JSON for `*.json`, YAML otherwise; each falls back to the other, so a JSON
    /// document named `.yaml` (YAML's superset usually covers it anyway) still parses.
    fn parse(file: &str, bytes: &[u8]) -> Result<Document, Error> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Parse {
            file: file.to_string(),
            format: "UTF-8",
            detail: e.to_string(),
        })?;
        // Both parsers stop at 128 levels, but the YAML one only after a time that grows
        // with the square of the nesting (12 s for 100,000 `[`): refuse that first. The
        // scan counts brackets in YAML's plain text too, hence the margin.
        if json::nests_deeper_than(text, 8 * json::MAX_DEPTH) {
            return Err(Error::Parse {
                file: file.to_string(),
                format: "JSON or YAML",
                detail: format!("it nests deeper than {} levels", 8 * json::MAX_DEPTH),
            });
        }
        let json = || serde_json::from_str(text).map(Document::Json);
        let yaml = || serde_yaml::from_str(text).map(Document::Yaml);
        if file.to_ascii_lowercase().ends_with(".json") {
            json().or_else(|e| {
                yaml().map_err(|_| Error::Parse {
                    file: file.to_string(),
                    format: "JSON",
                    detail: e.to_string(),
                })
            })
        } else {
            yaml().or_else(|e| {
                json().map_err(|_| Error::Parse {
                    file: file.to_string(),
                    format: "YAML",
                    detail: e.to_string(),
                })
            })
        }
    }

    /// Every string value of a `$ref` key, in document order.
    fn refs(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Document::Json(v) => json_refs(v, &mut out),
            Document::Yaml(v) => yaml_refs(v, &mut out),
        }
        out
    }

    /// `openapi: 3.1.0` -> `openapi:3_1`, `3.0.x` -> `openapi:3`, `swagger: '2.0'` ->
    /// `openapi:2`, `asyncapi: 2.x` -> `asyncapi:2`: the types Postman's API Builder knows.
    fn schema_type(&self) -> Option<String> {
        let field = |key: &str| -> Option<String> {
            match self {
                Document::Json(v) => scalar_json(v.get(key)?),
                Document::Yaml(v) => scalar_yaml(v.get(key)?),
            }
        };
        if let Some(v) = field("openapi") {
            return if v.starts_with("3.1") {
                Some("openapi:3_1".into())
            } else if v.starts_with('3') {
                Some("openapi:3".into())
            } else {
                None
            };
        }
        if let Some(v) = field("swagger") {
            return match v.chars().next() {
                Some('2') => Some("openapi:2".into()),
                Some('1') => Some("openapi:1".into()),
                _ => None,
            };
        }
        if let Some(v) = field("asyncapi") {
            return v.starts_with('2').then(|| "asyncapi:2".into());
        }
        None
    }
}

fn json_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                match (k.as_str(), child) {
                    ("$ref", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => json_refs(child, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_refs(i, out)),
        _ => {}
    }
}

fn yaml_refs(v: &serde_yaml::Value, out: &mut Vec<String>) {
    use serde_yaml::Value;
    match v {
        Value::Mapping(map) => {
            for (k, child) in map {
                match (k, child) {
                    (Value::String(k), Value::String(s)) if k == "$ref" => out.push(s.clone()),
                    _ => yaml_refs(child, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| yaml_refs(i, out)),
        Value::Tagged(tagged) => yaml_refs(&tagged.value, out),
        _ => {}
    }
}

fn scalar_json(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn scalar_yaml(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    fn scan_in(tree: &BTreeMap<String, Vec<u8>>, root: &str) -> Result<ManagedSet, Error> {
        scan(root, &|p: &str| Ok(tree.get(p).cloned()))
    }

    #[test]
    fn yaml_and_json_refs_are_followed_transitively() {
        let tree = files(&[
            ("specs/openapi.yaml", "openapi: 3.0.3\npaths:\n  /a:\n    $ref: 'paths/a.yaml#/get'\n  /b:\n    $ref: \"#/components/x\"\ncomponents:\n  schemas:\n    E: {$ref: common/error.json}\n    U:\n      $ref: https://example.com/u.yaml\n    V:\n      description: 'text with $ref: nope.yaml in it'\n"),
            ("specs/paths/a.yaml", "get:\n  responses:\n    '200':\n      $ref: ../common/My%20Response.yaml\n"),
            ("specs/common/My Response.yaml", "description: ok\n"),
            ("specs/common/error.json", "{\"type\": \"object\", \"properties\": {\"e\": {\"$ref\": \"./error.json#/x\"}}}"),
            ("specs/unrelated.yaml", "a: b\n"),
        ]);
        let set = scan_in(&tree, "specs/openapi.yaml").unwrap();
        assert_eq!(set.schema_dir, "specs");
        assert_eq!(set.schema_type, "openapi:3");
        assert_eq!(
            set.files.iter().map(String::as_str).collect::<Vec<_>>(),
            [
                "specs/common/My Response.yaml",
                "specs/common/error.json",
                "specs/openapi.yaml",
                "specs/paths/a.yaml"
            ]
        );
        assert_eq!(set.postman_path("specs/paths/a.yaml"), "paths/a.yaml");
    }

    #[test]
    fn leaving_the_root_directory_or_a_missing_file_is_an_error() {
        let tree = files(&[
            (
                "specs/openapi.yaml",
                "openapi: 3.1.0\nx:\n  $ref: ../shared/e.yaml\n",
            ),
            ("shared/e.yaml", "a: 1\n"),
        ]);
        assert_eq!(
            scan_in(&tree, "specs/openapi.yaml").unwrap_err(),
            Error::Leaves {
                file: "specs/openapi.yaml".into(),
                reference: "../shared/e.yaml".into(),
                dir: "specs".into()
            }
        );
        let tree = files(&[(
            "openapi.json",
            "{\"swagger\": \"2.0\", \"x\": {\"$ref\": \"gone.json#/a\"}}",
        )]);
        let err = scan_in(&tree, "openapi.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "openapi.json: $ref \"gone.json#/a\" names gone.json, which does not exist"
        );
        let tree = files(&[("a.yaml", "openapi: 3.0.0\nx:\n  $ref: /etc/passwd\n")]);
        assert!(matches!(
            scan_in(&tree, "a.yaml"),
            Err(Error::Absolute { .. })
        ));
    }

    #[test]
    fn types_and_bad_documents() {
        let tree = files(&[
            ("s.yaml", "swagger: '2.0'\n"),
            ("a.yaml", "asyncapi: 2.6.0\n"),
            ("n.yaml", "openapi: 3.1\n"),
            ("x.yaml", "just: data\n"),
            ("bad.yaml", "a: [\n"),
        ]);
        assert_eq!(scan_in(&tree, "s.yaml").unwrap().schema_type, "openapi:2");
        assert_eq!(scan_in(&tree, "a.yaml").unwrap().schema_type, "asyncapi:2");
        assert_eq!(scan_in(&tree, "n.yaml").unwrap().schema_type, "openapi:3_1");
        assert!(matches!(
            scan_in(&tree, "x.yaml"),
            Err(Error::NotAnApiDocument { .. })
        ));
        assert!(matches!(
            scan_in(&tree, "bad.yaml"),
            Err(Error::Parse { format: "YAML", .. })
        ));
        assert_eq!(
            scan_in(&tree, "nope.yaml"),
            Err(Error::MissingRoot("nope.yaml".into()))
        );
    }

    #[test]
    fn references_that_name_no_file() {
        assert_eq!(file_part("#/components/schemas/A"), None);
        assert_eq!(file_part("https://x.test/a.yaml"), None);
        assert_eq!(file_part("urn:x:y"), None);
        assert_eq!(file_part("//cdn.test/a.yaml"), None);
        assert_eq!(file_part("a%20b.yaml#/x").as_deref(), Some("a b.yaml"));
        assert!(is_under("a/b", "a") && is_under("a", "a") && !is_under("ab/c", "a"));
        assert!(is_under("x", ""));
    }
}
