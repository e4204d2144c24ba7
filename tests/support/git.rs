//! Runs the real `git` with the built helpers first on PATH, in an isolated HOME, so the
//! tests see exactly what a user would.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::fake_postman::{FakePostman, API_KEY};

/// A sandbox: a temporary HOME with its own git config, and PATH starting with the
/// directory of the built binaries.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_git-remote-postman"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let env = vec![
            ("PATH".into(), path),
            ("HOME".into(), home.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                home.join(".config").display().to_string(),
            ),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("GIT_TERMINAL_PROMPT".into(), "0".into()),
            ("GIT_AUTHOR_NAME".into(), "Tester".into()),
            ("GIT_AUTHOR_EMAIL".into(), "tester@example.com".into()),
            ("GIT_COMMITTER_NAME".into(), "Tester".into()),
            ("GIT_COMMITTER_EMAIL".into(), "tester@example.com".into()),
            ("POSTMAN_API_KEY".into(), API_KEY.into()),
        ];
        let sandbox = Sandbox { dir, env };
        sandbox.git_ok(
            sandbox.path(),
            ["config", "--global", "init.defaultBranch", "main"],
        );
        sandbox
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Sets (or with `None`, removes) an environment variable for every git run.
    pub fn set_env(&mut self, key: &str, value: Option<&str>) {
        self.env.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.env.push((key.into(), v.into()));
        }
    }

    pub fn git<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new("git");
        cmd.current_dir(cwd).args(args).env_clear();
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("git runs")
    }

    /// Runs git and panics with its output unless it succeeds; returns stdout.
    pub fn git_ok<I, S>(&self, cwd: &Path, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.git(cwd, &args);
        assert!(
            out.status.success(),
            "git {:?} failed ({}):\n{}{}",
            args,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs git, asserts it fails, and returns its exit code and stderr.
    pub fn git_fails<I, S>(&self, cwd: &Path, args: I) -> (i32, String)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.git(cwd, args);
        assert!(!out.status.success(), "git succeeded, expected a failure");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `git rev-parse <rev>` in `repo`.
    pub fn rev(&self, repo: &Path, rev: &str) -> String {
        self.git_ok(repo, ["rev-parse", rev]).trim().to_string()
    }
}

/// The fake with the sample API, and a `git clone` of it (remote `origin`) in a sandbox.
pub struct Cloned {
    pub fake: FakePostman,
    pub api: String,
    pub sandbox: Sandbox,
    pub repo: PathBuf,
}

/// [`Cloned`], the clone at `name`.
pub fn cloned_sample(name: &str) -> Cloned {
    let fake = FakePostman::start();
    let api = fake.with_state(|s| s.seed_sample());
    let sandbox = Sandbox::new();
    let url = postman_url(&fake, &api);
    sandbox.git_ok(sandbox.path(), ["clone", "-q", &url, name]);
    let repo = sandbox.join(name);
    Cloned {
        fake,
        api,
        sandbox,
        repo,
    }
}

/// The `postman::` URL of an API on the fake server.
pub fn postman_url(fake: &FakePostman, api_id: &str) -> String {
    format!("postman::{}/apis/{api_id}", fake.base_url())
}

/// Every file of a directory tree (relative paths, sorted), without `.git`.
pub fn files_of(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            out.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}
