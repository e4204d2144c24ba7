//! The Collection v3 converter (`layout::v3`) against Postman's own tools, on every
//! collection of `shared/postman/collections/` and on `tests/data/v3-features.json`
//! (every field the converter maps):
//!
//! - `trees_are_byte_identical_to_postman_migrate`: our tree is what `postman collection
//!   migrate` writes, directory name, files and bytes, apart from the auth ids Postman
//!   draws at random; our only other file is the extras file;
//! - `postman_lints_our_trees_clean`: `postman collection lint` finds no error in them;
//! - `v2_to_v3_to_v2_is_the_same_collection`: back to v2.1, npm `postman-collection`'s
//!   `toJSON()` sees the collection we started from;
//! - `v3_to_v2_to_v3_is_the_identity_on_postman_trees`: a tree Postman wrote, to v2.1
//!   and back, is the same tree;
//! - `our_trees_come_back_byte_for_byte`: a tree we wrote, to v2.1 and back, is the same
//!   tree, kept-data file included (what a fetch right after a push writes).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use git_postman::layout::v3;
use serde_json::value::RawValue;
use support::node::Node;
use support::postman_cli::PostmanCli;

/// The collections the tests convert: the shared ones and our feature collection.
fn collections() -> Option<Vec<PathBuf>> {
    let shared = support::shared::path("postman/collections")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v3-features.json"));
    Some(files)
}

fn stem(file: &Path) -> String {
    file.file_stem().unwrap().to_string_lossy().to_string()
}

type Files = BTreeMap<String, Vec<u8>>;

fn tree_of(json: &str, what: &str) -> (String, Files) {
    let raw: &RawValue = serde_json::from_str(json).unwrap();
    let tree = v3::to_tree(raw).unwrap_or_else(|e| panic!("{what}: {e}"));
    let n = tree.files.len();
    let files: Files = tree.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    assert_eq!(files.len(), n, "{what}: two files with one path");
    (tree.dir, files)
}

fn our_tree(file: &Path) -> (String, Files) {
    tree_of(
        &std::fs::read_to_string(file).unwrap(),
        &file.display().to_string(),
    )
}

