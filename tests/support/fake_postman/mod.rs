#![allow(dead_code, unused_imports)]
//! A stateful fake of the Postman API (API Builder, v10, and the v12 workspace API:
//! workspaces, Spec Hub, environments) for tests and for the README demo: HTTP on
//! 127.0.0.1, faithful to `postman-api-v10.yml` and `postman-api-current.yaml`
//! (checked by `tests/fake_postman_conformance.rs`), quirks included.
//!
//! ```ignore
//! let fake = FakePostman::start();
//! let api = fake.with_state(|s| s.seed_sample());
//! // point the client at fake.base_url() with X-API-Key: API_KEY
//! fake.inject(Fault::RateLimited { retry_after_secs: 1, times: 1 });
//! assert_eq!(fake.requests()[0].status, 429);
//! ```

mod clock;
mod collections;
mod generation;
mod http;
mod migrations;
mod routes;
mod seed;
mod specs;
mod state;
mod version_tags;
mod workspace_seed;
mod workspaces;

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

pub use collections::SERVED_SCHEMA_URL;
pub use http::{Reply, Req};
pub use migrations::{Destination, Outcome as MigrationOutcome, FAILURE_REASON};
pub use routes::V10_ACCEPT;
pub use seed::SAMPLE_API_ID;
pub use specs::{Spec, SpecFile, MAX_CREATE_SPEC_FILE_BYTES, MAX_SPEC_FILE_BYTES, SPEC_TYPES};
pub use state::{
    Api, Change, Collection, GitInfo, Schema, SchemaFile, State, Task, TaskStatus, Version,
    DEFAULT_USER, MAX_COLLECTION_BYTES,
};
pub use workspace_seed::{staging_values, SAMPLE_SECRET, SAMPLE_WORKSPACE_ID};
pub use workspaces::{Environment, Workspace};

/// The one valid API key.
pub const API_KEY: &str = "PMAK-fake-0123456789abcdef";

/// Worker threads: enough for a client that overlaps a few requests.
const WORKERS: usize = 4;

/// One request the fake served (faulted and refused ones included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Percent-decoded path without the query.
    pub path: String,
    /// The raw query string (without `?`).
    pub query: String,
    pub status: u16,
    /// The `X-API-Key` it carried: tests check which key reached which server.
    pub api_key: Option<String>,
}

/// Faults injected on demand; each is consumed by the next `times` matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After` and `X-RateLimit-RetryAfter` and the `common429Error` body.
    RateLimited { retry_after_secs: u64, times: usize },
    /// 503, as during Postman's traffic spikes.
    Unavailable { times: usize },
    /// 409 "Deep update operation is already in progress" on `PUT /collections/{id}`.
    DeepUpdateInProgress { times: usize },
    /// 500 on requests with this method whose path contains `path_contains`: a push
    /// interrupted half-way.
    ServerError {
        method: &'static str,
        path_contains: String,
        times: usize,
    },
}

impl Fault {
    fn applies_to(&self, req: &Req) -> bool {
        match self {
            Fault::RateLimited { .. } | Fault::Unavailable { .. } => true,
            Fault::DeepUpdateInProgress { .. } => {
                req.method == "PUT" && req.segments.len() == 2 && req.segments[0] == "collections"
            }
            Fault::ServerError {
                method,
                path_contains,
                ..
            } => req.method == *method && req.segments.join("/").contains(path_contains.as_str()),
        }
    }

    /// Uses up one occurrence; returns the reply and whether the fault is spent.
    fn fire(&mut self) -> (Reply, bool) {
        let (reply, times) = match self {
            Fault::RateLimited {
                retry_after_secs,
                times,
            } => (http::rate_limited(*retry_after_secs), times),
            Fault::Unavailable { times } => (http::unavailable(), times),
            Fault::DeepUpdateInProgress { times } => (http::deep_update_in_progress(), times),
            Fault::ServerError { times, .. } => (http::server_error(), times),
        };
        *times = times.saturating_sub(1);
        (reply, *times == 0)
    }
}

/// What the worker threads share with the test.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<RecordedRequest>>,
    stop: AtomicBool,
}

