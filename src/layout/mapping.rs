//! mapping (todo)
