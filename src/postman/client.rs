//! The HTTP client: `X-API-Key`, the v10 `Accept` header on every `/apis` call, cursor
//! paging to the end, bounded retries on 429/503, and one error type.

use std::time::Duration;

use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::error::{server_message, Error, Result};
use super::model::{Api, Schema, SchemaFileContent, SchemaFileEntry, SchemaFilesPage, Version};
use super::ApiKey;
use crate::layout::collection::Served;

/// Every `/apis` call must carry it; without it Postman answers 400.
const V10_ACCEPT: &str = "application/vnd.api.v10+json";
/// How long we wait for one 429 at most, whatever `Retry-After` says.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(120);

/// How often and how long to retry a throttled (429) or overloaded (503) request.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// The first 503/409 back-off; it doubles with each attempt.
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
    key: ApiKey,
    retry: RetryPolicy,
}

/// A successful (2xx) answer.
pub struct Answer {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Client {
    pub fn new(base: Url, key: ApiKey) -> Result<Client> {
        let http = Http::builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(300))
            .user_agent(concat!("git-postman/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| Error::Transport {
                url: base.to_string(),
                source,
            })?;
        Ok(Client {
            http,
            base,
            key,
            retry: RetryPolicy::default(),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
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

    /// Sends one request, retrying 429, 503 and 409 within the policy; any other non-2xx
    /// status (3xx included) is an error carrying the server's message.
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
        let v10 = segments.first() == Some(&"apis");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header("X-API-Key", self.key.expose());
            if v10 {
                request = request.header(ACCEPT, V10_ACCEPT);
            } else {
                request = request.header(ACCEPT, "application/json");
            }
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = request.send().map_err(|source| Error::Transport {
                url: strip_query(&url),
                source,
            })?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = read_body(response, &url)?;
            // No redirect is followed: a 3xx is an answer of its own, e.g. the 302 of a
            // version still being published.
            if status.is_success() {
                return Ok(Answer {
                    headers,
                    body: bytes,
                });
            }
            let message = server_message(&bytes);
            if status == StatusCode::UNAUTHORIZED {
                return Err(Error::Unauthorized {
                    status: status.as_u16(),
                    message,
                });
            }
            let wait = match status {
                StatusCode::TOO_MANY_REQUESTS => rate_limit_wait(&headers),
                // A traffic spike, or another update of the same collection still
                // running ("Deep update operation is already in progress"): both pass.
                // Elsewhere a 409 is final (a Spec Hub version tag that exists).
                StatusCode::SERVICE_UNAVAILABLE => self.retry.backoff * 2u32.pow(attempt - 1),
                StatusCode::CONFLICT if segments.first() == Some(&"collections") => {
                    self.retry.backoff * 2u32.pow(attempt - 1)
                }
                _ => {
                    return Err(Error::Status {
                        status: status.as_u16(),
                        method: method.to_string(),
                        path,
                        message,
                    })
                }
            };
            if attempt >= self.retry.max_attempts {
                return Err(Error::GaveUp {
                    status: status.as_u16(),
                    method: method.to_string(),
                    path,
                    attempts: attempt,
                    message,
                });
            }
            std::thread::sleep(wait);
        }
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
        let value: Value = decode(&answer.body, "PUT", &segments)?;
        Ok(value
            .get("updatedAt")
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    /// `DELETE /apis/{apiId}/schemas/{schemaId}/files/{path}`.
    pub fn delete_schema_file(&self, api_id: &str, schema_id: &str, path: &str) -> Result<()> {
        let segments = file_segments(api_id, schema_id, path);
        self.send(Method::DELETE, &segments, &[], None)?;
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
        self.send_json_text(Method::PUT, &["collections", uid], &[], Some(body))?;
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
        self.send(Method::DELETE, &["collections", uid], &[], None)?;
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
        let mut delay = std::time::Duration::from_millis(200);
        for _ in 0..60 {
            let task: Value = self.get(&segments, &[])?;
            match task.get("status").and_then(Value::as_str) {
                Some("completed") => return Ok(task),
                Some("failed") => {
                    // API Builder: `details.error.message`; Spec Hub: `details`.
                    let message = task
                        .pointer("/details/error/message")
                        .or_else(|| task.get("details"))
                        .and_then(Value::as_str)
                        .unwrap_or("the task failed")
                        .to_string();
                    return Err(Error::Status {
                        status: 200,
                        method: "GET".into(),
                        path: format!("/{path}"),
                        message,
                    });
                }
                _ => {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(std::time::Duration::from_secs(5));
                }
            }
        }
        Err(Error::Decode {
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

fn read_body(response: Response, url: &Url) -> Result<Vec<u8>> {
    response
        .bytes()
        .map(|b| b.to_vec())
        .map_err(|source| Error::Transport {
            url: strip_query(url),
            source,
        })
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
