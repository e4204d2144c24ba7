//! The repository the porcelain works on: read with gix, changed with the `git` command
//! (config, remotes, refs), so that locking, config file formats and hooks are git's own.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use gix::ObjectId;

use crate::layout::mapping::{self, CollectionFormat, Overrides};
use crate::remote::url::Target;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not in a git repository: {0}")]
    NotARepository(String),
    #[error("this repository has no working tree: {0} needs one")]
    Bare(&'static str),
    #[error("`git {args}` failed: {stderr}")]
    Git { args: String, stderr: String },
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is outside the repository")]
    Outside(String),
    #[error("git: {0}")]
    Gix(#[from] gix::Error),
}

impl Error {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

pub struct Workspace {
    pub repo: gix::Repository,
    /// The working tree's top directory, canonical.
    pub workdir: PathBuf,
    /// Where the command was started, canonical: user paths are relative to it.
    cwd: PathBuf,
}

/// A remote whose URL is a `postman::` URL (an API's or a workspace's).
#[derive(Debug, Clone)]
pub struct PostmanRemote {
    pub name: String,
    pub target: Target,
    /// `remote.<name>.postmanBranch`, set by `git postman connect`.
    pub branch: Option<String>,
    pub overrides: Overrides,
}

impl Workspace {
    /// The repository around the current directory (`GIT_DIR` and friends respected).
    pub fn discover(purpose: &'static str) -> Result<Workspace, Error> {
        let repo = gix::discover_with_environment_overrides(".")
            .map_err(|e| Error::NotARepository(e.to_string()))?;
        let workdir = repo.workdir().ok_or(Error::Bare(purpose))?;
        let workdir = workdir.canonicalize().map_err(Error::io(workdir))?;
        let cwd = std::env::current_dir().map_err(Error::io(Path::new(".")))?;
        let cwd = cwd.canonicalize().map_err(Error::io(&cwd))?;
        Ok(Workspace { repo, workdir, cwd })
    }

    /// The repository, without requiring a working tree (status of a bare repository is
    /// not useful, but login from inside one is fine).
    pub fn discover_any() -> Option<gix::Repository> {
        gix::discover_with_environment_overrides(".").ok()
    }

    /// Runs `git <args>` in the working tree; its stdout, or its stderr as the error.
    pub fn git<I, S>(&self, args: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.git_with_input(args, None)
    }

    /// As [`Workspace::git`], with `input` on stdin.
    pub fn git_with_input<I, S>(&self, args: I, input: Option<&str>) -> Result<String, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_git(&self.workdir, args, input)
    }

    /// A repository path (`/`-separated, relative to the top) for a path the user typed,
    /// which is relative to the current directory. The path need not exist.
    pub fn repo_path(&self, typed: &str) -> Result<String, Error> {
        let joined = normalize(&self.cwd.join(typed));
        let rel = joined
            .strip_prefix(&self.workdir)
            .map_err(|_| Error::Outside(typed.to_string()))?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Ok(parts.join("/"))
    }

    /// The file at repository path `rel` in the working tree; `None` if it does not exist
    /// or is not a regular file.
    pub fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.workdir.join(rel);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => std::fs::read(&path).map(Some).map_err(Error::io(&path)),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path)(e)),
        }
    }

    /// Writes `bytes` at repository path `rel`, creating directories.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.workdir.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        std::fs::write(&path, bytes).map_err(Error::io(&path))
    }

    /// Removes the file at `rel`, if there is one.
    pub fn remove(&self, rel: &str) -> Result<(), Error> {
        let path = self.workdir.join(rel);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path)(e)),
            _ => Ok(()),
        }
    }

    /// Repository paths of the files under directory `dir` of the working tree whose
    /// name passes `keep`, sorted.
    pub fn files_under(&self, dir: &str, keep: fn(&str) -> bool) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let root = self.workdir.join(dir);
        if root.is_dir() {
            walk(&root, dir, keep, &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    /// The collections under `dir` of the working tree, in `format`: `*.json` files,
    /// or (v3) the directories right below it; repository paths, sorted.
    pub fn collections_under(
        &self,
        dir: &str,
        format: CollectionFormat,
    ) -> Result<Vec<String>, Error> {
        if format == CollectionFormat::V2 {
            return self.files_under(dir, mapping::is_collection_file);
        }
        let root = self.workdir.join(dir);
        let mut out = Vec::new();
        if root.is_dir() {
            for entry in std::fs::read_dir(&root).map_err(Error::io(&root))? {
                let entry = entry.map_err(Error::io(&root))?;
                if entry
                    .file_type()
                    .map_err(Error::io(&entry.path()))?
                    .is_dir()
                {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    out.push(join(dir, &name));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The branch HEAD names (`main`), `None` when detached.
    pub fn current_branch(&self) -> Result<Option<String>, Error> {
        Ok(self
            .repo
            .head_name()?
            .map(|name| name.shorten().to_string()))
    }

    pub fn head_commit(&self) -> Option<ObjectId> {
        self.repo.head_id().ok().map(|id| id.detach())
    }

    /// Every remote with a `postman::` (or `postman://`) URL, by name.
    pub fn postman_remotes(&self) -> Vec<PostmanRemote> {
        postman_remotes(&self.repo)
    }

    /// The tip of a local branch.
    pub fn branch_tip(&self, branch: &str) -> Option<ObjectId> {
        let mut r = self
            .repo
            .try_find_reference(format!("refs/heads/{branch}").as_str())
            .ok()??;
        r.peel_to_id().ok().map(|id| id.detach())
    }
}

/// Every remote of `repo` with a `postman::` URL (read from its config).
pub fn postman_remotes(repo: &gix::Repository) -> Vec<PostmanRemote> {
    let mut out = Vec::new();
    for name in repo.remote_names() {
        let name = name.to_string();
        let Some(raw) = crate::config::remote_value(repo, &name, "url") else {
            continue;
        };
        if !is_postman_url(&raw) {
            continue;
        }
        let Ok(target) = Target::parse(&raw) else {
            continue;
        };
        out.push(PostmanRemote {
            branch: crate::config::postman_branch(repo, &name),
            // A bad value is the remote helper's to report (it stops the fetch with the
            // key and the value); these commands only show and remove the mapping.
            overrides: crate::config::mapping_overrides(repo, &name).unwrap_or_default(),
            name,
            target,
        });
    }
    out
}

fn is_postman_url(url: &str) -> bool {
    url.starts_with("postman::") || url.starts_with("postman://")
}

/// Runs `git` in `dir` with `input` on stdin; stdout, or stderr as the error.
fn run_git<I, S>(dir: &Path, args: I, input: Option<&str>) -> Result<String, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(&args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(Error::Spawn)?;
    if let Some(input) = input {
        // A git that exits early closes its stdin; its status tells what went wrong.
        let _ = child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes());
    }
    let output = child.wait_with_output().map_err(Error::Spawn)?;
    if !output.status.success() {
        return Err(Error::Git {
            args: args
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `a/./b/../c` -> `a/c`, without touching the file system (the path may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn walk(dir: &Path, rel: &str, keep: fn(&str) -> bool, out: &mut Vec<String>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(Error::io(dir))? {
        let entry = entry.map_err(Error::io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let child_rel = join(rel, &name);
        let kind = entry.file_type().map_err(Error::io(&entry.path()))?;
        if kind.is_dir() {
            walk(&entry.path(), &child_rel, keep, out)?;
        } else if kind.is_file() && keep(&name) {
            out.push(child_rel);
        }
    }
    Ok(())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/r/a/./b/../c")), Path::new("/r/a/c"));
        assert_eq!(normalize(Path::new("/r/..")), Path::new("/"));
    }
}
