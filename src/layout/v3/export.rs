//! v2.1 collection JSON -> Collection v3 files, as `postman collection migrate` writes
//! them (field names, key order, which fields are left out when empty, map or list form).
//!
//! Items are parsed one at a time from the collection's text: a folder's children stay
//! raw until their turn, so memory follows the largest item, not the collection.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::names::{self, Names};
use super::yaml::{self, Node};
use super::{extras, import};
use super::{Error, File};
use crate::layout::json;

/// Folder and request `order` values are spaced by this, as Postman writes them.
pub const ORDER_STEP: u64 = 1000;

/// An item just written, for the caller that keeps what v3 has no field for
/// ([`super::extras`]).
pub struct Written<'a> {
    /// The file that holds the item: a request file, or a folder's `definition.yaml`.
    pub path: &'a str,
    /// The v2.1 item (a folder's without `item`), or the collection without `item`.
    pub v2: &'a Value,
    pub kind: ItemKind,
    /// What the item's file holds.
    pub v3: &'a [(String, Node)],
    /// A request's examples: file stem and content.
    pub examples: &'a [(String, Vec<(String, Node)>)],
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ItemKind {
    Collection,
    Folder,
    Request,
}

/// Converts a collection; `seen` is told about every item written (see [`Written`]).
/// Converts a collection: the directory name Postman gives it, and its files.
pub fn collection(
    text: &RawValue,
    mut seen: impl FnMut(Written) -> Result<(), Error>,
) -> Result<(String, Vec<File>), Error> {
    let mut top = object_members(text, "the collection")?;
    let items = take_raw(&mut top, "item");
    let top = parse_members(top)?;
    let info = top
        .get("info")
        .and_then(Value::as_object)
        .ok_or(Error::Shape("the collection has no `info` object".into()))?;
    let name = info.get("name").and_then(Value::as_str).unwrap_or("");
    let dir = names::collection_dir(name);
    let mut def = vec![kind("collection")];
    push_str(&mut def, "id", info.get("_postman_id"));
    if dir != name {
        def.push(("name".into(), Node::str(name)));
    }
    push_description(&mut def, info.get("description"));
    push_pairs(&mut def, "variables", top.get("variable"), Pairs::Variables);
    push_scripts(&mut def, top.get("event"), true);
    push_folder_auth(&mut def, top.get("auth"), "");
    let mut files = vec![File {
        path: names::DEFINITION.into(),
        bytes: yaml::document(&def).into_bytes(),
    }];
    seen(Written {
        path: names::DEFINITION,
        v2: &Value::Object(top),
        kind: ItemKind::Collection,
        v3: &def,
        examples: &[],
    })?;
    if let Some(items) = items {
        children(items, "", &mut files, &mut seen)?;
    }
    Ok((dir, files))
}

/// The items of a folder (or of the collection) in directory `dir` ("" or "a/b/").
fn children(
    items: &RawValue,
    dir: &str,
    files: &mut Vec<File>,
    seen: &mut impl FnMut(Written) -> Result<(), Error>,
) -> Result<(), Error> {
    let items: Vec<&RawValue> = serde_json::from_str(items.get())?;
    let mut taken = Names::default();
    for (i, raw) in items.into_iter().enumerate() {
        let order = (i as u64 + 1) * ORDER_STEP;
        let mut members = object_members(raw, "an item")?;
        let sub = take_raw(&mut members, "item");
        let item = parse_members(members)?;
        let name = item.get("name").and_then(Value::as_str);
        match sub {
            Some(sub) => {
                let name = name.unwrap_or(names::NEW_FOLDER);
                let stem = taken.folder(name);
                let folder_dir = format!("{dir}{stem}/");
                let path = format!("{folder_dir}{}", names::DEFINITION);
                let mut def = vec![kind("collection")];
                push_str(&mut def, "id", item.get("id"));
                if stem != name {
                    def.push(("name".into(), Node::str(name)));
                }
                push_description(&mut def, item.get("description"));
                push_scripts(&mut def, item.get("event"), true);
                push_folder_auth(&mut def, item.get("auth"), &path);
                def.push(("order".into(), Node::Number(order.into())));
                files.push(File {
                    path: path.clone(),
                    bytes: yaml::document(&def).into_bytes(),
                });
                seen(Written {
                    path: &path,
                    v2: &Value::Object(item),
                    kind: ItemKind::Folder,
                    v3: &def,
                    examples: &[],
                })?;
                children(sub, &folder_dir, files, seen)?;
            }
            None => {
                let name = name.unwrap_or(names::NEW_REQUEST);
                let stem = taken.request(name);
                let path = format!("{dir}{stem}{}", names::REQUEST_SUFFIX);
                let (v3, examples) = request(&item, dir, &stem, name, order, &path, files);
                seen(Written {
                    path: &path,
                    v2: &Value::Object(item),
                    kind: ItemKind::Request,
                    v3: &v3,
                    examples: &examples,
                })?;
            }
        }
    }
    Ok(())
}

