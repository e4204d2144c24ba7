//! Converts one collection between v2.1 JSON and a v3 tree with `layout::v3`, for
//! `bench/v3.sh`:
//!
//!   v3-convert to-v3 <collection.json> <out-dir>   (writes <out-dir>/<collection dir>/...)
//!   v3-convert to-v2 <tree-dir> <out.json>

use std::path::Path;
use std::process::ExitCode;

use git_postman::layout::v3;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["to-v3", input, out] => to_v3(Path::new(input), Path::new(out)),
        ["to-v2", dir, out] => to_v2(Path::new(dir), Path::new(out)),
        _ => Err(
            "usage: v3-convert to-v3 <collection.json> <out-dir> | to-v2 <tree-dir> <out.json>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("v3-convert: {e}");
            ExitCode::FAILURE
        }
    }
}

fn to_v3(input: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let raw: &serde_json::value::RawValue =
        serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let start = std::time::Instant::now();
    let tree = v3::to_tree(raw).map_err(|e| e.to_string())?;
    eprintln!("conversion: {:.2} s", start.elapsed().as_secs_f64());
    drop(text);
    let root = out.join(&tree.dir);
    for f in &tree.files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("a file has a directory"))
            .map_err(|e| e.to_string())?;
        std::fs::write(&path, &f.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn to_v2(dir: &Path, out: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = entry.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .into_owned();
                let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                files.push(v3::File { path: rel, bytes });
            }
        }
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let start = std::time::Instant::now();
    let json = v3::to_v2(&name, &files).map_err(|e| e.to_string())?;
    eprintln!("conversion: {:.2} s", start.elapsed().as_secs_f64());
    std::fs::write(out, json).map_err(|e| format!("{}: {e}", out.display()))
}
