//! What one keyring entry holds, how entries are named, and git's matching rule.
//!
//! One entry per (protocol, `host[:port]`, path, username). The keyring's *service* is
//! `git-postman:<protocol>://<host>`, so every entry of a host is found by one search on the
//! service; the *account* is `<username>@<host>[/<path>]` (readable in Keychain Access or
//! Seahorse, never empty, which macOS requires). The entry's secret is the whole record in
//! the protocol's own `key=value` form, so the record, not the entry's name, is the truth:
//! matching compares the exact bytes git sent, and the name only has to be unique.

use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::protocol::{split_lines, Credential};
use super::store::{Store, StoreError};

/// Prefix of every service name this helper writes: its own namespace, apart from GCM's
/// `git:` entries and other tools'.
pub const SERVICE_PREFIX: &str = "git-postman:";

/// The fields of a stored record, in the order they are written.
const STORED_KEYS: &[&str] = &[
    "protocol",
    "host",
    "path",
    "username",
    "password",
    "password_expiry_utc",
    "oauth_refresh_token",
    "authtype",
    "credential",
];

/// Key of the store time (nanoseconds since the epoch): with several matches, the newest wins.
const STORED_AT: &[u8] = b"x-stored-ns";

/// Characters escaped in the username part of an account name, so that `@` (and `/`)
/// split it unambiguously.
const USER_ESCAPES: &AsciiSet = &CONTROLS.add(b'%').add(b'@').add(b'/');

/// One stored credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Only the storable fields are set.
    pub credential: Credential,
    pub stored_ns: u128,
}

/// The keyring service for a protocol and host.
pub fn service(protocol: &[u8], host: &[u8]) -> String {
    format!(
        "{SERVICE_PREFIX}{}://{}",
        String::from_utf8_lossy(protocol),
        String::from_utf8_lossy(host)
    )
}

/// The keyring service for a credential's protocol and host.
pub fn service_of(c: &Credential) -> String {
    service(
        c.protocol.as_deref().unwrap_or_default(),
        c.host.as_deref().unwrap_or_default(),
    )
}

/// Every record stored under `service`; entries that are not records are skipped.
pub fn load(store: &Store, service: &str) -> Result<Vec<Record>, StoreError> {
    Ok(store
        .find(service)?
        .iter()
        .filter_map(|s| Record::parse(&s.secret))
        .collect())
}

/// The keyring service of every record in `store`, sorted.
pub fn services(store: &Store) -> Result<Vec<String>, StoreError> {
    store.services(SERVICE_PREFIX)
}

/// Seconds since the epoch.
pub fn now_utc() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Record {
    /// The part of a `store` request worth keeping: never `ephemeral`, `wwwauth[]`,
    /// `state[]` or capabilities.
    pub fn from_request(request: &Credential) -> Self {
        let credential = Credential {
            protocol: request.protocol.clone(),
            host: request.host.clone(),
            path: request.path.clone(),
            username: request.username.clone(),
            password: request.password.clone(),
            password_expiry_utc: request.password_expiry_utc,
            oauth_refresh_token: request.oauth_refresh_token.clone(),
            authtype: request.authtype.clone(),
            credential: request.credential.clone(),
            ..Credential::default()
        };
        let stored_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Record {
            credential,
            stored_ns,
        }
    }

    /// The keyring service of this record.
    pub fn service(&self) -> String {
        service_of(&self.credential)
    }

    /// Creates or replaces this record's entry in `store`.
    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        store.put(
            &self.service(),
            &self.account(),
            &self.label(),
            &self.to_bytes(),
        )
    }

    /// The keyring account of this record: `<username>@<host>[/<path>]`.
    ///
    /// Not secret; lossy for bytes that are not UTF-8, which can only make two such
    /// usernames share one entry, never mix up what is returned (matching uses the record).
    pub fn account(&self) -> String {
        let c = &self.credential;
        let user = String::from_utf8_lossy(c.username.as_deref().unwrap_or_default()).into_owned();
        let mut account = format!(
            "{}@{}",
            utf8_percent_encode(&user, USER_ESCAPES),
            String::from_utf8_lossy(c.host.as_deref().unwrap_or_default())
        );
        if let Some(path) = &c.path {
            account.push('/');
            account.push_str(&String::from_utf8_lossy(path));
        }
        account
    }

    /// A human-readable label for stores that show one (Secret Service).
    pub fn label(&self) -> String {
        let protocol =
            String::from_utf8_lossy(self.credential.protocol.as_deref().unwrap_or_default());
        format!("Git credential {protocol}://{}", self.account())
    }

    /// The secret written to the keyring.
    pub fn to_bytes(&self) -> Vec<u8> {
        let c = &self.credential;
        let expiry = c.password_expiry_utc.map(|t| t.to_string().into_bytes());
        let values: [Option<&[u8]>; 9] = [
            c.protocol.as_deref(),
            c.host.as_deref(),
            c.path.as_deref(),
            c.username.as_deref(),
            c.password.as_deref(),
            expiry.as_deref(),
            c.oauth_refresh_token.as_deref(),
            c.authtype.as_deref(),
            c.credential.as_deref(),
        ];
        let mut out = Vec::new();
        for (key, value) in STORED_KEYS.iter().zip(values) {
            if let Some(value) = value {
                out.extend_from_slice(key.as_bytes());
                out.push(b'=');
                out.extend_from_slice(value);
                out.push(b'\n');
            }
        }
        out.extend_from_slice(STORED_AT);
        out.push(b'=');
        out.extend_from_slice(self.stored_ns.to_string().as_bytes());
        out.push(b'\n');
        out
    }

    /// Reads a secret written by [`Record::to_bytes`]; `None` for anything else (an entry
    /// some other program put under our service name is skipped, not misread).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let pairs = split_lines(bytes).ok()?;
        let (_, stored_ns) = pairs.iter().rev().find(|(key, _)| *key == STORED_AT)?;
        let record = Record {
            credential: Credential::from_pairs(&pairs).ok()?,
            stored_ns: std::str::from_utf8(stored_ns).ok()?.parse().ok()?,
        };
        (record.credential.protocol.is_some() && record.credential.host.is_some()).then_some(record)
    }

    /// True if the password has expired (git's rule: strictly before now).
    pub fn is_expired(&self, now: u64) -> bool {
        self.credential.password_expiry_utc.is_some_and(|t| t < now)
    }
}

