//! Postman v12's move from the API Builder to Spec Hub: `POST /apis/{apiId}/spec-migrations`
//! starts it (202), `GET /apis/{apiId}/spec-migrations` reports it. The current spec
//! dropped the `/apis` paths but kept their components (`migrateApiToSpecHub*`,
//! `getMigrationStatus*`), which the conformance test checks these answers against.
//!
//! What a migration does here (Postman documents only its outcome, so this is the
//! plausible reading, kept small): when it completes, the API's definition becomes one
//! Spec Hub spec in the target workspace, named as the API, its type mapped from the
//! schema type ([`spec_type`]), its files with their paths and contents and the root
//! file as ROOT; the API's collections become the workspace's collections (the same
//! collections, same UIDs). The API itself stays in the API Builder as it was, and its
//! published versions are not carried over (Spec Hub's version tags start afresh).
//!
//! Like the fake's other tasks, a migration is running at the first look at its status
//! and done from the next one on; [`State::delay_next_migration`] makes it take more
//! looks, [`State::fail_next_migration`] makes it fail.

use std::collections::VecDeque;

use serde_json::{json, Value};

use super::http::{Reply, Req};
use super::state::{Api, State};

type Result<T> = std::result::Result<T, Reply>;

/// Where a migration goes (the request body's three forms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Workspace(String),
    NewWorkspace {
        name: String,
        git_path: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Status looks left that still answer "running".
    Running {
        looks_left: u32,
    },
    Completed {
        workspace: String,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub api_id: String,
    pub destination: Destination,
    pub outcome: Outcome,
    /// Set when it is to fail (see [`State::fail_next_migration`]).
    failure: Option<String>,
}

/// The migrations, by API id, and the knobs for the next one.
#[derive(Debug, Default)]
pub struct Migrations {
    pub by_api: std::collections::BTreeMap<String, Migration>,
    /// Git repositories (`organization/repository`) a Git-linked API's migration linked
    /// to a workspace: another API of the same repository cannot go elsewhere.
    pub linked_repos: std::collections::BTreeMap<String, String>,
    extra_looks: VecDeque<u32>,
    failures: VecDeque<String>,
}

/// Postman's own text for a failed migration (example `getMigrationStatusFailure`).
pub const FAILURE_REASON: &str = "Moving to Spec Hub failed. Please try again or contact support.";

/// The Spec Hub type of an API Builder schema type; `None` for the types Spec Hub does
/// not take ("Spec Hub supports: OAS3, OAS3.1, OAS2.0, AsyncAPI2.0, graphQl, gRPC").
pub fn spec_type(schema_type: &str) -> Option<&'static str> {
    Some(match schema_type {
        "openapi:3" => "OPENAPI:3.0",
        "openapi:3_1" => "OPENAPI:3.1",
        "openapi:2" => "OPENAPI:2.0",
        "asyncapi:2" => "ASYNCAPI:2.0",
        "graphql" => "GRAPHQL",
        "proto:2" => "PROTOBUF:2",
        "proto:3" => "PROTOBUF:3",
        _ => return None,
    })
}

impl State {
    /// The next migration started answers "running" to `looks` more status reads than
    /// usual before it completes (or fails).
    pub fn delay_next_migration(&mut self, looks: u32) {
        self.ws.migrations.extra_looks.push_back(looks);
    }

    /// The next migration started ends `FAILED` with `reason`; nothing moves.
    pub fn fail_next_migration(&mut self, reason: &str) {
        self.ws.migrations.failures.push_back(reason.into());
    }

    pub fn migration(&self, api_id: &str) -> Option<&Migration> {
        self.ws.migrations.by_api.get(api_id)
    }

    /// One look at a migration's status: running while looks are left, then done (the
    /// move happens at that look).
    fn look_at_migration(&mut self, api_id: &str) -> Option<Outcome> {
        let m = self.ws.migrations.by_api.get_mut(api_id)?;
        match &mut m.outcome {
            Outcome::Running { looks_left } if *looks_left > 0 => *looks_left -= 1,
            Outcome::Running { .. } => {
                let m = m.clone();
                let outcome = match m.failure {
                    Some(reason) => Outcome::Failed { reason },
                    None => Outcome::Completed {
                        workspace: self.migrate_now(&m.api_id, &m.destination),
                    },
                };
                self.ws.migrations.by_api.get_mut(api_id)?.outcome = outcome;
            }
            _ => {}
        }
        Some(self.ws.migrations.by_api[api_id].outcome.clone())
    }

