//! YAML as Postman's converter writes it: npm `yaml` 2.x `stringify` with its default
//! options (block style, indent 2, sequences indented, line width 80, minimum content
//! width 20, YAML 1.2 core schema). A generic serializer quotes and folds differently, and
//! every difference would be a diff against the files Postman's app and CLI write, so
//! this is a small emitter that makes the same choices: plain when the string reads back
//! as itself, else single or double quotes, literal (`|`) or folded (`>`) blocks for
//! multi-line text, long lines folded at spaces. Lengths and positions are counted in
//! UTF-16 code units, as JavaScript counts them.

use serde_json::Number;

/// A YAML value, built in the key order it is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(Number),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }
}

const LINE_WIDTH: usize = 80;
const MIN_CONTENT_WIDTH: usize = 20;
const DOUBLE_QUOTED_MIN_MULTI_LINE: usize = 40;
const STEP: &str = "  ";

/// The document for a top-level map, ending in a newline.
pub fn document(entries: &[(String, Node)]) -> String {
    let mut out = map(entries, "");
    out.push('\n');
    out
}

/// Where a scalar is written: its indentation, whether it is a map key, and the column
/// `yaml` believes it starts at (the key's length for a map value).
#[derive(Clone, Copy)]
struct Ctx<'a> {
    indent: &'a str,
    implicit_key: bool,
    indent_at_start: Option<usize>,
}

fn map(entries: &[(String, Node)], indent: &str) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let lines: Vec<String> = entries.iter().map(|(k, v)| pair(k, v, indent)).collect();
    join_lines(&lines, indent)
}

fn seq(items: &[Node], indent: &str) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let item_indent = format!("{indent}{STEP}");
    let lines: Vec<String> = items
        .iter()
        .map(|item| format!("- {}", value(item, &item_indent, None)))
        .collect();
    join_lines(&lines, indent)
}

fn join_lines(lines: &[String], indent: &str) -> String {
    let mut out = lines[0].clone();
    for line in &lines[1..] {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push('\n');
            out.push_str(indent);
            out.push_str(line);
        }
    }
    out
}

fn pair(key: &str, node: &Node, indent: &str) -> String {
    let child = format!("{indent}{STEP}");
    let key_ctx = Ctx {
        indent: &child,
        implicit_key: true,
        indent_at_start: None,
    };
    let mut out = string(key, key_ctx);
    out.push(':');
    let value_str = match node {
        Node::Seq(_) | Node::Map(_) => {
            let s = value(node, &child, None);
            let empty = matches!(node, Node::Seq(v) if v.is_empty())
                || matches!(node, Node::Map(v) if v.is_empty());
            out.push_str(if empty { " " } else { "\n" });
            if !empty {
                out.push_str(&child);
            }
            out.push_str(&s);
            return out;
        }
        _ => value(node, &child, Some(utf16_len(&out) + 1)),
    };
    if !(value_str.is_empty() || value_str.starts_with('\n')) {
        out.push(' ');
    }
    out.push_str(&value_str);
    out
}

fn value(node: &Node, indent: &str, indent_at_start: Option<usize>) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Number(n) => crate::layout::json::js_number(n),
        Node::Str(s) => string(
            s,
            Ctx {
                indent,
                implicit_key: false,
                indent_at_start,
            },
        ),
        Node::Seq(items) => seq(items, indent),
        Node::Map(entries) => map(entries, indent),
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `stringifyString`: plain if possible, else quoted or a block.
fn string(value: &str, ctx: Ctx) -> String {
    // Control characters and lone surrogates can only be written double-quoted.
    if value
        .chars()
        .any(|c| matches!(c as u32, 0x00..=0x08 | 0x0b..=0x1f | 0x7f..=0x9f))
    {
        return double_quoted(value, ctx);
    }
    plain(value, ctx)
}

