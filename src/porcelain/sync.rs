//! `git postman sync <spec>`: asks Postman to bring the collections generated from a Spec
//! Hub spec in line with it (or to generate one, when the spec has none), waits for each
//! 202 task, then fetches, so the regenerated collection arrives as a commit on
//! `<remote>/main` like any change made in Postman. Only for a workspace remote: the API
//! Builder has no generated collections.

use std::io::Write;

use super::cli::SyncArgs;
use super::kind::{self, Unpicked};
use super::workspace::{self, PostmanRemote, Workspace};
use crate::layout::workspace::resources::{self, Cloud};
use crate::layout::workspace::{Kind, RESOURCES_FILE, SPECS_DIR};
use crate::postman::workspace::Spec;
use crate::postman::{self, apikey};
use crate::remote::tree::short_id;
use crate::remote::url::Target;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] workspace::Error),
    #[error(transparent)]
    Postman(#[from] postman::Error),
    #[error(transparent)]
    PostmanWorkspace(#[from] postman::workspace::Error),
    #[error("no workspace remote here (git postman connect --workspace <id>, or git clone postman::workspaces/<id>)")]
    NoWorkspaceRemote,
    #[error("several workspace remotes ({0}): say which with --remote")]
    WhichRemote(String),
    #[error(
        "remote {0} is not a workspace remote: only Spec Hub specs have generated collections"
    )]
    NotAWorkspace(String),
    #[error("no remote {0} with a postman:: URL here")]
    NoSuchRemote(String),
    #[error("workspace {workspace} has no spec {spec:?} (a spec's name or id as Postman lists it, or its path under postman/specs)")]
    NoSuchSpec { workspace: String, spec: String },
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

pub fn run(args: &SyncArgs, out: &mut dyn Write) -> Result<(), Error> {
    let ws = Workspace::discover("sync")?;
    let remote = pick_remote(&ws, args.remote.as_deref())?;
    let Target::Workspace { base, workspace_id } = &remote.target else {
        return Err(Error::NotAWorkspace(remote.name));
    };
    let (client, specs) = apikey::first_request(base, |c| {
        c.specs(workspace_id)
            .map_err(|e| e.into_client_error("/specs"))
    })?;
    let specs = specs?;
    let spec = find_spec(&ws, &specs, &args.spec).ok_or_else(|| Error::NoSuchSpec {
        workspace: workspace_id.clone(),
        spec: args.spec.clone(),
    })?;

    let generated = client.generated_collections(&spec.id)?;
    if generated.is_empty() {
        let uid = client.generate_collection(&spec.id, &spec.name)?;
        writeln!(
            out,
            "Generated collection {:?} ({uid}) from spec {:?}.",
            spec.name, spec.name
        )?;
    }
    for c in &generated {
        if c.state == "in-sync" {
            writeln!(
                out,
                "Collection {:?} ({}) is in sync with spec {:?}.",
                c.name, c.id, spec.name
            )?;
        } else {
            client.sync_collection(&spec.id, &c.id)?;
            writeln!(
                out,
                "Synced collection {:?} ({}) with spec {:?}.",
                c.name, c.id, spec.name
            )?;
        }
    }

    // git runs the remote helper: the result is a commit like any change in Postman.
    let tracking = format!("refs/remotes/{}/main", remote.name);
    let before = ws
        .repo
        .find_reference(tracking.as_str())
        .ok()
        .map(|mut r| r.peel_to_id());
    let before = before.and_then(Result::ok).map(|id| id.detach());
    ws.git(["fetch", "--quiet", &remote.name])?;
    let after = ws
        .repo
        .find_reference(tracking.as_str())
        .ok()
        .and_then(|mut r| r.peel_to_id().ok())
        .map(|id| id.detach());
    let name = &remote.name;
    match after {
        Some(after) if Some(after) != before => writeln!(
            out,
            "Fetched {name}/main: {} (git merge {name}/main takes it).",
            short_id(after)
        )?,
        _ => writeln!(out, "Fetched {name}: nothing new in git.")?,
    }
    Ok(())
}

/// `--remote`, else the one workspace remote.
fn pick_remote(ws: &Workspace, name: Option<&str>) -> Result<PostmanRemote, Error> {
    kind::pick(ws, name, |t| matches!(t, Target::Workspace { .. })).map_err(|e| match e {
        Unpicked::NoSuchRemote(name) => Error::NoSuchRemote(name),
        Unpicked::None => Error::NoWorkspaceRemote,
        Unpicked::Several(names) => Error::WhichRemote(names),
    })
}

/// The spec `wanted` names: its id or name as Postman lists it, else a path (typed
/// relative to the current directory) of a spec's file or directory that
/// `.postman/resources.yaml` maps.
fn find_spec<'a>(ws: &Workspace, specs: &'a [Spec], wanted: &str) -> Option<&'a Spec> {
    if let Some(s) = specs.iter().find(|s| s.id == wanted || s.name == wanted) {
        return Some(s);
    }
    let path = ws.repo_path(wanted).ok()?;
    let text = ws.read(RESOURCES_FILE).ok()??;
    let cloud: Cloud = resources::read(&String::from_utf8_lossy(&text)).ok()?.cloud;
    let mapped = cloud.get(&Kind::Specs)?;
    // A multi-file spec is mapped by its ROOT file: its directory (right under
    // postman/specs) and everything in it name it too.
    let id = mapped.iter().find_map(|(p, id)| {
        let dir = p
            .strip_prefix(SPECS_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.split_once('/'))
            .map(|(name, _)| format!("{SPECS_DIR}/{name}"))
            .unwrap_or_else(|| p.clone());
        let inside = path
            .strip_prefix(dir.as_str())
            .is_some_and(|r| r.starts_with('/'));
        (*p == path || dir == path || inside).then_some(id)
    })?;
    specs.iter().find(|s| &s.id == id)
}
