//! Spec Hub version tags as git tags. A version tag belongs to one spec; a git tag is
//! the workspace's: pushing `v2` tags every spec that changed since its last version tag,
//! and a version is listed once per name, its tree holding the tagged files of every spec
//! that has a tag of that name.

use super::snapshot::Downloads;
use super::{Client, FileType, TaggedFile};
use crate::layout::workspace::state::{Spec, SpecFile, Workspace};
use crate::postman::time;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] super::Error),
    /// Postman's 409s (a repeated name, nothing changed), one line for all the specs.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Refused(Vec<super::Error>),
    #[error("version tag {tag:?}: no spec changed since its last version tag, so Spec Hub has nothing to tag")]
    NothingChanged { tag: String },
}

/// A version: a name and the spec version tags that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub name: String,
    /// `(spec id, version tag id)`, sorted.
    pub tags: Vec<(String, String)>,
}

impl Version {
    /// A stable id for the version's cache: its tags' ids.
    pub fn id(&self) -> String {
        let ids: Vec<String> = self.tags.iter().map(|(s, t)| format!("{s}:{t}")).collect();
        ids.join(",")
    }
}

/// What a tag push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Names of the specs tagged.
    pub tagged: Vec<String>,
    /// Names of the specs left alone: unchanged since their last version tag.
    pub unchanged: Vec<String>,
}

/// Every version of the workspace's specs (`live`: the current read), sorted by name.
pub fn versions(client: &Client, live: &Workspace) -> Result<Vec<Version>, Error> {
    let mut out: Vec<Version> = Vec::new();
    for id in spec_ids(live) {
        for tag in client.version_tags(id)? {
            let entry = (id.to_string(), tag.id);
            match out.iter_mut().find(|v| v.name == tag.name) {
                Some(v) => v.tags.push(entry),
                None => out.push(Version {
                    name: tag.name,
                    tags: vec![entry],
                }),
            }
        }
    }
    for v in &mut out {
        v.tags.sort();
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A version as tagged: the workspace with only its specs, and the latest `updatedAt`
/// among the tagged files (Spec Hub dates no version tag; its files say when the content
/// it froze last changed, which is the same on every read).
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    pub workspace: Workspace,
    pub updated_at: Option<String>,
}

/// The workspace as `version` tagged it: only the specs, with their tagged files (name and
/// type as `live` has them now; Spec Hub keeps neither in a tag). Each spec's tagged files
/// are one download for `downloads`.
pub fn read_version(
    client: &Client,
    live: &Workspace,
    version: &Version,
    downloads: &mut dyn Downloads,
) -> Result<Tagged, Error> {
    downloads.expect(version.tags.len());
    let mut specs = Vec::new();
    let mut updated_at: Option<String> = None;
    for (spec_id, tag_id) in &version.tags {
        let now = live.specs.iter().find(|s| s.id.as_deref() == Some(spec_id));
        let read = client.version_tag_files(spec_id, tag_id)?;
        let latest = read
            .iter()
            .filter_map(|f| f.updated_at.clone())
            .max_by_key(|t| time::parse(t));
        updated_at = updated_at
            .into_iter()
            .chain(latest)
            .max_by_key(|t| time::parse(t));
        let mut files: Vec<SpecFile> = read.into_iter().map(tagged).collect();
        downloads.downloaded();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        specs.push(Spec {
            id: Some(spec_id.clone()),
            name: now.map_or_else(|| spec_id.clone(), |s| s.name.clone()),
            spec_type: now.map(|s| s.spec_type.clone()).unwrap_or_default(),
            files,
        });
    }
    Ok(Tagged {
        workspace: Workspace {
            id: live.id.clone(),
            specs,
            ..Workspace::default()
        },
        updated_at,
    })
}

/// Tags `tag` on every spec of `live` whose files differ from its last version tag. Every
/// spec is tried; Postman's refusals come back together as one line.
pub fn publish(client: &Client, live: &Workspace, tag: &str) -> Result<Published, Error> {
    let mut done = Published {
        tagged: Vec::new(),
        unchanged: Vec::new(),
    };
    let mut refused = Vec::new();
    for s in &live.specs {
        let Some(id) = s.id.as_deref() else { continue };
        let last = client.version_tags(id)?.into_iter().next();
        let changed = match last {
            None => true,
            Some(last) => {
                let mut files: Vec<SpecFile> = client
                    .version_tag_files(id, &last.id)?
                    .into_iter()
                    .map(tagged)
                    .collect();
                files.sort_by(|a, b| a.path.cmp(&b.path));
                let mut now = s.files.clone();
                now.sort_by(|a, b| a.path.cmp(&b.path));
                files != now
            }
        };
        if !changed {
            done.unchanged.push(s.name.clone());
            continue;
        }
        match client.create_version_tag(id, tag) {
            Ok(_) => done.tagged.push(s.name.clone()),
            Err(e @ super::Error::TagConflict { .. }) => refused.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    if !refused.is_empty() {
        return Err(Error::Refused(refused));
    }
    if done.tagged.is_empty() {
        return Err(Error::NothingChanged { tag: tag.into() });
    }
    Ok(done)
}

fn spec_ids(live: &Workspace) -> impl Iterator<Item = &str> {
    live.specs.iter().filter_map(|s| s.id.as_deref())
}

fn tagged(f: TaggedFile) -> SpecFile {
    SpecFile {
        root: f.file_type == Some(FileType::Root),
        path: f.path,
        content: f.content.into_bytes(),
    }
}
