//! The workspace client (`postman::workspace`) against the fake Postman API over HTTP:
//! listings read to the end over several pages, contents that come back byte for byte,
//! Postman's ROOT rules, the 10 MB limit, the version tag 409, generated collections
//! that keep their link, and a workspace's collections, environments and globals.

#[path = "support/fake_postman/mod.rs"]
mod fake_postman;

#[path = "support/workspace_setup.rs"]
mod workspace_setup;

use fake_postman::{Fault, SAMPLE_SECRET};
use git_postman::postman::workspace::{
    Error, FilePatch, FileType, NewSpecFile, Variable, MAX_SPEC_FILE_BYTES,
};
use serde_json::{json, Value};
use workspace_setup::{setup, Setup};

impl Setup {
    /// How many requests went to paths starting with `prefix` (method `method`).
    fn count(&self, method: &str, prefix: &str) -> usize {
        let log = self.fake.requests();
        log.iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .count()
    }

    fn spec_id(&self, name: &str) -> String {
        let specs = self.client.specs(&self.ws).unwrap();
        specs.into_iter().find(|s| s.name == name).unwrap().id
    }
}

/// Postman's message of an API error (`Error::Api(Status)`).
fn status_of(e: Error) -> (u16, String) {
    match e {
        Error::Api(git_postman::postman::Error::Status {
            status, message, ..
        }) => (status, message),
        other => panic!("not a status error: {other}"),
    }
}

#[test]
fn listings_are_read_to_the_end_with_their_updated_at() {
    let t = setup();
    t.fake.with_state(|s| s.set_page_size(1));
    let w = t.client.workspace(&t.ws).unwrap();
    assert_eq!((w.name.as_str(), w.specs.len()), ("Payments", 2));

    t.fake.clear_requests();
    // Throttled once on the way: waited out as Postman says, then read to the end.
    t.fake.inject(Fault::RateLimited {
        retry_after_secs: 1,
        times: 1,
    });
    let specs = t.client.specs(&t.ws).unwrap();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["events", "payments"]);
    let statuses: Vec<u16> = t.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [429, 200, 200],
        "one page per spec, after the 429"
    );

    let payments = &specs[1];
    t.fake.clear_requests();
    let files = t.client.spec_files(&payments.id).unwrap();
    assert_eq!(t.count("GET", "/specs"), 6, "six files, one per page");
    t.fake.with_state(|s| {
        let stored = &s.spec(&payments.id).unwrap().files;
        let listed: Vec<(&str, Option<&str>, bool)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.updated_at.as_deref(), f.is_root()))
            .collect();
        let expected: Vec<(&str, Option<&str>, bool)> = stored
            .values()
            .map(|f| (f.path.as_str(), Some(f.updated_at.as_str()), f.root))
            .collect();
        assert_eq!(listed, expected);
        assert!(
            files.iter().all(|f| f.content.is_none()),
            "no content in a listing"
        );
    });
    let one = t
        .client
        .spec_file(&payments.id, "components/schemas/Money.yaml")
        .unwrap();
    let stored = t.fake.with_state(|s| {
        s.spec(&payments.id).unwrap().files["components/schemas/Money.yaml"]
            .content
            .clone()
    });
    assert_eq!(one.content.as_deref(), Some(stored.as_str()));
    assert_eq!(
        t.client.spec(&payments.id).unwrap().file_format.as_deref(),
        Some("yaml")
    );

    t.fake.clear_requests();
    let collections = t.client.workspace_collections(&t.ws).unwrap();
    assert_eq!(collections.len(), 2);
    assert_eq!(t.count("GET", "/collections"), 2, "one collection per page");
    assert!(collections.iter().all(|c| c.updated_at.is_some()));

    let envs = t.client.environments(&t.ws).unwrap();
    assert_eq!(envs[0].name, "Staging");
    let staging = t.client.environment(&envs[0].uid).unwrap();
    let secret = staging.values.iter().find(|v| v.is_secret()).unwrap();
    assert_eq!(secret.value, SAMPLE_SECRET);
    assert_eq!(t.client.globals(&t.ws).unwrap()[0].key, "region");
}

