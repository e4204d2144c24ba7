//! `.postman/resources.yaml`: the workspace id and `cloudResources`, which maps each
//! local file (a directory for a collection) to its cloud object. Paths are relative to
//! `.postman/`, so they begin `../`.
//!
//! The app edits this file in place and users add keys of their own (`localResources`,
//! `resourceNameMappings`, comments), so it is never rewritten from a model: a write
//! changes only the `cloudResources` lines of the kinds git-postman manages and keeps
//! every other byte. What it writes is the app's form (real files in
//! `reference/postman-v12.md` §2.3): a new `cloudResources` goes after `workspace`, under
//! the comment the app puts there, kinds and entries in block style, two-space indent,
//! scalars quoted as npm `yaml` quotes them; a new kind goes at the end of the block and
//! a new entry at the end of its kind; an object whose path changed (a spec's ROOT)
//! keeps its line's place.

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::scalar;
use super::{Error, Kind, RESOURCES_FILE};
use crate::layout::paths;
use crate::layout::v3::yaml::{self, Node};

/// The managed part of `cloudResources`: per kind, repository path -> cloud id.
pub type Cloud = BTreeMap<Kind, BTreeMap<String, String>>;

/// What git-postman reads from `.postman/resources.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub workspace_id: String,
    pub cloud: Cloud,
    /// `resourceNameMappings.specs`: a local spec file (repository path) -> the name of
    /// its file in Spec Hub, when the app recorded one.
    pub spec_file_names: BTreeMap<String, String>,
}

const CLOUD_KEY: &str = "cloudResources";
const WORKSPACE_KEY: &str = "workspace";
/// The comment the app writes above a `cloudResources` it adds (identical in every real
/// file that has one).
const CLOUD_COMMENT: &str =
    "# Each entry here maps a local resource to one or more corresponding objects in Postman Cloud\n";
/// The file the app creates for a new workspace, verbatim apart from the id.
const TEMPLATE_HEAD: &str = "# Use this workspace to collaborate\n";
const TEMPLATE_TAIL: &str =
    "\n# All resources in the `postman/` folder are automatically registered in Local View.\n\
# Point to additional files outside the `postman/` folder to register them individually. Example:\n\
#localResources:\n\
#  collections:\n\
#    - ../tests/E2E Test Collection/\n";

/// Reads the workspace id and the managed `cloudResources`, checking every path and id.
pub fn read(text: &str) -> Result<Resources, Error> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| Error::yaml(RESOURCES_FILE, &e))?;
    let workspace_id = match doc.get(WORKSPACE_KEY).and_then(|w| w.get("id")) {
        Some(v) => scalar(v).ok_or_else(|| bad("workspace.id", "is not a string"))?,
        None => return Err(bad("workspace.id", "is missing")),
    };
    check_id(&workspace_id)
        .map_err(|why| bad("workspace.id", &format!("{workspace_id:?} {why}")))?;
    let mut cloud = Cloud::new();
    match doc.get(CLOUD_KEY) {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(kinds)) => {
            for (k, entries) in kinds {
                let Some(kind) = k.as_str().and_then(Kind::from_key) else {
                    continue;
                };
                let field = format!("{CLOUD_KEY}.{}", kind.key());
                cloud.insert(kind, entries_of(&field, entries)?);
            }
        }
        Some(_) => return Err(bad(CLOUD_KEY, "is not a mapping")),
    }
    let spec_file_names = name_mappings(&doc)?;
    Ok(Resources {
        workspace_id,
        cloud,
        spec_file_names,
    })
}

fn entries_of(field: &str, entries: &Value) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let map = match entries {
        Value::Null => return Ok(out),
        Value::Mapping(m) => m,
        _ => return Err(bad(field, "is not a mapping of paths to ids")),
    };
    for (k, v) in map {
        let key = k
            .as_str()
            .ok_or_else(|| bad(field, &format!("has a key that is not a path: {k:?}")))?;
        let path = repo_path(key).map_err(|why| bad(field, &format!("path {key:?} {why}")))?;
        let id = scalar(v).ok_or_else(|| bad(field, &format!("{key:?} has no id")))?;
        check_id(&id).map_err(|why| bad(field, &format!("{key:?}: id {id:?} {why}")))?;
        out.insert(path, id);
    }
    Ok(out)
}

