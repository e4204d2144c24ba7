//! Reading one Postman state (the API's current state, or a published version) into
//! blobs: schema files verbatim, collections in the form Postman commits them.
//!
//! Schema listings carry `updatedAt`, so a file unchanged since the last fetch is not
//! downloaded again (its blob comes from the cache); collections need one look each,
//! because the API lists only their ids.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use gix::ObjectId;

use super::history;
use crate::layout::{collection, paths};
use crate::postman::model::{Api, IdRef, SchemaFileEntry};
use crate::postman::{time, Client};
use crate::remote::progress::Progress;
use crate::remote::Error;

/// A Postman state, with every file already written to the object database.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub api_id: String,
    pub api_name: String,
    /// The latest `updatedAt` among the API, its schema and its collections (seconds).
    pub time: i64,
    pub schema: Option<SchemaState>,
    pub collections: Vec<CollectionState>,
}

#[derive(Debug, Clone)]
pub struct SchemaState {
    pub schema_type: String,
    pub files: Vec<FileState>,
    /// A file the API flagged as root, if it reports the flag.
    pub flagged_root: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FileState {
    /// The Postman path (already checked to be a safe relative path).
    pub path: String,
    pub updated_at: Option<String>,
    pub blob: ObjectId,
}

#[derive(Debug, Clone)]
pub struct CollectionState {
    pub uid: String,
    pub name: String,
    /// The collection file (v2.1 JSON) as Postman's git integration writes it.
    pub blob: ObjectId,
    /// Its Collection v3 tree, made from the file the first time a v3 mapping asks.
    v3: OnceCell<ObjectId>,
}

impl CollectionState {
    pub fn new(uid: String, name: String, blob: ObjectId) -> CollectionState {
        CollectionState {
            uid,
            name,
            blob,
            v3: OnceCell::new(),
        }
    }

    /// The collection as a Collection v3 tree (`layout::v3`), converted once.
    pub fn v3_tree(&self, repo: &gix::Repository) -> Result<ObjectId, Error> {
        // Made once; written again into a repository that lacks it (`list for-push`
        // converts into an in-memory object store, the push then reads the real one).
        if let Some(tree) = self.v3.get().filter(|t| repo.has_object(**t)) {
            return Ok(*tree);
        }
        let bytes = repo.find_blob(self.blob)?.take_data();
        let tree = history::v3_tree(repo, &bytes)
            .map_err(|e| Error::Postman(format!("collection {}: {e}", self.uid)))?;
        Ok(*self.v3.get_or_init(|| tree))
    }
}

/// Blobs of schema files seen before, by Postman path: reused when `updatedAt` matches.
pub type FileCache = BTreeMap<String, (String, ObjectId)>;

/// Which state to read.
pub enum Which<'a> {
    Current,
    Version {
        id: &'a str,
        created_at: Option<&'a str>,
        schemas: &'a [IdRef],
        collections: &'a [IdRef],
    },
}

pub struct Reader<'a> {
    pub client: &'a Client,
    pub repo: &'a gix::Repository,
}

/// A schema's listing, paths checked, with the blob of each file the cache still holds.
struct Listing {
    schema_id: String,
    schema_type: String,
    entries: Vec<(SchemaFileEntry, Option<ObjectId>)>,
}