/// A request's file and its examples' files (added to `files`), and their content.
type Doc = Vec<(String, Node)>;
fn request(
    item: &Map<String, Value>,
    dir: &str,
    stem: &str,
    name: &str,
    order: u64,
    path: &str,
    files: &mut Vec<File>,
) -> (Doc, Vec<(String, Doc)>) {
    let empty = Map::new();
    let req = item
        .get("request")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let body = req.get("body").and_then(Value::as_object);
    let graphql = body.is_some_and(|b| b.get("mode").and_then(Value::as_str) == Some("graphql"));
    let mut out = vec![kind(if graphql {
        "graphql-request"
    } else {
        "http-request"
    })];
    push_str(&mut out, "id", item.get("id"));
    if stem != name {
        out.push(("name".into(), Node::str(name)));
    }
    push_description(&mut out, req.get("description"));
    out.push(("url".into(), Node::str(url_string(req.get("url")))));
    if graphql {
        let gql = body
            .and_then(|b| b.get("graphql"))
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        push_str(&mut out, "query", gql.get("query"));
        push_str(&mut out, "variables", gql.get("variables"));
    } else {
        push_str(&mut out, "method", req.get("method"));
        push_pairs(&mut out, "headers", req.get("header"), Pairs::Params);
        if let Some(url) = req.get("url").and_then(Value::as_object) {
            push_pairs(&mut out, "queryParams", url.get("query"), Pairs::Params);
            push_pairs(
                &mut out,
                "pathVariables",
                url.get("variable"),
                Pairs::Params,
            );
        }
        if let Some(body) = body_node(req.get("body")) {
            out.push(("body".into(), body));
        }
    }
    push_request_auth(&mut out, req.get("auth"));
    push_scripts(&mut out, item.get("event"), false);
    push_settings(&mut out, item.get("protocolProfileBehavior"));
    let mut examples = Vec::new();
    let responses = item
        .get("response")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty());
    if let Some(responses) = responses {
        let examples_dir = format!(
            "{}/{stem}{}/{}",
            names::RESOURCES,
            names::RESOURCES_SUFFIX,
            names::EXAMPLES
        );
        out.push(("examples".into(), Node::str(format!("./{examples_dir}"))));
        let mut taken = Names::default();
        for (i, response) in responses.iter().enumerate() {
            let response = response.as_object().unwrap_or(&empty);
            let ex_name = response
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let ex_stem = taken.example(ex_name);
            let ex = example(response, &ex_stem, ex_name, (i as u64 + 1) * ORDER_STEP);
            files.push(File {
                path: format!("{dir}{examples_dir}/{ex_stem}{}", names::EXAMPLE_SUFFIX),
                bytes: yaml::document(&ex).into_bytes(),
            });
            examples.push((ex_stem, ex));
        }
    }
    out.push(("order".into(), Node::Number(order.into())));
    files.push(File {
        path: path.into(),
        bytes: yaml::document(&out).into_bytes(),
    });
    (out, examples)
}

