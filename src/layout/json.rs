//! `JSON.stringify(value, null, "\t")`, byte for byte.
//!
//! Postman's git integration writes collections with JavaScript's serializer, so a file
//! we write must match what `JSON.stringify` would print for the same value: tab indent,
//! `"key": value`, `[]`/`{}` for empty containers, JavaScript's number formatting and
//! string escaping, and JavaScript's property order (integer-like keys first, ascending,
//! then the rest in insertion order). Matching it exactly is what keeps a fetch from
//! rewriting files Postman wrote.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Number, Value};

/// How deep JSON may nest: serde_json's own limit for parsed values. Raw JSON text is
/// walked one level at a time (`write_raw`, `members`): a stack frame and a scan of
/// the rest of the text per level, so text nested deeper is refused before it is walked
/// (100,000 levels would overflow the stack, and cost the square of the depth before).
pub const MAX_DEPTH: usize = 128;

/// Whether JSON `text` nests deeper than `max` arrays and objects: one pass, no
/// recursion, strings skipped.
pub fn nests_deeper_than(text: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Serializes `value` as `JSON.stringify(value, null, "\t")` does (no trailing newline).
pub fn stringify_tab(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

pub(crate) fn write_value(out: &mut String, value: &Value, depth: usize) {
    let infallible = |result: Result<(), std::convert::Infallible>| match result {
        Ok(()) => {}
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&js_number(n)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => infallible(write_array(out, items, depth, |out, item, depth| {
            write_value(out, item, depth);
            Ok(())
        })),
        Value::Object(map) => {
            let members = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            infallible(write_object(out, members, depth, |out, _, item, depth| {
                write_value(out, item, depth);
                Ok(())
            }))
        }
    }
}

/// `[`, one element a line at `depth + 1`, `]`; `[]` when empty.
pub(crate) fn write_array<T, E>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    depth: usize,
    mut write: impl FnMut(&mut String, T, usize) -> Result<(), E>,
) -> Result<(), E> {
    let mut empty = true;
    for item in items {
        out.push(if empty { '[' } else { ',' });
        empty = false;
        newline_indent(out, depth + 1);
        write(out, item, depth + 1)?;
    }
    if empty {
        out.push_str("[]");
    } else {
        newline_indent(out, depth);
        out.push(']');
    }
    Ok(())
}

/// `{`, one `"key": value` a line at `depth + 1` in JavaScript's property order, `}`;
/// `{}` when empty. `write` writes a member's value.
pub(crate) fn write_object<'k, T, E>(
    out: &mut String,
    members: Vec<(&'k str, T)>,
    depth: usize,
    mut write: impl FnMut(&mut String, &'k str, T, usize) -> Result<(), E>,
) -> Result<(), E> {
    if members.is_empty() {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (key, value)) in js_order(members).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline_indent(out, depth + 1);
        write_string(out, key);
        out.push_str(": ");
        write(out, key, value, depth + 1)?;
    }
    newline_indent(out, depth);
    out.push('}');
    Ok(())
}

/// What to change while writing raw JSON: members to drop, per context. The context of
/// a value follows from its parent's (e.g. "an item of a collection's `item` list").
pub trait RawRules: Copy {
    /// Whether an object in this context loses its member `key`.
    fn drop(self, key: &str) -> bool;
    /// The context of the value of member `key`.
    fn member(self, key: &str) -> Self;
    /// The context of an array element.
    fn element(self) -> Self;
}

/// Like [`stringify_tab`] at `depth`, for JSON text that is not parsed into a tree: only
/// the members of the object being written are split out (as slices of the text), so a
/// collection of tens of megabytes costs little more than its text.
pub(crate) fn write_raw<R: RawRules>(
    out: &mut String,
    raw: &RawValue,
    depth: usize,
    rules: R,
) -> Result<(), serde_json::Error> {
    let text = raw.get().trim_start();
    match text.as_bytes().first() {
        Some(b'{') => {
            let members = members(raw)?;
            let kept = members
                .iter()
                .filter(|(k, _)| !rules.drop(k))
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            write_object(out, kept, depth, |out, key, value, depth| {
                write_raw(out, value, depth, rules.member(key))
            })
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(raw.get())?;
            write_array(out, items, depth, |out, item, depth| {
                write_raw(out, item, depth, rules.element())
            })
        }
        _ => {
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(scalar) => write_value(out, &scalar, depth),
                // A lone UTF-16 surrogate (`"\ud800"`) is valid JSON that Rust strings
                // cannot hold; JavaScript reads it, and writes it back escaped.
                Err(_) if text.starts_with('"') => write_utf16_string(out, text.trim_end()),
                Err(e) => return Err(e),
            }
            Ok(())
        }
    }
}

/// `raw` as a [`Value`], a lone UTF-16 surrogate (valid JSON, which Rust strings cannot
/// hold) read as U+FFFD.
pub(crate) fn value_lossy(raw: &RawValue) -> Result<Value, serde_json::Error> {
    serde_json::from_str(raw.get()).or_else(|e| {
        let replaced = without_lone_surrogates(raw.get());
        match replaced == raw.get() {
            true => Err(e),
            false => serde_json::from_str(&replaced),
        }
    })
}

