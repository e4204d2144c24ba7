//! `git postman install --prefix <dir>`: the three names, man pages and completions land
//! under the prefix, and git, with only that prefix's `bin` before the system's PATH,
//! runs the porcelain, the remote helper (a clone and a push against the fake) and the
//! credential helper through them, and `git help` shows the pages. The same for the
//! Debian package (`pkg/deb.sh`, cargo-deb) installed with dpkg into a throwaway root.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::fake_postman::FakePostman;
use support::git::{files_of, postman_url, Sandbox};

/// A sandbox whose PATH is `<prefix>/bin` then the system's, after the install.
fn installed() -> (Sandbox, std::path::PathBuf) {
    let mut sandbox = Sandbox::new();
    let prefix = sandbox.join("prefix");
    let out = Command::new(env!("CARGO_BIN_EXE_git-postman"))
        .args(["install", "--prefix"])
        .arg(&prefix)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("installed "), "{stdout}");
    put_first_on_path(&mut sandbox, &prefix.join("bin"));
    (sandbox, prefix)
}

/// The sandbox's PATH: `bin`, then the system's (not the build's directory).
fn put_first_on_path(sandbox: &mut Sandbox, bin: &Path) {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    sandbox.set_env("PATH", Some(&path));
}

#[test]
fn install_writes_the_names_man_pages_and_completions() {
    let (_sandbox, prefix) = installed();
    let files = files_of(&prefix);
    for want in [
        "bin/git-postman",
        "bin/git-remote-postman",
        "bin/git-credential-postman",
        "share/man/man1/git-postman.1",
        "share/man/man1/git-remote-postman.1",
        "share/man/man1/git-credential-postman.1",
        "share/bash-completion/completions/git-postman",
        "share/zsh/site-functions/_git-postman",
        "share/fish/vendor_completions.d/git-postman.fish",
        "share/git-postman/completions/git-postman.ps1",
    ] {
        assert!(files.iter().any(|f| f == want), "{want} not in {files:?}");
    }
    for link in ["git-remote-postman", "git-credential-postman"] {
        let target = std::fs::read_link(prefix.join("bin").join(link)).unwrap();
        assert_eq!(target, Path::new("git-postman"), "{link}");
    }
    let man = std::fs::read_to_string(prefix.join("share/man/man1/git-postman.1")).unwrap();
    assert!(man.contains(".TH GIT-POSTMAN"), "{man}");

    // bash loads the completion and completes the subcommands.
    let script = prefix.join("share/bash-completion/completions/git-postman");
    let out = Command::new("bash")
        .arg("-c")
        .arg(concat!(
            r#"source "$1" && f=$(complete -p git-postman | sed -E 's/.*-F ([^ ]+) .*/\1/') && "#,
            r#"COMP_WORDS=(git-postman in) COMP_CWORD=1 COMP_LINE="git-postman in" COMP_POINT=14 && "#,
            r#""$f" git-postman in git-postman && printf '%s\n' "${COMPREPLY[@]}""#
        ))
        .arg("bash")
        .arg(&script)
        .output()
        .unwrap();
    let replies = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && replies.lines().any(|l| l == "install"),
        "{replies}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// git, with the sandbox's PATH, runs the three names from `bin`: the porcelain, the
/// remote helper (a clone and a push against the fake) and the credential helper.
fn git_runs_the_names_in(sandbox: &Sandbox, bin: &Path) {
    for name in git_postman::porcelain::install::NAMES {
        let found = sandbox.git_ok(
            sandbox.path(),
            ["-c", "alias.which=!command -v", "which", name],
        );
        assert_eq!(Path::new(found.trim()), bin.join(name), "{name} on PATH");
    }
    let help = sandbox.git_ok(sandbox.path(), ["postman", "-h"]);
    assert!(help.contains("install"), "{help}");

    // The remote helper through its link: a clone of the fake's sample API, and a push.
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    sandbox.git_ok(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    let repo = sandbox.join("clone");
    let index = repo.join("postman/schemas/index.yaml");
    let edited = std::fs::read_to_string(&index).unwrap() + "# pushed by the installed helper\n";
    std::fs::write(&index, &edited).unwrap();
    sandbox.git_ok(&repo, ["commit", "-qam", "edit"]);
    sandbox.git_ok(&repo, ["push", "-q"]);
    assert_eq!(fake.schema_content(&api, "index.yaml"), edited);
    // The credential helper through its link: an action it does not know is ignored
    // (the porcelain, had the link not dispatched, would reject the word).
    let out = sandbox.git(sandbox.path(), ["credential-postman", "no-such-action"]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `git help postman`, `git postman --help` and `git help remote-postman` show the
/// installed pages (`git help remote-postman` only when git finds the command).
fn git_help_shows_the_pages(sandbox: &mut Sandbox, manpath: Option<&Path>) {
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipped the man pages: man is missing");
        return;
    }
    let manpath = manpath.map(|p| p.display().to_string());
    sandbox.set_env("MANPATH", manpath.as_deref());
    for (key, value) in [("MANPAGER", "cat"), ("PAGER", "cat"), ("MANWIDTH", "100")] {
        sandbox.set_env(key, Some(value));
    }
    for (args, title) in [
        (["help", "postman"], "GIT-POSTMAN(1)"),
        (["postman", "--help"], "GIT-POSTMAN(1)"),
        (["help", "remote-postman"], "GIT-REMOTE-POSTMAN(1)"),
    ] {
        let text = sandbox.git_ok(sandbox.path(), args);
        assert!(text.contains(title), "git {args:?} showed:\n{text}");
    }
}

#[test]
fn git_runs_the_installed_names_and_shows_their_pages() {
    let (mut sandbox, prefix) = installed();
    git_runs_the_names_in(&sandbox, &prefix.join("bin"));
    // No MANPATH: man-db looks in <dir>/../share/man for each <dir> on PATH.
    git_help_shows_the_pages(&mut sandbox, None);
}

/// What `cargo install` puts in its `bin`: the multi-call binary and the two helper
/// names as tiny programs that hand over to it (`src/bin/mains/shim.rs`).
fn cargo_install_layout(sandbox: &mut Sandbox) -> PathBuf {
    let bin = sandbox.join("cargo-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, built) in [
        ("git-postman", env!("CARGO_BIN_EXE_git-postman")),
        (
            "git-remote-postman",
            env!("CARGO_BIN_EXE_git-remote-postman"),
        ),
        (
            "git-credential-postman",
            env!("CARGO_BIN_EXE_git-credential-postman"),
        ),
    ] {
        std::fs::copy(built, bin.join(name)).unwrap();
    }
    bin
}

#[test]
fn cargo_installs_the_helpers_as_small_hand_overs_to_git_postman() {
    let mut sandbox = Sandbox::new();
    let bin = cargo_install_layout(&mut sandbox);
    put_first_on_path(&mut sandbox, &bin);
    git_runs_the_names_in(&sandbox, &bin);
    // Small: they hold no part of the tool (a tenth of it even in a debug build).
    let size = |name: &str| std::fs::metadata(bin.join(name)).unwrap().len();
    for helper in ["git-remote-postman", "git-credential-postman"] {
        assert!(
            size(helper) * 10 < size("git-postman"),
            "{helper}: {} bytes, git-postman {}",
            size(helper),
            size("git-postman")
        );
    }
    // Without git-postman beside it, a helper says what is missing, as git's fatal.
    std::fs::remove_file(bin.join("git-postman")).unwrap();
    let out = Command::new(bin.join("git-remote-postman"))
        .arg("origin")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128), "{stderr}");
    assert!(
        stderr.starts_with("fatal: git-remote-postman: cannot run ")
            && stderr.contains("git-postman"),
        "{stderr}"
    );
}

/// Whether cargo-deb can run; if not: fail under CI, else say why and skip.
fn cargo_deb_present() -> bool {
    let present = Command::new("cargo")
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        let why = "cargo-deb is not installed (tests/support/install-deps.sh installs it)";
        assert!(std::env::var_os("CI").is_none(), "CI is set and {why}");
        eprintln!("skipped: {why}");
    }
    present
}

