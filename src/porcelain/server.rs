//! Which Postman API server a command talks to: `--base-url`, else the server of
//! `--remote`, else Postman's default.

use url::Url;

use super::cli::ServerArgs;
use super::workspace;
use crate::postman::DEFAULT_BASE_URL;
use crate::remote::url::{self as remote_url, RemoteUrl};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Url(#[from] remote_url::Error),
    #[error("no remote {0:?} with a postman:: URL in this repository")]
    NoSuchRemote(String),
}

pub fn resolve(args: &ServerArgs) -> Result<Url, Error> {
    if let Some(base) = &args.base_url {
        return Ok(parse_base(base)?);
    }
    if let Some(name) = &args.remote {
        let repo = workspace::Workspace::discover_any()
            .ok_or_else(|| Error::NoSuchRemote(name.clone()))?;
        return workspace::postman_remotes(&repo)
            .into_iter()
            .find(|r| &r.name == name)
            .map(|r| r.target.base().clone())
            .ok_or_else(|| Error::NoSuchRemote(name.clone()));
    }
    Ok(parse_base(DEFAULT_BASE_URL)?)
}

/// A server URL under the same rules as a remote's (`https://`, or `http://` on a
/// loopback address only): it is checked as the URL of an API on it.
pub fn parse_base(raw: &str) -> Result<Url, remote_url::Error> {
    let probe = format!("{}/apis/probe", raw.trim().trim_end_matches('/'));
    let parsed = RemoteUrl::parse(&probe).map_err(|_| remote_url::Error::Invalid {
        url: raw.to_string(),
        why: "expected https://<server> (http:// only on a loopback address)".into(),
    })?;
    Ok(parsed.base)
}

/// `https://api.getpostman.com` for messages: no trailing slash.
pub fn display(base: &Url) -> String {
    base.as_str().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        assert_eq!(
            parse_base("https://api.eu.postman.com/").unwrap().as_str(),
            "https://api.eu.postman.com/"
        );
        assert!(parse_base("http://api.example.com").is_err());
        assert!(parse_base("http://127.0.0.1:9").is_ok());
    }
}
