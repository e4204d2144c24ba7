//! The apps file: which forges this helper may log in to, and how ("installed apps").
//!
//! A YAML file, one entry per forge (or per Azure DevOps Server collection), that a team
//! admin can hand to everyone:
//!
//! ```yaml
//! apps:
//!   - name: ACME GitLab
//!     provider: gitlab                 # github-enterprise | gitlab | azure-devops-server
//!     url: https://gitlab.example.com  # the forge's root (a path for sub-path installs)
//!     client_id: 1a2b3c
//!     scopes: read_repository write_repository
//!     flow: auto                       # browser | device | auto
//!   - name: ACME TFS
//!     provider: azure-devops-server    # personal access tokens, no OAuth
//!     url: https://ado.example.com:8080/tfs/DefaultCollection
//! ```
//!
//! Two files are read: the system-wide one (`/etc/git-postman/apps.yaml` on Unix), then the
//! user's (`apps.yaml` in the platform config directory, e.g. `~/.config/git-postman/` on
//! Linux); a user app replaces a system app of the same name. A bad file is an error that
//! names the file, the line and the field.
//!
//! `client_secret` may be in the file (GitHub requires one even for native apps, and then it
//! is not really secret) or in the keyring ([`super::secrets`]), never on a command line.
//! The system file is always readable by every user (0644): every user's helper reads it,
//! and a native app's client secret is not confidential anyway (RFC 8252 §8.5). A user file
//! holding a secret is readable by its owner only (0600).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The user file's name in the platform config directory.
pub const FILE_NAME: &str = "apps.yaml";

/// Overrides the system-wide file's path (packagers, tests).
pub const SYSTEM_FILE_ENV: &str = "GIT_POSTMAN_SYSTEM_APPS";

/// Errors reading or writing an apps file. None carries a secret: serde's messages quote
/// values only for enum variants and the URL checks below, never a `client_secret`.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot read {path}: {source}{}", read_hint(source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the apps file: {0}")]
    Serialize(String),
    #[error("no config directory for this user (is HOME set?)")]
    NoConfigDir,
}

/// What to do about a file this user may not read: an apps file is meant to be readable.
fn read_hint(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        " (an apps file must be readable by whoever runs git: a system-wide one by every \
         user, `chmod 644`; `git postman app add --system` writes it so)"
    } else {
        ""
    }
}

/// Which kind of forge an app is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(clap::ValueEnum)]
pub enum Provider {
    GithubEnterprise,
    Gitlab,
    AzureDevopsServer,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::GithubEnterprise => "github-enterprise",
            Provider::Gitlab => "gitlab",
            Provider::AzureDevopsServer => "azure-devops-server",
        }
    }

    /// Whether apps of this provider log in with OAuth (else: personal access tokens).
    pub fn is_oauth(self) -> bool {
        !matches!(self, Provider::AzureDevopsServer)
    }

    /// What the forge's app settings call the redirect URI.
    pub fn redirect_field(self) -> &'static str {
        match self {
            Provider::GithubEnterprise => "Authorization callback URL",
            Provider::Gitlab | Provider::AzureDevopsServer => "Redirect URI",
        }
    }

    /// The scopes git needs, when an app names none.
    pub fn default_scopes(self) -> &'static [&'static str] {
        match self {
            // `workflow`: pushing changes to `.github/workflows` needs it.
            Provider::GithubEnterprise => &["repo", "workflow"],
            Provider::Gitlab => &["read_repository", "write_repository"],
            Provider::AzureDevopsServer => &[],
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an OAuth app asks the user to log in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// The system browser and a loopback redirect (authorization code + PKCE).
    Browser,
    /// A code to enter on another device (RFC 8628): for machines without a display.
    Device,
    /// The browser when there is a display, else the device flow.
    #[default]
    Auto,
}

impl Flow {
    pub fn name(self) -> &'static str {
        match self {
            Flow::Browser => "browser",
            Flow::Device => "device",
            Flow::Auto => "auto",
        }
    }
}

/// A forge URL: `https://`, or `http://` on a loopback address only (tests, a local
/// forge); no user, query or fragment; no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AppUrl(url::Url);

