//! After the stack settled: its status, the first failure, the outputs, what the sandbox does
//! differently, and Delete.

use leptos::prelude::*;
use shared::api::{Failure, Held, LeftBehind, LeftWhy, Output, Status};

use super::flow::Deploy;

pub fn finished(d: Deploy, status: Status) -> AnyView {
    let view = {
        let deleted = status.status == "DELETE_COMPLETE";
        let notes = d.sandbox_notes.get_untracked();
        // The plan the stack records (so a stack followed again after a reload has it too),
        // else the plan the page deployed.
        let plan = status
            .plan_link
            .as_deref()
            .and_then(|link| shared::link::decode(link).ok())
            .or_else(|| d.requested_plan());
        let code = code_upload(d, plan.as_ref(), &status, deleted);
        view! {
            <div class="deploy-result" data-testid="deploy-result">
                <p class=if status.succeeded { "result good" } else { "result bad" } data-testid="deploy-status">
                    {format!("{} {}", status.stack_name, status.status)}
                </p>
                {status.failure.map(|f| {
                    let hint = plan.as_ref().and_then(|p| shared::api::hints::failure_hint(p, &f));
                    view! {
                        <div class="banner error" role="alert" data-testid="deploy-failure">
                            <strong>{format!("{} ({}) failed: ", f.logical_id, f.resource_type)}</strong>
                            <span>{f.reason}</span>
                            {hint.map(|h| view! { <p class="failure-hint" data-testid="failure-hint">{h}</p> })}
                        </div>
                    }
                })}
                {(!status.left_behind.is_empty()).then(|| left_behind(&status.left_behind))}
                {(status.succeeded && !deleted).then(|| view! {
                    <div class="outputs" data-testid="deploy-outputs">
                        <h3>"Outputs"</h3>
                        {if status.outputs.is_empty() {
                            view! { <p class="muted">"The stack has no outputs."</p> }.into_any()
                        } else {
                            view! { <dl>{status.outputs.into_iter().map(output).collect_view()}</dl> }.into_any()
                        }}
                    </div>
                })}
                {code}
                {status.waiting_for_image.clone().filter(|_| !deleted).map(|wait| super::image::waiting(d, *wait))}
                {status.plan_link.clone().filter(|_| !deleted).map(|code| {
                    // This page's own address (an embedded page keeps its framing), with the
                    // deployed plan: opening it loads that plan here.
                    let fragment = format!("{}{code}", shared::link::FRAGMENT_KEY);
                    let href = format!("{}#{fragment}", crate::browser::page_base());
                    // The page may already be at this address (the address follows the plan
                    // once it holds a link), and a plain click on a link to it would do
                    // nothing: it opens the plan through a new fragment. Other clicks (a new
                    // tab, a new window) follow the link.
                    let open = move |ev: leptos::ev::MouseEvent| {
                        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
                            ev.prevent_default();
                            crate::browser::open_fragment_again(&fragment);
                        }
                    };
                    view! {
                        <p class="muted deployed-plan">
                            <a href=href on:click=open data-testid="deployed-plan-link">"Open the plan this stack was deployed from"</a>
                        </p>
                    }
                })}
                {(!notes.is_empty() && !deleted).then(|| view! {
                    <details class="sandbox-notes"><summary>"What the sandbox does differently"</summary>
                        <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    </details>
                })}
                {(status.status == "DELETE_FAILED" && !status.undeleted.is_empty()).then(|| undeleted(d, &status.undeleted))}
                {(status.status == "UPDATE_ROLLBACK_FAILED").then(|| not_rolled_back(d, &status.not_rolled_back))}
                {(!deleted).then(|| delete_button(d, protected(&status.held), kept(&status.held)))}
            </div>
        }
    };
    view.into_any()
}

