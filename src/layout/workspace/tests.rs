//! Both directions together: a workspace -> files -> the workspace a push reads back,
//! over the shared real collections and the files the app wrote.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{self, Pushed};
use super::shared::path as shared;
use super::state::*;
use super::testdata::*;
use super::write::{self, Base};
use super::*;
use crate::layout::v3;

pub(super) const WS: &str = "50c7f0d7-41c5-4953-b12b-0b06c52835ca";

pub(super) fn file(path: &str, text: &str) -> File {
    File {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

pub(super) fn spec_file(path: &str, text: &str, root: bool) -> SpecFile {
    SpecFile {
        path: path.into(),
        content: text.as_bytes().to_vec(),
        root,
    }
}

/// Every shared collection, with a UID derived from its name.
fn shared_collections() -> Option<Vec<Collection>> {
    let dir = shared("postman/collections")?;
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    Some(
        paths
            .into_iter()
            .map(|p| {
                let json = std::fs::read_to_string(&p).unwrap();
                let v: serde_json::Value = serde_json::from_str(&json).unwrap();
                let name = v["info"]["name"].as_str().unwrap().to_string();
                let id = format!(
                    "1234-{}",
                    v3::names::derived_uuid(p.file_name().unwrap().as_encoded_bytes())
                );
                Collection {
                    id: Some(id),
                    name,
                    json,
                }
            })
            .collect(),
    )
}

pub(super) fn sample(collections: Vec<Collection>) -> Workspace {
    Workspace {
        id: WS.into(),
        specs: vec![
            Spec {
                id: Some("aa74aa62-3867-47f3-b3e9-9b53a73678a5".into()),
                name: "Payments".into(),
                spec_type: "OPENAPI:3.0".into(),
                files: vec![spec_file(
                    "index.yaml",
                    "openapi: 3.0.3\ninfo:\n  title: P\n",
                    true,
                )],
            },
            Spec {
                id: Some("cff9ef8c-762c-4279-9e9a-e6cc5fa36545".into()),
                name: "Orders: v2".into(),
                spec_type: "OPENAPI:3.1".into(),
                files: vec![
                    spec_file(
                        "components/schemas.json",
                        "{\"Order\": {\"type\": \"object\"}}",
                        false,
                    ),
                    spec_file("openapi/index.yaml", "openapi: 3.1.0\npaths: {}\n", true),
                ],
            },
        ],
        collections,
        environments: vec![
            Environment {
                id: Some("3512728-f8bb4d9c-1040-4f12-b5db-011c1992ddde".into()),
                name: "Prod".into(),
                values: vec![
                    var("token", "s3cr3t", "secret"),
                    var("url", "https://x", "default"),
                ],
            },
            Environment {
                id: Some("3512728-114b002b-f01e-4db6-9ee5-e4fbaa0c05b8".into()),
                name: "prod".into(),
                values: vec![],
            },
        ],
        globals: Some(Globals {
            id: Some("5b86ff9b-627c-473a-8714-b2fadcac796d".into()),
            values: vec![var("g", "1", "default")],
        }),
    }
}

pub(super) fn no_base() -> Base<'static> {
    Base {
        resources: None,
        file: &|_| None,
    }
}

fn by_path<T: Clone>(found: &[Found<T>]) -> BTreeMap<String, T> {
    found
        .iter()
        .map(|f| (f.path.clone(), f.value.clone()))
        .collect()
}

#[test]
fn a_workspace_round_trips_through_its_files() {
    let Some(collections) = shared_collections() else {
        return;
    };
    let ws = sample(collections);
    let written = write::files(&ws, &no_base(), false).unwrap();
    let paths: BTreeSet<&str> = written.files.iter().map(|f| f.path.as_str()).collect();
    for p in [
        "postman/specs/Payments.yaml",
        "postman/specs/Orders- v2/openapi/index.yaml",
        "postman/specs/Orders- v2/components/schemas.json",
        "postman/environments/Prod.environment.yaml",
        "postman/environments/prod 1.environment.yaml",
        GLOBALS_FILE,
        RESOURCES_FILE,
    ] {
        assert!(paths.contains(p), "{p} missing from {paths:?}");
    }
    assert_eq!(
        written.cloud[&Kind::Specs]["postman/specs/Orders- v2/openapi/index.yaml"],
        "cff9ef8c-762c-4279-9e9a-e6cc5fa36545",
        "a multi-file spec is mapped by its ROOT"
    );
    let dirs: Vec<&String> = written.cloud[&Kind::Collections].keys().collect();
    assert_eq!(dirs.len(), ws.collections.len());
    let lower: BTreeSet<String> = dirs.iter().map(|d| d.to_lowercase()).collect();
    assert_eq!(
        lower.len(),
        dirs.len(),
        "collection directories unique ignoring case: {dirs:?}"
    );
    assert!(
        written
            .files
            .iter()
            .all(|f| !String::from_utf8_lossy(&f.bytes).contains("s3cr3t")),
        "a secret value reached git"
    );

    let pushed = read::workspace(&written.files).unwrap();
    check_specs(&ws, &pushed);
    check_collections(&ws, &pushed);
    let envs = by_path(&pushed.environments);
    let prod = &envs["postman/environments/Prod.environment.yaml"];
    assert_eq!(prod.id, ws.environments[0].id);
    assert_eq!(
        prod.values[0].value, None,
        "the secret is not held, so not blanked"
    );
    assert_eq!(prod.values[1], ws.environments[0].values[1]);
    assert_eq!(
        envs["postman/environments/prod 1.environment.yaml"].name,
        "prod"
    );
    let globals = pushed.globals.unwrap();
    assert_eq!(
        (globals.value.id, globals.value.values),
        (
            ws.globals.clone().unwrap().id,
            ws.globals.clone().unwrap().values
        )
    );

    // Fetching the same state over what was written changes nothing, whatever the order.
    let mut shuffled = ws.clone();
    shuffled.collections.reverse();
    shuffled.environments.reverse();
    let resources = written
        .files
        .iter()
        .find(|f| f.path == RESOURCES_FILE)
        .unwrap();
    let text = std::str::from_utf8(&resources.bytes).unwrap();
    let lookup = |p: &str| {
        written
            .files
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.bytes.clone())
    };
    let base = Base {
        resources: Some(text),
        file: &lookup,
    };
    let again = write::files(&shuffled, &base, false).unwrap();
    assert_eq!(again.files, written.files);

    // With the remote's opt-in the secret is in git and reads back.
    let with = write::files(&ws, &no_base(), true).unwrap();
    let pushed = read::workspace(&with.files).unwrap();
    assert_eq!(
        by_path(&pushed.environments)["postman/environments/Prod.environment.yaml"].values,
        ws.environments[0].values
    );
}

