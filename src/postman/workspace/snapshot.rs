//! The live workspace read into the layout's [`state::Workspace`], with requests
//! proportional to what changed: the listings carry `updatedAt`, and a spec file,
//! collection or environment whose `updatedAt` is the one the cache recorded is taken from
//! the cache, not downloaded again.
//!
//! A read costs the workspace, the spec listing, one file listing per spec (Postman does
//! not say that a spec's `updatedAt` moves when a file changes, so the files are always
//! listed), the collection and environment listings and the globals (which have no
//! `updatedAt`), plus one request per changed object.
//!
//! The cache is plain JSON ([`remember`] -> the next [`read`]), so the git side stores it
//! without knowing what is in it. Secret values are read (and so cached) only when the
//! remote opts in to secrets in git; otherwise a secret's value is "not held" (`None`),
//! which a fetch writes as empty and a push leaves as Postman has it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Client, Environment, Listed, SpecFile, Variable as ApiVariable};
use crate::layout::collection::{self, Served};
use crate::layout::workspace::state::{self, Variable, Workspace};
use crate::postman::time;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] super::Error),
    #[error("collection {uid} as Postman served it: {message}")]
    Collection { uid: String, message: String },
    #[error("spec {spec}: Postman served no content for file {path}")]
    NoContent { spec: String, path: String },
}

/// Told how many objects a read downloads, once its listings are in and before the first
/// download, then of each download as it ends: a progress bar.
pub trait Downloads {
    fn expect(&mut self, n: usize);
    fn downloaded(&mut self);
}

/// No one to tell.
impl Downloads for () {
    fn expect(&mut self, _: usize) {}
    fn downloaded(&mut self) {}
}

/// A read of the live workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub state: Workspace,
    /// The workspace's name (for the commit message).
    pub name: String,
    /// Objects downloaded (not taken from the cache).
    pub downloads: usize,
    cache: Cache,
    /// A version's date (its tagged files' latest `updatedAt`), for a state not read
    /// from the listings.
    dated: Option<String>,
}

impl Snapshot {
    /// A state not read from the listings (a version tag's files): no cache; its
    /// commit's time is `updated_at`, the tagged files' latest (Spec Hub gives a version
    /// tag no date of its own), else 0.
    pub fn of_version(state: Workspace, name: &str, updated_at: Option<String>) -> Snapshot {
        Snapshot {
            state,
            name: name.to_string(),
            downloads: 0,
            cache: Cache::default(),
            dated: updated_at,
        }
    }
}

/// What the next read needs: per object, the `updatedAt` it was read at and its content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cache {
    #[serde(default)]
    workspace_updated_at: Option<String>,
    /// Spec id -> file path -> the file.
    #[serde(default)]
    spec_files: BTreeMap<String, BTreeMap<String, Cached<String>>>,
    #[serde(default)]
    collections: BTreeMap<String, Cached<String>>,
    #[serde(default)]
    environments: BTreeMap<String, Cached<Vec<Variable>>>,
    /// Whether secret values were kept (a cache made without them cannot serve a read
    /// that wants them).
    #[serde(default)]
    secrets: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cached<T> {
    updated_at: String,
    content: T,
}

/// Reads workspace `id`; `cache` is what [`remember`] gave after the previous read (or
/// `Value::Null`); `secrets`: the remote's opt-in to secret values in git.
pub fn read(client: &Client, id: &str, cache: &Value, secrets: bool) -> Result<Snapshot, Error> {
    read_opened(client, client.workspace(id)?, cache, secrets, &mut ())
}

