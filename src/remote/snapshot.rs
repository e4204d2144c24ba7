//! Reading one Postman state (the API's current state, or a published version) into
//! blobs: schema files verbatim, collections in the form Postman commits them.
//!
//! Schema listings carry `updatedAt`, so a file unchanged since the last fetch is not
//! downloaded again (its blob comes from the cache); collections need one look each,
//! because the API lists only their ids.

use std::collections::BTreeMap;

use gix::ObjectId;

use super::progress::Progress;
use super::Error;
use crate::layout::{collection, paths};
use crate::postman::model::{Api, IdRef, SchemaFileEntry};
use crate::postman::Client;

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
    pub blob: ObjectId,
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
    pub progress: bool,
}

impl Reader<'_> {
    pub fn read(&self, api: &Api, which: Which<'_>, cache: &FileCache) -> Result<Snapshot, Error> {
        let (version, schema_refs, collection_refs) = match &which {
            Which::Current => (None, api.schemas.as_slice(), api.collections.as_slice()),
            Which::Version {
                id,
                schemas,
                collections,
                ..
            } => (Some(*id), *schemas, *collections),
        };
        let mut times: Vec<Option<String>> = match &which {
            Which::Current => vec![api.updated_at.clone()],
            Which::Version { created_at, .. } => vec![created_at.map(str::to_string)],
        };

        let schema = match schema_refs.first() {
            None => None,
            Some(schema_ref) => {
                let schema = self.client.schema(&api.id, &schema_ref.id, version)?;
                if version.is_none() {
                    times.push(schema.updated_at.clone());
                }
                let listing = self.client.schema_files(&api.id, &schema, version)?;
                Some((schema.schema_type, schema.id, listing))
            }
        };

        let to_download = schema
            .as_ref()
            .map(|(_, _, listing)| {
                listing
                    .iter()
                    .filter(|f| cached_blob(self.repo, cache, f).is_none())
                    .count()
            })
            .unwrap_or(0)
            + collection_refs.len();
        let mut progress = Progress::new(self.progress, "Receiving objects", to_download);

        let schema = match schema {
            None => None,
            Some((schema_type, schema_id, listing)) => {
                let mut files = Vec::with_capacity(listing.len());
                let mut flagged_root = None;
                for entry in &listing {
                    paths::check_relative(&entry.path)?;
                    if entry.root.as_ref().is_some_and(|r| r.enabled) {
                        flagged_root = Some(entry.path.clone());
                    }
                    let blob = match cached_blob(self.repo, cache, entry) {
                        Some(blob) => blob,
                        None => {
                            let file = self.client.schema_file(
                                &api.id,
                                &schema_id,
                                &entry.path,
                                version,
                            )?;
                            progress.tick();
                            write_blob(self.repo, file.content.as_bytes())?
                        }
                    };
                    files.push(FileState {
                        path: entry.path.clone(),
                        updated_at: entry.updated_at.clone(),
                        blob,
                    });
                }
                files.sort_by(|a, b| a.path.cmp(&b.path));
                Some(SchemaState {
                    schema_type,
                    files,
                    flagged_root,
                })
            }
        };

        let mut collections = Vec::with_capacity(collection_refs.len());
        for c in collection_refs {
            let served = match version {
                None => self.client.collection(&c.id)?,
                Some(v) => self.client.api_collection(&api.id, &c.id, Some(v))?,
            };
            progress.tick();
            let broken = |e: collection::Error| Error::Postman(format!("collection {}: {e}", c.id));
            let info = served.info().map_err(broken)?;
            let text = |key: &str| info.get(key).and_then(|v| v.as_str()).map(str::to_string);
            if version.is_none() {
                times.push(text("updatedAt"));
            }
            let uid = text("uid").unwrap_or_else(|| c.id.clone());
            let name = text("name")
                .ok_or_else(|| Error::Postman(format!("collection {uid} has no info.name")))?;
            let bytes = served.file_bytes(&uid).map_err(broken)?;
            collections.push(CollectionState {
                uid,
                name,
                blob: write_blob(self.repo, &bytes)?,
            });
        }
        collections.sort_by(|a, b| a.uid.cmp(&b.uid));
        progress.finish();

        let time = times
            .iter()
            .flatten()
            .filter_map(|t| parse_timestamp(t))
            .max()
            .unwrap_or(0);
        Ok(Snapshot {
            api_id: api.id.clone(),
            api_name: api.name.clone(),
            time,
            schema,
            collections,
        })
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

/// Seconds since the epoch of an RFC 3339 timestamp as Postman writes them
/// (`2024-01-01T00:00:05.000Z`, or with an offset).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, "Z"),
    };
    let mut c = clock.splitn(3, ':');
    let hh: i64 = c.next()?.parse().ok()?;
    let mm: i64 = c.next()?.parse().ok()?;
    let ss: i64 = c.next().unwrap_or("0").split('.').next()?.parse().ok()?;
    let offset_secs = match offset.as_bytes().first() {
        Some(b'+') | Some(b'-') => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits: String = offset[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            let oh: i64 = digits.get(..2)?.parse().ok()?;
            let om: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
        _ => 0,
    };
    Some(days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss - offset_secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            parse_timestamp("2024-01-01T00:00:05.000Z"),
            Some(1_704_067_205)
        );
        assert_eq!(
            parse_timestamp("2024-01-01T01:00:05+01:00"),
            Some(1_704_067_205)
        );
        assert_eq!(parse_timestamp("2023-02-15T06:27:16Z"), Some(1_676_442_436));
        assert_eq!(parse_timestamp("garbage"), None);
    }
}
