//! The page's parts, one per file.

pub mod api_access;
pub mod arch_cards;
pub mod compare_view;
pub mod controls;
pub mod cost_breakdown;
pub mod cost_summary;
pub mod deploy;
pub mod deploy_slot;
pub mod domain;
pub mod environment;
pub mod fargate_panel;
pub mod fields;
pub mod lambda_panel;
pub mod plan_panel;
pub mod problems;
pub mod share;
pub mod template_viewer;
pub mod topology_view;
