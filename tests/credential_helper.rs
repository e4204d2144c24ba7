//! git-credential-postman against real keyrings (kernel keyutils, gnome-keyring), driven
//! directly through its protocol: what git's t0303 checks and the edge cases of the issue.
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod support;

use support::{assert_quiet_success, each_store, text, Keyring, Kind};

fn get(k: &Keyring, input: &str) -> String {
    let out = k.helper(&["get"], input);
    assert_quiet_success(&out);
    text(&out.stdout)
}

fn store(k: &Keyring, input: &str) {
    assert_quiet_success(&k.helper(&["store"], input));
}

fn erase(k: &Keyring, input: &str) {
    assert_quiet_success(&k.helper(&["erase"], input));
}

#[test]
fn store_get_erase_follow_gits_rules() {
    each_store(|k| {
        let host = k.host("rules");
        let at = |extra: &str| format!("protocol=https\nhost={host}\n{extra}");
        assert_eq!(
            get(k, &at("")),
            "",
            "{:?}: a fresh host has nothing",
            k.kind
        );

        store(k, &at("username=user1\npassword=pass1\n"));
        store(k, &at("username=user2\npassword=pass2\n"));
        assert_eq!(
            get(k, &at("username=user1\n")),
            "username=user1\npassword=pass1\n"
        );
        assert_eq!(
            get(k, &at("username=user2\n")),
            "username=user2\npassword=pass2\n"
        );
        // Without a username: the newest one.
        assert_eq!(get(k, &at("")), "username=user2\npassword=pass2\n");
        // Matching protocol, host and username.
        assert_eq!(get(k, &format!("protocol=http\nhost={host}\n")), "");
        assert_eq!(get(k, &at("username=other\n")), "");

        // Overwrite on store.
        store(k, &at("username=user1\npassword=pass1b\n"));
        assert_eq!(
            get(k, &at("username=user1\n")),
            "username=user1\npassword=pass1b\n"
        );

        // A different password is not erased; the right one is.
        erase(k, &at("username=user1\npassword=wrong\n"));
        assert_eq!(
            get(k, &at("username=user1\n")),
            "username=user1\npassword=pass1b\n"
        );
        erase(k, &at("username=user1\npassword=pass1b\n"));
        assert_eq!(get(k, &at("username=user1\n")), "");
        // Erase by user leaves the other user.
        store(k, &at("username=user1\npassword=pass1\n"));
        erase(k, &at("username=user1\n"));
        assert_eq!(
            get(k, &at("username=user2\n")),
            "username=user2\npassword=pass2\n"
        );
        // Erase by host erases every user.
        store(k, &at("username=user3\npassword=pass3\n"));
        erase(k, &at(""));
        assert_eq!(get(k, &at("")), "");
        assert_eq!(get(k, &at("username=user3\n")), "");
    });
}

#[test]
fn empty_username_and_password_round_trip() {
    each_store(|k| {
        let host = k.host("sso");
        store(
            k,
            &format!("protocol=https\nhost={host}\nusername=\npassword=\n"),
        );
        assert_eq!(
            get(k, &format!("protocol=https\nhost={host}\n")),
            "username=\npassword=\n"
        );
        k.erase_host(&host);
    });
}

#[test]
fn paths_are_kept_apart() {
    each_store(|k| {
        let host = k.host("path");
        // Non-http protocols keep their path; http(s) only with credential.useHttpPath.
        let cred = |path: &str| format!("protocol=http\nhost={host}\npath={path}\n");
        let out = k.helper(
            &["store"],
            &format!("{}username=u\npassword=foo-pass\n", cred("foo.git")),
        );
        assert_quiet_success(&out);
        // Without useHttpPath, an http path is dropped (as git does): stored for the host.
        assert_eq!(get(k, &cred("bar.git")), "username=u\npassword=foo-pass\n");
        k.erase_host(&host);

        std::fs::write(
            k.home.path().join(".gitconfig"),
            format!(
                "[credential]\n\tpostmanStore = {}\n\tuseHttpPath = true\n",
                k.kind.store_name()
            ),
        )
        .unwrap();
        store(
            k,
            &format!("{}username=u\npassword=foo-pass\n", cred("foo.git")),
        );
        assert_eq!(get(k, &cred("bar.git")), "");
        assert_eq!(get(k, &cred("foo.git")), "username=u\npassword=foo-pass\n");
        // A request without a path matches any path (git's credential_match).
        assert_eq!(
            get(k, &format!("protocol=http\nhost={host}\n")),
            "username=u\npassword=foo-pass\n"
        );
        k.erase_host(&host);
        assert_eq!(get(k, &cred("foo.git")), "");
    });
}

