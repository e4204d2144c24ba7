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
        // Expires in ten minutes: returned now, not once that time has passed. The later
        // `get` runs under libfaketime, twenty minutes ahead: no waiting on the wall clock.
        let soon = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600;
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
        let later = k.helper_later(1200, &["get"], &at("username=soon\n"));
        assert_quiet_success(&later);
        assert_eq!(text(&later.stdout), "");
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

/// What the helper must do with one hostile input.
enum Expect {
    /// Exit 0, nothing on stderr, exactly this answer.
    Answer(String),
    /// Exit 1, nothing on stdout, exactly this one line on stderr.
    Error(&'static str),
}

/// The hosts of [`hostile_protocol_input_gets_a_clear_error_or_gits_answer`]: `victim`
/// has a stored credential, `badguy` nothing.
struct Hosts {
    victim: String,
    badguy: String,
}

/// One row: what it checks, the action, the input for these hosts (and a 70 KB value),
/// and what must happen.
type Case = (
    &'static str,
    &'static str,
    fn(&Hosts, &str) -> Vec<u8>,
    Expect,
);

const VICTIM_ANSWER: &str = "username=user\npassword=to-be-stolen\n";

#[test]
fn hostile_protocol_input_gets_a_clear_error_or_gits_answer() {
    let long = "a".repeat(70 * 1024);
    let cases: Vec<Case> = vec![
        (
            "a 70 KB wwwauth[] line ending in host= is one value, not two lines",
            "get",
            |h, long| format!("protocol=https\nhost={}\nwwwauth[]=basic realm={long}host={}\n", h.badguy, h.victim).into_bytes(),
            Expect::Answer(String::new()),
        ),
        (
            "the victim's own request with the same line still works",
            "get",
            |h, long| format!("protocol=https\nhost={}\nwwwauth[]=basic realm={long}\n", h.victim).into_bytes(),
            Expect::Answer(VICTIM_ANSWER.into()),
        ),
        (
            "a wwwauth[] value holding host= is a value",
            "get",
            |h, _| format!("protocol=https\nhost={}\nwwwauth[]=Basic realm=\"x\", host={}\n", h.badguy, h.victim).into_bytes(),
            Expect::Answer(String::new()),
        ),
        (
            "a carriage return before host= in wwwauth[] is no line break",
            "get",
            |h, _| format!("protocol=https\nhost={}\nwwwauth[]=Basic realm=x\rhost={}\n", h.badguy, h.victim).into_bytes(),
            Expect::Answer(String::new()),
        ),
        (
            "a carriage return inside host matches nobody",
            "get",
            |h, _| format!("protocol=https\nhost={}\r{}\r\n", h.victim, h.victim).into_bytes(),
            Expect::Answer(String::new()),
        ),
        (
            "a NUL in host is refused, not cut short to the victim's name",
            "get",
            |h, _| format!("protocol=https\nhost={}\0.{}\n", h.victim, h.badguy).into_bytes(),
            Expect::Error("git-credential-postman: invalid credential line 2: it contains a NUL byte"),
        ),
        (
            "a NUL in a password to store is refused",
            "store",
            |h, _| format!("protocol=https\nhost={}\nusername=u\npassword=ab\0cd\n", h.badguy).into_bytes(),
            Expect::Error("git-credential-postman: invalid credential line 4: it contains a NUL byte"),
        ),
        (
            "url= smuggling host= with %0a is refused, without echoing the URL",
            "store",
            |h, _| format!("url=https://u:secret@{}%0ahost={}\npassword=p\n", h.badguy, h.victim).into_bytes(),
            Expect::Error("git-credential-postman: credential url cannot be parsed: a newline in its host component"),
        ),
        (
            "url= without a scheme is refused",
            "get",
            |h, _| format!("url={}/repo.git\n", h.victim).into_bytes(),
            Expect::Error("git-credential-postman: credential url cannot be parsed: it has no scheme"),
        ),
        (
            "more than 8 MB of input is refused",
            "get",
            |h, _| {
                let mut input = format!("protocol=https\nhost={}\nwwwauth[]=", h.victim).into_bytes();
                input.resize(9 << 20, b'a');
                input
            },
            Expect::Error("git-credential-postman: credential input is larger than 8388608 bytes"),
        ),
    ];
    each_store(|k| {
        let hosts = Hosts {
            victim: k.host("victim"),
            badguy: k.host("badguy"),
        };
        store(
            k,
            &format!("protocol=https\nhost={}\n{VICTIM_ANSWER}", hosts.victim),
        );
        for (name, action, input, expect) in &cases {
            let out = k.run(support::HELPER, &[action], &input(&hosts, &long));
            let what = format!("{:?}: {name}", k.kind);
            match expect {
                Expect::Answer(answer) => {
                    assert_quiet_success(&out);
                    assert_eq!(text(&out.stdout), *answer, "{what}");
                }
                Expect::Error(line) => {
                    assert_eq!(out.status.code(), Some(1), "{what}");
                    assert!(out.stdout.is_empty(), "{what}");
                    assert_eq!(text(&out.stderr), format!("{line}\n"), "{what}");
                }
            }
        }
        // A 70 KB password: kept whole, or refused saying why (keyutils' keys hold 32 KB).
        let big = format!("username=big\npassword={long}\n");
        let out = k.helper(
            &["store"],
            &format!("protocol=https\nhost={}\n{big}", hosts.badguy),
        );
        match k.kind {
            Kind::SecretService => {
                assert_quiet_success(&out);
                let answer = get(k, &format!("protocol=https\nhost={}\n", hosts.badguy));
                assert_eq!(answer, big);
                k.erase_host(&hosts.badguy);
            }
            Kind::Keyutils => {
                let err = text(&out.stderr);
                let size = err
                    .strip_prefix(
                        "git-credential-postman: the keyutils credential store failed to \
                         store: the record is ",
                    )
                    .and_then(|rest| {
                        rest.strip_suffix(" bytes, more than the 32767 bytes an entry holds\n")
                    })
                    .and_then(|n| n.parse::<usize>().ok());
                assert!(size.is_some_and(|n| n > big.len()), "{err}");
            }
        }
        // Nothing refused was stored, and the victim's credential is intact.
        let at = |host: &str| format!("protocol=https\nhost={host}\n");
        assert_eq!(get(k, &at(&hosts.badguy)), "");
        assert_eq!(get(k, &at(&hosts.victim)), VICTIM_ANSWER);
    });
}

#[test]
fn hostile_apps_files_get_a_clear_error() {
    let app = |fields: &str| {
        format!("apps:\n  - {{name: x, provider: gitlab, client_id: a, {fields}}}\n")
    };
    // Scopes [&a0 [x, ...], &a1 [*a0, ...], ...]: 9^12 strings if expanded.
    let bomb = {
        let mut levels = vec![format!("&a0 [{}]", ["x"; 9].join(", "))];
        for i in 1..12 {
            levels.push(format!(
                "&a{i} [{}]",
                vec![format!("*a{}", i - 1); 9].join(", ")
            ));
        }
        app(&format!(
            "url: 'https://h.example.com', scopes: [{}]",
            levels.join(", ")
        ))
    };
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        (
            "an unknown field of an app",
            app("url: 'https://h.example.com', colour: red").into_bytes(),
            Some("unknown field `colour`"),
        ),
        (
            "an unknown top-level field",
            b"app:\n  - {name: x}\n".to_vec(),
            Some("unknown field `app`"),
        ),
        (
            "plain http to a forge",
            app("url: 'http://gitlab.example.com'").into_bytes(),
            Some("'http://gitlab.example.com': use https (plain http only for a loopback address)"),
        ),
        (
            "another scheme",
            app("url: 'ftp://gitlab.example.com'").into_bytes(),
            Some("the scheme must be https, not ftp"),
        ),
        (
            "a name with a terminal escape",
            app("name: \"x\\e[2J\", url: 'https://h.example.com'")
                .replacen("name: x, ", "", 1)
                .into_bytes(),
            Some("name: must not contain control characters"),
        ),
        (
            "a YAML alias bomb",
            bomb.into_bytes(),
            Some("repetition limit exceeded"),
        ),
        (
            "nesting 10,000 deep",
            format!(
                "apps:\n  - {{name: x, provider: gitlab, url: 'https://h.example.com', scopes: {}{}}}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .into_bytes(),
            Some("recursion limit exceeded"),
        ),
        (
            "not UTF-8",
            b"apps:\n  - {name: \xff}\n".to_vec(),
            Some("UTF-8"),
        ),
        // Plain http on a loopback address is fine (a local forge, tests).
        (
            "http on loopback",
            app("url: 'http://127.0.0.1:9'").into_bytes(),
            None,
        ),
    ];
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let dir = k.home.path().join(".config/git-postman");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, yaml, error) in &cases {
        std::fs::write(dir.join("apps.yaml"), yaml).unwrap();
        let host = k.host("apps");
        let out = k.helper(&["get"], &format!("protocol=https\nhost={host}\n"));
        assert!(out.stdout.is_empty(), "{name}");
        let stderr = text(&out.stderr);
        match error {
            None => assert_quiet_success(&out),
            Some(part) => {
                assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
                assert!(
                    stderr.starts_with("git-credential-postman: ")
                        && stderr.contains("git-postman/apps.yaml")
                        && stderr.contains(part)
                        && stderr.lines().count() == 1,
                    "{name}: {stderr}"
                );
            }
        }
    }
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
