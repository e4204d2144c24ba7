//! `postman::` URLs: `postman::<apiId>` for the default server,
//! `postman::<base-url>/apis/<apiId>` for another one (EU, or a test server), and the
//! `postman://<host>/apis/<apiId>` form.

use url::Url;

use crate::postman::DEFAULT_BASE_URL;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{url:?} is not a Postman URL: {why}\n  expected postman::<apiId> or postman::<https://server>/apis/<apiId>")]
    Invalid { url: String, why: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// The API server, e.g. `https://api.getpostman.com`.
    pub base: Url,
    pub api_id: String,
}

impl RemoteUrl {
    pub fn parse(raw: &str) -> Result<RemoteUrl, Error> {
        let invalid = |why: &str| Error::Invalid {
            url: raw.to_string(),
            why: why.to_string(),
        };
        let s = raw.strip_prefix("postman::").unwrap_or(raw).trim();
        let (base, api_id) = if let Some(rest) = s.strip_prefix("postman://") {
            split_api(&format!("https://{rest}"))
                .ok_or_else(|| invalid("no /apis/<apiId> in it"))?
        } else if s.starts_with("https://") || s.starts_with("http://") {
            split_api(s).ok_or_else(|| invalid("no /apis/<apiId> in it"))?
        } else {
            (DEFAULT_BASE_URL.to_string(), s.to_string())
        };
        if api_id.is_empty()
            || !api_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid("the API id must be letters, digits and dashes"));
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
        Ok(RemoteUrl { base, api_id })
    }
}

/// `https://host/prefix/apis/<id>` -> (`https://host/prefix`, `<id>`).
fn split_api(url: &str) -> Option<(String, String)> {
    let (base, id) = url.trim_end_matches('/').rsplit_once("/apis/")?;
    Some((base.to_string(), id.to_string()))
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
}
