//! A Postman v12 workspace through plain git (`postman::<base>/workspaces/<id>`) against
//! the fake: the Native Git layout a clone writes, what a fetch changes, exactly the
//! requests a push sends, validation before anything is sent, secrets, Spec Hub version
//! tags as git tags, and a repository the desktop app wrote kept byte for byte. git's
//! rules shared with the API Builder are in `remote_backends.rs`.

#[macro_use]
mod support;

use support::backend::{Backend, Remote};
use support::fake_postman::SAMPLE_SECRET;
use support::git::files_of;

fn cloned() -> Remote {
    Backend::Workspace.start()
}

fn collection_uid(r: &Remote, name: &str) -> String {
    r.fake.with_state(|s| {
        let c = s.workspace_collections(&r.id);
        c.iter().find(|c| c.name() == name).unwrap().uid.clone()
    })
}

fn environment_uid(r: &Remote, name: &str) -> String {
    r.fake.with_state(|s| {
        let e = s.ws.environments.values().find(|e| e.name == name);
        e.unwrap().uid.clone()
    })
}

/// The value of the Staging environment's secret `apiKey` in Postman.
fn secret_in_postman(r: &Remote, staging: &str) -> serde_json::Value {
    r.fake.with_state(|s| {
        let env = s.environment(staging).unwrap();
        let v = env.values.iter().find(|v| v["key"] == "apiKey").unwrap();
        v["value"].clone()
    })
}

fn read(r: &Remote, path: &str) -> String {
    std::fs::read_to_string(r.repo.join(path)).unwrap()
}

