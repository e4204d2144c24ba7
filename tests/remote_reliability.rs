//! The remote helper when things go wrong: git processes at the same moment (an IDE's
//! background fetch during a push, two pushes), answers lost or cut or replaced on the
//! way (a fault-injecting proxy in front of the fake Postman API), hostile data from the
//! server, hostile lines from git.

#[path = "support/credential/mod.rs"]
mod credential_support;
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use git_postman::layout::json::stringify_tab;
use git_postman::postman::client::{Client, MAX_ANSWER_BYTES};
use git_postman::postman::ApiKey;
use serde_json::Value;
use support::backend::Backend;
use support::fake_postman::{FakePostman, API_KEY};
use support::fault_proxy::{Fault, FaultProxy};
use support::git::Sandbox;

/// A clone of the sample API made through a proxy, so that faults can be injected.
struct Setup {
    fake: FakePostman,
    proxy: FaultProxy,
    api: String,
    sandbox: Sandbox,
    repo: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let fake = FakePostman::start();
        let api = fake.with_state(|s| s.seed_sample());
        let proxy = FaultProxy::start(&format!("127.0.0.1:{}", fake.port()));
        let mut sandbox = Sandbox::new();
        // Short, so that a stalled answer costs a test little.
        sandbox.set_env("GIT_POSTMAN_HTTP_TIMEOUT", Some("3"));
        let url = format!("postman::{}/apis/{api}", proxy.base_url());
        sandbox.git_ok(sandbox.path(), ["clone", "-q", &url, "clone"]);
        let repo = sandbox.join("clone");
        Setup {
            fake,
            proxy,
            api,
            sandbox,
            repo,
        }
    }

    fn git(&self, args: &[&str]) -> (bool, String) {
        let out = self.sandbox.git(&self.repo, args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, stderr) = self.git(args);
        assert!(ok, "git {args:?}: {stderr}");
        stderr
    }

    fn commit_all(&self, message: &str) {
        self.ok(&["add", "-A"]);
        self.ok(&["commit", "-qm", message]);
    }

    /// A new collection file, as a user writes it (no ids), and an edit of index.yaml.
    fn add_refunds_and_edit_index(&self) {
        std::fs::write(
            self.repo.join("postman/collections/Refunds.json"),
            r#"{"info": {"name": "Refunds", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                "item": [{"name": "Refund", "request": {"method": "POST", "url": "https://api.example.com/refunds"}}]}"#,
        )
        .unwrap();
        self.append_to_index("# edited in git\n");
    }

    fn append_to_index(&self, text: &str) {
        let index = self.repo.join("postman/schemas/index.yaml");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(index)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    /// How many of the API's collections are named `name` in Postman.
    fn collections_named(&self, name: &str) -> usize {
        self.fake.with_state(|st| {
            let api = st.api(&self.api).unwrap();
            api.collections
                .iter()
                .filter(|u| st.collection(u).unwrap().name() == name)
                .count()
        })
    }

    fn index_in_postman(&self) -> String {
        self.fake.schema_content(&self.api, "index.yaml")
    }

    /// Postman, R and the repository agree: a fetch reports `commit` itself (nothing to
    /// pull), a push has nothing to send, and Postman's index.yaml is the commit's.
    fn consistent_at(&self, commit: &str) {
        self.ok(&["fetch", "-q"]);
        assert_eq!(self.sandbox.rev(&self.repo, "origin/main"), commit);
        let stderr = self.ok(&["push"]);
        assert!(stderr.contains("Everything up-to-date"), "{stderr}");
        let index = self.sandbox.git_ok(
            &self.repo,
            [
                "show".to_string(),
                format!("{commit}:postman/schemas/index.yaml"),
            ],
        );
        assert_eq!(self.index_in_postman(), index);
        assert!(
            !self.repo.join(".git/postman/origin/journal.json").exists(),
            "a finished push leaves no journal"
        );
    }

    fn spawn_git(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.repo)
            .args(args)
            .env_clear()
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in &self.sandbox.env {
            cmd.env(k, v);
        }
        cmd.spawn().unwrap()
    }
}