fn example(
    response: &Map<String, Value>,
    stem: &str,
    name: &str,
    order: u64,
) -> Vec<(String, Node)> {
    let empty = Map::new();
    let mut out = vec![kind("http-example")];
    push_str(&mut out, "id", response.get("id"));
    if stem != name {
        out.push(("name".into(), Node::str(name)));
    }
    let req = response
        .get("originalRequest")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut r = vec![("url".to_string(), Node::str(url_string(req.get("url"))))];
    r.push((
        "method".into(),
        Node::str(req.get("method").and_then(Value::as_str).unwrap_or("GET")),
    ));
    push_pairs(&mut r, "headers", req.get("header"), Pairs::Params);
    if let Some(body) = body_node(req.get("body")) {
        r.push(("body".into(), body));
    }
    out.push(("request".into(), Node::Map(r)));
    let mut s = Vec::new();
    if let Some(code) = response.get("code").and_then(Value::as_number) {
        s.push(("statusCode".to_string(), Node::Number(code.clone())));
    }
    match response.get("status").and_then(Value::as_str) {
        Some(text) => s.push(("statusText".into(), Node::str(text))),
        None => {
            let code = response.get("code").and_then(Value::as_u64);
            if let Some(reason) = code.and_then(names::reason_phrase) {
                s.push(("statusText".into(), Node::str(reason)));
            }
        }
    }
    push_pairs(&mut s, "headers", response.get("header"), Pairs::Params);
    let body_type = text_type(
        response
            .get("_postman_previewlanguage")
            .and_then(Value::as_str),
    );
    s.push((
        "body".into(),
        Node::Map(vec![
            ("type".into(), Node::str(body_type)),
            (
                "content".into(),
                Node::str(response.get("body").and_then(Value::as_str).unwrap_or("")),
            ),
        ]),
    ));
    out.push(("response".into(), Node::Map(s)));
    out.push(("order".into(), Node::Number(order.into())));
    out
}

/// v3's body `type` for a raw body's language or an example's preview language.
fn text_type(language: Option<&str>) -> &str {
    const TYPED: [&str; 4] = ["json", "xml", "html", "javascript"];
    language.filter(|l| TYPED.contains(l)).unwrap_or("text")
}

/// A v2.1 request body as v3's `body`, or none for no body (or a `null` one).
fn body_node(body: Option<&Value>) -> Option<Node> {
    let body = body?.as_object()?;
    let mode = body.get("mode").and_then(Value::as_str);
    let (kind, content) = match mode {
        None => ("text", Node::str("")),
        Some("raw") => {
            let language = body
                .get("options")
                .and_then(|o| o.get("raw"))
                .and_then(|r| r.get("language"))
                .and_then(Value::as_str);
            let kind = text_type(language);
            (
                kind,
                Node::str(body.get("raw").and_then(Value::as_str).unwrap_or("")),
            )
        }
        Some("urlencoded") => (
            "urlencoded",
            params(body.get("urlencoded"), URLENCODED_KEYS),
        ),
        Some("formdata") => ("formdata", params(body.get("formdata"), FORMDATA_KEYS)),
        Some("file") => {
            let src = body
                .get("file")
                .and_then(|f| f.get("src"))
                .filter(|s| !s.is_null());
            let mut m = Vec::new();
            if let Some(src) = src {
                m.push(("src".to_string(), node(src)));
            }
            ("file", Node::Map(m))
        }
        Some(_) => return None,
    };
    Some(Node::Map(vec![
        ("type".into(), Node::str(kind)),
        ("content".into(), content),
    ]))
}

/// The members of a urlencoded parameter and of a form-data part, in Postman's order.
const URLENCODED_KEYS: &[&str] = &["key", "value", "disabled", "description"];
const FORMDATA_KEYS: &[&str] = &[
    "type",
    "key",
    "value",
    "src",
    "disabled",
    "contentType",
    "description",
];

