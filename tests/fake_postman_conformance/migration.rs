//! The move from the API Builder to Spec Hub over real HTTP (`/apis/{apiId}/spec-migrations`),
//! each answer checked against the current spec's `migrateApiToSpecHub*` and
//! `getMigrationStatus*` components (its paths dropped the `/apis` operations), with
//! what a completed migration leaves in the workspace asserted.

use serde_json::{json, Value};

use super::fake_postman::FAILURE_REASON;
use super::{body, Harness, BAD_KEY};

const T: &str = "/apis/{apiId}/spec-migrations";

fn path(api: &str) -> String {
    format!("/apis/{api}/spec-migrations")
}

pub(super) fn all(h: &mut Harness) {
    to_a_new_workspace(h);
    to_an_existing_workspace(h);
    failures_and_refusals(h);
    git_linked(h);
}

/// POSTs `body`, expecting 202 `{message, success}`.
fn start(h: &mut Harness, api: &str, request: Value) {
    let r = h.v12("post", T, path(api)).json(request).expect(202);
    assert_eq!(
        body(&r),
        &json!({"message": "Moving to Spec Hub started successfully", "success": true})
    );
}

/// Reads the status until it is final: `{}` while running. Returns (looks, answer).
fn finish(h: &mut Harness, api: &str) -> (usize, Value) {
    for looks in 1..10 {
        let r = h.v12("get", T, path(api)).expect(200);
        let b = body(&r).clone();
        if b != json!({}) {
            return (looks, b);
        }
    }
    panic!("the migration of {api} never finished")
}

