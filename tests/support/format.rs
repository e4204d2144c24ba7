//! The two collection formats a remote keeps (`remote.<name>.postmanCollectionFormat`),
//! for tests that must hold for both: each format knows where a collection lives in the
//! repository and how a user edits one there.

use std::path::{Path, PathBuf};

use git_postman::layout::json::stringify_tab;
use git_postman::layout::{paths, v3};
use serde_json::Value;

/// The collection directory the tests use (Postman's default).
pub const COLLECTIONS: &str = "postman/collections";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One v2.1 JSON file per collection (the default).
    V2,
    /// One Collection v3 YAML directory per collection.
    V3,
}

/// `mod <test> { v2, v3 }`: runs `fn <test>(Format)` once per format, so one test body
/// asserts a guarantee for both.
#[macro_export]
macro_rules! for_both_formats {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[test]
            fn v2() {
                super::$test($crate::support::format::Format::V2)
            }
            #[test]
            fn v3() {
                super::$test($crate::support::format::Format::V3)
            }
        }
    )*};
}

impl Format {
    /// `git clone` options that select this format for `origin`.
    pub fn clone_options(self) -> [&'static str; 2] {
        match self {
            Format::V2 => ["-c", "remote.origin.postmanCollectionFormat=v2.1"],
            Format::V3 => ["-c", "remote.origin.postmanCollectionFormat=v3"],
        }
    }

    /// The repository path of collection `name`: its file, or its directory.
    pub fn collection_path(self, name: &str) -> String {
        match self {
            Format::V2 => format!("{COLLECTIONS}/{}", paths::collection_file(name)),
            Format::V3 => format!("{COLLECTIONS}/{}", v3::names::collection_dir(name)),
        }
    }

    /// The file that holds collection `name`'s own fields (`info.description`...).
    pub fn definition_file(self, name: &str) -> String {
        match self {
            Format::V2 => self.collection_path(name),
            Format::V3 => format!("{}/{}", self.collection_path(name), v3::names::DEFINITION),
        }
    }

    /// The collections in the working tree of `repo` (files or directories), sorted.
    pub fn collections(self, repo: &Path) -> Vec<PathBuf> {
        let dir = repo.join(COLLECTIONS);
        let mut out = match self {
            Format::V2 => walk(&dir),
            Format::V3 => std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect(),
        };
        out.sort();
        out
    }

    /// Renames the first request of the collection at `path` the way a user does it in
    /// this format: its `name` in the JSON, or (v3) its `*.request.yaml` file. `false`
    /// when the collection has no request.
    pub fn rename_first_request(self, path: &Path, new_name: &str) -> bool {
        match self {
            Format::V2 => {
                let mut value: Value =
                    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
                let Some(item) = first_request(&mut value["item"]) else {
                    return false;
                };
                item["name"] = Value::String(new_name.into());
                std::fs::write(path, stringify_tab(&value)).unwrap();
            }
            Format::V3 => {
                let Some(file) = walk(path)
                    .into_iter()
                    .find(|f| f.to_string_lossy().ends_with(v3::names::REQUEST_SUFFIX))
                else {
                    return false;
                };
                // The file's name is the request's, unless a `name:` line says otherwise
                // (a name with characters a file name cannot have): that line goes.
                // Its examples live in `.resources/<request>.resources/`: they move along,
                // and its `examples:` line names their new place.
                let stem = file.file_name().unwrap().to_string_lossy();
                let stem = stem.strip_suffix(v3::names::REQUEST_SUFFIX).unwrap();
                let text = std::fs::read_to_string(&file).unwrap();
                let text: String = text
                    .lines()
                    .filter(|l| !l.starts_with("name: "))
                    .map(|l| {
                        let old = format!("/{stem}{}/", v3::names::RESOURCES_SUFFIX);
                        let new = format!("/{new_name}{}/", v3::names::RESOURCES_SUFFIX);
                        match l.starts_with("examples: ") {
                            true => format!("{}\n", l.replace(&old, &new)),
                            false => format!("{l}\n"),
                        }
                    })
                    .collect();
                std::fs::remove_file(&file).unwrap();
                let renamed =
                    file.with_file_name(format!("{new_name}{}", v3::names::REQUEST_SUFFIX));
                std::fs::write(renamed, text).unwrap();
                let resources = file.parent().unwrap().join(v3::names::RESOURCES);
                let examples = resources.join(format!("{stem}{}", v3::names::RESOURCES_SUFFIX));
                if examples.exists() {
                    let moved =
                        resources.join(format!("{new_name}{}", v3::names::RESOURCES_SUFFIX));
                    std::fs::rename(examples, moved).unwrap();
                }
            }
        }
        true
    }

