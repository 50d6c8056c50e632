//! The topology diagram, derived from the generated template (never drawn by hand), so that it
//! cannot disagree with what gets deployed.
//!
//! Every resource appears: as a node, as a box (the VPC and its subnets), or listed inside a
//! labelled group (route tables, security groups, roles…). Layout runs top to bottom the way
//! an engineer draws it: the internet, the load balancer or API, the service or function, the
//! data stores, then the regional services outside the VPC. The VPC, its two AZs and the public
//! and private subnet tiers are nested boxes. Edges come from Ref/GetAtt/Sub between nodes and
//! from security-group rules (with the port). Pure and deterministic.

mod classify;
mod edges;
mod layout;
mod svg;

use std::collections::BTreeSet;

use serde::Serialize;

pub use layout::build;
pub use svg::esc as escape_xml;

pub const NODE_W: f64 = 168.0;
pub const NODE_H: f64 = 50.0;
pub(crate) const GAP_X: f64 = 22.0;
pub(crate) const ROW_GAP: f64 = 58.0;
pub(crate) const PAD: f64 = 22.0;
pub(crate) const LABEL_H: f64 = 20.0;
pub(crate) const GROUP_W: f64 = 320.0;
pub(crate) const GROUP_LINE: f64 = 15.0;
pub(crate) const MAX_ROW: usize = 7;

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
    /// What the node's second line says instead of its type (a DNS record's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
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

impl AreaKind {
    /// The type of the resources an area of this kind stands for (an AZ stands for none).
    pub fn resource_type(self) -> Option<&'static str> {
        match self {
            AreaKind::Vpc => Some("AWS::EC2::VPC"),
            AreaKind::Az => None,
            AreaKind::PublicSubnet | AreaKind::PrivateSubnet => Some("AWS::EC2::Subnet"),
        }
    }
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

/// A resource the diagram shows ([`Topology::shown`]).
pub struct Shown<'a> {
    pub id: &'a str,
    pub ty: &'a str,
    pub at: At<'a>,
}

/// Where a shown resource is: a node of its own, or a box's or group's label.
pub enum At<'a> {
    Node(&'a Node),
    Label(&'a str),
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

/// The short form of a type: `AWS::ECS::Service` → `ECS Service`.
pub fn short_type(ty: &str) -> String {
    ty.trim_start_matches("AWS::")
        .replace("ElasticLoadBalancingV2", "ELBv2")
        .replace("ApplicationAutoScaling", "AutoScaling")
        .replace("SubnetRouteTableAssociation", "RouteTableAssoc.")
        .replace("::", " ")
}

impl Topology {
    /// How many resources the diagram shows (nodes, boxes' resources, group members) that are
    /// billed under the same service as a resource of a given type: the service's lines price
    /// them together, so a hover must not read as one resource's cost. 1 for a type billed
    /// otherwise.
    pub fn billed_alike(&self) -> impl Fn(&str) -> usize + use<> {
        let service = |ty: &str| match crate::resources::lookup(ty).map(|r| r.billing) {
            Some(crate::resources::Billing::Service(s)) => Some(s),
            _ => None,
        };
        let services: Vec<&'static str> = self.shown().filter_map(|s| service(s.ty)).collect();
        move |ty| match service(ty) {
            Some(s) => services.iter().filter(|x| **x == s).count().max(1),
            None => 1,
        }
    }

    /// Every resource the diagram shows, in the text's order: the nodes (not the internet),
    /// the resources boxes stand for (a VPC, a subnet; an AZ stands for none), the groups'
    /// members.
    pub fn shown(&self) -> impl Iterator<Item = Shown<'_>> {
        let nodes = self
            .nodes
            .iter()
            .filter(|n| n.id != INTERNET)
            .map(|n| Shown {
                id: &n.id,
                ty: &n.resource_type,
                at: At::Node(n),
            });
        let boxes = self.areas.iter().flat_map(|a| {
            a.kind.resource_type().into_iter().flat_map(move |ty| {
                a.resources.iter().map(move |id| Shown {
                    id,
                    ty,
                    at: At::Label(&a.label),
                })
            })
        });
        let members = self.groups.iter().flat_map(|g| {
            g.members.iter().map(move |(id, ty)| Shown {
                id,
                ty,
                at: At::Label(&g.label),
            })
        });
        nodes.chain(boxes).chain(members)
    }

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
}
