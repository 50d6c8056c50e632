//! The topology: every resource appears, nothing overlaps, the layout reads top to bottom,
//! and the security-group flows carry their ports.

use shared::topology::{self, INTERNET, Topology};
use shared::{ValidPlan, examples, template};

fn topology_of(plan: shared::Plan) -> (Topology, template::Template) {
    let t = template::generate(&ValidPlan::new(plan).unwrap());
    (topology::build(&t), t)
}

fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

#[test]
fn every_logical_id_is_on_the_diagram() {
    for (name, plan) in examples::matrix() {
        let (topo, t) = topology_of(plan);
        let ids: std::collections::BTreeSet<String> =
            t.resources().keys().map(String::from).collect();
        assert_eq!(topo.shown_ids(), ids, "{name}");
        let svg = topo.to_svg(&|_, _| None);
        // Every id is drawn: as a node or a member (`data-id`), or as one of an area's
        // `data-resources`, matched whole (`Cache` is not drawn by `CacheSecurityGroup`).
        let mut drawn = std::collections::BTreeSet::new();
        for attribute in ["data-id=\"", "data-resources=\""] {
            for rest in svg.split(attribute).skip(1) {
                let value = rest.split('"').next().unwrap_or_default();
                drawn.extend(value.split(' ').map(String::from));
            }
        }
        let missing: Vec<_> = ids.difference(&drawn).collect();
        assert!(missing.is_empty(), "{name}: not in the SVG: {missing:?}");
    }
}

#[test]
fn nothing_overlaps() {
    for (name, plan) in examples::matrix() {
        let (topo, _) = topology_of(plan);
        let mut rects: Vec<(String, (f64, f64, f64, f64))> = topo
            .nodes
            .iter()
            .map(|n| (n.id.clone(), (n.x, n.y, n.w, n.h)))
            .collect();
        rects.extend(
            topo.groups
                .iter()
                .map(|g| (g.label.clone(), (g.x, g.y, g.w, g.h))),
        );
        for (i, (a, ra)) in rects.iter().enumerate() {
            assert!(
                ra.0 >= 0.0
                    && ra.1 >= 0.0
                    && ra.0 + ra.2 <= topo.width
                    && ra.1 + ra.3 <= topo.height,
                "{name}: {a} outside"
            );
            for (b, rb) in &rects[i + 1..] {
                assert!(!overlaps(*ra, *rb), "{name}: {a} overlaps {b}");
            }
        }
    }
}

#[test]
fn it_reads_top_to_bottom_inside_nested_boxes() {
    let (topo, _) = topology_of(examples::fargate());
    let y = |id: &str| {
        topo.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("{id}"))
            .y
    };
    assert!(y(INTERNET) < y("LoadBalancer"));
    assert!(y("LoadBalancer") < y("Service"));
    assert!(y("Service") < y("Database"));
    assert_eq!(y("Database"), y("Cache"));
    let inside = |id: &str, kind: topology::AreaKind| {
        let n = topo.nodes.iter().find(|n| n.id == id).unwrap();
        topo.areas.iter().any(|a| {
            a.kind == kind
                && n.x >= a.x
                && n.y >= a.y
                && n.x + n.w <= a.x + a.w
                && n.y + n.h <= a.y + a.h
        })
    };
    assert!(inside("NatGatewayA", topology::AreaKind::PublicSubnet));
    assert!(inside("NatGatewayB", topology::AreaKind::PublicSubnet));
    assert!(inside("Database", topology::AreaKind::Vpc));
    assert!(
        !inside("AppBucket", topology::AreaKind::Vpc),
        "S3 is a regional service outside the VPC"
    );
    assert_eq!(
        topo.areas
            .iter()
            .filter(|a| a.kind == topology::AreaKind::Az)
            .count(),
        2
    );

    let (lambda, _) = topology_of(examples::lambda());
    let ly = |id: &str| lambda.nodes.iter().find(|n| n.id == id).unwrap().y;
    assert!(
        ly(INTERNET) < ly("HttpApi")
            && ly("HttpApi") < ly("Function")
            && ly("Function") < ly("QueriesTable")
    );
    assert!(lambda.areas.is_empty(), "no VPC in the Lambda architecture");

    // In the governed profile the function runs in a VPC of its own, with private subnets only:
    // the API above the VPC, the function inside it, its tables below.
    let governed = examples::matrix()
        .into_iter()
        .find(|(n, _)| n == "lambda-governed")
        .unwrap()
        .1;
    let (topo, _) = topology_of(governed);
    let node = |id: &str| topo.nodes.iter().find(|n| n.id == id).unwrap().clone();
    let vpc = topo
        .areas
        .iter()
        .find(|a| a.kind == topology::AreaKind::Vpc)
        .expect("a VPC");
    let (api, function, table) = (node("HttpApi"), node("Function"), node("QueriesTable"));
    assert!(api.y + api.h <= vpc.y, "the API is above the VPC");
    assert!(
        function.x >= vpc.x
            && function.y >= vpc.y
            && function.x + function.w <= vpc.x + vpc.w
            && function.y + function.h <= vpc.y + vpc.h,
        "the function is in the VPC"
    );
    assert!(
        table.y >= vpc.y + vpc.h,
        "DynamoDB is regional, below the VPC"
    );
    let kinds: Vec<_> = topo.areas.iter().map(|a| a.kind).collect();
    assert!(
        !kinds.contains(&topology::AreaKind::PublicSubnet),
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == topology::AreaKind::PrivateSubnet)
            .count(),
        2
    );
}

