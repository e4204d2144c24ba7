//! Plans over commits made the way a fetch makes them ([`super::super::tree::apply`]),
//! then edited as a user would.

use std::collections::BTreeMap;

use super::super::state::{Collection, Workspace};
use super::super::testdata::var;
use super::super::tests::{file, sample, WS};
use super::super::{tree, File, RESOURCES_FILE};
use super::*;

fn collection(name: &str, id: &str) -> Collection {
    let json = format!(
        r#"{{"info":{{"_postman_id":"{id}","name":"{name}","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}},"item":[{{"id":"5c2b6a4e-1f0d-4e3b-9a7c-2d8e6f4b1a90","name":"List","request":{{"method":"GET","header":[],"url":{{"raw":"https://x/items","protocol":"https","host":["x"],"path":["items"]}}}},"response":[]}}]}}"#
    );
    Collection {
        id: Some(format!("1234-{id}")),
        name: name.into(),
        json,
    }
}

fn live() -> Workspace {
    sample(vec![
        collection("Alpha", "0f3f2ad6-2a55-4b1e-8f0e-6f1b9a7c3d21"),
        collection("Beta", "9a1e3c5b-7d2f-4e6a-8b0c-1d3e5f7a9b2c"),
    ])
}

/// The commit a fetch of `ws` makes.
fn fetched(ws: &Workspace) -> Vec<File> {
    tree::apply(&[], ws, false).unwrap()
}

fn no_journal() -> BTreeMap<String, String> {
    BTreeMap::new()
}

/// `files` with `edit` applied to the text of every file whose path ends with `suffix`.
fn edited(files: &[File], suffix: &str, edit: impl Fn(&str) -> String) -> Vec<File> {
    files
        .iter()
        .map(|f| match f.path.ends_with(suffix) {
            true => file(&f.path, &edit(std::str::from_utf8(&f.bytes).unwrap())),
            false => f.clone(),
        })
        .collect()
}

fn path_ending(files: &[File], suffix: &str) -> String {
    let f = files.iter().find(|f| f.path.ends_with(suffix));
    f.unwrap_or_else(|| panic!("no file ends with {suffix}"))
        .path
        .clone()
}

#[test]
fn a_fetched_workspace_pushes_nothing() {
    let ws = live();
    assert_eq!(plan(&fetched(&ws), &ws, &no_journal()).unwrap(), vec![]);
}

#[test]
fn spec_edits_are_one_property_writes_and_deletions_come_last() {
    let ws = live();
    let orders = ws.specs[1].id.clone().unwrap();
    let files = fetched(&ws);
    let index = path_ending(&files, "/openapi/index.yaml");
    let dir = index
        .strip_suffix("/openapi/index.yaml")
        .unwrap()
        .to_string();
    // The ROOT moves to a new file (its cloudResources entry is the ROOT), a file changes,
    // the old ROOT goes.
    let mut files = edited(&files, "components/schemas.json", |_| "{}".into());
    let main = format!("{dir}/openapi/main.yaml");
    files.retain(|f| f.path != index);
    // Not the old ROOT's lines: a new file, not the old one moved.
    let text = "openapi: 3.1.0\ninfo:\n  title: Orders\n  version: '2'\nservers: []\n";
    files.push(file(&main, text));
    let files = edited(&files, RESOURCES_FILE, |t| {
        t.replace("openapi/index.yaml", "openapi/main.yaml")
    });
    let writes = plan(&files, &ws, &no_journal()).unwrap();
    let spec_id = orders.clone();
    assert_eq!(
        writes,
        vec![
            Write::UpdateSpecFile {
                spec_id: spec_id.clone(),
                path: "components/schemas.json".into(),
                content: "{}".into()
            },
            Write::CreateSpecFile {
                spec_id: spec_id.clone(),
                path: "openapi/main.yaml".into(),
                content: text.into()
            },
            Write::SetRoot {
                spec_id: spec_id.clone(),
                path: "openapi/main.yaml".into()
            },
            Write::DeleteSpecFile {
                spec_id,
                path: "openapi/index.yaml".into()
            },
        ]
    );
}

