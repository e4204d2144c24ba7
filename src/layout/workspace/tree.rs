//! A fetched workspace -> the files of the commit that records it, on top of a base
//! commit's files (R, or HEAD before the first fetch): the files Native Git manages are
//! replaced by [`mod@super::write`]'s, every other file is kept byte for byte (a README
//! beside a spec, an editor's file in a collection, mocks, flows, `.postman/workflows.yaml`),
//! and `.postman/resources.yaml` keeps every key but the managed `cloudResources`.
//!
//! Which files are managed is what [`super::read`] would push: spec files under
//! `postman/specs/`, the v3 files of each collection directory, environment and globals
//! files, and whatever `cloudResources` maps, so a fetch and a push agree on them.

use super::read::{directly_in, is_tree_file, ENVIRONMENT_SUFFIXES, GLOBALS_DIR, GLOBALS_SUFFIXES};
use super::resources::{self, Cloud};
use super::state::Workspace;
use super::write::{self, Base};
use super::{spec, Error, File, Kind};
use super::{COLLECTIONS_DIR, ENVIRONMENTS_DIR, RESOURCES_FILE, SPECS_DIR};

/// The commit's files, sorted by path: `base` with the managed files replaced by those
/// for `ws`; secret values only with `include_secrets` (the remote's opt-in).
pub fn apply(base: &[File], ws: &Workspace, include_secrets: bool) -> Result<Vec<File>, Error> {
    let text = match base.iter().find(|f| f.path == RESOURCES_FILE) {
        Some(f) => Some(
            std::str::from_utf8(&f.bytes)
                .map_err(|e| Error::invalid(RESOURCES_FILE, format!("not UTF-8: {e}")))?,
        ),
        None => None,
    };
    let cloud = match text {
        Some(t) => resources::read(t)?.cloud,
        None => Cloud::new(),
    };
    let lookup = |path: &str| {
        base.iter()
            .find(|f| f.path == path)
            .map(|f| f.bytes.clone())
    };
    // The API does not say the globals' id; the one the base maps is theirs (a
    // workspace has one set).
    let mut ws = ws.clone();
    if let Some(g) = ws.globals.as_mut().filter(|g| g.id.is_none()) {
        g.id = cloud
            .get(&Kind::Globals)
            .and_then(|m| m.values().next().cloned());
    }
    let written = write::files(
        &ws,
        &Base {
            resources: text,
            file: &lookup,
        },
        include_secrets,
    )?;
    let mut out: Vec<File> = base
        .iter()
        .filter(|f| !is_managed(&f.path, &cloud))
        .filter(|f| written.files.iter().all(|w| w.path != f.path))
        .cloned()
        .collect();
    out.extend(written.files);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether `path` is a file a fetch writes and a push reads (see the module comment).
pub fn is_managed(path: &str, cloud: &Cloud) -> bool {
    let mapped = |kind: Kind| cloud.get(&kind).is_some_and(|m| m.contains_key(path));
    let in_collection = |dir: &str| {
        path.strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(is_tree_file)
    };
    let under_collections = path
        .strip_prefix(COLLECTIONS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.split_once('/'))
        .is_some_and(|(_, rel)| is_tree_file(rel));
    let mapped_collection = cloud
        .get(&Kind::Collections)
        .is_some_and(|m| m.keys().any(|dir| in_collection(dir)));
    path == RESOURCES_FILE
        || path
            .strip_prefix(SPECS_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(spec::is_spec_file)
        || under_collections
        || mapped_collection
        || directly_in(path, ENVIRONMENTS_DIR, &ENVIRONMENT_SUFFIXES)
        || directly_in(path, GLOBALS_DIR, &GLOBALS_SUFFIXES)
        || Kind::ALL.into_iter().any(mapped)
}

#[cfg(test)]
mod tests {
    use super::super::plan::plan;
    use super::super::testdata::var;
    use super::super::tests::{file, sample, WS};
    use super::*;
    use std::collections::BTreeMap;

    const APP_RESOURCES: &str = "# Use this workspace to collaborate\nworkspace:\n  id: 50c7f0d7-41c5-4953-b12b-0b06c52835ca\n\nlocalResources:\n  mocks:\n    - ../postman/mocks/m.yaml\n";

    fn base() -> Vec<File> {
        vec![
            file(RESOURCES_FILE, APP_RESOURCES),
            file(".postman/workflows.yaml", "workflows: []\n"),
            file("README.md", "# shop\n"),
            file("postman/specs/README.md", "specs live here\n"),
            file("postman/specs/old.yaml", "openapi: 3.0.0\n"),
            file("postman/collections/Gone/.editorconfig", "x\n"),
            file("postman/collections/Gone/r.request.yaml", "x: 1\n"),
            file("postman/mocks/m.yaml", "mock: 1\n"),
        ]
    }

    fn text(files: &[File], path: &str) -> Option<String> {
        let f = files.iter().find(|f| f.path == path)?;
        Some(String::from_utf8(f.bytes.clone()).unwrap())
    }

    #[test]
    fn files_git_postman_does_not_manage_are_kept_byte_for_byte() {
        let ws = sample(vec![]);
        let out = apply(&base(), &ws, false).unwrap();
        for kept in [
            ".postman/workflows.yaml",
            "README.md",
            "postman/specs/README.md",
            "postman/collections/Gone/.editorconfig",
            "postman/mocks/m.yaml",
        ] {
            let before = base().into_iter().find(|f| f.path == kept).unwrap();
            assert_eq!(
                text(&out, kept),
                Some(String::from_utf8(before.bytes).unwrap())
            );
        }
        for gone in [
            "postman/specs/old.yaml",
            "postman/collections/Gone/r.request.yaml",
        ] {
            assert_eq!(text(&out, gone), None, "{gone} is no longer in Postman");
        }
        let res = text(&out, RESOURCES_FILE).unwrap();
        let (head, local) = APP_RESOURCES.split_once("\nlocalResources").unwrap();
        assert!(res.starts_with(head), "{res}");
        assert!(res.ends_with(&format!("\nlocalResources{local}")), "{res}");
        assert!(res.contains("\ncloudResources:\n"), "{res}");
        let paths: Vec<&str> = out.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        // Applying again over its own result changes nothing.
        assert_eq!(apply(&out, &ws, false).unwrap(), out);
    }

    #[test]
    fn the_globals_keep_the_id_the_base_maps() {
        let mut ws = sample(vec![]);
        let out = apply(&base(), &ws, false).unwrap();
        ws.globals.as_mut().unwrap().id = None;
        assert_eq!(apply(&out, &ws, false).unwrap(), out);
    }

    #[test]
    fn secrets_reach_git_only_on_opt_in_and_a_push_then_keeps_them() {
        let ws = sample(vec![]);
        let env = "postman/environments/Prod.environment.yaml";
        let without = apply(&base(), &ws, false).unwrap();
        let with = apply(&base(), &ws, true).unwrap();
        assert!(!text(&without, env).unwrap().contains("s3cr3t"));
        assert!(text(&with, env).unwrap().contains("s3cr3t"));
        // Both trees push as "nothing changed": the blank secret is not a new value.
        for files in [&without, &with] {
            assert_eq!(plan(files, &ws, &BTreeMap::new()).unwrap(), vec![]);
        }
        let mut changed = ws.clone();
        changed.environments[0].values[1] = var("url", "https://y", "default");
        let edited = apply(&without, &changed, false).unwrap();
        let writes = plan(&edited, &ws, &BTreeMap::new()).unwrap();
        let [super::super::plan::Write::UpdateEnvironment { values, .. }] = writes.as_slice()
        else {
            panic!("{writes:?}")
        };
        assert_eq!(
            values[0].value, None,
            "the secret is left as Postman has it"
        );
        assert_eq!(values[1].value.as_deref(), Some("https://y"));
        assert_eq!(WS, ws.id);
    }
}
