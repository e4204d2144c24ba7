//! Paths that come from Postman are untrusted input: a schema file path like `../x`,
//! `.git/hooks/x` or `.postman/api_<other>` must never reach the tree. Collection names
//! become file paths here too.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("Postman path {path:?} is not allowed: {why}")]
    Unsafe { path: String, why: &'static str },
    #[error("schema files {a:?} and {b:?} differ only in case: on macOS and Windows they would be one file; rename one")]
    CaseCollision { a: String, b: String },
}

/// Checks that no two paths differ only in case (letter case as the file systems of
/// macOS and Windows fold it, near enough: Unicode lowercase).
pub fn check_case_distinct<'a>(paths: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for path in paths {
        if let Some(other) = seen.insert(path.to_lowercase(), path) {
            if other != path {
                return Err(Error::CaseCollision {
                    a: other.to_string(),
                    b: path.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Checks a relative path that came from Postman (a schema file path) before it names a
/// file in the repository. The same rule holds for fetch and push, so that nothing is
/// fetched that could not be pushed back. A leading `.postman` is refused because, with
/// the schema directory at the repository root, it would overwrite the index of another
/// API connected to the same repository.
pub fn check_relative(path: &str) -> Result<(), Error> {
    let bad = |why| {
        Err(Error::Unsafe {
            path: path.to_string(),
            why,
        })
    };
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.contains('\0') {
        return bad("it contains a NUL byte");
    }
    if path.contains('\\') {
        return bad("it contains a backslash");
    }
    if path.starts_with('/') {
        return bad("it is absolute");
    }
    if path.len() >= 2 && path.as_bytes()[1] == b':' && path.as_bytes()[0].is_ascii_alphabetic() {
        return bad("it starts with a drive letter");
    }
    for component in path.split('/') {
        match component {
            "" => return bad("it has an empty component"),
            "." | ".." => return bad("it has a `.` or `..` component"),
            c if is_git_dir_name(c) => return bad("it names a `.git` directory"),
            _ => {}
        }
    }
    if path.split('/').next().is_some_and(is_postman_dir_name) {
        return bad("it is inside .postman, which Postman's integration owns");
    }
    Ok(())
}

/// `.postman`, also as a case-insensitive file system or Windows would name it.
fn is_postman_dir_name(component: &str) -> bool {
    component
        .trim_end_matches(['.', ' '])
        .eq_ignore_ascii_case(".postman")
}

/// `.git`, also in the spellings that name it on case-insensitive or Windows file systems.
fn is_git_dir_name(component: &str) -> bool {
    let trimmed = component.trim_end_matches(['.', ' ']);
    trimmed.eq_ignore_ascii_case(".git") || trimmed.eq_ignore_ascii_case("git~1")
}

/// The file path (relative to the collection directory) for a collection name: a `/`
/// makes sub-directories, as in Postman's integration (`v1/Event` -> `v1/Event.json`);
/// characters that git or Windows cannot have in a file name become `_`.
pub fn collection_file(name: &str) -> String {
    let components: Vec<String> = name.split('/').map(sanitize_component).collect();
    format!("{}.json", components.join("/"))
}

fn sanitize_component(component: &str) -> String {
    let mut out: String = component
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    // Windows drops trailing dots and spaces, which would make two names collide.
    let kept = out.trim_end_matches(['.', ' ']).len();
    let trailing = out.len() - kept;
    out.truncate(kept);
    out.extend(std::iter::repeat_n('_', trailing));
    if out.is_empty() {
        out.push('_');
    }
    if is_git_dir_name(&out) || is_postman_dir_name(&out) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_that_differ_only_in_case_are_refused() {
        assert!(check_case_distinct(["a/B.yaml", "a/c.yaml", "a/B.yaml"]).is_ok());
        let err = check_case_distinct(["paths/Refunds.yaml", "x", "paths/refunds.yaml"]);
        assert_eq!(
            err,
            Err(Error::CaseCollision {
                a: "paths/Refunds.yaml".into(),
                b: "paths/refunds.yaml".into()
            })
        );
        assert!(check_case_distinct(["É.yaml", "é.yaml"]).is_err());
    }

    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for p in [
            "",
            "../x",
            "a/../../x",
            "/etc/passwd",
            ".git/hooks/x",
            "a/.GIT/x",
            "a\\b",
            "a//b",
            "C:/x",
            "./x",
            "a\0b",
            ".git./x",
            ".postman/api_other",
            ".Postman/api",
            ".postman./x",
        ] {
            assert!(check_relative(p).is_err(), "{p:?} accepted");
        }
        for p in [
            "index.yaml",
            "common/error.yaml",
            "a b/c.d.json",
            ".gitignore",
            "x/.github/y",
            "x/.postman/y",
            ".postmanrc",
        ] {
            assert_eq!(check_relative(p), Ok(()), "{p:?} refused");
        }
    }

    #[test]
    fn collection_names_become_safe_paths() {
        assert_eq!(collection_file("v1/Event"), "v1/Event.json");
        assert_eq!(
            collection_file("quazar1 collection"),
            "quazar1 collection.json"
        );
        assert_eq!(collection_file("a:b*c?"), "a_b_c_.json");
        assert_eq!(collection_file("../up"), "__/up.json");
        assert_eq!(collection_file(".git/x"), "_.git/x.json");
        assert_eq!(collection_file(".postman/api_x"), "_.postman/api_x.json");
        assert_eq!(collection_file("end."), "end_.json");
        assert_eq!(collection_file(""), "_.json");
    }
}
