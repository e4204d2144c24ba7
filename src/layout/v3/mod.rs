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
mod url;
pub mod yaml;

use std::collections::{BTreeMap, HashSet};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::layout::json;
use export::{ItemKind, Written};
use url::UrlForm;
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
    let form = UrlForm::most_used(collection);
    if form != UrlForm::default() {
        kept.insert(extras::URL_FORM.into(), form.name().into());
    }
    let mut ids = HashSet::new();
    let (dir, mut files) =
        export::collection(collection, |w| keep_extras(w, form, &mut kept, &mut ids))?;
    if !kept.is_empty() {
        // Canonical (see `extras`): not the order in which Postman served the items.
        kept.sort_keys();
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
    form: UrlForm,
    kept: &mut Map<String, Value>,
    ids: &mut HashSet<String>,
) -> Result<(), Error> {
    let v3 = doc_json(w.v3);
    let stem = file_stem(w.path);
    let rebuilt = match w.kind {
        // The definition has no `name` when the directory has it, so it is the name.
        ItemKind::Collection => {
            let name = w.v2.pointer("/info/name").and_then(Value::as_str);
            import::definition(&v3, name.unwrap_or_default(), true)
        }
        ItemKind::Folder => import::definition(&v3, &stem, false),
        ItemKind::Request => {
            let examples: Vec<(String, Map<String, Value>)> = w
                .examples
                .iter()
                .map(|(stem, doc)| (stem.clone(), doc_json(doc)))
                .collect();
            import::request(&v3, &stem, &examples, form)
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

/// A directory of the tree: its definition, requests and sub-directories, unparsed.
#[derive(Default)]
struct Dir<'a> {
    definition: Option<&'a File>,
    requests: Vec<(&'a str, &'a File)>,
    subdirs: Vec<String>,
}

/// The files of a tree by directory, and the kept extras.
struct Index<'a> {
    dirs: BTreeMap<String, Dir<'a>>,
    /// Example files by the request they belong to (`dir/stem`).
    examples: BTreeMap<String, Vec<(&'a str, &'a File)>>,
    kept: Map<String, Value>,
    urls: UrlForm,
}

/// The v2.1 collection JSON (as `JSON.stringify(c, null, "\t")` writes it) of the v3 tree
/// `files` of the collection directory `dir`. Files are parsed one at a time and each
/// item is written as soon as it is built, so memory stays near the size of the text.
pub fn to_v2(dir: &str, files: &[File]) -> Result<String, Error> {
    let index = index(files)?;
    // The JSON is about as large as the YAML; room for half as much again spares the
    // copy a growing string makes, which would double the peak.
    let yaml_bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let mut out = String::with_capacity(yaml_bytes + yaml_bytes / 2);
    let mut used = HashSet::new();
    // Kept data no file uses any more belonged to an item whose file was deleted: it goes
    // with the item (a deleted `*.request.yaml` deletes that request).
    write_folder(&mut out, 0, dir, "", &index, &mut used)?;
    Ok(out)
}

fn index(files: &[File]) -> Result<Index<'_>, Error> {
    let mut index = Index {
        dirs: BTreeMap::new(),
        examples: BTreeMap::new(),
        kept: Map::new(),
        urls: UrlForm::default(),
    };
    index.dirs.entry(String::new()).or_default();
    for f in files {
        let (parent, name) = f.path.rsplit_once('/').unwrap_or(("", f.path.as_str()));
        if f.path == extras::FILE {
            index.kept = match serde_json::from_str(text(f)?) {
                Ok(Value::Object(m)) => m,
                _ => return Err(Error::Shape(format!("{}: not a JSON object", extras::FILE))),
            };
            index.urls = match index.kept.shift_remove(extras::URL_FORM) {
                None => UrlForm::Object,
                Some(v) if v == UrlForm::String.name() => UrlForm::String,
                Some(v) => {
                    return Err(Error::Shape(format!(
                        "{}: {:?} is {v}, not \"{}\"",
                        extras::FILE,
                        extras::URL_FORM,
                        UrlForm::String.name()
                    )))
                }
            };
        } else if let Some(folder) = f.path.strip_suffix(names::DEFINITION) {
            let folder = folder.trim_end_matches('/');
            register(&mut index.dirs, folder);
            index.dirs.entry(folder.into()).or_default().definition = Some(f);
        } else if let Some(stem) = name.strip_suffix(names::REQUEST_SUFFIX) {
            register(&mut index.dirs, parent);
            index
                .dirs
                .entry(parent.into())
                .or_default()
                .requests
                .push((stem, f));
        } else if let (Some(stem), Some(owner)) = (
            name.strip_suffix(names::EXAMPLE_SUFFIX),
            example_owner(parent),
        ) {
            index.examples.entry(owner).or_default().push((stem, f));
        } else {
            return Err(Error::Shape(format!(
                "{}: not a file of a v3 collection (definition, request or example)",
                f.path
            )));
        }
    }
    Ok(index)
}

