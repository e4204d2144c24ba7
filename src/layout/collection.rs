//! Collection JSON as Postman's git integration writes it, and back.
//!
//! Fetch turns what the API serves (with fields only the server adds) into the file
//! Postman would have committed; push turns a file back into what the API accepts.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::json::{self, RawRules};

/// `info.schema` in the files Postman commits.
pub const FILE_SCHEMA_URL: &str =
    "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
/// `info.schema` in the form the API's request schema accepts.
pub const API_SCHEMA_URL: &str =
    "https://schema.postman.com/json/collection/v2.1.0/collection.json";

/// Top-level keys in the order Postman writes them; any others follow in their order.
const TOP_LEVEL_ORDER: [&str; 5] = ["info", "item", "auth", "event", "variable"];
/// `info` keys in the order Postman writes them; any others follow in their order.
const INFO_ORDER: [&str; 5] = ["_postman_id", "name", "description", "schema", "_uid"];
/// Fields the API adds to `info` that are not part of the collection.
const SERVER_INFO_FIELDS: [&str; 5] = ["uid", "createdAt", "updatedAt", "lastUpdatedBy", "fork"];
/// Fields the API adds to every item and response.
const SERVER_ITEM_FIELDS: [&str; 3] = ["uid", "createdAt", "updatedAt"];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the collection is not a JSON object")]
    NotAnObject,
    #[error("the collection has no `info` object")]
    NoInfo,
    #[error("the collection is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the collection nests deeper than {} levels", json::MAX_DEPTH)]
    TooDeep,
}

/// A served body as text: UTF-8, and nested at most [`json::MAX_DEPTH`] deep (it is
/// walked level by level).
fn served_text(body: &[u8]) -> Result<&str, Error> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::Json(serde::de::Error::custom(format!("not UTF-8: {e}"))))?;
    match json::nests_deeper_than(text, json::MAX_DEPTH) {
        true => Err(Error::TooDeep),
        false => Ok(text),
    }
}

/// A collection as the API served it, kept as JSON text: collections can be tens of
/// megabytes, and a parsed tree of one takes ten times its size.
pub struct Served {
    text: Box<RawValue>,
}

impl Served {
    /// From `GET /collections/{id}`: `{"collection": {...}}`.
    pub fn from_wrapper(body: &[u8]) -> Result<Served, Error> {
        #[derive(serde::Deserialize)]
        struct Wrapper<'a> {
            #[serde(borrow)]
            collection: &'a RawValue,
        }
        let wrapper: Wrapper = serde_json::from_str(served_text(body)?)?;
        Ok(Served {
            text: wrapper.collection.to_owned(),
        })
    }

    /// From `GET /apis/{apiId}/collections/{id}`: the bare collection.
    pub fn from_bare(body: &[u8]) -> Result<Served, Error> {
        Ok(Served {
            text: serde_json::from_str::<&RawValue>(served_text(body)?)?.to_owned(),
        })
    }

    /// The `info` object, with the fields the server adds (`uid`, `updatedAt`...). A
    /// string Rust cannot hold (a lone UTF-16 surrogate) reads with U+FFFD in its place:
    /// this is for reading names and dates; the files keep the text as it is.
    pub fn info(&self) -> Result<Map<String, Value>, Error> {
        Info::of(&top_members(&self.text)?)?
            .0
            .iter()
            .map(|(k, v)| Ok((k.clone(), json::value_lossy(v)?)))
            .collect()
    }

    /// The collection file Postman's git integration writes for it; `uid` is the
    /// collection's UID, written as `_uid`.
    pub fn file_bytes(&self, uid: &str) -> Result<Vec<u8>, Error> {
        let top = top_members(&self.text)?;
        let mut info = Info::of(&top)?;
        for field in SERVER_INFO_FIELDS {
            info.remove(field);
        }
        info.set("schema", FILE_SCHEMA_URL)?;
        info.set("_uid", uid)?;
        info.order(&INFO_ORDER);

        let mut members: Vec<(&str, &RawValue)> =
            top.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        members.sort_by_key(|(k, _)| {
            TOP_LEVEL_ORDER
                .iter()
                .position(|o| o == k)
                .unwrap_or(TOP_LEVEL_ORDER.len())
        });
        let mut out = String::with_capacity(self.text.get().len());
        json::write_object(&mut out, members, 0, |out, key, value, depth| match key {
            "info" => info.write(out, depth),
            "item" => json::write_raw(out, value, depth, Within::Items),
            _ => json::write_raw(out, value, depth, Within::Other),
        })?;
        Ok(out.into_bytes())
    }
}

