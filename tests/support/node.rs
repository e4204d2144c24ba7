//! The real Postman tools from npm (`postman-collection`, `newman`), run by the small
//! scripts in `tests/support/node/`. They need `node` on PATH and
//! `npm ci --prefix tests/support/node` (the lockfile pins the versions). CI has both; a
//! local run without them skips with a message, a run with `CI` set fails loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `node` and the directory with the scripts and their `node_modules`.
pub struct Node {
    pub node: PathBuf,
    pub dir: PathBuf,
}

impl Node {
    /// `None` (after saying why) when `node` or the npm packages are missing locally.
    pub fn find() -> Option<Node> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/node");
        let missing = |what: String| -> Option<Node> {
            if std::env::var_os("CI").is_some() {
                panic!("{what} (CI is set)");
            }
            eprintln!("skipped: {what}");
            None
        };
        let Some(node) = on_path("node") else {
            return missing("`node` is not on PATH".into());
        };
        for package in ["postman-collection", "newman"] {
            if !dir
                .join("node_modules")
                .join(package)
                .join("package.json")
                .is_file()
            {
                return missing(format!(
                    "npm package {package} is missing: run `npm ci --prefix tests/support/node`"
                ));
            }
        }
        Some(Node { node, dir })
    }

    /// Runs `node <dir>/<script> <args>`; its stdout, or its stderr as the error.
    pub fn run(&self, script: &str, args: &[&Path]) -> Result<String, String> {
        let out = Command::new(&self.node)
            .arg(self.dir.join(script))
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.node.display()));
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).expect("node prints UTF-8"))
        } else {
            Err(format!(
                "node {script} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            ))
        }
    }

    /// As `run`, for a script that prints JSON; panics with node's message on failure.
    pub fn run_json(&self, script: &str, args: &[&Path]) -> Value {
        let stdout = self.run(script, args).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("node {script} printed no JSON ({e}): {stdout}"))
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
