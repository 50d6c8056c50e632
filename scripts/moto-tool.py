"""Acts on a moto server through the AWS APIs (boto3) for the sandbox tests, printing JSON:

    python scripts/moto-tool.py ENDPOINT ROLE_ARN inventory
    python scripts/moto-tool.py ENDPOINT ROLE_ARN create-stack NAME TEMPLATE_FILE [KEY=VALUE ...]
    python scripts/moto-tool.py ENDPOINT ROLE_ARN create-change-set STACK NAME TEMPLATE_FILE
    python scripts/moto-tool.py ENDPOINT ROLE_ARN describe-change-set STACK NAME
    python scripts/moto-tool.py ENDPOINT ROLE_ARN describe-stack STACK
    python scripts/moto-tool.py ENDPOINT ROLE_ARN role NAME_PART

The role is assumed first, so everything happens in that role's (moto) account. `inventory`
lists what exists, to check that a deployed stack's resources were really created; the others
make stacks and change sets *outside* Stackplan, and read what Stackplan cannot be trusted to
report about itself.
"""

import json
import sys

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
        {"name": f["FunctionName"], "memory_mb": f["MemorySize"], "architectures": f.get("Architectures", [])}
        for f in lam.list_functions()["Functions"]
    ]
    return {
        "tables": sorted(client("dynamodb").list_tables()["TableNames"]),
        "functions": sorted(functions, key=lambda f: f["name"]),
        "buckets": sorted(b["Name"] for b in client("s3").list_buckets().get("Buckets", [])),
        "log_groups": sorted(g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]),
        "roles": sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"]),
        "vpcs": sorted(v["VpcId"] for v in client("ec2").describe_vpcs()["Vpcs"] if not v.get("IsDefault")),
        "ecs_clusters": sorted(client("ecs").list_clusters()["clusterArns"]),
        "rest_apis": sorted(a["name"] for a in client("apigateway").get_rest_apis().get("items", [])),
    }


def create_stack(client, name, template_file, *params):
    cfn = client("cloudformation")
    with open(template_file) as f:
        body = f.read()
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in (p.split("=", 1) for p in params)]
    stack_id = cfn.create_stack(
        StackName=name, TemplateBody=body, Parameters=parameters, Capabilities=["CAPABILITY_IAM"]
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


COMMANDS = {
    "inventory": inventory,
    "create-stack": create_stack,
    "create-change-set": create_change_set,
    "describe-change-set": describe_change_set,
    "describe-stack": describe_stack,
    "role": role,
}


def main() -> None:
    endpoint, role_arn, command, *args = sys.argv[1:]
    print(json.dumps(COMMANDS[command](session(endpoint, role_arn), *args), indent=2))


if __name__ == "__main__":
    main()
