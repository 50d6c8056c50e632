//! The topology diagram, derived from the generated template (never drawn by hand), so that it
//! cannot disagree with what gets deployed.
//!
//! Every resource appears: as a node, as a box (the VPC and its subnets), or listed inside a
//! labelled group (route tables, security groups, roles…). Layout runs top to bottom the way
//! an engineer draws it: the internet, the load balancer or API, the service or function, the
//! data stores, then the regional services outside the VPC. The VPC, its two AZs and the public
//! and private subnet tiers are nested boxes. Edges come from Ref/GetAtt/Sub between nodes and
//! from security-group rules (with the port). Pure and deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use crate::template::Template;
use crate::template::refs::{self, RefKind};

pub const NODE_W: f64 = 168.0;
pub const NODE_H: f64 = 50.0;
const GAP_X: f64 = 22.0;
const ROW_GAP: f64 = 58.0;
const PAD: f64 = 22.0;
const LABEL_H: f64 = 20.0;
const GROUP_W: f64 = 320.0;
const GROUP_LINE: f64 = 15.0;
const MAX_ROW: usize = 7;

/// The id of the virtual node standing for the internet.
pub const INTERNET: &str = "Internet";

/// A drawn resource (or the internet).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub resource_type: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A nesting box: the VPC, an AZ, or a subnet tier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Area {
    pub label: String,
    pub kind: AreaKind,
    /// The resources this box stands for (the VPC, the subnets).
    pub resources: Vec<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Vpc,
    Az,
    PublicSubnet,
    PrivateSubnet,
}

/// Resources listed under a label.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub label: String,
    /// `(logical id, type)`.
    pub members: Vec<(String, String)>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A connection between two nodes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// `tcp/5432` for a security-group flow, `Ref`/`GetAtt …`/`Sub` for a reference.
    pub label: String,
    pub flow: bool,
    pub points: [(f64, f64); 2],
}

/// The laid-out diagram.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Topology {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Node>,
    pub areas: Vec<Area>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    VpcEdge,
    Public,
    PrivateCompute,
    PrivateData,
    Edge,
    Compute,
    Data,
    Regional,
}

enum Place {
    Node(Tier),
    Area,
    Member(&'static str),
}

fn place(ty: &str) -> Place {
    use Place::*;
    use Tier::*;
    match ty {
        "AWS::EC2::InternetGateway" => Node(VpcEdge),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::EC2::NatGateway" => Node(Public),
        "AWS::ApiGatewayV2::Api" | "AWS::ApiGateway::RestApi" => Node(Edge),
        "AWS::ECS::Service" | "AWS::ECS::TaskDefinition" => Node(PrivateCompute),
        "AWS::Lambda::Function" => Node(Compute),
        "AWS::RDS::DBInstance" | "AWS::ElastiCache::ReplicationGroup" => Node(PrivateData),
        "AWS::DynamoDB::Table" => Node(Data),
        "AWS::S3::Bucket"
        | "AWS::ECR::Repository"
        | "AWS::Logs::LogGroup"
        | "AWS::SNS::Topic"
        | "AWS::SecretsManager::Secret"
        | "AWS::ECS::Cluster" => Node(Regional),
        "AWS::EC2::VPC" | "AWS::EC2::Subnet" => Area,
        "AWS::EC2::RouteTable"
        | "AWS::EC2::Route"
        | "AWS::EC2::SubnetRouteTableAssociation"
        | "AWS::EC2::VPCGatewayAttachment"
        | "AWS::EC2::EIP"
        | "AWS::EC2::FlowLog" => Member("Routing and addresses"),
        "AWS::EC2::SecurityGroup" | "AWS::EC2::SecurityGroupEgress" => Member("Security groups"),
        "AWS::ElasticLoadBalancingV2::TargetGroup" | "AWS::ElasticLoadBalancingV2::Listener" => {
            Member("Listeners and targets")
        }
        "AWS::IAM::Role" | "AWS::Lambda::Permission" => Member("Identity and permissions"),
        "AWS::ApplicationAutoScaling::ScalableTarget"
        | "AWS::ApplicationAutoScaling::ScalingPolicy" => Member("Autoscaling"),
        "AWS::CloudWatch::Alarm" | "AWS::SNS::Subscription" => Member("Alarms"),
        "AWS::S3::BucketPolicy" => Member("Bucket policies"),
        "AWS::RDS::DBSubnetGroup" | "AWS::ElastiCache::SubnetGroup" => Member("Subnet groups"),
        "AWS::ApiGatewayV2::Integration"
        | "AWS::ApiGatewayV2::Route"
        | "AWS::ApiGatewayV2::Stage"
        | "AWS::ApiGateway::Resource"
        | "AWS::ApiGateway::Method"
        | "AWS::ApiGateway::Deployment"
        | "AWS::ApiGateway::Stage" => Member("API routes and stages"),
        _ => Member("Other resources"),
    }
}

/// Group members whose references count as their API's (the API invokes the function).
fn owner_type(ty: &str) -> bool {
    matches!(
        ty,
        "AWS::ApiGatewayV2::Integration" | "AWS::ApiGateway::Method"
    )
}

/// AZ side of a VPC node: from the subnets it (or what it refers to) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
    Both,
}

