//! Collection v3: the YAML tree Postman v12 keeps in git (one directory per collection,
//! one file per request, `.resources/definition.yaml` for the collection and each
//! folder, examples under `.resources/<request>.resources/examples/`), and back.
//!
//! - [`to_tree`]: a v2.1 collection -> the files Postman's own converter (`postman
//!   collection migrate`) writes for it, byte for byte, apart from the ids it invents at
//!   random (ours are derived from the content), plus [`extras::FILE`] when the
//!   collection holds something v3 has no field for;
//! - [`to_v2`]: a v3 tree -> the v2.1 collection, as JSON text.
//!
//! Pure functions over text and bytes, like the rest of `layout`.

mod export;
pub mod extras;
mod import;
pub mod names;
pub mod yaml;

use std::collections::{BTreeMap, HashSet};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use export::{ItemKind, Written};
use yaml::Node;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the collection is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Shape(String),
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Yaml {
        path: String,
        line: Option<usize>,
        message: String,
    },
}

/// One file of a v3 tree: its path relative to the collection directory, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A collection as a v3 tree: the directory Postman names it by, and the files in it.
#[derive(Debug)]
pub struct Tree {
    pub dir: String,
    pub files: Vec<File>,
}

/// The v3 tree of a v2.1 collection (its JSON text).
pub fn to_tree(collection: &RawValue) -> Result<Tree, Error> {
    let mut kept = Map::new();
    let mut ids = HashSet::new();
    let (dir, mut files) = export::collection(collection, |w| keep_extras(w, &mut kept, &mut ids))?;
    if !kept.is_empty() {
        let mut text = crate::layout::json::stringify_tab(&Value::Object(kept));
        text.push('\n');
        files.push(File {
            path: extras::FILE.into(),
            bytes: text.into_bytes(),
        });
    }
    Ok(Tree { dir, files })
}

/// Records in `kept` what the v3 files of `w` do not give back.
/// `ids`: the ids seen so far (a repeated id cannot be a key).
fn keep_extras(
    w: Written,
    kept: &mut Map<String, Value>,
    ids: &mut HashSet<String>,
) -> Result<(), Error> {
    let v3 = doc_json(w.v3);
    let stem = file_stem(w.path);
    let rebuilt = match w.kind {
        ItemKind::Collection => import::definition(&v3, "", true),
        ItemKind::Folder => import::definition(&v3, "", false),
        ItemKind::Request => {
            let examples: Vec<(String, Map<String, Value>)> = w
                .examples
                .iter()
                .map(|(stem, doc)| (stem.clone(), doc_json(doc)))
                .collect();
            import::request(&v3, &stem, &examples)
        }
    };
    let patches = extras::diff(w.v2, &Value::Object(rebuilt));
    // By id, so the patches follow a renamed file; by path when the id is missing or
    // repeated.
    let id = v3.get("id").and_then(Value::as_str);
    let unique_id = id.filter(|id| ids.insert(id.to_string()));
    if patches.is_empty() {
        return Ok(());
    }
    let key = unique_id.map_or_else(|| w.path.to_string(), str::to_string);
    kept.insert(key, Value::Array(patches));
    Ok(())
}

fn doc_json(doc: &[(String, Node)]) -> Map<String, Value> {
    doc.iter().map(|(k, v)| (k.clone(), node_json(v))).collect()
}

fn node_json(n: &Node) -> Value {
    match n {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Number(n) => Value::Number(n.clone()),
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(node_json).collect()),
        Node::Map(m) => Value::Object(doc_json(m)),
    }
}

/// `a/b/Get.request.yaml` -> `Get`; a folder's `a/b/.resources/definition.yaml` -> `b`.
fn file_stem(path: &str) -> String {
    let path = path
        .strip_suffix(names::DEFINITION)
        .map_or(path, |d| d.trim_end_matches('/'));
    let last = path.rsplit('/').next().unwrap_or(path);
    last.strip_suffix(names::REQUEST_SUFFIX)
        .or_else(|| last.strip_suffix(names::EXAMPLE_SUFFIX))
        .unwrap_or(last)
        .to_string()
}

/// A directory of the tree: its definition, requests and sub-directories.
#[derive(Default)]
struct Dir {
    definition: Option<Map<String, Value>>,
    requests: Vec<(String, Map<String, Value>)>,
    subdirs: Vec<String>,
}

