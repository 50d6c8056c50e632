//! What every plan has: the project, the region, the workload and the tags.

use leptos::prelude::*;
use shared::Region;
use shared::resources::controls;

use super::domain::DomainEditor;
use super::environment::EnvironmentEditor;
use super::fields::{
    field_id, field_problems, has_error, messages_id, number_field, opts, select_field, slider,
    text_field, toggle,
};
use crate::state::use_planner;

#[component]
pub fn PlanPanel() -> impl IntoView {
    let p = use_planner();
    let plan = p.plan;
    let regions = opts(
        Region::ALL
            .iter()
            .map(|r| (r.code(), format!("{} — {}", r.name(), r.code()))),
    );
    view! {
        <fieldset class="panel">
            <legend>"Project and region"</legend>
            <div class="grid two">
                {text_field("project", "Project name", "shop", move || plan.with(|p| p.project.clone()), move |v| plan.update(|p| p.project = v))}
                {select_field(
                    "region",
                    "Region",
                    regions,
                    move || plan.with(|p| p.region.code().to_string()),
                    move |v| {
                        if let Some(r) = Region::from_code(&v) {
                            plan.update(|p| p.region = r);
                        }
                    },
                )}
            </div>
            {toggle("governed", "Governed account (AWS Control Tower)",
                move || plan.with(|p| p.governed),
                move |on| plan.update(|p| if on { controls::govern(p) } else { p.governed = false }))}
            {text_field("log_bucket", "Your bucket for access logs", "empty: the stack makes its own",
                move || plan.with(|p| p.log_bucket.clone().unwrap_or_default()),
                move |v| plan.update(|p| p.log_bucket = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
            <LogBucketPolicy/>
        </fieldset>
        <fieldset class="panel">
            <legend>"Workload"</legend>
            <p class="panel-note">"What the service carries. The cost model uses it; the template does not."</p>
            <div class="grid two">
                {number_field(
                    "workload.requests_per_month",
                    "Requests per month",
                    "",
                    move || plan.with(|p| p.workload.requests_per_month),
                    move |v| plan.update(|p| p.workload.requests_per_month = v),
                )}
                {number_field(
                    "workload.avg_duration_ms",
                    "Average request duration (ms)",
                    "",
                    move || plan.with(|p| p.workload.avg_duration_ms),
                    move |v| plan.update(|p| p.workload.avg_duration_ms = v),
                )}
                {number_field(
                    "workload.avg_response_kb",
                    "Average response (KB)",
                    "",
                    move || plan.with(|p| p.workload.avg_response_kb),
                    move |v| plan.update(|p| p.workload.avg_response_kb = v),
                )}
                {number_field(
                    "workload.log_gb_per_month",
                    "Logs written per month (GB)",
                    "",
                    move || plan.with(|p| p.workload.log_gb_per_month),
                    move |v| plan.update(|p| p.workload.log_gb_per_month = v),
                )}
            </div>
            {slider(
                "workload.internet_egress_percent",
                "Share of responses leaving AWS",
                "%",
                0u8,
                100,
                5,
                move || plan.with(|p| p.workload.internet_egress_percent),
                move |v| plan.update(|p| p.workload.internet_egress_percent = v),
            )}
        </fieldset>
        <TagsEditor />
        <EnvironmentEditor />
        <DomainEditor />
    }
}

/// The id of a tag's value box, from its key box's (`f-tags-…`): a prefix no field id has, so
/// that the value box of tag `x` and the key box of a tag `x-value` cannot share an id.
fn value_id(key_id: &str) -> String {
    format!("v{key_id}")
}

/// Tags as key/value rows.
#[component]
fn TagsEditor() -> impl IntoView {
    let plan = use_planner().plan;
    // A row per key; its value box reads the plan's value itself.
    let rows = move || plan.with(|p| p.tags.keys().cloned().collect::<Vec<_>>());
    let add = move |_| {
        plan.update(|p| {
            let mut n = p.tags.len() + 1;
            while p.tags.contains_key(&format!("tag{n}")) {
                n += 1;
            }
            p.tags.insert(format!("tag{n}"), String::new());
        })
    };
    view! {
        // The id is the field id of `tags`: a problem with the tags as a whole links here.
        <fieldset class="panel" id="f-tags" tabindex="-1">
            <legend>"Tags"</legend>
            <p class="panel-note">"Stack tags: CloudFormation puts them on every resource that takes tags."</p>
            <div class="tags">
                <For each=rows key=|k| k.clone() let(key)>
                    {
                        let old_key = key.clone();
                        let path = format!("tags.{key}");
                        // A rename onto another tag's key is refused (it would overwrite that
                        // tag's value); the typed key stays in the box, with the reason.
                        let clash = RwSignal::new(None::<String>);
                        // Whether the rename was left for the row's value box (with Tab, or a
                        // click on it): the focus then belongs in the renamed row's value box,
                        // not its key box (Enter, Shift+Tab).
                        let tabbed = StoredValue::new(false);
                        // The row's key as the plan has it now: what is typed into the value
                        // box between a rename and the row's rebuild goes to the new key.
                        let current = StoredValue::new(key.clone());
                        view! {
                            <div class="tag-row">
                                <input type="text" aria-label="Tag key" value=key.clone()
                                    id=field_id(&path) aria-describedby=format!("{} tag-clash-{}", messages_id(&path), field_id(&path))
                                    aria-invalid={ let invalid = has_error(&path); move || (clash.with(Option::is_some) || invalid()).to_string() }
                                    on:focus=move |_| tabbed.set_value(false)
                                    on:keydown=move |ev| tabbed.set_value(ev.key() == "Tab" && !ev.shift_key())
                                    on:change=move |ev| {
                                        let new_key = event_target_value(&ev);
                                        let old = old_key.clone();
                                        if new_key != old && plan.with_untracked(|p| p.tags.contains_key(&new_key)) {
                                            clash.set(Some(format!("another tag has the key {new_key:?}: rename or remove that one first")));
                                            return;
                                        }
                                        clash.set(None);
                                        // The row is rebuilt under its new key (and moves to its
                                        // place in key order): the focus follows it.
                                        let id = field_id(&format!("tags.{new_key}"));
                                        let id = if tabbed.get_value() { value_id(&id) } else { id };
                                        current.set_value(new_key.clone());
                                        plan.update(|p| {
                                            if let Some(v) = p.tags.remove(&old) {
                                                p.tags.insert(new_key, v);
                                            }
                                        });
                                        crate::browser::refocus(ev.target(), Box::new(move |d| d.get_element_by_id(&id)));
                                    } />
                                <input type="text" aria-label=format!("Value of tag {key}")
                                    id=value_id(&field_id(&path)) aria-describedby=messages_id(&path)
                                    // The plan's value, also when it changes from elsewhere (a
                                    // share link opened with the same key).
                                    prop:value={
                                        let k = key.clone();
                                        move || plan.with(|p| p.tags.get(&k).cloned().unwrap_or_default())
                                    }
                                    // A click here ends a rename of the key (its change event
                                    // comes after this): the focus stays here.
                                    on:pointerdown=move |_| tabbed.set_value(true)
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        let k = current.get_value();
                                        plan.update(|p| { p.tags.insert(k, v); });
                                    } />
                                <button type="button" class="icon" aria-label=format!("Remove tag {key}") data-remove="tags"
                                    on:click={
                                        let k = key.clone();
                                        move |ev| {
                                            crate::browser::refocus_row(ev.target(), "tags");
                                            plan.update(|p| { p.tags.remove(&k); });
                                        }
                                    }>"×"</button>
                                {
                                    let id = format!("tag-clash-{}", field_id(&path));
                                    move || clash.get().map(|m| view! { <p class="field-msg error" role="alert" id=id.clone() data-testid="tag-clash">{m}</p> })
                                }
                                {field_problems(path)}
                            </div>
                        }
                    }
                </For>
            </div>
            <button type="button" class="secondary" data-add="tags" on:click=add>"Add tag"</button>
            {field_problems("tags")}
        </fieldset>
    }
}

/// The statements the user's own log bucket needs, for them to add to its policy.
#[component]
fn LogBucketPolicy() -> impl IntoView {
    let plan = use_planner().plan;
    let policy = move || {
        plan.with(|p| {
            shared::template::users_log_bucket_policy(p, shared::template::ACCOUNT_PLACEHOLDER)
        })
        .map(|doc| shared::template::format::json(&doc))
    };
    move || {
        policy().map(|text| {
            view! {
                <details class="log-bucket-policy" data-testid="log-bucket-policy">
                    <summary>"The statements your bucket's policy needs"</summary>
                    <p class="panel-note">
                        "The log delivery services write under each stack's name. Put your account's ID for "
                        <code>{shared::template::ACCOUNT_PLACEHOLDER}</code>
                        ". S3 and the load balancer deliver logs only into a bucket in this account and region, encrypted with S3-managed keys (SSE-S3), without Object Lock or Requester Pays."
                    </p>
                    // Scrolls sideways on a narrow screen: reachable from the keyboard.
                    <pre class="policy-code" tabindex="0" role="region" aria-label="Statements for your log bucket's policy">{text}</pre>
                </details>
            }
        })
    }
}
