//! Collection JSON as Postman's git integration writes it, and back.
//!
//! Fetch turns what the API serves (with fields only the server adds) into the file
//! Postman would have committed; push turns a file back into what the API accepts.

use serde_json::{Map, Value};

use super::json::stringify_tab;

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
}

/// The collection file for a collection as served by `GET /collections/{id}` (the value
/// inside the `collection` wrapper). `uid` is the collection's UID, written as `_uid`.
/// Takes the value by move: collections can be tens of megabytes, so no copy is made.
pub fn file_bytes(served: Value, uid: &str) -> Result<Vec<u8>, Error> {
    let Value::Object(mut top) = served else {
        return Err(Error::NotAnObject);
    };
    let Some(Value::Object(mut info)) = top.shift_remove("info") else {
        return Err(Error::NoInfo);
    };
    for field in SERVER_INFO_FIELDS {
        info.shift_remove(field);
    }
    info.insert("schema".into(), Value::String(FILE_SCHEMA_URL.into()));
    info.insert("_uid".into(), Value::String(uid.into()));
    top.insert("info".into(), Value::Object(ordered(info, &INFO_ORDER)));
    if let Some(items) = top.get_mut("item") {
        strip_server_item_fields(items);
    }
    let file = Value::Object(ordered(top, &TOP_LEVEL_ORDER));
    Ok(stringify_tab(&file).into_bytes())
}

/// Reorders `map`: the `order` keys first (those present), then the rest as they were.
fn ordered(mut map: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    let mut out = Map::with_capacity(map.len());
    for key in order {
        if let Some(v) = map.shift_remove(*key) {
            out.insert((*key).into(), v);
        }
    }
    out.extend(map);
    out
}

/// Removes the server-only fields from every item (folders and requests, at any depth)
/// and every saved response.
fn strip_server_item_fields(items: &mut Value) {
    let Some(items) = items.as_array_mut() else {
        return;
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        for field in SERVER_ITEM_FIELDS {
            item.shift_remove(field);
        }
        if let Some(responses) = item.get_mut("response").and_then(Value::as_array_mut) {
            for response in responses.iter_mut().filter_map(Value::as_object_mut) {
                for field in SERVER_ITEM_FIELDS {
                    response.shift_remove(field);
                }
            }
        }
        if let Some(children) = item.get_mut("item") {
            strip_server_item_fields(children);
        }
    }
}

/// What the API accepts for a collection file (validated already): `info.schema` in the
/// API's spelling, without `_uid`, which only the files carry. With `new`, also without
/// `_postman_id`, so Postman assigns the new collection its own.
pub fn upload_form(mut file: Value, new: bool) -> Value {
    if let Some(info) = file.get_mut("info").and_then(Value::as_object_mut) {
        info.insert("schema".into(), Value::String(API_SCHEMA_URL.into()));
        info.shift_remove("_uid");
        if new {
            info.shift_remove("_postman_id");
        }
    }
    file
}

/// The collection's name, from `info.name`.
pub fn name(collection: &Value) -> Option<&str> {
    collection.pointer("/info/name").and_then(Value::as_str)
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
        let text = String::from_utf8(file_bytes(served, "1-c").unwrap()).unwrap();
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
}
