//! Several APIs in one repository, each its own remote: by directories on one branch,
//! or by branches. A fetch or push of one API never touches another's files.

mod porcelain_common;
mod support;

use std::path::Path;

use porcelain_common::*;
use support::fake_postman::FakePostman;
use support::git::{postman_url, Sandbox};

fn changed_paths(sandbox: &Sandbox, repo: &Path, a: &str, b: &str) -> Vec<String> {
    sandbox
        .git_ok(repo, ["diff", "--name-only", a, b])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn two_apis_by_directories_fetch_and_push_only_their_own_files() {
    let TwoApis {
        fake,
        payments,
        sms,
        sandbox,
        repo,
    } = by_directories();

    // Postman changes SMS: fetching Payments sees nothing, fetching SMS touches only
    // SMS's file.
    fake.with_state(|s| s.put_schema_file(&sms, "schemas/message.yaml", "type: object\n"));
    let head = sandbox.rev(&repo, "HEAD");
    sandbox.git_ok(&repo, ["fetch", "-q", "payments"]);
    assert_eq!(sandbox.rev(&repo, "payments/main"), head);
    sandbox.git_ok(&repo, ["fetch", "-q", "sms"]);
    assert_eq!(
        changed_paths(&sandbox, &repo, "HEAD", "sms/main"),
        ["sms/schemas/schemas/message.yaml"]
    );
    sandbox.git_ok(&repo, ["merge", "-q", "sms/main"]);

    // A Payments edit pushed: only Payments' API is written to, SMS stays as it was.
    let error = "payments/schemas/components/schemas/Error.yaml";
    std::fs::write(repo.join(error), "type: object\ndescription: changed\n").unwrap();
    commit_all(&sandbox, &repo, "payments: describe errors");
    fake.clear_requests();
    sandbox.git_ok(&repo, ["push", "-q", "payments", "main"]);
    let requests = fake.requests();
    let writes: Vec<String> = requests
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].starts_with(&format!("PUT /apis/{payments}/schemas/"))
            && writes[0].ends_with("/files/components/schemas/Error.yaml"),
        "{writes:?}"
    );
    assert!(
        !requests.iter().any(|r| r.path.contains(&sms)),
        "the push looked at the other API: {requests:?}"
    );
    assert_eq!(
        fake.schema_content(&sms, "schemas/message.yaml"),
        "type: object\n"
    );

    // The next fetch of either creates nothing: Payments reports the pushed commit,
    // SMS the commit it reported before (which HEAD has merged).
    let head = sandbox.rev(&repo, "HEAD");
    let sms_before = sandbox.rev(&repo, "sms/main");
    for remote in ["payments", "sms"] {
        sandbox.git_ok(&repo, ["fetch", "-q", remote]);
    }
    assert_eq!(sandbox.rev(&repo, "payments/main"), head);
    assert_eq!(sandbox.rev(&repo, "sms/main"), sms_before);
    sandbox.git_ok(&repo, ["merge-base", "--is-ancestor", "sms/main", "HEAD"]);

    fake.clear_requests();
    let table = postman_ok(&sandbox, &repo, &["status"]);
    let requests = requests_made(&fake);
    assert_eq!(
        requests,
        [
            format!("GET /apis/{payments}?"),
            format!("GET /apis/{sms}?")
        ],
        "status asks Postman once per API"
    );
    for row in [
        format!("payments  api   {payments}  main"),
        format!("sms       api   {sms}  main"),
    ] {
        assert!(table.contains(&row), "{row:?} not in\n{table}");
    }
}

#[test]
fn a_third_api_may_not_take_another_api_s_files() {
    let TwoApis {
        fake,
        payments,
        sms,
        sandbox,
        repo,
    } = by_directories();
    let third = fake.with_state(|s| s.create_api(None, "Third"));
    write_files(
        &repo,
        &[
            (
                "third/openapi.yaml",
                "openapi: 3.1.0\nx:\n  $ref: ../sms/schemas/schemas/message.yaml\n",
            ),
            ("third/api.yaml", "openapi: 3.1.0\n"),
        ],
    );
    let url = postman_url(&fake, &third);
    for (args, expected) in [
        (
            vec!["--schema-file", "sms/schemas/openapi.yaml", "--collection-dir", "third/c"],
            format!("schema file sms/schemas/openapi.yaml is already mapped by remote sms (API {sms})"),
        ),
        (
            vec!["--schema-file", "third/api.yaml", "--collection-dir", "payments/collections/QA"],
            format!("collection directory payments/collections/QA is already mapped by remote payments (API {payments})"),
        ),
        (
            vec!["--schema-file", "third/api.yaml", "--collection-dir", "sms"],
            "collection directory sms is already mapped by remote sms".to_string(),
        ),
        (
            vec!["--schema-file", "third/openapi.yaml", "--collection-dir", "third/c"],
            "leaves the root file's directory (third)".to_string(),
        ),
    ] {
        let mut all = vec!["connect", url.as_str(), "--remote", "third"];
        all.extend(args.iter());
        let stderr = postman_fails(&sandbox, &repo, &all);
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
    }
    assert!(config(&sandbox, &repo, "remote.third.url").is_none());
    // Apart, it is fine.
    postman_ok(
        &sandbox,
        &repo,
        &[
            "connect",
            &url,
            "--remote",
            "third",
            "--schema-file",
            "third/api.yaml",
            "--collection-dir",
            "third/collections",
        ],
    );
}

