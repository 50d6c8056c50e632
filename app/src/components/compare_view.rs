//! Fargate and Lambda side by side for the same workload, with the cost curve and break-even.

use leptos::prelude::*;

use super::cost_summary::money;
use crate::chart::{self, BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH};
use crate::state::use_planner;

#[component]
pub fn CompareView() -> impl IntoView {
    let p = use_planner();
    let body = move || {
        p.comparison.with(|c| {
            let Some(c) = c else {
                return view! { <p class="empty">"Fix the plan's problems to compare the two architectures."</p> }.into_any();
            };
            let user = p.plan.with(|plan| plan.workload.requests_per_month as f64);
            let geometry = chart::layout(&c.curve, c.break_even_requests_per_month, user);
            let side = |name: &'static str, e: &shared::cost::Estimate, dominant: &str, mine: bool| {
                view! {
                    <div class="compare-side" class:mine=mine data-testid=format!("compare-{}", name.to_lowercase())>
                        <div class="compare-name">{name}{mine.then_some(" (your plan)")}</div>
                        <div class="compare-total">{money(e.monthly_usd)}{e.lower_bound.then_some("+")}</div>
                        <div class="muted">{format!("largest: {dominant}")}</div>
                    </div>
                }
            };
            let kind = p.kind.get();
            let verdict = match (c.break_even_requests_per_month, &c.cheaper_above_break_even) {
                (Some(r), Some(cheaper)) => format!(
                    "They cross at about {} requests a month; above that, {} is cheaper.",
                    shared::cost::fmt_qty(r),
                    if cheaper == "fargate" { "Fargate" } else { "Lambda" }
                ),
                _ => "The two do not cross between 1 thousand and 100 billion requests a month.".to_string(),
            };
            view! {
                <div class="compare-sides">
                    {side("Fargate", &c.fargate, &c.dominant.fargate, kind == shared::ArchitectureKind::Fargate)}
                    {side("Lambda", &c.lambda, &c.dominant.lambda, kind == shared::ArchitectureKind::Lambda)}
                </div>
                <p class="verdict" data-testid="break-even">{verdict}</p>
                {geometry.map(|g| view! {
                    <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                        aria-label="Monthly cost against requests per month, log scales" data-testid="compare-chart">
                        {g.y_ticks.iter().map(|(y, label)| view! {
                            <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=*y y2=*y />
                            <text class="tick" x=LEFT - 6.0 y=*y + 4.0 text-anchor="end">{label.clone()}</text>
                        }).collect_view()}
                        {g.x_ticks.iter().map(|(x, label)| view! {
                            <text class="tick" x=*x y=HEIGHT - BOTTOM + 16.0 text-anchor="middle">{label.clone()}</text>
                        }).collect_view()}
                        <text class="axis" x=(LEFT + WIDTH - RIGHT) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">"requests per month"</text>
                        <path class="fargate" d=g.fargate_path.clone() />
                        <path class="lambda" d=g.lambda_path.clone() />
                        {g.break_even_x.map(|x| view! {
                            <line class="break-even" data-testid="break-even-marker" data-x=format!("{x:.1}") x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM />
                            <text class="marker-label" x=x + 4.0 y=TOP + 10.0>"break-even"</text>
                        })}
                        {g.user_x.map(|x| view! {
                            <line class="you" data-testid="traffic-marker" data-x=format!("{x:.1}") x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM />
                            <text class="marker-label" x=x + 4.0 y=TOP + 24.0>"your traffic"</text>
                        })}
                    </svg>
                    <div class="legend"><span class="swatch fargate"></span>"Fargate"<span class="swatch lambda"></span>"Lambda"</div>
                })}
                <details class="assumptions">
                    <summary>"How the comparison is made"</summary>
                    <ul>{c.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
                </details>
            }
            .into_any()
        })
    };
    view! {
        <section class="card compare" aria-labelledby="compare-title">
            <div class="card-head"><h2 id="compare-title">"Fargate or Lambda?"</h2><span class="muted">"same workload"</span></div>
            {body}
        </section>
    }
}
