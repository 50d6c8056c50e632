//! The stack name, the Deploy button, and what a deploy will create.

use leptos::prelude::*;
use shared::api::CreateDeployment;

use super::flow::{Deploy, Doing};
use super::inputs::use_inputs;
use shared::plan::Architecture;

/// The template's parameters a deploy can set: the image tag of a Fargate service, the code
/// location of a Lambda function. Empty fields take the template's defaults.
fn parameters(d: Deploy) -> AnyView {
    let p = use_inputs();
    // Only what the fields show: they are not rebuilt on every edit of the plan.
    let shape = crate::reactive::memo(move |_| {
        p.plan.with(|plan| match &plan.architecture {
            Architecture::Fargate(f) => Some((f.image_tag.clone(), f.image.is_none())),
            Architecture::Lambda(l) if l.image.is_some() => {
                Some((shared::template::FUNCTION_IMAGE_TAG.to_string(), false))
            }
            Architecture::Lambda(_) => None,
        })
    });
    let fields = move || {
        match shape.get() {
        Some((tag, own_repository)) => view! { <div class="deploy-parameters">{parameter_field(
            d,
            "ImageTag",
            "Image tag",
            tag,
            if own_repository {
                "The tag to run from the stack's own repository (empty: the tag the stack runs now, or the plan's when the plan's tag changed since the last deploy; a new stack: the plan's). A new stack waits with no task until it is pushed."
            } else {
                "The tag of the plan's image to run (empty: the tag the stack runs now, or the plan's when the plan's tag changed since the last deploy; a new stack: the plan's). It must be pushed before the deploy."
            },
        )}</div> }
        .into_any(),
        None => view! { <div class="deploy-parameters">
            {parameter_field(d, "CodeS3Bucket", "Code bucket", String::new(),
                "An S3 bucket of this account holding your function's zip, or upload one after the first deploy. Empty: the code the stack runs now (a new stack: a placeholder handler).")}
            {parameter_field(d, "CodeS3Key", "Code key", "function.zip".into(),
                "The zip's key in that bucket.")}
        </div> }
        .into_any(),
    }
    };
    fields.into_any()
}

/// What the plan uses beyond its stack (`shared::reach::uses`), as a list.
fn uses_list(uses: &[(String, String)], testid: &'static str) -> AnyView {
    let items = uses
        .iter()
        .map(|(_, what)| view! { <li>{what.clone()}</li> })
        .collect::<Vec<_>>();
    view! {
        <div class="deploy-uses" id=testid data-testid=testid>
            <p>"Beyond the stack, it:"</p>
            <ul>{items}</ul>
        </div>
    }
    .into_any()
}

/// The parameters the plan's template takes from a deploy.
fn taken(plan: &shared::plan::Plan) -> &'static [&'static str] {
    match plan.architecture {
        Architecture::Fargate(_) => &["ImageTag"],
        Architecture::Lambda(ref l) if l.image.is_some() => &["ImageTag"],
        Architecture::Lambda(_) => &["CodeS3Bucket", "CodeS3Key"],
    }
}

/// What `spec` (a parameter's rules) says is wrong with `value`: the words the server would
/// answer a deploy with (`template::parameters`), with the browser's own `RegExp` matching the
/// pattern. Empty takes the template's default.
fn rule_broken(spec: &shared::template::Node, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    shared::template::parameters::problem(spec, value, |pattern, value| {
        Some(js_sys::RegExp::new(pattern, "").test(value))
    })
}

