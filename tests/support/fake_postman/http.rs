//! The HTTP side: a parsed request, a reply, and every error body the fake sends,
//! each copied from the spec's examples for the operation it answers.

use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

/// A request as the routes see it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Percent-decoded path segments (so `a%2Fb` is one segment holding `a/b`).
    pub segments: Vec<String>,
    /// The whole path, percent-decoded, without the query.
    pub path: String,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, url: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Req {
        let (raw_path, raw_query) = url.split_once('?').unwrap_or((url, ""));
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        Req {
            method: method.to_ascii_uppercase(),
            segments: raw_path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(decode)
                .collect(),
            path: decode(raw_path),
            raw_query: raw_query.into(),
            query: url::form_urlencoded::parse(raw_query.as_bytes())
                .into_owned()
                .collect(),
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All values of a repeated parameter, also splitting comma-separated lists
    /// (`include=a&include=b` and `include=a,b` mean the same).
    pub fn query_list(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name || k == &format!("{name}[]"))
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A response about to be sent.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// RFC 7807 bodies (those with a numeric `status`) go out as `application/problem+json`,
    /// as the current spec declares for them (`common429Error`, `collectionPut409Errors`).
    pub fn content_type(&self) -> &'static str {
        match &self.body {
            Some(b) if b.get("status").is_some_and(Value::is_u64) => "application/problem+json",
            _ => "application/json",
        }
    }
}

/// `commonErrorTypeTitleDetailStatus`, the problem+json shape.
fn problem(status: u16, slug: &str, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "type": format!("https://api.postman.com/problems/{slug}"),
            "title": title, "status": status, "detail": detail,
        }),
    )
}

/// `commonErrorTypeTitleDetail`, the API Builder shape.
fn type_title_detail(status: u16, kind: &str, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        json!({"type": kind, "title": title, "detail": detail}),
    )
}

/// `commonErrorNameMessage` / `commonErrorNameMessageDetails`.
fn name_message(status: u16, name: &str, message: &str, details: Option<Value>) -> Reply {
    let mut error = json!({"name": name, "message": message});
    if let Some(d) = details {
        error["details"] = d;
    }
    Reply::json(status, json!({ "error": error }))
}

/// Example `common401ErrorInvalidApiKey` / `common401ErrorMissingApiKey`.
pub fn unauthorized(key_sent: bool) -> Reply {
    let detail = if key_sent {
        "A valid API key must be provided in the request header."
    } else {
        "An API key must be provided in the request header or query string"
    };
    problem(401, "unauthorized", "Unauthorized", detail)
}

/// Example `v10HeaderMissing` (schema `apiErrorNameMessage`).
pub fn v10_header_missing() -> Reply {
    Reply::json(
        400,
        json!({
            "name": "instanceNotFoundError",
            "message": "API not found. For v10 and later APIs, ensure that your request sends \
                        the \"application/vnd.api.v10+json\" Accept header.",
        }),
    )
}

/// Example `api404ErrorNotFound`.
pub fn api_not_found() -> Reply {
    type_title_detail(
        404,
        "instanceNotFoundError",
        "We could not find the API you are looking for",
        "We could not find the API you are looking for.",
    )
}

/// Example `apiSchema404ErrorNotFound`.
pub fn schema_not_found() -> Reply {
    type_title_detail(
        404,
        "instanceNotFoundError",
        "Schema not found",
        "We could not find a schema linked to this API",
    )
}

pub fn file_not_found(path: &str) -> Reply {
    type_title_detail(
        404,
        "instanceNotFoundError",
        "File not found",
        &format!("We could not find the file '{path}' in this schema"),
    )
}

/// Example `apiCollection404ErrorNotFound` (the `error`-wrapped shape).
pub fn api_collection_not_found() -> Reply {
    Reply::json(
        404,
        json!({"error": {
            "type": "instanceNotFoundError", "title": "Collection not found",
            "detail": "The API does not contain the collection you are looking for",
        }}),
    )
}

/// Example `apiVersion404ErrorNotFound`, with its `details` (plural) quirk kept.
pub fn version_not_found() -> Reply {
    Reply::json(
        404,
        json!({
            "type": "VersionNotFound", "title": "API Version not found.",
            "details": "We could not find the API Version you are looking for.",
        }),
    )
}

/// Example `taskNotFound`.
pub fn task_not_found() -> Reply {
    type_title_detail(
        404,
        "invalidParamsError",
        "The specified parameter is in an invalid format",
        "Parameter, taskId is in an invalid format.",
    )
}

/// `GET /collections/{id}`: the spec declares "400 Collection Not Found"
/// (example `collection400ErrorCollectionNotFound`), not 404.
pub fn collection_not_found_get() -> Reply {
    name_message(
        400,
        "instanceNotFoundError",
        "We could not find the collection you are looking for",
        None,
    )
}