/// Where a value sits in a collection, for dropping the fields the server adds to every
/// item (folders and requests, at any depth) and every saved response.
#[derive(Debug, Clone, Copy)]
enum Within {
    Other,
    Items,
    Item,
    Responses,
    Response,
}

impl RawRules for Within {
    fn drop(self, key: &str) -> bool {
        matches!(self, Within::Item | Within::Response) && SERVER_ITEM_FIELDS.contains(&key)
    }

    fn member(self, key: &str) -> Self {
        match (self, key) {
            (Within::Item, "item") => Within::Items,
            (Within::Item, "response") => Within::Responses,
            _ => Within::Other,
        }
    }

    fn element(self) -> Self {
        match self {
            Within::Items => Within::Item,
            Within::Responses => Within::Response,
            _ => Within::Other,
        }
    }
}

/// A collection's `info`, its members kept as JSON text: a value JavaScript holds but
/// Rust strings cannot (a lone UTF-16 surrogate in a name) passes through unchanged.
struct Info(Vec<(String, Box<RawValue>)>);

impl Info {
    /// The `info` member among a collection's `top` members.
    fn of(top: &[(String, &RawValue)]) -> Result<Info, Error> {
        let info = json::member(top, "info").ok_or(Error::NoInfo)?;
        let members = json::members(info).map_err(|_| Error::NoInfo)?;
        Ok(Info(
            members
                .into_iter()
                .map(|(k, v)| (k, v.to_owned()))
                .collect(),
        ))
    }

    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// Sets `key` to the string `value`, in its place when it is there, else last.
    fn set(&mut self, key: &str, value: &str) -> Result<(), Error> {
        let value = serde_json::value::to_raw_value(value)?;
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.into(), value)),
        }
        Ok(())
    }

    /// The `order` keys first (those present), then the rest as they were.
    fn order(&mut self, order: &[&str]) {
        let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
        self.0.sort_by_key(|(k, _)| rank(k));
    }

    /// As `JSON.stringify(info, null, "\t")` at `depth`.
    fn write(&self, out: &mut String, depth: usize) -> Result<(), serde_json::Error> {
        let members = self.0.iter().map(|(k, v)| (k.as_str(), &**v)).collect();
        json::write_object(out, members, depth, |out, _, value, depth| {
            json::write_raw(out, value, depth, Within::Other)
        })
    }

    /// As compact JSON text, each value as it was written.
    fn compact(&self) -> String {
        json::compact_object(self.0.iter().map(|(k, v)| (k.as_str(), v.get())))
    }
}

/// What the API accepts for a collection file (validated already), as JSON text:
/// `info.schema` in the API's spelling, without `_uid`, which only the files carry; with
/// `new`, also without `_postman_id`, so Postman gives the new collection its own. Every
/// other member is copied as text, unparsed.
pub fn upload_json(file: &RawValue, new: bool) -> Result<String, Error> {
    with_info(file, |info| {
        info.set("schema", API_SCHEMA_URL)?;
        info.remove("_uid");
        if new {
            info.remove("_postman_id");
        }
        Ok(())
    })
}

/// A collection file without the `_uid` Postman's git integration adds to `info`: the
/// collection as a v3 tree holds (the UID is in `.postman/api_<id>`), so the tree is
/// exactly what Postman's converter writes for it.
pub fn without_uid(file: &RawValue) -> Result<String, Error> {
    with_info(file, |info| {
        info.remove("_uid");
        Ok(())
    })
}

