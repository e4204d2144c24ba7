//! A commit's workspace against the live one -> the writes that make Postman hold the
//! commit, in the order they can be sent: every create and update first (inside a spec:
//! new files, contents, then the ROOT as its own one-property PATCH), every deletion last,
//! so the old ROOT is never deleted before the new one is ROOT, and a push stopped half-way
//! has lost nothing.
//!
//! Nothing is planned unless the whole commit validates ([`super::read::workspace`]: parse
//! errors by file and line, spec types, one ROOT, 10 MB, names) and names this workspace.
//!
//! Which live object a file is: its `cloudResources` id, else the id the push journal
//! recorded for its path (`created`: a create whose push stopped later), else it is new.
//! Secrets: a variable git holds no value for ([`Variable::value`] `None`) is compared and
//! sent as "keep Postman's", never as empty.

use std::collections::BTreeMap;

use super::read::{self, Pushed};
use super::state::{Collection, Environment, Found, Spec, SpecFile, Variable, Workspace};
use super::write::same_id;
use super::{spec, File, Kind, RESOURCES_FILE};
use crate::layout::collection;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] super::Error),
    #[error("{RESOURCES_FILE}: workspace.id is {found}, but this remote is workspace {expected}")]
    OtherWorkspace { found: String, expected: String },
    #[error("{path}: mapped to {kind} {id}, which the workspace no longer has (fetch first)")]
    Gone {
        path: String,
        kind: &'static str,
        id: String,
    },
    #[error("{path} and {other} both map to {kind} {id} in {RESOURCES_FILE}")]
    Twice {
        path: String,
        other: String,
        kind: &'static str,
        id: String,
    },
    #[error("{path}: not UTF-8 text, which Spec Hub stores: {message}")]
    NotText { path: String, message: String },
    #[error("{path}: makes spec {name:?} {to}, but Spec Hub has it as {from} and its API cannot change a spec's type (PATCH /specs/{{id}} takes only a name): keep the {from} version, or add the {to} one as a new spec")]
    TypeChange {
        path: String,
        name: String,
        from: String,
        to: String,
    },
    #[error("{path}: the collection cannot be sent: {message}")]
    Collection { path: String, message: String },
}

/// A file of a spec to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    pub path: String,
    pub content: String,
    pub root: bool,
}

/// One request's worth of change. `path` is the repository path the object came from
/// (what the push journal records for a create).
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    CreateSpec {
        path: String,
        name: String,
        spec_type: String,
        files: Vec<NewFile>,
    },
    CreateSpecFile {
        spec_id: String,
        path: String,
        content: String,
    },
    UpdateSpecFile {
        spec_id: String,
        path: String,
        content: String,
    },
    /// `PATCH /specs/{id} {name}`: a spec git moved to a new name.
    RenameSpec {
        id: String,
        name: String,
    },
    /// `PATCH {name}` of the file at `path`: git moved it within its folder.
    RenameSpecFile {
        spec_id: String,
        path: String,
        name: String,
    },
    /// `PATCH {type: ROOT}`: Postman makes the previous ROOT `DEFAULT`.
    SetRoot {
        spec_id: String,
        path: String,
    },
    DeleteSpecFile {
        spec_id: String,
        path: String,
    },
    DeleteSpec {
        id: String,
        name: String,
    },
    /// `json`: the upload form ([`collection::upload_json`]).
    CreateCollection {
        path: String,
        json: String,
    },
    UpdateCollection {
        uid: String,
        path: String,
        json: String,
    },
    DeleteCollection {
        uid: String,
        name: String,
    },
    /// `values`: a `None` value is "keep Postman's" (a create sends it empty).
    CreateEnvironment {
        path: String,
        name: String,
        values: Vec<Variable>,
    },
    UpdateEnvironment {
        uid: String,
        path: String,
        name: String,
        values: Vec<Variable>,
    },
    DeleteEnvironment {
        uid: String,
        name: String,
    },
    PutGlobals {
        values: Vec<Variable>,
    },
    /// An object git moved (`git mv`) now lives at `path` (its `cloudResources` entry:
    /// a spec's file or its ROOT, a collection's directory), which the pushed
    /// `.postman/resources.yaml` does not map to it yet. Nothing is sent: it is where
    /// R's Postman view keeps the object.
    Remap {
        kind: Kind,
        path: String,
        id: String,
    },
}

impl Write {
    pub fn is_deletion(&self) -> bool {
        matches!(
            self,
            Write::DeleteSpecFile { .. }
                | Write::DeleteSpec { .. }
                | Write::DeleteCollection { .. }
                | Write::DeleteEnvironment { .. }
        )
    }
}