/// Runs `cmd`, panics with its stderr unless it succeeds; returns its stdout.
fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `pkg/deb.sh` of the test build's binary (the dev profile: a release build here would
/// cost CI minutes); returns the `.deb`.
fn build_deb(out_dir: &Path) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("pkg/deb.sh");
    run_ok(
        Command::new(&script)
            .args(["--profile", "dev", "--no-build", "--fast", "--output"])
            .arg(out_dir),
    );
    let debs: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "{debs:?}");
    debs[0].clone()
}

#[test]
fn the_deb_package_installs_with_dpkg_and_works() {
    if !cargo_deb_present() {
        return;
    }
    let mut sandbox = Sandbox::new();
    let deb = build_deb(&sandbox.join("deb"));
    let depends = run_ok(
        Command::new("dpkg-deb")
            .arg("--field")
            .arg(&deb)
            .arg("Depends"),
    );
    assert!(
        depends.contains("git") && depends.contains("libc6"),
        "{depends}"
    );
    let listing = run_ok(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    for want in [
        "./usr/bin/git-postman\n",
        "./usr/bin/git-remote-postman -> git-postman\n",
        "./usr/bin/git-credential-postman -> git-postman\n",
        "./usr/share/man/man1/git-postman.1",
        "./usr/share/man/man1/git-remote-postman.1",
        "./usr/share/man/man1/git-credential-postman.1",
        "./usr/share/bash-completion/completions/git-postman\n",
        "./usr/share/zsh/vendor-completions/_git-postman\n",
        "./usr/share/fish/vendor_completions.d/git-postman.fish\n",
    ] {
        assert!(listing.contains(want), "{want:?} not in\n{listing}");
    }

    // dpkg into a throwaway root with its own database: the machine's /usr and dpkg
    // database are not touched. Its Depends (git, libc6) are the machine's, which that
    // empty database does not list.
    let root = sandbox.join("root");
    let admin = root.join("var/lib/dpkg");
    for dir in ["info", "updates"] {
        std::fs::create_dir_all(admin.join(dir)).unwrap();
    }
    std::fs::write(admin.join("status"), "").unwrap();
    let admindir = format!("--admindir={}", admin.display());
    run_ok(
        Command::new("dpkg")
            .arg(format!("--instdir={}", root.display()))
            .arg(&admindir)
            .args([
                "--force-not-root",
                "--force-depends",
                "--log=/dev/null",
                "--install",
            ])
            .arg(&deb),
    );
    let status = run_ok(Command::new("dpkg-query").arg(&admindir).args([
        "--show",
        "--showformat=${Status}",
        "git-postman",
    ]));
    assert_eq!(status, "install ok installed");

    put_first_on_path(&mut sandbox, &root.join("usr/bin"));
    git_runs_the_names_in(&sandbox, &root.join("usr/bin"));
    git_help_shows_the_pages(&mut sandbox, Some(&root.join("usr/share/man")));
}
