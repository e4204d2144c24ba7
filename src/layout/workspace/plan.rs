//! A commit's workspace against the live one -> the writes that make Postman hold the
//! commit, in the order they can be sent: every create and update first (inside a spec:
//! new files, contents, then the ROOT as its own one-property PATCH), every deletion last,
//! so the old ROOT is never deleted before the new one is ROOT, and a push stopped half-way
//! has lost nothing.
//!
//! Nothing is planned unless the whole commit validates ([`super::read::workspace`]: parse
//! errors by file and line, spec types, one ROOT, 10 MB, names) and names this workspace.
//!
//! Which live object a file is (`plan/pair.rs`): its `cloudResources` id, else the id the push
//! journal recorded for its path (`created`: a create whose push stopped later), else the
//! one git moved there (renamed, never re-created), else it is new. A spec's type is set
//! when Spec Hub creates it: a push that changes it is refused.
//! Secrets: a variable git holds no value for ([`Variable::value`] `None`) is compared and
//! sent as "keep Postman's", never as empty.

use std::collections::BTreeMap;

use super::read::{self, Pushed};
use super::state::{Collection, Environment, Found, Spec, Variable, Workspace};
use super::write::same_id;
use super::{spec, File, Kind, RESOURCES_FILE};
use crate::layout::collection;

mod pair;

use pair::{moved_files, pair, Object, Pair};

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
