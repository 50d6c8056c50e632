//! What a list of stack events means: where the current operation starts, how many resources
//! are done, whether the stack has settled, and the first real failure.

pub use shared::api::{Counted, Failure, Held, LeftBehind, LeftWhy, Progress};

use crate::aws::cloudformation::StackEvent;

pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// Whether a stack status is final (nothing more will happen without a new request).
pub fn is_terminal(status: &str) -> bool {
    status.ends_with("_COMPLETE") || status.ends_with("_FAILED")
}

/// Whether a final status means the requested operation worked.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

fn is_stack_event(e: &StackEvent) -> bool {
    e.resource_type == STACK_TYPE
}

/// The events of the latest operation (create, update or delete), oldest first: everything from
/// the last stack-level `*_IN_PROGRESS` that starts one.
pub fn current_operation(events: &[StackEvent]) -> &[StackEvent] {
    let start = events.iter().rposition(StackEvent::starts_operation);
    &events[start.unwrap_or(0)..]
}

/// What a finished operation (its events, oldest first) left in the account outside the
/// stack: each resource whose last event is `DELETE_SKIPPED` (its deletion policy kept it, at
/// a deletion, when an update removed or replaced it, or in a rollback; or a delete after a
/// failed one was asked to keep it; the stack no longer has it whether or not the operation
/// worked, so a later one will not name it), and, when the operation `completed`, each whose
/// last event is `DELETE_FAILED` (an update's clean-up goes on past a delete that fails,
/// deletion protection's say, and the old resource stays, running and billed; in a failed
/// operation that is the failure, said as such). `held` is what the stack's template holds:
/// a stack's delete skips, without a reason, only what its template retains and what the
/// delete was asked to keep.
pub fn left_behind(events: &[StackEvent], completed: bool, held: &[Held]) -> Vec<LeftBehind> {
    let deleting_stack = events
        .first()
        .is_some_and(|e| is_stack_event(e) && e.status == "DELETE_IN_PROGRESS");
    let retained = |id: &str| {
        held.iter()
            .any(|h| h.logical_id == id && h.deletion_policy.starts_with("Retain"))
    };
    latest_per_resource(events)
        .into_iter()
        .filter_map(|e| {
            let why = match e.status.as_str() {
                // CloudFormation gives no reason for a resource its policy keeps, or that a
                // delete was asked to keep (the template tells the two apart); one with a
                // reason was skipped for that reason (the sandbox says so of what moto cannot
                // delete).
                "DELETE_SKIPPED" if e.reason.as_deref().is_none_or(str::is_empty) => {
                    // A template that holds nothing says nothing either way: the policy's.
                    if deleting_stack && !held.is_empty() && !retained(&e.logical_id) {
                        LeftWhy::Asked
                    } else {
                        LeftWhy::Kept
                    }
                }
                "DELETE_SKIPPED" => LeftWhy::Skipped,
                "DELETE_FAILED" if completed => LeftWhy::DeleteFailed,
                _ => return None,
            };
            Some(LeftBehind {
                logical_id: e.logical_id.clone(),
                resource_type: e.resource_type.clone(),
                // Cut to its resource part, then scrubbed like any AWS text: an id that is not
                // an ARN may still hold an account id (a queue's URL).
                physical_id: crate::aws::scrub(resource_part(&e.physical_id)),
                reason: (why == LeftWhy::Skipped)
                    .then(|| e.reason.clone())
                    .flatten(),
                why,
            })
        })
        .collect()
}

/// A physical id as the user may be shown it: an ARN (which names the account) cut to its
/// resource part, anything else as it is.
fn resource_part(physical_id: &str) -> &str {
    match physical_id.strip_prefix("arn:") {
        Some(rest) => {
            // arn:partition:service:region:account:resource, where the resource is a name, or
            // a type and a name after the first ':' or '/' (`secret:shop/key`, `table/shop`),
            // and the name may hold either itself.
            let resource = rest.splitn(5, ':').nth(4).unwrap_or_default();
            resource
                .split_once([':', '/'])
                .map_or(resource, |(_, name)| name)
        }
        None => physical_id,
    }
}

