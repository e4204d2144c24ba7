//! What a push records as Postman's state once its writes are done (R's Postman view):
//! each object the push wrote as Postman serves it now (read again: Postman gives ids
//! and keeps its own form), every other object as the read before the push had it,
//! which is what the push checked against R. So a change someone else makes meanwhile
//! to an object the push did not write (or an object they create or delete) stays a
//! change: the next fetch brings it, and a push before that fetch is `fetch first`,
//! never a silent undo of it. The API Builder's view is made the same way
//! (`remote::api_builder::view`).
//!
//! A spec file is its own object when the push only created, updated or deleted files
//! of its spec; a renamed spec, a renamed file or a new ROOT make the whole spec written.

use std::collections::BTreeMap;

use super::plan::Write;
use super::state::{Spec, Workspace};
use super::write::same_id;

/// `after` (Postman read right after the writes of `plan`) with what the push did not
/// write taken from `before` (the read the plan was made from); `created`: repository
/// path -> id of the objects the push created.
pub fn view(
    before: &Workspace,
    after: Workspace,
    plan: &[Write],
    created: &BTreeMap<String, String>,
) -> Workspace {
    let written = Written::of(plan, created);
    let after_specs = after.specs.clone();
    let mut specs = merge(&before.specs, after.specs, spec_id, |id| written.spec(id));
    // A spec the push wrote files of, but not as a whole: those files from `after`.
    for spec in &mut specs {
        let Some(id) = spec.id.clone() else { continue };
        if written.spec(&id) || !written.files.iter().any(|(s, _)| same_id(s, &id)) {
            continue;
        }
        let Some(now) = after_specs.iter().find(|s| spec_id(s) == Some(&id)) else {
            continue;
        };
        let files = std::mem::take(&mut spec.files);
        spec.files = merge(
            &files,
            now.files.clone(),
            |f| Some(&f.path),
            |path| written.file(&id, path),
        );
    }
    Workspace {
        id: after.id,
        specs,
        collections: merge(
            &before.collections,
            after.collections,
            |c| c.id.as_deref(),
            |id| written.collections.iter().any(|w| same_id(w, id)),
        ),
        environments: merge(
            &before.environments,
            after.environments,
            |e| e.id.as_deref(),
            |id| written.environments.iter().any(|w| same_id(w, id)),
        ),
        globals: match written.globals {
            true => after.globals,
            false => before.globals.clone(),
        },
    }
}

fn spec_id(s: &Spec) -> Option<&str> {
    s.id.as_deref()
}

/// The objects a plan's writes touch, by id.
#[derive(Default)]
struct Written<'a> {
    /// Specs written as a whole (created, renamed, deleted, a file renamed, a new ROOT).
    specs: Vec<&'a str>,
    /// (spec id, file path) of each file created, updated or deleted.
    files: Vec<(&'a str, &'a str)>,
    collections: Vec<&'a str>,
    environments: Vec<&'a str>,
    globals: bool,
}

impl<'a> Written<'a> {
    fn of(plan: &'a [Write], created: &'a BTreeMap<String, String>) -> Written<'a> {
        let mut w = Written::default();
        let new = |path: &String| created.get(path).map(String::as_str);
        for write in plan {
            match write {
                Write::CreateSpec { path, .. } => w.specs.extend(new(path)),
                Write::RenameSpec { id, .. } | Write::DeleteSpec { id, .. } => w.specs.push(id),
                Write::RenameSpecFile { spec_id, .. } | Write::SetRoot { spec_id, .. } => {
                    w.specs.push(spec_id)
                }
                Write::CreateSpecFile { spec_id, path, .. }
                | Write::UpdateSpecFile { spec_id, path, .. }
                | Write::DeleteSpecFile { spec_id, path } => w.files.push((spec_id, path)),
                Write::CreateCollection { path, .. } => w.collections.extend(new(path)),
                Write::UpdateCollection { uid, .. } | Write::DeleteCollection { uid, .. } => {
                    w.collections.push(uid)
                }
                Write::CreateEnvironment { path, .. } => w.environments.extend(new(path)),
                Write::UpdateEnvironment { uid, .. } | Write::DeleteEnvironment { uid, .. } => {
                    w.environments.push(uid)
                }
                Write::PutGlobals { .. } => w.globals = true,
                // Nothing is sent: the object is where git moved it, as before.
                Write::Remap { .. } => {}
            }
        }
        w
    }

    fn spec(&self, id: &str) -> bool {
        self.specs.iter().any(|s| same_id(s, id))
    }

    fn file(&self, spec: &str, path: &str) -> bool {
        self.files
            .iter()
            .any(|(s, p)| same_id(s, spec) && *p == path)
    }
}