#[test]
fn two_apis_by_branches() {
    let fake = FakePostman::start();
    let (payments, sms) = two_apis(&fake);
    let sandbox = Sandbox::new();
    let payments_clone = clone_of(&fake, &sandbox, &payments, "payments-clone");
    let sms_clone = clone_of(&fake, &sandbox, &sms, "sms-clone");
    let repo = repo_with(&sandbox, "repo", &[("README.md", "by branches\n")]);
    copy_tree(&payments_clone.join("postman"), &repo.join("postman"));
    commit_all(&sandbox, &repo, "payments spec");
    let connect = |remote: &str, api: &str, root: &str, branch: &str| {
        postman_ok(
            &sandbox,
            &repo,
            &[
                "connect",
                &postman_url(&fake, api),
                "--remote",
                remote,
                "--branch",
                branch,
                "--schema-file",
                &format!("postman/schemas/{root}"),
                "--collection-dir",
                "postman/collections",
            ],
        )
    };
    connect("payments", &payments, "index.yaml", "main");
    commit_all(&sandbox, &repo, "Connect payments");

    // The same paths on another branch hold the other API.
    sandbox.git_ok(&repo, ["switch", "-q", "-c", "sms-api"]);
    std::fs::remove_dir_all(repo.join("postman")).unwrap();
    copy_tree(&sms_clone.join("postman"), &repo.join("postman"));
    commit_all(&sandbox, &repo, "sms spec");
    let stderr = postman_fails(
        &sandbox,
        &repo,
        &[
            "connect",
            &postman_url(&fake, &sms),
            "--remote",
            "sms",
            "--branch",
            "main",
            "--schema-file",
            "postman/schemas/openapi.yaml",
        ],
    );
    assert!(
        stderr.contains("--branch main: check it out first (HEAD is sms-api)"),
        "{stderr}"
    );
    let out = connect("sms", &sms, "openapi.yaml", "sms-api");
    assert!(out.contains("Postman has exactly these files"), "{out}");
    assert!(out.contains("git push sms sms-api:main"), "{out}");
    commit_all(&sandbox, &repo, "Connect sms");
    sandbox.git_ok(&repo, ["fetch", "-q", "sms"]);
    assert_eq!(
        sandbox.rev(&repo, "sms/main"),
        sandbox.rev(&repo, "sms-api")
    );

    // From main, a change of SMS in Postman lands on top of the SMS branch only.
    sandbox.git_ok(&repo, ["switch", "-q", "main"]);
    fake.with_state(|s| s.put_schema_file(&sms, "schemas/message.yaml", "type: object\n"));
    sandbox.git_ok(&repo, ["fetch", "-q", "sms"]);
    assert_eq!(
        sandbox.rev(&repo, "sms/main^"),
        sandbox.rev(&repo, "sms-api")
    );
    assert_eq!(
        changed_paths(&sandbox, &repo, "sms-api", "sms/main"),
        ["postman/schemas/schemas/message.yaml"]
    );
    sandbox.git_ok(&repo, ["fetch", "-q", "payments"]);
    assert_eq!(
        sandbox.rev(&repo, "payments/main"),
        sandbox.rev(&repo, "main")
    );

    let status: serde_json::Value =
        serde_json::from_str(&postman_ok(&sandbox, &repo, &["status", "--json"])).unwrap();
    let rows = status["apis"].as_array().unwrap();
    let row = |remote: &str| rows.iter().find(|r| r["remote"] == remote).unwrap().clone();
    assert_eq!(row("payments")["branch"], "main");
    assert_eq!(row("sms")["branch"], "sms-api");
    assert_eq!(row("sms")["notMerged"], 1, "{status}");
    assert_eq!(row("sms")["notPushed"], 0, "{status}");
    assert_eq!(row("payments")["notMerged"], 0, "{status}");
}
