//! The command line of `git postman`, as clap types. They live in the library (not in the
//! binary) so that `tests/man_pages.rs` can generate `man/git-postman.1` from them.
//!
//! Each subcommand is one variant of [`Command`] with its own `…Args` struct (`app` and
//! `pat`, for OAuth apps and personal access tokens, take their nested commands from
//! `crate::credential::cli`); a new command is a new variant plus a module.
// The doc comments below are `--help` and man page text, written for a terminal:
// URLs and <placeholders> as a user types them, not rustdoc markup.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

use crate::layout::mapping::CollectionFormat;
use clap::{Args, Parser, Subcommand};

pub const ABOUT: &str = "Connect a git repository to Postman APIs";

const LONG_ABOUT: &str = "Connect a git repository to Postman APIs.

Each connected API is a git remote with a postman:: URL; git fetch, pull and push then \
sync it through git-remote-postman(1). These commands set such a remote up on an \
existing repository (connect), show where each API stands (status), take it away \
(disconnect) and keep the Postman API key in git's credential system (login, logout).";

#[derive(Debug, Parser)]
#[command(
    name = "git-postman",
    bin_name = "git postman",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Connect(ConnectArgs),
    Disconnect(DisconnectArgs),
    Status(StatusArgs),
    Sync(SyncArgs),
    Migrate(MigrateArgs),
    Login(LoginArgs),
    Logout(LogoutArgs),
    /// Manage the OAuth apps git-credential-postman logs in with (GitHub Enterprise Server, GitLab Self-Managed).
    #[command(subcommand)]
    App(crate::credential::cli::AppCommand),
    /// Manage personal access tokens for Azure DevOps Server collections.
    #[command(subcommand)]
    Pat(crate::credential::cli::PatCommand),
    Accounts(AccountsArgs),
    Doctor(DoctorArgs),
    Install(InstallArgs),
}

/// Map this repository's files to a Postman API and add it as a remote.
#[derive(Debug, Args)]
#[command(
    long_about = "Map this repository's files to a Postman API and add it as a remote.

The schema root file and every file it reaches through relative $refs (JSON or YAML, \
fragments allowed; URLs and #/ refs are ignored) form the schema files Postman manages; \
the root file's directory is the schema directory, where other files stay yours. Every \
*.json file under the collection directory is a Postman collection. connect records the \
mapping in git config, writes .postman/api and .postman/api_<apiId> as Postman's own git \
integration does (left uncommitted: commit them), and records the branch's commit as the \
base the first fetch builds on, so Postman's history joins yours. If the API already has \
content in Postman, connect tells whether it differs from your files and what git fetch \
and git push will do.

Without --schema-file and --collection-dir, a repository that Postman's git integration \
wrote (it has .postman/api_<apiId>) keeps the layout recorded there.

With --workspace <id>, the remote is a Postman v12 workspace (postman::<server>/workspaces/<id>): \
its Spec Hub specs, collections, environments and globals in the layout the desktop app's \
Native Git writes (postman/specs, postman/collections/<name>/ as Collection v3 trees, \
postman/environments, postman/globals, .postman/resources.yaml). A repository the app wrote \
is recognised by its .postman/resources.yaml (which must name that workspace) and nothing in \
it is rewritten; one without that file gets the app's template of it, to commit. Every other \
file, and every key of .postman/resources.yaml but the managed cloudResources, stays byte for \
byte. connect compares the files with Postman through the remote helper's own functions and \
names the commit the first fetch makes; on a branch with no commit yet nothing is written, and \
that commit is the very one git clone makes."
)]
pub struct ConnectArgs {
    /// The API: its id, a postman:: URL, https://<server>/apis/<id>, or its Postman web address.
    #[arg(
        value_name = "API",
        required_unless_present = "workspace",
        conflicts_with = "workspace"
    )]
    pub api: Option<String>,

    /// A Postman v12 workspace instead of an API: its id (or its postman:: URL). The
    /// repository keeps the layout of the desktop app's Native Git (postman/specs,
    /// postman/collections, postman/environments, postman/globals, .postman/resources.yaml).
    #[arg(long, value_name = "ID")]
    pub workspace: Option<String>,

    /// Name of the git remote to add.
    #[arg(long, value_name = "NAME", default_value = "postman")]
    pub remote: String,

    /// The schema's root file (OpenAPI 2.0, 3.0, 3.1 or AsyncAPI, JSON or YAML).
    #[arg(long, value_name = "FILE")]
    pub schema_file: Option<String>,

    /// Directory of the API's collections, one *.json file (or v3 directory) each (default: postman/collections).
    #[arg(long, value_name = "DIR")]
    pub collection_dir: Option<String>,

    /// How collections are kept: v2.1 (one JSON file each, the default) or v3 (one
    /// Collection v3 YAML directory each, as Postman v12 writes them).
    #[arg(long, value_name = "FORMAT", value_parser = CollectionFormat::VALUES)]
    pub collection_format: Option<String>,

    /// The branch the API lives on; it must be checked out (default: the current branch).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// The Postman API server for a bare API or workspace id (default: https://api.getpostman.com).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// Remove a connected API: its remote, settings, private refs, cache and .postman entries.