fn plain(value: &str, ctx: Ctx) -> String {
    if ctx.implicit_key && value.contains('\n') {
        return quoted(value, ctx);
    }
    if needs_quotes(value) {
        return if ctx.implicit_key || !value.contains('\n') {
            quoted(value, ctx)
        } else {
            block(value, ctx)
        };
    }
    if !ctx.implicit_key && value.contains('\n') {
        return block(value, ctx);
    }
    if contains_document_marker(value) && ctx.indent.is_empty() {
        return block(value, ctx);
    }
    if contains_document_marker(value) && ctx.implicit_key && ctx.indent == STEP {
        return quoted(value, ctx);
    }
    if reads_as_other_type(value) {
        return quoted(value, ctx);
    }
    if ctx.implicit_key {
        value.to_string()
    } else {
        fold(value, ctx.indent, Mode::Flow, ctx.indent_at_start)
    }
}

/// `/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/`
fn needs_quotes(v: &str) -> bool {
    let b = v.as_bytes();
    let Some(&first) = b.first() else {
        // The empty string reads back as null.
        return false;
    };
    if b"\n\t ,[]{}#&*!|>'\"%@`".contains(&first) {
        return true;
    }
    if (first == b'?' || first == b'-') && (b.len() == 1 || b[1] == b' ' || b[1] == b'\t') {
        return true;
    }
    for w in b.windows(2) {
        let (x, y) = (w[0], w[1]);
        if (x == b'\n' || x == b':') && (y == b' ' || y == b'\t') {
            return true;
        }
        if (x == b' ' || x == b'\t') && y == b'\n' {
            return true;
        }
        if (x == b'\n' || x == b'\t' || x == b' ') && y == b'#' {
            return true;
        }
    }
    matches!(b[b.len() - 1], b'\n' | b'\t' | b' ' | b':')
}

/// `/^(%|---|\.\.\.)/m`
fn contains_document_marker(v: &str) -> bool {
    v.split('\n')
        .any(|l| l.starts_with('%') || l.starts_with("---") || l.starts_with("..."))
}

/// Whether a plain scalar would read back as null, a boolean or a number (YAML 1.2 core).
fn reads_as_other_type(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
        || matches!(v, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
        || v.strip_prefix("0o")
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|c| (b'0'..=b'7').contains(&c)))
        || v.strip_prefix("0x")
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_hexdigit()))
        || digits(unsigned)
        || matches!(unsigned, ".inf" | ".Inf" | ".INF")
        || matches!(v, ".nan" | ".NaN" | ".NAN")
        || is_float(unsigned)
}

/// `(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?` with either a dot or an
/// exponent (the plain integer case is tested separately).
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa) && exp.is_some(),
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => digits(e.strip_prefix(['-', '+']).unwrap_or(e)),
    };
    mantissa_ok && exp_ok
}

/// `quotedString`: single quotes when the text has double quotes only, else double.
fn quoted(value: &str, ctx: Ctx) -> String {
    let has_double = value.contains('"');
    let has_single = value.contains('\'');
    if has_double && !has_single {
        single_quoted(value, ctx)
    } else {
        double_quoted(value, ctx)
    }
}

fn single_quoted(value: &str, ctx: Ctx) -> String {
    let b = value.as_bytes();
    let ws_at_newline = b.windows(2).any(|w| {
        ((w[0] == b' ' || w[0] == b'\t') && w[1] == b'\n')
            || (w[0] == b'\n' && (w[1] == b' ' || w[1] == b'\t'))
    });
    if (ctx.implicit_key && value.contains('\n')) || ws_at_newline {
        return double_quoted(value, ctx);
    }
    let indent = marker_indent(value, ctx);
    let body = value.replace('\'', "''");
    let res = format!("'{}'", double_newlines(&body, &indent));
    if ctx.implicit_key {
        res
    } else {
        fold(&res, &indent, Mode::Flow, ctx.indent_at_start)
    }
}

/// The indentation of continuation lines: the context's, or two spaces at the top level
/// when a line could read as a document marker.
fn marker_indent(value: &str, ctx: Ctx) -> String {
    if ctx.indent.is_empty() && contains_document_marker(value) {
        STEP.into()
    } else {
        ctx.indent.into()
    }
}

/// `/\n+/g` -> `$&\n<indent>`: each run of newlines gets one more, then the indent.
fn double_newlines(s: &str, indent: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\n' && chars.peek() != Some(&'\n') {
            out.push('\n');
            out.push_str(indent);
        }
    }
    out
}

