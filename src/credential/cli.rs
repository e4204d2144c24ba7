//! `git postman app ...` and `git postman pat ...`: the apps file and the secrets kept for
//! apps, as clap subcommands the porcelain embeds, and their `run` functions.
//!
//! Secrets never come from the command line (argv is visible to every user of the
//! machine, and lands in shell history): a client secret or a personal access token is
//! read from stdin (`--client-secret-stdin`, `--token-stdin`) or asked for on the terminal
//! without echo. Nothing secret is ever printed.
// The doc comments below are `--help` and man page text, written for a terminal:
// URLs and <placeholders> as a user types them, not rustdoc markup.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

use std::io::{BufRead, Write};

use clap::{Args, Subcommand};

use super::apps::{
    App, AppUrl, Apps, AppsError, AppsFile, ClientSecret, Flow, Locations, Provider, Scope, Scopes,
};
use super::config::{ConfigError, GitConfig};
use super::generate::{self, GenerateError, PAT_USERNAME};
use super::oauth::Endpoints;
use super::protocol::Credential;
use super::record;
use super::secrets::{self, Pat};
use super::store::{Store, StoreError, StoreKind};
use super::tty::{self, TtyError};

/// Errors of the `app` and `pat` commands.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Apps(#[from] AppsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tty(#[from] TtyError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// `git postman app`: the OAuth apps git-credential-postman logs in with.
#[derive(Clone, Debug, Subcommand)]
pub enum AppCommand {
    /// Add an app: the OAuth app registered on a GitHub Enterprise Server or GitLab
    /// Self-Managed instance (or an Azure DevOps Server collection, which uses personal
    /// access tokens; see `git postman pat add`).
    Add(AppAdd),
    /// List the apps of the user and system-wide files.
    List,
    /// Show one app: its settings, endpoints, and where its client secret is kept.
    Show {
        /// The app's name.
        name: String,
    },
    /// Log in to an app now, as git-credential-postman would at the next git command
    /// (refresh, else the browser or a device code), and keep the tokens for git. For
    /// when git runs where nobody can answer (a GUI or an IDE, `GIT_TERMINAL_PROMPT=0`).
    Login {
        /// The app's name or URL.
        app: String,
    },
    /// Remove an app, and its client secret from the keyring.
    Remove {
        /// The app's name.
        name: String,
        /// Remove it from the system-wide file rather than the user's.
        #[arg(long)]
        system: bool,
    },
}

/// `git postman app add`.
#[derive(Clone, Debug, Args)]
pub struct AppAdd {
    /// A name for the app (unique; `credential.<url>.postmanApp` may name it).
    #[arg(long)]
    pub name: String,
    /// The kind of forge.
    #[arg(long, value_enum)]
    pub provider: Provider,
    /// The forge's URL (https; with a path for an install under a sub-path).
    #[arg(long)]
    pub url: String,
    /// The OAuth app's client ID (application ID on GitLab).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Read the client secret from the first line of stdin.
    #[arg(long, conflicts_with = "client_secret_prompt")]
    pub client_secret_stdin: bool,
    /// Ask for the client secret on the terminal.
    #[arg(long)]
    pub client_secret_prompt: bool,
    /// Keep the client secret in the apps file (to share the file with a team) instead of
    /// the keyring. A user file holding a secret is readable by you only; the system-wide
    /// file is readable by every user, secret included (RFC 8252 §8.5: a native app's client
    /// secret is not confidential).
    #[arg(long)]
    pub secret_in_file: bool,
    /// The scopes to ask for, space separated (default: "repo workflow" for GitHub
    /// Enterprise Server, "read_repository write_repository" for GitLab).
    #[arg(long)]
    pub scopes: Option<String>,
    /// How users log in: the browser, a device code, or the browser when there is a
    /// display (auto).
    #[arg(long, value_enum, default_value_t = Flow::Auto)]
    pub flow: Flow,
    /// The redirect URI registered with the app, when not http://127.0.0.1/ (e.g.
    /// http://localhost/ for a GitHub Enterprise Server app registered that way). Without a
    /// port, each login listens on a free one (forges accept any port for a loopback
    /// redirect). app add and app show print the exact URI to register.
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// Write to the system-wide file, for every user of this machine: it is written
    /// readable by all (0644). A secret that must stay private belongs in each user's own
    /// app (added without --system, which replaces the system app of the same name).
    #[arg(long)]
    pub system: bool,
    /// Replace an app of the same name.
    #[arg(long)]
    pub force: bool,
}

