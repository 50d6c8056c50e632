//! CloudFormation template generation: a [`ValidPlan`] becomes a deterministic template.
//!
//! Resources are added through [`Builder::add`], which tags every resource whose type takes tags
//! (its [`TagStyle`] in the resource registry, [`crate::resources`]) with the project tag; a type
//! missing from the registry is a bug caught by the tests. The plan's own tags are stack tags ([`stack_tags`]), listed in the template's
//! Metadata: CloudFormation propagates them to every taggable resource, and the template stays
//! under the 51,200-byte inline limit whatever tags a plan has.

pub(crate) mod fargate;
pub(crate) mod json_macro;
pub use fargate::{ECR_IMAGES_KEPT, ecr_image};
pub use lambda::{CODE_BUCKET_OUTPUT, FUNCTION_IMAGE_TAG};
pub use storage::{
    ACCOUNT_PLACEHOLDER, CODE_BUCKET, CODE_BUCKET_PREFIX, ELB_ACCOUNTS, LOG_BUCKET,
    LOG_EXPIRATION_DAYS, LOG_OLD_VERSION_DAYS, code_bucket_name, users_log_bucket_policy,
};
pub(crate) mod domain;
pub mod format;
pub(crate) mod kms;
pub(crate) mod lambda;
pub mod parameters;
pub mod refs;
mod settings;
mod storage;
pub mod tree;

use std::borrow::Cow;

use serde_json::{Map, Value};

use json_macro::json;
pub use tree::{Array, Node, Object, Text};

use crate::plan::{Architecture, Plan};
pub use crate::resources::TagStyle;
use crate::validate::ValidPlan;

/// A generated CloudFormation template (an ordered JSON document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    doc: Node,
}

/// Output formats of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

impl Template {
    /// The template as a JSON tree (key order is the generation order).
    pub fn tree(&self) -> &Node {
        &self.doc
    }

    /// The template as a `serde_json::Value` (a copy).
    pub fn to_value(&self) -> Value {
        self.doc.to_value()
    }

    /// The `Resources` section.
    pub fn resources(&self) -> &Object {
        self.doc["Resources"]
            .as_object()
            .expect("a template always has resources")
    }

    /// `(logical id, type)` of every resource, in template order.
    pub fn resource_types(&self) -> impl Iterator<Item = (&str, &str)> {
        self.resources()
            .iter()
            .map(|(id, r)| (id, r["Type"].as_str().unwrap_or_default()))
    }

    /// `(logical id, type, value)` of each resource that has the attribute `policy`
    /// (`DeletionPolicy` or `UpdateReplacePolicy`), in template order: what becomes of the
    /// resource when the stack is deleted, or when an update replaces it.
    pub fn policies<'t>(
        &'t self,
        policy: &'t str,
    ) -> impl Iterator<Item = (&'t str, &'t str, &'t str)> + 't {
        self.resources().iter().filter_map(move |(id, r)| {
            Some((
                id,
                r["Type"].as_str().unwrap_or_default(),
                r[policy].as_str()?,
            ))
        })
    }

    /// Readable JSON: small objects and arrays on one line. Ends with a newline.
    pub fn to_json(&self) -> String {
        format::json(&self.doc)
    }

    /// Block-style YAML with long-form intrinsic functions. Ends with a newline.
    pub fn to_yaml(&self) -> String {
        format::yaml(&self.doc)
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Yaml => self.to_yaml(),
        }
    }
}

/// Generates the template of a valid plan.
pub fn generate(plan: &ValidPlan) -> Template {
    let plan = plan.plan();
    let mut b = Builder::new(plan);
    match &plan.architecture {
        Architecture::Fargate(f) => fargate::build(&mut b, f),
        Architecture::Lambda(l) => lambda::build(&mut b, l),
    }
    b.finish()
}

/// The file name a downloaded template gets: `<project>-<architecture>.template.<ext>`.
pub fn file_name(plan: &Plan, format: Format) -> String {
    file_name_of(&file_stem(plan), format)
}

/// What a template's file name says of its plan: `<project>-<architecture>`.
pub fn file_stem(plan: &Plan) -> String {
    format!("{}-{}", plan.project, plan.kind())
}

/// The file name of a template whose plan's [`file_stem`] is `stem`.
pub fn file_name_of(stem: &str, format: Format) -> String {
    format!("{stem}.template.{}", format.extension())
}

