//! Clone, fetch, pull and ls-remote with the real git against the fake Postman API.

#[macro_use]
mod support;

use std::path::Path;

use support::fake_postman::{FakePostman, Fault};
use support::format::Format;
use support::git::{files_of, postman_url, Sandbox};

/// A fake with the sample API, and a sandbox with a clone of it in `clone`, its
/// collections in `format`.
fn cloned(format: Format) -> (FakePostman, String, Sandbox) {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    clone(&sandbox, format, &postman_url(&fake, &api), "clone");
    (fake, api, sandbox)
}

fn clone(sandbox: &Sandbox, format: Format, url: &str, dir: &str) {
    let [c, setting] = format.clone_options();
    sandbox.git_ok(sandbox.path(), ["clone", c, setting, url, dir]);
}

for_both_formats!(
    clone_writes_postman_layout_and_version_tags,
    each_postman_edit_becomes_exactly_one_commit,
    clone_request_count_is_exactly_the_minimum,
    switching_the_format_is_one_commit_and_back,
);

fn log_count(sandbox: &Sandbox, repo: &Path, rev: &str) -> usize {
    sandbox
        .git_ok(repo, ["rev-list", "--count", rev])
        .trim()
        .parse()
        .unwrap()
}

/// `git diff --name-status a b` as sorted lines.
fn changes(sandbox: &Sandbox, repo: &Path, a: &str, b: &str) -> Vec<String> {
    let mut lines: Vec<String> = sandbox
        .git_ok(repo, ["diff", "--name-status", a, b])
        .lines()
        .map(|l| l.replace('\t', " "))
        .collect();
    lines.sort();
    lines
}

fn clone_writes_postman_layout_and_version_tags(format: Format) {
    let (_fake, api, sandbox) = cloned(format);
    let repo = sandbox.join("clone");
    let files = files_of(&repo);
    for expected in [
        ".postman/api".to_string(),
        format!(".postman/api_{api}"),
        "postman/schemas/index.yaml".into(),
        "postman/schemas/paths/refunds.yaml".into(),
        "postman/schemas/components/schemas/Money.yaml".into(),
    ] {
        assert!(
            files.contains(&expected),
            "{expected} missing from {files:?}"
        );
    }
    assert_eq!(format.collections(&repo).len(), 2, "{files:?}");
    for name in ["Payments API", "QA/Smoke tests"] {
        let path = format.definition_file(name);
        assert!(files.contains(&path), "{path} missing from {files:?}");
    }
    assert_eq!(log_count(&sandbox, &repo, "HEAD"), 1);

    let log = sandbox.git_ok(&repo, ["log", "-1", "--format=%an <%ae>%n%cn <%ce>%n%B"]);
    assert_eq!(
        log,
        format!(
            "Postman <api-{api}@postman.invalid>\nPostman <api-{api}@postman.invalid>\nPostman: Payments API\n\nPostman-Api: {api}\n\n"
        )
    );
    let entity = std::fs::read_to_string(repo.join(format!(".postman/api_{api}"))).unwrap();
    assert!(
        entity.contains("rootFiles[] = postman/schemas/index.yaml\n"),
        "{entity}"
    );
    assert!(entity.contains("type = openapi:3\n"), "{entity}");

    // The published version is a tag whose tree lacks the later refunds edit.
    let tags = sandbox.git_ok(&repo, ["tag", "--list"]);
    assert_eq!(tags, "v1.0.0\n");
    let v1_files = sandbox.git_ok(&repo, ["ls-tree", "-r", "--name-only", "v1.0.0"]);
    assert!(v1_files.contains("postman/schemas/index.yaml"));
    assert!(!v1_files.contains("refunds.yaml"), "{v1_files}");
    assert_eq!(
        sandbox.git_ok(&repo, ["symbolic-ref", "refs/remotes/origin/HEAD"]),
        "refs/remotes/origin/main\n"
    );
}

