//! The deploy panel: where deploys go, the stack name and the Deploy button, the change set,
//! a progress bar, the live event list, the outputs, the first failure, and Delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

use crate::api::{self, SseMessage};
use crate::embed;
use crate::state::use_planner;

/// Where the panel is in a deploy.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Nothing started; the Deploy button is ready.
    Idle,
    /// Creating the change set (assuming the role, computing the changes).
    Preparing,
    /// A stack of that name exists: offer to review an update.
    Exists(String),
    /// An update's change set, waiting for the user's confirmation.
    Review(Value),
    /// Creating, updating or deleting; events arrive.
    Running,
    /// The stack settled: the final status.
    Finished(Value),
}

/// One row of the event list.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    time: String,
    logical_id: String,
    resource_type: String,
    status: String,
    reason: String,
}

#[derive(Clone, Copy)]
struct Deploy {
    phase: RwSignal<Phase>,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    id: RwSignal<Option<String>>,
    changes: RwSignal<Vec<Value>>,
    rows: RwSignal<Vec<Row>>,
    progress: RwSignal<(u64, u64)>,
    token: RwSignal<Option<String>>,
    sandbox_notes: RwSignal<Vec<String>>,
    host: StoredValue<Option<String>>,
}

/// The API's base: the page's own server.
fn url(path: &str) -> String {
    format!("{}{path}", crate::browser::page_origin())
}

