//! The workspace backend's network pieces against the fake Postman API over HTTP: the
//! incremental read (exact request counts), a planned push applied in order with each
//! create journaled (and an interrupted one finished without creating twice), secrets
//! kept, and Spec Hub version tags as git tags.

#[path = "support/fake_postman/mod.rs"]
mod fake_postman;

use std::collections::BTreeMap;

#[path = "support/workspace_setup.rs"]
mod workspace_setup;

use fake_postman::{Fault, SAMPLE_SECRET};
use git_postman::layout::workspace::plan::{self, Write};
use git_postman::layout::workspace::{tree, File};
use git_postman::postman::workspace::{apply, snapshot, tags};
use serde_json::{json, Value};
use workspace_setup::{setup, Setup};

impl Setup {
    fn read(&self, cache: &Value) -> snapshot::Snapshot {
        snapshot::read(&self.client, &self.ws, cache, false).unwrap()
    }

    /// The requests since the last call, as `METHOD path`, sorted.
    fn requests(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .fake
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        self.fake.clear_requests();
        out.sort();
        out
    }

    fn spec_id(&self, name: &str) -> String {
        self.fake.with_state(|s| {
            s.ws.specs
                .values()
                .find(|sp| sp.name == name)
                .unwrap()
                .id
                .clone()
        })
    }

    fn collection_uid(&self, name: &str) -> String {
        self.fake.with_state(|s| {
            let c = s.workspace_collections(&self.ws);
            c.iter().find(|c| c.name() == name).unwrap().uid.clone()
        })
    }

    fn environment_uid(&self, name: &str) -> String {
        self.fake.with_state(|s| {
            let e = s.ws.environments.values().find(|e| e.name == name);
            e.unwrap().uid.clone()
        })
    }
}

/// The requests every read makes: the workspace, the listings, the globals.
fn listings(t: &Setup) -> Vec<String> {
    let mut out = vec![
        format!("GET /workspaces/{}", t.ws),
        "GET /specs".into(),
        format!("GET /specs/{}/files", t.spec_id("payments")),
        format!("GET /specs/{}/files", t.spec_id("events")),
        "GET /collections".into(),
        "GET /environments".into(),
        format!("GET /workspaces/{}/global-variables", t.ws),
    ];
    out.sort();
    out
}

fn plus(mut base: Vec<String>, extra: &[String]) -> Vec<String> {
    base.extend(extra.iter().cloned());
    base.sort();
    base
}

/// What a read told its progress, each with how many requests the fake had seen then.
struct Told<'a> {
    fake: &'a fake_postman::FakePostman,
    events: Vec<(&'static str, usize, usize)>,
}

impl snapshot::Downloads for Told<'_> {
    fn expect(&mut self, n: usize) {
        self.events.push(("expect", n, self.fake.requests().len()));
    }

    fn downloaded(&mut self) {
        self.events
            .push(("downloaded", 1, self.fake.requests().len()));
    }
}

/// A progress bar learns the read's whole count once the listings are in, before the
/// first download, and hears of each download as it ends.
#[test]
fn a_read_counts_its_downloads_first_and_tells_each_as_it_ends() {
    let t = setup();
    t.fake.with_state(|s| s.set_page_size(100));
    let opened = t.client.workspace(&t.ws).unwrap();
    t.fake.clear_requests();
    let mut told = Told {
        fake: &t.fake,
        events: Vec::new(),
    };
    let read = snapshot::read_opened(&t.client, opened, &Value::Null, false, &mut told).unwrap();
    // The specs, their 2 file listings, the collections, the environments; then 7 spec
    // files, 2 collections, 1 environment, one request each.
    let listings = 5;
    let mut expected = vec![("expect", 10, listings)];
    expected.extend((1..=10).map(|i| ("downloaded", 1, listings + i)));
    assert_eq!(told.events, expected);
    assert_eq!(read.downloads, 10);
}