/// `file` as JSON text with `edit` applied to its `info`; every other member is copied
/// as text, unparsed.
fn with_info(
    file: &RawValue,
    edit: impl FnOnce(&mut Info) -> Result<(), Error>,
) -> Result<String, Error> {
    let top = top_members(file)?;
    let mut info = Info::of(&top)?;
    edit(&mut info)?;
    let info = info.compact();
    Ok(json::compact_object(top.iter().map(|(key, value)| {
        let value = match key.as_str() {
            "info" => info.as_str(),
            _ => value.get(),
        };
        (key.as_str(), value)
    })))
}

/// A collection's top-level members, as text.
fn top_members(collection: &RawValue) -> Result<Vec<(String, &RawValue)>, Error> {
    json::members(collection).map_err(|_| Error::NotAnObject)
}

/// A collection UID's own id: `<owner>-<id>` without the owner (digits), or the whole
/// UID when it has none (a bare UUID or 24-hex id).
pub fn own_id(uid: &str) -> &str {
    match uid.split_once('-') {
        Some((owner, id)) if !owner.is_empty() && owner.bytes().all(|b| b.is_ascii_digit()) => id,
        _ => uid,
    }
}

/// For a `PUT` of `upload` (what [`upload_json`] made) to the existing collection `uid`:
/// the collection's name and the file a fetch then writes, when the upload alone decides
/// them. Postman stores what it is sent, except that it gives an id to every item, saved
/// response, event script and variable lacking one, and keeps its own `_postman_id`;
/// `None` when the upload lacks any of these, so that only reading it back tells.
pub fn stored_file(upload: &str, uid: &str) -> Result<Option<(String, Vec<u8>)>, Error> {
    let served = Served::from_bare(upload.as_bytes())?;
    let info = served.info()?;
    let own_id = own_id(uid);
    let name = info.get("name").and_then(Value::as_str);
    let (Some(name), Some(true)) = (
        name,
        info.get("_postman_id").map(|p| p.as_str() == Some(own_id)),
    ) else {
        return Ok(None);
    };
    if !has_every_id(&served.text, Level::Collection)? {
        return Ok(None);
    }
    Ok(Some((name.to_string(), served.file_bytes(uid)?)))
}

/// Where [`has_every_id`] is in a collection.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Collection,
    Item,
}

