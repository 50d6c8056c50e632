//! Stackplan's domain core: the deployment plan, its validation and its CloudFormation template.
//!
//! Architecture invariant: this crate does no I/O. No files, clocks, network, tokio, axum, leptos
//! or AWS SDK; everything it needs is passed in. It builds for `wasm32-unknown-unknown` (CI
//! checks) so the browser and the CLI run the very same code.

pub mod api;
pub mod cost;
pub mod decimal;
pub mod environment;
pub mod examples;
pub mod link;
pub mod plan;
pub mod reach;
pub mod resources;
pub mod shape;
pub mod sort;
pub mod template;
#[cfg(test)]
mod test_rng;
pub mod topology;
pub mod unique_keys;
pub mod validate;
mod words;

pub use plan::{Architecture, ArchitectureKind, Plan, Region};
pub use template::{Format, Template, generate};
pub use validate::{Problem, Severity, ValidPlan, check};

/// JSON Schema of the plan file.
#[cfg(feature = "schema")]
pub fn plan_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Plan)).expect("schema serializes")
}