    /// The move itself (module docs); returns the workspace id.
    fn migrate_now(&mut self, api_id: &str, destination: &Destination) -> String {
        let api = self.api(api_id).expect("a migration is of an API").clone();
        let ws = match destination {
            Destination::Workspace(id) => id.clone(),
            Destination::NewWorkspace { name, .. } => self.create_workspace(None, name),
        };
        if let Some(schema) = api.schema.as_ref().filter(|s| !s.files.is_empty()) {
            let root = root_path(&api);
            let files: Vec<(&str, &str, bool)> = schema
                .files
                .values()
                .map(|f| {
                    (
                        f.path.as_str(),
                        f.content.as_str(),
                        Some(&f.path) == root.as_ref(),
                    )
                })
                .collect();
            let kind = spec_type(&schema.schema_type).expect("checked when it started");
            self.create_spec(&ws, &api.name, kind, &files);
        }
        let present = self.workspace(&ws).map(|w| w.collections.clone());
        for uid in &api.collections {
            if !present.as_ref().is_some_and(|p| p.contains(uid)) {
                self.add_to_workspace(&ws, uid);
            }
        }
        if let Some(g) = &api.git_info {
            let repo = format!("{}/{}", g.organization, g.repository);
            self.ws.migrations.linked_repos.insert(repo, ws.clone());
        }
        ws
    }
}

/// The root file: the one flagged, else the only file, else the first document with an
/// `openapi`, `swagger` or `asyncapi` key at its top.
fn root_path(api: &Api) -> Option<String> {
    let files = &api.schema.as_ref()?.files;
    if let Some(f) = files.values().find(|f| f.root) {
        return Some(f.path.clone());
    }
    if files.len() == 1 {
        return files.keys().next().cloned();
    }
    let is_document = |content: &str| {
        content.lines().any(|l| {
            [
                "openapi",
                "swagger",
                "asyncapi",
                "\"openapi\"",
                "\"swagger\"",
                "\"asyncapi\"",
            ]
            .iter()
            .any(|k| l.trim_start().starts_with(k) && l.contains(':'))
        })
    };
    files
        .values()
        .find(|f| is_document(&f.content))
        .map(|f| f.path.clone())
}

/// Dispatches the two migration routes; `None` leaves the request to others.
pub fn route(st: &mut State, req: &Req, segs: &[&str]) -> Option<Reply> {
    let result = match (req.method.as_str(), segs) {
        ("POST", ["apis", api, "spec-migrations"]) => start(st, req, api),
        ("GET", ["apis", api, "spec-migrations"]) => status(st, api),
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| e))
}

// ---------------------------------------------------------------- errors

/// Schema `migrateApiToSpecHub400ErrorTitleMessage`.
fn title_message(title: &str, message: &str) -> Reply {
    Reply::json(400, json!({"error": {"title": title, "message": message}}))
}

const NOT_POSSIBLE: &str = "Moving to Spec Hub not possible";

/// Example `migrateApiToSpecHub400ErrorRepoLinkedToAnotherWorkspace` (the same shape,
/// `…TitleMessageDetails`, for an API already moved).
fn not_possible(message: &str, workspace: &str) -> Reply {
    Reply::json(
        400,
        json!({"error": {
            "title": NOT_POSSIBLE, "details": {"workspaceId": workspace}, "message": message,
        }}),
    )
}

/// Example `migrateApiToSpecHub400ErrorInvalidPathParam`.
fn invalid_git_path() -> Reply {
    Reply::json(
        400,
        json!({"error": {
            "type": "badRequest", "name": "invalidGitInfoPath", "title": "Invalid path parameter",
            "message": "The provided path is invalid. It must be an absolute path starting with \\, contain only alphanumeric characters, slashes, hyphens, underscores, and dots, and must not contain \\..\\ path traversal sequences.",
        }}),
    )
}

/// Example `migrateApiToSpecHub400ErrorMigrationStatusInvalidFormat`; with 404 (a
/// status the spec does not declare) and the same shape when the API was never moved.
fn name_message(status: u16, name: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": {"name": name, "message": message, "details": {"param": "apiId"}}}),
    )
}

// ---------------------------------------------------------------- handlers

/// `gitInfo.path`: absolute, `[A-Za-z0-9/_.-]` only, no `..` segment.
fn valid_git_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
        && !path.split('/').any(|s| s == "..")
}

