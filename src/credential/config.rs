//! The git config this helper reads: `credential.postmanStore`, `credential.useHttpPath`,
//! `credential.postmanApp` (the app, by name, for a URL), `credential.interactive` and
//! `credential.postmanBrowserTimeout` (seconds a browser login may take), plain or
//! URL-scoped (`credential.<url>.*`), matched against the request the way git's
//! `credential_apply_config` does.
//!
//! Read once per run with gix's config parser, never by running `git config` (the helper
//! sits on git's hot path). Files, in git's order of precedence: system
//! (`$GIT_CONFIG_SYSTEM` or `/etc/gitconfig`, unless `GIT_CONFIG_NOSYSTEM`), global
//! (`$GIT_CONFIG_GLOBAL`, or `$XDG_CONFIG_HOME/git/config` and `~/.gitconfig`), the
//! repository's `config` (from `$GIT_DIR` or found upwards from the working directory),
//! then `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n` and `git -c` (`GIT_CONFIG_PARAMETERS`).
//! Not read: the config of git's installation prefix (finding it means running git).

use std::path::{Path, PathBuf};
use std::time::Duration;

use gix::config::{file::Metadata, File, Source};

use super::protocol::git_bool;
use super::protocol::Credential;
use super::store::{StoreError, StoreKind};

/// Errors reading git config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read git config {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("cannot read git config from the environment: {0}")]
    Environment(String),
    #[error("bad value for credential.postmanStore: {0}")]
    Store(#[from] StoreError),
    #[error("bad value for credential.postmanBrowserTimeout: '{0}' (a whole number of seconds, at least 1)")]
    BrowserTimeout(String),
}

/// The settings that apply to one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub store: Option<StoreKind>,
    pub use_http_path: bool,
    /// `credential.<url>.postmanApp`: the name of the app that covers the URL.
    pub app: Option<String>,
    /// `credential.interactive`: `Some(false)` for `false`/`never` (no prompts, no browser).
    pub interactive: Option<bool>,
    /// `credential.postmanBrowserTimeout`: how long a browser login may take.
    pub browser_timeout: Option<Duration>,
}

/// git config, loaded once.
pub struct GitConfig {
    file: File,
}

