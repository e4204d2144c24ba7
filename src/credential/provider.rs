//! Which app (if any) covers the URL git asks about. No network probe: only what the user
//! configured and what git passed along.
//!
//! 1. `credential.<url>.postmanApp = <name>` in git config names the app outright;
//! 2. else the apps whose `url` covers the request: same scheme, host and port, and the
//!    app's path a prefix of the request's path on `/` boundaries; the longest prefix wins
//!    (an Azure DevOps Server collection inside a server, a GitLab under a sub-path).
//!    git sends no path for http(s) unless `credential.useHttpPath`: then every app on
//!    that host is a candidate;
//! 3. ties are broken by the `wwwauth[]` realm git got from the server
//!    (`realm="GitLab"`, `realm="GitHub"`), then by the app with the shortest path (the
//!    server's root), then by file order (user file first).

use super::apps::{AppUrl, Apps, Loaded, Provider};
use super::protocol::Credential;

/// Errors selecting an app.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(
        "credential.postmanApp names the app '{0}', which is in no apps file (see `git postman app list`)"
    )]
    UnknownApp(String),
}

/// The app for `request`, if one covers it.
pub fn select<'a>(
    request: &Credential,
    configured: Option<&str>,
    apps: &'a Apps,
) -> Result<Option<&'a Loaded>, ProviderError> {
    if let Some(name) = configured {
        return apps
            .by_name(name)
            .map(Some)
            .ok_or_else(|| ProviderError::UnknownApp(name.to_string()));
    }
    let path = request
        .path
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).trim_matches('/').to_string());
    let mut candidates: Vec<(&Loaded, usize)> = apps
        .apps
        .iter()
        .filter(|l| same_origin(&l.app.url, request))
        .filter_map(|l| {
            let prefix = l.app.url.path();
            match &path {
                Some(p) if covers(prefix, p) => Some((l, prefix.len())),
                Some(_) => None,
                None => Some((l, prefix.len())),
            }
        })
        .collect();
    if candidates.len() > 1 {
        if path.is_some() {
            let longest = candidates.iter().map(|c| c.1).max().unwrap_or(0);
            candidates.retain(|c| c.1 == longest);
        }
        if let Some(hint) = realm_hint(&request.wwwauth) {
            if candidates.iter().any(|c| c.0.app.provider == hint) {
                candidates.retain(|c| c.0.app.provider == hint);
            }
        }
    }
    // Stable: among equals, file order (user first) decides.
    candidates.sort_by_key(|c| c.1);
    Ok(candidates.first().map(|c| c.0))
}

