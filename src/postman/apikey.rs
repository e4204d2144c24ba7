//! Where the Postman API key comes from: `POSTMAN_API_KEY`, else `git credential fill`
//! for the API host with the username `postman-api-key` (git stores nothing without a
//! username). After a good answer the key is approved, after a 401 rejected, so it lives
//! in whatever credential store the user runs. The key never reaches argv or output.
//!
//! `POSTMAN_API_KEY` goes only to Postman's own API hosts, to this machine (the fake
//! server and the demo), and to hosts the user names in `postman.trustedApiHost`. A
//! `postman::` URL can come from someone else (a submodule in `.gitmodules`), and the
//! environment key must not follow it: any other server gets the key git's credential
//! system keeps for that server, as git does for its own URLs.

use std::io::Write;
use std::process::{Command, Stdio};

use url::Url;

use super::error::{Error, Result};
use super::Client;

/// The username under which the API key is stored.
pub const USERNAME: &str = "postman-api-key";

/// A secret: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Where a key came from, so that it can be approved or rejected there.
#[derive(Debug, Clone)]
pub enum Source {
    Environment,
    /// `git credential` with this description (protocol, host, username).
    Credential(String),
}

/// Whether `git credential` may ask the user (on the terminal, or a GUI's askpass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// As any git command: git's own prompts go to the user.
    Allowed,
    /// Only what a credential helper answers by itself (`credential.interactive=never`,
    /// `GIT_TERMINAL_PROMPT=0`); git's messages come back in the error.
    Never,
}

/// The key for the server at `base`, as the remote helper uses it.
pub fn obtain(base: &Url) -> Result<(ApiKey, Source)> {
    obtain_with(base, Prompt::Allowed)
}

/// The key for the server at `base`: `POSTMAN_API_KEY` (for a trusted server), else
/// `git credential fill`.
pub fn obtain_with(base: &Url, prompt: Prompt) -> Result<(ApiKey, Source)> {
    let environment_key = std::env::var("POSTMAN_API_KEY")
        .ok()
        .filter(|key| !key.trim().is_empty());
    let withheld = match environment_key {
        Some(key) if environment_key_allowed(base) => {
            return Ok((ApiKey::new(key.trim()), Source::Environment))
        }
        Some(_) => true,
        None => false,
    };
    let description = credential_description(base);
    let answer = git_credential("fill", &description, prompt).map_err(|detail| {
        if withheld {
            Error::KeyWithheld {
                host: host_and_port(base),
                detail,
            }
        } else {
            Error::NoApiKey { detail }
        }
    })?;
    let password = answer
        .lines()
        .find_map(|l| l.strip_prefix("password="))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| Error::NoApiKey {
            detail: "git credential fill gave no password".into(),
        })?;
    Ok((ApiKey::new(password), Source::Credential(description)))
}

/// A client for the server at `base` with the key from [`obtain`], and the answer to its
/// first request: the key is then approved in the credential store it came from, or
/// rejected there when Postman answered 401.
pub fn first_request<T>(
    base: &Url,
    request: impl FnOnce(&Client) -> Result<T>,
) -> Result<(Client, Result<T>)> {
    let (key, source) = obtain(base)?;
    let client = Client::new(base.clone(), key.clone())?;
    let answer = request(&client);
    let refused = matches!(answer, Err(Error::Unauthorized { .. }));
    report(&key, &source, !refused);
    Ok((client, answer))
}

/// Tells the credential store the key worked (`approve`) or not (`reject`).
pub fn report(key: &ApiKey, source: &Source, worked: bool) {
    if let Source::Credential(description) = source {
        let action = if worked { "approve" } else { "reject" };
        let input = format!("{description}password={}\n", key.expose());
        // A store that cannot save is not a reason to fail the fetch that just worked.
        let _ = git_credential(action, &input, Prompt::Allowed);
    }
}

