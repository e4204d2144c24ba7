//! The parts of Postman's responses this project reads. Lenient on purpose: fields the
//! spec marks optional are optional, and `createdBy`/`updatedBy` are ignored because the
//! spec types them as integers in some responses and strings in others.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub schemas: Vec<IdRef>,
    #[serde(default)]
    pub collections: Vec<IdRef>,
    #[serde(default)]
    pub versions: Vec<VersionRef>,
    #[serde(default)]
    pub git_info: Option<Value>,
}

impl Api {
    /// Postman answers `gitInfo: {}` for cloud APIs; a linked one names its repository.
    pub fn is_git_linked(&self) -> bool {
        self.git_info
            .as_ref()
            .and_then(|g| g.get("repository"))
            .is_some_and(|r| !r.is_null() && r.as_str() != Some(""))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VersionRef {
    pub id: String,
    pub name: String,
}

/// `GET /apis/{id}/schemas/{schemaId}`: the schema with the first page of its files.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    pub id: String,
    #[serde(rename = "type")]
    pub schema_type: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub files: Option<SchemaFilesFirstPage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SchemaFilesFirstPage {
    #[serde(default)]
    pub data: Vec<SchemaFileEntry>,
    #[serde(default)]
    pub meta: Option<NextPath>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextPath {
    #[serde(default)]
    pub next_path: Option<String>,
}

/// One entry of a schema file listing: no content.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaFileEntry {
    #[serde(default)]
    pub id: Option<String>,
    pub path: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub root: Option<RootFlag>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RootFlag {
    #[serde(default)]
    pub enabled: bool,
}

/// `GET /apis/{id}/schemas/{schemaId}/files`.
#[derive(Debug, Clone, Deserialize)]
pub struct SchemaFilesPage {
    #[serde(default)]
    pub files: Vec<SchemaFileEntry>,
    #[serde(default)]
    pub meta: Option<NextCursor>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextCursor {
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `GET /apis/{id}/schemas/{schemaId}/files/{path}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaFileContent {
    pub path: String,
    pub content: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `GET /apis/{id}/versions/{versionId}` (inside the `version` wrapper).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub release_notes: Option<String>,
    #[serde(default)]
    pub schemas: Vec<IdRef>,
    #[serde(default)]
    pub collections: Vec<IdRef>,
}
