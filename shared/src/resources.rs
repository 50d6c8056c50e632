//! The resource registry: one entry for every CloudFormation resource type the generator emits,
//! saying everything the rest of Stackplan needs to know about it:
//!
//! - how it takes tags ([`TagStyle`], used by the template builder);
//! - how it is billed ([`Billing`], used by the estimate and the diagram's hover text);
//! - where the diagram places it ([`Place`]);
//! - its IAM service prefix (the deploy session's policy);
//! - what the local sandbox (moto) does with it ([`Sandbox`]).
//!
//! A new resource type needs one entry here and nowhere else. The template builder refuses a
//! type that is missing (it panics, and the matrix tests fail), and `shared/tests/registry.rs`
//! holds every type of every matrix template to this table.

pub mod controls;

/// How a resource type takes tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagStyle {
    /// `Tags: [{Key, Value}]`, with a `Name` tag (EC2 resources show it in the console).
    ListWithName,
    /// `Tags: [{Key, Value}]`.
    List,
    /// `Tags: {key: value}`.
    Map,
    /// The type has no `Tags` property (CloudFormation propagates stack tags where it can).
    Untaggable,
}

/// How a resource type shows up on the bill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billing {
    /// Priced by the estimate's lines of this service.
    Service(&'static str),
    /// No charge of its own, with the reason.
    Free(&'static str),
    /// Billable but not estimated; the estimate lists it with its reason.
    NotEstimated(&'static str),
}

/// A row of the diagram, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The service's own name in DNS, between the internet and what serves it.
    Dns,
    /// On the VPC's edge (the internet gateway).
    VpcEdge,
    /// In the public subnets.
    Public,
    /// Compute in the private subnets.
    PrivateCompute,
    /// Data stores in the private subnets.
    PrivateData,
    /// The public entry of a VPC-less architecture (an API).
    Edge,
    /// Compute outside a VPC.
    Compute,
    /// Data stores outside a VPC.
    Data,
    /// Regional services (buckets, repositories, logs, topics).
    Regional,
}

/// Where the diagram shows a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A node in a row.
    Node(Tier),
    /// A nesting box (the VPC, a subnet).
    Area,
    /// A line in the labelled group under the diagram.
    Member(&'static str),
}

/// What the local sandbox does with a resource type: moto at the version `scripts/lib.sh` pins,
/// with the project's extensions (`sandbox/stackplan_sandbox`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sandbox {
    /// Creates it: the service's own API lists it afterwards, with every attribute the
    /// templates read. Nothing runs (see `SandboxReport::notes`).
    Creates,
    /// Fails the whole stack, for this reason.
    Fails(&'static str),
}

/// Everything Stackplan knows about one resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// The CloudFormation type, `AWS::Service::Thing`.
    pub name: &'static str,
    pub tags: TagStyle,
    pub billing: Billing,
    pub place: Place,
    /// The IAM service prefix of its API (`AWS::EC2::VPC` → `ec2`).
    pub iam: &'static str,
    pub sandbox: Sandbox,
}

/// Looks a type up; `None` for a type Stackplan does not generate.
pub fn lookup(name: &str) -> Option<&'static ResourceType> {
    REGISTRY.iter().find(|r| r.name == name)
}

const VPC_FREE: Billing = Billing::Free("VPC networking has no charge of its own");
const ROUTING: Place = Place::Member("Routing and addresses");
const API_MEMBER: Place = Place::Member("API routes and stages");
const API_FREE: Billing = Billing::Free("billed through the API's requests");

macro_rules! registry {
    ($($name:literal => $tags:ident, $billing:expr, $place:expr, $iam:literal, $sandbox:expr;)+) => {
        /// Every resource type the generator emits.
        pub static REGISTRY: &[ResourceType] = &[
            $(ResourceType {
                name: $name,
                tags: TagStyle::$tags,
                billing: $billing,
                place: $place,
                iam: $iam,
                sandbox: $sandbox,
            }),+
        ];
    };
}

use Billing::{Free, NotEstimated, Service};
use Place::{Area, Member, Node};
use Sandbox::Creates;
use Tier::*;

