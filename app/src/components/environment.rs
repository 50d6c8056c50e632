//! The service's environment: one row per variable, its name, where its value comes from, and
//! the value or the reference. The core's messages show under each row.

use leptos::prelude::*;
use shared::plan::{EnvSource, EnvVar};

use super::fields::{field_id, field_problems, has_error, has_error_at, messages_id};
use crate::state::use_planner;

/// The kinds of source, as the select offers them: `(value, label)`.
const KINDS: [(&str, &str); 4] = [
    ("value", "Plain value"),
    ("secret", "Secrets Manager"),
    ("ssm_parameter", "SSM SecureString"),
    ("generate", "Generated secret"),
];

fn kind_of(var: &EnvVar) -> &'static str {
    match var.source() {
        Some(EnvSource::Secret(_)) => "secret",
        Some(EnvSource::SsmParameter(_)) => "ssm_parameter",
        Some(EnvSource::Generated) => "generate",
        Some(EnvSource::Value(_)) | None => "value",
    }
}

/// The text a row's second input edits (empty for a generated secret).
fn text_of(var: &EnvVar) -> String {
    var.value
        .clone()
        .or_else(|| var.secret.clone())
        .or_else(|| var.ssm_parameter.clone())
        .unwrap_or_default()
}

/// Sets the variable's source to `kind`, keeping the text typed so far.
fn set_source(var: &mut EnvVar, kind: &str, text: String) {
    var.value = None;
    var.secret = None;
    var.ssm_parameter = None;
    var.generate = false;
    if kind != "secret" {
        var.json_key = None;
    }
    match kind {
        "secret" => var.secret = Some(text),
        "ssm_parameter" => var.ssm_parameter = Some(text),
        "generate" => var.generate = true,
        _ => var.value = Some(text),
    }
}

fn placeholder(kind: &str) -> &'static str {
    match kind {
        "secret" => "stackplan/shop/stripe or its ARN",
        "ssm_parameter" => "/stackplan/shop/session-key or its ARN",
        "generate" => "random, kept in Secrets Manager",
        _ => "production",
    }
}

