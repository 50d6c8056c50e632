"""Each extension against moto alone: a stack with the resource, checked through the
service's own API, then deleted and checked gone."""

from __future__ import annotations

import json
import os
import unittest
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402

import stackplan_sandbox  # noqa: E402

REGION = "us-east-1"


def setUpModule() -> None:
    stackplan_sandbox.install()


def network() -> dict[str, Any]:
    """A VPC with two subnets and a security group, for resources that live in one."""
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SubnetA": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
        },
        "SubnetB": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1b"},
        },
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "test", "VpcId": {"Ref": "Vpc"}},
        },
    }


def parameter_types(parameters: dict[str, str]) -> dict[str, Any]:
    return {name: {"Type": "String"} for name in parameters}


def parameter_values(parameters: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()]


class Case(unittest.TestCase):
    def setUp(self) -> None:
        mock = mock_aws()
        mock.start()
        self.addCleanup(mock.stop)
        self.cf = boto3.client("cloudformation", region_name=REGION)

    def client(self, name: str) -> Any:
        return boto3.client(name, region_name=REGION)

    def create(
        self, resources: dict[str, Any], outputs: dict[str, Any] | None = None, parameters: dict[str, str] | None = None
    ) -> dict[str, str]:
        """Creates the stack (with its string parameters); answers its outputs. Fails with the
        stack's events if it failed."""
        template = {"Resources": resources, "Outputs": outputs or {}}
        if parameters:
            template["Parameters"] = parameter_types(parameters)
        self.cf.create_stack(StackName="ext", TemplateBody=json.dumps(template), Parameters=parameter_values(parameters), Capabilities=["CAPABILITY_IAM"])
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        events = self.cf.describe_stack_events(StackName="ext")["StackEvents"]
        self.assertEqual(
            stack["StackStatus"],
            "CREATE_COMPLETE",
            [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in events],
        )
        self.stack_id = stack["StackId"]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def delete(self) -> None:
        self.cf.delete_stack(StackName="ext")
        stack = self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]
        events = self.cf.describe_stack_events(StackName=self.stack_id)["StackEvents"]
        self.assertEqual(
            stack["StackStatus"],
            "DELETE_COMPLETE",
            [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in events],
        )
        skipped = [e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "DELETE_SKIPPED"]
        self.assertEqual(skipped, [], "every resource is really deleted")


class ElastiCache(Case):
    def test_a_replication_group_in_its_subnet_group_with_its_endpoints(self) -> None:
        resources = network() | {
            "CacheSubnets": {
                "Type": "AWS::ElastiCache::SubnetGroup",
                "Properties": {"Description": "cache", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
            },
            "Cache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {
                    "ReplicationGroupDescription": "redis",
                    "Engine": "redis",
                    "CacheNodeType": "cache.t4g.micro",
                    "NumCacheClusters": 2,
                    "AutomaticFailoverEnabled": True,
                    "MultiAZEnabled": True,
                    "Port": 6380,
                    "CacheSubnetGroupName": {"Ref": "CacheSubnets"},
                    "SecurityGroupIds": [{"Ref": "Group"}],
                    "TransitEncryptionEnabled": True,
                    "Tags": [{"Key": "team", "Value": "web"}],
                },
            },
        }
        out = self.create(
            resources,
            {
                "Address": {"Value": {"Fn::GetAtt": ["Cache", "PrimaryEndPoint.Address"]}},
                "Port": {"Value": {"Fn::GetAtt": ["Cache", "PrimaryEndPoint.Port"]}},
                "Reader": {"Value": {"Fn::GetAtt": ["Cache", "ReaderEndPoint.Address"]}},
                "Id": {"Value": {"Ref": "Cache"}},
                "Subnets": {"Value": {"Ref": "CacheSubnets"}},
            },
        )
        ec = self.client("elasticache")
        group = ec.describe_replication_groups(ReplicationGroupId=out["Id"])["ReplicationGroups"][0]
        self.assertEqual(group["NodeGroups"][0]["PrimaryEndpoint"], {"Address": out["Address"], "Port": 6380})
        self.assertEqual(out["Port"], "6380")
        self.assertTrue(out["Reader"].startswith("replica."), out)
        self.assertEqual(len(group["MemberClusters"]), 2)
        self.assertEqual(group["MultiAZ"], "enabled")
        self.assertTrue(group["TransitEncryptionEnabled"])
        subnets = ec.describe_cache_subnet_groups(CacheSubnetGroupName=out["Subnets"])["CacheSubnetGroups"]
        self.assertEqual(len(subnets[0]["Subnets"]), 2)
        self.assertEqual(out["Subnets"], out["Subnets"].lower())
        self.delete()
        self.assertEqual(ec.describe_replication_groups()["ReplicationGroups"], [])
        self.assertEqual(ec.describe_cache_subnet_groups()["CacheSubnetGroups"], [])

    def rbac(self, users: dict[str, Any]) -> dict[str, Any]:
        """A replication group signed in to through a user group of these users."""
        return network() | users | {
            "CacheSubnets": {
                "Type": "AWS::ElastiCache::SubnetGroup",
                "Properties": {"Description": "cache", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
            },
            "Users": {
                "Type": "AWS::ElastiCache::UserGroup",
                "Properties": {
                    "UserGroupId": {"Fn::Sub": ["grp-${Id}", {"Id": {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}}]},
                    "Engine": "redis",
                    "UserIds": [{"Ref": name} for name in users],
                    "Tags": [{"Key": "team", "Value": "web"}],
                },
            },
            "Cache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {
                    "ReplicationGroupDescription": "redis",
                    "Engine": "redis",
                    "EngineVersion": "7.1",
                    "CacheNodeType": "cache.t4g.micro",
                    "NumCacheClusters": 1,
                    "CacheSubnetGroupName": {"Ref": "CacheSubnets"},
                    "SecurityGroupIds": [{"Ref": "Group"}],
                    "TransitEncryptionEnabled": True,
                    "UserGroupIds": [{"Ref": "Users"}],
                },
            },
        }

    def test_role_based_access_a_switched_off_default_user_and_the_services_user_with_a_password(self) -> None:
        users = {
            "Default": {
                "Type": "AWS::ElastiCache::User",
                "Properties": {
                    "UserId": "Off-Default",
                    "UserName": "default",
                    "Engine": "redis",
                    "AccessString": "off -@all",
                    "AuthenticationMode": {"Type": "no-password-required"},
                },
            },
            "Service": {
                "Type": "AWS::ElastiCache::User",
                "Properties": {
                    "UserId": "svc-shop",
                    "UserName": "service",
                    "Engine": "redis",
                    "AccessString": "on ~* &* +@all",
                    "AuthenticationMode": {"Type": "password", "Passwords": ["a-password-of-32-characters-long"]},
                },
            },
        }
        out = self.create(
            self.rbac(users),
            {
                "Group": {"Value": {"Ref": "Users"}},
                "GroupArn": {"Value": {"Fn::GetAtt": ["Users", "Arn"]}},
                "Default": {"Value": {"Ref": "Default"}},
                "ServiceStatus": {"Value": {"Fn::GetAtt": ["Service", "Status"]}},
                "Cache": {"Value": {"Ref": "Cache"}},
            },
        )
        uuid = self.stack_id.split("/")[2]
        self.assertEqual(out["Group"], f"grp-{uuid}")
        self.assertEqual(out["Default"], "off-default", "AWS keeps user IDs in lower case")
        self.assertEqual(out["ServiceStatus"], "active")
        ec = self.client("elasticache")
        group = ec.describe_user_groups(UserGroupId=out["Group"])["UserGroups"][0]
        self.assertEqual(group["ARN"], out["GroupArn"])
        self.assertEqual(sorted(group["UserIds"]), ["off-default", "svc-shop"])
        self.assertEqual(group["ReplicationGroups"], [out["Cache"]])
        self.assertEqual(ec.list_tags_for_resource(ResourceName=group["ARN"])["TagList"], [{"Key": "team", "Value": "web"}])
        replication = ec.describe_replication_groups(ReplicationGroupId=out["Cache"])["ReplicationGroups"][0]
        self.assertEqual(replication["UserGroupIds"], [out["Group"]])
        service = ec.describe_users(UserId="svc-shop")["Users"][0]
        self.assertEqual((service["UserName"], service["AccessString"]), ("service", "on ~* &* +@all"))
        self.assertEqual(service["Authentication"], {"Type": "password", "PasswordCount": 1})
        default = ec.describe_users(UserId="off-default")["Users"][0]
        self.assertEqual((default["UserName"], default["Authentication"]["Type"]), ("default", "no-password"))
        with self.assertRaises(ClientError) as in_use:
            ec.delete_user_group(UserGroupId=out["Group"])
        self.assertEqual(in_use.exception.response["Error"]["Code"], "InvalidUserGroupState")
        self.delete()
        self.assertEqual(ec.describe_user_groups()["UserGroups"], [])
        remaining = [u["UserId"] for u in ec.describe_users()["Users"]]
        self.assertEqual(remaining, ["default"], "only the account's own default user is left")

    def test_a_user_group_without_a_default_user_fails_the_stack(self) -> None:
        users = {
            "Service": {
                "Type": "AWS::ElastiCache::User",
                "Properties": {
                    "UserId": "svc-shop",
                    "UserName": "service",
                    "Engine": "redis",
                    "AccessString": "on ~* +@all",
                    "AuthenticationMode": {"Type": "password", "Passwords": ["a-password-of-32-characters-long"]},
                },
            },
        }
        template = {"Resources": self.rbac(users)}
        self.cf.create_stack(StackName="ext", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        self.assertIn(stack["StackStatus"], ("CREATE_FAILED", "ROLLBACK_COMPLETE"))
        reasons = [e.get("ResourceStatusReason", "") for e in self.cf.describe_stack_events(StackName="ext")["StackEvents"]]
        self.assertTrue(any("default" in r for r in reasons), reasons)


def ecs_service() -> dict[str, Any]:
    """An ECS cluster with one Fargate service, for autoscaling."""
    return network() | {
        "Cluster": {"Type": "AWS::ECS::Cluster"},
        "Task": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": "app",
                "Cpu": "256",
                "Memory": "512",
                "NetworkMode": "awsvpc",
                "RequiresCompatibilities": ["FARGATE"],
                "ContainerDefinitions": [{"Name": "app", "Image": "nginx", "Essential": True}],
            },
        },
        "Service": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "Cluster": {"Ref": "Cluster"},
                "TaskDefinition": {"Ref": "Task"},
                "DesiredCount": 2,
                "LaunchType": "FARGATE",
                "NetworkConfiguration": {
                    "AwsvpcConfiguration": {"Subnets": [{"Ref": "SubnetA"}], "SecurityGroups": [{"Ref": "Group"}]}
                },
            },
        },
    }