fn each_postman_edit_becomes_exactly_one_commit(format: Format) {
    let (fake, api, sandbox) = cloned(format);
    let repo = sandbox.join("clone");
    let entity = format!(".postman/api_{api}");
    let edited_collection = fake.with_state(|s| {
        let uid = &s.api(&api).unwrap().collections[0];
        format.definition_file(s.collection(uid).unwrap().name())
    });
    let (request_uid, request_file) = first_request_of_payments(&fake, &api, format);
    let added = format.definition_file("Added");

    type Edit<'a> = Box<dyn Fn(&FakePostman) + 'a>;
    let steps: Vec<(Edit, Vec<String>)> = vec![
        (
            Box::new(|f: &FakePostman| {
                f.with_state(|s| {
                    s.put_schema_file(&api, "components/schemas/Money.yaml", "type: object\n")
                })
            }),
            vec!["M postman/schemas/components/schemas/Money.yaml".into()],
        ),
        (
            Box::new(|f: &FakePostman| {
                f.with_state(|s| {
                    let uid = s.api(&api).unwrap().collections[0].clone();
                    let mut c = s.collection(&uid).unwrap().body.clone();
                    c["info"]["description"] = "Edited in Postman".into();
                    s.update_collection(&uid, c);
                })
            }),
            vec![format!("M {edited_collection}")],
        ),
        (
            // One request edited in Postman: one file in v3.
            Box::new(|f: &FakePostman| {
                f.with_state(|s| {
                    let mut c = s.collection(&request_uid).unwrap().body.clone();
                    c["item"][0]["item"][0]["request"]["method"] = "HEAD".into();
                    s.update_collection(&request_uid, c);
                })
            }),
            vec![format!("M {request_file}")],
        ),
        (
            Box::new(|f: &FakePostman| {
                f.with_state(|s| {
                    let owner = support::fake_postman::DEFAULT_USER;
                    s.create_collection(
                        &api,
                        owner,
                        None,
                        serde_json::json!({"info": {"name": "Added", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}),
                    );
                })
            }),
            vec![format!("A {added}"), format!("M {entity}")],
        ),
        (
            Box::new(|f: &FakePostman| {
                f.with_state(|s| s.delete_schema_file(&api, "paths/refunds.yaml"))
            }),
            vec![
                "D postman/schemas/paths/refunds.yaml".into(),
                format!("M {entity}"),
            ],
        ),
    ];
    for (i, (edit, expected)) in steps.iter().enumerate() {
        let before = sandbox.rev(&repo, "HEAD");
        edit(&fake);
        sandbox.git_ok(&repo, ["pull", "--ff-only"]);
        let after = sandbox.rev(&repo, "HEAD");
        assert_ne!(before, after, "step {i}: no new commit");
        assert_eq!(
            sandbox.rev(&repo, "HEAD^"),
            before,
            "step {i}: the new commit's parent is not the previous one"
        );
        assert_eq!(
            &changes(&sandbox, &repo, &before, &after),
            expected,
            "step {i}"
        );
    }
}

/// The Payments API collection's UID, and the file its first request is in (the
/// collection's, or in v3 the request's own).
fn first_request_of_payments(fake: &FakePostman, api: &str, format: Format) -> (String, String) {
    let uid = fake.with_state(|s| {
        let api = s.api(api).unwrap();
        let named = |u: &&String| s.collection(u).unwrap().name() == "Payments API";
        api.collections.iter().find(named).unwrap().clone()
    });
    let file = match format {
        Format::V2 => format.collection_path("Payments API"),
        Format::V3 => format!(
            "{}/payments/List payments.request.yaml",
            format.collection_path("Payments API")
        ),
    };
    (uid, file)
}

#[test]
fn ls_remote_works_outside_a_repository() {
    let (fake, api, sandbox) = cloned(Format::V2);
    let outside = sandbox.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let mut sandbox = sandbox;
    let ceiling = sandbox.path().to_str().unwrap().to_string();
    sandbox.set_env("GIT_CEILING_DIRECTORIES", Some(&ceiling));
    let listed = sandbox.git_ok(&outside, ["ls-remote", &postman_url(&fake, &api)]);
    let head = sandbox.rev(&sandbox.join("clone"), "HEAD");
    let v1 = sandbox.rev(&sandbox.join("clone"), "v1.0.0");
    assert_eq!(
        listed,
        format!("{head}\tHEAD\n{head}\trefs/heads/main\n{v1}\trefs/tags/v1.0.0\n")
    );
}

fn clone_request_count_is_exactly_the_minimum(format: Format) {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let (files, collections, versions, page_size) = fake.with_state(|s| {
        let a = s.api(&api).unwrap();
        (
            a.schema.as_ref().unwrap().files.len(),
            a.collections.len(),
            a.versions.clone(),
            s.page_size,
        )
    });
    let sandbox = Sandbox::new();
    clone(&sandbox, format, &postman_url(&fake, &api), "clone");
    let pages = files.div_ceil(page_size);
    // Each version: the version, its schema (with the first listing page), the other
    // listing pages, each file, each collection.
    let version_reads: usize = versions
        .iter()
        .map(|v| {
            let n = v.schema.as_ref().map_or(0, |s| s.files.len());
            2 + n.div_ceil(page_size).max(1) - 1 + n + v.collections.len()
        })
        .sum();
    assert!(
        !versions.is_empty() && pages > 1,
        "the sample must exercise paging and versions"
    );
    let expected = 1 + 1 + (pages - 1) + files + collections + version_reads;
    let requests = fake.requests();
    assert_eq!(requests.len(), expected, "requests: {requests:#?}");
}

#[test]
fn a_rate_limited_clone_waits_and_completes() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    fake.inject(Fault::RateLimited {
        retry_after_secs: 1,
        times: 1,
    });
    let sandbox = Sandbox::new();
    sandbox.git_ok(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[0], 429);
    assert!(statuses[1..].iter().all(|s| *s == 200), "{statuses:?}");
}