#[derive(Debug, Args)]
#[command(
    long_about = "Remove a connected API: its remote and remote-tracking branches, its \
postman* settings, its private refs (refs/postman/<remote>/*), its cache, and its entries in \
.postman/api and .postman/api_<apiId> (left uncommitted). Nothing changes in Postman, and \
your files and commits stay. Asks for the API's name on the terminal first, unless --yes. \
For a workspace remote, the same, and .postman/resources.yaml stays (the desktop app's file \
too); the workspace's name is asked."
)]
pub struct DisconnectArgs {
    /// The remote to remove.
    #[arg(long, value_name = "NAME", default_value = "postman")]
    pub remote: String,

    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Regenerate the collections generated from a Spec Hub spec, then fetch (workspace remotes).
#[derive(Debug, Args)]
#[command(
    long_about = "Ask Postman to bring the collections generated from a Spec Hub spec in \
line with it (each one Postman lists as out of sync; when the spec has none, one is \
generated, named after the spec), wait for each task, then git fetch the remote, so the \
regenerated collections arrive as a commit on <remote>/main like any change made in \
Postman. For a workspace remote (postman::<server>/workspaces/<id>) only."
)]
pub struct SyncArgs {
    /// The spec: its name or id as Postman lists it, or its file or directory under
    /// postman/specs (as .postman/resources.yaml maps it).
    #[arg(value_name = "SPEC")]
    pub spec: String,

    /// The workspace remote (default: the only one).
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

/// Move a connected API from the API Builder to a Spec Hub workspace (Postman v12), in one commit.
#[derive(Debug, Args)]
#[command(
    long_about = "Move a connected API from the API Builder (deprecated in Postman v12) to \
Spec Hub: Postman's own migration (POST /apis/<id>/spec-migrations, then its status polled) \
makes the API's definition a spec and its collections the collections of a workspace. Then \
one commit on top of HEAD replaces the API's layout (its schema files, its collection files, \
.postman/api and .postman/api_<apiId>) with the workspace's, exactly as git clone of the \
workspace writes it (postman/specs, postman/collections, .postman/resources.yaml); every other \
file stays byte for byte and the history is kept. The commit is yours (git's author \
identity); its message names the API and the workspace. The remote's URL becomes the \
workspace's (postman::<server>/workspaces/<id>; its API layout settings go, its other \
settings stay), and <remote>/main is that commit: git pull is up to date, git push sends \
your next change.

Nothing is sent before the checks pass: the remote is an API Builder remote, its branch is \
checked out, the work tree has no uncommitted change, and the repository holds Postman's \
current state, as git postman status computes it (else one line says to git push or git \
pull first). Postman's API answer does not say which workspace the API is in, so \
--workspace or --new-workspace is required to start a migration. If Postman already moved \
the API (a run that stopped after Postman finished) or is still moving it, migrate picks \
that up instead of starting it again. The status is read at most \
postman.migrationPolls times (default 150), postman.migrationPollInterval seconds apart \
(default 2); when Postman is still busy after that, nothing changes here and running \
migrate again waits for the same migration."
)]
pub struct MigrateArgs {
    /// The API Builder remote to move (default: the only one).
    #[arg(value_name = "REMOTE")]
    pub remote: Option<String>,

    /// Move the API to this existing workspace (its id).
    #[arg(long, value_name = "ID", conflicts_with = "new_workspace")]
    pub workspace: Option<String>,

    /// Move the API to a new workspace Postman creates with this name.
    #[arg(long, value_name = "NAME")]
    pub new_workspace: Option<String>,
}

/// Show every connected API: mapping, last fetch, what is not pushed or not fetched.
#[derive(Debug, Args)]
#[command(
    long_about = "Show every connected API: its remote, its kind (KIND: api for the API \
Builder, workspace for a Postman v12 workspace) and id, branch and mapping, the \
time of the Postman state last fetched, the commits not pushed to Postman, the fetched \
commits not merged yet, and whether Postman changed since the last fetch (one small \
request per API: the API's updatedAt). Workspace remotes are shown too (--json: under \
workspaces): a workspace's updatedAt does not move when a spec file is edited, so for one \
the listings are read as fetch reads them (nothing unchanged is downloaded) and compared \
with the state last fetched."
)]
pub struct StatusArgs {
    /// Print JSON for tools instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Do not ask Postman whether it changed.
    #[arg(long)]
    pub offline: bool,

    /// Only this remote.
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

/// Which Postman API server a key is for.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The Postman API server (default: https://api.getpostman.com).
    #[arg(long, value_name = "URL", conflicts_with = "remote")]
    pub base_url: Option<String>,

    /// Use the server of this connected remote.
    #[arg(long, value_name = "NAME")]
    pub remote: Option<String>,
}

