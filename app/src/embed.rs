//! Running inside another console's page: events to the host through `postMessage` (to the
//! host's origin only), and theme variables from the host (accepted from that origin only).

use leptos::prelude::*;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

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
        use shared::link::framing;
        // As the browser writes it: a message's origin is compared with it as it is.
        let host = params
            .get(framing::HOST)
            .and_then(|h| origin_of(&h))
            .filter(|h| may_embed(h));
        EmbedMode {
            // Framed is embedded, whatever the address says: the page that frames the planner
            // chooses the address, and "embedded" is what guards Deploy against that page.
            embedded: params.get(framing::EMBED).as_deref() == Some("1") || framed(),
            host,
            hide_deploy: params.has(framing::HIDE_DEPLOY),
        }
    }
}

/// Whether the page is inside another page's frame (a top window that cannot be read counts
/// as one).
fn framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &window),
        _ => true,
    }
}

/// Whether `origin` may receive the planner's events: its own origin, or one the server
/// allows to frame it (`--embed-origin`, given to the page as
/// `<meta name="stackplan-embed-origins">`).
fn may_embed(origin: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if window.location().origin().ok().as_deref() == Some(origin) {
        return true;
    }
    window
        .document()
        .and_then(|d| {
            d.query_selector("meta[name=stackplan-embed-origins]")
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .is_some_and(|list| {
            list.split_whitespace()
                .any(|o| origin_of(o).as_deref() == Some(origin))
        })
}

/// `s`, an origin, as the browser writes one (`https://Console.example.com:443` is
/// `https://console.example.com`): what a message event's `origin` is.
fn origin_of(s: &str) -> Option<String> {
    if !is_origin(s) {
        return None;
    }
    web_sys::Url::new(s)
        .ok()
        .map(|url| url.origin())
        .filter(|o| o != "null")
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

/// What the planner tells its host page. On the wire: `{"source": "stackplan", "type":
/// "plan-changed", ...fields}` (README, "Embedding the planner").
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum HostEvent {
    Ready {},
    PlanChanged {
        plan: Box<shared::Plan>,
        /// `None` while the plan is invalid.
        monthly_usd: Option<f64>,
        /// Some lines have no price: the total is a lower bound (the page shows "$X+").
        lower_bound: bool,
        valid: bool,
    },
    /// A share link the page was asked to open (the element's `plan`) did not read: what the
    /// page says of it. The page keeps the plan it had.
    PlanRejected {
        reason: String,
    },
    DeployStarted {
        id: String,
        stack_name: String,
    },
    DeployFinished {
        id: String,
        stack_name: String,
        status: String,
        succeeded: bool,
        outputs: Vec<shared::api::Output>,
    },
    /// A deletion the panel followed has settled: `DELETE_COMPLETE`, or `DELETE_FAILED`.
    DeleteFinished {
        id: String,
        stack_name: String,
        status: String,
        succeeded: bool,
    },
}

#[derive(serde::Serialize)]
struct Outgoing<'a> {
    source: &'static str,
    #[serde(flatten)]
    event: &'a HostEvent,
}

impl HostEvent {
    /// What tells a settled deploy or delete apart from any other: its kind, id and status.
    /// `None` for the events sent at each change.
    fn settled(&self) -> Option<String> {
        match self {
            HostEvent::DeployFinished { id, status, .. } => Some(format!("deploy {id} {status}")),
            HostEvent::DeleteFinished { id, status, .. } => Some(format!("delete {id} {status}")),
            _ => None,
        }
    }
}

/// Where the frame keeps the settled operations it told its host of.
const ANNOUNCED_KEY: &str = "stackplan-announced";
/// How many it remembers (the oldest go first).
const ANNOUNCED_KEPT: usize = 50;

/// Whether `key` is told for the first time in this tab (and, if so, notes it). The deploy
/// panel follows its deployment again after each load of the frame (a reload of the host
/// page, the element moved) and sees it settled again: the host hears of it once, as a host
/// that provisions or bills on it needs. Without storage, every time.
fn first_telling(key: &str) -> bool {
    let Some(storage) = crate::browser::session_storage() else {
        return true;
    };
    let told = storage
        .get_item(ANNOUNCED_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    if told.lines().any(|k| k == key) {
        return false;
    }
    let mut kept: Vec<&str> = told.lines().collect();
    kept.push(key);
    let from = kept.len().saturating_sub(ANNOUNCED_KEPT);
    let _ = storage.set_item(ANNOUNCED_KEY, &kept[from..].join("\n"));
    true
}

/// Sends a settled deploy or delete to the host once per tab: `last_event`, the id of the
/// operation's last stack event, tells a second attempt on the same deployment (a delete
/// retried) from the same one seen again.
pub fn post_settled(host: &str, event: &HostEvent, last_event: Option<&str>) {
    let told = event
        .settled()
        .is_some_and(|key| !first_telling(&format!("{key} {}", last_event.unwrap_or("-"))));
    if !told {
        post(host, event);
    }
}

/// Sends an event to the host, at its origin only.
pub fn post(host: &str, event: &HostEvent) {
    let Ok(text) = serde_json::to_string(&Outgoing {
        source: "stackplan",
        event,
    }) else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if let Ok(value) = js_sys::JSON::parse(&text) {
        let _ = parent.post_message(&value, host);
    }
}

/// Wires the planner to its host: plan-changed events, and theme variables.
pub fn connect(planner: Planner, mode: &EmbedMode) {
    let Some(host) = mode.host.clone() else {
        return;
    };
    let target = host.clone();
    crate::reactive::effect(move |_| {
        let plan = Box::new(planner.plan.get());
        let (total, lower_bound) = planner.estimate.with(|e| {
            e.as_ref()
                .filter(|(_, current)| *current)
                .map_or((None, false), |(e, _)| (Some(e.monthly_usd), e.lower_bound))
        });
        // A number box whose text is not a number leaves the plan at a value the page no
        // longer shows: not valid to the host either.
        let valid = planner.valid.with(|v| v.is_some()) && planner.untyped.with(Vec::is_empty);
        // No total for a plan that is not valid (the page's is the last valid plan's).
        let (total, lower_bound) = if valid {
            (total, lower_bound)
        } else {
            (None, false)
        };
        post(
            &target,
            &HostEvent::PlanChanged {
                plan,
                monthly_usd: total,
                lower_bound,
                valid,
            },
        );
    });
    let told = host.clone();
    crate::reactive::effect(move |_| {
        // A link's error only: a file the user opened is the user's, its name and contents
        // included.
        if let Some(reason) = planner
            .link_error
            .get()
            .filter(|r| r.starts_with(crate::state::LINK_UNREAD))
        {
            post(&told, &HostEvent::PlanRejected { reason });
        }
    });
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // From the host's origin, and from the window that framed us, nothing else.
            let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
            let from_parent = match (event.source(), parent) {
                (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
                _ => false,
            };
            if event.origin() != host || !from_parent {
                return;
            }
            // What a host page may send: `{"source": "stackplan-host", "type": "theme", "vars":
            // {"--sp-…": "value"}}`, read as it came (no other shape is looked at).
            let data = event.data();
            let field =
                |o: &JsValue, key: &str| js_sys::Reflect::get(o, &JsValue::from_str(key)).ok();
            let text = |o: &JsValue, key: &str| field(o, key).and_then(|v| v.as_string());
            if text(&data, "source").as_deref() != Some("stackplan-host")
                || text(&data, "type").as_deref() != Some("theme")
            {
                return;
            }
            let Some(vars) = field(&data, "vars").filter(JsValue::is_object) else {
                return;
            };
            let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                return;
            };
            for entry in js_sys::Object::entries(vars.unchecked_ref()).iter() {
                let entry: js_sys::Array = entry.unchecked_into();
                // Only the planner's own custom properties, with plain text values.
                if let (Some(name), Some(value)) =
                    (entry.get(0).as_string(), entry.get(1).as_string())
                    && name.starts_with("--sp-")
                    && !value.contains([';', '{', '}'])
                {
                    // An empty value: the host no longer sets it, and the planner's own applies.
                    let _ = if value.is_empty() {
                        root.style().remove_property(&name).map(drop)
                    } else {
                        root.style().set_property(&name, &value)
                    };
                }
            }
        });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    }
    on_message.forget();
    post(&mode.host.clone().unwrap_or_default(), &HostEvent::Ready {});
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