/// The v2.1 collection JSON (as `JSON.stringify(c, null, "\t")` writes it) of the v3 tree
/// `files` of the collection directory `dir`.
pub fn to_v2(dir: &str, files: &[File]) -> Result<String, Error> {
    let mut dirs: BTreeMap<String, Dir> = BTreeMap::new();
    let mut examples: BTreeMap<String, Vec<(String, Map<String, Value>)>> = BTreeMap::new();
    let mut kept = Map::new();
    dirs.entry(String::new()).or_default();
    for f in files {
        let text = std::str::from_utf8(&f.bytes).map_err(|_| Error::Yaml {
            path: f.path.clone(),
            line: None,
            message: "not UTF-8".into(),
        })?;
        if f.path == extras::FILE {
            kept = match serde_json::from_str(text) {
                Ok(Value::Object(m)) => m,
                _ => return Err(Error::Shape(format!("{}: not a JSON object", extras::FILE))),
            };
            continue;
        }
        let (parent, name) = f
            .path
            .rsplit_once('/')
            .map_or(("", f.path.as_str()), |(p, n)| (p, n));
        if let Some(folder) = f.path.strip_suffix(names::DEFINITION) {
            let folder = folder.trim_end_matches('/');
            register(&mut dirs, folder);
            dirs.entry(folder.into()).or_default().definition =
                Some(import::yaml_to_json(&f.path, text)?);
        } else if let Some(stem) = name.strip_suffix(names::REQUEST_SUFFIX) {
            register(&mut dirs, parent);
            let doc = import::yaml_to_json(&f.path, text)?;
            dirs.entry(parent.into())
                .or_default()
                .requests
                .push((stem.into(), doc));
        } else if let (Some(stem), Some(owner)) = (
            name.strip_suffix(names::EXAMPLE_SUFFIX),
            example_owner(parent),
        ) {
            let doc = import::yaml_to_json(&f.path, text)?;
            examples.entry(owner).or_default().push((stem.into(), doc));
        } else {
            return Err(Error::Shape(format!(
                "{}: not a file of a v3 collection (definition, request or example)",
                f.path
            )));
        }
    }
    let mut used = Vec::new();
    let mut root = folder_v2(dir, "", &dirs, &mut examples, &kept, &mut used)?;
    if let Some(unused) = kept.keys().find(|k| !used.contains(k)) {
        return Err(Error::Shape(format!(
            "{}: kept data for {unused:?}, which no file of the collection is any more; remove that entry",
            extras::FILE
        )));
    }
    // `info` first, then `item`, then the rest, as Postman orders a collection.
    if let Value::Object(m) = &mut root {
        let mut out = Map::new();
        for k in ["info", "item"] {
            if let Some(v) = m.shift_remove(k) {
                out.insert(k.into(), v);
            }
        }
        out.extend(std::mem::take(m));
        *m = out;
    }
    Ok(crate::layout::json::stringify_tab(&root))
}

/// Makes `dir` and its ancestors known as sub-directories of their parents.
fn register(dirs: &mut BTreeMap<String, Dir>, dir: &str) {
    let mut current = dir.to_string();
    while !current.is_empty() {
        let parent = current
            .rsplit_once('/')
            .map_or(String::new(), |(p, _)| p.to_string());
        let entry = dirs.entry(parent.clone()).or_default();
        if entry.subdirs.contains(&current) {
            break;
        }
        entry.subdirs.push(current.clone());
        dirs.entry(current.clone()).or_default();
        current = parent;
    }
}

/// `a/.resources/Get.resources/examples` -> `a/Get` (the request the examples are of).
fn example_owner(parent: &str) -> Option<String> {
    let rest = parent.strip_suffix(&format!("{}/{}", names::RESOURCES_SUFFIX, names::EXAMPLES))?;
    let (dir, request) = match rest.rsplit_once(&format!("{}/", names::RESOURCES)) {
        Some((dir, request)) => (dir.trim_end_matches('/'), request),
        None => return None,
    };
    Some(if dir.is_empty() {
        request.to_string()
    } else {
        format!("{dir}/{request}")
    })
}

/// The v2.1 value of directory `path` (the collection when `path` is empty).
fn folder_v2(
    name: &str,
    path: &str,
    dirs: &BTreeMap<String, Dir>,
    examples: &mut BTreeMap<String, Vec<(String, Map<String, Value>)>>,
    kept: &Map<String, Value>,
    used: &mut Vec<String>,
) -> Result<Value, Error> {
    let dir = &dirs[path];
    let empty = Map::new();
    let def = dir.definition.as_ref().unwrap_or(&empty);
    let def_path = if path.is_empty() {
        names::DEFINITION.to_string()
    } else {
        format!("{path}/{}", names::DEFINITION)
    };
    let mut own = Value::Object(import::definition(def, name, path.is_empty()));
    apply_kept(&mut own, def, &def_path, kept, used)?;
    let mut children: Vec<(f64, String, Value)> = Vec::new();
    for sub in &dir.subdirs {
        let sub_name = sub.rsplit('/').next().unwrap_or(sub);
        let order = order_of(dirs[sub].definition.as_ref());
        let value = folder_v2(sub_name, sub, dirs, examples, kept, used)?;
        children.push((order, sub_name.to_string(), value));
    }
    for (stem, req) in &dir.requests {
        let owner = if path.is_empty() {
            stem.clone()
        } else {
            format!("{path}/{stem}")
        };
        let mut exs = examples.remove(&owner).unwrap_or_default();
        exs.sort_by(|a, b| {
            order_of(Some(&a.1))
                .total_cmp(&order_of(Some(&b.1)))
                .then(a.0.cmp(&b.0))
        });
        let mut item = Value::Object(import::request(req, stem, &exs));
        apply_kept(
            &mut item,
            req,
            &format!("{owner}{}", names::REQUEST_SUFFIX),
            kept,
            used,
        )?;
        children.push((
            order_of(Some(req)),
            format!("{stem}{}", names::REQUEST_SUFFIX),
            item,
        ));
    }
    children.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let items: Vec<Value> = children.into_iter().map(|(_, _, v)| v).collect();
    if let Value::Object(m) = &mut own {
        m.insert("item".into(), Value::Array(items));
    }
    Ok(own)
}

/// Applies the kept patches of the item in file `path` (by path, else by its id).
fn apply_kept(
    item: &mut Value,
    v3: &Map<String, Value>,
    path: &str,
    kept: &Map<String, Value>,
    used: &mut Vec<String>,
) -> Result<(), Error> {
    let key = if kept.contains_key(path) {
        Some(path.to_string())
    } else {
        v3.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|id| kept.contains_key(id) && !used.contains(id))
    };
    if let Some(key) = key {
        let patches = kept[&key].as_array().map_or(&[][..], Vec::as_slice);
        extras::apply(item, patches, &key)?;
        used.push(key);
    }
    Ok(())
}

/// An item's `order`; items without one go last.
fn order_of(doc: Option<&Map<String, Value>>) -> f64 {
    doc.and_then(|d| d.get("order"))
        .and_then(Value::as_f64)
        .unwrap_or(f64::MAX)
}
