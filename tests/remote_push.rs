//! Push with the real git against the fake Postman API: each change kind, git's own
//! rejection lines, validation before any write, dry-run, versions from tags.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use git_postman::layout::v3;
use serde_json::Value;
use support::backend::writes;
use support::fake_postman::{FakePostman, Fault, RecordedRequest};
use support::format::Format;
use support::git::{postman_url, Sandbox};

struct Setup {
    fake: FakePostman,
    api: String,
    sandbox: Sandbox,
    repo: PathBuf,
    format: Format,
}

for_both_formats!(
    a_schema_edit_reaches_postman_and_the_next_fetch_creates_nothing,
    a_collection_edit_keeps_item_ids_and_round_trips,
    an_invalid_collection_is_refused_by_name_and_nothing_is_written,
    a_copied_collection_file_is_refused,
    pushing_one_file_of_a_thousand_reads_only_what_detects_a_change,
    every_shared_collection_survives_edit_push_and_clone_byte_for_byte,
    after_deleting_a_schema_file_the_next_push_goes_through,
    after_adding_a_schema_file_the_next_push_goes_through,
    after_creating_a_collection_the_next_push_updates_it,
    after_creating_a_collection_moving_it_is_one_update,
    after_creating_a_collection_deleting_it_is_one_deletion,
    after_deleting_a_collection_the_next_push_goes_through,
    after_several_additions_and_deletions_the_next_push_goes_through,
);

/// A fake with the sample API and a clone of it, its collections in `format`.
fn cloned(format: Format) -> Setup {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    clone(&sandbox, format, &postman_url(&fake, &api), "clone");
    let repo = sandbox.join("clone");
    fake.clear_requests();
    Setup {
        fake,
        api,
        sandbox,
        repo,
        format,
    }
}

fn clone(sandbox: &Sandbox, format: Format, url: &str, dir: &str) {
    let [c, setting] = format.clone_options();
    sandbox.git_ok(sandbox.path(), ["clone", "-q", c, setting, url, dir]);
}