/// What the operation left in the account, outside the stack, by the names to find it by.
fn left_behind(left: &[LeftBehind]) -> AnyView {
    let items = left
        .iter()
        .map(|l| {
            let why = match l.why {
                LeftWhy::Asked => "kept, as the delete was asked".to_string(),
                LeftWhy::Kept => "kept by its deletion policy".to_string(),
                LeftWhy::Skipped => format!(
                    "its deletion was skipped: {}",
                    l.reason.as_deref().unwrap_or("no reason given")
                ),
                LeftWhy::DeleteFailed => {
                    "CloudFormation could not delete it (its event below says why), and the stack completed without it".to_string()
                }
            };
            view! {
                <li>
                    {(!l.physical_id.is_empty()).then(|| view! { <code>{l.physical_id.clone()}</code>" " })}
                    {format!("({}, {}): {why}", l.logical_id, l.resource_type)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="banner warn left-behind" data-testid="left-behind">
            <p>"Left in the account, outside the stack, and billed until you delete them:"</p>
            <ul>{items}</ul>
        </div>
    }
    .into_any()
}

/// The code upload, for a Lambda stack that names its code bucket (a zip function's; an image
/// function's stack keeps the bucket without naming it). `plan` names the handler.
fn code_upload(
    d: Deploy,
    plan: Option<&shared::plan::Plan>,
    status: &Status,
    deleted: bool,
) -> Option<AnyView> {
    let has_bucket = status
        .outputs
        .iter()
        .any(|o| o.key == shared::template::CODE_BUCKET_OUTPUT);
    let plan = plan?;
    let shared::plan::Architecture::Lambda(l) = &plan.architecture else {
        return None;
    };
    (status.succeeded && !deleted && has_bucket)
        .then(|| super::code::upload(d, l.handler.clone(), status.placeholder_code))
}

/// One output: a link when it is a URL, with what the template says it is (the stack's own
/// repository says when the service runs another image).
fn output(o: Output) -> impl IntoView {
    let link = o.value.starts_with("https://") || o.value.starts_with("http://");
    let value = o.value;
    let about = (!o.description.is_empty()).then_some(o.description);
    view! {
        <dt>{o.key}</dt>
        <dd>{if link {
            let href = value.clone();
            view! { <a href=href target="_blank" rel="noopener">{value}</a> }.into_any()
        } else {
            view! { <code>{value}</code> }.into_any()
        }}{about.map(|a| view! { <span class="output-about">{a}</span> })}</dd>
    }
}

/// What a delete leaves in the account, read from the stack's template as CloudFormation has
/// it (`held`; a template generated again from the recorded plan would be today's, not the
/// one deployed).
fn kept(held: &[Held]) -> String {
    if held.is_empty() {
        return "Resources whose DeletionPolicy is Retain or Snapshot stay in the account after the delete, billed until you delete them.".into();
    }
    let named = |policy: &str| {
        held.iter()
            .filter(|h| h.deletion_policy == policy)
            .map(|h| format!("{} ({})", h.logical_id, h.resource_type))
            .collect::<Vec<_>>()
    };
    let (retained, snapshots) = (named("Retain"), named("Snapshot"));
    let mut parts = Vec::new();
    if !retained.is_empty() {
        parts.push(format!("kept: {}", retained.join(", ")));
    }
    if !snapshots.is_empty() {
        parts.push(format!(
            "a final snapshot of {}",
            snapshots.join(" and of ")
        ));
    }
    if parts.is_empty() {
        return "Everything the stack made is deleted with it.".into();
    }
    format!(
        "Left in the account, and billed until you delete them yourself: {}.",
        parts.join("; ")
    )
}

/// What deletion protection stops, read from the stack's template (`held`): CloudFormation's
/// delete fails at each protected resource.
fn protected(held: &[Held]) -> Option<String> {
    let what: Vec<String> = held
        .iter()
        .filter(|h| h.protected)
        .map(|h| format!("{} ({})", h.logical_id, h.resource_type))
        .collect();
    (!what.is_empty()).then(|| format!(
        "Deletion protection is on for {}: CloudFormation deletes what it can and fails at them, and at what they stand in (the VPC). An administrator lifts the protection first (RDS: Modify, Deletion protection; EC2: the load balancer's Attributes).",
        what.join(" and ")
    ))
}

/// Delete, with a confirmation (and what will stop the deletion, if anything).
fn delete_button(d: Deploy, protected: Option<String>, kept: String) -> AnyView {
    let mut notes = vec![("delete-keeps", kept, false)];
    notes.extend(protected.map(|p| ("delete-protected", p, true)));
    asked(Ask {
        opens: ("delete-stack", "Delete stack"),
        id: "delete",
        question: "Delete the stack and its resources?".into(),
        notes,
        answer: "Delete",
        act: std::sync::Arc::new(move || d.delete()),
    })
}

/// A stack whose delete failed: what it could not delete, and a delete that keeps them.
fn undeleted(d: Deploy, undeleted: &[Failure]) -> AnyView {
    let named = undeleted
        .iter()
        .map(|f| format!("{} ({})", f.logical_id, f.resource_type))
        .collect::<Vec<_>>()
        .join(" and ");
    let keep: Vec<String> = undeleted.iter().map(|f| f.logical_id.clone()).collect();
    let items = undeleted
        .iter()
        .map(|f| {
            view! { <li><code>{f.logical_id.clone()}</code>{format!(" ({}): {}", f.resource_type, f.reason)}</li> }
        })
        .collect_view();
    view! {
        <div class="banner warn" data-testid="undeleted">
            <p>"The delete could not delete:"</p>
            <ul>{items}</ul>
            <p>"Lift what stops them and click Delete stack again, or delete the stack and keep them in the account."</p>
            {asked(Ask {
                opens: ("delete-keeping", "Delete, keeping these"),
                id: "keep",
                question: format!("Delete the stack, keeping {named}?"),
                notes: vec![("keep-what", "They stay in the account, outside any stack, running and billed until you delete them yourself; Stackplan will no longer see them. What they use (their subnets, security groups, subnet group, the VPC) cannot be deleted while they run: the delete may stop at those too, and offer to keep them the same way.".into(), false)],
                answer: "Delete, keeping them",
                act: std::sync::Arc::new(move || d.delete_keeping(keep.clone())),
            })}
        </div>
    }
    .into_any()
}

/// A stack whose update rollback failed: what it could not roll back, and the rollback
/// continued, as it is or skipping those.
fn not_rolled_back(d: Deploy, stuck: &[Failure]) -> AnyView {
    let items = stuck
        .iter()
        .map(|f| {
            view! { <li><code>{f.logical_id.clone()}</code>{format!(" ({}): {}", f.resource_type, f.reason)}</li> }
        })
        .collect_view();
    let named = stuck
        .iter()
        .map(|f| format!("{} ({})", f.logical_id, f.resource_type))
        .collect::<Vec<_>>()
        .join(" and ");
    let skip: Vec<String> = stuck.iter().map(|f| f.logical_id.clone()).collect();
    view! {
        <div class="banner warn" data-testid="not-rolled-back">
            <p>"The update's rollback failed, so the stack cannot be updated until it is continued."</p>
            {(!stuck.is_empty()).then(|| view! { <p>"It could not roll back:"</p><ul>{items}</ul> })}
            <p>"Fix what stopped it, then continue the rollback"{(!stuck.is_empty()).then_some(", or continue it skipping what it could not roll back")}"; or delete the stack."</p>
            <div class="actions">
                <button type="button" data-testid="continue-rollback" on:click=move |ev| { crate::browser::refocus_deploy(ev.target()); d.continue_rollback(Vec::new()) }>"Continue the rollback"</button>
            </div>
            {(!stuck.is_empty()).then(|| asked(Ask {
                opens: ("skip-rollback", "Continue, skipping these"),
                id: "skip",
                question: format!("Continue the rollback, skipping {named}?"),
                notes: vec![("skip-what", "CloudFormation marks them rolled back as they are now: the stack no longer matches them, and a later update may fail at them until they are fixed by hand.".into(), true)],
                answer: "Continue, skipping them",
                act: std::sync::Arc::new(move || d.continue_rollback(skip.clone())),
            }))}
        </div>
    }
    .into_any()
}

/// A button whose action is asked first, in place.
struct Ask {
    /// The button that asks: its test id and label.
    opens: (&'static str, &'static str),
    /// The question's ids: `{id}-confirm`, `{id}-question`, `confirm-{id}`, `cancel-{id}`.
    id: &'static str,
    question: String,
    /// Read with the question: each note's id (and test id), text, and whether it warns.
    notes: Vec<(&'static str, String, bool)>,
    answer: &'static str,
    act: std::sync::Arc<dyn Fn() + Send + Sync>,
}

/// The question takes the focus (on Cancel, the safe answer); Escape cancels; a cancelled
/// question gives the focus back to its button.
fn asked(a: Ask) -> AnyView {
    let confirm = RwSignal::new(false);
    let refocus = StoredValue::new(false);
    let cancel = move || {
        refocus.set_value(true);
        confirm.set(false);
    };
    let Ask {
        opens: (opens_id, opens_label),
        id,
        question,
        notes,
        answer,
        act,
    } = a;
    let described = notes.iter().map(|n| n.0).collect::<Vec<_>>().join(" ");
    let view = move || {
        if confirm.get() {
            let cancel_button = NodeRef::<leptos::html::Button>::new();
            cancel_button.on_load(|el| {
                let _ = el.focus();
            });
            let act = act.clone();
            view! {
            <div role="alertdialog" aria-labelledby=format!("{id}-question") aria-describedby=described.clone() class="confirm-inline" data-testid=format!("{id}-confirm")
                on:keydown=move |ev| if ev.key() == "Escape" { cancel() }>
                <span id=format!("{id}-question")>{question.clone()}</span>
                {notes.iter().map(|(note, text, warn)| view! {
                    <p id=*note data-testid=*note class=if *warn { "banner warn" } else { "" }>{text.clone()}</p>
                }).collect_view()}
                <button type="button" class="danger" data-testid=format!("confirm-{id}") on:click=move |ev| { crate::browser::refocus_deploy(ev.target()); confirm.set(false); act() }>{answer}</button>
                <button type="button" class="secondary" data-testid=format!("cancel-{id}") node_ref=cancel_button on:click=move |_| cancel()>"Cancel"</button>
            </div>
        }.into_any()
        } else {
            let button = NodeRef::<leptos::html::Button>::new();
            button.on_load(move |el| {
                if refocus.get_value() {
                    refocus.set_value(false);
                    let _ = el.focus();
                }
            });
            view! {
            <button type="button" class="danger" data-testid=opens_id node_ref=button on:click=move |_| confirm.set(true)>{opens_label}</button>
        }.into_any()
        }
    };
    view! { <div class="actions">{view}</div> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::{kept, protected};
    use crate::components::deploy::held;

    #[test]
    fn a_delete_says_what_it_leaves() {
        let fargate = [
            held("AppBucket", "AWS::S3::Bucket", "Retain", false),
            held("Repository", "AWS::ECR::Repository", "Retain", false),
            held("Logs", "AWS::Logs::LogGroup", "Delete", false),
            held("Database", "AWS::RDS::DBInstance", "Snapshot", true),
            held(
                "Cache",
                "AWS::ElastiCache::ReplicationGroup",
                "Snapshot",
                false,
            ),
        ];
        assert_eq!(
            kept(&fargate),
            "Left in the account, and billed until you delete them yourself: kept: AppBucket (AWS::S3::Bucket), Repository (AWS::ECR::Repository); a final snapshot of Database (AWS::RDS::DBInstance) and of Cache (AWS::ElastiCache::ReplicationGroup)."
        );
        assert_eq!(
            kept(&[held("Logs", "AWS::Logs::LogGroup", "Delete", false)]),
            "Everything the stack made is deleted with it."
        );
        // The template unread: the rule, not a list.
        assert!(kept(&[]).starts_with("Resources whose DeletionPolicy is Retain or Snapshot stay"));
    }

    /// Deletion protection is named from the deployed template, resource by resource.
    #[test]
    fn a_delete_names_what_its_protection_stops() {
        assert_eq!(
            protected(&[held("AppBucket", "AWS::S3::Bucket", "Retain", false)]),
            None
        );
        let text = protected(&[
            held("Database", "AWS::RDS::DBInstance", "Snapshot", true),
            held("AppBucket", "AWS::S3::Bucket", "Retain", false),
            held(
                "LoadBalancer",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Delete",
                true,
            ),
        ])
        .unwrap();
        assert!(
            text.starts_with("Deletion protection is on for Database (AWS::RDS::DBInstance) and LoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer): "),
            "{text}"
        );
    }
}