/// `git postman pat`: personal access tokens for Azure DevOps Server.
#[derive(Clone, Debug, Subcommand)]
pub enum PatCommand {
    /// Keep a personal access token for an Azure DevOps Server collection URL (e.g.
    /// https://ado.example.com:8080/tfs/DefaultCollection); asks for it on the terminal.
    Add {
        /// The collection's URL: every repository under it uses this token.
        url: String,
        /// The username sent with the token (Azure DevOps Server accepts any non-empty one).
        #[arg(long, default_value = PAT_USERNAME)]
        username: String,
        /// Read the token from the first line of stdin instead of the terminal.
        #[arg(long)]
        token_stdin: bool,
        /// A name for the app entry made for the URL (default: the URL without scheme).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the Azure DevOps Server URLs and whether a token is kept for each.
    List,
    /// Forget the token of a URL (and the app entry `pat add` made for it).
    Remove {
        /// The collection's URL, as given to `pat add`.
        url: String,
    },
}

/// What the commands read and write.
pub struct Context<'a> {
    pub locations: Locations,
    /// The keyring, overriding `credential.postmanStore`.
    pub store: Option<StoreKind>,
    /// Where `--client-secret-stdin` and `--token-stdin` read.
    pub input: &'a mut dyn BufRead,
    pub out: &'a mut dyn Write,
}

impl Context<'_> {
    /// The keyring for secrets of the app at `url`: as `credential.postmanStore` (or
    /// `credential.<url>.postmanStore`) says, as the helper will look for them.
    fn store(&self, url: &AppUrl) -> Result<Store, CliError> {
        let store = match self.store {
            Some(kind) => Some(kind),
            None => {
                let request = Credential::parse(format!("url={url}\n").as_bytes())
                    .map_err(|e| CliError::Invalid(e.to_string()))?;
                GitConfig::load()?.settings_for(&request)?.store
            }
        };
        Ok(Store::open_configured(store)?)
    }
}

/// Runs `git postman app ...`: reports to `out`, reads `--client-secret-stdin` from the
/// process's stdin.
pub fn run_app(command: &AppCommand, out: &mut dyn Write) -> Result<(), CliError> {
    with_process_context(out, |ctx| run_app_with(command, ctx))
}

/// Runs `git postman pat ...`: reports to `out`, reads `--token-stdin` from the process's
/// stdin.
pub fn run_pat(command: &PatCommand, out: &mut dyn Write) -> Result<(), CliError> {
    with_process_context(out, |ctx| run_pat_with(command, ctx))
}

/// Runs `f` with the process's context: the apps files from the environment, the
/// configured keyring, stdin as input and `out`.
fn with_process_context(
    out: &mut dyn Write,
    f: impl FnOnce(&mut Context) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    f(&mut Context {
        locations: Locations::from_env(),
        store: None,
        input: &mut input,
        out,
    })
}

/// [`run_app`] with everything it touches given.
pub fn run_app_with(command: &AppCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command.clone() {
        AppCommand::Add(add) => app_add(add, ctx),
        AppCommand::List => app_list(ctx),
        AppCommand::Show { name } => app_show(&name, ctx),
        AppCommand::Login { app } => app_login(&app, ctx),
        AppCommand::Remove { name, system } => app_remove(&name, system, ctx),
    }
}

/// [`run_pat`] with everything it touches given.
pub fn run_pat_with(command: &PatCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command.clone() {
        PatCommand::Add {
            url,
            username,
            token_stdin,
            name,
        } => pat_add(&url, &username, token_stdin, name, ctx),
        PatCommand::List => pat_list(ctx),
        PatCommand::Remove { url } => pat_remove(&url, ctx),
    }
}

