//! Drives every operation the fake Postman API serves over real HTTP, success and each
//! error it can produce, and checks every response (status and body) against the
//! response schema of that operation in `shared/postman/openapi/postman-api-v10.yml`.
//! Statuses the v10 spec does not declare for an operation (429, 503, 413, the 202 of
//! an async collection PUT, the 302 of a pending version, ...) are checked against the
//! current spec's common responses instead (`common429Error` and friends).
//!
//! The spec's response schemas declare members but hardly ever require one, so a body
//! with a misspelt or invented member would match them. The check is therefore strict:
//! an object may hold only the members its schema declares (`additionalProperties`
//! false), except in collection bodies, for which the spec's schema is partial, and for
//! the members in `EXAMPLE_ONLY_MEMBERS`.
//!
//! The workspace API (Postman v12: `/workspaces`, `/specs`, `/environments`,
//! `/collections?workspace=`) is checked against `postman-api-current.yaml`, whose
//! operations name their responses by `$ref` (`fake_postman_conformance/workspace.rs`).
//!
//! `cargo test --test fake_postman_conformance -- --nocapture` prints the tally.

#[path = "support/fake_postman/mod.rs"]
mod fake_postman;
#[path = "fake_postman_conformance/migration.rs"]
mod migration;
#[path = "fake_postman_conformance/workspace.rs"]
mod workspace;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use fake_postman::{FakePostman, Fault, State, API_KEY, V10_ACCEPT};
use serde_json::{json, Map, Value};

// ====================================================================== the spec

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// Both spec files, or `None` (after a message) when they are not on this machine.
fn load_specs() -> Option<(Value, Value)> {
    let dir = shared_dir().join("postman/openapi");
    let (v10, current) = (
        dir.join("postman-api-v10.yml"),
        dir.join("postman-api-current.yaml"),
    );
    if !v10.exists() || !current.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "spec files missing under {}",
            dir.display()
        );
        eprintln!("skipping: spec files not found under {}", dir.display());
        return None;
    }
    let load = |p: &PathBuf| -> Value {
        let text = std::fs::read_to_string(p).unwrap();
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    Some((load(&v10), load(&current)))
}

/// Members the fake sends because the spec's own example for the response has them,
/// although the schema does not declare them: (component, member).
const EXAMPLE_ONLY_MEMBERS: [(&str, &str); 2] = [
    // `apiVersion404ErrorNotFound` says `details` (plural) where the schema has `detail`.
    ("commonErrorTypeTitleDetail", "details"),
    // The `getApiVersion` example lists collections by `id` and `name`; the schema
    // declares `id` and `type`.
    ("GetApiVersionVersionCollectionsItems", "name"),
];

/// OpenAPI schema -> JSON Schema (2020-12): `$ref`s into `$defs`, `oneOf` checked as
/// `anyOf` (the spec's branches overlap, e.g. `getApi`, where neither branch has
/// required fields), `nullable` as a null alternative, `format` dropped (lenient).
/// With `strict`, an object schema that declares `properties` (and says nothing about
/// others) allows no other members.
fn convert(v: &Value, strict: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "$ref" => {
                        let name = v.as_str().unwrap().rsplit('/').next().unwrap();
                        out.insert(k.clone(), json!(format!("#/$defs/{name}")));
                    }
                    "oneOf" => {
                        out.insert("anyOf".into(), convert(v, strict));
                    }
                    "format" | "nullable" | "example" | "discriminator" => {}
                    _ => {
                        out.insert(k.clone(), convert(v, strict));
                    }
                }
            }
            if strict
                && m.get("type") == Some(&json!("object"))
                && m.get("properties").is_some_and(Value::is_object)
                && !m.contains_key("additionalProperties")
            {
                out.insert("additionalProperties".into(), json!(false));
            }
            let out = Value::Object(out);
            if m.get("nullable") == Some(&json!(true)) {
                json!({"anyOf": [out, {"type": "null"}]})
            } else {
                out
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| convert(v, strict)).collect()),
        other => other.clone(),
    }
}

/// `schema` with the `$defs` it reaches (only those: unrelated components of the spec
/// need not be valid JSON Schema).
fn with_defs(schema: &Value, components: &Map<String, Value>, strict: bool) -> Value {
    let mut root = convert(schema, strict);
    let mut defs = Map::new();
    let mut todo = refs_in(&root);
    while let Some(name) = todo.pop() {
        if defs.contains_key(&name) {
            continue;
        }
        let mut def = convert(
            components
                .get(&name)
                .unwrap_or_else(|| panic!("no component {name}")),
            strict,
        );
        for (_, member) in EXAMPLE_ONLY_MEMBERS.iter().filter(|(c, _)| *c == name) {
            def["properties"][*member] = json!({});
        }
        todo.extend(refs_in(&def));
        defs.insert(name, def);
    }
    if let Value::Object(m) = &mut root {
        m.insert("$defs".into(), Value::Object(defs));
    } else {
        root = json!({"allOf": [root], "$defs": defs});
    }
    root
}

fn refs_in(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => out.push(r.rsplit('/').next().unwrap().to_string()),
                    _ => out.extend(refs_in(v)),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| out.extend(refs_in(v))),
        _ => {}
    }
    out
}

/// The first content schema of a response object.
fn content_schema(response: &Value) -> Option<&Value> {
    response["content"]
        .as_object()?
        .values()
        .next()?
        .get("schema")
}

/// Where a status is not declared for an operation in v10, the shape to check it
/// against, taken from the current spec's common responses. Returns (label, schema).
fn fallback(current: &Value, method: &str, template: &str, status: u16) -> (String, Value) {
    let common = |name: &str| -> (String, Value) {
        let r = &current["components"]["responses"][name];
        let schema = content_schema(r).unwrap_or_else(|| panic!("no current response {name}"));
        (format!("current:{name}"), schema.clone())
    };
    let component = |spec: &str, name: &str| -> (String, Value) {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        (format!("{spec}:{name}"), schema)
    };
    let apis = template.starts_with("/apis");
    match (status, method, template) {
        (429, ..) => common("common429Error"),
        (413, ..) => common("common413Error"),
        (302, "get", "/apis/{apiId}/versions/{versionId}") => common("apiVersion302StatusPending"),
        (202, "put", "/collections/{collectionId}") => common("putCollectionAsync"),
        // No 503 example exists; the problem shape the other common errors use.
        (503, ..) => component("current", "commonErrorTypeTitleDetailStatus"),
        // Every /apis route answers a missing Accept header with the same body, even
        // where an operation's 400 is not declared (getApiVersions, createApiVersion).
        (400, ..) if apis => component("v10", "apiErrorNameMessage"),
        // Git-linked refusal where 422 is not declared (addApiCollection).
        (422, ..) if apis => component("v10", "commonErrorTypeTitleDetail"),
        // Global variables declare only 200 and 500: an unknown workspace gets
        // getWorkspace's 404, a malformed body the environments' 400, no key the 401.
        (401, ..) => common("common401Error"),
        (404, _, "/workspaces/{workspaceId}/global-variables") => {
            common("workspace404ErrorNotFound")
        }
        (400, "put", "/workspaces/{workspaceId}/global-variables") => {
            common("environment400Errors")
        }
        // putEnvironment declares no 404; patchEnvironment's for the same resource.
        (404, "put", "/environments/{environmentId}") => common("environments404Error"),
        _ => panic!("{method} {template}: {status} is declared neither in v10 nor in common"),
    }
}