/// A list of urlencoded or form-data parameters, members in `order`.
fn params(list: Option<&Value>, order: &[&str]) -> Node {
    let items = list
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    Node::Seq(
        items
            .iter()
            .filter_map(Value::as_object)
            .map(|p| {
                let mut m = Vec::new();
                for key in order {
                    match (*key, p.get(*key)) {
                        ("disabled", Some(Value::Bool(true))) => {
                            m.push(("disabled".into(), Node::Bool(true)))
                        }
                        ("disabled", _) => {}
                        ("description", Some(d)) => {
                            if let Some(d) = description_text(Some(d)) {
                                m.push(("description".into(), Node::str(d)));
                            }
                        }
                        // A text part has a value and a file part a source, "" when absent.
                        ("value", v) if p.get("type").and_then(Value::as_str) != Some("file") => m
                            .push((
                                "value".into(),
                                Node::str(v.map(scalar_text).unwrap_or_default()),
                            )),
                        ("src", None | Some(Value::Null))
                            if p.get("type").and_then(Value::as_str) == Some("file") =>
                        {
                            m.push(("src".into(), Node::str("")))
                        }
                        (_, Some(Value::Null)) | (_, None) => {}
                        (k, Some(v)) => m.push((k.into(), node(v))),
                    }
                }
                Node::Map(m)
            })
            .collect(),
    )
}

/// How a list of key/value pairs is written.
#[derive(Clone, Copy, PartialEq)]
enum Pairs {
    /// `headers`, `queryParams`, `pathVariables`: `disabled` and `description` when set.
    Params,
    /// Collection `variables`: `disabled` always, no description.
    Variables,
}

/// A list of v2.1 key/value pairs as `key`: a map when every entry is enabled, has a
/// unique key and (for parameters) no description, as Postman writes them; else a list.
fn push_pairs(out: &mut Vec<(String, Node)>, key: &str, list: Option<&Value>, style: Pairs) {
    let Some(list) = list.and_then(Value::as_array) else {
        return;
    };
    let entries: Vec<&Map<String, Value>> = list.iter().filter_map(Value::as_object).collect();
    if entries.is_empty() {
        return;
    }
    let text = |e: &Map<String, Value>, k: &str| e.get(k).map(scalar_text).unwrap_or_default();
    let disabled =
        |e: &Map<String, Value>| e.get("disabled").and_then(Value::as_bool) == Some(true);
    let description = |e: &Map<String, Value>| match style {
        Pairs::Params => description_text(e.get("description")),
        Pairs::Variables => None,
    };
    let mut keys = std::collections::HashSet::new();
    let collapsible = entries
        .iter()
        .all(|e| !disabled(e) && description(e).is_none() && keys.insert(text(e, "key")));
    // A `null` value (a query parameter without `=`) stays null.
    let value = |e: &Map<String, Value>| match e.get("value") {
        Some(Value::Null) => Node::Null,
        _ => Node::str(text(e, "value")),
    };
    let node = if collapsible {
        Node::Map(entries.iter().map(|e| (text(e, "key"), value(e))).collect())
    } else {
        Node::Seq(
            entries
                .iter()
                .map(|e| {
                    let mut m = vec![
                        ("key".to_string(), Node::str(text(e, "key"))),
                        ("value".to_string(), value(e)),
                    ];
                    if disabled(e) || style == Pairs::Variables {
                        m.push(("disabled".into(), Node::Bool(disabled(e))));
                    }
                    if let Some(d) = description(e) {
                        m.push(("description".into(), Node::str(d)));
                    }
                    Node::Map(m)
                })
                .collect(),
        )
    };
    out.push((key.into(), node));
}