/// Store a Postman API key with git's credential helpers.
#[derive(Debug, Args)]
#[command(long_about = "Store a Postman API key with git's credential helpers \
(git credential approve, as protocol and host of the API server with username \
postman-api-key), where git-remote-postman(1) finds it. The key is asked for on the \
terminal without echo, or read from standard input with --with-key-stdin; it is never \
taken from the command line and never printed. Postman is asked first whether it accepts \
the key.")]
pub struct LoginArgs {
    #[command(flatten)]
    pub server: ServerArgs,

    /// Read the key from standard input (for CI).
    #[arg(long)]
    pub with_key_stdin: bool,

    /// Store the key without asking Postman whether it accepts it.
    #[arg(long)]
    pub no_verify: bool,
}

/// Remove the stored Postman API key (git credential reject).
#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub server: ServerArgs,
}

/// List the logins git-credential-postman keeps, or forget one host's.
#[derive(Debug, Args)]
#[command(
    long_about = "List the logins git-credential-postman keeps, in every keyring it \
can open here: for each, the forge host (or Postman's API server), the provider of the app \
that covers it, the user, when the token expires, whether a refresh token is held, and the \
keyring. Secrets are never shown. `git postman accounts remove <host>` forgets every login \
for a host, in every keyring: tokens, refresh tokens, the Postman API key and personal \
access tokens."
)]
pub struct AccountsArgs {
    #[command(subcommand)]
    pub command: Option<AccountsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Forget every login for a host, in every keyring.
    Remove {
        /// The host (ghes.example.com, ado.example.com:8080) or a URL (then only its protocol).
        host: String,
    },
}

/// Check the setup: helpers, credential.helper order, keyring, apps file, git, remotes, API keys.
#[derive(Debug, Args)]
#[command(
    long_about = "Check what most often breaks a setup, one line per check with its fix: \
the helpers where git looks for them (git --exec-path, then PATH); credential.helper for \
each forge in the apps file (git-credential-postman asked, and no helper before it that \
answers with credentials of its own); the keyring (a test entry written, read back and \
deleted); the apps file; git's version (OAuth refresh tokens need git 2.41); the postman:: \
remotes' URLs; and each remote's Postman API key (one GET /me, never a prompt). The exit \
status is non-zero when a check fails."
)]
pub struct DoctorArgs {
    /// Print JSON for scripts: {\"ok\": bool, \"checks\": [{check, status, detail, fix}]}.
    #[arg(long)]
    pub json: bool,
}

/// Install the three commands, the man pages and shell completions under a prefix.
#[derive(Debug, Args)]
#[command(
    long_about = "Install the three commands, the man pages and shell completions under a prefix.

Writes <prefix>/bin/git-postman (this program) with git-remote-postman and \
git-credential-postman beside it as links to it (it answers to the name it is run by), \
the man pages in <prefix>/share/man/man1, and completions for bash \
(share/bash-completion/completions), zsh (share/zsh/site-functions), fish \
(share/fish/vendor_completions.d) and PowerShell (share/git-postman/completions, to \
dot-source from $PROFILE)."
)]
pub struct InstallArgs {
    /// Where to install (default: the prefix this program runs from, e.g. ~/.cargo for ~/.cargo/bin, else ~/.local).
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<std::path::PathBuf>,
}

/// The command line of `git-remote-postman`, for its man page. git starts the helper
/// with two arguments and then speaks the remote-helper protocol on stdin/stdout; the
/// helper reads them by hand, so this is a description, not its parser.
pub fn remote_helper() -> clap::Command {
    clap::Command::new("git-remote-postman")
        .bin_name("git remote-postman")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Sync a Postman API with git: the remote helper for postman:: URLs")
        .long_about(
            "git runs git-remote-postman for every remote whose URL starts with postman:: or \
postman://, for git clone, fetch, pull, push and ls-remote; it is not run by hand. It reads \
the API's state from the Postman API (schema files, collections, published versions) and \
writes it as git commits and tags, and it sends pushed commits and tags back to Postman.",
        )
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            clap::Arg::new("remote")
                .value_name("REMOTE")
                .required(true)
                .help("The remote's name (its state is kept under refs/postman/<REMOTE>/), or the URL itself for a URL typed on the command line"),
        )
        .arg(
            clap::Arg::new("url")
                .value_name("URL")
                .help("The remote's URL: postman::<apiId>, postman::<server>/apis/<apiId> or postman://<host>/apis/<apiId>"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_lines_are_consistent() {
        Cli::command().debug_assert();
        remote_helper().debug_assert();
    }

    #[test]
    fn connect_parses_the_issue_example() {
        let cli = Cli::try_parse_from([
            "git-postman",
            "connect",
            "3d3fddb2",
            "--schema-file",
            "specs/openapi.yaml",
            "--collection-dir",
            "postman/collections",
        ])
        .unwrap();
        let Command::Connect(args) = cli.command else {
            panic!("not connect")
        };
        assert_eq!(args.remote, "postman");
        assert_eq!(args.schema_file.as_deref(), Some("specs/openapi.yaml"));
    }
}
