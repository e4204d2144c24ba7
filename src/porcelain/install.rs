//! `git postman install [--prefix DIR]`: puts the program, its three names, its man
//! pages and shell completions under a prefix (default: the one it runs from, such as
//! `~/.cargo` after `cargo install`, else `~/.local`, the XDG user prefix).
//!
//! One binary answers to the three names (it looks at the name it was run by), so the
//! other two names are symbolic links to `git-postman` (copies on Windows). The man
//! pages are the generated ones of `man/`, carried in the binary so that an install
//! from crates.io or a single downloaded file has them too.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::cli::{Cli, InstallArgs};

/// The names the binary answers to; the first is the file, the others link to it.
pub const NAMES: [&str; 3] = [
    "git-postman",
    "git-remote-postman",
    "git-credential-postman",
];

const MAN_PAGES: [(&str, &[u8]); 3] = [
    ("git-postman.1", include_bytes!("../../man/git-postman.1")),
    (
        "git-remote-postman.1",
        include_bytes!("../../man/git-remote-postman.1"),
    ),
    (
        "git-credential-postman.1",
        include_bytes!("../../man/git-credential-postman.1"),
    ),
];

/// Where each shell looks for completions under a prefix. PowerShell has no such
/// directory: its script is dot-sourced from `$PROFILE`.
const COMPLETIONS: [(Shell, &str); 4] = [
    (Shell::Bash, "share/bash-completion/completions/git-postman"),
    (Shell::Zsh, "share/zsh/site-functions/_git-postman"),
    (
        Shell::Fish,
        "share/fish/vendor_completions.d/git-postman.fish",
    ),
    (
        Shell::PowerShell,
        "share/git-postman/completions/git-postman.ps1",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no --prefix given and no home directory to install under")]
    NoHome,
    #[error("cannot find the running program: {0}")]
    Exe(#[source] std::io::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn run(args: &InstallArgs, out: &mut dyn Write) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(Error::Exe)?;
    let prefix = match &args.prefix {
        Some(p) => p.clone(),
        None => default_prefix(&exe)?,
    };
    let bin = prefix.join("bin");
    install_binary(&exe, &bin)?;
    let mut written: Vec<PathBuf> = NAMES.iter().map(|n| bin.join(exe_name(n))).collect();
    for (page, bytes) in MAN_PAGES {
        written.push(write(&prefix.join("share/man/man1").join(page), bytes)?);
    }
    for (shell, rel) in COMPLETIONS {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), NAMES[0], &mut script);
        written.push(write(&prefix.join(rel), &script)?);
    }
    let report = |out: &mut dyn Write| -> std::io::Result<()> {
        for path in &written {
            writeln!(out, "installed {}", path.display())?;
        }
        let on_path = std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| same_file(&d, &bin)));
        if !on_path {
            writeln!(
                out,
                "note: {} is not on PATH; git finds the helpers only there",
                bin.display()
            )?;
        }
        writeln!(
            out,
            "PowerShell: add `. {}` to $PROFILE",
            prefix.join(COMPLETIONS[3].1).display()
        )
    };
    report(out).map_err(io(Path::new("<stdout>")))
}

/// The prefix the program already runs from (`~/.cargo` after `cargo install`: man-db
/// and bash-completion look beside each PATH directory), else `~/.local`.
fn default_prefix(exe: &Path) -> Result<PathBuf, Error> {
    let dir = exe.parent();
    match dir.filter(|d| d.file_name().is_some_and(|n| n == "bin")) {
        Some(bin) => Ok(bin.parent().unwrap_or(bin).to_path_buf()),
        None => Ok(directories::BaseDirs::new()
            .ok_or(Error::NoHome)?
            .home_dir()
            .join(".local")),
    }
}

/// The program as `bin/git-postman` (unless it is that file already) and the other
/// names beside it.
fn install_binary(exe: &Path, bin: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(bin).map_err(io(bin))?;
    let main = bin.join(exe_name(NAMES[0]));
    if !same_file(exe, &main) {
        // Copied beside, then renamed: a running git-postman is never half written.
        let tmp = bin.join(format!(".{}.tmp", exe_name(NAMES[0])));
        std::fs::copy(exe, &tmp).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &main).map_err(io(&main))?;
    }
    for name in &NAMES[1..] {
        let link = bin.join(exe_name(name));
        match std::fs::remove_file(&link) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&link)(e)),
            _ => {}
        }
        link_to(&main, &link).map_err(io(&link))?;
    }
    Ok(())
}

#[cfg(unix)]
fn link_to(main: &Path, link: &Path) -> std::io::Result<()> {
    // Relative, so the prefix can move.
    std::os::unix::fs::symlink(main.file_name().expect("a file name"), link)
}

#[cfg(not(unix))]
fn link_to(main: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::copy(main, link).map(|_| ())
}

fn exe_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::write(path, bytes).map_err(io(path))?;
    Ok(path.to_path_buf())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