class ECS(Case):
    def test_a_fargate_service_keeps_every_property_of_its_template(self) -> None:
        resources = ecs_service()
        resources["Task"]["Properties"] |= {
            "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
            "EphemeralStorage": {"SizeInGiB": 40},
            "ExecutionRoleArn": "arn:aws:iam::123456789012:role/exec",
        }
        resources["Service"]["Properties"] |= {
            "PropagateTags": "SERVICE",
            "LoadBalancers": [{"ContainerName": "app", "ContainerPort": 80, "TargetGroupArn": "arn:tg"}],
        }
        self.create(resources)
        ecs = self.client("ecs")
        cluster = ecs.list_clusters()["clusterArns"][0]
        service = ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])[
            "services"
        ][0]
        self.assertEqual((service["launchType"], service["desiredCount"]), ("FARGATE", 2))
        self.assertEqual(service["loadBalancers"][0]["containerPort"], 80)
        self.assertEqual(service["propagateTags"], "SERVICE")
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        self.assertEqual(
            (task["cpu"], task["memory"], task["networkMode"], task["requiresCompatibilities"]),
            ("256", "512", "awsvpc", ["FARGATE"]),
        )
        self.assertEqual(task["runtimePlatform"]["cpuArchitecture"], "ARM64")
        self.assertEqual(task["ephemeralStorage"], {"sizeInGiB": 40})
        self.assertEqual(task["executionRoleArn"], "arn:aws:iam::123456789012:role/exec")
        self.delete()

    def test_a_capacity_provider_strategy_replaces_the_launch_type(self) -> None:
        resources = ecs_service()
        del resources["Service"]["Properties"]["LaunchType"]
        resources["Service"]["Properties"]["CapacityProviderStrategy"] = [
            {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
        ]
        self.create(resources)
        ecs = self.client("ecs")
        cluster = ecs.list_clusters()["clusterArns"][0]
        service = ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])[
            "services"
        ][0]
        self.assertNotIn("launchType", service)
        self.assertEqual(
            service["capacityProviderStrategy"],
            [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0},
            ],
        )
        self.delete()

    def test_a_changed_task_definition_is_a_new_revision(self) -> None:
        resources = ecs_service()
        self.create(resources)
        resources["Task"]["Properties"]["Cpu"] = "512"
        resources["Task"]["Properties"]["Memory"] = "1024"
        self.cf.update_stack(StackName="ext", TemplateBody=json.dumps({"Resources": resources}), Capabilities=["CAPABILITY_IAM"])
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        ecs = self.client("ecs")
        self.assertEqual(ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"][-1][-6:], "/app:2")
        task = ecs.describe_task_definition(taskDefinition="app:2")["taskDefinition"]
        self.assertEqual((task["cpu"], task["memory"]), ("512", "1024"))
        self.assertEqual(
            [a.rsplit("/", 1)[1] for a in ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"]], ["app:1"]
        )
        self.delete()


class ApplicationAutoScaling(Case):
    def test_a_scalable_target_and_a_target_tracking_policy_on_a_service(self) -> None:
        resources = ecs_service() | {
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "ServiceNamespace": "ecs",
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "ResourceId": {"Fn::Sub": "service/${Cluster}/${Service.Name}"},
                    "MinCapacity": 2,
                    "MaxCapacity": 10,
                },
            },
            "Policy": {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {
                    "PolicyName": "cpu",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": {"Ref": "Target"},
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                        "TargetValue": 70,
                    },
                },
            },
        }
        out = self.create(resources, {"Target": {"Value": {"Ref": "Target"}}, "Policy": {"Value": {"Ref": "Policy"}}})
        aas = self.client("application-autoscaling")
        target = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
        self.assertEqual((target["MinCapacity"], target["MaxCapacity"]), (2, 10))
        self.assertEqual(out["Target"], f"{target['ResourceId']}|ecs:service:DesiredCount|ecs")
        policy = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]
        self.assertEqual(policy["PolicyARN"], out["Policy"])
        self.assertEqual(policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"], 70)
        self.delete()
        self.assertEqual(aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"], [])
        self.assertEqual(aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"], [])


class CloudWatch(Case):
    def test_a_metric_alarm_with_a_generated_name(self) -> None:
        resources = {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Namespace": "AWS/ECS",
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "ClusterName", "Value": "c"}],
                    "Statistic": "Average",
                    "Period": 300,
                    "EvaluationPeriods": 2,
                    "Threshold": 80,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "TreatMissingData": "notBreaching",
                    "AlarmActions": [{"Ref": "Topic"}],
                    "OKActions": [{"Ref": "Topic"}],
                },
            },
        }
        out = self.create(resources, {"Name": {"Value": {"Ref": "Alarm"}}, "Arn": {"Value": {"Fn::GetAtt": ["Alarm", "Arn"]}}})
        self.assertTrue(out["Name"].startswith("ext-Alarm-"), out)
        alarm = self.client("cloudwatch").describe_alarms(AlarmNames=[out["Name"]])["MetricAlarms"][0]
        self.assertEqual(alarm["AlarmArn"], out["Arn"])
        self.assertEqual((alarm["Threshold"], alarm["EvaluationPeriods"]), (80.0, 2))
        self.assertEqual(alarm["Dimensions"], [{"Name": "ClusterName", "Value": "c"}])
        self.assertEqual(len(alarm["OKActions"]), 1)
        self.delete()
        self.assertEqual(self.client("cloudwatch").describe_alarms()["MetricAlarms"], [])


