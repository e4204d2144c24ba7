//! Postman's move of an API Builder API to Spec Hub (Postman v12): `POST
//! /apis/{apiId}/spec-migrations` starts it, `GET /apis/{apiId}/spec-migrations` reports
//! it (both `/apis` calls, so the client sends the v10 `Accept` header). The status has
//! two documented values, `COMPLETED` (with the workspace) and `FAILED` (with a reason);
//! anything else is read as "still running", since Postman documents no value for that.
//! An API never moved answers an error; 404 is read as "none".
//!
//! [`wait`] polls a bounded number of times, `sleep` waiting between reads (both
//! injected, so tests neither wait nor depend on the wall clock: [`super::poll`]).

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::client::decode;
use super::poll::{self, Polling};
use super::{Client, Error as ClientError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("Postman moved nothing: {0}")]
    Empty(String),
    #[error("Postman says the move is complete but names no workspace")]
    NoWorkspace,
    #[error("Postman is still moving the API after {reads} status reads ({seconds} s)")]
    StillRunning { reads: u32, seconds: u64 },
}

/// Where the API goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// An existing workspace, by id.
    Workspace(String),
    /// A workspace Postman creates, by name.
    NewWorkspace(String),
}

impl Destination {
    /// The request body (`migrateApiToSpecHubExistingWorkspace` or `…NewWorkspace`).
    fn body(&self) -> Value {
        match self {
            Destination::Workspace(id) => json!({ "workspaceId": id }),
            Destination::NewWorkspace(name) => json!({ "workspaceInfo": { "name": name } }),
        }
    }
}

/// What `GET /apis/{apiId}/spec-migrations` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Never started (Postman answered 404).
    None,
    Running,
    Completed {
        workspace_id: String,
    },
    Failed {
        reason: String,
    },
}

/// How long [`wait`] polls by default: five minutes, 150 reads 2 s apart.
pub const POLLING: Polling = Polling::fixed(Duration::from_secs(2), 150);

type Result<T, E = Error> = std::result::Result<T, E>;

fn segments(api_id: &str) -> [&str; 3] {
    ["apis", api_id, "spec-migrations"]
}

impl Client {
    /// `POST /apis/{apiId}/spec-migrations`: 202 when it started; Postman's 200 means
    /// there was nothing to move ([`Error::Empty`], with Postman's message).
    pub fn start_migration(&self, api_id: &str, to: &Destination) -> Result<()> {
        let segments = segments(api_id);
        let answer = self.send(Method::POST, &segments, &[], Some(&to.body()))?;
        let said: Value = decode(&answer.body, "POST", &segments)?;
        let message = said.get("message").and_then(Value::as_str).unwrap_or("");
        match answer.status.as_u16() {
            202 => Ok(()),
            _ => Err(Error::Empty(super::error::server_message(
                message.as_bytes(),
            ))),
        }
    }

    /// `GET /apis/{apiId}/spec-migrations`.
    pub fn migration_status(&self, api_id: &str) -> Result<Status> {
        let segments = segments(api_id);
        let answer = match self.send(Method::GET, &segments, &[], None) {
            Err(ClientError::Status { status: 404, .. }) => return Ok(Status::None),
            other => other?,
        };
        let said: Value = decode(&answer.body, "GET", &segments)?;
        let detail = |key: &str| {
            said.pointer(&format!("/details/{key}"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Ok(match said.get("status").and_then(Value::as_str) {
            Some("COMPLETED") => Status::Completed {
                workspace_id: detail("workspaceId").ok_or(Error::NoWorkspace)?,
            },
            Some("FAILED") => Status::Failed {
                reason: super::error::server_message(
                    detail("reason")
                        .unwrap_or_else(|| "no reason given".into())
                        .as_bytes(),
                ),
            },
            _ => Status::Running,
        })
    }
}

/// Reads the status (`read`: [`Client::migration_status`]) until it is final, completed
/// or failed, as `polling` says ([`poll::until`]), `sleep` waiting between two reads.
/// `first` is a status the caller read already (it counts as the first read).
pub fn wait(
    read: &mut dyn FnMut() -> Result<Status>,
    first: Option<Status>,
    polling: Polling,
    sleep: &mut dyn FnMut(Duration),
) -> Result<Status> {
    let mut first = first;
    let mut read_final = || -> Result<Option<Status>> {
        let now = match first.take() {
            Some(s) => s,
            None => read()?,
        };
        Ok(matches!(now, Status::Completed { .. } | Status::Failed { .. }).then_some(now))
    };
    poll::until(&polling, sleep, &mut read_final)?.ok_or(Error::StillRunning {
        reads: polling.reads.max(1),
        seconds: polling.longest().as_secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wait` over the answers `script` (then "running" forever): the reads and sleeps.
    fn run(
        script: &[Status],
        first: Option<Status>,
        polling: Polling,
    ) -> (Result<Status>, usize, Vec<Duration>) {
        let mut answers = script.iter().cloned();
        let mut reads = 0;
        let mut read = || {
            reads += 1;
            Ok(answers.next().unwrap_or(Status::Running))
        };
        let mut slept = Vec::new();
        let out = wait(&mut read, first, polling, &mut |d| slept.push(d));
        (out, reads, slept)
    }

    const EVERY_3S_4_TIMES: Polling = Polling::fixed(Duration::from_secs(3), 4);

    #[test]
    fn polling_stops_at_the_first_final_status() {
        let done = Status::Completed {
            workspace_id: "w".into(),
        };
        let (out, reads, slept) = run(&[Status::Running, done.clone()], None, EVERY_3S_4_TIMES);
        assert_eq!(out.unwrap(), done);
        assert_eq!((reads, slept), (2, vec![Duration::from_secs(3)]));

        let failed = Status::Failed { reason: "r".into() };
        let (out, reads, slept) = run(std::slice::from_ref(&failed), None, EVERY_3S_4_TIMES);
        assert_eq!((out.unwrap(), reads, slept.len()), (failed, 1, 0));
    }

    #[test]
    fn polling_is_bounded_and_counts_the_caller_s_read() {
        let (out, reads, slept) = run(&[], Some(Status::Running), EVERY_3S_4_TIMES);
        assert_eq!(
            (reads, slept.len()),
            (3, 3),
            "the caller's read was the first of 4"
        );
        let e = out.unwrap_err();
        assert!(
            matches!(
                e,
                Error::StillRunning {
                    reads: 4,
                    seconds: 9
                }
            ),
            "{e}"
        );

        // Never read zero times, never sleep after the last read.
        let once = Polling::fixed(Duration::from_secs(3), 0);
        let (out, reads, slept) = run(&[Status::None], None, once);
        assert!(out.is_err());
        assert_eq!((reads, slept.len()), (1, 0));
    }

    #[test]
    fn destinations_are_the_documented_bodies() {
        assert_eq!(
            Destination::Workspace("1f0d".into()).body(),
            json!({"workspaceId": "1f0d"})
        );
        assert_eq!(
            Destination::NewWorkspace("API Workspace".into()).body(),
            json!({"workspaceInfo": {"name": "API Workspace"}})
        );
    }
}