#[test]
fn flows_carry_ports_and_references_become_edges() {
    let (topo, _) = topology_of(examples::fargate());
    let has = |from: &str, to: &str, label: &str| {
        topo.edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.label == label)
    };
    assert!(has(INTERNET, "LoadBalancer", "tcp/80"));
    assert!(has("LoadBalancer", "Service", "tcp/8000"));
    assert!(has("Service", "Database", "tcp/5432"));
    assert!(has("Service", "Cache", "tcp/6379"));
    assert!(has("TaskDefinition", "Database", "GetAtt Endpoint.Address"));
    let (lambda, _) = topology_of(examples::lambda());
    assert!(
        lambda
            .edges
            .iter()
            .any(|e| e.from == "HttpApi" && e.to == "Function"),
        "the API invokes the function"
    );
}

/// A domain's record points at what serves it: the load balancer, or the API its custom
/// domain is mapped to (the domain name itself is not a node, so the edge goes to the API).
#[test]
fn a_domain_record_points_at_what_serves_it() {
    for (name, serves) in [
        ("fargate-domain", "LoadBalancer"),
        ("lambda-domain", "HttpApi"),
        ("lambda-rest-domain", "RestApi"),
    ] {
        let plan = examples::matrix()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1;
        let (topo, _) = topology_of(plan);
        assert!(
            topo.edges
                .iter()
                .any(|e| e.from == "DomainRecord" && e.to == serves),
            "{name}: {:?}",
            topo.edges
        );
    }
}

#[test]
fn layout_is_deterministic() {
    let (a, _) = topology_of(examples::fargate());
    let (b, _) = topology_of(examples::fargate());
    assert_eq!(a, b);
    assert_eq!(a.to_svg(&|_, _| None), b.to_svg(&|_, _| None));
}