fn check_specs(ws: &Workspace, pushed: &Pushed) {
    let specs = by_path(&pushed.specs);
    let single = &specs["postman/specs/Payments.yaml"];
    assert_eq!(
        (&single.id, single.name.as_str(), single.spec_type.as_str()),
        (&ws.specs[0].id, "Payments", "OPENAPI:3.0")
    );
    assert_eq!(single.files[0].content, ws.specs[0].files[0].content);
    assert!(single.files[0].root);
    let multi = &specs["postman/specs/Orders- v2"];
    assert_eq!(
        (&multi.id, multi.spec_type.as_str()),
        (&ws.specs[1].id, "OPENAPI:3.1")
    );
    let mut files = multi.files.clone();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(files, ws.specs[1].files);
}

/// Each collection comes back with its id, its name and its items.
fn check_collections(ws: &Workspace, pushed: &Pushed) {
    assert_eq!(pushed.collections.len(), ws.collections.len());
    for found in &pushed.collections {
        let c = &found.value;
        let original = ws.collections.iter().find(|o| o.id == c.id).unwrap();
        assert_eq!(c.name, original.name, "{}", found.path);
        let items = |json: &str| {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            let mut out = Vec::new();
            item_names(&v["item"], "", &mut out);
            out
        };
        assert_eq!(items(&c.json), items(&original.json), "{}", found.path);
    }
}

/// Every item's path of names (`Folder/Request`), in order.
fn item_names(items: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    for item in items.as_array().into_iter().flatten() {
        let path = format!("{prefix}/{}", item["name"].as_str().unwrap_or_default());
        item_names(&item["item"], &path, out);
        out.push(path);
    }
}

