//! An API Builder push: the writes that make Postman equal a pushed commit (git's rules
//! were checked before, [`crate::remote::push`]). Every managed file is validated before
//! the first write, so a push that cannot be fully validated sends nothing.

use std::collections::{BTreeMap, BTreeSet};

use gix::ObjectId;

use super::history;
use super::snapshot::Snapshot;
use crate::layout::collection;
use crate::layout::dotpostman::{self, ApiEntityData};
use crate::layout::managed;
use crate::layout::mapping::{self, CollectionFormat, Mapping};
use crate::layout::paths;
use crate::layout::v3;
use crate::layout::validate::{self, Invalid};
use crate::postman::Client;
use crate::remote::backend::{Creation, RemoteIds as CollectionFiles};
use crate::remote::view::Viewed;
use crate::remote::{tree, Error};

/// A write to Postman.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    CreateSchema {
        schema_type: String,
        files: Vec<(String, String, bool)>,
    },
    PutFile {
        path: String,
        content: String,
        blob: ObjectId,
    },
    DeleteFile {
        path: String,
    },
    /// `collection`: the collection's JSON text in the form the API takes.
    PutCollection {
        uid: String,
        collection: String,
    },
    CreateCollection {
        file: String,
        /// `info.name`: how a repeat finds it when the answer to the create was lost.
        name: String,
        collection: String,
    },
    DeleteCollection {
        uid: String,
    },
}

/// What the pushed commit asks of Postman, computed and validated before any write.
#[derive(Debug, Default)]
pub struct Plan {
    pub writes: Vec<Write>,
    /// The collection files the pushed tree keeps or updates, with their UIDs (those
    /// it creates get theirs from Postman: [`Applied::created`]).
    pub collection_files: CollectionFiles,
}

/// Compares the managed files of the pushed commit's tree as Postman sees it
/// ([`crate::remote::view::Trees::as_postman_sees`]) with the live state and lists the
/// writes that make Postman equal to it. Any invalid file is an error naming it. Files
/// equal to what Postman has are neither read nor sent.
/// `created`: collection files an interrupted push of this change already created in
/// Postman, with their UIDs.
pub fn plan(
    repo: &gix::Repository,
    viewed: &Viewed,
    live: &Snapshot,
    mapping: &Mapping,
    created: &CollectionFiles,
) -> Result<Plan, PlanError> {
    let pushed = Pushed::read(repo, viewed.tree, &live.api_id)?;
    let root = pushed.root(mapping);
    let desired = pushed.schema_files(mapping, root.as_deref())?;
    let mut writes = pushed.schema_writes(live, mapping, &desired, root.as_deref())?;
    let (collection_writes, seen) = pushed.collection_writes(live, mapping, viewed, created)?;
    writes.extend(collection_writes);
    let kept: BTreeSet<&String> = seen.keys().collect();

    // Deletions last: an interrupted push never loses what the commit still has.
    for file in live.schema.iter().flat_map(|s| &s.files) {
        if !desired.contains_key(&file.path) {
            writes.push(Write::DeleteFile {
                path: file.path.clone(),
            });
        }
    }
    for c in &live.collections {
        if !kept.contains(&c.uid) {
            writes.push(Write::DeleteCollection { uid: c.uid.clone() });
        }
    }
    let collection_files = seen.into_iter().map(|(uid, file)| (file, uid)).collect();
    Ok(Plan {
        writes,
        collection_files,
    })
}

/// The pushed tree: its files (one walk) and its `.postman/api_<id>`.
struct Pushed<'r> {
    repo: &'r gix::Repository,
    tree: ObjectId,
    blobs: BTreeMap<String, ObjectId>,
    entity: Option<ApiEntityData>,
}

impl<'r> Pushed<'r> {
    fn read(repo: &'r gix::Repository, tree: ObjectId, api_id: &str) -> Result<Self, PlanError> {
        let entity = history::entity_data(repo, tree, api_id).map_err(|e| match e {
            Error::DotPostman(e) => PlanError::DotPostman(e),
            other => PlanError::Other(other),
        })?;
        if let Some(e) = entity
            .as_ref()
            .filter(|e| !e.api_id.is_empty() && e.api_id != api_id)
        {
            return Err(Invalid {
                file: dotpostman::entity_path(api_id),
                what: format!("`[config] id` is {}, not this API ({api_id})", e.api_id),
            }
            .into());
        }
        Ok(Pushed {
            repo,
            tree,
            blobs: tree::blobs_by_path(repo, tree)?,
            entity,
        })
    }

