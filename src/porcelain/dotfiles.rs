//! `.postman/api` and `.postman/api_<apiId>` in the working tree: connect adds an API's
//! entry, disconnect takes it away. The files are rendered by `layout::dotpostman`, so
//! they are byte for byte what Postman and the remote helper write.

use crate::layout::dotpostman::{self, ApiEntityData, ApiIndex, INDEX_PATH};

use super::workspace::{self, Workspace};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Format(#[from] dotpostman::Error),
}

/// `.postman/api` of the working tree (empty when there is none).
pub fn read_index(ws: &Workspace) -> Result<ApiIndex, Error> {
    match ws.read(INDEX_PATH)? {
        Some(bytes) => Ok(ApiIndex::parse(&String::from_utf8_lossy(&bytes))?),
        None => Ok(ApiIndex::default()),
    }
}

/// `.postman/api_<apiId>` of the working tree, if there is one.
pub fn read_entity(ws: &Workspace, api_id: &str) -> Result<Option<ApiEntityData>, Error> {
    let path = dotpostman::entity_path(api_id);
    match ws.read(&path)? {
        Some(bytes) => Ok(Some(ApiEntityData::parse(
            &path,
            &String::from_utf8_lossy(&bytes),
        )?)),
        None => Ok(None),
    }
}

/// The bytes of `.postman/api` with `api_id` listed.
pub fn index_with(ws: &Workspace, api_id: &str) -> Result<String, Error> {
    Ok(read_index(ws)?.with_api(api_id).render())
}

/// Takes `api_id` out: its `.postman/api_<apiId>` goes, and its line in `.postman/api`;
/// the index goes too when no API is left (and `.postman` when it is empty). Returns the
/// paths changed.
pub fn remove(ws: &Workspace, api_id: &str) -> Result<Vec<String>, Error> {
    let mut changed = Vec::new();
    let entity = dotpostman::entity_path(api_id);
    if ws.read(&entity)?.is_some() {
        ws.remove(&entity)?;
        changed.push(entity);
    }
    if ws.read(INDEX_PATH)?.is_some() {
        let mut index = read_index(ws)?;
        if index.without_api(api_id) {
            if index.api_ids.is_empty() {
                ws.remove(INDEX_PATH)?;
            } else {
                ws.write(INDEX_PATH, index.render().as_bytes())?;
            }
            changed.push(INDEX_PATH.to_string());
        }
    }
    // Only an empty directory goes; anything else in it is the user's.
    let _ = std::fs::remove_dir(ws.workdir.join(".postman"));
    Ok(changed)
}
