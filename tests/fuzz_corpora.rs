//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the inputs that once crashed a
//! target (`fuzz/regressions/<target>/`) through the targets' bodies, so every test run
//! checks them without libFuzzer. `fuzz/run.sh` fuzzes for real.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let input = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&input));
            assert!(outcome.is_ok(), "{target} fails on {}", path.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no corpus for {target}");
    eprintln!("{target}: {replayed} inputs");
}

#[test]
fn credential_protocol() {
    replay("credential_protocol", targets::credential_protocol);
}

#[test]
fn dotpostman() {
    replay("dotpostman", targets::dotpostman);
}

#[test]
fn collection() {
    replay("collection", targets::collection);
}

#[test]
fn v3_converter() {
    replay("v3_converter", targets::v3_converter);
}

#[test]
fn v3_request_file() {
    replay("v3_request_file", targets::v3_request_file);
}

#[test]
fn remote_protocol() {
    replay("remote_protocol", targets::remote_protocol);
}
