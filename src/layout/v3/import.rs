//! Collection v3 -> v2.1: the inverse of [`super::export`] for every field v3 has. What
//! v3 has no field for comes back from the extras file ([`super::extras`]).
//!
//! Each YAML file is read into JSON values (`serde_json::Value`), so the same functions
//! rebuild an item from a file on disk and, at export time, from the nodes just written.

use serde_json::{json, Map, Value};

use super::export::script_code;
use super::url::{self, UrlForm};
use super::Error;

/// A v3 collection or folder definition -> the v2.1 members it holds (`name`, `id`,
/// `description`, `auth`, `event`, `variable`); `root` for the collection's own.
pub fn definition(def: &Map<String, Value>, name: &str, root: bool) -> Map<String, Value> {
    let mut out = Map::new();
    let name = def.get("name").and_then(Value::as_str).unwrap_or(name);
    if root {
        let mut info = Map::new();
        if let Some(id) = def.get("id") {
            info.insert("_postman_id".into(), id.clone());
        }
        info.insert("name".into(), name.into());
        if let Some(d) = def.get("description") {
            info.insert("description".into(), d.clone());
        }
        info.insert(
            "schema".into(),
            crate::layout::collection::FILE_SCHEMA_URL.into(),
        );
        out.insert("info".into(), Value::Object(info));
    } else {
        out.insert("name".into(), name.into());
        if let Some(id) = def.get("id") {
            out.insert("id".into(), id.clone());
        }
        if let Some(d) = def.get("description") {
            out.insert("description".into(), d.clone());
        }
    }
    if let Some(auth) = def.get("auth") {
        let first = match auth {
            Value::Array(list) => list.first(),
            other => Some(other),
        };
        if let Some(a) = first.and_then(auth_v2) {
            out.insert("auth".into(), a);
        }
    }
    if let Some(events) = events(def.get("scripts")) {
        out.insert("event".into(), events);
    }
    if let Some(vars) = def.get("variables") {
        out.insert("variable".into(), key_values(vars, true));
    }
    out
}

/// A v3 request (and its examples, in order) -> a v2.1 item, its URLs in `form`.
pub fn request(
    req: &Map<String, Value>,
    name: &str,
    examples: &[(String, Map<String, Value>)],
    form: UrlForm,
) -> Map<String, Value> {
    let mut item = Map::new();
    let name = req.get("name").and_then(Value::as_str).unwrap_or(name);
    if let Some(id) = req.get("id") {
        item.insert("id".into(), id.clone());
    }
    item.insert("name".into(), name.into());
    if let Some(events) = events(req.get("scripts")) {
        item.insert("event".into(), events);
    }
    if let Some(settings) = req.get("settings").and_then(Value::as_object) {
        item.insert("protocolProfileBehavior".into(), behavior(settings));
    }
    item.insert("request".into(), Value::Object(http_request(req, form)));
    let responses: Vec<Value> = examples
        .iter()
        .map(|(stem, ex)| Value::Object(example(ex, stem, form)))
        .collect();
    item.insert("response".into(), Value::Array(responses));
    item
}

fn http_request(req: &Map<String, Value>, form: UrlForm) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(a) = req.get("auth").and_then(auth_v2) {
        out.insert("auth".into(), a);
    }
    let graphql = req.get("$kind").and_then(Value::as_str) == Some("graphql-request");
    let method = match (req.get("method"), graphql) {
        (Some(m), _) => m.clone(),
        (None, true) => "POST".into(),
        (None, false) => "GET".into(),
    };
    out.insert("method".into(), method);
    out.insert(
        "header".into(),
        req.get("headers")
            .map_or(json!([]), |h| key_values(h, false)),
    );
    if graphql {
        let mut g = Map::new();
        for key in ["query", "variables"] {
            if let Some(v) = req.get(key) {
                g.insert(key.into(), v.clone());
            }
        }
        out.insert("body".into(), json!({"mode": "graphql", "graphql": g}));
    } else if let Some(body) = req.get("body").and_then(Value::as_object) {
        out.insert("body".into(), body_v2(body));
    }
    out.insert("url".into(), url_v2(req, form));
    if let Some(d) = req.get("description") {
        out.insert("description".into(), d.clone());
    }
    out
}

/// The v2.1 URL: the object Postman serves ([`url::parse`] of the string, with the
/// request's query parameters and path variables as `query` and `variable`), or in a collection of [`UrlForm::String`]
/// URLs the string when the request has neither.
fn url_v2(req: &Map<String, Value>, form: UrlForm) -> Value {
    let raw = req.get("url").and_then(Value::as_str).unwrap_or_default();
    let query = req.get("queryParams");
    let vars = req.get("pathVariables");
    if form == UrlForm::String && query.is_none() && vars.is_none() {
        return raw.into();
    }
    let mut parsed = url::parse(raw);
    // The query list is v3's `queryParams`, none without them: a v3 tree Postman wrote
    // from a string URL has none, and must come back without them.
    match query {
        Some(q) => parsed.insert("query".into(), key_values(q, false)),
        None => parsed.shift_remove("query"),
    };
    if let Some(v) = vars {
        parsed.insert("variable".into(), key_values(v, false));
    }
    // Postman's member order, whichever of them came from the string.
    let mut out = Map::new();
    for key in url::MEMBERS {
        if let Some(v) = parsed.remove(*key) {
            out.insert((*key).into(), v);
        }
    }
    Value::Object(out)
}