#[test]
fn a_bad_api_key_fails_with_a_clear_message() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", Some("PMAK-wrong"));
    let (_, stderr) = sandbox.git_fails(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    assert!(
        stderr.contains("fatal: Postman rejected the API key (401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("PMAK-wrong"), "the key leaked: {stderr}");
    assert!(!sandbox.join("clone").exists());
}

/// A fake with the sample API, and a clone of it in `clone` with the schema directory
/// `schema_dir` (Postman's default when `None`).
fn cloned_with_schema_dir(schema_dir: Option<&str>) -> (FakePostman, String, Sandbox) {
    let Some(dir) = schema_dir else {
        return cloned(Format::V2);
    };
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    let setting = format!("remote.origin.postmanSchemaDirectory={dir}");
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-c", &setting, &postman_url(&fake, &api), "clone"],
    );
    (fake, api, sandbox)
}

#[test]
fn unsafe_server_paths_are_refused_and_nothing_is_written() {
    // `.postman/api_<other>` with the schema at the repository root would be another
    // API's index: a fetch of one API never changes another API's files.
    for (bad, schema_dir) in [
        ("../x.yaml", None),
        (".git/hooks/post-checkout", None),
        (".postman/api_other", Some(".")),
        (".postman/api", None),
    ] {
        let (fake, api, sandbox) = cloned_with_schema_dir(schema_dir);
        let repo = sandbox.join("clone");
        let before = sandbox.rev(&repo, "origin/main");
        fake.with_state(|s| s.put_schema_file(&api, bad, "boom"));
        let files_before = files_of(&repo);
        fake.clear_requests();
        let out = sandbox.git(&repo, ["fetch"]);
        assert!(!out.status.success(), "{bad} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("Postman path {bad:?} is not allowed")),
            "{stderr}"
        );
        assert_eq!(sandbox.rev(&repo, "origin/main"), before);
        assert!(!repo.join(".git/hooks/post-checkout").exists());
        assert_eq!(
            files_of(&repo),
            files_before,
            "no file appeared in the work tree"
        );
        // Refused on the listing: no schema file was even downloaded.
        let downloads: Vec<_> = fake
            .requests()
            .into_iter()
            .filter(|r| r.path.contains("/files/"))
            .collect();
        assert!(downloads.is_empty(), "{downloads:?}");
    }
}

#[test]
fn a_repository_with_postman_written_layout_keeps_it() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    let repo = sandbox.join("repo");
    sandbox.git_ok(sandbox.path(), ["init", "-q", "repo"]);
    // The layout Postman's own integration wrote: collections in "New Directory",
    // schema at the repository root.
    std::fs::create_dir_all(repo.join(".postman")).unwrap();
    std::fs::write(
        repo.join(format!(".postman/api_{api}")),
        format!("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY\nconfigVersion = 1.1.0\ntype = apiEntityData\n\n[config]\nid = {api}\n\n[config.relations]\n\n[config.relations.collections]\nrootDirectory = New Directory\n\n[config.relations.collections.metaData]\n\n[config.relations.apiDefinition]\nfiles[] = {{\"path\":\"index.yaml\",\"metaData\":{{}}}}\n\n[config.relations.apiDefinition.metaData]\ntype = openapi:3\nrootFiles[] = index.yaml\n"),
    )
    .unwrap();
    std::fs::write(repo.join("README.md"), "ours\n").unwrap();
    sandbox.git_ok(&repo, ["add", "-A"]);
    sandbox.git_ok(&repo, ["commit", "-qm", "start"]);
    sandbox.git_ok(
        &repo,
        ["remote", "add", "postman", &postman_url(&fake, &api)],
    );
    // What `git postman connect` records: the first fetch builds on HEAD.
    sandbox.git_ok(&repo, ["update-ref", "refs/postman/postman/base", "HEAD"]);
    sandbox.git_ok(&repo, ["fetch", "postman"]);
    assert_eq!(
        sandbox.rev(&repo, "postman/main^"),
        sandbox.rev(&repo, "HEAD")
    );
    let tree = sandbox.git_ok(&repo, ["ls-tree", "-r", "--name-only", "postman/main"]);
    assert!(tree.contains("index.yaml\n"), "{tree}");
    assert!(tree.contains("paths/refunds.yaml\n"), "{tree}");
    assert!(tree.contains("New Directory/"), "{tree}");
    assert!(!tree.contains("postman/collections"), "{tree}");
    assert!(
        tree.contains("README.md"),
        "files outside the mapping are kept: {tree}"
    );
}