class ApiGatewayV2(Case):
    def test_an_http_api_with_its_integration_route_and_default_stage(self) -> None:
        resources = {
            "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "shop", "ProtocolType": "HTTP"}},
            "Integration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "IntegrationType": "HTTP_PROXY",
                    "IntegrationMethod": "ANY",
                    "IntegrationUri": "https://example.com",
                    "PayloadFormatVersion": "1.0",
                },
            },
            "Route": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "RouteKey": "$default",
                    "Target": {"Fn::Sub": "integrations/${Integration}"},
                },
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True, "Tags": {"Team": "web"}},
            },
        }
        out = self.create(
            resources,
            {
                "Endpoint": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
                "Id": {"Value": {"Ref": "Api"}},
                "Stage": {"Value": {"Ref": "Stage"}},
            },
        )
        self.assertEqual(out["Endpoint"], f"https://{out['Id']}.execute-api.us-east-1.amazonaws.com")
        self.assertEqual(out["Stage"], "$default")
        apigw = self.client("apigatewayv2")
        integration = apigw.get_integrations(ApiId=out["Id"])["Items"][0]
        route = apigw.get_routes(ApiId=out["Id"])["Items"][0]
        self.assertEqual(route["Target"], f"integrations/{integration['IntegrationId']}")
        stage = apigw.get_stages(ApiId=out["Id"])["Items"][0]
        self.assertEqual((stage["StageName"], stage["AutoDeploy"], stage["Tags"]), ("$default", True, {"Team": "web"}))
        self.delete()
        self.assertEqual(apigw.get_apis()["Items"], [])

    def test_a_jwt_authorizer_guards_the_default_route_and_iam_another(self) -> None:
        issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1"
        resources = {
            "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "shop", "ProtocolType": "HTTP"}},
            "Integration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "IntegrationType": "HTTP_PROXY",
                    "IntegrationMethod": "ANY",
                    "IntegrationUri": "https://example.com",
                    "PayloadFormatVersion": "1.0",
                },
            },
            "Authorizer": {
                "Type": "AWS::ApiGatewayV2::Authorizer",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "Name": "jwt",
                    "AuthorizerType": "JWT",
                    "IdentitySource": ["$request.header.Authorization"],
                    "JwtConfiguration": {"Issuer": issuer, "Audience": ["client-a", "client-b"]},
                },
            },
            "JwtRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "RouteKey": "$default",
                    "AuthorizationType": "JWT",
                    "AuthorizerId": {"Ref": "Authorizer"},
                    "AuthorizationScopes": ["orders/read"],
                    "Target": {"Fn::Sub": "integrations/${Integration}"},
                },
            },
            "IamRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {"ApiId": {"Ref": "Api"}, "RouteKey": "GET /admin", "AuthorizationType": "AWS_IAM"},
            },
        }
        out = self.create(
            resources,
            {
                "Id": {"Value": {"Ref": "Api"}},
                "Authorizer": {"Value": {"Ref": "Authorizer"}},
                "AuthorizerId": {"Value": {"Fn::GetAtt": ["Authorizer", "AuthorizerId"]}},
                "JwtRoute": {"Value": {"Ref": "JwtRoute"}},
                "IamRoute": {"Value": {"Ref": "IamRoute"}},
            },
        )
        self.assertEqual(out["Authorizer"], out["AuthorizerId"])
        apigw = self.client("apigatewayv2")
        listed = apigw.get_authorizers(ApiId=out["Id"])["Items"]
        self.assertEqual([a["AuthorizerId"] for a in listed], [out["Authorizer"]])
        authorizer = apigw.get_authorizer(ApiId=out["Id"], AuthorizerId=out["Authorizer"])
        self.assertEqual((authorizer["Name"], authorizer["AuthorizerType"]), ("jwt", "JWT"))
        self.assertEqual(authorizer["IdentitySource"], ["$request.header.Authorization"])
        self.assertEqual(authorizer["JwtConfiguration"], {"Issuer": issuer, "Audience": ["client-a", "client-b"]})
        jwt_route = apigw.get_route(ApiId=out["Id"], RouteId=out["JwtRoute"])
        self.assertEqual(jwt_route["RouteKey"], "$default")
        self.assertEqual(jwt_route["AuthorizationType"], "JWT")
        self.assertEqual(jwt_route["AuthorizerId"], out["Authorizer"])
        self.assertEqual(jwt_route["AuthorizationScopes"], ["orders/read"])
        integration = apigw.get_integrations(ApiId=out["Id"])["Items"][0]
        self.assertEqual(jwt_route["Target"], f"integrations/{integration['IntegrationId']}")
        iam_route = apigw.get_route(ApiId=out["Id"], RouteId=out["IamRoute"])
        self.assertEqual(iam_route["AuthorizationType"], "AWS_IAM")
        self.assertNotIn("AuthorizerId", iam_route)
        self.delete()
        self.assertEqual(apigw.get_apis()["Items"], [])

    def test_a_request_authorizer_on_an_api_outside_the_stack_goes_with_the_stack(self) -> None:
        """The API outlives the stack, so the authorizer's own delete is what removes it."""
        apigw = self.client("apigatewayv2")
        api_id = apigw.create_api(Name="kept", ProtocolType="HTTP")["ApiId"]
        function = "arn:aws:lambda:us-east-1:123456789012:function:authorize"
        uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"
        resources = {
            "Authorizer": {
                "Type": "AWS::ApiGatewayV2::Authorizer",
                "Properties": {
                    "ApiId": {"Ref": "ApiId"},
                    "Name": "lambda",
                    "AuthorizerType": "REQUEST",
                    "AuthorizerUri": uri,
                    "AuthorizerPayloadFormatVersion": "2.0",
                    "EnableSimpleResponses": True,
                    "AuthorizerResultTtlInSeconds": 300,
                    "IdentitySource": ["$request.header.Authorization", "$context.routeKey"],
                },
            },
            "Route": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "ApiId"},
                    "RouteKey": "GET /orders",
                    "AuthorizationType": "CUSTOM",
                    "AuthorizerId": {"Ref": "Authorizer"},
                },
            },
        }
        out = self.create(resources, {"Authorizer": {"Value": {"Ref": "Authorizer"}}}, {"ApiId": api_id})
        authorizer = apigw.get_authorizer(ApiId=api_id, AuthorizerId=out["Authorizer"])
        self.assertEqual(authorizer["AuthorizerType"], "REQUEST")
        self.assertEqual(authorizer["AuthorizerUri"], uri)
        self.assertEqual(authorizer["AuthorizerPayloadFormatVersion"], "2.0")
        self.assertIs(authorizer["EnableSimpleResponses"], True)
        self.assertEqual(authorizer["AuthorizerResultTtlInSeconds"], 300)
        self.assertEqual(authorizer["IdentitySource"], ["$request.header.Authorization", "$context.routeKey"])
        self.assertNotIn("JwtConfiguration", authorizer)
        route = apigw.get_routes(ApiId=api_id)["Items"][0]
        self.assertEqual((route["AuthorizationType"], route["AuthorizerId"]), ("CUSTOM", out["Authorizer"]))
        self.delete()
        self.assertEqual(apigw.get_authorizers(ApiId=api_id)["Items"], [])
        self.assertEqual(apigw.get_routes(ApiId=api_id)["Items"], [])
        self.assertEqual([a["ApiId"] for a in apigw.get_apis()["Items"]], [api_id])


