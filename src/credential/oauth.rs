//! OAuth 2.0 for GitHub Enterprise Server and GitLab Self-Managed, with the `oauth2` crate:
//! authorization code + PKCE (S256) through the browser and a loopback redirect, the
//! device flow (RFC 8628) for machines without one, and refresh.
//!
//! The HTTP client is our own reqwest (the one the rest of the crate uses) behind oauth2's
//! [`SyncHttpClient`], so there is no second reqwest major in the build. It follows no
//! redirects: a token endpoint that redirects is misconfigured, and following it could
//! send the client secret or the code elsewhere. It also turns GitHub's habit of answering
//! OAuth errors with HTTP 200 (`{"error":"authorization_pending"}`) into the 400 the RFC
//! and the `oauth2` crate expect, so the device flow's polling works against GitHub.

use std::borrow::Cow;
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, DeviceAuthorizationUrl,
    EndpointNotSet, EndpointSet, ErrorResponseType, HttpRequest, HttpResponse, PkceCodeChallenge,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
    StandardErrorResponse, SyncHttpClient, TokenResponse, TokenUrl,
};

use super::apps::{App, AppUrl, Provider};
use super::loopback::{Listener, LoopbackError, Outcome};
use crate::http_body;

/// How long one HTTP request to the forge may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read from an OAuth server or a forge's API: a token or a user is
/// a few hundred bytes.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// Errors of the OAuth flows. Server-provided descriptions are shortened and cleaned; no
/// variant carries a token, a code or a secret.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("cannot reach {endpoint}: {source}")]
    Http { endpoint: String, source: HttpError },
    #[error("the server refused the app's client credentials ({code}{detail}): check its client_id and client_secret")]
    InvalidClient { code: String, detail: String },
    #[error("the server refused the authorization grant or refresh token (invalid_grant{detail})")]
    InvalidGrant { detail: String },
    #[error("the login was cancelled ({code}{detail})")]
    Denied { code: String, detail: String },
    #[error("the device code expired before the login was approved")]
    Expired,
    #[error("the device flow is not enabled for this app: enable it in the app's settings on the forge, or set `flow: browser`")]
    DeviceFlowDisabled,
    #[error("the server answered {code}{detail}")]
    Server { code: String, detail: String },
    #[error("unexpected answer from {endpoint}: {reason}")]
    Unexpected { endpoint: String, reason: String },
    #[error("bad {what} URL: {reason}")]
    BadUrl { what: &'static str, reason: String },
    #[error(transparent)]
    Loopback(#[from] LoopbackError),
}

/// Errors of one HTTP exchange.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Transport(String),
    #[error("HTTP {status}{hint}")]
    Status { status: u16, hint: &'static str },
}

/// The tokens a flow produced.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
    /// `expires_in` as the server sent it.
    pub expires_in: Option<Duration>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("refresh", &self.refresh.is_some())
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// What the user must see to approve a device code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePrompt {
    pub verification_uri: String,
    pub user_code: String,
    pub expires_in: Duration,
}

/// The endpoints of a forge, below the app's URL (which may have a sub-path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: url::Url,
    pub token: url::Url,
    pub device: url::Url,
}

impl Endpoints {
    pub fn for_app(provider: Provider, url: &AppUrl) -> Endpoints {
        let (authorize, token, device) = match provider {
            Provider::Gitlab => (
                "/oauth/authorize",
                "/oauth/token",
                "/oauth/authorize_device",
            ),
            // Azure DevOps Server has no OAuth for git; nothing calls this for it.
            Provider::GithubEnterprise | Provider::AzureDevopsServer => (
                "/login/oauth/authorize",
                "/login/oauth/access_token",
                "/login/device/code",
            ),
        };
        Endpoints {
            authorize: url.join(authorize),
            token: url.join(token),
            device: url.join(device),
        }
    }
}

type Client = BasicClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// An app's OAuth client.
pub struct OAuth {
    client: Client,
    http: Http,
    scopes: Vec<Scope>,
    redirect: Option<String>,
    app_name: String,
    token_endpoint: String,
    device_endpoint: String,
}

