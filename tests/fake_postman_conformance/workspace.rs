//! The workspace API (Postman v12) over real HTTP: every operation the fake serves for
//! workspaces, Spec Hub, collections and environments in a workspace, success and each
//! error, checked against `postman-api-current.yaml` (`Harness::v12`), with the state
//! each call leaves behind asserted.

use serde_json::{json, Value};

use super::fake_postman::{self, Fault, SAMPLE_SECRET};
use super::{body, enc, Harness, BAD_KEY};

pub(super) fn all(h: &mut Harness) {
    let ws = h.state(|s| s.seed_workspace());
    workspaces(h, &ws);
    let specs = specs(h, &ws);
    spec_files(h, &specs);
    version_tags(h, &specs.multi);
    generations(h, &ws, &specs);
    collections(h, &ws);
    environments(h, &ws);
    faults(h, &ws, &specs.multi);
}

/// Throttling and spikes answer the workspace API with the common shapes too.
fn faults(h: &mut Harness, ws: &str, spec: &str) {
    h.fake.inject(Fault::RateLimited {
        retry_after_secs: 3,
        times: 1,
    });
    let r = h
        .v12("get", "/specs", format!("/specs?workspaceId={ws}"))
        .expect(429);
    assert_eq!(r.header("Retry-After"), Some("3"));
    h.fake.inject(Fault::Unavailable { times: 1 });
    let t = "/specs/{specId}/files/{filePath}";
    h.v12("patch", t, format!("/specs/{spec}/files/index.yaml"))
        .json(json!({"content": "openapi: 3.0.3\n"}))
        .expect(503);
    let unchanged = h.state(|s| s.spec(spec).unwrap().files["index.yaml"].content.clone());
    assert_ne!(unchanged, "openapi: 3.0.3\n", "a 503 changed nothing");
}

/// The 401s every workspace operation answers without a valid key.
fn unauthorized(h: &mut Harness, method: &'static str, template: &'static str, path: &str) {
    h.v12(method, template, path).key(None).expect(401);
    h.v12(method, template, path).key(BAD_KEY).expect(401);
}