/// The parameter that tells a stack with its own image repository whether the image is there:
/// `"false"` (the default) runs the service with no task, `"true"` at the planned count. The
/// deploy server sets it; it is never the user's to send.
pub const IMAGE_READY_PARAMETER: &str = "ImageReady";

/// The container image tag parameter of a Fargate template.
pub const IMAGE_TAG_PARAMETER: &str = "ImageTag";

/// What an image tag may be (Docker's rule), as a parameter's pattern and in words: the words
/// are the parameter's `ConstraintDescription`, which CloudFormation (and the deploy API) say
/// when a value does not match, in place of the pattern.
pub(crate) const IMAGE_TAG_PATTERN: &str = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
pub(crate) const IMAGE_TAG_RULE: &str =
    "an image tag: 1-128 letters, digits, _ . and -, not starting with . or -";

/// The tag key every resource carries with the project name.
pub const PROJECT_TAG: &str = "stackplan:project";

/// `{"Ref": id}`
pub(crate) fn r(id: impl Into<Text>) -> Node {
    json!({ "Ref": Node::String(id.into()) })
}

/// `{"Fn::GetAtt": [id, attr]}`
pub(crate) fn att(id: impl Into<Text>, attr: impl Into<Text>) -> Node {
    json!({ "Fn::GetAtt": [Node::String(id.into()), Node::String(attr.into())] })
}

/// `{"Fn::Sub": text}`
pub(crate) fn sub(text: impl Into<Text>) -> Node {
    json!({ "Fn::Sub": Node::String(text.into()) })
}

/// An IAM policy document.
pub(crate) fn policy_doc(statements: Vec<Node>) -> Node {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A trust policy for an AWS service principal.
pub(crate) fn trust(service: &'static str) -> Node {
    policy_doc(vec![json!({
        "Effect": "Allow",
        "Principal": { "Service": service },
        "Action": "sts:AssumeRole",
        "Condition": { "StringEquals": { "aws:SourceAccount": r("AWS::AccountId") } }
    })])
}

/// Builds a template section by section.
pub(crate) struct Builder<'p> {
    pub plan: &'p Plan,
    description: String,
    parameters: Object,
    mappings: Object,
    conditions: Object,
    resources: Object,
    outputs: Object,
    /// An IAM role was added: the template takes the permissions boundary parameter.
    has_roles: bool,
}

/// The parameter naming the permissions boundary every IAM role of the stack carries (the
/// account's deploy setup, `stackplan bootstrap`, requires one); empty: no boundary.
pub const BOUNDARY_PARAMETER: &str = "PermissionsBoundary";
/// The IAM path of every role a stack creates. The bootstrap's execution role may pass only
/// roles under it to services, so that a template cannot hand a service a role the account
/// already had (one without the boundary).
pub const ROLE_PATH: &str = "/stackplan/";
const BOUNDARY_CONDITION: &str = "HasPermissionsBoundary";

/// A resource just added, for its attributes.
pub(crate) struct ResourceMut<'a> {
    entry: &'a mut Object,
}

impl ResourceMut<'_> {
    pub fn depends_on(self, ids: &[&str]) -> Self {
        self.entry.insert("DependsOn", json!(ids));
        self
    }

    /// DeletionPolicy and UpdateReplacePolicy (`Retain`, `Snapshot` or `Delete`).
    pub fn keep(self, policy: &'static str) -> Self {
        self.entry.insert("DeletionPolicy", json!(policy));
        self.entry.insert("UpdateReplacePolicy", json!(policy));
        self
    }

    /// A cfn-lint rule this resource deliberately does not follow (the reason is at the call:
    /// cfn-lint's metadata has no place for one).
    pub fn lint_ignore(self, rule: &'static str) -> Self {
        let metadata = self.entry.get_or_insert_with("Metadata", || json!({}));
        let list = &mut metadata["cfn-lint"]["config"]["ignore_checks"];
        if !list.is_array() {
            *list = json!([]);
        }
        list.as_array_mut().expect("just made").push(json!(rule));
        self
    }

    /// A checkov check this resource deliberately does not meet, with the reason.
    pub fn skip(self, check: &'static str, reason: &'static str) -> Self {
        let metadata = self.entry.get_or_insert_with("Metadata", || json!({}));
        let list = &mut metadata["checkov"]["skip"];
        if !list.is_array() {
            *list = json!([]);
        }
        list.as_array_mut()
            .expect("just made")
            .push(json!({ "id": check, "comment": reason }));
        self
    }
}