impl OAuth {
    /// The client for `app`; `secret` is its client secret, if it has one.
    pub fn new(
        app: &App,
        endpoints: &Endpoints,
        secret: Option<String>,
    ) -> Result<OAuth, OAuthError> {
        let bad = |what| {
            move |e: url::ParseError| OAuthError::BadUrl {
                what,
                reason: e.to_string(),
            }
        };
        let mut client = BasicClient::new(ClientId::new(app.client_id.clone().unwrap_or_default()))
            .set_auth_uri(
                AuthUrl::new(endpoints.authorize.to_string()).map_err(bad("authorization"))?,
            )
            .set_token_uri(TokenUrl::new(endpoints.token.to_string()).map_err(bad("token"))?)
            .set_device_authorization_url(
                DeviceAuthorizationUrl::new(endpoints.device.to_string()).map_err(bad("device"))?,
            )
            // In the form body: what GitHub documents and what every server accepts; HTTP
            // Basic would also need the id and secret URL-encoded first.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = secret {
            client = client.set_client_secret(oauth2::ClientSecret::new(secret));
        }
        Ok(OAuth {
            client,
            http: Http::new()?,
            scopes: app.scopes().into_iter().map(Scope::new).collect(),
            redirect: app.redirect_uri.clone(),
            app_name: app.name.clone(),
            token_endpoint: endpoints.token.to_string(),
            device_endpoint: endpoints.device.to_string(),
        })
    }

    /// A new access token from a refresh token, without the user.
    pub fn refresh(&self, refresh_token: &str) -> Result<Tokens, OAuthError> {
        let token = RefreshToken::new(refresh_token.to_string());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request(&self.http)
            .map_err(|e| self.error(&self.token_endpoint, e))?;
        Ok(tokens(&response))
    }

    /// The browser login: authorization code + PKCE with a loopback redirect.
    /// `show` gets the authorization URL to open (and to print, in case no browser opens)
    /// and the redirect URI the browser is to come back to.
    pub fn browser_login(
        &self,
        show: impl FnOnce(&str, &url::Url),
        timeout: Duration,
    ) -> Result<Tokens, OAuthError> {
        let listener = Listener::bind(self.redirect.as_deref())?;
        let redirect = RedirectUrl::from_url(listener.redirect_uri().clone());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().cloned())
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Borrowed(&redirect))
            .url();
        show(url.as_str(), redirect.url());
        let code = match listener.wait(state.secret(), &self.app_name, timeout)? {
            Outcome::Code(code) => code,
            Outcome::Error { error, description } => {
                return Err(classify(&error, description.as_deref()))
            }
        };
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .set_redirect_uri(Cow::Borrowed(&redirect))
            .request(&self.http)
            .map_err(|e| self.error(&self.token_endpoint, e))?;
        Ok(tokens(&response))
    }

    /// The device login (RFC 8628): `show` tells the user where to enter which code; the
    /// token endpoint is then polled, `sleep` waiting between polls (the server's interval,
    /// 5 s more after each `slow_down`), for at most `timeout` or the code's lifetime.
    pub fn device_login(
        &self,
        show: impl FnOnce(&DevicePrompt),
        sleep: impl Fn(Duration),
        timeout: Duration,
    ) -> Result<Tokens, OAuthError> {
        let details: StandardDeviceAuthorizationResponse = self
            .client
            .exchange_device_code()
            .add_scopes(self.scopes.iter().cloned())
            .request(&self.http)
            .map_err(|e| self.error(&self.device_endpoint, e))?;
        show(&DevicePrompt {
            verification_uri: details.verification_uri().to_string(),
            user_code: details.user_code().secret().to_string(),
            expires_in: details.expires_in(),
        });
        let response = self
            .client
            .exchange_device_access_token(&details)
            .request(&self.http, sleep, Some(timeout.min(details.expires_in())))
            .map_err(|e| self.error(&self.token_endpoint, e))?;
        Ok(tokens(&response))
    }

    /// The user's login on GitHub Enterprise Server (`GET /api/v3/user`), to send as the
    /// username; `None` if the API does not say.
    pub fn github_login(&self, url: &AppUrl, access_token: &str) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct User {
            login: String,
        }
        let response = self
            .http
            .client
            .get(url.join("/api/v3/user").as_str())
            .header("Authorization", format!("token {access_token}"))
            .header("Accept", "application/vnd.github+json")
            .send()
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let user: User = serde_json::from_slice(&bounded_body(response).ok()?).ok()?;
        (!user.login.is_empty() && !user.login.contains(['\n', '\r'])).then_some(user.login)
    }

    /// An `oauth2` error as ours.
    fn error<T>(
        &self,
        endpoint: &str,
        e: RequestTokenError<HttpError, StandardErrorResponse<T>>,
    ) -> OAuthError
    where
        T: ErrorResponseType + AsRef<str> + std::fmt::Display + 'static,
    {
        match e {
            RequestTokenError::ServerResponse(r) => classify(
                r.error().as_ref(),
                r.error_description().map(String::as_str),
            ),
            RequestTokenError::Request(source) => OAuthError::Http {
                endpoint: endpoint.to_string(),
                source,
            },
            // Never the body: a success body that failed to parse holds a token.
            RequestTokenError::Parse(..) => OAuthError::Unexpected {
                endpoint: endpoint.to_string(),
                reason: "not an OAuth response".into(),
            },
            RequestTokenError::Other(reason) => OAuthError::Unexpected {
                endpoint: endpoint.to_string(),
                reason: clean(&reason),
            },
        }
    }
}