impl GitConfig {
    /// Loads every config file git would see from here.
    pub fn load() -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let home_dir = home();
        let mut paths: Vec<(PathBuf, Source)> = Vec::new();
        let no_system = env("GIT_CONFIG_NOSYSTEM")
            .and_then(|v| gix::config::Boolean::try_from(v).ok())
            .is_some_and(|b| b.0);
        if !no_system {
            let system = env("GIT_CONFIG_SYSTEM").map(PathBuf::from);
            #[cfg(unix)]
            let system = system.or_else(|| Some(PathBuf::from("/etc/gitconfig")));
            paths.extend(system.map(|p| (p, Source::System)));
        }
        if let Some(global) = env("GIT_CONFIG_GLOBAL") {
            paths.push((global.into(), Source::User));
        } else {
            let xdg = env("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| home_dir.as_ref().map(|h| h.join(".config")));
            paths.extend(xdg.map(|x| (x.join("git").join("config"), Source::Git)));
            paths.extend(
                home_dir
                    .as_ref()
                    .map(|h| (h.join(".gitconfig"), Source::User)),
            );
        }
        if let Some(dir) = repository_common_dir() {
            paths.push((dir.join("config"), Source::Local));
        }

        let options = gix::config::file::init::Options {
            includes: gix::config::file::includes::Options::follow_without_conditional(
                home_dir.as_deref(),
            ),
            ..Default::default()
        };
        let mut file = File::default();
        for (path, source) in paths {
            if !path.is_file() {
                continue;
            }
            let meta = Metadata {
                path: Some(path.clone()),
                source,
                level: 0,
                trust: gix::sec::Trust::Full,
            };
            let one = File::from_paths_metadata(Some(meta), options)
                .map_err(|e| ConfigError::File {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
                .unwrap_or_default();
            file.append(one).map_err(|e| ConfigError::File {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        }
        let env_file = File::from_environment_overrides()
            .map_err(|e| ConfigError::Environment(e.to_string()))?;
        file.append(env_file)
            .map_err(|e| ConfigError::Environment(e.to_string()))?;
        if let Some(params) = std::env::var_os("GIT_CONFIG_PARAMETERS") {
            let params = params.to_string_lossy();
            let text = parameters_to_config(&params).ok_or_else(|| {
                ConfigError::Environment("GIT_CONFIG_PARAMETERS is not in git's quoted form".into())
            })?;
            let meta = Metadata::from(Source::Cli);
            let cli = File::from_bytes_owned(&mut text.into_bytes(), meta, Default::default())
                .map_err(|e| ConfigError::Environment(e.to_string()))?;
            file.append(cli)
                .map_err(|e| ConfigError::Environment(e.to_string()))?;
        }
        Ok(GitConfig { file })
    }

    /// Builds a config from text (tests).
    pub fn from_text(text: &str) -> Self {
        let file = File::from_bytes_owned(
            &mut text.as_bytes().to_vec(),
            Metadata::from(Source::Api),
            Default::default(),
        )
        .expect("valid config text");
        GitConfig { file }
    }

    /// `core.askPass`: the askpass program git runs when `GIT_ASKPASS` is not set.
    pub fn ask_pass(&self) -> Option<String> {
        self.file
            .string("core.askPass")
            .map(|v| v.to_string())
            .filter(|v| !v.trim().is_empty())
    }

    /// `credential.helper` for `request`, in the order git asks them: every `[credential]`
    /// and matching `[credential "<url>"]` value in file order, an empty value clearing the
    /// list so far (git's rule).
    pub fn helpers_for(&self, request: &Credential) -> Vec<String> {
        let mut helpers = Vec::new();
        for section in self
            .file
            .sections_by_name("credential")
            .into_iter()
            .flatten()
        {
            if let Some(pattern) = section.header().subsection_name() {
                if !url_matches(&pattern.to_string(), request) {
                    continue;
                }
            }
            for value in section.values("helper") {
                let value = value.to_string();
                if value.trim().is_empty() {
                    helpers.clear();
                } else {
                    helpers.push(value.trim().to_string());
                }
            }
        }
        helpers
    }

    /// The settings for `request`: every `[credential]` and matching `[credential "<url>"]`
    /// section in file order, the last value winning (git's `select_all`).
    pub fn settings_for(&self, request: &Credential) -> Result<Settings, ConfigError> {
        let mut settings = Settings::default();
        let Some(sections) = self.file.sections_by_name("credential") else {
            return Ok(settings);
        };
        for section in sections {
            if let Some(pattern) = section.header().subsection_name() {
                if !url_matches(&pattern.to_string(), request) {
                    continue;
                }
            }
            if let Some(store) = section.value("postmanStore") {
                settings.store = Some(store.to_string().parse::<StoreKind>()?);
            }
            if let Some(app) = section.value("postmanApp") {
                let app = app.to_string();
                settings.app = (!app.trim().is_empty()).then(|| app.trim().to_string());
            }
            if let Some(value) = section.value_implicit("interactive") {
                // git's values: a boolean, or `never`/`auto`/`always`.
                settings.interactive = Some(match value {
                    None => true,
                    Some(v) => {
                        let v = v.to_string();
                        !(v.trim().eq_ignore_ascii_case("never")
                            || git_bool(v.as_bytes()) == Some(false))
                    }
                });
            }
            if let Some(value) = section.value("postmanBrowserTimeout") {
                let text = value.to_string();
                let seconds = text.trim().parse::<u64>().ok().filter(|s| *s > 0);
                let seconds = seconds.ok_or(ConfigError::BrowserTimeout(text))?;
                settings.browser_timeout = Some(Duration::from_secs(seconds));
            }
            if let Some(value) = section.value_implicit("useHttpPath") {
                settings.use_http_path = match value {
                    None => true,
                    Some(v) => gix::config::Boolean::try_from(v)
                        .map(|b| b.0)
                        .unwrap_or(false),
                };
            }
        }
        Ok(settings)
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            if cfg!(windows) {
                std::env::home_dir()
            } else {
                None
            }
        })
}

/// The repository's common directory (where `config` lives): `$GIT_DIR` (git exports it to
/// its helpers) or the first `.git` found upwards from the working directory.
fn repository_common_dir() -> Option<PathBuf> {
    let git_dir = match std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let cwd = std::env::current_dir().ok()?;
            let (path, _trust) = gix::discover::upwards(&cwd).ok()?;
            path.into_repository_and_work_tree_directories().0
        }
    };
    if let Some(common) = std::env::var_os("GIT_COMMON_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(common));
    }
    // A linked worktree names its common dir in `commondir`.
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(rel) => Some(resolve(&git_dir, rel.trim())),
        Err(_) => Some(git_dir),
    }
}

