//! The official Postman CLI (npm `postman-cli`, pinned by
//! `tests/support/postman-cli/package-lock.json`): the oracle for Collection v3.
//! `postman collection migrate` writes Postman's own v3 tree for a v2.1 collection and
//! `postman collection lint` checks one, both offline. A local run without it skips
//! with a message; a run with `CI` set fails loudly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct PostmanCli {
    bin: PathBuf,
}

impl PostmanCli {
    pub fn find() -> Option<PostmanCli> {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support/postman-cli/node_modules/.bin/postman");
        if bin.is_file() {
            return Some(PostmanCli { bin });
        }
        let what = "the Postman CLI is missing: run tests/support/install-deps.sh (it installs the pinned postman-cli)";
        if std::env::var_os("CI").is_some() {
            panic!("{what} (CI is set)");
        }
        eprintln!("skipped: {what}");
        None
    }

    fn run(&self, args: &[&std::ffi::OsStr]) -> Output {
        self.run_in(Path::new("."), args)
    }

    fn run_in(&self, dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
        Command::new(&self.bin)
            .current_dir(dir)
            .args(args)
            // The CLI's update check asks this host; a closed loopback port keeps the
            // tests off the network.
            .env("ARS_CLI_BASE_URL", "http://127.0.0.1:9")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()))
    }

    /// `postman collection migrate <file>` run in `parent`: the directory it wrote (named
    /// as Postman names a collection's directory), or its message (it refuses collections
    /// that are not v2.1.0).
    pub fn migrate(&self, file: &Path, parent: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(parent).unwrap();
        let o = self.run_in(
            parent,
            &["collection".as_ref(), "migrate".as_ref(), file.as_os_str()],
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        match stdout.trim().strip_prefix("Collection migrated to: ") {
            Some(dir) if o.status.success() => Ok(PathBuf::from(dir)),
            _ => Err(format!("{stdout}{}", String::from_utf8_lossy(&o.stderr))),
        }
    }

    /// `postman collection lint <dir>`: its exit status and output.
    pub fn lint(&self, dir: &Path) -> (bool, String) {
        let o = self.run(&["collection".as_ref(), "lint".as_ref(), dir.as_os_str()]);
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    }
}
