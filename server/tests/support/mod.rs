//! What the server's integration tests share.

pub mod doubles;