class RestApiIntegration(Case):
    def method(self, credentials: Any) -> dict[str, Any]:
        return {
            "RestApi": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "orders"}},
            "Method": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "RestApi"},
                    "ResourceId": {"Fn::GetAtt": ["RestApi", "RootResourceId"]},
                    "HttpMethod": "ANY",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
                        "Credentials": credentials,
                    },
                },
            },
        }

    def test_a_methods_integration_keeps_the_role_api_gateway_assumes(self) -> None:
        resources = self.method({"Fn::GetAtt": ["Invoker", "Arn"]}) | {
            "Invoker": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}
                        ],
                    }
                },
            },
        }
        out = self.create(
            resources,
            {
                "Api": {"Value": {"Ref": "RestApi"}},
                "Root": {"Value": {"Fn::GetAtt": ["RestApi", "RootResourceId"]}},
                "Role": {"Value": {"Fn::GetAtt": ["Invoker", "Arn"]}},
            },
        )
        integration = self.client("apigateway").get_integration(
            restApiId=out["Api"], resourceId=out["Root"], httpMethod="ANY"
        )
        self.assertEqual(integration["credentials"], out["Role"])
        self.delete()

    def test_another_accounts_role_fails_the_stack(self) -> None:
        template = {"Resources": self.method("arn:aws:iam::210987654321:role/invoker")}
        self.cf.create_stack(StackName="ext", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        self.assertIn(stack["StackStatus"], ("CREATE_FAILED", "ROLLBACK_COMPLETE"))


class SecretsManager(Case):
    def test_a_generated_secret_and_a_dynamic_reference_to_it(self) -> None:
        resources = {
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "GenerateSecretString": {
                        "SecretStringTemplate": '{"user": "app"}',
                        "GenerateStringKey": "token",
                        "PasswordLength": 40,
                        "ExcludePunctuation": True,
                    }
                },
            },
            # A parameter whose value is the secret's token, by dynamic reference.
            "Copy": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": "copy",
                    "Type": "String",
                    "Value": {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:token}}"},
                },
            },
        }
        out = self.create(resources, {"Arn": {"Value": {"Ref": "Secret"}}, "Copy": {"Value": {"Ref": "Copy"}}})
        value = json.loads(self.client("secretsmanager").get_secret_value(SecretId=out["Arn"])["SecretString"])
        self.assertEqual(value["user"], "app")
        self.assertEqual(len(value["token"]), 40)
        self.assertTrue(value["token"].isalnum(), value)
        copied = self.client("ssm").get_parameter(Name=out["Copy"])["Parameter"]["Value"]
        self.assertEqual(copied, value["token"])
        self.delete()
        self.assertEqual(self.client("secretsmanager").list_secrets()["SecretList"], [])


class S3(Case):
    POLICY = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [{"Fn::Sub": "${Bucket.Arn}"}, {"Fn::Sub": "${Bucket.Arn}/*"}],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyTmp",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": {"Fn::Sub": "${Bucket.Arn}/tmp/*"},
            },
        ],
    }

    def test_a_bucket_policy_is_put_enforced_as_over_tls_and_deleted(self) -> None:
        resources = {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": self.POLICY}},
        }
        out = self.create(resources, {"Bucket": {"Value": {"Ref": "Bucket"}}})
        s3 = self.client("s3")
        policy = json.loads(s3.get_bucket_policy(Bucket=out["Bucket"])["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["DenyInsecureTransport", "DenyTmp"])
        # The SDK speaks TLS to AWS: the insecure-transport statement does not apply ...
        s3.put_object(Bucket=out["Bucket"], Key="app/a.txt", Body=b"a")
        # ... and the others still do.
        with self.assertRaises(ClientError) as denied:
            s3.put_object(Bucket=out["Bucket"], Key="tmp/b.txt", Body=b"b")
        self.assertEqual(denied.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        s3.delete_object(Bucket=out["Bucket"], Key="app/a.txt")
        self.delete()
        self.assertEqual(s3.list_buckets()["Buckets"], [])


class KMS(Case):
    POLICY = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TheAccount",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }

    def key(self, **extra: Any) -> dict[str, Any]:
        return {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": "the stack's key",
                "EnableKeyRotation": True,
                "KeyPolicy": self.POLICY,
                "Tags": [{"Key": "stackplan:project", "Value": "shop"}],
            },
            **extra,
        }

    def test_a_key_with_tags_policy_and_rotation_encrypts_a_log_group_and_a_topic_then_is_scheduled_for_deletion(self) -> None:
        resources = {
            "Key": self.key(),
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/stackplan/ext/app", "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}},
        }
        out = self.create(resources, {"Key": {"Value": {"Ref": "Key"}}, "Arn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}, "Topic": {"Value": {"Ref": "Topic"}}})
        kms = self.client("kms")
        meta = kms.describe_key(KeyId=out["Key"])["KeyMetadata"]
        self.assertEqual((meta["Arn"], meta["KeyState"], meta["Description"]), (out["Arn"], "Enabled", "the stack's key"))
        self.assertTrue(kms.get_key_rotation_status(KeyId=out["Key"])["KeyRotationEnabled"])
        policy = json.loads(kms.get_key_policy(KeyId=out["Key"], PolicyName="default")["Policy"])
        self.assertEqual(policy["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::123456789012:root")
        self.assertEqual(kms.list_resource_tags(KeyId=out["Key"])["Tags"], [{"TagKey": "stackplan:project", "TagValue": "shop"}])
        group = self.client("logs").describe_log_groups(logGroupNamePrefix="/stackplan/ext/")["logGroups"][0]
        self.assertEqual(group.get("kmsKeyId"), out["Arn"])
        attributes = self.client("sns").get_topic_attributes(TopicArn=out["Topic"])["Attributes"]
        self.assertEqual(attributes.get("KmsMasterKeyId"), out["Key"])
        self.delete()
        meta = kms.describe_key(KeyId=out["Key"])["KeyMetadata"]
        self.assertEqual(meta["KeyState"], "PendingDeletion")

    def test_a_log_group_with_a_key_that_is_not_there_or_not_enabled_fails(self) -> None:
        kms = self.client("kms")
        disabled = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=disabled["KeyId"])
        missing = f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000"
        for n, (key, state) in enumerate(((missing, "not found"), (disabled["Arn"], "Disabled"))):
            name = f"keyed-{n}"
            template = {
                "Resources": {
                    "Logs": {
                        "Type": "AWS::Logs::LogGroup",
                        "Properties": {"LogGroupName": f"/stackplan/{name}/app", "KmsKeyId": key},
                    }
                }
            }
            self.cf.create_stack(StackName=name, TemplateBody=json.dumps(template))
            stack = self.cf.describe_stacks(StackName=name)["Stacks"][0]
            self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
            reasons = [
                e.get("ResourceStatusReason", "")
                for e in self.cf.describe_stack_events(StackName=name)["StackEvents"]
                if e["ResourceStatus"] == "CREATE_FAILED"
            ]
            self.assertTrue(any("does not exist or is not allowed" in r and state in r for r in reasons), reasons)
        self.assertEqual(self.client("logs").describe_log_groups(logGroupNamePrefix="/stackplan/keyed-")["logGroups"], [])

    def test_a_retained_key_outlives_its_stack(self) -> None:
        out = self.create({"Key": self.key(DeletionPolicy="Retain", UpdateReplacePolicy="Retain")}, {"Key": {"Value": {"Ref": "Key"}}})
        self.cf.delete_stack(StackName="ext")
        meta = self.client("kms").describe_key(KeyId=out["Key"])["KeyMetadata"]
        self.assertEqual((meta["KeyState"], meta["Enabled"]), ("Enabled", True))


class EC2(Case):
    def test_an_egress_rule_to_another_group_is_authorized_and_revoked(self) -> None:
        resources = network() | {
            "Other": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "other", "VpcId": {"Ref": "Vpc"}}},
            "Egress": {
                "Type": "AWS::EC2::SecurityGroupEgress",
                "Properties": {
                    "GroupId": {"Ref": "Group"},
                    "DestinationSecurityGroupId": {"Ref": "Other"},
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "Description": "to the database",
                },
            },
        }
        out = self.create(resources, {"Rule": {"Value": {"Ref": "Egress"}}, "Group": {"Value": {"Ref": "Group"}}})
        self.assertTrue(out["Rule"].startswith("sgr-"), out)
        ec2 = self.client("ec2")
        group = ec2.describe_security_groups(GroupIds=[out["Group"]])["SecurityGroups"][0]
        to_other = [p for p in group["IpPermissionsEgress"] if p.get("FromPort") == 5432]
        self.assertEqual(len(to_other), 1)
        self.assertEqual(len(to_other[0]["UserIdGroupPairs"]), 1)
        self.delete()
        self.assertEqual([v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]], [])

    def test_a_flow_log_writes_under_a_key_prefix_of_its_bucket(self) -> None:
        resources = {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "FlowLog": {
                "Type": "AWS::EC2::FlowLog",
                "Properties": {
                    "ResourceId": {"Ref": "Vpc"},
                    "ResourceType": "VPC",
                    "TrafficType": "ALL",
                    "LogDestinationType": "s3",
                    "LogDestination": {"Fn::Sub": "${Bucket.Arn}/vpc/"},
                },
            },
        }
        out = self.create(resources, {"Bucket": {"Value": {"Ref": "Bucket"}}})
        flow = self.client("ec2").describe_flow_logs()["FlowLogs"][0]
        self.assertEqual(flow["LogDestination"], f"arn:aws:s3:::{out['Bucket']}/vpc/")
        self.delete()
        self.assertEqual(self.client("ec2").describe_flow_logs()["FlowLogs"], [])

    def test_a_nat_gateway_network_is_deleted_to_the_last_route(self) -> None:
        resources = network() | {
            "Gateway": {"Type": "AWS::EC2::InternetGateway"},
            "Attachment": {
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Gateway"}},
            },
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
            "Nat": {
                "Type": "AWS::EC2::NatGateway",
                "Properties": {"AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]}, "SubnetId": {"Ref": "SubnetA"}},
            },
            "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Default": {
                "Type": "AWS::EC2::Route",
                "Properties": {"RouteTableId": {"Ref": "Table"}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": "Nat"}},
            },
            "Association": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"RouteTableId": {"Ref": "Table"}, "SubnetId": {"Ref": "SubnetB"}},
            },
        }
        self.create(resources)
        ec2 = self.client("ec2")
        self.assertEqual(len(ec2.describe_nat_gateways()["NatGateways"]), 1)
        self.delete()
        self.assertEqual([v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]], [])
        self.assertEqual(ec2.describe_addresses()["Addresses"], [])
        self.assertEqual(ec2.describe_internet_gateways()["InternetGateways"], [])
        self.assertEqual([n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]], ["deleted"])

    def test_an_s3_gateway_endpoint_routes_its_tables_and_goes_with_its_routes(self) -> None:
        resources = network() | {
            "Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Endpoint": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    "VpcEndpointType": "Gateway",
                    "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
                    "VpcId": {"Ref": "Vpc"},
                    "RouteTableIds": [{"Ref": "Table"}],
                },
            },
        }
        self.create(resources)
        ec2 = self.client("ec2")
        [endpoint] = ec2.describe_vpc_endpoints()["VpcEndpoints"]
        self.assertEqual(endpoint["ServiceName"], f"com.amazonaws.{REGION}.s3")
        self.assertEqual(endpoint["VpcEndpointType"], "Gateway")
        [table] = [t for t in ec2.describe_route_tables()["RouteTables"] if t["RouteTableId"] in endpoint["RouteTableIds"]]
        self.assertTrue(any(r.get("GatewayId") == endpoint["VpcEndpointId"] for r in table["Routes"]), table["Routes"])
        self.delete()
        self.assertEqual(ec2.describe_vpc_endpoints()["VpcEndpoints"], [])
        self.assertEqual([v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]], [])