impl AppUrl {
    pub fn parse(text: &str) -> Result<AppUrl, String> {
        let url =
            url::Url::parse(text.trim()).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(format!(
                    "'{text}': use https (plain http only for a loopback address)"
                ))
            }
            other => return Err(format!("'{text}': the scheme must be https, not {other}")),
        }
        if url.host().is_none() {
            return Err(format!("'{text}' has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("'{text}' must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("'{text}' must not have a query or fragment"));
        }
        let mut url = url;
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
        Ok(AppUrl(url))
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// `scheme://host[:port]`, the port only if not the default.
    pub fn origin(&self) -> String {
        let u = &self.0;
        match u.port() {
            Some(p) => format!("{}://{}:{p}", u.scheme(), u.host_str().unwrap_or_default()),
            None => format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default()),
        }
    }

    /// The path without leading or trailing slashes (`""` for the root).
    pub fn path(&self) -> &str {
        self.0.path().trim_matches('/')
    }

    /// `self` + `suffix` (an absolute path such as `/oauth/token`), keeping a sub-path.
    pub fn join(&self, suffix: &str) -> url::Url {
        let mut u = self.0.clone();
        let base = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base}{suffix}"));
        u
    }
}

impl fmt::Display for AppUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Url` writes a root path as "/"; apps are written without it.
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl TryFrom<String> for AppUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        // serde_yaml reports this at the entry, not the field: name the field.
        AppUrl::parse(&s).map_err(|e| format!("url: {e}"))
    }
}

impl From<AppUrl> for String {
    fn from(u: AppUrl) -> String {
        u.to_string()
    }
}

/// Scopes: written as one space-separated string (as forges show them), read from a string
/// or a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ScopesText", into = "String")]
pub struct Scopes(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopesText {
    Text(String),
    List(Vec<String>),
}

impl From<ScopesText> for Scopes {
    fn from(s: ScopesText) -> Scopes {
        let words = match s {
            ScopesText::Text(t) => t.split_whitespace().map(str::to_string).collect(),
            ScopesText::List(l) => l
                .iter()
                .flat_map(|s| s.split_whitespace())
                .map(str::to_string)
                .collect(),
        };
        Scopes(words)
    }
}

impl From<Scopes> for String {
    fn from(s: Scopes) -> String {
        s.0.join(" ")
    }
}

impl Scopes {
    pub fn parse(text: &str) -> Scopes {
        Scopes::from(ScopesText::Text(text.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A client secret: kept out of `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSecret(pub String);

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(..)")
    }
}

/// One app, as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawApp")]
pub struct App {
    pub name: String,
    pub provider: Provider,
    pub url: AppUrl,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<ClientSecret>,
    #[serde(default, skip_serializing_if = "Scopes::is_empty")]
    pub scopes: Scopes,
    #[serde(default, skip_serializing_if = "is_auto")]
    pub flow: Flow,
    /// The redirect URI registered with the forge when it is not `http://127.0.0.1/` (any
    /// port): `http://localhost/` for GHES apps registered the legacy way, or one with a
    /// fixed port or path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

fn is_auto(flow: &Flow) -> bool {
    *flow == Flow::Auto
}

/// [`App`] before the checks that involve several fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    name: String,
    provider: Provider,
    url: AppUrl,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<ClientSecret>,
    #[serde(default)]
    scopes: Scopes,
    #[serde(default)]
    flow: Flow,
    #[serde(default)]
    redirect_uri: Option<String>,
}

impl TryFrom<RawApp> for App {
    type Error = String;

    fn try_from(raw: RawApp) -> Result<App, String> {
        let app = App {
            name: raw.name.trim().to_string(),
            provider: raw.provider,
            url: raw.url,
            client_id: raw.client_id.map(|s| s.trim().to_string()),
            client_secret: raw.client_secret,
            scopes: raw.scopes,
            flow: raw.flow,
            redirect_uri: raw.redirect_uri,
        };
        app.check()?;
        Ok(app)
    }
}

impl App {
    /// The checks that span fields; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("name: must not be empty".into());
        }
        // Names are shown in messages on the terminal.
        if self.name.chars().any(char::is_control) {
            return Err("name: must not contain control characters".into());
        }
        if self.provider.is_oauth() {
            match self.client_id.as_deref() {
                None => {
                    return Err(format!(
                        "client_id: required for a {} app ('{}')",
                        self.provider, self.name
                    ))
                }
                Some("") => return Err(format!("client_id: must not be empty ('{}')", self.name)),
                Some(_) => {}
            }
        } else if self.client_secret.is_some() {
            return Err(format!(
                "client_secret: {} apps use personal access tokens, not OAuth ('{}')",
                self.provider, self.name
            ));
        }
        if let Some(uri) = &self.redirect_uri {
            check_redirect_uri(uri).map_err(|e| format!("redirect_uri: {e} ('{}')", self.name))?;
        }
        Ok(())
    }

    /// The redirect URI to register; see [`Redirect`].
    pub fn redirect(&self) -> Redirect {
        let given = self.redirect_uri.as_deref().unwrap_or(DEFAULT_REDIRECT_URI);
        // Checked when the app was read or added; the text as given if not.
        let uri = check_redirect_uri(given).map_or_else(|_| given.to_string(), String::from);
        Redirect {
            any_port: url::Url::parse(&uri).is_ok_and(|u| u.port().is_none()),
            uri,
        }
    }

    /// The scopes to ask for: the app's, else the provider's defaults.
    pub fn scopes(&self) -> Vec<String> {
        if self.scopes.is_empty() {
            self.provider
                .default_scopes()
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.scopes.0.clone()
        }
    }
}

