//! Shared test support: the fake Postman API, running real git with our helpers first
//! on PATH, and the data in `../shared/`.
#![allow(dead_code)]

pub mod backend;
pub mod fake_postman;
pub mod fault_proxy;
pub mod format;
pub mod git;
#[cfg(target_os = "linux")]
pub mod leaks;
pub mod node;
pub mod postman_cli;
#[cfg(target_os = "linux")]
pub mod pty;
pub mod shared;
