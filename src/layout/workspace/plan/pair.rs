//! Which live object each pushed one is: its `cloudResources` id, else the id the push
//! journal recorded for its path, else the one git moved there (`git mv`): a collection
//! by the id its definition carries, an environment by its name (or its variables), a
//! spec or a spec file by content, as git's rename detection finds renames. Re-creating
//! a moved object would lose what Postman links to it: a generated collection's spec, a
//! spec's version tags, an environment's secret values.

use std::collections::BTreeMap;

use super::super::state::{Collection, Environment, Found, Spec, SpecFile};
use super::super::write::same_id;
use super::Error;

/// An object a push creates, updates or deletes.
pub(super) trait Object {
    const KIND: &'static str;
    fn id(&self) -> Option<&str>;
    /// Whether `self`, at a path `.postman/resources.yaml` does not map, is `live` that
    /// git moved there (`git mv`): re-creating it would lose what Postman links to it (a
    /// generated collection's spec, a spec's version tags). Not followed by default.
    fn moved_from(&self, _live: &Self) -> bool {
        false
    }
}

impl Object for Environment {
    const KIND: &'static str = "environment";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By its name (in the file, not the file's name), else by the same variables: a new
    /// environment would lose every secret value git does not hold.
    fn moved_from(&self, live: &Environment) -> bool {
        let keys = |e: &Environment| e.values.iter().map(|v| v.key.clone()).collect::<Vec<_>>();
        self.name == live.name || (!self.values.is_empty() && keys(self) == keys(live))
    }
}

impl Object for Spec {
    const KIND: &'static str = "spec";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By content, as git's rename detection: its files' lines alike by half or more.
    fn moved_from(&self, live: &Spec) -> bool {
        let mine: Vec<&[u8]> = self.files.iter().map(|f| f.content.as_slice()).collect();
        let theirs: Vec<&[u8]> = live.files.iter().map(|f| f.content.as_slice()).collect();
        similarity(&mine, &theirs) >= SIMILAR
    }
}

impl Object for Collection {
    const KIND: &'static str = "collection";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// By the id its definition carries (`info._postman_id`): a copy of a directory
    /// carries it too, but the original's path claims the collection first.
    fn moved_from(&self, live: &Collection) -> bool {
        #[derive(serde::Deserialize)]
        struct Head {
            info: Info,
        }
        #[derive(serde::Deserialize)]
        struct Info {
            #[serde(rename = "_postman_id")]
            id: Option<String>,
        }
        let own = serde_json::from_str::<Head>(&self.json)
            .ok()
            .and_then(|h| h.info.id);
        matches!((own, &live.id), (Some(own), Some(id)) if same_id(&own, id))
    }
}

/// A pushed object and its live counterpart; `moved`: found by [`Object::moved_from`].
pub(super) struct Pair<'a, T> {
    pub pushed: &'a Found<T>,
    pub live: Option<&'a T>,
    pub moved: bool,
}

/// Pushed objects with their live counterparts, and the live objects no pushed one claims.
pub(super) type Paired<'a, T> = (Vec<Pair<'a, T>>, Vec<&'a T>);

/// Pairs each pushed object with its live counterpart (by id, else by the journal's id
/// for its path, else as moved there by git) and returns the live objects no pushed one
/// claims.
pub(super) fn pair<'a, T: Object>(
    pushed: &'a [Found<T>],
    live: &'a [T],
    created: &BTreeMap<String, String>,
) -> Result<Paired<'a, T>, Error> {
    let mut claimed: BTreeMap<usize, &str> = BTreeMap::new();
    let mut found: Vec<Option<usize>> = Vec::new();
    for p in pushed {
        let journaled = created.get(&p.path).map(String::as_str);
        let Some(id) = p.value.id().or(journaled) else {
            found.push(None);
            continue;
        };
        let at = live
            .iter()
            .position(|l| l.id().is_some_and(|lid| same_id(lid, id)));
        match at {
            Some(i) => {
                if let Some(other) = claimed.insert(i, &p.path) {
                    return Err(Error::Twice {
                        path: p.path.clone(),
                        other: other.to_string(),
                        kind: T::KIND,
                        id: id.to_string(),
                    });
                }
                found.push(Some(i));
            }
            // Created by the stopped push, deleted since: create it again.
            None if p.value.id().is_none() => found.push(None),
            None => {
                return Err(Error::Gone {
                    path: p.path.clone(),
                    kind: T::KIND,
                    id: id.to_string(),
                })
            }
        }
    }
    // Only then what git moved: a live object its mapped path no longer claims.
    let mut moved = vec![false; pushed.len()];
    for (i, p) in pushed.iter().enumerate() {
        if found[i].is_some() || created.contains_key(&p.path) {
            continue;
        }
        let from =
            (0..live.len()).find(|l| !claimed.contains_key(l) && p.value.moved_from(&live[*l]));
        if let Some(l) = from {
            claimed.insert(l, &p.path);
            (found[i], moved[i]) = (Some(l), true);
        }
    }
    let pairs = pushed
        .iter()
        .zip(found)
        .zip(moved)
        .map(|((p, f), moved)| Pair {
            pushed: p,
            live: f.map(|i| &live[i]),
            moved,
        })
        .collect();
    let gone = (0..live.len())
        .filter(|i| !claimed.contains_key(i))
        .map(|i| &live[i])
        .collect();
    Ok((pairs, gone))
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Files of a spec git moved inside their folder: index in `pushed` -> index in `live`,
/// for a pushed path Spec Hub does not have and a live path the push drops, in the same
/// folder, with similar content. Spec Hub renames a file only within its folder
/// (`PATCH {name}`), so a move to another folder is a create and a delete.
pub(super) fn moved_files(pushed: &[SpecFile], live: &[SpecFile]) -> BTreeMap<usize, usize> {
    let added = |f: &&SpecFile| live.iter().all(|l| l.path != f.path);
    let dropped: Vec<usize> = (0..live.len())
        .filter(|j| pushed.iter().all(|f| f.path != live[*j].path))
        .collect();
    let mut out = BTreeMap::new();
    for (i, f) in pushed.iter().enumerate().filter(|(_, f)| added(f)) {
        let best = dropped
            .iter()
            .filter(|j| !out.values().any(|taken| taken == *j))
            .filter(|j| folder(&live[**j].path) == folder(&f.path))
            .map(|j| (similarity(&[&f.content], &[&live[*j].content]), *j))
            .filter(|(score, _)| *score >= SIMILAR)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, j)) = best {
            out.insert(i, j);
        }
    }
    out
}

/// How alike two texts must be to be one file moved, as git's rename detection (50%).
const SIMILAR: f64 = 0.5;

/// The share of lines two texts (each the concatenation of `a`'s or `b`'s parts) have in
/// common: 1.0 the same lines, 0.0 none.
pub(super) fn similarity(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    let lines = |parts: &[&[u8]]| -> BTreeMap<Vec<u8>, usize> {
        let mut out = BTreeMap::new();
        // A final newline ends the last line; it does not start an empty one.
        let texts = parts.iter().map(|p| p.strip_suffix(b"\n").unwrap_or(p));
        for line in texts.flat_map(|t| t.split(|c| *c == b'\n')) {
            *out.entry(line.to_vec()).or_insert(0) += 1;
        }
        out
    };
    let (a, b) = (lines(a), lines(b));
    let total: usize = a.values().chain(b.values()).sum();
    let common: usize = a
        .iter()
        .map(|(line, n)| (*n).min(b.get(line).copied().unwrap_or(0)))
        .sum();
    match total {
        0 => 1.0,
        total => 2.0 * common as f64 / total as f64,
    }
}
