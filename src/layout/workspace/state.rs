//! A workspace as plain data: what a fetch reads from Postman and turns into files
//! ([`mod@super::write`]), and what a push reads from a commit's files ([`super::read`]).

/// The objects of one workspace git-postman keeps in git.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workspace {
    pub id: String,
    pub specs: Vec<Spec>,
    pub collections: Vec<Collection>,
    pub environments: Vec<Environment>,
    pub globals: Option<Globals>,
}

/// A Spec Hub spec. `id` is `None` for one a push has to create.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub id: Option<String>,
    pub name: String,
    /// Spec Hub's type (`OPENAPI:3.0`, `ASYNCAPI:2.0`...), see [`super::spec::TYPES`].
    pub spec_type: String,
    pub files: Vec<SpecFile>,
}

/// One file of a spec: its path in Spec Hub, its bytes, and whether it is the ROOT.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecFile {
    pub path: String,
    pub content: Vec<u8>,
    pub root: bool,
}

/// A collection: its UID and the v2.1 JSON text the API serves (or a push sends).
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub id: Option<String>,
    pub name: String,
    pub json: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub id: Option<String>,
    pub name: String,
    pub values: Vec<Variable>,
}

/// The workspace's globals (one set per workspace).
#[derive(Debug, Clone, PartialEq)]
pub struct Globals {
    pub id: Option<String>,
    pub values: Vec<Variable>,
}

/// A variable of an environment or of the globals.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Variable {
    pub key: String,
    /// `None`: a `secret` whose value git does not hold, so a push leaves Postman's.
    pub value: Option<String>,
    pub enabled: bool,
    /// `default`, `secret` (or `any`, which older environments have).
    pub kind: String,
}

impl Variable {
    pub const DEFAULT: &'static str = "default";
    pub const SECRET: &'static str = "secret";

    pub fn is_secret(&self) -> bool {
        self.kind == Self::SECRET
    }
}

/// An object found in a commit, with the repository path it came from (the spec's file
/// or directory, the collection's directory, the environment's file).
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    pub path: String,
    pub value: T,
}