/// `event` -> `scripts`; collection and folder scripts carry the `http:` prefix. Empty
/// scripts are left out, as Postman does.
fn push_scripts(out: &mut Vec<(String, Node)>, events: Option<&Value>, container: bool) {
    let Some(events) = events.and_then(Value::as_array) else {
        return;
    };
    let mut scripts = Vec::new();
    for event in events {
        let listen = event.get("listen").and_then(Value::as_str);
        let ty = match listen {
            Some("prerequest") => "beforeRequest",
            Some("test") => "afterResponse",
            _ => continue,
        };
        let script = event.get("script");
        let code = script_code(script.and_then(|s| s.get("exec")));
        if code.is_empty() {
            continue;
        }
        let mut m = vec![
            (
                "type".to_string(),
                Node::str(if container {
                    format!("http:{ty}")
                } else {
                    ty.into()
                }),
            ),
            ("code".into(), Node::str(code)),
        ];
        push_str(&mut m, "language", script.and_then(|s| s.get("type")));
        scripts.push(Node::Map(m));
    }
    if !scripts.is_empty() {
        out.push(("scripts".into(), Node::Seq(scripts)));
    }
}

/// A script's `exec`: lines joined with newlines, or the string itself.
pub fn script_code(exec: Option<&Value>) -> String {
    match exec {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(lines)) => lines
            .iter()
            .map(|l| l.as_str().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// A request's auth: `{type, credentials}`.
fn push_request_auth(out: &mut Vec<(String, Node)>, auth: Option<&Value>) {
    if let Some((ty, credentials)) = auth_parts(auth) {
        let mut m = vec![("type".to_string(), Node::str(ty))];
        if let Some(c) = credentials {
            m.push(("credentials".into(), c));
        }
        out.push(("auth".into(), Node::Map(m)));
    }
}

/// A collection's or folder's auth: a list of one `{id, type, name, credentials}`. The
/// id is one Postman invents at random; ours comes from where the auth is (`at`) and what
/// it holds, so the same collection gives the same bytes.
fn push_folder_auth(out: &mut Vec<(String, Node)>, auth: Option<&Value>, at: &str) {
    if let Some((ty, credentials)) = auth_parts(auth) {
        let mut m = vec![
            ("type".to_string(), Node::str(ty)),
            ("name".into(), Node::str(format!("{ty} auth"))),
        ];
        if let Some(c) = credentials {
            m.push(("credentials".into(), c));
        }
        let mut seed = format!("auth\0{at}\0");
        if let Some(a) = auth {
            seed.push_str(&json::stringify_tab(&as_given_back(a, &m)));
        }
        let id = Node::str(names::derived_uuid(seed.as_bytes()));
        m.insert(0, ("id".into(), id));
        out.push(("auth".into(), Node::Seq(vec![Node::Map(m)])));
    }
}

/// `auth` as v3 -> v2.1 gives it back: rebuilt from its v3 form (`v3`), then patched
/// with what [`super::extras`] keeps. The same JSON value as `auth`, but not always the
/// same text: the rebuilt members come in the order v3 -> v2.1 writes them and the
/// restored ones (a parameter's unknown member...) after them. The auth id is seeded
/// from this form, so the collection that comes back gives the same id. When `auth`
/// comes back as it is, as every auth without kept data and in v3's order does, the seed
/// is the text of `auth` itself, as it always was: those ids do not change.
fn as_given_back(auth: &Value, v3: &[(String, Node)]) -> Value {
    let Some(mut rebuilt) = import::auth_v2(&Value::Object(super::doc_json(v3))) else {
        return auth.clone();
    };
    let patches = extras::diff(auth, &rebuilt);
    match extras::apply(&mut rebuilt, &patches, "auth") {
        Ok(()) => rebuilt,
        Err(_) => auth.clone(),
    }
}

/// An auth's type and its `credentials`, as Postman writes them: only parameters with a
/// string key and a value (the rest stays in the kept data); a map when the keys are
/// unique, else a list of `{key, value}`; none when no parameter is left.
fn auth_parts(auth: Option<&Value>) -> Option<(&str, Option<Node>)> {
    let auth = auth?.as_object()?;
    let ty = auth.get("type")?.as_str()?;
    let params: Vec<(&str, &Value)> = auth
        .get(ty)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let key = p.get("key")?.as_str()?;
            let value = p.get("value").filter(|v| !v.is_null())?;
            Some((key, value))
        })
        .collect();
    if params.is_empty() {
        return Some((ty, None));
    }
    let mut keys = std::collections::HashSet::new();
    let credentials = if params.iter().all(|(k, _)| keys.insert(*k)) {
        Node::Map(
            params
                .iter()
                .map(|(k, v)| (k.to_string(), node(v)))
                .collect(),
        )
    } else {
        let entry = |(k, v): &(&str, &Value)| {
            Node::Map(vec![
                ("key".into(), Node::str(*k)),
                ("value".into(), node(v)),
            ])
        };
        Node::Seq(params.iter().map(entry).collect())
    };
    Some((ty, Some(credentials)))
}