/// `resourceNameMappings.specs`: a list of one-entry maps, local path -> Spec Hub name.
fn name_mappings(doc: &Value) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let Some(list) = doc
        .get("resourceNameMappings")
        .and_then(|m| m.get("specs"))
        .and_then(Value::as_sequence)
    else {
        return Ok(out);
    };
    for item in list.iter().filter_map(Value::as_mapping) {
        for (k, v) in item {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                let path = repo_path(k).map_err(|why| {
                    bad("resourceNameMappings.specs", &format!("path {k:?} {why}"))
                })?;
                out.insert(path, v.to_string());
            }
        }
    }
    Ok(out)
}

fn bad(field: &str, why: &str) -> Error {
    Error::invalid(RESOURCES_FILE, format!("{field} {why}"))
}

/// `../postman/specs/a.yaml` -> `postman/specs/a.yaml`; a directory's trailing `/` goes.
pub fn repo_path(key: &str) -> Result<String, String> {
    let rest = key
        .strip_prefix("../")
        .ok_or("is not relative to .postman/ (it must begin with ../)")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    paths::check_relative(rest).map_err(|e| match e {
        paths::Error::Unsafe { why, .. } => why.to_string(),
        // check_relative looks at one path; a collision needs two.
        other @ paths::Error::CaseCollision { .. } => other.to_string(),
    })?;
    Ok(rest.to_string())
}

fn key_of(repo_path: &str) -> String {
    format!("../{repo_path}")
}

/// The three forms Postman's ids come in: an owner-prefixed UID (`12345678-<uuid>`), a
/// bare UUID, and 24 hex digits (collections and flows made by newer services).
pub fn check_id(id: &str) -> Result<(), &'static str> {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 5
            && parts
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(p, n)| p.len() == n && hex(p))
    };
    let owner_uid = |s: &str| {
        s.split_once('-').is_some_and(|(owner, rest)| {
            !owner.is_empty() && owner.bytes().all(|b| b.is_ascii_digit()) && uuid(rest)
        })
    };
    if uuid(id) || owner_uid(id) || (id.len() == 24 && hex(id)) {
        Ok(())
    } else {
        Err("is not a Postman id (owner-prefixed UID, UUID or 24 hex digits)")
    }
}