#[test]
fn a_read_downloads_only_what_changed() {
    let t = setup();
    // One page per listing, so that the counts are those of the objects (paging is the
    // client's test).
    t.fake.with_state(|s| s.set_page_size(100));
    let first = t.read(&Value::Null);
    let requests = t.requests();
    assert_eq!(
        first.downloads, 10,
        "7 spec files, 2 collections, 1 environment"
    );
    assert_eq!(requests.len(), listings(&t).len() + 10, "{requests:#?}");
    let payments = t.spec_id("payments");
    let money = "components/schemas/Money.yaml";
    let stored = t
        .fake
        .with_state(|s| s.spec(&payments).unwrap().files[money].content.clone());
    let spec = first
        .state
        .specs
        .iter()
        .find(|s| s.name == "payments")
        .unwrap();
    let file = spec.files.iter().find(|f| f.path == money).unwrap();
    assert_eq!(file.content, stored.as_bytes());

    // Nothing changed: the listings only.
    let cache = snapshot::remember(&first);
    let again = t.read(&cache);
    assert_eq!(t.requests(), listings(&t));
    assert_eq!((again.downloads, &again.state), (0, &first.state));

    // One object changed: the listings and that object.
    let collection = t.collection_uid("Payments API (generated)");
    let staging = t.environment_uid("Staging");
    let changes: [(&dyn Fn(), String); 3] = [
        (
            &|| {
                t.fake
                    .with_state(|s| s.put_spec_file(&payments, money, "type: integer\n"))
            },
            format!("GET /specs/{payments}/files/{money}"),
        ),
        (
            &|| {
                t.fake.with_state(|s| {
                    let mut body = s.collection(&collection).unwrap().served().bare();
                    body["info"]["name"] = json!("Renamed");
                    s.update_collection(&collection, body)
                })
            },
            format!("GET /collections/{collection}"),
        ),
        (
            &|| {
                t.fake
                    .with_state(|s| s.update_environment(&staging, Some("Stage"), None))
            },
            format!("GET /environments/{staging}"),
        ),
    ];
    let mut cache = snapshot::remember(&again);
    for (change, download) in changes {
        change();
        let read = t.read(&cache);
        assert_eq!(
            t.requests(),
            plus(listings(&t), std::slice::from_ref(&download))
        );
        assert_eq!(read.downloads, 1, "{download}");
        // The same state a read without a cache finds.
        let full = t.read(&Value::Null);
        t.requests();
        assert_eq!(read.state, full.state, "{download}");
        cache = snapshot::remember(&read);
    }
}

#[test]
fn secrets_stay_out_of_git_and_of_the_cache_unless_the_remote_opts_in() {
    let t = setup();
    let no = t.read(&Value::Null);
    let files = tree::apply(&[], &no.state, false).unwrap();
    assert!(files
        .iter()
        .all(|f| !String::from_utf8_lossy(&f.bytes).contains(SAMPLE_SECRET)));
    assert!(!snapshot::remember(&no).to_string().contains(SAMPLE_SECRET));

    let yes = snapshot::read(&t.client, &t.ws, &snapshot::remember(&no), true).unwrap();
    assert_eq!(
        yes.downloads, 1,
        "a cache without secrets cannot serve a read that wants them"
    );
    assert!(snapshot::remember(&yes).to_string().contains(SAMPLE_SECRET));
    let files = tree::apply(&[], &yes.state, true).unwrap();
    assert!(files
        .iter()
        .any(|f| String::from_utf8_lossy(&f.bytes).contains(SAMPLE_SECRET)));
}

fn set(files: &mut Vec<File>, path: &str, text: &str) {
    files.retain(|f| f.path != path);
    files.push(File {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    });
}

fn text_of(files: &[File], suffix: &str) -> (String, String) {
    let f = files.iter().find(|f| f.path.ends_with(suffix)).unwrap();
    (f.path.clone(), String::from_utf8(f.bytes.clone()).unwrap())
}

const REFUNDS: &str = "openapi: 3.0.3\ninfo:\n  title: Refunds\n  version: '1'\npaths: {}\n";

/// The fetched commit, edited: a spec file, a new spec, a new environment, the Staging
/// environment's plain variable (its secret is blank in git).
fn edited_commit(t: &Setup, live: &snapshot::Snapshot) -> Vec<File> {
    let mut files = tree::apply(&[], &live.state, false).unwrap();
    set(
        &mut files,
        "postman/specs/payments/components/schemas/Money.yaml",
        "type: integer\n",
    );
    set(&mut files, "postman/specs/Refunds/openapi.yaml", REFUNDS);
    set(
        &mut files,
        "postman/environments/Local.environment.yaml",
        "name: Local\nvalues:\n  - key: url\n    value: http://localhost\n    enabled: true\n",
    );
    let (path, staging) = text_of(&files, "/Staging.environment.yaml");
    assert!(staging.contains("value: \"\""), "{staging}");
    set(
        &mut files,
        &path,
        &staging.replace("staging.example.com", "stage.example.com"),
    );
    assert_eq!(t.ws, live.state.id);
    files
}