#[component]
pub fn EnvironmentEditor() -> impl IntoView {
    let plan = use_planner().plan;
    // The rows are rebuilt only when their number changes. A row is its index, as a `For`
    // keyed by index would make it, but without a keyed list's diffing code in the wasm (2.4 KB
    // gzipped); each row reads its variable reactively.
    let count = crate::reactive::memo(move |_| plan.with(|p| p.environment.len()));
    let edit = move |i: usize, f: &dyn Fn(&mut EnvVar)| {
        plan.update(|p| {
            if let Some(v) = p.environment.get_mut(i) {
                f(v);
            }
        })
    };
    let var = move |i: usize| plan.with(|p| p.environment.get(i).cloned().unwrap_or_default());
    // A generated secret has no text: what a row's box held waits here for the row's next
    // source. Kept by row outside the rows, which are built again whenever one is added or
    // removed; a removed row's goes with it, and all go when a plan is opened whole (a link, a
    // file: `Planner.loaded`), whose rows are not the ones typed in.
    let loaded = use_planner().loaded;
    let kept = StoredValue::new((loaded.get_untracked(), Vec::<String>::new()));
    let keep = move |i: usize, text: String| {
        kept.update_value(|(at, k)| {
            let now = loaded.get_untracked();
            if *at != now {
                *at = now;
                k.clear();
            }
            if k.len() <= i {
                k.resize(i + 1, String::new());
            }
            k[i] = text;
        });
    };
    let kept_text = move |i: usize| {
        kept.with_value(|(at, k)| {
            (*at == loaded.get_untracked())
                .then(|| k.get(i).cloned())
                .flatten()
                .unwrap_or_default()
        })
    };
    // A new variable's name box takes the focus, its name selected: what is typed next names it.
    // Whether the plan holds as many variables as it may (rebuilt only when that changes).
    let full = crate::reactive::memo(move |_| count.get() >= shared::environment::MAX_VARIABLES);
    let add = move |_| {
        if full.get_untracked() {
            return;
        }
        let at = plan.with_untracked(|p| p.environment.len());
        crate::browser::focus_new(field_id(&format!("environment[{at}].name")));
        plan.update(|p| {
            let mut n = p.environment.len() + 1;
            while p
                .environment
                .iter()
                .any(|v| v.name == format!("SETTING_{n}"))
            {
                n += 1;
            }
            p.environment.push(EnvVar {
                name: format!("SETTING_{n}"),
                value: Some(String::new()),
                ..EnvVar::default()
            });
        })
    };
    view! {
        <fieldset class="panel" id="f-environment" tabindex="-1">
            <legend>"Environment"</legend>
            <p class="panel-note">
                "What your service reads at start. Plain values are written into the template; secrets stay where they are kept and only their names are. "
                "ECS reads secrets when a task starts, with read access to exactly these; for Lambda, CloudFormation resolves them into the function's configuration when it deploys (Secrets Manager only)."
            </p>
            <div class="env-rows" data-testid="environment">
                // Column headings for the eye (each box has its own accessible name).
                {move || (count.get() > 0).then(|| view! {
                    <div class="row-head env-head" aria-hidden="true"><span>"Name"</span><span>"Comes from"</span><span>"Value"</span></div>
                })}
                {move || (0..count.get()).map(|i| {
                    view! {
                    <div class="env-row">
                        <input type="text" aria-label=format!("Variable {} name", i + 1)
                            id=field_id(&format!("environment[{i}].name"))
                            aria-describedby=messages_id(&format!("environment[{i}].name"))
                            aria-invalid={ let invalid = has_error(&format!("environment[{i}].name")); move || invalid().to_string() }
                            prop:value=move || var(i).name
                            // As it is typed, as typed (a space is the checks' to name); the
                            // spaces around it go whenever the box is left (a change may not
                            // be, when the text is as it was: a draft given back by a reload).
                            on:input=move |ev| {
                                let name = event_target_value(&ev);
                                edit(i, &|v| v.name = name.clone());
                            }
                            on:blur=move |_| {
                                let spaced = plan.with_untracked(|p| {
                                    p.environment.get(i).is_some_and(|v| v.name.trim() != v.name)
                                });
                                if spaced {
                                    edit(i, &|v| v.name = v.name.trim().to_string());
                                }
                            } />
                        <select aria-label=format!("Variable {} source", i + 1)
                            id=field_id(&format!("environment[{i}]"))
                            aria-describedby=messages_id(&format!("environment[{i}]"))
                            aria-invalid={ let invalid = has_error(&format!("environment[{i}]")); move || invalid().to_string() }
                            prop:value=move || kind_of(&var(i))
                            on:change=move |ev| {
                                let kind = event_target_value(&ev);
                                edit(i, &|v| {
                                    let text = if v.generate { kept_text(i) } else { text_of(v) };
                                    keep(i, text.clone());
                                    set_source(v, &kind, text)
                                });
                            }>
                            {KINDS.iter().map(|(value, label)| view! { <option value=*value selected=move || kind_of(&var(i)) == *value>{*label}</option> }).collect_view()}
                        </select>
                        // Named after the source it holds, as the problems name it.
                        <input type="text" aria-label=format!("Variable {} value", i + 1)
                            id=move || field_id(&format!("environment[{i}].{}", kind_of(&var(i))))
                            aria-describedby=move || messages_id(&format!("environment[{i}].{}", kind_of(&var(i))))
                            aria-invalid={
                                let invalid = has_error_at(move || format!("environment[{i}].{}", kind_of(&var(i))));
                                move || invalid().to_string()
                            }
                            prop:value=move || text_of(&var(i))
                            prop:placeholder=move || placeholder(kind_of(&var(i)))
                            prop:disabled=move || var(i).generate
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                edit(i, &|v| { let kind = kind_of(v); set_source(v, kind, text.clone()) });
                            } />
                        <Show when=move || var(i).secret.is_some()>
                            <input type="text" class="env-json-key" aria-label=format!("Variable {} JSON key", i + 1)
                                id=field_id(&format!("environment[{i}].json_key"))
                                aria-describedby=messages_id(&format!("environment[{i}].json_key"))
                                aria-invalid={ let invalid = has_error(&format!("environment[{i}].json_key")); move || invalid().to_string() }
                                placeholder="JSON key (optional)"
                                prop:value=move || var(i).json_key.unwrap_or_default()
                                on:input=move |ev| {
                                    let key = event_target_value(&ev).trim().to_string();
                                    edit(i, &|v| v.json_key = (!key.is_empty()).then(|| key.clone()));
                                } />
                        </Show>
                        <button type="button" class="icon" aria-label=move || format!("Remove variable {}", var(i).name) data-remove="environment"
                            on:click=move |ev| {
                                crate::browser::refocus_row(ev.target(), "environment");
                                kept.update_value(|(_, k)| { if i < k.len() { k.remove(i); } });
                                plan.update(|p| { if i < p.environment.len() { p.environment.remove(i); } });
                            }>"×"</button>
                        {field_problems(format!("environment[{i}]"))}
                        {field_problems(format!("environment[{i}].name"))}
                        {[ "value", "secret", "ssm_parameter", "json_key" ].map(|f| field_problems(format!("environment[{i}].{f}"))).collect_view()}
                    </div>
                    }
                }).collect_view()}
            </div>
            // At the plan's limit the button waits, and says why beside it (a Tab stop still).
            <button type="button" class="secondary" data-add="environment" on:click=add
                aria-disabled=move || full.get().then_some("true") aria-describedby=move || full.get().then_some("environment-full")>"Add variable"</button>
            {move || full.get().then(|| view! { <span class="muted add-note" id="environment-full">{format!("A plan has at most {} variables.", shared::environment::MAX_VARIABLES)}</span> })}
            {field_problems("environment")}
        </fieldset>
    }
}
