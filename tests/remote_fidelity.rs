//! Fidelity: what a clone writes is what Postman's own git integration writes, and every
//! collection we write is one the real Postman tools read as the collection Postman
//! served.
//!
//! - `git_layout_repositories_come_out_byte_identical`: each repository of
//!   `shared/postman/git-layout/` (written by Postman) seeds a fake; a clone with the
//!   mapping set to that repository's layout has exactly its files, byte for byte.
//! - `shared_collections_survive_a_clone`: each collection of
//!   `shared/postman/collections/` is created in a fake and cloned; npm
//!   `postman-collection` (the Postman SDK) loads the cloned file and its `toJSON()`
//!   equals the source file's apart from the ids the fake assigned; newman's collection
//!   loader loads it; the file is what `JSON.stringify(value, null, "\t")` prints.

mod support;

use std::path::{Path, PathBuf};

use git_postman::layout::collection::FILE_SCHEMA_URL;
use git_postman::layout::dotpostman::ApiEntityData;
use serde_json::{Map, Value};
use support::fake_postman::{FakePostman, DEFAULT_USER};
use support::git::{files_of, postman_url, Sandbox};
use support::node::Node;

/// The shared repositories written by Postman's git integration.
const GIT_LAYOUT_REPOS: [&str; 2] = ["1rel-api", "postman-api-int-test"];

/// `git clone -c remote.origin.<key>=<value>` options that give a clone the layout of the
/// Postman-written repository `repo`, read from its `.postman/api_<id>`:
/// - `postmanCollectionDirectory`: `[config.relations.collections] rootDirectory`
///   (Postman's default `postman/collections` when absent);
/// - `postmanSchemaDirectory`: `[config.relations.apiDefinition] rootDirectory` in
///   configVersion 1.0.0 files; configVersion 1.1.0 files list repository-root relative
///   paths, so there the schema's paths are the repository's (`.`), which is also how
///   `State::seed_git_layout` turns them into Postman paths.
fn layout_options(repo: &Path, api_id: &str) -> Vec<String> {
    let file = format!(".postman/api_{api_id}");
    let text = std::fs::read_to_string(repo.join(&file)).unwrap();
    let data = ApiEntityData::parse(&file, &text).unwrap();
    let collections = data
        .collections_root
        .unwrap_or_else(|| "postman/collections".into());
    let schemas = data.definition_root.unwrap_or_else(|| ".".into());
    vec![
        "-c".into(),
        format!("remote.origin.postmanCollectionDirectory={collections}"),
        "-c".into(),
        format!("remote.origin.postmanSchemaDirectory={schemas}"),
    ]
}

#[test]
fn git_layout_repositories_come_out_byte_identical() {
    let mut compared = 0;
    for name in GIT_LAYOUT_REPOS {
        let Some(source) = support::shared::path(&format!("postman/git-layout/{name}")) else {
            return;
        };
        let fake = FakePostman::start();
        let api = fake.with_state(|s| s.seed_git_layout(&source));
        let sandbox = Sandbox::new();
        let mut args = vec!["clone".to_string()];
        args.extend(layout_options(&source, &api));
        args.extend([postman_url(&fake, &api), "clone".into()]);
        sandbox.git_ok(sandbox.path(), &args);
        let clone = sandbox.join("clone");

        // Exactly Postman's files: the layout implies nothing else (no schema file that
        // Postman did not list, no collection it did not list, no other `.postman` file).
        let expected = files_of(&source);
        assert_eq!(files_of(&clone), expected, "{name}: the clone's files");
        for rel in &expected {
            let want = std::fs::read(source.join(rel)).unwrap();
            let got = std::fs::read(clone.join(rel)).unwrap();
            assert!(
                got == want,
                "{name}: {rel} differs from what Postman wrote\n--- Postman\n{}\n--- clone\n{}",
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            );
            compared += 1;
        }
        // The clone is clean: the checked-out tree is the commit's tree.
        assert_eq!(
            sandbox.git_ok(&clone, ["status", "--porcelain"]),
            "",
            "{name}"
        );
    }
    eprintln!("{compared} files byte-identical to what Postman wrote");
}