/// Whether `object` (the collection or an item) and everything in it that Postman gives
/// an id carries one: items and saved responses a non-empty string `id`, variables an
/// `id`, event scripts an `id`. Walked as text, like [`Served::file_bytes`].
fn has_every_id(object: &RawValue, level: Level) -> Result<bool, Error> {
    let members = json::members(object)?;
    let elements = |key: &str| -> Result<Vec<&RawValue>, Error> {
        match json::member(&members, key) {
            Some(v) if v.get().trim_start().starts_with('[') => Ok(serde_json::from_str(v.get())?),
            _ => Ok(Vec::new()),
        }
    };
    let named = |raw: &RawValue, key: &str| -> Result<Option<Value>, Error> {
        if !raw.get().trim_start().starts_with('{') {
            return Ok(None);
        }
        Ok(json::member(&json::members(raw)?, key)
            .map(|v| serde_json::from_str(v.get()))
            .transpose()?)
    };
    let string_id = |raw: &RawValue| -> Result<bool, Error> {
        let object = raw.get().trim_start().starts_with('{');
        Ok(!object
            || named(raw, "id")?.is_some_and(|id| id.as_str().is_some_and(|s| !s.is_empty())))
    };
    if level == Level::Item && !string_id(object)? {
        return Ok(false);
    }
    for variable in elements("variable")? {
        if named(variable, "id")?.is_none() && variable.get().trim_start().starts_with('{') {
            return Ok(false);
        }
    }
    for event in elements("event")? {
        if let Some(Value::Object(script)) = named(event, "script")? {
            if !script.contains_key("id") {
                return Ok(false);
            }
        }
    }
    for response in elements("response")? {
        if !string_id(response)? {
            return Ok(false);
        }
    }
    for item in elements("item")? {
        if item.get().trim_start().starts_with('{') && !has_every_id(item, Level::Item)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_are_dropped_and_keys_ordered() {
        let served = json!({
            "variable": [],
            "item": [{"name": "r", "id": "i1", "uid": "1-i1", "createdAt": "x", "updatedAt": "y",
                      "request": {"method": "GET"}, "response": [{"id": "r1", "uid": "1-r1", "name": "ok"}]}],
            "info": {"schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json",
                     "name": "N", "uid": "1-c", "_postman_id": "c", "updatedAt": "t", "createdAt": "t",
                     "lastUpdatedBy": "1", "version": "1"}
        });
        let served =
            Served::from_wrapper(json!({ "collection": served }).to_string().as_bytes()).unwrap();
        let text = String::from_utf8(served.file_bytes("1-c").unwrap()).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<_> = back.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["info", "item", "variable"]);
        let info_keys: Vec<_> = back["info"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            info_keys,
            ["_postman_id", "name", "schema", "_uid", "version"]
        );
        assert_eq!(back["info"]["schema"], FILE_SCHEMA_URL);
        assert_eq!(
            back["item"][0],
            json!({"name": "r", "id": "i1", "request": {"method": "GET"}, "response": [{"id": "r1", "name": "ok"}]})
        );
        assert!(!text.ends_with('\n'));
    }

    #[test]
    fn a_put_with_every_id_decides_the_stored_file() {
        let upload = |extra: &str| {
            format!(
                r#"{{"info":{{"_postman_id":"c","name":"N","schema":"{API_SCHEMA_URL}"}},"item":[{{"name":"r","id":"i","request":"http://x","response":[{{"id":"r1"}}]{extra}}}],"variable":[{{"id":"v","key":"k"}}],"event":[{{"listen":"test","script":{{"id":"s","exec":[]}}}}]}}"#
            )
        };
        let (name, bytes) = stored_file(&upload(""), "1-c").unwrap().unwrap();
        assert_eq!(name, "N");
        let served = Served::from_bare(upload("").as_bytes()).unwrap();
        assert_eq!(bytes, served.file_bytes("1-c").unwrap());
        // Each thing Postman would give an id to, or its own `_postman_id`, missing.
        for missing in [
            upload(r#","item":[{"name":"new","request":"http://y"}]"#),
            upload("").replace(r#"{"id":"r1"}"#, "{}"),
            upload("").replace(r#"{"id":"v","key":"k"}"#, r#"{"key":"k"}"#),
            upload("").replace(r#"{"id":"s","exec":[]}"#, r#"{"exec":[]}"#),
            upload("").replace(r#""id":"i","#, r#""id":"","#),
        ] {
            assert_eq!(stored_file(&missing, "1-c").unwrap(), None, "{missing}");
        }
        assert_eq!(stored_file(&upload(""), "1-other").unwrap(), None);
    }

    #[test]
    fn a_lone_surrogate_in_info_passes_through_as_javascript_passes_it() {
        let served = r#"{"info":{"name":"N\ud800","uid":"1-c","description":"\uDC00"},"item":[]}"#;
        let served = Served::from_bare(served.as_bytes()).unwrap();
        assert_eq!(served.info().unwrap()["name"], "N\u{fffd}");
        let file = String::from_utf8(served.file_bytes("1-c").unwrap()).unwrap();
        assert!(
            file.contains(r#""name": "N\ud800","#) && file.contains(r#""description": "\udc00","#),
            "{file}"
        );
        let file: &RawValue = serde_json::from_str(&file).unwrap();
        let upload = upload_json(file, false).unwrap();
        assert!(upload.contains(r#""name":"N\ud800""#), "{upload}");
        assert!(!upload.contains("_uid"), "{upload}");
    }

    #[test]
    fn upload_form_changes_only_info() {
        let file: &RawValue = serde_json::from_str(
            r#"{"info": {"_postman_id": "c", "name": "N", "schema": "x", "_uid": "1-c"}, "item": [ {"id": "i"} ]}"#,
        )
        .unwrap();
        assert_eq!(
            upload_json(file, false).unwrap(),
            format!(
                r#"{{"info":{{"_postman_id":"c","name":"N","schema":"{API_SCHEMA_URL}"}},"item":[ {{"id": "i"}} ]}}"#
            )
        );
        assert!(!upload_json(file, true).unwrap().contains("_postman_id"));
    }
}