#[test]
fn spec_files_round_trip_one_property_per_patch() {
    let t = setup();
    // Unicode, CRLF, trailing spaces, no final newline: the bytes come back as sent.
    let root = "openapi: 3.1.0\r\ninfo:\n  title: Zahlungen – «API»  \n  version: '1'";
    let shared = "type: object\n";
    let files = [
        NewSpecFile {
            path: "index.yaml",
            content: root,
            root: true,
        },
        NewSpecFile {
            path: "components/Shared.yaml",
            content: shared,
            root: false,
        },
    ];
    let spec = t
        .client
        .create_spec(&t.ws, "Zahlungen", "OPENAPI:3.1", &files)
        .unwrap();
    let back = t.client.spec_file(&spec.id, "index.yaml").unwrap();
    assert_eq!(back.content.as_deref(), Some(root));
    assert!(back.is_root());

    let edited = "type: object\nproperties: {}\n";
    let after = t
        .client
        .patch_spec_file(
            &spec.id,
            "components/Shared.yaml",
            FilePatch::Content(edited),
        )
        .unwrap();
    let content = t
        .client
        .spec_file(&spec.id, "components/Shared.yaml")
        .unwrap();
    assert_eq!(content.content.as_deref(), Some(edited));
    assert_eq!(content.updated_at, after.updated_at);

    // The ROOT moves: the previous root becomes DEFAULT.
    t.client
        .patch_spec_file(
            &spec.id,
            "components/Shared.yaml",
            FilePatch::Type(FileType::Root),
        )
        .unwrap();
    let roots: Vec<String> = t
        .client
        .spec_files(&spec.id)
        .unwrap()
        .into_iter()
        .filter(|f| f.is_root())
        .map(|f| f.path)
        .collect();
    assert_eq!(roots, ["components/Shared.yaml"]);

    let renamed = t
        .client
        .patch_spec_file(&spec.id, "index.yaml", FilePatch::Name("main.yaml"))
        .unwrap();
    assert_eq!(renamed.path, "main.yaml");
    let created = t
        .client
        .create_spec_file(&spec.id, "paths/new.yaml", "get: {}\n")
        .unwrap();
    assert_eq!(created.file_type, FileType::Default);
    t.client.delete_spec_file(&spec.id, "main.yaml").unwrap();
    let paths: Vec<String> = t
        .client
        .spec_files(&spec.id)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(paths, ["components/Shared.yaml", "paths/new.yaml"]);

    assert_eq!(
        t.client.rename_spec(&spec.id, "Payments").unwrap().name,
        "Payments"
    );
    t.client.delete_spec(&spec.id).unwrap();
    let (status, message) = status_of(t.client.spec(&spec.id).unwrap_err());
    assert_eq!(status, 404);
    assert!(message.contains("Specification not found"), "{message}");
}

#[test]
fn postmans_root_rules_come_back_as_its_messages() {
    let t = setup();
    let file = |path, root| NewSpecFile {
        path,
        content: "a: 1\n",
        root,
    };
    let cases: [(&[NewSpecFile], &str); 2] = [
        (
            &[file("a.yaml", true), file("b.yaml", true)],
            "Only one file can have type ROOT",
        ),
        (
            &[file("a.yaml", false), file("b.yaml", false)],
            "At least one file must have type ROOT",
        ),
    ];
    for (files, expected) in cases {
        let (status, message) = status_of(
            t.client
                .create_spec(&t.ws, "Two", "OPENAPI:3.0", files)
                .unwrap_err(),
        );
        assert_eq!(status, 400);
        assert!(message.contains(expected), "{message}");
    }
    assert_eq!(
        t.client.specs(&t.ws).unwrap().len(),
        2,
        "nothing was created"
    );

    let spec = t.spec_id("payments");
    let demote = t
        .client
        .patch_spec_file(&spec, "index.yaml", FilePatch::Type(FileType::Default));
    let deleted = t.client.delete_spec_file(&spec, "index.yaml");
    for e in [demote.unwrap_err(), deleted.unwrap_err()] {
        let (status, message) = status_of(e);
        assert_eq!(
            (
                status,
                message.contains("At least one file must have type ROOT")
            ),
            (400, true)
        );
    }
    let root = t.client.spec_files(&spec).unwrap();
    assert!(root.iter().any(|f| f.path == "index.yaml" && f.is_root()));
}

#[test]
fn ten_megabytes_per_file() {
    let t = setup();
    let spec = t.spec_id("payments");
    let at_limit = "#".repeat(MAX_SPEC_FILE_BYTES);
    t.client
        .create_spec_file(&spec, "big.yaml", &at_limit)
        .unwrap();
    let back = t.client.spec_file(&spec, "big.yaml").unwrap();
    assert_eq!(back.content.map(|c| c.len()), Some(MAX_SPEC_FILE_BYTES));

    t.fake.clear_requests();
    let over = format!("{at_limit}#");
    let refused = [
        t.client.create_spec_file(&spec, "bigger.yaml", &over),
        t.client
            .patch_spec_file(&spec, "big.yaml", FilePatch::Content(&over)),
    ];
    for r in refused {
        match r.unwrap_err() {
            Error::FileTooLarge { bytes, limit, .. } => {
                assert_eq!(
                    (bytes, limit),
                    (MAX_SPEC_FILE_BYTES + 1, MAX_SPEC_FILE_BYTES)
                )
            }
            other => panic!("{other}"),
        }
    }
    assert!(t.fake.requests().is_empty(), "refused before sending");
}

