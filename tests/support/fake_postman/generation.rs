//! A collection generated from an OpenAPI spec, as Spec Hub's "Paths" folder strategy
//! lays it out: one folder per first path segment, one request per operation, named
//! by its `summary` (else `operationId`, else `METHOD path`), URLs on `{{baseUrl}}`.
//! Path items `$ref`'d to other files of the spec are followed, so a multi-file spec
//! generates the same collection as its single-file form.

use serde_json::{json, Map, Value};

use super::collections::SERVED_SCHEMA_URL;
use super::specs::Spec;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The v2.1 collection for `spec`; with `previous` (a sync), folders and requests
/// that keep their names keep their ids. `Err` is why Postman would fail the task.
pub fn collection(spec: &Spec, name: &str, previous: Option<&Value>) -> Result<Value, String> {
    if !spec.spec_type.starts_with("OPENAPI:") {
        return Err(format!(
            "Failed to generate collection from specification: {} is not supported",
            spec.spec_type
        ));
    }
    let root = spec.root().ok_or("the specification has no root file")?;
    let doc = parse(&root.content, &root.path)?;
    let dir = root.path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut folders: Vec<(String, Vec<Value>)> = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (path, item) in paths {
        let item = resolve(spec, dir, item)?;
        let folder = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let request = request(&path, method, op);
            match folders.iter_mut().find(|(f, _)| *f == folder) {
                Some((_, items)) => items.push(request),
                None => folders.push((folder.clone(), vec![request])),
            }
        }
    }
    let items: Vec<Value> = folders
        .into_iter()
        .map(|(name, item)| json!({"name": name, "item": item}))
        .collect();
    let mut c = json!({
        "info": {"name": name, "schema": SERVED_SCHEMA_URL},
        "item": items,
        "variable": [{"key": "baseUrl", "value": base_url(&doc), "type": "string"}],
    });
    if let Some(previous) = previous {
        keep_ids(&mut c["item"], &previous["item"]);
    }
    Ok(c)
}

fn parse(text: &str, path: &str) -> Result<Value, String> {
    serde_yaml::from_str(text).map_err(|e| format!("Failed to parse {path}: {e}"))
}

/// A path item, or the file a relative `$ref` names (fragments not followed).
fn resolve(spec: &Spec, dir: &str, item: Value) -> Result<Value, String> {
    let Some(target) = item.get("$ref").and_then(Value::as_str) else {
        return Ok(item);
    };
    let file = target.split('#').next().unwrap_or("");
    if file.is_empty() {
        return Ok(item);
    }
    let path = join(dir, file);
    let f = spec
        .files
        .get(&path)
        .ok_or_else(|| format!("Failed to resolve $ref {target}: no file {path}"))?;
    parse(&f.content, &path)
}

/// `dir/rel` with `.` and `..` resolved.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn request(path: &str, method: &str, op: &Value) -> Value {
    let text = |k: &str| op.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let name = text("summary").or_else(|| text("operationId")).map_or_else(
        || format!("{} {path}", method.to_uppercase()),
        str::to_string,
    );
    // `{id}` in OpenAPI is `:id` in a Postman URL.
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(var) => format!(":{var}"),
                None => s.to_string(),
            },
        )
        .collect();
    json!({
        "name": name,
        "request": {
            "method": method.to_uppercase(),
            "header": [],
            "url": {
                "raw": format!("{{{{baseUrl}}}}/{}", segments.join("/")),
                "host": ["{{baseUrl}}"],
                "path": segments,
            },
        },
        "response": [],
    })
}

/// OpenAPI 3 `servers[0].url`, Swagger 2 `schemes`/`host`/`basePath`, else `/`.
fn base_url(doc: &Value) -> String {
    if let Some(url) = doc.pointer("/servers/0/url").and_then(Value::as_str) {
        return url.to_string();
    }
    match doc.get("host").and_then(Value::as_str) {
        Some(host) => {
            let scheme = doc
                .pointer("/schemes/0")
                .and_then(Value::as_str)
                .unwrap_or("https");
            let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
            format!("{scheme}://{host}{base}")
        }
        None => "/".into(),
    }
}

/// Copies `id`s from `old` items to `new` items of the same name, level by level.
fn keep_ids(new: &mut Value, old: &Value) {
    let old: Vec<&Map<String, Value>> = old
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    for item in new.as_array_mut().into_iter().flatten() {
        let Some(before) = old.iter().find(|o| o.get("name") == item.get("name")) else {
            continue;
        };
        if let Some(id) = before.get("id") {
            item["id"] = id.clone();
        }
        if let (Some(children), Some(old_children)) = (item.get_mut("item"), before.get("item")) {
            keep_ids(children, old_children);
        }
    }
}
