//! What v3 has no field for, kept so that v2.1 -> v3 -> v2.1 gives the collection back.
//!
//! Postman's converter drops some v2.1 data (folder variables, `disableBodyPruning`,
//! empty descriptions, script ids, legacy `data` bodies, a response's `cookie` and
//! timings...). We keep Postman's files exactly as its converter writes them and put the
//! difference in one more file, `.resources/git-postman.v2.json` (written only when there
//! is something to keep; Postman and its linter ignore it). For each item (keyed by its
//! id, or by its file when it has none) it lists patches: JSON Pointer `at`, the `set`
//! value (absent: remove the member) and `was`, what the v3 files gave there when the
//! patch was made. A patch applies only while the v3 files still give `was`: an edit of
//! that field in the YAML wins over the patch, which then lapses. One more member,
//! [`URL_FORM`], is there when most of the collection's URLs were strings.
//!
//! The file's order is canonical: items by key, patches by `at`. Postman may give the
//! members of a collection back in another order than they were sent (v3 -> v2.1 adds
//! restored members last), and the order must not follow it, or a fetch right after a
//! push would rewrite the file. The pointers of one item never nest, so their order
//! changes nothing but where a restored member lands among its siblings.

use serde_json::{Map, Value};

use super::Error;

pub const FILE: &str = ".resources/git-postman.v2.json";

/// The member that says the collection's URLs are strings (`"string"`), not the objects
/// the API serves: the form v3 -> v2.1 rebuilds (`v3::url::UrlForm`).
pub const URL_FORM: &str = "$urls";

/// The patches that turn `rebuilt` (what the v3 files give) into `original`, by `at`.
pub fn diff(original: &Value, rebuilt: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    walk(original, Some(rebuilt), &mut String::new(), &mut out);
    out.sort_by(|a, b| at(a).cmp(at(b)));
    out
}

fn at(patch: &Value) -> &str {
    patch.get("at").and_then(Value::as_str).unwrap_or_default()
}

fn walk(original: &Value, rebuilt: Option<&Value>, at: &mut String, out: &mut Vec<Value>) {
    match (original, rebuilt) {
        (Value::Object(o), Some(Value::Object(r))) => {
            for (k, v) in o {
                let len = at.len();
                push_token(at, k);
                walk(v, r.get(k), at, out);
                at.truncate(len);
            }
            for (k, v) in r {
                if !o.contains_key(k) {
                    let len = at.len();
                    push_token(at, k);
                    out.push(patch(at, None, Some(v)));
                    at.truncate(len);
                }
            }
        }
        (Value::Array(o), Some(Value::Array(r))) if o.len() == r.len() => {
            for (i, (a, b)) in o.iter().zip(r).enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                walk(a, Some(b), at, out);
                at.truncate(len);
            }
        }
        (o, r) if Some(o) != r => out.push(patch(at, Some(o), r)),
        _ => {}
    }
}

fn patch(at: &str, set: Option<&Value>, was: Option<&Value>) -> Value {
    let mut m = Map::new();
    m.insert("at".into(), at.into());
    if let Some(s) = set {
        m.insert("set".into(), s.clone());
    }
    if let Some(w) = was {
        m.insert("was".into(), w.clone());
    }
    Value::Object(m)
}

fn push_token(at: &mut String, key: &str) {
    at.push('/');
    at.push_str(&key.replace('~', "~0").replace('/', "~1"));
}

/// Applies `patches` to `item` (see the module comment); `file` names the extras file in
/// errors.
pub fn apply(item: &mut Value, patches: &[Value], key: &str) -> Result<(), Error> {
    for p in patches {
        let bad = || Error::Shape(format!("{FILE}: a patch of {key:?} is malformed: {p}"));
        let at = p.get("at").and_then(Value::as_str).ok_or_else(bad)?;
        if item.pointer(at) != p.get("was") {
            continue;
        }
        let (parent, last) = match at.rfind('/') {
            Some(i) => (&at[..i], unescape(&at[i + 1..])),
            None if at.is_empty() => {
                if let Some(v) = p.get("set") {
                    *item = v.clone();
                }
                continue;
            }
            None => return Err(bad()),
        };
        let Some(target) = item.pointer_mut(parent) else {
            continue;
        };
        match (target, p.get("set")) {
            (Value::Object(m), Some(v)) => {
                m.insert(last, v.clone());
            }
            (Value::Object(m), None) => {
                m.shift_remove(&last);
            }
            (Value::Array(a), Some(v)) => {
                if let Some(slot) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                    *slot = v.clone();
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_restore_the_original_and_lapse_when_the_field_is_edited() {
        let original =
            json!({"a": 1, "b": {"c": [1, 2], "d/x": ""}, "url": {"raw": "u", "host": ["h"]}});
        let rebuilt = json!({"a": 1, "b": {"c": [1, 3]}, "url": "u", "extra": true});
        let patches = diff(&original, &rebuilt);
        let mut back = rebuilt.clone();
        apply(&mut back, &patches, "k").unwrap();
        assert_eq!(back, original);

        let mut edited = json!({"a": 1, "b": {"c": [1, 3]}, "url": "v", "extra": true});
        apply(&mut edited, &patches, "k").unwrap();
        assert_eq!(edited["url"], "v", "the edit wins");
        assert_eq!(edited["b"]["c"], json!([1, 2]));
    }

    #[test]
    fn patches_do_not_follow_the_order_of_members() {
        let rebuilt = json!({"a": 1, "z": 0});
        let one = diff(&json!({"a": 1, "x": 2, "b": 3}), &rebuilt);
        let other = diff(&json!({"b": 3, "a": 1, "x": 2}), &rebuilt);
        assert_eq!(one, other);
        let ats: Vec<&str> = one.iter().map(at).collect();
        assert_eq!(ats, ["/b", "/x", "/z"]);
    }
}
