//! Where a push's creations, and the objects it found moved by git, live in the pushed
//! tree, as `cloudResources` entries: the plan's create writes with the ids Postman
//! answered, and its [`Write::Remap`]s. A fetch over a tree whose
//! `.postman/resources.yaml` has them keeps each object at the user's path.

use crate::layout::workspace::plan::Write;
use crate::layout::workspace::resources::{self, Cloud};
use crate::layout::workspace::write::same_id;
use crate::layout::workspace::{spec, Error, File, Kind, RESOURCES_FILE};
use crate::remote::backend::RemoteIds;

/// The entries for the objects `plan` created (`created`: repository path -> id): a
/// spec by its one file or by its ROOT inside its directory, a collection by its
/// directory, an environment by its file; and for the objects it found moved.
pub fn entries(plan: &[Write], created: &RemoteIds) -> Cloud {
    let mut cloud = Cloud::new();
    for w in plan {
        if let Write::Remap { kind, path, id } = w {
            cloud
                .entry(*kind)
                .or_default()
                .insert(path.clone(), id.clone());
            continue;
        }
        let (kind, path, entry) = match w {
            Write::CreateSpec { path, files, .. } => {
                let root = files.iter().find(|f| f.root);
                let entry = match root {
                    Some(r) if !spec::is_spec_file(path) => format!("{path}/{}", r.path),
                    _ => path.clone(),
                };
                (Kind::Specs, path, entry)
            }
            Write::CreateCollection { path, .. } => (Kind::Collections, path, path.clone()),
            Write::CreateEnvironment { path, .. } => (Kind::Environments, path, path.clone()),
            _ => continue,
        };
        if let Some(id) = created.get(path) {
            cloud.entry(kind).or_default().insert(entry, id.clone());
        }
    }
    cloud
}

/// `base` with `placed` in its `.postman/resources.yaml` (an object it maps elsewhere
/// moves to its placed path); `None` when there is nothing to add.
pub fn seed(base: &[File], workspace_id: &str, placed: &Cloud) -> Result<Option<Vec<File>>, Error> {
    if placed.values().all(|m| m.is_empty()) {
        return Ok(None);
    }
    let text = base
        .iter()
        .find(|f| f.path == RESOURCES_FILE)
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned());
    let mut cloud = match &text {
        Some(t) => resources::read(t)?.cloud,
        None => Cloud::new(),
    };
    for (kind, entries) in placed {
        let mine = cloud.entry(*kind).or_default();
        for (path, id) in entries {
            mine.retain(|p, old| p == path || !same_id(old, id));
            mine.entry(path.clone()).or_insert_with(|| id.clone());
        }
    }
    let written = resources::write(text.as_deref(), workspace_id, &cloud)?;
    let mut out: Vec<File> = base
        .iter()
        .filter(|f| f.path != RESOURCES_FILE)
        .cloned()
        .collect();
    out.push(File {
        path: RESOURCES_FILE.into(),
        bytes: written.into_bytes(),
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Some(out))
}