/// git's `credential_match(want, have, match_password)`: every field `want` has must be
/// equal in `have`; with `match_password`, also `password` and `credential`.
pub fn matches(want: &Credential, have: &Credential, match_password: bool) -> bool {
    fn check(want: &Option<Vec<u8>>, have: &Option<Vec<u8>>) -> bool {
        want.is_none() || want == have
    }
    check(&want.protocol, &have.protocol)
        && check(&want.host, &have.host)
        && check(&want.path, &have.path)
        && check(&want.username, &have.username)
        && (!match_password || check(&want.password, &have.password))
        && (!match_password || check(&want.credential, &have.credential))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(s: &str) -> Credential {
        Credential::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn record_round_trips_and_drops_transient_fields() {
        let req = cred(
            "capability[]=authtype\nprotocol=https\nhost=h:8443\npath=a.git\nusername=\npassword=a\rb\n\
             password_expiry_utc=9999999999\noauth_refresh_token=r\nauthtype=Bearer\ncredential=c\n\
             ephemeral=0\nwwwauth[]=Basic realm=x\nstate[]=s\n",
        );
        let record = Record::from_request(&req);
        let back = Record::parse(&record.to_bytes()).expect("parses");
        assert_eq!(back, record);
        assert!(back.credential.wwwauth.is_empty() && back.credential.state.is_empty());
        assert!(!back.credential.capabilities.authtype);
        assert_eq!(back.credential.password.as_deref(), Some(&b"a\rb"[..]));
        assert_eq!(back.credential.username.as_deref(), Some(&b""[..]));
    }

    #[test]
    fn foreign_secrets_are_not_records() {
        assert!(Record::parse(b"ghp_plain_token").is_none());
        assert!(Record::parse(b"protocol=https\nhost=h\n").is_none());
    }

    #[test]
    fn names_are_readable_and_unambiguous() {
        let r = Record::from_request(&cred(
            "protocol=https\nhost=example.com\nusername=a@b/c\npath=g/r.git\n",
        ));
        assert_eq!(r.service(), "git-postman:https://example.com");
        assert_eq!(r.account(), "a%40b%2Fc@example.com/g/r.git");
        let r = Record::from_request(&cred("protocol=https\nhost=example.com\n"));
        assert_eq!(r.account(), "@example.com");
    }

    #[test]
    fn matching_follows_git() {
        let have = cred("protocol=https\nhost=h\npath=p\nusername=u\npassword=pw\n");
        // (request, match_password, whether it matches `have`)
        for (want, match_password, expected) in [
            ("protocol=https\nhost=h\n", false, true),
            ("protocol=https\nhost=h\nusername=u\n", false, true),
            ("protocol=https\nhost=h\nusername=\n", false, false),
            ("protocol=https\nhost=h\npath=q\n", false, false),
            ("protocol=http\nhost=h\n", false, false),
            ("protocol=https\nhost=h\npassword=other\n", false, true),
            ("protocol=https\nhost=h\npassword=other\n", true, false),
            ("protocol=https\nhost=h\npassword=pw\n", true, true),
        ] {
            assert_eq!(
                matches(&cred(want), &have, match_password),
                expected,
                "{want:?} (match_password: {match_password})"
            );
        }
    }

    #[test]
    fn expiry() {
        let r = Record::from_request(&cred("protocol=https\nhost=h\npassword_expiry_utc=100\n"));
        assert!(r.is_expired(101));
        assert!(!r.is_expired(100));
        assert!(!Record::from_request(&cred("protocol=https\nhost=h\n")).is_expired(u64::MAX));
    }
}
