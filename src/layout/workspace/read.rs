//! The files of a commit -> the workspace a push makes Postman hold, validated before
//! anything is sent: every YAML and JSON file parses (errors name the file and line),
//! each spec has a type Spec Hub knows and exactly one ROOT, no spec file is over 10 MB,
//! no name is one Postman refuses, every managed path is safe. Files Native Git does not
//! manage (mocks, flows, documents, a README beside a spec) are ignored.
//!
//! Which object a file is comes from `.postman/resources.yaml`: a mapped path keeps its
//! cloud id (an update), an unmapped one has none (a create, unless the plan finds it
//! moved). A multi-file spec's ROOT is its mapped file (see [`mod@super::write`]); an
//! unmapped spec directory's ROOT, or a mapped one's whose mapped file git moved, is its
//! one OpenAPI/AsyncAPI document.
//!
//! A spec's `name` here is its file's stem or its directory's name. For a mapped spec that
//! says nothing about its name in Spec Hub (the app keeps `openapi.yaml` for a spec named
//! otherwise, and a fetch keeps the path it finds), so a push renames a spec only when git
//! moved it (the plan's rename detection).

use std::collections::BTreeMap;

use super::resources::{self, Resources};
use super::state::{Collection, Environment, Found, Globals, Spec, SpecFile};
use super::{environment, spec, Error, File, Kind};
use super::{COLLECTIONS_DIR, ENVIRONMENTS_DIR, RESOURCES_FILE, SPECS_DIR};
use crate::layout::paths;
use crate::layout::v3;

/// A commit's workspace, each object with the path it was read from.
#[derive(Debug)]
pub struct Pushed {
    pub resources: Resources,
    pub specs: Vec<Found<Spec>>,
    pub collections: Vec<Found<Collection>>,
    pub environments: Vec<Found<Environment>>,
    pub globals: Option<Found<Globals>>,
}

pub(super) const GLOBALS_DIR: &str = "postman/globals";
pub(super) const ENVIRONMENT_SUFFIXES: [&str; 3] =
    [".environment.yaml", ".environment.yml", ".environment.json"];
pub(super) const GLOBALS_SUFFIXES: [&str; 3] = [".globals.yaml", ".globals.yml", ".globals.json"];

/// Reads and validates the workspace in `files` (a commit's files; others are ignored).
pub fn workspace(files: &[File]) -> Result<Pushed, Error> {
    let res = files
        .iter()
        .find(|f| f.path == RESOURCES_FILE)
        .ok_or_else(|| {
            Error::invalid(
                RESOURCES_FILE,
                "is missing: it names the workspace (git postman connect --workspace <id> writes it)",
            )
        })?;
    let resources = resources::read(utf8(res)?)?;
    let reader = Reader {
        files,
        resources: &resources,
    };
    let specs = reader.specs()?;
    let collections = reader.collections()?;
    let environments = reader.environments()?;
    let globals = reader.globals()?;
    Ok(Pushed {
        resources,
        specs,
        collections,
        environments,
        globals,
    })
}

fn utf8(f: &File) -> Result<&str, Error> {
    std::str::from_utf8(&f.bytes).map_err(|e| Error::invalid(&f.path, format!("not UTF-8: {e}")))
}

fn checked(path: &str) -> Result<(), Error> {
    paths::check_relative(path).map_err(|e| Error::invalid(path, e.to_string()))
}

/// A name Postman would refuse: empty, or with control characters (which no Postman
/// client lets one type).
fn check_name(path: &str, what: &str, name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid(path, format!("the {what} name is empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            path,
            format!("the {what} name {name:?} has control characters, which Postman refuses"),
        ));
    }
    Ok(())
}

fn listed<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    paths.collect::<Vec<_>>().join(", ")
}

/// A file of a collection's v3 tree (relative to its directory); anything else there (an
/// editor's file) is not Postman's.
pub(super) fn is_tree_file(rel: &str) -> bool {
    rel.ends_with(".yaml") || rel == v3::extras::FILE
}

/// `name` is directly in `dir` and ends in one of `suffixes`.
pub(super) fn directly_in(path: &str, dir: &str, suffixes: &[&str]) -> bool {
    path.strip_prefix(dir)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|name| !name.contains('/') && suffixes.iter().any(|s| name.ends_with(s)))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

