//! What `git postman connect` accepts as the API to connect, and the remote URL it
//! records for it: `postman::<apiId>` on Postman's default server, else
//! `postman::<server>/apis/<apiId>`.
//!
//! Accepted: a bare API id (on `--base-url` when given), any `postman::` URL the remote
//! helper takes, `https://<server>/apis/<apiId>`, and the address of the API in Postman's
//! web app (`https://<team>.postman.co/workspace/<name>~<id>/api/<apiId>`).

use super::server;
use crate::postman::DEFAULT_BASE_URL;
use crate::remote::url::{self as remote_url, RemoteUrl};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error(transparent)]
    Url(#[from] remote_url::Error),
    #[error("{0:?} names its server already: drop --base-url")]
    TwoServers(String),
    #[error("{0:?} is a Postman web address without /api/<apiId> in it")]
    NoApiInWebAddress(String),
}

pub fn parse(raw: &str, base_url: Option<&str>) -> Result<RemoteUrl, Error> {
    let raw = raw.trim();
    if let Some(id) = web_app_api_id(raw)? {
        return with_server(&id, base_url);
    }
    let names_server = raw.starts_with("postman::")
        || raw.starts_with("postman://")
        || raw.starts_with("https://")
        || raw.starts_with("http://");
    if names_server {
        let url = RemoteUrl::parse(raw)?;
        let bare_postman_id = raw
            .strip_prefix("postman::")
            .is_some_and(|rest| !rest.contains("://"));
        return match base_url {
            Some(_) if !bare_postman_id => Err(Error::TwoServers(raw.to_string())),
            Some(_) => with_server(&url.api_id, base_url),
            None => Ok(url),
        };
    }
    with_server(raw, base_url)
}

fn with_server(api_id: &str, base_url: Option<&str>) -> Result<RemoteUrl, Error> {
    match base_url {
        None => Ok(RemoteUrl::parse(api_id)?),
        Some(base) => {
            let base = server::parse_base(base)?;
            Ok(RemoteUrl::parse(&format!(
                "postman::{}/apis/{api_id}",
                server::display(&base)
            ))?)
        }
    }
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
pub fn remote_url_string(url: &RemoteUrl) -> String {
    let base = server::display(&url.base);
    if base == DEFAULT_BASE_URL {
        format!("postman::{}", url.api_id)
    } else {
        format!("postman::{base}/apis/{}", url.api_id)
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
}