/// The writes that make `live` hold the workspace in `files` (a commit's files);
/// `created`: the push journal's repository path -> id of objects a stopped push created.
pub fn plan(
    files: &[File],
    live: &Workspace,
    created: &BTreeMap<String, String>,
) -> Result<Vec<Write>, Error> {
    let pushed = read::workspace(files)?;
    if !same_id(&pushed.resources.workspace_id, &live.id) {
        return Err(Error::OtherWorkspace {
            found: pushed.resources.workspace_id,
            expected: live.id.clone(),
        });
    }
    let cx = Cx {
        pushed: &pushed,
        live,
        created,
    };
    let mut out = Vec::new();
    specs(&cx, &mut out)?;
    collections(&cx, &mut out)?;
    environments(&cx, &mut out)?;
    // Deletions last; `sort_by_key` is stable, so each half keeps its order.
    out.sort_by_key(Write::is_deletion);
    Ok(out)
}

/// What a plan compares: the commit's workspace, Postman's, the push journal's creates.
struct Cx<'a> {
    pushed: &'a Pushed,
    live: &'a Workspace,
    created: &'a BTreeMap<String, String>,
}

/// An object a push creates, updates or deletes.
trait Object {
    const KIND: &'static str;
    fn id(&self) -> Option<&str>;
    /// Whether `self`, at a path `.postman/resources.yaml` does not map, is `live` that
    /// git moved there (`git mv`): re-creating it would lose what Postman links to it (a
    /// generated collection's spec, a spec's version tags). Not followed by default.
    fn moved_from(&self, _live: &Self) -> bool {
        false
    }
}

impl Object for Environment {
    const KIND: &'static str = "environment";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By its name (in the file, not the file's name), else by the same variables: a new
    /// environment would lose every secret value git does not hold.
    fn moved_from(&self, live: &Environment) -> bool {
        let keys = |e: &Environment| e.values.iter().map(|v| v.key.clone()).collect::<Vec<_>>();
        self.name == live.name || (!self.values.is_empty() && keys(self) == keys(live))
    }
}

impl Object for Spec {
    const KIND: &'static str = "spec";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By content, as git's rename detection: its files' lines alike by half or more.
    fn moved_from(&self, live: &Spec) -> bool {
        let mine: Vec<&[u8]> = self.files.iter().map(|f| f.content.as_slice()).collect();
        let theirs: Vec<&[u8]> = live.files.iter().map(|f| f.content.as_slice()).collect();
        similarity(&mine, &theirs) >= SIMILAR
    }
}

impl Object for Collection {
    const KIND: &'static str = "collection";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By the id its definition carries (`info._postman_id`): a copy of a directory
    /// carries it too, but the original's path claims the collection first.
    fn moved_from(&self, live: &Collection) -> bool {
        #[derive(serde::Deserialize)]
        struct Head {
            info: Info,
        }
        #[derive(serde::Deserialize)]
        struct Info {
            #[serde(rename = "_postman_id")]
            id: Option<String>,
        }
        let own = serde_json::from_str::<Head>(&self.json)
            .ok()
            .and_then(|h| h.info.id);
        matches!((own, &live.id), (Some(own), Some(id)) if same_id(&own, id))
    }
}

/// A pushed object and its live counterpart; `moved`: found by [`Object::moved_from`].
struct Pair<'a, T> {
    pushed: &'a Found<T>,
    live: Option<&'a T>,
    moved: bool,
}

/// Pushed objects with their live counterparts, and the live objects no pushed one claims.
type Paired<'a, T> = (Vec<Pair<'a, T>>, Vec<&'a T>);