/// [`read`] of a workspace whose `GET /workspaces/{id}` the caller already has (the
/// remote helper's first request), so it is not asked twice.
pub fn read_opened(
    client: &Client,
    ws: super::Workspace,
    cache: &Value,
    secrets: bool,
    downloads: &mut dyn Downloads,
) -> Result<Snapshot, Error> {
    let id = ws.id.as_str();
    let old: Cache = serde_json::from_value(cache.clone()).unwrap_or_default();
    // A cache made without secret values cannot serve a read that wants them.
    let cache_serves = old.secrets || !secrets;
    let mut new = Cache {
        secrets,
        ..Cache::default()
    };
    new.workspace_updated_at = ws.updated_at.clone();

    // Every listing first, so that the downloads are counted before the first one.
    let listed_specs = client
        .specs(id)?
        .into_iter()
        .map(|s| client.spec_files(&s.id).map(|files| (s, files)))
        .collect::<Result<Vec<_>, _>>()?;
    let listed_collections = client.workspace_collections(id)?;
    let listed_environments = client.environments(id)?;
    let cached_file = |spec: &str, f: &SpecFile| {
        old.spec_files
            .get(spec)
            .and_then(|c| c.get(&f.path))
            .filter(|c| f.updated_at.as_ref() == Some(&c.updated_at))
    };
    let no_environments = BTreeMap::new();
    let cached_environments = match cache_serves {
        true => &old.environments,
        false => &no_environments,
    };
    let files = listed_specs.iter().flat_map(|(s, files)| {
        let id = s.id.as_str();
        files.iter().map(move |f| cached_file(id, f).is_none())
    });
    let collections = listed_collections
        .iter()
        .map(|c| fresh(&old.collections, c).is_none());
    let environments = listed_environments
        .iter()
        .map(|e| fresh(cached_environments, e).is_none());
    let expected = files
        .chain(collections)
        .chain(environments)
        .filter(|&d| d)
        .count();
    downloads.expect(expected);

    let mut specs = Vec::new();
    for (s, listed) in listed_specs {
        let mut files = Vec::new();
        let kept = new.spec_files.entry(s.id.clone()).or_default();
        for f in listed {
            let content = match cached_file(&s.id, &f) {
                Some(c) => c.content.clone(),
                None => {
                    let full = client.spec_file(&s.id, &f.path)?;
                    downloads.downloaded();
                    full.content.ok_or_else(|| Error::NoContent {
                        spec: s.id.clone(),
                        path: f.path.clone(),
                    })?
                }
            };
            remember_as(kept, &f.path, &f.updated_at, &content);
            files.push(spec_file(&f, content));
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        specs.push(state::Spec {
            id: Some(s.id),
            name: s.name,
            spec_type: s.spec_type,
            files,
        });
    }

    let mut collections = Vec::new();
    for c in listed_collections {
        let json = match fresh(&old.collections, &c) {
            Some(json) => json.clone(),
            None => {
                let json = collection_json(client, &c.uid)?;
                downloads.downloaded();
                json
            }
        };
        remember_as(&mut new.collections, &c.uid, &c.updated_at, &json);
        collections.push(state::Collection {
            id: Some(c.uid),
            name: c.name,
            json,
        });
    }

    let mut environments = Vec::new();
    for e in listed_environments {
        let values = match fresh(cached_environments, &e) {
            Some(values) => values.clone(),
            None => {
                let Environment { values, .. } = client.environment(&e.uid)?;
                downloads.downloaded();
                values.iter().map(|v| held(from_api(v), secrets)).collect()
            }
        };
        remember_as(&mut new.environments, &e.uid, &e.updated_at, &values);
        environments.push(state::Environment {
            id: Some(e.uid),
            name: e.name,
            values,
        });
    }

    let globals = client.globals(id)?;
    Ok(Snapshot {
        state: Workspace {
            id: ws.id.clone(),
            specs,
            collections,
            environments,
            globals: Some(state::Globals {
                id: None,
                values: globals.iter().map(from_api).collect(),
            }),
        },
        name: ws.name,
        downloads: expected,
        cache: new,
        dated: None,
    })
}

/// The cache the next [`read`] takes.
pub fn remember(snapshot: &Snapshot) -> Value {
    serde_json::to_value(&snapshot.cache).unwrap_or(Value::Null)
}

/// The cached content of a listed object, when the listing's `updatedAt` is the cached one.
fn fresh<'a, T>(cache: &'a BTreeMap<String, Cached<T>>, listed: &Listed) -> Option<&'a T> {
    cache
        .get(&listed.uid)
        .filter(|c| listed.updated_at.as_ref() == Some(&c.updated_at))
        .map(|c| &c.content)
}

/// Records an object read at `updated_at` (one without `updatedAt` is never cached).
fn remember_as<T: Clone>(
    cache: &mut BTreeMap<String, Cached<T>>,
    key: &str,
    updated_at: &Option<String>,
    content: &T,
) {
    if let Some(at) = updated_at {
        let entry = Cached {
            updated_at: at.clone(),
            content: content.clone(),
        };
        cache.insert(key.to_string(), entry);
    }
}

fn spec_file(listed: &SpecFile, content: String) -> state::SpecFile {
    state::SpecFile {
        path: listed.path.clone(),
        content: content.into_bytes(),
        root: listed.is_root(),
    }
}

/// The collection's v2.1 JSON as a fetch writes it as a v3 tree: the file Postman's git
/// integration commits, without its `_uid` (the UID is in `cloudResources`).
fn collection_json(client: &Client, uid: &str) -> Result<String, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::Collection {
        uid: uid.to_string(),
        message: e.to_string(),
    };
    let served: Served = client.collection(uid).map_err(super::Error::from)?;
    let file = served.file_bytes(uid).map_err(|e| bad(&e))?;
    let raw: &serde_json::value::RawValue = serde_json::from_slice(&file).map_err(|e| bad(&e))?;
    collection::without_uid(raw).map_err(|e| bad(&e))
}

