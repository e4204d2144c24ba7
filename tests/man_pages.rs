//! The man pages in `man/` are generated: the synopsis, description, commands and
//! options from the clap definitions (`git_postman::porcelain::cli`), the rest from the
//! hand-written roff in `man/src/<page>.roff`. A committed page that differs from what
//! is generated fails here; `UPDATE_MAN_PAGES=1 cargo test --test man_pages` rewrites
//! them. `git-credential-postman.1` is written by hand and only checked to render.
//!
//! `git postman install` installs them where `man` and `git help` find them
//! (`tests/install.rs` asks git).

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use clap_mangen::Man;
use git_postman::porcelain::cli::{self, Cli};

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man")
}

/// The hand-written sections of `page`.
fn hand_written(page: &str) -> String {
    let path = man_dir().join("src").join(format!("{page}.roff"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One section rendered by clap_mangen, without its `.SH` heading.
fn section(render: impl Fn(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    render(&mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(".SH "))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn page(cmd: clap::Command, title: &str) -> Man {
    Man::new(cmd).title(title).manual("Git Manual").date("")
}

/// `git-postman(1)`: every subcommand with its synopsis, description and options.
fn git_postman() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let man = page(cmd.clone(), "GIT-POSTMAN");
    let mut out = section(|w| man.render_title(w));
    out.push_str(".SH NAME\n");
    out.push_str(&section(|w| man.render_name_section(w)));

    let subcommands = leaf_commands(&cmd, "git postman");
    out.push_str(".SH SYNOPSIS\n");
    for (i, sub) in subcommands.iter().enumerate() {
        if i > 0 {
            out.push_str(".br\n");
        }
        out.push_str(&section(|w| {
            page(sub.clone(), "X").render_synopsis_section(w)
        }));
    }
    out.push_str(".SH DESCRIPTION\n");
    out.push_str(&section(|w| man.render_description_section(w)));
    out.push_str(".SH COMMANDS\n");
    for sub in &subcommands {
        let sub_man = page(sub.clone(), "X");
        out.push_str(&format!(".SS \"{}\"\n", sub.get_bin_name().unwrap()));
        out.push_str(&section(|w| sub_man.render_synopsis_section(w)));
        out.push_str(".PP\n");
        out.push_str(&section(|w| sub_man.render_description_section(w)));
        out.push_str(&section(|w| sub_man.render_options_section(w)));
    }
    out.push_str(".SH OPTIONS\n");
    out.push_str(&section(|w| man.render_options_section(w)));
    out.push_str(&hand_written("git-postman"));
    out
}

/// The commands a user runs, `git postman app add` included: subcommands of
/// subcommands are listed by their whole name; clap's own `help` is left out.
fn leaf_commands(cmd: &clap::Command, prefix: &str) -> Vec<clap::Command> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix} {}", sub.get_name());
        if sub.has_subcommands() {
            out.extend(leaf_commands(sub, &name));
        } else {
            out.push(sub.clone().bin_name(name));
        }
    }
    out
}

/// `git-remote-postman(1)`.
fn git_remote_postman() -> String {
    let man = page(cli::remote_helper(), "GIT-REMOTE-POSTMAN");
    let mut out = section(|w| man.render_title(w));
    out.push_str(".SH NAME\n");
    out.push_str(&section(|w| man.render_name_section(w)));
    out.push_str(".SH SYNOPSIS\n");
    out.push_str(&section(|w| man.render_synopsis_section(w)));
    out.push_str(".SH DESCRIPTION\n");
    out.push_str(&section(|w| man.render_description_section(w)));
    out.push_str(".SH ARGUMENTS\n");
    out.push_str(&section(|w| man.render_options_section(w)));
    out.push_str(&hand_written("git-remote-postman"));
    out
}

type Generator = fn() -> String;
const GENERATED: [(&str, Generator); 2] = [
    ("git-postman.1", git_postman),
    ("git-remote-postman.1", git_remote_postman),
];

#[test]
fn committed_man_pages_are_what_the_clap_definitions_generate() {
    let update = std::env::var("UPDATE_MAN_PAGES").is_ok_and(|v| !v.is_empty() && v != "0");
    let mut stale = Vec::new();
    for (name, generate) in GENERATED {
        let path = man_dir().join(name);
        let want = generate();
        if update {
            std::fs::write(&path, &want).unwrap();
            eprintln!("wrote {}", path.display());
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale man pages {stale:?}: run `UPDATE_MAN_PAGES=1 cargo test --test man_pages` and commit man/"
    );
}

#[test]
fn every_page_renders_without_warnings() {
    if Command::new("groff").arg("--version").output().is_err() {
        eprintln!("skipped: groff is missing");
        return;
    }
    for name in [
        "git-postman.1",
        "git-remote-postman.1",
        "git-credential-postman.1",
    ] {
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(man_dir().join(name))
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.trim().is_empty(),
            "{name}: {warnings}"
        );
    }
    // Every subcommand has its section, and the hand-written parts are there.
    let text = git_postman();
    for expected in [
        ".SS \"git postman connect\"",
        ".SS \"git postman disconnect\"",
        ".SS \"git postman status\"",
        ".SS \"git postman login\"",
        ".SS \"git postman logout\"",
        ".SH URL FORMS",
        ".SH CONFIGURATION",
        ".SH FILES",
        ".SH EXAMPLES",
        ".SH GIT GUIS AND IDES",
    ] {
        assert!(text.contains(expected), "{expected} missing");
    }
}