/// `PUT /collections/{id}`: example `collection404ErrorNotFound`.
pub fn collection_not_found_put() -> Reply {
    problem(
        404,
        "not-found",
        "Not found",
        "We could not find the collection you are looking for",
    )
}

/// `DELETE /collections/{id}`: `commonErrorNameMessageDetails`.
pub fn collection_not_found_delete(id: &str) -> Reply {
    name_message(
        404,
        "instanceNotFoundError",
        "We could not find the collection you are looking for",
        Some(json!({"item": "collection", "id": id})),
    )
}

/// Example `gitLinkedApi422Error`.
pub fn git_linked() -> Reply {
    type_title_detail(
        422,
        "actionNotAllowedError",
        "Action not allowed",
        "This action is not allowed for Git linked APIs",
    )
}

/// Example `common429ErrorRateLimitExceeded`, with both retry headers.
pub fn rate_limited(retry_after_secs: u64) -> Reply {
    problem(
        429,
        "rate-limit-exceeded",
        "Too Many Requests",
        "Rate limit exceeded. Retry after the period indicated by the Retry-After header.",
    )
    .with_header("Retry-After", retry_after_secs.to_string())
    .with_header("X-RateLimit-RetryAfter", retry_after_secs.to_string())
}

/// Postman's 503 during traffic spikes (no example body in the spec; problem shape).
pub fn unavailable() -> Reply {
    problem(
        503,
        "service-unavailable",
        "Service Unavailable",
        "The service is temporarily unavailable. Please try again later.",
    )
}

/// An unexpected failure inside Postman.
pub fn server_error() -> Reply {
    problem(
        500,
        "internal-server-error",
        "Internal Server Error",
        "Something went wrong on our side.",
    )
}

/// Example `putCollection409ErrorOperationInProgress`.
pub fn deep_update_in_progress() -> Reply {
    problem(
        409,
        "conflict",
        "Conflict",
        "Deep update operation is already in progress for this collection.",
    )
}

/// Example `common413Error` (the 100 MB collection limit).
pub fn payload_too_large() -> Reply {
    let mut r = problem(
        413,
        "payload-too-large",
        "Payload Too Large",
        "Request size limit exceeded",
    );
    r.body.as_mut().expect("problem has a body")["instance"] = json!("/");
    r
}

/// Example `collectionPutAsync400ErrorInvalidSchema`.
pub fn collection_unparsable() -> Reply {
    problem(
        400,
        "bad-request",
        "Malformed request",
        "Unable to parse the collection. Please ensure it is according to \
         https://schema.postman.com/collection/json/v2.1.0/draft-07/docs/index.html",
    )
}

/// Example `collectionPutAsync400ErrorMissingCollection`.
pub fn collection_property_missing(path: &str) -> Reply {
    problem(
        400,
        "bad-request",
        "Missing property 'collection'",
        &format!("PUT request body for '{path}' failed to validate schema. Location: /required"),
    )
}

/// Example `collection400ErrorMalformedRequest`.
pub fn malformed_collection(problems: Vec<String>) -> Reply {
    name_message(
        400,
        "malformedRequestError",
        &format!(
            "Found {} errors with the supplied collection.",
            problems.len()
        ),
        Some(json!(problems)),
    )
}

/// Example `collection400ErrorCollectionMismatchError`.
pub fn collection_mismatch() -> Reply {
    name_message(
        400,
        "collectionMismatchError",
        "The collection ID in the path does not match the collection ID in the request body.",
        None,
    )
}

/// Example `collection400ErrorInstanceFound`.
pub fn collection_exists(id: &str) -> Reply {
    name_message(
        400,
        "instanceFoundError",
        "The specified item already exists.",
        Some(json!({"item": "collection", "id": id})),
    )
}

/// API Builder 400 (`invalidParamsError`, as in `apiSchema400ErrorInvalidParams`).
pub fn invalid_params(title: &str, detail: &str) -> Reply {
    type_title_detail(400, "invalidParamsError", title, detail)
}

/// Publishing a version name that exists. The spec gives no example; it declares
/// `commonErrorTypeTitleDetail` for 422 on this operation, so that shape it is.
pub fn version_exists(name: &str) -> Reply {
    type_title_detail(
        422,
        "instanceFoundError",
        "Version already exists",
        &format!("A version named '{name}' already exists for this API."),
    )
}

/// A version request that names schemas or collections the API does not have.
pub fn invalid_version_body(detail: &str) -> Reply {
    type_title_detail(422, "invalidParamsError", "Invalid request body", detail)
}

/// No such route (Postman's generic answer).
pub fn route_not_found() -> Reply {
    name_message(404, "notFound", "Requested resource not found", None)
}