fn double_quoted(value: &str, ctx: Ctx) -> String {
    let json: Vec<u16> = js_json_string(value).encode_utf16().collect();
    let indent = marker_indent(value, ctx);
    let at = |i: usize| json.get(i).copied().unwrap_or(0);
    let (bs, n, q, sp) = (b'\\' as u16, b'n' as u16, b'"' as u16, b' ' as u16);
    let mut out: Vec<u16> = Vec::with_capacity(json.len());
    let mut start = 0usize;
    let mut i = 0usize;
    while i < json.len() {
        let mut ch = json[i];
        if ch == sp && at(i + 1) == bs && at(i + 2) == n {
            // A space before a newline is escaped, or folding would eat it.
            out.extend_from_slice(&json[start..i]);
            out.extend("\\ ".encode_utf16());
            i += 1;
            start = i;
            ch = bs;
        }
        if ch == bs {
            match at(i + 1) {
                u if u == b'u' as u16 => {
                    out.extend_from_slice(&json[start..i]);
                    let code = String::from_utf16_lossy(&json[i + 2..i + 6]);
                    let short = match code.as_str() {
                        "0000" => Some("\\0".to_string()),
                        "0007" => Some("\\a".into()),
                        "000b" => Some("\\v".into()),
                        "001b" => Some("\\e".into()),
                        "0085" => Some("\\N".into()),
                        "00a0" => Some("\\_".into()),
                        "2028" => Some("\\L".into()),
                        "2029" => Some("\\P".into()),
                        c if c.starts_with("00") => Some(format!("\\x{}", &c[2..])),
                        _ => None,
                    };
                    match short {
                        Some(s) => out.extend(s.encode_utf16()),
                        None => out.extend_from_slice(&json[i..i + 6]),
                    }
                    i += 5;
                    start = i + 1;
                }
                u if u == n => {
                    if ctx.implicit_key
                        || at(i + 2) == q
                        || json.len() < DOUBLE_QUOTED_MIN_MULTI_LINE
                    {
                        i += 1;
                    } else {
                        // Folding eats the first newline: write it twice.
                        out.extend_from_slice(&json[start..i]);
                        out.extend("\n\n".encode_utf16());
                        while at(i + 2) == bs && at(i + 3) == n && at(i + 4) != q {
                            out.push(b'\n' as u16);
                            i += 2;
                        }
                        out.extend(indent.encode_utf16());
                        // A space after a newline is escaped, or folding would eat it.
                        if at(i + 2) == sp {
                            out.push(bs);
                        }
                        i += 1;
                        start = i + 1;
                    }
                }
                _ => i += 1,
            }
        }
        i += 1;
    }
    let text = if start > 0 {
        out.extend_from_slice(&json[start.min(json.len())..]);
        String::from_utf16_lossy(&out)
    } else {
        String::from_utf16_lossy(&json)
    };
    if ctx.implicit_key {
        text
    } else {
        fold(&text, &indent, Mode::Quoted, ctx.indent_at_start)
    }
}

/// `JSON.stringify` of a string.
fn js_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::layout::json::write_string(&mut out, s);
    out
}