class RDS(Case):
    def test_a_managed_master_password_makes_a_secret_and_the_attributes_resolve(self) -> None:
        resources = network() | {
            "Subnets": {
                "Type": "AWS::RDS::DBSubnetGroup",
                "Properties": {"DBSubnetGroupDescription": "db", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
            },
            "Database": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "Engine": "postgres",
                    "EngineVersion": "17.6",
                    "DBInstanceClass": "db.t4g.micro",
                    "AllocatedStorage": "20",
                    "MasterUsername": "app",
                    "ManageMasterUserPassword": True,
                    "DBSubnetGroupName": {"Ref": "Subnets"},
                    "VPCSecurityGroups": [{"Ref": "Group"}],
                },
            },
        }
        out = self.create(
            resources,
            {
                "Secret": {"Value": {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}},
                "Username": {"Value": {"Fn::Sub": "${Database.MasterUserSecret.SecretArn}:username::"}},
                "Resource": {"Value": {"Fn::GetAtt": ["Database", "DbiResourceId"]}},
                "Port": {"Value": {"Fn::GetAtt": ["Database", "Endpoint.Port"]}},
                "Group": {"Value": {"Ref": "Group"}},
            },
        )
        self.assertIn(":secret:rds!db-", out["Secret"])
        self.assertEqual(out["Username"], f"{out['Secret']}:username::")
        self.assertRegex(out["Resource"], r"^db-[A-Z0-9]{26}$")
        self.assertEqual(out["Port"], "5432")
        secret = json.loads(self.client("secretsmanager").get_secret_value(SecretId=out["Secret"])["SecretString"])
        self.assertEqual(secret["username"], "app")
        self.assertGreaterEqual(len(secret["password"]), 32)
        db = self.client("rds").describe_db_instances()["DBInstances"][0]
        self.assertEqual(db["MasterUserSecret"]["SecretArn"], out["Secret"])
        self.assertEqual(db["DbiResourceId"], out["Resource"])
        self.assertEqual([g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]], [out["Group"]])
        self.delete()
        self.assertEqual(self.client("secretsmanager").list_secrets()["SecretList"], [])


def protected() -> dict:
    """A database and a load balancer with deletion protection, in a network."""
    return network() | {
        "Subnets": {
            "Type": "AWS::RDS::DBSubnetGroup",
            "Properties": {"DBSubnetGroupDescription": "db", "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]},
        },
        "MonitoringRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
        },
        "Database": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "Engine": "postgres",
                "DBInstanceClass": "db.t4g.micro",
                "AllocatedStorage": "20",
                "MasterUsername": "app",
                "ManageMasterUserPassword": True,
                "DBSubnetGroupName": {"Ref": "Subnets"},
                "VPCSecurityGroups": [{"Ref": "Group"}],
                "DeletionProtection": True,
                "MonitoringInterval": 60,
                "MonitoringRoleArn": {"Fn::GetAtt": ["MonitoringRole", "Arn"]},
            },
        },
        "Balancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                "SecurityGroups": [{"Ref": "Group"}],
                "LoadBalancerAttributes": [
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                ],
            },
        },
    }


