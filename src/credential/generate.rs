//! Making a credential for a URL an app covers, when the keyring has no usable one: the
//! generator half of the helper (the storage half is [`super::helper`]).
//!
//! For an OAuth app (GitHub Enterprise Server, GitLab), under a lock per protocol and host
//! ([`super::lock`]), so that concurrent git processes refresh once and open at most one
//! browser; in this order:
//! 0. a token another git process stored while this one waited for the lock is the answer;
//! 1. refresh, silently, with the refresh token git passed (a storage helper before us kept
//!    it) or one we kept; a refused refresh token is forgotten (they are single-use, and
//!    a git process of an older version, which took no lock, may have just used it: then
//!    its fresh token is taken instead);
//! 2. else log the user in: the browser (authorization code + PKCE, loopback redirect) or,
//!    without a display or when the app says so, the device flow; with
//!    `GIT_TERMINAL_PROMPT=0` only the browser, and only when one can be shown (see
//!    [`super::tty`]);
//! 3. store the tokens in the keyring at once ("eagerly"): git calls `store` only after a
//!    request succeeds, and calls neither `store` nor `erase` on a 403;
//! 4. answer git: username (`oauth2` for GitLab, the login for GHES), the access token,
//!    `password_expiry_utc` and `oauth_refresh_token`.
//!
//! For an Azure DevOps Server collection: the personal access token kept for it, else one
//! asked for once on the terminal and kept.
//!
//! `erase` ([`keeps_refresh_token`]) keeps a refresh token when git rejects an access token, so a
//! revoked or expired token costs one silent refresh, not a browser window.

use std::time::Duration;

use super::apps::{App, Flow, Provider, Redirect};
use super::browser;
use super::config::Settings;
use super::lock::{self, LockError};
use super::loopback::LoopbackError;
use super::oauth::{DevicePrompt, Endpoints, OAuth, OAuthError, Tokens};
use super::protocol::Credential;
use super::record::{self, now_utc, Record};
use super::secrets::{self, Pat};
use super::store::{Store, StoreError};
use super::tty::{self, TtyError};

/// How long the browser login may take unless `credential.postmanBrowserTimeout` says:
/// long enough to log in and consent, short enough that a login the forge refused (an error
/// page that never redirects back) ends before a GUI gives up on git.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the device login may take (at most the code's own lifetime).
pub const DEVICE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// GitLab's access tokens live two hours; some versions do not say so.
const GITLAB_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);
/// The username for a personal access token when git has none (any non-empty one works).
pub const PAT_USERNAME: &str = "pat";

