//! The generated template: JSON/YAML tabs, highlighting, copy and download.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Format, template};

use crate::browser;
use crate::code_lines::Shown;
use crate::keys::{Arrows, group_key, tab_stop};
use crate::state::use_planner;

/// The format tabs in their order on the page.
const FORMATS: [Format; 2] = [Format::Json, Format::Yaml];

/// The id of a format's tab (the template text is the panel it labels).
fn tab_id(format: Format) -> &'static str {
    match format {
        Format::Json => "template-tab-json",
        Format::Yaml => "template-tab-yaml",
    }
}

#[component]
pub fn TemplateViewer() -> impl IntoView {
    let p = use_planner();
    let copied = RwSignal::new(None::<bool>);
    // What the copy's live region says: said again at each copy.
    let spoken = crate::reactive::Spoken::new();
    let uncopied = move || {
        copied.set(None);
        spoken.say("");
    };
    // "Copied" speaks of the template that was copied: an edit makes the button "Copy" again.
    crate::reactive::effect(move |started| {
        p.template.track();
        if started.is_some() {
            uncopied();
        }
    });
    // A tab list: one Tab stop (the chosen tab); the arrow keys choose and focus the other.
    let choose = move |format: Format| {
        p.format.set(format);
        uncopied();
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let at = FORMATS
            .iter()
            .position(|f| *f == p.format.get_untracked())
            .unwrap_or(0);
        group_key(&ev, Arrows::Horizontal, at, FORMATS.len(), &|next| {
            choose(FORMATS[next])
        });
    };
    let tab = move |format: Format, label: &'static str| {
        let selected = move || p.format.get() == format;
        view! {
            <button type="button" role="tab" id=tab_id(format) aria-controls="template-text"
                aria-selected=move || selected().to_string() class:active=selected
                tabindex=move || tab_stop(selected())
                data-format=format.extension() on:click=move |_| choose(format)>
                {label}
            </button>
        }
    };
    let text = move || {
        p.template
            .with(|t| t.as_ref().map(|(text, _, _)| text.clone()))
    };
    // The changed lines land in the same frame as the input; their colours follow on the next
    // task, so that highlighting 40 KB never delays the update itself.
    let code = NodeRef::<leptos::html::Code>::new();
    let shown = StoredValue::new_local(Shown::default());
    crate::reactive::effect(move |_| {
        let Some(el) = code.get() else { return };
        let format = p.format.get();
        let Some(text) = p
            .template
            .with(|t| t.as_ref().map(|(text, _, _)| text.clone()))
        else {
            // No template for this plan (it switched architecture while invalid): none shown.
            el.set_inner_html("");
            shown.set_value(Shown::default());
            return;
        };
        shown.update_value(|s| s.show(&el, &text, format));
        set_timeout(
            move || shown.update_value(|s| s.colour(&el, &text, format)),
            std::time::Duration::from_millis(0),
        );
    });
    let info = move || {
        p.template.with(|t| match t {
            Some((text, n, current)) => format!(
                "{n} resources · {} KB{}",
                shared::decimal::Fixed::<1>(text.len() as f64 / 1024.0),
                if *current { "" } else { " · last valid plan" }
            ),
            None => String::new(),
        })
    };
    // The file is named after the plan its template was made from: while the plan is invalid
    // the page shows (and saves) the last valid plan's template, so that plan's name.
    let made_from = StoredValue::new(None::<String>);
    crate::reactive::effect(move |_| {
        p.valid.with(|v| {
            if let Some(v) = v {
                made_from.set_value(Some(template::file_stem(v)));
            }
        })
    });
    let file_name = move || {
        made_from.with_value(|stem| {
            stem.as_deref()
                .map(|stem| template::file_name_of(stem, p.format.get_untracked()))
        })
    };
    let download = move |_| {
        if let Some(text) = text() {
            let mime = match p.format.get() {
                Format::Json => "application/json",
                Format::Yaml => "application/yaml",
            };
            if let Some(name) = file_name() {
                let _ = browser::download(&name, mime, &text);
            }
        }
    };
    // What the saved file holds in place of boxes the plan does not take, said beside the
    // button (as Share says it of its link) until the next save.
    let saved_note = RwSignal::new(String::new());
    let download_plan = move |_| {
        let plan = p.plan.with(|plan| plan.to_json_pretty() + "\n");
        let name = p
            .plan
            .with(|plan| format!("{}-{}.plan.json", plan.project, plan.kind()));
        let _ = browser::download(&name, "application/json", &plan);
        saved_note.set(
            p.held_note("file")
                .map(|note| format!("Saved {name}. {note}."))
                .unwrap_or_default(),
        );
    };
    // A plan file (the one "Save plan" wrote, or one of `stackplan example`'s), or a template
    // Stackplan wrote (it records its plan), opens in the page; one that does not read leaves
    // the page's plan as it is and says why, with the place.
    let file_input = NodeRef::<leptos::html::Input>::new();
    let open_plan = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file chosen again is a change again.
        input.set_value("");
        let name = file.name();
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text.as_deref().map(|t| (t, shared::Plan::from_file(t))) {
                Some((text, Ok(plan))) => {
                    let note = edited_template(text, &plan);
                    p.open_file(name, plan, note);
                }
                Some((_, Err(e))) => p.link_error.set(Some(format!(
                    "{name} could not be opened: {}. The plan on the page is unchanged.",
                    crate::state::one_line(&e)
                ))),
                None => p.link_error.set(Some(format!(
                    "{name} could not be read. The plan on the page is unchanged."
                ))),
            }
        });
    };
    let copy = move |_| {
        if let Some(text) = text() {
            spawn_local(async move {
                let done = browser::copy(text).await;
                copied.set(Some(done));
                spoken.say(if done {
                    "The template is copied"
                } else {
                    "The template could not be copied"
                });
            });
        }
    };
    // Until a plan has been valid there is no template to copy or download: the buttons say so.
    let none = move || p.template.with(Option::is_none);
    let why = move || none().then_some("No template yet: fix the errors under Checks first");
    view! {
        <section class="card template" aria-labelledby="template-title">
            <div class="card-head">
                <h2 id="template-title">"CloudFormation template"</h2>
                <span class="muted" data-testid="template-info">{info}</span>
            </div>
            <div class="toolbar">
                <div role="tablist" aria-label="Template format" class="tabs" on:keydown=keydown>
                    {tab(Format::Json, "JSON")}
                    {tab(Format::Yaml, "YAML")}
                </div>
                <div class="actions">
                    <button type="button" class="secondary" on:click=copy disabled=none title=why>
                        {move || match copied.get() { Some(true) => "Copied", Some(false) => "Copy failed", None => "Copy" }}
                    </button>
                    // A button's new label is not reliably read; a live region there from the
                    // start is.
                    <span class="sr-only" role="status" data-testid="copy-spoken">{spoken.text()}</span>
                    <button type="button" data-testid="download-template" on:click=download disabled=none title=why>"Download"</button>
                    <button type="button" class="secondary" data-testid="download-plan" on:click=download_plan>"Save plan"</button>
                    <button type="button" class="secondary" data-testid="open-plan" title="A plan file, or a template Stackplan wrote (it records its plan)"
                        on:click=move |_| if let Some(input) = file_input.get() { input.click() }>"Open plan…"</button>
                    <input type="file" accept=".json,.yaml,.yml,application/json,application/yaml" hidden data-testid="open-plan-file"
                        node_ref=file_input on:change=open_plan />
                </div>
            </div>
            // There from the start, so what it says is read out.
            <p class="muted saved-note" role="status" data-testid="saved-note">{move || saved_note.get()}</p>
            <pre class="code" id="template-text" role="tabpanel" tabindex="0"
                aria-labelledby=move || tab_id(p.format.get())><code node_ref=code></code></pre>
        </section>
    }
}