struct Reader<'a> {
    files: &'a [File],
    resources: &'a Resources,
}

impl Reader<'_> {
    fn mapped(&self, kind: Kind) -> impl Iterator<Item = (&String, &String)> {
        self.resources.cloud.get(&kind).into_iter().flatten()
    }

    fn id(&self, kind: Kind, path: &str) -> Option<String> {
        self.resources.cloud.get(&kind)?.get(path).cloned()
    }

    /// Files directly in `dir` whose names end in one of `suffixes`, and the files
    /// `.postman/resources.yaml` maps for `kind` anywhere.
    fn direct(&self, dir: &str, suffixes: &[&str], kind: Kind) -> Vec<&File> {
        self.files
            .iter()
            .filter(|f| directly_in(&f.path, dir, suffixes) || self.id(kind, &f.path).is_some())
            .collect()
    }

    fn specs(&self) -> Result<Vec<Found<Spec>>, Error> {
        let prefix = format!("{SPECS_DIR}/");
        let mut single = Vec::new();
        let mut dirs: BTreeMap<String, Vec<&File>> = BTreeMap::new();
        for f in self.files {
            match f.path.strip_prefix(&prefix) {
                Some(rest) => match rest.split_once('/') {
                    None if spec::is_spec_file(rest) => single.push(f),
                    Some((dir, _)) if spec::is_spec_file(rest) => {
                        dirs.entry(format!("{prefix}{dir}")).or_default().push(f)
                    }
                    _ => {}
                },
                None if self.id(Kind::Specs, &f.path).is_some() => single.push(f),
                None => {}
            }
        }
        let mut out = Vec::new();
        for f in single {
            checked(&f.path)?;
            spec::check_file(&f.path, &f.bytes)?;
            let name = file_name(&f.path);
            let name = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            check_name(&f.path, "spec", name)?;
            let hub_path = self
                .resources
                .spec_file_names
                .get(&f.path)
                .cloned()
                .unwrap_or_else(|| file_name(&f.path).to_string());
            out.push(Found {
                path: f.path.clone(),
                value: Spec {
                    id: self.id(Kind::Specs, &f.path),
                    name: name.to_string(),
                    spec_type: spec::spec_type(&f.path, &f.bytes)?,
                    files: vec![SpecFile {
                        path: hub_path,
                        content: f.bytes.clone(),
                        root: true,
                    }],
                },
            });
        }
        for (dir, files) in dirs {
            out.push(self.spec_dir(&dir, &files)?);
        }
        Ok(out)
    }

    fn spec_dir(&self, dir: &str, files: &[&File]) -> Result<Found<Spec>, Error> {
        for f in files {
            checked(&f.path)?;
            spec::check_file(&f.path, &f.bytes)?;
        }
        let inside = format!("{dir}/");
        let recorded: Vec<(&String, &String)> = self
            .mapped(Kind::Specs)
            .filter(|(p, _)| p.starts_with(&inside) || *p == dir)
            .collect();
        if recorded.len() > 1 {
            return Err(Error::invalid(
                RESOURCES_FILE,
                format!(
                    "maps more than one file of the spec {dir} (one ROOT per spec): {}",
                    listed(recorded.iter().map(|(p, _)| p.as_str()))
                ),
            ));
        }
        let id = recorded.first().map(|(_, id)| (*id).clone());
        let mapped = recorded
            .first()
            .map(|(p, _)| p.as_str())
            .filter(|p| *p != dir);
        // The mapped ROOT, else (a new spec, or one whose ROOT git moved) its one document.
        let root = match mapped.and_then(|root| files.iter().find(|f| f.path == root)) {
            Some(root) => *root,
            None => {
                let why = match mapped {
                    Some(root) => {
                        format!(" ({RESOURCES_FILE} maps {root}, which the commit does not have)")
                    }
                    None => String::new(),
                };
                let candidates: Vec<&&File> = files
                    .iter()
                    .filter(|f| spec::could_be_root(&f.path, &f.bytes))
                    .collect();
                match candidates.as_slice() {
                    [one] => **one,
                    [] => {
                        return Err(Error::invalid(
                            dir,
                            format!("no ROOT: none of the spec's files is an OpenAPI, Swagger or AsyncAPI document{why}"),
                        ))
                    }
                    many => {
                        return Err(Error::invalid(
                            dir,
                            format!(
                                "more than one file could be the spec's ROOT ({}){why}; a spec has exactly one: map it in {RESOURCES_FILE}",
                                listed(many.iter().map(|f| f.path.as_str()))
                            ),
                        ));
                    }
                }
            }
        };
        let name = file_name(dir);
        check_name(dir, "spec", name)?;
        Ok(Found {
            path: dir.to_string(),
            value: Spec {
                id,
                name: name.to_string(),
                spec_type: spec::spec_type(&root.path, &root.bytes)?,
                files: files
                    .iter()
                    .map(|f| SpecFile {
                        path: f.path[inside.len()..].to_string(),
                        content: f.bytes.clone(),
                        root: f.path == root.path,
                    })
                    .collect(),
            },
        })
    }

    fn collections(&self) -> Result<Vec<Found<Collection>>, Error> {
        let mut dirs: BTreeMap<String, Vec<v3::File>> = BTreeMap::new();
        for (dir, _) in self.mapped(Kind::Collections) {
            dirs.insert(dir.clone(), Vec::new());
        }
        let prefix = format!("{COLLECTIONS_DIR}/");
        for f in self.files {
            let dir = match f.path.strip_prefix(&prefix).and_then(|r| r.split_once('/')) {
                Some((d, _)) => format!("{prefix}{d}"),
                None => match dirs.keys().find(|d| f.path.starts_with(&format!("{d}/"))) {
                    Some(d) => d.clone(),
                    None => continue,
                },
            };
            let rel = &f.path[dir.len() + 1..];
            if !is_tree_file(rel) {
                continue;
            }
            checked(&f.path)?;
            dirs.entry(dir).or_default().push(v3::File {
                path: rel.to_string(),
                bytes: f.bytes.clone(),
            });
        }
        let mut out = Vec::new();
        for (dir, files) in dirs.into_iter().filter(|(_, files)| !files.is_empty()) {
            let json = v3::to_v2(file_name(&dir), &files).map_err(|e| match e {
                v3::Error::Yaml {
                    path,
                    line,
                    message,
                } => Error::Parse {
                    path: format!("{dir}/{path}"),
                    line,
                    message,
                },
                other => Error::invalid(&dir, other.to_string()),
            })?;
            #[derive(serde::Deserialize)]
            struct Head {
                info: Info,
            }
            #[derive(serde::Deserialize)]
            struct Info {
                name: String,
            }
            let head: Head =
                serde_json::from_str(&json).map_err(|e| Error::invalid(&dir, e.to_string()))?;
            check_name(&dir, "collection", &head.info.name)?;
            out.push(Found {
                value: Collection {
                    id: self.id(Kind::Collections, &dir),
                    name: head.info.name,
                    json,
                },
                path: dir,
            });
        }
        Ok(out)
    }

    fn environments(&self) -> Result<Vec<Found<Environment>>, Error> {
        self.direct(ENVIRONMENTS_DIR, &ENVIRONMENT_SUFFIXES, Kind::Environments)
            .into_iter()
            .map(|f| {
                checked(&f.path)?;
                let (name, values) = environment::parse(&f.path, &f.bytes)?;
                check_name(&f.path, "environment", &name)?;
                Ok(Found {
                    path: f.path.clone(),
                    value: Environment {
                        id: self.id(Kind::Environments, &f.path),
                        name,
                        values,
                    },
                })
            })
            .collect()
    }

    fn globals(&self) -> Result<Option<Found<Globals>>, Error> {
        let files = self.direct(GLOBALS_DIR, &GLOBALS_SUFFIXES, Kind::Globals);
        let f = match files.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            many => {
                return Err(Error::invalid(
                    GLOBALS_DIR,
                    format!(
                        "a workspace has one set of globals, not {}: {}",
                        many.len(),
                        listed(many.iter().map(|f| f.path.as_str()))
                    ),
                ));
            }
        };
        checked(&f.path)?;
        let (_, values) = environment::parse(&f.path, &f.bytes)?;
        Ok(Some(Found {
            path: f.path.clone(),
            value: Globals {
                id: self.id(Kind::Globals, &f.path),
                values,
            },
        }))
    }
}