fn example(ex: &Map<String, Value>, stem: &str, form: UrlForm) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(id) = ex.get("id") {
        out.insert("id".into(), id.clone());
    }
    let name = ex.get("name").and_then(Value::as_str).unwrap_or(stem);
    out.insert("name".into(), name.into());
    let empty = Map::new();
    let req = ex
        .get("request")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    // Postman writes `url: ""` and `method: GET` for an example without a request.
    let no_request = req.len() == 2
        && req.get("url").and_then(Value::as_str) == Some("")
        && req.get("method").and_then(Value::as_str) == Some("GET");
    if !no_request {
        out.insert(
            "originalRequest".into(),
            Value::Object(http_request(req, form)),
        );
    }
    let res = ex
        .get("response")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if let Some(s) = res.get("statusText") {
        out.insert("status".into(), s.clone());
    }
    if let Some(c) = res.get("statusCode") {
        out.insert("code".into(), c.clone());
    }
    let body = res.get("body").and_then(Value::as_object);
    let language = body.and_then(|b| b.get("type")).and_then(Value::as_str);
    if let Some(l) = language.filter(|l| *l != "text") {
        out.insert("_postman_previewlanguage".into(), l.into());
    }
    out.insert(
        "header".into(),
        res.get("headers")
            .map_or(json!([]), |h| key_values(h, false)),
    );
    let content = body.and_then(|b| b.get("content")).cloned();
    out.insert("body".into(), content.unwrap_or_else(|| "".into()));
    out
}

fn body_v2(body: &Map<String, Value>) -> Value {
    let ty = body.get("type").and_then(Value::as_str).unwrap_or("text");
    let content = body.get("content").cloned().unwrap_or(Value::Null);
    match ty {
        "urlencoded" | "formdata" => {
            let mut list = Vec::new();
            for p in content.as_array().map_or(&[][..], Vec::as_slice) {
                let Some(p) = p.as_object() else { continue };
                let mut m = Map::new();
                for key in [
                    "key",
                    "value",
                    "src",
                    "type",
                    "contentType",
                    "disabled",
                    "description",
                ] {
                    if let Some(v) = p.get(key) {
                        m.insert(key.into(), v.clone());
                    }
                }
                if ty == "urlencoded" {
                    m.entry("type").or_insert_with(|| "text".into());
                }
                list.push(Value::Object(m));
            }
            json!({"mode": ty, ty: list})
        }
        "file" => {
            let src = content.get("src").cloned();
            json!({"mode": "file", "file": src.map_or(json!({}), |s| json!({"src": s}))})
        }
        "json" | "xml" | "html" | "javascript" => json!({
            "mode": "raw",
            "raw": content,
            "options": {"raw": {"language": ty}}
        }),
        _ => json!({"mode": "raw", "raw": content}),
    }
}

/// A map (`key: value`) or a list of `{key, value, disabled?, description?}` -> a v2.1
/// list; `always_disabled` for variables, whose list form carries `disabled` always.
fn key_values(v: &Value, variables: bool) -> Value {
    let list: Vec<Value> = match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_object)
            .map(|e| {
                let mut m = Map::new();
                for key in ["key", "value", "disabled", "description"] {
                    match e.get(key) {
                        Some(Value::Bool(false)) if variables && key == "disabled" => {}
                        Some(v) => {
                            m.insert(key.into(), v.clone());
                        }
                        None => {}
                    }
                }
                Value::Object(m)
            })
            .collect(),
        _ => Vec::new(),
    };
    Value::Array(list)
}

/// `{type, credentials}` -> `{type, <type>: [{key, value, type}]}`. `credentials` is a
/// map, or a list of `{key, value}` when two parameters share a key.
pub(super) fn auth_v2(auth: &Value) -> Option<Value> {
    let ty = auth.get("type")?.as_str()?;
    let mut out = Map::new();
    out.insert("type".into(), ty.into());
    let param = |k: &str, v: &Value| {
        let kind = match v {
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            _ => "any",
        };
        json!({"key": k, "value": v, "type": kind})
    };
    let params: Option<Vec<Value>> = match auth.get("credentials") {
        Some(Value::Object(creds)) => Some(creds.iter().map(|(k, v)| param(k, v)).collect()),
        Some(Value::Array(creds)) => Some(
            creds
                .iter()
                .filter_map(|c| {
                    let key = c.get("key").and_then(Value::as_str).unwrap_or_default();
                    Some(param(key, c.get("value")?))
                })
                .collect(),
        ),
        _ => None,
    };
    if let Some(params) = params {
        out.insert(ty.into(), Value::Array(params));
    }
    Some(Value::Object(out))
}