fn write(r: &Remote, path: &str, text: &str) {
    let path = r.repo.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn commit_all(r: &Remote, message: &str) {
    r.sandbox.git_ok(&r.repo, ["add", "-A"]);
    r.sandbox.git_ok(&r.repo, ["commit", "-qm", message]);
}

/// Pushes, then asserts the writes were exactly `expected` and a fetch has nothing new.
fn push_sends(r: &Remote, expected: &[String]) {
    r.fake.clear_requests();
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    assert_eq!(r.writes(), expected);
    r.sandbox.git_ok(&r.repo, ["fetch", "-q"]);
    assert_eq!(r.rev("origin/main"), r.rev("HEAD"), "nothing new to fetch");
}

const STAGING: &str = "postman/environments/Staging.environment.yaml";
const LIST: &str = "postman/collections/Payments API/payments/List payments.request.yaml";

#[test]
fn a_clone_writes_native_gits_layout() {
    let r = cloned();
    let files = files_of(&r.repo);
    for expected in [
        ".postman/resources.yaml",
        "postman/specs/events.json",
        "postman/specs/payments/index.yaml",
        "postman/specs/payments/components/schemas/Money.yaml",
        "postman/collections/Payments API/.resources/definition.yaml",
        LIST,
        "postman/collections/Payments API (generated)/payments/Create a payment.request.yaml",
        STAGING,
        "postman/globals/workspace.globals.yaml",
    ] {
        assert!(
            files.iter().any(|f| f == expected),
            "{expected}: {files:#?}"
        );
    }
    let resources = read(&r, ".postman/resources.yaml");
    assert!(
        resources.contains(&format!("workspace:\n  id: {}\n", r.id)),
        "{resources}"
    );
    let payments = r.spec_id("payments");
    assert!(
        resources.contains(&format!(
            "    ../postman/specs/payments/index.yaml: {payments}\n"
        )),
        "the ROOT is the spec's entry: {resources}"
    );
    let log = r.sandbox.git_ok(&r.repo, ["log", "--format=%an <%ae>%n%B"]);
    assert!(
        log.starts_with(&format!(
            "Postman <workspace-{}@postman.invalid>\nPostman: Payments\n",
            r.id
        )),
        "{log}"
    );
}

/// A fetch of an unchanged workspace: the workspace, the listings (with `updatedAt`) and
/// the version tags, each once; nothing downloaded.
#[test]
fn a_fetch_without_change_asks_only_the_listings() {
    let r = cloned();
    r.fake.with_state(|s| s.set_page_size(100));
    r.sandbox.git_ok(&r.repo, ["fetch", "-q"]);
    let mut asked: Vec<String> = r
        .fake
        .requests()
        .iter()
        .map(|q| format!("{} {}", q.method, q.path))
        .collect();
    asked.sort();
    let (ws, p, e) = (&r.id, r.spec_id("payments"), r.spec_id("events"));
    let mut expected = vec![
        format!("GET /workspaces/{ws}"),
        format!("GET /workspaces/{ws}/global-variables"),
        "GET /specs".into(),
        "GET /collections".into(),
        "GET /environments".into(),
    ];
    for spec in [p, e] {
        expected.push(format!("GET /specs/{spec}/files"));
        expected.push(format!("GET /specs/{spec}/version-tags"));
    }
    expected.sort();
    assert_eq!(asked, expected);
}

#[test]
fn a_fetch_after_a_change_in_postman_changes_exactly_that_file() {
    let r = cloned();
    let uid = collection_uid(&r, "Payments API");
    let staging = environment_uid(&r, "Staging");
    type Change<'a> = Box<dyn Fn() + 'a>;
    let changes: Vec<(Change, &str)> = vec![
        (
            Box::new(|| {
                r.fake.with_state(|s| {
                    let mut body = s.collection(&uid).unwrap().body.clone();
                    body["item"][0]["item"][0]["request"]["method"] = "HEAD".into();
                    s.update_collection(&uid, body)
                })
            }),
            LIST,
        ),
        (
            Box::new(|| {
                r.fake.with_state(|s| {
                    let mut values = s.environment(&staging).unwrap().values.clone();
                    values[0]["value"] = "https://stage.example.com".into();
                    s.update_environment(&staging, None, Some(values))
                })
            }),
            STAGING,
        ),
    ];
    for (change, path) in changes {
        let before = r.rev("HEAD");
        change();
        r.sandbox.git_ok(&r.repo, ["pull", "-q", "--ff-only"]);
        assert_eq!(r.rev("HEAD^"), before);
        let diff = r
            .sandbox
            .git_ok(&r.repo, ["diff", "--name-only", &before, "HEAD"]);
        assert_eq!(diff, format!("{path}\n"));
    }
}

#[test]
fn a_push_sends_exactly_the_changed_objects() {
    let r = cloned();
    let payments = r.spec_id("payments");
    let money = "components/schemas/Money.yaml";
    write(
        &r,
        &format!("postman/specs/payments/{money}"),
        "type: integer\n",
    );
    commit_all(&r, "spec file");
    push_sends(&r, &[format!("PATCH /specs/{payments}/files/{money}")]);
    let stored = r
        .fake
        .with_state(|s| s.spec(&payments).unwrap().files[money].content.clone());
    assert_eq!(stored, "type: integer\n");

    let uid = collection_uid(&r, "Payments API");
    write(&r, LIST, &read(&r, LIST).replace("GET", "HEAD"));
    commit_all(&r, "request");
    push_sends(&r, &[format!("PUT /collections/{uid}")]);

    let staging = environment_uid(&r, "Staging");
    write(
        &r,
        STAGING,
        &read(&r, STAGING).replace("staging.", "stage."),
    );
    commit_all(&r, "environment");
    push_sends(&r, &[format!("PUT /environments/{staging}")]);
    let secret = secret_in_postman(&r, &staging);
    assert_eq!(secret, SAMPLE_SECRET, "a secret git does not hold is kept");
}

#[test]
fn a_new_spec_directory_creates_a_spec_with_its_root_and_a_deleted_file_is_deleted() {
    let r = cloned();
    let text = "openapi: 3.0.3\ninfo:\n  title: Refunds\n  version: '1'\npaths: {}\n";
    write(&r, "postman/specs/Refunds/openapi.yaml", text);
    commit_all(&r, "new spec");
    push_sends(&r, &["POST /specs".to_string()]);
    let refunds = r.spec_id("Refunds");
    r.fake.with_state(|s| {
        let spec = s.spec(&refunds).unwrap();
        assert_eq!(spec.spec_type, "OPENAPI:3.0");
        assert_eq!(spec.root().unwrap().content, text);
    });
    // The new spec is known where the user put it: editing it updates it.
    let edited = text.replace("'1'", "'2'");
    write(&r, "postman/specs/Refunds/openapi.yaml", &edited);
    commit_all(&r, "edit the new spec");
    let root = r
        .fake
        .with_state(|s| s.spec(&refunds).unwrap().root().unwrap().path.clone());
    push_sends(&r, &[format!("PATCH /specs/{refunds}/files/{root}")]);
    assert_eq!(r.count_named("Refunds"), 1);

    let payments = r.spec_id("payments");
    let error = "components/schemas/Error.yaml";
    r.sandbox.git_ok(
        &r.repo,
        ["rm", "-q", &format!("postman/specs/payments/{error}")],
    );
    commit_all(&r, "delete a file");
    push_sends(&r, &[format!("DELETE /specs/{payments}/files/{error}")]);
    let gone = r
        .fake
        .with_state(|s| !s.spec(&payments).unwrap().files.contains_key(error));
    assert!(gone);
}

#[test]
fn broken_yaml_refuses_the_push_by_file_and_line_and_sends_nothing() {
    let r = cloned();
    // A valid edit in the same commit is not sent either.
    write(
        &r,
        "postman/specs/payments/components/schemas/Money.yaml",
        "type: integer\n",
    );
    let broken = "name: Staging\nvalues:\n  - key: url\n    value: a: b\n    enabled: true\n";
    write(&r, STAGING, broken);
    commit_all(&r, "broken");
    let stderr = r.push_refused(&["push"]);
    assert!(
        stderr.contains(&format!(" ! [remote rejected] main -> main ({STAGING}:4: ")),
        "{stderr}"
    );
}

#[test]
fn secrets_reach_git_only_on_opt_in() {
    let r = cloned();
    let all = |dir: &std::path::Path| -> String {
        files_of(dir)
            .iter()
            .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_default())
            .collect()
    };
    assert!(!all(&r.repo).contains(SAMPLE_SECRET));
    let cache = r.repo.join(".git/postman/origin/cache.json");
    assert!(!std::fs::read_to_string(cache)
        .unwrap()
        .contains(SAMPLE_SECRET));

    let url = r.url();
    r.sandbox.git_ok(
        r.sandbox.path(),
        [
            "clone",
            "-q",
            "-c",
            "remote.origin.postmanSecrets=true",
            &url,
            "with",
        ],
    );
    let with = r.sandbox.join("with");
    let env = read_in(&with, STAGING);
    assert!(env.contains(SAMPLE_SECRET));
    // Opted in, a secret git holds is pushed, and the push leaves nothing to fetch.
    std::fs::write(with.join(STAGING), env.replace(SAMPLE_SECRET, "rotated")).unwrap();
    r.sandbox.git_ok(&with, ["commit", "-qam", "rotate"]);
    r.sandbox.git_ok(&with, ["push", "-q"]);
    let staging = environment_uid(&r, "Staging");
    let secret = secret_in_postman(&r, &staging);
    assert_eq!(secret, "rotated");
    r.sandbox.git_ok(&with, ["fetch", "-q"]);
    let (head, fetched) = (
        r.sandbox.rev(&with, "HEAD"),
        r.sandbox.rev(&with, "origin/main"),
    );
    assert_eq!(head, fetched);

    let (_, stderr) = r.sandbox.git_fails(
        r.sandbox.path(),
        [
            "clone",
            "-q",
            "-c",
            "remote.origin.postmanSecrets=maybe",
            &url,
            "bad",
        ],
    );
    assert!(
        stderr.contains("remote.origin.postmanSecrets is \"maybe\"; expected true or false"),
        "{stderr}"
    );
}