/// An API variable as the layout keeps it (a missing `enabled` is Postman's default, on).
pub fn from_api(v: &ApiVariable) -> Variable {
    Variable {
        key: v.key.clone(),
        value: Some(v.value.clone()),
        enabled: v.enabled.unwrap_or(true),
        kind: v.kind.clone().unwrap_or_else(|| Variable::DEFAULT.into()),
    }
}

/// What a read holds of a variable (and so the cache): a secret's value only on opt-in,
/// so that a read does not depend on what was cached.
fn held(mut v: Variable, secrets: bool) -> Variable {
    if v.is_secret() && !secrets {
        v.value = None;
    }
    v
}

/// The e-mail of the author and committer of every commit made from workspace `id`'s
/// state: how `git log --author` and `git postman status` tell them from people's.
pub fn author_email(id: &str) -> String {
    format!("workspace-{id}@postman.invalid")
}

/// Who made a commit from a workspace state, and when: the determinism contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch, UTC.
    pub time: i64,
    pub message: String,
}

/// The same state gives the same identity on any machine: author and committer
/// `Postman <workspace-<id>@postman.invalid>`, the time the latest `updatedAt` among the
/// workspace and everything read, or a version's tagged files (0 when Postman gave none), and a fixed message naming
/// the workspace (and the version tag, for a tag's commit).
pub fn identity(snapshot: &Snapshot, version: Option<&str>) -> Identity {
    let c = &snapshot.cache;
    let times = c
        .workspace_updated_at
        .iter()
        .chain(&snapshot.dated)
        .chain(
            c.spec_files
                .values()
                .flat_map(|f| f.values().map(|f| &f.updated_at)),
        )
        .chain(c.collections.values().map(|c| &c.updated_at))
        .chain(c.environments.values().map(|e| &e.updated_at));
    let time = times.filter_map(|t| time::parse(t)).max().unwrap_or(0);
    let id = &snapshot.state.id;
    let title = match version {
        Some(v) => format!("Postman: {} {v}", snapshot.name),
        None => format!("Postman: {}", snapshot.name),
    };
    Identity {
        name: "Postman".into(),
        email: author_email(id),
        time,
        message: format!("{title}\n\nPostman-Workspace: {id}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot(times: &[&str]) -> Snapshot {
        let mut cache = Cache::default();
        for (i, t) in times.iter().enumerate() {
            let entry = Cached {
                updated_at: t.to_string(),
                content: String::new(),
            };
            cache.collections.insert(format!("c{i}"), entry);
        }
        Snapshot {
            state: Workspace {
                id: "6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64".into(),
                ..Workspace::default()
            },
            name: "Payments".into(),
            downloads: 0,
            cache,
            dated: None,
        }
    }

    #[test]
    fn the_identity_depends_on_the_state_only() {
        let s = snapshot(&["2026-01-02T00:00:00.000Z", "2026-03-04T05:06:07.000Z"]);
        let id = identity(&s, None);
        assert_eq!(
            id.email,
            "workspace-6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64@postman.invalid"
        );
        assert_eq!(id.time, time::parse("2026-03-04T05:06:07Z").unwrap());
        assert_eq!(
            id.message,
            "Postman: Payments\n\nPostman-Workspace: 6d3e9a17-4c80-4f25-b1a9-7e02c58d3f64\n"
        );
        assert!(identity(&s, Some("v1"))
            .message
            .starts_with("Postman: Payments v1\n"));
        let reordered = snapshot(&["2026-03-04T05:06:07.000Z", "2026-01-02T00:00:00.000Z"]);
        assert_eq!(identity(&reordered, None), id);
        assert_eq!(identity(&snapshot(&[]), None).time, 0);
        // A version is dated by its tagged files.
        let at = "2026-05-06T07:08:09.000Z".to_string();
        let tagged = Snapshot::of_version(Workspace::default(), "Payments", Some(at));
        let expected = time::parse("2026-05-06T07:08:09Z").unwrap();
        assert_eq!(identity(&tagged, Some("v1")).time, expected);
    }

    #[test]
    fn secrets_are_held_only_on_opt_in() {
        let api: ApiVariable =
            serde_json::from_value(json!({"key": "k", "value": "s3cr3t", "type": "secret"}))
                .unwrap();
        let v = from_api(&api);
        assert_eq!((v.enabled, v.value.as_deref()), (true, Some("s3cr3t")));
        assert_eq!(held(v.clone(), false).value, None);
        assert_eq!(held(v, true).value.as_deref(), Some("s3cr3t"));
    }

    #[test]
    fn a_cache_round_trips_through_json_and_junk_is_an_empty_one() {
        let s = snapshot(&["2026-01-02T00:00:00.000Z"]);
        let back: Cache = serde_json::from_value(remember(&s)).unwrap();
        assert_eq!(back, s.cache);
        let junk: Cache = serde_json::from_value(json!({"collections": 3})).unwrap_or_default();
        assert_eq!(junk, Cache::default());
    }
}