    fn bytes(&self, path: &str) -> Result<Vec<u8>, PlanError> {
        Ok(self.repo.find_blob(self.blobs[path])?.take_data())
    }

    /// The root file (repository path): as `.postman/api_<id>` records it, else as the
    /// mapping knows it.
    fn root(&self, mapping: &Mapping) -> Option<String> {
        self.entity
            .as_ref()
            .and_then(|e| e.root_files.first().map(|r| e.definition_repo_path(r)))
            .or_else(|| mapping.root_file.clone())
    }

    /// The schema files, by Postman path, with their blobs: those `.postman/api_<id>`
    /// lists and the commit has, plus the root's `$ref` closure for definitions made of
    /// JSON or YAML documents (OpenAPI, AsyncAPI; GraphQL or protobuf are their listed
    /// files).
    fn schema_files(
        &self,
        mapping: &Mapping,
        root: Option<&str>,
    ) -> Result<BTreeMap<String, ObjectId>, PlanError> {
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        if let Some(e) = &self.entity {
            wanted.extend(
                e.definition_files
                    .iter()
                    .map(|f| e.definition_repo_path(f))
                    .filter(|p| self.blobs.contains_key(p)),
            );
        }
        let follows_refs = self
            .entity
            .as_ref()
            .and_then(|e| e.definition_type.as_deref())
            .is_none_or(|t| t.starts_with("openapi") || t.starts_with("asyncapi"));
        if let Some(root) = root.filter(|r| follows_refs && self.blobs.contains_key(*r)) {
            let read =
                |path: &str| tree::read_file(self.repo, self.tree, path).map_err(|e| e.to_string());
            wanted.extend(managed::scan_in_dir(root, &mapping.schema_dir, &read)?.files);
        }
        let mut desired = BTreeMap::new();
        for repo_path in wanted {
            let invalid = |what: String| Invalid {
                file: repo_path.clone(),
                what,
            };
            let postman_path = mapping.postman_path(&repo_path).ok_or_else(|| {
                invalid(format!(
                    "is outside the schema directory {:?}",
                    managed::display_dir(&mapping.schema_dir)
                ))
            })?;
            paths::check_relative(postman_path).map_err(|e| invalid(e.to_string()))?;
            desired.insert(postman_path.to_string(), self.blobs[&repo_path]);
        }
        paths::check_case_distinct(desired.keys().map(String::as_str)).map_err(|e| Invalid {
            file: managed::display_dir(&mapping.schema_dir).to_string(),
            what: e.to_string(),
        })?;
        Ok(desired)
    }