fn read_in(dir: &std::path::Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

#[test]
fn an_annotated_tag_tags_each_changed_spec_and_versions_are_git_tags() {
    let r = cloned();
    r.sandbox
        .git_ok(&r.repo, ["tag", "-a", "v1.0.0", "-m", "First"]);
    r.fake.clear_requests();
    r.sandbox
        .git_ok(&r.repo, ["push", "-q", "origin", "v1.0.0"]);
    let tagged: Vec<String> = r
        .writes()
        .into_iter()
        .filter(|w| w.starts_with("POST") && w.ends_with("/version-tags"))
        .collect();
    assert_eq!(tagged.len(), 2, "both specs: {:?}", r.writes());

    // Only the spec that changed gets the next one.
    let text = "openapi: 3.0.0\ninfo: {}\n";
    r.commit_edit(text, false);
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    r.sandbox
        .git_ok(&r.repo, ["tag", "-a", "v1.1.0", "-m", "Second"]);
    r.fake.clear_requests();
    r.sandbox
        .git_ok(&r.repo, ["push", "-q", "origin", "v1.1.0"]);
    let payments = r.spec_id("payments");
    assert_eq!(r.writes(), [format!("POST /specs/{payments}/version-tags")]);

    // Nothing changed since: one clear line.
    r.sandbox
        .git_ok(&r.repo, ["tag", "-a", "v1.2.0", "-m", "Third"]);
    let (_, stderr) = r.sandbox.git_fails(&r.repo, ["push", "origin", "v1.2.0"]);
    let line = stderr
        .lines()
        .find(|l| l.contains("v1.2.0 -> v1.2.0"))
        .unwrap();
    assert!(
        line.contains("no spec changed since its last version tag"),
        "{stderr}"
    );

    // A name Spec Hub already has, even forced: one clear line, nothing sent.
    r.sandbox
        .git_ok(&r.repo, ["tag", "-f", "-a", "v1.0.0", "-m", "Again"]);
    r.fake.clear_requests();
    let (_, stderr) = r
        .sandbox
        .git_fails(&r.repo, ["push", "--force", "origin", "v1.0.0"]);
    let line = stderr.lines().find(|l| l.contains("v1.0.0 -> v1.0.0"));
    assert!(
        line.is_some_and(|l| l.contains("already exists")),
        "{stderr}"
    );
    assert!(r.writes().is_empty(), "{:?}", r.writes());

    // Postman's version tags are git tags whose trees hold the tagged spec files.
    let listed = r.sandbox.git_ok(&r.repo, ["ls-remote", "--tags", "origin"]);
    assert!(listed.contains("refs/tags/v1.0.0"), "{listed}");
    assert!(listed.contains("refs/tags/v1.1.0"), "{listed}");
    r.clone_into("second");
    let second = r.sandbox.join("second");
    let old = r.sandbox.git_ok(
        &second,
        ["show", "v1.0.0:postman/specs/payments/index.yaml"],
    );
    assert_ne!(old, text, "as tagged then");
    let new = r.sandbox.git_ok(
        &second,
        ["show", "v1.1.0:postman/specs/payments/index.yaml"],
    );
    assert_eq!(new, text);
}

/// What the desktop app adds that git-postman does not manage: keys of
/// `.postman/resources.yaml` (a mock's `cloudResources` entry, `localResources`) and files.
const APP_FILES: [(&str, &str); 3] = [
    (".postman/workflows.yaml", "workflows:\n  - name: lint\n"),
    ("postman/mocks/probe-mock/config.yaml", "name: probe\n"),
    ("postman/specs/payments/README.md", "The payments spec.\n"),
];

fn as_the_app_writes(resources: &str) -> String {
    let resources = resources.replace(
        "cloudResources:\n",
        "cloudResources:\n  mocks:\n    ../postman/mocks/probe-mock/config.yaml: a41c8e05-7f23-4b96-8d0e-3c6a9b25f718\n",
    );
    format!("{resources}localResources:\n  mocks:\n    - ../postman/mocks/local.yaml\n")
}

#[test]
fn a_repository_the_desktop_app_wrote_is_kept_byte_for_byte() {
    let r = cloned();
    // The same workspace as the app keeps it, in a repository of its own.
    let app = r.sandbox.join("app");
    std::fs::create_dir_all(&app).unwrap();
    for f in files_of(&r.repo) {
        let to = app.join(&f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(r.repo.join(&f), to).unwrap();
    }
    let resources = as_the_app_writes(&read(&r, ".postman/resources.yaml"));
    std::fs::write(app.join(".postman/resources.yaml"), &resources).unwrap();
    for (path, text) in APP_FILES {
        let to = app.join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, text).unwrap();
    }
    let git = |args: &[&str]| r.sandbox.git_ok(&app, args);
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "written by the app"]);
    git(&["remote", "add", "origin", &r.url()]);
    git(&["fetch", "-q"]);
    let head = r.sandbox.rev(&app, "HEAD");
    assert_eq!(
        r.sandbox.rev(&app, "origin/main"),
        head,
        "recognised as Postman's"
    );

    let kept = |why: &str| {
        assert_eq!(read_in(&app, ".postman/resources.yaml"), resources, "{why}");
        for (path, text) in APP_FILES {
            assert_eq!(read_in(&app, path), text, "{why}: {path}");
        }
    };
    // A change in Postman: one commit, the app's keys and files as they were.
    r.change_in_postman("type: object\n");
    git(&["pull", "-q", "--ff-only", "origin", "main"]);
    assert_eq!(r.sandbox.rev(&app, "HEAD^"), head);
    kept("after a fetch");

    // A push of an edit: one write, then nothing to fetch, still kept.
    let money = "postman/specs/payments/components/schemas/Money.yaml";
    std::fs::write(app.join(money), "type: number\n").unwrap();
    git(&["commit", "-qam", "edit"]);
    r.fake.clear_requests();
    git(&["push", "-q", "origin", "main"]);
    assert_eq!(r.writes().len(), 1, "{:?}", r.writes());
    git(&["fetch", "-q"]);
    assert_eq!(
        r.sandbox.rev(&app, "origin/main"),
        r.sandbox.rev(&app, "HEAD")
    );
    kept("after a push");
}