/// A test that panics inside `with_state` must not wedge the server for the rest.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn respond(&self, req: &Req) -> Reply {
        if let Some(reply) = self.take_fault(req) {
            return reply;
        }
        match req.header("X-API-Key") {
            Some(API_KEY) => {}
            other => return http::unauthorized(other.is_some()),
        }
        let mut state = lock(&self.state);
        // A bug in a handler must answer 500, not leave the client waiting.
        let reply = catch_unwind(AssertUnwindSafe(|| routes::route(&mut state, req)));
        let reply = reply.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Reply::json(
                500,
                serde_json::json!({
                    "type": "https://api.postman.com/problems/internal-server-error",
                    "title": "Internal Server Error", "status": 500,
                    "detail": format!("fake Postman bug: {what}"),
                }),
            )
        });
        if req.method != "GET" && (200..300).contains(&reply.status) {
            state.wrote();
        }
        reply
    }

    fn take_fault(&self, req: &Req) -> Option<Reply> {
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|f| f.applies_to(req))?;
        let (reply, spent) = faults[i].fire();
        if spent {
            faults.remove(i);
        }
        Some(reply)
    }

    fn serve(&self, server: &tiny_http::Server) {
        loop {
            match server.recv() {
                Ok(rq) => self.handle(rq),
                Err(_) if self.stop.load(Ordering::SeqCst) => return,
                Err(_) => continue,
            }
        }
    }

    fn handle(&self, mut rq: tiny_http::Request) {
        let headers = rq
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_string(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        // Read one byte past the limit so an oversized body is detectable.
        let limit = lock(&self.state).max_body_bytes as u64 + 1;
        let mut body = Vec::new();
        let _ = rq.as_reader().take(limit).read_to_end(&mut body);
        let req = Req::new(rq.method().as_str(), rq.url(), headers, body);
        let reply = self.respond(&req);
        // Logged before answering, so a client that got its answer sees it logged.
        lock(&self.log).push(RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.raw_query.clone(),
            status: reply.status,
            api_key: req.header("X-API-Key").map(str::to_string),
        });
        let _ = rq.respond(to_tiny(&reply));
    }
}

fn to_tiny(reply: &Reply) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let data = reply
        .body
        .as_ref()
        .map(|b| b.to_string().into_bytes())
        .unwrap_or_default();
    let mut response = tiny_http::Response::from_data(data).with_status_code(reply.status);
    let mut headers = reply.headers.clone();
    if reply.body.is_some() {
        headers.push(("Content-Type".into(), reply.content_type().into()));
    }
    for (name, value) in headers {
        let header =
            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header");
        response.add_header(header);
    }
    response
}

/// A running fake on 127.0.0.1; stops when dropped.
pub struct FakePostman {
    server: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    ip: std::net::Ipv4Addr,
    port: u16,
}

const LOCALHOST: std::net::Ipv4Addr = std::net::Ipv4Addr::LOCALHOST;

impl FakePostman {
    /// On a free port, with empty state.
    pub fn start() -> FakePostman {
        FakePostman::start_on(0)
    }

    /// On the given port (0: any free one).
    pub fn start_on(port: u16) -> FakePostman {
        FakePostman::start_at(LOCALHOST, port)
    }

    /// On another loopback address (`127.0.0.2`: a server that is not this machine's
    /// usual name, as a stranger's URL would be) and port.
    pub fn start_at(ip: std::net::Ipv4Addr, port: u16) -> FakePostman {
        let server = tiny_http::Server::http((ip, port))
            .unwrap_or_else(|e| panic!("fake Postman: cannot listen on {ip}:{port}: {e}"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let server = Arc::new(server);
        let shared = Arc::new(Shared::default());
        let workers = (0..WORKERS)
            .map(|i| {
                let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
                std::thread::Builder::new()
                    .name(format!("fake-postman-{i}"))
                    .spawn(move || shared.serve(&server))
                    .expect("spawn a worker")
            })
            .collect();
        FakePostman {
            server,
            shared,
            workers,
            ip,
            port,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}:{}", self.ip, self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Direct, locked access to the state ("someone edits the API in Postman").
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut lock(&self.shared.state))
    }

    /// The content Postman holds for schema file `path` of API `api` (panics if none).
    pub fn schema_content(&self, api: &str, path: &str) -> String {
        self.with_state(|st| {
            st.schema_file(api, path)
                .unwrap_or_else(|| panic!("no schema file {path} in API {api}"))
                .content
                .clone()
        })
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }
}

impl Drop for FakePostman {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
