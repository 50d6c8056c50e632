//! The `stackplan` binary's library: the CLI commands (and, later, the web server).

pub mod cli;