/// The file with `cloud` as its managed `cloudResources`: `existing` with only those
/// lines changed (itself when nothing changed), or the app's template for a new one.
pub fn write(existing: Option<&str>, workspace_id: &str, cloud: &Cloud) -> Result<String, Error> {
    let cloud: Cloud = cloud
        .iter()
        .filter(|(_, entries)| !entries.is_empty())
        .map(|(k, e)| (*k, e.clone()))
        .collect();
    let text = match existing {
        Some(text) => {
            let now = read(text)?;
            if now.workspace_id != workspace_id {
                return Err(bad(
                    "workspace.id",
                    &format!(
                        "is {:?}, not the workspace {workspace_id:?} of this remote",
                        now.workspace_id
                    ),
                ));
            }
            if now.cloud == cloud {
                return Ok(text.to_string());
            }
            text.to_string()
        }
        None => {
            check_id(workspace_id)
                .map_err(|why| bad("workspace.id", &format!("{workspace_id:?} {why}")))?;
            let head = yaml::document(&[(
                WORKSPACE_KEY.into(),
                Node::Map(vec![("id".into(), Node::str(workspace_id))]),
            )]);
            format!("{TEMPLATE_HEAD}{head}{TEMPLATE_TAIL}")
        }
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Lines we write end as the file's do (a checkout with CRLF line ends).
    let eol = |out: String| {
        if text.contains("\r\n") {
            out.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            out
        }
    };
    let edited = edit(&lines, &cloud).map(eol);
    if let Some(out) = edited.filter(|out| keeps_the_rest(&text, out, &cloud)) {
        return Ok(out);
    }
    // A `cloudResources` in a shape the line editor does not follow (flow style, odd
    // indentation): the block is rewritten whole, everything around it kept.
    let out = eol(replace_block(&lines, &cloud));
    if keeps_the_rest(&text, &out, &cloud) {
        Ok(out)
    } else {
        Err(Error::invalid(
            RESOURCES_FILE,
            "its cloudResources cannot be updated without changing other keys; fix its YAML by hand",
        ))
    }
}

/// Whether `out` has `cloud` and every other key exactly as `before` has it.
fn keeps_the_rest(before: &str, out: &str, cloud: &Cloud) -> bool {
    let (Ok(a), Ok(b)) = (
        serde_yaml::from_str::<Value>(before),
        serde_yaml::from_str::<Value>(out),
    ) else {
        return false;
    };
    let others = |v: &Value| -> Vec<(Value, Value)> {
        let mut out: Vec<(Value, Value)> = v
            .as_mapping()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        for (k, v) in out.iter_mut() {
            if k.as_str() == Some(CLOUD_KEY) {
                if let Value::Mapping(m) = v {
                    m.retain(|kind, _| kind.as_str().and_then(Kind::from_key).is_none());
                }
            }
        }
        out.retain(|(k, v)| {
            !(k.as_str() == Some(CLOUD_KEY) && v.as_mapping().is_none_or(|m| m.is_empty()))
        });
        out
    };
    others(&a) == others(&b) && read(out).is_ok_and(|r| r.cloud == *cloud)
}

/// A top-level key's lines: `[start, end)`, `start` being the `key:` line; comments and
/// blank lines after its last indented line belong to what follows.
fn section(lines: &[&str], key: &str) -> Option<(usize, usize)> {
    let start = lines.iter().position(|l| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    let mut end = start + 1;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        if !l.starts_with(' ') {
            break;
        }
        end = i + 1;
    }
    Some((start, end))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_filler(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// One kind in `cloudResources`, as lines.
struct KindLines<'a> {
    leading: Vec<&'a str>,
    header: &'a str,
    key: String,
    entries: Vec<EntryLines<'a>>,
    trailing: Vec<&'a str>,
}

struct EntryLines<'a> {
    before: Vec<&'a str>,
    line: &'a str,
    key: String,
    id: String,
}

/// The kinds of a block-style `cloudResources` body, with the indentation of kinds and
/// of entries; `None` for anything else.
fn parse_block<'a>(body: &[&'a str]) -> Option<(Vec<KindLines<'a>>, usize, Option<usize>)> {
    let kind_indent = body.iter().find(|l| !is_filler(l)).map(|l| indent(l))?;
    let mut entry_indent = None;
    let mut kinds: Vec<KindLines> = Vec::new();
    let mut pending = Vec::new();
    for &line in body {
        if is_filler(line) {
            pending.push(line);
            continue;
        }
        let one: serde_yaml::Mapping = serde_yaml::from_str(line.trim()).ok()?;
        let (k, v) = one.iter().next().filter(|_| one.len() == 1)?;
        let key = scalar(k)?;
        let at = indent(line);
        if at == kind_indent {
            // `kind: {}` would need its header rewritten: left to the whole-block path.
            if !v.is_null() {
                return None;
            }
            kinds.push(KindLines {
                leading: std::mem::take(&mut pending),
                header: line,
                key,
                entries: Vec::new(),
                trailing: Vec::new(),
            });
        } else if at > kind_indent && *entry_indent.get_or_insert(at) == at {
            kinds.last_mut()?.entries.push(EntryLines {
                before: std::mem::take(&mut pending),
                line,
                key,
                id: scalar(v)?,
            });
        } else {
            return None;
        }
    }
    kinds.last_mut()?.trailing = pending;
    Some((kinds, kind_indent, entry_indent))
}