#[component]
pub fn DeployPanel(host: Option<String>) -> AnyView {
    let p = use_planner();
    let d = Deploy {
        phase: RwSignal::new(Phase::Idle),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        id: RwSignal::new(None),
        changes: RwSignal::new(Vec::new()),
        rows: RwSignal::new(Vec::new()),
        progress: RwSignal::new((0, 0)),
        token: RwSignal::new(api::token()),
        sandbox_notes: RwSignal::new(Vec::new()),
        host: StoredValue::new(host),
    };
    // Where deploys go, asked of the server once; `None` while asking, `Err` without a server.
    let target = RwSignal::new(None::<Result<Value, String>>);
    spawn_local(async move {
        let answer = api::call("GET", &url("/api/deploy/target"), None, None).await;
        target.set(Some(match answer {
            Ok(a) if a.ok() => Ok(a.body),
            Ok(a) => Err(a.message()),
            Err(e) => Err(e),
        }));
    });
    let default_name = move || {
        p.plan
            .with(|plan| format!("{}-{}", plan.project, plan.kind()))
    };
    let edited_name = RwSignal::new(None::<String>);
    let stack_name = move || edited_name.get().unwrap_or_else(default_name);
    let resources = move || {
        p.template
            .with(|t| t.as_ref().map(|(_, n, _)| *n).unwrap_or(0))
    };
    let region = move || p.plan.with(|plan| plan.region.code().to_string());
    let busy = move || matches!(d.phase.get(), Phase::Preparing | Phase::Running);

    let start = move |update: bool| {
        let Some(token) = d.token.get_untracked() else {
            return;
        };
        let Some(valid) = p.valid.get_untracked() else {
            d.error.set(Some(
                "Fix the plan's problems first: only a valid plan can be deployed.".into(),
            ));
            return;
        };
        let plan = serde_json::to_value(valid.plan()).unwrap_or(Value::Null);
        let template = p
            .template
            .with_untracked(|t| t.as_ref().map(|(text, _, _)| text.clone()));
        let name = stack_name();
        d.error.set(None);
        d.notice.set(None);
        d.phase.set(Phase::Preparing);
        spawn_local(async move {
            let body =
                json!({ "plan": plan, "stack_name": name, "template": template, "update": update });
            match api::call("POST", &url("/api/deployments"), Some(&token), Some(&body)).await {
                Ok(a) if a.ok() => {
                    d.id.set(a.body["id"].as_str().map(String::from));
                    d.changes.set(
                        a.body["change_set"]["changes"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default(),
                    );
                    d.sandbox_notes.set(
                        a.body["sandbox"]["skipped"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|s| {
                                s.as_str().map(|s| {
                                    format!("The sandbox skips {s}: moto cannot create it.")
                                })
                            })
                            .chain(
                                a.body["sandbox"]["notes"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|s| s.as_str().map(String::from)),
                            )
                            .collect(),
                    );
                    d.progress
                        .set((0, a.body["resources"].as_u64().unwrap_or(0)));
                    if a.body["change_set"]["type"] == "UPDATE" {
                        d.phase.set(Phase::Review(a.body));
                    } else {
                        execute(
                            d,
                            token,
                            a.body["change_set"]["id"].as_str().map(String::from),
                            name,
                        );
                    }
                }
                Ok(a) if a.body["error"] == "stack_exists" => {
                    d.phase.set(Phase::Exists(a.message()))
                }
                Ok(a) if a.status == 401 => {
                    // A wrong or stale token: forget it, so the panel asks again.
                    api::set_token("");
                    d.token.set(None);
                    fail(d, explain(&a));
                }
                Ok(a) => fail(d, explain(&a)),
                Err(e) => fail(d, e),
            }
        });
    };

    let delete = move |_| {
        let (Some(token), Some(id)) = (d.token.get_untracked(), d.id.get_untracked()) else {
            return;
        };
        d.error.set(None);
        d.phase.set(Phase::Running);
        d.rows.set(Vec::new());
        spawn_local(async move {
            match api::call(
                "DELETE",
                &url(&format!("/api/deployments/{id}")),
                Some(&token),
                None,
            )
            .await
            {
                Ok(a) if a.ok() => watch(d, token, id, stack_name_of(&a.body)),
                Ok(a) => fail(d, explain(&a)),
                Err(e) => fail(d, e),
            }
        });
    };
    let confirm_delete = RwSignal::new(false);
    let token_input = RwSignal::new(String::new());

    view! {
        <section class="card deploy" aria-labelledby="deploy-title" data-testid="deploy">
            <div class="card-head">
                <h2 id="deploy-title">"Deploy"</h2>
                <span class="muted" data-testid="deploy-target">{move || match target.get() {
                    None => "Asking the server…".to_string(),
                    Some(Err(_)) => "No Stackplan server".to_string(),
                    Some(Ok(t)) if t["enabled"] == false => "Deploying is off on this server".to_string(),
                    Some(Ok(t)) => match t["target"]["kind"].as_str() {
                        Some("sandbox") => format!("Local sandbox (moto) at {}", t["target"]["endpoint"].as_str().unwrap_or("?")),
                        _ => "AWS".to_string(),
                    },
                }}</span>
            </div>
            {move || match target.get() {
                Some(Err(e)) => Some(view! {
                    <p class="empty">{format!("Deploying needs `stackplan serve` ({e}). Planning works without it.")}</p>
                }.into_any()),
                Some(Ok(t)) if t["enabled"] == false => Some(view! {
                    <p class="empty">{t["reason"].as_str().unwrap_or("Deploying is off.").to_string()}</p>
                }.into_any()),
                Some(Ok(_)) if d.token.get().is_none() => Some(view! {
                    <form class="token-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let t = token_input.get_untracked();
                        if !t.trim().is_empty() {
                            api::set_token(&t);
                            d.token.set(Some(t.trim().to_string()));
                        }
                    }>
                        <p class="empty">"To deploy, open the login URL that `stackplan serve` printed, or paste its token:"</p>
                        <input type="password" aria-label="Deploy token" data-testid="deploy-token"
                            prop:value=move || token_input.get() on:input=move |ev| token_input.set(event_target_value(&ev)) />
                        <button type="submit">"Use token"</button>
                    </form>
                }.into_any()),
                Some(Ok(_)) => None,
                None => None,
            }}
            {move || (d.token.get().is_some() && matches!(target.get(), Some(Ok(ref t)) if t["enabled"] == true)).then(|| view! {
                <div class="deploy-form">
                    <label>
                        <span>"Stack name"</span>
                        <input type="text" data-testid="stack-name" prop:value=stack_name disabled=busy
                            on:input=move |ev| edited_name.set(Some(event_target_value(&ev))) />
                    </label>
                    <button type="button" data-testid="deploy-button" disabled=move || busy() || p.valid.with(|v| v.is_none())
                        on:click=move |_| start(false)>
                        {move || if busy() { "Deploying…" } else { "Deploy" }}
                    </button>
                </div>
                <p class="muted deploy-summary">{move || format!("Creates {} resources in {} as stack {}.", resources(), region(), stack_name())}</p>
            }.into_any())}
            {move || d.error.get().map(|e| view! { <div class="banner error" role="alert" data-testid="deploy-error">{e}</div> }.into_any())}
            {move || d.notice.get().map(|n| view! { <div class="banner" role="status" data-testid="deploy-notice">{n}</div> }.into_any())}
            {move || match d.phase.get() {
                Phase::Preparing => Some(view! { <p class="muted" role="status">"Assuming the deploy role and preparing the change set…"</p> }.into_any()),
                Phase::Exists(message) => Some(view! {
                    <div class="banner" role="alert" data-testid="stack-exists">
                        <span>{message}</span>
                        <button type="button" data-testid="review-update" on:click=move |_| start(true)>"Review the update"</button>
                    </div>
                }.into_any()),
                Phase::Review(created) => {
                    let n = created["change_set"]["changes"].as_array().map_or(0, Vec::len);
                    let change_set = created["change_set"]["id"].as_str().map(String::from);
                    let name = stack_name_of(&created);
                    Some(view! {
                        <div class="banner" role="alert" data-testid="confirm-update">
                            <span>{format!("Updating {name} changes {n} resource(s), listed below. Apply?")}</span>
                            <button type="button" data-testid="apply-update" on:click=move |_| {
                                if let Some(token) = d.token.get_untracked() { execute(d, token, change_set.clone(), name.clone()) }
                            }>"Apply the update"</button>
                            <button type="button" class="secondary" on:click=move |_| d.phase.set(Phase::Idle)>"Cancel"</button>
                        </div>
                    }.into_any())
                }
                _ => None,
            }}
            {move || (!d.changes.with(Vec::is_empty)).then(|| view! {
                <details class="changes">
                    <summary data-testid="change-count">{move || format!("Change set: {} change(s)", d.changes.with(Vec::len))}</summary>
                    <ul>
                        {move || d.changes.get().into_iter().map(|c| view! {
                            <li><span class="action">{c["action"].as_str().unwrap_or("").to_string()}</span>" "
                                <code>{c["logical_id"].as_str().unwrap_or("").to_string()}</code>" "
                                <span class="muted">{c["resource_type"].as_str().unwrap_or("").to_string()}</span></li>
                        }.into_any()).collect_view()}
                    </ul>
                </details>
            }.into_any())}
            {move || matches!(d.phase.get(), Phase::Running | Phase::Finished(_)).then(|| view! {
                <div class="progress" role="progressbar" aria-label="Deploy progress" data-testid="deploy-progress"
                    aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent(d.progress.get()).to_string()>
                    <span style=move || format!("width: {}%", percent(d.progress.get()))></span>
                </div>
                <p class="muted" data-testid="progress-text">{move || {
                    let (done, total) = d.progress.get();
                    format!("{done} of {total} resources · {}%", percent((done, total)))
                }}</p>
            }.into_any())}
            {move || match d.phase.get() {
                Phase::Finished(status) => Some(finished_view(d, status, confirm_delete, delete)),
                _ => None,
            }}
            {move || (!d.rows.with(Vec::is_empty)).then(|| view! {
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
                                }.into_any()
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any())}
        </section>
    }
    .into_any()
}

