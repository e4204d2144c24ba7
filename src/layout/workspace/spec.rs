//! Spec files: which files are spec files, their size limit, their parse, and the Spec
//! Hub type of a ROOT file.

use serde_yaml::Value;

use super::scalar;
use super::Error;

/// Spec Hub's types (the SDK's `SpecType`).
pub const TYPES: [&str; 9] = [
    "OPENAPI:2.0",
    "OPENAPI:3.0",
    "OPENAPI:3.1",
    "ASYNCAPI:2.0",
    "ASYNCAPI:3.0",
    "PROTOBUF:2",
    "PROTOBUF:3",
    "GRAPHQL",
    "SMITHY:2.0",
];

/// Spec Hub refuses a file larger than 10 MB on file create and update (12 MB on spec
/// create): the smaller limit holds for every push. Counted as MiB, the stricter reading.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The file extensions of Spec Hub's file formats (`json, yaml, proto, graphql, smithy`).
const EXTENSIONS: [&str; 7] = ["yaml", "yml", "json", "proto", "graphql", "gql", "smithy"];

fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

/// Whether `path` is a spec file (anything else in a spec directory, a README say, is
/// not Postman's).
pub fn is_spec_file(path: &str) -> bool {
    extension(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// The file name's extension with its dot (`.yaml`), `.yaml` when it has none.
pub fn dot_extension(path: &str) -> String {
    format!(".{}", extension(path).unwrap_or_else(|| "yaml".into()))
}

/// Checks the size and, for YAML and JSON, the syntax of a spec file.
pub fn check_file(path: &str, bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(
            path,
            format!(
                "{} bytes, more than the {MAX_FILE_BYTES} bytes (10 MB) Spec Hub accepts per file",
                bytes.len()
            ),
        ));
    }
    document(path, bytes).map(|_| ())
}

/// A YAML or JSON file parsed; `None` for the other formats.
fn document(path: &str, bytes: &[u8]) -> Result<Option<Value>, Error> {
    let ext = extension(path).unwrap_or_default();
    if !["yaml", "yml", "json"].contains(&ext.as_str()) {
        return Ok(None);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| Error::invalid(path, format!("not UTF-8: {e}")))?;
    if ext == "json" {
        // serde_json names the line; YAML would accept JSON Postman refuses.
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Parse {
            path: path.to_string(),
            line: Some(e.line()),
            message: e.to_string(),
        })?;
        return serde_yaml::to_value(v)
            .map(Some)
            .map_err(|e| Error::invalid(path, e.to_string()));
    }
    serde_yaml::from_str(text)
        .map(Some)
        .map_err(|e| Error::yaml(path, &e))
}

/// The Spec Hub type of a ROOT file; an error naming the file and the version field
/// when Spec Hub has no such type.
pub fn spec_type(path: &str, bytes: &[u8]) -> Result<String, Error> {
    let ext = extension(path).unwrap_or_default();
    match ext.as_str() {
        "proto" => {
            let text = String::from_utf8_lossy(bytes);
            let proto3 = text.lines().any(|l| {
                let l = l.trim();
                l.starts_with("syntax") && l.contains("proto3")
            });
            return Ok(if proto3 { "PROTOBUF:3" } else { "PROTOBUF:2" }.into());
        }
        "graphql" | "gql" => return Ok("GRAPHQL".into()),
        "smithy" => return Ok("SMITHY:2.0".into()),
        _ => {}
    }
    let doc = document(path, bytes)?.unwrap_or(Value::Null);
    let field = |k: &str| doc.get(k).and_then(scalar);
    let found = if let Some(v) = field("openapi") {
        match v.get(..3) {
            Some("3.0") => Some("OPENAPI:3.0"),
            Some("3.1") => Some("OPENAPI:3.1"),
            _ => None,
        }
        .ok_or(("openapi", v))
    } else if let Some(v) = field("swagger") {
        v.starts_with("2.")
            .then_some("OPENAPI:2.0")
            .ok_or(("swagger", v))
    } else if let Some(v) = field("asyncapi") {
        match v.chars().next() {
            Some('2') => Some("ASYNCAPI:2.0"),
            Some('3') => Some("ASYNCAPI:3.0"),
            _ => None,
        }
        .ok_or(("asyncapi", v))
    } else {
        return Err(Error::invalid(
            path,
            "the ROOT file is not an OpenAPI, Swagger or AsyncAPI document (no top-level openapi, swagger or asyncapi field)",
        ));
    };
    found.map(str::to_string).map_err(|(key, v)| {
        Error::invalid(
            path,
            format!(
                "{key}: {v:?} is not a version Spec Hub supports (types: {})",
                TYPES.join(", ")
            ),
        )
    })
}

/// Whether a file looks like a ROOT: a document with a top-level type field, or a
/// non-YAML/JSON spec file.
pub fn could_be_root(path: &str, bytes: &[u8]) -> bool {
    match document(path, bytes) {
        Ok(Some(doc)) => ["openapi", "swagger", "asyncapi"]
            .iter()
            .any(|k| doc.get(*k).is_some()),
        Ok(None) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_from_the_root() {
        for (path, text, expected) in [
            ("a.yaml", "openapi: 3.0.3\n", "OPENAPI:3.0"),
            ("a.yaml", "openapi: 3.1.0\n", "OPENAPI:3.1"),
            ("a.json", "{\"swagger\": \"2.0\"}", "OPENAPI:2.0"),
            ("a.yml", "asyncapi: 2.6.0\n", "ASYNCAPI:2.0"),
            ("a.yaml", "asyncapi: '3.0.0'\n", "ASYNCAPI:3.0"),
            ("a.proto", "syntax = \"proto3\";\n", "PROTOBUF:3"),
            ("a.proto", "message A {}\n", "PROTOBUF:2"),
            ("a.graphql", "type Query { a: Int }\n", "GRAPHQL"),
        ] {
            assert_eq!(
                spec_type(path, text.as_bytes()).unwrap(),
                expected,
                "{text}"
            );
        }
        for (text, expected) in [
            (
                "openapi: 4.0.0\n",
                "openapi: \"4.0.0\" is not a version Spec Hub supports",
            ),
            ("asyncapi: 1.2.0\n", "asyncapi: \"1.2.0\""),
            ("info: {}\n", "not an OpenAPI, Swagger or AsyncAPI document"),
        ] {
            let err = spec_type("postman/specs/a.yaml", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("postman/specs/a.yaml: "), "{err}");
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn files_are_checked_for_syntax_with_the_line_and_for_size() {
        let err = check_file("s/a.yaml", b"openapi: 3.0.0\npaths:\n  /a: [\n").unwrap_err();
        assert!(
            matches!(err, Error::Parse { line: Some(l), .. } if l >= 3),
            "{err}"
        );
        assert!(err.to_string().starts_with("s/a.yaml:"), "{err}");
        let err = check_file("s/a.json", b"{\n\"openapi\": \"3.0.0\",\n}").unwrap_err();
        assert!(matches!(err, Error::Parse { line: Some(3), .. }), "{err}");
        assert!(check_file("s/a.proto", b"not checked").is_ok());
        let big = vec![b'#'; MAX_FILE_BYTES + 1];
        let err = check_file("s/big.yaml", &big).unwrap_err().to_string();
        assert!(err.contains("10 MB"), "{err}");
        assert!(check_file("s/ok.yaml", &big[..MAX_FILE_BYTES]).is_ok());
    }
}
