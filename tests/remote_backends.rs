//! git's side of the remote helper, written once over the Backend/Layout seam, with the
//! real git against the fake Postman API for every kind of remote (the API Builder in
//! both collection formats, a v12 workspace): determinism, one commit per change, fetch
//! first, non-fast-forward, force and lease, dry-run, an interrupted push finished,
//! an unchanged tree pushed without a write.

#[macro_use]
mod support;

use support::backend::{Backend, Other, Remote};
use support::fake_postman::Fault;

for_both_backends!(
    two_independent_clones_have_identical_commit_ids,
    fetch_without_change_downloads_nothing_and_makes_no_commit,
    each_change_in_postman_is_exactly_one_commit,
    a_concurrent_postman_edit_is_fetch_first_and_nothing_is_written,
    rewritten_history_is_non_fast_forward_until_forced,
    force_with_lease_pushes_when_the_lease_holds_and_not_when_stale,
    dry_run_writes_nothing,
    an_interrupted_push_is_finished_by_pushing_again_without_creating_twice,
    a_push_of_an_unchanged_tree_writes_nothing_and_leaves_nothing_to_fetch,
    an_edit_is_pushed_and_the_next_fetch_has_nothing_new,
    a_spec_file_changed_in_postman_while_a_push_runs_stays_a_change_to_fetch,
    a_collection_changed_in_postman_while_a_push_runs_stays_a_change_to_fetch,
);

fn two_independent_clones_have_identical_commit_ids(backend: Backend) {
    let r = backend.start();
    r.clone_into("second");
    let second = r.sandbox.join("second");
    let tags = r.sandbox.git_ok(&r.repo, ["tag", "-l"]);
    assert_eq!(tags, r.sandbox.git_ok(&second, ["tag", "-l"]));
    let tags = tags.lines().map(|t| format!("{t}^{{}}"));
    for rev in ["HEAD".to_string(), "HEAD^{tree}".into()]
        .into_iter()
        .chain(tags)
    {
        assert_eq!(r.rev(&rev), r.sandbox.rev(&second, &rev), "{rev}");
    }
}

fn fetch_without_change_downloads_nothing_and_makes_no_commit(backend: Backend) {
    let r = backend.start();
    let before = r.rev("origin/main");
    r.sandbox.git_ok(&r.repo, ["fetch"]);
    assert_eq!(r.rev("origin/main"), before);
    let count = r
        .sandbox
        .git_ok(&r.repo, ["rev-list", "--count", "origin/main"]);
    assert_eq!(count.trim(), "1");
    // A schema or spec file: listed, not downloaded again.
    let downloads: Vec<String> = r
        .fake
        .requests()
        .into_iter()
        .filter(|q| q.path.contains("/files/"))
        .map(|q| q.path)
        .collect();
    assert!(downloads.is_empty(), "{downloads:?}");
}

fn each_change_in_postman_is_exactly_one_commit(backend: Backend) {
    let r = backend.start();
    for (step, text) in ["type: object\n", "type: number\n"].into_iter().enumerate() {
        let before = r.rev("HEAD");
        let path = r.change_in_postman(text);
        r.sandbox.git_ok(&r.repo, ["pull", "-q", "--ff-only"]);
        assert_eq!(
            r.rev("HEAD^"),
            before,
            "step {step}: one commit on the last"
        );
        let diff = r
            .sandbox
            .git_ok(&r.repo, ["diff", "--name-status", &before, "HEAD"]);
        assert_eq!(diff, format!("M\t{path}\n"), "step {step}");
        assert_eq!(std::fs::read_to_string(r.repo.join(path)).unwrap(), text);
    }
}

fn a_concurrent_postman_edit_is_fetch_first_and_nothing_is_written(backend: Backend) {
    let r = backend.start();
    r.change_in_postman("type: string\n");
    r.commit_edit("openapi: 3.0.0\ninfo: {}\n", false);
    let stderr = r.push_refused(&["push"]);
    assert!(
        stderr.contains(" ! [rejected]        main -> main (fetch first)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Updates were rejected because the remote contains work"),
        "{stderr}"
    );
}

