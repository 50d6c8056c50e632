"""`AWS::ElastiCache::SubnetGroup` and `AWS::ElastiCache::ReplicationGroup`.

moto 5.2.5 has no CloudFormation model for either ("No Moto CloudFormation support for
AWS::ElastiCache::ReplicationGroup"), although its ElastiCache backend implements both
(`create_cache_subnet_group`, `create_replication_group`). These models create them through
that backend, so `DescribeReplicationGroups` lists them, and give the attributes AWS gives:
`PrimaryEndPoint.Address`/`.Port` and `ReaderEndPoint.Address`/`.Port` (cluster mode off),
`ConfigurationEndPoint.Address`/`.Port` (cluster mode on).

The sandbox records the group: no Redis server runs. moto ignores `NumCacheClusters`; the model
asks for the same number of nodes as replicas per node group. moto's `DeleteReplicationGroup` only
marks a group `deleting`; CloudFormation waits until it is gone, so the model removes it.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elasticache.models import elasticache_backends


def _backend(account_id: str, region_name: str) -> Any:
    return elasticache_backends[account_id][region_name]


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _replicas(p: dict[str, Any]) -> int | None:
    """Replicas per node group. moto ignores `NumCacheClusters` (it makes one node unless
    `ReplicasPerNodeGroup` is given); with cluster mode off, N cache clusters are the primary
    and N - 1 replicas, so that is what the model asks for."""
    if "ReplicasPerNodeGroup" in p:
        return int(p["ReplicasPerNodeGroup"])
    if "NumCacheClusters" in p:
        return int(p["NumCacheClusters"]) - 1
    return None


class CacheSubnetGroup(CloudFormationModel):
    def __init__(self, name: str, account_id: str, region_name: str):
        self.name = name
        self.account_id = account_id
        self.region_name = region_name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "CacheSubnetGroupName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::SubnetGroup"

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
    ) -> CacheSubnetGroup:
        properties = cloudformation_json["Properties"]
        # AWS stores subnet group names in lower case.
        name = resource_name.lower()
        _backend(account_id, region_name).create_cache_subnet_group(
            cache_subnet_group_name=name,
            cache_subnet_group_description=properties["Description"],
            subnet_ids=properties["SubnetIds"],
            tags=properties.get("Tags"),
        )
        return cls(name, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).cache_subnet_groups.pop(self.name, None)


class ReplicationGroup(CloudFormationModel):
    def __init__(self, group: Any, account_id: str, region_name: str):
        self.group = group
        self.account_id = account_id
        self.region_name = region_name

    @property
    def physical_resource_id(self) -> str:
        return self.group.replication_group_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ReplicationGroupId"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::ReplicationGroup"

    ATTRIBUTES = (
        "PrimaryEndPoint.Address",
        "PrimaryEndPoint.Port",
        "ReaderEndPoint.Address",
        "ReaderEndPoint.Port",
        "ConfigurationEndPoint.Address",
        "ConfigurationEndPoint.Port",
    )

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        group = self.group
        node_group = group.node_groups[0] if group.node_groups else {}
        values = {
            "PrimaryEndPoint.Address": node_group.get("primary_endpoint_address"),
            "PrimaryEndPoint.Port": node_group.get("port"),
            "ReaderEndPoint.Address": node_group.get("reader_endpoint_address"),
            "ReaderEndPoint.Port": node_group.get("port"),
        }
        configuration = getattr(group, "configuration_endpoint", None)
        if configuration:
            values["ConfigurationEndPoint.Address"] = configuration["address"]
            values["ConfigurationEndPoint.Port"] = configuration["port"]
        value = values.get(attribute_name)
        if value is None:
            raise UnformattedGetAttTemplateException()
        # CloudFormation gives every attribute as a string.
        return str(value)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ReplicationGroup:
        p = cloudformation_json["Properties"]
        cluster_mode = p.get("ClusterMode", "disabled").lower()
        group = _backend(account_id, region_name).create_replication_group(
            # AWS stores replication group ids in lower case, at most 40 characters.
            replication_group_id=resource_name.lower()[:40],
            replication_group_description=p["ReplicationGroupDescription"],
            global_replication_group_id=p.get("GlobalReplicationGroupId"),
            primary_cluster_id=p.get("PrimaryClusterId"),
            automatic_failover_enabled=_flag(p.get("AutomaticFailoverEnabled", False)),
            multi_az_enabled=_flag(p.get("MultiAZEnabled", False)),
            num_cache_clusters=int(p["NumCacheClusters"]) if "NumCacheClusters" in p else None,
            preferred_cache_cluster_azs=p.get("PreferredCacheClusterAZs"),
            num_node_groups=int(p["NumNodeGroups"]) if "NumNodeGroups" in p else None,
            replicas_per_node_group=_replicas(p),
            node_group_configuration=p.get("NodeGroupConfiguration"),
            cache_node_type=p.get("CacheNodeType"),
            engine=p.get("Engine"),
            engine_version=p.get("EngineVersion"),
            cache_parameter_group_name=p.get("CacheParameterGroupName"),
            cache_subnet_group_name=p.get("CacheSubnetGroupName"),
            cache_security_group_names=p.get("CacheSecurityGroupNames"),
            security_group_ids=p.get("SecurityGroupIds"),
            tags=p.get("Tags", []),
            snapshot_arns=p.get("SnapshotArns"),
            snapshot_name=p.get("SnapshotName"),
            preferred_maintenance_window=p.get("PreferredMaintenanceWindow"),
            port=int(p["Port"]) if "Port" in p else None,
            notification_topic_arn=p.get("NotificationTopicArn"),
            auto_minor_version_upgrade=_flag(p.get("AutoMinorVersionUpgrade", True)),
            snapshot_retention_limit=(
                int(p["SnapshotRetentionLimit"]) if "SnapshotRetentionLimit" in p else None
            ),
            snapshot_window=p.get("SnapshotWindow"),
            auth_token=p.get("AuthToken"),
            transit_encryption_enabled=_flag(p.get("TransitEncryptionEnabled", False)),
            at_rest_encryption_enabled=_flag(p.get("AtRestEncryptionEnabled", False)),
            kms_key_id=p.get("KmsKeyId"),
            user_group_ids=p.get("UserGroupIds"),
            log_delivery_configurations=p.get("LogDeliveryConfigurations"),
            data_tiering_enabled=_flag(p.get("DataTieringEnabled", False)),
            network_type=p.get("NetworkType"),
            ip_discovery=p.get("IpDiscovery"),
            transit_encryption_mode=p.get("TransitEncryptionMode"),
            cluster_mode=cluster_mode,
            serverless_cache_snapshot_name=None,
        )
        return cls(group, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        group_id = self.group.replication_group_id
        if group_id in backend.replication_groups:
            backend.delete_replication_group(group_id, retain_primary_cluster=False)
            backend.replication_groups.pop(group_id, None)