#[test]
fn a_repository_the_app_wrote_keeps_its_paths_and_bytes() {
    let Some(mut collections) = shared_collections() else {
        return;
    };
    let (_, dev) = environment::parse("e", ENV_PULLED.as_bytes()).unwrap();
    let env = |id: &str, name: &str, values: Vec<Variable>| Environment {
        id: Some(id.into()),
        name: name.into(),
        values,
    };
    collections.truncate(1);
    collections[0].id = Some("3512728-9a5161f2-75bb-4f8f-9007-ef28d05df92f".into());
    let ws = Workspace {
        id: "c57071c8-2daa-42b5-9d71-be5c7c63d9c4".into(),
        specs: vec![Spec {
            id: Some("cff9ef8c-762c-4279-9e9a-e6cc5fa36545".into()),
            name: "PetVerse".into(),
            spec_type: "OPENAPI:3.0".into(),
            files: vec![spec_file("openapi.yaml", "openapi: 3.0.3\n", true)],
        }],
        collections,
        environments: vec![
            env(
                "3512728-f8bb4d9c-1040-4f12-b5db-011c1992ddde",
                "PetVerse API - Development",
                dev,
            ),
            env(
                "3512728-114b002b-f01e-4db6-9ee5-e4fbaa0c05b8",
                "PetVerse API - Local",
                vec![],
            ),
            env(
                "3512728-0e113449-de8d-41a9-be71-88cba488b150",
                "PetVerse API - Production",
                vec![],
            ),
            env(
                "3512728-e72febc4-b86b-4162-ae68-1ad4ea562062",
                "PetVerse API - Staging",
                vec![],
            ),
        ],
        globals: Some(Globals {
            id: Some("5b86ff9b-627c-473a-8714-b2fadcac796d".into()),
            values: vec![],
        }),
    };
    let dev_path = "postman/environments/PetVerse API - Development.environment.yaml";
    let lookup = |p: &str| match p {
        p if p == dev_path => Some(ENV_PULLED.as_bytes().to_vec()),
        GLOBALS_FILE => Some(GLOBALS.as_bytes().to_vec()),
        _ => None,
    };
    let base = Base {
        resources: Some(SOLIS),
        file: &lookup,
    };
    let written = write::files(&ws, &base, false).unwrap();
    let get = |p: &str| {
        written
            .files
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.bytes.as_slice())
    };
    assert_eq!(get(RESOURCES_FILE), Some(SOLIS.as_bytes()));
    assert_eq!(
        get(dev_path),
        Some(ENV_PULLED.as_bytes()),
        "the app's environment file kept"
    );
    assert_eq!(get(GLOBALS_FILE), Some(GLOBALS.as_bytes()));
    assert!(
        get("postman/specs/openapi.yaml").is_some(),
        "the spec keeps the app's file name"
    );
    assert!(get("postman/collections/PetVerse API/.resources/definition.yaml").is_some());
    // The spec's file in Spec Hub is the name the app recorded for it.
    let pushed = read::workspace(&written.files).unwrap();
    assert_eq!(pushed.specs[0].value.files[0].path, "openapi.yaml");
    assert_eq!(pushed.specs[0].value.name, "openapi");

    // A bare UUID in the file stays bare when Postman reports the owner-prefixed UID.
    let mut ws2 = ws.clone();
    ws2.id = "e191ccd8-fa46-4136-86a0-fab3e15011fb".into();
    ws2.specs.clear();
    ws2.environments.clear();
    ws2.globals = None;
    ws2.collections[0].id = Some("3512728-3074fa9e-d53b-479a-8d78-f92bee6aca69".into());
    let base = Base {
        resources: Some(STACKSNIFF),
        file: &|_| None,
    };
    let written = write::files(&ws2, &base, false).unwrap();
    let res = written
        .files
        .iter()
        .find(|f| f.path == RESOURCES_FILE)
        .unwrap();
    assert_eq!(res.bytes, STACKSNIFF.as_bytes());
}