/// One parameter's input, with what is wrong with its value under it: the template's rule it
/// breaks (as it is typed, and as the form opens with a kept value), or the server's message
/// for `parameters.NAME`.
fn parameter_field(
    d: Deploy,
    name: &'static str,
    label: &'static str,
    placeholder: String,
    hint: &'static str,
) -> AnyView {
    let inputs = use_inputs();
    let path = format!("parameters.{name}");
    let value = move || {
        d.parameters
            .with(|ps| ps.get(name).cloned().unwrap_or_default())
    };
    // The value against the template's rules, before any request: as it is typed, and as the
    // form opens with a value kept from before a reload. The server still checks what it is
    // sent. (Not a memo of `value` alone: a new template can bring other rules.)
    let broken = crate::reactive::memo(move |_| {
        let v = value();
        inputs.parameter_rules.with(|rules| {
            rules
                .as_ref()
                .and_then(|r| r.get(name))
                .and_then(|r| rule_broken(r, &v))
        })
    });
    let problem = crate::reactive::memo(move |_| {
        d.problems
            .with(|ps| {
                ps.iter()
                    .find(|p| p.path == path)
                    .map(|p| p.message.clone())
            })
            .or_else(|| broken.get())
    });
    view! {
        // Named by its label alone; the hint and the problem describe it.
        <label class="deploy-parameter">
            <span id=format!("parameter-{name}-label")>{label}</span>
            <input type="text" data-testid=format!("parameter-{name}") placeholder=placeholder
                aria-labelledby=format!("parameter-{name}-label")
                aria-describedby=format!("parameter-{name}-hint parameter-{name}-problem")
                prop:value=value disabled=move || d.busy()
                aria-invalid=move || problem.get().is_some().then_some("true")
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    d.parameters.update(|ps| { ps.insert(name.to_string(), v); });
                    // The server's word was on the value it was sent: it goes with that value,
                    // and the banner that said it too once nothing it listed is left.
                    let at = format!("parameters.{name}");
                    if d.problems.with_untracked(|ps| ps.iter().any(|p| p.path == at)) {
                        d.problems.update(|ps| ps.retain(|p| p.path != at));
                        if d.problems.with_untracked(Vec::is_empty) {
                            d.error.set(None);
                        }
                    }
                } />
            <small class="muted" id=format!("parameter-{name}-hint")>{hint}</small>
            <span id=format!("parameter-{name}-problem")>
                {move || problem.get().map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
            </span>
        </label>
    }
    .into_any()
}