/// `blockString`: a literal block, or a folded one when a line is too long and folding
/// finds spaces to break at.
fn block(value: &str, ctx: Ctx) -> String {
    let trailing_ws_line = value.rfind('\n').is_some_and(|i| {
        let tail = &value[i + 1..];
        !tail.is_empty() && tail.bytes().all(|c| c == b' ' || c == b'\t')
    });
    if trailing_ws_line || value.chars().all(char::is_whitespace) {
        return quoted(value, ctx);
    }
    let indent = if ctx.indent.is_empty() {
        // `forceBlockIndent` is only set at the top level, where we never write a block.
        if contains_document_marker(value) {
            STEP.to_string()
        } else {
            String::new()
        }
    } else {
        ctx.indent.to_string()
    };
    let literal = !line_length_over_limit(value, utf16_len(&indent));

    // Chomping from the trailing whitespace.
    let end_start = value.trim_end_matches(['\n', '\t', ' ']).len();
    let mut end = value[end_start..].to_string();
    let chomp = match end.find('\n') {
        None => "-",
        Some(pos) if end_start == 0 || pos != end.len() - 1 => "+",
        Some(_) => "",
    };
    let mut body = &value[..end_start];
    if !end.is_empty() {
        if end.ends_with('\n') {
            end.pop();
        }
        end = indent_end_newlines(&end, &indent);
    }
    // Leading blank lines stay outside the folding; a leading space needs the
    // indentation indicator.
    let mut start_with_space = false;
    let mut start_nl: Option<usize> = None;
    for (i, c) in body.bytes().enumerate() {
        match c {
            b' ' => start_with_space = true,
            b'\n' => start_nl = Some(i),
            _ => break,
        }
    }
    let start_len = start_nl.map_or(0, |nl| nl + 1);
    let start = indent_newline_runs(&body[..start_len], &indent);
    body = &body[start_len..];
    let header = format!(
        "{}{chomp}",
        if start_with_space {
            if indent.is_empty() {
                "1"
            } else {
                "2"
            }
        } else {
            ""
        }
    );
    if !literal {
        let folded = indent_newline_runs(&keep_more_indented(&double_all_newlines(body)), &indent);
        let text = format!("{start}{folded}{end}");
        if let Some(body) = fold_block(&text, &indent) {
            return format!(">{header}\n{indent}{body}");
        }
    }
    let body = indent_newline_runs(body, &indent);
    format!("|{header}\n{indent}{start}{body}{end}")
}

/// `/\n+/g` -> `\n$&`
fn double_all_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut prev_nl = false;
    for c in s.chars() {
        if c == '\n' && !prev_nl {
            out.push('\n');
        }
        prev_nl = c == '\n';
        out.push(c);
    }
    out
}

/// `/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g` -> `$1$2`: more-indented lines
/// are not folded, so the newline before them and the one after their trailing blank
/// lines go.
fn keep_more_indented(s: &str) -> String {
    let b = s.as_bytes();
    let ws = |i: usize| i < b.len() && matches!(b[i], b'\t' | b' ');
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut p = 0;
    while p < b.len() {
        let line = if p == 0 && ws(0) {
            Some(0)
        } else if b[p] == b'\n' && ws(p + 1) {
            Some(p + 1)
        } else {
            None
        };
        let Some(line) = line else {
            p += 1;
            continue;
        };
        let line_end = s[line..].find('\n').map_or(b.len(), |e| line + e);
        // The optional group, greedy with backtracking: the longest run of [\n\t ]
        // ending in a newline that is not followed by [\n\t ].
        let mut run = line_end;
        while run < b.len() && matches!(b[run], b'\n' | b'\t' | b' ') {
            run += 1;
        }
        let mut m_end = line_end;
        let mut k = run;
        while k > line_end {
            if b[k - 1] == b'\n' && !(k < b.len() && matches!(b[k], b'\n' | b'\t' | b' ')) {
                m_end = k;
                break;
            }
            k -= 1;
        }
        out.push_str(&s[copied..p]);
        out.push_str(&s[line..line_end]);
        if m_end > line_end {
            out.push_str(&s[line_end..m_end - 1]);
        }
        copied = m_end;
        p = m_end.max(p + 1);
    }
    out.push_str(&s[copied..]);
    out
}

/// `/\n+/g` -> `$&<indent>`
fn indent_newline_runs(s: &str, indent: &str) -> String {
    if indent.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\n' && chars.peek() != Some(&'\n') {
            out.push_str(indent);
        }
    }
    out
}

/// `/\n+(?!\n|$)/g` -> `$&<indent>`: runs of newlines inside the trailing whitespace
/// get the indent.
fn indent_end_newlines(end: &str, indent: &str) -> String {
    let mut out = String::with_capacity(end.len());
    let mut chars = end.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\n' && chars.peek().is_some_and(|n| *n != '\n') {
            out.push_str(indent);
        }
    }
    out
}

