//! A workspace -> the files Native Git keeps for it, and the `cloudResources` mapping
//! them: `postman/specs/<name>.<ext>` for a spec of one file, `postman/specs/<name>/` with
//! the spec's paths for one of several, `postman/collections/<name>/` as a v3 tree,
//! `postman/environments/<name>.environment.yaml`, `postman/globals/workspace.globals.yaml`.
//!
//! An object the base's `.postman/resources.yaml` already maps keeps its path (the app
//! or a user may have named it differently); new ones get their sanitised name, unique
//! ignoring case (`v3::names`). A multi-file spec's `cloudResources` entry is its ROOT
//! file: the one place Native Git records for a spec, so the ROOT needs no key of its own.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::resources::{self, Cloud};
use super::state::{Spec, Workspace};
use super::{environment, spec, Error, File, Kind};
use super::{
    COLLECTIONS_DIR, ENVIRONMENTS_DIR, ENVIRONMENT_SUFFIX, GLOBALS_FILE, RESOURCES_FILE, SPECS_DIR,
};
use crate::layout::paths;
use crate::layout::v3::{self, names::Names};

/// What the files are written over: the base tree's `.postman/resources.yaml` and a way
/// to read its other files (an environment the app wrote is kept when it says the same).
pub struct Base<'a> {
    pub resources: Option<&'a str>,
    pub file: &'a dyn Fn(&str) -> Option<Vec<u8>>,
}

/// The files, sorted by path, `.postman/resources.yaml` among them, and the mapping.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<File>,
    pub cloud: Cloud,
}

/// The files for `ws`; `include_secrets`: the remote's opt-in to secret values in git.
pub fn files(ws: &Workspace, base: &Base, include_secrets: bool) -> Result<Written, Error> {
    let old = match base.resources {
        Some(text) => resources::read(text)?.cloud,
        None => Cloud::new(),
    };
    let mut out = Out {
        old: &old,
        files: BTreeMap::new(),
        cloud: Cloud::new(),
    };
    specs(ws, &mut out)?;
    collections(ws, &mut out)?;
    environments(ws, base, include_secrets, &mut out)?;
    let text = resources::write(base.resources, &ws.id, &out.cloud)?;
    out.add(RESOURCES_FILE.into(), text.into_bytes())?;
    Ok(Written {
        files: out
            .files
            .into_iter()
            .map(|(path, bytes)| File { path, bytes })
            .collect(),
        cloud: out.cloud,
    })
}

struct Out<'a> {
    old: &'a Cloud,
    files: BTreeMap<String, Vec<u8>>,
    cloud: Cloud,
}

impl Out<'_> {
    fn add(&mut self, path: String, bytes: Vec<u8>) -> Result<(), Error> {
        if self.files.insert(path.clone(), bytes).is_some() {
            return Err(Error::invalid(
                &path,
                "two Postman objects map to this path (check .postman/resources.yaml)",
            ));
        }
        Ok(())
    }

    /// Where `.postman/resources.yaml` had the object `id` of `kind`, with the id as it
    /// was written there (a bare UUID stays bare when Postman reports the UID).
    fn old_path(&self, kind: Kind, id: Option<&str>) -> Option<(String, String)> {
        let id = id?;
        self.old
            .get(&kind)?
            .iter()
            .find(|(_, old)| same_id(old, id))
            .map(|(p, old)| (p.clone(), old.clone()))
    }

    fn map(&mut self, kind: Kind, path: String, id: Option<&str>, old_id: Option<String>) {
        if let Some(id) = old_id.or(id.map(str::to_string)) {
            self.cloud.entry(kind).or_default().insert(path, id);
        }
    }
}

/// `12345678-<uuid>` and `<uuid>` name the same object.
pub fn same_id(a: &str, b: &str) -> bool {
    let bare = |s: &str| {
        s.split_once('-')
            .filter(|(owner, rest)| owner.bytes().all(|c| c.is_ascii_digit()) && rest.len() == 36)
            .map_or(s, |(_, rest)| rest)
            .to_ascii_lowercase()
    };
    a == b || bare(a) == bare(b)
}

/// A name's stem in its directory: the sanitised name, unique ignoring case.
fn stem(names: &mut Names, name: &str, empty: &str) -> String {
    let blank = v3::names::sanitize(name).trim().is_empty();
    names.folder(if blank { empty } else { name })
}

/// Where a spec goes: one file, or a directory holding its paths.
enum Place {
    File(String),
    Dir(String),
}

fn is_single(s: &Spec) -> bool {
    s.files.len() == 1 && !s.files[0].path.contains('/')
}

fn specs(ws: &Workspace, out: &mut Out) -> Result<(), Error> {
    let mut names = Names::default();
    let mut places: Vec<Option<(Place, Option<String>)>> = Vec::new();
    for s in &ws.specs {
        let found = out.old_path(Kind::Specs, s.id.as_deref());
        let place = found.and_then(|(p, old_id)| {
            let place = match p.strip_prefix(&format!("{SPECS_DIR}/")) {
                Some(rest) => {
                    let first = rest.split('/').next().unwrap_or(rest);
                    let was_file = !rest.contains('/');
                    let first_stem = if was_file { file_stem(first) } else { first };
                    names.folder(first_stem);
                    if was_file && is_single(s) {
                        Place::File(p)
                    } else if was_file {
                        Place::Dir(format!("{SPECS_DIR}/{first_stem}"))
                    } else {
                        Place::Dir(format!("{SPECS_DIR}/{first}"))
                    }
                }
                None if is_single(s) => Place::File(p),
                None => return None,
            };
            Some((place, Some(old_id)))
        });
        places.push(place);
    }
    for i in order(&ws.specs, |s| (s.name.clone(), s.id.clone())) {
        let s = &ws.specs[i];
        let place = match places[i].take() {
            Some(p) => p,
            None => {
                let stem = stem(&mut names, &s.name, "spec");
                let place = if is_single(s) {
                    Place::File(format!(
                        "{SPECS_DIR}/{stem}{}",
                        spec::dot_extension(&s.files[0].path)
                    ))
                } else {
                    Place::Dir(format!("{SPECS_DIR}/{stem}"))
                };
                (place, None)
            }
        };
        let (entry, old_id) = match place {
            (Place::File(path), old_id) => {
                out.add(path.clone(), s.files[0].content.clone())?;
                (path, old_id)
            }
            (Place::Dir(dir), old_id) => {
                let mut entry = dir.clone();
                for f in &s.files {
                    paths::check_relative(&f.path)
                        .map_err(|e| Error::invalid(&dir, format!("spec {:?}: {e}", s.name)))?;
                    let path = format!("{dir}/{}", f.path);
                    if f.root {
                        entry = path.clone();
                    }
                    out.add(path, f.content.clone())?;
                }
                (entry, old_id)
            }
        };
        out.map(Kind::Specs, entry, s.id.as_deref(), old_id);
    }
    Ok(())
}