impl Reader<'_> {
    /// Tells `progress` how many objects it downloads once the schema's listing is in,
    /// and of each download.
    pub fn read(
        &self,
        api: &Api,
        which: Which<'_>,
        cache: &FileCache,
        progress: &mut Progress,
    ) -> Result<Snapshot, Error> {
        let (version, schema_refs, collection_refs, first_time) = match &which {
            Which::Current => (
                None,
                api.schemas.as_slice(),
                api.collections.as_slice(),
                api.updated_at.clone(),
            ),
            Which::Version {
                id,
                created_at,
                schemas,
                collections,
            } => (
                Some(*id),
                *schemas,
                *collections,
                created_at.map(str::to_string),
            ),
        };
        // A published version's time is its creation; the current state's is the
        // latest `updatedAt` of the API, its schema and its collections.
        let mut times = vec![first_time];
        let listing = match schema_refs.first() {
            Some(schema_ref) => {
                Some(self.list_schema(api, &schema_ref.id, version, cache, &mut times)?)
            }
            None => None,
        };
        let downloads = listing.as_ref().map_or(0, |l| {
            l.entries
                .iter()
                .filter(|(_, cached)| cached.is_none())
                .count()
        }) + collection_refs.len();
        progress.expect(downloads);
        let schema = match listing {
            Some(listing) => Some(self.read_files(api, listing, version, progress)?),
            None => None,
        };
        let collections =
            self.read_collections(api, collection_refs, version, &mut times, progress)?;

        Ok(Snapshot {
            api_id: api.id.clone(),
            api_name: api.name.clone(),
            time: times
                .iter()
                .flatten()
                .filter_map(|t| time::parse(t))
                .max()
                .unwrap_or(0),
            schema,
            collections,
        })
    }

    /// The schema and its whole listing. Every path is checked before any file is read:
    /// one path Postman should not have sent stops the fetch before anything is written.
    fn list_schema(
        &self,
        api: &Api,
        schema_id: &str,
        version: Option<&str>,
        cache: &FileCache,
        times: &mut Vec<Option<String>>,
    ) -> Result<Listing, Error> {
        let schema = self.client.schema(&api.id, schema_id, version)?;
        if version.is_none() {
            times.push(schema.updated_at.clone());
        }
        let entries = self.client.schema_files(&api.id, &schema, version)?;
        paths::check_case_distinct(entries.iter().map(|e| e.path.as_str()))?;
        for entry in &entries {
            paths::check_relative(&entry.path)?;
        }
        Ok(Listing {
            entries: entries
                .into_iter()
                .map(|entry| {
                    let cached = cached_blob(self.repo, cache, &entry);
                    (entry, cached)
                })
                .collect(),
            schema_id: schema.id,
            schema_type: schema.schema_type,
        })
    }

    /// Schema files: from the cache when unchanged, else downloaded.
    fn read_files(
        &self,
        api: &Api,
        listing: Listing,
        version: Option<&str>,
        progress: &mut Progress,
    ) -> Result<SchemaState, Error> {
        let mut files = Vec::with_capacity(listing.entries.len());
        let mut flagged_root = None;
        for (entry, cached) in listing.entries {
            if entry.root.as_ref().is_some_and(|r| r.enabled) {
                flagged_root = Some(entry.path.clone());
            }
            let blob = match cached {
                Some(blob) => blob,
                None => {
                    let file = self.client.schema_file(
                        &api.id,
                        &listing.schema_id,
                        &entry.path,
                        version,
                    )?;
                    progress.tick();
                    write_blob(self.repo, file.content.as_bytes())?
                }
            };
            files.push(FileState {
                path: entry.path,
                updated_at: entry.updated_at,
                blob,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(SchemaState {
            schema_type: listing.schema_type,
            files,
            flagged_root,
        })
    }

    /// Each collection: one look, written in the form Postman commits it.
    fn read_collections(
        &self,
        api: &Api,
        refs: &[IdRef],
        version: Option<&str>,
        times: &mut Vec<Option<String>>,
        progress: &mut Progress,
    ) -> Result<Vec<CollectionState>, Error> {
        let mut collections = Vec::with_capacity(refs.len());
        for c in refs {
            let (state, updated_at) = self.read_collection(api, &c.id, version)?;
            progress.tick();
            if version.is_none() {
                times.push(updated_at);
            }
            collections.push(state);
        }
        collections.sort_by(|a, b| a.uid.cmp(&b.uid));
        Ok(collections)
    }

    /// One collection (one request), in the form Postman commits it, with its
    /// `updatedAt` (none in a version).
    pub fn read_collection(
        &self,
        api: &Api,
        id: &str,
        version: Option<&str>,
    ) -> Result<(CollectionState, Option<String>), Error> {
        let served = match version {
            None => self.client.collection(id)?,
            Some(v) => self.client.api_collection(&api.id, id, Some(v))?,
        };
        let broken = |e: collection::Error| Error::Postman(format!("collection {id}: {e}"));
        let info = served.info().map_err(broken)?;
        let text = |key: &str| info.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let uid = text("uid").unwrap_or_else(|| id.to_string());
        let name = text("name")
            .ok_or_else(|| Error::Postman(format!("collection {uid} has no info.name")))?;
        let bytes = served.file_bytes(&uid).map_err(broken)?;
        let state = CollectionState::new(uid, name, write_blob(self.repo, &bytes)?);
        Ok((state, text("updatedAt")))
    }
}

fn cached_blob(
    repo: &gix::Repository,
    cache: &FileCache,
    entry: &SchemaFileEntry,
) -> Option<ObjectId> {
    let (updated_at, blob) = cache.get(&entry.path)?;
    (Some(updated_at) == entry.updated_at.as_ref() && repo.has_object(blob)).then_some(*blob)
}

fn write_blob(repo: &gix::Repository, bytes: &[u8]) -> Result<ObjectId, Error> {
    Ok(repo.write_blob(bytes)?.detach())
}
