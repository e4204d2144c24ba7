//! A URL string -> the v2.1 URL object Postman serves for it (`raw`, `protocol`, `host`,
//! `port`, `path`, `query`, `hash`), split the way postman-collection's `Url.parse`
//! (postman-url-encoder's parser) splits it: `{{variables}}` are never split, `#` then
//! `?` are cut from the back, `://` from the front, then the path, `user@`, `:port`.
//!
//! v3 keeps only the string; rebuilding the object Postman would spares an extras entry
//! per request (see [`super::extras`]).

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::layout::json::{self, member};

/// The members of a URL object, in the order Postman serves them.
pub const MEMBERS: &[&str] = &[
    "raw", "protocol", "host", "port", "path", "query", "hash", "variable",
];

/// How a collection writes its request URLs. The API serves objects; collection files
/// (exports, older tools) often hold strings. A collection's v3 -> v2.1 rebuild uses the
/// form most of its URLs had, so only the others need an extras entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum UrlForm {
    #[default]
    Object,
    String,
}

impl UrlForm {
    /// The form most URLs of a collection's requests and saved responses' requests
    /// have, as `JSON.parse` reads the text (a repeated key counts once, with its last
    /// value). Only the item structure is split, never the whole collection parsed, and
    /// each object once.
    pub fn most_used(collection: &RawValue) -> UrlForm {
        let mut count = FormCount::default();
        count.items(member(&members(Some(collection)), "item"), 0);
        if count.strings > count.objects {
            UrlForm::String
        } else {
            UrlForm::Object
        }
    }

    /// How the extras file records it (the object form, the default, is not recorded).
    pub fn name(self) -> &'static str {
        match self {
            UrlForm::Object => "object",
            UrlForm::String => "string",
        }
    }
}

/// URLs written as strings and as objects, for [`UrlForm::most_used`].
#[derive(Default)]
struct FormCount {
    strings: usize,
    objects: usize,
}

impl FormCount {
    /// Counts the URLs of every item of `items` and of its folders, down to the depth
    /// the JSON reader allows.
    fn items(&mut self, items: Option<&RawValue>, depth: usize) {
        if depth > json::MAX_DEPTH {
            return;
        }
        for item in elements(items) {
            let item = members(Some(item));
            self.url_of(member(&item, "request"));
            for response in elements(member(&item, "response")) {
                self.url_of(member(&members(Some(response)), "originalRequest"));
            }
            self.items(member(&item, "item"), depth + 1);
        }
    }

    fn url_of(&mut self, request: Option<&RawValue>) {
        match member(&members(request), "url").map(|u| u.get().as_bytes()[0]) {
            Some(b'"') => self.strings += 1,
            Some(b'{') => self.objects += 1,
            _ => {}
        }
    }
}

/// The members of `object`, when it is an object (none otherwise).
fn members(object: Option<&RawValue>) -> Vec<(String, &RawValue)> {
    object
        .and_then(|o| json::members(o).ok())
        .unwrap_or_default()
}

/// The elements of `array`, when it is an array.
fn elements(array: Option<&RawValue>) -> Vec<&RawValue> {
    array
        .and_then(|a| serde_json::from_str(a.get()).ok())
        .unwrap_or_default()
}

/// One unit of the URL: a character, or a `{{variable}}`, which separators never split.
#[derive(Clone, Copy)]
enum Token<'a> {
    Char(char),
    Var(&'a str),
}

