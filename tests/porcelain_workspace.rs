//! The porcelain for a Postman v12 workspace remote, with the real git against the fake
//! (`--seed workspace`): `git postman connect --workspace` of an empty repository and of
//! one the desktop app wrote, `status`, `doctor` and `disconnect` of a workspace remote,
//! and the refusals every kind of remote shares (run for an API and a workspace alike).

mod porcelain_common;
mod support;

use std::path::{Path, PathBuf};

use porcelain_common::*;
use serde_json::Value;
use support::fake_postman::FakePostman;
use support::git::{postman_url, Sandbox};

const MONEY: &str = "components/schemas/Money.yaml";

/// The workspace's `postman::` URL on the fake.
fn workspace_url(fake: &FakePostman, ws: &str) -> String {
    format!("postman::{}/workspaces/{ws}", fake.base_url())
}

/// `git clone` of the workspace (the remote helper's own commit of Postman's state).
fn clone_workspace(fake: &FakePostman, sandbox: &Sandbox, ws: &str, name: &str) -> PathBuf {
    let url = workspace_url(fake, ws);
    sandbox.git_ok(sandbox.path(), ["clone", "-q", &url, name]);
    sandbox.join(name)
}

fn connect_workspace(sandbox: &Sandbox, fake: &FakePostman, repo: &Path, ws: &str) -> String {
    let base = fake.base_url();
    postman_ok(
        sandbox,
        repo,
        &["connect", "--workspace", ws, "--base-url", &base],
    )
}

fn read(repo: &Path, path: &str) -> String {
    std::fs::read_to_string(repo.join(path)).unwrap()
}

/// The id of the seeded workspace's spec `name`.
fn spec_id(fake: &FakePostman, name: &str) -> String {
    fake.with_state(|s| {
        let spec = s.ws.specs.values().find(|sp| sp.name == name);
        spec.unwrap().id.clone()
    })
}

/// The fake with the sample workspace, and a `git clone` of it.
fn cloned_workspace() -> (FakePostman, String, Sandbox, PathBuf) {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let sandbox = Sandbox::new();
    let clone = clone_workspace(&fake, &sandbox, &ws, "clone");
    (fake, ws, sandbox, clone)
}

#[test]
fn an_empty_repository_s_first_fetch_is_the_commit_git_clone_makes() {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let sandbox = Sandbox::new();
    sandbox.git_ok(sandbox.path(), ["init", "-q", "empty"]);
    let repo = sandbox.join("empty");
    let cloned = sandbox.rev(&clone_workspace(&fake, &sandbox, &ws, "clone"), "HEAD");

    let out = connect_workspace(&sandbox, &fake, &repo, &ws);
    let url = workspace_url(&fake, &ws);
    assert_eq!(
        out,
        format!(
            "Connected Postman workspace \"Payments\" ({ws}) as remote postman ({url}).\n\
             \x20 Postman      2 specs, 2 collections, 1 environment\n\
             \x20 here         no .postman/resources.yaml yet\n\
             \x20 branch       main (no commit yet: the first fetch makes {}, the commit git clone makes)\n\
             \n\
             To take Postman's files:\n\
             \x20 git fetch postman && git merge postman/main\n",
            &cloned[..7]
        )
    );
    assert_eq!(config(&sandbox, &repo, "remote.postman.url"), Some(url));
    assert_eq!(
        config(&sandbox, &repo, "remote.postman.postmanBranch").as_deref(),
        Some("main")
    );
    // No base (there is no commit) and nothing written: the fetch brings every file.
    let (_, _) = sandbox.git_fails(
        &repo,
        ["rev-parse", "-q", "--verify", "refs/postman/postman/base"],
    );
    assert!(status_lines(&sandbox, &repo).is_empty());

    sandbox.git_ok(&repo, ["fetch", "-q", "postman"]);
    assert_eq!(sandbox.rev(&repo, "postman/main"), cloned);
    sandbox.git_ok(&repo, ["merge", "-q", "postman/main"]);
    assert_eq!(sandbox.rev(&repo, "HEAD"), cloned);
}