/// Every collection of `shared/postman/collections/`, served by a fake and cloned.
#[test]
fn shared_collections_survive_a_clone() {
    let Some(dir) = support::shared::path("postman/collections") else {
        return;
    };
    let Some(node) = Node::find() else {
        return;
    };
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    sources.sort();
    assert!(!sources.is_empty(), "no collections in {}", dir.display());

    let sandbox = Sandbox::new();
    let mut failures = Vec::new();
    let mut grafted_total = 0;
    for source in &sources {
        let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
        match check_collection(&node, &sandbox, source, &stem) {
            Ok(grafted) => grafted_total += grafted,
            Err(why) => failures.push(format!("{stem}.json: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} collections failed:\n\n{}",
        failures.len(),
        sources.len(),
        failures.join("\n\n")
    );
    eprintln!(
        "{} collections cloned: each loads in postman-collection and newman with toJSON() equal to the source's ({grafted_total} ids assigned by the fake)",
        sources.len()
    );
}

/// Values where JavaScript's `JSON.stringify` has rules of its own (number formatting,
/// string escapes, integer-like keys first, empty containers), in places a collection
/// keeps verbatim: the clone must be what JavaScript prints, and load as the source.
#[test]
fn javascript_edge_values_survive_a_clone() {
    let Some(node) = Node::find() else {
        return;
    };
    let sandbox = Sandbox::new();
    let source = sandbox.join("edge-values.json");
    let collection = r#"{
        "info": {"name": "Edge values", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{
            "name": "r",
            "request": {"method": "POST", "url": "https://example.com/a?q=%E2%82%AC",
                        "body": {"mode": "raw", "raw": "{\"a\": 1.50}\r\n\t\u0000\u001f\u007f\u2028\u2029 é 😀 </script> \\ \""}},
            "response": [],
            "protocolProfileBehavior": {"10": 1, "2": [], "b": {}, "01": null, "-1": true, "4294967295": 0, "4294967294": [[]]}
        }],
        "variable": [
            {"key": "numbers", "value": [0.1, 1e21, 1e20, 1e-7, 0.000001, 5e-324, 1.7976931348623157e308, -0.0, 1.0, 12345678901234567890, 123456789012345678901, 9007199254740993, -42, 2.5e-10]},
            {"key": "nested", "value": {"": "", " ": [{}], "é": {"z": 1, "a": 2}}}
        ],
        "x-unknown": {"kept": [true, false, null]}
    }"#;
    std::fs::write(&source, collection).unwrap();
    if let Err(why) = check_collection(&node, &sandbox, &source, "edge-values") {
        panic!("edge-values: {why}");
    }
}

/// Creates `source` in a fresh fake (a fresh one each: several shared collections have the
/// same `_postman_id`, which one workspace would not keep), clones it and runs every
/// check. Returns how many ids the fake assigned.
fn check_collection(
    node: &Node,
    sandbox: &Sandbox,
    source: &Path,
    stem: &str,
) -> Result<usize, String> {
    let source_json: Value = serde_json::from_str(&std::fs::read_to_string(source).unwrap())
        .map_err(|e| format!("the source is not JSON: {e}"))?;
    let fake = FakePostman::start();
    let (api, uid) = fake.with_state(|s| {
        let api = s.create_api(None, stem);
        let uid = s.create_collection(&api, DEFAULT_USER, None, source_json.clone());
        (api, uid)
    });
    let clone_dir = format!("clone-{stem}");
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-q", &postman_url(&fake, &api), &clone_dir],
    );
    let clone = sandbox.join(&clone_dir);

    // The one collection file, where `.postman/api_<id>` says it is.
    let entity_file = format!(".postman/api_{api}");
    let entity = ApiEntityData::parse(
        &entity_file,
        &std::fs::read_to_string(clone.join(&entity_file)).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    let [entry] = entity.collections.as_slice() else {
        return Err(format!("{entity_file} lists {:?}", entity.collections));
    };
    if entry.id != uid {
        return Err(format!(
            "{entity_file} lists UID {}, the fake made {uid}",
            entry.id
        ));
    }
    let cloned_file = clone.join(entity.collection_repo_path(entry));
    let cloned_json: Value = serde_json::from_str(
        &std::fs::read_to_string(&cloned_file)
            .map_err(|e| format!("{}: {e}", cloned_file.display()))?,
    )
    .map_err(|e| format!("the cloned file is not JSON: {e}"))?;

    // Byte form: JavaScript's own `JSON.stringify(JSON.parse(file), null, "\t")`.
    node.run("stringify-check.js", &[&cloned_file])?;

    // The ids the fake assigned, put into the source where it had none (see `graft_ids`),
    // so the source and the clone must now agree on everything.
    let mut grafted_source = source_json.clone();
    let mut grafted = Vec::new();
    graft_ids(&mut grafted_source, &cloned_json, "", &mut grafted);
    let grafted_file = sandbox.join(&format!("{stem}.grafted.json"));
    std::fs::write(
        &grafted_file,
        serde_json::to_string_pretty(&grafted_source).unwrap(),
    )
    .unwrap();

    // The file itself: the source with those ids, apart from `info.schema` (see
    // `file_form`).
    let mut expected_file = grafted_source.clone();
    file_form(&mut expected_file);
    if cloned_json["info"]["_uid"] != uid.as_str() {
        return Err(format!(
            "info._uid is {}, not the UID {uid}",
            cloned_json["info"]["_uid"]
        ));
    }
    let raw = diff(&expected_file, &cloned_json);
    if !raw.is_empty() {
        return Err(format!(
            "the cloned file differs from the source (source -> clone):\n{}",
            raw.join("\n")
        ));
    }

    // The Postman SDK: `new Collection(json)` loads the clone, and `toJSON()` of the two
    // are equal. Nothing is normalised here: the grafted ids are the only ids that differ
    // between the two files, the SDK invents the same ids at the same places in both
    // (deterministic-uuid.js), and `info.schema` does not survive `toJSON()`.
    let sdk = node.run_json("collection-tojson.js", &[&grafted_file, &cloned_file]);
    let sdk_diff = diff(&sdk[0], &sdk[1]);
    if !sdk_diff.is_empty() {
        return Err(format!(
            "postman-collection toJSON() differs (source -> clone):\n{}",
            sdk_diff.join("\n")
        ));
    }

    // newman's collection loader (with the SDK copy newman ships) loads it as the same
    // collection with the same requests.
    let newman = node.run_json("newman-load.js", &[&grafted_file, &cloned_file]);
    let newman_diff = diff(&newman[0], &newman[1]);
    if !newman_diff.is_empty() {
        return Err(format!(
            "newman's loaded collection differs (source -> clone):\n{}",
            newman_diff.join("\n")
        ));
    }
    Ok(grafted.len())
}

/// Copies into `source` each id the fake assigned (`normalize` in
/// `tests/support/fake_postman/collections.rs`, like Postman's servers), at exactly the
/// places it assigns them and only where the source has none:
/// - `info._postman_id` (the collection id; a source without one gets a new one) and
///   `info._uid` (the collection's UID `<owner>-<id>`, which Postman's git integration
///   writes into files; the SDK keeps it, as `_.uid`);
/// - `id` of every item and folder at any depth and of every saved `response`, where the
///   source has no non-empty string `id`;
/// - `script.id` of every `event` and `id` of every `variable`, of the collection and of
///   every item and folder, where the source has no `id` key.
///
/// An id the source has must come out unchanged, so it is never overwritten: the
/// comparisons after this see any change to it.
///
/// Known leniency, from the fake, not from the clone: an item or response with only a
/// `_postman_id` (v2.0 style; 35 items and folders of the shared collections) gets a new `id` from
/// the fake, while the SDK and Postman's own converter (postman-collection-transformer)
/// take `_postman_id` as its id. The new `id` is grafted like any other; the clone keeps
/// `_postman_id` itself unchanged, which the file comparison checks.
fn graft_ids(source: &mut Value, clone: &Value, at: &str, grafted: &mut Vec<String>) {
    let (Some(src), Some(cl)) = (source.as_object_mut(), clone.as_object()) else {
        return;
    };
    if at.is_empty() {
        if let (Some(info), Some(cl_info)) = (
            src.get_mut("info").and_then(Value::as_object_mut),
            cl.get("info").and_then(Value::as_object),
        ) {
            for key in ["_postman_id", "_uid"] {
                graft_one(info, cl_info, key, false, "/info", grafted);
            }
        }
    } else {
        graft_one(src, cl, "id", true, at, grafted);
    }
    // (array, the member of each element that holds the id, `string_only`)
    let id_places = [
        ("variable", None, false),
        ("event", Some("script"), false),
        ("response", None, true),
    ];
    for (key, member, string_only) in id_places {
        for (i, (s, c)) in pairs(src, cl, key) {
            let (s, c, place) = match member {
                Some(m) => (s.get_mut(m), c.get(m), format!("{at}/{key}/{i}/{m}")),
                None => (Some(s), Some(c), format!("{at}/{key}/{i}")),
            };
            if let (Some(s), Some(c)) = (
                s.and_then(Value::as_object_mut),
                c.and_then(Value::as_object),
            ) {
                graft_one(s, c, "id", string_only, &place, grafted);
            }
        }
    }
    for (i, (s, c)) in pairs(src, cl, "item") {
        graft_ids(s, c, &format!("{at}/item/{i}"), grafted);
    }
}

/// The elements of array `key` in both, side by side.
fn pairs<'a>(
    src: &'a mut Map<String, Value>,
    cl: &'a Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = (usize, (&'a mut Value, &'a Value))> {
    let s = src
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten();
    let c = cl.get(key).and_then(Value::as_array).into_iter().flatten();
    s.zip(c).enumerate()
}

/// Puts `clone[key]` into `src` if `src` has no id there: no key at all, or, with
/// `string_only` (the fake's rule for items and responses), no non-empty string.
fn graft_one(
    src: &mut Map<String, Value>,
    clone: &Map<String, Value>,
    key: &str,
    string_only: bool,
    at: &str,
    grafted: &mut Vec<String>,
) {
    let has_id = match src.get(key) {
        None => false,
        Some(v) if string_only => v.as_str().is_some_and(|s| !s.is_empty()),
        Some(_) => true,
    };
    if let (false, Some(id)) = (has_id, clone.get(key)) {
        src.insert(key.into(), id.clone());
        grafted.push(format!("{at}/{key}"));
    }
}

/// The `info` field a collection file has whatever the source said (DESIGN, "Files
/// exactly as Postman writes them"): `schema` is the v2.1.0 URL Postman's git integration
/// writes (the shared collections say `http://…/draft-07/…` or v2.0.0; the API serves
/// every collection as v2.1.0). The SDK's `toJSON()` writes its own constant there, so
/// this is needed only for the comparison of the files themselves.
fn file_form(collection: &mut Value) {
    let info = collection["info"]
        .as_object_mut()
        .expect("the source has info");
    info.insert("schema".into(), FILE_SCHEMA_URL.into());
}

/// The differences between two JSON values, as `pointer: a -> b` lines (object key order
/// is not compared: JSON objects are unordered, and the writer's order is checked by the
/// byte comparisons of the git-layout test and `stringify-check.js`; numbers are compared
/// as the doubles JavaScript reads).
fn diff(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_at(a, b, "", &mut out);
    out
}

fn diff_at(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    const MAX: usize = 20;
    if out.len() >= MAX {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let p = format!("{at}/{k}");
                match y.get(k) {
                    Some(w) => diff_at(v, w, &p, out),
                    None => out.push(format!("{p}: {} -> (missing)", short(v))),
                }
            }
            for (k, w) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                out.push(format!("{at}/{k}: (missing) -> {}", short(w)));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff_at(v, w, &format!("{at}/{i}"), out);
            }
        }
        // Numbers are JavaScript's: Postman parses a collection into doubles, so `1.0`
        // and `1`, `-0.0` and `0`, or integers beyond 2^53 that round to the same double,
        // are the same value (and `stringify-check.js` has checked how they are written).
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a != b => out.push(format!("{at}: {} -> {}", short(a), short(b))),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}
