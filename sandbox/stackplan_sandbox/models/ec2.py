"""`AWS::EC2::SecurityGroupEgress`, and VPC flow logs to an S3 key prefix.

moto 5.2.5 has a CloudFormation model for `SecurityGroupIngress` but none for
`SecurityGroupEgress`. This model authorizes the rule through moto's EC2 backend
(`AuthorizeSecurityGroupEgress`), so `DescribeSecurityGroups` and
`DescribeSecurityGroupRules` show it, and revokes it on delete. Ref is the rule's `sgr-` id.

moto's `CreateFlowLogs` takes everything after `arn:aws:s3:::` in an S3 destination as the bucket
name, so a destination with a key prefix (`arn:aws:s3:::bucket/vpc/`, which AWS accepts) names a
bucket that does not exist and the flow log is refused. `install()` looks the bucket up by its
name alone and keeps the full destination on the flow log.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogsBackend


def _backend(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


class SecurityGroupEgress(CloudFormationModel):
    def __init__(self, group_id: str, rule: Any, properties: dict[str, Any]):
        self.group_id = group_id
        self.rule = rule
        self.properties = properties

    @property
    def physical_resource_id(self) -> str:
        return self.rule.id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::SecurityGroupEgress"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Id":
            return self.rule.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SecurityGroupEgress:
        p = cloudformation_json["Properties"]
        ip_ranges: list[dict[str, str]] = []
        if "CidrIp" in p:
            ip_ranges.append({"CidrIp": p["CidrIp"], "Description": p.get("Description", "")})
        if "CidrIpv6" in p:
            ip_ranges.append({"CidrIpv6": p["CidrIpv6"], "Description": p.get("Description", "")})
        groups = []
        if "DestinationSecurityGroupId" in p:
            groups.append({"GroupId": p["DestinationSecurityGroupId"], "Description": p.get("Description", "")})
        prefix_lists = []
        if "DestinationPrefixListId" in p:
            prefix_lists.append({"PrefixListId": p["DestinationPrefixListId"]})
        if not (ip_ranges or groups or prefix_lists):
            raise ValueError(
                "SecurityGroupEgress needs CidrIp, CidrIpv6, DestinationSecurityGroupId or DestinationPrefixListId"
            )
        rules, _group = _backend(account_id, region_name).authorize_security_group_egress(
            group_name_or_id=p["GroupId"],
            ip_protocol=str(p["IpProtocol"]),
            from_port=p.get("FromPort"),
            to_port=p.get("ToPort"),
            ip_ranges=ip_ranges,
            source_groups=groups,
            prefix_list_ids=prefix_lists,
        )
        return cls(p["GroupId"], rules[0], p)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        group = backend.get_security_group_by_name_or_id(self.group_id)
        if group is None or self.rule not in group.egress_rules:
            return
        backend.revoke_security_group_egress(
            group_name_or_id=self.group_id,
            ip_protocol=None,
            from_port=None,
            to_port=None,
            ip_ranges=[],
            security_rule_ids=[self.rule.id],
        )


def _bucket_arn(destination: str) -> str:
    """`arn:aws:s3:::bucket/prefix/` → `arn:aws:s3:::bucket`."""
    head, _, _prefix = destination.partition(":::")[2].partition("/")
    return destination.partition(":::")[0] + ":::" + head


def install() -> None:
    original = FlowLogsBackend.create_flow_logs
    if getattr(original, "accepts_s3_prefixes", False):
        return

    def create_flow_logs(
        self: Any,
        resource_type: str,
        resource_ids: list[str],
        traffic_type: str,
        deliver_logs_permission_arn: str,
        log_destination_type: str,
        log_destination: str,
        log_group_name: str,
        log_format: str,
        max_aggregation_interval: int,
    ) -> Any:
        prefixed = (
            log_destination_type == "s3"
            and log_destination is not None
            and "/" in log_destination.partition(":::")[2]
        )
        flow_logs, unsuccessful = original(
            self,
            resource_type,
            resource_ids,
            traffic_type,
            deliver_logs_permission_arn,
            log_destination_type,
            _bucket_arn(log_destination) if prefixed else log_destination,
            log_group_name,
            log_format,
            max_aggregation_interval,
        )
        if prefixed:
            for flow_log in flow_logs:
                flow_log.log_destination = log_destination
        return flow_logs, unsuccessful

    create_flow_logs.accepts_s3_prefixes = True  # type: ignore[attr-defined]
    FlowLogsBackend.create_flow_logs = create_flow_logs  # type: ignore[method-assign]