/// A repository as the desktop app keeps one: the workspace's files, and beside them
/// what git-postman does not manage (the app's comments and `localResources` in
/// `.postman/resources.yaml`, its workflows file, mocks, a README among the specs).
fn desktop_app_repo(fake: &FakePostman, sandbox: &Sandbox, ws: &str) -> PathBuf {
    let clone = clone_workspace(fake, sandbox, ws, "from-postman");
    let repo = repo_with(sandbox, "app", &[("README.md", "# payments\n")]);
    copy_tree(&clone.join("postman"), &repo.join("postman"));
    let resources = read(&clone, ".postman/resources.yaml");
    let app_resources = format!(
        "{resources}\nlocalResources:\n  mocks:\n    - ../postman/mocks/probe-mock/config.yaml\n\n# All resources in the `postman/` folder are automatically registered in Local View.\n"
    );
    write_files(
        &repo,
        &[
            (".postman/resources.yaml", &app_resources),
            (".postman/workflows.yaml", "workflows: []\n"),
            ("postman/mocks/probe-mock/config.yaml", "port: 4010\n"),
            ("postman/specs/README.md", "Spec Hub specs\n"),
        ],
    );
    commit_all(sandbox, &repo, "the desktop app's files");
    repo
}

/// The files connect and fetch must keep byte for byte.
const UNMANAGED: [&str; 5] = [
    "README.md",
    ".postman/resources.yaml",
    ".postman/workflows.yaml",
    "postman/mocks/probe-mock/config.yaml",
    "postman/specs/README.md",
];

