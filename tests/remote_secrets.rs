//! The Postman API key never leaks from the remote helper: with the key in the
//! credential store (git-credential-postman on a real keyring, not `POSTMAN_API_KEY`), a
//! login, clone, fetch, push and tag push run with every git trace on, and the key is in
//! none of their output, trace files, files written, or the command lines and
//! environments of the processes they start (sampled from `/proc` while they run).
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod credential_support;
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use credential_support::{text, Keyring, Kind};
use support::fake_postman::{FakePostman, API_KEY};
use support::git::{postman_url, Sandbox};
use support::leaks::{assert_no_secret_in, files_below, ProcessSampler};

/// Every trace git has: to stderr (`=1`) where the brief of issue 13 asks for it, to
/// files for the trace2 formats.
fn traced(sandbox: &Sandbox, traces: &Path, cwd: &Path, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new("git");
    cmd.current_dir(cwd).args(args).env_clear();
    for (k, v) in &sandbox.env {
        cmd.env(k, v);
    }
    cmd.env("GIT_TRACE", "1")
        .env("GIT_TRACE_PACKET", "1")
        .env("GIT_TRACE_CURL", "1")
        .env("GIT_CURL_VERBOSE", "1")
        .env("GIT_TRACE2", traces.join("trace2"))
        .env("GIT_TRACE2_EVENT", traces.join("trace2-event"))
        .env("GIT_TRACE2_PERF", traces.join("trace2-perf"));
    cmd.stdin(Stdio::piped());
    credential_support::run_with_input(cmd, stdin.as_bytes())
}

#[test]
fn the_api_key_from_the_credential_store_is_in_no_output_trace_file_or_process() {
    let Some(keyring) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let base = fake.base_url();
    keyring.forget_on_drop(base.trim_start_matches("http://"));
    let mut sandbox = Sandbox::new();
    sandbox.set_env("POSTMAN_API_KEY", None);
    for (key, value) in [
        ("credential.helper", "postman"),
        ("credential.postmanStore", "keyutils"),
    ] {
        sandbox.git_ok(sandbox.path(), ["config", "--global", key, value]);
    }
    let traces = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str], stdin: &str| {
        let out = traced(&sandbox, traces.path(), cwd, args, stdin);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let repo = sandbox.join("clone");
    let url = postman_url(&fake, &api);

    let sampler = ProcessSampler::start();
    let runs = [
        run(
            sandbox.path(),
            &["postman", "login", "--with-key-stdin", "--base-url", &base],
            &format!("{API_KEY}\n"),
        ),
        run(
            sandbox.path(),
            &["clone", "-v", "--progress", &url, "clone"],
            "",
        ),
        {
            // Postman changes, so the fetch has something to bring.
            let index = fake.schema_content(&api, "index.yaml");
            fake.with_state(|s| s.put_schema_file(&api, "index.yaml", &(index + "# in Postman\n")));
            run(&repo, &["fetch", "-v", "--progress"], "")
        },
        run(&repo, &["merge", "-q", "--ff-only", "origin/main"], ""),
        {
            let index = repo.join("postman/schemas/index.yaml");
            let text = std::fs::read_to_string(&index).unwrap() + "# in git\n";
            std::fs::write(&index, text).unwrap();
            run(&repo, &["commit", "-qam", "edited in git"], "");
            run(&repo, &["push", "-v", "--progress"], "")
        },
        {
            run(&repo, &["tag", "-a", "v9", "-m", "release"], "");
            run(&repo, &["push", "-v", "origin", "v9"], "")
        },
    ];
    let sampled = sampler.finish();

    // The key was used, from the store: Postman saw it, the index reached it, and the
    // helper asked `git credential fill` (traced) rather than the environment.
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.api_key.as_deref() == Some(API_KEY)));
    assert!(fake
        .schema_content(&api, "index.yaml")
        .ends_with("# in git\n"));
    let events = std::fs::read_to_string(traces.path().join("trace2-event")).unwrap();
    assert!(
        events.contains(r#""credential","fill""#),
        "no credential fill traced"
    );
    assert!(
        events.contains("remote-postman"),
        "the helper's start is not traced"
    );
    // The sampler saw the helper run, and what git gave it.
    assert!(
        sampled
            .argv
            .iter()
            .any(|a| a.contains("git-remote-postman")),
        "{:?}",
        sampled.argv
    );
    assert!(
        runs.iter()
            .any(|r| String::from_utf8_lossy(&r.stderr).contains("trace: ")),
        "GIT_TRACE=1 wrote nothing"
    );

    let mut places: Vec<(String, String)> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        places.push((format!("stdout of run {i}"), text(&r.stdout)));
        places.push((format!("stderr of run {i}"), text(&r.stderr)));
    }
    places.extend(sampled.argv.into_iter().map(|a| (format!("argv {a}"), a)));
    places.extend(
        sampled
            .environ
            .into_iter()
            .map(|e| ("a process's environment".to_string(), e)),
    );
    // The traces, and every file in HOME and the repository (git config, the helper's
    // state under .git/postman, the clone).
    for dir in [traces.path(), sandbox.path()] {
        places.extend(
            files_below(dir)
                .into_iter()
                .map(|(p, text)| (p.display().to_string(), text)),
        );
    }
    let checked = assert_no_secret_in(&places, &[API_KEY]);
    eprintln!("the API key checked in {checked} places");
}