/// Validators per (operation, status), and the tally of what was checked.
struct Checker {
    v10: Value,
    current: Value,
    validators: HashMap<String, (String, jsonschema::Validator)>,
    tally: BTreeMap<String, usize>,
    failures: Vec<String>,
}

impl Checker {
    fn new(v10: Value, current: Value) -> Checker {
        Checker {
            v10,
            current,
            validators: HashMap::new(),
            tally: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    /// Validates `resp` against the v10 spec, or with `current` the current one. With
    /// `inherited`, the body the same content had when it went in: violations already
    /// present there (real exports break the spec's collection schema, e.g. `exec` as a
    /// string, `auth.type` `noauth`) are not the fake's doing and are subtracted; any
    /// other violation fails.
    fn check(
        &mut self,
        (method, template, current): (&str, &str, bool),
        resp: &Resp,
        inherited: Option<&Value>,
    ) {
        let (main, main_label) = match current {
            true => (&self.current, "current"),
            false => (&self.v10, "v10"),
        };
        let dropped;
        let op = match (&main["paths"][template][method], current) {
            (Value::Null, true) => {
                dropped = dropped_operation(method, template);
                &dropped
            }
            (op, _) => op,
        };
        let op_id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{main_label} spec has no {method} {template}"))
            .to_string();
        let key = format!("{op_id} {}", resp.status);
        let key = if current {
            format!("{key} (current)")
        } else {
            key
        };
        if !self.validators.contains_key(&key) {
            let declared = resolve_response(main, &op["responses"][resp.status.to_string()]);
            if resp.body.is_none() && declared.get("content").is_none() && declared.is_object() {
                // Declared without a body (the 204s of the workspace API).
                *self.tally.entry(format!("{key} [no content]")).or_default() += 1;
                return;
            }
            let (label, schema, spec) = match content_schema(declared) {
                Some(s) => (main_label.to_string(), s.clone(), main),
                None => {
                    let (label, s) = fallback(&self.current, method, template, resp.status);
                    let spec = if label.starts_with("current") {
                        &self.current
                    } else {
                        &self.v10
                    };
                    (label, s, spec)
                }
            };
            let components = spec["components"]["schemas"].as_object().unwrap();
            // A collection body: the spec's collection schema declares a few members only.
            let collection = matches!(
                (op_id.as_str(), resp.status),
                ("getCollection" | "getApiCollection", 200)
            );
            let compiled = jsonschema::validator_for(&with_defs(&schema, components, !collection))
                .unwrap_or_else(|e| panic!("{key}: cannot compile the schema: {e}"));
            self.validators.insert(key.clone(), (label, compiled));
        }
        let (label, validator) = &self.validators[&key];
        let body = match (&resp.body, resp.status) {
            (None, 204 | 302) => json!({}),
            (None, _) => {
                self.failures.push(format!("{key}: empty body"));
                return;
            }
            (Some(b), _) => b.clone(),
        };
        let errors_of = |v: &Value| -> Vec<String> {
            validator
                .iter_errors(v)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect()
        };
        let known: BTreeSet<String> = inherited
            .map(|v| errors_of(v).into_iter().collect())
            .unwrap_or_default();
        let errors: Vec<String> = errors_of(&body)
            .into_iter()
            .filter(|e| !known.contains(e))
            .collect();
        if !errors.is_empty() {
            self.failures.push(format!(
                "{key} ({label}): {}\n  body: {}",
                errors.join("; "),
                trunc(&body)
            ));
        }
        let mut tally_key = if label == "v10" || label == "current" {
            key
        } else {
            format!("{key} [{label}]")
        };
        if !known.is_empty() {
            tally_key.push_str(" [real export; its own spec violations subtracted]");
        }
        *self.tally.entry(tally_key).or_default() += 1;
    }
}

/// Operations the current spec dropped from its paths (every `/apis` one) whose
/// responses it still has as components: the API Builder to Spec Hub migration. The
/// status the spec does not declare, the 404 of an API never moved, takes the shape of
/// the operation's 400.
/// (method, template, operationId, [(status, response component)]).
type Dropped = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(u16, &'static str)],
);

const DROPPED: [Dropped; 2] = [
    (
        "post",
        "/apis/{apiId}/spec-migrations",
        "migrateApiToSpecHub",
        &[
            (200, "migrateApiToSpecHub200Response"),
            (202, "migrateApiToSpecHub202Response"),
            (400, "migrateApiToSpecHub400Error"),
            (401, "migrateApiToSpecHub401Error"),
        ],
    ),
    (
        "get",
        "/apis/{apiId}/spec-migrations",
        "getMigrationStatus",
        &[
            (200, "getMigrationStatus"),
            (400, "getMigrationStatus400Error"),
            (401, "migrateApiToSpecHub401Error"),
            (404, "getMigrationStatus400Error"),
        ],
    ),
];

/// A dropped operation ([`DROPPED`]) as the spec would have it: its id and responses.
fn dropped_operation(method: &str, template: &str) -> Value {
    let (_, _, id, responses) = DROPPED
        .iter()
        .find(|(m, t, ..)| *m == method && *t == template)
        .unwrap_or_else(|| panic!("current spec has no {method} {template}"));
    let responses: Map<String, Value> = responses
        .iter()
        .map(|(status, name)| {
            let r = json!({ "$ref": format!("#/components/responses/{name}") });
            (status.to_string(), r)
        })
        .collect();
    json!({"operationId": id, "responses": responses})
}

/// A response object, or the `components/responses` entry its `$ref` names.
fn resolve_response<'a>(spec: &'a Value, declared: &'a Value) -> &'a Value {
    match declared.get("$ref").and_then(Value::as_str) {
        Some(r) => &spec["components"]["responses"][r.rsplit('/').next().unwrap()],
        None => declared,
    }
}

fn trunc(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(400).collect()
}

// ====================================================================== HTTP

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Option<Value>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct Harness {
    fake: FakePostman,
    client: reqwest::blocking::Client,
    checker: Checker,
}

/// One request under construction: `h.call("get", "/apis/{apiId}", path).expect(200)`.
struct Call<'h> {
    h: &'h mut Harness,
    method: &'static str,
    template: &'static str,
    path: String,
    key: Option<&'static str>,
    accept: bool,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    inherited: Option<Value>,
    /// Checked against the current spec (the workspace API) instead of v10.
    current: bool,
}

impl Harness {
    fn call(
        &mut self,
        method: &'static str,
        template: &'static str,
        path: impl Into<String>,
    ) -> Call<'_> {
        Call {
            h: self,
            method,
            template,
            path: path.into(),
            key: Some(API_KEY),
            accept: template.starts_with("/apis"),
            headers: Vec::new(),
            body: None,
            inherited: None,
            current: false,
        }
    }