#[test]
fn a_version_tag_needs_a_change_and_the_409_is_one_clear_error() {
    let t = setup();
    let spec = t.spec_id("payments");
    let first = t.client.create_version_tag(&spec, "1.0.0").unwrap();
    assert_eq!(first.name, "1.0.0");
    t.fake.clear_requests();
    let e = t.client.create_version_tag(&spec, "1.0.1").unwrap_err();
    assert!(
        matches!(&e, Error::TagConflict { tag, .. } if tag == "1.0.1"),
        "{e}"
    );
    assert!(e.to_string().contains("changelog group"), "{e}");
    assert_eq!(t.count("POST", "/specs"), 1, "a 409 here is not retried");

    let old = t
        .client
        .spec_file(&spec, "components/schemas/Error.yaml")
        .unwrap();
    t.client
        .patch_spec_file(
            &spec,
            "components/schemas/Error.yaml",
            FilePatch::Content("type: string\n"),
        )
        .unwrap();
    t.client.create_version_tag(&spec, "1.1.0").unwrap();
    t.fake.with_state(|s| s.set_page_size(1));
    let names: Vec<String> = t
        .client
        .version_tags(&spec)
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["1.1.0", "1.0.0"]);
    let tagged = t.client.version_tag_files(&spec, &first.id).unwrap();
    assert_eq!(tagged.len(), 6, "files only, no folders");
    let error = tagged
        .iter()
        .find(|f| f.path == "components/schemas/Error.yaml")
        .unwrap();
    assert_eq!(
        Some(error.content.as_str()),
        old.content.as_deref(),
        "as tagged"
    );
    let index = tagged.iter().find(|f| f.path == "index.yaml").unwrap();
    assert_eq!(index.file_type, Some(FileType::Root));
}

#[test]
fn a_generated_collection_keeps_its_link_through_edits_and_syncs() {
    let t = setup();
    let spec = t.spec_id("payments");
    let uid = t
        .client
        .generate_collection(&spec, "From the spec")
        .unwrap();
    let state = |uid: &str| {
        let linked = t.client.generated_collections(&spec).unwrap();
        linked.into_iter().find(|c| c.id == uid).map(|c| c.state)
    };
    assert_eq!(state(&uid).as_deref(), Some("in-sync"));
    let served = t.client.collection(&uid).unwrap();
    let mut body: Value = serde_json::from_slice(&served.file_bytes(&uid).unwrap()).unwrap();
    assert_eq!(body["item"][0]["item"][0]["name"], "List payments");

    body["item"][0]["item"][0]["name"] = json!("All payments");
    t.client.put_collection(&uid, &body.to_string()).unwrap();
    assert_eq!(
        state(&uid).as_deref(),
        Some("out-of-sync"),
        "edited, still linked"
    );
    t.client.sync_collection(&spec, &uid).unwrap();
    assert_eq!(state(&uid).as_deref(), Some("in-sync"));

    let events = t.spec_id("events");
    let e = t.client.generate_collection(&events, "Events").unwrap_err();
    assert!(matches!(e, Error::TaskFailed { .. }), "{e}");
    let message = e.to_string();
    assert!(
        message.starts_with("Postman could not generate a collection from spec"),
        "{message}"
    );
    assert!(
        message.contains("ASYNCAPI:2.0 is not supported"),
        "{message}"
    );
    // Each task (two generations, a sync) was pending at the first look: one wait each,
    // noted, not spent.
    let waits = t.waits.lock().unwrap().clone();
    assert_eq!(waits, [std::time::Duration::from_millis(200); 3]);
}

#[test]
fn collections_environments_and_globals_of_a_workspace() {
    let t = setup();
    let collection = json!({"info": {"name": "Smoke", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []});
    let uid = t
        .client
        .create_workspace_collection(&t.ws, &collection.to_string())
        .unwrap();
    let listed = |t: &Setup| -> Vec<String> {
        let all = t.client.workspace_collections(&t.ws).unwrap();
        all.into_iter().map(|c| c.uid).collect()
    };
    assert!(listed(&t).contains(&uid));
    t.client.delete_collection(&uid).unwrap();
    assert!(!listed(&t).contains(&uid));

    let var = |key: &str, value: &str, kind: &str| -> Variable {
        serde_json::from_value(json!({"key": key, "value": value, "type": kind, "enabled": true}))
            .unwrap()
    };
    let values = vec![
        var("host", "localhost", "default"),
        var("token", "s3cr3t", "secret"),
    ];
    let env = t
        .client
        .create_environment(&t.ws, "Local", &values)
        .unwrap();
    assert_eq!(t.client.environment(&env).unwrap().values, values);
    let before = t.client.environment(&env).unwrap().updated_at;
    let fewer = vec![values[0].clone()];
    t.client
        .update_environment(&env, "Local dev", &fewer)
        .unwrap();
    let after = t.client.environment(&env).unwrap();
    assert_eq!((after.name.as_str(), &after.values), ("Local dev", &fewer));
    assert!(after.updated_at > before);
    t.client.delete_environment(&env).unwrap();
    let uids: Vec<String> = t
        .client
        .environments(&t.ws)
        .unwrap()
        .into_iter()
        .map(|e| e.uid)
        .collect();
    assert!(!uids.contains(&env));

    t.client.put_globals(&t.ws, &values).unwrap();
    assert_eq!(t.client.globals(&t.ws).unwrap(), values);
}
