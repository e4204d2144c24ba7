//! git-credential-postman driven by real git: `credential.helper=postman` found on PATH,
//! chained after `cache`, `-c` config, and the store chosen by config.
#![cfg(target_os = "linux")]

#[path = "support/credential/mod.rs"]
mod support;

use std::process::Output;

use support::{assert_quiet_success, each_store, helper_dir, run_with_input, text, Keyring, Kind};

/// `git <config...> credential <action>` with our binary's directory first on PATH, so that
/// `credential.helper=postman` runs `git credential-postman`.
fn git(k: &Keyring, config: &[&str], action: &str, input: &str) -> Output {
    let mut args = Vec::new();
    for c in config {
        args.push("-c".to_string());
        args.push(c.to_string());
    }
    args.extend(["credential".to_string(), action.to_string()]);
    let path = std::env::join_paths(
        std::iter::once(helper_dir().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut cmd = k.command("git");
    cmd.args(&args).env("PATH", path);
    run_with_input(cmd, input.as_bytes())
}

/// [`git`], asserting a quiet success; its stdout.
#[track_caller]
fn git_ok(k: &Keyring, config: &[&str], action: &str, input: &str) -> String {
    let out = git(k, config, action, input);
    assert_quiet_success(&out);
    text(&out.stdout)
}

const OURS: &[&str] = &["credential.helper=", "credential.helper=postman"];

#[test]
fn git_finds_the_helper_by_name_and_uses_it_for_approve_fill_reject() {
    each_store(|k| {
        let host = k.host("byname");
        let url = format!("protocol=https\nhost={host}\n");
        git_ok(
            k,
            OURS,
            "approve",
            &format!("{url}username=alice\npassword=tok-1\n"),
        );
        assert_eq!(
            git_ok(k, OURS, "fill", &url),
            format!("{url}username=alice\npassword=tok-1\n")
        );
        git_ok(
            k,
            OURS,
            "reject",
            &format!("{url}username=alice\npassword=tok-1\n"),
        );
        // Nothing stored and no terminal: git gives up instead of prompting.
        let out = git(k, OURS, "fill", &url);
        assert!(
            !out.status.success(),
            "{:?}: fill after reject must fail",
            k.kind
        );
        assert!(out.stdout.is_empty());
    });
}

#[test]
fn chained_after_credential_cache() {
    each_store(|k| {
        let host = k.host("chain");
        let url = format!("protocol=https\nhost={host}\n");
        // credential-cache insists on a private socket directory.
        let socket_dir = k.home.path().join("cache");
        std::fs::create_dir(&socket_dir).unwrap();
        std::fs::set_permissions(
            &socket_dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let socket = socket_dir.join("socket");
        let cache = format!("credential.helper=cache --socket={}", socket.display());
        let socket_option = format!("--socket={}", socket.display());
        let cache_exit = || k.run("git", &["credential-cache", &socket_option, "exit"], b"");
        let both = [
            "credential.helper=",
            cache.as_str(),
            "credential.helper=postman",
        ];

        // approve goes to every helper.
        git_ok(
            k,
            &both,
            "approve",
            &format!("{url}username=bob\npassword=chained\n"),
        );
        assert_eq!(
            git_ok(k, &both, "fill", &url),
            format!("{url}username=bob\npassword=chained\n")
        );

        // With the cache gone, the keyring still answers.
        let exit = cache_exit();
        assert!(exit.status.success(), "{}", text(&exit.stderr));
        assert_eq!(
            git_ok(k, OURS, "fill", &url),
            format!("{url}username=bob\npassword=chained\n")
        );

        // reject goes to every helper too.
        git_ok(
            k,
            &both,
            "reject",
            &format!("{url}username=bob\npassword=chained\n"),
        );
        assert!(!git(k, OURS, "fill", &url).status.success());
        let _ = cache_exit();
    });
}

#[test]
fn use_http_path_from_git_dash_c_reaches_the_helper() {
    each_store(|k| {
        let host = k.host("httppath");
        let with_path = [
            "credential.helper=",
            "credential.helper=postman",
            "credential.useHttpPath=true",
        ];
        let at = |path: &str| format!("protocol=https\nhost={host}\npath={path}\n");
        git_ok(
            k,
            &with_path,
            "approve",
            &format!("{}username=u\npassword=foo\n", at("foo.git")),
        );
        assert_eq!(
            git_ok(k, &with_path, "fill", &at("foo.git")),
            format!("{}username=u\npassword=foo\n", at("foo.git"))
        );
        assert!(!git(k, &with_path, "fill", &at("bar.git")).status.success());
        k.erase_host(&host);
    });
}

#[test]
fn a_carriage_return_in_a_password_round_trips_when_git_allows_it() {
    each_store(|k| {
        let host = k.host("crgit");
        let url = format!("protocol=https\nhost={host}\n");
        let cfg = [
            "credential.helper=",
            "credential.helper=postman",
            "credential.protectProtocol=false",
        ];
        git_ok(
            k,
            &cfg,
            "approve",
            &format!("{url}username=u\npassword=a\rb\n"),
        );
        assert_eq!(
            git_ok(k, &cfg, "fill", &url),
            format!("{url}username=u\npassword=a\rb\n")
        );
        k.erase_host(&host);
    });
}

#[test]
fn the_store_comes_from_config_or_the_argument_and_failures_name_it() {
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let host = k.host("choice");
    let url = format!("protocol=https\nhost={host}\n");
    let gitconfig = k.home.path().join(".gitconfig");

    // Explicitly Secret Service, but no D-Bus session here: a clear error, no fallback.
    std::fs::write(
        &gitconfig,
        "[credential]\n\tpostmanStore = secret-service\n",
    )
    .unwrap();
    let out = k.helper(&["store"], &format!("{url}username=u\npassword=p\n"));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(
        err,
        "git-credential-postman: the secret-service credential store is not available: \
         no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)\n"
    );
    assert!(
        !err.contains("password=p") && !err.contains("\np\n"),
        "{err}"
    );

    // A URL-scoped setting wins for its URL.
    std::fs::write(
        &gitconfig,
        format!("[credential]\n\tpostmanStore = secret-service\n[credential \"https://{host}\"]\n\tpostmanStore = keyutils\n"),
    )
    .unwrap();
    assert_quiet_success(&k.helper(&["store"], &format!("{url}username=u\npassword=p\n")));
    let out = k.helper(&["--store=keyutils", "get"], &url);
    assert_quiet_success(&out);
    assert_eq!(text(&out.stdout), "username=u\npassword=p\n");

    // --store wins over config.
    let out = k.helper(&["--store=secret-service", "get"], &url);
    assert!(!out.status.success() && text(&out.stderr).contains("secret-service"));

    // An unknown name in config is an error that names it.
    std::fs::write(&gitconfig, "[credential]\n\tpostmanStore = plaintext\n").unwrap();
    let out = k.helper(&["get"], &url);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "git-credential-postman: bad value for credential.postmanStore: unknown credential store \
         'plaintext' (known: secret-service, keyutils, keychain, windows)\n"
    );
    let out = k.helper(&["--store=plaintext", "get"], &url);
    assert!(!out.status.success() && text(&out.stderr).contains("plaintext"));

    // Nothing configured on Linux without D-Bus: the platform default falls to keyutils.
    std::fs::write(&gitconfig, "").unwrap();
    let out = k.helper(&["get"], &url);
    assert_quiet_success(&out);
    assert_eq!(text(&out.stdout), "username=u\npassword=p\n");
    k.erase_host(&host);
}

#[test]
fn repository_and_environment_config_are_read() {
    let Some(k) = Keyring::start(Kind::Keyutils) else {
        return;
    };
    let host = k.host("localcfg");
    let repo = k.home.path().join("repo");
    let sub = repo.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let init = k.run("git", &["init", "-q", repo.to_str().unwrap()], b"");
    assert!(init.status.success(), "{}", text(&init.stderr));
    let set = k.run(
        "git",
        &[
            "-C",
            repo.to_str().unwrap(),
            "config",
            "credential.useHttpPath",
            "true",
        ],
        b"",
    );
    assert!(set.status.success(), "{}", text(&set.stderr));

    let helper_in = |dir: &std::path::Path, action: &str, input: &str, env: &[(&str, &str)]| {
        let mut cmd = k.command(support::HELPER);
        cmd.arg(action).current_dir(dir).envs(env.iter().copied());
        let out = run_with_input(cmd, input.as_bytes());
        assert_quiet_success(&out);
        text(&out.stdout)
    };
    let at = |path: &str| format!("protocol=https\nhost={host}\npath={path}\n");
    // Inside the repository (found upwards from a subdirectory) the path is part of the key.
    helper_in(
        &sub,
        "store",
        &format!("{}username=u\npassword=a\n", at("a.git")),
        &[],
    );
    assert_eq!(helper_in(&sub, "get", &at("b.git"), &[]), "");
    assert_eq!(
        helper_in(&sub, "get", &at("a.git"), &[]),
        "username=u\npassword=a\n"
    );
    // Outside it, git's default drops an https path: any path of the host matches.
    let home = k.home.path();
    assert_eq!(
        helper_in(home, "get", &at("b.git"), &[]),
        "username=u\npassword=a\n"
    );
    // GIT_CONFIG_COUNT/KEY/VALUE counts as config too.
    let env = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "credential.useHttpPath"),
        ("GIT_CONFIG_VALUE_0", "true"),
    ];
    assert_eq!(helper_in(home, "get", &at("b.git"), &env), "");
}