fn commit(extra: &[(&str, &str)]) -> Vec<File> {
    let mut files = vec![file(RESOURCES_FILE, &format!("workspace:\n  id: {WS}\n"))];
    files.extend(extra.iter().map(|(p, t)| file(p, t)));
    files
}

#[test]
fn a_push_is_refused_before_anything_is_sent() {
    let big = format!(
        "openapi: 3.0.0\nx: '{}'\n",
        "a".repeat(spec::MAX_FILE_BYTES)
    );
    let mapped_root = format!(
        "workspace:\n  id: {WS}\ncloudResources:\n  specs:\n    ../postman/specs/O/index.yaml: cff9ef8c-762c-4279-9e9a-e6cc5fa36545\n"
    );
    let cases: Vec<(Vec<File>, &str)> = vec![
        (commit(&[("postman/specs/a.yaml", "openapi: 3.0.0\npaths: [\n")]), "postman/specs/a.yaml:3:"),
        (commit(&[("postman/specs/a.json", "{\n  \"openapi\": \"3.0.0\"\n  \"x\": 1\n}")]), "postman/specs/a.json:3:"),
        (commit(&[("postman/specs/a.yaml", "openapi: 2.0.0\n")]), "postman/specs/a.yaml: openapi: \"2.0.0\" is not a version"),
        (
            commit(&[("postman/specs/O/a.yaml", "openapi: 3.0.0\n"), ("postman/specs/O/b.yaml", "openapi: 3.0.0\n")]),
            "postman/specs/O: more than one file could be the spec's ROOT (postman/specs/O/a.yaml, postman/specs/O/b.yaml)",
        ),
        (commit(&[("postman/specs/O/a.yaml", "components: {}\n")]), "postman/specs/O: no ROOT"),
        (
            {
                let mut c = commit(&[("postman/specs/O/other.yaml", "components: {}\n")]);
                c[0] = file(RESOURCES_FILE, &mapped_root);
                c
            },
            "postman/specs/O: no ROOT: none of the spec's files is an OpenAPI, Swagger or AsyncAPI document (.postman/resources.yaml maps postman/specs/O/index.yaml, which the commit does not have)",
        ),
        (
            {
                let two = mapped_root.replace("\n    ../postman/specs/O/index.yaml", "\n    ../postman/specs/O/a.yaml: 1d6f6ae1-4a83-4b63-9d1a-0b7d3c4c9e11\n    ../postman/specs/O/index.yaml");
                let mut c = commit(&[("postman/specs/O/index.yaml", "openapi: 3.0.0\n"), ("postman/specs/O/a.yaml", "components: {}\n")]);
                c[0] = file(RESOURCES_FILE, &two);
                c
            },
            ".postman/resources.yaml: maps more than one file of the spec postman/specs/O (one ROOT per spec): postman/specs/O/a.yaml, postman/specs/O/index.yaml",
        ),
        (commit(&[("postman/specs/big.yaml", &big)]), "postman/specs/big.yaml: 10485781 bytes, more than the 10485760 bytes (10 MB)"),
        (
            commit(&[("postman/environments/A.environment.yaml", "name: A\nvalues:\n  - key: k\n    type: password\n")]),
            "postman/environments/A.environment.yaml: values[0].type is",
        ),
        (
            commit(&[("postman/environments/A.environment.yaml", "name: A\nvalues:\n  - key: [\n")]),
            "postman/environments/A.environment.yaml:4:",
        ),
        (commit(&[("postman/environments/A.environment.yaml", "name: ' '\nvalues: []\n")]), "name is empty"),
        (
            commit(&[("postman/collections/Shop/Ping.request.yaml", "$kind: http-request\nurl: [unclosed\n")]),
            "postman/collections/Shop/Ping.request.yaml:",
        ),
        (
            commit(&[("postman/globals/a.globals.yaml", GLOBALS), ("postman/globals/b.globals.yaml", GLOBALS)]),
            "postman/globals: a workspace has one set of globals, not 2",
        ),
        (vec![file("postman/specs/a.yaml", "openapi: 3.0.0\n")], ".postman/resources.yaml: is missing"),
        (commit(&[("postman/specs/\u{7}.yaml", "openapi: 3.0.0\n")]), "has control characters"),
    ];
    for (files, expected) in cases {
        let err = read::workspace(&files).unwrap_err().to_string();
        assert!(err.contains(expected), "{expected:?} not in {err:?}");
    }
}

