"""`Fn::GetAtt` on `AWS::ElasticLoadBalancingV2::LoadBalancer`: `CanonicalHostedZoneID`,
`LoadBalancerFullName` and `SecurityGroups`; and deletion protection.

moto 5.2.5's model declares these attributes but does not implement them: reading one raises
`NotImplementedError`, which moto's template resolution swallows, leaving the `Fn::GetAtt`
itself in the property as text. An alias record to the load balancer then gets
`{'Fn::GetAtt': ['LoadBalancer', 'CanonicalHostedZoneID']}` as its target's hosted zone, and
the stack completes as if nothing were wrong. `install()` answers them as AWS does: the hosted
zone `DescribeLoadBalancers` gives for the balancer (moto's, which is not AWS's per-region
one), `app/NAME/ID` (the ARN after `loadbalancer/`), and the balancer's security groups.

moto 5.2.5's model also ignores the template's `LoadBalancerAttributes` (access logs, invalid
header handling, deletion protection), and its backend deletes a balancer whose
`deletion_protection.enabled` is `true`, where AWS refuses (`OperationNotPermitted`) until the
attribute is lifted: a stack with a protected balancer would delete cleanly in the sandbox and
fail on AWS. `install()` applies the attributes, and refuses to delete a protected balancer.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer, elbv2_backends


class OperationNotPermitted(ELBClientError):
    def __init__(self, arn: str):
        super().__init__(
            "OperationNotPermitted",
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
        )


def _attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
    if attribute_name == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "SecurityGroups":
        return list(self.security_groups)
    return _original(self, attribute_name)


_original = FakeLoadBalancer.get_cfn_attribute
_create = FakeLoadBalancer.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_with_attributes(
    cls: type[FakeLoadBalancer],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> FakeLoadBalancer:
    balancer = _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    attributes = {
        a["Key"]: str(a["Value"]).lower() if isinstance(a["Value"], bool) else str(a["Value"])
        for a in cloudformation_json["Properties"].get("LoadBalancerAttributes", [])
    }
    if attributes:
        elbv2_backends[account_id][region_name].modify_load_balancer_attributes(balancer.arn, attributes)
    return balancer


_delete = ELBv2Backend.delete_load_balancer


def _delete_unless_protected(self: ELBv2Backend, arn: str) -> None:
    balancer = self.load_balancers.get(arn)
    if balancer is not None and balancer.attrs.get("deletion_protection.enabled") == "true":
        raise OperationNotPermitted(arn)
    _delete(self, arn)


def install() -> None:
    if getattr(FakeLoadBalancer.get_cfn_attribute, "stackplan_sandbox", False):
        return
    _attribute.stackplan_sandbox = True  # type: ignore[attr-defined]
    FakeLoadBalancer.get_cfn_attribute = _attribute  # type: ignore[method-assign]
    ELBv2Backend.delete_load_balancer = _delete_unless_protected  # type: ignore[method-assign]
    FakeLoadBalancer.create_from_cloudformation_json = classmethod(_create_with_attributes)  # type: ignore[method-assign,assignment]