/// Pairs each pushed object with its live counterpart (by id, else by the journal's id
/// for its path, else as moved there by git) and returns the live objects no pushed one
/// claims.
fn pair<'a, T: Object>(
    pushed: &'a [Found<T>],
    live: &'a [T],
    created: &BTreeMap<String, String>,
) -> Result<Paired<'a, T>, Error> {
    let mut claimed: BTreeMap<usize, &str> = BTreeMap::new();
    let mut found: Vec<Option<usize>> = Vec::new();
    for p in pushed {
        let journaled = created.get(&p.path).map(String::as_str);
        let Some(id) = p.value.id().or(journaled) else {
            found.push(None);
            continue;
        };
        let at = live
            .iter()
            .position(|l| l.id().is_some_and(|lid| same_id(lid, id)));
        match at {
            Some(i) => {
                if let Some(other) = claimed.insert(i, &p.path) {
                    return Err(Error::Twice {
                        path: p.path.clone(),
                        other: other.to_string(),
                        kind: T::KIND,
                        id: id.to_string(),
                    });
                }
                found.push(Some(i));
            }
            // Created by the stopped push, deleted since: create it again.
            None if p.value.id().is_none() => found.push(None),
            None => {
                return Err(Error::Gone {
                    path: p.path.clone(),
                    kind: T::KIND,
                    id: id.to_string(),
                })
            }
        }
    }
    // Only then what git moved: a live object its mapped path no longer claims.
    let mut moved = vec![false; pushed.len()];
    for (i, p) in pushed.iter().enumerate() {
        if found[i].is_some() || created.contains_key(&p.path) {
            continue;
        }
        let from =
            (0..live.len()).find(|l| !claimed.contains_key(l) && p.value.moved_from(&live[*l]));
        if let Some(l) = from {
            claimed.insert(l, &p.path);
            (found[i], moved[i]) = (Some(l), true);
        }
    }
    let pairs = pushed
        .iter()
        .zip(found)
        .zip(moved)
        .map(|((p, f), moved)| Pair {
            pushed: p,
            live: f.map(|i| &live[i]),
            moved,
        })
        .collect();
    let gone = (0..live.len())
        .filter(|i| !claimed.contains_key(i))
        .map(|i| &live[i])
        .collect();
    Ok((pairs, gone))
}

fn text(path: &str, bytes: &[u8]) -> Result<String, Error> {
    String::from_utf8(bytes.to_vec()).map_err(|e| Error::NotText {
        path: path.to_string(),
        message: e.to_string(),
    })
}

