//! Where one API's files live in the repository (DESIGN, "Mapping").
//!
//! Schema file `p` (a Postman path) is repository path `S/p`; collection `n` is
//! `C/n.json`, or with the v3 collection format the directory `C/n/` (a Collection v3
//! tree, as Postman v12 keeps it). `S`, `C` and the root file come, in order, from git
//! config, from the `.postman/api_<id>` the remote last reported (else HEAD's), else
//! Postman's defaults; the format from git config only (default v2.1 JSON).

use std::collections::{BTreeMap, BTreeSet};

use super::dotpostman::{join, ApiEntityData, CollectionEntry};
use super::managed;
use super::paths;
use super::v3;

pub const DEFAULT_SCHEMA_DIR: &str = "postman/schemas";
pub const DEFAULT_COLLECTION_DIR: &str = "postman/collections";

/// Explicit settings (git config `remote.<name>.postman*`), each optional.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub schema_dir: Option<String>,
    pub collection_dir: Option<String>,
    pub root_file: Option<String>,
    pub collection_format: Option<CollectionFormat>,
}

/// How collections are kept in `C`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CollectionFormat {
    /// One v2.1 JSON file per collection, as Postman's API Builder git integration writes.
    #[default]
    V2,
    /// One Collection v3 YAML tree (a directory) per collection, as Postman v12 writes.
    V3,
}

impl CollectionFormat {
    /// The spellings `remote.<name>.postmanCollectionFormat` takes.
    pub const VALUES: [&'static str; 2] = ["v2.1", "v3"];

    /// Its name in git config.
    pub fn name(self) -> &'static str {
        match self {
            CollectionFormat::V2 => Self::VALUES[0],
            CollectionFormat::V3 => Self::VALUES[1],
        }
    }

    pub fn parse(value: &str) -> Option<CollectionFormat> {
        match value.trim().to_ascii_lowercase().as_str() {
            "v2.1" | "v2" | "json" => Some(CollectionFormat::V2),
            "v3" | "yaml" => Some(CollectionFormat::V3),
            _ => None,
        }
    }

    /// The path (relative to `C`) collection `name` is kept at.
    fn path_of(self, name: &str) -> String {
        match self {
            CollectionFormat::V2 => paths::collection_file(name),
            CollectionFormat::V3 => v3::names::collection_dir(name),
        }
    }
}

/// Whether the file at `rel` (a path below the collection directory `C`) is a
/// collection file: in the v2 format every `*.json` file below `C`, at any depth, is
/// one. The one place that says so: fetch, push, `connect` and its comparison ask it.
pub fn is_collection_file(rel: &str) -> bool {
    rel.ends_with(".json")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// `S`; empty for the repository root.
    pub schema_dir: String,
    /// `C`.
    pub collection_dir: String,
    /// The root file as a repository path, when known.
    pub root_file: Option<String>,
    /// The starting `.postman/api_<id>` was configVersion 1.0.0 with a definition
    /// `rootDirectory`: keep writing that form.
    pub definition_root_form: bool,
    pub collection_format: CollectionFormat,
}

impl Mapping {
    pub fn resolve(overrides: &Overrides, existing: Option<&ApiEntityData>) -> Mapping {
        let existing_root = existing.and_then(|e| {
            e.root_files
                .first()
                .or(e.definition_files.first())
                .map(|p| e.definition_repo_path(p))
        });
        let existing_schema_dir = existing.and_then(|e| {
            e.definition_root.clone().or_else(|| {
                existing_root
                    .as_deref()
                    .map(|r| managed::parent(r).to_string())
            })
        });
        let schema_dir = overrides
            .schema_dir
            .clone()
            .or(existing_schema_dir)
            .unwrap_or_else(|| DEFAULT_SCHEMA_DIR.into());
        let collection_dir = overrides
            .collection_dir
            .clone()
            .or_else(|| existing.and_then(|e| e.collections_root.clone()))
            .unwrap_or_else(|| DEFAULT_COLLECTION_DIR.into());
        Mapping {
            schema_dir: normalize_dir(&schema_dir),
            collection_dir: normalize_dir(&collection_dir),
            root_file: overrides.root_file.clone().or(existing_root),
            definition_root_form: overrides.schema_dir.is_none()
                && existing.is_some_and(|e| e.definition_root.is_some()),
            collection_format: overrides.collection_format.unwrap_or_default(),
        }
    }