fn events(scripts: Option<&Value>) -> Option<Value> {
    let scripts = scripts?.as_array()?;
    let list: Vec<Value> = scripts
        .iter()
        .filter_map(|s| {
            let ty = s.get("type")?.as_str()?;
            let listen = match ty.strip_prefix("http:").unwrap_or(ty) {
                "beforeRequest" => "prerequest",
                "afterResponse" => "test",
                _ => return None,
            };
            let code = script_code(s.get("code"));
            let mut script = Map::new();
            if let Some(l) = s.get("language") {
                script.insert("type".into(), l.clone());
            }
            let lines: Vec<Value> = code.split('\n').map(Value::from).collect();
            script.insert("exec".into(), Value::Array(lines));
            Some(json!({"listen": listen, "script": script}))
        })
        .collect();
    Some(Value::Array(list))
}

/// `settings` -> `protocolProfileBehavior`.
fn behavior(settings: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (k, v) in settings {
        match (k.as_str(), v) {
            ("disabledSystemHeaders", Value::Array(names)) => {
                let m: Map<String, Value> = names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|n| (n.to_string(), Value::Bool(true)))
                    .collect();
                out.insert(k.clone(), Value::Object(m));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// A YAML document as JSON: mappings with string keys, scalars as YAML 1.2 reads them.
pub fn yaml_to_json(path: &str, text: &str) -> Result<Map<String, Value>, Error> {
    let text = escape_raw_c1_in_double_quotes(text);
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| Error::Yaml {
        path: path.into(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })?;
    match yaml_value(path, doc)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::Yaml {
            path: path.into(),
            line: None,
            message: "the file is not a YAML mapping".into(),
        }),
    }
}

/// Postman writes U+007F..=U+009F raw inside a double-quoted scalar (as
/// `JSON.stringify` leaves them; `postman collection migrate` writes `url: "a\x7Fb"` with
/// a raw DEL byte), and so does our writer, to match it byte for byte. libyaml refuses
/// most of them raw ("control characters are not allowed"), so before parsing they are
/// rewritten as the escape `\xHH` - only inside double quotes, where that escape means
/// the same character. A file without such characters is read as it is.
fn escape_raw_c1_in_double_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    let c1 = |c: char| matches!(c as u32, 0x7f..=0x9f);
    if !text.contains(c1) {
        return text.into();
    }
    #[derive(PartialEq)]
    enum In {
        Plain,
        Double,
        Single,
        Comment,
    }
    let mut state = In::Plain;
    let mut out = String::with_capacity(text.len() + 16);
    let mut prev = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let at_token_start = prev.is_whitespace() || matches!(prev, ':' | '-' | '[' | '{' | ',');
        match state {
            In::Plain if c == '"' && at_token_start => state = In::Double,
            In::Plain if c == '\'' && at_token_start => state = In::Single,
            In::Plain if c == '#' && prev.is_whitespace() => state = In::Comment,
            In::Comment if c == '\n' => state = In::Plain,
            // `''` in single quotes is an escaped quote, not the end.
            In::Single if c == '\'' && chars.peek() == Some(&'\'') => {
                out.push_str("''");
                chars.next();
                continue;
            }
            In::Single if c == '\'' => state = In::Plain,
            In::Double if c == '"' => state = In::Plain,
            In::Double if c == '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                    prev = next;
                }
                continue;
            }
            In::Double if c1(c) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
                prev = c;
                continue;
            }
            _ => {}
        }
        out.push(c);
        prev = c;
    }
    out.into()
}

fn yaml_value(path: &str, v: serde_yaml::Value) -> Result<Value, Error> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|i| yaml_value(path, i))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".into(),
                    _ => {
                        return Err(Error::Yaml {
                            path: path.into(),
                            line: None,
                            message: "a mapping key is not a scalar".into(),
                        })
                    }
                };
                out.insert(key, yaml_value(path, v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_value(path, t.value)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_c1_characters_in_double_quotes_read_back() {
        // As `postman collection migrate` writes a URL holding U+007F, U+0085, U+009F.
        let text = "$kind: http-request\nurl: \"http://a/\u{7f}b\u{85}c\u{9f}d\"\nmethod: GET\n";
        let doc = yaml_to_json("r.request.yaml", text).unwrap();
        assert_eq!(doc["url"], "http://a/\u{7f}b\u{85}c\u{9f}d");
        // Escapes and other quoting around them are left alone.
        let text = "a: 'it''s \"'\nb: \"q\\\"\u{7f}\" # \"\nc: x\"y\n";
        let doc = yaml_to_json("r.request.yaml", text).unwrap();
        assert_eq!(doc["a"], "it's \"");
        assert_eq!(doc["b"], "q\"\u{7f}");
        assert_eq!(doc["c"], "x\"y");
    }
}