fn specs(cx: &Cx, out: &mut Vec<Write>) -> Result<(), Error> {
    let (pairs, gone) = pair(&cx.pushed.specs, &cx.live.specs, cx.created)?;
    for Pair {
        pushed: p,
        live: l,
        moved,
    } in pairs
    {
        match l {
            Some(l) => update_spec(cx, p, l, moved, out)?,
            None => {
                let files = p
                    .value
                    .files
                    .iter()
                    .map(|f| {
                        Ok(NewFile {
                            path: f.path.clone(),
                            content: text(&repo_path(p, &f.path), &f.content)?,
                            root: f.root,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                out.push(Write::CreateSpec {
                    path: p.path.clone(),
                    name: p.value.name.clone(),
                    spec_type: p.value.spec_type.clone(),
                    files,
                });
            }
        }
    }
    out.extend(gone.into_iter().map(|s: &Spec| Write::DeleteSpec {
        id: s.id.clone().unwrap_or_default(),
        name: s.name.clone(),
    }));
    Ok(())
}

/// The repository path of file `path` (its Spec Hub path) of the spec found at `p`.
fn repo_path(p: &Found<Spec>, path: &str) -> String {
    match is_single(&p.path) {
        true => p.path.clone(),
        false => format!("{}/{path}", p.path),
    }
}

/// The writes that make live spec `l` hold `p`: its name when git moved it, new files,
/// files git moved inside their folder (`PATCH {name}`), contents, the ROOT (each its
/// own one-property call), deleted files.
fn update_spec(
    cx: &Cx,
    p: &Found<Spec>,
    l: &Spec,
    moved: bool,
    out: &mut Vec<Write>,
) -> Result<(), Error> {
    check_type(p, l)?;
    let spec_id = l.id.clone().unwrap_or_default();
    if moved && p.value.name != l.name {
        out.push(Write::RenameSpec {
            id: spec_id.clone(),
            name: p.value.name.clone(),
        });
    }
    let mut files = p.value.files.clone();
    // A one-file spec is `<name>.<ext>` in git whatever its file is called in Spec
    // Hub (`index.yaml`): the same file, not a new one.
    if let ([mine], [theirs]) = (files.as_mut_slice(), l.files.as_slice()) {
        if is_single(&p.path) {
            mine.path = theirs.path.clone();
        }
    }
    let entry = match files.iter().find(|f| f.root) {
        Some(root) if !is_single(&p.path) => repo_path(p, &root.path),
        _ => p.path.clone(),
    };
    let mapped = cx.pushed.resources.cloud.get(&Kind::Specs);
    let mapped = mapped.and_then(|m| m.get(&entry));
    if !mapped.is_some_and(|id| same_id(id, &spec_id)) && !cx.created.contains_key(&p.path) {
        out.push(Write::Remap {
            kind: Kind::Specs,
            path: entry,
            id: spec_id.clone(),
        });
    }
    let renamed = moved_files(&files, &l.files);
    let mut root = None;
    for (i, f) in files.iter().enumerate() {
        let content = text(&repo_path(p, &f.path), &f.content)?;
        let (spec_id, path) = (spec_id.clone(), f.path.clone());
        let before = match l.files.iter().find(|lf| lf.path == f.path) {
            Some(lf) => Some(lf),
            None => renamed.get(&i).map(|j| &l.files[*j]),
        };
        match before {
            None => out.push(Write::CreateSpecFile {
                spec_id,
                path,
                content,
            }),
            Some(lf) => {
                if lf.path != f.path {
                    out.push(Write::RenameSpecFile {
                        spec_id: spec_id.clone(),
                        path: lf.path.clone(),
                        name: file_name(&f.path).to_string(),
                    });
                }
                if lf.content != f.content {
                    out.push(Write::UpdateSpecFile {
                        spec_id,
                        path,
                        content,
                    });
                }
            }
        }
        if f.root && !before.is_some_and(|lf| lf.root) {
            root = Some(f.path.clone());
        }
    }
    if let Some(path) = root {
        out.push(Write::SetRoot {
            spec_id: spec_id.clone(),
            path,
        });
    }
    for (j, lf) in l.files.iter().enumerate() {
        let kept = files.iter().any(|f| f.path == lf.path) || renamed.values().any(|r| *r == j);
        if !kept {
            out.push(Write::DeleteSpecFile {
                spec_id: spec_id.clone(),
                path: lf.path.clone(),
            });
        }
    }
    Ok(())
}

/// Refuses a push that changes the spec's type (`openapi: 3.0.3` -> `3.1.0` in its ROOT):
/// Spec Hub's API sets a type only when it creates a spec. A type Postman's own ROOT
/// already disagrees with is not this push's change, so it is left alone.
fn check_type(p: &Found<Spec>, l: &Spec) -> Result<(), Error> {
    let to = &p.value.spec_type;
    let held = l.files.iter().find(|f| f.root);
    let held = held.and_then(|f| spec::spec_type(&f.path, &f.content).ok());
    if to == &l.spec_type || held.as_ref() == Some(to) {
        return Ok(());
    }
    let root = p.value.files.iter().find(|f| f.root);
    Err(Error::TypeChange {
        path: root.map_or_else(|| p.path.clone(), |f| repo_path(p, &f.path)),
        name: l.name.clone(),
        from: l.spec_type.clone(),
        to: to.clone(),
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Files of a spec git moved inside their folder: index in `pushed` -> index in `live`,
/// for a pushed path Spec Hub does not have and a live path the push drops, in the same
/// folder, with similar content. Spec Hub renames a file only within its folder
/// (`PATCH {name}`), so a move to another folder is a create and a delete.
fn moved_files(pushed: &[SpecFile], live: &[SpecFile]) -> BTreeMap<usize, usize> {
    let added = |f: &&SpecFile| live.iter().all(|l| l.path != f.path);
    let dropped: Vec<usize> = (0..live.len())
        .filter(|j| pushed.iter().all(|f| f.path != live[*j].path))
        .collect();
    let mut out = BTreeMap::new();
    for (i, f) in pushed.iter().enumerate().filter(|(_, f)| added(f)) {
        let best = dropped
            .iter()
            .filter(|j| !out.values().any(|taken| taken == *j))
            .filter(|j| folder(&live[**j].path) == folder(&f.path))
            .map(|j| (similarity(&[&f.content], &[&live[*j].content]), *j))
            .filter(|(score, _)| *score >= SIMILAR)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, j)) = best {
            out.insert(i, j);
        }
    }
    out
}

/// How alike two texts must be to be one file moved, as git's rename detection (50%).
const SIMILAR: f64 = 0.5;

/// The share of lines two texts (each the concatenation of `a`'s or `b`'s parts) have in
/// common: 1.0 the same lines, 0.0 none.
fn similarity(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    let lines = |parts: &[&[u8]]| -> BTreeMap<Vec<u8>, usize> {
        let mut out = BTreeMap::new();
        // A final newline ends the last line; it does not start an empty one.
        let texts = parts.iter().map(|p| p.strip_suffix(b"\n").unwrap_or(p));
        for line in texts.flat_map(|t| t.split(|c| *c == b'\n')) {
            *out.entry(line.to_vec()).or_insert(0) += 1;
        }
        out
    };
    let (a, b) = (lines(a), lines(b));
    let total: usize = a.values().chain(b.values()).sum();
    let common: usize = a
        .iter()
        .map(|(line, n)| (*n).min(b.get(line).copied().unwrap_or(0)))
        .sum();
    match total {
        0 => 1.0,
        total => 2.0 * common as f64 / total as f64,
    }
}

/// A spec kept as one file (`postman/specs/<name>.<ext>`), not a directory.
fn is_single(path: &str) -> bool {
    spec::is_spec_file(path.rsplit('/').next().unwrap_or(path))
}

/// Where an object git moved now lives: its path is its `cloudResources` entry.
fn remap<T: Object>(kind: Kind, p: &Found<T>, l: Option<&T>, moved: bool) -> Option<Write> {
    let id = l?.id()?.to_string();
    moved.then(|| Write::Remap {
        kind,
        path: p.path.clone(),
        id,
    })
}

fn collections(cx: &Cx, out: &mut Vec<Write>) -> Result<(), Error> {
    let (pairs, gone) = pair(&cx.pushed.collections, &cx.live.collections, cx.created)?;
    for Pair {
        pushed: p,
        live: l,
        moved,
    } in pairs
    {
        out.extend(remap(Kind::Collections, p, l, moved));
        let bad = |e: &dyn std::fmt::Display| Error::Collection {
            path: p.path.clone(),
            message: e.to_string(),
        };
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(&p.value.json).map_err(|e| bad(&e))?;
        let json = collection::upload_json(raw, l.is_none()).map_err(|e| bad(&e))?;
        match l {
            None => out.push(Write::CreateCollection {
                path: p.path.clone(),
                json,
            }),
            Some(l) if !same_collection(&p.value, l) => out.push(Write::UpdateCollection {
                uid: l.id.clone().unwrap_or_default(),
                path: p.path.clone(),
                json,
            }),
            Some(_) => {}
        }
    }
    out.extend(
        gone.into_iter()
            .map(|c: &Collection| Write::DeleteCollection {
                uid: c.id.clone().unwrap_or_default(),
                name: c.name.clone(),
            }),
    );
    Ok(())
}

/// The same collection: the same JSON values, whatever the member order or spacing (the
/// live one is the file Postman's integration writes, the pushed one the converter's).
fn same_collection(a: &Collection, b: &Collection) -> bool {
    let parse = |c: &Collection| serde_json::from_str::<serde_json::Value>(&c.json).ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn environments(cx: &Cx, out: &mut Vec<Write>) -> Result<(), Error> {
    let (pairs, gone) = pair(&cx.pushed.environments, &cx.live.environments, cx.created)?;
    for Pair {
        pushed: p,
        live: l,
        moved,
    } in pairs
    {
        out.extend(remap(Kind::Environments, p, l, moved));
        let (path, name, values) = (p.path.clone(), p.value.name.clone(), p.value.values.clone());
        match l {
            None => out.push(Write::CreateEnvironment { path, name, values }),
            Some(l) if l.name != name || !same_values(&values, &l.values) => {
                out.push(Write::UpdateEnvironment {
                    uid: l.id.clone().unwrap_or_default(),
                    path,
                    name,
                    values,
                })
            }
            Some(_) => {}
        }
    }
    out.extend(
        gone.into_iter()
            .map(|e: &Environment| Write::DeleteEnvironment {
                uid: e.id.clone().unwrap_or_default(),
                name: e.name.clone(),
            }),
    );
    // No globals file: git does not keep them, so Postman's stay as they are.
    if let Some(g) = &cx.pushed.globals {
        let held = cx.live.globals.as_ref().map_or(&[][..], |g| &g.values[..]);
        if !same_values(&g.value.values, held) {
            out.push(Write::PutGlobals {
                values: g.value.values.clone(),
            });
        }
    }
    Ok(())
}

/// Whether sending `pushed` would leave `live` as it is: a value git does not hold
/// matches any; one Postman's answer did not carry (a secret read from the cache) matches
/// none, so it is sent.
fn same_values(pushed: &[Variable], live: &[Variable]) -> bool {
    pushed.len() == live.len()
        && pushed.iter().zip(live).all(|(p, l)| {
            let value = match (&p.value, &l.value) {
                (None, _) => true,
                (Some(a), Some(b)) => a == b,
                (Some(_), None) => false,
            };
            p.key == l.key && p.enabled == l.enabled && p.kind == l.kind && value
        })
}

#[cfg(test)]
mod tests;