/// A sandbox without `POSTMAN_API_KEY`, whose git keeps credentials with
/// `credential-store` in `creds`; the file starts with `line` if given.
fn credential_store_sandbox(line: Option<String>) -> (Sandbox, std::path::PathBuf) {
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", None);
    let creds = sandbox.join("creds");
    std::fs::write(&creds, line.map(|l| l + "\n").unwrap_or_default()).unwrap();
    let helper = format!("store --file={}", creds.display());
    sandbox.git_ok(
        sandbox.path(),
        ["config", "--global", "credential.helper", &helper],
    );
    (sandbox, creds)
}

#[test]
fn the_api_key_comes_from_git_credentials_and_a_rejected_one_is_erased() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let host = fake.base_url().trim_start_matches("http://").to_string();

    let key = support::fake_postman::API_KEY;
    let (sandbox, creds) =
        credential_store_sandbox(Some(format!("http://postman-api-key:{key}@{host}")));
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-q", &postman_url(&fake, &api), "clone"],
    );

    let (sandbox, creds_bad) =
        credential_store_sandbox(Some(format!("http://postman-api-key:PMAK-revoked@{host}")));
    let (_, stderr) = sandbox.git_fails(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    assert!(
        stderr.contains("Postman rejected the API key (401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("PMAK-revoked"), "the key leaked: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&creds_bad).unwrap(),
        "",
        "git credential reject erased the rejected key"
    );
    assert!(std::fs::read_to_string(&creds).unwrap().contains(key));

    // Nothing stored and no terminal: one clear line.
    let (sandbox, _) = credential_store_sandbox(None);
    let (_, stderr) = sandbox.git_fails(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    assert!(
        stderr
            .contains("fatal: no Postman API key: set POSTMAN_API_KEY or run `git postman login`"),
        "{stderr}"
    );
}

/// The attack: a repository whose `.gitmodules` names a stranger's `postman::` URL, cloned
/// recursively with `protocol.postman.allow=always` (as the README suggests for
/// submodules) by someone whose `POSTMAN_API_KEY` is set.
#[test]
fn the_environment_key_goes_only_to_postman_this_machine_and_trusted_hosts() {
    let key = support::fake_postman::API_KEY;
    let stranger = FakePostman::start_at(std::net::Ipv4Addr::new(127, 0, 0, 2), 0);
    let api = stranger.with_state(|s| s.seed_sample());
    let host = stranger
        .base_url()
        .trim_start_matches("http://")
        .to_string();
    let url = postman_url(&stranger, &api);
    let keys_seen = || -> Vec<Option<String>> {
        let keys = stranger.requests().into_iter().map(|r| r.api_key).collect();
        stranger.clear_requests();
        keys
    };

    let (sandbox, creds) = credential_store_sandbox(None);
    let mut sandbox = sandbox;
    sandbox.set_env("POSTMAN_API_KEY", Some(key));
    let superproject = sandbox.join("super");
    sandbox.git_ok(sandbox.path(), ["init", "-q", "super"]);
    sandbox.git_ok(
        &superproject,
        ["config", "-f", ".gitmodules", "submodule.api.path", "api"],
    );
    sandbox.git_ok(
        &superproject,
        ["config", "-f", ".gitmodules", "submodule.api.url", &url],
    );
    let gitlink = format!("160000,{},api", "1".repeat(40));
    sandbox.git_ok(
        &superproject,
        ["update-index", "--add", "--cacheinfo", &gitlink],
    );
    sandbox.git_ok(&superproject, ["add", ".gitmodules"]);
    sandbox.git_ok(&superproject, ["commit", "-qm", "a submodule"]);
    let out = sandbox.git(
        sandbox.path(),
        [
            "-c",
            "protocol.postman.allow=always",
            "clone",
            "--recurse-submodules",
            "super",
            "copy",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "POSTMAN_API_KEY is sent only to Postman's API hosts and this machine, not to {host}"
        )) && stderr.contains(&format!(
            "git config --global --add postman.trustedApiHost {host}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(key), "the key leaked: {stderr}");
    assert_eq!(
        keys_seen(),
        Vec::<Option<String>>::new(),
        "nothing reached the stranger"
    );

    // A key git's credential system keeps for that server is the one it gets.
    std::fs::write(
        &creds,
        format!("http://postman-api-key:PMAK-its-own@{host}\n"),
    )
    .unwrap();
    sandbox.git_fails(sandbox.path(), ["clone", &url, "own-key"]);
    let seen = keys_seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|k| k.as_deref() == Some("PMAK-its-own")),
        "{seen:?}"
    );

    // A host the user trusts gets the environment key.
    sandbox.git_ok(
        sandbox.path(),
        [
            "config",
            "--global",
            "--add",
            "postman.trustedApiHost",
            &host,
        ],
    );
    sandbox.git_ok(sandbox.path(), ["clone", "-q", &url, "trusted"]);
    let seen = keys_seen();
    assert!(seen.iter().all(|k| k.as_deref() == Some(key)), "{seen:?}");
}

#[test]
fn progress_is_reported_in_gits_words() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    let out = sandbox.git(
        sandbox.path(),
        ["clone", "--progress", &postman_url(&fake, &api), "clone"],
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One bar: 7 schema files and 2 collections of the current state, then the 8 objects
    // of the published version.
    assert!(
        stderr.contains("\rReceiving objects: 100% (17/17), done.\n"),
        "{stderr}"
    );
}

#[test]
fn an_anonymous_url_keeps_no_state() {
    let (fake, api, sandbox) = cloned(Format::V2);
    let repo = sandbox.join("clone");
    sandbox.git_ok(&repo, ["fetch", "-q", &postman_url(&fake, &api), "main"]);
    assert_eq!(
        sandbox.rev(&repo, "FETCH_HEAD"),
        sandbox.rev(&repo, "origin/main")
    );
    let refs = sandbox.git_ok(
        &repo,
        ["for-each-ref", "--format=%(refname)", "refs/postman/"],
    );
    assert_eq!(
        refs, "refs/postman/origin/heads/main\n",
        "only the named remote's ref"
    );
    let state_dirs: Vec<_> = std::fs::read_dir(repo.join(".git/postman"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(state_dirs, ["origin"]);
}

#[test]
fn a_git_linked_api_is_refused_with_a_clear_message() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| {
        let api = s.seed_sample();
        s.set_git_linked(&api, true);
        api
    });
    let sandbox = Sandbox::new();
    let (_, stderr) = sandbox.git_fails(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    assert!(
        stderr.contains(&format!(
            "fatal: API {api} is linked to a git repository in Postman"
        )),
        "{stderr}"
    );
    assert_eq!(fake.requests().len(), 1, "refused after the first request");
}

#[test]
fn a_version_still_being_published_is_skipped_until_it_is_done() {
    let (fake, api, sandbox) = cloned(Format::V2);
    let repo = sandbox.join("clone");
    let schema = fake.with_state(|s| s.api(&api).unwrap().schema.as_ref().unwrap().id.clone());
    // Published through the API, as another Postman user would: pending at first.
    let answer = reqwest::blocking::Client::new()
        .post(format!("{}/apis/{api}/versions", fake.base_url()))
        .header("X-API-Key", support::fake_postman::API_KEY)
        .header("Accept", "application/vnd.api.v10+json")
        .json(
            &serde_json::json!({"name": "v2.0.0", "schemas": [{"id": schema}], "collections": []}),
        )
        .send()
        .unwrap();
    assert_eq!(answer.status(), 202);

    let out = sandbox.git(&repo, ["fetch", "--tags"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: Postman version \"v2.0.0\" is still being published; skipped"),
        "{stderr}"
    );
    assert_eq!(sandbox.git_ok(&repo, ["tag", "--list"]), "v1.0.0\n");

    sandbox.git_ok(&repo, ["fetch", "-q", "--tags"]);
    assert_eq!(sandbox.git_ok(&repo, ["tag", "--list"]), "v1.0.0\nv2.0.0\n");
}

/// Switching the format on a clone is one commit that replaces every collection by its
/// other form, and switching back is one more that restores the first tree.
fn switching_the_format_is_one_commit_and_back(format: Format) {
    let (_fake, _api, sandbox) = cloned(format);
    let repo = sandbox.join("clone");
    let other = match format {
        Format::V2 => Format::V3,
        Format::V3 => Format::V2,
    };
    let first = sandbox.rev(&repo, "HEAD");
    let mut trees = vec![sandbox.rev(&repo, "HEAD^{tree}")];
    for (step, (from, to)) in [(format, other), (other, format)].into_iter().enumerate() {
        let before = sandbox.rev(&repo, "HEAD");
        let [_, setting] = to.clone_options();
        let (key, value) = setting.split_once('=').unwrap();
        sandbox.git_ok(&repo, ["config", key, value]);
        sandbox.git_ok(&repo, ["pull", "-q", "--ff-only"]);
        assert_eq!(
            sandbox.rev(&repo, "HEAD^"),
            before,
            "step {step}: one commit"
        );
        let changed = changes(&sandbox, &repo, &before, "HEAD");
        for name in ["Payments API", "QA/Smoke tests"] {
            let (gone, came) = (
                format!("D {}", from.definition_file(name)),
                format!("A {}", to.definition_file(name)),
            );
            assert!(
                changed.contains(&gone) && changed.contains(&came),
                "step {step}: {changed:?}"
            );
        }
        assert!(
            changed
                .iter()
                .all(|c| c.contains("postman/collections/") || c.starts_with("M .postman/api_")),
            "step {step}: only collections and their listing change: {changed:?}"
        );
        assert_eq!(to.collections(&repo).len(), 2, "step {step}");
        trees.push(sandbox.rev(&repo, "HEAD^{tree}"));
        sandbox.git_ok(&repo, ["fetch"]);
        assert_eq!(
            sandbox.rev(&repo, "origin/main"),
            sandbox.rev(&repo, "HEAD"),
            "step {step}: stable"
        );
    }
    assert_eq!(trees[0], trees[2], "back to the first tree");
    assert_eq!(log_count(&sandbox, &repo, "HEAD"), 3);
    assert_eq!(sandbox.rev(&repo, "HEAD~2"), first);
}
