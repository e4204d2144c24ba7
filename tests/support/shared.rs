//! The project's shared data (`../shared/` beside the checkout): Postman's specs, real
//! collections, files Postman's git integration wrote. CI has it; a test that needs it
//! fails loudly when `CI` is set and it is missing, and skips with a message otherwise.

use std::path::PathBuf;

/// `../shared/<rel>`, or `None` (after saying why) when a local run lacks it.
pub fn path(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!("shared data {} is missing (CI is set)", p.display());
    }
    eprintln!("skipped: shared data {} is missing", p.display());
    None
}