impl<'p> Builder<'p> {
    fn new(plan: &'p Plan) -> Self {
        Builder {
            plan,
            description: String::new(),
            parameters: Object::new(),
            mappings: Object::new(),
            conditions: Object::new(),
            // Room for every resource without growing: the largest matrix plan has 59.
            resources: Object::with_capacity(96),
            outputs: Object::new(),
            has_roles: false,
        }
    }

    pub fn describe(&mut self, text: String) {
        self.description = text;
    }

    pub fn parameter(&mut self, id: impl Into<Text>, spec: Node) {
        self.parameters.insert(id, spec);
    }

    pub fn mapping(&mut self, id: impl Into<Text>, map: Node) {
        self.mappings.insert(id, map);
    }

    pub fn condition(&mut self, id: impl Into<Text>, cond: Node) {
        self.conditions.insert(id, cond);
    }

    pub fn output(&mut self, id: impl Into<Text>, description: impl Into<Text>, value: Node) {
        self.outputs.insert(
            id,
            json!({ "Description": Node::String(description.into()), "Value": value }),
        );
    }

    /// Adds a resource, tagged as its type requires.
    pub fn add(
        &mut self,
        id: impl Into<Text>,
        ty: &'static str,
        mut props: Node,
    ) -> ResourceMut<'_> {
        let id = id.into();
        let style = crate::resources::lookup(ty)
            .unwrap_or_else(|| {
                panic!("{ty} is not in the resource registry: add it to resources.rs")
            })
            .tags;
        if let Some(tags) = self.tags(&id, style) {
            props
                .as_object_mut()
                .expect("resource properties are an object")
                .insert("Tags", tags);
        }
        if ty == "AWS::IAM::Role" {
            self.has_roles = true;
            let props = props
                .as_object_mut()
                .expect("resource properties are an object");
            props.insert("Path", json!(ROLE_PATH));
            props.insert(
                "PermissionsBoundary",
                json!({ "Fn::If": [BOUNDARY_CONDITION, r(BOUNDARY_PARAMETER), r("AWS::NoValue")] }),
            );
        }
        let entry = json!({ "Type": Node::String(Cow::Borrowed(ty)), "Properties": props });
        let slot = self.resources.get_or_insert_with(id, || Node::Null);
        // Two resources of one id would silently be one (a table named after a route table):
        // the validator refuses such plans, and tests and debug builds catch any it misses.
        debug_assert!(slot.is_null(), "two resources share a logical id");
        *slot = entry;
        ResourceMut {
            entry: slot.as_object_mut().expect("just inserted"),
        }
    }

    /// A resource's tags in its type's style: the project tag, after a `Name` for the styles
    /// that show one. Built straight into the tree (they are on about 45 resources).
    fn tags(&self, id: &str, style: TagStyle) -> Option<Node> {
        let project = || Node::String(Cow::Owned(self.plan.project.clone()));
        let tag = |key: &'static str, value: Node| json!({ "Key": Node::String(Cow::Borrowed(key)), "Value": value });
        match style {
            TagStyle::Untaggable => None,
            TagStyle::Map => Some(Node::Object(Object::from_iter([(PROJECT_TAG, project())]))),
            TagStyle::List => Some(Node::Array(Array::from_items([tag(
                PROJECT_TAG,
                project(),
            )]))),
            TagStyle::ListWithName => Some(Node::Array(Array::from_items([
                tag(
                    "Name",
                    Node::String(Cow::Owned(name_tag(&self.plan.project, id))),
                ),
                tag(PROJECT_TAG, project()),
            ]))),
        }
    }

    fn finish(mut self) -> Template {
        if self.has_roles {
            self.parameters.insert(
                BOUNDARY_PARAMETER,
                json!({
                    "Type": "String",
                    "Default": "",
                    "AllowedPattern": "^(arn:aws[a-z-]*:iam::[0-9]{12}:policy/[A-Za-z0-9+=,.@_/-]+)?$",
                    "Description": "Permissions boundary of every IAM role of the stack (the ARN stackplan bootstrap outputs); empty for none"
                }),
            );
            self.conditions.insert(
                BOUNDARY_CONDITION,
                json!({ "Fn::Not": [{ "Fn::Equals": [r(BOUNDARY_PARAMETER), ""] }] }),
            );
        }
        let mut doc = Object::new();
        doc.insert("AWSTemplateFormatVersion", json!("2010-09-09"));
        doc.insert("Description", Node::String(Cow::Owned(self.description)));
        // The plan's own tags are stack tags: CloudFormation copies them onto every resource
        // that takes tags, and they cost the template no bytes per resource.
        doc.insert(
            "Metadata",
            json!({ "Stackplan": {
                "Project": self.plan.project,
                "Architecture": self.plan.kind().as_str(),
                "Region": self.plan.region.code(),
                "StackTags": Node::from(Value::Object(stack_tags(self.plan))),
                PLAN_METADATA: crate::link::encode(self.plan)
            } }),
        );
        for (name, section) in [
            ("Parameters", self.parameters),
            ("Mappings", self.mappings),
            ("Conditions", self.conditions),
            ("Resources", self.resources),
            ("Outputs", self.outputs),
        ] {
            if !section.is_empty() {
                doc.insert(name, Node::Object(section));
            }
        }
        Template {
            doc: Node::Object(doc),
        }
    }
}

