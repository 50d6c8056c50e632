//! While the stack changes: the progress bar and the live event list.

use leptos::prelude::*;

use super::flow::{Deploy, Phase};

/// One row of the event list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub time: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// Percent done, 0–100.
pub fn percent((done, total): (u32, u32)) -> u32 {
    (done * 100).checked_div(total).unwrap_or(0).min(100)
}

pub fn progress_bar(d: Deploy) -> AnyView {
    let view = {
        move || {
            matches!(d.phase.get(), Phase::Running | Phase::Finished(_)).then(|| {
                view! {
                    <div class="progress" role="progressbar" aria-label="Deploy progress" data-testid="deploy-progress"
                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent(d.progress.get()).to_string()>
                        <span style=move || format!("width: {}%", percent(d.progress.get()))></span>
                    </div>
                    <p class="muted" data-testid="progress-text">{move || {
                        let (done, total) = d.progress.get();
                        format!("{done} of {total} resources · {}%", percent((done, total)))
                    }}</p>
                }
            })
        }
    };
    view.into_any()
}

/// The CSS class of a row: failed, rolling back, complete or in progress.
fn status_class(status: &str) -> &'static str {
    if status.ends_with("_FAILED") {
        "failed"
    } else if status.contains("ROLLBACK") {
        "rollback"
    } else if status.ends_with("_COMPLETE") {
        "complete"
    } else {
        "progress"
    }
}

/// The stack's events, newest first.
pub fn event_list(d: Deploy) -> AnyView {
    let view = {
        move || {
            (!d.rows.with(Vec::is_empty)).then(|| {
                view! {
                    <div class="events" tabindex="0" aria-label="Stack events">
                        <table data-testid="deploy-events">
                            <thead><tr><th>"Time"</th><th>"Resource"</th><th>"Status"</th><th>"Reason"</th></tr></thead>
                            <tbody>
                                {move || d.rows.get().into_iter().rev().map(|r| {
                                    let class = status_class(&r.status);
                                    view! {
                                        <tr class=class>
                                            <td>{r.time.get(11..19).unwrap_or(&r.time).to_string()}</td>
                                            <td title=r.resource_type.clone()>{r.logical_id}</td>
                                            <td>{r.status}</td>
                                            <td>{r.reason}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })
        }
    };
    view.into_any()
}