/// JSON text with every `\uXXXX` escape of a surrogate without its pair replaced by
/// `\ufffd`. Backslashes only occur in strings, so escapes are found without parsing.
fn without_lone_surrogates(text: &str) -> String {
    let unit = |s: &str| {
        let hex = s.strip_prefix("\\u")?.get(..4)?;
        u16::from_str_radix(hex, 16).ok()
    };
    let high = |u: u16| (0xd800..0xdc00).contains(&u);
    let low = |u: u16| (0xdc00..0xe000).contains(&u);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let taken = match unit(rest) {
            Some(u) if high(u) && unit(&rest[6..]).is_some_and(low) => 12,
            Some(u) if high(u) || low(u) => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
                continue;
            }
            Some(_) => 6,
            None => rest.chars().take(2).map(char::len_utf8).sum(),
        };
        out.push_str(&rest[..taken]);
        rest = &rest[taken..];
    }
    out.push_str(rest);
    out
}

/// An object's members in text order, as slices of the text. A repeated key keeps its
/// first position and its last value, as `JSON.parse` does.
pub(crate) fn members(raw: &RawValue) -> Result<Vec<(String, &RawValue)>, serde_json::Error> {
    struct Members<'a>(Vec<(String, &'a RawValue)>);
    impl<'de> serde::Deserialize<'de> for Members<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Members<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut out: Vec<(String, &'de RawValue)> = Vec::new();
                    while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                        match out.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = value,
                            None => out.push((key, value)),
                        }
                    }
                    Ok(Members(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    Ok(serde_json::from_str::<Members>(raw.get())?.0)
}

/// The value of member `key` among `members` (as [`members`] gives them).
pub(crate) fn member<'a>(members: &[(String, &'a RawValue)], key: &str) -> Option<&'a RawValue> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// `members` as a compact JSON object, each value written as its JSON text has it.
pub(crate) fn compact_object<'a>(members: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, key);
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

/// Members in JavaScript's property order (see [`array_index`]).
fn js_order<V>(members: Vec<(&str, V)>) -> Vec<(&str, V)> {
    let (mut indices, others): (Vec<_>, Vec<_>) = members
        .into_iter()
        .partition(|(k, _)| array_index(k).is_some());
    indices.sort_by_key(|(k, _)| array_index(k));
    indices.into_iter().chain(others).collect()
}

fn newline_indent(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n('\t', depth));
}

/// JavaScript enumerates "array index" keys (canonical integers below 2^32 - 1) first, in
/// ascending numeric order, then string keys in insertion order.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    s.chars().for_each(|c| push_escaped(out, c));
    out.push('"');
}

/// `text`, a JSON string literal (valid: serde_json read it) that Rust strings cannot
/// hold, written as `JSON.stringify` writes the JavaScript string it reads as: decoded to
/// UTF-16 code units, then escaped as [`write_string`] escapes, except that a surrogate
/// without its pair is written `\udxxx`. So `"\/\u0041\uD800"` is written `"/A\ud800"`.
fn write_utf16_string(out: &mut String, text: &str) {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let mut units: Vec<u16> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            units.extend_from_slice(c.encode_utf16(&mut [0; 2]));
            continue;
        }
        units.push(match chars.next() {
            Some('b') => 0x8,
            Some('f') => 0xc,
            Some('n') => 0xa,
            Some('r') => 0xd,
            Some('t') => 0x9,
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                u16::from_str_radix(&hex, 16).unwrap_or(0xfffd)
            }
            // `\"`, `\\`, `\/`.
            Some(c) => c as u16,
            None => break,
        });
    }
    out.push('"');
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => push_escaped(out, c),
            Err(lone) => out.push_str(&format!("\\u{:04x}", lone.unpaired_surrogate())),
        }
    }
    out.push('"');
}

/// One character of a string as `JSON.stringify` writes it.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
    }
}

/// Formats a number as JavaScript's `Number.prototype.toString()` does. Integers beyond
/// 2^53 went through a double in Postman's JavaScript too, so they are rounded the same way.
pub(crate) fn js_number(n: &Number) -> String {
    const SAFE: u64 = 1 << 53;
    if let Some(i) = n.as_u64().filter(|i| *i <= SAFE) {
        return i.to_string();
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= SAFE) {
        return i.to_string();
    }
    js_double(n.as_f64().unwrap_or(0.0))
}

