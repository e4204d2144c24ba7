//! Checks a file before push sends anything: one bad file stops the whole push, and the
//! message names the file and what is wrong, with line and field.

use serde_json::value::RawValue;
use serde_json::Value;

use super::collection::{API_SCHEMA_URL, FILE_SCHEMA_URL};
use super::json;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}: {what}")]
pub struct Invalid {
    pub file: String,
    pub what: String,
}

fn invalid(file: &str, what: impl Into<String>) -> Invalid {
    Invalid {
        file: file.to_string(),
        what: what.into(),
    }
}

/// A schema file: Postman stores text, so it must be UTF-8.
pub fn schema_file<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Invalid> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        invalid(file, format!("line {line}: not UTF-8 text"))
    })
}

/// A collection file that passed [`collection_file`]: its JSON text, unparsed, and the
/// UID it records (`info._uid`), if any.
#[derive(Debug)]
pub struct CollectionFile<'a> {
    pub raw: &'a RawValue,
    pub uid: Option<String>,
    /// `info.name`.
    pub name: String,
    /// Its `info._postman_id`: the id part of the UID.
    pub postman_id: Option<String>,
}

/// A collection file: JSON, and the shape of a v2.0 or v2.1 collection. Only the shape
/// is walked (objects split into raw members), never a whole tree, so a collection of
/// tens of megabytes costs little more than its text.
pub fn collection_file<'a>(file: &str, bytes: &'a [u8]) -> Result<CollectionFile<'a>, Invalid> {
    let raw: &RawValue = serde_json::from_slice(bytes).map_err(|raw_error| {
        // Reading into a tree stops at the same place and names the mistake better
        // ("trailing comma" rather than "key must be a string"); only errors pay for it.
        let e = serde_json::from_slice::<Value>(bytes)
            .err()
            .unwrap_or(raw_error);
        invalid(
            file,
            format!(
                "line {} column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e)
            ),
        )
    })?;
    if json::nests_deeper_than(raw.get(), json::MAX_DEPTH) {
        return Err(invalid(
            file,
            format!("nests deeper than {} levels", json::MAX_DEPTH),
        ));
    }
    let top =
        json::members(raw).map_err(|_| invalid(file, "the collection must be a JSON object"))?;
    let member = |key: &str| json::member(&top, key);
    // Lossy: a lone UTF-16 surrogate in a name is JSON Postman holds; the upload keeps
    // the text as it is.
    let info: Value = member("info")
        .and_then(|i| json::value_lossy(i).ok())
        .filter(Value::is_object)
        .ok_or_else(|| invalid(file, "`info` must be an object"))?;
    let name = match info.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => return Err(invalid(file, "`info.name` must be a non-empty string")),
    };
    match info.get("schema").and_then(Value::as_str) {
        Some(s) if is_collection_schema(s) => {}
        Some(s) => {
            return Err(invalid(
                file,
                format!("`info.schema` {s:?} is not a Postman collection v2.0/v2.1 schema"),
            ))
        }
        None => return Err(invalid(file, "`info.schema` is missing")),
    }
    let items = member("item").ok_or_else(|| invalid(file, "`item` is missing"))?;
    check_items(file, items, "item")?;
    for list in ["event", "variable"] {
        if member(list).is_some_and(|v| !starts_with(v, b'[')) {
            return Err(invalid(file, format!("`{list}` must be an array")));
        }
    }
    Ok(CollectionFile {
        raw,
        uid: info.get("_uid").and_then(Value::as_str).map(str::to_string),
        name,
        postman_id: info
            .get("_postman_id")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn is_collection_schema(url: &str) -> bool {
    url == FILE_SCHEMA_URL
        || url == API_SCHEMA_URL
        || ["v2.0.0", "v2.1.0"].iter().any(|v| {
            url.contains(&format!("/collection/{v}/")) || url.contains(&format!("/{v}/collection"))
        })
}

/// Whether a raw JSON value starts with `byte` (`{`, `[`, `"`).
fn starts_with(raw: &RawValue, byte: u8) -> bool {
    raw.get().trim_start().as_bytes().first() == Some(&byte)
}

/// Every entry of `item` is a folder (`item`) or a request (`request`), at any depth.
fn check_items(file: &str, items: &RawValue, at: &str) -> Result<(), Invalid> {
    let items: Vec<&RawValue> = serde_json::from_str(items.get())
        .map_err(|_| invalid(file, format!("`{at}` must be an array")))?;
    for (i, item) in items.into_iter().enumerate() {
        let here = format!("{at}[{i}]");
        let object = json::members(item)
            .map_err(|_| invalid(file, format!("`{here}` must be an object")))?;
        let member = |key: &str| json::member(&object, key);
        match (member("item"), member("request")) {
            (Some(children), _) => check_items(file, children, &format!("{here}.item"))?,
            (None, Some(r)) if starts_with(r, b'{') || starts_with(r, b'"') => {}
            (None, Some(_)) => {
                return Err(invalid(
                    file,
                    format!("`{here}.request` must be an object or a URL string"),
                ))
            }
            (None, None) => {
                return Err(invalid(
                    file,
                    format!("`{here}` is neither a folder (`item`) nor a request (`request`)"),
                ))
            }
        }
        if member("name").is_some_and(|n| !starts_with(n, b'"')) {
            return Err(invalid(file, format!("`{here}.name` must be a string")));
        }
    }
    Ok(())
}

/// serde_json's message without its trailing " at line L column C" (we print it first).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = collection_file("c.json", b"{\n\t\"info\": {\n\t\t\"name\": \"x\",\n\t}\n}")
            .unwrap_err();
        assert_eq!(err.file, "c.json");
        assert!(
            err.what.starts_with("line 4 column 2: trailing comma"),
            "{}",
            err.what
        );
    }

    #[test]
    fn shape_errors_name_the_field() {
        let ok = format!(
            r#"{{"info":{{"name":"n","schema":"{FILE_SCHEMA_URL}"}},"item":[{{"name":"f","item":[{{"request":"http://x"}}]}}]}}"#
        );
        assert!(collection_file("c.json", ok.as_bytes()).is_ok());
        // A lone UTF-16 surrogate is JSON (Postman's JavaScript holds it).
        let lone = ok.replace(r#""name":"n""#, r#""name":"n\ud800""#);
        let file = collection_file("c.json", lone.as_bytes()).unwrap();
        assert_eq!(file.name, "n\u{fffd}");
        assert_eq!(
            collection_file(
                "c.json",
                ok.replace("\"n\",", "\"n\",\"_uid\":\"1-c\",").as_bytes()
            )
            .unwrap()
            .uid
            .as_deref(),
            Some("1-c")
        );
        let cases = [
            (r#"{"item":[]}"#, "`info` must be an object"),
            (
                r#"{"info":{"name":"n"},"item":[]}"#,
                "`info.schema` is missing",
            ),
            (
                r#"{"info":{"name":"n","schema":"https://example.com/x.json"},"item":[]}"#,
                "is not a Postman collection",
            ),
            (
                &ok.replace(r#"{"request":"http://x"}"#, r#"{"name":"r"}"#),
                "`item[0].item[0]` is neither",
            ),
        ];
        for (text, expected) in cases {
            let err = collection_file("c.json", text.as_bytes()).unwrap_err();
            assert!(err.what.contains(expected), "{} lacks {expected}", err.what);
        }
    }

    #[test]
    fn schema_files_must_be_text() {
        assert_eq!(schema_file("a.yaml", b"ok").unwrap(), "ok");
        assert_eq!(
            schema_file("a.yaml", b"a\nb\xff").unwrap_err().to_string(),
            "a.yaml: line 2: not UTF-8 text"
        );
    }
}
