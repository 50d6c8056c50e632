//! Who may call a Lambda plan's API, and how fast: the authorizer and the stage's throttling.

use leptos::prelude::*;
use shared::plan::{Authorizer, Jwt, Lambda, Throttling};

use super::fields::{
    list_text_field, number_field, opts, select_field, switch_section, text_field, toggle,
};
use crate::state::use_planner;

fn jwt_of(l: &Lambda) -> Option<&Jwt> {
    match &l.authorizer {
        Some(Authorizer::Jwt(j)) => Some(j),
        _ => None,
    }
}

/// The audiences typed as `a, b`.
fn parse_audiences(text: &str) -> Vec<String> {
    text.split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

#[component]
pub fn ApiAccess() -> impl IntoView {
    let p = use_planner();
    let kept_throttling = p.kept.throttling;
    // The audience box keeps what was typed (the plan keeps the parsed list), so typing a
    // comma or a space is never rewritten under the cursor.
    let audiences = RwSignal::new(p.plan.with_untracked(|plan| {
        plan.lambda()
            .and_then(jwt_of)
            .map(|j| j.audience.join(", "))
            .unwrap_or_default()
    }));
    // A list that changes from elsewhere (a share link opened, the authorizer switched back)
    // replaces the box's text; the user's own typing, which parses to the plan's list, stays.
    crate::reactive::effect(move |_| {
        let listed = p.read_lambda(|l| jwt_of(l).map(|j| j.audience.clone()));
        if let Some(listed) = listed
            && audiences.with_untracked(|text| parse_audiences(text) != listed)
        {
            audiences.set(listed.join(", "));
        }
    });
    let kind = move || {
        p.read_lambda(|l| {
            match l.authorizer {
                None => "none",
                Some(Authorizer::Iam) => "iam",
                Some(Authorizer::Jwt(_)) => "jwt",
            }
            .to_string()
        })
    };
    // Another kind of authorizer and back brings the JWT issuer and audience back.
    let kept_jwt = p.kept.jwt;
    let set_kind = move |v: String| {
        p.lambda(|l| {
            let mut jwt = match l.authorizer.take() {
                Some(Authorizer::Jwt(j)) => Some(j),
                _ => None,
            };
            switch_section(v == "jwt", &mut jwt, kept_jwt, || Jwt {
                issuer: String::new(),
                audience: parse_audiences(&audiences.get_untracked()),
            });
            l.authorizer = match jwt {
                Some(j) => Some(Authorizer::Jwt(j)),
                None if v == "iam" => Some(Authorizer::Iam),
                None => None,
            };
        })
    };
    let edit_jwt = move |f: fn(&mut Jwt, String)| {
        move |v: String| {
            p.lambda(|l| {
                if let Some(Authorizer::Jwt(j)) = &mut l.authorizer {
                    f(j, v)
                }
            })
        }
    };
    let throttled = move || p.read_lambda(|l| l.throttling.is_some());
    let edit_throttle = move |f: fn(&mut Throttling, u32)| {
        move |v: u32| {
            p.lambda(|l| {
                if let Some(t) = l.throttling.as_mut() {
                    f(t, v)
                }
            })
        }
    };
    view! {
        <fieldset class="panel">
            <legend>"API access"</legend>
            {select_field("lambda.authorizer", "Who may call the API",
                opts([("none", "Anyone (your code authenticates)"), ("iam", "AWS IAM (signed requests)"), ("jwt", "JWT from your identity provider (HTTP API)")]),
                kind, set_kind)}
            <Show when=move || p.read_lambda(|l| jwt_of(l).is_some())>
                {text_field("lambda.authorizer.jwt.issuer", "Issuer URL", "https://cognito-idp.REGION.amazonaws.com/POOL_ID",
                    move || p.read_lambda(|l| jwt_of(l).map(|j| j.issuer.clone()).unwrap_or_default()),
                    edit_jwt(|j, v| j.issuer = v))}
                {list_text_field("lambda.authorizer.jwt.audience", Jwt::MAX_AUDIENCES, "Audiences (comma-separated)", "your app client id",
                    move || audiences.get(),
                    move |v: String| {
                        audiences.set(v.clone());
                        p.lambda(|l| if let Some(Authorizer::Jwt(j)) = &mut l.authorizer {
                            j.audience = parse_audiences(&v);
                        });
                    })}
            </Show>
            {toggle("lambda.throttling", "Throttle requests",
                throttled,
                move |on| p.lambda(|l| switch_section(on, &mut l.throttling, kept_throttling, || Throttling { rate_per_second: 100, burst: 50 })))}
            <Show when=throttled>
                <div class="grid two">
                    {number_field("lambda.throttling.rate_per_second", "Requests per second", "",
                        move || p.read_lambda(|l| l.throttling.as_ref().map_or(100, |t| t.rate_per_second)),
                        edit_throttle(|t, v| t.rate_per_second = v))}
                    {number_field("lambda.throttling.burst", "Burst", "",
                        move || p.read_lambda(|l| l.throttling.as_ref().map_or(50, |t| t.burst)),
                        edit_throttle(|t, v| t.burst = v))}
                </div>
            </Show>
        </fieldset>
    }
}
