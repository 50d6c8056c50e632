//! Which resource goes where: rows of nodes (with their AZ side), the VPC and subnet boxes, and
//! the labelled groups. The placement of each type is the resource registry's.

use std::collections::{BTreeMap, BTreeSet};

use crate::resources::{self, Place, Tier};
use crate::template::refs;
use crate::template::{Object, Template};

/// Where a type goes; a type outside the registry is listed under "Other resources".
fn place(ty: &str) -> Place {
    resources::lookup(ty).map_or(Place::Member("Other resources"), |r| r.place)
}

/// Group members whose references count as their API's (the API invokes the function).
pub(super) fn owner_type(ty: &str) -> bool {
    matches!(
        ty,
        "AWS::ApiGatewayV2::Integration" | "AWS::ApiGateway::Method"
    )
}

/// AZ side of a VPC node: from the subnets it (or what it refers to) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    A,
    B,
    Both,
}

pub(super) fn subnets_of(id: &str, resources: &Object, depth: u8) -> BTreeSet<String> {
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

pub(super) fn side_of(subnets: &BTreeSet<String>, resources: &Object) -> Side {
    // Inserted one by one: `collect` into a set sorts first, with a stable sort of its own in
    // the wasm (see `crate::sort`).
    let mut azs = BTreeSet::new();
    for s in subnets.iter().filter_map(|s| resources.get(s)) {
        azs.insert(s["Properties"]["AvailabilityZone"].to_string());
    }
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

/// A node to place: logical id, type, AZ side.
pub(super) type Slot = (String, String, Side);

/// The template's resources sorted into the diagram's parts.
pub(super) struct Classified {
    pub rows: BTreeMap<Tier, Vec<Slot>>,
    pub members: BTreeMap<&'static str, Vec<(String, String)>>,
    pub vpc: Option<String>,
    /// `(subnet id, public, side)`.
    pub subnets: Vec<(String, bool, Side)>,
}

/// Sorts every resource of a template into a row, a box or a group.
pub(super) fn classify(template: &Template) -> Classified {
    let resources = template.resources();
    let mut rows: BTreeMap<Tier, Vec<Slot>> = BTreeMap::new();
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
                } else if tier == Tier::Compute && !subnets_of(id, resources, 0).is_empty() {
                    // Compute attached to the VPC's subnets (a function in a VPC) runs in them.
                    Tier::PrivateCompute
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
                    .push((id.to_string(), ty.to_string(), side));
            }
            Place::Area if ty == "AWS::EC2::VPC" => vpc = Some(id.to_string()),
            Place::Area => {
                let public = id.starts_with("Public");
                let set = BTreeSet::from([id.to_string()]);
                subnets.push((id.to_string(), public, side_of(&set, resources)));
            }
            Place::Member(group) => members
                .entry(group)
                .or_default()
                .push((id.to_string(), ty.to_string())),
        }
    }

    Classified {
        rows,
        members,
        vpc,
        subnets,
    }
}
