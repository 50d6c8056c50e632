//! The Lambda architecture: API Gateway (HTTP or REST) in front of one function, DynamoDB
//! tables, an optional bucket, and logs.

use super::{Node, Object};

use super::json_macro::json;

use super::domain;
use super::settings;
use super::storage::{self, LogWriters};
use super::{Builder, att, log_group, policy_doc, r, sub, trust};
use crate::environment;
use crate::plan::EnvSource;
use crate::plan::{ApiType, Authorizer, Domain, Lambda, Runtime, Table, Throttling};

/// Stage name of the REST API.
pub const REST_STAGE: &str = "prod";

const PYTHON_PLACEHOLDER: &str = r#"import json
import os


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({
            "service": os.environ.get("SERVICE_NAME", ""),
            "message": "Deployed by Stackplan. Upload your code to replace this placeholder.",
        }),
    }
"#;

const NODE_PLACEHOLDER: &str = r#"exports.handler = async () => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    service: process.env.SERVICE_NAME || "",
    message: "Deployed by Stackplan. Upload your code to replace this placeholder.",
  }),
});
"#;

/// The logical id of a table: `orders` → `OrdersTable`.
pub fn table_id(table: &Table) -> String {
    let mut chars = table.name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('T');
    format!("{first}{}Table", chars.as_str())
}

/// The governed function's route table: a name no table's id may take ([`table_id`]).
pub const ROUTE_TABLE: &str = "FunctionRouteTable";

/// The environment variable carrying a table's name: `orders` → `TABLE_ORDERS`.
pub fn table_env(table: &Table) -> String {
    format!("TABLE_{}", table.name.to_ascii_uppercase())
}

/// The output naming the stack's code bucket.
pub const CODE_BUCKET_OUTPUT: &str = "CodeBucketName";

/// The tag an image function's stack runs until a deploy gives another.
pub const FUNCTION_IMAGE_TAG: &str = "latest";

/// Where a zip function's code is: a bucket and key, or (no bucket) a placeholder handler.
fn zip_code_parameters(b: &mut Builder<'_>) {
    b.parameter(
        "CodeS3Bucket",
        json!({
            "Type": "String",
            "Default": "",
            "AllowedPattern": "^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            "ConstraintDescription": "empty, or a bucket name: 3-63 lowercase letters, digits, . and -, starting and ending with a letter or digit",
            "Description": "Bucket holding the function's zip; empty deploys a placeholder handler"
        }),
    );
    b.parameter(
        "CodeS3Key",
        json!({
            "Type": "String",
            "Default": "function.zip",
            "AllowedPattern": "^[A-Za-z0-9!_.*'()/-]{1,1024}$",
            "ConstraintDescription": "a key of 1-1024 letters, digits and ! _ . * ' ( ) / -",
            "Description": "Key of the function zip in CodeS3Bucket"
        }),
    );
    b.condition(
        "UsePlaceholderCode",
        json!({ "Fn::Equals": [r("CodeS3Bucket"), ""] }),
    );
}

pub fn build(b: &mut Builder<'_>, l: &Lambda) {
    let plan = b.plan;
    b.describe(format!(
        "Stackplan: {} on Lambda in {} ({} MB {}, {}, {} table(s))",
        plan.project,
        plan.region,
        l.memory_mb,
        l.architecture.as_str(),
        l.api.label(),
        l.tables.len()
    ));
    if let Some(image) = &l.image {
        b.parameter(
            super::IMAGE_TAG_PARAMETER,
            json!({
                "Type": "String",
                "Default": FUNCTION_IMAGE_TAG,
                "AllowedPattern": super::IMAGE_TAG_PATTERN,
                "ConstraintDescription": super::IMAGE_TAG_RULE,
                "Description": format!("Tag of the function's image in {image}")
            }),
        );
    } else {
        zip_code_parameters(b);
    }

    if b.plan.governed {
        super::kms::stack_key(b, &[], false);
    }
    for table in &l.tables {
        dynamodb_table(b, table);
    }
    if l.bucket {
        storage::log_bucket(
            b,
            LogWriters {
                load_balancer: false,
                flow_logs: b.plan.governed,
            },
        );
        storage::app_bucket(b);
    }
    if b.plan.governed {
        network(b, l);
    }
    // Every function has its code bucket, an image function too (it uploads nothing): the
    // bucket is retained under a name fixed by the stack, so a stack that dropped it on a move
    // to an image could never create it again on the move back to a zip.
    storage::code_bucket(b);
    log_group(b, "FunctionLogGroup", "function", l.log_retention_days);
    settings::generated_secrets(b);
    role(b, l);
    function(b, l);
    match l.api {
        ApiType::Http => http_api(b, l),
        ApiType::Rest => rest_api(b, l),
    }
    if let Some(d) = &plan.domain {
        custom_domain(b, l, d);
    }
    outputs(b, l);
}