    /// A call of the workspace API, checked against `postman-api-current.yaml`.
    fn v12(
        &mut self,
        method: &'static str,
        template: &'static str,
        path: impl Into<String>,
    ) -> Call<'_> {
        let mut call = self.call(method, template, path);
        call.current = true;
        call
    }

    fn state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.fake.with_state(f)
    }

    /// The id of an API's schema.
    fn schema_id(&self, api: &str) -> String {
        self.state(|s| s.api(api).unwrap().schema.as_ref().unwrap().id.clone())
    }
}

impl Call<'_> {
    fn json(mut self, body: Value) -> Self {
        self.body = Some(body.to_string().into_bytes());
        self
    }
    fn raw_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }
    fn key(mut self, key: Option<&'static str>) -> Self {
        self.key = key;
        self
    }
    fn no_accept(mut self) -> Self {
        self.accept = false;
        self
    }
    /// The response body this content would have had before the fake touched it.
    fn inheriting(mut self, source: Value) -> Self {
        self.inherited = Some(source);
        self
    }
    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sends, asserts the status, checks the body against the spec; returns the response.
    fn expect(self, status: u16) -> Resp {
        let url = format!("{}{}", self.h.fake.base_url(), self.path);
        let method = reqwest::Method::from_bytes(self.method.to_uppercase().as_bytes()).unwrap();
        let mut rb = self.h.client.request(method, &url);
        if let Some(k) = self.key {
            rb = rb.header("X-API-Key", k);
        }
        if self.accept {
            rb = rb.header("Accept", V10_ACCEPT);
        }
        for (k, v) in &self.headers {
            rb = rb.header(*k, v);
        }
        if let Some(b) = self.body {
            rb = rb.header("Content-Type", "application/json").body(b);
        }
        let r = rb
            .send()
            .unwrap_or_else(|e| panic!("{} {url}: {e}", self.method));
        let (code, headers) = (r.status().as_u16(), r.headers().clone());
        let text = r.text().unwrap();
        let body = (!text.is_empty()).then(|| {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"))
        });
        let resp = Resp {
            status: code,
            headers,
            body,
        };
        assert_eq!(code, status, "{} {url}: {text}", self.method);
        self.h.checker.check(
            (self.method, self.template, self.current),
            &resp,
            self.inherited.as_ref(),
        );
        resp
    }
}

/// `resp.body` as JSON (panics on an empty body).
fn body(resp: &Resp) -> &Value {
    resp.body.as_ref().expect("a JSON body")
}

// ====================================================================== fixtures

const BAD_KEY: Option<&str> = Some("PMAK-wrong");

struct Fixture {
    api: String,
    schema: String,
    uids: Vec<String>,
    version: String,
    linked: String,
    bare: String,
}

impl Fixture {
    /// The URL path of a file of the sample API's schema (`path` as sent: raw or `%2F`).
    fn file_url(&self, path: &str) -> String {
        format!("/apis/{}/schemas/{}/files/{path}", self.api, self.schema)
    }
}

fn fixture(h: &Harness) -> Fixture {
    h.state(|s| {
        let api = s.seed_sample();
        let a = s.api(&api).unwrap();
        let (schema, uids, version) = (
            a.schema.as_ref().unwrap().id.clone(),
            a.collections.clone(),
            a.versions[0].id.clone(),
        );
        let linked = s.create_api(None, "Linked API");
        s.create_schema(&linked, None, "openapi:3");
        s.put_schema_file(&linked, "index.yaml", "openapi: 3.0.0\n");
        s.set_git_linked(&linked, true);
        let bare = s.create_api(None, "Bare API");
        Fixture {
            api,
            schema,
            uids,
            version,
            linked,
            bare,
        }
    })
}