/// The key under `Metadata.Stackplan` that holds the plan the template came from, as a share
/// link's code: a deployed stack's plan can be read back from its template.
pub const PLAN_METADATA: &str = "Plan";

/// The resources of a deployed template (`template`, as CloudFormation returns it) that hold
/// data or stop a deletion, in template order: each one with a `DeletionPolicy` (every
/// resource of ours that holds data has one: buckets, tables, the database and cache, the
/// image repository, logs, secrets, keys), and each one whose deletion protection is on (the
/// load balancer's, which has no policy: CloudFormation's default, `Delete`, applies).
pub fn held(template: &Value) -> Vec<crate::api::Held> {
    let Some(resources) = template["Resources"].as_object() else {
        return Vec::new();
    };
    resources
        .iter()
        .filter_map(|(id, r)| {
            let props = &r["Properties"];
            let load_balancer_protected =
                props["LoadBalancerAttributes"]
                    .as_array()
                    .is_some_and(|attrs| {
                        attrs.iter().any(|a| {
                            a["Key"] == "deletion_protection.enabled" && a["Value"] == "true"
                        })
                    });
            let protected = props["DeletionProtection"] == true
                || props["DeletionProtectionEnabled"] == true
                || load_balancer_protected;
            let policy = r["DeletionPolicy"].as_str();
            (policy.is_some() || protected).then(|| crate::api::Held {
                logical_id: id.clone(),
                resource_type: r["Type"].as_str().unwrap_or_default().to_string(),
                deletion_policy: policy.unwrap_or("Delete").to_string(),
                protected,
            })
        })
        .collect()
}

/// The plan a template records (`Metadata.Stackplan.Plan`), if it records one that decodes.
/// The text comes from a deployed stack, so it goes through the link's bounded decoder.
pub fn recorded_plan(template: &Value) -> Option<(String, Plan)> {
    let code = plan_code(template)?;
    let plan = crate::link::decode(code).ok()?;
    Some((code.to_string(), plan))
}

/// The code at `Metadata.Stackplan.Plan`, undecoded.
fn plan_code(template: &Value) -> Option<&str> {
    template["Metadata"]["Stackplan"][PLAN_METADATA].as_str()
}

/// What a file's text says of a recorded plan ([`Plan::from_file`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Not a CloudFormation template.
    NoTemplate,
    /// A template with no plan at `Metadata.Stackplan.Plan`.
    Foreign,
    /// The recorded plan's code (a share link's payload), not yet decoded.
    Code(String),
}