fn dynamodb_table(b: &mut Builder<'_>, table: &Table) {
    let mut attributes = vec![
        json!({ "AttributeName": table.partition_key.name, "AttributeType": table.partition_key.kind.as_str() }),
    ];
    let mut schema = vec![json!({ "AttributeName": table.partition_key.name, "KeyType": "HASH" })];
    if let Some(sort) = &table.sort_key {
        attributes.push(json!({ "AttributeName": sort.name, "AttributeType": sort.kind.as_str() }));
        schema.push(json!({ "AttributeName": sort.name, "KeyType": "RANGE" }));
    }
    let mut props = json!({
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": attributes,
        "KeySchema": schema,
        "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true },
        "SSESpecification": { "SSEEnabled": true }
    });
    if let Some(ttl) = &table.ttl_attribute {
        props["TimeToLiveSpecification"] = json!({ "AttributeName": ttl, "Enabled": true });
    }
    b.add(table_id(table), "AWS::DynamoDB::Table", props).keep("Retain").skip(
        "CKV_AWS_119",
        "encrypted at rest with the AWS managed key aws/dynamodb; a customer managed key adds cost and a key policy to run",
    );
}

/// What the function may do with its tables (and their indexes).
fn table_statement(l: &Lambda) -> Node {
    let resources: Vec<Node> = l
        .tables
        .iter()
        .flat_map(|t| {
            let id = table_id(t);
            [
                att(id.clone(), "Arn"),
                sub(format!("${{{id}.Arn}}/index/*")),
            ]
        })
        .collect();
    json!({
        "Sid": "UseTables",
        "Effect": "Allow",
        "Action": [
            "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
            "dynamodb:Scan", "dynamodb:UpdateItem"
        ],
        "Resource": resources
    })
}

fn role(b: &mut Builder<'_>, l: &Lambda) {
    let mut statements = vec![json!({
        "Sid": "WriteLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": att("FunctionLogGroup", "Arn")
    })];
    if !l.tables.is_empty() {
        statements.push(table_statement(l));
    }
    if l.bucket {
        statements.extend(storage::app_bucket_statements());
    }
    if b.plan.governed {
        statements.extend(network_statements());
    }
    b.add(
        "FunctionRole",
        "AWS::IAM::Role",
        json!({
            "Description": "The function's permissions: its log group, its tables and its bucket",
            "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
            "Policies": [{ "PolicyName": "function", "PolicyDocument": policy_doc(statements) }]
        }),
    );
}

