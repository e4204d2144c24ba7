//! The two kinds of Postman remote, for the tests of git's side (rules 1-3, fetch first,
//! non-fast-forward, force and lease, dry-run, the interrupted push, determinism), which
//! is written once and must hold for both: the API Builder (`postman::…/apis/<id>`, in
//! each collection format) and a v12 workspace (`postman::…/workspaces/<id>`). Each kind
//! seeds the fake, and knows which file a user edits, what changes in Postman, and which
//! object a push creates or deletes.

use std::path::PathBuf;

use super::fake_postman::{Change, FakePostman, RecordedRequest, State};
use super::format::Format;
use super::git::Sandbox;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The API Builder, its collections in this format.
    Api(Format),
    Workspace,
}

/// `mod <test> { api_v2, api_v3, workspace }`: runs `fn <test>(Backend)` once per kind
/// of remote, so one test body asserts a rule of git's side for every backend.
#[macro_export]
macro_rules! for_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use $crate::support::backend::Backend;
            use $crate::support::format::Format;
            #[test]
            fn api_v2() {
                super::$test(Backend::Api(Format::V2))
            }
            #[test]
            fn api_v3() {
                super::$test(Backend::Api(Format::V3))
            }
            #[test]
            fn workspace() {
                super::$test(Backend::Workspace)
            }
        }
    )*};
}

/// A fake seeded for one kind of remote, and a clone of it in `repo`.
pub struct Remote {
    pub fake: FakePostman,
    pub sandbox: Sandbox,
    pub repo: PathBuf,
    pub backend: Backend,
    /// The API's or the workspace's id.
    pub id: String,
}