class Protection(Case):
    """A governed stack's database and load balancer keep deletion protection, as on AWS: the
    stack's deletion fails on them until it is lifted, then succeeds."""

    def test_protected_database_and_balancer_stop_the_stacks_deletion_until_lifted(self) -> None:
        resources = protected()
        out = self.create(resources, {"Balancer": {"Value": {"Ref": "Balancer"}}, "Role": {"Value": {"Fn::GetAtt": ["MonitoringRole", "Arn"]}}})
        rds, elb = self.client("rds"), self.client("elbv2")
        db = rds.describe_db_instances()["DBInstances"][0]
        self.assertEqual((db["DeletionProtection"], db["MonitoringInterval"], db["MonitoringRoleArn"]), (True, 60, out["Role"]))
        attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=out["Balancer"])["Attributes"]}
        self.assertEqual(attributes["deletion_protection.enabled"], "true")
        self.assertEqual(attributes["routing.http.drop_invalid_header_fields.enabled"], "true")

        self.cf.delete_stack(StackName="ext")
        stack = self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "DELETE_FAILED")
        failed = {
            e["LogicalResourceId"]: e["ResourceStatusReason"]
            for e in self.cf.describe_stack_events(StackName=self.stack_id)["StackEvents"]
            if e["ResourceStatus"] == "DELETE_FAILED" and e["LogicalResourceId"] != "ext"
        }
        self.assertIn("Database", failed)
        self.assertIn("deletion protection", failed["Database"])
        self.assertIn("Balancer", failed)
        self.assertIn("OperationNotPermitted", failed["Balancer"])

        # An administrator lifts the protection; the deletion then goes through.
        rds.modify_db_instance(DBInstanceIdentifier=db["DBInstanceIdentifier"], DeletionProtection=False)
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=out["Balancer"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
        )
        self.delete()
        self.assertEqual(rds.describe_db_instances()["DBInstances"], [])
        self.assertEqual(elb.describe_load_balancers()["LoadBalancers"], [])

    def test_a_failed_delete_keeps_what_it_is_told_to_retain(self) -> None:
        out = self.create(protected(), {"Balancer": {"Value": {"Ref": "Balancer"}}})
        rds, elb = self.client("rds"), self.client("elbv2")
        # RetainResources is for a stack whose delete failed.
        with self.assertRaises(ClientError) as refused:
            self.cf.delete_stack(StackName="ext", RetainResources=["Database"])
        self.assertIn("DELETE_FAILED", str(refused.exception))
        self.cf.delete_stack(StackName="ext")
        self.assertEqual(self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]["StackStatus"], "DELETE_FAILED")
        # Keeping the database, the balancer is tried again, and fails again.
        self.cf.delete_stack(StackName=self.stack_id, RetainResources=["Database"])
        stack = self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "DELETE_FAILED")
        latest = {}
        for e in reversed(self.cf.describe_stack_events(StackName=self.stack_id)["StackEvents"]):
            latest[e["LogicalResourceId"]] = e["ResourceStatus"]
        self.assertEqual((latest["Database"], latest["Balancer"]), ("DELETE_SKIPPED", "DELETE_FAILED"))
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=out["Balancer"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
        )
        self.cf.delete_stack(StackName=self.stack_id)
        with self.assertRaises(ClientError):
            self.cf.describe_stacks(StackName="ext")
        # The database stays, outside any stack; the balancer went.
        self.assertEqual(len(rds.describe_db_instances()["DBInstances"]), 1)
        self.assertEqual(elb.describe_load_balancers()["LoadBalancers"], [])


class ECR(Case):
    def test_a_repository_without_a_name_gets_a_lower_case_one(self) -> None:
        out = self.create(
            {"Repository": {"Type": "AWS::ECR::Repository"}},
            {"Name": {"Value": {"Ref": "Repository"}}, "Uri": {"Value": {"Fn::GetAtt": ["Repository", "RepositoryUri"]}}},
        )
        self.assertTrue(out["Name"].startswith("ext-repository-"), out)
        self.assertEqual(out["Name"], out["Name"].lower())
        self.assertEqual(out["Uri"], f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{out['Name']}")
        names = [r["repositoryName"] for r in self.client("ecr").describe_repositories()["repositories"]]
        self.assertEqual(names, [out["Name"]])
        self.delete()


IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api"


def lambda_function(properties: dict[str, Any]) -> dict[str, Any]:
    """A function with the given code properties, and its execution role."""
    return {
        "FunctionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            },
        },
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "MemorySize": 512,
                "Timeout": 30,
                "Role": {"Fn::GetAtt": ["FunctionRole", "Arn"]},
                "Environment": {"Variables": {"SERVICE_NAME": "shop"}},
                "LoggingConfig": {"LogFormat": "JSON"},
                **properties,
            },
        },
    }


class Lambda(Case):
    def test_a_container_image_function_is_an_image_function_and_an_update_changes_its_image(self) -> None:
        resources = lambda_function(
            {
                "PackageType": "Image",
                "Code": {"ImageUri": {"Fn::Sub": IMAGE + ":${ImageTag}"}},
                "Architectures": ["arm64"],
                "ImageConfig": {"Command": ["app.handler"]},
            }
        )
        out = self.create(resources, {"Name": {"Value": {"Ref": "Function"}}}, {"ImageTag": "1.0.0"})
        lam = self.client("lambda")
        function = lam.get_function(FunctionName=out["Name"])
        config = function["Configuration"]
        self.assertEqual((config["PackageType"], config["Architectures"]), ("Image", ["arm64"]))
        self.assertEqual((config["MemorySize"], config["Timeout"]), (512, 30))
        self.assertEqual(config["ImageConfigResponse"]["ImageConfig"]["Command"], ["app.handler"])
        self.assertEqual(config["Environment"], {"Variables": {"SERVICE_NAME": "shop"}})
        self.assertEqual((function["Code"]["RepositoryType"], function["Code"]["ImageUri"]), ("ECR", IMAGE + ":1.0.0"))

        template = {"Parameters": parameter_types({"ImageTag": ""}), "Resources": resources}
        self.cf.update_stack(
            StackName="ext",
            TemplateBody=json.dumps(template),
            Parameters=parameter_values({"ImageTag": "1.1.0"}),
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        function = lam.get_function(FunctionName=out["Name"])
        self.assertEqual(function["Code"]["ImageUri"], IMAGE + ":1.1.0")
        self.assertEqual(
            (function["Configuration"]["PackageType"], function["Configuration"]["Architectures"]), ("Image", ["arm64"])
        )
        self.delete()
        self.assertEqual(lam.list_functions()["Functions"], [])

    def test_a_zip_function_is_still_a_zip_function(self) -> None:
        resources = lambda_function(
            {"Runtime": "python3.13", "Handler": "index.handler", "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"}}
        )
        out = self.create(resources, {"Name": {"Value": {"Ref": "Function"}}})
        function = self.client("lambda").get_function(FunctionName=out["Name"])
        config = function["Configuration"]
        self.assertEqual((config["PackageType"], config["Architectures"]), ("Zip", ["x86_64"]))
        self.assertEqual((config["Runtime"], config["Handler"]), ("python3.13", "index.handler"))
        self.assertNotIn("ImageConfigResponse", config)
        self.assertEqual(function["Code"]["RepositoryType"], "S3")
        self.delete()


class SNS(Case):
    def test_an_email_subscription_to_a_topic(self) -> None:
        out = self.create(
            {
                "Topic": {"Type": "AWS::SNS::Topic"},
                "Email": {
                    "Type": "AWS::SNS::Subscription",
                    "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "email", "Endpoint": "ops@example.com"},
                },
            },
            {"Topic": {"Value": {"Ref": "Topic"}}, "Subscription": {"Value": {"Ref": "Email"}}},
        )
        subs = self.client("sns").list_subscriptions_by_topic(TopicArn=out["Topic"])["Subscriptions"]
        self.assertEqual([(s["Protocol"], s["Endpoint"]) for s in subs], [("email", "ops@example.com")])
        self.assertEqual(subs[0]["SubscriptionArn"], out["Subscription"])
        self.delete()
        self.assertEqual(self.client("sns").list_subscriptions()["Subscriptions"], [])


def hosted_zone(name: str = "example.com") -> str:
    """A public hosted zone made outside the stack, as the user's own; answers its id."""
    zone = boto3.client("route53").create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]
    return zone["Id"].split("/")[-1]


def alias_record(zone_id: str, name: str, domain: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Route53::RecordSet",
        "Properties": {
            "HostedZoneId": zone_id,
            "Name": name,
            "Type": "A",
            "AliasTarget": {
                "DNSName": {"Fn::GetAtt": [domain, "RegionalDomainName"]},
                "HostedZoneId": {"Fn::GetAtt": [domain, "RegionalHostedZoneId"]},
                "EvaluateTargetHealth": False,
            },
        },
    }


