//! The service's own domain: a host name and the Route 53 hosted zone that holds it.

use leptos::prelude::*;
use shared::plan::Domain;

use super::fields::{switch_section, text_field, toggle};
use crate::state::use_planner;

#[component]
pub fn DomainEditor() -> impl IntoView {
    let plan = use_planner().plan;
    let kept = StoredValue::new(None);
    let on = move || plan.with(|p| p.domain.is_some());
    let read =
        move |f: fn(&Domain) -> String| plan.with(|p| p.domain.as_ref().map(f).unwrap_or_default());
    let edit = move |f: &dyn Fn(&mut Domain)| {
        plan.update(|p| {
            if let Some(d) = p.domain.as_mut() {
                f(d);
            }
        })
    };
    view! {
        <fieldset class="panel">
            <legend>"Your domain"</legend>
            {toggle("domain", "Serve the service at your own domain", on,
                move |enabled| plan.update(|p| switch_section(enabled, &mut p.domain, kept, Domain::default)))}
            <Show when=on>
                <p class="panel-note">
                    "The stack makes an ACM certificate for the name, validated by a DNS record it writes into your hosted zone, "
                    "and points the name at the load balancer (HTTPS, port 80 redirecting) or at the API's custom domain."
                </p>
                <div class="grid two">
                    {text_field("domain.name", "Host name", "api.example.com",
                        move || read(|d| d.name.clone()),
                        move |v| edit(&|d| d.name = v.trim().to_ascii_lowercase()))}
                    {text_field("domain.hosted_zone_id", "Route 53 hosted zone id", "Z0123456789ABCDEFGHIJ",
                        move || read(|d| d.hosted_zone_id.clone()),
                        move |v| edit(&|d| d.hosted_zone_id = v.trim().to_string()))}
                </div>
            </Show>
        </fieldset>
    }
}
