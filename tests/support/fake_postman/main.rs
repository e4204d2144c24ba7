//! `cargo run --example fake-postman -- [--port N] [--seed sample|workspace|<git-layout-dir>] [--page-size N]`
//!
//! Starts the fake Postman API by hand (the README demo), prints shell-style
//! `KEY=value` lines (base URL, API key, seeded API id) and serves until killed.

#[path = "mod.rs"]
mod fake_postman;

use std::io::Write;
use std::path::Path;

use fake_postman::{FakePostman, API_KEY};

fn usage() -> ! {
    eprintln!("usage: fake-postman [--port N] [--seed sample|workspace|<dir written by Postman's git integration>] [--page-size N]");
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut port, mut seed, mut page_size) = (8111u16, None::<String>, None::<usize>);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--port" => port = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => seed = Some(value()),
            "--page-size" => page_size = Some(value().parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    let fake = FakePostman::start_on(port);
    let workspace = seed.as_deref() == Some("workspace");
    let api_id = fake.with_state(|s| {
        if let Some(n) = page_size {
            s.set_page_size(n);
        }
        match seed.as_deref() {
            None => None,
            Some("sample") => Some(s.seed_sample()),
            Some("workspace") => Some(s.seed_workspace()),
            Some(dir) => Some(s.seed_git_layout(Path::new(dir))),
        }
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "FAKE_POSTMAN_URL={}", fake.base_url());
    let _ = writeln!(out, "POSTMAN_API_KEY={API_KEY}");
    match api_id {
        Some(id) if workspace => {
            let _ = writeln!(out, "FAKE_POSTMAN_WORKSPACE_ID={id}");
        }
        Some(id) => {
            let _ = writeln!(out, "FAKE_POSTMAN_API_ID={id}");
            let _ = writeln!(
                out,
                "# clone it: git clone postman::{}/apis/{id}",
                fake.base_url()
            );
        }
        None => {}
    }
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