    /// Creates the schema (Postman has none yet) or puts each file whose content differs;
    /// only those files are read, and each must be text.
    fn schema_writes(
        &self,
        live: &Snapshot,
        mapping: &Mapping,
        desired: &BTreeMap<String, ObjectId>,
        root: Option<&str>,
    ) -> Result<Vec<Write>, PlanError> {
        let text = |postman_path: &str| -> Result<String, PlanError> {
            let repo_path = mapping.schema_path(postman_path);
            let bytes = self.bytes(&repo_path)?;
            Ok(validate::schema_file(&repo_path, &bytes)?.to_string())
        };
        let Some(schema) = &live.schema else {
            if desired.is_empty() {
                return Ok(Vec::new());
            }
            let root = root.and_then(|r| mapping.postman_path(r));
            let mut files = Vec::with_capacity(desired.len());
            for path in desired.keys() {
                files.push((path.clone(), text(path)?, Some(path.as_str()) == root));
            }
            let schema_type = self
                .entity
                .as_ref()
                .and_then(|e| e.definition_type.clone())
                .or_else(|| {
                    let (path, content, _) = files.iter().find(|(_, _, is_root)| *is_root)?;
                    managed::schema_type(path, content.as_bytes())
                })
                .ok_or_else(|| Invalid {
                    file: dotpostman::entity_path(&live.api_id),
                    what: "cannot tell the schema type: set `type` under [config.relations.apiDefinition.metaData]".into(),
                })?;
            return Ok(vec![Write::CreateSchema { schema_type, files }]);
        };
        let live_files: BTreeMap<&str, ObjectId> = schema
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.blob))
            .collect();
        let mut writes = Vec::new();
        for (path, blob) in desired {
            if live_files.get(path.as_str()) != Some(blob) {
                writes.push(Write::PutFile {
                    path: path.clone(),
                    content: text(path)?,
                    blob: *blob,
                });
            }
        }
        Ok(writes)
    }

    /// Collections: every `*.json` under `C`, or with the v3 format every directory right
    /// below `C`. A file (directory) identical to what Postman has is neither parsed nor
    /// sent; the others are validated (a v3 tree converted to v2.1 first) and put, or
    /// created. Which collection a file is: `.postman/api_<id>`, else what the push that
    /// made R recorded, else what an interrupted push created, else the file's `_uid`.
    /// The user's files go first: a file only the view supplied yields to one of them
    /// for the same collection. Returns the writes and the UIDs kept, each with its file.
    fn collection_writes(
        &self,
        live: &Snapshot,
        mapping: &Mapping,
        viewed: &Viewed,
        created: &CollectionFiles,
    ) -> Result<(Vec<Write>, BTreeMap<String, String>), PlanError> {
        let mut by_path: CollectionFiles = self
            .entity
            .iter()
            .flat_map(|e| {
                e.collections
                    .iter()
                    .map(|c| (e.collection_repo_path(c), c.id.clone()))
            })
            .collect();
        for (file, uid) in viewed.files.iter().chain(created) {
            by_path.entry(file.clone()).or_insert_with(|| uid.clone());
        }
        let v3 = mapping.collection_format == CollectionFormat::V3;
        let mut live_collections: BTreeMap<&str, ObjectId> = BTreeMap::new();
        for c in &live.collections {
            let object = if v3 { c.v3_tree(self.repo)? } else { c.blob };
            live_collections.insert(c.uid.as_str(), object);
        }
        let (mut files, from_view): (Vec<_>, Vec<_>) = self
            .collections(mapping)?
            .into_iter()
            .partition(|(path, _)| !self.supplied_by_view(viewed, path));
        files.extend(from_view);
        let names = V3Names::new(live, mapping, &by_path);
        // R's collections, read only when a file is new to it or only the view has it.
        let unsure =
            |file: &String| !by_path.contains_key(file) || self.supplied_by_view(viewed, file);
        let last = match files.iter().any(|(file, _)| unsure(file)) {
            true => self.last_collections(viewed, mapping)?,
            false => BTreeMap::new(),
        };
        let moved = self.moved_away(viewed, &last, &by_path, &files);
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut writes = Vec::new();
        for (file, object) in &files {
            // Only the view has it: a file of the user's for the same collection wins,
            // and a v3 directory R had that the user removed is gone, whatever files
            // Postman's copy has that R lacked (a definition with its id).
            if self.supplied_by_view(viewed, file)
                && (by_path.get(file).is_some_and(|uid| seen.contains_key(uid))
                    || last.contains_key(file))
            {
                continue;
            }
            let known = by_path
                .get(file)
                .filter(|uid| live_collections.get(uid.as_str()) == Some(object));
            if let Some(uid) = known {
                claim(&mut seen, uid, file)?;
                continue;
            }
            let bytes = match v3 {
                false => self.bytes(file)?,
                true => self.v3_as_v2(file, &names.of(file))?.into_bytes(),
            };
            let checked = validate::collection_file(file, &bytes)?;
            // A v3 tree has no `_uid`; its definition's `id` is the UID's own id, which
            // follows a renamed directory.
            let by_id = || {
                let id = checked.postman_id.as_deref().filter(|_| v3)?;
                let owned = |uid: &&&str| collection::own_id(uid) == id;
                live_collections.keys().find(owned).map(|u| u.to_string())
            };
            let uid = (by_path.get(file).cloned().or(checked.uid).or_else(by_id))
                .or_else(|| moved.get(object).cloned());
            let upload = |new| {
                collection::upload_json(checked.raw, new).map_err(|e| Invalid {
                    file: file.clone(),
                    what: e.to_string(),
                })
            };
            match uid.filter(|u| live_collections.contains_key(u.as_str())) {
                Some(uid) => {
                    claim(&mut seen, &uid, file)?;
                    writes.push(Write::PutCollection {
                        uid,
                        collection: upload(false)?,
                    });
                }
                None => writes.push(Write::CreateCollection {
                    file: file.clone(),
                    name: checked.name.clone(),
                    collection: upload(true)?,
                }),
            }
        }
        Ok((writes, seen))
    }

    /// R's own collections (files, or v3 directories) with their objects.
    fn last_collections(
        &self,
        viewed: &Viewed,
        mapping: &Mapping,
    ) -> Result<BTreeMap<String, ObjectId>, PlanError> {
        let Some(last) = viewed.last else {
            return Ok(BTreeMap::new());
        };
        let before = Pushed {
            repo: self.repo,
            tree: last,
            blobs: tree::blobs_by_path(self.repo, last)?,
            entity: None,
        };
        Ok(before.collections(mapping)?.into_iter().collect())
    }

    /// The collections of R (`last`) at a path where the pushed tree (the user's part of
    /// it) has none, by content (blob, or v3 tree), with their UIDs: a collection moved
    /// and otherwise unchanged (v3: its directory renamed) is the one R had, even when
    /// no fetch gave it an id to be found by yet (a `_uid`, a definition's `id`).
    fn moved_away(
        &self,
        viewed: &Viewed,
        last: &BTreeMap<String, ObjectId>,
        by_path: &CollectionFiles,
        files: &[(String, ObjectId)],
    ) -> BTreeMap<ObjectId, String> {
        let now: BTreeSet<&str> = files
            .iter()
            .map(|(path, _)| path.as_str())
            .filter(|path| !self.supplied_by_view(viewed, path))
            .collect();
        let mut moved = BTreeMap::new();
        for (path, object) in last {
            if let Some(uid) = by_path.get(path).filter(|_| !now.contains(path.as_str())) {
                moved.entry(*object).or_insert_with(|| uid.clone());
            }
        }
        moved
    }

    /// The collections of the pushed tree: `*.json` files under `C` with their blobs, or
    /// (v3) the directories right below `C` with their trees.
    fn collections(&self, mapping: &Mapping) -> Result<Vec<(String, ObjectId)>, PlanError> {
        let dir = &mapping.collection_dir;
        if dir.is_empty() {
            return Ok(Vec::new());
        }
        if mapping.collection_format == CollectionFormat::V3 {
            return Ok(tree::dirs_under(self.repo, self.tree, dir)?);
        }
        let prefix = format!("{dir}/");
        Ok(self
            .blobs
            .iter()
            .filter(|(path, _)| {
                path.strip_prefix(&prefix)
                    .is_some_and(mapping::is_collection_file)
            })
            .map(|(path, blob)| (path.clone(), *blob))
            .collect())
    }

    /// Whether collection `path` (a file, or a v3 directory: all of it) is only there
    /// because the view supplied it ([`Viewed::from_view`]).
    fn supplied_by_view(&self, viewed: &Viewed, path: &str) -> bool {
        if viewed.from_view.contains(path) {
            return true;
        }
        let prefix = format!("{path}/");
        let mut inside = self.blobs.keys().filter(|p| p.starts_with(&prefix));
        inside.next().is_some_and(|p| viewed.from_view.contains(p))
            && inside.all(|p| viewed.from_view.contains(p))
    }

    /// The v3 collection directory `dir` as v2.1 JSON ([`v3::to_v2`]), the collection
    /// named `name` unless its definition names it. A file that does not parse is named
    /// with its line.
    fn v3_as_v2(&self, dir: &str, name: &str) -> Result<String, PlanError> {
        let prefix = format!("{dir}/");
        let mut files = Vec::new();
        for (path, blob) in self.blobs.range(prefix.clone()..) {
            let Some(rel) = path.strip_prefix(&prefix) else {
                break;
            };
            files.push(v3::File {
                path: rel.to_string(),
                bytes: self.repo.find_blob(*blob)?.take_data(),
            });
        }
        orphan_examples(&prefix, &files)?;
        v3::to_v2(name, &files).map_err(|e| {
            let (file, what) = match e {
                v3::Error::Yaml {
                    path,
                    line,
                    message,
                } => (
                    format!(
                        "{prefix}{path}{}",
                        line.map(|l| format!(":{l}")).unwrap_or_default()
                    ),
                    message,
                ),
                other => (dir.to_string(), other.to_string()),
            };
            Invalid { file, what }.into()
        })
    }
}

