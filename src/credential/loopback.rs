//! The loopback redirect of a native app's browser login (RFC 8252 §7.3): a one-shot HTTP
//! listener on 127.0.0.1 that waits for the browser to bring back `?code=...&state=...`.
//!
//! Bound before the browser opens, on the port the redirect URI names or any free one.
//! A `localhost` redirect (how GitHub Enterprise Server apps were registered for years)
//! also listens on `[::1]`, since the browser may resolve `localhost` either way. Requests
//! for other paths (a favicon) get a 404, and a `state` that is not ours (a stale tab of an
//! earlier attempt) a 400: the listener keeps waiting for the right answer until the
//! deadline.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::apps::DEFAULT_REDIRECT_URI;

/// Errors of the listener.
#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    #[error("cannot listen on {addr} for the browser's redirect: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the redirect URI {0} cannot be served here (use http://127.0.0.1/, http://[::1]/ or http://localhost/)")]
    BadRedirect(String),
    #[error("no answer from the browser within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("waiting for the browser: {0}")]
    Io(#[from] std::io::Error),
}

/// What the browser brought back, for our `state`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Code(String),
    /// The authorization server's `error` (and `error_description`): `access_denied` when
    /// the user said no.
    Error {
        error: String,
        description: Option<String>,
    },
}

/// A bound listener and the redirect URI that reaches it.
pub struct Listener {
    listeners: Vec<TcpListener>,
    redirect: url::Url,
}

