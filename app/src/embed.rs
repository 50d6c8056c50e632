//! Running inside another console's page: events to the host through `postMessage` (to the
//! host's origin only), and theme variables from the host (accepted from that origin only).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::state::Planner;

/// How the page was opened: `?embed=1&host=<origin>&hide-deploy=1`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedMode {
    pub embedded: bool,
    /// The host page's origin; events go there and nowhere else.
    pub host: Option<String>,
    pub hide_deploy: bool,
}

impl EmbedMode {
    pub fn from_location() -> EmbedMode {
        let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
            return EmbedMode::default();
        };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return EmbedMode::default();
        };
        let host = params.get("host").filter(|h| is_origin(h));
        EmbedMode {
            embedded: params.get("embed").as_deref() == Some("1"),
            host,
            hide_deploy: params.has("hide-deploy"),
        }
    }
}

/// `scheme://host[:port]` and nothing else.
pub fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

/// Sends `{"source":"stackplan","type":kind,...detail}` to the host.
pub fn post(host: &str, kind: &str, detail: serde_json::Value) {
    let mut message = serde_json::json!({ "source": "stackplan", "type": kind });
    if let (Some(m), serde_json::Value::Object(d)) = (message.as_object_mut(), detail) {
        m.extend(d);
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        let _ = parent.post_message(&value, host);
    }
}

/// Wires the planner to its host: plan-changed events, and theme variables.
pub fn connect(planner: Planner, mode: &EmbedMode) {
    let Some(host) = mode.host.clone() else {
        return;
    };
    let target = host.clone();
    Effect::new(move |_| {
        let plan = planner.plan.get();
        let total = planner.estimate.with(|e| {
            e.as_ref()
                .filter(|(_, current)| *current)
                .map(|(e, _)| e.monthly_usd)
        });
        let valid = planner.valid.with(|v| v.is_some());
        post(
            &target,
            "plan-changed",
            serde_json::json!({ "plan": plan, "monthly_usd": total, "valid": valid }),
        );
    });
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if event.origin() != host {
                return;
            }
            let Some(text) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|s| s.as_string())
            else {
                return;
            };
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else {
                return;
            };
            if message["source"] != "stackplan-host" || message["type"] != "theme" {
                return;
            }
            let Some(vars) = message["vars"].as_object() else {
                return;
            };
            let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                return;
            };
            for (name, value) in vars {
                // Only the planner's own custom properties, with plain values.
                if let Some(value) = value.as_str()
                    && name.starts_with("--sp-")
                    && !value.contains([';', '{', '}'])
                {
                    let _ = root.style().set_property(name, value);
                }
            }
        });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    }
    on_message.forget();
    post(
        &mode.host.clone().unwrap_or_default(),
        "ready",
        serde_json::json!({}),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins() {
        assert!(super::is_origin("https://console.example.com"));
        assert!(super::is_origin("http://127.0.0.1:8080"));
        assert!(!super::is_origin("*"));
        assert!(!super::is_origin("https://x.com/path"));
        assert!(!super::is_origin("javascript:alert(1)"));
    }
}
