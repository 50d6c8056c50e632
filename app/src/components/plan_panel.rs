//! What every plan has: the project, the region, the workload and the tags.

use leptos::prelude::*;
use shared::Region;
use shared::resources::controls;

use super::domain::DomainEditor;
use super::environment::EnvironmentEditor;
use super::fields::{
    field_id, field_problems, has_error_at, messages_id, number_field, opts, select_field, slider,
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
    let planner = use_planner();
    let (plan, untyped) = (planner.plan, planner.untyped);
    // A row per tag, with an identity of its own: renaming a tag keeps its row where it is, with
    // its boxes and the focus (a row keyed by the tag's key was built again at each rename, and
    // what was typed into its value box before the new row was there was lost).
    let table = StoredValue::new(TagRows::default());
    let rows = crate::reactive::memo(move |_| {
        plan.with(|p| table.write_value().sync(p.tags.keys()).to_vec())
    });
    // A new tag's key box takes the focus, its name selected: what is typed next names it.
    // Whether the plan holds as many tags as it may (rebuilt only when that changes).
    let full = crate::reactive::memo(move |_| {
        plan.with(|p| p.tags.len() >= shared::validate::limits::MAX_TAGS)
    });
    let add = move |_| {
        if full.get_untracked() {
            return;
        }
        let key = plan.with_untracked(|p| {
            let mut n = p.tags.len() + 1;
            while p.tags.contains_key(&format!("tag{n}")) {
                n += 1;
            }
            format!("tag{n}")
        });
        crate::browser::focus_new(field_id(&format!("tags.{key}")));
        plan.update(|p| {
            p.tags.insert(key, String::new());
        });
    };
    view! {
        // The id is the field id of `tags`: a problem with the tags as a whole links here.
        <fieldset class="panel" id="f-tags" tabindex="-1">
            <legend>"Tags"</legend>
            <p class="panel-note">"Stack tags: CloudFormation puts them on every resource that takes tags."</p>
            <div class="tags">
                // Column headings for the eye (each box has its own accessible name).
                {move || rows.with(|r| !r.is_empty()).then(|| view! {
                    <div class="row-head tag-head" aria-hidden="true"><span>"Key"</span><span>"Value"</span></div>
                })}
                <For each=move || rows.get() key=|(id, _)| *id let((id, _))>
                    {
                        // The row's key as the plan has it now (`None` once the row is gone).
                        let key = crate::reactive::memo(move |_| {
                            rows.with(|r| r.iter().find(|(i, _)| *i == id).map(|(_, k)| k.clone()))
                        });
                        let path = move || format!("tags.{}", key.get().unwrap_or_default());
                        // A rename onto another tag's key is refused (it would overwrite that
                        // tag's value): the typed key stays in the box, an error at this tag
                        // among the checks (Deploy held back) until it is renamed again or goes.
                        // `held`: the path of this row's entry among `untyped`, if it holds one.
                        let held = StoredValue::new(None::<String>);
                        let settle = move || {
                            // `try_`: at the page's end the planner may be gone before its rows.
                            if let Some(Some(at)) = held.try_update_value(Option::take) {
                                untyped.try_update(|u| u.retain(|e| e.path != at));
                            }
                        };
                        // A plan opened whole (a link, a file) puts the plan's key back in the box.
                        let loaded = planner.loaded;
                        Effect::new(move |opened: Option<u64>| {
                            let now = loaded.get();
                            if opened.is_some_and(|o| o != now) {
                                settle();
                            }
                            now
                        });
                        // Gives the row the key `new_key`, or holds it back while another tag has it.
                        let rename = move |new_key: String| {
                            let Some(old) = key.get_untracked() else { return };
                            settle();
                            if new_key == old {
                                return;
                            }
                            if plan.with_untracked(|p| p.tags.contains_key(&new_key)) {
                                let at = format!("tags.{old}");
                                held.set_value(Some(at.clone()));
                                let entry = crate::state::Untyped {
                                    path: at,
                                    why: format!("is another tag's key: rename or remove that one first; the plan keeps this tag's key, {old:?}, until then"),
                                    text: new_key,
                                };
                                untyped.update(|u| crate::state::Untyped::note(u, entry));
                                return;
                            }
                            table.update_value(|t| t.rename(id, &new_key));
                            plan.update(|p| {
                                if let Some(v) = p.tags.remove(&old) {
                                    p.tags.insert(new_key, v);
                                }
                            });
                        };
                        // Another tag renamed or removed may free the key this row was refused:
                        // the rename the user asked for then goes through. Run when the tags'
                        // keys change (the rows), not at every edit of the plan.
                        Effect::new(move |_| {
                            rows.track();
                            let freed = held.with_value(Clone::clone).and_then(|at| {
                                untyped.with_untracked(|u| u.iter().find(|e| e.path == at).map(|e| e.text.clone()))
                            });
                            if let Some(text) = freed.filter(|t| plan.with_untracked(|p| !p.tags.contains_key(t))) {
                                rename(text);
                            }
                        });
                        on_cleanup(settle);
                        view! {
                            <div class="tag-row">
                                <input type="text" data-tag-key=""
                                    // Named by its place: its own text is its value, not its name.
                                    aria-label=move || format!("Key of tag {}", rows.with(|r| r.iter().position(|(i, _)| *i == id).map_or(0, |n| n + 1)))
                                    prop:value=move || { planner.loaded.track(); key.get().unwrap_or_default() }
                                    id=move || field_id(&path()) aria-describedby=move || messages_id(&path())
                                    aria-invalid={ let invalid = has_error_at(path); move || invalid().to_string() }
                                    // When the box is left (or Enter): a key renamed as it is typed passes
                                    // through the keys on its way ("tea" on the way to "team"), which
                                    // the plan would keep if the one meant is another tag's.
                                    on:change=move |ev| rename(event_target_value(&ev)) />
                                <input type="text" aria-label=move || format!("Value of tag {}", key.get().unwrap_or_default())
                                    id=move || value_id(&field_id(&path())) aria-describedby=move || messages_id(&path())
                                    // The plan's value, also when it changes from elsewhere (a
                                    // share link opened with the same key).
                                    prop:value=move || key.get().and_then(|k| plan.with(|p| p.tags.get(&k).cloned())).unwrap_or_default()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(k) = key.get_untracked() {
                                            plan.update(|p| { p.tags.insert(k, v); });
                                        }
                                    } />
                                <button type="button" class="icon" aria-label=move || format!("Remove tag {}", key.get().unwrap_or_default()) data-remove="tags"
                                    on:click=move |ev| {
                                        crate::browser::refocus_row(ev.target(), "tags");
                                        if let Some(k) = key.get_untracked() {
                                            plan.update(|p| { p.tags.remove(&k); });
                                        }
                                    }>"×"</button>
                                {move || key.get().map(|k| field_problems(format!("tags.{k}")))}
                            </div>
                        }
                    }
                </For>
            </div>
            // At the plan's limit the button waits, and says why beside it. (Still a Tab stop,
            // so that the reason is read with it: `disabled` would take it out.)
            <button type="button" class="secondary" data-add="tags" on:click=add
                aria-disabled=move || full.get().then_some("true") aria-describedby=move || full.get().then_some("tags-full")>"Add tag"</button>
            {move || full.get().then(|| view! { <span class="muted add-note" id="tags-full">{format!("A plan has at most {} tags.", shared::validate::limits::MAX_TAGS)}</span> })}
            {field_problems("tags")}
        </fieldset>
    }
}