/// The redirect URI an app sends when it names none: any free port on 127.0.0.1.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/";

/// The redirect URI to register with the forge for an app, exactly as the helper sends it
/// but for the port: without a port in it, the login listens on a free port each time,
/// which forges accept for a loopback redirect (RFC 8252 §7.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub uri: String,
    pub any_port: bool,
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri)?;
        if self.any_port {
            f.write_str(" (any port)")?;
        }
        Ok(())
    }
}

/// A redirect URI must point at this machine over plain http: the helper listens there.
pub fn check_redirect_uri(uri: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(uri).map_err(|e| format!("'{uri}' is not a URL: {e}"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "http" || !local {
        return Err(format!(
            "'{uri}' must be http://127.0.0.1/..., http://[::1]/... or http://localhost/..."
        ));
    }
    Ok(url)
}

/// Where an app was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    System,
    User,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::System => "system",
            Scope::User => "user",
        }
    }
}

/// The two files' locations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    pub system: Option<PathBuf>,
    pub user: Option<PathBuf>,
}

impl Locations {
    /// The platform's locations, `GIT_POSTMAN_SYSTEM_APPS` overriding the system file.
    pub fn from_env() -> Locations {
        let system = std::env::var_os(SYSTEM_FILE_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(default_system_file);
        let user = directories::ProjectDirs::from("", "", "git-postman")
            .map(|dirs| dirs.config_dir().join(FILE_NAME));
        Locations { system, user }
    }

    pub fn path(&self, scope: Scope) -> Result<&Path, AppsError> {
        let path = match scope {
            Scope::System => self.system.as_deref(),
            Scope::User => self.user.as_deref(),
        };
        path.ok_or(AppsError::NoConfigDir)
    }
}

fn default_system_file() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData")
            .map(|d| PathBuf::from(d).join("git-postman").join(FILE_NAME))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/git-postman").join(FILE_NAME))
    } else {
        Some(PathBuf::from("/etc/git-postman").join(FILE_NAME))
    }
}

/// The contents of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppsFile {
    #[serde(default)]
    pub apps: Vec<App>,
}

impl AppsFile {
    /// Parses `text`, read from `path` (for messages).
    pub fn parse(text: &str, path: &Path) -> Result<AppsFile, AppsError> {
        if text.trim().is_empty() {
            return Ok(AppsFile::default());
        }
        let file: AppsFile = serde_yaml::from_str(text).map_err(|e| syntax_error(&e, path))?;
        // Names pick an app (`credential.<url>.postmanApp`, `git postman app show`): unique.
        for (i, app) in file.apps.iter().enumerate() {
            if file.apps[..i].iter().any(|a| a.name == app.name) {
                return Err(AppsError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("apps[{i}].name: '{}' is used twice", app.name),
                });
            }
        }
        Ok(file)
    }

    /// Reads `path`; a missing file is an empty one.
    pub fn read(path: &Path) -> Result<AppsFile, AppsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => AppsFile::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AppsFile::default()),
            Err(source) => Err(AppsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The YAML text, with a header saying what the file is.
    pub fn to_text(&self) -> Result<String, AppsError> {
        let body = serde_yaml::to_string(self).map_err(|e| AppsError::Serialize(e.to_string()))?;
        Ok(format!(
            "# git-postman apps: the forges git-credential-postman logs in to.\n\
             # Written by `git postman app` and `git postman pat`; see git-postman(1).\n{body}"
        ))
    }

    /// Writes the file atomically (a temporary file renamed over it). A system file is
    /// readable by every user, whatever it holds (each user's helper reads it); a user file
    /// holding a client secret is readable by its owner only.
    pub fn write(&self, path: &Path, scope: Scope) -> Result<(), AppsError> {
        let text = self.to_text()?;
        let fail = |source| AppsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let new_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let set = |p: &Path, mode| {
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(fail)
            };
            let secret = self.apps.iter().any(|a| a.client_secret.is_some());
            let private = secret && scope == Scope::User;
            set(tmp.path(), if private { 0o600 } else { 0o644 })?;
            // A directory made under root's umask 077 would hide the file from other users.
            if new_dir && scope == Scope::System {
                set(dir, 0o755)?;
            }
        }
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail)?;
        tmp.persist(path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    pub fn find(&self, name: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.name == name)
    }
}

