//! `postman::` URLs: `postman::<apiId>` for the default server,
//! `postman::<base-url>/apis/<apiId>` for another one (EU, or a test server), and the
//! `postman://<host>/apis/<apiId>` form; a workspace (Postman v12) the same way with
//! `workspaces/<workspaceId>` for `<apiId>`. The URL's kind picks the backend.

use url::Url;

use crate::postman::DEFAULT_BASE_URL;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{url:?} is not a Postman URL: {why}\n  expected postman::<apiId> or postman::<https://server>/apis/<apiId>\n  (a workspace: postman::workspaces/<workspaceId> or postman::<https://server>/workspaces/<workspaceId>)")]
    Invalid { url: String, why: String },
    #[error("{url:?} names a Postman workspace; this takes an API (postman::<apiId>)")]
    NotAnApi { url: String },
}

/// What a `postman::` URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An API of the API Builder (`/apis/<id>`).
    Api(RemoteUrl),
    /// A workspace (`/workspaces/<id>`): Spec Hub specs, collections, environments.
    Workspace { base: Url, workspace_id: String },
}

impl Target {
    pub fn parse(raw: &str) -> Result<Target, Error> {
        let invalid = |why: &str| Error::Invalid {
            url: raw.to_string(),
            why: why.to_string(),
        };
        let s = raw.strip_prefix("postman::").unwrap_or(raw).trim();
        let no_path = || invalid("no /apis/<apiId> or /workspaces/<workspaceId> in it");
        let (base, kind, id) = if let Some(rest) = s.strip_prefix("postman://") {
            split_kind(&format!("https://{rest}")).ok_or_else(no_path)?
        } else if s.starts_with("https://") || s.starts_with("http://") {
            split_kind(s).ok_or_else(no_path)?
        } else if let Some(id) = s.strip_prefix(WORKSPACES) {
            (DEFAULT_BASE_URL.to_string(), WORKSPACES, id.to_string())
        } else {
            (DEFAULT_BASE_URL.to_string(), APIS, s.to_string())
        };
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(if kind == APIS {
                "the API id must be letters, digits and dashes"
            } else {
                "the workspace id must be letters, digits and dashes"
            }));
        }
        let base = Url::parse(&base).map_err(|e| invalid(&e.to_string()))?;
        if base.scheme() == "http" && !is_loopback(&base) {
            return Err(invalid(
                "plain http:// is allowed only for a loopback address",
            ));
        }
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(invalid("the server must be http(s)"));
        }
        Ok(match kind {
            APIS => Target::Api(RemoteUrl { base, api_id: id }),
            _ => Target::Workspace {
                base,
                workspace_id: id,
            },
        })
    }

    /// The API server.
    pub fn base(&self) -> &Url {
        match self {
            Target::Api(url) => &url.base,
            Target::Workspace { base, .. } => base,
        }
    }

    /// The API's or the workspace's id.
    pub fn id(&self) -> &str {
        match self {
            Target::Api(url) => &url.api_id,
            Target::Workspace { workspace_id, .. } => workspace_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// The API server, e.g. `https://api.getpostman.com`.
    pub base: Url,
    pub api_id: String,
}

impl RemoteUrl {
    /// An API's URL; a workspace's is an error ([`Target::parse`] takes both).
    pub fn parse(raw: &str) -> Result<RemoteUrl, Error> {
        match Target::parse(raw)? {
            Target::Api(url) => Ok(url),
            Target::Workspace { .. } => Err(Error::NotAnApi {
                url: raw.to_string(),
            }),
        }
    }
}

const APIS: &str = "apis/";
const WORKSPACES: &str = "workspaces/";

/// `https://host/prefix/apis/<id>` -> (`https://host/prefix`, `apis/`, `<id>`); the same
/// for `workspaces/`.
fn split_kind(url: &str) -> Option<(String, &'static str, String)> {
    let url = url.trim_end_matches('/');
    [WORKSPACES, APIS].into_iter().find_map(|kind| {
        let (base, id) = url.rsplit_once(&format!("/{kind}"))?;
        Some((base.to_string(), kind, id.to_string()))
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let u = RemoteUrl::parse("postman::3d3fddb2-25dd").unwrap();
        assert_eq!(
            (u.base.as_str(), u.api_id.as_str()),
            ("https://api.getpostman.com/", "3d3fddb2-25dd")
        );
        let u = RemoteUrl::parse("http://127.0.0.1:8111/apis/abc").unwrap();
        assert_eq!(
            (u.base.as_str(), u.api_id.as_str()),
            ("http://127.0.0.1:8111/", "abc")
        );
        let u = RemoteUrl::parse("postman://api.eu.postman.com/apis/abc").unwrap();
        assert_eq!(u.base.as_str(), "https://api.eu.postman.com/");
        assert!(RemoteUrl::parse("http://example.com/apis/abc").is_err());
        assert!(RemoteUrl::parse("postman::../x").is_err());
        assert!(RemoteUrl::parse("postman::").is_err());
    }

    #[test]
    fn workspaces() {
        let workspace = |raw: &str| match Target::parse(raw).unwrap() {
            Target::Workspace { base, workspace_id } => (base.to_string(), workspace_id),
            other => panic!("{raw} parsed as {other:?}"),
        };
        assert_eq!(
            workspace("postman::workspaces/1f0df51a-8658"),
            ("https://api.getpostman.com/".into(), "1f0df51a-8658".into())
        );
        assert_eq!(
            workspace("postman::http://127.0.0.1:8111/workspaces/w1/"),
            ("http://127.0.0.1:8111/".into(), "w1".into())
        );
        assert_eq!(
            workspace("postman://api.eu.postman.com/workspaces/w2"),
            ("https://api.eu.postman.com/".into(), "w2".into())
        );
        assert!(matches!(
            Target::parse("postman::abc").unwrap(),
            Target::Api(RemoteUrl { ref api_id, .. }) if api_id == "abc"
        ));
        let err = RemoteUrl::parse("postman::workspaces/w1").unwrap_err();
        assert!(
            err.to_string().contains("names a Postman workspace"),
            "{err}"
        );
        for bad in [
            "postman::workspaces/",
            "postman::workspaces/../x",
            "http://example.com/workspaces/w1",
            "https://example.com/teams/w1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