pub fn deploy_form(d: Deploy) -> AnyView {
    let view = {
        let p = use_inputs();
        let default_name = move || {
            p.plan
                .with(|plan| format!("{}-{}", plan.project, plan.kind()))
        };
        let stack_name = move || d.stack_name.get().unwrap_or_else(default_name);
        // CloudFormation's rule, said at the field before any request (the server checks too).
        // A name made from an invalid plan's project is the plan's problem (said under Checks;
        // Deploy waits for a valid plan anyway), not the name's.
        let name_problem = move || {
            (d.stack_name.with(Option::is_some) || p.valid.get())
                .then(|| shared::api::stack_name_problem(&stack_name()))
                .flatten()
        };
        let resources = move || {
            p.template
                .with(|t| t.as_ref().map(|(_, n, _)| *n).unwrap_or(0))
        };
        let region = move || p.plan.with(|plan| plan.region.code().to_string());
        // Parameters belong to a stack. Another region or architecture starts afresh (a bucket
        // is in one region; each architecture has its own parameters). Another name drops only
        // code uploaded into a stack's own bucket, which is no other stack's: what was typed
        // (an image tag, a bucket of the user's) stays while the name is typed.
        let plan_key = move || {
            p.plan
                .with(|plan| format!("{}/{}/{}", plan.project, plan.region.code(), plan.kind()))
        };
        Effect::watch(
            move || (stack_name(), region(), p.plan.with(|plan| plan.kind())),
            move |now, before, _| {
                let Some(before) = before else {
                    // The form kept from before a reload is for another plan: it starts afresh.
                    let kept = d.kept_for.write_value().take();
                    if kept.is_some_and(|k| k != plan_key()) {
                        d.stack_name.set(None);
                        d.parameters.set(Default::default());
                    }
                    return;
                };
                if (&before.1, before.2) != (&now.1, now.2) {
                    d.parameters.set(Default::default());
                } else if before.0 != now.0
                    && d.parameters.with_untracked(|ps| {
                        ps.get("CodeS3Bucket")
                            .is_some_and(|b| b.starts_with(shared::template::CODE_BUCKET_PREFIX))
                    })
                {
                    d.parameters.update(|ps| {
                        ps.remove("CodeS3Bucket");
                        ps.remove("CodeS3Key");
                    });
                }
            },
            true,
        );
        // What was typed outlives a reload of the tab (read back by `Deploy::new`).
        Effect::new(move |_| {
            crate::api::remember_form(&crate::api::KeptForm {
                stack_name: d.stack_name.get(),
                parameters: d.parameters.get(),
                plan: plan_key(),
            })
        });
        // Inside another page's frame, a click could have been steered by that page: the
        // first click only asks, inside the frame, for a second one.
        let confirming = RwSignal::new(false);
        // What is confirmed is what was shown: a plan, stack name or parameter that changes
        // while the question is open (the framing page can open another plan's link) takes the
        // question away, and Deploy asks again.
        let edited = move |what: &'static str| {
            if confirming.get_untracked() {
                confirming.set(false);
                d.notice.set(Some(format!(
                    "The {what} changed while Deploy was waiting for a confirmation: click Deploy again to see what it deploys."
                )));
            }
            // "Review the update" asks again with the request that found the stack: once the
            // plan, the name or a parameter changes, that is no longer what the form shows.
            d.edited(what);
        };
        crate::reactive::effect(move |seen: Option<()>| {
            p.plan.track();
            if seen.is_some() {
                edited("plan");
            }
        });
        crate::reactive::effect(move |seen: Option<()>| {
            d.stack_name.track();
            if seen.is_some() {
                edited("stack name");
            }
        });
        crate::reactive::effect(move |seen: Option<()>| {
            d.parameters.track();
            if seen.is_some() {
                edited("stack parameters");
            }
        });
        // A login link opened in this tab meanwhile brings another token: what was confirmed
        // was a deploy with the one before.
        crate::reactive::effect(move |seen: Option<()>| {
            d.token.track();
            if seen.is_some() {
                edited("token");
            }
        });
        let deploy = move || {
            confirming.set(false);
            if !p.valid.get_untracked() {
                d.error.set(Some(
                    "Fix the plan's problems first: only a valid plan can be deployed.".into(),
                ));
                return;
            }
            let plan = p.plan.get_untracked();
            let name = stack_name();
            let template = p
                .template
                .with_untracked(|t| t.as_ref().map(|(text, _, _)| text.clone()));
            d.start(CreateDeployment {
                plan: plan.clone(),
                stack_name: name,
                template,
                role_arn: None,
                update: false,
                parameters: d
                    .parameters
                    .get_untracked()
                    .into_iter()
                    .filter(|(k, v)| !v.is_empty() && taken(&plan).contains(&k.as_str()))
                    .collect(),
            });
        };
        // What the plan uses beyond its stack. A plan someone else may have written (a share
        // link, a plan file) can point these anywhere, so its deploy is confirmed first, with
        // the list; so is every deploy from inside another page.
        let uses = crate::reactive::memo(move |_| p.plan.with(shared::reach::uses));
        let from_elsewhere = move || p.opened_from.get().filter(|_| uses.with(|u| !u.is_empty()));
        let click = move |ev: leptos::ev::MouseEvent| {
            if d.embedded || from_elsewhere().is_some() {
                confirming.set(true);
            } else {
                // Busy, the button is disabled and the browser drops its focus.
                crate::browser::refocus_deploy(ev.target());
                deploy();
            }
        };
        // The question takes the focus (on Cancel); Escape cancels it, and the focus goes back
        // to Deploy.
        let deploy_button = NodeRef::<leptos::html::Button>::new();
        let cancel = move || {
            confirming.set(false);
            if let Some(el) = deploy_button.get_untracked() {
                let _ = el.focus();
            }
        };
        view! {
            <div class="deploy-form">
                <label>
                    <span>"Stack name"</span>
                    <input type="text" data-testid="stack-name" prop:value=stack_name disabled=move || d.busy()
                        aria-invalid=move || name_problem().is_some().to_string()
                        aria-describedby="stack-name-problem"
                        // Typed back to the plan's own name, it follows the plan again.
                        on:input=move |ev| {
                            let name = event_target_value(&ev);
                            d.stack_name.set((name != default_name()).then_some(name));
                        } />
                </label>
            </div>
            {move || name_problem().map(|m| view! {
                <p class="field-msg error" id="stack-name-problem" data-testid="stack-name-problem">{format!("Stack name: {m}")}</p>
            })}
            {parameters(d)}
            // After every field it sends, so that Tab reaches it last.
            <div class="deploy-go">
                <button type="button" data-testid="deploy-button" disabled=move || d.busy() || !p.valid.get() || name_problem().is_some()
                    aria-describedby=move || (!p.valid.get()).then_some("deploy-blocked").or(name_problem().map(|_| "stack-name-problem"))
                    node_ref=deploy_button on:click=click>
                    {move || match (d.busy(), d.doing.get()) {
                        (false, _) => "Deploy",
                        (true, Doing::Deploying) => "Deploying…",
                        (true, Doing::Deleting) => "Deleting…",
                        (true, Doing::Showing) => "Showing the stack…",
                    }}
                </button>
            </div>
            {move || if p.valid.get() {
                view! { <p class="muted deploy-summary">{move || if d.busy() {
                    "The stack below is changing: Deploy waits until it settles.".to_string()
                } else if name_problem().is_some() {
                    format!("Creates {} resources in {}, once the stack's name is one CloudFormation takes.", resources(), region())
                } else if d.follows(&stack_name(), p.plan.with(|plan| plan.region)) {
                    format!("Deploy offers to update stack {} in {} to this plan ({} resources): its changes are listed for you to apply first.", stack_name(), region(), resources())
                } else {
                    format!("Creates {} resources in {} as stack {}.", resources(), region(), stack_name())
                }}</p> }.into_any()
            } else {
                view! { <p class="deploy-summary deploy-blocked" id="deploy-blocked" data-testid="deploy-blocked">"Deploy waits for a valid plan: fix the errors under Checks first."</p> }.into_any()
            }}
            // Said once: inside the question while it lists them.
            {move || (!(confirming.get() && from_elsewhere().is_some()))
                .then(|| uses.with(|u| (!u.is_empty()).then(|| uses_list(u, "deploy-uses"))))}
            {move || confirming.get().then(|| {
                let cancel_button = NodeRef::<leptos::html::Button>::new();
                cancel_button.on_load(|el| { let _ = el.focus(); });
                view! {
                <div class="banner confirm" role="alertdialog" aria-labelledby="embedded-confirm-title"
                    aria-describedby=move || if from_elsewhere().is_some() { "embedded-confirm-text confirm-uses" } else { "embedded-confirm-text" }
                    data-testid="embedded-confirm"
                    on:keydown=move |ev| if ev.key() == "Escape" { cancel() }>
                    <p class="confirm-title" id="embedded-confirm-title">"Deploy this plan?"</p>
                    <p id="embedded-confirm-text">{
                        let mut text = String::new();
                        if d.embedded {
                            text.push_str("This planner is inside another page. ");
                        }
                        if let Some(source) = from_elsewhere() {
                            text.push_str(&format!("This plan came from {source}, so someone else may have written it: check what it uses beyond its stack, below. "));
                        }
                        text.push_str(&format!(
                            "Deploy {} resources to your account in {} as stack {}?",
                            resources(), region(), stack_name()
                        ));
                        text
                    }</p>
                    {move || from_elsewhere().map(|_| uses.with(|u| uses_list(u, "confirm-uses")))}
                    <div class="actions">
                        <button type="button" data-testid="confirm-deploy" on:click=move |ev| { crate::browser::refocus_deploy(ev.target()); deploy() }>"Deploy now"</button>
                        <button type="button" class="secondary" data-testid="cancel-deploy" node_ref=cancel_button on:click=move |_| cancel()>"Cancel"</button>
                    </div>
                </div>
            }})}
        }
    };
    view.into_any()
}