fn function(b: &mut Builder<'_>, l: &Lambda) {
    let placeholder = if l.runtime.is_python() {
        PYTHON_PLACEHOLDER
    } else {
        NODE_PLACEHOLDER
    };
    debug_assert!(matches!(
        l.runtime,
        Runtime::Python312 | Runtime::Python313 | Runtime::Nodejs22
    ));
    let mut variables = Object::new();
    variables.insert("SERVICE_NAME", json!(b.plan.project));
    for table in &l.tables {
        variables.insert(table_env(table), r(table_id(table)));
    }
    if l.bucket {
        variables.insert("BUCKET_NAME", r(storage::APP_BUCKET));
    }
    // Secrets reach the function by dynamic reference: CloudFormation resolves them when it
    // deploys, so the template holds only their names.
    for var in &b.plan.environment {
        let value = match var.source() {
            Some(EnvSource::Value(v)) => json!(&v),
            Some(EnvSource::Secret(s)) => match &var.json_key {
                Some(key) => json!(format!(
                    "{{{{resolve:secretsmanager:{s}:SecretString:{key}}}}}"
                )),
                None => json!(format!("{{{{resolve:secretsmanager:{s}:SecretString}}}}")),
            },
            Some(EnvSource::Generated) => sub(format!(
                "{{{{resolve:secretsmanager:${{{}}}:SecretString}}}}",
                environment::generated_id(&var.name)
            )),
            // Refused by the validator for Lambda (no ssm-secure in a function's environment).
            Some(EnvSource::SsmParameter(_)) | None => continue,
        };
        variables.insert(var.name.clone(), value);
    }
    // The code first, in the order AWS's documentation gives a function's properties.
    let mut props = Object::new();
    props.insert(
        "Description",
        json!(format!("{} API handler", b.plan.project)),
    );
    match &l.image {
        // The image brings its runtime and handler.
        Some(image) => {
            props.insert("PackageType", json!("Image"));
            props.insert(
                "Code",
                json!({ "ImageUri": sub(format!("{image}:${{{}}}", super::IMAGE_TAG_PARAMETER)) }),
            );
        }
        None => {
            props.insert("Runtime", json!(l.runtime.as_str()));
            props.insert(
                "Handler",
                json!({ "Fn::If": ["UsePlaceholderCode", "index.handler", l.handler] }),
            );
            props.insert(
                "Code",
                json!({ "Fn::If": [
                    "UsePlaceholderCode",
                    { "ZipFile": placeholder },
                    { "S3Bucket": r("CodeS3Bucket"), "S3Key": r("CodeS3Key") }
                ] }),
            );
        }
    }
    let Node::Object(rest) = json!({
        "MemorySize": l.memory_mb,
        "Timeout": l.timeout_s,
        "Architectures": [l.architecture.as_str()],
        "Role": att("FunctionRole", "Arn"),
        "Environment": { "Variables": Node::Object(variables) },
        "LoggingConfig": { "LogGroup": r("FunctionLogGroup"), "LogFormat": "JSON" }
    }) else {
        unreachable!("an object")
    };
    props.extend(rest);
    let mut props = Node::Object(props);
    if let Some(n) = l.reserved_concurrency {
        props["ReservedConcurrentExecutions"] = json!(n);
    }
    if b.plan.governed {
        props["VpcConfig"] = json!({
            "SubnetIds": [r("FunctionSubnetA"), r("FunctionSubnetB")],
            "SecurityGroupIds": [r("FunctionSecurityGroup")]
        });
    }
    let governed = b.plan.governed;
    let encryption = environment_encryption_reason(b.plan);
    let mut res = b.add("Function", "AWS::Lambda::Function", props).skip(
        "CKV_AWS_116",
        "invoked synchronously by API Gateway: callers see errors directly, there are no async retries to capture",
    );
    if !governed {
        res = res.skip(
            "CKV_AWS_117",
            "the function reaches only DynamoDB, S3 and CloudWatch over AWS endpoints; a VPC would add NAT cost and cold-start time",
        );
    }
    res = res.skip("CKV_AWS_173", encryption);
    if l.reserved_concurrency.is_none() {
        res = res.skip(
            "CKV_AWS_115",
            "the plan sets no reserved concurrency: the function uses the account's pool",
        );
    }
    let _ = res;
}

/// Why the function's environment is encrypted with the AWS managed key (checkov's
/// CKV_AWS_173 asks for a customer managed one): what the environment holds decides it.
fn environment_encryption_reason(plan: &crate::plan::Plan) -> &'static str {
    let secrets = plan.environment.iter().any(|var| {
        matches!(
            var.source(),
            Some(EnvSource::Secret(_) | EnvSource::Generated)
        )
    });
    if secrets {
        "secret variables are resolved into the configuration by CloudFormation (README): Lambda encrypts it at rest with the AWS managed key, and whoever may call lambda:GetFunctionConfiguration reads them"
    } else {
        "the environment holds resource names and the plan's plain settings, which the template shows anyway; Lambda encrypts it at rest with the AWS managed key"
    }
}

