//! Checks a file before push sends anything: one bad file stops the whole push, and the
//! message names the file and what is wrong, with line and field.

use serde_json::Value;

use super::collection::{API_SCHEMA_URL, FILE_SCHEMA_URL};

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

/// A collection file: JSON, and the shape of a v2.0 or v2.1 collection. Returns it.
pub fn collection_file(file: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
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
    let info = value
        .get("info")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(file, "`info` must be an object"))?;
    match info.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => {}
        _ => return Err(invalid(file, "`info.name` must be a non-empty string")),
    }
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
    let items = value
        .get("item")
        .ok_or_else(|| invalid(file, "`item` is missing"))?;
    check_items(file, items, "item")?;
    for list in ["event", "variable"] {
        if let Some(v) = value.get(list) {
            if !v.is_array() {
                return Err(invalid(file, format!("`{list}` must be an array")));
            }
        }
    }
    Ok(value)
}

fn is_collection_schema(url: &str) -> bool {
    url == FILE_SCHEMA_URL
        || url == API_SCHEMA_URL
        || ["v2.0.0", "v2.1.0"].iter().any(|v| {
            url.contains(&format!("/collection/{v}/")) || url.contains(&format!("/{v}/collection"))
        })
}

/// Every entry of `item` is a folder (`item`) or a request (`request`), at any depth.
fn check_items(file: &str, items: &Value, at: &str) -> Result<(), Invalid> {
    let items = items
        .as_array()
        .ok_or_else(|| invalid(file, format!("`{at}` must be an array")))?;
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let object = item
            .as_object()
            .ok_or_else(|| invalid(file, format!("`{here}` must be an object")))?;
        match (object.get("item"), object.get("request")) {
            (Some(children), _) => check_items(file, children, &format!("{here}.item"))?,
            (None, Some(Value::Object(_) | Value::String(_))) => {}
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
        if let Some(name) = object.get("name") {
            if !name.is_string() {
                return Err(invalid(file, format!("`{here}.name` must be a string")));
            }
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