/// `lineLengthOverLimit`
fn line_length_over_limit(s: &str, indent_len: usize) -> bool {
    let limit = LINE_WIDTH.saturating_sub(indent_len);
    let units: Vec<u16> = s.encode_utf16().collect();
    let len = units.len();
    if len <= limit {
        return false;
    }
    let mut start = 0;
    for (i, &u) in units.iter().enumerate() {
        if u == b'\n' as u16 {
            if i - start > limit {
                return true;
            }
            start = i + 1;
            if len - start <= limit {
                return false;
            }
        }
    }
    true
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flow,
    Block,
    Quoted,
}

/// A folded block's body, or `None` when a line cannot be folded under the width (then
/// the block is written literal).
fn fold_block(text: &str, indent: &str) -> Option<String> {
    let (s, overflow) = fold_lines(text, indent, Mode::Block, Some(utf16_len(indent)));
    (!overflow).then_some(s)
}

fn fold(text: &str, indent: &str, mode: Mode, indent_at_start: Option<usize>) -> String {
    fold_lines(text, indent, mode, indent_at_start).0
}

/// `foldFlowLines`: breaks lines longer than the width at a space between two non-spaces
/// (or, in double quotes, anywhere with an escaped line break). Also says whether a line
/// stayed too long.
fn fold_lines(
    text: &str,
    indent: &str,
    mode: Mode,
    indent_at_start: Option<usize>,
) -> (String, bool) {
    let t: Vec<u16> = text.encode_utf16().collect();
    let indent_len = utf16_len(indent);
    let end_step = (1 + MIN_CONTENT_WIDTH).max((1 + LINE_WIDTH).saturating_sub(indent_len));
    if t.len() <= end_step {
        return (text.to_string(), false);
    }
    let c = |u: u8| u as u16;
    let at = |i: usize| t.get(i).copied();
    let mut folds: Vec<usize> = Vec::new();
    let mut escaped_folds: std::collections::HashSet<usize> = Default::default();
    let mut end: isize = LINE_WIDTH as isize - indent_len as isize;
    if let Some(start) = indent_at_start {
        if start > LINE_WIDTH - 2usize.max(MIN_CONTENT_WIDTH) {
            folds.push(0);
        } else {
            end = (LINE_WIDTH - start) as isize;
        }
    }
    let mut split: Option<usize> = None;
    let mut prev: Option<u16> = None;
    let mut overflow = false;
    let mut i: isize = -1;
    let mut esc_start: isize = -1;
    let mut esc_end: isize = -1;
    if mode == Mode::Block {
        i = consume_more_indented(&t, i, indent_len);
        if i != -1 {
            end = i + end_step as isize;
        }
    }
    loop {
        i += 1;
        let Some(mut ch) = at(i as usize) else { break };
        if mode == Mode::Quoted && ch == c(b'\\') {
            esc_start = i;
            match at(i as usize + 1) {
                Some(x) if x == c(b'x') => i += 3,
                Some(x) if x == c(b'u') => i += 5,
                Some(x) if x == c(b'U') => i += 9,
                _ => i += 1,
            }
            esc_end = i;
        }
        if ch == c(b'\n') {
            if mode == Mode::Block {
                i = consume_more_indented(&t, i, indent_len);
            }
            end = i + indent_len as isize + end_step as isize;
            split = None;
        } else {
            let is_ws = |u: Option<u16>| matches!(u, Some(x) if x == c(b' ') || x == c(b'\n') || x == c(b'\t'));
            if ch == c(b' ') && prev.is_some() && !is_ws(prev) {
                let next = at(i as usize + 1);
                if next.is_some() && !is_ws(next) {
                    split = Some(i as usize);
                }
            }
            if i >= end {
                if let Some(s) = split {
                    folds.push(s);
                    end = (s + end_step) as isize;
                    split = None;
                } else if mode == Mode::Quoted {
                    // Whitespace collected at the end may stretch past the width.
                    while prev == Some(c(b' ')) || prev == Some(c(b'\t')) {
                        prev = Some(ch);
                        i += 1;
                        ch = at(i as usize).unwrap_or(0);
                        overflow = true;
                    }
                    // Break before an escape, never inside one.
                    let j = if i > esc_end + 1 {
                        i - 2
                    } else {
                        esc_start - 1
                    };
                    if j < 0 || escaped_folds.contains(&(j as usize)) {
                        return (text.to_string(), overflow);
                    }
                    let j = j as usize;
                    folds.push(j);
                    escaped_folds.insert(j);
                    end = (j + end_step) as isize;
                    split = None;
                } else {
                    overflow = true;
                }
            }
        }
        prev = Some(ch);
    }
    if folds.is_empty() {
        return (text.to_string(), overflow);
    }
    let slice = |a: usize, b: usize| String::from_utf16_lossy(&t[a.min(t.len())..b.min(t.len())]);
    let mut res = slice(0, folds[0]);
    for (k, &f) in folds.iter().enumerate() {
        let fend = folds
            .get(k + 1)
            .copied()
            .filter(|&x| x != 0)
            .unwrap_or(t.len());
        if f == 0 {
            res = format!("\n{indent}{}", slice(0, fend));
        } else {
            if mode == Mode::Quoted && escaped_folds.contains(&f) {
                res.push_str(&slice(f, f + 1));
                res.push('\\');
            }
            res.push('\n');
            res.push_str(indent);
            res.push_str(&slice(f + 1, fend));
        }
    }
    (res, overflow)
}