#[test]
fn a_push_is_sent_in_order_and_an_interrupted_one_finishes_without_creating_twice() {
    let t = setup();
    let live = t.read(&Value::Null);
    let files = edited_commit(&t, &live);
    let writes = plan::plan(&files, &live.state, &BTreeMap::new()).unwrap();
    assert!(matches!(writes[0], Write::CreateSpec { .. }), "{writes:#?}");
    assert_eq!(writes.len(), 4, "{writes:#?}");

    // The environment's create fails: the spec created before it is journaled.
    t.fake.inject(Fault::ServerError {
        method: "POST",
        path_contains: "environments".into(),
        times: 1,
    });
    let mut journal: BTreeMap<String, String> = BTreeMap::new();
    let mut record = |path: &str, id: &str| {
        journal.insert(path.to_string(), id.to_string());
        Ok(())
    };
    let e = apply::apply(&t.client, &t.ws, &writes, &mut record).unwrap_err();
    assert!(e.to_string().contains("500"), "{e}");
    let refunds = journal["postman/specs/Refunds"].clone();
    assert_eq!(journal.len(), 1);

    // The same push again: the spec is known by the journal, the rest is sent.
    let live = t.read(&Value::Null);
    let writes = plan::plan(&files, &live.state, &journal).unwrap();
    assert!(
        writes
            .iter()
            .all(|w| !matches!(w, Write::CreateSpec { .. })),
        "{writes:#?}"
    );
    let mut record = |path: &str, id: &str| {
        journal.insert(path.to_string(), id.to_string());
        Ok(())
    };
    let applied = apply::apply(&t.client, &t.ws, &writes, &mut record).unwrap();
    assert_eq!(
        applied.created.keys().collect::<Vec<_>>(),
        ["postman/environments/Local.environment.yaml"]
    );

    // Postman now holds the commit: nothing is left to send.
    let after = t.read(&Value::Null);
    assert_eq!(plan::plan(&files, &after.state, &journal).unwrap(), vec![]);
    t.fake.with_state(|s| {
        let spec = s.spec(&refunds).unwrap();
        assert_eq!(
            (spec.name.as_str(), spec.spec_type.as_str()),
            ("Refunds", "OPENAPI:3.0")
        );
        assert_eq!(spec.root().unwrap().content, REFUNDS);
        let staging =
            s.ws.environments
                .values()
                .find(|e| e.name == "Staging")
                .unwrap();
        let secret = staging
            .values
            .iter()
            .find(|v| v["key"] == "apiKey")
            .unwrap();
        assert_eq!(
            secret["value"], SAMPLE_SECRET,
            "a secret git does not hold is kept"
        );
        assert_eq!(secret["description"], "Staging key");
        assert_eq!(
            s.ws.specs.values().filter(|s| s.name == "Refunds").count(),
            1
        );
    });
}

#[test]
fn a_tag_push_tags_each_changed_spec_and_versions_read_back() {
    let t = setup();
    let live = t.read(&Value::Null).state;
    let first = tags::publish(&t.client, &live, "v1").unwrap();
    assert_eq!((first.tagged.len(), first.unchanged.len()), (2, 0));

    let e = tags::publish(&t.client, &live, "v2").unwrap_err();
    assert!(matches!(e, tags::Error::NothingChanged { .. }), "{e}");

    let payments = t.spec_id("payments");
    let money = "components/schemas/Money.yaml";
    let old = t
        .fake
        .with_state(|s| s.spec(&payments).unwrap().files[money].content.clone());
    t.fake
        .with_state(|s| s.put_spec_file(&payments, money, "type: integer\n"));
    let live = t.read(&Value::Null).state;
    // A name the changed spec already has: Postman's 409, one line.
    let e = tags::publish(&t.client, &live, "v1").unwrap_err();
    let line = e.to_string();
    assert!(
        line.contains("'v1' already exists") && !line.contains('\n'),
        "{line}"
    );

    let second = tags::publish(&t.client, &live, "v2").unwrap();
    assert_eq!(
        (second.tagged, second.unchanged),
        (vec!["payments".to_string()], vec!["events".to_string()])
    );

    let versions = tags::versions(&t.client, &live).unwrap();
    let names: Vec<(&str, usize)> = versions
        .iter()
        .map(|v| (v.name.as_str(), v.tags.len()))
        .collect();
    assert_eq!(names, [("v1", 2), ("v2", 1)]);
    let v1 = tags::read_version(&t.client, &live, &versions[0], &mut ()).unwrap();
    assert!(v1.updated_at.is_some(), "dated by its files");
    let v1 = v1.workspace;
    let spec = v1.specs.iter().find(|s| s.name == "payments").unwrap();
    let tagged = spec.files.iter().find(|f| f.path == money).unwrap();
    assert_eq!(tagged.content, old.as_bytes(), "as tagged, not as now");
    assert!(spec.files.iter().any(|f| f.path == "index.yaml" && f.root));
    // A version's files form a commit tree like a fetch's.
    let files = tree::apply(&[], &v1, false).unwrap();
    assert!(files
        .iter()
        .any(|f| f.path.ends_with("/components/schemas/Money.yaml")));
}