/// The first failure of an operation. CloudFormation cancels the other resources in flight
/// when one fails ("Resource creation cancelled"): those are consequences, not the cause, so
/// they are skipped. Without a resource failure, a failed stack-level event is the answer.
pub fn first_failure(events: &[StackEvent]) -> Option<Failure> {
    let failed = |e: &&StackEvent| e.status.ends_with("_FAILED");
    let cancelled = |e: &&StackEvent| {
        e.reason
            .as_deref()
            .is_some_and(|r| r.contains("cancelled") || r.contains("canceled"))
    };
    events
        .iter()
        .filter(failed)
        .find(|e| !is_stack_event(e) && !cancelled(e))
        .or_else(|| events.iter().filter(failed).find(|e| !is_stack_event(e)))
        .or_else(|| events.iter().filter(failed).find(|e| is_stack_event(e)))
        .or_else(|| {
            // A rollback names its cause in the stack's ROLLBACK_IN_PROGRESS reason.
            events
                .iter()
                .find(|e| is_stack_event(e) && e.status.contains("ROLLBACK_IN_PROGRESS"))
        })
        .map(failure_of)
}

/// Whether a resource is done with in this operation: complete, failed, or left in place
/// (`DELETE_SKIPPED`, for `DeletionPolicy: Retain`).
fn resource_settled(status: &str) -> bool {
    is_terminal(status) || status.ends_with("_SKIPPED")
}

/// Each resource's latest event, in the order the resources first appear; stack-level events
/// and events without a logical id are not resources'.
fn latest_per_resource(events: &[StackEvent]) -> Vec<&StackEvent> {
    let mut latest: Vec<&StackEvent> = Vec::new();
    for e in events
        .iter()
        .filter(|e| !is_stack_event(e) && !e.logical_id.is_empty())
    {
        match latest.iter_mut().find(|l| l.logical_id == e.logical_id) {
            Some(l) => *l = e,
            None => latest.push(e),
        }
    }
    latest
}

/// An event as the failure it records.
fn failure_of(e: &StackEvent) -> Failure {
    Failure {
        logical_id: e.logical_id.clone(),
        resource_type: e.resource_type.clone(),
        status: e.status.clone(),
        reason: e.reason.clone().unwrap_or_else(|| "no reason given".into()),
    }
}

/// Resources of the operation that have reached a final state.
pub fn finished_resources(events: &[StackEvent]) -> usize {
    latest_per_resource(events)
        .into_iter()
        .filter(|e| resource_settled(&e.status))
        .count()
}

/// The resources an operation could not delete (their latest event is `DELETE_FAILED`), with
/// why, in the order their events came.
pub fn failed_to_delete(events: &[StackEvent]) -> Vec<Failure> {
    latest_per_resource(events)
        .into_iter()
        .filter(|e| e.status == "DELETE_FAILED")
        .map(failure_of)
        .collect()
}

/// The resources an update's rollback could not roll back, with why: each whose latest event
/// since the rollback began (the operation's first `UPDATE_ROLLBACK_IN_PROGRESS`) is an
/// `UPDATE_FAILED` of its own (not "cancelled" because another failed). CloudFormation takes
/// only those as `ResourcesToSkip`: a resource that failed in the update itself, and that the
/// rollback never reached, is not one. A rollback continued and failing again is in the same
/// window, its newer events the latest.
pub fn failed_to_roll_back(events: &[StackEvent]) -> Vec<Failure> {
    let Some(start) = events
        .iter()
        .position(|e| is_stack_event(e) && e.status == "UPDATE_ROLLBACK_IN_PROGRESS")
    else {
        return Vec::new();
    };
    latest_per_resource(&events[start..])
        .into_iter()
        .filter(|e| {
            e.status == "UPDATE_FAILED"
                && !e
                    .reason
                    .as_deref()
                    .is_some_and(|r| r.contains("cancelled") || r.contains("canceled"))
        })
        .map(failure_of)
        .collect()
}