/// `consumeMoreIndentedLines`: skips lines that start with more than the indentation.
fn consume_more_indented(t: &[u16], mut i: isize, indent: usize) -> isize {
    let at = |i: isize| t.get(i as usize).copied();
    let ws = |u: Option<u16>| matches!(u, Some(x) if x == b' ' as u16 || x == b'\t' as u16);
    let mut end = i;
    let mut start = i + 1;
    let mut ch = at(start);
    while ws(ch) {
        if i < start + indent as isize {
            i += 1;
            ch = at(i);
        } else {
            loop {
                i += 1;
                ch = at(i);
                if ch.is_none() || ch == Some(b'\n' as u16) {
                    break;
                }
            }
            end = i;
            start = i + 1;
            ch = at(start);
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(entries: Vec<(&str, Node)>) -> String {
        document(
            &entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn scalars_are_quoted_only_when_they_would_read_back_differently() {
        let cases = [
            ("a", "plain"),
            ("{{base_url}}/health", "\"{{base_url}}/health\""),
            ("000001", "\"000001\""),
            ("1.0", "\"1.0\""),
            ("", "\"\""),
            ("true", "\"true\""),
            ("{\"foo\":\"bar\"}", "'{\"foo\":\"bar\"}'"),
            ("it's", "it's"),
            ("a: b", "\"a: b\""),
            ("no", "no"),
            ("- x", "\"- x\""),
            ("x #y", "\"x #y\""),
        ];
        for (input, want) in cases {
            let want = if want == "plain" { input } else { want };
            assert_eq!(
                doc(vec![("k", Node::str(input))]),
                format!("k: {want}\n"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn c1_characters_are_double_quoted_but_left_raw_as_postman_writes_them() {
        // `postman collection migrate` writes these raw; `import::yaml_to_json` reads them.
        let url = "http://a/\u{7f}b\u{85}c\u{9f}d";
        assert_eq!(
            doc(vec![("url", Node::str(url))]),
            format!("url: \"{url}\"\n")
        );
    }

    #[test]
    fn multi_line_text_is_a_literal_block() {
        assert_eq!(
            doc(vec![("code", Node::str("a\n  b\nc"))]),
            "code: |-\n  a\n    b\n  c\n"
        );
        assert_eq!(doc(vec![("c", Node::str("a\n"))]), "c: |\n  a\n");
        assert_eq!(doc(vec![("c", Node::str(" a\nb"))]), "c: |2-\n   a\n  b\n");
    }

    #[test]
    fn collections_nest_with_indented_sequences() {
        let v = Node::Map(vec![(
            "list".into(),
            Node::Seq(vec![
                Node::Map(vec![
                    ("a".into(), Node::str("1x")),
                    ("b".into(), Node::Bool(true)),
                ]),
                Node::Seq(vec![]),
            ]),
        )]);
        assert_eq!(
            doc(vec![("m", v), ("e", Node::Map(vec![]))]),
            "m:\n  list:\n    - a: 1x\n      b: true\n    - []\ne: {}\n"
        );
    }
}
