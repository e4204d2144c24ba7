//! The fake Postman API seeded with the sample workspace, and a client for it: the
//! setup of the workspace tests (the client's and the backend's).

use git_postman::postman::{ApiKey, Client};

use super::fake_postman::{FakePostman, API_KEY};

pub struct Setup {
    pub fake: FakePostman,
    pub client: Client,
    pub ws: String,
}

pub fn setup() -> Setup {
    let fake = FakePostman::start();
    let ws = fake.with_state(|s| s.seed_workspace());
    let base = url::Url::parse(&fake.base_url()).unwrap();
    let client = Client::new(base, ApiKey::new(API_KEY)).unwrap();
    Setup { fake, client, ws }
}