/// Examples of a request file that is not there (renamed without its
/// `.resources/<request>.resources/`) would be dropped without a word: an error instead.
fn orphan_examples(prefix: &str, files: &[v3::File]) -> Result<(), Invalid> {
    let marker = format!("{}/", v3::names::RESOURCES);
    for f in files {
        let Some((dir, rest)) = f
            .path
            .split_once(&marker)
            .or_else(|| f.path.strip_prefix(&marker).map(|rest| ("", rest)))
        else {
            continue;
        };
        let Some((resources, _)) = rest.split_once('/') else {
            continue;
        };
        let Some(request) = resources.strip_suffix(v3::names::RESOURCES_SUFFIX) else {
            continue;
        };
        let owner = format!("{dir}{request}{}", v3::names::REQUEST_SUFFIX);
        if !files.iter().any(|g| g.path == owner) {
            return Err(Invalid {
                file: format!("{prefix}{}", f.path),
                what: format!(
                    "an example of {prefix}{owner}, which is not there; a renamed request file takes its {}{resources}/ along",
                    marker
                ),
            });
        }
    }
    Ok(())
}

/// The name a v3 collection directory gives its collection: the directory's own name,
/// except for the directory a fetch wrote for a collection (the name with a suffix when
/// two collections share it), which keeps the collection's name.
struct V3Names {
    /// Directory (repository path) -> the collection's name, as a fetch wrote them.
    fetched: BTreeMap<String, String>,
}