fn file_stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// Indices of `items` sorted by `key`, so the names new objects get do not depend on the
/// API's order (objects with a kept path claimed theirs before).
fn order<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by(|a, b| key(&items[*a]).cmp(&key(&items[*b])));
    idx
}

fn collections(ws: &Workspace, out: &mut Out) -> Result<(), Error> {
    let mut names = Names::default();
    let mut trees = Vec::new();
    let mut kept = Vec::new();
    for c in &ws.collections {
        let raw: &RawValue = serde_json::from_str(&c.json).map_err(|e| {
            Error::invalid(COLLECTIONS_DIR, format!("collection {:?}: {e}", c.name))
        })?;
        let tree = v3::to_tree(raw).map_err(|e| {
            Error::invalid(COLLECTIONS_DIR, format!("collection {:?}: {e}", c.name))
        })?;
        let found = out.old_path(Kind::Collections, c.id.as_deref());
        if let Some((p, _)) = &found {
            names.folder(p.rsplit('/').next().unwrap_or(p));
        }
        kept.push(found);
        trees.push(tree);
    }
    for i in order(&ws.collections, |c| (c.name.clone(), c.id.clone())) {
        let c = &ws.collections[i];
        let (dir, old_id) = match kept[i].take() {
            Some((p, old_id)) => (p, Some(old_id)),
            None => (
                format!("{COLLECTIONS_DIR}/{}", names.folder(&trees[i].dir)),
                None,
            ),
        };
        let dir_name = dir.rsplit('/').next().unwrap_or(&dir).to_string();
        for mut f in std::mem::take(&mut trees[i].files) {
            if f.path == v3::names::DEFINITION && dir_name != trees[i].dir {
                f.bytes = with_name(&f.bytes, &c.name);
            }
            out.add(format!("{dir}/{}", f.path), f.bytes)?;
        }
        out.map(Kind::Collections, dir, c.id.as_deref(), old_id);
    }
    Ok(())
}

/// The collection's definition with its `name`, which the converter leaves out when the
/// directory is the name: a kept or de-duplicated directory (`Shop 1`) is not. Where the
/// converter puts it: after `id`, else after `$kind`.
fn with_name(definition: &[u8], name: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(definition);
    if text.lines().any(|l| l.starts_with("name:")) {
        return definition.to_vec();
    }
    let line = v3::yaml::document(&[("name".into(), v3::yaml::Node::str(name))]);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("id:"))
        .or_else(|| lines.iter().position(|l| l.starts_with("$kind:")))
        .map_or(0, |i| i + 1);
    let mut out = lines[..at].concat();
    out.push_str(&line);
    out.push_str(&lines[at..].concat());
    out.into_bytes()
}

fn environments(
    ws: &Workspace,
    base: &Base,
    include_secrets: bool,
    out: &mut Out,
) -> Result<(), Error> {
    let mut names = Names::default();
    let mut kept: Vec<Option<(String, String)>> = Vec::new();
    for e in &ws.environments {
        let found = out.old_path(Kind::Environments, e.id.as_deref());
        if let Some((p, _)) = &found {
            let name = p.rsplit('/').next().unwrap_or(p);
            names.folder(name.strip_suffix(ENVIRONMENT_SUFFIX).unwrap_or(name));
        }
        kept.push(found);
    }
    for i in order(&ws.environments, |e| (e.name.clone(), e.id.clone())) {
        let e = &ws.environments[i];
        let (path, old_id) = match kept[i].take() {
            Some((p, old_id)) => (p, Some(old_id)),
            None => {
                let stem = stem(&mut names, &e.name, "environment");
                (
                    format!("{ENVIRONMENTS_DIR}/{stem}{ENVIRONMENT_SUFFIX}"),
                    None,
                )
            }
        };
        let bytes = environment::file(
            &path,
            &e.name,
            &e.values,
            (base.file)(&path).as_deref(),
            include_secrets,
        );
        out.add(path.clone(), bytes)?;
        out.map(Kind::Environments, path, e.id.as_deref(), old_id);
    }
    if let Some(g) = &ws.globals {
        let (path, old_id) = match out.old_path(Kind::Globals, g.id.as_deref()) {
            Some((p, old_id)) => (p, Some(old_id)),
            None => (GLOBALS_FILE.to_string(), None),
        };
        let bytes = environment::file(
            &path,
            environment::GLOBALS_NAME,
            &g.values,
            (base.file)(&path).as_deref(),
            include_secrets,
        );
        out.add(path.clone(), bytes)?;
        out.map(Kind::Globals, path, g.id.as_deref(), old_id);
    }
    Ok(())
}