/// The governed profile's network for the function (CT.LAMBDA.PR.3): a VPC of the stack's own
/// with two private subnets and no route to the internet. The function reaches its tables and
/// its bucket through free gateway endpoints; its security group lets out only HTTPS, which
/// has nowhere else to go. The VPC's flow logs go where the stack's access logs go.
fn network(b: &mut Builder<'_>, l: &Lambda) {
    b.add(
        "Vpc",
        "AWS::EC2::VPC",
        json!({ "CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true }),
    );
    b.add(
        ROUTE_TABLE,
        "AWS::EC2::RouteTable",
        json!({ "VpcId": r("Vpc") }),
    );
    for (suffix, index) in [("A", 0u32), ("B", 1)] {
        let subnet = format!("FunctionSubnet{suffix}");
        b.add(
            subnet.clone(),
            "AWS::EC2::Subnet",
            json!({
                "VpcId": r("Vpc"),
                "CidrBlock": format!("10.0.{}.0/24", 10 + index),
                "AvailabilityZone": super::fargate::az(index),
                "MapPublicIpOnLaunch": false
            }),
        );
        b.add(
            format!("{subnet}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({ "SubnetId": r(subnet.clone()), "RouteTableId": r(ROUTE_TABLE) }),
        );
    }
    // Each endpoint reaches only what the function may use: its tables, its bucket. (Only the
    // function is in the VPC; Lambda fetches its code outside it.)
    let mut endpoints = Vec::new();
    if !l.tables.is_empty() {
        endpoints.push(("DynamoDbGatewayEndpoint", "dynamodb", table_statement(l)));
    }
    if l.bucket {
        let mut statements = storage::app_bucket_statements();
        let (objects, list) = (statements.remove(0), statements.remove(0));
        let mut actions: Vec<Node> = objects["Action"].as_array().cloned().unwrap_or_default();
        actions.push(list["Action"].clone());
        endpoints.push((
            "S3GatewayEndpoint",
            "s3",
            json!({
                "Sid": "AppBucket",
                "Effect": "Allow",
                "Action": actions,
                "Resource": [list["Resource"].clone(), objects["Resource"].clone()]
            }),
        ));
    }
    for (id, service, mut statement) in endpoints {
        statement["Principal"] = json!("*");
        b.add(
            id,
            "AWS::EC2::VPCEndpoint",
            json!({
                "VpcEndpointType": "Gateway",
                "ServiceName": sub(format!("com.amazonaws.${{AWS::Region}}.{service}")),
                "VpcId": r("Vpc"),
                "RouteTableIds": [r(ROUTE_TABLE)],
                "PolicyDocument": policy_doc(vec![statement])
            }),
        );
    }
    b.add(
        "FunctionSecurityGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "The function: no way in; out to HTTPS, which reaches only the gateway endpoints of the VPC",
            "VpcId": r("Vpc"),
            "SecurityGroupEgress": [{
                "CidrIp": "0.0.0.0/0",
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "Description": "HTTPS to DynamoDB and S3 through the gateway endpoints (the VPC has no route to the internet)"
            }]
        }),
    );
    if l.bucket || b.plan.log_bucket.is_some() {
        storage::vpc_flow_log(b);
    }
}

/// What Lambda needs of the function's role to attach it to the VPC (the managed policy
/// AWSLambdaVPCAccessExecutionRole's actions): creating network interfaces only in the stack's
/// subnets, with its security group; managing the account's interfaces in the region. Describing
/// them cannot be scoped. None of it may be used by the function's own code.
fn network_statements() -> Vec<Node> {
    let subnet = |s: &str| {
        sub(format!(
            "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:subnet/${{FunctionSubnet{s}}}"
        ))
    };
    let interfaces =
        sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*");
    vec![
        json!({
            "Sid": "AttachToTheVpc",
            "Effect": "Allow",
            "Action": "ec2:CreateNetworkInterface",
            "Resource": [
                &interfaces,
                subnet("A"),
                subnet("B"),
                sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${FunctionSecurityGroup}")
            ]
        }),
        json!({
            "Sid": "ManageItsInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:AssignPrivateIpAddresses",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses"
            ],
            // Lambda's developer guide warns that narrowing these further (by condition) can
            // cut the function off from its VPC: the account's and region's interfaces.
            "Resource": interfaces
        }),
        json!({
            "Sid": "DescribeInterfaces",
            "Effect": "Allow",
            "Action": "ec2:DescribeNetworkInterfaces",
            "Resource": "*"
        }),
        // Lambda makes its interface calls outside the function's execution environment,
        // without `lambda:SourceFunctionArn`; a call the function's own code makes with the
        // role's credentials carries it. So the code cannot use the grants above on the
        // account's other interfaces, and Lambda still can.
        json!({
            "Sid": "NotFromTheFunctionsCode",
            "Effect": "Deny",
            "Action": [
                "ec2:AssignPrivateIpAddresses",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses"
            ],
            "Resource": "*",
            "Condition": {"Null": {"lambda:SourceFunctionArn": "false"}}
        }),
    ]
}

