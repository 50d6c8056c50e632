//! Before a stack changes: preparing the change set, the offer to update an existing stack,
//! the update's confirmation, and the list of changes.

use leptos::prelude::*;
use shared::api::{Change, Created, Held};
use shared::cost::{self, Difference};

use super::flow::{Deploy, Phase};
use super::inputs::use_inputs;
use crate::components::cost_summary::{at_least, money, signed};
use crate::state::with_book;

/// The monthly difference between the deployed plan (as the stack's template records it) and
/// the update's, priced like the cost panel (same book, same free-tier switch).
fn update_cost(d: Deploy, created: &Created) -> Option<Difference> {
    let deployed = shared::link::decode(created.deployed_plan.as_deref()?).ok()?;
    let new = d.requested_plan()?;
    let p = use_inputs();
    let options = cost::Options {
        free_tier: p.free_tier.get_untracked(),
    };
    let estimate = |plan: shared::plan::Plan| {
        let plan = shared::ValidPlan::new(plan).ok()?;
        Some(p.server_book.with_untracked(|sb| {
            with_book(sb, plan.plan().region.code(), |b| {
                cost::estimate(&plan, b, options)
            })
        }))
    };
    Some(cost::difference(&estimate(deployed)?, &estimate(new)?))
}

/// The cost of the change, line by line, before it is applied. `starting`: the update starts
/// a service that ran no task while it waited for its image, which the plans (the same plan)
/// cannot tell.
fn cost_of_change(diff: Option<Difference>, starting: bool) -> AnyView {
    if let Some(diff) = diff.as_ref().filter(|_| starting) {
        return view! {
            <p class="update-cost" data-testid="update-cost">{format!(
                "Starting the service bills its tasks from now on: it ran none while it waited for its image. The plan's monthly cost, {}, counts them.",
                at_least(diff.after_usd, diff.after_lower_bound)
            )}</p>
        }
        .into_any();
    }
    let Some(diff) = diff else {
        return view! {
            <p class="muted" data-testid="update-cost">"The stack's template records no plan Stackplan can read, so the cost of this change cannot be shown."</p>
        }
        .into_any();
    };
    let lines = diff
        .lines
        .iter()
        .map(|l| {
            let amount = |v: Option<f64>, unknown: bool| {
                if unknown {
                    "unknown".to_string()
                } else {
                    v.map(money).unwrap_or_else(|| "—".into())
                }
            };
            view! {
                <tr>
                    <th scope="row">{format!("{}: {}", l.service, l.item)}</th>
                    <td>{amount(l.before_usd, l.before_unknown)}</td>
                    <td>{amount(l.after_usd, l.after_unknown)}</td>
                    <td>{l.delta().map(signed).unwrap_or_else(|| "?".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let (change, note) = match diff.change_bound {
        cost::Bound::Exact => (format!("{} a month", signed(diff.delta_usd)), None),
        cost::Bound::AtLeast => (
            format!("at least {} a month", signed(diff.delta_usd)),
            Some(" The new plan has unknown prices (+), which can only add to it."),
        ),
        cost::Bound::AtMost => (
            format!("at most {} a month", signed(diff.delta_usd)),
            Some(" The deployed plan has unknown prices (+), which can only take from the change."),
        ),
        cost::Bound::Withheld => (
            format!("{} a month in the known prices", signed(diff.delta_usd)),
            Some(
                " Both plans have unknown prices (+), so the change in total cannot be told exactly; the lines below can.",
            ),
        ),
    };
    view! {
        <div class="update-cost" data-testid="update-cost" data-bound=format!("{:?}", diff.change_bound)>
            <p>
                <strong>{format!("Monthly cost: {} → {} ({change})", at_least(diff.before_usd, diff.before_lower_bound), at_least(diff.after_usd, diff.after_lower_bound))}</strong>
                {note}
            </p>
            {(!diff.lines.is_empty()).then(|| view! {
                <table class="components">
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Now"</th><th scope="col">"After"</th><th scope="col">"Change"</th></tr></thead>
                    <tbody>{lines}</tbody>
                </table>
            })}
        </div>
    }
    .into_any()
}

/// What the panel says while a deploy is prepared (shown, and said by the panel's status region).
pub const PREPARING: &str = "Assuming the deploy role and handing the template to CloudFormation…";

/// The banner of the phase before execution.
pub fn review(d: Deploy) -> AnyView {
    let view = {
        move || {
            match d.phase.get() {
                Phase::Preparing => Some(
                    view! {
                        <p class="muted">{PREPARING}</p>
                    }
                    .into_any(),
                ),
                Phase::Exists(message) => Some(
                    view! {
                        <div class="banner" role="alert" data-testid="stack-exists">
                            <span>{message}</span>
                            <button type="button" data-testid="review-update" on:click=move |ev| {
                                crate::browser::refocus_deploy(ev.target());
                                d.review_update()
                            }>"Review the update"</button>
                        </div>
                    }
                    .into_any(),
                ),
                Phase::Review(created) => {
                    let changes = created
                        .change_set
                        .as_ref()
                        .map_or(&[][..], |c| &c.changes[..]);
                    let n = changes.len();
                    let name = created.stack_name.clone();
                    let diff = update_cost(d, &created);
                    let replaced =
                        replacements(changes, &replace_policies(d), &created.deployed_holds);
                    // The question takes the focus (on Cancel) when the focus is still where the
                    // deploy left it (in the panel, or nowhere), not when the user moved on.
                    let cancel_button = NodeRef::<leptos::html::Button>::new();
                    cancel_button.on_load(|el| {
                        if crate::browser::focus_is_idle_in("[data-testid=deploy]") {
                            let _ = el.focus();
                        }
                    });
                    // Described by its warning, when it has one (its question is its name).
                    let described = replaced.is_some().then_some("update-replaces");
                    // Cancel, by its button or by Escape (as the panel's other questions): the
                    // update is not applied, and the focus goes back to Deploy's heading.
                    let cancel = move |ev: leptos::ev::Event| {
                        crate::browser::refocus_deploy(ev.target());
                        d.changes.set(Vec::new());
                        d.phase.set(Phase::Idle);
                    };
                    Some(view! {
                    <div class="banner" role="alertdialog" aria-labelledby="update-question" aria-describedby=described data-testid="confirm-update"
                        on:keydown=move |ev| if ev.key() == "Escape" { cancel(ev.into()) }>
                        <span id="update-question">{if n == 0 {
                            format!("Updating {name} changes no resource, only what its template records (the plan it was made from, its parameters' defaults). Apply?")
                        } else {
                            format!("Updating {name} changes {}, listed below. Apply?", crate::components::cost_summary::count(n, "resource"))
                        }}</span>
                        <button type="button" data-testid="apply-update" on:click=move |ev| {
                            crate::browser::refocus_deploy(ev.target());
                            d.execute(name.clone())
                        }>"Apply the update"</button>
                        <button type="button" class="secondary" data-testid="cancel-update" node_ref=cancel_button on:click=move |ev| cancel(ev.into())>"Cancel"</button>
                    </div>
                    {replaced.map(|text| view! {
                        <p class="banner error" role="alert" id="update-replaces" data-testid="update-replaces">{text}</p>
                    })}
                    {cost_of_change(diff, d.starting.get_value())}
                }.into_any())
                }
                _ => None,
            }
        }
    };
    view.into_any()
}

/// The change set's resource changes.
pub fn change_list(d: Deploy) -> AnyView {
    let view = {
        move || {
            (!d.changes.with(Vec::is_empty)).then(|| {
                view! {
                    <details class="changes" open=move || d.changes.with(|c| c.iter().any(|c| c.action == "Remove" || replacement_note(c.replacement.as_deref()).is_some()))>
                        <summary data-testid="change-count">{move || format!("Change set: {}", crate::components::cost_summary::count(d.changes.with(Vec::len), "change"))}</summary>
                        <ul>
                            {move || d.changes.get().into_iter().map(|c| view! {
                                <li><span class="action">{c.action}</span>" "
                                    <code>{c.logical_id}</code>" "
                                    <span class="muted">{c.resource_type}</span>
                                    {replacement_note(c.replacement.as_deref()).map(|note| view! {
                                        " "<strong class="replaces">{note}</strong>
                                    })}</li>
                            }).collect_view()}
                        </ul>
                    </details>
                }
            })
        }
    };
    view.into_any()
}

/// What CloudFormation says of a modified resource's replacement, in words.
fn replacement_note(replacement: Option<&str>) -> Option<&'static str> {
    match replacement {
        Some("True") => Some("replaced"),
        Some("Conditional") => Some("may be replaced"),
        _ => None,
    }
}

/// Each resource's `UpdateReplacePolicy` in the template of the plan being deployed: what
/// becomes of the old resource when CloudFormation replaces it.
fn replace_policies(d: Deploy) -> Vec<(String, String)> {
    let Some(plan) = d
        .requested_plan()
        .and_then(|p| shared::ValidPlan::new(p).ok())
    else {
        return Vec::new();
    };
    shared::template::generate(&plan)
        .policies("UpdateReplacePolicy")
        .map(|(id, _, policy)| (id.to_string(), policy.to_string()))
        .collect()
}

/// The resource types of Stackplan's templates that hold data: what a removal is warned about
/// when the deployed template's own policies could not be read.
const HOLDS_DATA: [&str; 9] = [
    "AWS::RDS::DBInstance",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::ECR::Repository",
    "AWS::Logs::LogGroup",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
];

/// The warning an update needs when it replaces or removes resources that hold data.
///
/// A replacement: CloudFormation makes a new one, which starts empty, and then deletes the old
/// one, keeps it (outside the stack) or keeps a final snapshot of it, as the new template's
/// `UpdateReplacePolicy` (`policies`) says. The template gives that policy to every resource
/// that holds data (buckets, tables, the database and cache, the image repository, logs,
/// keys); one without it holds none (a task definition's new revision, say), and the change
/// list marks it without a warning.
///
/// A removal: the deployed template's `DeletionPolicy` applies (`deployed`, what the server
/// read of it). Either way, a delete of an old resource whose deletion protection is on fails,
/// and CloudFormation completes the update without it: it stays, running and billed.
fn replacements(
    changes: &[Change],
    policies: &[(String, String)],
    deployed: &[Held],
) -> Option<String> {
    let held = |id: &str| deployed.iter().find(|h| h.logical_id == id);
    let protected = |id: &str| held(id).is_some_and(|h| h.protected);
    let fate = |policy: &str, protected: bool, replaced: bool| {
        let old = if replaced { "the old one" } else { "it" };
        match policy {
            "Retain" => format!("{old} is kept, outside the stack, and billed until you delete it"),
            _ if protected => format!(
                "{old} has deletion protection on, so CloudFormation's delete fails and the update completes without it: {old} stays, running and billed, outside the stack, until an administrator lifts the protection and deletes it"
            ),
            "Snapshot" => format!("{old} leaves a final snapshot and is deleted"),
            _ => format!("{old} is deleted, with what it holds"),
        }
    };
    let named = |wanted: &str| {
        changes
            .iter()
            .filter(|c| c.action == "Modify" && c.replacement.as_deref() == Some(wanted))
            .filter_map(|c| {
                let policy = policies
                    .iter()
                    .find(|(p, _)| *p == c.logical_id)
                    .map(|(_, v)| v.as_str())?;
                Some(format!(
                    "{} ({}): {}",
                    c.logical_id,
                    c.resource_type,
                    fate(policy, protected(&c.logical_id), true)
                ))
            })
            .collect::<Vec<_>>()
    };
    let (surely, maybe) = (named("True"), named("Conditional"));
    let removed = changes
        .iter()
        .filter(|c| c.action == "Remove")
        .filter_map(|c| {
            let fate = match held(&c.logical_id) {
                Some(h) => fate(&h.deletion_policy, h.protected, false),
                // The deployed template could not be read: a type that holds data is named
                // without a fate rather than passed over.
                None if deployed.is_empty() && HOLDS_DATA.contains(&c.resource_type.as_str()) => {
                    "what becomes of it depends on its deletion policy in the deployed template, which could not be read: it may be deleted with what it holds".to_string()
                }
                None => return None,
            };
            Some(format!("{} ({}): {fate}", c.logical_id, c.resource_type))
        })
        .collect::<Vec<_>>();
    if surely.is_empty() && maybe.is_empty() && removed.is_empty() {
        return None;
    }
    let mut text = String::new();
    if !surely.is_empty() || !maybe.is_empty() {
        text.push_str(
            "This update replaces resources that hold data: CloudFormation makes new ones, which start empty (a new database, bucket or table holds none of the old one's data), then deals with the old ones.",
        );
    }
    if !surely.is_empty() {
        text.push_str(&format!(" Replaced: {}.", surely.join("; ")));
    }
    if !maybe.is_empty() {
        text.push_str(&format!(
            " May be replaced, depending on values known only while it runs: {}.",
            maybe.join("; ")
        ));
    }
    if !removed.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!(
            "This update takes resources that hold data out of the stack (the plan no longer has them): {}.",
            removed.join("; ")
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::deploy::held;

    fn change(id: &str, kind: &str, replacement: Option<&str>) -> Change {
        Change {
            action: "Modify".into(),
            logical_id: id.into(),
            resource_type: kind.into(),
            replacement: replacement.map(String::from),
        }
    }

    #[test]
    fn an_update_that_replaces_resources_names_them_and_what_becomes_of_the_old() {
        let policies = [
            ("Database".to_string(), "Snapshot".to_string()),
            ("AppBucket".to_string(), "Retain".to_string()),
            ("Logs".to_string(), "Delete".to_string()),
        ];
        let quiet = [
            change("Service", "AWS::ECS::Service", Some("False")),
            change("Function", "AWS::Lambda::Function", None),
            // A new task definition revision holds no data (the template gives it no
            // UpdateReplacePolicy): marked in the list, not warned about.
            change("TaskDefinition", "AWS::ECS::TaskDefinition", Some("True")),
        ];
        assert_eq!(replacements(&quiet, &policies, &[]), None);
        let loud = [
            change("Service", "AWS::ECS::Service", Some("False")),
            change("TaskDefinition", "AWS::ECS::TaskDefinition", Some("True")),
            change("Database", "AWS::RDS::DBInstance", Some("True")),
            change("AppBucket", "AWS::S3::Bucket", Some("True")),
            change("Logs", "AWS::Logs::LogGroup", Some("Conditional")),
        ];
        let text = replacements(&loud, &policies, &[]).unwrap();
        assert!(
            text.contains("Replaced: Database (AWS::RDS::DBInstance): the old one leaves a final snapshot and is deleted; AppBucket (AWS::S3::Bucket): the old one is kept, outside the stack, and billed until you delete it.")
                && text.contains("May be replaced, depending on values known only while it runs: Logs (AWS::Logs::LogGroup): the old one is deleted, with what it holds.")
                && !text.contains("Service")
                && !text.contains("TaskDefinition"),
            "{text}"
        );
        assert_eq!(replacement_note(Some("True")), Some("replaced"));
        assert_eq!(replacement_note(Some("False")), None);
    }

    fn removal(id: &str, kind: &str) -> Change {
        Change {
            action: "Remove".into(),
            ..change(id, kind, None)
        }
    }

    /// The fallback list is the generator's: every type any matrix template gives a
    /// `DeletionPolicy` is on it, so an unread deployed template still names each removal.
    #[test]
    fn the_types_that_hold_data_are_every_type_the_templates_keep_a_policy_for() {
        for (name, plan) in shared::examples::matrix() {
            let t = shared::template::generate(&shared::ValidPlan::new(plan).unwrap());
            for (id, kind, _) in t.policies("DeletionPolicy") {
                assert!(HOLDS_DATA.contains(&kind), "{name}: {id} is {kind}");
            }
        }
    }

    /// A plan that drops its database, a table and its log group: what becomes of each is read
    /// from the deployed template's policies, and a protected database's delete is said to fail.
    #[test]
    fn an_update_that_removes_resources_that_hold_data_says_what_becomes_of_them() {
        let deployed = [
            held("Database", "AWS::RDS::DBInstance", "Snapshot", true),
            held("OrdersTable", "AWS::DynamoDB::Table", "Retain", false),
            held("Logs", "AWS::Logs::LogGroup", "Delete", false),
        ];
        let changes = [
            change("Service", "AWS::ECS::Service", Some("False")),
            removal("Database", "AWS::RDS::DBInstance"),
            removal("OrdersTable", "AWS::DynamoDB::Table"),
            removal("Logs", "AWS::Logs::LogGroup"),
            // Holds nothing: not in the deployed template's list.
            removal("DatabaseAlarm", "AWS::CloudWatch::Alarm"),
        ];
        let text = replacements(&changes, &[], &deployed).unwrap();
        assert_eq!(
            text,
            "This update takes resources that hold data out of the stack (the plan no longer has them): \
             Database (AWS::RDS::DBInstance): it has deletion protection on, so CloudFormation's delete fails and the update completes without it: it stays, running and billed, outside the stack, until an administrator lifts the protection and deletes it; \
             OrdersTable (AWS::DynamoDB::Table): it is kept, outside the stack, and billed until you delete it; \
             Logs (AWS::Logs::LogGroup): it is deleted, with what it holds."
        );
        // Unprotected, the database leaves its final snapshot.
        let plain = [held("Database", "AWS::RDS::DBInstance", "Snapshot", false)];
        let text = replacements(&changes[1..2], &[], &plain).unwrap();
        assert!(
            text.ends_with(
                "Database (AWS::RDS::DBInstance): it leaves a final snapshot and is deleted."
            ),
            "{text}"
        );
        // A protected database replaced: the old one stays too.
        let replaced = [change("Database", "AWS::RDS::DBInstance", Some("True"))];
        let policies = [("Database".to_string(), "Snapshot".to_string())];
        let text = replacements(&replaced, &policies, &deployed).unwrap();
        assert!(
            text.contains(
                "Replaced: Database (AWS::RDS::DBInstance): the old one has deletion protection on"
            ),
            "{text}"
        );
        // Nothing that holds data removed: no warning.
        assert_eq!(replacements(&changes[4..], &[], &deployed), None);
        // The deployed template unread: a removal of a type that holds data is still named.
        let text = replacements(&changes, &[], &[]).unwrap();
        assert!(
            text.contains("OrdersTable (AWS::DynamoDB::Table): what becomes of it depends on its deletion policy in the deployed template, which could not be read")
                && text.contains("Database (AWS::RDS::DBInstance): what becomes")
                && !text.contains("DatabaseAlarm"),
            "{text}"
        );
    }
}
