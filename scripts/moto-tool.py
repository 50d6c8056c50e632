"""Acts on a moto server through the AWS APIs (boto3) for the sandbox tests, printing JSON:

    python scripts/moto-tool.py ENDPOINT ROLE_ARN inventory
    python scripts/moto-tool.py ENDPOINT ROLE_ARN create-stack NAME TEMPLATE_FILE [KEY=VALUE ...] [tag:KEY=VALUE ...]
    python scripts/moto-tool.py ENDPOINT ROLE_ARN create-change-set STACK NAME TEMPLATE_FILE
    python scripts/moto-tool.py ENDPOINT ROLE_ARN describe-change-set STACK NAME
    python scripts/moto-tool.py ENDPOINT ROLE_ARN describe-stack STACK
    python scripts/moto-tool.py ENDPOINT ROLE_ARN role NAME_PART
    python scripts/moto-tool.py ENDPOINT ROLE_ARN certificate DOMAIN
    python scripts/moto-tool.py ENDPOINT ROLE_ARN hosted-zone NAME
    python scripts/moto-tool.py ENDPOINT ROLE_ARN secret NAME VALUE
    python scripts/moto-tool.py ENDPOINT ROLE_ARN parameter NAME VALUE
    python scripts/moto-tool.py ENDPOINT ROLE_ARN log-bucket NAME POLICY_JSON
    python scripts/moto-tool.py ENDPOINT ROLE_ARN repository NAME
    python scripts/moto-tool.py ENDPOINT ROLE_ARN put-image REPOSITORY TAG MANIFEST
    python scripts/moto-tool.py ENDPOINT ROLE_ARN lift-protection STACK
    python scripts/moto-tool.py ENDPOINT ROLE_ARN reset

The role is assumed first, so everything happens in that role's (moto) account. `inventory`
lists what exists, to check that a deployed stack's resources were really created; the others
make stacks and change sets *outside* Stackplan, and read what Stackplan cannot be trusted to
report about itself.
"""

import json
import sys
import urllib.request
import uuid

import boto3

REGION = "us-east-1"


def session(endpoint, role_arn):
    creds = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, **creds)
    c = sts.assume_role(RoleArn=role_arn, RoleSessionName="moto-tool")["Credentials"]
    creds = {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }
    return lambda name: boto3.client(name, endpoint_url=endpoint, region_name=REGION, **creds)


