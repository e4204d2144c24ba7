//! Environment and globals files: `name` and `values`, each value `key`, `value`,
//! `enabled` (and `type` when it is not `default`), written as the app writes an
//! environment it pulls from the cloud (npm `yaml`: `value: ""`, `"{{var}}"` quoted).
//!
//! Values of `secret` variables are written only when the remote opts in; otherwise the
//! variable is written with an empty value and `type: secret`, which [`parse`] reads
//! back as "git does not hold this value", so a push never blanks it in Postman.
//! Reading accepts every form the app writes (the cloud-pulled one with `owner`,
//! `team`, `lastRevision`, `color`, dates; the "Convert to v3" one without `enabled`) and
//! the plugin's `secret: true`.

use serde_yaml::Value;

use super::scalar;
use super::state::Variable;
use super::Error;
use crate::layout::v3::yaml::{self, Node};

/// The name globals files carry.
pub const GLOBALS_NAME: &str = "Globals";

/// The file for an environment (or the globals) named `name`.
pub fn render(name: &str, values: &[Variable], include_secrets: bool) -> String {
    let values = values
        .iter()
        .map(|v| {
            let shown = if v.is_secret() && !include_secrets {
                ""
            } else {
                v.value.as_deref().unwrap_or_default()
            };
            let mut entry = vec![
                ("key".to_string(), Node::str(&v.key)),
                ("value".to_string(), Node::str(shown)),
                ("enabled".to_string(), Node::Bool(v.enabled)),
            ];
            if v.kind != Variable::DEFAULT {
                entry.push(("type".into(), Node::str(&v.kind)));
            }
            Node::Map(entry)
        })
        .collect();
    yaml::document(&[
        ("name".into(), Node::str(name)),
        ("values".into(), Node::Seq(values)),
    ])
}

/// The bytes to write: `previous` itself when it already says the same (the app's own
/// file, with fields the API does not serve, stays as the app wrote it), else [`render`].
pub fn file(
    path: &str,
    name: &str,
    values: &[Variable],
    previous: Option<&[u8]>,
    include_secrets: bool,
) -> Vec<u8> {
    let text = render(name, values, include_secrets);
    let same = previous.is_some_and(|p| parse(path, p).ok() == parse(path, text.as_bytes()).ok());
    match previous {
        Some(p) if same => p.to_vec(),
        _ => text.into_bytes(),
    }
}

/// An environment or globals file -> its name and variables.
pub fn parse(path: &str, bytes: &[u8]) -> Result<(String, Vec<Variable>), Error> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| Error::invalid(path, format!("not UTF-8: {e}")))?;
    let doc: Value = serde_yaml::from_str(text).map_err(|e| Error::yaml(path, &e))?;
    let bad = |field: &str, why: &str| Error::invalid(path, format!("{field} {why}"));
    if !doc.is_mapping() {
        return Err(bad("the file", "is not a mapping with name and values"));
    }
    let name = match doc.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(bad("name", "is empty")),
        Some(_) => return Err(bad("name", "is not a string")),
        None => return Err(bad("name", "is missing")),
    };
    let items = match doc.get("values") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Sequence(items)) => items.as_slice(),
        Some(_) => return Err(bad("values", "is not a list")),
    };
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = |f: &str| format!("values[{i}].{f}");
        if !item.is_mapping() {
            return Err(bad(&format!("values[{i}]"), "is not a mapping"));
        }
        let key = match item.get("key") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => scalar(other).ok_or_else(|| bad(&field("key"), "is not a string"))?,
            None => return Err(bad(&field("key"), "is missing")),
        };
        let value = match item.get("value") {
            None | Some(Value::Null) => String::new(),
            Some(v) => scalar(v).ok_or_else(|| bad(&field("value"), "is not a string"))?,
        };
        let enabled = match item.get("enabled") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(bad(
                    &field("enabled"),
                    &format!("is {v:?}, not true or false"),
                ))
            }
        };
        let mut kind = match item.get("type") {
            None => Variable::DEFAULT.to_string(),
            Some(Value::String(t)) if ["default", "secret", "any"].contains(&t.as_str()) => {
                t.clone()
            }
            Some(v) => {
                return Err(bad(
                    &field("type"),
                    &format!("is {v:?}, not default or secret"),
                ))
            }
        };
        if item.get("secret").and_then(Value::as_bool) == Some(true) {
            kind = Variable::SECRET.into();
        }
        let value = if kind == Variable::SECRET && value.is_empty() {
            None
        } else {
            Some(value)
        };
        values.push(Variable {
            key,
            value,
            enabled,
            kind,
        });
    }
    Ok((name, values))
}

