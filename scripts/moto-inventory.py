"""Lists what exists in a moto server, through the AWS APIs (boto3), as JSON.

Used by the sandbox tests to check that a deployed stack's resources were really created:
`python scripts/moto-inventory.py http://127.0.0.1:PORT [ACCOUNT_ROLE_ARN]`.
The optional role is assumed first, so the listing is of that role's (moto) account.
"""

import json
import sys

import boto3


def main() -> None:
    endpoint = sys.argv[1]
    region = "us-east-1"
    creds = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
    if len(sys.argv) > 2:
        sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, **creds)
        c = sts.assume_role(RoleArn=sys.argv[2], RoleSessionName="inventory")["Credentials"]
        creds = {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }

    def client(name):
        return boto3.client(name, endpoint_url=endpoint, region_name=region, **creds)

    lam = client("lambda")
    functions = [
        {"name": f["FunctionName"], "memory_mb": f["MemorySize"], "architectures": f.get("Architectures", [])}
        for f in lam.list_functions()["Functions"]
    ]
    out = {
        "tables": sorted(client("dynamodb").list_tables()["TableNames"]),
        "functions": sorted(functions, key=lambda f: f["name"]),
        "buckets": sorted(b["Name"] for b in client("s3").list_buckets().get("Buckets", [])),
        "log_groups": sorted(g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]),
        "roles": sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"]),
        "vpcs": sorted(v["VpcId"] for v in client("ec2").describe_vpcs()["Vpcs"] if not v.get("IsDefault")),
        "ecs_clusters": sorted(client("ecs").list_clusters()["clusterArns"]),
        "rest_apis": sorted(a["name"] for a in client("apigateway").get_rest_apis().get("items", [])),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