/// API Gateway's access to the function in the governed profile: a role of the stack's own that
/// API Gateway assumes (the integration's credentials) and that may invoke only this function.
/// There is no resource-based policy at all then, so nothing for CT.LAMBDA.PR.2 to judge, and
/// only someone allowed to pass the role can point an API at the function. Returns the
/// credentials to put on the integration; outside the profile, `permission` grants access.
fn invoke_role(b: &mut Builder<'_>) -> Option<Node> {
    if !b.plan.governed {
        return None;
    }
    b.add(
        "ApiInvokeRole",
        "AWS::IAM::Role",
        json!({
            "Description": "API Gateway's access to the function: invoke it, nothing else",
            // No `aws:SourceAccount` condition: API Gateway is not documented to set it when it
            // assumes an integration's role. What guards the role is `iam:PassRole`, which
            // cannot cross accounts; the bootstrap's roles may pass roles only to the services
            // Stackplan's templates use, and deploy only templates generated from plans.
            "AssumeRolePolicyDocument": policy_doc(vec![json!({
                "Effect": "Allow",
                "Principal": { "Service": "apigateway.amazonaws.com" },
                "Action": "sts:AssumeRole"
            })]),
            "Policies": [{
                "PolicyName": "invoke",
                "PolicyDocument": policy_doc(vec![json!({
                    "Sid": "InvokeFunction",
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": att("Function", "Arn")
                })])
            }]
        }),
    );
    Some(att("ApiInvokeRole", "Arn"))
}

/// API Gateway's access to the function outside the governed profile: a resource-based
/// permission scoped to the API's ARN and the account.
fn permission(b: &mut Builder<'_>, source_arn: Node) {
    if b.plan.governed {
        return;
    }
    b.add(
        "ApiInvokePermission",
        "AWS::Lambda::Permission",
        json!({
            "FunctionName": att("Function", "Arn"),
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceAccount": r("AWS::AccountId"),
            "SourceArn": source_arn
        }),
    );
}