/// The objects of `after` whose key `written` holds, and `before`'s for every other key
/// (`after`'s order, then what only `before` has): one `after` lacks that the push did
/// not delete is kept, one only `after` has that the push did not create is left out.
/// An object without a key (none read from Postman lacks one) is `after`'s.
fn merge<T: Clone>(
    before: &[T],
    after: Vec<T>,
    key: impl Fn(&T) -> Option<&str>,
    written: impl Fn(&str) -> bool,
) -> Vec<T> {
    let find = |list: &[T], k: &str| list.iter().find(|o| key(o) == Some(k)).cloned();
    let mut out: Vec<T> = Vec::new();
    for now in &after {
        match key(now) {
            Some(k) if !written(k) => out.extend(find(before, k)),
            _ => out.push(now.clone()),
        }
    }
    for old in before {
        let gone = key(old).filter(|k| !written(k) && find(&after, k).is_none());
        if gone.is_some() {
            out.push(old.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::state::{Collection, Environment, Globals};
    use super::super::testdata::var;
    use super::super::tests::{sample, spec_file};
    use super::*;

    fn collection(id: &str, name: &str) -> Collection {
        Collection {
            id: Some(id.into()),
            name: name.into(),
            json: format!("{{\"info\": {{\"name\": \"{name}\"}}}}"),
        }
    }

    fn environment(id: &str, name: &str, value: &str) -> Environment {
        Environment {
            id: Some(id.into()),
            name: name.into(),
            values: vec![var("url", value, "default")],
        }
    }

    /// `sample` with two collections.
    fn before() -> Workspace {
        sample(vec![
            collection("1-aaaaaaaa-0000-0000-0000-000000000001", "Smoke"),
            collection("1-aaaaaaaa-0000-0000-0000-000000000002", "Billing"),
        ])
    }

    const PAYMENTS: &str = "aa74aa62-3867-47f3-b3e9-9b53a73678a5";
    const ORDERS: &str = "cff9ef8c-762c-4279-9e9a-e6cc5fa36545";
    const SMOKE: &str = "1-aaaaaaaa-0000-0000-0000-000000000001";
    const BILLING: &str = "1-aaaaaaaa-0000-0000-0000-000000000002";
    const PROD: &str = "3512728-f8bb4d9c-1040-4f12-b5db-011c1992ddde";
    const NEW: &str = "1-bbbbbbbb-0000-0000-0000-000000000003";

    fn spec_mut<'a>(ws: &'a mut Workspace, id: &str) -> &'a mut Spec {
        ws.specs
            .iter_mut()
            .find(|s| spec_id(s) == Some(id))
            .unwrap()
    }

    /// What someone else does between the push's writes and its read: every kind of
    /// object changed, one created, one deleted.
    fn with_foreign_changes(mut ws: Workspace) -> Workspace {
        spec_mut(&mut ws, ORDERS).files[0] = spec_file("components/schemas.json", "{}", false);
        ws.collections[1].name = "Billing (theirs)".into();
        ws.collections.push(collection(
            "1-cccccccc-0000-0000-0000-000000000004",
            "Theirs",
        ));
        ws.environments[0] = environment(PROD, "Prod", "https://theirs");
        ws.environments.remove(1);
        ws.globals = Some(Globals {
            id: None,
            values: vec![var("g", "theirs", "default")],
        });
        ws
    }

    #[test]
    fn what_the_push_did_not_write_is_as_before_it_whatever_postman_now_has() {
        let before = before();
        // The push: the Payments ROOT's content, Smoke updated, a collection created.
        let plan = vec![
            Write::UpdateSpecFile {
                spec_id: PAYMENTS.into(),
                path: "index.yaml".into(),
                content: "openapi: 3.0.3\n".into(),
            },
            Write::UpdateCollection {
                uid: SMOKE.into(),
                path: "postman/collections/Smoke".into(),
                json: String::new(),
            },
            Write::CreateCollection {
                path: "postman/collections/New".into(),
                json: String::new(),
            },
        ];
        let created = BTreeMap::from([("postman/collections/New".into(), NEW.into())]);
        let mut ours = before.clone();
        spec_mut(&mut ours, PAYMENTS).files[0] = spec_file("index.yaml", "openapi: 3.0.3\n", true);
        ours.collections[0].json = "{\"info\": {\"name\": \"Smoke\", \"_postman_id\": 1}}".into();
        ours.collections.push(collection(NEW, "New"));

        // Nobody else wrote: the read after is the view.
        assert_eq!(view(&before, ours.clone(), &plan, &created), ours);
        // Someone else did: only what the push wrote is taken from the read after.
        let after = with_foreign_changes(ours.clone());
        assert_eq!(view(&before, after, &plan, &created), ours);
    }

    #[test]
    fn what_the_push_wrote_is_as_postman_has_it_after() {
        let before = before();
        let plan = vec![
            Write::SetRoot {
                spec_id: ORDERS.into(),
                path: "components/schemas.json".into(),
            },
            Write::DeleteCollection {
                uid: BILLING.into(),
                name: "Billing".into(),
            },
            Write::UpdateEnvironment {
                uid: PROD.into(),
                path: "postman/environments/Prod.environment.yaml".into(),
                name: "Prod".into(),
                values: Vec::new(),
            },
            Write::PutGlobals { values: Vec::new() },
        ];
        let mut after = with_foreign_changes(before.clone());
        after.collections.remove(1);
        let got = view(&before, after.clone(), &plan, &BTreeMap::new());
        // The whole Orders spec (a new ROOT), the environment and the globals as after;
        // Billing deleted; the collection someone else created left out, the
        // environment they deleted kept.
        assert_eq!(got.specs, after.specs);
        assert_eq!(got.collections, before.collections[..1]);
        assert_eq!(got.environments[0], after.environments[0]);
        assert_eq!(got.environments[1..], before.environments[1..]);
        assert_eq!(got.globals, after.globals);
    }
}
