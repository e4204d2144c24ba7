//! Configuration: the git config keys the remote helper and the porcelain read, in one
//! place. The credential helper's keys (`credential.postmanStore`, `postmanApp`,
//! `interactive`, `useHttpPath`, `postmanBrowserTimeout`) are read by `credential::config`,
//! which loads git's config files once on git's hot path.
//!
//! | key | meaning |
//! |---|---|
//! | `remote.<name>.postmanSchemaDirectory` | `S`: where schema files live (`.` = repository root) |
//! | `remote.<name>.postmanCollectionDirectory` | `C`: where collection files live |
//! | `remote.<name>.postmanRootFile` | the schema root file (repository path) |
//! | `remote.<name>.postmanCollectionFormat` | `v2.1` (default: one JSON file per collection) or `v3` (one Collection v3 YAML tree per collection) |
//! | `remote.<name>.postmanSecrets` | a workspace remote: `true` writes secret variable values to git (read by `remote::workspace`) |
//! | `remote.<name>.postmanBranch` | the branch the API lives on (written by `git postman connect`, read by `status`) |
//! | `postman.trustedApiHost` | (multi-valued) a server besides Postman's own that may receive `POSTMAN_API_KEY` |
//! | `postman.migrationPolls`, `postman.migrationPollInterval` | how many status reads `git postman migrate` waits for Postman, how many seconds apart (read by `porcelain::migrate`) |

use crate::layout::mapping::{CollectionFormat, Overrides};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("git config remote.{remote}.{key} is {value:?}; expected one of: {expected}")]
    BadValue {
        remote: String,
        key: &'static str,
        value: String,
        expected: String,
    },
}

/// `remote.<remote>.<key>`, when set to something other than blanks.
pub fn remote_value(repo: &gix::Repository, remote: &str, key: &str) -> Option<String> {
    repo.config_snapshot()
        .string(format!("remote.{remote}.{key}").as_str())
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
}

/// The mapping settings of remote `remote` in the repository's git config.
pub fn mapping_overrides(repo: &gix::Repository, remote: &str) -> Result<Overrides, Error> {
    let get = |key| remote_value(repo, remote, key);
    const FORMAT: &str = "postmanCollectionFormat";
    let collection_format = match get(FORMAT) {
        None => None,
        Some(value) => Some(
            CollectionFormat::parse(&value).ok_or_else(|| Error::BadValue {
                remote: remote.to_string(),
                key: FORMAT,
                value,
                expected: CollectionFormat::VALUES.join(", "),
            })?,
        ),
    };
    Ok(Overrides {
        schema_dir: get("postmanSchemaDirectory"),
        collection_dir: get("postmanCollectionDirectory"),
        root_file: get("postmanRootFile"),
        collection_format,
    })
}

/// `remote.<remote>.postmanBranch`: the branch the API lives on.
pub fn postman_branch(repo: &gix::Repository, remote: &str) -> Option<String> {
    remote_value(repo, remote, "postmanBranch")
}

/// Every `postman.trustedApiHost` in git's config (all levels), as `host` or `host:port`.
/// Read through `git config` because the remote helper may run outside a repository
/// (`ls-remote`) and the porcelain anywhere; it is asked only for a server that is not
/// Postman's, so the common path spawns nothing.
pub fn trusted_api_hosts() -> Vec<String> {
    let output = std::process::Command::new("git")
        .args(["config", "--get-all", "postman.trustedApiHost"])
        .stderr(std::process::Stdio::null())
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}