#[test]
fn a_repository_the_desktop_app_wrote_is_recognised_and_kept_byte_for_byte() {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let sandbox = Sandbox::new();
    let repo = desktop_app_repo(&fake, &sandbox, &ws);
    let head = sandbox.rev(&repo, "HEAD");
    let before: Vec<String> = UNMANAGED.iter().map(|p| read(&repo, p)).collect();

    // Postman has exactly these files: nothing to write, and the first fetch reports HEAD.
    let out = connect_workspace(&sandbox, &fake, &repo, &ws);
    assert!(
        out.contains("  here         .postman/resources.yaml of this workspace (5 objects mapped), kept as it is\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Postman has exactly these files: `git fetch postman` reports HEAD as postman/main, with nothing to merge; `git push postman main` then sends what you change.\n"),
        "{out}"
    );
    assert!(
        status_lines(&sandbox, &repo).is_empty(),
        "connect wrote nothing"
    );
    assert_eq!(sandbox.rev(&repo, "refs/postman/postman/base"), head);
    sandbox.git_ok(&repo, ["fetch", "-q", "postman"]);
    assert_eq!(sandbox.rev(&repo, "postman/main"), head);

    // Changed in Postman: connect names the file, and taking Postman's side changes that
    // file only.
    postman_ok(&sandbox, &repo, &["disconnect", "--yes"]);
    let spec = spec_id(&fake, "payments");
    fake.with_state(|s| s.put_spec_file(&spec, MONEY, "type: integer\n"));
    let out = connect_workspace(&sandbox, &fake, &repo, &ws);
    let first_fetch = out
        .split("The first fetch makes commit ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    let take_theirs = "git fetch postman && git merge -X theirs postman/main";
    assert!(
        out.ends_with(&format!(
            "Postman and your files differ:\n\
             \x20 differs          postman/specs/payments/{MONEY}\n\
             Either take Postman's files:\n\
             \x20 {take_theirs}\n\
             or make Postman equal to yours:\n\
             \x20 git fetch postman && git merge -s ours postman/main && git push postman main\n"
        )),
        "{out}"
    );
    run_recipe(&sandbox, &repo, take_theirs);
    // The commit connect announced is the one the fetch made.
    assert!(sandbox.rev(&repo, "postman/main").starts_with(&first_fetch));
    assert_eq!(
        read(&repo, &format!("postman/specs/payments/{MONEY}")),
        "type: integer\n"
    );
    let after: Vec<String> = UNMANAGED.iter().map(|p| read(&repo, p)).collect();
    assert_eq!(after, before);
    let changed = sandbox.git_ok(&repo, ["diff", "--name-only", &head, "HEAD"]);
    assert_eq!(changed, format!("postman/specs/payments/{MONEY}\n"));
}

#[test]
fn a_repository_without_resources_gets_the_app_s_template_and_the_differences() {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let sandbox = Sandbox::new();
    let repo = repo_with(&sandbox, "plain", &[("README.md", "ours\n")]);
    let head = sandbox.rev(&repo, "HEAD");
    let out = connect_workspace(&sandbox, &fake, &repo, &ws);
    assert!(
        out.contains(&format!(
            "  branch       main (base {}: the first fetch builds on it)\n\
             Wrote .postman/resources.yaml (the desktop app's template); commit it:\n\
             \x20 git add .postman && git commit -m \"Connect Payments to Postman\"\n",
            &head[..7]
        )),
        "{out}"
    );
    let only_in_postman = out
        .lines()
        .filter(|l| l.starts_with("  only in Postman  postman/"))
        .count();
    assert!(only_in_postman >= 8, "{out}");
    assert!(
        out.contains("  differs          .postman/resources.yaml\n"),
        "{out}"
    );
    let template = read(&repo, ".postman/resources.yaml");
    assert!(
        template.starts_with(&format!(
            "# Use this workspace to collaborate\nworkspace:\n  id: {ws}\n"
        )),
        "{template}"
    );
    assert!(!template.contains("cloudResources"), "{template}");
    assert_eq!(
        status_lines(&sandbox, &repo),
        ["?? .postman/resources.yaml"]
    );

    // The recipe connect printed: Postman's files on top of ours, README kept.
    commit_all(&sandbox, &repo, "Connect");
    run_recipe(
        &sandbox,
        &repo,
        "git fetch postman && git merge -X theirs postman/main",
    );
    assert_eq!(read(&repo, "README.md"), "ours\n");
    let clone = clone_workspace(&fake, &sandbox, &ws, "clone");
    for path in [
        ".postman/resources.yaml",
        "postman/globals/workspace.globals.yaml",
    ] {
        assert_eq!(read(&repo, path), read(&clone, path), "{path}");
    }
}

#[test]
fn status_doctor_and_disconnect_of_a_workspace_remote() {
    let (fake, ws, sandbox, clone) = cloned_workspace();

    // The listings (no content downloaded) say Postman is unchanged since the clone.
    let spec = spec_id(&fake, "payments");
    let events = spec_id(&fake, "events");
    // One page per listing, so that the count is one request per listing.
    fake.with_state(|s| s.set_page_size(100));
    fake.clear_requests();
    let all: Value =
        serde_json::from_str(&postman_ok(&sandbox, &clone, &["status", "--json"])).unwrap();
    let mut paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    paths.sort();
    // The workspace asked once: the read starts from status's own look at it.
    let mut listings = vec![
        format!("GET /workspaces/{ws}"),
        "GET /specs".to_string(),
        format!("GET /specs/{spec}/files"),
        format!("GET /specs/{events}/files"),
        "GET /collections".to_string(),
        "GET /environments".to_string(),
        format!("GET /workspaces/{ws}/global-variables"),
    ];
    listings.sort();
    assert_eq!(paths, listings);
    assert_eq!(all["apis"], Value::Array(vec![]));
    let s = &all["workspaces"][0];
    assert_eq!(s["remote"], "origin");
    assert_eq!(s["workspaceId"], ws.as_str());
    assert_eq!(s["url"], workspace_url(&fake, &ws));
    assert_eq!(s["schemaDirectory"], "postman/specs");
    assert_eq!(s["collectionDirectory"], "postman/collections");
    assert_eq!(s["lastFetched"]["commit"], sandbox.rev(&clone, "HEAD"));
    assert_eq!(s["lastFetched"]["madeByFetch"], true);
    assert_eq!((&s["notPushed"], &s["notMerged"]), (&0.into(), &0.into()));
    assert_eq!(s["postman"]["state"], "unchanged");

    // Changed in Postman, and a commit here: both told.
    fake.with_state(|s| s.put_spec_file(&spec, MONEY, "type: integer\n"));
    write_files(&clone, &[("notes.txt", "x\n")]);
    commit_all(&sandbox, &clone, "notes");
    let table = postman_ok(&sandbox, &clone, &["status"]);
    let id = format!("{:<width$}", "ID", width = ws.len());
    assert!(
        table.starts_with(&format!("REMOTE  KIND       {id}  BRANCH  SCHEMA         ")),
        "the kind of remote is told, not an API: {table}"
    );
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.starts_with(&format!(
            "origin  workspace  {ws}  main    postman/specs  postman/collections  "
        )),
        "{table}"
    );
    assert!(
        row.contains("1 commit") && row.ends_with("changed"),
        "{table}"
    );
    assert!(
        table.ends_with("origin: Postman changed since the last fetch: git fetch origin\n"),
        "{table}"
    );

    // doctor takes the workspace URL as a remote's.
    let out = sandbox.git(&clone, ["postman", "doctor", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "remote origin")
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    assert_eq!(check["status"], "ok", "{check}");

    // disconnect: the remote and its state go; the files, the app's resources file and
    // Postman stay.
    let resources = read(&clone, ".postman/resources.yaml");
    fake.clear_requests();
    let out = postman_ok(
        &sandbox,
        &clone,
        &["disconnect", "--remote", "origin", "--yes"],
    );
    assert!(
        out.starts_with(&format!(
            "Disconnected remote origin (Postman workspace {ws}): removed its settings, "
        )),
        "{out}"
    );
    assert!(
        out.ends_with("Nothing changed in Postman; your files, commits and tags stay.\n"),
        "{out}"
    );
    assert!(fake.requests().is_empty(), "--yes asks Postman nothing");
    assert_eq!(sandbox.git_ok(&clone, ["remote"]), "");
    let refs = sandbox.git_ok(&clone, ["for-each-ref", "refs/postman/"]);
    assert_eq!(refs, "");
    assert!(!clone.join(".git/postman/origin").exists());
    assert_eq!(read(&clone, ".postman/resources.yaml"), resources);
    assert!(status_lines(&sandbox, &clone).is_empty());
}

/// An API or a workspace, as `git postman connect` takes it.
enum Kind {
    Api,
    Workspace,
}

impl Kind {
    /// The fake with one of this kind; its id, and connect's arguments for it.
    fn start(&self, fake: &FakePostman) -> (String, Vec<String>) {
        match self {
            Kind::Api => {
                let api = fake.with_state(|s| s.seed_sample());
                let url = postman_url(fake, &api);
                let args = ["connect", &url, "--schema-file", "openapi.yaml"].map(String::from);
                (api, args.to_vec())
            }
            Kind::Workspace => {
                let ws = fake.with_state(|s| s.seed_workspace());
                let base = fake.base_url();
                let args = ["connect", "--workspace", &ws, "--base-url", &base].map(String::from);
                (ws, args.to_vec())
            }
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Kind::Api => "API",
            Kind::Workspace => "workspace",
        }
    }
}

#[test]
fn refusals_every_kind_shares_write_nothing() {
    for kind in [Kind::Api, Kind::Workspace] {
        let fake = FakePostman::start();
        let (id, args) = kind.start(&fake);
        let sandbox = Sandbox::new();
        let repo = repo_with(&sandbox, "repo", &[("openapi.yaml", "openapi: 3.1.0\n")]);
        let connect = |extra: &[&str]| {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend_from_slice(extra);
            postman_fails(&sandbox, &repo, &all)
        };
        let noun = kind.noun();

        let stderr = connect(&["--remote", ".x"]);
        assert!(
            stderr.contains("\".x\" is not a usable remote name"),
            "{noun}: {stderr}"
        );
        sandbox.git_ok(
            &repo,
            ["remote", "add", "postman", "https://example.com/x.git"],
        );
        let stderr = connect(&[]);
        assert!(
            stderr.contains("remote postman already exists (https://example.com/x.git)"),
            "{noun}: {stderr}"
        );
        sandbox.git_ok(&repo, ["remote", "remove", "postman"]);
        assert!(!repo.join(".postman").exists(), "{noun}");

        let mut first: Vec<&str> = args.iter().map(String::as_str).collect();
        first.extend(["--remote", "first"]);
        postman_ok(&sandbox, &repo, &first);
        let stderr = connect(&["--remote", "again"]);
        assert!(
            stderr.contains(&format!("{noun} {id} is already connected as remote first")),
            "{noun}: {stderr}"
        );
        assert_eq!(sandbox.git_ok(&repo, ["remote"]), "first\n", "{noun}");
    }
}

#[test]
fn workspace_refusals_write_nothing() {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let api = fake.with_state(|s| s.create_api(None, "Pets"));
    let sandbox = Sandbox::new();
    let base = fake.base_url();
    let other = "0f0e0d0c-0b0a-4908-8706-050403020100";
    let repo = repo_with(
        &sandbox,
        "repo",
        &[(
            ".postman/resources.yaml",
            &format!("workspace:\n  id: {other}\n"),
        )],
    );
    let cases: [(&[&str], String); 5] = [
        (
            &["--workspace", &ws, "--base-url", &base],
            format!(".postman/resources.yaml belongs to workspace {other}, not {ws}"),
        ),
        (
            &["--workspace", other, "--base-url", &base],
            format!("no workspace {other} on {base}"),
        ),
        (
            &[
                "--workspace",
                &ws,
                "--base-url",
                &base,
                "--schema-file",
                "a.yaml",
            ],
            "--schema-file is for an API".into(),
        ),
        (
            &["--workspace", &format!("postman::{base}/apis/{api}")],
            "names an API, not a workspace".into(),
        ),
        (&["--base-url", &base], "required".into()),
    ];
    for (args, expected) in cases {
        let mut all = vec!["connect"];
        all.extend_from_slice(args);
        let stderr = postman_fails(&sandbox, &repo, &all);
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
        assert_eq!(sandbox.git_ok(&repo, ["remote"]), "", "{args:?}");
    }

    // An API whose collections are in Native Git's folder, on the same branch.
    std::fs::remove_file(repo.join(".postman/resources.yaml")).unwrap();
    write_files(&repo, &[("openapi.yaml", "openapi: 3.1.0\n")]);
    commit_all(&sandbox, &repo, "spec");
    let url = postman_url(&fake, &api);
    postman_ok(
        &sandbox,
        &repo,
        &["connect", &url, "--schema-file", "openapi.yaml"],
    );
    let all = [
        "connect",
        "--workspace",
        &ws,
        "--base-url",
        &base,
        "--remote",
        "ws",
    ];
    let stderr = postman_fails(&sandbox, &repo, &all);
    assert!(
        stderr.contains(&format!(
            "directory postman/collections is already mapped by remote postman (API {api})"
        )),
        "{stderr}"
    );
    assert_eq!(sandbox.git_ok(&repo, ["remote"]), "postman\n");
}

#[test]
#[cfg(target_os = "linux")]
fn disconnect_asks_for_the_workspace_s_name() {
    let (_fake, ws, sandbox, clone) = cloned_workspace();
    // The name comes from the clone's commit (`Postman: Payments`).
    let run = git_on_terminal(
        &sandbox,
        &clone,
        &["postman", "disconnect", "--remote", "origin"],
        "Type the workspace's name to confirm: ",
        "Payments",
    );
    assert!(run.success, "{}", run.screen);
    assert!(
        run.screen.contains(&format!(
            "This disconnects Postman workspace \"Payments\" ({ws}) from remote origin."
        )),
        "{}",
        run.screen
    );
    assert_eq!(sandbox.git_ok(&clone, ["remote"]), "");
}

#[test]
fn sync_regenerates_a_spec_s_collections_and_fetches_them() {
    let (fake, ws, sandbox, clone) = cloned_workspace();
    let generated = "Payments API (generated)";
    let uid = fake.with_state(|s| {
        let c = s.workspace_collections(&ws);
        c.iter()
            .find(|c| c.name() == generated)
            .unwrap()
            .uid
            .clone()
    });

    // Nothing changed: nothing to sync, and the fetch brings nothing.
    let out = postman_ok(&sandbox, &clone, &["sync", "payments"]);
    assert_eq!(
        out,
        format!(
            "Collection \"{generated}\" ({uid}) is in sync with spec \"payments\".\n\
             Fetched origin: nothing new in git.\n"
        )
    );

    // The spec moves to another server in Postman: its collection is out of sync, and
    // `sync` (naming the spec by its directory) brings it back through the 202 task.
    let spec = spec_id(&fake, "payments");
    let index = read(&clone, "postman/specs/payments/index.yaml");
    let v2 = index.replace("api.example.com/v1", "api.example.com/v2");
    assert_ne!(index, v2);
    fake.with_state(|s| s.put_spec_file(&spec, "index.yaml", &v2));
    fake.clear_requests();
    let out = postman_ok(&sandbox, &clone, &["sync", "postman/specs/payments"]);
    let fetched = sandbox.rev(&clone, "origin/main");
    assert_eq!(
        out,
        format!(
            "Synced collection \"{generated}\" ({uid}) with spec \"payments\".\n\
             Fetched origin/main: {} (git merge origin/main takes it).\n",
            &fetched[..7]
        )
    );
    let sync = format!("PUT /collections/{uid}/synchronizations");
    let requests = fake.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| format!("{} {}", r.method, r.path) == sync)
            .count(),
        1
    );
    assert!(
        requests.iter().any(|r| r.path.contains("/tasks/")),
        "the task is polled"
    );
    let in_collection = format!("postman/collections/{generated}");
    let grep = sandbox.git_ok(
        &clone,
        [
            "grep",
            "-l",
            "api.example.com/v2",
            "origin/main",
            "--",
            &in_collection,
        ],
    );
    assert!(!grep.is_empty(), "the regenerated collection is fetched");

    // A spec without a generated collection gets one, named after it.
    let refunds = "openapi: 3.0.3\ninfo:\n  title: Refunds\n  version: '1'\npaths: {}\n";
    fake.with_state(|s| {
        s.create_spec(
            &ws,
            "refunds",
            "OPENAPI:3.0",
            &[("openapi.yaml", refunds, true)],
        )
    });
    let out = postman_ok(&sandbox, &clone, &["sync", "refunds"]);
    let made = fake.with_state(|s| {
        let c = s.workspace_collections(&ws);
        c.iter()
            .find(|c| c.name() == "refunds")
            .map(|c| c.uid.clone())
    });
    let made = made.unwrap_or_else(|| panic!("{out}"));
    assert!(
        out.starts_with(&format!(
            "Generated collection \"refunds\" ({made}) from spec \"refunds\".\nFetched origin/main: "
        )),
        "{out}"
    );
    let tree = sandbox.git_ok(
        &clone,
        [
            "ls-tree",
            "--name-only",
            "origin/main",
            "postman/collections/",
        ],
    );
    assert!(tree.contains("postman/collections/refunds\n"), "{tree}");

    let stderr = postman_fails(&sandbox, &clone, &["sync", "nope"]);
    assert!(
        stderr.contains(&format!("workspace {ws} has no spec \"nope\"")),
        "{stderr}"
    );
}