/// The requests from the first write on (what a push costs after its checks).
fn after_the_first_write(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .skip_while(|r| r.method == "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Runs a push that git must refuse with exit code 1, asserts nothing was written to
/// Postman, and returns git's stderr.
fn push_refused(s: &Setup, args: &[&str]) -> String {
    s.fake.clear_requests();
    let (code, stderr) = s.sandbox.git_fails(&s.repo, args);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        writes(&s.fake.requests()).is_empty(),
        "a refused push wrote: {stderr}"
    );
    stderr
}

/// Replaces the schema's root file and commits it, amending the last commit (a
/// rewritten history) or as a new commit.
fn commit_index(s: &Setup, text: &str, amend: bool) {
    std::fs::write(s.repo.join("postman/schemas/index.yaml"), text).unwrap();
    s.sandbox.git_ok(&s.repo, ["add", "-A"]);
    let mut args = vec!["commit", "-q", "-m", "edit index.yaml"];
    if amend {
        args.push("--amend");
    }
    s.sandbox.git_ok(&s.repo, args);
}

fn commit_all(sandbox: &Sandbox, repo: &Path, message: &str) {
    sandbox.git_ok(repo, ["add", "-A"]);
    sandbox.git_ok(repo, ["commit", "-qm", message]);
}

/// The UID of the collection named `name`, in Postman.
fn uid_of(s: &Setup, name: &str) -> String {
    s.fake.with_state(|st| {
        let api = st.api(&s.api).unwrap();
        let named = |u: &&String| st.collection(u).unwrap().name() == name;
        api.collections.iter().find(named).unwrap().clone()
    })
}

/// Every item id of a collection, depth first.
fn item_ids(items: &Value, out: &mut Vec<String>) {
    for item in items.as_array().into_iter().flatten() {
        out.extend(item["id"].as_str().map(str::to_string));
        item_ids(&item["item"], out);
    }
}

fn a_schema_edit_reaches_postman_and_the_next_fetch_creates_nothing(format: Format) {
    let s = cloned(format);
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap() + "# edited in git\n";
    std::fs::write(&index, &text).unwrap();
    commit_all(&s.sandbox, &s.repo, "edit index");
    let out = s.sandbox.git(&s.repo, ["push"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        writes(&s.fake.requests()),
        [format!(
            "PUT /apis/{}/schemas/{}/files/index.yaml",
            s.api,
            schema_id(&s)
        )]
    );
    assert_eq!(index_in_postman(&s), text);
    let pushed = s.sandbox.rev(&s.repo, "HEAD");
    s.sandbox.git_ok(&s.repo, ["fetch"]);
    assert_eq!(s.sandbox.rev(&s.repo, "origin/main"), pushed);
}

fn schema_id(s: &Setup) -> String {
    s.fake
        .with_state(|st| st.api(&s.api).unwrap().schema.as_ref().unwrap().id.clone())
}

fn a_collection_edit_keeps_item_ids_and_round_trips(format: Format) {
    let s = cloned(format);
    let file = s.repo.join(format.collection_path("Payments API"));
    let uid = uid_of(&s, "Payments API");
    let before = s
        .fake
        .with_state(|st| st.collection(&uid).unwrap().body.clone());
    assert!(format.rename_first_request(&file, "Renamed in git"));
    commit_all(&s.sandbox, &s.repo, "rename a request");
    s.sandbox.git_ok(&s.repo, ["push"]);
    assert_eq!(
        after_the_first_write(&s.fake.requests()),
        [format!("PUT /collections/{uid}")],
        "the file carries every id, so the push knows what Postman stores: no read-back"
    );
    let stored = s
        .fake
        .with_state(|st| st.collection(&uid).unwrap().body.clone());
    let renamed = stored.to_string();
    assert!(renamed.contains("\"Renamed in git\""), "{renamed}");
    // Every item id the collection had is still there, in order.
    let (mut stored_ids, mut file_ids) = (Vec::new(), Vec::new());
    item_ids(&stored["item"], &mut stored_ids);
    item_ids(&before["item"], &mut file_ids);
    assert!(!file_ids.is_empty());
    assert_eq!(stored_ids, file_ids);
    let pushed = s.sandbox.rev(&s.repo, "HEAD");
    s.sandbox.git_ok(&s.repo, ["fetch"]);
    assert_eq!(
        s.sandbox.rev(&s.repo, "origin/main"),
        pushed,
        "Postman kept item ids, so the fetch finds exactly the pushed state"
    );
}

/// Removes `paths/refunds.yaml` and the two lines of `index.yaml` that reach it; returns
/// the new `index.yaml`.
fn drop_refunds(s: &Setup) -> String {
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap();
    let without: String = text
        .lines()
        .filter(|l| {
            !l.contains("/payments/{paymentId}/refunds") && !l.contains("paths/refunds.yaml")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text, without);
    std::fs::write(&index, &without).unwrap();
    s.sandbox
        .git_ok(&s.repo, ["rm", "-q", "postman/schemas/paths/refunds.yaml"]);
    without
}

#[test]
fn removing_a_schema_file_and_its_ref_deletes_it() {
    let s = cloned(Format::V2);
    drop_refunds(&s);
    commit_all(&s.sandbox, &s.repo, "drop refunds");
    s.sandbox.git_ok(&s.repo, ["push"]);
    let sid = schema_id(&s);
    assert_eq!(
        writes(&s.fake.requests()),
        [
            format!("PUT /apis/{}/schemas/{sid}/files/index.yaml", s.api),
            format!(
                "DELETE /apis/{}/schemas/{sid}/files/paths/refunds.yaml",
                s.api
            ),
        ]
    );
    assert!(s
        .fake
        .with_state(|st| st.schema_file(&s.api, "paths/refunds.yaml").is_none()));
}

fn index_in_postman(s: &Setup) -> String {
    s.fake.schema_content(&s.api, "index.yaml")
}

fn an_invalid_collection_is_refused_by_name_and_nothing_is_written(format: Format) {
    let s = cloned(format);
    let reason = format.break_a_collection(&s.repo);
    // The valid schema edit in the same push is not sent either.
    commit_index(&s, "openapi: 3.0.0\n", false);
    let stderr = push_refused(&s, &["push"]);
    assert!(
        stderr.contains(&format!(" ! [remote rejected] main -> main ({reason}")),
        "{stderr}"
    );
}

#[test]
fn an_annotated_tag_publishes_a_version() {
    let s = cloned(Format::V2);
    s.sandbox
        .git_ok(&s.repo, ["tag", "-a", "v1.2.0", "-m", "Refunds"]);
    let out = s.sandbox.git(&s.repo, ["push", "origin", "v1.2.0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notes = s.fake.with_state(|st| {
        st.api(&s.api)
            .unwrap()
            .versions
            .iter()
            .find(|v| v.name == "v1.2.0")
            .map(|v| v.release_notes.clone())
    });
    assert_eq!(notes.as_deref(), Some("Refunds"));
    let listed = s
        .sandbox
        .git_ok(&s.repo, ["ls-remote", "origin", "refs/tags/v1.2.0"]);
    assert_eq!(
        listed,
        format!("{}\trefs/tags/v1.2.0\n", s.sandbox.rev(&s.repo, "v1.2.0"))
    );

    // A version name Postman has already: git itself refuses it.
    let stderr = push_refused(&s, &["push", "origin", "v1.2.0:refs/tags/v1.0.0"]);
    assert!(stderr.contains("(already exists)"), "{stderr}");

    // A tag on a commit Postman does not have.
    commit_index(&s, "openapi: 3.0.0\n", false);
    s.sandbox.git_ok(&s.repo, ["tag", "v2"]);
    let stderr = push_refused(&s, &["push", "origin", "v2"]);
    assert!(stderr.contains("push refs/heads/main first"), "{stderr}");
}

#[test]
fn deleting_main_or_pushing_another_branch_is_refused() {
    let s = cloned(Format::V2);
    let stderr = push_refused(&s, &["push", "origin", ":main"]);
    assert!(
        stderr.contains("refusing to delete refs/heads/main"),
        "{stderr}"
    );
    let stderr = push_refused(&s, &["push", "origin", "main:feature"]);
    assert!(
        stderr.contains("Postman has only refs/heads/main and tags"),
        "{stderr}"
    );
}

fn pushing_one_file_of_a_thousand_reads_only_what_detects_a_change(format: Format) {
    let fake = FakePostman::start();
    let api = fake.with_state(|st| {
        st.set_page_size(100);
        let api = st.create_api(None, "Big");
        st.create_schema(&api, None, "openapi:3");
        let mut index = String::from("openapi: 3.0.0\ninfo: {title: Big, version: '1'}\npaths:\n");
        for i in 0..999 {
            index.push_str(&format!("  /p{i}:\n    $ref: paths/p{i:04}.yaml\n"));
            st.put_schema_file(&api, &format!("paths/p{i:04}.yaml"), &format!("get: {{summary: p{i}}}\n"));
        }
        st.put_schema_file(&api, "index.yaml", &index);
        st.create_collection(&api, 1, None, serde_json::json!({"info": {"name": "C", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}));
        api
    });
    let sandbox = Sandbox::new();
    clone(&sandbox, format, &postman_url(&fake, &api), "clone");
    let repo = sandbox.join("clone");
    std::fs::write(
        repo.join("postman/schemas/paths/p0500.yaml"),
        "get: {summary: changed}\n",
    )
    .unwrap();
    commit_all(&sandbox, &repo, "one file");
    fake.clear_requests();
    sandbox.git_ok(&repo, ["push", "-q"]);
    let requests: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let sid = fake.with_state(|st| st.api(&api).unwrap().schema.as_ref().unwrap().id.clone());
    // The API, the schema (first listing page), the other 9 pages, one look at the
    // collection, one write.
    assert_eq!(requests.len(), 1 + 1 + 9 + 1 + 1, "{requests:#?}");
    assert_eq!(
        requests.last().unwrap(),
        &format!("PUT /apis/{api}/schemas/{sid}/files/paths/p0500.yaml")
    );
    assert!(!requests
        .iter()
        .any(|r| r.starts_with("GET") && r.contains("/files/")));
}

fn every_shared_collection_survives_edit_push_and_clone_byte_for_byte(format: Format) {
    let Some(dir) = support::shared::path("postman/collections") else {
        return;
    };
    let fake = FakePostman::start();
    let api = fake.with_state(|st| st.create_api(None, "Collections"));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        fake.with_state(|st| st.create_collection(&api, 1, None, value));
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    let sandbox = Sandbox::new();
    let url = postman_url(&fake, &api);
    clone(&sandbox, format, &url, "first");
    let first = sandbox.join("first");
    let collections = format.collections(&first);
    assert_eq!(collections.len(), names.len());
    let mut edited = 0;
    for collection in &collections {
        if format.rename_first_request(collection, "Edited by git-postman") {
            edited += 1;
        }
    }
    assert!(edited > 0);
    commit_all(&sandbox, &first, "rename one request per collection");
    sandbox.git_ok(&first, ["push", "-q"]);
    clone(&sandbox, format, &url, "second");
    let second = sandbox.join("second");
    for file in support::format::walk(&first.join(support::format::COLLECTIONS)) {
        let rel = file.strip_prefix(&first).unwrap();
        let what = format!("{} changed on its way through Postman", rel.display());
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (pushed, fetched) = (read(&file), read(&second.join(rel)));
        if file.ends_with(v3::extras::FILE) {
            // v3's kept data: a patch whose field the edit changed lapses (the edit wins)
            // and the fetch leaves it out; the others come back, in the same order.
            let mut rest = patches(&pushed).into_iter();
            assert!(
                patches(&fetched).iter().all(|p| rest.any(|q| &q == p)),
                "{what}:\n{pushed}\n{fetched}"
            );
        } else {
            assert_eq!(pushed, fetched, "{what}");
        }
    }
    match format {
        Format::V2 => assert_eq!(
            sandbox.rev(&first, "HEAD^{tree}"),
            sandbox.rev(&second, "HEAD^{tree}")
        ),
        // What the fetch wrote is the pushed tree to v2.1 and back, byte for byte: what
        // Postman stored and how it ordered it changes nothing.
        Format::V3 => {
            for collection in format.collections(&first) {
                let dir = collection.file_name().unwrap().to_string_lossy();
                let v2 = v3::to_v2(&dir, &support::format::v3_files(&collection)).unwrap();
                let mut again = v3::to_tree(serde_json::from_str(&v2).unwrap()).unwrap();
                again.files.sort_by(|a, b| a.path.cmp(&b.path));
                let fetched = second.join(support::format::COLLECTIONS).join(&again.dir);
                assert_eq!(again.files, support::format::v3_files(&fetched), "{dir}");
            }
        }
    }
}

/// The patches of a v3 kept-data file in their order, each with the item it belongs to.
fn patches(text: &str) -> Vec<(String, String)> {
    let kept: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
    kept.iter()
        .flat_map(|(key, patches)| match patches.as_array() {
            Some(patches) => patches
                .iter()
                .map(|p| (key.clone(), p.to_string()))
                .collect::<Vec<_>>(),
            // A marker for the whole file (`"$urls": "string"`), not an item's patches.
            None => vec![(key.clone(), patches.to_string())],
        })
        .collect()
}

#[test]
fn a_failed_version_task_is_reported_with_postmans_message() {
    let s = cloned(Format::V2);
    s.fake
        .with_state(|st| st.fail_next_publish("The API contains invalid schema"));
    s.sandbox.git_ok(&s.repo, ["tag", "v9"]);
    let (code, stderr) = s.sandbox.git_fails(&s.repo, ["push", "origin", "v9"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(" ! [remote rejected] v9 -> v9 (")
            && stderr.contains("The API contains invalid schema"),
        "{stderr}"
    );
}

#[test]
fn a_collection_update_in_progress_is_waited_out() {
    let s = cloned(Format::V2);
    let file = s.format.collections(&s.repo)[0].clone();
    s.format.rename_first_request(&file, "Renamed while busy");
    commit_all(&s.sandbox, &s.repo, "rename");
    s.fake.inject(Fault::DeepUpdateInProgress { times: 1 });
    s.sandbox.git_ok(&s.repo, ["push", "-q"]);
    let statuses: Vec<(String, u16)> = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    assert_eq!((statuses[0].1, statuses[1].1), (409, 200));
}

#[test]
fn an_inconsistent_postman_file_is_refused() {
    let s = cloned(Format::V2);
    let entity = s.repo.join(format!(".postman/api_{}", s.api));
    let text = std::fs::read_to_string(&entity).unwrap();
    std::fs::write(
        &entity,
        text.replace(&format!("id = {}", s.api), "id = some-other-api"),
    )
    .unwrap();
    commit_all(&s.sandbox, &s.repo, "wrong id");
    let stderr = push_refused(&s, &["push"]);
    assert!(
        stderr.contains(&format!(
            "(.postman/api_{}: `[config] id` is some-other-api, not this API",
            s.api
        )),
        "{stderr}"
    );
}

fn a_copied_collection_file_is_refused(format: Format) {
    let s = cloned(format);
    let original = s.format.collections(&s.repo)[0].clone();
    let copy = s.repo.join(format.collection_path("Copy"));
    match format {
        Format::V2 => drop(std::fs::copy(&original, &copy).unwrap()),
        Format::V3 => {
            for file in support::format::walk(&original) {
                let to = copy.join(file.strip_prefix(&original).unwrap());
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(&file, to).unwrap();
            }
        }
    }
    commit_all(&s.sandbox, &s.repo, "copy");
    let stderr = push_refused(&s, &["push"]);
    assert!(stderr.contains("is the same collection ("), "{stderr}");
}

#[test]
fn after_an_interrupted_push_a_concurrent_change_is_still_fetch_first() {
    let s = cloned(Format::V2);
    commit_index(&s, "openapi: 3.0.0\n", false);
    std::fs::write(
        s.repo.join("postman/schemas/paths/refunds.yaml"),
        "post: {}\n",
    )
    .unwrap();
    commit_all(&s.sandbox, &s.repo, "second file");
    s.fake.inject(Fault::ServerError {
        method: "PUT",
        path_contains: "refunds.yaml".into(),
        times: 5,
    });
    s.sandbox.git_fails(&s.repo, ["push"]);
    // Someone else changes a file this push does not touch.
    s.fake.with_state(|st| {
        st.put_schema_file(&s.api, "components/schemas/Money.yaml", "type: number\n")
    });
    let stderr = push_refused(&s, &["push"]);
    assert!(stderr.contains("(fetch first)"), "{stderr}");
}

#[test]
fn ref_text_inside_a_description_is_not_a_reference() {
    let s = cloned(Format::V2);
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap().replacen(
        "info:\n",
        "info:\n  x-note: 'write $ref: other.yaml to split files'\n",
        1,
    );
    commit_index(&s, &text, false);
    s.sandbox.git_ok(&s.repo, ["push", "-q"]);
    assert_eq!(index_in_postman(&s), text);
}

#[test]
fn a_ref_to_a_missing_file_is_refused() {
    let s = cloned(Format::V2);
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap()
        + "x-gone:\n  $ref: components/schemas/Gone.yaml\n";
    commit_index(&s, &text, false);
    let stderr = push_refused(&s, &["push"]);
    assert!(
        stderr.contains("(postman/schemas/index.yaml: $ref \"components/schemas/Gone.yaml\" names postman/schemas/components/schemas/Gone.yaml, which does not exist)"),
        "{stderr}"
    );
}

#[test]
fn a_broken_postman_file_is_refused_by_file_and_line() {
    let s = cloned(Format::V2);
    let entity = s.repo.join(format!(".postman/api_{}", s.api));
    let text =
        std::fs::read_to_string(&entity)
            .unwrap()
            .replacen("[config]\n", "[config]\ngarbage\n", 1);
    std::fs::write(&entity, text).unwrap();
    commit_all(&s.sandbox, &s.repo, "broken .postman");
    let stderr = push_refused(&s, &["push"]);
    assert!(
        stderr.contains(&format!(
            "(.postman/api_{}:6: `garbage` is neither a section, a `key = value` line nor a comment)",
            s.api
        )),
        "{stderr}"
    );
}

/// A new collection, as a user writes it: no ids, no `_uid`.
fn add_refunds_collection(s: &Setup) {
    let url = "https://api.example.com/refunds";
    s.format.add_collection(&s.repo, "Refunds", "Refund", url);
}

/// A new schema file, reached by a `$ref` from the root.
fn add_refund_schema(s: &Setup) {
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap()
        + "x-refund:\n  $ref: components/schemas/Refund.yaml\n";
    std::fs::write(&index, text).unwrap();
    std::fs::write(
        s.repo
            .join("postman/schemas/components/schemas/Refund.yaml"),
        "type: object\n",
    )
    .unwrap();
}

fn drop_smoke_collection(s: &Setup) {
    let path = s.format.collection_path("QA/Smoke tests");
    s.sandbox.git_ok(&s.repo, ["rm", "-rq", &path]);
}

fn several_changes(s: &Setup) {
    drop_refunds(s);
    add_refund_schema(s);
    add_refunds_collection(s);
    drop_smoke_collection(s);
}

/// The UIDs of the API's collections whose name starts with `Refunds`, in Postman.
fn refunds_collections(s: &Setup) -> Vec<String> {
    s.fake.with_state(|st| {
        let api = st.api(&s.api).unwrap();
        api.collections
            .iter()
            .filter(|u| st.collection(u).unwrap().name().starts_with("Refunds"))
            .cloned()
            .collect()
    })
}

fn push_ok(s: &Setup, args: &[&str]) {
    s.fake.clear_requests();
    let out = s.sandbox.git(&s.repo, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `git pull` changes nothing: no merge, no new commit, HEAD stays.
fn pull_is_up_to_date(s: &Setup, when: &str) {
    let head = s.sandbox.rev(&s.repo, "HEAD");
    let out = s.sandbox.git_ok(&s.repo, ["pull"]);
    assert!(out.contains("Already up to date"), "{when}: {out}");
    assert_eq!(s.sandbox.rev(&s.repo, "HEAD"), head, "{when}");
    assert_eq!(s.sandbox.rev(&s.repo, "origin/main"), head, "{when}");
}

/// The next local commit after a push, and the one write it must cost.
#[derive(Clone, Copy)]
enum Next {
    /// Appends a line to `index.yaml`.
    EditIndex,
    /// Renames the request in the collection the push created: one PUT, same UID.
    EditCreatedCollection,
    /// Renames that collection itself (Postman then files it under its new name).
    RenameCreatedCollection,
    /// Moves that collection's file (v3: renames its directory) before any pull gave it
    /// an id: still that collection, not a new one.
    MoveCreatedCollection,
    /// Deletes that collection's file (v3: directory) before any pull.
    DeleteCreatedCollection,
}

impl Next {
    fn commit(self, s: &Setup) -> String {
        if let Next::EditIndex = self {
            let index = s.repo.join("postman/schemas/index.yaml");
            let text = std::fs::read_to_string(&index).unwrap() + "# note\n";
            std::fs::write(&index, text).unwrap();
            commit_all(&s.sandbox, &s.repo, "note");
            return format!(
                "PUT /apis/{}/schemas/{}/files/index.yaml",
                s.api,
                schema_id(s)
            );
        }
        let [uid] = refunds_collections(s).try_into().unwrap();
        let file = s.repo.join(s.format.collection_path("Refunds"));
        match self {
            Next::RenameCreatedCollection => s.format.rename_collection(&file, "Refunds v2"),
            Next::MoveCreatedCollection => {
                s.format
                    .move_collection(&s.repo, "Refunds", "Refunds moved")
            }
            Next::DeleteCreatedCollection => {
                let path = s.format.collection_path("Refunds");
                s.sandbox.git_ok(&s.repo, ["rm", "-rq", &path]);
            }
            _ => {
                let new_name = format!("Refund, {}", s.sandbox.rev(&s.repo, "HEAD"));
                assert!(s.format.rename_first_request(&file, &new_name));
            }
        }
        commit_all(&s.sandbox, &s.repo, "change the created collection");
        match self {
            Next::DeleteCreatedCollection => format!("DELETE /collections/{uid}"),
            _ => format!("PUT /collections/{uid}"),
        }
    }

    /// The reads a push makes after its write, to know what Postman stored.
    fn read_back(self, write: &str) -> Vec<String> {
        match self {
            Next::EditIndex | Next::DeleteCreatedCollection => Vec::new(),
            // The file, as the user wrote it, has no ids: Postman gives them, so the
            // push reads the collection back once (one look, as a fetch takes).
            _ => vec![write.replacen("PUT", "GET", 1)],
        }
    }
}

/// What must hold after any successful push, with no change in Postman meanwhile.
fn after_a_push(s: &Setup, when: &str, next: &[Next]) {
    pull_is_up_to_date(s, when);

    // Each next push of a new local commit goes through, writing only its change.
    let mut uids_before = refunds_collections(s);
    for step in next {
        if let Next::DeleteCreatedCollection = step {
            uids_before.clear();
        }
        let expected = step.commit(s);
        push_ok(s, &["push"]);
        let requests = s.fake.requests();
        assert_eq!(writes(&requests), std::slice::from_ref(&expected), "{when}");
        let mut cost = vec![expected.clone()];
        cost.extend(step.read_back(&expected));
        assert_eq!(after_the_first_write(&requests), cost, "{when}");
        assert_eq!(refunds_collections(s), uids_before, "{when}");
        pull_is_up_to_date(s, &format!("{when}, after the next push"));
    }

    // A change made in Postman is still detected.
    let pushed = s.sandbox.rev(&s.repo, "HEAD");
    s.fake.with_state(|st| {
        st.put_schema_file(&s.api, "components/schemas/Money.yaml", "type: number\n")
    });
    commit_index(s, "openapi: 3.0.0\n", false);
    let stderr = push_refused(s, &["push"]);
    assert!(stderr.contains("(fetch first)"), "{when}: {stderr}");

    // It arrives as one commit on the pushed one, whose files (`.postman` included) are
    // exactly what a clone of Postman's state has.
    s.sandbox.git_ok(&s.repo, ["fetch", "-q"]);
    assert_eq!(s.sandbox.rev(&s.repo, "origin/main^"), pushed, "{when}");
    clone(&s.sandbox, s.format, &postman_url(&s.fake, &s.api), "fresh");
    let files = |repo: &Path, rev: &str| s.sandbox.git_ok(repo, ["ls-tree", "-r", rev]);
    assert_eq!(
        files(&s.repo, "origin/main"),
        files(&s.sandbox.join("fresh"), "HEAD"),
        "{when}"
    );
}

/// Each change that adds or removes a file, pushed as a new commit, then (`rewrite`)
/// undone by a `--force-with-lease` push of a history that lacks it.
fn push_then_push_again(format: Format, change: fn(&Setup), next: &[Next]) {
    for rewrite in [false, true] {
        let s = cloned(format);
        change(&s);
        commit_all(&s.sandbox, &s.repo, "the change");
        push_ok(&s, &["push"]);
        let (when, next) = if rewrite {
            s.sandbox
                .git_ok(&s.repo, ["reset", "-q", "--hard", "HEAD~1"]);
            let index = s.repo.join("postman/schemas/index.yaml");
            let text = std::fs::read_to_string(&index).unwrap() + "# rewritten\n";
            commit_index(&s, &text, false);
            push_ok(&s, &["push", "--force-with-lease"]);
            ("after a --force-with-lease push", &[Next::EditIndex][..])
        } else {
            ("after a push", next)
        };
        after_a_push(&s, when, next);
    }
}

fn after_deleting_a_schema_file_the_next_push_goes_through(format: Format) {
    push_then_push_again(
        format,
        |s| {
            drop_refunds(s);
        },
        &[Next::EditIndex],
    );
}

fn after_adding_a_schema_file_the_next_push_goes_through(format: Format) {
    push_then_push_again(format, add_refund_schema, &[Next::EditIndex]);
}

fn after_creating_a_collection_the_next_push_updates_it(format: Format) {
    push_then_push_again(
        format,
        add_refunds_collection,
        &[
            Next::EditCreatedCollection,
            Next::RenameCreatedCollection,
            Next::EditCreatedCollection,
            Next::EditIndex,
        ],
    );
}

fn after_creating_a_collection_moving_it_is_one_update(format: Format) {
    push_then_push_again(
        format,
        add_refunds_collection,
        &[Next::MoveCreatedCollection, Next::EditIndex],
    );
}

fn after_creating_a_collection_deleting_it_is_one_deletion(format: Format) {
    push_then_push_again(
        format,
        add_refunds_collection,
        &[Next::DeleteCreatedCollection, Next::EditIndex],
    );
}

fn after_deleting_a_collection_the_next_push_goes_through(format: Format) {
    push_then_push_again(format, drop_smoke_collection, &[Next::EditIndex]);
}

fn after_several_additions_and_deletions_the_next_push_goes_through(format: Format) {
    push_then_push_again(format, several_changes, &[Next::EditCreatedCollection]);
}

/// v3: renaming the collection's directory, a folder and a request file, adding a request
/// and deleting another is one PUT of that collection; what stays keeps its id, the new
/// request gets one from Postman.
#[test]
fn v3_file_and_folder_changes_are_one_update_with_ids_kept() {
    let s = cloned(Format::V3);
    let uid = uid_of(&s, "Payments API");
    let dir = s.repo.join(s.format.collection_path("Payments API"));
    let body = |s: &Setup| {
        s.fake
            .with_state(|st| st.collection(&uid).unwrap().body.clone())
    };
    let before = body(&s);
    let folder = &before["item"][0];
    let id_of = |name: &str| {
        let items = folder["item"].as_array().unwrap();
        let item = items.iter().find(|i| i["name"] == name).unwrap();
        item["id"].as_str().unwrap().to_string()
    };
    let (folder_id, list_id, create_id) = (
        folder["id"].as_str().unwrap().to_string(),
        id_of("List payments"),
        id_of("Create payment"),
    );
    let git = |args: &[&str]| s.sandbox.git_ok(&dir, args);
    git(&["mv", "payments", "charges"]);
    git(&[
        "mv",
        "charges/List payments.request.yaml",
        "charges/List charges.request.yaml",
    ]);
    git(&["rm", "-qf", "charges/Get payment.request.yaml"]);
    std::fs::write(
        dir.join("charges/Capture.request.yaml"),
        "$kind: http-request\nurl: https://api.example.com/capture\nmethod: POST\norder: 5000\n",
    )
    .unwrap();
    // The collection's own directory renamed too: its definition's id says which it is.
    let collections = s.repo.join(support::format::COLLECTIONS);
    s.sandbox
        .git_ok(&collections, ["mv", "Payments API", "Payments"]);
    commit_all(&s.sandbox, &s.repo, "reshape the payments folder");
    // The renamed request's examples stayed under its old name: refused, not dropped.
    let stderr = push_refused(&s, &["push"]);
    let orphan = "charges/.resources/List payments.resources/examples/OK.example.yaml: an example of postman/collections/Payments/charges/List payments.request.yaml, which is not there";
    assert!(stderr.contains(orphan), "{stderr}");
    let charges = collections.join("Payments/charges");
    let examples = |name: &str| format!(".resources/{name}.resources");
    let git = |args: &[&str]| s.sandbox.git_ok(&charges, args);
    git(&["mv", &examples("List payments"), &examples("List charges")]);
    let request = charges.join("List charges.request.yaml");
    let text = std::fs::read_to_string(&request).unwrap();
    std::fs::write(
        &request,
        text.replace(&examples("List payments"), &examples("List charges")),
    )
    .unwrap();
    commit_all(&s.sandbox, &s.repo, "its examples along");
    push_ok(&s, &["push"]);
    assert_eq!(
        writes(&s.fake.requests()),
        [format!("PUT /collections/{uid}")]
    );

    let after = body(&s);
    assert_eq!(after["info"]["name"], "Payments");
    let folder = &after["item"][0];
    assert_eq!(
        (folder["name"].as_str(), folder["id"].as_str()),
        (Some("charges"), Some(folder_id.as_str()))
    );
    let items: Vec<(&str, &str)> = folder["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(
        items[0],
        ("List charges", list_id.as_str()),
        "renamed, id kept"
    );
    assert_eq!(items[1], ("Create payment", create_id.as_str()));
    assert_eq!(items[2].0, "Capture");
    assert!(!items[2].1.is_empty(), "Postman gave the new request an id");
    pull_is_up_to_date(&s, "after reshaping a folder");
}
