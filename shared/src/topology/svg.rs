//! The diagram as a standalone SVG, used by the CLI and the browser.

use std::fmt::{self, Write};

use super::{GROUP_LINE, INTERNET, LABEL_H, Node, Topology, short_type};

/// Text and attribute values escaped for XML (and HTML), in one pass; most need no escaping at
/// all. The page's own markup uses it too.
pub fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// A coordinate as `{:.1}` writes it. Coordinates are nearly always whole tenths, which are
/// written from integers here; Rust's float formatter takes its slow exact path for them, and
/// that was a fifth of drawing the diagram. Anything else goes to [`crate::decimal::Fixed`].
struct D1(f64);

impl fmt::Display for D1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // When ten times the value rounds to an integer t, the value is within a rounding
        // error of t/10, far from the ties half a tenth away: its one-decimal form is t/10.
        let tenths = self.0 * 10.0;
        if tenths.fract() == 0.0 && tenths.abs() < 1e15 {
            let t = tenths.abs() as u64;
            let sign = if self.0.is_sign_negative() { "-" } else { "" };
            write!(f, "{sign}{}.{}", t / 10, t % 10)
        } else {
            write!(f, "{}", crate::decimal::Fixed::<1>(self.0))
        }
    }
}

impl Topology {
    /// A standalone SVG. `cost` gives the monthly cost text of a node's resource, for hover,
    /// from its type and the number of resources shown that its service's lines price together
    /// ([`Topology::billed_alike`]).
    pub fn to_svg(&self, cost: &dyn Fn(&str, usize) -> Option<String>) -> String {
        let alike = self.billed_alike();
        let mut s = String::with_capacity(32 * 1024);
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Topology of the stack">"#,
            w = crate::decimal::Plain(self.width),
            h = crate::decimal::Plain(self.height)
        );
        s.push_str(concat!(
            "<style>",
            ".topology{font:12px system-ui,sans-serif}",
            ".area rect{fill:none;stroke:#737a8f;stroke-dasharray:6 4;rx:10}",
            ".area.vpc rect{stroke:#4f46e5;stroke-dasharray:none;stroke-width:1.5}",
            ".area.public_subnet rect{fill:#e8f5ee55;stroke:#1b7f4b}",
            ".area.private_subnet rect{fill:#e9ecff55;stroke:#4f46e5}",
            ".area text,.group text.label{fill:#5b6275;font-size:11px}",
            ".node rect{fill:#fff;stroke:#4f46e5;stroke-width:1.5;rx:8}",
            ".node text.id{font-weight:600;fill:#1c2030}.node text.type{fill:#5b6275;font-size:10px}",
            ".node.internet rect{fill:#1c2030;stroke:#1c2030}.node.internet text.id,.node.internet text.type{fill:#fff}",
            ".edge line{stroke:#737a8f;stroke-width:1.2}.edge.flow line{stroke:#1b7f4b;stroke-width:2}",
            ".edge text{fill:#1b7f4b;font-size:10px;font-weight:600}",
            ".group rect{fill:#f6f7fb;stroke:#dfe3ec;rx:8}.group text.member{fill:#1c2030;font-size:10.5px}",
            "</style>",
            r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#737a8f"/></marker>"##,
            r##"<marker id="arrow-flow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#1b7f4b"/></marker></defs>"##,
        ));
        for a in &self.areas {
            let kind = serde_json::to_value(a.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = write!(
                s,
                r#"<g class="area {kind}" data-resources="{}"><rect x="{}" y="{}" width="{}" height="{}"/><text x="{}" y="{}">{}</text></g>"#,
                esc(&a.resources.join(" ")),
                D1(a.x),
                D1(a.y),
                D1(a.w),
                D1(a.h),
                D1(a.x + 8.0),
                D1(a.y + 14.0),
                esc(&a.label)
            );
        }
        for e in &self.edges {
            let [(x1, y1), (x2, y2)] = e.points;
            let (class, marker) = if e.flow {
                ("edge flow", "arrow-flow")
            } else {
                ("edge", "arrow")
            };
            let _ = write!(
                s,
                r#"<g class="{class}" data-from="{}" data-to="{}"><title>{} → {}: {}</title><line x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#{marker})"/>"#,
                esc(&e.from),
                esc(&e.to),
                esc(&e.from),
                esc(&e.to),
                esc(&e.label),
                D1(x1),
                D1(y1),
                D1(x2),
                D1(y2)
            );
            if e.flow {
                let _ = write!(
                    s,
                    r#"<text x="{}" y="{}">{}</text>"#,
                    D1((x1 + x2) / 2.0 + 4.0),
                    D1((y1 + y2) / 2.0),
                    esc(&e.label)
                );
            }
            s.push_str("</g>");
        }
        for n in &self.nodes {
            let internet = n.id == INTERNET;
            let title = if internet {
                "The internet".to_string()
            } else {
                let cost_text = cost(&n.resource_type, alike(&n.resource_type))
                    .unwrap_or_else(|| "no cost line".into());
                format!("{}\n{}\n{}", n.resource_type, n.id, cost_text)
            };
            let _ = write!(
                s,
                r#"<g class="node{}" data-id="{}" data-type="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}"/><text class="id" x="{}" y="{}">{}</text><text class="type" x="{}" y="{}">{}</text></g>"#,
                if internet { " internet" } else { "" },
                esc(&n.id),
                esc(&n.resource_type),
                esc(&title),
                D1(n.x),
                D1(n.y),
                D1(n.w),
                D1(n.h),
                D1(n.x + 10.0),
                D1(n.y + 21.0),
                esc(&n.id),
                D1(n.x + 10.0),
                D1(n.y + 37.0),
                esc(&if internet {
                    "clients".into()
                } else if let Some(caption) = &n.caption {
                    caption.clone()
                } else {
                    short_type(&n.resource_type)
                })
            );
        }
        for g in &self.groups {
            let _ = write!(
                s,
                r#"<g class="group"><rect x="{}" y="{}" width="{}" height="{}"/><text class="label" x="{}" y="{}">{}</text>"#,
                D1(g.x),
                D1(g.y),
                D1(g.w),
                D1(g.h),
                D1(g.x + 8.0),
                D1(g.y + 15.0),
                esc(&g.label)
            );
            for (i, (id, ty)) in g.members.iter().enumerate() {
                let _ = write!(
                    s,
                    r#"<text class="member" data-id="{}" x="{}" y="{}"><title>{}</title>{} · {}</text>"#,
                    esc(id),
                    D1(g.x + 10.0),
                    D1(g.y + LABEL_H + 10.0 + i as f64 * GROUP_LINE),
                    esc(ty),
                    esc(id),
                    esc(&short_type(ty))
                );
            }
            s.push_str("</g>");
        }
        s.push_str("</svg>\n");
        s
    }