/// `existing` with its `cloudResources` edited line by line; `None` when its shape is not
/// the block style this follows.
fn edit(lines: &[&str], cloud: &Cloud) -> Option<String> {
    let Some((start, end)) = section(lines, CLOUD_KEY) else {
        return Some(insert_block(lines, cloud));
    };
    if lines[start].trim_end() != format!("{CLOUD_KEY}:") {
        return None;
    }
    let (kinds, kind_indent, entry_indent) = parse_block(&lines[start + 1..end])?;
    let entry_indent = entry_indent.unwrap_or(kind_indent + 2);
    let mut body = String::new();
    let mut seen = Vec::new();
    for k in &kinds {
        let Some(kind) = Kind::from_key(&k.key) else {
            body.push_str(&verbatim(k));
            continue;
        };
        seen.push(kind);
        let Some(target) = cloud.get(&kind) else {
            continue;
        };
        body.extend(k.leading.iter().copied());
        body.push_str(k.header);
        let old_paths: Vec<String> = k
            .entries
            .iter()
            .filter_map(|e| repo_path(&e.key).ok())
            .collect();
        // Objects the file does not have yet, by id: one whose path changed (a spec's
        // ROOT, a renamed collection) takes its old line's place.
        let mut added: Vec<(&String, &String)> = target
            .iter()
            .filter(|(p, _)| !old_paths.contains(p))
            .collect();
        for e in &k.entries {
            let now = repo_path(&e.key)
                .ok()
                .and_then(|p| target.get_key_value(&p));
            let mut moved = || {
                let at = added.iter().position(|(_, id)| **id == e.id)?;
                Some(added.remove(at))
            };
            let line = match now {
                Some((_, id)) if *id == e.id => e.line.to_string(),
                Some((_, id)) => entry_line(kind, &e.key, id, entry_indent),
                None => match moved() {
                    Some((path, id)) => entry_line(kind, &key_of(path), id, entry_indent),
                    None => continue,
                },
            };
            body.extend(e.before.iter().copied());
            body.push_str(&line);
        }
        for (path, id) in added {
            body.push_str(&entry_line(kind, &key_of(path), id, entry_indent));
        }
        body.extend(k.trailing.iter().copied());
    }
    for (kind, entries) in cloud.iter().filter(|(k, _)| !seen.contains(k)) {
        body.push_str(&format!("{}{}:\n", " ".repeat(kind_indent), kind.key()));
        for (path, id) in entries {
            body.push_str(&entry_line(*kind, &key_of(path), id, entry_indent));
        }
    }
    let mut out: String = lines[..start].concat();
    if body.trim().is_empty() {
        // No kind left: the section goes, and the comment the app wrote above it.
        drop_cloud_comment(&mut out);
    } else {
        out.push_str(lines[start]);
        out.push_str(&body);
    }
    out.push_str(&lines[end..].concat());
    Some(out)
}

fn verbatim(k: &KindLines) -> String {
    let mut s: String = k.leading.concat();
    s.push_str(k.header);
    for e in &k.entries {
        s.push_str(&e.before.concat());
        s.push_str(e.line);
    }
    s.push_str(&k.trailing.concat());
    s
}

/// `\n# Each entry...\n\n` just before an emptied section.
fn drop_cloud_comment(out: &mut String) {
    let tail = format!("\n{CLOUD_COMMENT}\n");
    if out.ends_with(&tail) {
        out.truncate(out.len() - tail.len());
    }
}

/// One `path: id` line at `indent`, quoted as npm `yaml` quotes it there.
fn entry_line(kind: Kind, key: &str, id: &str, indent: usize) -> String {
    let doc = yaml::document(&[(
        CLOUD_KEY.into(),
        Node::Map(vec![(
            kind.key().into(),
            Node::Map(vec![(key.into(), Node::str(id))]),
        )]),
    )]);
    let line = doc
        .lines()
        .nth(2)
        .unwrap_or_default()
        .trim_start_matches(' ');
    format!("{}{line}\n", " ".repeat(indent))
}

/// `cloudResources` as the app writes a new one, ending in a newline.
fn block(cloud: &Cloud) -> String {
    let kinds = Kind::ALL
        .iter()
        .filter_map(|k| {
            let entries = cloud.get(k)?;
            let entries = entries
                .iter()
                .map(|(p, id)| (key_of(p), Node::str(id)))
                .collect();
            Some((k.key().to_string(), Node::Map(entries)))
        })
        .collect();
    yaml::document(&[(CLOUD_KEY.into(), Node::Map(kinds))])
}

