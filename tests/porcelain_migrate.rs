//! `git postman migrate` with the real git against the fake: an API Builder remote
//! becomes a workspace remote in one commit, nothing lost (every schema file in a spec
//! file, every collection in the workspace with its UID and the same v2.1 content,
//! every other file byte for byte, the history kept), the next pull up to date and the
//! next push one write. And what must leave the repository and the remote untouched: the
//! refusals before anything is sent, a failed migration, one that does not finish in
//! time (picked up by the next run), and a run stopped after Postman finished.

mod porcelain_common;
mod support;

use std::collections::BTreeMap;
use std::path::Path;

use git_postman::layout::v3;
use porcelain_common::*;
use serde_json::Value;
use support::fake_postman::{Fault, FAILURE_REASON};
use support::git::{files_of, postman_url, Cloned as Setup, Sandbox};

/// Files the API layout does not manage, which the migration keeps byte for byte (one
/// of them in the schema directory, one without a final newline).
const OURS: [(&str, &str); 3] = [
    ("README.md", "# payments\n"),
    (".github/workflows/ci.yml", "on: push\njobs: {}\n"),
    ("postman/schemas/NOTES.md", "hand-written notes, no newline"),
];

/// The sample API cloned, our files added and pushed (Postman's current state here),
/// status polled without waiting.
fn cloned_api() -> Setup {
    let setup = support::git::cloned_sample("payments");
    let (sandbox, repo) = (&setup.sandbox, &setup.repo);
    write_files(repo, &OURS);
    commit_all(sandbox, repo, "our files");
    sandbox.git_ok(repo, ["push", "-q", "origin", "main"]);
    // A fetch after the push records what Postman holds, as status compares it.
    sandbox.git_ok(repo, ["pull", "-q", "origin", "main"]);
    sandbox.git_ok(repo, ["config", "postman.migrationPollInterval", "0"]);
    setup
}

impl Setup {
    fn migrate(&self, args: &[&str]) -> String {
        let mut all = vec!["migrate"];
        all.extend_from_slice(args);
        postman_ok(&self.sandbox, &self.repo, &all)
    }

    fn migrate_fails(&self, args: &[&str]) -> String {
        let mut all = vec!["migrate"];
        all.extend_from_slice(args);
        postman_fails(&self.sandbox, &self.repo, &all)
    }

    fn posts(&self) -> usize {
        let migrations = format!("/apis/{}/spec-migrations", self.api);
        let requests = self.fake.requests();
        let posts = requests.iter().filter(|r| r.method == "POST");
        posts.filter(|r| r.path == migrations).count()
    }

    /// HEAD, the remote's URL, its refs and the work tree's status: what "untouched"
    /// compares.
    fn local_state(&self) -> (String, Option<String>, Vec<String>, Vec<String>) {
        let (s, repo) = (&self.sandbox, &self.repo);
        let refs = s.git_ok(repo, ["for-each-ref", "--format=%(refname) %(objectname)"]);
        (
            s.rev(repo, "HEAD"),
            config(s, repo, "remote.origin.url"),
            refs.lines().map(str::to_string).collect(),
            status_lines(s, repo),
        )
    }

    /// The workspace the API went to, as the remote's URL names it.
    fn workspace(&self) -> String {
        let url = config(&self.sandbox, &self.repo, "remote.origin.url").unwrap();
        let (base, id) = url.rsplit_once("/workspaces/").expect("a workspace URL");
        assert_eq!(base, format!("postman::{}", self.fake.base_url()));
        id.to_string()
    }
}

/// Path -> blob id of every file in `rev`.
fn blobs(sandbox: &Sandbox, repo: &Path, rev: &str) -> BTreeMap<String, String> {
    let listed = sandbox.git_ok(
        repo,
        ["ls-tree", "-r", "--format=%(path) %(objectname)", rev],
    );
    listed
        .lines()
        .map(|l| {
            let (path, id) = l.rsplit_once(' ').unwrap();
            (path.to_string(), id.to_string())
        })
        .collect()
}

fn read(repo: &Path, path: &str) -> String {
    std::fs::read_to_string(repo.join(path)).unwrap()
}