/// A server's error code as one of ours. GitHub's own codes are included
/// (`incorrect_client_credentials`, `device_flow_disabled`, ...).
fn classify(code: &str, description: Option<&str>) -> OAuthError {
    let detail = description
        .map(|d| format!(": {}", clean(d)))
        .unwrap_or_default();
    let code = clean(code);
    match code.as_str() {
        "invalid_client" | "incorrect_client_credentials" | "unauthorized_client" => {
            OAuthError::InvalidClient { code, detail }
        }
        "invalid_grant"
        | "bad_refresh_token"
        | "bad_verification_code"
        | "incorrect_device_code" => OAuthError::InvalidGrant { detail },
        "access_denied" => OAuthError::Denied { code, detail },
        "expired_token" | "token_expired" => OAuthError::Expired,
        "device_flow_disabled" => OAuthError::DeviceFlowDisabled,
        _ => OAuthError::Server { code, detail },
    }
}

/// Server text for a message: printable, one line, short.
fn clean(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

fn tokens<R: TokenResponse>(response: &R) -> Tokens {
    Tokens {
        access: response.access_token().secret().to_string(),
        refresh: response.refresh_token().map(|t| t.secret().to_string()),
        expires_in: response.expires_in(),
    }
}

/// Our reqwest, as `oauth2`'s HTTP client.
pub struct Http {
    client: reqwest::blocking::Client,
}

impl Http {
    pub fn new() -> Result<Http, OAuthError> {
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .user_agent(concat!(
                "git-credential-postman/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| OAuthError::Http {
                endpoint: "(client set-up)".into(),
                source: HttpError::Transport(e.to_string()),
            })?;
        Ok(Http { client })
    }
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let response = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .map_err(|e| HttpError::Transport(transport_reason(e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = bounded_body(response)?;
        let json = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
        // Not OAuth at all (a login page, a proxy's error, a redirect): say so plainly.
        if !status.is_success() && !json {
            let hint = if status.is_redirection() {
                " (a redirect, which is not followed: is the app's url right?)"
            } else {
                ""
            };
            return Err(HttpError::Status {
                status: status.as_u16(),
                hint,
            });
        }
        let status = if status == reqwest::StatusCode::OK && json && has_error_field(&body) {
            reqwest::StatusCode::BAD_REQUEST
        } else {
            status
        };
        let mut out = oauth2::http::Response::builder().status(status);
        for (name, value) in &headers {
            out = out.header(name, value);
        }
        out.body(body)
            .map_err(|e| HttpError::Transport(e.to_string()))
    }
}

/// An answer's body, up to [`MAX_ANSWER_BYTES`]: a server cannot make us hold more.
fn bounded_body(response: reqwest::blocking::Response) -> Result<Vec<u8>, HttpError> {
    let announced = response.content_length();
    http_body::read(response, announced, MAX_ANSWER_BYTES).map_err(|e| match e {
        http_body::Error::TooLarge { .. } => {
            HttpError::Transport(format!("the answer is {e}; not read"))
        }
        http_body::Error::Read { .. } => HttpError::Transport(format!("the answer broke off: {e}")),
    })
}

/// reqwest's message with its chain of causes (the useful part: "connection refused").
fn transport_reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

/// Whether a JSON body is an OAuth error (`{"error": "..."}`) rather than a token.
fn has_error_field(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct MaybeError {
        error: Option<serde_json::Value>,
    }
    serde_json::from_slice::<MaybeError>(body).is_ok_and(|m| m.error.is_some_and(|e| e.is_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::apps::{Flow, Scopes};
    use std::sync::{Arc, Mutex};

    fn app(url: &str) -> App {
        App {
            name: "Test".into(),
            provider: Provider::GithubEnterprise,
            url: AppUrl::parse(url).unwrap(),
            client_id: Some("cli".into()),
            client_secret: None,
            scopes: Scopes::default(),
            flow: Flow::Device,
            redirect_uri: None,
        }
    }

    /// A stub OAuth server: answers each request to the token endpoint with the next
    /// canned answer, and records what it was asked.
    struct Stub {
        url: String,
        requests: Arc<Mutex<Vec<String>>>,
        _thread: std::thread::JoinHandle<()>,
    }

    fn stub(token_answers: Vec<(u16, &'static str)>) -> Stub {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let base = url.clone();
        let thread = std::thread::spawn(move || {
            let mut answers = token_answers.into_iter();
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                seen.lock()
                    .unwrap()
                    .push(format!("{} {}", request.url(), body));
                let (status, text) = if request.url() == "/login/device/code" {
                    (
                        200,
                        format!(
                            "{{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":\"{base}/login/device\",\"expires_in\":900,\"interval\":1}}"
                        ),
                    )
                } else {
                    match answers.next() {
                        Some((s, t)) => (s, t.to_string()),
                        None => break,
                    }
                };
                let header =
                    tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
                let _ = request.respond(
                    tiny_http::Response::from_string(text)
                        .with_status_code(status)
                        .with_header(header),
                );
            }
        });
        Stub {
            url,
            requests,
            _thread: thread,
        }
    }

    #[test]
    fn device_flow_slows_down_and_reads_githubs_errors_with_http_200() {
        let stub = stub(vec![
            (400, r#"{"error":"slow_down"}"#),
            // GitHub: errors with HTTP 200.
            (
                200,
                r#"{"error":"authorization_pending","error_description":"wait"}"#,
            ),
            (200, r#"{"error":"slow_down","interval":11}"#),
            (
                200,
                r#"{"access_token":"gho_tok","token_type":"bearer","scope":"repo"}"#,
            ),
        ]);
        let app = app(&stub.url);
        let oauth = OAuth::new(&app, &Endpoints::for_app(app.provider, &app.url), None).unwrap();
        let sleeps = Mutex::new(Vec::new());
        let mut shown = None;
        let tokens = oauth
            .device_login(
                |p| shown = Some(p.clone()),
                |d| sleeps.lock().unwrap().push(d.as_secs()),
                Duration::from_secs(60),
            )
            .unwrap();
        assert_eq!(tokens.access, "gho_tok");
        assert_eq!(tokens.refresh, None);
        let shown = shown.unwrap();
        assert_eq!(shown.user_code, "ABCD-EFGH");
        assert!(shown.verification_uri.ends_with("/login/device"));
        // interval 1; slow_down: +5; pending: same; slow_down: +5.
        assert_eq!(*sleeps.lock().unwrap(), vec![6, 6, 11]);
        let requests = stub.requests.lock().unwrap();
        assert!(
            requests[0].starts_with("/login/device/code "),
            "{requests:?}"
        );
        assert!(requests[0].contains("scope=repo+workflow"), "{requests:?}");
        assert!(requests[1]
            .contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
        assert!(requests[1].contains("device_code=dc"));
    }

    #[test]
    fn device_flow_errors_are_classified() {
        for (answer, check) in [
            (
                r#"{"error":"access_denied"}"#,
                (|e: &OAuthError| matches!(e, OAuthError::Denied { .. }))
                    as fn(&OAuthError) -> bool,
            ),
            (r#"{"error":"expired_token"}"#, |e| {
                matches!(e, OAuthError::Expired)
            }),
            (r#"{"error":"device_flow_disabled"}"#, |e| {
                matches!(e, OAuthError::DeviceFlowDisabled)
            }),
            (r#"{"error":"incorrect_client_credentials"}"#, |e| {
                matches!(e, OAuthError::InvalidClient { .. })
            }),
        ] {
            let stub = stub(vec![(200, answer)]);
            let app = app(&stub.url);
            let oauth =
                OAuth::new(&app, &Endpoints::for_app(app.provider, &app.url), None).unwrap();
            let err = oauth
                .device_login(|_| {}, |_| {}, Duration::from_secs(60))
                .unwrap_err();
            assert!(check(&err), "{answer}: {err:?}");
        }
    }

    #[test]
    fn redirects_are_not_followed_and_bodies_not_shown() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let thread = std::thread::spawn(move || {
            let request = server.recv().unwrap();
            let location =
                tiny_http::Header::from_bytes("Location", "http://127.0.0.1:9/steal").unwrap();
            request
                .respond(tiny_http::Response::empty(302).with_header(location))
                .unwrap();
            let request = server.recv().unwrap();
            let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
            request
                .respond(
                    tiny_http::Response::from_string(
                        r#"{"access_token": 5, "leak": "tok-secret"}"#,
                    )
                    .with_header(header),
                )
                .unwrap();
        });
        let app = app(&url);
        let oauth = OAuth::new(&app, &Endpoints::for_app(app.provider, &app.url), None).unwrap();
        let err = oauth.refresh("r").unwrap_err().to_string();
        assert!(
            err.contains("HTTP 302") && err.contains("not followed"),
            "{err}"
        );
        let err = oauth.refresh("r").unwrap_err().to_string();
        assert!(err.contains("not an OAuth response"), "{err}");
        assert!(!err.contains("tok-secret"), "{err}");
        thread.join().unwrap();
    }

    #[test]
    fn an_endless_answer_is_refused_at_the_cap() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let thread = std::thread::spawn(move || {
            let request = server.recv().unwrap();
            // No length: sent chunked until the client hangs up.
            let endless = tiny_http::Response::new(
                200.into(),
                vec![tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap()],
                std::io::repeat(b' '),
                None,
                None,
            );
            let _ = request.respond(endless);
        });
        let app = app(&url);
        let oauth = OAuth::new(&app, &Endpoints::for_app(app.provider, &app.url), None).unwrap();
        let err = oauth.refresh("r").unwrap_err().to_string();
        assert!(
            err.contains("the answer is larger than 1 MB; not read"),
            "{err}"
        );
        thread.join().unwrap();
    }

    #[test]
    fn endpoints_follow_the_provider_and_sub_path() {
        let url = AppUrl::parse("https://h.example.com/gitlab").unwrap();
        let e = Endpoints::for_app(Provider::Gitlab, &url);
        assert_eq!(e.token.as_str(), "https://h.example.com/gitlab/oauth/token");
        assert_eq!(
            e.device.as_str(),
            "https://h.example.com/gitlab/oauth/authorize_device"
        );
        let e = Endpoints::for_app(
            Provider::GithubEnterprise,
            &AppUrl::parse("https://ghes.example.com").unwrap(),
        );
        assert_eq!(
            e.authorize.as_str(),
            "https://ghes.example.com/login/oauth/authorize"
        );
        assert_eq!(
            e.token.as_str(),
            "https://ghes.example.com/login/oauth/access_token"
        );
    }

    #[test]
    fn server_text_is_cleaned() {
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(clean(&"x".repeat(300)).len(), 203);
    }
}
