//! The HTTP client: `X-API-Key`, the v10 `Accept` header on every `/apis` call, cursor
//! paging to the end, bounded retries of what is safe to repeat, answers read up to a
//! cap and checked, and one error type.
//!
//! Retries: a request that may have reached Postman is repeated only when doing it twice
//! is doing it once (GET, PUT, DELETE): after a lost connection, a timeout, a cut answer,
//! 500, 502, 503, 504, 429 and (PUT) 409. A POST (create a collection, a schema, a
//! version) is repeated only after 429, which Postman sends before doing any work; after
//! anything else the push stops, and the push journal lets the next push find what the
//! POST made ([`crate::remote::push`]).

use std::time::Duration;

use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::error::{server_message, Error, Result};
use super::model::{Api, Schema, SchemaFileContent, SchemaFileEntry, SchemaFilesPage, Version};
use super::poll::{self, Polling, Sleep};
use super::ApiKey;
use crate::http_body;
use crate::layout::collection::Served;

/// Every `/apis` call must carry it; without it Postman answers 400.
const V10_ACCEPT: &str = "application/vnd.api.v10+json";
/// How long we wait for one 429 at most, whatever `Retry-After` says.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(120);
/// The largest answer read. Postman takes collections up to 100 MB and schema files up
/// to 10 MB (reference/postman.md); served with the fields Postman adds (ids, dates on
/// every item) a collection grows by a fraction. Anything larger is not Postman's
/// answer, and reading it would only cost memory.
pub const MAX_ANSWER_BYTES: u64 = 160 * 1024 * 1024;
/// How long one request may take, unless `GIT_POSTMAN_HTTP_TIMEOUT` (seconds) says.
const TIMEOUT: Duration = Duration::from_secs(300);
/// How a task is waited for: 60 looks, 0.2 s apart at first, doubling up to 5 s (4.6
/// minutes in all).
const TASK_POLLING: Polling = Polling {
    reads: 60,
    interval: Duration::from_millis(200),
    max_interval: Duration::from_secs(5),
};

/// How often and how long to retry a request that is safe to repeat.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// The first back-off (503, 500, a lost connection...); it doubles with each attempt.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff: Duration::from_millis(500),
        }
    }
}

pub struct Client {
    http: Http,
    base: Url,
    /// The API key as a header value marked sensitive (never shown in a `Debug`).
    key: HeaderValue,
    retry: RetryPolicy,
    timeout: Duration,
    max_answer: u64,
    /// How a retry or a task poll waits ([`poll::real_sleep`]; tests count instead).
    sleep: Sleep,
}

/// A successful (2xx) answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// A DELETE repeated after its answer was lost found nothing to delete: the lost
    /// attempt did it.
    pub already_done: bool,
}

/// Whether doing `method` twice is doing it once.
fn idempotent(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::PUT, Method::DELETE].contains(method)
}

/// One attempt's outcome that may pass if repeated, and whether it may have reached
/// Postman (so a repeat may find the work done).
struct Transient {
    error: Error,
    reached: bool,
}