#[test]
fn what_git_moved_keeps_its_spec_and_file_and_costs_one_property_per_patch() {
    let ws = live();
    let (payments, orders) = (
        ws.specs[0].id.clone().unwrap(),
        ws.specs[1].id.clone().unwrap(),
    );
    let dir = "postman/specs/Orders- v2";
    let remap = |path: &str, id: &str| Write::Remap {
        kind: Kind::Specs,
        path: path.into(),
        id: id.into(),
    };
    let cases: Vec<(&str, String, String, Vec<Write>)> = vec![
        (
            "a one-file spec renamed",
            "postman/specs/Payments.yaml".into(),
            "postman/specs/Billing.yaml".into(),
            vec![
                Write::RenameSpec {
                    id: payments.clone(),
                    name: "Billing".into(),
                },
                remap("postman/specs/Billing.yaml", &payments),
            ],
        ),
        (
            "a spec directory renamed",
            format!("{dir}/"),
            "postman/specs/Orders/".into(),
            vec![
                Write::RenameSpec {
                    id: orders.clone(),
                    name: "Orders".into(),
                },
                remap("postman/specs/Orders/openapi/index.yaml", &orders),
            ],
        ),
        (
            "the ROOT renamed in its folder, .postman/resources.yaml left as it was",
            format!("{dir}/openapi/index.yaml"),
            format!("{dir}/openapi/main.yaml"),
            vec![
                remap(&format!("{dir}/openapi/main.yaml"), &orders),
                Write::RenameSpecFile {
                    spec_id: orders.clone(),
                    path: "openapi/index.yaml".into(),
                    name: "main.yaml".into(),
                },
            ],
        ),
        (
            "a file moved to another folder: Spec Hub renames only within one",
            format!("{dir}/components/schemas.json"),
            format!("{dir}/schemas/schemas.json"),
            vec![
                Write::CreateSpecFile {
                    spec_id: orders.clone(),
                    path: "schemas/schemas.json".into(),
                    content: "{\"Order\": {\"type\": \"object\"}}".into(),
                },
                Write::DeleteSpecFile {
                    spec_id: orders.clone(),
                    path: "components/schemas.json".into(),
                },
            ],
        ),
    ];
    for (what, from, to, expected) in cases {
        let files = moved(&fetched(&ws), &from, &to);
        assert_eq!(
            plan(&files, &ws, &no_journal()).unwrap(),
            expected,
            "{what}"
        );
    }
}

#[test]
fn a_type_change_is_refused_but_postmans_own_mismatch_is_left_alone() {
    let ws = live();
    let files = edited(&fetched(&ws), "Payments.yaml", |t| {
        t.replace("3.0.3", "3.1.0")
    });
    let err = plan(&files, &ws, &no_journal()).unwrap_err().to_string();
    assert!(
        err.starts_with("postman/specs/Payments.yaml: makes spec \"Payments\" OPENAPI:3.1, but Spec Hub has it as OPENAPI:3.0"),
        "{err}"
    );
    // Postman says 3.1 of a 3.0.3 ROOT: a push that leaves the ROOT alone sends nothing.
    let mut odd = ws.clone();
    odd.specs[0].spec_type = "OPENAPI:3.1".into();
    assert_eq!(plan(&fetched(&odd), &odd, &no_journal()).unwrap(), vec![]);
}

#[test]
fn similarity_counts_shared_lines_as_git_s_rename_detection_does() {
    use super::pair::similarity;
    let sim = |a: &str, b: &str| similarity(&[a.as_bytes()], &[b.as_bytes()]);
    assert_eq!(sim("a\nb\n", "a\nb\n"), 1.0);
    assert_eq!(sim("a\nb\n", "a\nc\n"), 0.5);
    assert_eq!(
        sim("openapi: 3.0.0\n", "openapi: 3.1.0\n"),
        0.0,
        "no empty last line"
    );
    assert_eq!(
        similarity(&[b"a\n", b"b\n"], &[b"a\nb"]),
        1.0,
        "parts joined"
    );
}