fn finished_view(
    d: Deploy,
    status: Value,
    confirm_delete: RwSignal<bool>,
    delete: impl Fn(leptos::ev::MouseEvent) + Copy + Send + Sync + 'static,
) -> AnyView {
    let succeeded = status["succeeded"] == true;
    let deleted = status["status"] == "DELETE_COMPLETE";
    let outputs = status["outputs"].as_array().cloned().unwrap_or_default();
    let failure = status["failure"].clone();
    let notes = d.sandbox_notes.get_untracked();
    view! {
        <div class="deploy-result" data-testid="deploy-result">
            <p class=if succeeded { "result good" } else { "result bad" } data-testid="deploy-status">
                {format!("{} {}", status["stack_name"].as_str().unwrap_or(""), status["status"].as_str().unwrap_or(""))}
            </p>
            {(!failure.is_null()).then(|| view! {
                <div class="banner error" role="alert" data-testid="deploy-failure">
                    <strong>{format!("{} ({}) failed: ", failure["logical_id"].as_str().unwrap_or(""), failure["resource_type"].as_str().unwrap_or(""))}</strong>
                    <span>{failure["reason"].as_str().unwrap_or("").to_string()}</span>
                </div>
            }.into_any())}
            {(succeeded && !deleted).then(|| view! {
                <div class="outputs" data-testid="deploy-outputs">
                    <h3>"Outputs"</h3>
                    {if outputs.is_empty() {
                        view! { <p class="muted">{notes.iter().find(|n| n.contains("outputs")).cloned().unwrap_or_else(|| "The stack has no outputs.".into())}</p> }.into_any()
                    } else {
                        view! { <dl>{outputs.into_iter().map(|o| {
                            let value = o["value"].as_str().unwrap_or("").to_string();
                            let link = value.starts_with("https://") || value.starts_with("http://");
                            view! {
                                <dt>{o["key"].as_str().unwrap_or("").to_string()}</dt>
                                <dd>{if link { let href = value.clone(); view! { <a href=href target="_blank" rel="noopener">{value}</a> }.into_any() } else { view! { <code>{value}</code> }.into_any() }}</dd>
                            }
                        }).collect_view()}</dl> }.into_any()
                    }}
                </div>
            }.into_any())}
            {(!notes.is_empty() && !deleted).then(|| view! {
                <details class="sandbox-notes"><summary>"What the sandbox does not create"</summary>
                    <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                </details>
            }.into_any())}
            {(!deleted).then(|| view! {
                <div class="actions">
                    {move || if confirm_delete.get() { view! {
                        <span>"Delete the stack and its resources? Tables and buckets are kept (DeletionPolicy: Retain)."</span>
                        <button type="button" class="danger" data-testid="confirm-delete" on:click=move |ev| { confirm_delete.set(false); delete(ev) }>"Delete"</button>
                        <button type="button" class="secondary" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                    }.into_any() } else { view! {
                        <button type="button" class="danger" data-testid="delete-stack" on:click=move |_| confirm_delete.set(true)>"Delete stack"</button>
                    }.into_any() }}
                </div>
            })}
        </div>
    }
    .into_any()
}