def inventory(client):
    lam = client("lambda")
    functions = [
        {
            "name": f["FunctionName"],
            "memory_mb": f["MemorySize"],
            "architectures": f.get("Architectures", []),
            "handler": f.get("Handler"),
            "code_sha256": f.get("CodeSha256"),
            "environment": f.get("Environment", {}).get("Variables", {}),
            "package_type": f.get("PackageType", "Zip"),
            "image_uri": lam.get_function(FunctionName=f["FunctionName"])["Code"].get("ImageUri"),
            "invoked_by": invokers(lam, f["FunctionName"]),
            "vpc_subnets": len(f.get("VpcConfig", {}).get("SubnetIds", [])),
        }
        for f in lam.list_functions()["Functions"]
    ]
    return {
        "tables": sorted(client("dynamodb").list_tables()["TableNames"]),
        "functions": sorted(functions, key=lambda f: f["name"]),
        "buckets": sorted(b["Name"] for b in client("s3").list_buckets().get("Buckets", [])),
        "log_groups": sorted(g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]),
        "encrypted_log_groups": sorted(
            g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"] if g.get("kmsKeyId")
        ),
        "kms_keys": kms_keys(client("kms")),
        "roles": sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"]),
        "vpcs": sorted(v["VpcId"] for v in client("ec2").describe_vpcs()["Vpcs"] if not v.get("IsDefault")),
        "nat_gateways": len(client("ec2").describe_nat_gateways()["NatGateways"]),
        "flow_logs": [f["LogDestination"] for f in client("ec2").describe_flow_logs()["FlowLogs"]],
        "ecs_clusters": sorted(
            c["clusterArn"]
            for c in client("ecs").describe_clusters(clusters=client("ecs").list_clusters()["clusterArns"])["clusters"]
            if c["status"] == "ACTIVE"
        ),
        "ecs_services": ecs_services(client("ecs")),
        "load_balancers": load_balancers(client("elbv2")),
        "db_instances": [
            {
                "id": d["DBInstanceIdentifier"],
                "engine": d["Engine"],
                "multi_az": d["MultiAZ"],
                "secret_arn": d.get("MasterUserSecret", {}).get("SecretArn"),
                "deletion_protection": d.get("DeletionProtection", False),
                "kms_key_id": d.get("KmsKeyId"),
                "monitoring_interval": d.get("MonitoringInterval", 0),
            }
            for d in client("rds").describe_db_instances()["DBInstances"]
        ],
        "secrets": sorted(s["ARN"] for s in client("secretsmanager").list_secrets()["SecretList"]),
        "replication_groups": [
            {
                "id": g["ReplicationGroupId"],
                "primary": g.get("NodeGroups", [{}])[0].get("PrimaryEndpoint", {}).get("Address"),
                "user_groups": g.get("UserGroupIds", []),
            }
            for g in client("elasticache").describe_replication_groups()["ReplicationGroups"]
        ],
        "cache_user_groups": cache_user_groups(client("elasticache")),
        "scalable_targets": [
            {"resource_id": t["ResourceId"], "min": t["MinCapacity"], "max": t["MaxCapacity"]}
            for t in client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")[
                "ScalableTargets"
            ]
        ],
        "scaling_policies": sorted(
            p["PolicyType"]
            for p in client("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs")[
                "ScalingPolicies"
            ]
        ),
        # The stack's own alarms; target tracking makes two more of its own, as on AWS.
        "alarms": sorted(
            a["MetricName"]
            for a in client("cloudwatch").describe_alarms()["MetricAlarms"]
            if not a["AlarmName"].startswith("TargetTracking-")
        ),
        "target_tracking_alarms": sum(
            a["AlarmName"].startswith("TargetTracking-")
            for a in client("cloudwatch").describe_alarms()["MetricAlarms"]
        ),
        "http_apis": http_apis(client("apigatewayv2")),
        "rest_apis": sorted(a["name"] for a in client("apigateway").get_rest_apis().get("items", [])),
        "certificates": certificates(client("acm")),
        "domain_records": domain_records(client("route53")),
        "api_domains": sorted(
            [d["DomainName"] for d in client("apigatewayv2").get_domain_names()["Items"]]
            + [d["domainName"] for d in client("apigateway").get_domain_names().get("items", [])]
        ),
    }


def certificates(acm):
    out = []
    for c in acm.list_certificates()["CertificateSummaryList"]:
        cert = acm.describe_certificate(CertificateArn=c["CertificateArn"])["Certificate"]
        out.append({"domain": cert["DomainName"], "status": cert["Status"]})
    return sorted(out, key=lambda c: (c["domain"], c["status"]))


def domain_records(route53):
    """The alias `A` records of every hosted zone: what points a name at a load balancer or an
    API's domain."""
    out = []
    for zone in route53.list_hosted_zones()["HostedZones"]:
        for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
            if r["Type"] == "A" and "AliasTarget" in r:
                out.append(
                    {
                        "name": r["Name"].rstrip("."),
                        "type": r["Type"],
                        "alias": r["AliasTarget"]["DNSName"].rstrip("."),
                    }
                )
    return sorted(out, key=lambda r: r["name"])


def ecs_services(ecs):
    services = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        described = ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []
        for s in (s for s in described if s["status"] == "ACTIVE"):
            task = ecs.describe_task_definition(taskDefinition=s["taskDefinition"])["taskDefinition"]
            services.append(
                {
                    "name": s["serviceName"],
                    "desired_count": s["desiredCount"],
                    "launch_type": s.get("launchType"),
                    "capacity_providers": sorted(
                        c["capacityProvider"] for c in s.get("capacityProviderStrategy", [])
                    ),
                    "target_groups": len(s.get("loadBalancers", [])),
                    "task_cpu": task.get("cpu"),
                    "task_memory": task.get("memory"),
                    "cpu_architecture": task.get("runtimePlatform", {}).get("cpuArchitecture"),
                    "image": task["containerDefinitions"][0]["image"],
                    "environment": {
                        e["name"]: e["value"] for e in task["containerDefinitions"][0].get("environment", [])
                    },
                    "secrets": {
                        e["name"]: e["valueFrom"] for e in task["containerDefinitions"][0].get("secrets", [])
                    },
                }
            )
    return services


