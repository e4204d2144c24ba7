//! A fault-injecting HTTP proxy in front of the fake Postman API: the client talks to the
//! proxy, which passes each request on and can fail request number N (or every request
//! matching a method and path) the ways networks and servers fail. A fault that lets the
//! request through first (a 500, a reset, a cut answer after Postman did the work) is the
//! hard case for a client: it cannot tell whether the write happened.
//!
//! One request per connection (the proxy answers `Connection: close`), so a fault never
//! leaks into the next request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`, not passed on (Postman refuses before any work).
    RateLimited,
    /// 503, not passed on.
    Unavailable,
    /// Passed on (Postman did the work), then answered 500.
    ServerErrorAfterWork,
    /// Passed on, then the connection closed without an answer.
    ResetAfterWork,
    /// Passed on, then the answer's headers and half its body, and the connection closed.
    Truncated,
    /// Passed on, then a 200 whose body is an HTML page (a proxy's).
    NotJson,
    /// Passed on, then no answer for this long (past the client's timeout).
    Stall(Duration),
    /// Passed on after waiting this long: a slow server, not a fault.
    Delay(Duration),
    /// Not passed on; answered with this status and JSON body instead (hostile data).
    Answer(u16, Arc<str>),
    /// Not passed on; a 200 whose body is sent chunked (no length announced) and never
    /// ends: only a client that stops reading at its cap gets past it.
    Endless,
}

impl Fault {
    /// The faults of the matrix (a stall lasts `stall`).
    pub fn matrix(stall: Duration) -> [Fault; 7] {
        [
            Fault::RateLimited,
            Fault::Unavailable,
            Fault::ServerErrorAfterWork,
            Fault::ResetAfterWork,
            Fault::Stall(stall),
            Fault::Truncated,
            Fault::NotJson,
        ]
    }
}

/// Which requests a fault hits.
#[derive(Debug, Clone)]
enum Target {
    /// The request with this number (1 = the first through the proxy).
    Number(usize),
    /// The next request with this method whose path contains this text.
    Matching(&'static str, String),
}

#[derive(Default)]
struct Shared {
    count: usize,
    faults: Vec<(Target, Fault)>,
    /// `METHOD path` of every request, in order.
    log: Vec<String>,
}

pub struct FaultProxy {
    port: u16,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// A proxy on a free port of 127.0.0.1 in front of `upstream` (`host:port`).
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st, up) = (Arc::clone(&shared), Arc::clone(&stop), upstream.to_string());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (s, up) = (Arc::clone(&s), up.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &up, &s);
                });
            }
        });
        FaultProxy { port, shared, stop }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Fails request number `n` (counted from the proxy's start, 1-based).
    pub fn fail_request(&self, n: usize, fault: Fault) {
        self.lock().faults.push((Target::Number(n), fault));
    }

    /// Fails the next request with `method` whose path contains `path_contains`.
    pub fn fail_next(&self, method: &'static str, path_contains: &str, fault: Fault) {
        let target = Target::Matching(method, path_contains.to_string());
        self.lock().faults.push((target, fault));
    }

    /// How many requests went through so far.
    pub fn count(&self) -> usize {
        self.lock().count
    }

    /// `METHOD path` of every request so far.
    pub fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One request head and body, as read from the client.
struct Request {
    method: String,
    path: String,
    head: Vec<String>,
    body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let request_line = line.trim_end().to_string();
    let mut words = request_line.split(' ');
    let method = words.next().unwrap_or_default().to_string();
    let path = words.next().unwrap_or_default().to_string();
    let mut head = vec![request_line.clone()];
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("connection") {
                continue;
            }
        }
        head.push(header.to_string());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method,
        path,
        head,
        body,
    }))
}

/// Passes the request on and returns the whole answer (the fake closes the connection
/// after it, as asked).
fn forward(upstream: &str, request: &Request) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    let mut head = request.head.join("\r\n");
    head.push_str("\r\nConnection: close\r\n\r\n");
    up.write_all(head.as_bytes())?;
    up.write_all(&request.body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}

/// The answer with `Connection: close` instead of whatever it said.
fn closing(answer: &[u8]) -> Vec<u8> {
    let start = header_end(answer);
    let head = String::from_utf8_lossy(&answer[..start]);
    let head = head.trim_end();
    let mut out: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_string)
        .collect();
    out.push("Connection: close".into());
    let mut bytes = (out.join("\r\n") + "\r\n\r\n").into_bytes();
    bytes.extend_from_slice(&answer[start..]);
    bytes
}

fn canned(status: &str, headers: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn problem(status: u16, title: &str) -> String {
    format!(
        r#"{{"type":"https://api.postman.com/problems/x","title":"{title}","status":{status},"detail":"{title} (injected)"}}"#
    )
}

fn serve(client: TcpStream, upstream: &str, shared: &Mutex<Shared>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    let fault = {
        let mut s = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.count += 1;
        let n = s.count;
        s.log.push(format!("{} {}", request.method, request.path));
        let hit = s.faults.iter().position(|(target, _)| match target {
            Target::Number(k) => *k == n,
            Target::Matching(method, part) => {
                request.method == *method && request.path.contains(part.as_str())
            }
        });
        hit.map(|i| s.faults.remove(i).1)
    };
    let mut client = client;
    let answer = match fault {
        Some(Fault::RateLimited) => canned(
            "429 Too Many Requests",
            "Retry-After: 1\r\nX-RateLimit-RetryAfter: 1\r\n",
            "application/problem+json",
            &problem(429, "Too Many Requests"),
        ),
        Some(Fault::Unavailable) => canned(
            "503 Service Unavailable",
            "",
            "application/problem+json",
            &problem(503, "Service Unavailable"),
        ),
        Some(Fault::Answer(status, body)) => {
            canned(&format!("{status} Injected"), "", "application/json", &body)
        }
        Some(Fault::Endless) => {
            client.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            )?;
            let chunk = [b' '; 64 * 1024];
            // Until the client hangs up (a write fails): the `?` ends the answer.
            loop {
                client.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                client.write_all(&chunk)?;
                client.write_all(b"\r\n")?;
            }
        }
        other => {
            if let Some(Fault::Delay(d)) = other {
                std::thread::sleep(d);
            }
            let answer = forward(upstream, &request)?;
            match other {
                Some(Fault::ServerErrorAfterWork) => canned(
                    "500 Internal Server Error",
                    "",
                    "application/problem+json",
                    &problem(500, "Internal Server Error"),
                ),
                Some(Fault::ResetAfterWork) => {
                    return client.shutdown(Shutdown::Both);
                }
                Some(Fault::Truncated) => {
                    let whole = closing(&answer);
                    let start = header_end(&whole);
                    client.write_all(&whole[..start + (whole.len() - start) / 2])?;
                    return client.shutdown(Shutdown::Both);
                }
                Some(Fault::NotJson) => canned(
                    "200 OK",
                    "",
                    "text/html",
                    "<html><body>Gateway says hello</body></html>",
                ),
                Some(Fault::Stall(d)) => {
                    std::thread::sleep(d);
                    return client.shutdown(Shutdown::Both);
                }
                _ => closing(&answer),
            }
        }
    };
    client.write_all(&answer)?;
    client.shutdown(Shutdown::Both)
}

/// Where the body starts.
fn header_end(answer: &[u8]) -> usize {
    answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |p| p + 4)
}