fn stack_name_of(body: &Value) -> String {
    body["stack_name"].as_str().unwrap_or_default().to_string()
}

fn percent((done, total): (u64, u64)) -> u64 {
    (done * 100).checked_div(total).unwrap_or(0).min(100)
}

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

/// A user-facing sentence for an error answer, with the server's problem list.
fn explain(a: &api::Answer) -> String {
    let mut text = a.message();
    for list in ["problems", "blockers"] {
        if let Some(items) = a.body[list].as_array() {
            for item in items {
                let line = item["message"]
                    .as_str()
                    .or_else(|| item.as_str())
                    .unwrap_or_default();
                text.push_str(&format!("\n• {line}"));
            }
        }
    }
    text
}

fn fail(d: Deploy, message: String) {
    d.error.set(Some(message));
    d.phase.set(Phase::Idle);
}

fn execute(d: Deploy, token: String, change_set: Option<String>, name: String) {
    let Some(id) = d.id.get_untracked() else {
        return;
    };
    d.phase.set(Phase::Running);
    d.rows.set(Vec::new());
    spawn_local(async move {
        let body = json!({ "change_set_id": change_set });
        match api::call(
            "POST",
            &url(&format!("/api/deployments/{id}/execute")),
            Some(&token),
            Some(&body),
        )
        .await
        {
            Ok(a) if a.ok() => {
                post_host(d, "deploy-started", json!({ "id": id, "stack_name": name }));
                watch(d, token, id, name);
            }
            Ok(a) => fail(d, explain(&a)),
            Err(e) => fail(d, e),
        }
    });
}

fn post_host(d: Deploy, kind: &str, detail: Value) {
    if let Some(host) = d.host.get_value() {
        embed::post(&host, kind, detail);
    }
}

/// Follows the event stream to its final event, reconnecting with `Last-Event-ID` when the
/// connection drops (a few times, with a growing pause).
fn watch(d: Deploy, token: String, id: String, name: String) {
    spawn_local(async move {
        let events_url = url(&format!("/api/deployments/{id}/events"));
        let mut last = None;
        let finished = std::rc::Rc::new(std::cell::Cell::new(false));
        for attempt in 0..6u32 {
            let seen = finished.clone();
            let on_message = move |m: SseMessage| on_event(d, &seen, m);
            match api::stream(&events_url, &token, last.clone(), &on_message).await {
                Ok(l) => last = l,
                Err(e) if attempt == 5 => {
                    fail(
                        d,
                        format!(
                            "Lost the deploy's event stream: {e}. The stack carries on in CloudFormation."
                        ),
                    );
                    return;
                }
                Err(e) => d
                    .notice
                    .set(Some(format!("Reconnecting to the event stream ({e})…"))),
            }
            if finished.get() {
                if let Phase::Finished(status) = d.phase.get_untracked() {
                    post_host(
                        d,
                        "deploy-finished",
                        json!({
                            "id": id, "stack_name": name, "status": status["status"], "succeeded": status["succeeded"], "outputs": status["outputs"],
                        }),
                    );
                }
                return;
            }
            gloo_sleep(500 * (attempt + 1)).await;
        }
    });
}

fn on_event(d: Deploy, finished: &std::cell::Cell<bool>, m: SseMessage) {
    match m.event.as_str() {
        "stack" => {
            let v = &m.data;
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            d.rows.update(|rows| {
                rows.push(Row {
                    id: text("id"),
                    time: text("time"),
                    logical_id: text("logical_id"),
                    resource_type: text("resource_type"),
                    status: text("status"),
                    reason: text("reason"),
                })
            });
            let (_, total) = d.progress.get_untracked();
            d.progress.set((
                v["progress"]["finished"].as_u64().unwrap_or(0),
                v["progress"]["total"].as_u64().unwrap_or(total),
            ));
            d.notice.set(None);
        }
        "notice" => d.notice.set(m.data["message"].as_str().map(String::from)),
        "done" => {
            finished.set(true);
            d.notice.set(None);
            if let Some(e) = m.data["error"].as_str() {
                fail(d, e.to_string());
                return;
            }
            d.progress.set((
                m.data["progress"]["finished"].as_u64().unwrap_or(0),
                m.data["progress"]["total"].as_u64().unwrap_or(0),
            ));
            d.phase.set(Phase::Finished(m.data));
        }
        _ => {}
    }
}

async fn gloo_sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(1000),
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
