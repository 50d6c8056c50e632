"""`AWS::ECS::TaskDefinition` and `AWS::ECS::Service` with all the properties a Fargate service has.

moto 5.2.5's CloudFormation models pass only a few properties on to its ECS backend, although
the backend takes them all:
- a task definition keeps its containers, volumes and memory, and loses `Cpu`, `NetworkMode`,
  `RequiresCompatibilities`, `RuntimePlatform`, the two role ARNs and `EphemeralStorage`;
- a service keeps its cluster, task definition and desired count, and loses `LaunchType`
  (so it reads back as `EC2`), `LoadBalancers`, `NetworkConfiguration`, `PlatformVersion`,
  `PropagateTags` and `CapacityProviderStrategy`.

A stack that asks for a Fargate service on Graviton behind a load balancer then reads back as
an EC2 service on x86 with no load balancer. `install()` replaces the two models' create (and the
task definition's update, which is a new revision on AWS) so that every property reaches the
backend; what `DescribeServices` and `DescribeTaskDefinition` return then matches the template.
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import pascal_to_camelcase, remap_nested_keys
from moto.ecs.models import Cluster, Service, TaskDefinition, ecs_backends


def _camel(value: Any) -> Any:
    return remap_nested_keys(value, pascal_to_camelcase) if value is not None else None


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in properties.get("Tags", [])]


def _register(properties: dict[str, Any], family: str, account_id: str, region_name: str) -> TaskDefinition:
    backend = ecs_backends[account_id][region_name]
    definition = backend.register_task_definition(
        family=family,
        container_definitions=_camel(properties.get("ContainerDefinitions", [])),
        volumes=_camel(properties.get("Volumes", [])),
        network_mode=properties.get("NetworkMode"),
        tags=_tags(properties),
        placement_constraints=_camel(properties.get("PlacementConstraints")),
        requires_compatibilities=properties.get("RequiresCompatibilities"),
        cpu=properties.get("Cpu"),
        memory=properties.get("Memory"),
        task_role_arn=properties.get("TaskRoleArn"),
        execution_role_arn=properties.get("ExecutionRoleArn"),
        runtime_platform=_camel(properties.get("RuntimePlatform")),
        ephemeral_storage=_camel(properties.get("EphemeralStorage")),
    )
    definition.stackplan_properties = properties  # type: ignore[attr-defined]
    return definition


def _create_task_definition(
    cls: type[TaskDefinition],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> TaskDefinition:
    properties = cloudformation_json["Properties"]
    family = properties.get("Family") or resource_name
    return _register(properties, family, account_id, region_name)


def _update_task_definition(
    cls: type[TaskDefinition],
    original_resource: TaskDefinition,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> TaskDefinition:
    properties = cloudformation_json["Properties"]
    if getattr(original_resource, "stackplan_properties", None) == properties:
        return original_resource
    # Any change is a replacement on AWS: a new revision of the family, the old one deregistered.
    family = properties.get("Family") or original_resource.family
    definition = _register(properties, family, account_id, region_name)
    ecs_backends[account_id][region_name].deregister_task_definition(original_resource.arn)
    return definition


def _name(value: Any, model: type, attribute: str) -> str:
    return getattr(value, attribute) if isinstance(value, model) else str(value)


def _create_service(
    cls: type[Service],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Service:
    properties = cloudformation_json["Properties"]
    backend = ecs_backends[account_id][region_name]
    strategy = properties.get("CapacityProviderStrategy")
    service = backend.create_service(
        _name(properties.get("Cluster", "default"), Cluster, "name"),
        properties.get("ServiceName") or resource_name,
        int(properties.get("DesiredCount", 1)),
        task_definition_str=_name(properties["TaskDefinition"], TaskDefinition, "arn"),
        load_balancers=_camel(properties.get("LoadBalancers", [])),
        tags=_tags(properties),
        deployment_controller=_camel(properties.get("DeploymentController")),
        launch_type=properties.get("LaunchType") or ("FARGATE" if strategy else None),
        platform_version=properties.get("PlatformVersion"),
        propagate_tags=properties.get("PropagateTags", "NONE"),
        network_configuration=_camel(properties.get("NetworkConfiguration")),
        role_arn=properties.get("Role"),
    )
    if strategy:
        # A service with a capacity provider strategy has no launch type on AWS.
        service.launch_type = None
        service.capacity_provider_strategy = [
            {"capacityProvider": s["CapacityProvider"], "weight": int(s.get("Weight", 0)), "base": int(s.get("Base", 0))}
            for s in strategy
        ]
    return service


def install() -> None:
    if getattr(TaskDefinition, "stackplan_sandbox", False):
        return
    TaskDefinition.create_from_cloudformation_json = classmethod(_create_task_definition)  # type: ignore[assignment]
    TaskDefinition.update_from_cloudformation_json = classmethod(_update_task_definition)  # type: ignore[assignment]
    Service.create_from_cloudformation_json = classmethod(_create_service)  # type: ignore[assignment]
    TaskDefinition.stackplan_sandbox = True  # type: ignore[attr-defined]