    /// Repository path of the schema file at Postman path `p`.
    pub fn schema_path(&self, postman_path: &str) -> String {
        join(&self.schema_dir, postman_path)
    }

    /// The Postman path of a repository path under `S`, if it is under `S`.
    pub fn postman_path<'a>(&self, repo_path: &'a str) -> Option<&'a str> {
        managed::strip_dir(repo_path, &self.schema_dir)
    }

    /// Repository path of a collection file, relative path `rel` under `C`.
    pub fn collection_path(&self, rel: &str) -> String {
        join(&self.collection_dir, rel)
    }

    /// The `.postman/api_<id>` for this mapping and a Postman state.
    pub fn entity_data(&self, api_id: &str, state: &DefinitionState) -> ApiEntityData {
        let listed = |postman_path: &str| {
            if self.definition_root_form {
                postman_path.to_string()
            } else {
                self.schema_path(postman_path)
            }
        };
        ApiEntityData {
            api_id: api_id.to_string(),
            collections_root: Some(managed::display_dir(&self.collection_dir).to_string()),
            collections: state.collections.clone(),
            definition_root: self
                .definition_root_form
                .then(|| managed::display_dir(&self.schema_dir).to_string()),
            definition_files: state.schema_files.iter().map(|p| listed(p)).collect(),
            definition_type: state.schema_type.clone(),
            root_files: state.root_file.iter().map(|p| listed(p)).collect(),
        }
    }
}

/// What `.postman/api_<id>` records of a Postman state.
#[derive(Debug, Clone, Default)]
pub struct DefinitionState {
    pub schema_type: Option<String>,
    /// Postman paths.
    pub schema_files: Vec<String>,
    /// Postman path of the root file.
    pub root_file: Option<String>,
    /// Paths relative to `C`.
    pub collections: Vec<CollectionEntry>,
}

/// A directory as the mapping keeps it: no leading `./`, no slashes at the ends, and the
/// repository root (`.`, `./`, `/`) as the empty string.
pub fn normalize_dir(dir: &str) -> String {
    let d = dir.trim().trim_matches('/');
    let d = d.strip_prefix("./").unwrap_or(d);
    if d == "." {
        String::new()
    } else {
        d.to_string()
    }
}

/// Paths (relative to `C`) for collections, given as `(uid, name)`, in `format`: the
/// name's path, and for a name another collection already has, the name with the UID's
/// id appended, so the result does not depend on the order Postman lists them in.
pub fn collection_files(
    collections: &[(String, String)],
    format: CollectionFormat,
) -> Vec<CollectionEntry> {
    // Per path (case-insensitively: macOS and Windows), the smallest UID keeps it.
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (uid, name) in collections {
        let slot = owner
            .entry(format.path_of(name).to_lowercase())
            .or_insert(uid);
        *slot = (*slot).min(uid.as_str());
    }
    collections
        .iter()
        .map(|(uid, name)| {
            let plain = format.path_of(name);
            let path = if owner[&plain.to_lowercase()] == uid.as_str() {
                plain
            } else {
                // The UID's last group: short, and stable whatever the listing order.
                let short: String = uid
                    .rsplit('-')
                    .next()
                    .unwrap_or(uid)
                    .chars()
                    .take(12)
                    .collect();
                format.path_of(&format!("{name} ({short})"))
            };
            CollectionEntry {
                id: uid.clone(),
                path,
            }
        })
        .collect()
}