fn js_double(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if x.is_nan() {
        return "null".into();
    }
    if x.is_infinite() {
        return "null".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-tripping digits, as ECMAScript requires:
    // "d.ddddde<exp>". Split it into the digit string and JavaScript's `n` (exp + 1).
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp.parse::<i32>().expect("exponent is an integer") + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let head = if k == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{head}e{e_sign}{}", e.abs())
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn nesting_depth_is_measured_without_recursion() {
        assert!(!nests_deeper_than(r#"{"a":[{"b":"[[[[{{{"}]}"#, 3));
        assert!(nests_deeper_than(r#"{"a":[{"b":[]}]}"#, 3));
        assert!(!nests_deeper_than(r#"{"a":"\"[[[["}"#, 1));
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(nests_deeper_than(&deep, MAX_DEPTH));
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn nested_values_use_tabs_and_js_spacing() {
        let v = json!({"a": [1, {"b": null}], "c": {}, "d": [], "e": "x"});
        assert_eq!(
            stringify_tab(&v),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": null\n\t\t}\n\t],\n\t\"c\": {},\n\t\"d\": [],\n\t\"e\": \"x\"\n}"
        );
    }

    #[test]
    fn numbers_match_javascript() {
        let cases = [
            ("1.0", "1"),
            ("-0.0", "0"),
            ("0.1", "0.1"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123456789012345678901", "123456789012345680000"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("1.5e-10", "1.5e-10"),
            ("12345678901234567890", "12345678901234567000"),
            ("9007199254740993", "9007199254740992"),
            ("-42", "-42"),
            ("3.14159", "3.14159"),
            // Found by fuzzing: read without serde_json's `float_roundtrip`, the nearest
            // double was missed by one unit, and written as 8.888888887999999e+38.
            ("888888888800000000016307576105606833140", "8.888888888e+38"),
        ];
        for (input, expected) in cases {
            let v: Value = serde_json::from_str(input).unwrap();
            assert_eq!(stringify_tab(&v), expected, "input {input}");
        }
    }

    #[test]
    fn strings_escape_like_javascript() {
        let v = Value::String("q\"b\\\u{1}\u{8}\u{c}\n\r\t\u{7f}é\u{2028}".into());
        assert_eq!(
            stringify_tab(&v),
            "\"q\\\"b\\\\\\u0001\\b\\f\\n\\r\\t\u{7f}é\u{2028}\""
        );
    }

    #[test]
    fn integer_like_keys_come_first_as_in_javascript() {
        let v: Value = serde_json::from_str(r#"{"b":1,"10":2,"2":3,"01":4,"a":5}"#).unwrap();
        assert_eq!(
            stringify_tab(&v),
            "{\n\t\"2\": 3,\n\t\"10\": 2,\n\t\"b\": 1,\n\t\"01\": 4,\n\t\"a\": 5\n}"
        );
    }

    #[derive(Clone, Copy)]
    struct KeepAll;
    impl RawRules for KeepAll {
        fn drop(self, _: &str) -> bool {
            false
        }
        fn member(self, _: &str) -> Self {
            self
        }
        fn element(self) -> Self {
            self
        }
    }

    #[test]
    fn raw_writing_equals_tree_writing() {
        let inputs = [
            r#"{"b":1,"10":2,"2":[],"a":{},"n":[1.0,-0.0,1e21,12345678901234567890,0.0000001],"s":"q\"\u0001\u2028é"}"#,
            r#"[{"x":[{"y":null}]},true,false,"",[[]]]"#,
            r#"{"dup":1,"other":2,"dup":3}"#,
            r#"  {"spaced" : [ 1 , 2 ] }  "#,
        ];
        for input in inputs {
            let raw: &RawValue = serde_json::from_str(input).unwrap();
            let mut out = String::new();
            write_raw(&mut out, raw, 0, KeepAll).unwrap();
            let tree: Value = serde_json::from_str(input).unwrap();
            assert_eq!(out, stringify_tab(&tree), "{input}");
        }
    }

    #[test]
    fn lone_surrogates_are_written_back_as_javascript_escapes_them() {
        let written = |input: &str| {
            let raw: &RawValue = serde_json::from_str(input).unwrap();
            let mut out = String::new();
            write_raw(&mut out, raw, 0, KeepAll).unwrap();
            out
        };
        assert_eq!(written(r#"["\uD800x"]"#), "[\n\t\"\\ud800x\"\n]");
        // The rest of such a string as JavaScript writes it too (node 20:
        // `JSON.stringify(JSON.parse(input))`): escapes decoded, a pair joined, only
        // what must be escaped escaped.
        assert_eq!(
            written(r#"["\/\u0041\ud83d\ude00\uD800\\\u2028\u001F\u00e9\"\b\uDC00\uD83D"]"#),
            "[\n\t\"/A\u{1f600}\\ud800\\\\\u{2028}\\u001fé\\\"\\b\\udc00\\ud83d\"\n]"
        );
        // Found by fuzzing (fuzz/regressions/collection/): a lone surrogate among runs
        // of escaped backslashes, which stay as they are.
        assert_eq!(
            written(r#"["n\\\\\\\r\\\\in\uda2ee\\\\\\"]"#),
            r#"[
	"n\\\\\\\r\\\\in\uda2ee\\\\\\"
]"#
        );
    }

    #[test]
    fn lone_surrogates_read_lossily_as_u_fffd() {
        let read = |input: &str| value_lossy(serde_json::from_str(input).unwrap()).unwrap();
        assert_eq!(
            read(r#"{"a\ud800": ["\uD800x", "\ud83d\ude00", "\\ud800", "\udc00\ud800\u00e9"]}"#),
            serde_json::json!({"a\u{fffd}": ["\u{fffd}x", "\u{1f600}", "\\ud800", "\u{fffd}\u{fffd}\u{e9}"]})
        );
    }
}
