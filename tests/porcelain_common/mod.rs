//! What the `tests/porcelain_*.rs` share: repositories to connect, `git postman` runs
//! (with stdin, or on a pseudo-terminal), and the fake's content.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::fake_postman::{FakePostman, DEFAULT_USER};
use crate::support::git::{postman_url, Sandbox};

/// Writes `files` (path, content) under `root`, creating directories.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// A new repository `name` in the sandbox with `files`, committed.
pub fn repo_with(sandbox: &Sandbox, name: &str, files: &[(&str, &str)]) -> PathBuf {
    sandbox.git_ok(sandbox.path(), ["init", "-q", name]);
    let repo = sandbox.join(name);
    write_files(&repo, files);
    commit_all(sandbox, &repo, "start");
    repo
}

pub fn commit_all(sandbox: &Sandbox, repo: &Path, message: &str) {
    sandbox.git_ok(repo, ["add", "-A"]);
    sandbox.git_ok(repo, ["commit", "-qm", message, "--allow-empty"]);
}

/// Copies a directory tree (without `.git`), making the copies writable.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".git" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// `git postman <args>` in `repo`; panics unless it succeeds; returns stdout.
pub fn postman_ok(sandbox: &Sandbox, repo: &Path, args: &[&str]) -> String {
    let mut all = vec!["postman"];
    all.extend_from_slice(args);
    sandbox.git_ok(repo, &all)
}