/// The plan code a template's text records: JSON (any layout), or YAML as
/// [`format::yaml`] writes it (block style: `Metadata:`, then `Stackplan:`, then `Plan:`,
/// each indented under the one before). A YAML template laid out otherwise counts as foreign.
pub fn recorded_code(text: &str) -> Recorded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let template =
            value.get("AWSTemplateFormatVersion").is_some() || value.get("Resources").is_some();
        return match plan_code(&value) {
            Some(code) => Recorded::Code(code.to_string()),
            None if template => Recorded::Foreign,
            None => Recorded::NoTemplate,
        };
    }
    let top = |key: &str| {
        text.lines()
            .any(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
    };
    if !top("AWSTemplateFormatVersion") && !top("Resources") {
        return Recorded::NoTemplate;
    }
    // Each key of the path, a child of the one before it (at its children's indent, so that a
    // tag named `Plan` under `StackTags` is not taken for the plan).
    let mut path = ["Metadata", "Stackplan", PLAN_METADATA]
        .into_iter()
        .peekable();
    // The indent of the last key of the path found, and that of its children.
    let (mut parent, mut child) = (None::<usize>, None::<usize>);
    for line in text.lines() {
        let rest = line.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let indent = line.len() - rest.len();
        match parent {
            // Out of the block the path was in.
            Some(p) if indent <= p => break,
            Some(_) if *child.get_or_insert(indent) != indent => continue,
            None if indent != 0 => continue,
            _ => {}
        }
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        if path.next_if_eq(&key).is_none() {
            continue;
        }
        if path.peek().is_none() {
            let value = value.trim();
            let code = ['"', '\'']
                .into_iter()
                .find_map(|q| value.strip_prefix(q).and_then(|v| v.strip_suffix(q)))
                .unwrap_or(value);
            return Recorded::Code(code.to_string());
        }
        (parent, child) = (Some(indent), None);
    }
    Recorded::Foreign
}

/// The tags to put on the stack: the plan's tags plus the project tag. CloudFormation
/// propagates stack tags to every resource of the stack that supports tags.
pub fn stack_tags(plan: &Plan) -> Map<String, Value> {
    let mut tags = Map::new();
    tags.insert(PROJECT_TAG.into(), Value::String(plan.project.clone()));
    for (k, v) in &plan.tags {
        tags.insert(k.clone(), Value::String(v.clone()));
    }
    tags
}

/// A resource's `Name` tag: `<project>-<kebab-case logical id>`, in one `String`.
fn name_tag(project: &str, id: &str) -> String {
    let mut out = String::with_capacity(project.len() + id.len() + 5);
    out.push_str(project);
    out.push('-');
    push_kebab(&mut out, id);
    out
}

/// Appends `id` in kebab case (`PublicSubnetA` → `public-subnet-a`).
fn push_kebab(out: &mut String, id: &str) {
    for (i, ch) in id.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
}

/// The log group every architecture writes to, with its retention.
pub(crate) fn log_group(b: &mut Builder<'_>, id: &'static str, suffix: &str, days: u16) {
    let mut props = json!({
        "LogGroupName": sub(format!("/stackplan/${{AWS::StackName}}/{suffix}")),
        "RetentionInDays": days
    });
    if b.plan.governed {
        props["KmsKeyId"] = kms::key_arn();
        b.add(id, "AWS::Logs::LogGroup", props).keep("Delete");
    } else {
        b.add(id, "AWS::Logs::LogGroup", props).keep("Delete").skip(
            "CKV_AWS_158",
            "CloudWatch Logs encrypts log data at rest by default; a customer managed KMS key would add cost and a key policy to run",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::name_tag;

    /// What a delete leaves behind, read from the template itself (as the server reads a
    /// deployed one, [`super::held`]), for both examples.
    #[test]
    fn a_delete_keeps_the_retained_and_snapshots_the_rest() {
        use crate::validate::ValidPlan;
        let kept = |plan| {
            let t = super::generate(&ValidPlan::new(plan).unwrap());
            super::held(&t.to_value())
                .into_iter()
                .filter(|h| matches!(h.deletion_policy.as_str(), "Retain" | "Snapshot"))
                .map(|h| format!("{} {} {}", h.logical_id, h.resource_type, h.deletion_policy))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kept(crate::examples::fargate()),
            [
                "LogBucket AWS::S3::Bucket Retain",
                "AppBucket AWS::S3::Bucket Retain",
                "Repository AWS::ECR::Repository Retain",
                "Database AWS::RDS::DBInstance Snapshot",
                "Cache AWS::ElastiCache::ReplicationGroup Snapshot",
            ]
        );
        let lambda = kept(crate::examples::lambda());
        assert!(
            lambda
                .iter()
                .any(|k| k.ends_with("AWS::DynamoDB::Table Retain"))
                && lambda
                    .iter()
                    .any(|k| k.starts_with("CodeBucket AWS::S3::Bucket Retain")),
            "{lambda:?}"
        );
        assert!(lambda.iter().all(|k| k.ends_with(" Retain")), "{lambda:?}");
    }

    #[test]
    fn kebab_case_of_logical_ids() {
        assert_eq!(name_tag("shop", "PublicSubnetA"), "shop-public-subnet-a");
        assert_eq!(name_tag("shop", "Vpc"), "shop-vpc");
    }
}
