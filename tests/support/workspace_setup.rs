//! The fake Postman API seeded with the sample workspace, and a client for it: the
//! setup of the workspace tests (the client's and the backend's).
// Each test target that includes it uses a part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use git_postman::postman::{ApiKey, Client};

use super::fake_postman::{FakePostman, API_KEY};

pub struct Setup {
    pub fake: FakePostman,
    /// Its waits for a task are noted in `waits`, not spent.
    pub client: Client,
    pub ws: String,
    pub waits: Arc<Mutex<Vec<Duration>>>,
}

pub fn setup() -> Setup {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let base = url::Url::parse(&fake.base_url()).unwrap();
    let waits = Arc::new(Mutex::new(Vec::new()));
    let noted = Arc::clone(&waits);
    let client = Client::new(base, ApiKey::new(API_KEY))
        .unwrap()
        .with_sleep(Arc::new(move |d| noted.lock().unwrap().push(d)));
    Setup {
        fake,
        client,
        ws,
        waits,
    }
}