/// The diagram as text says what the picture says: one table row per resource of the
/// template (with its cost text), one list item per connection, in the picture's order.
#[test]
fn the_text_alternative_names_every_resource_and_connection() {
    for (name, plan) in examples::matrix() {
        let (topo, t) = topology_of(plan);
        let html = topo.to_text_html(&|ty, n| Some(format!("cost of {ty} (of {n})")));
        let rows = html.matches("<tr data-id=").count();
        assert_eq!(rows, t.resources().len(), "{name}: one row per resource");
        for (id, ty) in t.resource_types() {
            assert!(
                html.contains(&format!(
                    r#"<tr data-id="{id}"><th scope="row">{id}</th><td>{ty}</td>"#
                )),
                "{name}: {id}"
            );
            // This row's own cost cell, not another of its type's.
            let start = html.find(&format!(r#"<tr data-id="{id}">"#)).unwrap();
            let row = &html[start..start + html[start..].find("</tr>").unwrap()];
            assert!(
                row.contains(&format!("<td>cost of {ty} (of ")),
                "{name}: {id}'s cost: {row}"
            );
        }
        assert_eq!(
            html.matches("<li data-from=").count(),
            topo.edges.len(),
            "{name}"
        );
        assert!(html.contains(&format!("Connections ({})", topo.edges.len())));
        for e in &topo.edges {
            assert!(
                html.contains(&format!(
                    r#"<li data-from="{}" data-to="{}">"#,
                    e.from, e.to
                )),
                "{name}: {} → {}",
                e.from,
                e.to
            );
        }
    }
    // A Fargate service sits in the VPC, in its private tier; the load balancer in the public
    // one (each is drawn across both zones, so no zone is named).
    let (topo, _) = topology_of(examples::fargate());
    let html = topo.to_text_html(&|_, _| None);
    let service = html
        .split("<tr data-id=\"Service\">")
        .nth(1)
        .expect("the service has a row");
    let service = &service[..service.find("</tr>").unwrap()];
    assert!(
        service.contains("<td>VPC 10.0.0.0/16 · private subnets</td>"),
        "{service}"
    );
    for (id, place) in [
        ("LoadBalancer", "public subnets"),
        ("Database", "private subnets"),
    ] {
        let row = html
            .split(&format!("<tr data-id=\"{id}\">"))
            .nth(1)
            .expect(id);
        assert!(
            row[..row.find("</tr>").unwrap()].contains(place),
            "{id}: {row}"
        );
    }
    assert!(service.contains("no cost line"), "{service}");
    // Texts are escaped.
    let html = topo.to_text_html(&|_, _| Some("<b>&".into()));
    assert!(html.contains("&lt;b&gt;&amp;") && !html.contains("<b>&"));
}

/// WCAG's relative luminance of `#rgb` or `#rrggbb`, blended over white when it carries an alpha byte.
fn luminance(hex: &str) -> f64 {
    // `#fff` is `#ffffff`.
    let long: String;
    let hex = if hex.len() == 3 {
        long = hex.chars().flat_map(|c| [c, c]).collect();
        long.as_str()
    } else {
        hex
    };
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
    let alpha = if hex.len() == 8 { byte(6) } else { 1.0 };
    let channel = |i: usize| {
        let c = byte(i) * alpha + (1.0 - alpha);
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colour a rule of the diagram's style sheet gives `property` (`fill:#…`, `stroke:#…`).
fn style_colour<'s>(svg: &'s str, rule: &str, property: &str) -> &'s str {
    let at = svg
        .find(&format!("{rule}{{"))
        .unwrap_or_else(|| panic!("no rule {rule}"));
    let body = &svg[at + rule.len() + 1..];
    let body = &body[..body.find('}').unwrap()];
    let key = format!("{property}:#");
    let start = body
        .find(&key)
        .unwrap_or_else(|| panic!("{rule} has no {property}"))
        + key.len();
    let end = body[start..]
        .find(|c: char| !c.is_ascii_hexdigit())
        .map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// The diagram's colours meet WCAG 2.2 AA on every background they are drawn on (the diagram
/// is always light): text 4.5:1 (1.4.3), the lines and outlines that carry meaning 3:1
/// (1.4.11). axe-core cannot judge text over SVG shapes, so the sheet is read here.
#[test]
fn the_diagram_meets_wcag_contrast_on_its_own_backgrounds() {
    let (topo, _) = topology_of(examples::fargate());
    let svg = topo.to_svg(&|_, _| None);
    let white = "ffffff";
    let public = style_colour(&svg, ".area.public_subnet rect", "fill");
    let private = style_colour(&svg, ".area.private_subnet rect", "fill");
    let group = style_colour(&svg, ".group rect", "fill");
    let areas = [white, public, private];
    let text = [
        (
            ".area text,.group text.label",
            "fill",
            &[white, public, private, group][..],
        ),
        (".node text.id", "fill", &[white][..]),
        (".node text.type", "fill", &[white][..]),
        (".edge text", "fill", &areas[..]),
        (".group text.member", "fill", &[group][..]),
    ];
    for (rule, property, backgrounds) in text {
        let colour = style_colour(&svg, rule, property);
        for bg in backgrounds {
            let ratio = contrast(colour, bg);
            assert!(ratio >= 4.5, "{rule} #{colour} on #{bg}: {ratio:.2}:1");
        }
    }
    let internet = style_colour(&svg, ".node.internet rect", "fill");
    let on_internet = style_colour(
        &svg,
        ".node.internet text.id,.node.internet text.type",
        "fill",
    );
    assert!(contrast(on_internet, internet) >= 4.5);
    // The outlines that tell the areas and the nodes apart. A group's box (`.group rect`) is
    // not among them: its members are named in it, so its faint frame only decorates (WCAG
    // 1.4.11 asks 3:1 of what is needed to understand the picture).
    let lines = [
        (".edge line", "stroke"),
        (".edge.flow line", "stroke"),
        (".area rect", "stroke"),
        (".area.vpc rect", "stroke"),
        (".area.public_subnet rect", "stroke"),
        (".area.private_subnet rect", "stroke"),
        (".node rect", "stroke"),
    ];
    for (rule, property) in lines {
        let colour = style_colour(&svg, rule, property);
        for bg in areas {
            let ratio = contrast(colour, bg);
            assert!(ratio >= 3.0, "{rule} #{colour} on #{bg}: {ratio:.2}:1");
        }
    }
    // The arrowheads are drawn in their line's colour.
    assert!(svg.contains(&format!(
        r##"fill="#{}"/>"##,
        style_colour(&svg, ".edge line", "stroke")
    )));
}

/// The way out is drawn from the route tables: the service's private subnets send everything
/// to their NAT gateways, the public subnets to the internet gateway, which leads to the
/// internet. A function with no route out (the governed Lambda) has no such edge.
#[test]
fn the_way_out_follows_the_default_routes() {
    let (topo, _) = topology_of(examples::fargate());
    let out = |topo: &Topology| -> Vec<(String, String)> {
        let mut v: Vec<_> = topo
            .edges
            .iter()
            .filter(|e| e.label == "0.0.0.0/0")
            .map(|e| (e.from.clone(), e.to.clone()))
            .collect();
        v.sort();
        v
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        out(&topo),
        [
            pair("InternetGateway", INTERNET),
            pair("LoadBalancer", "InternetGateway"),
            pair("NatGatewayA", "InternetGateway"),
            pair("NatGatewayB", "InternetGateway"),
            pair("Service", "NatGatewayA"),
            pair("Service", "NatGatewayB"),
        ]
    );
    for (name, plan) in examples::matrix() {
        let (topo, t) = topology_of(plan);
        let nats = t
            .resource_types()
            .filter(|(_, ty)| *ty == "AWS::EC2::NatGateway")
            .count();
        let to_nat = out(&topo)
            .iter()
            .filter(|(_, to)| to.starts_with("NatGateway"))
            .count();
        // Each NAT gateway serves the service, and nothing else goes to one.
        assert_eq!(to_nat, nats, "{name}: {:?}", out(&topo));
        if nats == 0 {
            assert!(
                out(&topo)
                    .iter()
                    .all(|(from, _)| !from.starts_with("Function")),
                "{name}"
            );
        }
    }
}

/// A service's lines price all of its resources together (the NAT gateways of both zones, the
/// stack's buckets): the diagram's hover and its text say how many share the figure, so that no
/// one adds it up once per box. A service with one resource says nothing of the kind.
#[test]
fn a_service_cost_shared_by_boxes_says_so() {
    let plan = examples::fargate();
    let valid = ValidPlan::new(plan.clone()).unwrap();
    let e = shared::cost::estimate(
        &valid,
        shared::cost::PriceBook::embedded(),
        Default::default(),
    );
    let (topo, t) = topology_of(plan);
    let alike = topo.billed_alike();
    let count = |ty: &str| t.resource_types().filter(|(_, t)| *t == ty).count();
    assert_eq!(count("AWS::EC2::NatGateway"), 2);
    assert_eq!(alike("AWS::EC2::NatGateway"), 2);
    assert!(count("AWS::S3::Bucket") >= 2);
    assert_eq!(alike("AWS::S3::Bucket"), count("AWS::S3::Bucket"));
    assert_eq!(alike("AWS::ElasticLoadBalancingV2::LoadBalancer"), 1);
    assert_eq!(alike("AWS::EC2::VPC"), 1, "not billed by a service's lines");
    let nat =
        shared::cost::node_cost_text(&e, "AWS::EC2::NatGateway", alike("AWS::EC2::NatGateway"))
            .unwrap();
    assert!(
        nat.starts_with("NAT gateway, both shown together: $"),
        "{nat}"
    );
    let lb =
        shared::cost::node_cost_text(&e, "AWS::ElasticLoadBalancingV2::LoadBalancer", 1).unwrap();
    assert!(!lb.contains("together"), "{lb}");
    let svg = topo.to_svg(&|ty, n| shared::cost::node_cost_text(&e, ty, n));
    assert_eq!(
        svg.matches("NAT gateway, both shown together: $").count(),
        2,
        "{svg}"
    );
    let html = topo.to_text_html(&|ty, n| shared::cost::node_cost_text(&e, ty, n));
    assert_eq!(
        html.matches("NAT gateway, both shown together: $").count(),
        2
    );
}