fn tokens(s: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        // `{{[^{}]*}}`, as the parser's regex.
        if let Some(inner) = rest.strip_prefix("{{") {
            if let Some(end) = inner.find(['{', '}']) {
                if inner[end..].starts_with("}}") {
                    let len = 2 + end + 2;
                    out.push(Token::Var(&rest[..len]));
                    rest = &rest[len..];
                    continue;
                }
            }
        }
        out.push(Token::Char(c));
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn text(t: &[Token]) -> String {
    t.iter().fold(String::new(), |mut s, t| {
        match t {
            Token::Char(c) => s.push(*c),
            Token::Var(v) => s.push_str(v),
        }
        s
    })
}

fn is(t: &Token, c: char) -> bool {
    matches!(t, Token::Char(x) if *x == c)
}

fn split(t: &[Token], sep: char) -> Value {
    Value::Array(
        t.split(|x| is(x, sep))
            .map(|part| Value::String(text(part)))
            .collect(),
    )
}

/// The URL object of `raw`, without `query`/`variable` when `raw` has none.
pub fn parse(raw: &str) -> Map<String, Value> {
    // JavaScript's trimLeft: Unicode white space and the byte-order mark.
    let raw = raw.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let mut t = tokens(raw);
    let mut parts: Vec<(&str, Value)> = Vec::new();
    let mut hash = None;
    if let Some(i) = t.iter().position(|x| is(x, '#')) {
        hash = Some(Value::String(text(&t[i + 1..])));
        t.truncate(i);
    }
    let mut query = None;
    if let Some(i) = t.iter().position(|x| is(x, '?')) {
        query = Some(query_params(&t[i + 1..]));
        t.truncate(i);
    }
    for x in t.iter_mut() {
        if is(x, '\\') {
            *x = Token::Char('/');
        }
    }
    let mut start = 0;
    let protocol_end = t
        .windows(3)
        .position(|w| is(&w[0], ':') && is(&w[1], '/') && is(&w[2], '/'));
    if let Some(i) = protocol_end {
        let protocol = text(&t[..i]);
        start = i + 3;
        let slashes = t[start..].iter().take_while(|x| is(x, '/')).count();
        // file:////path keeps one slash; other protocols drop them all.
        start += if protocol.eq_ignore_ascii_case("file") {
            slashes.saturating_sub(1)
        } else {
            slashes
        };
        parts.push(("protocol", Value::String(protocol)));
    }
    let mut end = t.len();
    let mut path = None;
    if let Some(i) = t[start..].iter().position(|x| is(x, '/')) {
        path = Some(split(&t[start + i + 1..end], '/'));
        end = start + i;
    }
    if let Some(i) = t[start..end].iter().rposition(|x| is(x, '@')) {
        start += i + 1;
    }
    let mut port = None;
    if let Some(i) = t[start..end].iter().rposition(|x| is(x, ':')) {
        let after = &t[start + i + 1..end];
        if !after.iter().any(|x| is(x, ']')) {
            port = Some(Value::String(text(after)));
            end = start + i;
        }
    }
    if start < end {
        parts.push(("host", split(&t[start..end], '.')));
    }
    parts.extend(port.map(|p| ("port", p)));
    parts.extend(path.map(|p| ("path", p)));
    parts.extend(query.map(|q| ("query", q)));
    parts.extend(hash.map(|h| ("hash", h)));
    let mut out = Map::new();
    out.insert("raw".into(), raw.into());
    out.extend(parts.into_iter().map(|(k, v)| (k.to_string(), v)));
    out
}

/// `a=1&b&&c=` -> `[{key: a, value: 1}, {key: b, value: null}, {key: null, value: null},
/// {key: c, value: ""}]`, as `QueryParam.parseSingle` reads each (an empty parameter
/// before the last is all null).
fn query_params(t: &[Token]) -> Value {
    let params: Vec<&[Token]> = t.split(|x| is(x, '&')).collect();
    let last = params.len() - 1;
    Value::Array(
        params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let p = text(p);
                let (key, value) = match p.split_once('=') {
                    _ if p.is_empty() && i != last => (Value::Null, Value::Null),
                    Some((k, v)) => (k.into(), v.into()),
                    None => (p.into(), Value::Null),
                };
                let mut m = Map::new();
                m.insert("key".into(), key);
                m.insert("value".into(), value);
                Value::Object(m)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(raw: &str, want: Value) {
        assert_eq!(Value::Object(parse(raw)), want, "{raw}");
    }

    #[test]
    fn urls_split_as_postman_splits_them() {
        check(
            "https://postman-echo.com/post",
            json!({"raw": "https://postman-echo.com/post", "protocol": "https",
                   "host": ["postman-echo", "com"], "path": ["post"]}),
        );
        check(
            "{{URL}}/{{version}}/Event/:eventId?start=2024&flag&&x=#top",
            json!({"raw": "{{URL}}/{{version}}/Event/:eventId?start=2024&flag&&x=#top",
                   "host": ["{{URL}}"], "path": ["{{version}}", "Event", ":eventId"],
                   "query": [{"key": "start", "value": "2024"}, {"key": "flag", "value": null},
                             {"key": null, "value": null}, {"key": "x", "value": ""}],
                   "hash": "top"}),
        );
        // Variables are not split on `.`, `/`, `:` or `@`; the last `@` ends the user part.
        check(
            "  http://u{{a@b}}:p@{{host.name}}.com:{{#port}}/a\\b/",
            json!({"raw": "http://u{{a@b}}:p@{{host.name}}.com:{{#port}}/a\\b/",
                   "protocol": "http", "host": ["{{host.name}}", "com"], "port": "{{#port}}",
                   "path": ["a", "b", ""]}),
        );
        check(
            "file:////etc/hosts",
            json!({"raw": "file:////etc/hosts", "protocol": "file", "path": ["etc", "hosts"]}),
        );
        check("[::1]", json!({"raw": "[::1]", "host": ["[::1]"]}));
        check("", json!({"raw": ""}));
    }

    #[test]
    fn the_form_most_urls_have_is_the_collection_s() {
        let strings = r#"{"item": [{"request": {"url": "a"}}, {"request": {"url" : "b"}},
            {"request": {"url": {"raw": "c"}}}, {"description": "\"url\": {}"}]}"#;
        let form = |text: &str| UrlForm::most_used(serde_json::from_str(text).unwrap());
        assert_eq!(form(strings), UrlForm::String);
        let objects =
            r#"{"item": [{"request": {"url": {"raw": "a"}}}, {"request": {"url": "b"}}]}"#;
        assert_eq!(form(objects), UrlForm::Object);
        // Folders and saved responses count; a repeated key counts once, with its last
        // value, as JSON.parse reads it (found by fuzzing: fuzz/regressions/v3_converter/).
        let nested = r#"{"item": [{"item": [{"request": {"url": "a"}, "response": [
            {"originalRequest": {"url": "b"}}]}]}, {"request": {"url": {"raw": "c"}}}]}"#;
        assert_eq!(form(nested), UrlForm::String);
        let repeated = r#"{"item": [{"request": {"url": "a"}}, {"request": {"url": "b"}}],
            "item": [{"request": {"url": {"raw": "c"}}}]}"#;
        assert_eq!(form(repeated), UrlForm::Object);
    }
}