const GENERATED: &str = "Payments API (generated)";

/// Whether Postman lists collection `uid` as generated from spec `spec` (what its
/// `GET /specs/{id}/generations/collection` serves).
fn linked(r: &Remote, spec: &str, uid: &str) -> bool {
    r.fake.with_state(|s| {
        s.spec(spec)
            .unwrap()
            .generated
            .iter()
            .any(|g| g.collection == uid)
            && s.collection(uid).is_some()
    })
}

/// `git ls-tree -r` of HEAD in the clone and in a fresh clone are the same, but for
/// `except` (a `.postman/resources.yaml` the user left mapping an old path, which the
/// fresh clone maps anew).
fn a_fresh_clone_equals_head(r: &Remote, dir: &str, except: &[&str]) {
    r.clone_into(dir);
    let listing = |repo: &std::path::Path| -> Vec<String> {
        let out = r.sandbox.git_ok(repo, ["ls-tree", "-r", "HEAD"]);
        out.lines()
            .filter(|l| except.iter().all(|e| !l.ends_with(&format!("\t{e}"))))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(listing(&r.sandbox.join(dir)), listing(&r.repo));
}

#[test]
fn a_generated_collection_keeps_its_link_through_pushes_of_either_side() {
    let r = cloned();
    let uid = collection_uid(&r, GENERATED);
    let payments = r.spec_id("payments");
    assert!(linked(&r, &payments, &uid));

    // The collection's side: a request edited, then its directory renamed with git mv.
    let create = format!("postman/collections/{GENERATED}/payments/Create a payment.request.yaml");
    write(
        &r,
        &create,
        &read(&r, &create).replace("method: POST", "method: PUT"),
    );
    commit_all(&r, "a request");
    push_sends(&r, &[format!("PUT /collections/{uid}")]);
    assert!(linked(&r, &payments, &uid), "after a request's edit");

    let renamed = "postman/collections/Payments (generated)";
    r.sandbox.git_ok(
        &r.repo,
        ["mv", &format!("postman/collections/{GENERATED}"), renamed],
    );
    commit_all(&r, "rename the collection");
    push_sends(&r, &[format!("PUT /collections/{uid}")]);
    assert!(linked(&r, &payments, &uid), "after its directory's rename");
    assert_eq!(collection_uid(&r, "Payments (generated)"), uid);
    a_fresh_clone_equals_head(&r, "fresh", &[".postman/resources.yaml"]);
    let fresh = read_in(&r.sandbox.join("fresh"), ".postman/resources.yaml");
    assert!(fresh.contains(&format!("../{renamed}: {uid}\n")), "{fresh}");

    // The spec's side: its ROOT edited.
    let index = "postman/specs/payments/index.yaml";
    write(
        &r,
        index,
        &read(&r, index).replace("api.example.com/v1", "api.example.com/v2"),
    );
    commit_all(&r, "the spec");
    push_sends(&r, &[format!("PATCH /specs/{payments}/files/index.yaml")]);
    assert!(linked(&r, &payments, &uid), "after the spec's edit");

    // So `git postman sync` syncs that collection rather than generating another.
    let out = r.sandbox.git_ok(&r.repo, ["postman", "sync", "payments"]);
    assert!(
        out.starts_with(&format!(
            "Synced collection \"Payments (generated)\" ({uid}) with spec \"payments\".\n"
        )),
        "{out}"
    );
    let count = r.fake.with_state(|s| s.workspace_collections(&r.id).len());
    assert_eq!(count, 2, "no second generated collection");
}

/// `git pull` after a push: nothing to take.
fn pull_is_up_to_date(r: &Remote) {
    let out = r.sandbox.git_ok(&r.repo, ["pull", "--ff-only"]);
    assert_eq!(out, "Already up to date.\n");
}

/// The files of spec `id` in Postman: path -> whether it is the ROOT.
fn spec_files(r: &Remote, id: &str) -> Vec<(String, bool)> {
    r.fake.with_state(|s| {
        let spec = s.spec(id).unwrap();
        spec.files
            .values()
            .map(|f| (f.path.clone(), f.root))
            .collect()
    })
}

#[test]
fn spec_files_git_moved_and_a_new_root_are_one_property_patches() {
    let r = cloned();
    let payments = r.spec_id("payments");
    let dir = "postman/specs/payments";
    let money_id = r.fake.with_state(|s| {
        s.spec(&payments).unwrap().files["components/schemas/Money.yaml"]
            .id
            .clone()
    });

    // A file renamed in its folder: one PATCH {name}, the same file in Spec Hub.
    r.sandbox.git_ok(
        &r.repo,
        [
            "mv",
            &format!("{dir}/components/schemas/Money.yaml"),
            &format!("{dir}/components/schemas/Amount.yaml"),
        ],
    );
    commit_all(&r, "rename a file");
    push_sends(
        &r,
        &[format!(
            "PATCH /specs/{payments}/files/components/schemas/Money.yaml"
        )],
    );
    let amount = r.fake.with_state(|s| {
        let files = &s.spec(&payments).unwrap().files;
        assert!(!files.contains_key("components/schemas/Money.yaml"));
        files["components/schemas/Amount.yaml"].id.clone()
    });
    assert_eq!(amount, money_id);
    pull_is_up_to_date(&r);
    a_fresh_clone_equals_head(&r, "after-rename", &[]);

    // The ROOT renamed with git mv alone: still the ROOT, one PATCH {name}.
    r.sandbox.git_ok(
        &r.repo,
        [
            "mv",
            &format!("{dir}/index.yaml"),
            &format!("{dir}/openapi.yaml"),
        ],
    );
    commit_all(&r, "rename the root");
    push_sends(&r, &[format!("PATCH /specs/{payments}/files/index.yaml")]);
    assert!(spec_files(&r, &payments).contains(&("openapi.yaml".into(), true)));
    pull_is_up_to_date(&r);
    // The pushed .postman/resources.yaml still maps index.yaml; a clone maps the ROOT.
    a_fresh_clone_equals_head(&r, "after-root-rename", &[".postman/resources.yaml"]);
    let fresh = read_in(
        &r.sandbox.join("after-root-rename"),
        ".postman/resources.yaml",
    );
    assert!(
        fresh.contains(&format!("../{dir}/openapi.yaml: {payments}\n")),
        "{fresh}"
    );

    // Another file made the ROOT where Native Git records it: created, then one
    // PATCH {type: ROOT}; Postman makes the old ROOT DEFAULT.
    let v2 = read(&r, &format!("{dir}/openapi.yaml")).replace("version: 1.0.0", "version: 2.0.0");
    write(&r, &format!("{dir}/v2.yaml"), &v2);
    std::fs::write(
        r.repo.join(".postman/resources.yaml"),
        fresh.replace("/openapi.yaml:", "/v2.yaml:"),
    )
    .unwrap();
    commit_all(&r, "a new root");
    push_sends(
        &r,
        &[
            format!("POST /specs/{payments}/files"),
            format!("PATCH /specs/{payments}/files/v2.yaml"),
        ],
    );
    let files = spec_files(&r, &payments);
    assert!(files.contains(&("v2.yaml".into(), true)), "{files:?}");
    assert!(files.contains(&("openapi.yaml".into(), false)), "{files:?}");
    pull_is_up_to_date(&r);
    a_fresh_clone_equals_head(&r, "after-new-root", &[]);

    // Two ROOTs, or none: refused before anything is sent, naming the spec.
    let resources = read(&r, ".postman/resources.yaml");
    let two = resources.replace(
        &format!("../{dir}/v2.yaml: {payments}\n"),
        &format!("../{dir}/v2.yaml: {payments}\n    ../{dir}/openapi.yaml: {payments}\n"),
    );
    assert_ne!(two, resources);
    std::fs::write(r.repo.join(".postman/resources.yaml"), two).unwrap();
    commit_all(&r, "two roots");
    let stderr = r.push_refused(&["push"]);
    assert!(
        stderr.contains(&format!(
            "maps more than one file of the spec {dir} (one ROOT per spec)"
        )),
        "{stderr}"
    );
    r.sandbox
        .git_ok(&r.repo, ["reset", "-q", "--hard", "HEAD^"]);
    r.sandbox.git_ok(
        &r.repo,
        [
            "rm",
            "-q",
            &format!("{dir}/v2.yaml"),
            &format!("{dir}/openapi.yaml"),
        ],
    );
    commit_all(&r, "no root");
    let stderr = r.push_refused(&["push"]);
    assert!(stderr.contains(&format!("({dir}: no ROOT: ")), "{stderr}");
}

/// Renaming a one-file spec's file renames the spec (`PATCH /specs/{id} {name}`): the
/// layout names the file after the spec, and a new spec would lose the spec's version
/// tags and the link of the collections generated from it.
#[test]
fn a_one_file_spec_git_moved_is_renamed_keeping_its_version_tags() {
    let r = cloned();
    let events = r.spec_id("events");
    r.fake
        .with_state(|s| s.create_version_tag(&events, "v1").unwrap());
    r.sandbox.git_ok(
        &r.repo,
        [
            "mv",
            "postman/specs/events.json",
            "postman/specs/payment-events.json",
        ],
    );
    commit_all(&r, "rename the spec");
    push_sends(&r, &[format!("PATCH /specs/{events}")]);
    r.fake.with_state(|s| {
        let spec = s.spec(&events).unwrap();
        assert_eq!(spec.name, "payment-events");
        assert_eq!(spec.tags.len(), 1, "its version tag kept");
    });
    assert_eq!(r.fake.with_state(|s| s.ws.specs.len()), 2);
    pull_is_up_to_date(&r);
    a_fresh_clone_equals_head(&r, "fresh", &[".postman/resources.yaml"]);
    let fresh = read_in(&r.sandbox.join("fresh"), ".postman/resources.yaml");
    assert!(
        fresh.contains(&format!("../postman/specs/payment-events.json: {events}\n")),
        "{fresh}"
    );
}

/// Spec Hub's API sets a spec's type only when it creates the spec
/// (`PATCH /specs/{id}` takes only a name), so a ROOT edited to another version is
/// refused in one line naming the file, and nothing is sent.
#[test]
fn a_spec_type_change_is_refused_naming_the_file_and_why() {
    let r = cloned();
    let index = "postman/specs/payments/index.yaml";
    write(
        &r,
        index,
        &read(&r, index).replace("openapi: 3.0.3", "openapi: 3.1.0"),
    );
    commit_all(&r, "OpenAPI 3.1");
    let stderr = r.push_refused(&["push"]);
    let line = stderr.lines().find(|l| l.contains("[remote rejected]"));
    assert!(
        line.is_some_and(|l| l.contains(&format!(
            "({index}: makes spec \"payments\" OPENAPI:3.1, but Spec Hub has it as OPENAPI:3.0 and its API cannot change a spec's type"
        ))),
        "{stderr}"
    );
}

/// Spec Hub gives a version tag no date; its commit is dated by the tagged files' latest
/// `updatedAt`, which every clone reads the same, so every clone has the same ids.
#[test]
fn a_version_tag_is_dated_by_its_files_and_the_same_on_every_clone() {
    let r = cloned();
    let payments = r.spec_id("payments");
    r.change_in_postman("type: integer\n");
    let tagged_at = r.fake.with_state(|s| {
        s.create_version_tag(&payments, "v1").unwrap();
        let spec = s.spec(&payments).unwrap();
        spec.files
            .values()
            .map(|f| f.updated_at.clone())
            .max()
            .unwrap()
    });
    // Postman changes after the tag: the tag's date stays the files' as tagged.
    r.change_in_postman("type: number\n");
    r.clone_into("one");
    r.clone_into("two");
    let date = |dir: &str| {
        let repo = r.sandbox.join(dir);
        let date = r.sandbox.git_ok(&repo, ["log", "-1", "--format=%cI", "v1"]);
        (date, r.sandbox.rev(&repo, "v1^{}"))
    };
    let (one, two) = (date("one"), date("two"));
    assert_eq!(one, two);
    assert_eq!(
        one.0.trim_end(),
        format!("{}Z", tagged_at.trim_end_matches(".000Z"))
    );
}

/// An environment file git moved is the same environment (its `name:` says so): updated,
/// never deleted and created again, which would lose the secret values git does not hold.
#[test]
fn an_environment_file_git_moved_stays_the_same_environment_with_its_secrets() {
    let r = cloned();
    let staging = environment_uid(&r, "Staging");
    let moved = "postman/environments/Stage.environment.yaml";
    r.sandbox.git_ok(&r.repo, ["mv", STAGING, moved]);
    commit_all(&r, "rename the environment's file");
    push_sends(&r, &[]);
    assert_eq!(secret_in_postman(&r, &staging), SAMPLE_SECRET);
    assert_eq!(r.fake.with_state(|s| s.ws.environments.len()), 1);

    // Postman's next change to it lands in the file where the user put it (and the
    // commit maps it there: the pushed .postman/resources.yaml still named the old file).
    r.fake.with_state(|s| {
        let mut values = s.environment(&staging).unwrap().values.clone();
        values[0]["value"] = "https://stage.example.com".into();
        s.update_environment(&staging, None, Some(values))
    });
    let before = r.rev("HEAD");
    r.sandbox.git_ok(&r.repo, ["pull", "-q", "--ff-only"]);
    let diff = r
        .sandbox
        .git_ok(&r.repo, ["diff", "--name-only", &before, "HEAD"]);
    assert_eq!(diff, format!(".postman/resources.yaml\n{moved}\n"));
    let resources = read(&r, ".postman/resources.yaml");
    assert!(
        resources.contains(&format!("../{moved}: {staging}\n")),
        "{resources}"
    );
}