const STATUS: &str = r#"{"asyncapi": "3.0.0", "info": {"title": "S", "version": "1"}}"#;

#[test]
fn a_new_spec_directory_or_file_creates_a_spec_with_its_root_and_a_removed_one_is_deleted() {
    let ws = live();
    let mut files = fetched(&ws);
    let payments = path_ending(&files, "/Payments.yaml");
    files.retain(|f| f.path != payments);
    files.push(file(
        "postman/specs/Refunds/openapi.yaml",
        "openapi: 3.1.0\ninfo: {title: R, version: '1'}\npaths: {}\n",
    ));
    files.push(file(
        "postman/specs/Refunds/schemas/r.yaml",
        "type: object\n",
    ));
    files.push(file("postman/specs/Status.json", STATUS));
    let writes = plan(&files, &ws, &no_journal()).unwrap();
    assert_eq!(
        writes,
        vec![
            Write::CreateSpec {
                path: "postman/specs/Status.json".into(),
                name: "Status".into(),
                spec_type: "ASYNCAPI:3.0".into(),
                files: vec![NewFile {
                    path: "Status.json".into(),
                    content: STATUS.into(),
                    root: true
                }]
            },
            Write::CreateSpec {
                path: "postman/specs/Refunds".into(),
                name: "Refunds".into(),
                spec_type: "OPENAPI:3.1".into(),
                files: vec![
                    NewFile {
                        path: "openapi.yaml".into(),
                        content: "openapi: 3.1.0\ninfo: {title: R, version: '1'}\npaths: {}\n"
                            .into(),
                        root: true
                    },
                    NewFile {
                        path: "schemas/r.yaml".into(),
                        content: "type: object\n".into(),
                        root: false
                    },
                ]
            },
            Write::DeleteSpec {
                id: ws.specs[0].id.clone().unwrap(),
                name: "Payments".into()
            },
        ]
    );
}

#[test]
fn collections_are_sent_in_the_v2_form_created_updated_and_deleted() {
    let ws = live();
    let files = fetched(&ws);
    let files = edited(&files, "Alpha/List.request.yaml", |t| {
        t.replace("x/items", "x/things")
    });
    let mut files: Vec<File> = files
        .into_iter()
        .filter(|f| !f.path.starts_with("postman/collections/Beta/"))
        .collect();
    let copies: Vec<File> = files
        .iter()
        .filter_map(|f| {
            let rest = f.path.strip_prefix("postman/collections/Alpha/")?;
            Some(file(
                &format!("postman/collections/Gamma/{rest}"),
                &String::from_utf8(f.bytes.clone()).unwrap(),
            ))
        })
        .collect();
    assert!(!copies.is_empty());
    files.extend(copies);
    let writes = plan(&files, &ws, &no_journal()).unwrap();
    let [Write::UpdateCollection { uid, json, .. }, Write::CreateCollection { path, json: new }, Write::DeleteCollection { uid: gone, name }] =
        writes.as_slice()
    else {
        panic!("{writes:#?}")
    };
    assert_eq!(uid, ws.collections[0].id.as_ref().unwrap());
    let sent: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(sent["item"][0]["request"]["url"]["raw"], "https://x/things");
    assert_eq!(
        sent["info"]["schema"],
        "https://schema.postman.com/json/collection/v2.1.0/collection.json"
    );
    assert_eq!(
        sent["item"][0]["id"], "5c2b6a4e-1f0d-4e3b-9a7c-2d8e6f4b1a90",
        "item ids kept, so Postman keeps the items"
    );
    assert_eq!(path, "postman/collections/Gamma");
    let created: serde_json::Value = serde_json::from_str(new).unwrap();
    assert!(created["info"].get("_postman_id").is_none(), "{created}");
    assert_eq!(
        (gone.as_str(), name.as_str()),
        (ws.collections[1].id.as_deref().unwrap(), "Beta")
    );
}