/// What the page says of `text`, a file that opened as `plan`, when it is a template other than
/// the one `plan` makes now, in its format: where it first differs. A plan file, or the
/// template as the plan makes it, says nothing more.
fn edited_template(text: &str, plan: &shared::Plan) -> Option<String> {
    if matches!(
        shared::template::recorded_code(text),
        shared::template::Recorded::NoTemplate
    ) {
        return None;
    }
    const OPENED: &str = "It is a template: the page opened the plan it records. The template itself is not the one this plan makes now (it was edited, or written by another version of Stackplan)";
    const KEPT: &str =
        "What differs is not in the plan, and the template on this page is the plan's own.";
    let Ok(valid) = shared::ValidPlan::new(plan.clone()) else {
        return Some(format!("{OPENED}. {KEPT}"));
    };
    let made = shared::template::generate(&valid);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim_end();
    // The file's own format: a JSON template is an object.
    let made = if text.trim_start().starts_with('{') {
        made.to_json()
    } else {
        made.to_yaml()
    };
    let at = first_difference(text, made.trim_end())?;
    Some(format!("{OPENED}: {at}. {KEPT}"))
}

/// Where `text` first parts from `made`, line by line: the line's number and both lines (cut to
/// a readable length, spaces around them trimmed). `None` when they are the same.
fn first_difference(text: &str, made: &str) -> Option<String> {
    let shown = |line: &str| {
        let line = line.trim();
        match line.char_indices().nth(80) {
            Some((end, _)) => format!("\"{}…\"", &line[..end]),
            None => format!("\"{line}\""),
        }
    };
    let (mut theirs, mut ours) = (text.lines(), made.lines());
    let mut number = 0;
    loop {
        number += 1;
        match (theirs.next(), ours.next()) {
            (None, None) => return None,
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) if a.trim() == b.trim() => {
                return Some(format!(
                    "its line {number}, {}, differs from the plan's only in its spaces",
                    shown(a)
                ));
            }
            (Some(a), Some(b)) => {
                return Some(format!(
                    "its line {number} reads {} where the plan makes {}",
                    shown(a),
                    shown(b)
                ));
            }
            (None, Some(b)) => {
                return Some(format!(
                    "it ends after line {} where the plan makes more, from {}",
                    number - 1,
                    shown(b)
                ));
            }
            (Some(a), None) => {
                return Some(format!(
                    "its line {number}, {}, is past the end of the template the plan makes",
                    shown(a)
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    /// The first line that differs is named with both texts; the same text says nothing.
    #[test]
    fn a_template_file_is_told_where_it_parts_from_the_plans() {
        let made = "a: 1\nb: 2\nc: 3";
        assert_eq!(first_difference(made, made), None);
        assert_eq!(
            first_difference("a: 1\nb: 20\nc: 3", made).as_deref(),
            Some("its line 2 reads \"b: 20\" where the plan makes \"b: 2\"")
        );
        assert_eq!(
            first_difference("a: 1", made).as_deref(),
            Some("it ends after line 1 where the plan makes more, from \"b: 2\"")
        );
        assert_eq!(
            first_difference("a: 1\nb: 2\nc: 3\n  d: 4", made).as_deref(),
            Some("its line 4, \"d: 4\", is past the end of the template the plan makes")
        );
        assert_eq!(
            first_difference("a: 1\n  b: 2\nc: 3", made).as_deref(),
            Some("its line 2, \"b: 2\", differs from the plan's only in its spaces")
        );
        let long = format!("x: \"{}\"", "é".repeat(100));
        let said = first_difference(&long, made).unwrap();
        assert!(
            said.contains(&format!("\"x: \"{}…\"", "é".repeat(76))),
            "{said}"
        );
    }
}