fn destination(req: &Req) -> Result<Destination> {
    let body = req.json_body().filter(Value::is_object).unwrap_or_default();
    let text = |v: &Value| {
        v.as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    if let Some(id) = text(&body["workspaceId"]) {
        return Ok(Destination::Workspace(id));
    }
    let Some(name) = text(&body["workspaceInfo"]["name"]) else {
        return Err(title_message(
            "Invalid request body",
            "Provide workspaceId, or workspaceInfo with a name.",
        ));
    };
    let git_path = match body.get("gitInfo") {
        None => None,
        Some(g) => match text(&g["path"]) {
            Some(p) if valid_git_path(&p) => Some(p),
            _ => return Err(invalid_git_path()),
        },
    };
    Ok(Destination::NewWorkspace { name, git_path })
}

fn start(st: &mut State, req: &Req, api_id: &str) -> Result<Reply> {
    let destination = destination(req)?;
    // "This returns an HTTP 200 OK response if the given API ID isn't an API Builder
    // definition", with the example of an API that has nothing to move.
    let empty = Reply::ok(json!({
        "message": "This API doesn't have any API Definition or Collection", "success": true,
    }));
    let Some(api) = st.api(api_id) else {
        return Ok(empty);
    };
    let schema = api.schema.as_ref().filter(|s| !s.files.is_empty());
    if schema.is_none() && api.collections.is_empty() {
        return Ok(empty);
    }
    match st.migration(api_id).map(|m| &m.outcome) {
        Some(Outcome::Running { .. }) => {
            return Err(title_message(
                NOT_POSSIBLE,
                "Moving this API to Spec Hub is already in progress.",
            ))
        }
        Some(Outcome::Completed { workspace }) => {
            return Err(not_possible(
                "This API has already been moved to Spec Hub.",
                workspace,
            ))
        }
        _ => {}
    }
    if let Some(t) = schema.map(|s| s.schema_type.as_str()) {
        if spec_type(t).is_none() {
            return Err(title_message(
                "Definition type not supported",
                &format!("This API contains an unsupported definition type {t}. Spec Hub supports: OAS3, OAS3.1, OAS2.0, AsyncAPI2.0, graphQl, gRPC."),
            ));
        }
    }
    match (&destination, &api.git_info) {
        (Destination::Workspace(_), Some(_)) => {
            return Err(title_message(
                NOT_POSSIBLE,
                "To migrate a Git-linked API Builder definition to Spec Hub, you must create a new workspace.",
            ))
        }
        (Destination::Workspace(id), None) if st.workspace(id).is_none() => {
            return Err(title_message(
                NOT_POSSIBLE,
                &format!("Workspace {id} was not found."),
            ))
        }
        (_, Some(g)) => {
            let repo = format!("{}/{}", g.organization, g.repository);
            if let Some(ws) = st.ws.migrations.linked_repos.get(&repo) {
                return Err(not_possible(
                    "The git repository is already linked to another workspace. Please reach out to Postman support for assistance.",
                    ws,
                ));
            }
        }
        _ => {}
    }
    let looks_left = 1 + st.ws.migrations.extra_looks.pop_front().unwrap_or(0);
    let failure = st.ws.migrations.failures.pop_front();
    let migration = Migration {
        api_id: api_id.into(),
        destination,
        outcome: Outcome::Running { looks_left },
        failure,
    };
    st.ws.migrations.by_api.insert(api_id.into(), migration);
    Ok(Reply::json(
        202,
        json!({"message": "Moving to Spec Hub started successfully", "success": true}),
    ))
}

/// A migration still running answers `{}`: the documented `status` has only the two
/// final values (COMPLETED, FAILED) and nothing in the schema is required, so the
/// faithful answer that claims neither is one without `status` and `details`. Clients
/// must read anything but those two values as "not finished". An API never moved (or
/// unknown) answers 404 in the shape of the operation's 400.
fn status(st: &mut State, api_id: &str) -> Result<Reply> {
    let uuid_shaped =
        api_id.len() == 36 && api_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if !uuid_shaped {
        return Err(name_message(
            400,
            "invalidParamsError",
            "The specified parameter is in an invalid format",
        ));
    }
    let body = match st.look_at_migration(api_id) {
        None => {
            return Err(name_message(
                404,
                "instanceNotFoundError",
                "This API has not been moved to Spec Hub.",
            ))
        }
        Some(Outcome::Running { .. }) => json!({}),
        Some(Outcome::Completed { workspace }) => {
            json!({"status": "COMPLETED", "details": {"workspaceId": workspace}})
        }
        Some(Outcome::Failed { reason }) => {
            json!({"status": "FAILED", "details": {"reason": reason}})
        }
    };
    Ok(Reply::ok(body))
}