    /// The diagram as text, for whoever would rather read it or cannot see it: a table of its
    /// resources (boxes and the members of grouped boxes) with their types and monthly costs,
    /// then its connections, each "from → to: what". HTML, every text escaped; `cost` as for
    /// [`Topology::to_svg`].
    pub fn to_text_html(&self, cost: &dyn Fn(&str, usize) -> Option<String>) -> String {
        let alike = self.billed_alike();
        let mut s = String::with_capacity(8 * 1024);
        s.push_str(concat!(
            r#"<table class="topology-resources"><caption>Resources</caption>"#,
            r#"<thead><tr><th scope="col">Resource</th><th scope="col">Type</th><th scope="col">Where</th><th scope="col">Monthly cost</th></tr></thead><tbody>"#
        ));
        let row = |s: &mut String, id: &str, ty: &str, place: &str| {
            let cost_text = cost(ty, alike(ty)).unwrap_or_else(|| "no cost line".into());
            let _ = write!(
                s,
                r#"<tr data-id="{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                esc(id),
                esc(id),
                esc(ty),
                esc(place),
                esc(&cost_text)
            );
        };
        for shown in self.shown() {
            let place = match shown.at {
                super::At::Node(n) => self.place_of(n),
                super::At::Label(label) => label.to_string(),
            };
            row(&mut s, shown.id, shown.ty, &place);
        }
        s.push_str("</tbody></table>");
        let _ = write!(
            s,
            r#"<h3 class="topology-edges-title">Connections ({})</h3><ul class="topology-edges">"#,
            self.edges.len()
        );
        for e in &self.edges {
            let from = if e.from == INTERNET {
                "The internet"
            } else {
                &e.from
            };
            let _ = write!(
                s,
                r#"<li data-from="{}" data-to="{}">{} → {}: {}{}</li>"#,
                esc(&e.from),
                esc(&e.to),
                esc(from),
                esc(&e.to),
                esc(&e.label),
                if e.flow { " (network traffic)" } else { "" }
            );
        }
        s.push_str("</ul>");
        s
    }

    /// Where a node's box sits: in the VPC (its label), and in which subnet tier ("private
    /// subnets"), from the tier's band across the VPC. Not the availability zone: a box that
    /// stands for resources in both zones (a load balancer, a service, a database) is drawn
    /// across the zones' columns, so its column says nothing.
    fn place_of(&self, n: &Node) -> String {
        use super::AreaKind;
        let (cx, cy) = (n.x + n.w / 2.0, n.y + n.h / 2.0);
        let within = |a: &super::Area| cx >= a.x && cx <= a.x + a.w && cy >= a.y && cy <= a.y + a.h;
        let Some(vpc) = self
            .areas
            .iter()
            .find(|a| a.kind == AreaKind::Vpc && within(a))
        else {
            return String::new();
        };
        let tier = self
            .areas
            .iter()
            .find(|a| {
                matches!(a.kind, AreaKind::PublicSubnet | AreaKind::PrivateSubnet)
                    && cy >= a.y
                    && cy <= a.y + a.h
            })
            .map(|a| match a.kind {
                AreaKind::PublicSubnet => " · public subnets",
                _ => " · private subnets",
            })
            .unwrap_or_default();
        format!("{}{tier}", vpc.label)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn coordinates_are_written_as_the_float_formatter_writes_them() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 11
        };
        let mut values = vec![0.0, -0.0, 0.05, -0.05, 0.15, 0.25, 2.5, 1e15, 1e16, -1e300];
        values.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
        ]);
        for _ in 0..50_000 {
            let k = (next() % 40_000) as f64 - 20_000.0;
            // Whole tenths and halves as layouts make them, ties in between, and anything.
            values.push(k / 10.0);
            values.push(k / 2.0 + 0.05);
            values.push(k * 0.1 + 0.25 * (next() % 3) as f64);
            values.push(f64::from_bits((next() << 11) | (next() % 2048)));
            values.push((next() % 1_000_000) as f64 / 1000.0 - 500.0);
        }
        for x in values {
            assert_eq!(super::D1(x).to_string(), format!("{x:.1}"), "{x:e}");
        }
    }

    #[test]
    fn escapes_the_four_xml_specials_once() {
        assert_eq!(super::esc("plain text"), "plain text");
        assert_eq!(
            super::esc(r#"a&b <c> "d" &amp;"#),
            "a&amp;b &lt;c&gt; &quot;d&quot; &amp;amp;"
        );
    }
}
