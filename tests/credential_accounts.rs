//! `git postman accounts` and `accounts remove <host>` on real keyrings (kernel keyutils;
//! gnome-keyring's Secret Service on a private D-Bus): every login listed with its host,
//! provider, user, expiry and refresh token, never a secret; a host forgotten in every
//! keyring the helper can open.
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod support;

use std::process::Output;

use support::{each_store, text, Keyring, Kind};

const PORCELAIN: &str = env!("CARGO_BIN_EXE_git-postman");

/// Secrets stored in this test: none may ever be printed.
const SECRETS: [&str; 4] = [
    "gl-access-4d1f",
    "gl-refresh-9a2c",
    "pm-api-key-77e0",
    "ado-pat-51b3",
];

fn accounts(k: &Keyring, args: &[&str], input: &str) -> Output {
    let mut all = vec!["accounts"];
    all.extend_from_slice(args);
    let out = k.run(PORCELAIN, &all, input.as_bytes());
    for secret in SECRETS {
        let shown = text(&out.stdout) + &text(&out.stderr);
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    out
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The table row whose first cell is `url`, split into its cells.
fn row(table: &str, url: &str) -> Option<Vec<String>> {
    table
        .lines()
        .find(|l| l.split("  ").next() == Some(url))
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
}

/// Stores `fields` through the helper (as git's `approve` does), in `store` if given.
fn store(k: &Keyring, store: Option<&str>, fields: &str) {
    let mut args = Vec::new();
    if let Some(s) = store {
        args.extend(["--store", s]);
    }
    args.push("store");
    let out = k.helper(&args, fields);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn accounts_lists_every_login_and_remove_forgets_a_host_everywhere() {
    each_store(|k| {
        let forge = k.host("acct-gitlab");
        let postman = k.host("acct-postman");
        let ado = k.host("acct-ado");
        let both = k.host("acct-both");
        let dir = k.home.path().join(".config/git-postman");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("apps.yaml"),
            format!(
                "apps:\n  - name: Lab\n    provider: gitlab\n    url: https://{forge}\n    client_id: lab\n"
            ),
        )
        .unwrap();
        store(
            k,
            None,
            &format!(
                "protocol=https\nhost={forge}\nusername=oauth2\npassword={}\n\
                 password_expiry_utc=4102444800\noauth_refresh_token={}\n",
                SECRETS[0], SECRETS[1]
            ),
        );
        store(
            k,
            None,
            &format!(
                "protocol=https\nhost={postman}\nusername=postman-api-key\npassword={}\n",
                SECRETS[2]
            ),
        );
        let collection = format!("https://{ado}/tfs/DefaultCollection");
        let pat = k.run(
            PORCELAIN,
            &[
                "pat",
                "add",
                &collection,
                "--username",
                "alice",
                "--token-stdin",
            ],
            format!("{}\n", SECRETS[3]).as_bytes(),
        );
        assert!(pat.status.success(), "{}", text(&pat.stderr));
        // The same host in the configured keyring and in keyutils (a user who switched).
        let both_fields = format!("protocol=https\nhost={both}\nusername=u\npassword=p\n");
        store(k, None, &both_fields);
        store(k, Some("keyutils"), &both_fields);

        let listed = ok(accounts(k, &[], ""));
        let name = k.kind.store_name();
        let expected = [
            (
                format!("https://{forge}"),
                vec!["gitlab", "oauth2", "2100-01-01T00:00:00Z", "yes", name],
            ),
            (
                format!("https://{postman}"),
                vec!["postman", "postman-api-key", "-", "no", name],
            ),
            (
                collection.clone(),
                vec!["azure-devops-server", "alice", "-", "no", name],
            ),
        ];
        for (url, cells) in expected {
            let found = row(&listed, &url).unwrap_or_else(|| panic!("no row {url}: {listed}"));
            assert_eq!(found[1..], cells, "{url}: {listed}");
        }
        assert!(listed.starts_with("HOST "), "{listed}");

        // Forgotten in both keyrings (one here when the configured one is keyutils).
        let out = ok(accounts(k, &["remove", &both], ""));
        let entries = if k.kind == Kind::SecretService { 2 } else { 1 };
        assert!(
            out.starts_with(&format!("Forgot {entries} stored entr")),
            "{out}"
        );
        let listed = ok(accounts(k, &[], ""));
        assert!(
            row(&listed, &format!("https://{both}")).is_none(),
            "{listed}"
        );

        // A forge host: its token and refresh token go; the others stay.
        ok(accounts(k, &["remove", &format!("https://{forge}")], ""));
        let listed = ok(accounts(k, &[], ""));
        assert!(
            row(&listed, &format!("https://{forge}")).is_none(),
            "{listed}"
        );
        assert!(
            row(&listed, &format!("https://{postman}")).is_some(),
            "{listed}"
        );
        let get = k.helper(&["get"], &format!("protocol=https\nhost={forge}\n"));
        assert_eq!(text(&get.stdout), "", "still answered after remove");

        // The PAT's host: its personal access token goes.
        ok(accounts(k, &["remove", &ado], ""));
        let listed = ok(accounts(k, &[], ""));
        assert!(row(&listed, &collection).is_none(), "{listed}");

        // Nothing left for a host: one clear line, non-zero.
        let out = accounts(k, &["remove", &forge], "");
        assert_eq!(out.status.code(), Some(128));
        assert_eq!(
            text(&out.stderr),
            format!("fatal: no login is stored for {forge}; `git postman accounts` lists them\n")
        );
        let out = accounts(k, &["remove", "not a host"], "");
        assert!(
            text(&out.stderr).contains("'not a host' is not a host"),
            "{}",
            text(&out.stderr)
        );
    });
}