fn http_api(b: &mut Builder<'_>, l: &Lambda) {
    log_group(b, "ApiLogGroup", "api", l.log_retention_days);
    b.add(
        "HttpApi",
        "AWS::ApiGatewayV2::Api",
        json!({ "Name": sub("${AWS::StackName}-api"), "ProtocolType": "HTTP" }),
    );
    let mut integration = json!({
        "ApiId": r("HttpApi"),
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": att("Function", "Arn"),
        "PayloadFormatVersion": "2.0"
    });
    if let Some(role) = invoke_role(b) {
        integration["CredentialsArn"] = role;
    }
    b.add(
        "HttpApiIntegration",
        "AWS::ApiGatewayV2::Integration",
        integration,
    );
    let mut route = json!({ "ApiId": r("HttpApi"), "RouteKey": "$default" });
    match &l.authorizer {
        None => route["AuthorizationType"] = json!("NONE"),
        Some(Authorizer::Iam) => route["AuthorizationType"] = json!("AWS_IAM"),
        Some(Authorizer::Jwt(jwt)) => {
            b.add(
                "HttpApiAuthorizer",
                "AWS::ApiGatewayV2::Authorizer",
                json!({
                    "ApiId": r("HttpApi"),
                    "Name": sub("${AWS::StackName}-jwt"),
                    "AuthorizerType": "JWT",
                    "IdentitySource": ["$request.header.Authorization"],
                    "JwtConfiguration": { "Issuer": jwt.issuer, "Audience": jwt.audience }
                }),
            );
            route["AuthorizationType"] = json!("JWT");
            route["AuthorizerId"] = r("HttpApiAuthorizer");
        }
    }
    route["Target"] = sub("integrations/${HttpApiIntegration}");
    b.add("HttpApiRoute", "AWS::ApiGatewayV2::Route", route);
    let access_format = json!({
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "method": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency"
    });
    let mut stage = json!({
        "ApiId": r("HttpApi"),
        "StageName": "$default",
        "AutoDeploy": true,
        "AccessLogSettings": {
            "DestinationArn": att("ApiLogGroup", "Arn"),
            "Format": access_format.to_string()
        }
    });
    if let Some(t) = &l.throttling {
        stage["DefaultRouteSettings"] = json!({
            "ThrottlingBurstLimit": t.burst,
            "ThrottlingRateLimit": t.rate_per_second
        });
    }
    b.add("HttpApiStage", "AWS::ApiGatewayV2::Stage", stage);
    permission(
        b,
        sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"),
    );
}

fn rest_api(b: &mut Builder<'_>, l: &Lambda) {
    b.add(
        "RestApi",
        "AWS::ApiGateway::RestApi",
        json!({
            "Name": sub("${AWS::StackName}-api"),
            "EndpointConfiguration": { "Types": ["REGIONAL"] }
        }),
    );
    b.add(
        "RestProxyResource",
        "AWS::ApiGateway::Resource",
        json!({ "RestApiId": r("RestApi"), "ParentId": att("RestApi", "RootResourceId"), "PathPart": "{proxy+}" }),
    );
    let mut integration = json!({
        "Type": "AWS_PROXY",
        "IntegrationHttpMethod": "POST",
        "Uri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function.Arn}/invocations")
    });
    if let Some(role) = invoke_role(b) {
        integration["Credentials"] = role;
    }
    let public_reason = "a public web API: authentication belongs to the application behind it";
    // The validator allows IAM only on a REST API.
    let authorization = match l.authorizer {
        None => "NONE",
        Some(_) => "AWS_IAM",
    };
    // What the stage serves is the deployment's snapshot of the API, taken when the deployment
    // is created. So the deployment's logical id carries a digest of what it snapshots: the
    // methods, and the function's package type (a new type replaces the function, whose new
    // ARN the methods' text does not show). Any change makes a new deployment, and the stage
    // moves to it; an unchanged API keeps its deployment.
    let mut snapshot = String::from(if l.image.is_some() { "Image" } else { "Zip" });
    for (id, resource) in [
        ("RestRootMethod", att("RestApi", "RootResourceId")),
        ("RestProxyMethod", r("RestProxyResource")),
    ] {
        let props = json!({
            "RestApiId": r("RestApi"),
            "ResourceId": resource,
            "HttpMethod": "ANY",
            "AuthorizationType": authorization,
            "Integration": &integration
        });
        snapshot.push_str(&props.to_string());
        let method = b.add(id, "AWS::ApiGateway::Method", props);
        if l.authorizer.is_none() {
            method.skip("CKV_AWS_59", public_reason);
        }
    }
    let deployment = format!("RestDeployment{:08x}", digest(&snapshot));
    b.add(
        deployment.clone(),
        "AWS::ApiGateway::Deployment",
        json!({ "RestApiId": r("RestApi") }),
    )
    .depends_on(&["RestRootMethod", "RestProxyMethod"]);
    let throttling = l.throttling.as_ref().unwrap_or(&Throttling::REST_DEFAULT);
    b.add(
        "RestStage",
        "AWS::ApiGateway::Stage",
        json!({
            "RestApiId": r("RestApi"),
            "DeploymentId": r(deployment.clone()),
            "StageName": REST_STAGE,
            "MethodSettings": [{
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingBurstLimit": throttling.burst,
                "ThrottlingRateLimit": throttling.rate_per_second
            }]
        }),
    )
    .skip(
        "CKV_AWS_76",
        "REST access logs need the account-wide API Gateway CloudWatch role, which one service's stack must not overwrite",
    )
    .skip("CKV_AWS_73", "X-Ray tracing bills per traced request; turn it on when investigating latency")
    .skip("CKV_AWS_120", "responses are dynamic; a stage cache cluster bills by the hour whether used or not");
    permission(
        b,
        sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"),
    );
}

