//! The exact command lines git GUIs and IDEs run, with the real git against the fake
//! Postman API, run as those tools run git: stdin not a terminal, no controlling terminal
//! (a GUI started from a desktop has none), the tool's own environment and global
//! arguments. Each tool's command lines come from its public source, cited in [`Tool`];
//! the assertions are the tool's own output parsers (VS Code's progress and error
//! regexes), written out by hand so that this file needs no regex crate.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::backend::Backend;
use support::format::Format;
use support::git::{Cloned as Setup, Sandbox};

/// How one tool runs git.
struct Tool {
    name: &'static str,
    /// Where its command lines come from: repository, path, version.
    source: &'static str,
    /// Arguments it puts before every command (`git <global> <command> ...`).
    global: &'static [&'static str],
    /// Variables it sets. None of these tools sets `GIT_TERMINAL_PROMPT`, so it is unset.
    env: &'static [(&'static str, &'static str)],
    /// Whether it points `GIT_ASKPASS` at a dialog of its own (here: a script that notes
    /// it was run, which must never happen: the key is in the environment).
    askpass: bool,
}

/// microsoft/vscode `extensions/git/src/git.ts` at 0020bf4054220d53eafffc871a207ac88fbf4ff0
/// (`Git.spawn`: stdin ignored, this environment; `clone`, `fetch`, `pull`, `push`).
const VSCODE: Tool = Tool {
    name: "VS Code",
    source: "microsoft/vscode extensions/git/src/git.ts @0020bf40",
    global: &[],
    env: &[
        ("LANGUAGE", "en"),
        ("LC_ALL", "en_US.UTF-8"),
        ("LANG", "en_US.UTF-8"),
        ("GIT_PAGER", "cat"),
        (
            "GIT_HTTP_USER_AGENT",
            "git/2.47 (Linux) vscode/1.100 (Visual Studio Code)",
        ),
    ],
    // extensions/git/src/askpass.ts: GIT_ASKPASS and VSCODE_GIT_ASKPASS_*.
    askpass: true,
};

/// jesseduffield/lazygit `pkg/commands/git_commands/sync.go` at
/// 013cfc77a1e82316681b2a759d90849cd1593dae (`PushCmdObj`: `push --force-with-lease
/// --set-upstream <remote> <branch>`); `pkg/commands/oscommands/cmd_obj_runner.go` at
/// 03a579da sets LANG and LC_ALL for commands that may ask for credentials.
const LAZYGIT: Tool = Tool {
    name: "lazygit",
    source: "jesseduffield/lazygit pkg/commands/git_commands/sync.go @013cfc77",
    global: &[],
    env: &[("LANG", "en_US.UTF-8"), ("LC_ALL", "en_US.UTF-8")],
    askpass: false,
};

/// Sourcetree is closed source; its command line as users reported it
/// (anishathalye/git-remote-dropbox#44; felipec/git-remote-hg#4 for `fetch origin`).
const SOURCETREE: Tool = Tool {
    name: "Sourcetree",
    source: "anishathalye/git-remote-dropbox issue 44 (Sourcetree 2.x log)",
    global: &[
        "-c",
        "diff.mnemonicprefix=false",
        "-c",
        "core.quotepath=false",
        "-c",
        "credential.helper=sourcetree",
    ],
    env: &[],
    askpass: false,
};

/// JetBrains/intellij-community `plugins/git4idea/src/git4idea/commands/GitImpl.java` at
/// 5160bd712f3351c0f24c649b3cff9e3e87298aa4 (push: `addProgressParameter()`, `--porcelain`,
/// remote, spec, `--set-upstream`; fetch: `--progress`, remote, the spec's params from
/// `fetch/GitFetchSupportImpl.kt` at 08209238); `GitHandler` puts `-c core.quotepath=false
/// -c log.showSignature=false` first.
const JETBRAINS: Tool = Tool {
    name: "JetBrains IDEs",
    source:
        "JetBrains/intellij-community plugins/git4idea/src/git4idea/commands/GitImpl.java @5160bd71",
    global: &[
        "-c",
        "core.quotepath=false",
        "-c",
        "log.showSignature=false",
    ],
    env: &[],
    askpass: false,
};

