//! postman