/// Progress of an operation: its finished resources out of `total`, what it touches (the
/// template's resources, or the changes of the change set it runs, as `counted` says). A stack
/// that has settled successfully is complete, even where the sandbox recorded no per-resource
/// events.
pub fn progress(
    events: &[StackEvent],
    stack_status: &str,
    total: usize,
    counted: Counted,
) -> Progress {
    let finished = if is_terminal(stack_status) && is_success(stack_status) {
        total
    } else {
        finished_resources(events).min(total)
    };
    let percent = match (finished * 100).checked_div(total) {
        Some(p) => u8::try_from(p).unwrap_or(100),
        None if is_terminal(stack_status) => 100,
        None => 0,
    };
    Progress {
        finished: u32::try_from(finished).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        percent,
        counted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ev(
        id: &str,
        logical: &str,
        ty: &str,
        status: &str,
        reason: Option<&str>,
    ) -> StackEvent {
        StackEvent {
            id: id.into(),
            logical_id: logical.into(),
            resource_type: ty.into(),
            physical_id: format!("shop-{}", logical.to_lowercase()),
            status: status.into(),
            reason: reason.map(String::from),
            time: "2026-11-27T10:00:00Z".into(),
        }
    }

    /// A create that fails on the database and rolls back, in the order (oldest first) and with
    /// the reason texts CloudFormation records.
    fn rollback() -> Vec<StackEvent> {
        vec![
            ev(
                "1",
                "shop",
                STACK_TYPE,
                "REVIEW_IN_PROGRESS",
                Some("User Initiated"),
            ),
            ev(
                "2",
                "shop",
                STACK_TYPE,
                "CREATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            ev("3", "Vpc", "AWS::EC2::VPC", "CREATE_IN_PROGRESS", None),
            ev(
                "4",
                "Database",
                "AWS::RDS::DBInstance",
                "CREATE_IN_PROGRESS",
                None,
            ),
            ev("5", "Vpc", "AWS::EC2::VPC", "CREATE_COMPLETE", None),
            ev(
                "6",
                "Cache",
                "AWS::ElastiCache::ReplicationGroup",
                "CREATE_FAILED",
                Some("Resource creation cancelled"),
            ),
            ev(
                "7",
                "Database",
                "AWS::RDS::DBInstance",
                "CREATE_FAILED",
                Some(
                    "Resource handler returned message: \"Cannot find version 15.13 for postgres\"",
                ),
            ),
            ev(
                "8",
                "shop",
                STACK_TYPE,
                "ROLLBACK_IN_PROGRESS",
                Some(
                    "The following resource(s) failed to create: [Database, Cache]. Rollback requested by user.",
                ),
            ),
            ev("9", "Vpc", "AWS::EC2::VPC", "DELETE_COMPLETE", None),
            ev("10", "shop", STACK_TYPE, "ROLLBACK_COMPLETE", None),
        ]
    }

    #[test]
    fn the_first_real_failure_is_reported_not_the_cancellations() {
        let f = first_failure(&rollback()).unwrap();
        assert_eq!(f.logical_id, "Database");
        assert!(f.reason.contains("Cannot find version"));
    }

    #[test]
    fn a_stack_failure_without_resource_events_is_still_reported() {
        let events = vec![
            ev("1", "api", STACK_TYPE, "CREATE_IN_PROGRESS", None),
            ev(
                "2",
                "api",
                STACK_TYPE,
                "CREATE_FAILED",
                Some("Template error: instance of Fn::GetAtt references undefined resource Cache"),
            ),
        ];
        let f = first_failure(&events).unwrap();
        assert_eq!(
            (f.logical_id.as_str(), f.status.as_str()),
            ("api", "CREATE_FAILED")
        );
    }

    #[test]
    fn the_current_operation_starts_at_the_last_stack_start() {
        let mut events = rollback();
        assert_eq!(current_operation(&events)[0].id, "2");
        events.push(ev(
            "11",
            "shop",
            STACK_TYPE,
            "DELETE_IN_PROGRESS",
            Some("User Initiated"),
        ));
        events.push(ev("12", "shop", STACK_TYPE, "DELETE_COMPLETE", None));
        assert_eq!(current_operation(&events).len(), 2);
        assert_eq!(first_failure(current_operation(&events)), None);
    }

    #[test]
    fn progress_counts_settled_resources() {
        let events = rollback();
        let op = current_operation(&events);
        assert_eq!(finished_resources(op), 3);
        assert_eq!(
            progress(op, "CREATE_IN_PROGRESS", 40, Counted::Resources).percent,
            7
        );
        assert_eq!(
            progress(&[], "CREATE_COMPLETE", 40, Counted::Resources),
            Progress {
                finished: 40,
                total: 40,
                percent: 100,
                counted: Counted::Resources,
            }
        );
        assert_eq!(
            progress(&[], "REVIEW_IN_PROGRESS", 40, Counted::Resources).percent,
            0
        );
    }

    #[test]
    fn a_retained_resource_counts_as_done_in_a_delete() {
        let events = vec![
            ev("1", "shop", STACK_TYPE, "DELETE_IN_PROGRESS", None),
            ev("2", "Table", "AWS::DynamoDB::Table", "DELETE_SKIPPED", None),
            ev(
                "3",
                "Function",
                "AWS::Lambda::Function",
                "DELETE_IN_PROGRESS",
                None,
            ),
        ];
        assert_eq!(finished_resources(&events), 1);
        assert_eq!(
            progress(&events, "DELETE_IN_PROGRESS", 2, Counted::Resources).percent,
            50
        );
    }

    /// An update that replaced a deletion-protected database and removed a retained table, with
    /// the events CloudFormation records for them (oldest first): the stack completes, the old
    /// database stays (its delete failed in the clean-up) and the table is kept.
    #[test]
    fn an_operation_tells_what_it_left_outside_the_stack() {
        let mut old_db = ev(
            "6",
            "Database",
            "AWS::RDS::DBInstance",
            "DELETE_FAILED",
            Some(
                "Resource handler returned message: \"Cannot delete protected DB Instance, please disable deletion protection and try again.\"",
            ),
        );
        old_db.physical_id = "shop-database-old".into();
        let mut topic = ev("8", "AlarmTopic", "AWS::SNS::Topic", "DELETE_SKIPPED", None);
        topic.physical_id = "arn:aws:sns:us-east-1:123456789012:shop-alarms".into();
        let mut secret = ev(
            "9",
            "ApiKey",
            "AWS::SecretsManager::Secret",
            "DELETE_SKIPPED",
            None,
        );
        secret.physical_id =
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/api-key-AbCdEf".into();
        let events = vec![
            ev("1", "shop", STACK_TYPE, "UPDATE_IN_PROGRESS", None),
            ev(
                "2",
                "Database",
                "AWS::RDS::DBInstance",
                "UPDATE_IN_PROGRESS",
                Some(
                    "Requested update requires the creation of a new physical resource; hence creating one.",
                ),
            ),
            ev(
                "3",
                "Database",
                "AWS::RDS::DBInstance",
                "UPDATE_COMPLETE",
                None,
            ),
            ev(
                "4",
                "shop",
                STACK_TYPE,
                "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                None,
            ),
            ev(
                "5",
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_IN_PROGRESS",
                None,
            ),
            old_db,
            ev("7", "Table", "AWS::DynamoDB::Table", "DELETE_SKIPPED", None),
            topic,
            secret,
            ev("10", "Logs", "AWS::Logs::LogGroup", "DELETE_COMPLETE", None),
            ev("11", "shop", STACK_TYPE, "UPDATE_COMPLETE", None),
        ];
        let left = left_behind(&events, true, &[]);
        let got: Vec<_> = left
            .iter()
            .map(|l| (l.logical_id.as_str(), l.physical_id.as_str(), l.why))
            .collect();
        assert_eq!(
            got,
            [
                ("Database", "shop-database-old", LeftWhy::DeleteFailed),
                ("Table", "shop-table", LeftWhy::Kept),
                ("AlarmTopic", "shop-alarms", LeftWhy::Kept),
                ("ApiKey", "shop/api-key-AbCdEf", LeftWhy::Kept),
            ]
        );
        assert!(left.iter().all(|l| !l.physical_id.contains("123456789012")));
        // A resource deleted after all (a retry that worked) is not left.
        let mut retried = events.clone();
        retried.insert(
            6,
            ev(
                "6b",
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_COMPLETE",
                None,
            ),
        );
        assert!(
            left_behind(&retried, true, &[])
                .iter()
                .all(|l| l.logical_id != "Database")
        );
    }

    /// A governed stack's delete that stops at its protected database: the stack is
    /// `DELETE_FAILED`, and what its policies kept on the way is already out of it, so this
    /// operation names it (the next delete will not). The database's failure is the failure,
    /// not something left.
    #[test]
    fn a_failed_operation_still_names_what_it_kept() {
        let events = vec![
            ev("1", "shop", STACK_TYPE, "DELETE_IN_PROGRESS", None),
            ev("2", "AppBucket", "AWS::S3::Bucket", "DELETE_SKIPPED", None),
            ev("3", "StackKey", "AWS::KMS::Key", "DELETE_SKIPPED", None),
            ev(
                "4",
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_FAILED",
                Some("Cannot delete protected DB Instance"),
            ),
            ev(
                "5",
                "Repository",
                "AWS::ECR::Repository",
                "DELETE_SKIPPED",
                Some("the sandbox cannot delete Repository: moto keeps it"),
            ),
            ev(
                "6",
                "shop",
                STACK_TYPE,
                "DELETE_FAILED",
                Some("The following resource(s) failed to delete: [Database]."),
            ),
        ];
        let held = |id: &str, policy: &str| Held {
            logical_id: id.into(),
            resource_type: String::new(),
            deletion_policy: policy.into(),
            protected: policy == "Snapshot",
        };
        let template = [
            held("AppBucket", "Retain"),
            held("StackKey", "RetainExceptOnCreate"),
            held("Database", "Snapshot"),
        ];
        let got: Vec<_> = left_behind(&events, false, &template)
            .into_iter()
            .map(|l| (l.logical_id, l.why, l.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("AppBucket".to_string(), LeftWhy::Kept, None),
                ("StackKey".to_string(), LeftWhy::Kept, None),
                (
                    "Repository".to_string(),
                    LeftWhy::Skipped,
                    Some("the sandbox cannot delete Repository: moto keeps it".to_string())
                ),
            ]
        );
        // The delete asked next to keep the database, which the failed one could not delete:
        // its skip is the user's request, not its policy, whichever tab or process reads it.
        let kept = vec![
            ev("7", "shop", STACK_TYPE, "DELETE_IN_PROGRESS", None),
            ev(
                "8",
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_SKIPPED",
                None,
            ),
            ev("9", "shop", STACK_TYPE, "DELETE_COMPLETE", None),
        ];
        let whys = |events: &[StackEvent], completed: bool, template: &[Held]| -> Vec<LeftWhy> {
            left_behind(events, completed, template)
                .into_iter()
                .map(|l| l.why)
                .collect()
        };
        assert_eq!(whys(&kept, true, &template), [LeftWhy::Asked]);
        // A template that holds nothing says nothing: the skip is taken for a policy's.
        assert_eq!(
            whys(&events, false, &[]),
            [LeftWhy::Kept, LeftWhy::Kept, LeftWhy::Skipped]
        );
        // A template that retains neither: both were asked to be kept.
        assert_eq!(
            whys(&events, false, &template[2..]),
            [LeftWhy::Asked, LeftWhy::Asked, LeftWhy::Skipped]
        );
        // Outside a stack's delete (an update removing it), a skip is the policy's.
        let mut removed = kept.clone();
        removed[0].status = "UPDATE_IN_PROGRESS".into();
        assert_eq!(whys(&removed, true, &[]), [LeftWhy::Kept]);
        // A physical id that is not an ARN but names the account is scrubbed.
        let mut queue = ev("7", "Queue", "AWS::SQS::Queue", "DELETE_SKIPPED", None);
        queue.physical_id = "https://sqs.us-east-1.amazonaws.com/123456789012/shop-queue".into();
        let left = left_behind(&[queue], true, &[]);
        assert!(
            !left[0].physical_id.contains("123456789012"),
            "{:?}",
            left[0]
        );
    }

    #[test]
    fn terminal_and_success_states() {
        for s in [
            "CREATE_COMPLETE",
            "ROLLBACK_COMPLETE",
            "DELETE_FAILED",
            "UPDATE_ROLLBACK_COMPLETE",
        ] {
            assert!(is_terminal(s), "{s}");
        }
        for s in [
            "CREATE_IN_PROGRESS",
            "REVIEW_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        ] {
            assert!(!is_terminal(s), "{s}");
        }
        assert!(is_success("UPDATE_COMPLETE") && !is_success("ROLLBACK_COMPLETE"));
    }
}