/// The collection files of `shared/postman/collections` (real exports, some v2.0,
/// some without ids), attached to one API: (UID, source JSON).
fn load_shared_collections(s: &mut State, api: &str) -> Vec<(String, Value)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(shared_dir().join("postman/collections"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let owner = s.user;
    paths
        .iter()
        .map(|p| {
            let c: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            (s.create_collection(api, owner, None, c.clone()), c)
        })
        .collect()
}

// ====================================================================== the test

/// A fresh fake and a checker, or `None` when the spec files are not on this machine.
fn harness() -> Option<Harness> {
    let (v10, current) = load_specs()?;
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(Harness {
        fake: FakePostman::start(),
        client,
        checker: Checker::new(v10, current),
    })
}

#[test]
fn every_response_matches_the_v10_spec() {
    let Some(mut h) = harness() else {
        return;
    };
    let f = fixture(&h);
    reads(&mut h, &f);
    versions(&mut h, &f);
    schema_writes(&mut h, &f);
    collection_writes(&mut h, &f);
    faults(&mut h, &f);
    layouts_and_real_collections(&mut h);
    finish(h);
}

#[test]
fn every_workspace_response_matches_the_current_spec() {
    let Some(mut h) = harness() else {
        return;
    };
    workspace::all(&mut h);
    migration::all(&mut h);
    finish(h);
}

/// Prints the tally; fails on any response that did not match.
fn finish(h: Harness) {
    let total: usize = h.checker.tally.values().sum();
    println!("fake Postman conformance: {total} responses checked against the spec");
    for (k, n) in &h.checker.tally {
        println!("  {n:>4}  {k}");
    }
    assert!(
        h.checker.failures.is_empty(),
        "responses that do not match the spec:\n{}",
        h.checker.failures.join("\n")
    );
    // Every request the test made was logged with the status it got.
    assert_eq!(h.fake.requests().len(), total);
}

fn errors_common(
    h: &mut Harness,
    method: &'static str,
    template: &'static str,
    path: &str,
    v10_route: bool,
) {
    h.call(method, template, path).key(None).expect(401);
    h.call(method, template, path).key(BAD_KEY).expect(401);
    if v10_route {
        h.call(method, template, path).no_accept().expect(400);
    }
}

fn reads(h: &mut Harness, f: &Fixture) {
    let (api, sid) = (&f.api, &f.schema);
    // --- getAuthenticatedUser (how a key is checked)
    let me = h.call("get", "/me", "/me").expect(200);
    assert!(body(&me)["user"]["id"].is_number());
    errors_common(h, "get", "/me", "/me", false);
    // --- getApi
    let t = "/apis/{apiId}";
    let plain = h.call("get", t, format!("/apis/{api}")).expect(200);
    assert!(body(&plain).get("schemas").is_none());
    let r = h
        .call(
            "get",
            t,
            format!(
                "/apis/{api}?include=schemas&include=collections&include=versions&include=gitInfo"
            ),
        )
        .expect(200);
    let b = body(&r);
    assert_eq!(b["schemas"], json!([{ "id": sid }]));
    assert_eq!(b["collections"].as_array().unwrap().len(), 2);
    assert_eq!(b["versions"][0]["name"], "v1.0.0");
    assert_eq!(b["gitInfo"], json!({}));
    assert!(b["createdBy"].is_u64(), "getApi types createdBy as integer");
    let comma = h
        .call(
            "get",
            t,
            format!("/apis/{api}?include=schemas,collections,versions"),
        )
        .expect(200);
    assert_eq!(body(&comma)["collections"], b["collections"]);
    let linked = h
        .call(
            "get",
            t,
            format!(
                "/apis/{}?include=schemas&include=collections&include=versions&include=gitInfo",
                f.linked
            ),
        )
        .expect(200);
    let lb = body(&linked);
    assert!(
        lb.get("schemas").is_none() && lb.get("collections").is_none(),
        "Git-linked: only versions and gitInfo"
    );
    assert!(lb["gitInfo"]["repository"].is_string());
    h.call("get", t, "/apis/00000000-0000-4000-8000-000000000000")
        .expect(404);
    errors_common(h, "get", t, &format!("/apis/{api}"), true);

    // --- getApiSchema: first listing page plus nextPath
    let t = "/apis/{apiId}/schemas/{schemaId}";
    let r = h
        .call("get", t, format!("/apis/{api}/schemas/{sid}"))
        .expect(200);
    let b = body(&r).clone();
    assert_eq!(b["type"], "openapi:3");
    assert!(
        b["createdBy"].is_string(),
        "getApiSchema types createdBy as string"
    );
    assert_eq!(b["files"]["data"].as_array().unwrap().len(), 3);
    let next_path = b["files"]["meta"]["nextPath"]
        .as_str()
        .expect("nextPath with more files")
        .to_string();
    assert!(next_path.starts_with(&format!("/apis/{api}/schemas/{sid}/files?cursor=")));
    h.call(
        "get",
        t,
        format!("/apis/{api}/schemas/{sid}?versionId={}", f.version),
    )
    .expect(200);
    h.call("get", t, format!("/apis/{api}/schemas/not-a-schema"))
        .expect(404);
    h.call(
        "get",
        t,
        format!("/apis/{api}/schemas/{sid}?versionId=nope"),
    )
    .expect(404);
    h.call("get", t, format!("/apis/nope/schemas/{sid}"))
        .expect(404);
    let linked_sid = h.schema_id(&f.linked);
    h.call("get", t, format!("/apis/{}/schemas/{linked_sid}", f.linked))
        .expect(422);
    errors_common(h, "get", t, &format!("/apis/{api}/schemas/{sid}"), true);

    // --- getApiSchemaFiles: follow nextPath, then nextCursor, to the end
    let t = "/apis/{apiId}/schemas/{schemaId}/files";
    let mut paths: Vec<String> = b["files"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut next = Some(next_path);
    while let Some(p) = next.take() {
        let r = h.call("get", t, p).expect(200);
        let b = body(&r);
        for file in b["files"].as_array().unwrap() {
            assert!(
                file["createdBy"].is_u64(),
                "the listing types createdBy as integer"
            );
            assert!(file.get("content").is_none());
            paths.push(file["path"].as_str().unwrap().to_string());
        }
        next = b["meta"]["nextCursor"]
            .as_str()
            .map(|c| format!("/apis/{api}/schemas/{sid}/files?cursor={}", enc(c)));
    }
    let all: Vec<String> = h.state(|s| {
        s.api(api)
            .unwrap()
            .schema
            .as_ref()
            .unwrap()
            .files
            .keys()
            .cloned()
            .collect()
    });
    assert_eq!(paths, all, "pages cover every file once, ascending by path");
    let one = h
        .call("get", t, format!("/apis/{api}/schemas/{sid}/files?limit=1"))
        .expect(200);
    assert_eq!(body(&one)["files"].as_array().unwrap().len(), 1);
    let v1 = h
        .call(
            "get",
            t,
            format!(
                "/apis/{api}/schemas/{sid}/files?versionId={}&limit=10",
                f.version
            ),
        )
        .expect(200);
    assert!(
        body(&v1)["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["path"] != "paths/refunds.yaml"),
        "v1.0.0 predates refunds"
    );
    h.call(
        "get",
        t,
        format!("/apis/{api}/schemas/{sid}/files?cursor=%25%25bad"),
    )
    .expect(400);
    h.call("get", t, format!("/apis/{api}/schemas/nope/files"))
        .expect(404);
    h.call(
        "get",
        t,
        format!("/apis/{}/schemas/{linked_sid}/files", f.linked),
    )
    .expect(422);
    errors_common(
        h,
        "get",
        t,
        &format!("/apis/{api}/schemas/{sid}/files"),
        true,
    );

    // --- getApiSchemaFileContents: raw `/` and `%2F`, live and published
    let t = "/apis/{apiId}/schemas/{schemaId}/files/{file-path}";
    for path in &all {
        let r = h.call("get", t, f.file_url(path)).expect(200);
        let expected = h.state(|s| s.schema_file(api, path).unwrap().content.clone());
        assert_eq!(body(&r)["content"], json!(expected));
        assert!(
            body(&r)["createdBy"].is_string(),
            "file contents type createdBy as string"
        );
        let r2 = h
            .call("get", t, f.file_url(&path.replace('/', "%2F")))
            .expect(200);
        assert_eq!(body(&r2), body(&r));
    }
    let old = h
        .call(
            "get",
            t,
            f.file_url(&format!("index.yaml?versionId={}", f.version)),
        )
        .expect(200);
    assert!(body(&old)["content"]
        .as_str()
        .unwrap()
        .contains("version: 1.0.0"));
    h.call(
        "get",
        t,
        f.file_url(&format!("paths/refunds.yaml?versionId={}", f.version)),
    )
    .expect(404);
    h.call("get", t, f.file_url("missing.yaml")).expect(404);
    h.call(
        "get",
        t,
        format!("/apis/{}/schemas/{linked_sid}/files/index.yaml", f.linked),
    )
    .expect(422);
    errors_common(h, "get", t, &f.file_url("index.yaml"), true);

    // --- getApiCollection (bare) and getCollection (wrapped, server-only fields)
    for uid in &f.uids {
        let bare_id = uid.split_once('-').unwrap().1;
        let t = "/apis/{apiId}/collections/{collectionId}";
        let r = h
            .call("get", t, format!("/apis/{api}/collections/{uid}"))
            .expect(200);
        let bare = body(&r).clone();
        assert!(bare["info"].get("uid").is_none() && bare.get("collection").is_none());
        h.call(
            "get",
            t,
            format!("/apis/{api}/collections/{uid}?versionId={}", f.version),
        )
        .expect(200);
        let t = "/collections/{collectionId}";
        let r = h.call("get", t, format!("/collections/{uid}")).expect(200);
        let c = &body(&r)["collection"];
        assert_eq!(c["info"]["uid"], json!(uid));
        assert_eq!(c["info"]["schema"], json!(fake_postman::SERVED_SCHEMA_URL));
        for field in ["createdAt", "updatedAt", "lastUpdatedBy"] {
            assert!(c["info"][field].is_string(), "info.{field}");
        }
        let first = &c["item"][0];
        assert!(first["uid"]
            .as_str()
            .unwrap()
            .ends_with(first["id"].as_str().unwrap()));
        let by_id = h
            .call("get", t, format!("/collections/{bare_id}"))
            .expect(200);
        assert_eq!(body(&by_id), body(&r));
    }
    let t = "/apis/{apiId}/collections/{collectionId}";
    h.call("get", t, format!("/apis/{api}/collections/12345678-nope"))
        .expect(404);
    h.call(
        "get",
        t,
        format!("/apis/{}/collections/{}", f.bare, f.uids[0]),
    )
    .expect(404);
    h.call(
        "get",
        t,
        format!("/apis/{}/collections/{}", f.linked, f.uids[0]),
    )
    .expect(422);
    errors_common(
        h,
        "get",
        t,
        &format!("/apis/{api}/collections/{}", f.uids[0]),
        true,
    );
    let t = "/collections/{collectionId}";
    h.call("get", t, "/collections/12345678-nope").expect(400);
    errors_common(h, "get", t, &format!("/collections/{}", f.uids[0]), false);
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn versions(h: &mut Harness, f: &Fixture) {
    let api = &f.api;
    // --- createApiVersion: 202 + Location; the task is pending at first look
    let t = "/apis/{apiId}/versions";
    let collections: Vec<Value> = f.uids.iter().map(|u| json!({ "id": u })).collect();
    let publish = json!({
        "name": "v1.1.0", "releaseNotes": "Refunds",
        "schemas": [{"id": f.schema}], "collections": collections,
    });
    let r = h
        .call("post", t, format!("/apis/{api}/versions"))
        .json(publish.clone())
        .expect(202);
    let vid = body(&r)["id"].as_str().unwrap().to_string();
    let location = r.header("Location").expect("Location header").to_string();
    assert!(location.starts_with(&format!("/apis/{api}/tasks/")));
    h.call("post", t, format!("/apis/{api}/versions"))
        .json(publish.clone())
        .expect(422);
    h.call("post", t, format!("/apis/{api}/versions"))
        .json(json!({"name": "x", "schemas": [{"id": "nope"}], "collections": []}))
        .expect(422);
    h.call("post", t, "/apis/nope/versions")
        .json(publish.clone())
        .expect(404);
    errors_common(h, "post", t, &format!("/apis/{api}/versions"), true);

    // --- getApiVersion: 302 while pending, then 200 once the task completed
    let tv = "/apis/{apiId}/versions/{versionId}";
    let pending = h
        .call("get", tv, format!("/apis/{api}/versions/{vid}"))
        .expect(302);
    assert_eq!(pending.header("Location"), Some(location.as_str()));
    let tt = "/apis/{apiId}/tasks/{taskId}";
    let done = h.call("get", tt, location.clone()).expect(200);
    assert_eq!(body(&done)["status"], "completed");
    assert_eq!(body(&done)["details"]["resources"][0]["id"], json!(vid));
    let v = h
        .call("get", tv, format!("/apis/{api}/versions/{vid}"))
        .expect(200);
    assert_eq!(body(&v)["version"]["name"], "v1.1.0");
    assert_eq!(
        body(&v)["version"]["collections"].as_array().unwrap().len(),
        2
    );
    h.call("get", tv, format!("/apis/{api}/versions/nope"))
        .expect(404);
    errors_common(h, "get", tv, &format!("/apis/{api}/versions/{vid}"), true);

    // --- getStatusOfAnAsyncApiTask: pending, then completed
    let r = h
        .call("post", t, format!("/apis/{api}/versions"))
        .json(json!({"name": "v1.2.0", "schemas": [], "collections": []}))
        .expect(202);
    let loc = r.header("Location").unwrap().to_string();
    assert_eq!(
        body(&h.call("get", tt, loc.clone()).expect(200))["status"],
        "pending"
    );
    assert_eq!(
        body(&h.call("get", tt, loc.clone()).expect(200))["status"],
        "completed"
    );
    // a failing publication: the task ends `failed` with the message; no version
    h.state(|s| s.fail_next_publish("The API contains invalid schema"));
    let r2 = h
        .call("post", t, format!("/apis/{api}/versions"))
        .json(json!({"name": "broken", "schemas": [], "collections": []}))
        .expect(202);
    let (failed_id, failed_loc) = (
        body(&r2)["id"].as_str().unwrap().to_string(),
        r2.header("Location").unwrap().to_string(),
    );
    h.call("get", tt, failed_loc.clone()).expect(200);
    let failed = h.call("get", tt, failed_loc).expect(200);
    assert_eq!(body(&failed)["status"], "failed");
    assert_eq!(
        body(&failed)["details"]["error"]["message"],
        "The API contains invalid schema"
    );
    h.call("get", tv, format!("/apis/{api}/versions/{failed_id}"))
        .expect(404);
    // a version published without schemas has none to read
    let v120 = body(&r)["id"].as_str().unwrap().to_string();
    let ts = "/apis/{apiId}/schemas/{schemaId}";
    let sid = &f.schema;
    h.call(
        "get",
        ts,
        format!("/apis/{api}/schemas/{sid}?versionId={v120}"),
    )
    .expect(404);
    h.call("get", tt, format!("/apis/{api}/tasks/nope"))
        .expect(404);
    errors_common(h, "get", tt, &loc, true);

    // --- getApiVersions: newest first, small pages
    let mut names = Vec::new();
    let mut next = Some(format!("/apis/{api}/versions"));
    while let Some(p) = next.take() {
        let r = h.call("get", t, p).expect(200);
        let b = body(&r);
        names.extend(
            b["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap().to_string()),
        );
        next = b["meta"]["nextCursor"]
            .as_str()
            .map(|c| format!("/apis/{api}/versions?cursor={}", enc(c)));
    }
    assert_eq!(names, ["v1.2.0", "v1.1.0", "v1.0.0"]);
    let one = h
        .call("get", t, format!("/apis/{api}/versions?limit=1"))
        .expect(200);
    assert_eq!(body(&one)["meta"]["limit"], 1);
    assert_eq!(body(&one)["meta"]["total"], 3);
    h.call("get", t, "/apis/nope/versions").expect(404);
    errors_common(h, "get", t, &format!("/apis/{api}/versions"), true);
}

fn schema_writes(h: &mut Harness, f: &Fixture) {
    let api = &f.api;
    let t = "/apis/{apiId}/schemas/{schemaId}/files/{file-path}";
    let before = h.state(|s| s.api(api).unwrap().updated_at.clone());
    // --- createUpdateApiSchemaFile: a `/` makes folders; raw and %2F
    let r = h
        .call("put", t, f.file_url("components/examples/payment.json"))
        .json(json!({"content": "{}"}))
        .expect(200);
    assert_eq!(body(&r)["path"], "components/examples/payment.json");
    assert_eq!(body(&r)["name"], "payment.json");
    let r = h
        .call("put", t, f.file_url("components%2Fexamples%2Fpayment.json"))
        .json(json!({"content": "{\"a\":1}"}))
        .expect(200);
    assert_eq!(body(&r)["path"], "components/examples/payment.json");
    h.state(|s| {
        let file = s
            .schema_file(api, "components/examples/payment.json")
            .unwrap();
        assert_eq!(file.content, "{\"a\":1}");
        let a = s.api(api).unwrap();
        assert!(
            a.updated_at > before,
            "a file write bumps the API's updatedAt"
        );
        assert_eq!(a.schema.as_ref().unwrap().updated_at, file.updated_at);
        assert_eq!(a.updated_at, file.updated_at);
    });
    h.call("put", t, f.file_url("a%2F..%2Fb.yaml"))
        .json(json!({"content": ""}))
        .expect(400);
    h.call("put", t, f.file_url("new.yaml"))
        .json(json!({}))
        .expect(400);
    h.call("put", t, format!("/apis/{api}/schemas/nope/files/x.yaml"))
        .json(json!({"content": ""}))
        .expect(404);
    let linked_sid = h.schema_id(&f.linked);
    h.call(
        "put",
        t,
        format!("/apis/{}/schemas/{linked_sid}/files/x.yaml", f.linked),
    )
    .json(json!({"content": ""}))
    .expect(422);
    errors_common(h, "put", t, &f.file_url("x.yaml"), true);

    // --- deleteApiSchemaFile
    h.call("delete", t, f.file_url("components/examples/payment.json"))
        .expect(204);
    assert!(h.state(|s| s
        .schema_file(api, "components/examples/payment.json")
        .is_none()));
    h.call("delete", t, f.file_url("components/examples/payment.json"))
        .expect(404);
    h.call(
        "delete",
        t,
        format!("/apis/{}/schemas/{linked_sid}/files/index.yaml", f.linked),
    )
    .expect(422);
    errors_common(h, "delete", t, &f.file_url("index.yaml"), true);

    // --- createApiSchema: one per API
    let t = "/apis/{apiId}/schemas";
    let new_schema = json!({
        "type": "openapi:3",
        "files": [{"path": "index.json", "content": "{\"openapi\":\"3.0.0\"}", "root": {"enabled": true}}],
    });
    let r = h
        .call("post", t, format!("/apis/{}/schemas", f.bare))
        .json(new_schema.clone())
        .expect(200);
    assert_eq!(body(&r)["files"][0]["root"]["enabled"], true);
    h.call("post", t, format!("/apis/{}/schemas", f.bare))
        .json(new_schema.clone())
        .expect(400);
    h.call("post", t, "/apis/nope/schemas")
        .json(new_schema.clone())
        .expect(404);
    h.call("post", t, format!("/apis/{}/schemas", f.linked))
        .json(new_schema.clone())
        .expect(422);
    errors_common(h, "post", t, &format!("/apis/{}/schemas", f.bare), true);
}

fn collection_writes(h: &mut Harness, f: &Fixture) {
    let api = &f.api;
    let uid = f.uids[0].clone();
    let t = "/collections/{collectionId}";
    // --- putCollection keeping ids: ids stay, updatedAt moves
    let served = body(
        &h.call(
            "get",
            "/apis/{apiId}/collections/{collectionId}",
            format!("/apis/{api}/collections/{uid}"),
        )
        .expect(200),
    )
    .clone();
    let mut edited = served.clone();
    edited["item"][0]["item"][0]["name"] = json!("List all payments");
    let before = h.state(|s| s.collection(&uid).unwrap().updated_at.clone());
    let r = h
        .call("put", t, format!("/collections/{uid}"))
        .json(json!({ "collection": edited }))
        .expect(200);
    assert_eq!(body(&r)["collection"]["uid"], json!(uid));
    h.state(|s| {
        let c = s.collection(&uid).unwrap();
        assert!(c.updated_at > before);
        assert_eq!(
            c.body["item"][0]["item"][0]["id"], served["item"][0]["item"][0]["id"],
            "given ids are kept"
        );
        assert_eq!(
            s.api(api).unwrap().updated_at,
            c.updated_at,
            "the API's updatedAt follows"
        );
    });
    // without ids: Postman recreates every item with a new id
    let stripped = strip_item_ids(edited.clone());
    h.call("put", t, format!("/collections/{uid}"))
        .json(json!({ "collection": stripped }))
        .expect(200);
    h.state(|s| {
        let new_id = &s.collection(&uid).unwrap().body["item"][0]["id"];
        assert!(
            new_id.is_string() && *new_id != served["item"][0]["id"],
            "items without ids get new ids"
        );
    });
    let mut bad_schema = edited.clone();
    bad_schema["info"]["schema"] =
        json!("https://schema.getpostman.com/json/collection/v1.0.0/collection.json");
    h.call("put", t, format!("/collections/{uid}"))
        .json(json!({ "collection": bad_schema }))
        .expect(400);
    h.call("put", t, format!("/collections/{uid}"))
        .json(json!({ "info": {} }))
        .expect(400);
    let mut other = edited.clone();
    other["info"]["_postman_id"] = json!("11111111-1111-4111-8111-111111111111");
    h.call("put", t, format!("/collections/{uid}"))
        .json(json!({ "collection": other }))
        .expect(400);
    let mut no_items = edited.clone();
    no_items.as_object_mut().unwrap().remove("item");
    h.call("put", t, format!("/collections/{uid}"))
        .json(json!({ "collection": no_items }))
        .expect(400);
    h.call("put", t, "/collections/12345678-nope")
        .json(json!({ "collection": edited }))
        .expect(404);
    // the 100 MB limit, lowered for the test
    h.state(|s| s.set_max_body_bytes(1024));
    h.call("put", t, format!("/collections/{uid}"))
        .raw_body(vec![b' '; 4096])
        .expect(413);
    h.state(|s| s.set_max_body_bytes(fake_postman::MAX_COLLECTION_BYTES));
    // async: 202, then the update task
    let r = h
        .call("put", t, format!("/collections/{uid}"))
        .header("Prefer", "respond-async")
        .json(json!({ "collection": edited }))
        .expect(202);
    let task = body(&r)["task"]["id"].as_str().unwrap().to_string();
    let tt = "/collection-updates-tasks/{taskId}";
    assert_eq!(
        body(
            &h.call("get", tt, format!("/collection-updates-tasks/{task}"))
                .expect(200)
        )["status"],
        "in-progress"
    );
    assert_eq!(
        body(
            &h.call("get", tt, format!("/collection-updates-tasks/{task}"))
                .expect(200)
        )["status"],
        "successful"
    );
    errors_common(
        h,
        "get",
        tt,
        &format!("/collection-updates-tasks/{task}"),
        false,
    );
    errors_common(h, "put", t, &format!("/collections/{uid}"), false);

    // --- createCollection
    let tc = "/collections";
    let new = json!({
        "info": {"name": "Scratch", "schema": fake_postman::SERVED_SCHEMA_URL},
        "item": [{"name": "r", "request": {"method": "GET", "url": "https://example.com"}}],
    });
    let r = h
        .call("post", tc, "/collections?workspace=ws")
        .json(json!({ "collection": new }))
        .expect(200);
    let scratch_uid = body(&r)["collection"]["uid"].as_str().unwrap().to_string();
    let scratch_id = body(&r)["collection"]["id"].as_str().unwrap().to_string();
    let mut dup = new.clone();
    dup["info"]["_postman_id"] = json!(scratch_id);
    h.call("post", tc, "/collections")
        .json(json!({ "collection": dup }))
        .expect(400);
    h.call("post", tc, "/collections")
        .json(json!({"collection": {"info": {"name": "x"}}}))
        .expect(400);
    errors_common(h, "post", tc, "/collections", false);

    // --- addApiCollection: copy and create-new
    let ta = "/apis/{apiId}/collections";
    let r = h
        .call("post", ta, format!("/apis/{api}/collections"))
        .json(json!({"operationType": "COPY_COLLECTION", "data": {"collectionId": scratch_uid}}))
        .expect(200);
    let copy_uid = body(&r)["id"].as_str().unwrap().to_string();
    assert_ne!(copy_uid, scratch_uid, "a copy is a new collection");
    let r = h
        .call("post", ta, format!("/apis/{api}/collections"))
        .json(json!({"operationType": "CREATE_NEW", "data": new}))
        .expect(200);
    let created = body(&r)["id"].as_str().unwrap().to_string();
    h.state(|s| {
        let attached = &s.api(api).unwrap().collections;
        assert!(attached.contains(&copy_uid) && attached.contains(&created));
    });
    h.call("post", ta, format!("/apis/{api}/collections"))
        .json(json!({"operationType": "COPY_COLLECTION", "data": {"collectionId": "nope"}}))
        .expect(404);
    h.call("post", ta, "/apis/nope/collections")
        .json(json!({"operationType": "CREATE_NEW", "data": new}))
        .expect(404);
    h.call("post", ta, format!("/apis/{}/collections", f.linked))
        .json(json!({"operationType": "CREATE_NEW", "data": new}))
        .expect(422);
    errors_common(h, "post", ta, &format!("/apis/{api}/collections"), true);

    // --- deleteCollection detaches it from the API
    let td = "/collections/{collectionId}";
    let r = h
        .call("delete", td, format!("/collections/{created}"))
        .expect(200);
    assert_eq!(body(&r)["collection"]["uid"], json!(created));
    assert!(h.state(|s| !s.api(api).unwrap().collections.contains(&created)));
    h.call("delete", td, format!("/collections/{created}"))
        .expect(404);
    errors_common(h, "delete", td, &format!("/collections/{copy_uid}"), false);
}

fn strip_item_ids(mut c: Value) -> Value {
    fn walk(items: &mut Value) {
        for it in items.as_array_mut().into_iter().flatten() {
            it.as_object_mut().unwrap().remove("id");
            walk(&mut it["item"]);
        }
    }
    walk(&mut c["item"]);
    c
}

fn faults(h: &mut Harness, f: &Fixture) {
    let api = &f.api;
    h.fake.inject(Fault::RateLimited {
        retry_after_secs: 7,
        times: 2,
    });
    for _ in 0..2 {
        let r = h
            .call("get", "/apis/{apiId}", format!("/apis/{api}"))
            .expect(429);
        assert_eq!(r.header("Retry-After"), Some("7"));
        assert_eq!(r.header("X-RateLimit-RetryAfter"), Some("7"));
        assert_eq!(r.header("Content-Type"), Some("application/problem+json"));
    }
    h.call("get", "/apis/{apiId}", format!("/apis/{api}"))
        .expect(200);
    h.fake.inject(Fault::Unavailable { times: 1 });
    h.call(
        "get",
        "/collections/{collectionId}",
        format!("/collections/{}", f.uids[1]),
    )
    .expect(503);
    h.fake.inject(Fault::RateLimited {
        retry_after_secs: 1,
        times: 1,
    });
    h.call(
        "get",
        "/apis/{apiId}/schemas/{schemaId}/files",
        format!("/apis/{api}/schemas/{}/files", f.schema),
    )
    .expect(429);
    // 409 only hits collection PUTs: a GET in between is not consumed by it
    h.fake.inject(Fault::DeepUpdateInProgress { times: 1 });
    let uid = &f.uids[1];
    let c = body(
        &h.call(
            "get",
            "/apis/{apiId}/collections/{collectionId}",
            format!("/apis/{api}/collections/{uid}"),
        )
        .expect(200),
    )
    .clone();
    h.call(
        "put",
        "/collections/{collectionId}",
        format!("/collections/{uid}"),
    )
    .json(json!({ "collection": c }))
    .expect(409);
    h.call(
        "put",
        "/collections/{collectionId}",
        format!("/collections/{uid}"),
    )
    .json(json!({ "collection": c }))
    .expect(200);
}

/// Real content: the repositories Postman's git integration wrote, and the shared
/// collection exports, served through both collection GETs.
fn layouts_and_real_collections(h: &mut Harness) {
    let layouts = shared_dir().join("postman/git-layout");
    for name in ["1rel-api", "postman-api-int-test"] {
        let dir = layouts.join(name);
        if !dir.exists() {
            continue;
        }
        let api = h.state(|s| s.seed_git_layout(&dir));
        let r = h
            .call(
                "get",
                "/apis/{apiId}",
                format!("/apis/{api}?include=schemas&include=collections"),
            )
            .expect(200);
        let uids: Vec<String> = body(&r)["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        for uid in uids {
            let r = h
                .call(
                    "get",
                    "/collections/{collectionId}",
                    format!("/collections/{uid}"),
                )
                .expect(200);
            let pid = uid.split_once('-').unwrap().1;
            assert_eq!(body(&r)["collection"]["info"]["_postman_id"], json!(pid));
        }
    }
    let api = h.state(|s| s.create_api(None, "Shared collections"));
    let uids = h.state(|s| load_shared_collections(s, &api));
    for (uid, source) in uids {
        let wrapped = json!({ "collection": source });
        h.call(
            "get",
            "/collections/{collectionId}",
            format!("/collections/{uid}"),
        )
        .inheriting(wrapped)
        .expect(200);
        h.call(
            "get",
            "/apis/{apiId}/collections/{collectionId}",
            format!("/apis/{api}/collections/{uid}"),
        )
        .inheriting(source)
        .expect(200);
    }
}

// ====================================================================== determinism

/// Same operations, same state: ids and timestamps do not depend on the run.
#[test]
fn the_same_operations_give_the_same_state() {
    let snapshot = || {
        let fake = FakePostman::start();
        let api = fake.with_state(|s| s.seed_sample());
        fake.with_state(|s| {
            let a = s.api(&api).unwrap();
            let files: BTreeSet<(String, String, String)> = a
                .schema
                .as_ref()
                .unwrap()
                .files
                .values()
                .map(|f| (f.id.clone(), f.path.clone(), f.updated_at.clone()))
                .collect();
            let collections: Vec<Value> = a
                .collections
                .iter()
                .map(|u| s.collection(u).unwrap().served().decorated())
                .collect();
            (
                a.updated_at.clone(),
                files,
                collections,
                a.versions[0].id.clone(),
            )
        })
    };
    let (first, second) = (snapshot(), snapshot());
    assert_eq!(first, second);
    assert_eq!(
        first.0, "2024-01-01T00:00:13.000Z",
        "one logical second per mutation"
    );
}

/// The workspace seed too: the same ids, files and times on every run.
#[test]
fn the_workspace_seed_gives_the_same_state() {
    let snapshot = || {
        let fake = FakePostman::start();
        let ws = fake.with_state(|s| s.seed_workspace());
        let client = reqwest::blocking::Client::new();
        let get = |path: String| -> Value {
            let url = format!("{}{path}", fake.base_url());
            let r = client.get(url).header("X-API-Key", API_KEY).send().unwrap();
            r.json().unwrap()
        };
        let w = get(format!("/workspaces/{ws}"));
        let specs = w["workspace"]["specs"].as_array().unwrap().clone();
        let files: Vec<Value> = specs
            .iter()
            .map(|s| get(format!("/specs/{}/files", s["id"].as_str().unwrap())))
            .collect();
        (w, files)
    };
    let (first, second) = (snapshot(), snapshot());
    assert_eq!(first, second);
    let w = &first.0["workspace"];
    assert_eq!(w["id"], fake_postman::SAMPLE_WORKSPACE_ID);
    assert_eq!(w["updatedAt"], "2024-01-01T00:00:07.000Z");
    assert!(first
        .1
        .iter()
        .all(|f| f["files"][0]["updatedAt"].is_string()));
}

/// Several clients at once: every request is answered and logged once.
#[test]
fn concurrent_requests_are_all_served() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let url = format!("{}/apis/{api}?include=collections", fake.base_url());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                let client = reqwest::blocking::Client::new();
                for _ in 0..20 {
                    let r = client
                        .get(&url)
                        .header("X-API-Key", API_KEY)
                        .header("Accept", V10_ACCEPT)
                        .send()
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                }
            });
        }
    });
    let log = fake.requests();
    assert_eq!(log.len(), 160);
    assert!(log
        .iter()
        .all(|r| r.status == 200 && r.query == "include=collections"));
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}