/// `protocolProfileBehavior` -> `settings` (the fields v3 has).
fn push_settings(out: &mut Vec<(String, Node)>, behavior: Option<&Value>) {
    let Some(b) = behavior.and_then(Value::as_object) else {
        return;
    };
    let mut m = Vec::new();
    for key in ["strictSSL", "followRedirects", "maxRedirects"] {
        if let Some(v) = b.get(key).filter(|v| v.is_boolean() || v.is_number()) {
            m.push((key.to_string(), node(v)));
        }
    }
    if let Some(headers) = b.get("disabledSystemHeaders").and_then(Value::as_object) {
        let off: Vec<Node> = headers
            .iter()
            .filter(|(_, v)| v.as_bool() == Some(true))
            .map(|(k, _)| Node::str(k.clone()))
            .collect();
        if !off.is_empty() {
            m.push(("disabledSystemHeaders".into(), Node::Seq(off)));
        }
    }
    if !m.is_empty() {
        out.push(("settings".into(), Node::Map(m)));
    }
}

/// A request URL as one string: the string form, or `raw` of the object form.
pub fn url_string(url: Option<&Value>) -> String {
    match url {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(u)) => u.get("raw").and_then(Value::as_str).unwrap_or("").into(),
        _ => String::new(),
    }
}

fn description_text(d: Option<&Value>) -> Option<String> {
    let text = match d? {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("content").and_then(Value::as_str)?.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn push_description(out: &mut Vec<(String, Node)>, d: Option<&Value>) {
    if let Some(d) = description_text(d) {
        out.push(("description".into(), Node::str(d)));
    }
}

fn push_str(out: &mut Vec<(String, Node)>, key: &str, v: Option<&Value>) {
    if let Some(s) = v.and_then(Value::as_str) {
        out.push((key.into(), Node::str(s)));
    }
}

/// A scalar as the text v3 writes for it (`5` -> `"5"`).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => json::js_number(n),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn kind(k: &str) -> (String, Node) {
    ("$kind".into(), Node::str(k))
}

/// Any JSON value as a YAML node.
pub fn node(v: &Value) -> Node {
    match v {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Number(n.clone()),
        Value::String(s) => Node::str(s.clone()),
        Value::Array(a) => Node::Seq(a.iter().map(node).collect()),
        Value::Object(o) => Node::Map(o.iter().map(|(k, v)| (k.clone(), node(v))).collect()),
    }
}

fn object_members<'a>(raw: &'a RawValue, what: &str) -> Result<Vec<(String, &'a RawValue)>, Error> {
    json::members(raw).map_err(|_| Error::Shape(format!("{what} is not a JSON object")))
}

fn take_raw<'a>(members: &mut Vec<(String, &'a RawValue)>, key: &str) -> Option<&'a RawValue> {
    let i = members.iter().position(|(k, _)| k == key)?;
    let (_, raw) = members.remove(i);
    // A folder is an item with an `item` list; `"item": null` is no folder.
    (raw.get().trim_start().starts_with('[')).then_some(raw)
}

fn parse_members(members: Vec<(String, &RawValue)>) -> Result<Map<String, Value>, Error> {
    let mut out = Map::with_capacity(members.len());
    for (k, raw) in members {
        out.insert(k, serde_json::from_str(raw.get())?);
    }
    Ok(out)
}