#[test]
fn expiry_and_refresh_token_are_kept_and_expired_entries_not_returned() {
    each_store(|k| {
        let host = k.host("expiry");
        let at = |extra: &str| format!("protocol=https\nhost={host}\n{extra}");
        store(k, &at("username=u\npassword=p\npassword_expiry_utc=9999999999\noauth_refresh_token=xyzzy\n"));
        assert_eq!(
            get(k, &at("username=u\n")),
            "username=u\npassword=p\noauth_refresh_token=xyzzy\npassword_expiry_utc=9999999999\n"
        );
        // Already expired: not stored at all.
        store(
            k,
            &at("username=old\npassword=p\npassword_expiry_utc=1000\n"),
        );
        assert_eq!(get(k, &at("username=old\n")), "");
        // Expires in a second: returned now, not after.
        let soon = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 1;
        store(
            k,
            &at(&format!(
                "username=soon\npassword=p\npassword_expiry_utc={soon}\n"
            )),
        );
        assert_eq!(
            get(k, &at("username=soon\n")),
            format!("username=soon\npassword=p\npassword_expiry_utc={soon}\n")
        );
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert_eq!(get(k, &at("username=soon\n")), "");
        k.erase_host(&host);
    });
}

#[test]
fn authtype_credential_needs_the_capability_and_ephemeral_is_never_stored() {
    each_store(|k| {
        let host = k.host("authtype");
        let at = |extra: &str| format!("protocol=https\nhost={host}\n{extra}");
        store(
            k,
            &at("capability[]=authtype\nauthtype=Bearer\ncredential=random-token\n"),
        );
        assert_eq!(
            get(k, &format!("capability[]=authtype\n{}", at(""))),
            "capability[]=authtype\nauthtype=Bearer\ncredential=random-token\n"
        );
        // Without the capability: neither the capability line nor the credential.
        assert_eq!(get(k, &at("")), "");
        // With a username.
        store(
            k,
            &at(
                "capability[]=authtype\nauthtype=Bearer\ncredential=other-token\nusername=foobar\n",
            ),
        );
        assert_eq!(
            get(
                k,
                &format!("capability[]=authtype\n{}", at("username=foobar\n"))
            ),
            "capability[]=authtype\nauthtype=Bearer\ncredential=other-token\nusername=foobar\n"
        );
        assert_eq!(
            get(
                k,
                &format!("capability[]=authtype\n{}", at("username=barbaz\n"))
            ),
            ""
        );
        // Ephemeral: neither a credential nor a password is stored.
        let eph = k.host("ephemeral");
        let at2 = |extra: &str| format!("protocol=https\nhost={eph}\n{extra}");
        store(
            k,
            &at2("capability[]=authtype\nauthtype=Bearer\ncredential=git2-token\nephemeral=1\n"),
        );
        store(k, &at2("username=barbaz\npassword=secret\nephemeral=1\n"));
        assert_eq!(get(k, &format!("capability[]=authtype\n{}", at2(""))), "");
        k.erase_host(&host);
    });
}

#[test]
fn a_70_kb_wwwauth_line_neither_crashes_nor_confuses_hosts() {
    each_store(|k| {
        let victim = k.host("victim");
        let badguy = k.host("badguy");
        store(
            k,
            &format!("protocol=https\nhost={victim}\nusername=user\npassword=to-be-stolen\n"),
        );
        let long = format!(
            "wwwauth[]=basic realm={}host={victim}\n",
            "a".repeat(70 * 1024)
        );
        assert_eq!(
            get(k, &format!("protocol=https\nhost={badguy}\n{long}")),
            ""
        );
        assert_eq!(
            get(k, &format!("protocol=https\nhost={victim}\n{long}")),
            "username=user\npassword=to-be-stolen\n"
        );
        k.erase_host(&victim);
    });
}

