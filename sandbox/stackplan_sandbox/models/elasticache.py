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

Role-based access control: `AWS::ElastiCache::User` and `AWS::ElastiCache::UserGroup`. moto
implements users (`CreateUser`, `DescribeUsers`, `DeleteUser`) but neither user groups nor a
CloudFormation model for either. `install()` gives the backend user groups as AWS has them
(`CreateUserGroup`, `DescribeUserGroups`, `DeleteUserGroup`): every member must exist, one of
them must be named `default`, and a group in use by a replication group cannot be deleted. A
replication group's `UserGroupIds` must name existing groups, which then list it. Ref of a user is
its ID, of a user group its ID; `Fn::GetAtt` gives `Arn` and `Status` of both.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import BaseModel, CloudFormationModel
from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores
from moto.elasticache.exceptions import ElastiCacheException, UserNotFound
from moto.elasticache.models import ElastiCacheBackend, elasticache_backends
from moto.elasticache.responses import ElastiCacheResponse
from moto.utilities.utils import get_partition


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
            user_group_ids=_user_groups_in_use(account_id, region_name, p.get("UserGroupIds")),
            log_delivery_configurations=p.get("LogDeliveryConfigurations"),
            data_tiering_enabled=_flag(p.get("DataTieringEnabled", False)),
            network_type=p.get("NetworkType"),
            ip_discovery=p.get("IpDiscovery"),
            transit_encryption_mode=p.get("TransitEncryptionMode"),
            cluster_mode=cluster_mode,
            serverless_cache_snapshot_name=None,
        )
        for user_group in group.user_group_ids:
            _backend(account_id, region_name).user_groups[user_group].replication_groups.append(
                group.replication_group_id
            )
        return cls(group, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        group_id = self.group.replication_group_id
        for user_group in self.group.user_group_ids:
            if user_group in backend.user_groups:
                members = backend.user_groups[user_group].replication_groups
                backend.user_groups[user_group].replication_groups = [g for g in members if g != group_id]
        if group_id in backend.replication_groups:
            backend.delete_replication_group(group_id, retain_primary_cluster=False)
            backend.replication_groups.pop(group_id, None)


def _user_groups_in_use(account_id: str, region_name: str, ids: list[str] | None) -> list[str]:
    """The replication group's user groups, each of which must exist (`UserGroupNotFound`)."""
    backend = _backend(account_id, region_name)
    for user_group in ids or []:
        if user_group not in backend.user_groups:
            raise UserGroupNotFound(user_group)
    return list(ids or [])


class UserGroupNotFound(ElastiCacheException):
    code = "UserGroupNotFound"

    def __init__(self, user_group_id: str):
        super().__init__(f"User group {user_group_id} not found.")


class UserGroupAlreadyExists(ElastiCacheException):
    code = "UserGroupAlreadyExists"

    def __init__(self, user_group_id: str):
        super().__init__(f"User group {user_group_id} already exists.")


class DefaultUserRequired(ElastiCacheException):
    code = "DefaultUserRequired"

    def __init__(self) -> None:
        super().__init__("A user group must contain a user with the user name default.")


class InvalidUserGroupState(ElastiCacheException):
    code = "InvalidUserGroupState"

    def __init__(self, user_group_id: str):
        super().__init__(f"User group {user_group_id} is in use by a replication group.")


class UserGroupRecord(BaseModel):
    """A user group as `DescribeUserGroups` answers it."""

    def __init__(self, account_id: str, region_name: str, user_group_id: str, engine: str, user_ids: list[str]):
        self.user_group_id = user_group_id
        self.engine = engine
        self.user_ids = user_ids
        self.status = "active"
        self.minimum_engine_version = "6.0"
        self.replication_groups: list[str] = []
        self.serverless_caches: list[str] = []
        self.arn = f"arn:{get_partition(region_name)}:elasticache:{region_name}:{account_id}:usergroup:{user_group_id}"


def create_user_group(
    self: ElastiCacheBackend, user_group_id: str, engine: str, user_ids: list[str], tags: list[dict[str, str]] | None = None
) -> UserGroupRecord:
    # AWS stores user and group ids in lower case.
    user_group_id = user_group_id.lower()
    user_ids = [u.lower() for u in user_ids]
    if user_group_id in self.user_groups:
        raise UserGroupAlreadyExists(user_group_id)
    for user_id in user_ids:
        if user_id not in self.users:
            raise UserNotFound(user_id)
    if not any(self.users[u].name == "default" for u in user_ids):
        raise DefaultUserRequired()
    group = UserGroupRecord(self.account_id, self.region_name, user_group_id, engine.lower(), user_ids)
    if tags:
        self.tagging_service.tag_resource(group.arn, tags)
    for user_id in user_ids:
        self.users[user_id].user_group_ids.append(user_group_id)
    self.user_groups[user_group_id] = group
    return group


def describe_user_groups(self: ElastiCacheBackend, user_group_id: str | None = None) -> list[UserGroupRecord]:
    if user_group_id is None:
        return list(self.user_groups.values())
    if user_group_id.lower() not in self.user_groups:
        raise UserGroupNotFound(user_group_id)
    return [self.user_groups[user_group_id.lower()]]


def delete_user_group(self: ElastiCacheBackend, user_group_id: str) -> UserGroupRecord:
    group = describe_user_groups(self, user_group_id)[0]
    if group.replication_groups:
        raise InvalidUserGroupState(user_group_id)
    for user_id in group.user_ids:
        if user_id in self.users:
            self.users[user_id].user_group_ids.remove(group.user_group_id)
    self.tagging_service.delete_all_tags_for_resource(group.arn)
    return self.user_groups.pop(group.user_group_id)


def _user_groups(self: ElastiCacheBackend) -> dict[str, UserGroupRecord]:
    # Backends exist before `install()`; each gets its table on first use.
    if "_stackplan_user_groups" not in self.__dict__:
        self.__dict__["_stackplan_user_groups"] = {}
    return self.__dict__["_stackplan_user_groups"]


def _respond_create_user_group(self: ElastiCacheResponse) -> ActionResult:
    params = self._get_params()
    group = self.elasticache_backend.create_user_group(
        user_group_id=params["UserGroupId"],
        engine=params.get("Engine", "redis"),
        user_ids=params.get("UserIds", []),
        tags=params.get("Tags"),
    )
    return ActionResult(group)


def _respond_describe_user_groups(self: ElastiCacheResponse) -> ActionResult:
    params = self._get_params()
    return ActionResult({"UserGroups": self.elasticache_backend.describe_user_groups(params.get("UserGroupId"))})


def _respond_delete_user_group(self: ElastiCacheResponse) -> ActionResult:
    params = self._get_params()
    return ActionResult(self.elasticache_backend.delete_user_group(params["UserGroupId"]))


def _cfn_tags(p: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in p.get("Tags", [])]


class _Rbac:
    """What users and user groups share: Ref is the ID; `Arn` and `Status` are attributes. (A
    mixin: moto finds models among `CloudFormationModel`'s direct subclasses.)"""

    def __init__(self, record: Any):
        self.record = record

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Status")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.record.arn
        if attribute_name == "Status":
            return self.record.status
        raise UnformattedGetAttTemplateException()


class User(_Rbac, CloudFormationModel):
    @property
    def physical_resource_id(self) -> str:
        return self.record.id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UserId"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::User"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> User:
        p = cloudformation_json["Properties"]
        mode = p.get("AuthenticationMode") or {}
        passwords = p.get("Passwords") or mode.get("Passwords") or []
        no_password = _flag(p.get("NoPasswordRequired", False)) or mode.get("Type") == "no-password-required"
        kind = mode.get("Type") or ("no-password-required" if no_password else "password")
        user = _backend(account_id, region_name).create_user(
            user_id=p["UserId"].lower(),
            user_name=p["UserName"],
            engine=p["Engine"].lower(),
            passwords=passwords,
            access_string=p.get("AccessString", ""),
            no_password_required=no_password,
            authentication_type=kind,
            tags=_cfn_tags(p),
        )
        return cls(user)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).users.pop(self.record.id, None)


