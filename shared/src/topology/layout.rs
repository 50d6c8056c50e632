//! Pure layout: fixed slots per row, centred, AZ-specific nodes on their side, so that
//! non-overlap can be tested.

use super::classify::{Classified, Side, Slot, classify};
use super::edges::edges;
use super::{
    Area, AreaKind, GAP_X, GROUP_LINE, GROUP_W, Group, INTERNET, LABEL_H, MAX_ROW, NODE_H, NODE_W,
    Node, PAD, ROW_GAP, Topology,
};
use crate::resources::Tier;
use crate::template::Template;

/// Lays out the topology of a template.
pub fn build(template: &Template) -> Topology {
    let resources = template.resources();
    let Classified {
        rows,
        members,
        vpc,
        subnets,
    } = classify(template);

    let slot = NODE_W + GAP_X;
    let mut nodes: Vec<Node> = Vec::new();
    let mut areas: Vec<Area> = Vec::new();
    // Widths first: every row centred on one line.
    let row_slots = |row: &[Slot]| -> (usize, usize) {
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
        caption: None,
    });
    y += NODE_H + ROW_GAP;

    let place_row = |row: &[Slot], y: f64, nodes: &mut Vec<Node>| {
        let (side_slots, both) = row_slots(row);
        let total = (2 * side_slots + both) as f64 * slot;
        let left = center - total / 2.0 + GAP_X / 2.0;
        let mk = |(id, ty, _): &Slot, x: f64| Node {
            id: id.clone(),
            resource_type: ty.clone(),
            x,
            y,
            w: NODE_W,
            h: NODE_H,
            caption: None,
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

    // What the internet reaches first: DNS records, then the APIs (before the VPC: an API is
    // regional, and what it calls may run in the VPC).
    for tier in [Tier::Dns, Tier::Edge] {
        if let Some(row) = rows.get(&tier) {
            for chunk in row.chunks(MAX_ROW) {
                place_row(chunk, y, &mut nodes);
                y += NODE_H + ROW_GAP;
            }
        }
    }

    if let Some(vpc_id) = &vpc {
        let vpc_top = y;
        y += LABEL_H + PAD;
        if let Some(row) = rows.get(&Tier::VpcEdge) {
            place_row(row, y, &mut nodes);
            y += NODE_H + ROW_GAP;
        }
        let az_top = y;
        y += LABEL_H + PAD / 2.0;
        // A VPC without public subnets (a function's) has no public band.
        let has_public = subnets.iter().any(|s| s.1);
        let public_top = y;
        if has_public {
            y += LABEL_H;
            if let Some(row) = rows.get(&Tier::Public) {
                place_row(row, y, &mut nodes);
            }
            y += NODE_H + PAD / 2.0;
        }
        let public_bottom = y;
        if has_public {
            y += ROW_GAP / 2.0;
        }
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
                if public && !has_public {
                    continue;
                }
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
    for tier in [Tier::Compute, Tier::Data, Tier::Regional] {
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
    // A DNS record is shown by the name it serves.
    for node in &mut nodes {
        if node.resource_type == "AWS::Route53::RecordSet" {
            node.caption = resources
                .get(&node.id)
                .and_then(|r| r["Properties"]["Name"].as_str())
                .map(String::from);
        }
    }
    Topology {
        width,
        height: (y + PAD).ceil(),
        nodes,
        areas,
        groups,
        edges,
    }
}