/// A collection directory of the work tree as v2.1 JSON, through the v3 converter.
fn v2_of(repo: &Path, dir: &str) -> Value {
    let root = repo.join(dir);
    let files: Vec<v3::File> = files_of(&root)
        .into_iter()
        .map(|path| v3::File {
            bytes: std::fs::read(root.join(&path)).unwrap(),
            path,
        })
        .collect();
    let name = dir.rsplit('/').next().unwrap();
    serde_json::from_str(&v3::to_v2(name, &files).unwrap()).unwrap()
}

#[test]
fn migrate_moves_the_api_to_a_workspace_in_one_commit_and_loses_nothing() {
    let t = cloned_api();
    let (s, repo) = (&t.sandbox, &t.repo);
    let before = s.rev(repo, "HEAD");
    let old_blobs = blobs(s, repo, "HEAD");
    let schema: Vec<(String, String)> = t.fake.with_state(|st| {
        let files = &st.api(&t.api).unwrap().schema.as_ref().unwrap().files;
        files
            .values()
            .map(|f| (f.path.clone(), f.content.clone()))
            .collect()
    });
    // The v2.1 collections the API layout had, by UID (`info._uid`).
    let collections: BTreeMap<String, Value> = files_of(&repo.join("postman/collections"))
        .iter()
        .map(|f| {
            let mut c: Value =
                serde_json::from_str(&read(repo, &format!("postman/collections/{f}"))).unwrap();
            let uid = c["info"]["_uid"].as_str().unwrap().to_string();
            c["info"].as_object_mut().unwrap().remove("_uid");
            (uid, c)
        })
        .collect();
    assert_eq!(collections.len(), 2);
    s.git_ok(repo, ["config", "remote.origin.tagOpt", "--no-tags"]);
    t.fake.clear_requests();

    let out = t.migrate(&["--new-workspace", "Payments v12"]);
    let ws = t.workspace();
    let head = s.rev(repo, "HEAD");
    assert_eq!(
        out,
        format!(
            "Postman moved API \"Payments API\" ({api}) to Spec Hub, in workspace \"Payments v12\" ({ws}).\n\
             [main {short}] Move API \"Payments API\" to Postman workspace \"Payments v12\"\n\
             \x20 removed  11 files of the API's layout\n\
             \x20 wrote    1 spec, 2 collections, 0 environments and .postman/resources.yaml\n\
             Remote origin now fetches and pushes the workspace (postman::{base}/workspaces/{ws}); origin/main is this commit.\n",
            api = t.api,
            short = &head[..7],
            base = t.fake.base_url(),
        )
    );
    assert_eq!(t.posts(), 1);

    // One commit, on the old HEAD, by the user, saying what happened.
    assert_eq!(s.rev(repo, "HEAD^"), before);
    let who = s.git_ok(repo, ["log", "-1", "--format=%an <%ae>|%cn|%B"]);
    assert!(who.starts_with("Tester <tester@example.com>|Tester|Move API \"Payments API\" to Postman workspace \"Payments v12\"\n\n"), "{who}");
    assert!(
        who.ends_with(&format!(
            "Postman-Api: {}\nPostman-Workspace: {ws}\n\n",
            t.api
        )),
        "{who}"
    );
    assert!(
        status_lines(s, repo).is_empty(),
        "the work tree is the commit"
    );

    // Its tree: exactly what a clone of the workspace writes, plus our files as they were.
    let url = format!("postman::{}/workspaces/{ws}", t.fake.base_url());
    s.git_ok(s.path(), ["clone", "-q", &url, "fresh"]);
    let mut expected = blobs(s, &s.join("fresh"), "HEAD");
    for (path, _) in OURS {
        expected.insert(path.to_string(), old_blobs[path].clone());
    }
    assert_eq!(blobs(s, repo, "HEAD"), expected);

    // Every schema file's content is in the spec's files.
    for (path, content) in &schema {
        assert_eq!(
            &read(repo, &format!("postman/specs/Payments API/{path}")),
            content,
            "{path}"
        );
    }
    // Every collection is the workspace's, with its UID, and the same v2.1 collection.
    let resources = read(repo, ".postman/resources.yaml");
    for (uid, v2) in &collections {
        let dir = resources
            .lines()
            .find_map(|l| l.trim().strip_suffix(&format!(": {uid}")))
            .unwrap_or_else(|| panic!("{uid} not in .postman/resources.yaml:\n{resources}"));
        let dir = dir.strip_prefix("../").unwrap();
        assert_eq!(&v2_of(repo, dir), v2, "{dir}");
    }

    // The remote is the workspace's: the URL, its other settings kept, nothing to pull.
    assert_eq!(
        config(s, repo, "remote.origin.tagOpt").as_deref(),
        Some("--no-tags")
    );
    assert_eq!(
        config(s, repo, "remote.origin.fetch").as_deref(),
        Some("+refs/heads/*:refs/remotes/origin/*")
    );
    assert_eq!(s.rev(repo, "origin/main"), head);
    let pulled = s.git_ok(repo, ["pull", "origin", "main"]);
    assert!(pulled.contains("Already up to date."), "{pulled}");
    assert_eq!(s.rev(repo, "HEAD"), head);
    let status = postman_ok(s, repo, &["status", "--json"]);
    let status: Value = serde_json::from_str(&status).unwrap();
    let mine = &status["workspaces"][0];
    assert_eq!(
        (
            &mine["notPushed"],
            &mine["notMerged"],
            &mine["postman"]["state"]
        ),
        (&Value::from(0), &Value::from(0), &Value::from("unchanged"))
    );

    // The next push of an edit is exactly one write.
    let money = "postman/specs/Payments API/components/schemas/Money.yaml";
    write_files(repo, &[(money, "type: integer\n")]);
    commit_all(s, repo, "money is an integer");
    t.fake.clear_requests();
    s.git_ok(repo, ["push", "-q", "origin", "main"]);
    let writes: Vec<String> = requests_made(&t.fake)
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].starts_with("PATCH /specs/"), "{writes:?}");
    let spec = t.fake.with_state(|st| {
        let spec = st.ws.specs.values().find(|sp| sp.workspace == ws).unwrap();
        spec.files["components/schemas/Money.yaml"].content.clone()
    });
    assert_eq!(spec, "type: integer\n");
}