def custom_domains(zone_id: str) -> dict[str, Any]:
    """A DNS-validated certificate for two names; an HTTP API and a REST API, each under one of
    them through its regional custom domain, with the alias records to the domains."""
    return {
        "Certificate": {
            "Type": "AWS::CertificateManager::Certificate",
            "Properties": {
                "DomainName": "api.example.com",
                "SubjectAlternativeNames": ["rest.example.com"],
                "ValidationMethod": "DNS",
                "DomainValidationOptions": [
                    {"DomainName": "api.example.com", "HostedZoneId": zone_id},
                    {"DomainName": "rest.example.com", "HostedZoneId": zone_id},
                ],
                "CertificateTransparencyLoggingPreference": "DISABLED",
                "Tags": [{"Key": "team", "Value": "web"}],
            },
        },
        "HttpApi": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "shop", "ProtocolType": "HTTP"}},
        "HttpStage": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {"ApiId": {"Ref": "HttpApi"}, "StageName": "$default", "AutoDeploy": True},
        },
        "HttpDomain": {
            "Type": "AWS::ApiGatewayV2::DomainName",
            "Properties": {
                "DomainName": "api.example.com",
                "DomainNameConfigurations": [
                    {"CertificateArn": {"Ref": "Certificate"}, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
                ],
                "Tags": {"team": "web"},
            },
        },
        "HttpMapping": {
            "Type": "AWS::ApiGatewayV2::ApiMapping",
            "Properties": {"ApiId": {"Ref": "HttpApi"}, "DomainName": {"Ref": "HttpDomain"}, "Stage": {"Ref": "HttpStage"}},
        },
        "RestApi": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "orders"}},
        "RestMethod": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "RestApi"},
                "ResourceId": {"Fn::GetAtt": ["RestApi", "RootResourceId"]},
                "HttpMethod": "GET",
                "AuthorizationType": "NONE",
                "Integration": {"Type": "MOCK", "IntegrationHttpMethod": "GET", "Uri": ""},
            },
        },
        "RestDeployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": "RestMethod",
            "Properties": {"RestApiId": {"Ref": "RestApi"}},
        },
        "RestStage": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {"RestApiId": {"Ref": "RestApi"}, "StageName": "prod", "DeploymentId": {"Ref": "RestDeployment"}},
        },
        "RestDomain": {
            "Type": "AWS::ApiGateway::DomainName",
            "Properties": {
                "DomainName": "rest.example.com",
                "RegionalCertificateArn": {"Ref": "Certificate"},
                "EndpointConfiguration": {"Types": ["REGIONAL"]},
                "SecurityPolicy": "TLS_1_2",
                "Tags": [{"Key": "team", "Value": "web"}],
            },
        },
        "RestMapping": {
            "Type": "AWS::ApiGateway::BasePathMapping",
            "Properties": {"DomainName": {"Ref": "RestDomain"}, "RestApiId": {"Ref": "RestApi"}, "Stage": {"Ref": "RestStage"}},
        },
        "HttpRecord": alias_record(zone_id, "api.example.com", "HttpDomain"),
        "RestRecord": alias_record(zone_id, "rest.example.com", "RestDomain"),
    }


REGIONAL_NAME = r"^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$"
# API Gateway's regional endpoints' hosted zone in us-east-1, as AWS documents it.
US_EAST_1_API_ZONE = "Z1UJRXOUMOOFQ8"


class CustomDomains(Case):
    def records(self, zone_id: str, record_type: str) -> list[dict[str, Any]]:
        sets = self.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        return [r for r in sets if r["Type"] == record_type]

    def test_apis_under_their_own_names_with_a_dns_validated_certificate(self) -> None:
        zone_id = hosted_zone()
        out = self.create(
            custom_domains(zone_id),
            {
                "Certificate": {"Value": {"Ref": "Certificate"}},
                "HttpDomain": {"Value": {"Ref": "HttpDomain"}},
                "HttpDomainName": {"Value": {"Fn::GetAtt": ["HttpDomain", "DomainName"]}},
                "HttpRegional": {"Value": {"Fn::GetAtt": ["HttpDomain", "RegionalDomainName"]}},
                "HttpZone": {"Value": {"Fn::GetAtt": ["HttpDomain", "RegionalHostedZoneId"]}},
                "HttpMapping": {"Value": {"Ref": "HttpMapping"}},
                "HttpApi": {"Value": {"Ref": "HttpApi"}},
                "RestDomain": {"Value": {"Ref": "RestDomain"}},
                "RestRegional": {"Value": {"Fn::GetAtt": ["RestDomain", "RegionalDomainName"]}},
                "RestZone": {"Value": {"Fn::GetAtt": ["RestDomain", "RegionalHostedZoneId"]}},
                "RestDistributionZone": {"Value": {"Fn::GetAtt": ["RestDomain", "DistributionHostedZoneId"]}},
                "RestMapping": {"Value": {"Ref": "RestMapping"}},
                "RestApi": {"Value": {"Ref": "RestApi"}},
                "Record": {"Value": {"Ref": "HttpRecord"}},
            },
        )
        # The certificate: issued, its validation records written into the zone.
        acm = self.client("acm")
        cert = acm.describe_certificate(CertificateArn=out["Certificate"])["Certificate"]
        self.assertEqual(cert["Status"], "ISSUED")
        self.assertEqual(cert["Options"]["CertificateTransparencyLoggingPreference"], "DISABLED")
        self.assertEqual(sorted(cert["SubjectAlternativeNames"]), ["api.example.com", "rest.example.com"])
        tags = acm.list_tags_for_certificate(CertificateArn=out["Certificate"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "web"}])
        cnames = {(r["Name"], r["ResourceRecords"][0]["Value"]) for r in self.records(zone_id, "CNAME")}
        options = cert["DomainValidationOptions"]
        self.assertEqual(sorted(o["DomainName"] for o in options), ["api.example.com", "rest.example.com"])
        for option in options:
            self.assertEqual(option["ValidationStatus"], "SUCCESS")
            record = option["ResourceRecord"]
            self.assertIn((record["Name"], record["Value"]), cnames)

        # The HTTP API's domain and its mapping.
        v2 = self.client("apigatewayv2")
        [domain] = v2.get_domain_names()["Items"]
        self.assertEqual((domain["DomainName"], out["HttpDomain"], out["HttpDomainName"]), ("api.example.com",) * 3)
        self.assertEqual(domain["Tags"], {"team": "web"})
        [config] = domain["DomainNameConfigurations"]
        self.assertRegex(out["HttpRegional"], REGIONAL_NAME)
        self.assertEqual(out["HttpZone"], US_EAST_1_API_ZONE)
        self.assertEqual(
            (config["ApiGatewayDomainName"], config["HostedZoneId"], config["CertificateArn"]),
            (out["HttpRegional"], US_EAST_1_API_ZONE, out["Certificate"]),
        )
        self.assertEqual((config["EndpointType"], config["SecurityPolicy"], config["DomainNameStatus"]), ("REGIONAL", "TLS_1_2", "AVAILABLE"))
        [mapping] = v2.get_api_mappings(DomainName="api.example.com")["Items"]
        self.assertEqual(
            (mapping["ApiMappingId"], mapping["ApiId"], mapping["Stage"]), (out["HttpMapping"], out["HttpApi"], "$default")
        )

        # The REST API's domain and its base path mapping.
        v1 = self.client("apigateway")
        [rest] = v1.get_domain_names()["items"]
        self.assertEqual((rest["domainName"], out["RestDomain"]), ("rest.example.com",) * 2)
        self.assertRegex(out["RestRegional"], REGIONAL_NAME)
        self.assertEqual((rest["regionalDomainName"], rest["regionalHostedZoneId"]), (out["RestRegional"], US_EAST_1_API_ZONE))
        self.assertEqual(out["RestZone"], US_EAST_1_API_ZONE)
        self.assertEqual(out["RestDistributionZone"], "Z2FDTNDATAQYW2")
        self.assertEqual(rest["regionalCertificateArn"], out["Certificate"])
        self.assertEqual(rest["endpointConfiguration"]["types"], ["REGIONAL"])
        self.assertEqual(rest["tags"], {"team": "web"})
        [base] = v1.get_base_path_mappings(domainName="rest.example.com")["items"]
        self.assertEqual((base["basePath"], base["restApiId"], base["stage"]), ("(none)", out["RestApi"], "prod"))
        self.assertEqual(out["RestMapping"], "rest.example.com/(none)")

        # The alias records, as Route 53 keeps them.
        aliases = {r["Name"]: r["AliasTarget"] for r in self.records(zone_id, "A")}
        self.assertEqual(out["Record"], "api.example.com")
        self.assertEqual(
            aliases,
            {
                "api.example.com.": {"DNSName": out["HttpRegional"] + ".", "HostedZoneId": US_EAST_1_API_ZONE, "EvaluateTargetHealth": False},
                "rest.example.com.": {"DNSName": out["RestRegional"] + ".", "HostedZoneId": US_EAST_1_API_ZONE, "EvaluateTargetHealth": False},
            },
        )

        self.delete()
        self.assertEqual(acm.list_certificates()["CertificateSummaryList"], [])
        self.assertEqual(v2.get_domain_names()["Items"], [])
        self.assertEqual(v2.get_api_mappings(DomainName="api.example.com")["Items"], [])
        self.assertEqual(v1.get_domain_names().get("items", []), [])
        with self.assertRaises(ClientError):
            v1.get_base_path_mappings(domainName="rest.example.com")
        self.assertEqual(self.records(zone_id, "A"), [])
        # As on AWS, CloudFormation leaves the validation records in the zone.
        self.assertEqual(len(self.records(zone_id, "CNAME")), 2)

    def test_a_certificate_for_a_zone_that_does_not_exist_fails_the_stack(self) -> None:
        hosted_zone()
        template = {
            "Resources": {
                "Certificate": {
                    "Type": "AWS::CertificateManager::Certificate",
                    "Properties": {
                        "DomainName": "api.example.com",
                        "ValidationMethod": "DNS",
                        "DomainValidationOptions": [{"DomainName": "api.example.com", "HostedZoneId": "Z0MISSING0ZONE"}],
                    },
                }
            }
        }
        self.cf.create_stack(StackName="ext", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        stack = self.cf.describe_stacks(StackName="ext")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = self.cf.describe_stack_events(StackName="ext")["StackEvents"]
        [failed] = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual(failed["LogicalResourceId"], "Certificate")
        self.assertIn("Hosted zone Z0MISSING0ZONE for the DNS validation of api.example.com does not exist", failed["ResourceStatusReason"])
        self.assertEqual(self.client("acm").list_certificates()["CertificateSummaryList"], [])


class Route53(Case):
    def test_hosted_zone_ids_start_with_z_as_route53s_do(self) -> None:
        for _ in range(20):
            self.assertRegex(hosted_zone(), r"^Z[A-Z0-9]+$")

    def test_a_record_outside_its_zone_fails_and_a_record_made_by_the_stack_can_be_changed_through_the_api(self) -> None:
        zone_id = hosted_zone()
        outside = {
            "Record": {
                "Type": "AWS::Route53::RecordSet",
                "Properties": {"HostedZoneId": zone_id, "Name": "www.example.org", "Type": "CNAME", "TTL": "300", "ResourceRecords": ["example.com"]},
            }
        }
        self.cf.create_stack(StackName="outside", TemplateBody=json.dumps({"Resources": outside}), Capabilities=["CAPABILITY_IAM"])
        events = self.cf.describe_stack_events(StackName="outside")["StackEvents"]
        [failed] = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertIn("is not permitted in zone example.com.", failed["ResourceStatusReason"])

        inside = {"Record": {**outside["Record"], "Properties": {**outside["Record"]["Properties"], "Name": "www.example.com"}}}
        out = self.create(inside, {"Name": {"Value": {"Ref": "Record"}}})
        self.assertEqual(out["Name"], "www.example.com")
        r53 = self.client("route53")
        [record] = [r for r in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Type"] == "CNAME"]
        self.assertEqual((record["Name"], record["ResourceRecords"]), ("www.example.com.", [{"Value": "example.com"}]))
        r53.change_resource_record_sets(
            HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]}
        )
        self.delete()  # the record is already gone: the delete still completes

    def test_an_alias_record_to_a_load_balancer_gets_its_name_and_hosted_zone(self) -> None:
        zone_id = hosted_zone()
        resources = network() | {
            "Balancer": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}], "SecurityGroups": [{"Ref": "Group"}]},
            },
            "Record": {
                "Type": "AWS::Route53::RecordSet",
                "Properties": {
                    "HostedZoneId": zone_id,
                    "Name": "shop.example.com",
                    "Type": "A",
                    "AliasTarget": {
                        "DNSName": {"Fn::GetAtt": ["Balancer", "DNSName"]},
                        "HostedZoneId": {"Fn::GetAtt": ["Balancer", "CanonicalHostedZoneID"]},
                        "EvaluateTargetHealth": "false",
                    },
                },
            },
        }
        out = self.create(
            resources,
            {
                "FullName": {"Value": {"Fn::GetAtt": ["Balancer", "LoadBalancerFullName"]}},
                "Groups": {"Value": {"Fn::Join": [",", {"Fn::GetAtt": ["Balancer", "SecurityGroups"]}]}},
                "Group": {"Value": {"Ref": "Group"}},
            },
        )
        [lb] = self.client("elbv2").describe_load_balancers()["LoadBalancers"]
        self.assertEqual(out["FullName"], lb["LoadBalancerArn"].split(":loadbalancer/")[1])
        self.assertEqual(out["Groups"], out["Group"])
        r53 = self.client("route53")
        [record] = [r for r in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Type"] == "A"]
        self.assertEqual(
            record["AliasTarget"],
            {"DNSName": lb["DNSName"] + ".", "HostedZoneId": lb["CanonicalHostedZoneId"], "EvaluateTargetHealth": False},
        )
        self.delete()
        self.assertEqual([r["Type"] for r in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]], ["NS", "SOA"])