/// `git postman <args>` in `repo`; panics if it succeeds; returns stderr.
pub fn postman_fails(sandbox: &Sandbox, repo: &Path, args: &[&str]) -> String {
    let mut all = vec!["postman"];
    all.extend_from_slice(args);
    let out = sandbox.git(repo, &all);
    assert!(
        !out.status.success(),
        "git postman {args:?} succeeded:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the git commands of a recipe connect printed (`git a && git b`) in `repo`.
pub fn run_recipe(sandbox: &Sandbox, repo: &Path, recipe: &str) {
    for step in recipe.split(" && ") {
        let args: Vec<&str> = step.split(' ').skip(1).collect();
        sandbox.git_ok(repo, &args);
    }
}

/// `git <args>` in `cwd` with `input` on stdin.
pub fn git_with_stdin(sandbox: &Sandbox, cwd: &Path, args: &[&str], input: &str) -> Output {
    let mut cmd = git_in_sandbox(sandbox, cwd, args, &[]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `git <args>` in `cwd` with the sandbox's environment only (less the variables in
/// `without`).
pub fn git_in_sandbox(sandbox: &Sandbox, cwd: &Path, args: &[&str], without: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(args).current_dir(cwd).env_clear();
    for (k, v) in &sandbox.env {
        if !without.contains(&k.as_str()) {
            cmd.env(k, v);
        }
    }
    cmd
}

/// What a run on a terminal showed (everything written to the terminal, echo included)
/// and how it ended.
pub struct TerminalRun {
    pub screen: String,
    pub success: bool,
}

/// Runs `git <args>` on a pseudo-terminal, types `answer` and Enter the instant `prompt`
/// is on the screen, and waits for the end. Terminal prompts are allowed for this run.
#[cfg(target_os = "linux")]
pub fn git_on_terminal(
    sandbox: &Sandbox,
    cwd: &Path,
    args: &[&str],
    prompt: &str,
    answer: &str,
) -> TerminalRun {
    let cmd = git_in_sandbox(sandbox, cwd, args, &["GIT_TERMINAL_PROMPT"]);
    let session = crate::support::pty::answer_prompt(cmd, prompt, format!("{answer}\r").as_bytes());
    assert!(session.answered, "no prompt {prompt:?}: {}", session.shown);
    TerminalRun {
        screen: session.shown,
        success: session.status.success(),
    }
}

/// A clone of `api` in the sandbox at `name` (the files Postman has, as fetch writes
/// them).
pub fn clone_of(fake: &FakePostman, sandbox: &Sandbox, api: &str, name: &str) -> PathBuf {
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-q", &postman_url(fake, api), name],
    );
    sandbox.join(name)
}

/// `git postman connect <api's postman:: URL> <options...>` in `repo`; its stdout.
pub fn connect_ok(
    sandbox: &Sandbox,
    fake: &FakePostman,
    repo: &Path,
    api: &str,
    options: &[&str],
) -> String {
    let url = postman_url(fake, api);
    let mut args = vec!["connect", url.as_str()];
    args.extend_from_slice(options);
    postman_ok(sandbox, repo, &args)
}

/// `git postman connect` of `api` as remote `remote`, its schema root `schema_file` and
/// its collections in `<remote>/collections`: one of several APIs by directories.
pub fn connect_in_dir(
    sandbox: &Sandbox,
    fake: &FakePostman,
    repo: &Path,
    remote: &str,
    api: &str,
    schema_file: &str,
) -> String {
    connect_ok(
        sandbox,
        fake,
        repo,
        api,
        &[
            "--remote",
            remote,
            "--schema-file",
            schema_file,
            "--collection-dir",
            &format!("{remote}/collections"),
        ],
    )
}

/// A repository with the sample API's files in Postman's default layout, but no
/// `.postman` files: what a team that copied them by hand has. Returns it and the clone
/// it was copied from.
pub fn copied_sample(fake: &FakePostman, sandbox: &Sandbox, api: &str) -> (PathBuf, PathBuf) {
    let clone = clone_of(fake, sandbox, api, "clone");
    let repo = repo_with(sandbox, "repo", &[("README.md", "ours\n")]);
    copy_tree(&clone.join("postman"), &repo.join("postman"));
    commit_all(sandbox, &repo, "our copy of the spec");
    (repo, clone)
}

/// Connects the [`copied_sample`] repository: the schema and collections in Postman's
/// default layout.
pub fn connect_sample(sandbox: &Sandbox, fake: &FakePostman, repo: &Path, api: &str) -> String {
    connect_ok(
        sandbox,
        fake,
        repo,
        api,
        &[
            "--schema-file",
            "postman/schemas/index.yaml",
            "--collection-dir",
            "postman/collections",
        ],
    )
}

/// A new API "Empty", and a new repository `repo` with an `openapi.yaml` connected to it
/// (remote `postman`). Returns the API's id and the repository.
pub fn connected_empty_api(fake: &FakePostman, sandbox: &Sandbox) -> (String, PathBuf) {
    let api = fake.with_state(|s| s.create_api(None, "Empty"));
    let repo = repo_with(sandbox, "repo", &[("openapi.yaml", "openapi: 3.1.0\n")]);
    connect_ok(
        sandbox,
        fake,
        &repo,
        &api,
        &["--schema-file", "openapi.yaml"],
    );
    (api, repo)
}

/// Two APIs in one repository, each its own remote (`payments` and `sms`).
pub struct TwoApis {
    pub fake: FakePostman,
    pub payments: String,
    pub sms: String,
    pub sandbox: Sandbox,
    pub repo: PathBuf,
}

/// A collection file as a user would write it (no Postman ids).
pub fn collection_json(name: &str) -> String {
    format!(
        "{{\n\t\"info\": {{\n\t\t\"name\": \"{name}\",\n\t\t\"schema\": \"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\"\n\t}},\n\t\"item\": [\n\t\t{{\n\t\t\t\"name\": \"List\",\n\t\t\t\"request\": {{\n\t\t\t\t\"method\": \"GET\",\n\t\t\t\t\"url\": \"https://api.example.com/{name}\"\n\t\t\t}}\n\t\t}}\n\t]\n}}"
    )
}

/// `git ls-files` plus untracked files: `git status --porcelain` lines, sorted.
pub fn status_lines(sandbox: &Sandbox, repo: &Path) -> Vec<String> {
    let mut lines: Vec<String> = sandbox
        .git_ok(repo, ["status", "--porcelain", "--untracked-files=all"])
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Every ref under `prefix`.
pub fn refs_under(sandbox: &Sandbox, repo: &Path, prefix: &str) -> Vec<String> {
    sandbox
        .git_ok(repo, ["for-each-ref", "--format=%(refname)", prefix])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The value of a git config key, if set.
pub fn config(sandbox: &Sandbox, repo: &Path, key: &str) -> Option<String> {
    let out = sandbox.git(repo, ["config", "--get", key]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The requests the fake received since it was last cleared, as `METHOD /path?query`.
pub fn requests_made(fake: &FakePostman) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect()
}

pub const SMS_SPEC: &str = "openapi: 3.0.3
info:
  title: SMS API
  version: 1.0.0
paths:
  /messages:
    post:
      requestBody:
        content:
          application/json:
            schema:
              $ref: schemas/message.yaml
      responses:
        '202':
          description: queued
";
pub const MESSAGE: &str = "type: object\nproperties:\n  to:\n    type: string\n";

/// The fake with the sample Payments API and a small SMS API. Returns (payments, sms).
pub fn two_apis(fake: &FakePostman) -> (String, String) {
    fake.with_state(|s| {
        let payments = s.seed_sample();
        let sms = s.create_api(None, "SMS API");
        s.create_schema(&sms, None, "openapi:3");
        s.put_schema_file_with_root(&sms, "openapi.yaml", SMS_SPEC, Some(true));
        s.put_schema_file(&sms, "schemas/message.yaml", MESSAGE);
        s.create_collection(
            &sms,
            DEFAULT_USER,
            None,
            serde_json::json!({
                "info": {"name": "SMS", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                "item": [{"name": "Send", "request": {"method": "POST", "url": "https://sms.example.com/messages"}}]
            }),
        );
        (payments, sms)
    })
}

/// Copies a clone's `postman/schemas` and `postman/collections` to `<dir>/schemas` and
/// `<dir>/collections` of `repo`.
pub fn copy_api_files(clone: &Path, repo: &Path, dir: &str) {
    copy_tree(
        &clone.join("postman/schemas"),
        &repo.join(format!("{dir}/schemas")),
    );
    copy_tree(
        &clone.join("postman/collections"),
        &repo.join(format!("{dir}/collections")),
    );
}

/// One branch, `payments/` and `sms/`, both connected, committed and fetched.
pub fn by_directories() -> TwoApis {
    let fake = FakePostman::start();
    let (payments, sms) = two_apis(&fake);
    let sandbox = Sandbox::new();
    let payments_clone = clone_of(&fake, &sandbox, &payments, "payments-clone");
    let sms_clone = clone_of(&fake, &sandbox, &sms, "sms-clone");
    let repo = repo_with(&sandbox, "repo", &[("README.md", "two APIs\n")]);
    copy_api_files(&payments_clone, &repo, "payments");
    copy_api_files(&sms_clone, &repo, "sms");
    commit_all(&sandbox, &repo, "both specs");

    for (remote, api, root) in [
        ("payments", &payments, "index.yaml"),
        ("sms", &sms, "openapi.yaml"),
    ] {
        let schema_file = format!("{remote}/schemas/{root}");
        let out = connect_in_dir(&sandbox, &fake, &repo, remote, api, &schema_file);
        assert!(
            out.contains("Postman has exactly these files"),
            "{remote}: {out}"
        );
    }
    let mut ids = [payments.clone(), sms.clone()];
    ids.sort();
    assert_eq!(
        std::fs::read_to_string(repo.join(".postman/api")).unwrap(),
        format!("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY\napis[] = {{\"apiId\":\"{}\"}}\napis[] = {{\"apiId\":\"{}\"}}\nconfigVersion = 1.0.0\ntype = api\n", ids[0], ids[1]),
        "every API listed, sorted"
    );
    commit_all(&sandbox, &repo, "Connect both");
    for remote in ["payments", "sms"] {
        sandbox.git_ok(&repo, ["fetch", "-q", remote]);
        assert_eq!(
            sandbox.rev(&repo, &format!("{remote}/main")),
            sandbox.rev(&repo, "HEAD"),
            "{remote}: in sync, the first fetch reports the commit"
        );
    }
    TwoApis {
        fake,
        payments,
        sms,
        sandbox,
        repo,
    }
}