fn read_tree(dir: &Path) -> Files {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn write_tree(dir: &Path, tree: &Files) {
    for (rel, bytes) in tree {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn as_v3_files(tree: &Files) -> Vec<v3::File> {
    tree.iter()
        .map(|(path, bytes)| v3::File {
            path: path.clone(),
            bytes: bytes.clone(),
        })
        .collect()
}

/// The `id:` of each collection or folder auth entry (`auth:` then `  - id: <uuid>`),
/// which Postman's converter draws at random, replaced by a placeholder.
fn mask_auth_ids(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut after_auth = false;
    for line in text.split('\n') {
        if after_auth && line.starts_with("  - id: ") {
            out.push("  - id: <random>".to_string());
        } else {
            out.push(line.to_string());
        }
        after_auth = line == "auth:";
    }
    out.join("\n")
}

/// Differences between Postman's tree and ours (apart from auth ids and our extras file).
fn tree_differences(name: &str, theirs: &Files, ours: &Files) -> Vec<String> {
    let ours: Files = ours
        .iter()
        .filter(|(p, _)| p.as_str() != v3::extras::FILE)
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    let their_paths: Vec<_> = theirs.keys().collect();
    let our_paths: Vec<_> = ours.keys().collect();
    if their_paths != our_paths {
        return vec![format!(
            "{name}: files differ\n  Postman: {their_paths:?}\n  ours:    {our_paths:?}"
        )];
    }
    theirs
        .iter()
        .filter_map(|(rel, want)| {
            let (want, got) = (mask_auth_ids(want), mask_auth_ids(&ours[rel]));
            (want != got).then(|| format!("{name}/{rel}:\n--- Postman\n{want}\n--- ours\n{got}"))
        })
        .collect()
}

/// Postman's tree for each collection it converts: (collection file, directory, files).
/// Made once for the tests that compare with them: `migrate` takes seconds a collection.
fn postman_trees(cli: &PostmanCli, files: &[PathBuf]) -> &'static [(PathBuf, String, Files)] {
    static TREES: OnceLock<Vec<(PathBuf, String, Files)>> = OnceLock::new();
    TREES.get_or_init(|| migrate_all(cli, files))
}

fn migrate_all(cli: &PostmanCli, files: &[PathBuf]) -> Vec<(PathBuf, String, Files)> {
    let tmp = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for file in files {
        match cli.migrate(file, &tmp.path().join(stem(file))) {
            Ok(dir) => {
                let name = dir.file_name().unwrap().to_string_lossy().to_string();
                out.push((file.clone(), name, read_tree(&dir)));
            }
            // The CLI converts v2.1.0 only; say which ones it refused.
            Err(why) => eprintln!(
                "{}: postman collection migrate refused it: {}",
                stem(file),
                why.trim()
            ),
        }
    }
    assert!(
        out.len() >= files.len() - 1,
        "Postman converted only {} collections",
        out.len()
    );
    out
}

#[test]
fn trees_are_byte_identical_to_postman_migrate() {
    let (Some(files), Some(cli)) = (collections(), PostmanCli::find()) else {
        return;
    };
    let mut failures = Vec::new();
    for (file, their_dir, theirs) in postman_trees(&cli, &files) {
        let (our_dir, ours) = our_tree(file);
        if our_dir != *their_dir {
            failures.push(format!(
                "{}: directory {our_dir:?}, Postman's {their_dir:?}",
                stem(file)
            ));
        }
        failures.extend(tree_differences(&stem(file), theirs, &ours));
        // Deterministic: the same collection gives the same bytes.
        assert!(
            our_tree(file).1 == ours,
            "{}: two conversions differ",
            stem(file)
        );
    }
    assert_none(&failures, "differences");
}

#[test]
fn postman_lints_our_trees_clean() {
    let (Some(files), Some(cli)) = (collections(), PostmanCli::find()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for file in &files {
        let (dir, tree) = our_tree(file);
        let dir = tmp.path().join(stem(file)).join(dir);
        write_tree(&dir, &tree);
        let (ok, report) = cli.lint(&dir);
        assert!(
            ok && report.contains("Errors: 0"),
            "{}: postman collection lint:\n{report}",
            stem(file)
        );
    }
}

#[test]
fn v2_to_v3_to_v2_is_the_same_collection() {
    let (Some(files), Some(node)) = (collections(), Node::find()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let (dir, tree) = our_tree(file);
        let back =
            v3::to_v2(&dir, &as_v3_files(&tree)).unwrap_or_else(|e| panic!("{}: {e}", stem(file)));
        let back_file = tmp.path().join(format!("{}.json", stem(file)));
        std::fs::write(&back_file, &back).unwrap();
        let both = node.run_json(
            "collection-tojson.js",
            &[file.as_path(), back_file.as_path()],
        );
        if both[0] != both[1] {
            failures.push(format!(
                "{}:\n--- toJSON of the original\n{}\n--- toJSON after v3 and back\n{}",
                stem(file),
                serde_json::to_string_pretty(&both[0]).unwrap(),
                serde_json::to_string_pretty(&both[1]).unwrap()
            ));
        }
    }
    assert_none(&failures, "collections changed");
}

#[test]
fn v3_to_v2_to_v3_is_the_identity_on_postman_trees() {
    let (Some(files), Some(cli)) = (collections(), PostmanCli::find()) else {
        return;
    };
    let mut failures = Vec::new();
    for (file, dir, theirs) in postman_trees(&cli, &files) {
        let v2 =
            v3::to_v2(dir, &as_v3_files(theirs)).unwrap_or_else(|e| panic!("{}: {e}", stem(file)));
        let (again_dir, again) = tree_of(&v2, &stem(file));
        assert_eq!(&again_dir, dir, "{}", stem(file));
        failures.extend(tree_differences(&stem(file), theirs, &again));
        if let Some(extras) = again.get(v3::extras::FILE) {
            failures.push(format!(
                "{}: a tree Postman wrote needs no extras, yet:\n{}",
                stem(file),
                String::from_utf8_lossy(extras)
            ));
        }
    }
    assert_none(&failures, "differences");
}

#[test]
fn our_trees_come_back_byte_for_byte() {
    let Some(files) = collections() else {
        return;
    };
    let mut failures = Vec::new();
    for file in &files {
        let (dir, tree) = our_tree(file);
        let v2 =
            v3::to_v2(&dir, &as_v3_files(&tree)).unwrap_or_else(|e| panic!("{}: {e}", stem(file)));
        let (again_dir, again) = tree_of(&v2, &stem(file));
        assert_eq!(again_dir, dir, "{}", stem(file));
        failures.extend(
            tree.iter()
                .filter(|&(rel, bytes)| again.get(rel) != Some(bytes))
                .map(|(rel, bytes)| {
                    let again = again.get(rel).map(|b| String::from_utf8_lossy(b));
                    format!(
                        "{}/{rel}:\n--- first\n{}\n--- again\n{}",
                        stem(file),
                        String::from_utf8_lossy(bytes),
                        again.unwrap_or_default()
                    )
                }),
        );
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            again.keys().collect::<Vec<_>>(),
            "{}",
            stem(file)
        );
    }
    assert_none(&failures, "differences");
}

/// Fails with every entry of `failures` (`what`: "differences", "collections changed").
#[track_caller]
fn assert_none(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