#[test]
fn carriage_returns_inside_values_survive_and_crlf_line_ends_do_not_matter() {
    each_store(|k| {
        let host = k.host("cr");
        store(
            k,
            &format!("protocol=https\r\nhost={host}\r\nusername=u\r\npassword=a\rb\r\n"),
        );
        let out = k.helper(&["get"], &format!("protocol=https\nhost={host}\n"));
        assert_quiet_success(&out);
        assert_eq!(out.stdout, b"username=u\npassword=a\rb\n");
        k.erase_host(&host);
    });
}

#[test]
fn protocol_odds_and_ends() {
    each_store(|k| {
        let host = k.host("odds");
        // Unknown actions and unknown keys are ignored silently.
        let out = k.helper(
            &["frobnicate"],
            &format!("protocol=https\nhost={host}\npassword=x\n"),
        );
        assert_quiet_success(&out);
        assert!(out.stdout.is_empty());
        store(
            k,
            &format!("protocol=https\nhost={host}\nfuture_key=1\nusername=u\npassword=p\n"),
        );
        // Input ends at a blank line: what follows is not read as part of the request.
        assert_eq!(
            get(
                k,
                &format!("protocol=https\nhost={host}\n\nusername=nobody\n")
            ),
            "username=u\npassword=p\n"
        );
        // `key[]=` resets a list; an announced-then-reset capability is not echoed.
        assert_eq!(
            get(
                k,
                &format!("capability[]=authtype\ncapability[]=\nprotocol=https\nhost={host}\n")
            ),
            "username=u\npassword=p\n"
        );
        // A line without '=' is refused like git refuses it, without echoing the line.
        let out = k.helper(
            &["get"],
            &format!("protocol=https\nhost={host}\nhunter2-secret\n"),
        );
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert!(
            err.contains("invalid credential line") && !err.contains("hunter2"),
            "{err}"
        );
        k.erase_host(&host);
    });
}

#[test]
fn concurrent_stores_for_eight_users_of_one_host_all_survive() {
    each_store(|k| {
        let host = k.host("concurrent");
        let children: Vec<_> = (0..8)
            .map(|i| {
                let mut cmd = k.command(support::HELPER);
                cmd.arg("store")
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                let mut child = cmd.spawn().unwrap();
                let input =
                    format!("protocol=https\nhost={host}\nusername=user{i}\npassword=pass{i}\n");
                std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
                drop(child.stdin.take());
                child
            })
            .collect();
        for child in children {
            assert_quiet_success(&child.wait_with_output().unwrap());
        }
        for i in 0..8 {
            assert_eq!(
                get(
                    k,
                    &format!("protocol=https\nhost={host}\nusername=user{i}\n")
                ),
                format!("username=user{i}\npassword=pass{i}\n"),
                "{:?}: user{i}",
                k.kind
            );
        }
        erase(k, &format!("protocol=https\nhost={host}\n"));
        for i in 0..8 {
            assert_eq!(
                get(
                    k,
                    &format!("protocol=https\nhost={host}\nusername=user{i}\n")
                ),
                ""
            );
        }
    });
}

#[test]
fn entries_really_live_in_the_os_keyring() {
    each_store(|k| {
        let host = k.host("real");
        store(
            k,
            &format!("protocol=https\nhost={host}\nusername=alice\npassword=in-the-keyring\n"),
        );
        let service = format!("git-postman:https://{host}");
        let found = match k.kind {
            Kind::Keyutils => {
                let description = format!("keyring:alice@{host}@{service}");
                let out = k.run("keyctl", &["search", "@s", "user", &description], b"");
                assert!(out.status.success(), "keyctl search: {}", text(&out.stderr));
                let id = text(&out.stdout).trim().to_string();
                text(&k.run("keyctl", &["pipe", &id], b"").stdout)
            }
            Kind::SecretService => {
                let out = k.run(
                    "secret-tool",
                    &[
                        "lookup",
                        "service",
                        &service,
                        "username",
                        &format!("alice@{host}"),
                    ],
                    b"",
                );
                assert!(
                    out.status.success(),
                    "secret-tool lookup: {}",
                    text(&out.stderr)
                );
                text(&out.stdout)
            }
        };
        assert!(
            found.contains("password=in-the-keyring"),
            "{:?}: {found}",
            k.kind
        );
        k.erase_host(&host);
    });
}