fn app_add(add: AppAdd, ctx: &mut Context) -> Result<(), CliError> {
    let url = AppUrl::parse(&add.url).map_err(|e| CliError::Invalid(format!("--url: {e}")))?;
    let wants_secret = add.client_secret_stdin || add.client_secret_prompt;
    if add.secret_in_file && !wants_secret {
        return Err(CliError::Invalid(
            "--secret-in-file goes with --client-secret-stdin or --client-secret-prompt".into(),
        ));
    }
    if wants_secret && !add.provider.is_oauth() {
        return Err(CliError::Invalid(format!(
            "{} apps have no client secret: they use personal access tokens (git postman pat add)",
            add.provider
        )));
    }
    if wants_secret && add.system && !add.secret_in_file {
        return Err(CliError::Invalid(
            "a system-wide app's client secret must be in the file (--secret-in-file), which \
             every user can read: other users cannot read your keyring"
                .into(),
        ));
    }
    let mut app = App {
        name: add.name.trim().to_string(),
        provider: add.provider,
        url,
        client_id: add.client_id.map(|s| s.trim().to_string()),
        client_secret: None,
        scopes: add.scopes.as_deref().map(Scopes::parse).unwrap_or_default(),
        flow: add.flow,
        redirect_uri: add.redirect_uri,
    };
    // The message starts with the file's field name; here it is an option.
    app.check().map_err(|e| match e.split_once(':') {
        Some((field, rest)) => CliError::Invalid(format!("--{}:{rest}", field.replace('_', "-"))),
        None => CliError::Invalid(e),
    })?;

    let scope = if add.system {
        Scope::System
    } else {
        Scope::User
    };
    let path = ctx.locations.path(scope)?.to_path_buf();
    let mut file = AppsFile::read(&path)?;
    if file.find(&app.name).is_some() && !add.force {
        return Err(CliError::Invalid(format!(
            "an app named '{}' is already in {} (--force replaces it)",
            app.name,
            path.display()
        )));
    }

    let secret = if add.client_secret_stdin {
        Some(tty::read_secret_line(ctx.input, "client secret")?)
    } else if add.client_secret_prompt {
        Some(tty::prompt_secret(&format!(
            "client secret of {}",
            app.name
        ))?)
    } else {
        None
    };
    let secret_note = match secret {
        Some(secret) if add.secret_in_file => {
            app.client_secret = Some(ClientSecret(secret));
            match scope {
                Scope::User => "client secret in the file (readable by you only)".to_string(),
                Scope::System => "client secret in the file".to_string(),
            }
        }
        Some(secret) => {
            let store = ctx.store(&app.url)?;
            secrets::put(
                &store,
                secrets::Kind::ClientSecret,
                &app.url,
                secret.as_bytes(),
            )?;
            format!("client secret in the {} keyring", store.kind())
        }
        None if app.provider.is_oauth() => "no client secret (a public client)".to_string(),
        None => "personal access tokens: git postman pat add".to_string(),
    };

    file.apps.retain(|a| a.name != app.name);
    file.apps.push(app.clone());
    file.write(&path, scope)?;
    let readers = match scope {
        Scope::User => "",
        Scope::System => " (readable by every user)",
    };
    writeln!(
        ctx.out,
        "Added app '{}' ({}, {}) to {}{readers}; {secret_note}.",
        app.name,
        app.provider,
        app.url,
        path.display()
    )?;
    if app.provider.is_oauth() {
        writeln!(
            ctx.out,
            "Register the redirect URI {} as the app's {} and allow the scopes \"{}\".",
            app.redirect(),
            app.provider.redirect_field(),
            app.scopes().join(" ")
        )?;
    }
    if scope == Scope::System && app.client_secret.is_some() {
        writeln!(ctx.out, "{SYSTEM_SECRET_NOTE}")?;
    }
    Ok(())
}

/// What `app add --system` says about a client secret in the system file.
const SYSTEM_SECRET_NOTE: &str = "Every user of this machine can read this client secret: \
    a native app's secret is not confidential (RFC 8252 §8.5). To keep one private, leave it \
    out of the system file and let each user add the app without --system: a user's app \
    replaces the system app of the same name and keeps its secret in the user's keyring.";

