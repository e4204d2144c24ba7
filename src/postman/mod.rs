//! The Postman API client: HTTP, models, errors, rate limits, and where the API key
//! comes from.

pub mod apikey;
pub mod client;
pub mod error;
pub mod migration;
pub mod model;
pub mod poll;
pub mod time;
pub mod workspace;

pub use apikey::ApiKey;
pub use client::Client;
pub use error::{Error, Result};

/// The default server (`postman::<apiId>`).
pub const DEFAULT_BASE_URL: &str = "https://api.getpostman.com";