impl V3Names {
    fn new(live: &Snapshot, mapping: &Mapping, by_path: &CollectionFiles) -> V3Names {
        let listed: Vec<(String, String)> = live
            .collections
            .iter()
            .map(|c| (c.uid.clone(), c.name.clone()))
            .collect();
        let entries = mapping::collection_files(&listed, CollectionFormat::V3);
        let fetched = entries
            .into_iter()
            .zip(&live.collections)
            .map(|(entry, c)| (mapping.collection_path(&entry.path), c))
            .filter(|(dir, c)| by_path.get(dir) == Some(&c.uid))
            .map(|(dir, c)| (dir, v3::names::collection_dir(&c.name)))
            .collect();
        V3Names { fetched }
    }

    fn of(&self, dir: &str) -> String {
        self.fetched
            .get(dir)
            .cloned()
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string())
    }
}

/// Records that `file` is collection `uid`; two files for one collection is an error.
fn claim(seen: &mut BTreeMap<String, String>, uid: &str, file: &str) -> Result<(), Invalid> {
    match seen.insert(uid.to_string(), file.to_string()) {
        Some(other) => Err(Invalid {
            file: file.to_string(),
            what: format!("is the same collection ({uid}) as {other}"),
        }),
        None => Ok(()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// `.postman/api_<id>` does not parse (the message names file and line).
    #[error(transparent)]
    DotPostman(#[from] dotpostman::Error),
    /// The schema's `$ref`s: a missing file, a reference leaving the schema directory...
    #[error(transparent)]
    Refs(#[from] managed::Error),
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<gix::Error> for PlanError {
    fn from(e: gix::Error) -> Self {
        PlanError::Other(e.into())
    }
}

/// What Postman answered to the writes of a push.
#[derive(Debug, Default)]
pub struct Applied {
    /// Each schema file written, with its new `updatedAt` and blob.
    pub files: Vec<(String, Option<String>, ObjectId)>,
    /// Each collection file created, with the collection's UID.
    pub created: CollectionFiles,
}

/// Applies the writes in order. `journal` hears of each collection creation before the
/// request goes out and as soon as Postman answers.
pub fn apply(
    client: &Client,
    api_id: &str,
    schema_id: Option<&str>,
    plan: &Plan,
    journal: &mut dyn FnMut(Creation) -> Result<(), Error>,
) -> Result<Applied, Error> {
    let mut applied = Applied::default();
    let mut schema_id = schema_id.map(str::to_string);
    let need_schema = || Error::Postman("the API has no schema to write files into".into());
    for write in &plan.writes {
        match write {
            Write::CreateSchema { schema_type, files } => {
                schema_id = Some(client.create_schema(api_id, schema_type, files)?);
            }
            Write::PutFile {
                path,
                content,
                blob,
            } => {
                let sid = schema_id.as_deref().ok_or_else(need_schema)?;
                let updated = client.put_schema_file(api_id, sid, path, content)?;
                applied.files.push((path.clone(), updated, *blob));
            }
            Write::DeleteFile { path } => {
                let sid = schema_id.as_deref().ok_or_else(need_schema)?;
                client.delete_schema_file(api_id, sid, path)?;
            }
            Write::PutCollection { uid, collection } => client.put_collection(uid, collection)?,
            Write::CreateCollection {
                file,
                name,
                collection,
            } => {
                journal(Creation::Sending { file, name })?;
                let uid = client.create_api_collection(api_id, collection)?;
                journal(Creation::Created { file, uid: &uid })?;
                applied.created.insert(file.clone(), uid);
            }
            Write::DeleteCollection { uid } => client.delete_collection(uid)?,
        }
    }
    Ok(applied)
}