const TO: [&str; 2] = ["--new-workspace", "W"];

/// What must be refused before anything is sent, with one line saying what to do.
#[test]
fn migrate_refuses_before_sending_anything() {
    let t = cloned_api();
    let (s, repo) = (&t.sandbox, &t.repo);
    type Case = (
        &'static str,
        fn(&Setup),
        fn(&Setup),
        &'static [&'static str],
        &'static str,
    );
    let cases: [Case; 6] = [
        (
            "uncommitted change",
            |t| write_files(&t.repo, &[("README.md", "changed\n")]),
            |t| {
                t.sandbox.git_ok(&t.repo, ["checkout", "README.md"]);
            },
            &TO,
            "the work tree has uncommitted changes (M README.md): commit or stash them first",
        ),
        (
            "a commit not pushed",
            |t| commit_file(t, "CHANGELOG.md"),
            |t| {
                t.sandbox.git_ok(&t.repo, ["push", "-q", "origin", "main"]);
            },
            &TO,
            "1 commit on main not pushed to Postman: run git push origin main first",
        ),
        (
            "pushed, not fetched since",
            |_| {},
            |t| {
                t.sandbox.git_ok(&t.repo, ["pull", "-q", "origin", "main"]);
            },
            &TO,
            "whether Postman changed since your last push is known after a fetch: run git pull origin main first",
        ),
        (
            "a change in Postman",
            |t| {
                t.fake
                    .with_state(|st| st.put_schema_file(&t.api, "index.yaml", "openapi: 3.0.3\n"))
            },
            |t| {
                t.sandbox.git_ok(&t.repo, ["pull", "-q", "origin", "main"]);
            },
            &TO,
            "Postman changed since the last fetch: run git pull origin main first",
        ),
        (
            "no destination",
            |_| {},
            |_| {},
            &[],
            "give --workspace <id> (an existing workspace) or --new-workspace <name>",
        ),
        (
            "an unknown remote",
            |_| {},
            |_| {},
            &["upstream", "--new-workspace", "W"],
            "no remote upstream with a postman:: URL here",
        ),
    ];
    for (what, spoil, repair, args, line) in cases {
        spoil(&t);
        let before = t.local_state();
        t.fake.clear_requests();
        let err = t.migrate_fails(args);
        assert!(
            err.starts_with("fatal: ") && err.contains(line),
            "{what}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
        assert_eq!(t.posts(), 0, "{what}: nothing sent");
        let writes = t
            .fake
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count();
        assert_eq!(writes, 0, "{what}");
        assert_eq!(t.local_state(), before, "{what}: untouched");
        repair(&t);
    }
    // Once moved, the remote is a workspace: nothing to move.
    t.migrate(&TO);
    for args in [&["origin"][..], &[]] {
        let err = t.migrate_fails(args);
        assert!(
            err.contains("remote origin is a workspace already (workspace "),
            "{args:?}: {err}"
        );
    }
    assert!(status_lines(s, repo).is_empty());
}