/// Errors while generating a credential.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{app} ({url}): {source}")]
    OAuth {
        app: String,
        url: String,
        source: OAuthError,
    },
    #[error(
        "{app} ({url}): the browser did not come back within {} s; if the forge showed an \
         error page, make sure the app allows the redirect URI {redirect}, then run git again",
        waited.as_secs()
    )]
    BrowserTimeout {
        app: String,
        url: String,
        waited: Duration,
        redirect: Redirect,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Tty(#[from] TtyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `get` knows when it turns to an app.
pub struct Context<'a> {
    /// git's request, its path already dropped unless `credential.useHttpPath`.
    pub request: &'a Credential,
    pub settings: &'a Settings,
    pub store: &'a Store,
    /// The records stored for the request's protocol and host (expired ones included:
    /// they may hold a refresh token).
    pub stored: &'a [Record],
}

/// A credential for `app`.
pub fn generate(app: &App, ctx: &Context) -> Result<Credential, GenerateError> {
    match app.provider {
        Provider::AzureDevopsServer => personal_access_token(app, ctx),
        Provider::GithubEnterprise | Provider::Gitlab => oauth(app, ctx),
    }
}

fn oauth(app: &App, ctx: &Context) -> Result<Credential, GenerateError> {
    let fail = |source| GenerateError::OAuth {
        app: app.name.clone(),
        url: app.url.to_string(),
        source,
    };
    let secret = match &app.client_secret {
        Some(s) => Some(s.0.clone()),
        None => secrets::get_client_secret(ctx.store, &app.url)?,
    };
    let client =
        OAuth::new(app, &Endpoints::for_app(app.provider, &app.url), secret).map_err(fail)?;

    // 0. One process at a time; the keyring is read again once this one's turn comes.
    let _turn = lock::acquire(
        &record::service_of(ctx.request),
        &app.url.to_string(),
        lock::WAIT,
    )?;
    let records = reload(ctx)?;
    if let Some(fresh) = made_meanwhile(ctx, &records) {
        return Ok(fresh);
    }

    // 1. Refresh, without the user.
    for (refresh_token, username) in refresh_tokens(ctx.request, &records) {
        match client.refresh(&refresh_token) {
            Ok(tokens) => return finish(app, &client, ctx, tokens, Some(&refresh_token), username),
            Err(OAuthError::InvalidGrant { .. }) => {
                forget_refresh_token(ctx, &refresh_token)?;
                if let Some(fresh) = made_meanwhile(ctx, &reload(ctx)?) {
                    return Ok(fresh);
                }
            }
            Err(e) => return Err(fail(e)),
        }
    }

    // 2. Log in: from here on the user is needed.
    let what = app.url.to_string();
    tty::ensure_interactive(ctx.settings, &what)?;
    let flow = chosen_flow(app);
    // Without terminal prompts only the browser can still reach the user.
    let need = if flow == Flow::Browser && browser::available() {
        None
    } else if flow == Flow::Browser || app.flow == Flow::Auto {
        Some("no browser can be opened here")
    } else {
        Some("the device login shows its code on the terminal")
    };
    if let Some(need) = need {
        tty::ensure_terminal(&what, need, format!("git postman app login {what}"))?;
    }
    let timeout = ctx.settings.browser_timeout.unwrap_or(BROWSER_TIMEOUT);
    let tokens = match flow {
        Flow::Browser => client.browser_login(
            |url, redirect| open_browser(app, url, redirect, timeout),
            timeout,
        ),
        Flow::Device | Flow::Auto => client.device_login(
            |p| show_device_code(app, p),
            std::thread::sleep,
            DEVICE_TIMEOUT,
        ),
    }
    .map_err(|e| match e {
        OAuthError::Loopback(LoopbackError::Timeout(waited)) => GenerateError::BrowserTimeout {
            app: app.name.clone(),
            url: app.url.to_string(),
            waited,
            redirect: app.redirect(),
        },
        e => fail(e),
    })?;
    finish(app, &client, ctx, tokens, None, None)
}

/// Steps 3 and 4: store the new tokens and make the answer.
fn finish(
    app: &App,
    client: &OAuth,
    ctx: &Context,
    tokens: Tokens,
    refreshed: Option<&str>,
    known_username: Option<Vec<u8>>,
) -> Result<Credential, GenerateError> {
    let request = ctx.request;
    let username = request
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .or(known_username)
        .unwrap_or_else(|| match app.provider {
            Provider::GithubEnterprise => client
                .github_login(&app.url, &tokens.access)
                .unwrap_or_else(|| "oauth2".into())
                .into_bytes(),
            _ => b"oauth2".to_vec(),
        });
    let credential = Credential {
        protocol: request.protocol.clone(),
        host: request.host.clone(),
        path: request.path.clone(),
        username: Some(username),
        password: Some(tokens.access.into_bytes()),
        password_expiry_utc: expiry(app.provider, tokens.expires_in, now_utc()),
        // A server that does not rotate refresh tokens sends none with a refresh.
        oauth_refresh_token: tokens
            .refresh
            .or_else(|| refreshed.map(str::to_string))
            .map(String::into_bytes),
        ..Credential::default()
    };
    Record::from_request(&credential).save(ctx.store)?;
    // A used refresh token is dead (GitLab, GitHub Apps): drop copies kept elsewhere.
    if let Some(old) = refreshed {
        if credential.oauth_refresh_token.as_deref() != Some(old.as_bytes()) {
            forget_refresh_token(ctx, old)?;
        }
    }
    Ok(credential)
}

/// `password_expiry_utc` for tokens that expire, a little early: a token that dies in
/// flight costs a failed git command.
pub fn expiry(provider: Provider, expires_in: Option<Duration>, now: u64) -> Option<u64> {
    let lifetime = expires_in.or((provider == Provider::Gitlab).then_some(GITLAB_TOKEN_LIFETIME))?;
    let skew = (lifetime / 4).min(Duration::from_secs(60));
    Some(now + (lifetime - skew).as_secs().max(1))
}

/// Refresh tokens to try, with the username they were used with: git's first, then the
/// ones in `stored`, newest first.
fn refresh_tokens(request: &Credential, stored: &[Record]) -> Vec<(String, Option<Vec<u8>>)> {
    let mut out: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    if let Some(t) = request.oauth_refresh_token.as_ref() {
        out.push((String::from_utf8_lossy(t).into_owned(), None));
    }
    let mut records: Vec<&Record> = stored
        .iter()
        .filter(|r| record::matches(request, &r.credential, false))
        .collect();
    records.sort_by_key(|r| std::cmp::Reverse(r.stored_ns));
    for r in records {
        if let Some(t) = &r.credential.oauth_refresh_token {
            let t = String::from_utf8_lossy(t).into_owned();
            if !out.iter().any(|(o, _)| *o == t) {
                out.push((t, r.credential.username.clone()));
            }
        }
    }
    out
}

/// Drops a refused or used refresh token from every record of this host that holds it:
/// the record goes if its password is gone too, else it keeps its password.
fn forget_refresh_token(ctx: &Context, token: &str) -> Result<(), GenerateError> {
    for stored in ctx.store.find(&record::service_of(ctx.request))? {
        let Some(mut r) = Record::parse(&stored.secret) else {
            continue;
        };
        if r.credential.oauth_refresh_token.as_deref() != Some(token.as_bytes()) {
            continue;
        }
        if r.credential.password.is_some() && !r.is_expired(now_utc()) {
            r.credential.oauth_refresh_token = None;
            r.save(ctx.store)?;
        } else {
            ctx.store.delete(&stored)?;
        }
    }
    Ok(())
}

/// What the keyring holds for the request's protocol and host now.
fn reload(ctx: &Context) -> Result<Vec<Record>, GenerateError> {
    Ok(record::load(ctx.store, &record::service_of(ctx.request))?)
}

/// The answer among `records` that was not stored when this run started
/// (`ctx.stored`): another git process made it meanwhile. Only such a one: a token that was
/// there before is not what `git postman app login` asks for.
fn made_meanwhile(ctx: &Context, records: &[Record]) -> Option<Credential> {
    let new: Vec<Record> = records
        .iter()
        .filter(|r| !ctx.stored.contains(r))
        .cloned()
        .collect();
    super::helper::select(ctx.request, &new, now_utc()).map(|r| r.credential.clone())
}

fn chosen_flow(app: &App) -> Flow {
    match app.flow {
        Flow::Auto if browser::available() => Flow::Browser,
        Flow::Auto => Flow::Device,
        flow => flow,
    }
}

/// Opens the browser and says, in one line, what git now waits for, how to stop it, and
/// the redirect URI the app must allow (a forge that refuses it shows an error page in the
/// browser and never comes back: this line is all the terminal or GUI log shows).
fn open_browser(app: &App, url: &str, redirect: &url::Url, timeout: Duration) {
    tty::say(&format!(
        "git-credential-postman: waiting up to {} s for your browser to log in to {} ({}) \
         and come back to {redirect}; the app must allow the redirect URI {}. Ctrl-C \
         cancels. If no browser opens, visit {url}",
        timeout.as_secs(),
        app.name,
        app.url,
        app.redirect()
    ));
    if let Err(e) = browser::open(url) {
        tty::say(&format!(
            "git-credential-postman: {e}; open the URL above yourself."
        ));
    }
}

fn show_device_code(app: &App, prompt: &DevicePrompt) {
    let minutes = prompt.expires_in.as_secs().div_ceil(60);
    tty::say(&format!(
        "git-credential-postman: to log in to {} ({}), open {} and enter the code {} \
         (valid for {minutes} minutes)",
        app.name, app.url, prompt.verification_uri, prompt.user_code
    ));
}

/// The PAT kept for the collection, else one the user types in once.
fn personal_access_token(app: &App, ctx: &Context) -> Result<Credential, GenerateError> {
    let request = ctx.request;
    let given_username = request
        .username
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| String::from_utf8_lossy(u).into_owned());
    let pat = match secrets::get_pat(ctx.store, &app.url)? {
        Some(pat) => pat,
        None => {
            let what = app.url.to_string();
            tty::ensure_interactive(ctx.settings, &what)?;
            tty::ensure_secret_prompt(
                &what,
                "the personal access token is asked for on the terminal",
                format!("git postman pat add {what}"),
            )?;
            let token = tty::prompt_secret(&format!(
                "personal access token for {} ({})",
                app.url, app.name
            ))?;
            let pat = Pat {
                username: given_username
                    .clone()
                    .unwrap_or_else(|| PAT_USERNAME.into()),
                token,
            };
            secrets::put_pat(ctx.store, &app.url, &pat)?;
            pat
        }
    };
    Ok(Credential {
        username: Some(given_username.unwrap_or(pat.username).into_bytes()),
        password: Some(pat.token.into_bytes()),
        ..Credential::default()
    })
}

