//! Postman state <-> file tree: the files Postman's own git integration writes.
//!
//! - [`json`]: `JSON.stringify(v, null, "\t")`, byte for byte;
//! - [`collection`]: collection files as Postman commits them;
//! - [`dotpostman`]: `.postman/api` and `.postman/api_<id>`;
//! - [`paths`]: untrusted Postman paths, collection file names;
//! - [`managed`]: the schema root file and its `$ref` closure, parsed;
//! - [`mapping`]: where an API's files live in the repository;
//! - [`validate`]: files checked before a push sends anything;
//! - [`v3`]: Collection v3 YAML trees (Postman v12) <-> v2.1 collection JSON;
//! - [`workspace`]: a v12 workspace in Native Git's layout (`.postman/resources.yaml`, specs,
//!   collections, environments, globals).

pub mod collection;
pub mod dotpostman;
pub mod json;
pub mod managed;
pub mod mapping;
pub mod paths;
pub mod v3;
pub mod validate;
pub mod workspace;