fn subnets_of(id: &str, resources: &serde_json::Map<String, Value>, depth: u8) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(r) = resources.get(id) else {
        return out;
    };
    for reference in refs::references(&r["Properties"]) {
        let target = &reference.target;
        if resources
            .get(target)
            .is_some_and(|t| t["Type"] == "AWS::EC2::Subnet")
        {
            out.insert(target.clone());
        } else if depth > 0 && target != id {
            out.extend(subnets_of(target, resources, depth - 1));
        }
    }
    out
}

fn side_of(subnets: &BTreeSet<String>, resources: &serde_json::Map<String, Value>) -> Side {
    let azs: BTreeSet<String> = subnets
        .iter()
        .filter_map(|s| resources.get(s))
        .map(|s| s["Properties"]["AvailabilityZone"].to_string())
        .collect();
    if azs.len() != 1 {
        return Side::Both;
    }
    // The first AZ (index 0) is side A.
    let first = subnets
        .iter()
        .next()
        .and_then(|s| resources.get(s))
        .map(|s| {
            s["Properties"]["AvailabilityZone"]["Fn::Select"][0]
                .as_u64()
                .unwrap_or(0)
        });
    if first == Some(0) { Side::A } else { Side::B }
}

/// Lays out the topology of a template.
pub fn build(template: &Template) -> Topology {
    let resources = template.resources();
    let mut rows: BTreeMap<Tier, Vec<(String, String, Side)>> = BTreeMap::new();
    let mut members: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
    let mut vpc = None;
    let mut subnets: Vec<(String, bool, Side)> = Vec::new();
    for (id, r) in resources {
        let ty = r["Type"].as_str().unwrap_or_default();
        match place(ty) {
            Place::Node(tier) => {
                let tier = if ty == "AWS::S3::Bucket"
                    && r["Properties"].get("LoggingConfiguration").is_some()
                {
                    // A bucket whose access is logged holds the application's data.
                    Tier::Data
                } else {
                    tier
                };
                let side = match tier {
                    Tier::VpcEdge => Side::A,
                    Tier::Public | Tier::PrivateCompute | Tier::PrivateData => {
                        side_of(&subnets_of(id, resources, 1), resources)
                    }
                    _ => Side::Both,
                };
                rows.entry(tier)
                    .or_default()
                    .push((id.clone(), ty.to_string(), side));
            }
            Place::Area if ty == "AWS::EC2::VPC" => vpc = Some(id.clone()),
            Place::Area => {
                let public = id.starts_with("Public");
                let set = BTreeSet::from([id.clone()]);
                subnets.push((id.clone(), public, side_of(&set, resources)));
            }
            Place::Member(group) => members
                .entry(group)
                .or_default()
                .push((id.clone(), ty.to_string())),
        }
    }

    let slot = NODE_W + GAP_X;
    let mut nodes: Vec<Node> = Vec::new();
    let mut areas: Vec<Area> = Vec::new();
    // Widths first: every row centred on one line.
    let row_slots = |row: &[(String, String, Side)]| -> (usize, usize) {
        let a = row.iter().filter(|r| r.2 == Side::A).count();
        let b = row.iter().filter(|r| r.2 == Side::B).count();
        let both = row.len() - a - b;
        (a.max(b), both)
    };
    let vpc_tiers = [
        Tier::VpcEdge,
        Tier::Public,
        Tier::PrivateCompute,
        Tier::PrivateData,
    ];
    let vpc_width = vpc_tiers
        .iter()
        .filter_map(|t| rows.get(t))
        .map(|row| {
            let (side, both) = row_slots(row);
            (2 * side + both) as f64 * slot
        })
        .fold(0.0, f64::max)
        .max(2.0 * slot);
    let outer_width = rows
        .iter()
        .filter(|(t, _)| !vpc_tiers.contains(t))
        .map(|(_, row)| row.len().min(MAX_ROW) as f64 * slot)
        .fold(0.0, f64::max);
    let inner = if vpc.is_some() {
        vpc_width + 4.0 * PAD
    } else {
        0.0
    };
    let width = (inner.max(outer_width).max(3.0 * GROUP_W + 2.0 * GAP_X) + 2.0 * PAD).ceil();
    let center = width / 2.0;

    let mut y = PAD;
    nodes.push(Node {
        id: INTERNET.into(),
        resource_type: "Internet".into(),
        x: center - NODE_W / 2.0,
        y,
        w: NODE_W,
        h: NODE_H,
    });
    y += NODE_H + ROW_GAP;

    let place_row = |row: &[(String, String, Side)], y: f64, nodes: &mut Vec<Node>| {
        let (side_slots, both) = row_slots(row);
        let total = (2 * side_slots + both) as f64 * slot;
        let left = center - total / 2.0 + GAP_X / 2.0;
        let mk = |(id, ty, _): &(String, String, Side), x: f64| Node {
            id: id.clone(),
            resource_type: ty.clone(),
            x,
            y,
            w: NODE_W,
            h: NODE_H,
        };
        let a: Vec<_> = row.iter().filter(|r| r.2 == Side::A).collect();
        let b: Vec<_> = row.iter().filter(|r| r.2 == Side::B).collect();
        let spanning: Vec<_> = row.iter().filter(|r| r.2 == Side::Both).collect();
        for (i, r) in a.iter().enumerate() {
            nodes.push(mk(r, left + (side_slots - a.len() + i) as f64 * slot));
        }
        for (i, r) in spanning.iter().enumerate() {
            nodes.push(mk(r, left + (side_slots + i) as f64 * slot));
        }
        for (i, r) in b.iter().enumerate() {
            nodes.push(mk(r, left + (side_slots + both + i) as f64 * slot));
        }
    };

    if let Some(vpc_id) = &vpc {
        let vpc_top = y;
        y += LABEL_H + PAD;
        if let Some(row) = rows.get(&Tier::VpcEdge) {
            place_row(row, y, &mut nodes);
            y += NODE_H + ROW_GAP;
        }
        let az_top = y;
        y += LABEL_H + PAD / 2.0;
        let public_top = y;
        y += LABEL_H;
        if let Some(row) = rows.get(&Tier::Public) {
            place_row(row, y, &mut nodes);
        }
        y += NODE_H + PAD / 2.0;
        let public_bottom = y;
        y += ROW_GAP / 2.0;
        let private_top = y;
        y += LABEL_H;
        let mut first = true;
        for tier in [Tier::PrivateCompute, Tier::PrivateData] {
            if let Some(row) = rows.get(&tier) {
                if !first {
                    y += ROW_GAP;
                }
                place_row(row, y, &mut nodes);
                y += NODE_H;
                first = false;
            }
        }
        y += PAD / 2.0;
        let private_bottom = y;
        y += PAD / 2.0;
        let az_bottom = y;
        y += PAD;
        let vpc_left = center - vpc_width / 2.0 - 2.0 * PAD;
        let vpc_w = vpc_width + 4.0 * PAD;
        let cidr = resources[vpc_id]["Properties"]["CidrBlock"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        areas.push(Area {
            label: format!("VPC {cidr}"),
            kind: AreaKind::Vpc,
            resources: vec![vpc_id.clone()],
            x: vpc_left,
            y: vpc_top,
            w: vpc_w,
            h: y - vpc_top,
        });
        let half = vpc_width / 2.0 + PAD / 2.0;
        for (side, x, label) in [
            (Side::A, center - half, "first AZ"),
            (Side::B, center, "second AZ"),
        ] {
            areas.push(Area {
                label: format!("Availability zone: {label}"),
                kind: AreaKind::Az,
                resources: vec![],
                x,
                y: az_top,
                w: half,
                h: az_bottom - az_top,
            });
            for (public, top, bottom) in [
                (true, public_top, public_bottom),
                (false, private_top, private_bottom),
            ] {
                let ids: Vec<String> = subnets
                    .iter()
                    .filter(|s| s.1 == public && s.2 == side)
                    .map(|s| s.0.clone())
                    .collect();
                let cidrs: Vec<&str> = ids
                    .iter()
                    .filter_map(|i| resources[i]["Properties"]["CidrBlock"].as_str())
                    .collect();
                areas.push(Area {
                    label: format!(
                        "{} subnet {}",
                        if public { "Public" } else { "Private" },
                        cidrs.join(", ")
                    ),
                    kind: if public {
                        AreaKind::PublicSubnet
                    } else {
                        AreaKind::PrivateSubnet
                    },
                    resources: ids,
                    x: x + PAD / 2.0,
                    y: top,
                    w: half - PAD,
                    h: bottom - top,
                });
            }
        }
        y += ROW_GAP - PAD;
    }
    for tier in [Tier::Edge, Tier::Compute, Tier::Data, Tier::Regional] {
        if let Some(row) = rows.get(&tier) {
            for chunk in row.chunks(MAX_ROW) {
                place_row(chunk, y, &mut nodes);
                y += NODE_H + ROW_GAP;
            }
        }
    }

    // Groups, three to a row, under the diagram.
    let mut groups = Vec::new();
    let group_list: Vec<(&'static str, Vec<(String, String)>)> = members.into_iter().collect();
    let left = center - (3.0 * GROUP_W + 2.0 * GAP_X) / 2.0;
    for chunk in group_list.chunks(3) {
        let h = chunk
            .iter()
            .map(|(_, m)| LABEL_H + PAD / 2.0 + m.len() as f64 * GROUP_LINE)
            .fold(0.0, f64::max);
        for (i, (label, m)) in chunk.iter().enumerate() {
            groups.push(Group {
                label: (*label).into(),
                members: m.clone(),
                x: left + i as f64 * (GROUP_W + GAP_X),
                y,
                w: GROUP_W,
                h,
            });
        }
        y += h + GAP_X;
    }

    let edges = edges(template, &nodes);
    Topology {
        width,
        height: (y + PAD).ceil(),
        nodes,
        areas,
        groups,
        edges,
    }
}

fn edges(template: &Template, nodes: &[Node]) -> Vec<Edge> {
    let resources = template.resources();
    let is_node = |id: &str| nodes.iter().any(|n| n.id == id);
    let at = |id: &str| nodes.iter().find(|n| n.id == id).expect("node");
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |from: &str, to: &str, label: String, flow: bool, out: &mut Vec<Edge>| {
        if from == to || !seen.insert((from.to_string(), to.to_string(), flow)) {
            return;
        }
        let (a, b) = (at(from), at(to));
        let points = if (a.y - b.y).abs() < 1.0 {
            let (l, r) = if a.x < b.x { (a, b) } else { (b, a) };
            let pts = [(l.x + l.w, l.y + l.h / 2.0), (r.x, r.y + r.h / 2.0)];
            if a.x < b.x { pts } else { [pts[1], pts[0]] }
        } else if a.y < b.y {
            [(a.x + a.w / 2.0, a.y + a.h), (b.x + b.w / 2.0, b.y)]
        } else {
            [(a.x + a.w / 2.0, a.y), (b.x + b.w / 2.0, b.y + b.h)]
        };
        out.push(Edge {
            from: from.into(),
            to: to.into(),
            label,
            flow,
            points,
        });
    };
    // Security-group flows: the groups' users are the nodes that name them.
    let users_of = |group: &str| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| {
                resources.get(&n.id).is_some_and(|r| {
                    refs::references(&r["Properties"])
                        .iter()
                        .any(|x| x.target == group)
                })
            })
            .map(|n| n.id.clone())
            .collect()
    };
    for (id, r) in resources {
        let p = &r["Properties"];
        let mut flows: Vec<(Vec<String>, Vec<String>, String)> = Vec::new();
        match r["Type"].as_str() {
            Some("AWS::EC2::SecurityGroup") => {
                for rule in p["SecurityGroupIngress"].as_array().into_iter().flatten() {
                    let port = format!("tcp/{}", rule["FromPort"]);
                    let from = if rule["CidrIp"] == "0.0.0.0/0" {
                        vec![INTERNET.to_string()]
                    } else {
                        refs::references(&rule["SourceSecurityGroupId"])
                            .iter()
                            .flat_map(|x| users_of(&x.target))
                            .collect()
                    };
                    flows.push((from, users_of(id), port));
                }
            }
            _ => continue,
        }
        for (from, to, port) in flows {
            for f in &from {
                for t in &to {
                    push(f, t, port.clone(), true, &mut out);
                }
            }
        }
    }
    // The API's public entry.
    for n in nodes {
        if matches!(
            n.resource_type.as_str(),
            "AWS::ApiGatewayV2::Api" | "AWS::ApiGateway::RestApi"
        ) {
            push(INTERNET, &n.id, "HTTPS".into(), true, &mut out);
        }
    }
    // References between nodes; an API's integrations and methods count as the API's.
    for (id, r) in resources {
        let ty = r["Type"].as_str().unwrap_or_default();
        let from = if is_node(id) {
            id.clone()
        } else if owner_type(ty) {
            match refs::references(&r["Properties"])
                .into_iter()
                .find(|x| is_node(&x.target))
            {
                Some(owner) => owner.target,
                None => continue,
            }
        } else {
            continue;
        };
        for reference in refs::references(&r["Properties"]) {
            if is_node(&reference.target) && reference.target != from {
                let label = match reference.kind {
                    RefKind::Ref => "Ref".to_string(),
                    RefKind::GetAtt(attr) => format!("GetAtt {attr}"),
                    RefKind::Sub(_) => "Sub".to_string(),
                };
                push(&from, &reference.target, label, false, &mut out);
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The short form of a type: `AWS::ECS::Service` → `ECS Service`.
pub fn short_type(ty: &str) -> String {
    ty.trim_start_matches("AWS::")
        .replace("ElasticLoadBalancingV2", "ELBv2")
        .replace("ApplicationAutoScaling", "AutoScaling")
        .replace("SubnetRouteTableAssociation", "RouteTableAssoc.")
        .replace("::", " ")
}

impl Topology {
    /// Every logical id shown: nodes, boxes and group members.
    pub fn shown_ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.nodes.iter().map(|n| n.id.clone()).collect();
        ids.extend(self.areas.iter().flat_map(|a| a.resources.iter().cloned()));
        ids.extend(
            self.groups
                .iter()
                .flat_map(|g| g.members.iter().map(|m| m.0.clone())),
        );
        ids.remove(INTERNET);
        ids
    }

    /// A standalone SVG. `cost` gives the monthly cost text of a node's resource, for hover.
    pub fn to_svg(&self, cost: &dyn Fn(&str, &str) -> Option<String>) -> String {
        let mut s = String::with_capacity(32 * 1024);
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Topology of the stack">"#,
            w = self.width,
            h = self.height
        );
        s.push_str(concat!(
            "<style>",
            ".topology{font:12px system-ui,sans-serif}",
            ".area rect{fill:none;stroke:#8a94ad;stroke-dasharray:6 4;rx:10}",
            ".area.vpc rect{stroke:#4f46e5;stroke-dasharray:none;stroke-width:1.5}",
            ".area.public_subnet rect{fill:#e8f5ee55;stroke:#1b7f4b}",
            ".area.private_subnet rect{fill:#e9ecff55;stroke:#4f46e5}",
            ".area text,.group text.label{fill:#5b6275;font-size:11px}",
            ".node rect{fill:#fff;stroke:#4f46e5;stroke-width:1.5;rx:8}",
            ".node text.id{font-weight:600;fill:#1c2030}.node text.type{fill:#5b6275;font-size:10px}",
            ".node.internet rect{fill:#1c2030;stroke:#1c2030}.node.internet text.id,.node.internet text.type{fill:#fff}",
            ".edge line{stroke:#9aa1b4;stroke-width:1.2}.edge.flow line{stroke:#1b7f4b;stroke-width:2}",
            ".edge text{fill:#1b7f4b;font-size:10px;font-weight:600}",
            ".group rect{fill:#f6f7fb;stroke:#dfe3ec;rx:8}.group text.member{fill:#1c2030;font-size:10.5px}",
            "</style>",
            r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#9aa1b4"/></marker>"##,
            r##"<marker id="arrow-flow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#1b7f4b"/></marker></defs>"##,
        ));
        for a in &self.areas {
            let kind = serde_json::to_value(a.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = write!(
                s,
                r#"<g class="area {kind}" data-resources="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
                esc(&a.resources.join(" ")),
                a.x,
                a.y,
                a.w,
                a.h,
                a.x + 8.0,
                a.y + 14.0,
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
                r#"<g class="{class}" data-from="{}" data-to="{}"><title>{} → {}: {}</title><line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" marker-end="url(#{marker})"/>"#,
                esc(&e.from),
                esc(&e.to),
                esc(&e.from),
                esc(&e.to),
                esc(&e.label)
            );
            if e.flow {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                    (x1 + x2) / 2.0 + 4.0,
                    (y1 + y2) / 2.0,
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
                let cost_text =
                    cost(&n.id, &n.resource_type).unwrap_or_else(|| "no cost line".into());
                format!("{}\n{}\n{}", n.resource_type, n.id, cost_text)
            };
            let _ = write!(
                s,
                r#"<g class="node{}" data-id="{}" data-type="{}" tabindex="0"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="id" x="{:.1}" y="{:.1}">{}</text><text class="type" x="{:.1}" y="{:.1}">{}</text></g>"#,
                if internet { " internet" } else { "" },
                esc(&n.id),
                esc(&n.resource_type),
                esc(&title),
                n.x,
                n.y,
                n.w,
                n.h,
                n.x + 10.0,
                n.y + 21.0,
                esc(&n.id),
                n.x + 10.0,
                n.y + 37.0,
                esc(&if internet {
                    "clients".into()
                } else {
                    short_type(&n.resource_type)
                })
            );
        }
        for g in &self.groups {
            let _ = write!(
                s,
                r#"<g class="group"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="label" x="{:.1}" y="{:.1}">{}</text>"#,
                g.x,
                g.y,
                g.w,
                g.h,
                g.x + 8.0,
                g.y + 15.0,
                esc(&g.label)
            );
            for (i, (id, ty)) in g.members.iter().enumerate() {
                let _ = write!(
                    s,
                    r#"<text class="member" data-id="{}" x="{:.1}" y="{:.1}"><title>{}</title>{} · {}</text>"#,
                    esc(id),
                    g.x + 10.0,
                    g.y + LABEL_H + 10.0 + i as f64 * GROUP_LINE,
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
}
