//! The API Builder backend (`/apis/<id>`, Postman v10-v11): one schema and its
//! collections.

pub mod history;
pub mod plan;
pub mod snapshot;