/// magit/magit `lisp/magit-fetch.el` at 033a0c0cdc036118745d425b835840d8fd0f160b
/// (`magit-git-fetch`: `fetch <remote> <args>`), with `magit-git-global-arguments` of
/// `lisp/magit-git.el` (Magit 4.x).
const MAGIT: Tool = Tool {
    name: "magit",
    source: "magit/magit lisp/magit-fetch.el @033a0c0c, lisp/magit-git.el (4.x)",
    global: &[
        "--no-pager",
        "--literal-pathspecs",
        "-c",
        "core.preloadindex=true",
        "-c",
        "log.showSignature=false",
        "-c",
        "color.ui=false",
        "-c",
        "color.diff=false",
    ],
    env: &[],
    askpass: false,
};

/// jonas/tig `include/tig/git.h` at 090ac864232230853cf49f721797f5b0c041b1f7
/// (`GIT_MAIN_LOG_RAW`, `GIT_DIFF_STAGED_FILES`, `GIT_DIFF_UNSTAGED_FILES`) and the status
/// view's `ls-files --others` (src/status.c). tig only reads: fetch is the user's own binding.
const TIG: Tool = Tool {
    name: "tig",
    source: "jonas/tig include/tig/git.h @090ac864, src/status.c",
    global: &[],
    env: &[],
    askpass: false,
};