/// serde_yaml's message is "<field path>: <what> at line L column C"; the location goes in
/// front, as compilers write it.
fn syntax_error(e: &serde_yaml::Error, path: &Path) -> AppsError {
    let mut message = e.to_string();
    let (line, column) = match e.location() {
        Some(loc) => {
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_string();
            }
            (loc.line(), loc.column())
        }
        None => (0, 0),
    };
    AppsError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// An app with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    pub app: App,
    pub scope: Scope,
}

/// Every app this user sees: the user's first, then the system's not shadowed by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Apps {
    pub apps: Vec<Loaded>,
}

impl Apps {
    pub fn load(locations: &Locations) -> Result<Apps, AppsError> {
        let read = |p: &Option<PathBuf>| match p {
            Some(p) => AppsFile::read(p),
            None => Ok(AppsFile::default()),
        };
        let user = read(&locations.user)?;
        let system = read(&locations.system)?;
        Ok(Apps::merge(user, system))
    }

    pub fn merge(user: AppsFile, system: AppsFile) -> Apps {
        let mut apps: Vec<Loaded> = user
            .apps
            .into_iter()
            .map(|app| Loaded {
                app,
                scope: Scope::User,
            })
            .collect();
        for app in system.apps {
            if !apps.iter().any(|l| l.app.name == app.name) {
                apps.push(Loaded {
                    app,
                    scope: Scope::System,
                });
            }
        }
        Apps { apps }
    }

    pub fn by_name(&self, name: &str) -> Option<&Loaded> {
        self.apps.iter().find(|l| l.app.name == name)
    }

    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AppsFile, AppsError> {
        AppsFile::parse(text, Path::new("apps.yaml"))
    }

    const GOOD: &str = "\
apps:
  - name: ACME GitLab
    provider: gitlab
    url: https://gitlab.example.com/
    client_id: 1a2b
    scopes: read_repository write_repository
  - name: ACME GHES
    provider: github-enterprise
    url: https://ghes.example.com
    client_id: Iv1.abc
    client_secret: s3cret
    scopes: [repo, workflow]
    flow: device
    redirect_uri: http://localhost/
  - name: TFS
    provider: azure-devops-server
    url: https://ado.example.com:8080/tfs/DefaultCollection
";

    #[test]
    fn reads_every_field() {
        let file = parse(GOOD).unwrap();
        assert_eq!(file.apps.len(), 3);
        let gl = &file.apps[0];
        assert_eq!(gl.provider, Provider::Gitlab);
        assert_eq!(gl.url.to_string(), "https://gitlab.example.com");
        assert_eq!(gl.flow, Flow::Auto);
        assert_eq!(gl.scopes(), ["read_repository", "write_repository"]);
        let gh = &file.apps[1];
        assert_eq!(gh.scopes.0, ["repo", "workflow"]);
        assert_eq!(gh.flow, Flow::Device);
        assert_eq!(gh.client_secret.as_ref().unwrap().0, "s3cret");
        let ado = &file.apps[2];
        assert_eq!(ado.url.origin(), "https://ado.example.com:8080");
        assert_eq!(ado.url.path(), "tfs/DefaultCollection");
        assert!(ado.scopes().is_empty());
    }

    #[test]
    fn round_trips_through_text() {
        let file = parse(GOOD).unwrap();
        let text = file.to_text().unwrap();
        assert!(text.contains("scopes: repo workflow"), "{text}");
        assert!(!text.contains("flow: auto"), "{text}");
        assert_eq!(parse(&text).unwrap(), file);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let text = "apps:\n  - name: x\n    provider: gitlabb\n    url: https://h\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.starts_with("apps.yaml:3:"), "{msg}");
        assert!(msg.contains("apps[0].provider"), "{msg}");
        assert!(msg.contains("github-enterprise"), "{msg}");

        let text =
            "apps:\n  - name: x\n    provider: gitlab\n    url: https://h\n    clientid: 1\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(
            msg.contains("apps.yaml:") && msg.contains("clientid"),
            "{msg}"
        );

