//! `git postman connect` of an API of the API Builder: the schema root and its `$ref`
//! closure, the collection directory, the other APIs of the branch, Postman's API read
//! and compared; `.postman/api` and `.postman/api_<apiId>` as Postman's integration
//! writes them.

use std::collections::BTreeSet;
use std::io::Write;

use gix::ObjectId;

use super::super::cli::ConnectArgs;
use super::super::compare::{self, Difference};
use super::super::kind::describe;
use super::super::workspace::{self, PostmanRemote, Workspace};
use super::super::{dotfiles, server};
use super::{report_differences, Connected, Connection};
use crate::layout::dotpostman::{self, ApiEntityData, CollectionEntry, INDEX_PATH};
use crate::layout::managed::{self, display_dir, is_under, ManagedSet};
use crate::layout::mapping::{
    normalize_dir, CollectionFormat, DefinitionState, Mapping, Overrides,
};
use crate::postman::model::Api;
use crate::postman::{self, apikey};
use crate::remote::api_builder::snapshot::{Reader, Snapshot, Which};
use crate::remote::api_builder::{history, ApiLayout};
use crate::remote::progress::Progress;
use crate::remote::url::{RemoteUrl, Target};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Schema(#[from] managed::Error),
    #[error(transparent)]
    DotFiles(#[from] dotfiles::Error),
    #[error(transparent)]
    Compare(#[from] compare::Error),
    #[error(transparent)]
    Postman(#[from] postman::Error),
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    #[error(
        "--schema-file is required: the repository has no .postman/api_{0} to take the layout from"
    )]
    SchemaFileRequired(String),
    #[error("the collection directory cannot be the repository root: every *.json file there would belong to Postman")]
    CollectionDirIsRoot,
    #[error("the collection directory {0} is inside .git or .postman")]
    CollectionDirReserved(String),
    #[error("the collection directory {dir} contains {file}, a schema file of this API: collections and schema files must be apart")]
    CollectionDirHasSchema { dir: String, file: String },
    #[error("{what} is already mapped by remote {remote} ({other}) on this branch: each API needs its own files (or its own branch, --branch)")]
    Overlap {
        what: String,
        remote: String,
        other: String,
    },
    #[error("no API {api_id} on {server}: {detail}")]
    NoSuchApi {
        api_id: String,
        server: String,
        detail: String,
    },
}

/// An API's connection, worked out: what connect writes and what it reports.
pub(super) struct ApiConnection {
    api: Api,
    plan: Plan,
    index: String,
    entity: ApiEntityData,
    differences: Option<Vec<Difference>>,
}

/// Checks the working tree and reads the API from Postman (the key must work).
pub(super) fn prepare(
    ws: &Workspace,
    args: &ConnectArgs,
    url: &RemoteUrl,
    remotes: &[PostmanRemote],
    branch: &str,
    base: ObjectId,
) -> Result<ApiConnection, Error> {
    let plan = Plan::make(ws, args, &url.api_id)?;
    check_overlaps(ws, &plan, remotes, branch)?;

    // Postman: the API must exist (and the key work) before anything is written.
    let postman = PostmanSide::read(ws, url)?;
    let entity = plan.entity_data(&url.api_id, postman.snapshot.as_ref());
    let index = dotfiles::index_with(ws, &url.api_id)?;
    let differences = match &postman.snapshot {
        Some(snapshot) => {
            Some(plan.differences(ws, &postman.memory, base, snapshot, &entity, &index)?)
        }
        None => None,
    };
    Ok(ApiConnection {
        api: postman.api,
        plan,
        index,
        entity,
        differences,
    })
}

impl Connection for ApiConnection {
    fn settings(&self) -> Vec<(&'static str, String)> {
        let o = &self.plan.overrides;
        [
            ("postmanSchemaDirectory", o.schema_dir.clone()),
            ("postmanCollectionDirectory", o.collection_dir.clone()),
            ("postmanRootFile", o.root_file.clone()),
            (
                "postmanCollectionFormat",
                o.collection_format.map(|f| f.name().to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect()
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            (INDEX_PATH.to_string(), self.index.clone().into_bytes()),
            (
                dotpostman::entity_path(&self.entity.api_id),
                self.entity.render().into_bytes(),
            ),
        ]
    }

    fn report(&self, out: &mut dyn Write, at: &Connected<'_>) -> std::io::Result<()> {
        report(out, self, at)
    }
}

/// What connect will record, worked out from the arguments and the working tree.
struct Plan {
    /// The schema root and its closure; `None` for an API with collections only.
    managed: Option<ManagedSet>,
    collection_dir: String,
    /// The `*.json` files under the collection directory (repository paths) and the
    /// collection each is, when known.
    collections: Vec<(String, Option<String>)>,
    /// The git config keys to set (`Overrides` doubles as their list).
    overrides: Overrides,
    /// The mapping the remote helper will resolve from those keys and the
    /// `.postman/api_<id>` connect writes.
    mapping: Mapping,
}

impl Plan {
    fn make(ws: &Workspace, args: &ConnectArgs, api_id: &str) -> Result<Plan, Error> {
        // A repository that Postman's integration wrote keeps the layout it recorded, read
        // as the remote helper reads it (else Postman's defaults).
        let existing = dotfiles::read_entity(ws, api_id)?;
        let recorded = Mapping::resolve(&Overrides::default(), existing.as_ref());
        let read = |path: &str| ws.read(path).map_err(|e| e.to_string());

        let managed = match (&args.schema_file, &existing) {
            (Some(file), _) => Some(managed::scan(&ws.repo_path(file)?, &read)?),
            (None, Some(e)) => match &recorded.root_file {
                Some(root) => {
                    let dir = &recorded.schema_dir;
                    let mut set = managed::scan_in_dir(root, dir, &read)?;
                    // Files Postman listed stay managed even when nothing refers to them.
                    for listed in &e.definition_files {
                        let path = e.definition_repo_path(listed);
                        if ws.read(&path)?.is_some() && managed::strip_dir(&path, dir).is_some() {
                            set.files.insert(path);
                        }
                    }
                    Some(set)
                }
                None => None,
            },
            (None, None) => return Err(Error::SchemaFileRequired(api_id.to_string())),
        };

        let collection_dir = match &args.collection_dir {
            Some(dir) => ws.repo_path(dir)?,
            None => recorded.collection_dir,
        };
        check_collection_dir(&collection_dir, managed.as_ref())?;

        let format = args
            .collection_format
            .as_deref()
            .and_then(CollectionFormat::parse);
        let collections = ws
            .collections_under(&collection_dir, format.unwrap_or_default())?
            .into_iter()
            .map(|path| {
                let id = collection_id(ws, existing.as_ref(), &collection_dir, &path);
                (path, id)
            })
            .collect();

        // The configVersion 1.0.0 form (definition `rootDirectory`) survives only when
        // no schema directory is configured, so it is left out of the config then.
        let keep_legacy_form = args.schema_file.is_none()
            && existing
                .as_ref()
                .is_some_and(|e| e.definition_root.is_some());
        let overrides = Overrides {
            schema_dir: managed
                .as_ref()
                .filter(|_| !keep_legacy_form)
                .map(|m| display_dir(&m.schema_dir).to_string()),
            collection_dir: Some(collection_dir.clone()),
            root_file: managed.as_ref().map(|m| m.root.clone()),
            collection_format: format,
        };
        let mapping = Mapping::resolve(&overrides, existing.as_ref());
        Ok(Plan {
            managed,
            collection_dir,
            collections,
            overrides,
            mapping,
        })
    }

    /// `.postman/api_<id>` as the remote helper would write it for the working tree's
    /// files: so a fetch of an unchanged API writes the very same bytes. The schema type
    /// is Postman's when it has a schema (fetch writes that one).
    fn entity_data(&self, api_id: &str, snapshot: Option<&Snapshot>) -> ApiEntityData {
        let postman_path = |repo_path: &str| {
            self.mapping
                .postman_path(repo_path)
                .unwrap_or(repo_path)
                .to_string()
        };
        let schema_type = snapshot
            .and_then(|s| s.schema.as_ref())
            .map(|s| s.schema_type.clone())
            .or_else(|| self.managed.as_ref().map(|m| m.schema_type.clone()));
        let state = DefinitionState {
            schema_type: self.managed.as_ref().and(schema_type),
            schema_files: self
                .managed
                .iter()
                .flat_map(|m| m.files.iter().map(|f| postman_path(f)))
                .collect(),
            root_file: self.managed.as_ref().map(|m| postman_path(&m.root)),
            collections: self
                .collections
                .iter()
                .filter_map(|(path, id)| {
                    Some(CollectionEntry {
                        id: full_uid(id.as_deref()?, snapshot),
                        path: managed::strip_dir(path, &self.collection_dir)?.to_string(),
                    })
                })
                .collect(),
        };
        self.mapping.entity_data(api_id, &state)
    }

    /// The working tree's mapped files as a tree (in memory), compared with Postman's.
    fn differences(
        &self,
        ws: &Workspace,
        memory: &gix::Repository,
        head: ObjectId,
        snapshot: &Snapshot,
        entity: &ApiEntityData,
        index: &str,
    ) -> Result<Vec<Difference>, Error> {
        let mut files = Vec::new();
        let mut paths: Vec<String> = self.managed.iter().flat_map(|m| m.files.clone()).collect();
        for (collection, _) in &self.collections {
            match self.mapping.collection_format {
                CollectionFormat::V2 => paths.push(collection.clone()),
                // A directory: every file in it.
                CollectionFormat::V3 => paths.extend(ws.files_under(collection, |_| true)?),
            }
        }
        for path in &paths {
            if let Some(bytes) = ws.read(path)? {
                files.push((path.clone(), bytes));
            }
        }
        files.push((INDEX_PATH.to_string(), index.as_bytes().to_vec()));
        files.push((
            dotpostman::entity_path(&entity.api_id),
            entity.render().into_bytes(),
        ));
        // What the collection directory holds of Postman's is the working tree's now.
        let stale = |base| Ok(history::postman_paths_under(memory, base, &self.mapping)?);
        let local = compare::local_tree(memory, Some(head), stale, &files)?;
        let layout = ApiLayout {
            api_id: entity.api_id.clone(),
            mapping: self.mapping.clone(),
        };
        Ok(compare::differences(memory, local, &layout, snapshot)?)
    }

    /// Every path this API maps: its schema files and its collection directory.
    fn footprint(&self) -> (BTreeSet<String>, String) {
        (
            self.managed
                .as_ref()
                .map(|m| m.files.clone())
                .unwrap_or_default(),
            self.collection_dir.clone(),
        )
    }
}

/// The collection a file under the collection directory is: the id Postman recorded for
/// its path, else the `_uid` Postman wrote into it, else (a v3 directory) the `id` of its
/// definition, the UID's own id ([`Plan::entity_data`] finds the UID); `None` for a new
/// collection (push creates it).
fn collection_id(
    ws: &Workspace,
    existing: Option<&ApiEntityData>,
    collection_dir: &str,
    path: &str,
) -> Option<String> {
    let rel = managed::strip_dir(path, collection_dir)?;
    if let Some(e) = existing {
        if normalize_dir(e.collections_root.as_deref().unwrap_or("")) == collection_dir {
            if let Some(entry) = e.collections.iter().find(|c| c.path == rel) {
                return Some(entry.id.clone());
            }
        }
    }
    let definition = format!("{path}/{}", crate::layout::v3::names::DEFINITION);
    if let Ok(Some(text)) = ws.read(&definition) {
        // Postman writes block style: the collection's id is the top-level `id:` line.
        let text = String::from_utf8_lossy(&text);
        let id = text.lines().find_map(|l| l.strip_prefix("id: "));
        return id.map(|id| id.trim().trim_matches(['\'', '"']).to_string());
    }
    let bytes = ws.read(path).ok()??;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value
        .pointer("/info/_uid")
        .and_then(|u| u.as_str())
        .map(str::to_string)
}

/// The UID of the collection `id` names: `id` itself, or the UID in `snapshot` whose own
/// id (after the owner) it is.
fn full_uid(id: &str, snapshot: Option<&Snapshot>) -> String {
    let collections = snapshot.iter().flat_map(|s| &s.collections);
    let mut owned = collections.filter(|c| crate::layout::collection::own_id(&c.uid) == id);
    match owned.next() {
        Some(c) => c.uid.clone(),
        None => id.to_string(),
    }
}

fn check_collection_dir(dir: &str, managed: Option<&ManagedSet>) -> Result<(), Error> {
    if dir.is_empty() {
        return Err(Error::CollectionDirIsRoot);
    }
    let first = dir.split('/').next().unwrap_or("");
    if first == ".git" || first == ".postman" {
        return Err(Error::CollectionDirReserved(dir.to_string()));
    }
    if let Some(file) = managed
        .iter()
        .flat_map(|m| m.files.iter())
        .find(|f| is_under(f, dir))
    {
        return Err(Error::CollectionDirHasSchema {
            dir: dir.to_string(),
            file: file.clone(),
        });
    }
    Ok(())
}

/// Two APIs on one branch must not share a file: a fetch of one would rewrite the
/// other's. Remotes pinned to another branch are not compared.
fn check_overlaps(
    ws: &Workspace,
    plan: &Plan,
    remotes: &[PostmanRemote],
    branch: &str,
) -> Result<(), Error> {
    let (mine, my_collections) = plan.footprint();
    for other in remotes {
        if other.branch.as_deref().is_some_and(|b| b != branch) {
            continue;
        }
        let (theirs, their_collections) = footprint_of(ws, other)?;
        let clash = |what: String| Error::Overlap {
            what,
            remote: other.name.clone(),
            other: describe(&other.target),
        };
        if let Some(f) = mine.iter().find(|f| theirs.contains(*f)) {
            return Err(clash(format!("schema file {f}")));
        }
        if let Some(f) = mine.iter().find(|f| is_under(f, &their_collections)) {
            return Err(clash(format!("{f} (in its collection directory)")));
        }
        if is_under(&my_collections, &their_collections)
            || is_under(&their_collections, &my_collections)
        {
            return Err(clash(format!("collection directory {my_collections}")));
        }
        if let Some(f) = theirs.iter().find(|f| is_under(f, &my_collections)) {
            return Err(clash(format!(
                "its schema file {f} (in collection directory {my_collections})"
            )));
        }
    }
    Ok(())
}

/// Another remote's schema files and collection directory, as the remote helper
/// resolves them (config, else its `.postman/api_<id>`, else defaults). A workspace
/// owns Native Git's folder (`postman/`) and `.postman/resources.yaml`.
pub(super) fn footprint_of(
    ws: &Workspace,
    other: &PostmanRemote,
) -> Result<(BTreeSet<String>, String), Error> {
    let api_id = match &other.target {
        Target::Api(url) => &url.api_id,
        Target::Workspace { .. } => {
            let files = [crate::layout::workspace::RESOURCES_FILE.to_string()];
            return Ok((files.into(), super::workspaces::NATIVE_GIT_DIR.to_string()));
        }
    };
    let entity = dotfiles::read_entity(ws, api_id)?;
    let mapping = Mapping::resolve(&other.overrides, entity.as_ref());
    let mut files: BTreeSet<String> = entity
        .iter()
        .flat_map(|e| e.definition_files.iter().map(|f| e.definition_repo_path(f)))
        .collect();
    if let Some(root) = &mapping.root_file {
        let read = |path: &str| ws.read(path).map_err(|e| e.to_string());
        match managed::scan_in_dir(root, &mapping.schema_dir, &read) {
            Ok(set) => files.extend(set.files),
            Err(_) => {
                files.insert(root.clone());
            }
        }
    }
    Ok((files, mapping.collection_dir))
}

/// The API as Postman has it, read with an object store in memory.
struct PostmanSide {
    api: Api,
    /// `None` when the API has neither a schema nor collections.
    snapshot: Option<Snapshot>,
    memory: gix::Repository,
}

impl PostmanSide {
    fn read(ws: &Workspace, url: &RemoteUrl) -> Result<PostmanSide, Error> {
        let (client, api) = apikey::first_request(&url.base, |c| c.api(&url.api_id))?;
        let api = match api {
            Err(postman::Error::Status {
                status: 404,
                message,
                ..
            }) => {
                return Err(Error::NoSuchApi {
                    api_id: url.api_id.clone(),
                    server: server::display(&url.base),
                    detail: message,
                })
            }
            other => other?,
        };
        if api.is_git_linked() {
            return Err(postman::Error::GitLinked { api_id: api.id }.into());
        }
        let memory = ws.repo.clone().with_object_memory();
        let snapshot = if api.schemas.is_empty() && api.collections.is_empty() {
            None
        } else {
            let reader = Reader {
                client: &client,
                repo: &memory,
            };
            Some(reader.read(
                &api,
                Which::Current,
                &Default::default(),
                &mut Progress::off(),
            )?)
        };
        Ok(PostmanSide {
            api,
            snapshot,
            memory,
        })
    }
}

fn report(out: &mut dyn Write, r: &ApiConnection, at: &Connected<'_>) -> std::io::Result<()> {
    let remote = at.remote;
    let api_id = &r.entity.api_id;
    writeln!(
        out,
        "Connected Postman API {:?} ({api_id}) as remote {remote} ({}).",
        r.api.name, at.url
    )?;
    match &r.plan.managed {
        Some(m) => {
            let others = m.files.len() - 1;
            writeln!(
                out,
                "  schema       {} ({}){}; schema directory {}",
                m.root,
                m.schema_type,
                match others {
                    0 => String::new(),
                    1 => " and 1 file it references".into(),
                    n => format!(" and {n} files it references"),
                },
                display_dir(&r.plan.mapping.schema_dir)
            )?;
        }
        None => writeln!(out, "  schema       none")?,
    }
    writeln!(
        out,
        "  collections  {} ({} file{})",
        r.plan.collection_dir,
        r.plan.collections.len(),
        if r.plan.collections.len() == 1 {
            ""
        } else {
            "s"
        }
    )?;
    writeln!(
        out,
        "  branch       {} (base {}: the first fetch builds on it)",
        at.branch,
        at.base
            .map(crate::remote::tree::short_id)
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "Wrote {INDEX_PATH} and {}; commit them:\n  git add .postman && git commit -m \"Connect {} to Postman\"",
        dotpostman::entity_path(api_id),
        r.api.name.replace('"', "'")
    )?;
    writeln!(out)?;

    report_differences(
        out,
        at,
        r.differences.as_deref(),
        "Postman has no schema and no collections for this API yet.",
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_dir_rules() {
        let set = ManagedSet {
            root: "api/openapi.yaml".into(),
            schema_dir: "api".into(),
            files: ["api/openapi.yaml".to_string(), "api/c/x.json".to_string()].into(),
            schema_type: "openapi:3".into(),
        };
        assert!(matches!(
            check_collection_dir("", Some(&set)),
            Err(Error::CollectionDirIsRoot)
        ));
        assert!(matches!(
            check_collection_dir("api/c", Some(&set)),
            Err(Error::CollectionDirHasSchema { .. })
        ));
        assert!(matches!(
            check_collection_dir(".postman/x", None),
            Err(Error::CollectionDirReserved(_))
        ));
        assert!(check_collection_dir("api/collections", Some(&set)).is_ok());
        assert_eq!(normalize_dir("./a/b/"), "a/b");
        assert_eq!(normalize_dir("."), "");
    }
}