fn text(f: &File) -> Result<&str, Error> {
    std::str::from_utf8(&f.bytes).map_err(|_| Error::Yaml {
        path: f.path.clone(),
        line: None,
        message: "not UTF-8".into(),
    })
}

fn parse(f: &File) -> Result<Map<String, Value>, Error> {
    import::yaml_to_json(&f.path, text(f)?)
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

/// A folder's member: a value, or its items (written one by one).
enum Member {
    Value(Value),
    Items,
}

/// A folder's child, in `order`.
enum Child<'a> {
    Folder(&'a str),
    Request(&'a str, &'a File),
}

/// Writes directory `path` (the collection when `path` is empty) at `depth`.
fn write_folder(
    out: &mut String,
    depth: usize,
    name: &str,
    path: &str,
    index: &Index,
    used: &mut HashSet<String>,
) -> Result<(), Error> {
    let dir = &index.dirs[path];
    let def = dir.definition.map(parse).transpose()?.unwrap_or_default();
    let def_path = format!("{}{}", prefix(path), names::DEFINITION);
    let mut own = Value::Object(import::definition(&def, name, path.is_empty()));
    apply_kept(&mut own, &def, &def_path, &index.kept, used)?;
    let Value::Object(own) = own else {
        return Err(Error::Shape(format!(
            "{def_path}: kept data replaced the folder"
        )));
    };
    // `info` (or `name`, `id`, `description`), then `item`, then the rest.
    let head = ["info", "name", "id", "description"];
    let mut members: Vec<(String, Member)> = Vec::new();
    let mut rest = Vec::new();
    for (k, v) in own {
        if head.contains(&k.as_str()) {
            members.push((k, Member::Value(v)));
        } else if k != "item" {
            rest.push((k, Member::Value(v)));
        }
    }
    members.push(("item".into(), Member::Items));
    members.extend(rest);

    let mut children: Vec<(f64, String, Child)> = Vec::new();
    for sub in &dir.subdirs {
        let order = dir_order(index.dirs[sub].definition)?;
        let sub_name = sub.rsplit('/').next().unwrap_or(sub);
        children.push((order, sub_name.to_string(), Child::Folder(sub)));
    }
    for &(stem, f) in &dir.requests {
        children.push((
            file_order(f)?,
            format!("{stem}{}", names::REQUEST_SUFFIX),
            Child::Request(stem, f),
        ));
    }
    children.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));

    let (keys, values): (Vec<String>, Vec<Member>) = members.into_iter().unzip();
    let members: Vec<(&str, Member)> = keys.iter().map(String::as_str).zip(values).collect();
    json::write_object(out, members, depth, |out, _, member, depth| match member {
        Member::Value(v) => {
            json::write_value(out, &v, depth);
            Ok(())
        }
        Member::Items => json::write_array(
            out,
            children.iter(),
            depth,
            |out, (_, _, child), depth| match child {
                Child::Folder(sub) => {
                    let sub_name = sub.rsplit('/').next().unwrap_or(sub);
                    write_folder(out, depth, sub_name, sub, index, used)
                }
                Child::Request(stem, f) => {
                    let item = request_v2(path, stem, f, index, used)?;
                    json::write_value(out, &item, depth);
                    Ok(())
                }
            },
        ),
    })
}

/// The v2.1 item of request file `f` (`stem` in directory `path`) with its examples.
fn request_v2(
    path: &str,
    stem: &str,
    f: &File,
    index: &Index,
    used: &mut HashSet<String>,
) -> Result<Value, Error> {
    let req = parse(f)?;
    let owner = format!("{}{stem}", prefix(path));
    let mut examples = Vec::new();
    for (ex_stem, ex) in index.examples.get(&owner).map_or(&[][..], Vec::as_slice) {
        examples.push((ex_stem.to_string(), parse(ex)?));
    }
    examples.sort_by(|a, b| {
        order_of(&a.1)
            .total_cmp(&order_of(&b.1))
            .then(a.0.cmp(&b.0))
    });
    let mut item = Value::Object(import::request(&req, stem, &examples, index.urls));
    apply_kept(&mut item, &req, &f.path, &index.kept, used)?;
    Ok(item)
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    }
}

/// Applies the kept patches of the item in file `path` (by path, else by its id).
fn apply_kept(
    item: &mut Value,
    v3: &Map<String, Value>,
    path: &str,
    kept: &Map<String, Value>,
    used: &mut HashSet<String>,
) -> Result<(), Error> {
    let key = if kept.contains_key(path) {
        Some(path.to_string())
    } else {
        let id = v3.get("id").and_then(Value::as_str);
        id.filter(|id| kept.contains_key(*id) && !used.contains(*id))
            .map(str::to_string)
    };
    if let Some(key) = key {
        let patches = kept[&key].as_array().map_or(&[][..], Vec::as_slice);
        extras::apply(item, patches, &key)?;
        used.insert(key);
    }
    Ok(())
}

/// An item's `order`; items without one go last.
fn order_of(doc: &Map<String, Value>) -> f64 {
    doc.get("order").and_then(Value::as_f64).unwrap_or(f64::MAX)
}