/// The tag editor's rows: an id for each, which a rename keeps.
#[derive(Clone, Debug, Default, PartialEq)]
struct TagRows {
    rows: Vec<(u32, String)>,
    next: u32,
}

impl TagRows {
    /// The rows for the plan's `keys`: a row whose key the plan no longer has goes, a key no
    /// row has gets a new row at the end, and every other row keeps its id and its place.
    fn sync<'a>(&mut self, keys: impl IntoIterator<Item = &'a String> + Clone) -> &[(u32, String)] {
        self.rows
            .retain(|(_, k)| keys.clone().into_iter().any(|key| key == k));
        for key in keys {
            if !self.rows.iter().any(|(_, k)| k == key) {
                self.rows.push((self.next, key.clone()));
                self.next += 1;
            }
        }
        &self.rows
    }

    /// Gives row `id` the key `key`, before the plan renames its tag, so the row stays.
    fn rename(&mut self, id: u32, key: &str) {
        if let Some(row) = self.rows.iter_mut().find(|(i, _)| *i == id) {
            row.1 = key.to_string();
        }
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

#[cfg(test)]
mod tests {
    use super::TagRows;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| k.to_string()).collect()
    }

    fn synced(rows: &mut TagRows, list: &[&str]) -> Vec<(u32, String)> {
        rows.sync(keys(list).iter()).to_vec()
    }

    #[test]
    fn a_renamed_tag_keeps_its_row_and_its_place() {
        let mut rows = TagRows::default();
        assert_eq!(
            synced(&mut rows, &["env", "team"]),
            [(0, "env".into()), (1, "team".into())]
        );
        // The editor renames the row, then the plan its tag ("team" to "alpha", before "env" in
        // key order): the row keeps its id and stays second.
        rows.rename(1, "alpha");
        assert_eq!(
            synced(&mut rows, &["alpha", "env"]),
            [(0, "env".into()), (1, "alpha".into())]
        );
    }

    #[test]
    fn new_keys_get_new_rows_at_the_end_and_gone_keys_lose_theirs() {
        let mut rows = TagRows::default();
        synced(&mut rows, &["env", "team"]);
        // A tag added, and one renamed from elsewhere (a link opened): the old row goes, the
        // new keys get new ids, never one a row had.
        assert_eq!(
            synced(&mut rows, &["env", "owner", "tag3"]),
            [(0, "env".into()), (2, "owner".into()), (3, "tag3".into())]
        );
        assert_eq!(synced(&mut rows, &[]), []);
        assert_eq!(synced(&mut rows, &["env"]), [(4, "env".into())]);
    }

    #[test]
    fn a_plan_with_the_same_keys_leaves_the_rows_as_they_are() {
        let mut rows = TagRows::default();
        let first = synced(&mut rows, &["b", "a"]);
        assert_eq!(synced(&mut rows, &["a", "b"]), first);
    }
}