impl Listener {
    /// Binds for `redirect` (`http://127.0.0.1/` when `None`): its port, or a free one,
    /// which then goes into the redirect URI.
    pub fn bind(redirect: Option<&str>) -> Result<Listener, LoopbackError> {
        let mut url = url::Url::parse(redirect.unwrap_or(DEFAULT_REDIRECT_URI))
            .map_err(|_| LoopbackError::BadRedirect(redirect.unwrap_or_default().into()))?;
        let port = url.port().unwrap_or(0);
        let bind = |addr: SocketAddr| {
            let l = TcpListener::bind(addr).map_err(|source| LoopbackError::Bind {
                addr: addr.to_string(),
                source,
            })?;
            l.set_nonblocking(true)?;
            Ok::<_, LoopbackError>(l)
        };
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
        let listeners = match url.host_str() {
            Some("127.0.0.1") => vec![bind(v4)?],
            Some("[::1]") => vec![bind(v6)?],
            Some("localhost") => {
                let first = bind(v4)?;
                let port = first.local_addr()?.port();
                // Best effort: a machine without IPv6 still has 127.0.0.1.
                let second = bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).ok();
                std::iter::once(first).chain(second).collect()
            }
            _ => return Err(LoopbackError::BadRedirect(url.to_string())),
        };
        let port = listeners[0].local_addr()?.port();
        url.set_port(Some(port))
            .map_err(|_| LoopbackError::BadRedirect(url.to_string()))?;
        Ok(Listener {
            listeners,
            redirect: url,
        })
    }

    /// The redirect URI to send, with the bound port.
    pub fn redirect_uri(&self) -> &url::Url {
        &self.redirect
    }

    /// Waits until `deadline` for the redirect that carries `state`, answers the browser
    /// with a short page, and returns what it brought.
    pub fn wait(
        &self,
        state: &str,
        app: &str,
        timeout: Duration,
    ) -> Result<Outcome, LoopbackError> {
        let deadline = Instant::now() + timeout;
        loop {
            for listener in &self.listeners {
                match listener.accept() {
                    Ok((stream, _)) => {
                        if let Some(outcome) = self.serve(stream, state, app, deadline) {
                            return Ok(outcome);
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if Instant::now() >= deadline {
                return Err(LoopbackError::Timeout(timeout));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Answers one connection; `Some` if it was the redirect we wait for.
    fn serve(
        &self,
        stream: TcpStream,
        state: &str,
        app: &str,
        deadline: Instant,
    ) -> Option<Outcome> {
        // A browser may open a connection and send nothing (a pre-connect): bound the read.
        let left = deadline.saturating_duration_since(Instant::now());
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(
            left.clamp(Duration::from_millis(100), Duration::from_secs(5)),
        ));
        let mut reader = BufReader::new(&stream);
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return None;
        }
        // Drain the headers so the browser sees a clean answer.
        let mut header = String::new();
        while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
            header.clear();
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let Ok(url) = self.redirect.join(target) else {
            respond(&stream, 400, "Bad request", "This is not a login redirect.");
            return None;
        };
        if url.path() != self.redirect.path() {
            respond(&stream, 404, "Not found", "Nothing here.");
            return None;
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if param("state").as_deref() != Some(state) {
            respond(
                &stream,
                400,
                "Stale login",
                "This login link is not the one git is waiting for. Close this tab and use the newest one.",
            );
            return None;
        }
        if let Some(error) = param("error") {
            respond(
                &stream,
                200,
                "Login cancelled",
                &format!(
                    "You did not log in to {}. You can close this tab.",
                    html_escape(app)
                ),
            );
            return Some(Outcome::Error {
                error,
                description: param("error_description"),
            });
        }
        match param("code") {
            Some(code) => {
                respond(
                    &stream,
                    200,
                    "Logged in",
                    &format!(
                        "git is logged in to {}. You can close this tab and return to the terminal.",
                        html_escape(app)
                    ),
                );
                Some(Outcome::Code(code))
            }
            None => {
                respond(&stream, 400, "Bad request", "The redirect carries no code.");
                None
            }
        }
    }
}

fn respond(mut stream: &TcpStream, status: u16, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(url: &str) -> (u16, String) {
        let u = url::Url::parse(url).unwrap();
        let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
        let addr = addr.replace("localhost", "127.0.0.1");
        let mut s = TcpStream::connect(addr).unwrap();
        let target = match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        };
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        (status, answer)
    }

    #[test]
    fn waits_for_the_redirect_with_our_state() {
        let listener = Listener::bind(None).unwrap();
        let base = listener.redirect_uri().clone();
        assert_eq!(base.host_str(), Some("127.0.0.1"));
        assert_ne!(base.port(), Some(0));
        let b = base.clone();
        let browser = std::thread::spawn(move || {
            let mut out = vec![get(b.join("/favicon.ico").unwrap().as_str()).0];
            out.push(get(b.join("/?code=old&state=stale").unwrap().as_str()).0);
            out.push(get(b.join("/?code=c0de&state=s1&iss=x").unwrap().as_str()).0);
            out
        });
        let outcome = listener
            .wait("s1", "Test", Duration::from_secs(10))
            .unwrap();
        assert_eq!(outcome, Outcome::Code("c0de".into()));
        assert_eq!(browser.join().unwrap(), vec![404, 400, 200]);
    }

    #[test]
    fn brings_back_the_servers_error() {
        let listener = Listener::bind(Some("http://localhost/callback")).unwrap();
        let b = listener.redirect_uri().clone();
        assert_eq!(b.host_str(), Some("localhost"));
        let browser = std::thread::spawn(move || {
            get(b
                .join("/callback?error=access_denied&error_description=End-User%20aborted&state=s")
                .unwrap()
                .as_str())
        });
        let outcome = listener
            .wait("s", "<App>", Duration::from_secs(10))
            .unwrap();
        assert_eq!(
            outcome,
            Outcome::Error {
                error: "access_denied".into(),
                description: Some("End-User aborted".into())
            }
        );
        let (status, page) = browser.join().unwrap();
        assert_eq!(status, 200);
        assert!(page.contains("&lt;App&gt;"), "{page}");
    }

    #[test]
    fn gives_up_at_the_deadline() {
        let listener = Listener::bind(None).unwrap();
        let err = listener
            .wait("s", "x", Duration::from_millis(200))
            .unwrap_err();
        assert!(matches!(err, LoopbackError::Timeout(_)));
    }

    #[test]
    fn only_loopback_redirects() {
        assert!(matches!(
            Listener::bind(Some("http://example.com/")),
            Err(LoopbackError::BadRedirect(_))
        ));
    }
}