/// `protocol=…`, `host=…`, `username=…` lines for the API server: what `git credential`
/// is asked for (also by `git postman login`/`logout`, which must name the same entry).
pub fn credential_description(base: &Url) -> String {
    format!(
        "protocol={}\nhost={}\nusername={USERNAME}\n",
        base.scheme(),
        host_and_port(base)
    )
}

/// `host` or `host:port`, as git's credential protocol and `postman.trustedApiHost` name a
/// server.
fn host_and_port(base: &Url) -> String {
    match base.port() {
        Some(port) => format!("{}:{port}", base.host_str().unwrap_or_default()),
        None => base.host_str().unwrap_or_default().to_string(),
    }
}

/// Postman's API hosts (`api.getpostman.com`, `api.postman.com`, `api.eu.postman.com`)
/// are subdomains of these, and only Postman can serve them over https.
const POSTMAN_DOMAINS: [&str; 2] = ["postman.com", "getpostman.com"];

/// Whether `POSTMAN_API_KEY` may be sent to `base`: a Postman host over https, this
/// machine under its usual names (127.0.0.1, `[::1]`, localhost), or a host the user trusts
/// in `postman.trustedApiHost` (as `host` or `host:port`). Other loopback addresses are
/// not trusted blindly: a URL someone else wrote has no reason to use them.
pub fn environment_key_allowed(base: &Url) -> bool {
    let Some(host) = base.host_str() else {
        return false;
    };
    // The url crate lowercases an http(s) host when it parses the URL.
    let postman = base.scheme() == "https"
        && POSTMAN_DOMAINS.iter().any(|domain| {
            host.strip_suffix(domain)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        });
    let this_machine = match base.host() {
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if postman || this_machine {
        return true;
    }
    let named = host_and_port(base);
    crate::config::trusted_api_hosts()
        .iter()
        .any(|trusted| trusted.eq_ignore_ascii_case(host) || trusted.eq_ignore_ascii_case(&named))
}

/// Runs `git credential <action>` with `input` on stdin (never in argv) and returns its
/// stdout.
pub fn git_credential(
    action: &str,
    input: &str,
    prompt: Prompt,
) -> std::result::Result<String, String> {
    let mut command = Command::new("git");
    if prompt == Prompt::Never {
        command
            .args(["-c", "credential.interactive=never"])
            .env("GIT_TERMINAL_PROMPT", "0")
            .stderr(Stdio::piped());
    } else {
        command.stderr(Stdio::inherit());
    }
    let mut child = command
        .args(["credential", action])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `git credential {action}`: {e}"))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(format!("{input}\n").as_bytes())
        .map_err(|e| format!("cannot talk to `git credential {action}`: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("`git credential {action}` failed: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(if said.is_empty() {
            format!("`git credential {action}` failed ({})", output.status)
        } else {
            said
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::new("PMAK-secret");
        assert!(!format!("{key:?}").contains("secret"));
    }

    #[test]
    fn the_environment_key_goes_to_postman_and_this_machine_only() {
        for trusted in [
            "https://api.getpostman.com",
            "https://api.postman.com",
            "https://api.eu.postman.com",
            "https://API.Postman.com",
            "http://127.0.0.1:8111",
            "http://[::1]:8111",
            "http://localhost:8111",
        ] {
            assert!(
                environment_key_allowed(&Url::parse(trusted).unwrap()),
                "{trusted}"
            );
        }
        // Hosts that no one lists in `postman.trustedApiHost`.
        for untrusted in [
            "http://api.postman.com",
            "https://api.postman.com.attacker.invalid",
            "https://postman-com.invalid",
            "https://attackerpostman.com",
        ] {
            assert!(
                !environment_key_allowed(&Url::parse(untrusted).unwrap()),
                "{untrusted}"
            );
        }
    }

    #[test]
    fn description_names_scheme_host_port_and_user() {
        let url = Url::parse("http://127.0.0.1:8111").unwrap();
        assert_eq!(
            credential_description(&url),
            "protocol=http\nhost=127.0.0.1:8111\nusername=postman-api-key\n"
        );
    }
}
