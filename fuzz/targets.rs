//! The bodies of the fuzz targets. Each takes arbitrary bytes, must neither panic nor
//! hang, and checks a property of what it accepts: what we write reads back as what we
//! read. `fuzz_targets/*.rs` run them under libFuzzer (`fuzz/run.sh`);
//! `tests/fuzz_corpora.rs` replays the committed corpora through them in every test run.

use git_postman::credential::protocol::{read_input, Capabilities, Credential};
use git_postman::layout::collection::Served;
use git_postman::layout::dotpostman::{ApiEntityData, ApiIndex};
use git_postman::layout::v3;
use git_postman::remote::protocol::{self, Command, Lines, Options, MAX_LINE};
use serde_json::value::RawValue;

/// git's credential protocol: what git writes to a helper, and the helper's answer.
pub fn credential_protocol(data: &[u8]) {
    let read = read_input(&mut &data[..]);
    let Ok(credential) = Credential::parse(data) else {
        return;
    };
    assert!(read.is_ok(), "parsed, but not read: {read:?}");
    let caller = Capabilities {
        authtype: true,
        state: false,
    };
    if credential.check_answer(caller).is_err() {
        return;
    }
    let mut answer = Vec::new();
    credential.write_answer(caller, &mut answer).unwrap();
    let back = Credential::parse(&answer).expect("an answer we write parses");
    assert_eq!(back.authtype, credential.authtype);
    assert_eq!(back.credential, credential.credential);
    assert_eq!(back.username, credential.username);
    assert_eq!(back.password, credential.password);
    assert_eq!(back.oauth_refresh_token, credential.oauth_refresh_token);
    assert_eq!(back.password_expiry_utc, credential.password_expiry_utc);
}

/// `.postman/api` and `.postman/api_<id>`: a file we render parses back to the same.
pub fn dotpostman(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(index) = ApiIndex::parse(text) {
        let rendered = index.render();
        let back = ApiIndex::parse(&rendered).expect("an index we render parses");
        assert_eq!(back.render(), rendered);
    }
    if let Ok(entity) = ApiEntityData::parse(".postman/api_fuzz", text) {
        // render sorts the lists (layout contract v1), so compare what it renders.
        let rendered = entity.render();
        let back =
            ApiEntityData::parse(".postman/api_fuzz", &rendered).expect("a file we render parses");
        assert_eq!(back.render(), rendered);
        assert_eq!(back.api_id, entity.api_id);
        assert_eq!(back.root_files, entity.root_files);
    }
}

/// A collection as the API serves it -> the file Postman's git integration writes: JSON,
/// and a fixed point (the file read back as a served collection gives itself).
pub fn collection(data: &[u8]) {
    let Ok(served) = Served::from_wrapper(data).or_else(|_| Served::from_bare(data)) else {
        return;
    };
    let Ok(file) = served.file_bytes("12345678-fuzz") else {
        return;
    };
    // JSON as JSON.parse reads it: a lone surrogate (`"\ud800"`) is valid JSON, which
    // JavaScript writes back escaped, but serde_json's `Value` (Rust strings) refuses it.
    serde_json::from_slice::<&RawValue>(&file).expect("a collection file is JSON");
    let again = Served::from_bare(&file)
        .and_then(|s| s.file_bytes("12345678-fuzz"))
        .expect("a collection file we wrote is read back");
    assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&file)
    );
}

/// v2.1 -> v3 tree -> v2.1 -> v3 tree: the tree we write converts back, and to itself.
pub fn v3_converter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(raw) = serde_json::from_str::<&RawValue>(text) else {
        return;
    };
    let Ok(tree) = v3::to_tree(raw) else {
        return;
    };
    let v2 = v3::to_v2(&tree.dir, &tree.files).expect("a tree we wrote converts back");
    let raw = serde_json::from_str::<&RawValue>(&v2).expect("to_v2 writes JSON");
    let again = v3::to_tree(raw).expect("what to_v2 wrote converts again");
    assert_eq!(again.dir, tree.dir);
    assert_same_files(&tree.files, &again.files);
}

/// Names the first file that differs, with both texts, rather than dumping two trees.
fn assert_same_files(first: &[v3::File], second: &[v3::File]) {
    let text = |f: &v3::File| format!("{}:\n{}", f.path, String::from_utf8_lossy(&f.bytes));
    for (a, b) in first.iter().zip(second) {
        assert!(a == b, "first pass {}\nsecond pass {}", text(a), text(b));
    }
    let paths = |files: &[v3::File]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(first), paths(second));
}

/// A v3 request file from the user (arbitrary YAML) -> v2.1: an error or a collection,
/// never a panic.
pub fn v3_request_file(data: &[u8]) {
    let definition = v3::File {
        path: ".resources/definition.yaml".into(),
        bytes: b"$kind: collection\nname: fuzz\n".to_vec(),
    };
    let request = v3::File {
        path: "fuzz.request.yaml".into(),
        bytes: data.to_vec(),
    };
    if let Ok(v2) = v3::to_v2("fuzz", &[definition, request]) {
        serde_json::from_str::<serde_json::Value>(&v2).expect("to_v2 writes JSON");
    }
}

/// What git says to the remote helper: lines (bounded), commands and options. Every line
/// read is at most `MAX_LINE` bytes without a newline; an option's answer is one line
/// of git's three kinds; an unknown command is shown cut short.
pub fn remote_protocol(data: &[u8]) {
    // A small buffer, so lines cross buffer boundaries as they do on a pipe.
    let reader = std::io::BufReader::with_capacity(7, data);
    let mut options = Options::default();
    for line in Lines::new(reader) {
        let Ok(line) = line else { continue };
        assert!(line.len() <= MAX_LINE && !line.contains('\n'), "{line:?}");
        match Command::parse(&line) {
            Command::Option(rest) => {
                let answer = options.set(rest);
                assert!(!answer.contains('\n'), "{answer:?}");
                assert!(
                    answer == "ok" || answer == "unsupported" || answer.starts_with("error "),
                    "{answer:?}"
                );
            }
            // 100 characters at most, each escaped in at most 10 (`\u{10ffff}`).
            Command::Unknown(command) => {
                let shown = protocol::shown(command);
                assert!(shown.chars().count() <= 100 * 10 + 30, "{shown}")
            }
            _ => {}
        }
    }
}