fn commit_file(t: &Setup, path: &str) {
    write_files(&t.repo, &[(path, "x\n")]);
    commit_all(&t.sandbox, &t.repo, path);
}

#[test]
fn a_failed_migration_is_one_line_and_changes_nothing() {
    let t = cloned_api();
    t.fake
        .with_state(|st| st.fail_next_migration(FAILURE_REASON));
    let before = t.local_state();
    let err = t.migrate_fails(&["--new-workspace", "W"]);
    assert_eq!(
        err,
        format!(
            "fatal: Postman could not move API {}: {FAILURE_REASON}; nothing changed here\n",
            t.api
        )
    );
    assert_eq!(t.local_state(), before);
    // Running again starts it again, and this time it goes through.
    t.migrate(&["--new-workspace", "W"]);
    assert_eq!(t.posts(), 2);
    t.workspace();
}

#[test]
fn a_migration_still_running_is_picked_up_by_the_next_run() {
    let t = cloned_api();
    t.fake.with_state(|st| st.delay_next_migration(6));
    t.sandbox
        .git_ok(&t.repo, ["config", "postman.migrationPolls", "3"]);
    let before = t.local_state();
    let err = t.migrate_fails(&["--new-workspace", "W"]);
    assert_eq!(
        err.lines().last().unwrap(),
        "fatal: Postman is still moving the API after 3 status reads (0 s); nothing changed here: run git postman migrate again later to pick it up"
    );
    assert_eq!(t.local_state(), before);
    let reads = |t: &Setup| {
        t.fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/spec-migrations"))
            .count()
    };
    assert_eq!(reads(&t), 4, "the look before starting (none yet), then 3");

    // The next run reads the status first and waits for the same migration.
    t.sandbox
        .git_ok(&t.repo, ["config", "postman.migrationPolls", "10"]);
    t.migrate(&[]);
    assert_eq!(t.posts(), 1, "started once");
    assert_eq!(reads(&t), 4 + 5, "7 looks running (3 before), the 8th done");
    t.workspace();
}

#[test]
fn a_run_stopped_after_postman_finished_is_finished_without_a_second_start() {
    let t = cloned_api();
    // The workspace cannot be read once Postman is done: the run stops there.
    t.fake.inject(Fault::ServerError {
        method: "GET",
        path_contains: "workspaces/".into(),
        times: 5,
    });
    let before = t.local_state();
    let err = t.migrate_fails(&["--new-workspace", "W"]);
    assert!(err.contains("500"), "{err}");
    assert_eq!(t.local_state(), before);
    let done = t
        .fake
        .with_state(|st| st.migration(&t.api).map(|m| m.outcome.clone()));
    assert!(
        matches!(
            done,
            Some(support::fake_postman::MigrationOutcome::Completed { .. })
        ),
        "{done:?}"
    );

    // Again, without saying where: Postman's status says.
    t.migrate(&[]);
    assert_eq!(t.posts(), 1);
    let ws = t.workspace();
    assert!(t.fake.with_state(|st| st.workspace(&ws).is_some()));
}