class UserGroup(_Rbac, CloudFormationModel):
    @property
    def physical_resource_id(self) -> str:
        return self.record.user_group_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UserGroupId"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ElastiCache::UserGroup"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> UserGroup:
        p = cloudformation_json["Properties"]
        group = _backend(account_id, region_name).create_user_group(
            user_group_id=p["UserGroupId"],
            engine=p["Engine"],
            user_ids=p.get("UserIds", []),
            tags=_cfn_tags(p),
        )
        return cls(group)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_user_group(self.record.user_group_id)


_list_tags = ElastiCacheBackend.list_tags_for_resource


def list_tags_for_resource(self: ElastiCacheBackend, arn: str) -> dict[str, list[dict[str, str]]]:
    # moto's ARN check knows no user groups.
    if arn.split(":")[5:6] == ["usergroup"]:
        return self.tagging_service.list_tags_for_resource(arn)
    return _list_tags(self, arn)


def install() -> None:
    ElastiCacheBackend.list_tags_for_resource = list_tags_for_resource  # type: ignore[method-assign]
    ElastiCacheBackend.user_groups = property(_user_groups)  # type: ignore[attr-defined]
    ElastiCacheBackend.create_user_group = create_user_group  # type: ignore[attr-defined]
    ElastiCacheBackend.describe_user_groups = describe_user_groups  # type: ignore[attr-defined]
    ElastiCacheBackend.delete_user_group = delete_user_group  # type: ignore[attr-defined]
    for action, respond in (
        ("CreateUserGroup", _respond_create_user_group),
        ("DescribeUserGroups", _respond_describe_user_groups),
        ("DeleteUserGroup", _respond_delete_user_group),
    ):
        setattr(ElastiCacheResponse, camelcase_to_underscores(action), respond)