class Deletes(Case):
    def test_ecs_elb_and_lambda_permission_resources_are_really_deleted(self) -> None:
        resources = ecs_service() | {
            "Balancer": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}], "SecurityGroups": [{"Ref": "Group"}]},
            },
            "Targets": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"Port": 80, "Protocol": "HTTP", "TargetType": "ip", "VpcId": {"Ref": "Vpc"}},
            },
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Balancer"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Targets"}}],
                },
            },
        }
        self.create(resources)
        ecs, elb = self.client("ecs"), self.client("elbv2")
        self.delete()
        self.assertEqual(elb.describe_target_groups()["TargetGroups"], [])
        self.assertEqual(elb.describe_load_balancers()["LoadBalancers"], [])
        clusters = ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
        self.assertEqual({c["status"] for c in clusters}, {"INACTIVE"})


class Templates(Case):
    """The product's own example templates, as the server sends them."""

    def deploy(self, name: str, parameters: dict[str, str]) -> dict[str, str]:
        path = os.path.join(os.path.dirname(__file__), "fixtures", f"{name}.json")
        with open(path) as f:
            body = f.read()
        template = json.loads(body)
        self.cf.create_stack(
            StackName="shop",
            TemplateBody=body,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        stack = self.cf.describe_stacks(StackName="shop")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        listed = self.cf.describe_stack_resources(StackName="shop")["StackResources"]
        self.assertEqual(sorted(r["LogicalResourceId"] for r in listed), sorted(template["Resources"]))
        self.assertTrue(all(r["PhysicalResourceId"] for r in listed), listed)
        self.stack_id = stack["StackId"]
        return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}

    def test_the_fargate_example(self) -> None:
        with self.assertNoLogs("moto", level="WARNING"):
            out = self.deploy("fargate-example", {"ImageTag": "1.0.0"})
        self.assertRegex(out["ServiceUrl"], r"^http://[\w-]+\.us-east-1\.elb\.amazonaws\.com$")
        self.assertRegex(out["DatabaseSecretArn"], r":secret:rds!db-")
        self.assertRegex(out["CacheEndpoint"], r"^master\.")
        self.assertIn(".rds.amazonaws.com", out["DatabaseEndpoint"])
        self.cf.delete_stack(StackName="shop")
        stack = self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual([v for v in self.client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]], [])

    def test_the_lambda_example(self) -> None:
        with self.assertNoLogs("moto", level="WARNING"):
            out = self.deploy("lambda-example", {})
        self.assertRegex(out["ApiUrl"], r"^https://\w+\.execute-api\.us-east-1\.amazonaws\.com$")
        self.cf.delete_stack(StackName="shop")
        stack = self.cf.describe_stacks(StackName=self.stack_id)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual(self.client("lambda").list_functions()["Functions"], [])


if __name__ == "__main__":
    unittest.main()
