//! A push's writes ([`Write`], already validated and ordered) sent one by one.
//! Each create is reported to `on_created(repository path, remote id)` as soon as Postman
//! answers, so the push journal knows it before the next request: a push stopped later
//! updates what it created instead of creating it twice.
//!
//! Environments and globals are replaced whole by the API, so an update first reads the
//! live variables: a value git does not hold (a secret fetched without opt-in) is sent as
//! Postman has it, and members the layout does not model (`description`, a vault
//! `source`) are kept.

use std::collections::BTreeMap;

use serde_json::Map;

use super::{Client, FilePatch, FileType, NewSpecFile, Variable as ApiVariable};
use crate::layout::workspace::plan::Write;
use crate::layout::workspace::state::Variable;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] super::Error),
    #[error("{what} was done, but recording it in the push journal failed: {source}")]
    Journal {
        what: String,
        source: std::io::Error,
    },
}

/// What a push did that the next steps need: the objects it created, repository path ->
/// id (for `.postman/resources.yaml` and the view of what Postman now holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub created: BTreeMap<String, String>,
}

/// Sends `writes` in order to workspace `workspace_id`; stops at the first error.
pub fn apply(
    client: &Client,
    workspace_id: &str,
    writes: &[Write],
    on_created: &mut dyn FnMut(&str, &str) -> std::io::Result<()>,
) -> Result<Applied, Error> {
    let mut applied = Applied::default();
    for w in writes {
        let created = send(client, workspace_id, w)?;
        if let Some((path, id)) = created {
            on_created(&path, &id).map_err(|source| Error::Journal {
                what: format!("{path} was created in Postman as {id}"),
                source,
            })?;
            applied.created.insert(path, id);
        }
    }
    Ok(applied)
}

/// One write; a create returns its repository path and the new id.
fn send(client: &Client, ws: &str, w: &Write) -> Result<Option<(String, String)>, Error> {
    match w {
        Write::CreateSpec {
            path,
            name,
            spec_type,
            files,
        } => {
            let files: Vec<NewSpecFile> = files
                .iter()
                .map(|f| NewSpecFile {
                    path: &f.path,
                    content: &f.content,
                    root: f.root,
                })
                .collect();
            let spec = client.create_spec(ws, name, spec_type, &files)?;
            return Ok(Some((path.clone(), spec.id)));
        }
        Write::CreateSpecFile {
            spec_id,
            path,
            content,
        } => {
            client.create_spec_file(spec_id, path, content)?;
        }
        Write::UpdateSpecFile {
            spec_id,
            path,
            content,
        } => {
            client.patch_spec_file(spec_id, path, FilePatch::Content(content))?;
        }
        Write::RenameSpec { id, name } => {
            client.rename_spec(id, name)?;
        }
        Write::RenameSpecFile {
            spec_id,
            path,
            name,
        } => {
            client.patch_spec_file(spec_id, path, FilePatch::Name(name))?;
        }
        Write::SetRoot { spec_id, path } => {
            client.patch_spec_file(spec_id, path, FilePatch::Type(FileType::Root))?;
        }
        Write::DeleteSpecFile { spec_id, path } => client.delete_spec_file(spec_id, path)?,
        Write::DeleteSpec { id, .. } => client.delete_spec(id)?,
        Write::CreateCollection { path, json } => {
            let uid = client.create_workspace_collection(ws, json)?;
            return Ok(Some((path.clone(), uid)));
        }
        Write::UpdateCollection { uid, json, .. } => client
            .put_collection(uid, json)
            .map_err(super::Error::from)?,
        Write::DeleteCollection { uid, .. } => {
            client.delete_collection(uid).map_err(super::Error::from)?
        }
        Write::CreateEnvironment { path, name, values } => {
            let uid = client.create_environment(ws, name, &merged(values, &[]))?;
            return Ok(Some((path.clone(), uid)));
        }
        Write::UpdateEnvironment {
            uid, name, values, ..
        } => {
            let live = client.environment(uid)?.values;
            client.update_environment(uid, name, &merged(values, &live))?;
        }
        Write::DeleteEnvironment { uid, .. } => client.delete_environment(uid)?,
        Write::PutGlobals { values } => {
            let live = client.globals(ws)?;
            client.put_globals(ws, &merged(values, &live))?;
        }
        Write::Remap { .. } => {}
    }
    Ok(None)
}

/// The variables to send: `values` over `live` (matched by key): a value git does not
/// hold is `live`'s (empty when Postman has none), members git does not model are
/// `live`'s.
pub fn merged(values: &[Variable], live: &[ApiVariable]) -> Vec<ApiVariable> {
    values
        .iter()
        .map(|v| {
            let old = live.iter().find(|l| l.key == v.key);
            let value = match (&v.value, old) {
                (Some(value), _) => value.clone(),
                (None, Some(old)) => old.value.clone(),
                (None, None) => String::new(),
            };
            ApiVariable {
                key: v.key.clone(),
                value,
                kind: Some(v.kind.clone()),
                enabled: Some(v.enabled),
                description: old.and_then(|o| o.description.clone()),
                other: old.map_or_else(Map::new, |o| o.other.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api(v: serde_json::Value) -> ApiVariable {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_value_git_does_not_hold_is_postmans_and_unmodelled_members_stay() {
        let live = [api(
            json!({"key": "token", "value": "s3cr3t", "type": "secret",
            "enabled": true, "description": "the key", "source": {"provider": "vault"}}),
        )];
        let not_held = Variable {
            key: "token".into(),
            value: None,
            enabled: false,
            kind: "secret".into(),
        };
        let new = Variable {
            key: "fresh".into(),
            value: None,
            enabled: true,
            kind: "secret".into(),
        };
        let sent = merged(&[not_held, new], &live);
        assert_eq!(
            serde_json::to_value(&sent).unwrap(),
            json!([
                {"key": "token", "value": "s3cr3t", "type": "secret", "enabled": false,
                 "description": "the key", "source": {"provider": "vault"}},
                {"key": "fresh", "value": "", "type": "secret", "enabled": true},
            ])
        );
    }
}
