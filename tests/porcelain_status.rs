//! `git postman status` through a connection's life: connected, fetched, a local commit,
//! a change in Postman (seen with one request), fetched, merged and pushed.

mod porcelain_common;
mod support;

use std::path::Path;

use porcelain_common::*;
use serde_json::Value;
use support::fake_postman::FakePostman;
use support::git::{postman_url, Sandbox};

fn status_json(sandbox: &Sandbox, repo: &Path) -> Value {
    let out = postman_ok(sandbox, repo, &["status", "--json"]);
    let all: Value = serde_json::from_str(&out).unwrap();
    let apis = all["apis"].as_array().unwrap();
    assert_eq!(apis.len(), 1, "{all}");
    apis[0].clone()
}

#[test]
fn status_follows_a_connection_through_its_life() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    let (repo, _) = copied_sample(&fake, &sandbox, &api);
    connect_sample(&sandbox, &fake, &repo, &api);

    // Connected, never fetched: no request needed to say so.
    fake.clear_requests();
    let s = status_json(&sandbox, &repo);
    assert_eq!(s["remote"], "postman");
    assert_eq!(s["apiId"], api.as_str());
    assert_eq!(s["url"], postman_url(&fake, &api));
    assert_eq!(s["branch"], "main");
    assert_eq!(s["schemaRootFile"], "postman/schemas/index.yaml");
    assert_eq!(s["schemaDirectory"], "postman/schemas");
    assert_eq!(s["collectionDirectory"], "postman/collections");
    assert_eq!(s["lastFetched"], Value::Null);
    assert_eq!(s["postman"]["state"], "not-fetched");
    assert!(fake.requests().is_empty());
    let table = postman_ok(&sandbox, &repo, &["status"]);
    let api_column = |cell: &str| format!("{cell:<width$}", width = api.len());
    assert_eq!(
        table,
        format!(
            "REMOTE   KIND  {}  BRANCH  SCHEMA                      COLLECTIONS          LAST FETCHED  NOT PUSHED  NOT MERGED  POSTMAN\n\
             postman  api   {api}  main    postman/schemas/index.yaml  postman/collections  never         -           -           not-fetched\n\
             postman: nothing fetched yet: git fetch postman\n",
            api_column("ID")
        )
    );

    // Fetched (in sync: R is our commit): nothing to push or merge, Postman unchanged,
    // with exactly one request.
    commit_all(&sandbox, &repo, "Connect");
    sandbox.git_ok(&repo, ["fetch", "-q", "postman"]);
    fake.clear_requests();
    let s = status_json(&sandbox, &repo);
    let requests = requests_made(&fake);
    assert_eq!(requests, [format!("GET /apis/{api}?")]);
    assert_eq!(s["lastFetched"]["commit"], sandbox.rev(&repo, "HEAD"));
    assert_eq!(s["notPushed"], 0);
    assert_eq!(s["notMerged"], 0);
    assert_eq!(s["postman"]["state"], "unchanged");

    // A local commit is not pushed yet.
    std::fs::write(
        repo.join("postman/schemas/components/schemas/Error.yaml"),
        "type: object\ndescription: ours\n",
    )
    .unwrap();
    commit_all(&sandbox, &repo, "describe errors");
    assert_eq!(status_json(&sandbox, &repo)["notPushed"], 1);

    // Someone edits the API in Postman: status sees it without fetching.
    fake.with_state(|st| st.put_schema_file(&api, "paths/refunds.yaml", "post: {}\n"));
    let s = status_json(&sandbox, &repo);
    assert_eq!(s["postman"]["state"], "changed");
    let table = postman_ok(&sandbox, &repo, &["status"]);
    let time = s["lastFetched"]["time"].as_str().unwrap();
    assert_eq!(
        table,
        format!(
            "REMOTE   KIND  {}  BRANCH  SCHEMA                      COLLECTIONS          LAST FETCHED          NOT PUSHED  NOT MERGED  POSTMAN\n\
             postman  api   {api}  main    postman/schemas/index.yaml  postman/collections  {time}  1 commit    0 commits   changed\n\
             postman: Postman changed since the last fetch: git fetch postman\n",
            api_column("ID")
        )
    );
    // --offline asks nothing.
    fake.clear_requests();
    let offline: Value = serde_json::from_str(&postman_ok(
        &sandbox,
        &repo,
        &["status", "--json", "--offline"],
    ))
    .unwrap();
    assert_eq!(offline["apis"][0]["postman"]["state"], "not-checked");
    assert!(fake.requests().is_empty());

    // Fetched: the change waits to be merged; Postman is seen unchanged again.
    sandbox.git_ok(&repo, ["fetch", "-q", "postman"]);
    let s = status_json(&sandbox, &repo);
    assert_eq!(s["notMerged"], 1);
    assert_eq!(s["notPushed"], 1);
    assert_eq!(s["postman"]["state"], "unchanged");
    assert_eq!(s["lastFetched"]["madeByFetch"], true);

    // Merged and pushed: in step; Postman's new updatedAt is unknown until a fetch.
    sandbox.git_ok(&repo, ["merge", "-q", "postman/main"]);
    sandbox.git_ok(&repo, ["push", "-q", "postman", "main"]);
    let s = status_json(&sandbox, &repo);
    assert_eq!(s["notPushed"], 0);
    assert_eq!(s["notMerged"], 0);
    assert_eq!(s["lastFetched"]["madeByFetch"], false);
    assert_eq!(s["postman"]["state"], "unknown");
    sandbox.git_ok(&repo, ["fetch", "-q", "postman"]);
    assert_eq!(
        status_json(&sandbox, &repo)["postman"]["state"],
        "unchanged"
    );
    assert_eq!(
        sandbox.rev(&repo, "postman/main"),
        sandbox.rev(&repo, "HEAD")
    );
}

#[test]
fn status_of_a_clone_and_of_a_repository_without_apis() {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    // `git clone postman::…` made the remote: no postman* keys, the layout comes from
    // the fetched .postman/api_<id>, the branch from its upstream.
    let clone = clone_of(&fake, &sandbox, &api, "clone");
    let s = status_json(&sandbox, &clone);
    assert_eq!(s["remote"], "origin");
    assert_eq!(s["branch"], "main");
    assert_eq!(s["schemaRootFile"], "postman/schemas/index.yaml");
    assert_eq!(s["postman"]["state"], "unchanged");
    let title = "Postman: Payments API";
    assert_eq!(
        sandbox
            .git_ok(&clone, ["log", "-1", "--format=%s", "origin/main"])
            .trim(),
        title
    );

    let plain = repo_with(&sandbox, "plain", &[("a", "b")]);
    let out = postman_ok(&sandbox, &plain, &["status"]);
    assert!(
        out.starts_with("No Postman API is connected here."),
        "{out}"
    );
    let stderr = postman_fails(&sandbox, &plain, &["status", "--remote", "nope"]);
    assert!(stderr.contains("no remote nope"), "{stderr}");
}