/// Whether the request is for the app's scheme, host and port (default ports implied).
fn same_origin(url: &AppUrl, request: &Credential) -> bool {
    let text = |v: &Option<Vec<u8>>| {
        String::from_utf8_lossy(v.as_deref().unwrap_or_default()).to_ascii_lowercase()
    };
    let u = url.as_url();
    if text(&request.protocol) != u.scheme() {
        return false;
    }
    let host = text(&request.host);
    // `host:port`, `[::1]:port`; a bare IPv6 literal's last part is not all digits.
    let (host, port) = match host.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h.to_string(), p.parse::<u16>().ok())
        }
        _ => (host, None),
    };
    let port = port.or_else(|| default_port(u.scheme()));
    u.host_str().is_some_and(|h| h.eq_ignore_ascii_case(&host)) && u.port_or_known_default() == port
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Whether `prefix` (an app's path) covers `path` (the request's) on segment boundaries.
fn covers(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// The provider a `WWW-Authenticate` realm names, as forges send them.
pub fn realm_hint(wwwauth: &[Vec<u8>]) -> Option<Provider> {
    wwwauth.iter().find_map(|h| {
        let h = String::from_utf8_lossy(h).to_ascii_lowercase();
        if h.contains("realm=\"gitlab\"") {
            Some(Provider::Gitlab)
        } else if h.contains("realm=\"github\"") {
            Some(Provider::GithubEnterprise)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::apps::AppsFile;
    use std::path::Path;

    fn apps() -> Apps {
        let file = AppsFile::parse(
            "apps:
  - {name: gl, provider: gitlab, url: 'https://git.example.com', client_id: a}
  - {name: gh, provider: github-enterprise, url: 'https://git.example.com/ghes', client_id: b}
  - {name: coll, provider: azure-devops-server, url: 'https://ado.example.com:8080/tfs/Coll'}
  - {name: other, provider: azure-devops-server, url: 'https://ado.example.com:8080/tfs/Other'}
  - {name: local, provider: gitlab, url: 'http://127.0.0.1:4000', client_id: c}
",
            Path::new("apps.yaml"),
        )
        .unwrap();
        Apps::merge(file, AppsFile::default())
    }

    fn pick(request: &str, configured: Option<&str>) -> Option<String> {
        let apps = apps();
        let request = Credential::parse(request.as_bytes()).unwrap();
        select(&request, configured, &apps)
            .unwrap()
            .map(|l| l.app.name.clone())
    }

    #[test]
    fn longest_prefix_wins_when_git_sends_the_path() {
        let r = |path: &str| format!("protocol=https\nhost=git.example.com\npath={path}\n");
        assert_eq!(pick(&r("acme/pay.git"), None).as_deref(), Some("gl"));
        assert_eq!(pick(&r("ghes/acme/pay.git"), None).as_deref(), Some("gh"));
        assert_eq!(pick(&r("ghesx/pay.git"), None).as_deref(), Some("gl"));
        let ado = |path: &str| format!("protocol=https\nhost=ado.example.com:8080\npath={path}\n");
        assert_eq!(
            pick(&ado("tfs/Coll/Proj/_git/repo"), None).as_deref(),
            Some("coll")
        );
        assert_eq!(
            pick(&ado("tfs/Other/Proj/_git/repo"), None).as_deref(),
            Some("other")
        );
        assert_eq!(pick(&ado("tfs/Third/P/_git/r"), None), None);
    }

    #[test]
    fn without_a_path_the_root_app_or_the_realm_decides() {
        assert_eq!(
            pick("protocol=https\nhost=git.example.com\n", None).as_deref(),
            Some("gl")
        );
        assert_eq!(
            pick(
                "protocol=https\nhost=git.example.com\nwwwauth[]=Basic realm=\"GitHub\"\n",
                None
            )
            .as_deref(),
            Some("gh")
        );
        assert_eq!(
            pick("protocol=https\nhost=ado.example.com:8080\n", None).as_deref(),
            Some("coll")
        );
    }

    #[test]
    fn scheme_host_and_port_must_match() {
        assert_eq!(pick("protocol=http\nhost=git.example.com\n", None), None);
        assert_eq!(
            pick("protocol=https\nhost=git.example.com:8443\n", None),
            None
        );
        assert_eq!(
            pick("protocol=https\nhost=GIT.example.com:443\n", None).as_deref(),
            Some("gl")
        );
        assert_eq!(pick("protocol=https\nhost=ado.example.com\n", None), None);
        assert_eq!(
            pick("protocol=http\nhost=127.0.0.1:4000\n", None).as_deref(),
            Some("local")
        );
        assert_eq!(pick("protocol=http\nhost=127.0.0.1:4001\n", None), None);
    }

    #[test]
    fn configured_name_wins_and_unknown_names_are_errors() {
        assert_eq!(
            pick("protocol=https\nhost=anything.example\n", Some("gh")).as_deref(),
            Some("gh")
        );
        let apps = apps();
        let request = Credential::parse(b"protocol=https\nhost=h\n").unwrap();
        let err = select(&request, Some("nope"), &apps).unwrap_err();
        assert!(err.to_string().contains("'nope'"));
    }

    #[test]
    fn realm_hints() {
        assert_eq!(
            realm_hint(&[b"Basic realm=\"GitLab\"".to_vec()]),
            Some(Provider::Gitlab)
        );
        assert_eq!(
            realm_hint(&[b"Bearer x".to_vec(), b"Basic realm=\"GitHub\"".to_vec()]),
            Some(Provider::GithubEnterprise)
        );
        assert_eq!(realm_hint(&[b"Basic realm=\"other\"".to_vec()]), None);
    }
}