/// `files` with every path under `from` moved under `to` (`git mv from to`).
fn moved(files: &[File], from: &str, to: &str) -> Vec<File> {
    files
        .iter()
        .map(|f| match f.path.strip_prefix(from) {
            Some(rest) => File {
                path: format!("{to}{rest}"),
                bytes: f.bytes.clone(),
            },
            None => f.clone(),
        })
        .collect()
}

#[test]
fn a_collection_directory_git_moved_is_updated_under_its_new_name_never_re_created() {
    let ws = live();
    let files = moved(
        &fetched(&ws),
        "postman/collections/Beta/",
        "postman/collections/Delta/",
    );
    let writes = plan(&files, &ws, &no_journal()).unwrap();
    let beta = ws.collections[1].id.clone().unwrap();
    let [Write::Remap { kind, path, id }, Write::UpdateCollection { uid, json, .. }] =
        writes.as_slice()
    else {
        panic!("{writes:#?}")
    };
    assert_eq!(
        (*kind, path.as_str(), id),
        (Kind::Collections, "postman/collections/Delta", &beta)
    );
    assert_eq!(uid, &beta);
    let sent: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(sent["info"]["name"], "Delta");
}

#[test]
fn environments_and_globals_are_updated_created_and_deleted() {
    let ws = live();
    let files = fetched(&ws);
    let prod = path_ending(&files, "/Prod.environment.yaml");
    let files = edited(&files, "/workspace.globals.yaml", |t| {
        t.replace("'1'", "'2'").replace("\"1\"", "\"2\"")
    });
    // The other environment ("prod", next to "Prod") is deleted.
    let mut files: Vec<File> = files
        .into_iter()
        .filter(|f| !f.path.starts_with("postman/environments/") || f.path == prod)
        .collect();
    files.push(file(
        "postman/environments/Dev.environment.yaml",
        "name: Dev\nvalues:\n  - key: url\n    value: http://localhost\n    enabled: true\n",
    ));
    let writes = plan(&files, &ws, &no_journal()).unwrap();
    let kinds: Vec<String> = writes
        .iter()
        .map(|w| {
            format!("{w:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        ["CreateEnvironment", "PutGlobals", "DeleteEnvironment"],
        "{writes:#?}"
    );
    assert_eq!(
        writes[1],
        Write::PutGlobals {
            values: vec![var("g", "2", "default")]
        }
    );
    // The create is journaled; the push stopped; pushing again updates it.
    let created: BTreeMap<String, String> = [(
        "postman/environments/Dev.environment.yaml".to_string(),
        "3512728-0d6a1c9e-8f4b-4c2d-9e7a-5b3f1a2c4d6e".to_string(),
    )]
    .into();
    let mut after = ws.clone();
    after.environments.push(super::super::state::Environment {
        id: Some(created.values().next().unwrap().clone()),
        name: "Dev".into(),
        values: vec![var("url", "http://localhost", "default")],
    });
    let again = plan(&files, &after, &created).unwrap();
    assert!(
        again
            .iter()
            .all(|w| !matches!(w, Write::CreateEnvironment { .. })),
        "{again:#?}"
    );
}

#[test]
fn nothing_is_planned_unless_the_whole_commit_validates() {
    let ws = live();
    let mut files = fetched(&ws);
    files.push(file(
        "postman/environments/Bad.environment.yaml",
        "name: Bad\nvalues: [\n",
    ));
    let e = plan(&files, &ws, &no_journal()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("postman/environments/Bad.environment.yaml:3"),
        "{e}"
    );

    let other = edited(&fetched(&ws), RESOURCES_FILE, |t| {
        t.replace(WS, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9")
    });
    let e = plan(&other, &ws, &no_journal()).unwrap_err();
    assert!(matches!(e, Error::OtherWorkspace { .. }), "{e}");

    let mut gone = ws.clone();
    gone.specs.remove(0);
    let e = plan(&fetched(&ws), &gone, &no_journal()).unwrap_err();
    assert!(e.to_string().contains("(fetch first)"), "{e}");
}