fn app_list(ctx: &mut Context) -> Result<(), CliError> {
    let apps = Apps::load(&ctx.locations)?;
    if apps.is_empty() {
        writeln!(ctx.out, "No apps. Add one with `git postman app add`.")?;
        return Ok(());
    }
    let rows: Vec<[String; 5]> = apps
        .apps
        .iter()
        .map(|l| {
            [
                l.app.name.clone(),
                l.app.provider.to_string(),
                l.app.url.to_string(),
                if l.app.provider.is_oauth() {
                    l.app.flow.name().to_string()
                } else {
                    "pat".to_string()
                },
                l.scope.name().to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "PROVIDER", "URL", "LOGIN", "FILE"].map(String::from);
    write_table(ctx.out, &header, &rows)?;
    Ok(())
}

fn app_show(name: &str, ctx: &mut Context) -> Result<(), CliError> {
    let apps = Apps::load(&ctx.locations)?;
    let loaded = apps.by_name(name).ok_or_else(|| {
        CliError::Invalid(format!(
            "no app named '{name}' (see `git postman app list`)"
        ))
    })?;
    let app = &loaded.app;
    let path = ctx.locations.path(loaded.scope)?.display().to_string();
    let out = &mut *ctx.out;
    writeln!(out, "name:         {}", app.name)?;
    writeln!(out, "provider:     {}", app.provider)?;
    writeln!(out, "url:          {}", app.url)?;
    writeln!(out, "file:         {path} ({})", loaded.scope.name())?;
    if !app.provider.is_oauth() {
        writeln!(
            out,
            "login:        personal access token (git postman pat add {})",
            app.url
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "client_id:    {}",
        app.client_id.as_deref().unwrap_or_default()
    )?;
    let secret = if app.client_secret.is_some() {
        "in the file".to_string()
    } else {
        let store = ctx.store(&app.url)?;
        match secrets::get_client_secret(&store, &app.url)? {
            Some(_) => format!("in the {} keyring", store.kind()),
            None => "none (a public client)".to_string(),
        }
    };
    let out = &mut *ctx.out;
    writeln!(out, "client_secret: {secret}")?;
    writeln!(out, "scopes:       {}", app.scopes().join(" "))?;
    writeln!(out, "flow:         {}", app.flow.name())?;
    writeln!(
        out,
        "redirect_uri: {}, to register as the app's {}",
        app.redirect(),
        app.provider.redirect_field()
    )?;
    let e = Endpoints::for_app(app.provider, &app.url);
    writeln!(out, "authorize:    {}", e.authorize)?;
    writeln!(out, "token:        {}", e.token)?;
    writeln!(out, "device:       {}", e.device)?;
    Ok(())
}

fn app_login(name_or_url: &str, ctx: &mut Context) -> Result<(), CliError> {
    let apps = Apps::load(&ctx.locations)?;
    let by_url = AppUrl::parse(name_or_url).ok();
    let loaded = apps
        .by_name(name_or_url)
        .or_else(|| {
            apps.apps
                .iter()
                .find(|l| Some(&l.app.url) == by_url.as_ref())
        })
        .ok_or_else(|| {
            CliError::Invalid(format!(
                "no app named '{name_or_url}' or with that URL (see `git postman app list`)"
            ))
        })?;
    let app = &loaded.app;
    // The request git sends for the app's URL: no path unless credential.useHttpPath.
    let mut request = Credential::parse(format!("url={}\n", app.url).as_bytes())
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let settings = GitConfig::load()?.settings_for(&request)?;
    if !settings.use_http_path {
        request.path = None;
    }
    let store = ctx.store(&app.url)?;
    let stored = record::load(&store, &record::service_of(&request))?;
    let answer = generate::generate(
        app,
        &generate::Context {
            request: &request,
            settings: &settings,
            store: &store,
            stored: &stored,
        },
    )?;
    let username = String::from_utf8_lossy(answer.username.as_deref().unwrap_or_default());
    writeln!(
        ctx.out,
        "Logged in to {} ({}) as {username}; git will use the kept token.",
        app.name, app.url
    )?;
    Ok(())
}

fn app_remove(name: &str, system: bool, ctx: &mut Context) -> Result<(), CliError> {
    let scope = if system { Scope::System } else { Scope::User };
    let path = ctx.locations.path(scope)?.to_path_buf();
    let mut file = AppsFile::read(&path)?;
    let Some(app) = file.find(name).cloned() else {
        let elsewhere = if system {
            ""
        } else {
            " (a system-wide app needs --system)"
        };
        return Err(CliError::Invalid(format!(
            "no app named '{name}' in {}{elsewhere}",
            path.display()
        )));
    };
    file.apps.retain(|a| a.name != name);
    file.write(&path, scope)?;
    let store = ctx.store(&app.url)?;
    let had_secret = secrets::delete(&store, secrets::Kind::ClientSecret, &app.url)?;
    let note = if had_secret {
        " and its client secret from the keyring"
    } else {
        ""
    };
    writeln!(
        ctx.out,
        "Removed app '{name}' from {}{note}.",
        path.display()
    )?;
    Ok(())
}

fn pat_add(
    url: &str,
    username: &str,
    token_stdin: bool,
    name: Option<String>,
    ctx: &mut Context,
) -> Result<(), CliError> {
    let url = AppUrl::parse(url).map_err(CliError::Invalid)?;
    let username = username.trim();
    if username.is_empty() || username.contains(['\n', '\r', '\0']) {
        return Err(CliError::Invalid(
            "--username: must be one non-empty line (Azure DevOps Server refuses an empty one)"
                .into(),
        ));
    }
    let apps = Apps::load(&ctx.locations)?;
    let existing = apps.apps.iter().find(|l| l.app.url == url);
    if let Some(l) = existing.filter(|l| l.app.provider.is_oauth()) {
        return Err(CliError::Invalid(format!(
            "{url} belongs to the {} app '{}', which logs in with OAuth",
            l.app.provider, l.app.name
        )));
    }
    let token = if token_stdin {
        tty::read_secret_line(ctx.input, "personal access token")?
    } else {
        tty::prompt_secret(&format!("personal access token for {url}"))?
    };
    let store = ctx.store(&url)?;
    secrets::put_pat(
        &store,
        &url,
        &Pat {
            username: username.to_string(),
            token,
        },
    )?;

    let mut added = String::new();
    if existing.is_none() {
        let path = ctx.locations.path(Scope::User)?.to_path_buf();
        let mut file = AppsFile::read(&path)?;
        let name = name.unwrap_or_else(|| {
            url.to_string()
                .split_once("://")
                .map(|p| p.1.to_string())
                .unwrap_or_default()
        });
        if file.find(&name).is_some() {
            return Err(CliError::Invalid(format!(
                "an app named '{name}' is already in {}",
                path.display()
            )));
        }
        file.apps.push(App {
            name,
            provider: Provider::AzureDevopsServer,
            url: url.clone(),
            client_id: None,
            client_secret: None,
            scopes: Scopes::default(),
            flow: Flow::Auto,
            redirect_uri: None,
        });
        file.write(&path, Scope::User)?;
        added = format!(" and added it to {}", path.display());
    }
    writeln!(
        ctx.out,
        "Kept the personal access token for {url} (username {username}) in the {} keyring{added}.",
        store.kind()
    )?;
    // git sends no path for http(s) unless told to: then collections on one server share
    // whichever token matches first.
    let same_host = Apps::load(&ctx.locations)?
        .apps
        .iter()
        .filter(|l| !l.app.provider.is_oauth() && l.app.url.origin() == url.origin())
        .count();
    if same_host > 1 {
        writeln!(
            ctx.out,
            "Several collections on {0}: run `git config --global credential.{0}.useHttpPath true` \
             so git tells which one a repository is in.",
            url.origin()
        )?;
    }
    Ok(())
}

fn pat_list(ctx: &mut Context) -> Result<(), CliError> {
    let apps = Apps::load(&ctx.locations)?;
    let mut rows = Vec::new();
    for l in apps.apps.iter().filter(|l| !l.app.provider.is_oauth()) {
        let store = ctx.store(&l.app.url)?;
        let token = match secrets::get_pat(&store, &l.app.url)? {
            Some(pat) => format!("kept (username {})", pat.username),
            None => "none (asked for at first use)".to_string(),
        };
        rows.push([l.app.url.to_string(), l.app.name.clone(), token]);
    }
    if rows.is_empty() {
        writeln!(
            ctx.out,
            "No Azure DevOps Server URLs. Add one with `git postman pat add <url>`."
        )?;
        return Ok(());
    }
    write_table(ctx.out, &["URL", "NAME", "TOKEN"].map(String::from), &rows)?;
    Ok(())
}

fn pat_remove(url: &str, ctx: &mut Context) -> Result<(), CliError> {
    let url = AppUrl::parse(url).map_err(CliError::Invalid)?;
    let store = ctx.store(&url)?;
    let had = secrets::delete(&store, secrets::Kind::Pat, &url)?;
    let path = ctx.locations.path(Scope::User)?.to_path_buf();
    let mut file = AppsFile::read(&path)?;
    let before = file.apps.len();
    file.apps.retain(|a| a.provider.is_oauth() || a.url != url);
    let removed_entry = file.apps.len() != before;
    if removed_entry {
        file.write(&path, Scope::User)?;
    }
    match (had, removed_entry) {
        (false, false) => Err(CliError::Invalid(format!(
            "no personal access token kept for {url}"
        ))),
        _ => {
            writeln!(ctx.out, "Forgot the personal access token for {url}.")?;
            Ok(())
        }
    }
}

pub(crate) fn write_table<const N: usize>(
    out: &mut dyn Write,
    header: &[String; N],
    rows: &[[String; N]],
) -> std::io::Result<()> {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Porcelain {
        #[command(subcommand)]
        command: Top,
    }

    #[derive(Subcommand, Debug)]
    enum Top {
        #[command(subcommand)]
        App(AppCommand),
        #[command(subcommand)]
        Pat(PatCommand),
    }

    fn parse(args: &[&str]) -> Top {
        Porcelain::try_parse_from(std::iter::once("git-postman").chain(args.iter().copied()))
            .unwrap()
            .command
    }

    /// `app add --name <name> --provider <provider> --url <url> <extra...>`.
    fn app_add(name: &str, provider: &str, url: &str, extra: &[&str]) -> Top {
        let mut args = vec![
            "app",
            "add",
            "--name",
            name,
            "--provider",
            provider,
            "--url",
            url,
        ];
        args.extend(extra);
        parse(&args)
    }

    fn ctx_run(dir: &std::path::Path, top: Top, input: &str) -> Result<String, CliError> {
        let mut input = std::io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        let mut ctx = Context {
            locations: Locations {
                system: Some(dir.join("system.yaml")),
                user: Some(dir.join("user.yaml")),
            },
            store: None,
            input: &mut input,
            out: &mut out,
        };
        match top {
            Top::App(c) => run_app_with(&c, &mut ctx)?,
            Top::Pat(c) => run_pat_with(&c, &mut ctx)?,
        }
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_commands_parse_as_the_issue_writes_them() {
        let t = app_add(
            "ACME GitLab",
            "gitlab",
            "https://gitlab.example.com",
            &[
                "--client-id",
                "1a2b",
                "--scopes",
                "read_repository write_repository",
            ],
        );
        let Top::App(AppCommand::Add(add)) = t else {
            panic!()
        };
        assert_eq!(add.provider, Provider::Gitlab);
        assert_eq!(add.flow, Flow::Auto);
        let t = app_add(
            "ACME GHES",
            "github-enterprise",
            "https://ghes.example.com",
            &[
                "--client-id",
                "Iv1.abc",
                "--client-secret-stdin",
                "--scopes",
                "repo workflow",
                "--flow",
                "device",
            ],
        );
        let Top::App(AppCommand::Add(add)) = t else {
            panic!()
        };
        assert!(add.client_secret_stdin);
        assert_eq!(add.flow, Flow::Device);
        let t = parse(&[
            "pat",
            "add",
            "https://ado.example.com:8080/DefaultCollection",
        ]);
        let Top::Pat(PatCommand::Add { username, .. }) = t else {
            panic!()
        };
        assert_eq!(username, "pat");
        // No way to pass a secret as an argument.
        assert!(
            Porcelain::try_parse_from(["git-postman", "app", "add", "--client-secret", "x"])
                .is_err()
        );
    }

    #[test]
    fn add_list_show_remove_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let add_gl = || {
            app_add(
                "GL",
                "gitlab",
                "https://gitlab.example.com/",
                &["--client-id", "abc"],
            )
        };
        let user_file = dir.path().join("user.yaml");
        let out = ctx_run(dir.path(), add_gl(), "").unwrap();
        assert_eq!(
            out,
            format!(
                "Added app 'GL' (gitlab, https://gitlab.example.com) to {}; no client secret (a public client).\n\
                 Register the redirect URI http://127.0.0.1/ (any port) as the app's Redirect URI and allow the scopes \"read_repository write_repository\".\n",
                user_file.display()
            )
        );
        let err = ctx_run(dir.path(), add_gl(), "").unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        let err = ctx_run(
            dir.path(),
            app_add("X", "gitlab", "https://x.example.com", &[]),
            "",
        )
        .unwrap_err();
        assert!(err.to_string().contains("--client-id: required"), "{err}");

        let out = ctx_run(dir.path(), parse(&["app", "list"]), "").unwrap();
        assert!(out.starts_with("NAME"), "{out}");
        assert!(
            out.contains("GL    gitlab    https://gitlab.example.com  auto   user"),
            "{out}"
        );
        let text = std::fs::read_to_string(&user_file).unwrap();
        assert!(text.contains("client_id: abc"), "{text}");

        let out = ctx_run(dir.path(), parse(&["app", "remove", "GL"]), "").unwrap();
        assert_eq!(
            out,
            format!("Removed app 'GL' from {}.\n", user_file.display())
        );
        let out = ctx_run(dir.path(), parse(&["app", "list"]), "").unwrap();
        assert_eq!(out, "No apps. Add one with `git postman app add`.\n");
    }

    #[test]
    fn secrets_in_the_file_stay_out_of_the_output_and_system_files_say_who_reads_them() {
        let system_note = format!("{SYSTEM_SECRET_NOTE}\n");
        for (scope, file, readers, secret_note, note) in [
            (
                "user",
                "user.yaml",
                "",
                "client secret in the file (readable by you only)",
                "",
            ),
            (
                "system",
                "system.yaml",
                " (readable by every user)",
                "client secret in the file",
                system_note.as_str(),
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let mut extra = vec![
                "--client-id",
                "Iv1",
                "--client-secret-stdin",
                "--secret-in-file",
                "--redirect-uri",
                "http://localhost:8765/cb",
            ];
            if scope == "system" {
                extra.push("--system");
            }
            let add = app_add(
                "GH",
                "github-enterprise",
                "https://ghes.example.com",
                &extra,
            );
            let out = ctx_run(dir.path(), add, "s3cret-value\n").unwrap();
            let path = dir.path().join(file);
            assert_eq!(
                out,
                format!(
                    "Added app 'GH' (github-enterprise, https://ghes.example.com) to {}{readers}; {secret_note}.\n\
                     Register the redirect URI http://localhost:8765/cb as the app's Authorization callback URL \
                     and allow the scopes \"repo workflow\".\n{note}",
                    path.display()
                )
            );
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains("client_secret: s3cret-value"), "{text}");
            let out = ctx_run(dir.path(), parse(&["app", "show", "GH"]), "").unwrap();
            assert_eq!(
                out,
                format!(
                    "name:         GH\n\
                     provider:     github-enterprise\n\
                     url:          https://ghes.example.com\n\
                     file:         {} ({scope})\n\
                     client_id:    Iv1\n\
                     client_secret: in the file\n\
                     scopes:       repo workflow\n\
                     flow:         auto\n\
                     redirect_uri: http://localhost:8765/cb, to register as the app's Authorization callback URL\n\
                     authorize:    https://ghes.example.com/login/oauth/authorize\n\
                     token:        https://ghes.example.com/login/oauth/access_token\n\
                     device:       https://ghes.example.com/login/device/code\n",
                    path.display()
                )
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let err = ctx_run(
            dir.path(),
            app_add(
                "S",
                "gitlab",
                "https://s.example.com",
                &["--client-id", "c", "--client-secret-stdin", "--system"],
            ),
            "x\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("--secret-in-file"), "{err}");
    }

    #[test]
    fn tables_line_up() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            &["A".to_string(), "BB".to_string()],
            &[["xyz".to_string(), "1".to_string()]],
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A    BB\nxyz  1\n");
    }
}