    /// Writes a new collection `name` with one request, as a user writes it: no ids.
    pub fn add_collection(self, repo: &Path, name: &str, request: &str, url: &str) {
        let path = repo.join(self.collection_path(name));
        match self {
            Format::V2 => std::fs::write(
                path,
                serde_json::json!({
                    "info": {"name": name, "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                    "item": [{"name": request, "request": {"method": "POST", "url": url}}]
                })
                .to_string(),
            )
            .unwrap(),
            Format::V3 => {
                std::fs::create_dir_all(&path).unwrap();
                std::fs::write(
                    path.join(format!("{request}{}", v3::names::REQUEST_SUFFIX)),
                    format!("$kind: http-request\nurl: {url}\nmethod: POST\n"),
                )
                .unwrap();
            }
        }
    }

    /// Renames the collection at `path` in place (Postman then files it under its new
    /// name): its `info.name`, or (v3) the `name` of its definition.
    pub fn rename_collection(self, path: &Path, new_name: &str) {
        match self {
            Format::V2 => {
                let mut value: Value =
                    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
                value["info"]["name"] = new_name.into();
                std::fs::write(path, stringify_tab(&value)).unwrap();
            }
            Format::V3 => {
                let definition = path.join(v3::names::DEFINITION);
                let text = std::fs::read_to_string(&definition)
                    .unwrap_or_else(|_| "$kind: collection\n".into());
                let kept: String = text
                    .lines()
                    .filter(|l| !l.starts_with("name:"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                std::fs::create_dir_all(definition.parent().unwrap()).unwrap();
                std::fs::write(definition, format!("{kept}name: {new_name}\n")).unwrap();
            }
        }
    }

    /// Moves collection `name` to where collection `new_name` would live, as `git mv`
    /// does: its file (`info.name` stays), or (v3) its directory, which renames it.
    pub fn move_collection(self, repo: &Path, name: &str, new_name: &str) {
        let [from, to] = [name, new_name].map(|n| repo.join(self.collection_path(n)));
        std::fs::rename(from, to).unwrap();
    }

    /// Breaks a collection file in `repo` and returns the reason a push must give,
    /// naming the file and the line.
    pub fn break_a_collection(self, repo: &Path) -> String {
        match self {
            Format::V2 => {
                std::fs::write(
                    repo.join(COLLECTIONS).join("Broken.json"),
                    "{\n\t\"info\": {\"name\": \"x\",}\n}",
                )
                .unwrap();
                format!("{COLLECTIONS}/Broken.json: line 2 column 23: trailing comma")
            }
            Format::V3 => {
                let file = walk(&self.collections(repo)[0])
                    .into_iter()
                    .find(|f| f.to_string_lossy().ends_with(v3::names::REQUEST_SUFFIX))
                    .unwrap();
                std::fs::write(&file, "$kind: http-request\nurl: [unclosed\n").unwrap();
                let rel = file.strip_prefix(repo).unwrap().display().to_string();
                format!("{rel}:3: ")
            }
        }
    }
}

fn first_request(items: &mut Value) -> Option<&mut Value> {
    for item in items.as_array_mut()? {
        if item.get("request").is_some() {
            return Some(item);
        }
        if let Some(found) = item.get_mut("item").and_then(first_request) {
            return Some(found);
        }
    }
    None
}

/// The files of the v3 tree in `dir`, as the converter lists them: paths relative to
/// `dir`, sorted.
pub fn v3_files(dir: &Path) -> Vec<v3::File> {
    let mut files: Vec<v3::File> = walk(dir)
        .into_iter()
        .map(|p| v3::File {
            path: p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(&p).unwrap(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Every file below `dir`, depth first, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