impl Tool {
    /// Runs `git <global> <args>` in `cwd` as this tool does: no stdin, and in a session
    /// of its own, so there is no terminal to fall back on either.
    fn git(&self, sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.current_dir(cwd)
            .args(self.global)
            .args(args)
            .env_clear()
            .stdin(Stdio::null());
        for (k, v) in sandbox
            .env
            .iter()
            .filter(|(k, _)| k != "GIT_TERMINAL_PROMPT")
        {
            cmd.env(k, v);
        }
        cmd.envs(self.env.iter().copied());
        if self.askpass {
            let script = sandbox.join("askpass");
            std::fs::write(
                &script,
                format!(
                    "#!/bin/sh\necho \"$1\" >> '{}'\nexit 1\n",
                    asked(sandbox).display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
            cmd.env("GIT_ASKPASS", script);
        }
        // SAFETY: setsid is async-signal-safe and nothing else runs before exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let out = cmd.output().expect("git runs");
        assert!(
            !asked(sandbox).exists(),
            "{}: git asked through askpass: {:?}",
            self.name,
            std::fs::read_to_string(asked(sandbox))
        );
        out
    }

    /// Runs a command that must succeed; returns its stderr (where git reports), then stdout.
    fn ok(&self, sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> String {
        let out = self.git(sandbox, cwd, args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "{} ({}): git {args:?} failed: {stderr}",
            self.name,
            self.source
        );
        stderr + &String::from_utf8_lossy(&out.stdout)
    }

    /// Runs a command that must fail with git's exit code 1; returns its stderr.
    fn refused(&self, sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> String {
        let out = self.git(sandbox, cwd, args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{} ({}): git {args:?}: {stderr}",
            self.name,
            self.source
        );
        stderr
    }
}

/// Where the askpass script notes each question.
fn asked(sandbox: &Sandbox) -> PathBuf {
    sandbox.join("askpass-asked")
}

/// A clone of the sample API (by plain git; the clone itself is VS Code's test).
fn cloned() -> Setup {
    support::git::cloned_sample("clone")
}

impl Setup {
    /// Someone changes the API in Postman.
    fn edit_in_postman(&self, path: &str, content: &str) {
        self.fake
            .with_state(|st| st.put_schema_file(&self.api, path, content));
    }

    /// A local commit that edits the schema root (amending: a rewritten history).
    fn commit_index(&self, text: &str, amend: bool) {
        std::fs::write(self.repo.join("postman/schemas/index.yaml"), text).unwrap();
        self.sandbox.git_ok(&self.repo, ["add", "-A"]);
        let mut args = vec!["commit", "-q", "-m", "edit index.yaml"];
        if amend {
            args.push("--amend");
        }
        self.sandbox.git_ok(&self.repo, args);
    }

    /// Postman changes, `tool` fetches it with `fetch`, the branch takes it, and the user
    /// commits an edit of the schema root (`text`) on top; returns the fetch's output.
    fn fetch_then_commit(&self, tool: &Tool, fetch: &[&str], text: &str) -> String {
        self.edit_in_postman("paths/refunds.yaml", "post: {}\n");
        let fetched = tool.ok(&self.sandbox, &self.repo, fetch);
        self.sandbox
            .git_ok(&self.repo, ["merge", "-q", "--ff-only", "origin/main"]);
        self.commit_index(text, false);
        fetched
    }

    fn index_in_postman(&self) -> String {
        self.fake.schema_content(&self.api, "index.yaml")
    }
}

/// Every value of VS Code's `/Receiving objects:\s*(\d+)%/i` on git's stderr, which VS Code
/// splits into lines at `\r` and `\n` (byline).
fn receiving_percentages(stderr: &str) -> Vec<u32> {
    stderr
        .split(['\r', '\n'])
        .filter_map(|line| {
            let lower = line.to_ascii_lowercase();
            let rest = &line[lower.find("receiving objects:")? + "receiving objects:".len()..];
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let after = &rest.trim_start()[digits.len()..];
            (!digits.is_empty() && after.starts_with('%')).then(|| digits.parse().unwrap())
        })
        .collect()
}

/// VS Code's `/! \[rejected\].*\((reason)\)/m`: one line with both.
fn rejected_for(stderr: &str, reason: &str) -> bool {
    let reason = format!("({reason})");
    stderr.lines().any(|line| {
        line.find("! [rejected]")
            .is_some_and(|at| line[at..].contains(&reason))
    })
}

/// VS Code's `/^error: failed to push some refs to\b/m`, which makes it a push error at all.
fn failed_to_push(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        line.strip_prefix("error: failed to push some refs to")
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// VS Code's clone of each kind of remote, with a published version (read after the
/// current state): one bar over the whole fetch, whose percentage only moves forward and
/// ends at 100% once, in git's words (`Receiving objects: 100% (n/n), done.`).
#[test]
fn vscode_clone_moves_its_progress_bar() {
    for backend in [Backend::Api(Format::V2), Backend::Workspace] {
        let r = backend.start();
        if backend == Backend::Workspace {
            r.fake.with_state(|s| {
                let specs: Vec<String> = s.ws.specs.keys().cloned().collect();
                for spec in specs {
                    s.create_version_tag(&spec, "v1.0.0").unwrap();
                }
            });
        }
        let url = r.url();
        // VS Code names the folder after the URL's last segment.
        let folder = url.rsplit(['/', '\\']).next().unwrap().to_string();
        assert_eq!(folder, r.id);
        let target = r.sandbox.join(&folder);
        let stderr = VSCODE.ok(
            &r.sandbox,
            r.sandbox.path(),
            &["clone", &url, target.to_str().unwrap(), "--progress"],
        );
        let seen = receiving_percentages(&stderr);
        let context = format!("{} {backend:?}: {seen:?}: {stderr}", VSCODE.name);
        assert!(seen.len() >= 2, "{context}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{context}");
        assert_eq!(seen.iter().filter(|&&p| p == 100).count(), 1, "{context}");
        let done = stderr
            .split(['\r', '\n'])
            .filter(|l| l.starts_with("Receiving objects: 100% (") && l.ends_with("), done."))
            .count();
        assert_eq!(done, 1, "{context}");
        let tags = r.sandbox.git_ok(&target, ["tag", "-l"]);
        assert_eq!(tags, "v1.0.0\n", "{context}");
        assert!(target.join(r.edited_file()).is_file(), "{context}");
    }
}

#[test]
fn vscode_fetch_pull_and_push() {
    let s = cloned();
    s.edit_in_postman("paths/refunds.yaml", "post: {summary: refund}\n");
    let fetched = VSCODE.ok(&s.sandbox, &s.repo, &["fetch"]);
    assert!(fetched.contains("main       -> origin/main"), "{fetched}");
    let pulled = VSCODE.ok(&s.sandbox, &s.repo, &["pull"]);
    // VS Code's pull() reads "changed" as not /Already up to date/i on stdout.
    assert!(
        !pulled.to_lowercase().contains("already up to date"),
        "{pulled}"
    );
    let refunds = std::fs::read_to_string(s.repo.join("postman/schemas/paths/refunds.yaml"));
    assert_eq!(refunds.unwrap(), "post: {summary: refund}\n");
    assert!(VSCODE
        .ok(&s.sandbox, &s.repo, &["pull"])
        .contains("Already up to date"));

    s.commit_index("openapi: 3.0.0\n", false);
    VSCODE.ok(&s.sandbox, &s.repo, &["push", "origin", "main"]);
    assert_eq!(s.index_in_postman(), "openapi: 3.0.0\n");
}

#[test]
fn vscode_force_push_with_lease_if_includes() {
    let s = cloned();
    // A fetch that moves origin/main writes the reflog --force-if-includes reads.
    s.edit_in_postman("paths/refunds.yaml", "post: {}\n");
    VSCODE.ok(&s.sandbox, &s.repo, &["pull"]);
    s.commit_index("openapi: 3.0.0\n", true);
    let stderr = VSCODE.ok(
        &s.sandbox,
        &s.repo,
        &[
            "push",
            "--force-with-lease",
            "--force-if-includes",
            "origin",
            "main",
        ],
    );
    assert!(stderr.contains("(forced update)"), "{stderr}");
    assert_eq!(s.index_in_postman(), "openapi: 3.0.0\n");
}

/// VS Code's push error classes, each produced for real: what changed in Postman, what
/// the user did locally, the push VS Code runs and the words its classifier looks for.
#[test]
fn vscode_classifies_each_rejected_push() {
    struct Case {
        what: &'static str,
        postman_changes: bool,
        fetch_first: bool,
        amend: bool,
        push: &'static [&'static str],
        reason: &'static str,
    }
    let cases = [
        Case {
            what: "Postman changed since the last fetch",
            postman_changes: true,
            fetch_first: false,
            amend: false,
            push: &["push", "origin", "main"],
            reason: "fetch first",
        },
        Case {
            what: "fetched, but the local branch does not contain it",
            postman_changes: true,
            fetch_first: true,
            amend: false,
            push: &["push", "origin", "main"],
            reason: "non-fast-forward",
        },
        Case {
            what: "Force Push (lease) while Postman changed unseen",
            postman_changes: true,
            fetch_first: false,
            amend: true,
            push: &["push", "--force-with-lease", "origin", "main"],
            reason: "stale info",
        },
        Case {
            what: "Force Push (lease, includes) right after a clone",
            postman_changes: false,
            fetch_first: false,
            amend: true,
            push: &[
                "push",
                "--force-with-lease",
                "--force-if-includes",
                "origin",
                "main",
            ],
            reason: "remote ref updated since checkout",
        },
    ];
    for case in cases {
        let s = cloned();
        if case.postman_changes {
            s.edit_in_postman("components/schemas/Money.yaml", "type: string\n");
        }
        if case.fetch_first {
            VSCODE.ok(&s.sandbox, &s.repo, &["fetch"]);
        }
        s.commit_index("openapi: 3.0.0\n", case.amend);
        let before = s.index_in_postman();
        s.fake.clear_requests();
        let stderr = VSCODE.refused(&s.sandbox, &s.repo, case.push);
        assert!(failed_to_push(&stderr), "{}: {stderr}", case.what);
        assert!(
            rejected_for(&stderr, case.reason),
            "{}: no `! [rejected] … ({})`: {stderr}",
            case.what,
            case.reason
        );
        assert!(
            s.fake.requests().iter().all(|r| r.method == "GET"),
            "{}: a refused push wrote to Postman",
            case.what
        );
        assert_eq!(s.index_in_postman(), before, "{}", case.what);
    }
}

#[test]
fn lazygit_force_push_sets_the_upstream() {
    let s = cloned();
    s.sandbox
        .git_ok(&s.repo, ["branch", "--unset-upstream", "main"]);
    s.commit_index("openapi: 3.0.0\n", true);
    let stderr = LAZYGIT.ok(
        &s.sandbox,
        &s.repo,
        &[
            "push",
            "--force-with-lease",
            "--set-upstream",
            "origin",
            "main",
        ],
    );
    assert!(stderr.contains("(forced update)"), "{stderr}");
    assert!(
        stderr.contains("branch 'main' set up to track 'origin/main'"),
        "{stderr}"
    );
    assert_eq!(s.index_in_postman(), "openapi: 3.0.0\n");
    assert_eq!(
        s.sandbox
            .git_ok(&s.repo, ["rev-parse", "--abbrev-ref", "main@{upstream}"])
            .trim(),
        "origin/main"
    );
}

#[test]
fn sourcetree_fetch_and_verbose_push() {
    let s = cloned();
    s.fetch_then_commit(&SOURCETREE, &["fetch", "origin"], "openapi: 3.0.0\n");
    // Sourcetree's own credential.helper is not on PATH here; the key comes from
    // POSTMAN_API_KEY, so git never asks a helper.
    let stderr = SOURCETREE.ok(
        &s.sandbox,
        &s.repo,
        &[
            "push",
            "-v",
            "--tags",
            "origin",
            "refs/heads/main:refs/heads/main",
        ],
    );
    assert!(stderr.contains("Pushing to postman::"), "{stderr}");
    assert!(stderr.contains("main -> main"), "{stderr}");
    assert_eq!(s.index_in_postman(), "openapi: 3.0.0\n");
}

#[test]
fn jetbrains_fetch_and_porcelain_push() {
    let s = cloned();
    let fetched = s.fetch_then_commit(
        &JETBRAINS,
        &["fetch", "--progress", "origin", "--recurse-submodules=no"],
        "openapi: 3.0.0\n",
    );
    assert!(fetched.contains("origin/main"), "{fetched}");
    // GitImpl's push: progress, porcelain, remote, spec, then --set-upstream if asked.
    let push = |extra: &[&str]| {
        let args = [
            &[
                "push",
                "--progress",
                "--porcelain",
                "origin",
                "main:refs/heads/main",
            ],
            extra,
        ]
        .concat();
        JETBRAINS.git(&s.sandbox, &s.repo, &args)
    };
    let out = push(&["--set-upstream"]);
    assert!(out.status.success(), "{out:?}");
    // GitPushNativeResultParser reads stdout: `To <url>`, then `<flag>\t<from>:<to>\t<summary>`,
    // then `Done`.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.starts_with("To postman::")),
        "{stdout}"
    );
    let ours = lines
        .iter()
        .find(|l| l.contains("refs/heads/main:refs/heads/main"))
        .unwrap_or_else(|| panic!("no porcelain line for main: {stdout}"));
    let fields: Vec<&str> = ours.split('\t').collect();
    assert_eq!(fields[0], " ", "a fast-forward's flag: {ours:?}");
    assert!(fields[2].contains(".."), "{ours:?}");
    assert_eq!(lines.last(), Some(&"Done"), "{stdout}");
    assert_eq!(s.index_in_postman(), "openapi: 3.0.0\n");

    // A rejected push in porcelain form: flag `!`, git's reason in brackets.
    s.edit_in_postman("components/schemas/Money.yaml", "type: string\n");
    s.commit_index("openapi: 3.0.1\n", false);
    let out = push(&[]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("!\trefs/heads/main:refs/heads/main\t[rejected] (fetch first)"),
        "{stdout}"
    );
}

/// magit and tig after a change in Postman: magit fetches as it does; both read history
/// and status with their own command lines and see Postman's commit.
#[test]
fn magit_and_tig_read_what_postman_changed() {
    let s = cloned();
    s.edit_in_postman("paths/refunds.yaml", "post: {}\n");
    MAGIT.ok(&s.sandbox, &s.repo, &["fetch", "origin"]);
    let postman_commit = s.sandbox.rev(&s.repo, "origin/main");
    let short = &postman_commit[..7];

    let reads: [(&Tool, &[&str], &str); 5] = [
        (
            &MAGIT,
            &[
                "log",
                "--format=%h%x0c%D%x0c%x0c%aN%x0c%at%x0c%s",
                "--decorate=full",
                "-n256",
                "--use-mailmap",
                "--no-prefix",
                "origin/main",
                "--",
            ],
            short,
        ),
        (
            &MAGIT,
            &[
                "status",
                "-z",
                "--porcelain",
                "--untracked-files=normal",
                "--",
            ],
            "",
        ),
        (
            &TIG,
            &[
                "log",
                "--encoding=UTF-8",
                "--branches",
                "--remotes",
                "--date=raw",
                "--parents",
                "--no-color",
                "--pretty=raw",
                "--",
            ],
            &postman_commit,
        ),
        (
            &TIG,
            &[
                "diff-index",
                "-z",
                "--diff-filter=ACDMRTXB",
                "-C",
                "--cached",
                "HEAD",
                "--",
            ],
            "",
        ),
        (
            &TIG,
            &["ls-files", "-z", "--others", "--exclude-standard"],
            "",
        ),
    ];
    for (tool, args, expected) in reads {
        let out = tool.git(&s.sandbox, &s.repo, args);
        assert!(out.status.success(), "{}: {args:?}: {out:?}", tool.name);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if expected.is_empty() {
            assert_eq!(stdout, "", "{} {args:?}: a clean tree", tool.name);
        } else {
            assert!(
                stdout.contains(expected),
                "{} {args:?}: {stdout}",
                tool.name
            );
        }
    }
    // The author magit shows is Postman's.
    let log = MAGIT.ok(
        &s.sandbox,
        &s.repo,
        &["log", "-1", "--format=%aN", "origin/main"],
    );
    assert!(log.starts_with("Postman"), "{log}");
}