fn to_a_new_workspace(h: &mut Harness) {
    let api = h.state(|s| s.seed_sample());
    h.v12("get", T, path(&api)).expect(404);
    start(h, &api, json!({"workspaceInfo": {"name": "Payments v12"}}));
    let (looks, answer) = finish(h, &api);
    assert_eq!(looks, 2, "running at the first look, done at the second");
    let ws = answer["details"]["workspaceId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(answer["status"], "COMPLETED");
    h.state(|s| {
        let a = s.api(&api).unwrap().clone();
        assert_eq!(s.workspace(&ws).unwrap().name, "Payments v12");
        let spec = s.ws.specs.values().find(|sp| sp.workspace == ws).unwrap();
        assert_eq!(
            (spec.name.as_str(), spec.spec_type.as_str()),
            ("Payments API", "OPENAPI:3.0")
        );
        let schema = a.schema.as_ref().unwrap();
        let files: Vec<(&str, &str, bool)> = spec
            .files
            .values()
            .map(|f| (f.path.as_str(), f.content.as_str(), f.root))
            .collect();
        let expected: Vec<(&str, &str, bool)> = schema
            .files
            .values()
            .map(|f| (f.path.as_str(), f.content.as_str(), f.root))
            .collect();
        assert_eq!(files, expected, "every file, its content and the ROOT");
        let uids: Vec<&str> = s
            .workspace_collections(&ws)
            .iter()
            .map(|c| c.uid.as_str())
            .collect();
        assert_eq!(
            uids,
            a.collections.iter().map(String::as_str).collect::<Vec<_>>()
        );
    });
    // Done is done: the status stays, a second start is refused naming the workspace.
    assert_eq!(finish(h, &api), (1, answer));
    let r = h
        .v12("post", T, path(&api))
        .json(json!({"workspaceInfo": {"name": "again"}}))
        .expect(400);
    assert_eq!(body(&r)["error"]["details"]["workspaceId"], json!(ws));
}

fn to_an_existing_workspace(h: &mut Harness) {
    let (api, ws) = h.state(|s| {
        let ws = s.create_workspace(None, "Team");
        let api = s.create_api(None, "Events");
        s.create_schema(&api, None, "asyncapi:2");
        s.put_schema_file(&api, "asyncapi.yaml", "asyncapi: 2.6.0\n");
        (api, ws)
    });
    h.state(|s| s.delay_next_migration(2));
    start(h, &api, json!({"workspaceId": ws}));
    let (looks, answer) = finish(h, &api);
    assert_eq!(looks, 4, "two looks more than usual");
    assert_eq!(
        answer,
        json!({"status": "COMPLETED", "details": {"workspaceId": ws}})
    );
    h.state(|s| {
        let spec = s.ws.specs.values().find(|sp| sp.workspace == ws).unwrap();
        assert_eq!(spec.spec_type, "ASYNCAPI:2.0");
        assert!(spec.files["asyncapi.yaml"].root, "a lone file is the ROOT");
    });
}

fn failures_and_refusals(h: &mut Harness) {
    let (failing, raml, bare) = h.state(|s| {
        let failing = s.create_api(None, "Flaky");
        s.create_schema(&failing, None, "openapi:3_1");
        s.put_schema_file(&failing, "openapi.yaml", "openapi: 3.1.0\n");
        s.fail_next_migration(FAILURE_REASON);
        let raml = s.create_api(None, "Old");
        s.create_schema(&raml, None, "raml:1");
        s.put_schema_file(&raml, "api.raml", "#%RAML 1.0\n");
        (failing, raml, s.create_api(None, "Bare"))
    });
    start(h, &failing, json!({"workspaceInfo": {"name": "Flaky"}}));
    let r = h
        .v12("post", T, path(&failing))
        .json(json!({"workspaceInfo": {"name": "twice"}}))
        .expect(400);
    assert!(body(&r)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("in progress"));
    let (_, answer) = finish(h, &failing);
    assert_eq!(
        answer,
        json!({"status": "FAILED", "details": {"reason": FAILURE_REASON}})
    );
    let named = |s: &mut super::State| {
        s.ws.workspaces
            .values()
            .filter(|w| w.name == "Flaky")
            .count()
    };
    assert_eq!(h.state(named), 0, "nothing moved");
    // After a failure it may be started again.
    start(h, &failing, json!({"workspaceInfo": {"name": "Flaky"}}));
    assert_eq!(finish(h, &failing).1["status"], "COMPLETED");

    let r = h
        .v12("post", T, path(&raml))
        .json(json!({"workspaceInfo": {"name": "x"}}))
        .expect(400);
    assert_eq!(body(&r)["error"]["title"], "Definition type not supported");
    let empty = json!({"message": "This API doesn't have any API Definition or Collection", "success": true});
    for api in [bare.as_str(), "0b6a4c1e-0000-4000-8000-000000000000"] {
        let r = h
            .v12("post", T, path(api))
            .json(json!({"workspaceInfo": {"name": "x"}}))
            .expect(200);
        assert_eq!(body(&r), &empty);
    }
    h.v12("post", T, path(&raml))
        .json(json!({"workspaceId": "nope"}))
        .expect(400);
    h.v12("post", T, path(&raml)).json(json!({})).expect(400);
    h.v12("get", T, path(&bare)).expect(404);
    let r = h.v12("get", T, path("nope")).expect(400);
    assert_eq!(body(&r)["error"]["details"]["param"], "apiId");
    for method in ["get", "post"] {
        h.v12(method, T, path(&bare)).key(None).expect(401);
        h.v12(method, T, path(&bare)).key(BAD_KEY).expect(401);
    }
}

/// A Git-linked API goes to a new workspace only, with a well-formed `gitInfo.path`, and
/// its repository to one workspace only.
fn git_linked(h: &mut Harness) {
    let (first, second) = h.state(|s| {
        let mut linked = || {
            let api = s.create_api(None, "Linked");
            s.create_schema(&api, None, "openapi:3");
            s.put_schema_file(&api, "index.yaml", "openapi: 3.0.0\n");
            s.set_git_linked(&api, true);
            api
        };
        (linked(), linked())
    });
    let ws = h.state(|s| s.create_workspace(None, "Existing"));
    h.v12("post", T, path(&first))
        .json(json!({"workspaceId": ws}))
        .expect(400);
    for bad in ["spaceships", "/a/../b", "/a b"] {
        let r = h
            .v12("post", T, path(&first))
            .json(json!({"workspaceInfo": {"name": "Linked"}, "gitInfo": {"path": bad}}))
            .expect(400);
        assert_eq!(body(&r)["error"]["name"], "invalidGitInfoPath", "{bad}");
    }
    let good = json!({"workspaceInfo": {"name": "Linked"}, "gitInfo": {"path": "/spaceships"}});
    start(h, &first, good.clone());
    let moved_to = finish(h, &first).1["details"]["workspaceId"].clone();
    let r = h.v12("post", T, path(&second)).json(good).expect(400);
    assert_eq!(body(&r)["error"]["details"]["workspaceId"], moved_to);
}