fn resolve(base: &Path, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Turns git's `GIT_CONFIG_PARAMETERS` (`'key'='value' 'key2=value2' ...`, each part
/// shell-single-quoted) into config file text. `None` if it is not in that form.
fn parameters_to_config(params: &str) -> Option<String> {
    let mut text = String::new();
    let mut chars = params.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(text);
        }
        let key = sq_dequote(&mut chars)?;
        // New style: 'key'='value' (or 'key' alone, a valueless boolean); old style: 'key=value'.
        let (key, value) = if chars.peek() == Some(&'=') {
            chars.next();
            (key, Some(sq_dequote(&mut chars)?))
        } else {
            match key.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (key, None),
            }
        };
        // `section.sub.section.name`: the subsection is everything between the first and
        // the last dot (it may be a URL with dots).
        let first = key.find('.')?;
        let last = key.rfind('.')?;
        let section = &key[..first];
        let name = &key[last + 1..];
        if first == last {
            text.push_str(&format!("[{section}]\n"));
        } else {
            let sub = key[first + 1..last]
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            text.push_str(&format!("[{section} \"{sub}\"]\n"));
        }
        match value {
            Some(v) => {
                let v = v.replace('\\', "\\\\").replace('"', "\\\"");
                text.push_str(&format!("\t{name} = \"{v}\"\n"));
            }
            None => text.push_str(&format!("\t{name}\n")),
        }
    }
}

/// Reads one shell-single-quoted word (`'it'\''s'`), git's `sq_dequote` format.
fn sq_dequote(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut out = String::new();
    if chars.next()? != '\'' {
        return None;
    }
    loop {
        match chars.next()? {
            '\'' => {
                // `'\''` or `'\!'` continue the word; anything else ends it.
                if chars.peek() == Some(&'\\') {
                    chars.next();
                    out.push(chars.next()?);
                    if chars.next()? != '\'' {
                        return None;
                    }
                } else {
                    return Some(out);
                }
            }
            c => out.push(c),
        }
    }
}

/// Whether a `credential.<pattern>` subsection applies to the request, as git's urlmatch
/// (scheme and host exact, `*` matching within one host label, default ports, path prefix
/// on `/` boundaries, user if given) or, for a pattern without a scheme, git's partial-URL
/// fallback (each part given must be equal).
pub fn url_matches(pattern: &str, request: &Credential) -> bool {
    let text = |v: &Option<Vec<u8>>| {
        v.as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let protocol = text(&request.protocol)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = text(&request.host).unwrap_or_default();
    let path = text(&request.path).unwrap_or_default();
    let username = text(&request.username);

    let Some((scheme, rest)) = pattern.split_once("://") else {
        // Partial URL (`example.com`, `user@example.com/path`): plain equality per part.
        // One git cannot parse (a newline in a part) applies nowhere, as in git.
        let Ok(partial) = Credential::parse(format!("url=fake://{pattern}\n").as_bytes()) else {
            return false;
        };
        let want = Credential {
            protocol: None,
            ..partial
        };
        return super::record::matches(&want, request, false);
    };
    if !scheme.eq_ignore_ascii_case(&protocol) {
        return false;
    }
    let (authority, pattern_path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, pattern_host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(percent_decode(u)), h),
        None => (None, authority),
    };
    if let Some(user) = user {
        if username.as_deref() != Some(user.as_str()) {
            return false;
        }
    }
    let (pattern_host, pattern_port) = split_port(pattern_host, &protocol);
    let (request_host, request_port) = split_port(&host, &protocol);
    if pattern_port != request_port || !host_matches(&pattern_host, &request_host) {
        return false;
    }
    let want = percent_decode(pattern_path.trim_matches('/'));
    want.is_empty()
        || path == want
        || (path.starts_with(&want) && path.as_bytes().get(want.len()) == Some(&b'/'))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Lower-cased host and explicit port, with the scheme's default port dropped.
fn split_port(host: &str, scheme: &str) -> (String, Option<String>) {
    let (h, port) = match host.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (host, None),
    };
    let default = match scheme {
        "http" => Some("80"),
        "https" => Some("443"),
        _ => None,
    };
    let port = port.filter(|p| Some(*p) != default).map(str::to_string);
    (h.to_ascii_lowercase(), port)
}