/// A 32-bit FNV-1a digest: the same text gives the same digest on every platform and in every
/// release (unlike `std`'s hashers), so a template's logical ids are stable.
fn digest(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The API under the user's own name: a regional custom domain with the stack's certificate,
/// mapped to the API's stage at the root, and the alias record to it.
fn custom_domain(b: &mut Builder<'_>, l: &Lambda, d: &Domain) {
    domain::certificate(b, d);
    match l.api {
        ApiType::Http => {
            b.add(
                "ApiDomainName",
                "AWS::ApiGatewayV2::DomainName",
                json!({
                    "DomainName": d.name,
                    "DomainNameConfigurations": [{
                        "CertificateArn": domain::certificate_ref(),
                        "EndpointType": "REGIONAL",
                        "SecurityPolicy": "TLS_1_2"
                    }]
                }),
            );
            b.add(
                "ApiMapping",
                "AWS::ApiGatewayV2::ApiMapping",
                json!({
                    "ApiId": r("HttpApi"),
                    "DomainName": r("ApiDomainName"),
                    "Stage": r("HttpApiStage")
                }),
            );
        }
        ApiType::Rest => {
            b.add(
                "ApiDomainName",
                "AWS::ApiGateway::DomainName",
                json!({
                    "DomainName": d.name,
                    "RegionalCertificateArn": domain::certificate_ref(),
                    "EndpointConfiguration": { "Types": ["REGIONAL"] },
                    "SecurityPolicy": "TLS_1_2"
                }),
            );
            b.add(
                "ApiMapping",
                "AWS::ApiGateway::BasePathMapping",
                json!({
                    "DomainName": r("ApiDomainName"),
                    "RestApiId": r("RestApi"),
                    "Stage": r("RestStage")
                }),
            );
        }
    }
    // Both kinds of custom domain name their regional endpoint the same way.
    domain::alias(
        b,
        d,
        att("ApiDomainName", "RegionalDomainName"),
        att("ApiDomainName", "RegionalHostedZoneId"),
    );
}

fn outputs(b: &mut Builder<'_>, l: &Lambda) {
    let url = match (&b.plan.domain, l.api) {
        (Some(d), _) => json!(format!("https://{}", d.name)),
        (None, ApiType::Http) => att("HttpApi", "ApiEndpoint"),
        (None, ApiType::Rest) => sub(format!(
            "https://${{RestApi}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{REST_STAGE}"
        )),
    };
    b.output("ApiUrl", "URL of the API", url);
    b.output("FunctionName", "Lambda function", r("Function"));
    if l.image.is_none() {
        b.output(
            CODE_BUCKET_OUTPUT,
            "Upload the function's code here",
            r(storage::CODE_BUCKET),
        );
    }
    b.output("LogGroupName", "Function logs", r("FunctionLogGroup"));
    for table in &l.tables {
        let id = table_id(table);
        b.output(
            format!("{id}Name"),
            format!("DynamoDB table {}", table.name),
            r(id.clone()),
        );
    }
    if l.bucket {
        b.output("BucketName", "Application bucket", r(storage::APP_BUCKET));
    }
}