fn workspaces(h: &mut Harness, ws: &str) {
    let t = "/workspaces/{workspaceId}";
    let r = h.v12("get", t, format!("/workspaces/{ws}")).expect(200);
    let w = &body(&r)["workspace"];
    assert_eq!(w["id"], json!(ws));
    assert_eq!(w["collections"].as_array().unwrap().len(), 2);
    assert_eq!(w["environments"][0]["name"], "Staging");
    let names: Vec<&str> = w["specs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["events", "payments"], "newest first");
    h.v12("get", t, "/workspaces/nope").expect(404);
    unauthorized(h, "get", t, &format!("/workspaces/{ws}"));

    let t = "/workspaces/{workspaceId}/global-variables";
    let path = format!("/workspaces/{ws}/global-variables");
    let r = h.v12("get", t, &path).expect(200);
    assert_eq!(body(&r)["values"][0]["key"], "region");
    let values = json!([
        {"key": "region", "value": "us", "type": "default", "enabled": true},
        {"key": "token", "value": "t0k3n", "type": "secret", "enabled": true, "description": "d"},
    ]);
    let r = h
        .v12("put", t, &path)
        .json(json!({ "values": values }))
        .expect(200);
    assert_eq!(body(&r)["values"], values);
    assert_eq!(body(&h.v12("get", t, &path).expect(200))["values"], values);
    h.v12("put", t, &path)
        .json(json!({"values": [null]}))
        .expect(400);
    h.v12("put", t, &path).json(json!({})).expect(400);
    h.v12("get", t, "/workspaces/nope/global-variables")
        .expect(404);
    unauthorized(h, "put", t, &path);
}

struct Specs {
    /// The seeded multi-file OpenAPI spec.
    multi: String,
    /// The seeded single-file AsyncAPI spec.
    single: String,
}

fn specs(h: &mut Harness, ws: &str) -> Specs {
    let t = "/specs";
    // --- getAllSpecs, one spec per page
    h.state(|s| s.set_page_size(1));
    let mut ids = Vec::new();
    let mut path = format!("/specs?workspaceId={ws}");
    loop {
        let r = h.v12("get", t, &path).expect(200);
        let b = body(&r);
        assert_eq!(b["specs"].as_array().unwrap().len(), 1);
        ids.push(b["specs"][0]["id"].as_str().unwrap().to_string());
        match b["meta"]["nextCursor"].as_str() {
            Some(c) => path = format!("/specs?workspaceId={ws}&cursor={}", enc(c)),
            None => break,
        }
    }
    h.state(|s| s.set_page_size(3));
    assert_eq!(ids.len(), 2, "two pages, two specs");
    let (single, multi) = (ids[0].clone(), ids[1].clone());
    h.v12("get", t, "/specs").expect(400);
    h.v12("get", t, "/specs?workspaceId=nope").expect(400);
    h.v12("get", t, format!("/specs?workspaceId={ws}&limit=0"))
        .expect(400);
    unauthorized(h, "get", t, &format!("/specs?workspaceId={ws}"));

    // --- createSpec: single file (ROOT by itself), multi-file with one ROOT
    let create = format!("/specs?workspaceId={ws}");
    let one = json!({"name": "Single", "type": "OPENAPI:3.1",
        "files": [{"path": "openapi.json", "content": "{\"openapi\":\"3.1.0\"}"}]});
    let r = h.v12("post", t, &create).json(one.clone()).expect(201);
    let single_created = body(&r)["id"].as_str().unwrap().to_string();
    h.state(|s| {
        let spec = s.spec(&single_created).unwrap();
        assert!(spec.files["openapi.json"].root);
        assert_eq!(spec.file_format(), "json");
    });
    let file =
        |path: &str, kind: &str| json!({"path": path, "content": "openapi: 3.0.0\n", "type": kind});
    let multi_body =
        |files: Vec<Value>| json!({"name": "Multi", "type": "OPENAPI:3.0", "files": files});
    h.v12("post", t, &create)
        .json(multi_body(vec![
            file("index.yaml", "ROOT"),
            file("a/b.yaml", "DEFAULT"),
        ]))
        .expect(201);
    for (bad, why) in [
        (
            multi_body(vec![file("index.yaml", "ROOT"), file("b.yaml", "ROOT")]),
            "two ROOTs",
        ),
        (
            multi_body(vec![
                file("index.yaml", "DEFAULT"),
                file("b.yaml", "DEFAULT"),
            ]),
            "no ROOT",
        ),
        (
            multi_body(vec![
                file("index.yaml", "ROOT"),
                json!({"path": "b.yaml", "content": ""}),
            ]),
            "no type",
        ),
        (multi_body(vec![file("index.txt", "ROOT")]), "extension"),
        (multi_body(vec![file("../index.yaml", "ROOT")]), "path"),
        (
            multi_body(vec![file("a.yaml", "ROOT"), file("a.yaml", "DEFAULT")]),
            "same path twice",
        ),
        (multi_body(vec![]), "no files"),
        (
            json!({"type": "OPENAPI:3.0", "files": [file("a.yaml", "ROOT")]}),
            "no name",
        ),
        (
            json!({"name": "x", "type": "OPENAPI:9", "files": [file("a.yaml", "ROOT")]}),
            "type",
        ),
    ] {
        let r = h.v12("post", t, &create).json(bad).expect(400);
        assert!(body(&r)["detail"].is_string(), "{why}");
    }
    let big = "x".repeat(fake_postman::MAX_CREATE_SPEC_FILE_BYTES + 1);
    let r = h
        .v12("post", t, &create)
        .json(json!({"name": "Big", "type": "OPENAPI:3.0", "files": [{"path": "a.yaml", "content": big}]}))
        .expect(400);
    assert_eq!(body(&r)["detail"], "File size exceeded the limit of 12 MB");
    h.v12("post", t, "/specs?workspaceId=nope")
        .json(one)
        .expect(404);

    // --- getSpec, updateSpecProperties, deleteSpec
    let t = "/specs/{specId}";
    let r = h.v12("get", t, format!("/specs/{multi}")).expect(200);
    assert_eq!(
        (body(&r)["fileFormat"].clone(), body(&r)["type"].clone()),
        (json!("yaml"), json!("OPENAPI:3.0"))
    );
    h.v12("get", t, "/specs/nope").expect(404);
    unauthorized(h, "get", t, &format!("/specs/{multi}"));
    let r = h
        .v12("patch", t, format!("/specs/{single_created}"))
        .json(json!({"name": "Renamed"}))
        .expect(200);
    assert_eq!(body(&r)["name"], "Renamed");
    h.v12("patch", t, format!("/specs/{single_created}"))
        .json(json!({}))
        .expect(400);
    h.v12("patch", t, "/specs/nope")
        .json(json!({"name": "x"}))
        .expect(404);
    h.v12("delete", t, format!("/specs/{single_created}"))
        .expect(204);
    assert!(h.state(|s| s.spec(&single_created).is_none()));
    h.v12("delete", t, format!("/specs/{single_created}"))
        .expect(404);
    Specs { multi, single }
}

fn spec_files(h: &mut Harness, specs: &Specs) {
    let multi = &specs.multi;
    // --- getSpecFiles, two files per page, to the end
    let t = "/specs/{specId}/files";
    h.state(|s| s.set_page_size(2));
    let (mut paths, mut roots) = (Vec::new(), 0);
    let mut path = format!("/specs/{multi}/files");
    loop {
        let r = h.v12("get", t, &path).expect(200);
        let b = body(&r);
        for f in b["files"].as_array().unwrap() {
            assert!(f.get("content").is_none() && f["updatedAt"].is_string());
            roots += usize::from(f["type"] == "ROOT");
            paths.push(f["path"].as_str().unwrap().to_string());
        }
        match b["meta"]["nextCursor"].as_str() {
            Some(c) => path = format!("/specs/{multi}/files?cursor={}", enc(c)),
            None => break,
        }
    }
    h.state(|s| s.set_page_size(3));
    assert_eq!(paths.len(), 6);
    assert_eq!(roots, 1, "one ROOT");
    h.v12("get", t, "/specs/nope/files").expect(404);
    unauthorized(h, "get", t, &format!("/specs/{multi}/files"));

    // --- createSpecFile
    let content = "type: string\n";
    let r = h
        .v12("post", t, format!("/specs/{multi}/files"))
        .json(json!({"path": "components/schemas/Id.yaml", "content": content}))
        .expect(201);
    assert_eq!(body(&r)["type"], "DEFAULT");
    for bad in [
        json!({"path": "components/schemas/Id.yaml", "content": content}),
        json!({"path": "x.txt", "content": content}),
        json!({"path": "x.yaml"}),
        json!({"path": "x.yaml", "content": "x".repeat(fake_postman::MAX_SPEC_FILE_BYTES + 1)}),
    ] {
        h.v12("post", t, format!("/specs/{multi}/files"))
            .json(bad)
            .expect(400);
    }
    h.v12("post", t, format!("/specs/{}/files", specs.single))
        .json(json!({"path": "more.json", "content": "{}"}))
        .expect(400);

    // --- getSpecFile: a `/` in the path raw or encoded
    let t = "/specs/{specId}/files/{filePath}";
    for p in [
        "components/schemas/Id.yaml",
        "components%2Fschemas%2FId.yaml",
    ] {
        let r = h
            .v12("get", t, format!("/specs/{multi}/files/{p}"))
            .expect(200);
        assert_eq!(body(&r)["content"], content);
        assert_eq!(body(&r)["name"], "Id.yaml");
    }
    h.v12("get", t, format!("/specs/{multi}/files/none.yaml"))
        .expect(404);
    h.v12("get", t, format!("/specs/{multi}/files/a%2F..%2Fb.yaml"))
        .expect(400);
    unauthorized(h, "get", t, &format!("/specs/{multi}/files/index.yaml"));

    // --- updateSpecFile: one property per call
    let id_file = format!("/specs/{multi}/files/components/schemas/Id.yaml");
    let before = h.state(|s| s.spec(multi).unwrap().updated_at.clone());
    h.v12("patch", t, &id_file)
        .json(json!({"content": "type: integer\n"}))
        .expect(200);
    h.state(|s| {
        let spec = s.spec(multi).unwrap();
        assert_eq!(
            spec.files["components/schemas/Id.yaml"].content,
            "type: integer\n"
        );
        assert!(spec.updated_at > before, "the spec's updatedAt follows");
    });
    let r = h
        .v12("patch", t, &id_file)
        .json(json!({"type": "ROOT"}))
        .expect(200);
    assert_eq!(body(&r)["type"], "ROOT");
    h.state(|s| {
        let spec = s.spec(multi).unwrap();
        assert!(
            !spec.files["index.yaml"].root,
            "the previous root becomes DEFAULT"
        );
        assert_eq!(spec.root().unwrap().path, "components/schemas/Id.yaml");
    });
    h.v12("patch", t, &id_file)
        .json(json!({"type": "DEFAULT"}))
        .expect(400);
    h.v12("patch", t, format!("/specs/{multi}/files/index.yaml"))
        .json(json!({"type": "ROOT"}))
        .expect(200);
    for bad in [
        json!({}),
        json!({"content": "a: 1\n", "type": "ROOT"}),
        json!({"type": "MAIN"}),
        json!({"name": "a/b.yaml"}),
        json!({"name": "Payment.yaml"}),
        json!({"content": "x".repeat(fake_postman::MAX_SPEC_FILE_BYTES + 1)}),
    ] {
        h.v12("patch", t, &id_file).json(bad).expect(400);
    }
    let r = h
        .v12("patch", t, &id_file)
        .json(json!({"name": "Ident.yaml"}))
        .expect(200);
    assert_eq!(body(&r)["path"], "components/schemas/Ident.yaml");
    h.v12("patch", t, &id_file)
        .json(json!({"content": ""}))
        .expect(404);

    // --- deleteSpecFile
    let ident = format!("/specs/{multi}/files/components/schemas/Ident.yaml");
    h.v12("delete", t, &ident).expect(204);
    h.v12("delete", t, &ident).expect(404);
    h.v12("delete", t, format!("/specs/{multi}/files/index.yaml"))
        .expect(400);
    assert!(h.state(|s| s.spec(multi).unwrap().files.contains_key("index.yaml")));
}

fn version_tags(h: &mut Harness, spec: &str) {
    let t = "/specs/{specId}/version-tags";
    let path = format!("/specs/{spec}/version-tags");
    let r = h
        .v12("post", t, &path)
        .json(json!({"name": "1.0.0"}))
        .expect(201);
    let first = body(&r)["data"]["id"].as_str().unwrap().to_string();
    // Nothing changed since: the 409, whatever the name.
    let r = h
        .v12("post", t, &path)
        .json(json!({"name": "1.0.1"}))
        .expect(409);
    assert_eq!(body(&r)["type"], "conflictError");
    h.state(|s| s.put_spec_file(spec, "components/schemas/Error.yaml", "type: object\n"));
    h.v12("post", t, &path)
        .json(json!({"name": "1.0.0"}))
        .expect(409);
    h.v12("post", t, &path).json(json!({})).expect(400);
    h.v12("post", t, "/specs/nope/version-tags")
        .json(json!({"name": "2"}))
        .expect(404);
    h.v12("post", t, &path)
        .json(json!({"name": "1.1.0"}))
        .expect(201);
    h.state(|s| s.set_page_size(1));
    let r = h.v12("get", t, &path).expect(200);
    assert_eq!(body(&r)["data"][0]["name"], "1.1.0", "newest first");
    let cursor = body(&r)["meta"]["nextCursor"].as_str().unwrap().to_string();
    let r = h
        .v12("get", t, format!("{path}?cursor={}", enc(&cursor)))
        .expect(200);
    assert_eq!(body(&r)["data"][0]["name"], "1.0.0");
    assert!(body(&r)["meta"]["nextCursor"].is_null());
    h.state(|s| s.set_page_size(3));
    h.v12("get", t, "/specs/nope/version-tags").expect(404);
    unauthorized(h, "get", t, &path);

    // --- getSpecVersionTag: the files as they were, and their folders
    let t = "/specs/{specId}/version-tags/{tagId}/files";
    let r = h.v12("get", t, format!("{path}/{first}/files")).expect(200);
    let data = body(&r)["data"].as_array().unwrap().clone();
    let index = data.iter().find(|e| e["path"] == "index.yaml").unwrap();
    assert_eq!(index["fileType"], "ROOT");
    assert!(index["content"]
        .as_str()
        .unwrap()
        .contains("title: Payments API"));
    let schemas = data
        .iter()
        .find(|e| e["path"] == "components/schemas")
        .unwrap();
    assert_eq!(schemas["type"], "FOLDER");
    let money = data
        .iter()
        .find(|e| e["path"] == "components/schemas/Money.yaml")
        .unwrap();
    assert_eq!(money["parentId"], schemas["id"]);
    h.v12("get", t, format!("{path}/nope/files")).expect(404);
}

/// The task's answers until it is done (the first look is always `pending`).
fn poll(h: &mut Harness, url: &str) -> Value {
    let t = "/{elementType}/{elementId}/tasks/{taskId}";
    let r = h.v12("get", t, url).expect(200);
    assert_eq!(body(&r)["status"], "pending");
    body(&h.v12("get", t, url).expect(200)).clone()
}

fn generations(h: &mut Harness, ws: &str, specs: &Specs) {
    let spec = &specs.multi;
    let t = "/specs/{specId}/generations/{elementType}";
    let list = format!("/specs/{spec}/generations/collection");
    let state_of = |h: &mut Harness, uid: &str| -> Value {
        let r = h.v12("get", t, &list).expect(200);
        let c = body(&r)["collections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == uid)
            .cloned();
        c.expect("the collection is still linked")["state"].clone()
    };
    // The seeded generated collection: the spec changed since (version_tags), so out of sync.
    let seeded = h.state(|s| s.spec(spec).unwrap().generated[0].collection.clone());
    assert_eq!(state_of(h, &seeded), "out-of-sync");

    // --- generateCollection: 202, 423 while it runs, then the task names the collection
    let r = h
        .v12("post", t, &list)
        .json(json!({"name": "Generated", "options": {}}))
        .expect(202);
    let url = body(&r)["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("/specs/{spec}/tasks/")));
    h.v12("post", t, &list)
        .json(json!({"name": "Again", "options": {}}))
        .expect(423);
    let done = poll(h, &url);
    assert_eq!(done["status"], "completed");
    let uid = done["details"]["resources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let generated = h.state(|s| s.collection(&uid).unwrap().body.clone());
    assert_eq!(generated["item"][0]["name"], "payments");
    assert_eq!(generated["item"][0]["item"][0]["name"], "List payments");
    assert_eq!(
        generated["item"][0]["item"][0]["request"]["url"]["raw"],
        "{{baseUrl}}/payments"
    );
    assert!(h.state(|s| s.workspace_collections(ws).iter().any(|c| c.uid == uid)));
    assert_eq!(state_of(h, &uid), "in-sync");

    // --- a PUT of the collection keeps the link; it is out of sync until synced
    let mut edited = generated.clone();
    edited["item"][0]["item"][0]["request"]["description"] = json!("edited");
    h.call(
        "put",
        "/collections/{collectionId}",
        format!("/collections/{uid}"),
    )
    .json(json!({ "collection": edited }))
    .expect(200);
    assert_eq!(state_of(h, &uid), "out-of-sync");

    // --- syncCollectionWithSpec: 202, the task, in sync, item ids kept
    let ts = "/collections/{collectionUid}/synchronizations";
    let r = h
        .v12(
            "put",
            ts,
            format!("/collections/{uid}/synchronizations?specId={spec}"),
        )
        .expect(202);
    let done = poll(h, body(&r)["url"].as_str().unwrap());
    assert_eq!(done["status"], "completed");
    assert_eq!(state_of(h, &uid), "in-sync");
    let synced = h.state(|s| s.collection(&uid).unwrap().body.clone());
    assert_eq!(
        synced["item"][0]["item"][0]["id"],
        generated["item"][0]["item"][0]["id"]
    );
    let other = h.state(|s| s.workspace_collections(ws)[1].uid.clone());
    h.v12(
        "put",
        ts,
        format!("/collections/{other}/synchronizations?specId={spec}"),
    )
    .expect(404);
    h.v12(
        "put",
        ts,
        format!("/collections/{uid}/synchronizations?specId=nope"),
    )
    .expect(404);

    // --- an AsyncAPI spec does not generate: the task fails
    let r = h
        .v12(
            "post",
            t,
            format!("/specs/{}/generations/collection", specs.single),
        )
        .json(json!({"name": "Events", "options": {}}))
        .expect(202);
    let failed = poll(h, body(&r)["url"].as_str().unwrap());
    assert_eq!(failed["status"], "failed");
    assert!(failed["details"].as_str().unwrap().contains("ASYNCAPI:2.0"));
    h.v12("post", t, "/specs/nope/generations/collection")
        .json(json!({"name": "x"}))
        .expect(404);
    h.v12("get", t, "/specs/nope/generations/collection")
        .expect(404);
    let task = "/{elementType}/{elementId}/tasks/{taskId}";
    h.v12("get", task, format!("/specs/{spec}/tasks/nope"))
        .expect(404);
    unauthorized(h, "get", t, &list);
}

fn collections(h: &mut Harness, ws: &str) {
    let t = "/collections";
    let r = h
        .v12("get", t, format!("/collections?workspace={ws}"))
        .expect(200);
    let all = body(&r)["collections"].as_array().unwrap().clone();
    assert_eq!(all.len(), 3, "seeded two, generated one");
    assert!(all
        .iter()
        .all(|c| c["updatedAt"].is_string() && c["uid"].is_string()));
    let r = h
        .v12(
            "get",
            t,
            format!("/collections?workspace={ws}&offset=1&limit=1"),
        )
        .expect(200);
    assert_eq!(
        body(&r)["meta"],
        json!({"total": 3, "offset": 1, "limit": 1})
    );
    assert_eq!(body(&r)["collections"][0]["uid"], all[1]["uid"]);
    let r = h.v12("get", t, "/collections?workspace=nope").expect(200);
    assert_eq!(body(&r)["collections"], json!([]));
    let new =
        json!({"info": {"name": "Scratch", "schema": fake_postman::SERVED_SCHEMA_URL}, "item": []});
    let r = h
        .v12("post", t, format!("/collections?workspace={ws}"))
        .json(json!({ "collection": new }))
        .expect(200);
    let uid = body(&r)["collection"]["uid"].as_str().unwrap().to_string();
    assert!(h.state(|s| s.workspace_collections(ws).iter().any(|c| c.uid == uid)));
    h.v12("post", t, format!("/collections?workspace={ws}"))
        .json(json!({"collection": {"info": {"name": "x"}}}))
        .expect(400);
    unauthorized(h, "get", t, &format!("/collections?workspace={ws}"));
}

fn environments(h: &mut Harness, ws: &str) {
    let t = "/environments";
    let r = h
        .v12("get", t, format!("/environments?workspace={ws}"))
        .expect(200);
    let listed = body(&r)["environments"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert!(listed[0]["updatedAt"].is_string());
    let uid = listed[0]["uid"].as_str().unwrap().to_string();
    let bare = listed[0]["id"].as_str().unwrap().to_string();
    unauthorized(h, "get", t, &format!("/environments?workspace={ws}"));

    // --- createEnvironment in the workspace
    let values = json!([{"key": "k", "value": "v", "type": "default", "enabled": true}]);
    let r = h
        .v12("post", t, format!("/environments?workspace={ws}"))
        .json(json!({"environment": {"name": "Dev", "values": values}}))
        .expect(200);
    let dev = body(&r)["environment"]["uid"].as_str().unwrap().to_string();
    let r = h
        .v12("get", t, format!("/environments?workspace={ws}"))
        .expect(200);
    assert_eq!(body(&r)["environments"].as_array().unwrap().len(), 2);
    for bad in [
        json!({"environment": {"values": []}}),
        json!({"environment": {"name": "x", "values": [null]}}),
        json!({"environment": {"name": "x", "values": [{"key": "k", "type": "hidden"}]}}),
        json!({}),
    ] {
        h.v12("post", t, format!("/environments?workspace={ws}"))
            .json(bad)
            .expect(400);
    }
    h.v12("post", t, "/environments?workspace=nope")
        .json(json!({"environment": {"name": "x"}}))
        .expect(400);
    h.state(|s| s.set_max_body_bytes(64));
    h.v12("post", t, format!("/environments?workspace={ws}"))
        .json(json!({"environment": {"name": "x".repeat(100)}}))
        .expect(413);
    h.state(|s| s.set_max_body_bytes(fake_postman::MAX_COLLECTION_BYTES));

    // --- getEnvironment by UID and by id; the secret is served as stored
    let t = "/environments/{environmentId}";
    for id in [&uid, &bare] {
        let r = h.v12("get", t, format!("/environments/{id}")).expect(200);
        let env = &body(&r)["environment"];
        assert_eq!(env["values"][1]["type"], "secret");
        assert_eq!(env["values"][1]["value"], SAMPLE_SECRET);
    }
    h.v12("get", t, "/environments/nope").expect(400);
    unauthorized(h, "get", t, &format!("/environments/{uid}"));

    // --- putEnvironment replaces; updatedAt moves
    let before = h.state(|s| s.environment(&dev).unwrap().updated_at.clone());
    let r = h
        .v12("put", t, format!("/environments/{dev}"))
        .json(json!({"environment": {"name": "Development", "values": []}}))
        .expect(200);
    assert_eq!(body(&r)["environment"]["name"], "Development");
    h.state(|s| {
        let e = s.environment(&dev).unwrap();
        assert!(e.values.is_empty() && e.updated_at > before);
    });
    h.v12("put", t, format!("/environments/{dev}"))
        .json(json!({"environment": {"values": "none"}}))
        .expect(400);
    h.v12("put", t, "/environments/nope")
        .json(json!({"environment": {"name": "x"}}))
        .expect(404);

    // --- deleteEnvironment
    let r = h
        .v12("delete", t, format!("/environments/{dev}"))
        .expect(200);
    assert_eq!(body(&r)["environment"]["uid"], json!(dev));
    h.v12("delete", t, format!("/environments/{dev}"))
        .expect(404);
    assert!(h.state(|s| s.environment(&dev).is_none()));
}
