"""`AWS::ApplicationAutoScaling::ScalableTarget` and `AWS::ApplicationAutoScaling::ScalingPolicy`.

moto 5.2.5 has no CloudFormation model for either, although its Application Auto Scaling
backend implements `RegisterScalableTarget` and `PutScalingPolicy` (and, for target tracking
on an ECS service, creates the two CloudWatch alarms AWS creates). These models go through that
backend, so `DescribeScalableTargets` and `DescribeScalingPolicies` list them.

Refs are AWS's: a target's is `resource-id|scalable-dimension|service-namespace`, a policy's is
its ARN. The sandbox records them: nothing scales.
"""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.common_models import CloudFormationModel


def _backend(account_id: str, region_name: str) -> Any:
    return applicationautoscaling_backends[account_id][region_name]


class ScalableTarget(CloudFormationModel):
    def __init__(self, namespace: str, resource_id: str, dimension: str, target: Any):
        self.namespace = namespace
        self.resource_id = resource_id
        self.dimension = dimension
        self.target = target

    @property
    def physical_resource_id(self) -> str:
        return f"{self.resource_id}|{self.dimension}|{self.namespace}"

    @staticmethod
    def parse_id(physical_id: str) -> tuple[str, str, str]:
        """(resource id, scalable dimension, service namespace) of a target's Ref."""
        resource_id, dimension, namespace = physical_id.split("|")
        return resource_id, dimension, namespace

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalableTarget"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ScalableTarget:
        p = cloudformation_json["Properties"]
        suspended = p.get("SuspendedState")
        target = _backend(account_id, region_name).register_scalable_target(
            namespace=p["ServiceNamespace"],
            r_id=p["ResourceId"],
            dimension=p["ScalableDimension"],
            min_capacity=int(p["MinCapacity"]),
            max_capacity=int(p["MaxCapacity"]),
            role_arn=p.get("RoleARN"),
            suspended_state=suspended,
        )
        return cls(p["ServiceNamespace"], p["ResourceId"], p["ScalableDimension"], target)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> ScalableTarget:
        # RegisterScalableTarget on an existing target updates its capacities.
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if backend._scalable_target_exists(self.resource_id, self.dimension):
            backend.deregister_scalable_target(self.namespace, self.resource_id, self.dimension)


class ScalingPolicy(CloudFormationModel):
    def __init__(self, policy: Any):
        self.policy = policy

    @property
    def physical_resource_id(self) -> str:
        return self.policy.policy_arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalingPolicy"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.policy.policy_arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ScalingPolicy:
        p = cloudformation_json["Properties"]
        if "ScalingTargetId" in p:
            resource_id, dimension, namespace = ScalableTarget.parse_id(p["ScalingTargetId"])
        else:
            resource_id = p["ResourceId"]
            dimension = p["ScalableDimension"]
            namespace = p["ServiceNamespace"]
        policy_type = p["PolicyType"]
        body = (
            p.get("TargetTrackingScalingPolicyConfiguration")
            if policy_type == "TargetTrackingScaling"
            else p.get("StepScalingPolicyConfiguration")
        )
        policy = _backend(account_id, region_name).put_scaling_policy(
            policy_name=p["PolicyName"],
            service_namespace=namespace,
            resource_id=resource_id,
            scalable_dimension=dimension,
            policy_body=body,
            policy_type=policy_type,
        )
        return cls(policy)

    def delete(self, account_id: str, region_name: str) -> None:
        policy = self.policy
        backend = _backend(account_id, region_name)
        key = type(policy).formulate_key(
            policy.service_namespace, policy.resource_id, policy.scalable_dimension, policy.policy_name
        )
        if key in backend.policies:
            backend.delete_scaling_policy(
                policy.policy_name,
                policy.service_namespace,
                policy.resource_id,
                policy.scalable_dimension,
            )
