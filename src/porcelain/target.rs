//! What `git postman connect` accepts as the API or workspace to connect, and the remote
//! URL it records for it: `postman::<apiId>` (`postman::workspaces/<workspaceId>`) on
//! Postman's default server, else `postman::<server>/apis/<apiId>`
//! (`postman::<server>/workspaces/<workspaceId>`).
//!
//! Accepted: a bare API id (on `--base-url` when given), any `postman::` URL the remote
//! helper takes (a workspace's too), `https://<server>/apis/<apiId>`, and the address of
//! the API in Postman's web app (`https://<team>.postman.co/workspace/<name>~<id>/api/<apiId>`);
//! with `--workspace`, a bare workspace id or a workspace's `postman::` URL.

use super::server;
use crate::postman::DEFAULT_BASE_URL;
use crate::remote::url::{self as remote_url, RemoteUrl, Target};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error(transparent)]
    Url(#[from] remote_url::Error),
    #[error("{0:?} names its server already: drop --base-url")]
    TwoServers(String),
    #[error("{0:?} is a Postman web address without /api/<apiId> in it")]
    NoApiInWebAddress(String),
    #[error("{0:?} names an API, not a workspace: drop --workspace, or give the workspace's id")]
    NotAWorkspace(String),
}

/// The API (or workspace) `raw` names.
pub fn parse(raw: &str, base_url: Option<&str>) -> Result<Target, Error> {
    let raw = raw.trim();
    if let Some(id) = web_app_api_id(raw)? {
        return with_server(APIS, &id, base_url);
    }
    let names_server = raw.starts_with("postman::")
        || raw.starts_with("postman://")
        || raw.starts_with("https://")
        || raw.starts_with("http://");
    if names_server {
        let target = Target::parse(raw)?;
        let on_default_server = raw
            .strip_prefix("postman::")
            .is_some_and(|rest| !rest.contains("://"));
        let kind = match target {
            Target::Api(_) => APIS,
            Target::Workspace { .. } => WORKSPACES,
        };
        return match base_url {
            Some(_) if !on_default_server => Err(Error::TwoServers(raw.to_string())),
            Some(_) => with_server(kind, target.id(), base_url),
            None => Ok(target),
        };
    }
    with_server(APIS, raw, base_url)
}

/// The workspace `raw` (`--workspace`: an id or a workspace's `postman::` URL) names.
pub fn parse_workspace(raw: &str, base_url: Option<&str>) -> Result<Target, Error> {
    let raw = raw.trim();
    if raw.contains(':') {
        return match parse(raw, base_url)? {
            t @ Target::Workspace { .. } => Ok(t),
            Target::Api(_) => Err(Error::NotAWorkspace(raw.to_string())),
        };
    }
    with_server(WORKSPACES, raw, base_url)
}

const APIS: &str = "apis";
const WORKSPACES: &str = "workspaces";

fn with_server(kind: &str, id: &str, base_url: Option<&str>) -> Result<Target, Error> {
    let server = match base_url {
        None => DEFAULT_BASE_URL.to_string(),
        Some(base) => server::display(&server::parse_base(base)?),
    };
    Ok(Target::parse(&format!("postman::{server}/{kind}/{id}"))?)
}

/// The API id in a Postman web app address, `None` for anything else.
fn web_app_api_id(raw: &str) -> Result<Option<String>, Error> {
    let Ok(url) = url::Url::parse(raw) else {
        return Ok(None);
    };
    let host = url.host_str().unwrap_or_default();
    let web = ["postman.co", "postman.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if !web || host.starts_with("api.") {
        return Ok(None);
    }
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    segments
        .windows(2)
        .find(|w| w[0] == "api")
        .map(|w| Some(w[1].to_string()))
        .ok_or_else(|| Error::NoApiInWebAddress(raw.to_string()))
}

/// The remote URL to record.
pub fn remote_url_string(target: &Target) -> String {
    let base = server::display(target.base());
    let (kind, id) = match target {
        Target::Api(RemoteUrl { api_id, .. }) => (APIS, api_id),
        Target::Workspace { workspace_id, .. } => (WORKSPACES, workspace_id),
    };
    match (base == DEFAULT_BASE_URL, kind) {
        (true, APIS) => format!("postman::{id}"),
        (true, _) => format!("postman::{kind}/{id}"),
        (false, _) => format!("postman::{base}/{kind}/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(raw: &str, base: Option<&str>) -> String {
        remote_url_string(&parse(raw, base).unwrap())
    }

    #[test]
    fn every_form_becomes_one_remote_url() {
        assert_eq!(recorded("3d3fddb2-25dd", None), "postman::3d3fddb2-25dd");
        assert_eq!(recorded("postman::3d3fddb2", None), "postman::3d3fddb2");
        assert_eq!(
            recorded("https://api.getpostman.com/apis/abc", None),
            "postman::abc"
        );
        assert_eq!(
            recorded("abc", Some("http://127.0.0.1:8111/")),
            "postman::http://127.0.0.1:8111/apis/abc"
        );
        assert_eq!(
            recorded("postman::https://api.eu.postman.com/apis/abc", None),
            "postman::https://api.eu.postman.com/apis/abc"
        );
        assert_eq!(
            recorded(
                "https://acme.postman.co/workspace/Team~1234/api/3d3fddb2-25dd?tab=x",
                None
            ),
            "postman::3d3fddb2-25dd"
        );
        assert!(matches!(
            parse(
                "https://api.eu.postman.com/apis/abc",
                Some("http://127.0.0.1:1")
            ),
            Err(Error::TwoServers(_))
        ));
        assert!(matches!(
            parse("https://go.postman.co/workspace/x", None),
            Err(Error::NoApiInWebAddress(_))
        ));
        assert!(parse("../etc", None).is_err());
    }

    #[test]
    fn a_workspace_is_recorded_as_its_own_kind_of_url() {
        let workspace = |raw: &str, base| remote_url_string(&parse_workspace(raw, base).unwrap());
        assert_eq!(workspace("w-1", None), "postman::workspaces/w-1");
        assert_eq!(
            workspace("w-1", Some("http://127.0.0.1:8111")),
            "postman::http://127.0.0.1:8111/workspaces/w-1"
        );
        assert_eq!(
            workspace("postman::https://api.eu.postman.com/workspaces/w-2", None),
            "postman::https://api.eu.postman.com/workspaces/w-2"
        );
        // The positional argument takes a workspace's URL as well.
        assert_eq!(
            recorded("postman::workspaces/w-3", Some("http://127.0.0.1:1")),
            "postman::http://127.0.0.1:1/workspaces/w-3"
        );
        assert!(matches!(
            parse_workspace("postman::abc", None),
            Err(Error::NotAWorkspace(_))
        ));
        assert!(parse_workspace("w/../x", None).is_err());
    }
}