fn finished(child: std::process::Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits until the proxy has seen a request whose `METHOD path` starts with `prefix`.
fn wait_for_request(proxy: &FaultProxy, prefix: &str) {
    for _ in 0..600 {
        if proxy.log().iter().any(|r| r.starts_with(prefix)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no {prefix} request came: {:?}", proxy.log());
}

/// Runs git with `first` and, once its creation of a collection is under way (slowed
/// down), with `second`: an IDE's background command while the user's runs. Both must
/// succeed.
fn at_the_same_moment(s: &Setup, first: &[&str], second: &[&str]) {
    s.proxy.fail_next(
        "POST",
        "/collections",
        Fault::Delay(Duration::from_millis(1500)),
    );
    let one = s.spawn_git(first);
    wait_for_request(&s.proxy, "POST ");
    let two = s.spawn_git(second);
    let (one_ok, one_err) = finished(one);
    let (two_ok, two_err) = finished(two);
    assert!(
        one_ok && two_ok,
        "{first:?}: {one_err}\n{second:?}: {two_err}"
    );
    assert_eq!(s.collections_named("Refunds"), 1);
}

#[test]
fn a_fetch_during_a_push_waits_for_it_and_nothing_is_created_twice() {
    let s = Setup::new();
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    let head = s.sandbox.rev(&s.repo, "HEAD");
    at_the_same_moment(&s, &["push", "-q"], &["fetch", "-q"]);
    s.consistent_at(&head);
}

#[test]
fn two_pushes_at_the_same_moment_take_turns() {
    let s = Setup::new();
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    let first = s.sandbox.rev(&s.repo, "HEAD");
    s.append_to_index("# second\n");
    s.commit_all("second");
    let second = s.sandbox.rev(&s.repo, "HEAD");
    // The second waits for the first, then pushes on top of it.
    at_the_same_moment(
        &s,
        &["push", "-q", "origin", &format!("{first}:refs/heads/main")],
        &["push", "-q", "origin", &format!("{second}:refs/heads/main")],
    );
    s.consistent_at(&second);
}

/// Postman made the collection, and the answer never came back whole.
fn a_lost_answer_to_a_create_is_finished_by_pushing_again(fault: Fault) {
    let s = Setup::new();
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    let head = s.sandbox.rev(&s.repo, "HEAD");
    s.proxy.fail_next("POST", "/collections", fault.clone());
    let (ok, stderr) = s.git(&["push"]);
    assert!(!ok, "{fault:?}: the push cannot know it worked");
    let reason: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[remote rejected]"))
        .collect();
    assert_eq!(reason.len(), 1, "{fault:?}: {stderr}");
    assert_eq!(s.collections_named("Refunds"), 1, "{fault:?}");

    // The IDE's fetch shows nothing half-done to merge, and says what to do.
    let before = s.sandbox.rev(&s.repo, "origin/main");
    let stderr = s.ok(&["fetch"]);
    assert!(
        stderr.contains("a push to Postman stopped half-way"),
        "{stderr}"
    );
    assert_eq!(s.sandbox.rev(&s.repo, "origin/main"), before);

    let before = s.proxy.count();
    s.ok(&["push"]);
    let writes: Vec<String> = s.proxy.log()[before..]
        .iter()
        .filter(|r| !r.starts_with("GET"))
        .cloned()
        .collect();
    assert!(
        writes.iter().all(|w| !w.starts_with("POST")),
        "{fault:?}: created again: {writes:?}"
    );
    assert_eq!(s.collections_named("Refunds"), 1, "{fault:?}");
    s.consistent_at(&head);
}

#[test]
fn a_create_answered_500_after_postman_made_it_is_finished_by_pushing_again() {
    a_lost_answer_to_a_create_is_finished_by_pushing_again(Fault::ServerErrorAfterWork);
}

#[test]
fn a_create_whose_connection_broke_is_finished_by_pushing_again() {
    a_lost_answer_to_a_create_is_finished_by_pushing_again(Fault::ResetAfterWork);
}

#[test]
fn a_create_whose_answer_was_cut_is_finished_by_pushing_again() {
    a_lost_answer_to_a_create_is_finished_by_pushing_again(Fault::Truncated);
}

#[test]
fn a_journal_that_does_not_parse_is_an_error_naming_it() {
    let s = Setup::new();
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    let journal = s.repo.join(".git/postman/origin/journal.json");
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    std::fs::write(&journal, "{\"base\": ").unwrap();
    let (ok, stderr) = s.git(&["push"]);
    assert!(!ok);
    assert!(
        stderr.contains("cannot read the push journal") && stderr.contains("journal.json"),
        "{stderr}"
    );
    assert_eq!(s.collections_named("Refunds"), 0, "nothing was sent");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "{\"base\": ",
        "kept"
    );
}

#[test]
fn a_read_that_fails_once_is_repeated_and_a_create_refused_with_503_is_not() {
    let s = Setup::new();
    for fault in [
        Fault::ResetAfterWork,
        Fault::ServerErrorAfterWork,
        Fault::Truncated,
    ] {
        s.proxy.fail_next("GET", "/collections/", fault);
        s.ok(&["fetch", "-q"]);
    }
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    s.proxy
        .fail_next("POST", "/collections", Fault::Unavailable);
    let (ok, stderr) = s.git(&["push"]);
    assert!(
        !ok && stderr.contains("Postman answered 503 to POST"),
        "{stderr}"
    );
    let posts = s
        .proxy
        .log()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "a POST is not repeated after a 503");
    assert_eq!(s.collections_named("Refunds"), 0);
    // A 429 is: Postman refused it before doing anything.
    s.proxy
        .fail_next("POST", "/collections", Fault::RateLimited);
    s.ok(&["push", "-q"]);
    assert_eq!(s.collections_named("Refunds"), 1);
}

#[test]
fn a_write_answered_by_something_else_than_postman_is_not_taken_as_done() {
    let s = Setup::new();
    let collection = first_collection_file(&s.repo);
    let mut value: Value = serde_json::from_slice(&std::fs::read(&collection).unwrap()).unwrap();
    value["item"][0]["name"] = Value::String("Edited in git".into());
    std::fs::write(&collection, stringify_tab(&value)).unwrap();
    s.commit_all("edit a collection");
    let head = s.sandbox.rev(&s.repo, "HEAD");
    s.proxy.fail_next("PUT", "/collections/", Fault::NotJson);
    let (ok, stderr) = s.git(&["push"]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("answer to PUT /collections/")
            && stderr.contains("does not confirm the write (it is not JSON)"),
        "{stderr}"
    );
    s.ok(&["push", "-q"]);
    s.consistent_at(&head);
}

fn first_collection_file(repo: &Path) -> PathBuf {
    let dir = repo.join("postman/collections");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.remove(0)
}

/// Runs the helper as git does (`git remote-postman origin <url>` in the clone), with
/// `input` on stdin and `env` added; returns its exit code, stdout and stderr.
fn helper(s: &Setup, input: &[u8], env: &[(&str, &str)]) -> (i32, String, String) {
    let url = format!("postman::{}/apis/{}", s.proxy.base_url(), s.api);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-remote-postman"));
    cmd.current_dir(&s.repo)
        .args(["origin", &url])
        .env_clear()
        .env("GIT_DIR", s.repo.join(".git"));
    for (k, v) in s
        .sandbox
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(env.iter().copied())
    {
        cmd.env(k, v);
    }
    let out = credential_support::run_with_input(cmd, input);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn options_with_values_they_do_not_take_are_errors_as_git_expects() {
    let s = Setup::new();
    let input = "option dry-run maybe\noption dry-run true\noption progress yes\noption verbosity x\noption nonsense 1\n\n";
    let (code, stdout, _) = helper(&s, input.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "error dry-run takes true or false, not \"maybe\"",
            "ok",
            "error progress takes true or false, not \"yes\"",
            "error verbosity takes a number, not \"x\"",
            "unsupported",
        ]
    );
}

#[test]
fn a_megabyte_of_unknown_command_is_not_echoed_whole() {
    let s = Setup::new();
    let line = "x".repeat(1 << 20) + "\n";
    let (code, _, stderr) = helper(&s, line.as_bytes(), &[]);
    assert_eq!(code, 128);
    assert!(
        stderr.starts_with(
            "fatal: the conversation with git: a line of 1048576 bytes, longer than 65536: \"xxx"
        ),
        "{}",
        &stderr[..stderr.len().min(300)]
    );
    assert!(stderr.len() < 300, "{} bytes", stderr.len());
}

#[test]
fn an_api_key_with_a_control_character_is_named_as_such_and_not_shown() {
    let s = Setup::new();
    let key = format!("{API_KEY}\u{1}");
    let (code, _, stderr) = helper(&s, b"list\n", &[("POSTMAN_API_KEY", &key)]);
    assert_eq!(code, 128);
    assert!(
        stderr.contains("the Postman API key cannot be sent: it contains a character that an HTTP header cannot carry"),
        "{stderr}"
    );
    assert!(!stderr.contains(API_KEY), "{stderr}");
}

/// A clone through the proxy that fails; returns git's stderr.
fn clone_fails(s: &Setup, name: &str) -> String {
    let url = format!("postman::{}/apis/{}", s.proxy.base_url(), s.api);
    let (_, stderr) = s
        .sandbox
        .git_fails(s.sandbox.path(), ["clone", "-q", &url, name]);
    assert!(!s.sandbox.join(name).exists(), "git removes a failed clone");
    stderr
}

#[test]
fn hostile_answers_are_refused_with_one_clear_line() {
    let s = Setup::new();
    let api_path = format!("/apis/{}", s.api);
    let deep = |open: &str, close: &str| open.repeat(100_000) + &close.repeat(100_000);
    let cases: Vec<(&str, &str, u16, String, &str)> =
        vec![
        (
            "GET",
            "/collections/",
            200,
            format!("{{\"collection\":{}}}", deep("{\"a\":", "}")),
            "the collection nests deeper than 128 levels",
        ),
        (
            "GET",
            &api_path,
            200,
            format!("{{\"id\":\"x\",\"name\":\"n\",\"gitInfo\":{}}}", deep("[", "]")),
            "is not what the API documents: recursion limit exceeded",
        ),
        (
            "GET",
            "/collections/",
            400,
            r#"{"error":{"name":"x","message":"\u001b[2J\u001b]0;pwned\u0007\nfatal: all good"}}"#
                .to_string(),
            r"x: \u{1b}[2J\u{1b}]0;pwned\u{7}\u{a}fatal: all good",
        ),
    ];
    for (i, (method, path, status, body, expected)) in cases.into_iter().enumerate() {
        s.proxy
            .fail_next(method, path, Fault::Answer(status, body.into()));
        let stderr = clone_fails(&s, &format!("hostile{i}"));
        assert!(stderr.contains(expected), "case {i}: {stderr}");
        let fatal: Vec<&str> = stderr.lines().filter(|l| !l.is_empty()).collect();
        assert!(
            fatal.len() <= 2 && !stderr.contains('\u{1b}'),
            "case {i}: one clear line (and git's own): {stderr}"
        );
    }
}

/// A collection name JavaScript holds but a Rust string cannot (a lone UTF-16 surrogate,
/// valid JSON) is cloned, its file keeping it escaped as Postman's own writer does.
#[test]
fn a_lone_surrogate_in_a_collection_name_is_cloned_as_javascript_writes_it() {
    let s = Setup::new();
    let (uid, body) = s.fake.with_state(|st| {
        let c = st
            .collection(&st.api(&s.api).unwrap().collections[0])
            .unwrap();
        let body = serde_json::json!({"collection": c.served().decorated()}).to_string();
        let name = serde_json::to_string(c.name()).unwrap();
        (
            c.uid.clone(),
            body.replacen(&name, r#""Lone \ud800 name""#, 1),
        )
    });
    s.proxy.fail_next(
        "GET",
        &format!("/collections/{uid}"),
        Fault::Answer(200, body.into()),
    );
    let url = format!("postman::{}/apis/{}", s.proxy.base_url(), s.api);
    s.sandbox
        .git_ok(s.sandbox.path(), ["clone", "-q", &url, "lone"]);
    let dir = s.sandbox.join("lone/postman/collections");
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|text| text.contains(&uid))
        .collect();
    assert_eq!(files.len(), 1, "one file for {uid}");
    assert!(
        files[0].contains(r#""name": "Lone \ud800 name","#),
        "{}",
        files[0]
    );
}

#[test]
fn schema_paths_that_differ_only_in_case_are_refused() {
    let s = Setup::new();
    s.fake
        .with_state(|st| st.put_schema_file(&s.api, "paths/Refunds.yaml", "post: {}\n"));
    let stderr = clone_fails(&s, "case");
    assert!(
        stderr.contains(
            r#"schema files "paths/Refunds.yaml" and "paths/refunds.yaml" differ only in case"#
        ) || stderr.contains(
            r#"schema files "paths/refunds.yaml" and "paths/Refunds.yaml" differ only in case"#
        ),
        "{stderr}"
    );
}

/// The push of the fault matrix: a schema file edited, one added (reached by a `$ref`),
/// one deleted, a collection edited, one added, one deleted, and a tag (a version).
fn representative_push(s: &Setup) {
    s.add_refunds_and_edit_index();
    s.append_to_index("x-refund:\n  $ref: components/schemas/Refund.yaml\n");
    std::fs::write(
        s.repo
            .join("postman/schemas/components/schemas/Refund.yaml"),
        "type: object\n",
    )
    .unwrap();
    let index = s.repo.join("postman/schemas/index.yaml");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, text.replace("$ref: paths/refunds.yaml", "{}")).unwrap();
    s.ok(&["rm", "-q", "postman/schemas/paths/refunds.yaml"]);
    s.ok(&["rm", "-q", "postman/collections/QA/Smoke tests.json"]);
    let collection = first_collection_file(&s.repo);
    let mut value: Value = serde_json::from_slice(&std::fs::read(&collection).unwrap()).unwrap();
    value["item"][0]["name"] = Value::String("Edited in git".into());
    std::fs::write(&collection, stringify_tab(&value)).unwrap();
    s.commit_all("representative change");
    s.ok(&["tag", "-a", "v9", "-m", "release notes"]);
}

const PUSH: [&str; 4] = ["push", "origin", "main", "v9"];

/// One cell of the push matrix; `Err` says what was inconsistent.
fn push_with_fault(n: usize, fault: &Fault) -> Result<(), String> {
    let s = Setup::new();
    representative_push(&s);
    let head = s.sandbox.rev(&s.repo, "HEAD");
    s.proxy.fail_request(s.proxy.count() + n, fault.clone());
    let (ok, stderr) = s.git(&PUSH);
    check_failure(ok, &stderr)?;
    // git's refs never claim a state Postman does not have.
    let r = s.sandbox.rev(&s.repo, "refs/postman/origin/heads/main");
    if !ok && r == head {
        check_postman_has(&s, &head).map_err(|e| format!("R is ahead of Postman: {e}"))?;
    }
    let (again, stderr) = s.git(&PUSH);
    if !again {
        return Err(format!("the same push again failed: {stderr}"));
    }
    check_postman_has(&s, &head)?;
    s.ok(&["fetch", "-q", "--tags"]);
    let fetched = s.sandbox.rev(&s.repo, "origin/main");
    let tag = s
        .sandbox
        .git_ok(&s.repo, ["ls-remote", "origin", "refs/tags/v9"]);
    match (
        fetched == head,
        tag.starts_with(&s.sandbox.rev(&s.repo, "v9")),
    ) {
        (true, true) => Ok(()),
        _ => Err(format!(
            "a fetch after it shows {fetched}, not {head}; v9: {tag}"
        )),
    }
}

/// A failure is one clear line from the helper, never a panic.
fn check_failure(ok: bool, stderr: &str) -> Result<(), String> {
    let fatal = stderr.lines().filter(|l| l.starts_with("fatal:")).count();
    match ok || (fatal <= 1 && !stderr.contains("panicked") && !stderr.trim().is_empty()) {
        true => Ok(()),
        false => Err(format!("not one clear line: {stderr}")),
    }
}

/// Postman holds exactly the commit's schema root, one collection per name, one v9.
fn check_postman_has(s: &Setup, commit: &str) -> Result<(), String> {
    let index = s.sandbox.git_ok(
        &s.repo,
        [
            "show".to_string(),
            format!("{commit}:postman/schemas/index.yaml"),
        ],
    );
    let (refunds, smoke, versions) = s.fake.with_state(|st| {
        let api = st.api(&s.api).unwrap();
        let named = |n: &str| {
            api.collections
                .iter()
                .filter(|u| st.collection(u).unwrap().name() == n)
                .count()
        };
        let v9 = api.versions.iter().filter(|v| v.name == "v9").count();
        (named("Refunds"), named("Smoke tests"), v9)
    });
    match (s.index_in_postman() == index, refunds, smoke, versions) {
        (true, 1, 0, 0 | 1) => Ok(()),
        other => Err(format!(
            "Postman has (index as pushed, Refunds, Smoke tests, v9) = {other:?}"
        )),
    }
}

/// The requests a command makes without faults.
fn points(command: impl Fn(&Setup)) -> usize {
    let s = Setup::new();
    let before = s.proxy.count();
    command(&s);
    s.proxy.count() - before
}

/// Every fault at every request of a representative push and of a clone. Slow (a fresh
/// clone per cell, a stall waits out the client's timeout): `cargo test --test
/// remote_reliability -- --ignored`.
#[test]
#[ignore]
fn fault_matrix() {
    let faults = Fault::matrix(Duration::from_secs(4));
    let push_points = points(|s| {
        representative_push(s);
        s.ok(&PUSH);
    });
    let clone_points = points(|s| {
        let url = format!("postman::{}/apis/{}", s.proxy.base_url(), s.api);
        s.sandbox
            .git_ok(s.sandbox.path(), ["clone", "-q", &url, "again"]);
    });
    let mut failures = Vec::new();
    let mut cells = 0;
    for fault in &faults {
        for n in 1..=push_points {
            cells += 1;
            if let Err(e) = push_with_fault(n, fault) {
                failures.push(format!("push, {fault:?} at request {n}: {e}"));
            }
        }
        for n in 1..=clone_points {
            cells += 1;
            if let Err(e) = clone_with_fault(n, fault) {
                failures.push(format!("clone, {fault:?} at request {n}: {e}"));
            }
        }
    }
    println!(
        "{} faults x {} points (push {push_points}, clone {clone_points}): {}/{cells} consistent",
        faults.len(),
        push_points + clone_points,
        cells - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One cell of the clone matrix: the clone succeeds, or fails with one line and the
/// same clone again gives exactly the commit a clone without faults gives.
fn clone_with_fault(n: usize, fault: &Fault) -> Result<(), String> {
    let s = Setup::new();
    let url = format!("postman::{}/apis/{}", s.proxy.base_url(), s.api);
    let expected = s.sandbox.rev(&s.repo, "HEAD");
    s.proxy.fail_request(s.proxy.count() + n, fault.clone());
    let out = s
        .sandbox
        .git(s.sandbox.path(), ["clone", "-q", &url, "faulted"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    check_failure(out.status.success(), &stderr)?;
    let dir = match out.status.success() {
        true => "faulted",
        false => {
            s.sandbox
                .git_ok(s.sandbox.path(), ["clone", "-q", &url, "again"]);
            "again"
        }
    };
    let got = s.sandbox.rev(&s.sandbox.join(dir), "HEAD");
    match got == expected {
        true => Ok(()),
        false => Err(format!("cloned {got}, Postman's state is {expected}")),
    }
}

#[test]
fn a_schema_file_nested_100000_deep_is_kept_verbatim_and_refused_on_push() {
    let s = Setup::new();
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    s.fake
        .with_state(|st| st.put_schema_file(&s.api, "deep.json", &deep));
    s.ok(&["pull", "-q"]);
    assert_eq!(
        std::fs::read_to_string(s.repo.join("postman/schemas/deep.json")).unwrap(),
        deep
    );
    s.append_to_index("x-deep:\n  $ref: deep.json\n");
    s.commit_all("reference deep.json");
    let (ok, stderr) = s.git(&["push"]);
    assert!(!ok, "{stderr}");
    // Refused by the depth check before the YAML parser took seconds to say the same.
    assert!(
        stderr.contains(
            "(postman/schemas/deep.json: not valid JSON or YAML: it nests deeper than 1024 levels)"
        ),
        "{stderr}"
    );
}

/// A read refused twice (429 with its `Retry-After`, then 503) waits as the answers ask
/// before each repeat, through the client's injected sleep: the test spends no wall time.
#[test]
fn retries_wait_as_asked_through_the_injected_sleep() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let proxy = FaultProxy::start(&format!("127.0.0.1:{}", fake.port()));
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let noted = waits.clone();
    let base = url::Url::parse(&proxy.base_url()).unwrap();
    let client = Client::new(base, ApiKey::new(API_KEY))
        .unwrap()
        .with_sleep(std::sync::Arc::new(move |d| noted.lock().unwrap().push(d)));
    proxy.fail_next("GET", "/apis/", Fault::RateLimited);
    proxy.fail_next("GET", "/apis/", Fault::Unavailable);
    assert_eq!(client.api(&api).unwrap().id, api);
    assert_eq!(
        *waits.lock().unwrap(),
        [Duration::from_secs(1), Duration::from_millis(1000)],
        "Retry-After: 1, then the second back-off (500 ms doubled)"
    );
    assert_eq!(proxy.log().len(), 3);
}

/// An answer over the cap, announced (the fake's own answer, with its length) or not (a
/// chunked answer that never ends), is refused as such: reading stops at the cap.
#[test]
fn an_answer_larger_than_the_cap_is_not_read() {
    for fault in [None, Some(Fault::Endless)] {
        let fake = FakePostman::start();
        let api = fake.with_state(|s| s.seed_sample());
        let proxy = FaultProxy::start(&format!("127.0.0.1:{}", fake.port()));
        let base = url::Url::parse(&proxy.base_url()).unwrap();
        let client = Client::new(base, ApiKey::new(API_KEY))
            .unwrap()
            .with_max_answer(2048);
        let uid = client.api(&api).unwrap().collections[0].id.clone();
        if let Some(fault) = &fault {
            proxy.fail_next("GET", "/collections/", fault.clone());
        }
        let err = client.collection(&uid).err().expect("over the cap");
        assert_eq!(
            err.to_string(),
            format!("Postman's answer to GET /collections/{uid} is larger than 2048 bytes, more than Postman's own limits allow (collections up to 100 MB, schema files up to 10 MB); not read"),
            "{fault:?}"
        );
        assert!(client
            .with_max_answer(MAX_ANSWER_BYTES)
            .collection(&uid)
            .is_ok());
    }
}

/// The processes below `pid` (through every thread's children).
#[cfg(target_os = "linux")]
fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            out.push(child);
            out.extend(descendants(child));
        }
    }
    out
}

#[cfg(target_os = "linux")]
#[test]
fn a_push_whose_helper_is_killed_during_a_create_is_finished_by_pushing_again() {
    let s = Setup::new();
    s.add_refunds_and_edit_index();
    s.commit_all("refunds");
    let head = s.sandbox.rev(&s.repo, "HEAD");
    // Postman gets the creation after the helper is gone.
    s.proxy.fail_next(
        "POST",
        "/collections",
        Fault::Delay(Duration::from_millis(1000)),
    );
    let push = s.spawn_git(&["push", "-q"]);
    wait_for_request(&s.proxy, "POST ");
    let helper = descendants(push.id())
        .into_iter()
        .find(|pid| {
            // By argv[0], not comm: the helper is `git-postman` run under that name.
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|argv| {
                let argv0 = argv.split(|&b| b == 0).next().unwrap_or_default();
                argv0.ends_with(b"git-remote-postman")
            })
        })
        .expect("the helper runs");
    // SIGKILL: nothing of the helper runs after it.
    let killed = Command::new("kill")
        .args(["-KILL", &helper.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let (ok, _) = finished(push);
    assert!(!ok);
    for _ in 0..500 {
        if s.collections_named("Refunds") == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(s.collections_named("Refunds"), 1, "Postman made it");
    s.ok(&["fsck", "--no-progress"]);
    let before = s.proxy.count();
    s.ok(&["push", "-q"]);
    assert!(
        s.proxy.log()[before..]
            .iter()
            .all(|r| !r.starts_with("POST")),
        "created again"
    );
    assert_eq!(s.collections_named("Refunds"), 1);
    s.consistent_at(&head);
}

/// A tag whose publication lost its answer after Postman made the version (or tagged the
/// first of a workspace's specs) is finished by pushing it again: one version, every spec
/// tagged once, the tag listed as pushed, a fetch with nothing to change.
fn a_lost_publication_is_finished_by_pushing_the_tag_again(backend: Backend) {
    for fault in [Fault::ServerErrorAfterWork, Fault::ResetAfterWork] {
        let r = backend.start();
        let proxy = FaultProxy::start(&format!("127.0.0.1:{}", r.fake.port()));
        let proxied = r.url().replace(&r.fake.base_url(), &proxy.base_url());
        r.sandbox
            .git_ok(&r.repo, ["remote", "set-url", "origin", &proxied]);
        r.sandbox
            .git_ok(&r.repo, ["tag", "-a", "v9.0.0", "-m", "release"]);
        let publication = match backend {
            Backend::Api(_) => "/versions",
            Backend::Workspace => "/version-tags",
        };
        proxy.fail_next("POST", publication, fault.clone());
        let out = r.sandbox.git(&r.repo, ["push", "origin", "v9.0.0"]);
        assert!(!out.status.success(), "{fault:?}: the answer was lost");
        // A fetch meanwhile (an IDE's) says what to do, and changes nothing.
        let out = r.sandbox.git(&r.repo, ["fetch", "origin"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.contains("push the tag again to finish it"),
            "{fault:?}: {stderr}"
        );
        let out = r.sandbox.git(&r.repo, ["push", "origin", "v9.0.0"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{fault:?}: {stderr}");
        // Every object that carries versions has exactly one of this name.
        let counts: Vec<usize> = r.fake.with_state(|s| match backend {
            Backend::Api(_) => vec![s
                .api(&r.id)
                .unwrap()
                .versions
                .iter()
                .filter(|v| v.name == "v9.0.0")
                .count()],
            Backend::Workspace => {
                s.ws.specs
                    .values()
                    .map(|spec| spec.tags.iter().filter(|t| t.name == "v9.0.0").count())
                    .collect()
            }
        });
        assert!(
            !counts.is_empty() && counts.iter().all(|&n| n == 1),
            "{fault:?}: {counts:?}"
        );
        // Git sent the tag again (it was not listed), and the helper finished it.
        assert!(stderr.contains("[new tag]"), "{fault:?}: {stderr}");
        let listed = r
            .sandbox
            .git_ok(&r.repo, ["ls-remote", "origin", "refs/tags/v9.0.0"]);
        let tag = r.sandbox.rev(&r.repo, "v9.0.0");
        assert_eq!(listed, format!("{tag}\trefs/tags/v9.0.0\n"), "{fault:?}");
        let out = r.sandbox.git(&r.repo, ["fetch", "--tags", "origin"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "{fault:?}: {stderr}"
        );
        assert_eq!(r.sandbox.rev(&r.repo, "v9.0.0"), tag);
    }
}

for_both_backends!(a_lost_publication_is_finished_by_pushing_the_tag_again);