/// Label by label; `*` in a pattern label matches any run of characters in that label.
fn host_matches(pattern: &str, host: &str) -> bool {
    let (p, h): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), host.split('.').collect());
    p.len() == h.len()
        && p.iter()
            .zip(&h)
            .all(|(p, h)| glob(p.as_bytes(), h.as_bytes()))
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Credential {
        Credential::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn helpers_come_in_git_order_and_an_empty_value_resets() {
        let config = GitConfig::from_text(
            "[credential]\n\thelper = manager\n\thelper = cache\n             [credential \"https://ghes.example.com\"]\n\thelper =\n\thelper = postman\n             [credential \"https://other.example.com\"]\n\thelper = store\n",
        );
        let ghes = req("protocol=https\nhost=ghes.example.com\n");
        assert_eq!(config.helpers_for(&ghes), ["postman"]);
        let other = req("protocol=https\nhost=other.example.com\n");
        assert_eq!(config.helpers_for(&other), ["manager", "cache", "store"]);
    }

    #[test]
    fn url_patterns_match_like_git() {
        let r = req("protocol=https\nhost=git.example.com\npath=acme/pay.git\nusername=al\n");
        assert!(url_matches("https://git.example.com", &r));
        assert!(url_matches("https://GIT.example.com:443/", &r));
        assert!(url_matches("https://*.example.com", &r));
        assert!(url_matches("https://git.example.com/acme", &r));
        assert!(url_matches("https://al@git.example.com", &r));
        assert!(!url_matches("https://bo@git.example.com", &r));
        assert!(!url_matches("https://git.example.com/ac", &r));
        assert!(!url_matches("http://git.example.com", &r));
        assert!(!url_matches("https://*.com", &r));
        assert!(!url_matches("https://git.example.com:8443", &r));
        // Partial URLs (no scheme): each given part must be equal.
        assert!(url_matches("git.example.com", &r));
        assert!(!url_matches("other.example.com", &r));
        // One git cannot parse matches nothing (not everything).
        assert!(!url_matches("git.example.com%0a", &r));
    }

    #[test]
    fn settings_last_matching_value_wins() {
        let config = GitConfig::from_text(
            "[credential]\n\tpostmanStore = secret-service\n\tuseHttpPath\n\
             [credential \"https://git.example.com\"]\n\tpostmanStore = keyutils\n\
             [credential \"https://other.example.com\"]\n\tpostmanStore = keychain\n\tuseHttpPath = false\n",
        );
        let s = config
            .settings_for(&req("protocol=https\nhost=git.example.com\n"))
            .unwrap();
        assert_eq!(s.store, Some(StoreKind::Keyutils));
        assert!(s.use_http_path);
        let s = config
            .settings_for(&req("protocol=https\nhost=x.org\n"))
            .unwrap();
        assert_eq!(s.store, Some(StoreKind::SecretService));
    }

    #[test]
    fn app_and_interactive_settings() {
        let config = GitConfig::from_text(
            "[credential]\n\tinteractive = never\n\
             [credential \"https://git.example.com\"]\n\tpostmanApp = ACME GitLab\n",
        );
        let s = config
            .settings_for(&req("protocol=https\nhost=git.example.com\n"))
            .unwrap();
        assert_eq!(s.app.as_deref(), Some("ACME GitLab"));
        assert_eq!(s.interactive, Some(false));
        let s = config
            .settings_for(&req("protocol=https\nhost=other.example.com\n"))
            .unwrap();
        assert_eq!(s.app, None);
        let config = GitConfig::from_text("[credential]\n\tinteractive = auto\n");
        let s = config
            .settings_for(&req("protocol=https\nhost=h\n"))
            .unwrap();
        assert_eq!(s.interactive, Some(true));
    }

    #[test]
    fn browser_timeout_is_whole_seconds() {
        let timeout = |value: &str| {
            GitConfig::from_text(&format!(
                "[credential]\n\tpostmanBrowserTimeout = {value}\n"
            ))
            .settings_for(&req("protocol=https\nhost=h\n"))
            .map(|s| s.browser_timeout)
            .map_err(|e| e.to_string())
        };
        assert_eq!(timeout("45"), Ok(Some(Duration::from_secs(45))));
        for bad in ["0", "2m", "-1"] {
            assert_eq!(
                timeout(bad),
                Err(format!("bad value for credential.postmanBrowserTimeout: '{bad}' (a whole number of seconds, at least 1)"))
            );
        }
    }

    #[test]
    fn unknown_store_name_is_an_error() {
        let config = GitConfig::from_text("[credential]\n\tpostmanStore = plaintext\n");
        let err = config
            .settings_for(&req("protocol=https\nhost=h\n"))
            .unwrap_err();
        assert!(err.to_string().contains("plaintext"));
    }

    #[test]
    fn git_config_parameters_are_understood() {
        let text = parameters_to_config(
            "'credential.helper'='' 'credential.https://h.example.com/x.postmanStore'='keyutils' 'credential.usehttppath=true' 'it.s'='a'\\''b'",
        )
        .unwrap();
        let config = GitConfig::from_text(&text);
        let s = config
            .settings_for(&req("protocol=https\nhost=h.example.com\npath=x/y\n"))
            .unwrap();
        assert_eq!(s.store, Some(StoreKind::Keyutils));
        assert!(s.use_http_path);
        assert!(text.contains("s = \"a'b\""), "{text}");
        assert!(parameters_to_config("unquoted").is_none());
    }
}