fn dir_order(definition: Option<&File>) -> Result<f64, Error> {
    definition.map_or(Ok(f64::MAX), file_order)
}

/// The `order` of a file, read from its top-level `order:` line when it has one (block
/// style, as Postman writes them), else from the parsed file: the children are sorted
/// before any of them is built.
fn file_order(f: &File) -> Result<f64, Error> {
    let line = text(f)?
        .lines()
        .find_map(|l| l.strip_prefix("order: "))
        .and_then(|v| v.trim().parse::<f64>().ok());
    match line {
        Some(order) => Ok(order),
        None => Ok(order_of(&parse(f)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLLECTION: &str = r#"{
        "info": {"_postman_id": "c1", "name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Orders", "id": "f1", "variable": [{"key": "v", "value": "1"}], "item": [
                {"name": "Get order", "id": "r1", "request": {"method": "GET",
                    "url": {"raw": "https://x/orders/1", "protocol": "https", "host": ["X"], "path": ["orders", "1"]}},
                 "response": [{"name": "ok", "code": 200, "body": "{}", "cookie": []}]}
            ]},
            {"name": "Ping", "id": "r2", "request": {"method": "GET", "url": "https://x/ping"}}
        ]
    }"#;

    fn tree() -> Tree {
        to_tree(serde_json::from_str(COLLECTION).unwrap()).unwrap()
    }

    fn file<'a>(tree: &'a mut Tree, path: &str) -> &'a mut File {
        tree.files.iter_mut().find(|f| f.path == path).unwrap()
    }

    fn v2(tree: &Tree) -> Value {
        serde_json::from_str(&to_v2(&tree.dir, &tree.files).unwrap()).unwrap()
    }

    #[test]
    fn the_tree_has_one_file_per_request_and_folder() {
        let t = tree();
        assert_eq!(t.dir, "Shop");
        let paths: Vec<&str> = t.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".resources/definition.yaml",
                "Orders/.resources/definition.yaml",
                "Orders/.resources/Get order.resources/examples/ok.example.yaml",
                "Orders/Get order.request.yaml",
                "Ping.request.yaml",
                extras::FILE,
            ]
        );
    }

    #[test]
    fn kept_data_comes_back_and_an_edit_in_yaml_wins_over_it() {
        let mut t = tree();
        let kept: Value = serde_json::from_slice(&file(&mut t, extras::FILE).bytes).unwrap();
        // The URL object is rebuilt from the string: only its one difference is kept.
        let url_patches: Vec<&Value> = kept["r1"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["at"].as_str().unwrap().starts_with("/request/url"))
            .collect();
        assert_eq!(
            url_patches,
            [&serde_json::json!({"at": "/request/url/host/0", "set": "X", "was": "x"})]
        );
        let back = v2(&t);
        assert_eq!(
            back["item"][0]["variable"][0]["key"], "v",
            "folder variables kept"
        );
        assert_eq!(back["item"][0]["item"][0]["request"]["url"]["host"][0], "X");

        let f = file(&mut t, "Orders/Get order.request.yaml");
        let text = String::from_utf8(f.bytes.clone()).unwrap();
        f.bytes = text
            .replace("https://x/orders/1", "https://y/orders/2")
            .into_bytes();
        let back = v2(&t);
        let url = &back["item"][0]["item"][0]["request"]["url"];
        assert_eq!(url["raw"], "https://y/orders/2");
        assert_eq!(url["host"], serde_json::json!(["y"]), "the edit wins");
    }

    #[test]
    fn items_follow_order_and_a_renamed_file_keeps_its_data() {
        let mut t = tree();
        file(&mut t, "Ping.request.yaml").bytes =
            b"$kind: http-request\nid: r2\nurl: https://x/ping\nmethod: GET\norder: 500\n".to_vec();
        let f = file(&mut t, "Orders/.resources/definition.yaml");
        f.path = "Renamed/.resources/definition.yaml".into();
        for f in t.files.iter_mut() {
            if let Some(rest) = f.path.strip_prefix("Orders/") {
                f.path = format!("Renamed/{rest}");
            }
        }
        let back = v2(&t);
        assert_eq!(back["item"][0]["name"], "Ping");
        assert_eq!(back["item"][1]["name"], "Renamed");
        assert_eq!(
            back["item"][1]["variable"][0]["key"], "v",
            "kept by the folder's id"
        );
    }

    #[test]
    fn a_broken_file_is_named_with_its_line() {
        let mut t = tree();
        file(&mut t, "Ping.request.yaml").bytes = b"$kind: http-request\nurl: [unclosed\n".to_vec();
        let err = to_v2(&t.dir, &t.files).unwrap_err().to_string();
        assert!(err.starts_with("Ping.request.yaml:"), "{err}");
        assert!(
            matches!(
                to_v2(&t.dir, &t.files),
                Err(Error::Yaml { line: Some(_), .. })
            ),
            "{err}"
        );

        let stray = File {
            path: "notes.txt".into(),
            bytes: b"hi".to_vec(),
        };
        let err = to_v2("Shop", &[stray]).unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
    }
}