fn rewritten_history_is_non_fast_forward_until_forced(backend: Backend) {
    let r = backend.start();
    let text = "openapi: 3.0.0\ninfo: {}\n";
    r.commit_edit(text, true);
    let stderr = r.push_refused(&["push"]);
    assert!(
        stderr.contains(" ! [rejected]        main -> main (non-fast-forward)\n"),
        "{stderr}"
    );

    let out = r.sandbox.git(&r.repo, ["push", "-f"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("(forced update)"), "{stderr}");
    assert_eq!(r.edited_in_postman(), text);
}

fn force_with_lease_pushes_when_the_lease_holds_and_not_when_stale(backend: Backend) {
    let r = backend.start();
    // A fetch that moves origin/main gives it a reflog entry, which git's
    // --force-if-includes check reads (a fresh clone's remote-tracking ref has none).
    r.change_in_postman("type: object\n");
    r.sandbox.git_ok(&r.repo, ["pull", "-q", "--ff-only"]);
    r.commit_edit("openapi: 3.0.0\ninfo: {}\n", true);
    // VS Code's "Force Push" runs exactly this.
    r.sandbox.git_ok(
        &r.repo,
        ["push", "--force-with-lease", "--force-if-includes"],
    );
    assert_eq!(r.edited_in_postman(), "openapi: 3.0.0\ninfo: {}\n");

    // Postman changes; our lease (origin/main) is now stale.
    r.change_in_postman("type: number\n");
    r.commit_edit("openapi: 3.0.1\ninfo: {}\n", true);
    let stderr = r.push_refused(&["push", "--force-with-lease"]);
    // git rejects a stale lease itself; which words it uses depends on its version.
    assert!(
        stderr.contains("(stale info)") || stderr.contains("(remote ref updated since checkout)"),
        "{stderr}"
    );
}

fn dry_run_writes_nothing(backend: Backend) {
    let r = backend.start();
    let before = r.edited_in_postman();
    r.commit_edit("openapi: 3.0.0\ninfo: {}\n", false);
    let out = r.sandbox.git(&r.repo, ["push", "--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(r.writes().is_empty(), "{:?}", r.writes());
    assert_ne!(r.rev("origin/main"), r.rev("HEAD"));
    assert_eq!(r.edited_in_postman(), before);
}

fn an_interrupted_push_is_finished_by_pushing_again_without_creating_twice(backend: Backend) {
    let r = backend.start();
    // Three writes: an edit, a creation, a deletion (sent last).
    std::fs::write(r.repo.join(r.edited_file()), "openapi: 3.0.0\ninfo: {}\n").unwrap();
    r.add_object("Refunds");
    let deleted = r.remove_object();
    r.sandbox.git_ok(&r.repo, ["add", "-A"]);
    r.sandbox
        .git_ok(&r.repo, ["commit", "-qm", "three changes"]);

    // Postman fails the deletion, also when it is tried again.
    r.fake.inject(Fault::ServerError {
        method: "DELETE",
        path_contains: deleted.clone(),
        times: 5,
    });
    let (code, stderr) = r.sandbox.git_fails(&r.repo, ["push"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("500"), "{stderr}");
    assert_eq!(r.count_named("Refunds"), 1, "created before the failure");

    // A fetch meanwhile reports R, not the half-done state.
    let before = r.rev("origin/main");
    let out = r.sandbox.git(&r.repo, ["fetch"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("push again to finish it"));
    assert_eq!(r.rev("origin/main"), before);

    // The same push again finishes the job: no `fetch first`, no second object.
    r.fake.clear_requests();
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    let w = r.writes();
    assert!(w.iter().all(|w| !w.starts_with("POST")), "{w:?}");
    assert!(
        w.iter()
            .any(|w| w.starts_with("DELETE") && w.contains(&deleted)),
        "{w:?}"
    );
    assert_eq!(r.count_named("Refunds"), 1);
    r.sandbox.git_ok(&r.repo, ["fetch"]);
    assert_eq!(r.rev("origin/main"), r.rev("HEAD"));
}

fn a_push_of_an_unchanged_tree_writes_nothing_and_leaves_nothing_to_fetch(backend: Backend) {
    let r = backend.start();
    // A commit that changes nothing Postman holds.
    std::fs::write(r.repo.join("NOTES.md"), "not Postman's\n").unwrap();
    r.sandbox.git_ok(&r.repo, ["add", "-A"]);
    r.sandbox.git_ok(&r.repo, ["commit", "-qm", "notes"]);
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    assert!(r.writes().is_empty(), "{:?}", r.writes());
    r.sandbox.git_ok(&r.repo, ["fetch"]);
    assert_eq!(r.rev("origin/main"), r.rev("HEAD"));
}

fn an_edit_is_pushed_and_the_next_fetch_has_nothing_new(backend: Backend) {
    let r = backend.start();
    let text = "openapi: 3.0.0\ninfo: {}\n";
    r.commit_edit(text, false);
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    assert_eq!(r.writes().len(), 1, "{:?}", r.writes());
    assert_eq!(r.edited_in_postman(), text);
    r.sandbox.git_ok(&r.repo, ["fetch"]);
    assert_eq!(r.rev("origin/main"), r.rev("HEAD"));
    let status = r.sandbox.git_ok(&r.repo, ["status", "-sb"]);
    assert_eq!(status.lines().next(), Some("## main...origin/main"));
}

fn a_spec_file_changed_in_postman_while_a_push_runs_stays_a_change_to_fetch(backend: Backend) {
    someone_elses_change_made_while_a_push_runs_stays_one(
        backend,
        Other::SpecFile("description: changed by someone else\n"),
    );
}

fn a_collection_changed_in_postman_while_a_push_runs_stays_a_change_to_fetch(backend: Backend) {
    someone_elses_change_made_while_a_push_runs_stays_one(
        backend,
        Other::Collection("changed by someone else"),
    );
}

/// Someone changes an object in Postman after the push's write and before it reads back
/// what Postman holds: that change is not the push's, so it is not recorded as what R
/// stands for. A push before fetching it is `fetch first`; the fetch brings it as one
/// commit on the pushed one, which changes that object's files only.
fn someone_elses_change_made_while_a_push_runs_stays_one(backend: Backend, other: Other<'_>) {
    let r = backend.start();
    r.commit_edit("openapi: 3.0.0\ninfo: {}\n", false);
    let changed = r.change_in_postman_after_next_write(other);
    r.sandbox.git_ok(&r.repo, ["push", "-q"]);
    let pushed = r.rev("HEAD");
    assert_eq!(r.rev("origin/main"), pushed);

    r.commit_edit("openapi: 3.0.1\ninfo: {}\n", false);
    let stderr = r.push_refused(&["push"]);
    assert!(stderr.contains("main -> main (fetch first)"), "{stderr}");

    r.sandbox.git_ok(&r.repo, ["fetch", "-q"]);
    assert_eq!(r.rev("origin/main^"), pushed);
    let diff = r
        .sandbox
        .git_ok(&r.repo, ["diff", "--name-only", &pushed, "origin/main"]);
    assert!(!diff.is_empty());
    assert!(
        diff.lines().all(|path| path.starts_with(&changed)),
        "{changed}: {diff}"
    );
    let found = r.sandbox.git_ok(
        &r.repo,
        ["grep", "-l", "changed by someone else", "origin/main", "--"],
    );
    assert!(found.contains(&format!("origin/main:{changed}")), "{found}");
}

/// The helper's own remote-tracking state does not need a named remote: a URL typed on
/// the command line lists the same commit as the clone (no state kept).
#[test]
fn ls_remote_of_a_workspace_url_lists_the_clones_commit() {
    let r: Remote = Backend::Workspace.start();
    let out = r.sandbox.git_ok(&r.repo, ["ls-remote", &r.url()]);
    let head = r.rev("HEAD");
    assert!(out.contains(&format!("{head}\trefs/heads/main")), "{out}");
}