/// What someone else changes in Postman: another file of the spec these tests edit, to
/// this text; the description of the collection both seeds have.
#[derive(Debug, Clone, Copy)]
pub enum Other<'a> {
    SpecFile(&'a str),
    Collection(&'a str),
}

/// The workspace spec whose files these tests edit.
const SPEC: &str = "payments";

impl Backend {
    /// A fake seeded with the sample API or workspace, cloned into `clone`; the
    /// requests so far forgotten.
    pub fn start(self) -> Remote {
        let fake = FakePostman::start();
        let id = fake.with_state(|s| match self {
            Backend::Api(_) => s.seed_sample(),
            Backend::Workspace => s.seed_workspace(),
        });
        let remote = Remote {
            fake,
            sandbox: Sandbox::new(),
            repo: PathBuf::new(),
            backend: self,
            id,
        };
        remote.clone_into("clone");
        remote.fake.clear_requests();
        Remote {
            repo: remote.sandbox.join("clone"),
            ..remote
        }
    }
}

impl Remote {
    pub fn url(&self) -> String {
        let kind = match self.backend {
            Backend::Api(_) => "apis",
            Backend::Workspace => "workspaces",
        };
        format!("postman::{}/{kind}/{}", self.fake.base_url(), self.id)
    }

    /// `git clone` of the remote into `dir` (below the sandbox).
    pub fn clone_into(&self, dir: &str) {
        let mut args = vec!["clone", "-q"];
        if let Backend::Api(format) = self.backend {
            args.extend(format.clone_options());
        }
        let url = self.url();
        args.extend([url.as_str(), dir]);
        self.sandbox.git_ok(self.sandbox.path(), args);
    }

    /// The file these tests edit: the API's schema root, the workspace spec's ROOT.
    pub fn edited_file(&self) -> &'static str {
        match self.backend {
            Backend::Api(_) => "postman/schemas/index.yaml",
            Backend::Workspace => "postman/specs/payments/index.yaml",
        }
    }

    /// What Postman holds for [`Remote::edited_file`].
    pub fn edited_in_postman(&self) -> String {
        match self.backend {
            Backend::Api(_) => self.fake.schema_content(&self.id, "index.yaml"),
            Backend::Workspace => {
                let spec = self.spec_id(SPEC);
                self.fake
                    .with_state(|s| s.spec(&spec).unwrap().files["index.yaml"].content.clone())
            }
        }
    }

    /// Writes `text` to [`Remote::edited_file`] and commits it, amending the last commit
    /// (a rewritten history) or as a new one.
    pub fn commit_edit(&self, text: &str, amend: bool) {
        std::fs::write(self.repo.join(self.edited_file()), text).unwrap();
        self.sandbox.git_ok(&self.repo, ["add", "-A"]);
        let mut args = vec!["commit", "-q", "-m", "edit the root"];
        if amend {
            args.push("--amend");
        }
        self.sandbox.git_ok(&self.repo, args);
    }

    /// Someone changes another file of the same spec in Postman: the repository path a
    /// fetch then changes.
    pub fn change_in_postman(&self, text: &str) -> String {
        let (change, path) = self.other_change(Other::SpecFile(text));
        self.fake.with_state(change);
        path
    }

    /// Someone changes `what` in Postman right after Postman answers the next write:
    /// while a push runs, before it reads back what Postman holds. The repository path
    /// (a file, or a collection's directory) a fetch then changes.
    pub fn change_in_postman_after_next_write(&self, what: Other<'_>) -> String {
        let (change, path) = self.other_change(what);
        self.fake.with_state(|s| s.after_next_write(change));
        path
    }

    /// Someone's change, to make, and the path it changes.
    fn other_change(&self, what: Other<'_>) -> (Change, String) {
        match (what, self.backend) {
            (Other::SpecFile(text), backend) => {
                let (file, text) = ("components/schemas/Money.yaml", text.to_string());
                let change: Change = match backend {
                    Backend::Api(_) => {
                        let api = self.id.clone();
                        Box::new(move |s: &mut State| s.put_schema_file(&api, file, &text))
                    }
                    Backend::Workspace => {
                        let spec = self.spec_id(SPEC);
                        Box::new(move |s: &mut State| s.put_spec_file(&spec, file, &text))
                    }
                };
                let dir = match backend {
                    Backend::Api(_) => "postman/schemas",
                    Backend::Workspace => "postman/specs/payments",
                };
                (change, format!("{dir}/{file}"))
            }
            (Other::Collection(description), backend) => {
                let name = "Payments API";
                let uid = self.fake.with_state(|s| {
                    let c = s.collections.values().find(|c| c.name() == name).unwrap();
                    c.uid.clone()
                });
                let description = description.to_string();
                let change = move |s: &mut State| {
                    let mut body = s.collection(&uid).unwrap().body.clone();
                    body["info"]["description"] = description.into();
                    s.update_collection(&uid, body)
                };
                let format = match backend {
                    Backend::Api(format) => format,
                    Backend::Workspace => Format::V3,
                };
                (Box::new(change), format.collection_path(name))
            }
        }
    }

    /// A new object named `name` in the working tree: a collection, a spec.
    pub fn add_object(&self, name: &str) {
        match self.backend {
            Backend::Api(format) => {
                format.add_collection(&self.repo, name, "Refund", "https://x.example/r")
            }
            Backend::Workspace => {
                let dir = self.repo.join(format!("postman/specs/{name}"));
                std::fs::create_dir_all(&dir).unwrap();
                let text = format!(
                    "openapi: 3.0.3\ninfo:\n  title: {name}\n  version: '1'\npaths: {{}}\n"
                );
                std::fs::write(dir.join("openapi.yaml"), text).unwrap();
            }
        }
    }

    /// How many objects (collections, specs) named `name` Postman has.
    pub fn count_named(&self, name: &str) -> usize {
        self.fake.with_state(|s| match self.backend {
            Backend::Api(_) => {
                let api = s.api(&self.id).unwrap();
                let named = |u: &&String| s.collection(u).unwrap().name() == name;
                api.collections.iter().filter(named).count()
            }
            Backend::Workspace => s.ws.specs.values().filter(|sp| sp.name == name).count(),
        })
    }

    /// Removes an object from the working tree (a collection, a spec): what its
    /// deletion's request path contains.
    pub fn remove_object(&self) -> String {
        let (path, id) = match self.backend {
            Backend::Api(format) => {
                let name = "QA/Smoke tests";
                let uid = self.fake.with_state(|s| {
                    let api = s.api(&self.id).unwrap();
                    let named = |u: &&String| s.collection(u).unwrap().name() == name;
                    api.collections.iter().find(named).unwrap().clone()
                });
                (format.collection_path(name), uid)
            }
            Backend::Workspace => ("postman/specs/events.json".into(), self.spec_id("events")),
        };
        self.sandbox.git_ok(&self.repo, ["rm", "-rq", &path]);
        id
    }

    /// The id of the workspace spec named `name`.
    pub fn spec_id(&self, name: &str) -> String {
        self.fake.with_state(|s| {
            let spec = s.ws.specs.values().find(|sp| sp.name == name).unwrap();
            spec.id.clone()
        })
    }

    /// The writes (requests other than GET) Postman received since the last clear.
    pub fn writes(&self) -> Vec<String> {
        writes(&self.fake.requests())
    }

    /// Runs a push git must refuse with exit code 1, asserts nothing was written to
    /// Postman, and returns git's stderr.
    pub fn push_refused(&self, args: &[&str]) -> String {
        self.fake.clear_requests();
        let (code, stderr) = self.sandbox.git_fails(&self.repo, args);
        assert_eq!(code, 1, "{stderr}");
        assert!(self.writes().is_empty(), "a refused push wrote: {stderr}");
        stderr
    }

    pub fn rev(&self, rev: &str) -> String {
        self.sandbox.rev(&self.repo, rev)
    }
}

/// `METHOD path` of each request other than GET.
pub fn writes(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}