registry! {
    // The network.
    "AWS::EC2::VPC" => ListWithName, VPC_FREE, Area, "ec2", Creates;
    "AWS::EC2::Subnet" => ListWithName, VPC_FREE, Area, "ec2", Creates;
    "AWS::EC2::InternetGateway" => ListWithName, VPC_FREE, Node(VpcEdge), "ec2", Creates;
    "AWS::EC2::VPCGatewayAttachment" => Untaggable, VPC_FREE, ROUTING, "ec2", Creates;
    "AWS::EC2::RouteTable" => ListWithName, VPC_FREE, ROUTING, "ec2", Creates;
    "AWS::EC2::Route" => Untaggable, VPC_FREE, ROUTING, "ec2", Creates;
    "AWS::EC2::SubnetRouteTableAssociation" => Untaggable, VPC_FREE, ROUTING, "ec2", Creates;
    "AWS::EC2::EIP" => ListWithName, Service("VPC"), ROUTING, "ec2", Creates;
    "AWS::EC2::NatGateway" => ListWithName, Service("NAT gateway"), Node(Public), "ec2", Creates;
    "AWS::EC2::VPCEndpoint" => ListWithName, Free("an S3 gateway endpoint has no charge"), ROUTING, "ec2", Creates;
    "AWS::EC2::FlowLog" => ListWithName, NotEstimated("billed per GB of flow records"), ROUTING, "ec2", Creates;
    "AWS::EC2::SecurityGroup" => ListWithName, Free("security groups are free"), Member("Security groups"), "ec2", Creates;
    "AWS::EC2::SecurityGroupEgress" => Untaggable, Free("security groups are free"), Member("Security groups"), "ec2", Creates;
    // The load balancer.
    "AWS::ElasticLoadBalancingV2::LoadBalancer" => List, Service("Load balancer"), Node(Public), "elasticloadbalancing", Creates;
    "AWS::ElasticLoadBalancingV2::TargetGroup" => List, Free("billed through the load balancer's hours and LCUs"), Member("Listeners and targets"), "elasticloadbalancing", Creates;
    "AWS::ElasticLoadBalancingV2::Listener" => Untaggable, Free("billed through the load balancer's hours and LCUs"), Member("Listeners and targets"), "elasticloadbalancing", Creates;
    // Containers.
    "AWS::ECS::Cluster" => List, NotEstimated("Container Insights bills performance log events"), Node(Regional), "ecs", Creates;
    "AWS::ECS::TaskDefinition" => List, Free("billed through the service's running tasks"), Node(PrivateCompute), "ecs", Creates;
    "AWS::ECS::Service" => List, Service("Fargate"), Node(PrivateCompute), "ecs", Creates;
    "AWS::ECR::Repository" => List, Service("ECR"), Node(Regional), "ecr", Creates;
    "AWS::ApplicationAutoScaling::ScalableTarget" => Untaggable, Free("Application Auto Scaling is free; its alarms are managed by AWS"), Member("Autoscaling"), "application-autoscaling", Creates;
    "AWS::ApplicationAutoScaling::ScalingPolicy" => Untaggable, Free("Application Auto Scaling is free; its alarms are managed by AWS"), Member("Autoscaling"), "application-autoscaling", Creates;
    // Data stores.
    "AWS::RDS::DBInstance" => List, Service("RDS PostgreSQL"), Node(PrivateData), "rds", Creates;
    "AWS::RDS::DBSubnetGroup" => List, Free("subnet groups are free"), Member("Subnet groups"), "rds", Creates;
    "AWS::ElastiCache::ReplicationGroup" => List, Service("ElastiCache"), Node(PrivateData), "elasticache", Creates;
    "AWS::ElastiCache::SubnetGroup" => List, Free("subnet groups are free"), Member("Subnet groups"), "elasticache", Creates;
    "AWS::ElastiCache::User" => List, Free("Redis users are free"), Member("Identity and permissions"), "elasticache", Creates;
    "AWS::ElastiCache::UserGroup" => List, Free("Redis user groups are free"), Member("Identity and permissions"), "elasticache", Creates;
    "AWS::SecretsManager::Secret" => List, Service("Secrets Manager"), Node(Regional), "secretsmanager", Creates;
    "AWS::S3::Bucket" => List, Service("S3"), Node(Regional), "s3", Creates;
    "AWS::S3::BucketPolicy" => Untaggable, Free("bucket policies are free"), Member("Bucket policies"), "s3", Creates;
    "AWS::DynamoDB::Table" => List, Service("DynamoDB"), Node(Data), "dynamodb", Creates;
    // Observability.
    "AWS::Logs::LogGroup" => List, Service("CloudWatch"), Node(Regional), "logs", Creates;
    "AWS::CloudWatch::Alarm" => List, Service("CloudWatch"), Member("Alarms"), "cloudwatch", Creates;
    "AWS::SNS::Topic" => List, NotEstimated("the first 1,000 email notifications a month are free"), Node(Regional), "sns", Creates;
    "AWS::SNS::Subscription" => Untaggable, NotEstimated("the first 1,000 email notifications a month are free"), Member("Alarms"), "sns", Creates;
    // Identity and keys.
    "AWS::IAM::Role" => List, Free("IAM is free"), Member("Identity and permissions"), "iam", Creates;
    "AWS::KMS::Key" => List, Service("KMS"), Node(Regional), "kms", Creates;
    // Functions and APIs.
    "AWS::Lambda::Function" => List, Service("Lambda"), Node(Compute), "lambda", Creates;
    "AWS::Lambda::Permission" => Untaggable, Free("permissions are free"), Member("Identity and permissions"), "lambda", Creates;
    "AWS::ApiGatewayV2::Api" => Map, Service("API Gateway"), Node(Edge), "apigateway", Creates;
    "AWS::ApiGatewayV2::Integration" => Untaggable, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGatewayV2::Route" => Untaggable, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGatewayV2::Stage" => Map, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGatewayV2::Authorizer" => Untaggable, Free("JWT authorizers carry no charge of their own"), API_MEMBER, "apigateway", Creates;
    "AWS::ApiGateway::RestApi" => List, Service("API Gateway"), Node(Edge), "apigateway", Creates;
    "AWS::ApiGateway::Resource" => Untaggable, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGateway::Method" => Untaggable, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGateway::Deployment" => Untaggable, API_FREE, API_MEMBER, "apigateway", Creates;
    "AWS::ApiGateway::Stage" => List, API_FREE, API_MEMBER, "apigateway", Creates;
    // The service's own domain.
    "AWS::CertificateManager::Certificate" => List, Free("public ACM certificates carry no charge"), Member("Domain"), "acm", Creates;
    "AWS::Route53::RecordSet" => Untaggable, NotEstimated("billed with its hosted zone, which the stack does not own; queries to an alias record that points at an AWS load balancer or API carry no charge"), Node(Dns), "route53", Creates;
    "AWS::ApiGatewayV2::DomainName" => Map, API_FREE, Member("Domain"), "apigateway", Creates;
    "AWS::ApiGatewayV2::ApiMapping" => Untaggable, API_FREE, Member("Domain"), "apigateway", Creates;
    "AWS::ApiGateway::DomainName" => List, API_FREE, Member("Domain"), "apigateway", Creates;
    "AWS::ApiGateway::BasePathMapping" => Untaggable, API_FREE, Member("Domain"), "apigateway", Creates;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_listed_once_and_named_like_cloudformation() {
        let mut seen = std::collections::BTreeSet::new();
        for r in REGISTRY {
            assert!(seen.insert(r.name), "{} is listed twice", r.name);
            let parts: Vec<&str> = r.name.split("::").collect();
            assert!(parts.len() == 3 && parts[0] == "AWS", "{}", r.name);
            assert!(
                !r.iam.is_empty()
                    && r.iam
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}: IAM prefix {:?}",
                r.name,
                r.iam
            );
        }
        assert_eq!(lookup("AWS::EC2::VPC").map(|r| r.iam), Some("ec2"));
        assert_eq!(lookup("AWS::Nothing::Here"), None);
    }
}