def load_balancers(elbv2):
    out = []
    for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
        listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        out.append(
            {
                "dns": lb["DNSName"],
                "scheme": lb["Scheme"],
                "listeners": sorted(f"{l['Protocol']}:{l['Port']}" for l in listeners),
                "target_groups": target_groups(elbv2, lb["LoadBalancerArn"]),
                "deletion_protection": attributes(elbv2, lb["LoadBalancerArn"]).get("deletion_protection.enabled") == "true",
            }
        )
    return out


def target_groups(elbv2, arn):
    """How many target groups a load balancer has: none when they went with their stack (a load
    balancer kept by a delete), which moto answers with TargetGroupNotFound."""
    try:
        return len(elbv2.describe_target_groups(LoadBalancerArn=arn)["TargetGroups"])
    except elbv2.exceptions.TargetGroupNotFoundException:
        return 0


def attributes(elbv2, arn):
    return {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}


def kms_keys(kms):
    """The customer-managed keys that are not scheduled for deletion."""
    aws_managed = {
        a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/aws/")
    }
    out = []
    for k in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        if k["KeyId"] in aws_managed or meta.get("KeyManager") == "AWS" or meta["KeyState"] == "PendingDeletion":
            continue
        out.append({"id": meta["KeyId"], "rotation": kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"]})
    return out


def lift_protection(client, stack):
    """Lifts deletion protection from a stack's databases and load balancers, as an
    administrator does in a governed account before the stack can be deleted."""
    lifted = []
    for r in client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]:
        if r["ResourceType"] == "AWS::RDS::DBInstance":
            client("rds").modify_db_instance(DBInstanceIdentifier=r["PhysicalResourceId"], DeletionProtection=False)
            lifted.append(r["LogicalResourceId"])
        elif r["ResourceType"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            client("elbv2").modify_load_balancer_attributes(
                LoadBalancerArn=r["PhysicalResourceId"],
                Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}],
            )
            lifted.append(r["LogicalResourceId"])
    return {"lifted": sorted(lifted)}


def invokers(lam, name):
    """The principals the function's resource-based policy lets invoke it."""
    try:
        policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    except lam.exceptions.ResourceNotFoundException:
        return []
    return sorted(str(st.get("Principal", {}).get("Service", st.get("Principal"))) for st in policy["Statement"])


def cache_user_groups(ec):
    """Redis user groups with their users: name and access string."""
    out = []
    for group in ec.describe_user_groups()["UserGroups"]:
        users = [ec.describe_users(UserId=u)["Users"][0] for u in group["UserIds"]]
        out.append(
            {
                "id": group["UserGroupId"],
                "users": sorted(
                    ({"name": u["UserName"], "access": u["AccessString"], "auth": u["Authentication"]["Type"]} for u in users),
                    key=lambda u: u["name"],
                ),
            }
        )
    return out


def http_apis(apigw):
    out = []
    for api in apigw.get_apis()["Items"]:
        routes = apigw.get_routes(ApiId=api["ApiId"])["Items"]
        out.append(
            {
                "name": api["Name"],
                "endpoint": api.get("ApiEndpoint"),
                "routes": sorted(r["RouteKey"] for r in routes),
                "stages": sorted(s["StageName"] for s in apigw.get_stages(ApiId=api["ApiId"])["Items"]),
                "integration_credentials": sorted(
                    i["CredentialsArn"]
                    for i in apigw.get_integrations(ApiId=api["ApiId"])["Items"]
                    if i.get("CredentialsArn")
                ),
            }
        )
    return out


def create_stack(client, name, template_file, *params):
    cfn = client("cloudformation")
    with open(template_file) as f:
        body = f.read()
    # `tag:KEY=VALUE` is a stack tag (a tag key may hold `:` and `=` may not); the rest are parameters.
    tags = [{"Key": k, "Value": v} for k, v in (p[len("tag:"):].split("=", 1) for p in params if p.startswith("tag:"))]
    parameters = [
        {"ParameterKey": k, "ParameterValue": v}
        for k, v in (p.split("=", 1) for p in params if not p.startswith("tag:"))
    ]
    stack_id = cfn.create_stack(
        StackName=name, TemplateBody=body, Parameters=parameters, Capabilities=["CAPABILITY_IAM"], Tags=tags
    )["StackId"]
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {"id": stack_id, "status": stack["StackStatus"], "outputs": outputs}