impl Client {
    pub fn new(base: Url, key: ApiKey) -> Result<Client> {
        let timeout = std::env::var("GIT_POSTMAN_HTTP_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map_or(TIMEOUT, Duration::from_secs_f64);
        let http = Http::builder()
            .connect_timeout(Duration::from_secs(15).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("git-postman/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Transport {
                url: base.to_string(),
                detail: root_cause(&e),
            })?;
        // Checked here, so that a bad key is named as such (not reqwest's "builder
        // error" at the first request); the message never shows the key.
        let mut key = HeaderValue::from_str(key.expose()).map_err(|_| Error::BadKey)?;
        key.set_sensitive(true);
        Ok(Client {
            http,
            base,
            key,
            retry: RetryPolicy::default(),
            timeout,
            max_answer: MAX_ANSWER_BYTES,
            sleep: poll::real_sleep(),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Waits before a retry and between two looks at a task with `sleep` (tests: no
    /// wall-clock wait).
    pub fn with_sleep(mut self, sleep: Sleep) -> Self {
        self.sleep = sleep;
        self
    }

    /// Reads answers up to `bytes` only (tests; the default is [`MAX_ANSWER_BYTES`]).
    pub fn with_max_answer(mut self, bytes: u64) -> Self {
        self.max_answer = bytes;
        self
    }

    /// The URL for `segments` under the base URL, each segment percent-encoded.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("the base URL is http(s)")
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends one request, retrying what is safe to repeat (module docs); any other
    /// non-2xx status (3xx included) is an error carrying the server's message.
    pub fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer> {
        let body = body.map(|b| b.to_string().into_bytes());
        self.send_json_text(method, segments, query, body)
    }

    /// As [`Client::send`], with a body that is JSON text already (a large collection
    /// goes out as the text it was read as, never through a parsed tree).
    pub fn send_json_text(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let url = self.url(segments, query);
        let path = url.path().to_string();
        let mut attempt = 0;
        // Whether an earlier attempt may have done the work.
        let mut maybe_done = false;
        loop {
            attempt += 1;
            let (error, wait) = match self.attempt(&method, &url, segments, body.as_ref()) {
                Ok(answer) => return Ok(answer),
                Err(Attempt::Final(e)) => return Err(e),
                Err(Attempt::Status(status, headers, bytes)) => {
                    let message = server_message(&bytes);
                    if status == StatusCode::NOT_FOUND && method == Method::DELETE && maybe_done {
                        return Ok(Answer {
                            status,
                            headers,
                            body: Vec::new(),
                            already_done: true,
                        });
                    }
                    let error = |attempts| match attempts {
                        1 => Error::Status {
                            status: status.as_u16(),
                            method: method.to_string(),
                            path: path.clone(),
                            message: message.clone(),
                        },
                        _ => Error::GaveUp {
                            status: status.as_u16(),
                            method: method.to_string(),
                            path: path.clone(),
                            attempts,
                            message: message.clone(),
                        },
                    };
                    if status == StatusCode::UNAUTHORIZED {
                        return Err(Error::Unauthorized {
                            status: status.as_u16(),
                            message,
                        });
                    }
                    let wait = match retry_wait(&method, status) {
                        Some(RetryAfter::RateLimit) => rate_limit_wait(&headers),
                        Some(RetryAfter::Backoff) => self.retry.backoff * 2u32.pow(attempt - 1),
                        // Not one to repeat: its own error, whatever came before.
                        None => return Err(error(1)),
                    };
                    maybe_done |=
                        status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE;
                    (error(attempt), wait)
                }
                Err(Attempt::Transient(t)) => {
                    if !idempotent(&method) {
                        return Err(t.error);
                    }
                    maybe_done |= t.reached;
                    (t.error, self.retry.backoff * 2u32.pow(attempt - 1))
                }
            };
            if attempt >= self.retry.max_attempts {
                return Err(error);
            }
            (self.sleep)(wait);
        }
    }

    /// One attempt: a 2xx answer, or what went wrong.
    fn attempt(
        &self,
        method: &Method,
        url: &Url,
        segments: &[&str],
        body: Option<&Vec<u8>>,
    ) -> std::result::Result<Answer, Attempt> {
        let accept = match segments.first() == Some(&"apis") {
            true => V10_ACCEPT,
            false => "application/json",
        };
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .header("X-API-Key", self.key.clone())
            .header(ACCEPT, accept);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let path = url.path().to_string();
        let response = request.send().map_err(|e| {
            Attempt::Transient(Transient {
                reached: !e.is_connect(),
                error: self.transport_error(method, url, &e),
            })
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = self.read_body(response, method, &path)?;
        // No redirect is followed: a 3xx is an answer of its own, e.g. the 302 of a
        // version still being published.
        if status.is_success() {
            return Ok(Answer {
                status,
                headers,
                body: bytes,
                already_done: false,
            });
        }
        Err(Attempt::Status(status, headers, bytes))
    }

    /// A request that got no answer, in words that say what happened.
    fn transport_error(&self, method: &Method, url: &Url, e: &reqwest::Error) -> Error {
        let path = url.path().to_string();
        if e.is_timeout() {
            Error::Timeout {
                method: method.to_string(),
                path,
                seconds: self.timeout.as_secs_f64(),
            }
        } else if e.is_connect() {
            Error::Transport {
                url: strip_query(url),
                detail: root_cause(e),
            }
        } else {
            Error::NoAnswer {
                method: method.to_string(),
                path,
                detail: root_cause(e),
            }
        }
    }

    /// The body, up to the cap ([`crate::http_body`]): a larger one is not read at all
    /// (its length says so) or not past the cap.
    fn read_body(
        &self,
        response: Response,
        method: &Method,
        path: &str,
    ) -> std::result::Result<Vec<u8>, Attempt> {
        let announced = response.content_length();
        http_body::read(response, announced, self.max_answer).map_err(|e| match e {
            http_body::Error::TooLarge { cap } => Attempt::Final(Error::TooLarge {
                method: method.to_string(),
                path: path.to_string(),
                limit: http_body::shown(cap),
            }),
            http_body::Error::Read { received, source } => {
                let timed_out = source.kind() == std::io::ErrorKind::TimedOut
                    || root_cause(&source).contains("timed out");
                let error = match timed_out {
                    true => Error::Timeout {
                        method: method.to_string(),
                        path: path.to_string(),
                        seconds: self.timeout.as_secs_f64(),
                    },
                    false => Error::CutOff {
                        method: method.to_string(),
                        path: path.to_string(),
                        received,
                    },
                };
                Attempt::Transient(Transient {
                    error,
                    reached: true,
                })
            }
        })
    }

    /// `GET` and decode the JSON body.
    pub fn get<T: DeserializeOwned>(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<T> {
        let answer = self.send(Method::GET, segments, query, None)?;
        decode(&answer.body, "GET", segments)
    }

    /// `GET /apis/{apiId}` with schemas, collections, versions, and `gitInfo`, which
    /// tells an API linked to a git repository inside Postman (its files are not served).
    pub fn api(&self, api_id: &str) -> Result<Api> {
        self.get(
            &["apis", api_id],
            &[
                ("include", "schemas"),
                ("include", "collections"),
                ("include", "versions"),
                ("include", "gitInfo"),
            ],
        )
    }

    /// `GET /apis/{apiId}/schemas/{schemaId}`: the type and the first page of files.
    pub fn schema(&self, api_id: &str, schema_id: &str, version: Option<&str>) -> Result<Schema> {
        let query = version_query(version);
        self.get(&["apis", api_id, "schemas", schema_id], &query)
    }

    /// Every file of the schema: the first page came with the schema, the rest follow
    /// `nextPath`/`nextCursor` to the end.
    pub fn schema_files(
        &self,
        api_id: &str,
        schema: &Schema,
        version: Option<&str>,
    ) -> Result<Vec<SchemaFileEntry>> {
        let first = schema.files.clone();
        let mut files = first.as_ref().map(|f| f.data.clone()).unwrap_or_default();
        let mut cursor = first
            .and_then(|f| f.meta)
            .and_then(|m| m.next_path)
            .and_then(|p| cursor_of(&p));
        while let Some(c) = cursor.take() {
            let mut query = version_query(version);
            query.push(("cursor", &c));
            let page: SchemaFilesPage =
                self.get(&["apis", api_id, "schemas", &schema.id, "files"], &query)?;
            files.extend(page.files);
            cursor = page
                .meta
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty());
        }
        Ok(files)
    }

    /// `GET /apis/{apiId}/schemas/{schemaId}/files/{path}`. A `/` in the path is sent as is.
    pub fn schema_file(
        &self,
        api_id: &str,
        schema_id: &str,
        path: &str,
        version: Option<&str>,
    ) -> Result<SchemaFileContent> {
        self.get(
            &file_segments(api_id, schema_id, path),
            &version_query(version),
        )
    }

    /// `GET /collections/{id}`: the collection with the fields the server adds, as text.
    pub fn collection(&self, id: &str) -> Result<Served> {
        let segments = ["collections", id];
        let answer = self.send(Method::GET, &segments, &[], None)?;
        Served::from_wrapper(&answer.body).map_err(|e| decode_error("GET", &segments, e))
    }

    /// `GET /apis/{apiId}/collections/{collectionId}?versionId=`: a published snapshot.
    pub fn api_collection(&self, api_id: &str, id: &str, version: Option<&str>) -> Result<Served> {
        let segments = ["apis", api_id, "collections", id];
        let answer = self.send(Method::GET, &segments, &version_query(version), None)?;
        Served::from_bare(&answer.body).map_err(|e| decode_error("GET", &segments, e))
    }

    /// `GET /apis/{apiId}/versions/{versionId}`; a version still being published answers
    /// 302 ([`Error::Status`]).
    pub fn version(&self, api_id: &str, version_id: &str) -> Result<Version> {
        #[derive(serde::Deserialize)]
        struct Wrapper {
            version: Version,
        }
        let w: Wrapper = self.get(&["apis", api_id, "versions", version_id], &[])?;
        Ok(w.version)
    }
}

/// Writes (push).
impl Client {
    /// `PUT /apis/{apiId}/schemas/{schemaId}/files/{path}`: create or update a file.
    /// Returns its new `updatedAt`.
    pub fn put_schema_file(
        &self,
        api_id: &str,
        schema_id: &str,
        path: &str,
        content: &str,
    ) -> Result<Option<String>> {
        let segments = file_segments(api_id, schema_id, path);
        let body = serde_json::json!({ "content": content });
        let answer = self.send(Method::PUT, &segments, &[], Some(&body))?;
        let value = confirmed(&answer, "PUT", &segments, |v| {
            v.get("path").and_then(Value::as_str) == Some(path)
        })?;
        Ok(value
            .get("updatedAt")
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    /// `DELETE /apis/{apiId}/schemas/{schemaId}/files/{path}`.
    pub fn delete_schema_file(&self, api_id: &str, schema_id: &str, path: &str) -> Result<()> {
        let segments = file_segments(api_id, schema_id, path);
        let answer = self.send(Method::DELETE, &segments, &[], None)?;
        // Postman answers 204 without a body; a body must at least be JSON.
        if answer.status != StatusCode::NO_CONTENT && !answer.already_done {
            confirmed(&answer, "DELETE", &segments, |_| true)?;
        }
        Ok(())
    }

    /// `POST /apis/{apiId}/schemas`: the API's one schema, with its first files.
    /// Returns the schema id.
    pub fn create_schema(
        &self,
        api_id: &str,
        schema_type: &str,
        files: &[(String, String, bool)],
    ) -> Result<String> {
        let files: Vec<Value> = files
            .iter()
            .map(|(path, content, root)| {
                let mut f = serde_json::json!({ "path": path, "content": content });
                if *root {
                    f["root"] = serde_json::json!({ "enabled": true });
                }
                f
            })
            .collect();
        let body = serde_json::json!({ "type": schema_type, "files": files });
        self.post_for_id(&["apis", api_id, "schemas"], &body)
    }

    /// `PUT /collections/{uid}`: replace a collection (JSON text, as
    /// [`crate::layout::collection::upload_json`] makes it). Items keep the ids they carry.
    pub fn put_collection(&self, uid: &str, collection: &str) -> Result<()> {
        let body = format!("{{\"collection\":{collection}}}").into_bytes();
        let segments = ["collections", uid];
        let answer = self.send_json_text(Method::PUT, &segments, &[], Some(body))?;
        confirmed(&answer, "PUT", &segments, |v| names_collection(v, uid))?;
        Ok(())
    }

    /// `POST /apis/{apiId}/collections` with `CREATE_NEW`: a new collection (JSON text)
    /// attached to the API. Returns its UID.
    pub fn create_api_collection(&self, api_id: &str, collection: &str) -> Result<String> {
        let body = format!("{{\"operationType\":\"CREATE_NEW\",\"data\":{collection}}}");
        let segments = ["apis", api_id, "collections"];
        let answer = self.send_json_text(Method::POST, &segments, &[], Some(body.into_bytes()))?;
        id_of(&answer, "POST", &segments)
    }

    /// `DELETE /collections/{uid}`.
    pub fn delete_collection(&self, uid: &str) -> Result<()> {
        let segments = ["collections", uid];
        let answer = self.send(Method::DELETE, &segments, &[], None)?;
        if !answer.already_done {
            confirmed(&answer, "DELETE", &segments, |v| names_collection(v, uid))?;
        }
        Ok(())
    }

    /// `POST` and the `id` of what it created.
    fn post_for_id(&self, segments: &[&str], body: &Value) -> Result<String> {
        let answer = self.send(Method::POST, segments, &[], Some(body))?;
        id_of(&answer, "POST", segments)
    }

    /// `POST /apis/{apiId}/versions`, then polls its task to the end. Returns the
    /// version id.
    pub fn publish_version(
        &self,
        api_id: &str,
        name: &str,
        release_notes: &str,
        schema_ids: &[String],
        collection_ids: &[String],
    ) -> Result<String> {
        let ids = |list: &[String]| {
            list.iter()
                .map(|id| serde_json::json!({ "id": id }))
                .collect::<Vec<_>>()
        };
        let body = serde_json::json!({
            "name": name,
            "releaseNotes": release_notes,
            "schemas": ids(schema_ids),
            "collections": ids(collection_ids),
        });
        let segments = ["apis", api_id, "versions"];
        let answer = self.send(Method::POST, &segments, &[], Some(&body))?;
        let created: Value = decode(&answer.body, "POST", &segments)?;
        let version_id = created
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(location) = answer
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
        {
            self.wait_for_task(location)?;
        }
        Ok(version_id)
    }

    /// Polls a task (`/apis/{apiId}/tasks/{taskId}`, the `Location` of an async answer,
    /// or Spec Hub's `/specs/{specId}/tasks/{taskId}`) until it is `completed` (its
    /// last answer) or `failed` (the task's own message).
    pub(crate) fn wait_for_task(&self, location: &str) -> Result<Value> {
        let path = location
            .split_once("://")
            .map(|(_, rest)| rest.split_once('/').map_or("", |(_, p)| p))
            .unwrap_or(location)
            .trim_start_matches('/');
        let segments: Vec<&str> = path.split('?').next().unwrap_or("").split('/').collect();
        let mut read = || -> Result<Option<Value>> {
            let task: Value = self.get(&segments, &[])?;
            match task.get("status").and_then(Value::as_str) {
                Some("completed") => Ok(Some(task)),
                Some("failed") => {
                    let message = task
                        .pointer("/details/error/message")
                        // API Builder: `details.error.message`; Spec Hub: `details`.
                        .or_else(|| task.get("details"))
                        .and_then(Value::as_str)
                        .unwrap_or("the task failed")
                        .to_string();
                    Err(Error::Status {
                        status: 200,
                        method: "GET".into(),
                        path: format!("/{path}"),
                        message,
                    })
                }
                _ => Ok(None),
            }
        };
        let done = poll::until(&TASK_POLLING, &mut |d| (self.sleep)(d), &mut read)?;
        done.ok_or_else(|| Error::Decode {
            method: "GET".into(),
            path: format!("/{path}"),
            detail: "the task did not finish".into(),
        })
    }
}

/// `/apis/{apiId}/schemas/{schemaId}/files/{path}`: a `/` in the path stays a `/`.
fn file_segments<'a>(api_id: &'a str, schema_id: &'a str, path: &'a str) -> Vec<&'a str> {
    let mut segments = vec!["apis", api_id, "schemas", schema_id, "files"];
    segments.extend(path.split('/'));
    segments
}

fn version_query(version: Option<&str>) -> Vec<(&'static str, &str)> {
    version.map(|v| vec![("versionId", v)]).unwrap_or_default()
}

/// A write's answer, parsed, when it confirms the write (`check`): a 2xx with something
/// else in it (a proxy's HTML page) does not say that Postman did anything.
fn confirmed(
    answer: &Answer,
    method: &str,
    segments: &[&str],
    check: impl Fn(&Value) -> bool,
) -> Result<Value> {
    let unconfirmed = |why: &str| Error::Unconfirmed {
        method: method.into(),
        path: format!("/{}", segments.join("/")),
        status: answer.status.as_u16(),
        why: why.into(),
    };
    let value: Value =
        serde_json::from_slice(&answer.body).map_err(|_| unconfirmed("it is not JSON"))?;
    match check(&value) {
        true => Ok(value),
        false => Err(unconfirmed("it does not name what was written")),
    }
}

/// `{"collection": {"id", "uid", ...}}` for the collection `uid` (or an async PUT's
/// `{"task": {"id"}}`).
fn names_collection(value: &Value, uid: &str) -> bool {
    let c = &value["collection"];
    let is = |key: &str| c.get(key).and_then(Value::as_str) == Some(uid);
    is("uid") || is("id") || value["task"]["id"].is_string()
}

/// The `id` in an answer's body.
fn id_of(answer: &Answer, method: &str, segments: &[&str]) -> Result<String> {
    let value: Value = decode(&answer.body, method, segments)?;
    value
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| decode_error(method, segments, "no `id` in the answer"))
}

pub(crate) fn decode<T: DeserializeOwned>(
    body: &[u8],
    method: &str,
    segments: &[&str],
) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| decode_error(method, segments, e))
}

pub(crate) fn decode_error(method: &str, segments: &[&str], e: impl std::fmt::Display) -> Error {
    Error::Decode {
        method: method.into(),
        path: format!("/{}", segments.join("/")),
        detail: e.to_string(),
    }
}

/// Why one attempt did not give a 2xx answer.
enum Attempt {
    /// Not worth repeating (a cap exceeded...).
    Final(Error),
    /// A non-2xx status, its headers and body.
    Status(StatusCode, HeaderMap, Vec<u8>),
    /// No (whole) answer.
    Transient(Transient),
}

enum RetryAfter {
    /// As long as `Retry-After` says.
    RateLimit,
    /// The policy's doubling back-off.
    Backoff,
}

/// Whether a `status` answer to `method` is worth repeating, and after what wait.
fn retry_wait(method: &Method, status: StatusCode) -> Option<RetryAfter> {
    match status {
        // Refused before any work, whatever the method.
        StatusCode::TOO_MANY_REQUESTS => Some(RetryAfter::RateLimit),
        // A traffic spike, a failure inside Postman, or (PUT of a collection) another
        // update still running ("Deep update operation is already in progress"): worth
        // another try when doing it twice is doing it once.
        StatusCode::INTERNAL_SERVER_ERROR
        | StatusCode::BAD_GATEWAY
        | StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT
            if idempotent(method) =>
        {
            Some(RetryAfter::Backoff)
        }
        StatusCode::CONFLICT if *method == Method::PUT => Some(RetryAfter::Backoff),
        _ => None,
    }
}

/// The innermost cause of an error ("connection reset by peer"), the one that says
/// what happened, rather than reqwest's outer "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// The cursor in a `nextPath` like `/apis/{id}/schemas/{sid}/files?cursor=abc`.
fn cursor_of(next_path: &str) -> Option<String> {
    let query = next_path.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
        .filter(|c| !c.is_empty())
}

/// `Retry-After` (seconds) or `X-RateLimit-RetryAfter`, as Postman sends on 429.
fn rate_limit_wait(headers: &HeaderMap) -> Duration {
    let seconds = ["retry-after", "x-ratelimit-retryafter", "retryafter"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(1);
    Duration::from_secs(seconds).min(MAX_RATE_LIMIT_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_path_cursor_is_extracted() {
        assert_eq!(
            cursor_of("/apis/a/schemas/s/files?cursor=eyJ%3D&limit=3").as_deref(),
            Some("eyJ=")
        );
        assert_eq!(cursor_of("/apis/a/schemas/s/files"), None);
    }

    #[test]
    fn rate_limit_headers_are_read() {
        let mut h = HeaderMap::new();
        h.insert("X-RateLimit-RetryAfter", "7".parse().unwrap());
        assert_eq!(rate_limit_wait(&h), Duration::from_secs(7));
        h.insert("Retry-After", "2".parse().unwrap());
        assert_eq!(rate_limit_wait(&h), Duration::from_secs(2));
        h.insert("Retry-After", "99999".parse().unwrap());
        assert_eq!(rate_limit_wait(&h), MAX_RATE_LIMIT_WAIT);
    }
}
