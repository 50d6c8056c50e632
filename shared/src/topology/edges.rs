//! The diagram's edges: security-group flows (with their ports), the API's public entry, and
//! references between nodes.

use std::collections::BTreeSet;

use super::{Edge, INTERNET, Node};
use crate::template::Template;
use crate::template::refs::{self, RefKind};

use super::classify::{owner_type, subnets_of};

/// A default route's destination, as its edges are labelled.
const ANYWHERE: &str = "0.0.0.0/0";

pub(super) fn edges(template: &Template, nodes: &[Node]) -> Vec<Edge> {
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
        // One edge per pair, naming every port it opens: `tcp/80, 443`.
        let mut pairs: Vec<(String, String, Vec<String>)> = Vec::new();
        for (from, to, port) in flows {
            for f in &from {
                for t in &to {
                    match pairs.iter_mut().find(|(a, b, _)| a == f && b == t) {
                        Some((_, _, ports)) => ports.push(port.trim_start_matches("tcp/").into()),
                        None => pairs.push((f.clone(), t.clone(), vec![port.clone()])),
                    }
                }
            }
        }
        for (f, t, ports) in pairs {
            push(&f, &t, ports.join(", "), true, &mut out);
        }
    }
    // Routes out: what sits in a subnet whose route table sends everything (0.0.0.0/0) to a
    // gateway on the diagram goes out through it; an internet gateway leads to the internet.
    let first_ref = |value: &crate::template::Node| {
        refs::references(value).into_iter().next().map(|x| x.target)
    };
    // The subnets each node names itself (a service's, a NAT gateway's), read once.
    let placed: Vec<(&str, BTreeSet<String>)> = nodes
        .iter()
        .map(|n| (n.id.as_str(), subnets_of(&n.id, resources, 0)))
        .collect();
    for r in resources.values() {
        let p = &r["Properties"];
        if r["Type"] != "AWS::EC2::Route" || p["DestinationCidrBlock"] != "0.0.0.0/0" {
            continue;
        }
        let gateway = first_ref(&p["NatGatewayId"]).or_else(|| first_ref(&p["GatewayId"]));
        let (Some(gateway), Some(table)) = (gateway, first_ref(&p["RouteTableId"])) else {
            continue;
        };
        if !is_node(&gateway) {
            continue;
        }
        let subnets: BTreeSet<String> = resources
            .values()
            .filter(|a| {
                a["Type"] == "AWS::EC2::SubnetRouteTableAssociation"
                    && first_ref(&a["Properties"]["RouteTableId"]).as_deref() == Some(&table)
            })
            .filter_map(|a| first_ref(&a["Properties"]["SubnetId"]))
            .collect();
        for (id, in_subnets) in &placed {
            if !in_subnets.is_disjoint(&subnets) {
                push(id, &gateway, ANYWHERE.into(), true, &mut out);
            }
        }
        if resources
            .get(&gateway)
            .is_some_and(|g| g["Type"] == "AWS::EC2::InternetGateway")
        {
            push(&gateway, INTERNET, ANYWHERE.into(), true, &mut out);
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
    // An API's custom domain stands for the API: its mapping joins the two, so a record that
    // points at the domain points at the API.
    let mut stands_for: Vec<(String, String)> = Vec::new();
    for r in resources.values() {
        let (domain, api) = match r["Type"].as_str() {
            Some("AWS::ApiGatewayV2::ApiMapping") => ("DomainName", "ApiId"),
            Some("AWS::ApiGateway::BasePathMapping") => ("DomainName", "RestApiId"),
            _ => continue,
        };
        let target = |key: &str| first_ref(&r["Properties"][key]);
        if let (Some(d), Some(a)) = (target(domain), target(api))
            && is_node(&a)
            && !is_node(&d)
        {
            stands_for.push((d, a));
        }
    }
    // References between nodes; an API's integrations and methods count as the API's.
    for (id, r) in resources {
        let ty = r["Type"].as_str().unwrap_or_default();
        let from = if is_node(id) {
            id.to_string()
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
            let label = match reference.kind {
                RefKind::Ref => "Ref".to_string(),
                RefKind::GetAtt(attr) => format!("GetAtt {attr}"),
                RefKind::Sub(_) => "Sub".to_string(),
            };
            let (to, label) = match stands_for.iter().find(|(d, _)| *d == reference.target) {
                Some((domain, api)) => (api.clone(), format!("{label} of {domain}")),
                None => (reference.target, label),
            };
            if is_node(&to) && to != from {
                push(&from, &to, label, false, &mut out);
            }
        }
    }
    out
}