/// On `erase`: whether a record's refresh token outlives its rejected access token. Only
/// for git's own reject after a failed request, which names the rejected password; a
/// `git credential reject` of a whole host still forgets everything.
pub fn keeps_refresh_token(app: &App, request: &Credential) -> bool {
    app.provider.is_oauth() && request.password.is_some()
}

/// On `erase`: a rejected personal access token is forgotten, so the next `get` asks for
/// a new one (one that merely differs from the stored one is kept, as git's rule goes).
pub fn forget_pat(app: &App, request: &Credential, store: &Store) -> Result<(), GenerateError> {
    if app.provider.is_oauth() {
        return Ok(());
    }
    if let Some(password) = &request.password {
        secrets::delete_pat_if_token(store, &app.url, password)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_a_little_early_and_gitlab_has_a_default() {
        let now = 1_000_000;
        assert_eq!(expiry(Provider::GithubEnterprise, None, now), None);
        assert_eq!(expiry(Provider::Gitlab, None, now), Some(now + 7200 - 60));
        assert_eq!(
            expiry(
                Provider::GithubEnterprise,
                Some(Duration::from_secs(28800)),
                now
            ),
            Some(now + 28800 - 60)
        );
        // Short lifetimes lose a quarter, never all of it.
        assert_eq!(
            expiry(Provider::Gitlab, Some(Duration::from_secs(8)), now),
            Some(now + 6)
        );
        assert_eq!(
            expiry(Provider::Gitlab, Some(Duration::from_secs(0)), now),
            Some(now + 1)
        );
    }
}