        let text = "apps:\n  - name: x\n    provider: gitlab\n    url: http://gitlab.example.com\n    client_id: a\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.starts_with("apps.yaml:2:"), "{msg}");
        assert!(
            msg.contains("apps[0]: url: ") && msg.contains("use https"),
            "{msg}"
        );

        let text = "apps:\n  - name: x\n    provider: gitlab\n    url: https://h\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.contains("apps.yaml:2:"), "{msg}");
        assert!(msg.contains("client_id: required"), "{msg}");
    }

    #[test]
    fn secrets_are_not_in_errors_or_debug() {
        let text = "apps:\n  - name: x\n    provider: azure-devops-server\n    url: https://h\n    client_secret: hunter2\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.contains("client_secret"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        let file = parse(GOOD).unwrap();
        assert!(!format!("{file:?}").contains("s3cret"));
    }

    #[test]
    fn duplicate_names_are_refused() {
        let text = "apps:\n  - {name: a, provider: azure-devops-server, url: https://h/x}\n  - {name: a, provider: azure-devops-server, url: https://h/y}\n";
        let msg = parse(text).unwrap_err().to_string();
        assert!(msg.contains("apps[1].name: 'a' is used twice"), "{msg}");
    }

    #[test]
    fn empty_and_missing_files_have_no_apps() {
        assert!(parse("").unwrap().apps.is_empty());
        assert!(parse("# nothing yet\n").unwrap().apps.is_empty());
        assert!(parse("apps: []\n").unwrap().apps.is_empty());
        let dir = tempfile::tempdir().unwrap();
        assert!(AppsFile::read(&dir.path().join("none.yaml"))
            .unwrap()
            .apps
            .is_empty());
    }

    #[test]
    fn urls_are_checked() {
        assert!(AppUrl::parse("https://h.example.com/gitlab/").is_ok());
        assert!(AppUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(AppUrl::parse("http://h.example.com").is_err());
        assert!(AppUrl::parse("ssh://h.example.com").is_err());
        assert!(AppUrl::parse("https://u:p@h.example.com").is_err());
        assert!(AppUrl::parse("https://h.example.com/?x=1").is_err());
        let u = AppUrl::parse("https://h.example.com/gitlab/").unwrap();
        assert_eq!(
            u.join("/oauth/token").as_str(),
            "https://h.example.com/gitlab/oauth/token"
        );
        let root = AppUrl::parse("https://h.example.com").unwrap();
        assert_eq!(
            root.join("/oauth/token").as_str(),
            "https://h.example.com/oauth/token"
        );
    }

    #[test]
    fn user_apps_shadow_system_apps_by_name() {
        let app = |name: &str, url: &str| App {
            name: name.into(),
            provider: Provider::AzureDevopsServer,
            url: AppUrl::parse(url).unwrap(),
            client_id: None,
            client_secret: None,
            scopes: Scopes::default(),
            flow: Flow::Auto,
            redirect_uri: None,
        };
        let user = AppsFile {
            apps: vec![app("a", "https://u")],
        };
        let system = AppsFile {
            apps: vec![app("a", "https://s"), app("b", "https://s")],
        };
        let apps = Apps::merge(user, system);
        assert_eq!(apps.apps.len(), 2);
        assert_eq!(apps.by_name("a").unwrap().scope, Scope::User);
        assert_eq!(apps.by_name("b").unwrap().scope, Scope::System);
    }

    #[test]
    fn written_file_reads_back_private_with_a_secret_unless_system_wide() {
        let file = parse(GOOD).unwrap();
        for (scope, file_mode) in [(Scope::User, 0o600), (Scope::System, 0o644)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("sub").join(FILE_NAME);
            file.write(&path, scope).unwrap();
            assert_eq!(AppsFile::read(&path).unwrap(), file);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode(&path), file_mode, "{scope:?}");
                if scope == Scope::System {
                    assert_eq!(mode(path.parent().unwrap()), 0o755);
                }
            }
        }
    }

    #[test]
    fn the_redirect_to_register_is_what_the_helper_sends_but_the_port() {
        let mut app = parse(GOOD).unwrap().apps.remove(0);
        for (given, shown) in [
            (None, "http://127.0.0.1/ (any port)"),
            (Some("http://localhost"), "http://localhost/ (any port)"),
            (Some("http://127.0.0.1:8765/cb"), "http://127.0.0.1:8765/cb"),
        ] {
            app.redirect_uri = given.map(String::from);
            assert_eq!(app.redirect().to_string(), shown);
        }
    }
}
