"""`Fn::GetAtt` on `AWS::ElasticLoadBalancingV2::LoadBalancer`: `CanonicalHostedZoneID`,
`LoadBalancerFullName` and `SecurityGroups`.

moto 5.2.5's model declares these attributes but does not implement them: reading one raises
`NotImplementedError`, which moto's template resolution swallows, leaving the `Fn::GetAtt`
itself in the property as text. An alias record to the load balancer then gets
`{'Fn::GetAtt': ['LoadBalancer', 'CanonicalHostedZoneID']}` as its target's hosted zone, and
the stack completes as if nothing were wrong. `install()` answers them as AWS does: the hosted
zone `DescribeLoadBalancers` gives for the balancer (moto's, which is not AWS's per-region
one), `app/NAME/ID` (the ARN after `loadbalancer/`), and the balancer's security groups.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import FakeLoadBalancer


def _attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
    if attribute_name == "CanonicalHostedZoneID":
        return self.canonical_hosted_zone_id
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "SecurityGroups":
        return list(self.security_groups)
    return _original(self, attribute_name)


_original = FakeLoadBalancer.get_cfn_attribute


def install() -> None:
    if getattr(FakeLoadBalancer.get_cfn_attribute, "stackplan_sandbox", False):
        return
    _attribute.stackplan_sandbox = True  # type: ignore[attr-defined]
    FakeLoadBalancer.get_cfn_attribute = _attribute  # type: ignore[method-assign]