#[cfg(test)]
mod tests {
    use super::super::testdata::*;
    use super::*;

    #[test]
    fn an_environment_is_written_as_the_app_writes_a_pulled_one() {
        let (name, values) = parse("e", ENV_PULLED.as_bytes()).unwrap();
        assert_eq!(name, "PetVerse API - Development");
        assert_eq!(values.len(), 5);
        assert_eq!(
            values[2],
            var("user_password", "{{DEV_USER_PASSWORD}}", "default")
        );
        // The app's values block, byte for byte (its extra top-level fields aside).
        let ours = render(&name, &values, false);
        let start = ENV_PULLED.find("values:").unwrap();
        let end = ENV_PULLED.find("createdAt:").unwrap();
        assert_eq!(ours, format!("name: {name}\n{}", &ENV_PULLED[start..end]));
        // Every file the app wrote is kept as it is when it says the same.
        for real in [ENV_PULLED, ENV_CONVERTED, ENV_CERDMANN, GLOBALS] {
            let (name, values) = parse("e", real.as_bytes()).unwrap();
            for secrets in [false, true] {
                let kept = file("e", &name, &values, Some(real.as_bytes()), secrets);
                assert_eq!(kept, real.as_bytes());
            }
        }
        let mut changed = values.clone();
        changed[0].value = Some("https://other".into());
        let rewritten = file("e", &name, &changed, Some(ENV_PULLED.as_bytes()), false);
        assert_eq!(rewritten, render(&name, &changed, false).into_bytes());
    }

    #[test]
    fn every_real_form_parses() {
        let (name, values) = parse("e", ENV_CONVERTED.as_bytes()).unwrap();
        assert_eq!(name, "PetVerse API - Local");
        assert_eq!(
            values[0],
            var("base_url", "http://localhost:3000", "default")
        );
        let (name, values) = parse("e", ENV_CERDMANN.as_bytes()).unwrap();
        assert_eq!((name.as_str(), values.len()), ("local", 1));
        assert_eq!(
            values[0],
            var("baseUrl", "http://localhost:3001", "default")
        );
        let (name, values) = parse("g", GLOBALS.as_bytes()).unwrap();
        assert_eq!((name.as_str(), values.len()), (GLOBALS_NAME, 0));
        assert_eq!(render(GLOBALS_NAME, &[], false), GLOBALS);
    }

    #[test]
    fn secrets_stay_out_unless_asked_for_and_read_back_as_not_held() {
        let values = vec![
            var("token", "s3cr3t", "secret"),
            var("url", "https://x", "default"),
        ];
        let text = render("Prod", &values, false);
        assert!(!text.contains("s3cr3t"), "{text}");
        assert_eq!(
            text,
            "name: Prod\nvalues:\n  - key: token\n    value: \"\"\n    enabled: true\n    type: secret\n  - key: url\n    value: https://x\n    enabled: true\n"
        );
        let (_, back) = parse("e", text.as_bytes()).unwrap();
        assert_eq!(back[0].value, None, "a push must not blank it");
        assert_eq!(back[1], values[1]);
        let (_, back) = parse("e", render("Prod", &values, true).as_bytes()).unwrap();
        assert_eq!(back, values);
        let (_, plugin) = parse(
            "e",
            b"name: A\nvalues:\n  - key: k\n    value: v\n    type: default\n    secret: true\n",
        )
        .unwrap();
        assert!(plugin[0].is_secret());
    }

    #[test]
    fn a_bad_file_names_its_field_or_line() {
        for (text, expected) in [
            (
                "name: A\nvalues:\n  - key: k\n    type: password\n",
                "e.environment.yaml: values[0].type is",
            ),
            ("values: []\n", "e.environment.yaml: name is missing"),
            ("name: A\nvalues: {}\n", "values is not a list"),
            (
                "name: A\nvalues:\n  - value: v\n",
                "values[0].key is missing",
            ),
            (
                "name: A\nvalues:\n  - key: k\n    enabled: maybe\n",
                "values[0].enabled is",
            ),
            ("name: A\nvalues:\n  - key: [\n", "e.environment.yaml:4:"),
        ] {
            let err = parse("e.environment.yaml", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
