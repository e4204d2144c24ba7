//! Configuration: the git config keys this project reads, in one place.
//!
//! | key | meaning |
//! |---|---|
//! | `remote.<name>.postmanSchemaDirectory` | `S`: where schema files live (`.` = repository root) |
//! | `remote.<name>.postmanCollectionDirectory` | `C`: where collection files live |
//! | `remote.<name>.postmanRootFile` | the schema root file (repository path) |
//! | `remote.<name>.postmanBranch` | the branch the API lives on (written by `git postman connect`, read by `status`) |

use crate::layout::mapping::Overrides;

/// The mapping settings of remote `remote` in the repository's git config.
pub fn mapping_overrides(repo: &gix::Repository, remote: &str) -> Overrides {
    let config = repo.config_snapshot();
    let get = |key: &str| {
        config
            .string(format!("remote.{remote}.{key}").as_str())
            .map(|v| v.to_string())
            .filter(|v| !v.trim().is_empty())
    };
    Overrides {
        schema_dir: get("postmanSchemaDirectory"),
        collection_dir: get("postmanCollectionDirectory"),
        root_file: get("postmanRootFile"),
    }
}