/// Resolves `reference` (relative to the directory of `from`) to a path; `None` when
/// it leaves the top.
pub fn resolve_ref(from: &str, reference: &str) -> Option<String> {
    let mut parts: Vec<&str> = managed::parent(from)
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    for component in reference.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The root file of a definition (Postman paths and contents) when Postman flags none
/// and none was known before: the one OpenAPI/Swagger/AsyncAPI document no other file
/// references (the shallowest, then the first by path, if several).
pub fn guess_root_file(files: &[(String, &[u8])]) -> Option<String> {
    let referenced: BTreeSet<String> = files
        .iter()
        .flat_map(|(path, bytes)| {
            managed::file_refs(path, bytes)
                .into_iter()
                .filter_map(|r| resolve_ref(path, &r))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut candidates: Vec<&String> = files
        .iter()
        .filter(|(path, bytes)| {
            !referenced.contains(path) && managed::schema_type(path, bytes).is_some()
        })
        .map(|(path, _)| path)
        .collect();
    candidates.sort_by_key(|p| (p.matches('/').count(), p.to_string()));
    candidates
        .first()
        .map(|p| p.to_string())
        .or_else(|| (files.len() == 1).then(|| files[0].0.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_from_postman_written_file() {
        let data = ApiEntityData {
            api_id: "x".into(),
            collections_root: Some("New Directory".into()),
            definition_files: vec!["index.yaml".into()],
            root_files: vec!["index.yaml".into()],
            ..Default::default()
        };
        let m = Mapping::resolve(&Overrides::default(), Some(&data));
        assert_eq!(m.schema_dir, "");
        assert_eq!(m.collection_dir, "New Directory");
        assert_eq!(m.schema_path("index.yaml"), "index.yaml");
        let state = DefinitionState {
            schema_type: Some("openapi:3".into()),
            schema_files: vec!["index.yaml".into()],
            root_file: Some("index.yaml".into()),
            collections: vec![],
        };
        assert_eq!(m.entity_data("x", &state).root_files, ["index.yaml"]);
    }

    #[test]
    fn defaults_and_overrides() {
        let m = Mapping::resolve(&Overrides::default(), None);
        assert_eq!(
            (m.schema_dir.as_str(), m.collection_dir.as_str()),
            (DEFAULT_SCHEMA_DIR, DEFAULT_COLLECTION_DIR)
        );
        let o = Overrides {
            schema_dir: Some(".".into()),
            ..Default::default()
        };
        assert_eq!(Mapping::resolve(&o, None).schema_dir, "");
        assert_eq!(
            Mapping::resolve(&o, None).postman_path("a/b.yaml"),
            Some("a/b.yaml")
        );
        assert_eq!(
            Mapping::resolve(&o, None).collection_format,
            CollectionFormat::V2
        );
        for (value, format) in [
            ("v3", Some(CollectionFormat::V3)),
            (" V2.1 ", Some(CollectionFormat::V2)),
            ("v4", None),
        ] {
            assert_eq!(CollectionFormat::parse(value), format, "{value}");
        }
    }

    #[test]
    fn refs_resolve_relative_to_their_file() {
        assert_eq!(
            resolve_ref("specs/index.yaml", "./common/e.yaml").as_deref(),
            Some("specs/common/e.yaml")
        );
        assert_eq!(resolve_ref("index.yaml", "../x.yaml"), None);
    }

    #[test]
    fn root_is_the_unreferenced_api_document() {
        let index = b"openapi: 3.0.0\npaths:\n  /a:\n    $ref: paths/a.yaml\n".as_slice();
        let a = b"get:\n  $ref: ../common/op.yaml\n".as_slice();
        let op = b"openapi: 3.0.0\n".as_slice();
        let files = vec![
            ("common/op.yaml".to_string(), op),
            ("index.yaml".to_string(), index),
            ("paths/a.yaml".to_string(), a),
        ];
        assert_eq!(guess_root_file(&files).as_deref(), Some("index.yaml"));
    }

    #[test]
    fn colliding_collection_names_get_distinct_files() {
        let collections = [
            ("1-bbb".into(), "Pets".into()),
            ("1-aaa".into(), "pets".into()),
            ("1-ccc".into(), "v1/Event".into()),
        ];
        for (format, expected) in [
            (
                CollectionFormat::V2,
                ["Pets (bbb).json", "pets.json", "v1/Event.json"],
            ),
            (CollectionFormat::V3, ["Pets (bbb)", "pets", "v1-Event"]),
        ] {
            let files = collection_files(&collections, format);
            let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
            assert_eq!(paths, expected, "{format:?}");
        }
    }
}
