//! The fuzz targets' bodies, shared with `tests/fuzz_corpora.rs` (see `targets.rs`).
#[path = "../targets.rs"]
mod targets;
pub use targets::*;