def create_change_set(client, stack, name, template_file):
    with open(template_file) as f:
        body = f.read()
    out = client("cloudformation").create_change_set(
        StackName=stack, ChangeSetName=name, TemplateBody=body, ChangeSetType="UPDATE",
        Capabilities=["CAPABILITY_IAM"],
    )
    return {"id": out["Id"]}


def describe_change_set(client, stack, name):
    out = client("cloudformation").describe_change_set(StackName=stack, ChangeSetName=name)
    return {"status": out["Status"], "execution_status": out.get("ExecutionStatus")}


def describe_stack(client, stack):
    s = client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {"id": s["StackId"], "status": s["StackStatus"], "tags": {t["Key"]: t["Value"] for t in s.get("Tags", [])}}


def role(client, name_part):
    iam = client("iam")
    for r in iam.list_roles()["Roles"]:
        if name_part in r["RoleName"]:
            full = iam.get_role(RoleName=r["RoleName"])["Role"]
            boundary = full.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
            return {"name": r["RoleName"], "permissions_boundary": boundary}
    return None


def certificate(client, domain):
    """Requests an ACM certificate, as a user does before an HTTPS plan (its ARN goes into the
    plan)."""
    arn = client("acm").request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]
    return {"arn": arn}


def hosted_zone(client, name):
    """Makes a public hosted zone, as a user has one for the domain a plan names (its id goes
    into the plan)."""
    zone = client("route53").create_hosted_zone(Name=name, CallerReference=str(uuid.uuid4()))["HostedZone"]
    return {"id": zone["Id"].split("/")[-1]}


def secret(client, name, value):
    """Keeps a secret in Secrets Manager, as a user does before naming it in a plan."""
    arn = client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
    return {"arn": arn}


def log_bucket(client, name, policy):
    """Makes a bucket for access logs, as a user does before naming it in a plan (`log_bucket`):
    S3-managed encryption, owner-enforced objects, and the policy `stackplan log-bucket-policy`
    printed. Answers the bucket's policy as S3 keeps it."""
    s3 = client("s3")
    region = s3.meta.region_name
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_policy(Bucket=name, Policy=policy)
    return {"name": name, "policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])}


def parameter(client, name, value):
    """Keeps a SecureString in Parameter Store, as a user does before naming it in a plan."""
    client("ssm").put_parameter(Name=name, Value=value, Type="SecureString")
    return {"name": name}


def repository(client, name):
    """Makes an ECR repository of the user's own, as a user does before pushing an image a plan
    names."""
    out = client("ecr").create_repository(repositoryName=name)
    return {"uri": out["repository"]["repositoryUri"]}


def put_image(client, repository, tag, manifest):
    """Records an image in a sandbox repository, as a `docker push` would (moto has no
    registry): PutImage with a manifest."""
    out = client("ecr").put_image(repositoryName=repository, imageTag=tag, imageManifest=manifest)
    return {"digest": out["image"]["imageId"]["imageDigest"]}


def reset(endpoint):
    """Forgets everything the sandbox holds (moto's reset API)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return {"status": answer.status}


COMMANDS = {
    "inventory": inventory,
    "create-stack": create_stack,
    "create-change-set": create_change_set,
    "describe-change-set": describe_change_set,
    "describe-stack": describe_stack,
    "role": role,
    "certificate": certificate,
    "hosted-zone": hosted_zone,
    "secret": secret,
    "parameter": parameter,
    "log-bucket": log_bucket,
    "repository": repository,
    "put-image": put_image,
    "lift-protection": lift_protection,
}


def main() -> None:
    endpoint, role_arn, command, *args = sys.argv[1:]
    if command == "reset":
        print(json.dumps(reset(endpoint)))
        return
    print(json.dumps(COMMANDS[command](session(endpoint, role_arn), *args), indent=2))


if __name__ == "__main__":
    main()
