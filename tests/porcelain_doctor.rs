//! `git postman doctor` with the real git, the fake Postman API and a real keyring
//! (keyutils): a healthy setup passes every check; each broken setup fails its own check
//! with a fix, and the exit status says so; `--json` gives the same verdicts.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::fake_postman::FakePostman;
use support::git::{postman_url, Sandbox};

const PORCELAIN: &str = env!("CARGO_BIN_EXE_git-postman");

struct Setup {
    _fake: FakePostman,
    sandbox: Sandbox,
    repo: PathBuf,
}

/// A clone of the sample API, an apps file with one forge whose credential.helper is
/// postman, keys from POSTMAN_API_KEY (the sandbox's).
fn healthy() -> Setup {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let mut sandbox = Sandbox::new();
    // A system apps file of this test's own (none).
    let system = sandbox.join("system-apps.yaml");
    sandbox.set_env("GIT_POSTMAN_SYSTEM_APPS", Some(system.to_str().unwrap()));
    sandbox.git_ok(
        sandbox.path(),
        ["clone", "-q", &postman_url(&fake, &api), "clone"],
    );
    let dir = sandbox.join("home/.config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("apps.yaml"),
        "apps:\n  - name: Lab\n    provider: gitlab\n    url: https://gitlab.example.com\n    client_id: lab\n",
    )
    .unwrap();
    for (key, value) in [
        ("credential.helper", "cache"),
        ("credential.https://gitlab.example.com.helper", "postman"),
        ("credential.postmanStore", "keyutils"),
    ] {
        sandbox.git_ok(sandbox.path(), ["config", "--global", "--add", key, value]);
    }
    let repo = sandbox.join("clone");
    Setup {
        _fake: fake,
        sandbox,
        repo,
    }
}

/// `git-postman doctor <args>` in `cwd` with the sandbox's environment (the binary by its
/// path, so that a PATH without the helpers still runs it).
fn doctor(sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(PORCELAIN);
    cmd.arg("doctor")
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(sandbox.env.iter().map(|(k, v)| (k, v)));
    cmd.output().unwrap()
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_healthy_setup_passes_every_check() {
    let s = healthy();
    let out = doctor(&s.sandbox, &s.repo, &[]);
    let report = lines(&out);
    assert!(
        out.status.success(),
        "{report:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for check in [
        "helpers",
        "git version",
        "apps file",
        "credential.helper for https://gitlab.example.com",
        "keyring",
        "remote origin",
        "Postman API key for http://127.0.0.1",
    ] {
        assert!(
            report
                .iter()
                .any(|l| l.starts_with(&format!("ok    {check}"))),
            "{check}: {report:#?}"
        );
    }
    assert!(
        report.iter().all(|l| l.starts_with("ok    ")),
        "{report:#?}"
    );

    let out = doctor(&s.sandbox, &s.repo, &["--json"]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], true);
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), report.len());
    assert!(checks
        .iter()
        .all(|c| c["status"] == "ok" && c.get("fix").is_none()));
}

/// One broken part: how to break it, the check that must fail, words of its detail and fix.
struct Broken {
    what: &'static str,
    breaks: fn(&mut Setup),
    check: &'static str,
    detail: &'static str,
    fix: &'static str,
}

#[test]
fn each_broken_setup_fails_its_check_with_the_fix() {
    let cases = [
        Broken {
            what: "helpers missing from PATH",
            breaks: |s| {
                // The sandbox's PATH without its first entry, the helpers' directory.
                let path = s.sandbox.env.iter().find(|(k, _)| k == "PATH").unwrap().1.clone();
                let rest = path.split_once(':').unwrap().1.to_string();
                s.sandbox.set_env("PATH", Some(&rest));
            },
            check: "helpers",
            detail: "git-remote-postman, git-credential-postman, git-postman not in `git --exec-path` nor on PATH",
            fix: "put its directory (~/.cargo/bin) on the PATH",
        },
        Broken {
            what: "a bad apps file",
            breaks: |s| {
                let file = s.sandbox.join("home/.config/git-postman/apps.yaml");
                std::fs::write(file, "apps:\n  - name: Lab\n    provider: gitlub\n").unwrap();
            },
            check: "apps file",
            detail: "git-postman/apps.yaml",
            fix: "correct the file",
        },
        Broken {
            what: "a wrong API key",
            breaks: |s| s.sandbox.set_env("POSTMAN_API_KEY", Some("PMAK-wrong")),
            check: "Postman API key for http://127.0.0.1",
            detail: "Postman rejected the key from POSTMAN_API_KEY (401",
            fix: "set POSTMAN_API_KEY to a valid key",
        },
        Broken {
            what: "a bad remote URL",
            breaks: |s| {
                s.sandbox
                    .git_ok(&s.repo, ["remote", "add", "broken", "postman::https://api.getpostman.com/apis/"]);
            },
            check: "remote broken",
            detail: "is not a Postman URL",
            fix: "git remote set-url broken postman::",
        },
        Broken {
            what: "a helper asked before postman",
            breaks: |s| {
                s.sandbox.git_ok(
                    s.sandbox.path(),
                    ["config", "--global", "--add", "credential.helper", "store"],
                );
                // The URL's own entry comes after and does not reset the list.
            },
            check: "credential.helper for https://gitlab.example.com",
            detail: "`store` is asked before postman",
            fix: "credential.https://gitlab.example.com.helper \"\"",
        },
    ];
    for case in cases {
        let mut s = healthy();
        (case.breaks)(&mut s);
        let out = doctor(&s.sandbox, &s.repo, &[]);
        let report = lines(&out);
        assert_eq!(out.status.code(), Some(128), "{}: {report:#?}", case.what);
        let failed: Vec<&String> = report.iter().filter(|l| l.starts_with("FAIL")).collect();
        assert_eq!(failed.len(), 1, "{}: {report:#?}", case.what);
        let line = failed[0];
        assert!(
            line.starts_with(&format!("FAIL  {}", case.check)),
            "{}: {line}",
            case.what
        );
        let (detail, fix) = line.split_once("; fix: ").expect("a fix");
        assert!(detail.contains(case.detail), "{}: {line}", case.what);
        assert!(fix.contains(case.fix), "{}: {line}", case.what);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("fatal: 1 of "),
            "{}: {stderr}",
            case.what
        );

        let json: Value =
            serde_json::from_slice(&doctor(&s.sandbox, &s.repo, &["--json"]).stdout).unwrap();
        assert_eq!(json["ok"], false, "{}", case.what);
        let bad: Vec<&Value> = json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "fail")
            .collect();
        assert_eq!(bad.len(), 1, "{}", case.what);
        assert!(bad[0]["fix"].as_str().unwrap().contains(case.fix));
    }
}
