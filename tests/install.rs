//! `git postman install --prefix <dir>`: the three names, man pages and completions land
//! under the prefix, and git, with only that prefix's `bin` before the system's PATH,
//! runs the porcelain, the remote helper (a clone against the fake) and the credential
//! helper through them.

mod support;

use std::path::Path;
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
    let path = format!(
        "{}:{}",
        prefix.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    sandbox.set_env("PATH", Some(&path));
    (sandbox, prefix)
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

#[test]
fn git_runs_the_installed_names() {
    let (sandbox, _prefix) = installed();
    let help = sandbox.git_ok(sandbox.path(), ["postman", "--help"]);
    assert!(help.contains("install"), "{help}");

    // The remote helper through its link: a clone of the fake's sample API.
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    sandbox.git_ok(
        sandbox.path(),
        ["clone", &postman_url(&fake, &api), "clone"],
    );
    let cloned = files_of(&sandbox.join("clone"));
    assert!(
        cloned.iter().any(|f| f.starts_with(".postman/api")),
        "{cloned:?}"
    );
    // The credential helper through its link: an action it does not know is ignored
    // (the porcelain, had the link not dispatched, would reject the word).
    let out = sandbox.git(sandbox.path(), ["credential-postman", "no-such-action"]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
