//! While the stack changes: the progress bar and the live event list.

use leptos::prelude::*;
use shared::api::Progress;

use super::flow::{Deploy, Doing, Phase};

/// What the stack's change in progress is called: a deletion (this tab's, or one it shows by
/// the stack's own last event), else a deploy.
pub fn what(d: Deploy) -> &'static str {
    let deleting = match d.doing.get() {
        Doing::Deleting => true,
        Doing::Deploying => false,
        Doing::Showing => d.rows.with(|rows| {
            rows.iter()
                .rev()
                .find(|r| r.resource_type == "AWS::CloudFormation::Stack")
                .is_some_and(|r| r.status.starts_with("DELETE_"))
        }),
    };
    if deleting { "Deletion" } else { "Deploy" }
}

/// One row of the event list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub time: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// The cause of a failing operation, as soon as its event arrives: the first resource that
/// failed for a reason of its own (CloudFormation then cancels the others in flight, and
/// those say "cancelled").
pub fn first_failure(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| {
        r.status.ends_with("_FAILED")
            && r.resource_type != "AWS::CloudFormation::Stack"
            && !(r.reason.contains("cancelled") || r.reason.contains("canceled"))
    })
}

/// The cause of the operation still running, if it has failed: none once the stack's last
/// event is final (the rows then belong to an operation that has ended, say the deploy a
/// delete is about to follow).
pub fn failing_now(rows: &[Row]) -> Option<&Row> {
    let last = rows
        .iter()
        .rev()
        .find(|r| r.resource_type == "AWS::CloudFormation::Stack")?;
    last.status
        .ends_with("_IN_PROGRESS")
        .then(|| first_failure(rows))
        .flatten()
}

/// While the stack still changes: the failure that stops it reaching its goal, so that nobody
/// waits for the rest (a rollback takes minutes, for a database) to learn why.
pub fn failing(d: Deploy) -> AnyView {
    let view = move || {
        if !matches!(d.phase.get(), Phase::Running) {
            return None;
        }
        d.rows.with(|rows| failing_now(rows).cloned()).map(|f| {
            view! {
                <div class="banner error" role="alert" data-testid="deploy-failing">
                    <strong>{format!("{} ({}) failed: ", f.logical_id, f.resource_type)}</strong>
                    <span>{f.reason}</span>
                    <span>"The stack will not reach its goal; the list below follows CloudFormation to the end."</span>
                </div>
            }
        })
    };
    view.into_any()
}

/// Percent done, 0–100. Of nothing to do (an update that changes no resource), what the
/// server says: 100 once it is done.
pub fn percent(p: Progress) -> u32 {
    (p.finished * 100)
        .checked_div(p.total)
        .unwrap_or(u32::from(p.percent))
        .min(100)
}

pub fn progress_bar(d: Deploy) -> AnyView {
    // One bar from the step's start to its result, not a new one when the phase moves on: the
    // focus a step's button leaves on it (`browser::refocus_deploy`) stays there.
    let shown = crate::reactive::memo(move |_| {
        matches!(d.phase.get(), Phase::Running | Phase::Finished(_))
    });
    let view = {
        move || {
            shown.get().then(|| {
                view! {
                    <div class="progress" role="progressbar" aria-label=move || format!("{} progress", what(d)) data-testid="deploy-progress" tabindex="-1"
                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent(d.progress.get()).to_string()
                        aria-valuetext=move || d.progress.get().words()>
                        <span style=move || format!("width: {}%", percent(d.progress.get()))></span>
                    </div>
                    <p class="muted" data-testid="progress-text">{move || {
                        let p = d.progress.get();
                        format!("{} · {}%", p.words(), percent(p))
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
        // Not `progress`: that is the progress bar's class, whose height, background and
        // margin a row took too (and its status, the bar's pale background behind the
        // warning colour, fell below WCAG's contrast).
        "in-progress"
    }
}

/// The stack's events, newest first.
pub fn event_list(d: Deploy) -> AnyView {
    let view = {
        move || {
            (!d.rows.with(Vec::is_empty)).then(|| {
                view! {
                    <div class="events" tabindex="0" role="region" aria-label="Stack events">
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

#[cfg(test)]
mod tests {
    use super::{Row, failing_now, first_failure};

    fn row(id: &str, kind: &str, status: &str, reason: &str) -> Row {
        Row {
            time: "2026-12-01T10:00:00Z".into(),
            logical_id: id.into(),
            resource_type: kind.into(),
            status: status.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_cause_of_a_failure_is_found_among_its_consequences() {
        let rows = [
            row(
                "shop",
                "AWS::CloudFormation::Stack",
                "CREATE_IN_PROGRESS",
                "User Initiated",
            ),
            row(
                "Queue",
                "AWS::SQS::Queue",
                "CREATE_FAILED",
                "Resource creation cancelled",
            ),
            row(
                "Database",
                "AWS::RDS::DBInstance",
                "CREATE_FAILED",
                "DB instance class not available",
            ),
            row(
                "shop",
                "AWS::CloudFormation::Stack",
                "ROLLBACK_IN_PROGRESS",
                "The following resource(s) failed to create: [Database]",
            ),
        ];
        assert_eq!(
            first_failure(&rows).map(|r| r.logical_id.as_str()),
            Some("Database")
        );
        assert_eq!(first_failure(&rows[..2]), None);
        // While the rollback runs, it is the failure now; once the stack settles, the rows are
        // an ended operation's (a delete about to start still shows them).
        assert_eq!(
            failing_now(&rows).map(|r| r.logical_id.as_str()),
            Some("Database")
        );
        let mut ended = rows.to_vec();
        ended.push(row(
            "shop",
            "AWS::CloudFormation::Stack",
            "ROLLBACK_COMPLETE",
            "",
        ));
        assert_eq!(failing_now(&ended), None);
    }
}