/// A new `cloudResources` after the `workspace` section (at the end without one).
fn insert_block(lines: &[&str], cloud: &Cloud) -> String {
    let at = section(lines, WORKSPACE_KEY).map_or(lines.len(), |(_, end)| end);
    let mut out: String = lines[..at].concat();
    if cloud.is_empty() {
        out.push_str(&lines[at..].concat());
        return out;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(CLOUD_COMMENT);
    out.push('\n');
    out.push_str(&block(cloud));
    out.push_str(&lines[at..].concat());
    out
}

/// `lines` with the whole `cloudResources` section replaced by the app's form of `cloud`.
fn replace_block(lines: &[&str], cloud: &Cloud) -> String {
    let Some((start, end)) = section(lines, CLOUD_KEY) else {
        return insert_block(lines, cloud);
    };
    let mut out: String = lines[..start].concat();
    if cloud.is_empty() {
        drop_cloud_comment(&mut out);
    } else {
        out.push_str(&block(cloud));
    }
    out.push_str(&lines[end..].concat());
    out
}

#[cfg(test)]
mod tests {
    use super::super::testdata::*;
    use super::*;

    fn cloud(entries: &[(Kind, &str, &str)]) -> Cloud {
        let mut c = Cloud::new();
        for (k, p, id) in entries {
            c.entry(*k)
                .or_default()
                .insert(p.to_string(), id.to_string());
        }
        c
    }

    #[test]
    fn every_real_file_reads_and_writes_back_byte_for_byte() {
        for (name, text) in RESOURCES_FILES {
            let r = read(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let out = write(Some(text), &r.workspace_id, &r.cloud).unwrap();
            assert_eq!(out, *text, "{name}");
            // The same content reached by editing (every entry's id changed and back)
            // is byte for byte the same too: the editor keeps lines, not a model.
            let mut other = r.cloud.clone();
            for entries in other.values_mut() {
                for id in entries.values_mut() {
                    *id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into();
                }
            }
            let changed = write(Some(text), &r.workspace_id, &other).unwrap();
            assert_eq!(read(&changed).unwrap().cloud, other, "{name}");
            assert_eq!(
                write(Some(&changed), &r.workspace_id, &r.cloud).unwrap(),
                *text,
                "{name}"
            );
        }
    }

    #[test]
    fn the_three_id_forms_and_the_paths_are_read() {
        let r = read(SOLIS).unwrap();
        assert_eq!(r.workspace_id, "c57071c8-2daa-42b5-9d71-be5c7c63d9c4");
        assert_eq!(
            r.cloud[&Kind::Collections]["postman/collections/PetVerse API"],
            "3512728-9a5161f2-75bb-4f8f-9007-ef28d05df92f"
        );
        assert_eq!(r.cloud[&Kind::Environments].len(), 4);
        assert_eq!(
            r.cloud[&Kind::Specs]["postman/specs/openapi.yaml"],
            "cff9ef8c-762c-4279-9e9a-e6cc5fa36545"
        );
        assert_eq!(
            r.spec_file_names["postman/specs/openapi.yaml"],
            "openapi.yaml"
        );
        assert!(
            !r.cloud
                .values()
                .any(|e| e.keys().any(|p| p.contains("flows"))),
            "flows are not ours"
        );
        let r = read(EVGEN).unwrap();
        assert_eq!(
            r.cloud[&Kind::Collections]["postman/collections/User API — Native GraphQL"],
            "6a7f459c19c3ff65efa6428e"
        );
        for bad in [
            "6a7f459c",
            "x-aa74aa62-3867-47f3-b3e9-9b53a73678a5",
            "6a7f459c19c3ff65efa6428g",
        ] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_field_and_value() {
        for (text, expected) in [
            ("cloudResources: {}\n", "workspace.id is missing"),
            ("workspace:\n  id: nope\n", "workspace.id \"nope\" is not a Postman id"),
            (
                "workspace:\n  id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca\ncloudResources:\n  specs:\n    ../../etc/x.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5\n",
                "cloudResources.specs path \"../../etc/x.yaml\" it has a `.` or `..` component",
            ),
            (
                "workspace:\n  id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca\ncloudResources:\n  specs:\n    postman/x.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5\n",
                "must begin with ../",
            ),
            (
                "workspace:\n  id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca\ncloudResources:\n  specs:\n    ../postman/x.yaml: 12\n",
                "id \"12\" is not a Postman id",
            ),
        ] {
            let err = read(text).unwrap_err().to_string();
            assert!(err.starts_with(".postman/resources.yaml: "), "{err}");
            assert!(err.contains(expected), "{err}");
        }
        let err = read("workspace: [\n").unwrap_err();
        assert!(matches!(err, Error::Parse { line: Some(_), .. }), "{err}");
    }

    /// The app's own edits in cerdmann/identity-service's history, replayed.
    #[test]
    fn the_apps_edits_are_replayed_byte_for_byte() {
        let ws = "50c7f0d7-41c5-4953-b12b-0b06c52835ca";
        let first = cloud(&[
            (
                Kind::Collections,
                "postman/collections/Identity-Service",
                "53284017-80c9dbbd-4e9d-4f0c-81cb-3f1bf87b1784",
            ),
            (
                Kind::Specs,
                "postman/specs/identity-service.yaml",
                "a27b0f35-473c-420c-be82-98bb48412ec1",
            ),
        ]);
        let template = TEMPLATE.replace("8780a472-3d18-4b03-8bf7-7c7f0cacb108", ws);
        assert_eq!(write(Some(&template), ws, &first).unwrap(), CERDMANN_FIRST);
        assert_eq!(write(None, ws, &first).unwrap(), CERDMANN_FIRST);
        assert_eq!(
            write(None, "8780a472-3d18-4b03-8bf7-7c7f0cacb108", &Cloud::new()).unwrap(),
            TEMPLATE
        );

        let mut second = first.clone();
        second.entry(Kind::Specs).or_default().insert(
            "postman/specs/openapi.yaml".into(),
            "aa74aa62-3867-47f3-b3e9-9b53a73678a5".into(),
        );
        second.entry(Kind::Environments).or_default().insert(
            "postman/environments/local.environment.yaml".into(),
            "9abcec24-2e0b-50f4-89c0-fd470f620f86".into(),
        );
        assert_eq!(
            write(Some(CERDMANN_FIRST), ws, &second).unwrap(),
            CERDMANN_SECOND
        );

        let mut third = second.clone();
        third
            .get_mut(&Kind::Specs)
            .unwrap()
            .remove("postman/specs/identity-service.yaml");
        assert_eq!(write(Some(CERDMANN_SECOND), ws, &third).unwrap(), CERDMANN);
        // And back to nothing: the template again.
        assert_eq!(write(Some(CERDMANN), ws, &Cloud::new()).unwrap(), template);
    }

    #[test]
    fn unmanaged_keys_survive_an_edit_and_a_flow_style_block_is_rewritten() {
        let r = read(SOLIS).unwrap();
        let mut c = r.cloud.clone();
        c.get_mut(&Kind::Environments)
            .unwrap()
            .remove("postman/environments/PetVerse API - Local.environment.yaml");
        c.get_mut(&Kind::Collections).unwrap().insert(
            "postman/collections/New: one".into(),
            "3512728-00000000-75bb-4f8f-9007-ef28d05df92f".into(),
        );
        let out = write(Some(SOLIS), &r.workspace_id, &c).unwrap();
        let expected = SOLIS
            .replace("    ../postman/environments/PetVerse API - Local.environment.yaml: 3512728-114b002b-f01e-4db6-9ee5-e4fbaa0c05b8\n", "")
            .replace(
                "ef28d05df92f\n",
                "ef28d05df92f\n    \"../postman/collections/New: one\": 3512728-00000000-75bb-4f8f-9007-ef28d05df92f\n",
            );
        assert_eq!(out, expected);

        let flow = "workspace: {id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca}\ncloudResources: {mocks: {../postman/mocks/m/config.yaml: a41c8e05-7f23-4b96-8d0e-3c6a9b25f718}}\n# mine\n";
        let c = cloud(&[(
            Kind::Specs,
            "postman/specs/a.yaml",
            "aa74aa62-3867-47f3-b3e9-9b53a73678a5",
        )]);
        let err = write(Some(flow), "50c7f0d7-41c5-4953-b12b-0b06c52835ca", &c).unwrap_err();
        assert!(err.to_string().contains("cannot be updated"), "{err}");
        let flow =
            "workspace: {id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca}\ncloudResources: {}\n# mine\n";
        let out = write(Some(flow), "50c7f0d7-41c5-4953-b12b-0b06c52835ca", &c).unwrap();
        assert_eq!(
            out,
            "workspace: {id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca}\ncloudResources:\n  specs:\n    ../postman/specs/a.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5\n# mine\n"
        );
        let crlf = SOLIS.replace('\n', "\r\n");
        let mut more = read(SOLIS).unwrap().cloud;
        more.get_mut(&Kind::Specs).unwrap().insert(
            "postman/specs/b.yaml".into(),
            "aa74aa62-3867-47f3-b3e9-9b53a73678a5".into(),
        );
        let out = write(Some(&crlf), &r.workspace_id, &more).unwrap();
        assert_eq!(
            out.matches('\n').count(),
            out.matches("\r\n").count(),
            "{out}"
        );
        assert_eq!(out.lines().count(), SOLIS.lines().count() + 1);
        let err = write(Some(SOLIS), "50c7f0d7-41c5-4953-b12b-0b06c52835ca", &c).unwrap_err();
        assert!(err.to_string().contains("not the workspace"), "{err}");
    }
}