#[test]
fn files_native_git_does_not_manage_are_ignored() {
    let files = commit(&[
        ("postman/specs/O/index.yaml", "openapi: 3.0.0\n"),
        ("postman/specs/O/README.md", "# not a spec file"),
        ("postman/specs/.gitkeep", ""),
        ("postman/mocks/m/config.yaml", "version: 1\n"),
        ("postman/flows/New flow.flow", "{"),
        ("postman/documents/Guide.md", "# guide"),
        ("postman/environments/Staging.yaml", "not: [an environment"),
        (
            "postman/collections/Shop/.resources/definition.yaml",
            "$kind: collection\n",
        ),
        ("postman/collections/Shop/notes.txt", "mine"),
        ("postman/collections/.gitkeep", ""),
        (
            ".postman/workflows.yaml",
            "workflows:\n  syncSpecToCollection: []\n",
        ),
        ("README.md", "# repo"),
    ]);
    let pushed = read::workspace(&files).unwrap();
    assert_eq!(pushed.specs.len(), 1);
    assert_eq!(pushed.specs[0].value.files.len(), 1);
    assert_eq!(pushed.specs[0].value.id, None, "unmapped: a create");
    assert_eq!(pushed.collections.len(), 1);
    assert_eq!(pushed.collections[0].value.name, "Shop");
    assert!(pushed.environments.is_empty() && pushed.globals.is_none());
}

#[test]
fn a_mapped_file_outside_postman_is_read_with_its_id() {
    let resources = format!(
        "workspace:\n  id: {WS}\ncloudResources:\n  environments:\n    ../envs/dev.environment.yaml: 9abcec24-2e0b-50f4-89c0-fd470f620f86\n  specs:\n    ../api/openapi.yaml: aa74aa62-3867-47f3-b3e9-9b53a73678a5\n"
    );
    let files = vec![
        file(RESOURCES_FILE, &resources),
        file("envs/dev.environment.yaml", ENV_CERDMANN),
        file("envs/other.environment.yaml", ENV_CERDMANN),
        file("api/openapi.yaml", "openapi: 3.1.0\n"),
    ];
    let pushed = read::workspace(&files).unwrap();
    let envs: Vec<(&str, Option<&str>)> = pushed
        .environments
        .iter()
        .map(|e| (e.path.as_str(), e.value.id.as_deref()))
        .collect();
    assert_eq!(
        envs,
        [(
            "envs/dev.environment.yaml",
            Some("9abcec24-2e0b-50f4-89c0-fd470f620f86")
        )]
    );
    assert_eq!(pushed.specs.len(), 1);
    assert_eq!(pushed.specs[0].value.spec_type, "OPENAPI:3.1");
    assert_eq!(
        pushed.specs[0].value.id.as_deref(),
        Some("aa74aa62-3867-47f3-b3e9-9b53a73678a5")
    );
}

/// A ROOT moved in Spec Hub moves the spec's one `cloudResources` line; the files stay.
#[test]
fn a_new_root_changes_only_the_specs_entry() {
    let mut ws = sample(vec![]);
    let first = write::files(&ws, &no_base(), false).unwrap();
    let text = |w: &write::Written| {
        let f = w.files.iter().find(|f| f.path == RESOURCES_FILE).unwrap();
        String::from_utf8(f.bytes.clone()).unwrap()
    };
    let before = text(&first);
    for f in &mut ws.specs[1].files {
        f.root = !f.root;
    }
    let base_text = before.clone();
    let base = Base {
        resources: Some(&base_text),
        file: &|_| None,
    };
    let second = write::files(&ws, &base, false).unwrap();
    let paths = |w: &write::Written| w.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&second), paths(&first));
    let after = text(&second);
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [(
            "    ../postman/specs/Orders- v2/openapi/index.yaml: cff9ef8c-762c-4279-9e9a-e6cc5fa36545",
            "    ../postman/specs/Orders- v2/components/schemas.json: cff9ef8c-762c-4279-9e9a-e6cc5fa36545"
        )]
    );
    assert_eq!(before.lines().count(), after.lines().count());
}