#[test]
fn a_run_stopped_after_its_commit_is_finished_by_the_next_one() {
    let t = cloned_api();
    let (s, repo) = (&t.sandbox, &t.repo);
    // git config cannot be written: the commit lands, the remote cannot switch.
    let lock = repo.join(".git/config.lock");
    std::fs::write(&lock, "").unwrap();
    let err = t.migrate_fails(&["--new-workspace", "W"]);
    std::fs::remove_file(&lock).unwrap();
    assert!(err.contains("config"), "{err}");
    let head = s.rev(repo, "HEAD");
    assert!(s
        .git_ok(repo, ["log", "-1", "--format=%s"])
        .starts_with("Move API"));
    assert_eq!(
        config(s, repo, "remote.origin.url"),
        Some(postman_url(&t.fake, &t.api))
    );

    t.migrate(&[]);
    assert_eq!(s.rev(repo, "HEAD"), head, "no second commit");
    assert_eq!(t.posts(), 1);
    let ws = t.workspace();
    assert_eq!(s.rev(repo, "origin/main"), head);
    let pulled = s.git_ok(repo, ["pull", "origin", "main"]);
    assert!(pulled.contains("Already up to date."), "{pulled}: {ws}");
}

#[test]
fn moving_one_of_two_apis_keeps_the_other_s_files_and_remote() {
    let TwoApis {
        fake,
        payments,
        sms,
        sandbox: s,
        repo,
    } = by_directories();
    s.git_ok(&repo, ["config", "postman.migrationPollInterval", "0"]);
    let sms_entity = format!(".postman/api_{sms}");
    let before = blobs(&s, &repo, "HEAD");
    let sms_url = config(&s, &repo, "remote.sms.url");

    postman_ok(&s, &repo, &["migrate", "payments", "--new-workspace", "P"]);
    let after = blobs(&s, &repo, "HEAD");
    let theirs = |p: &str| p.starts_with("sms/") || p == sms_entity || p == "README.md";
    for (path, blob) in before.iter().filter(|(p, _)| theirs(p)) {
        assert_eq!(after.get(path), Some(blob), "{path}");
    }
    assert!(
        !after.keys().any(|p| p.starts_with("payments/")),
        "{after:?}"
    );
    assert!(!after.contains_key(&format!(".postman/api_{payments}")));
    assert_eq!(
        read(&repo, ".postman/api"),
        format!("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY\napis[] = {{\"apiId\":\"{sms}\"}}\nconfigVersion = 1.0.0\ntype = api\n"),
        "the other API stays listed"
    );
    // The moved remote's API layout settings went, the rest stayed; the other is as it was.
    for key in [
        "postmanSchemaDirectory",
        "postmanCollectionDirectory",
        "postmanRootFile",
    ] {
        assert_eq!(
            config(&s, &repo, &format!("remote.payments.{key}")),
            None,
            "{key}"
        );
    }
    assert_eq!(
        config(&s, &repo, "remote.payments.postmanBranch").as_deref(),
        Some("main")
    );
    assert_eq!(config(&s, &repo, "remote.sms.url"), sms_url);
    assert!(config(&s, &repo, "remote.sms.postmanSchemaDirectory").is_some());
    for remote in ["sms", "payments"] {
        let pulled = s.git_ok(&repo, ["pull", remote, "main"]);
        assert!(pulled.contains("Already up to date."), "{remote}: {pulled}");
    }
    assert!(fake.with_state(|st| st.migration(&sms).is_none()));
}

#[test]
fn an_api_with_nothing_to_move_is_said_so_and_nothing_changes() {
    let t = cloned_api();
    let empty = t.fake.with_state(|st| st.create_api(None, "Nothing"));
    let (s, repo) = (&t.sandbox, &t.repo);
    s.git_ok(
        repo,
        ["remote", "set-url", "origin", &postman_url(&t.fake, &empty)],
    );
    s.git_ok(repo, ["fetch", "-q", "origin"]);
    s.git_ok(repo, ["reset", "-q", "--hard", "origin/main"]);
    let before = t.local_state();
    let err = t.migrate_fails(&TO);
    assert_eq!(
        err,
        "fatal: Postman moved nothing: This API doesn't have any API Definition or Collection\n"
    );
    assert_eq!(t.local_state(), before);
    assert!(t.fake.with_state(|st| st.migration(&empty).is_none()));
}
