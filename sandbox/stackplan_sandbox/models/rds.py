"""`AWS::RDS::DBInstance`: the properties and attributes moto's model drops.

moto 5.2.5's CloudFormation model of a DB instance:
- ignores `ManageMasterUserPassword`, so no Secrets Manager secret is made, and
  `Fn::GetAtt [Db, MasterUserSecret.SecretArn]` fails the stack;
- implements no `DbiResourceId` attribute, and gives every instance the same resource id;
- reads security groups from `VpcSecurityGroupIds` (CloudFormation's name is
  `VPCSecurityGroups`), and defaults the port to 3306 whatever the engine;
- drops `DeletionProtection`, `MonitoringInterval` and `MonitoringRoleArn`, so a protected
  instance is deleted with its stack, where AWS refuses until the protection is lifted.

`install()` wraps the model so that, as on AWS, `ManageMasterUserPassword: true` makes a secret
`rds!db-…` holding the master `username` and a random `password` (moto's `MasterUserSecret`
with its fixed `admin` / `P@55w0rd!` replaced, which
`DescribeDBInstances` reports and `DeleteDBInstance` deletes), each instance gets its own
`db-…` resource id, the security groups, the engine's default port, deletion protection and
Enhanced Monitoring are taken, and the two attributes resolve. The sandbox records the instance: no database server runs.
"""

from __future__ import annotations

import json
import string
from typing import Any

from moto.moto_api._internal import mock_random
from moto.rds.models import DBInstance, DBSubnetGroup, MasterUserSecret, rds_backends
from moto.secretsmanager.utils import random_password

ATTRIBUTES = ("MasterUserSecret.SecretArn", "DbiResourceId", "DBInstanceArn")


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _resource_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "db-" + "".join(mock_random.choice(alphabet) for _ in range(26))


class ManagedMasterSecret(MasterUserSecret):
    """The secret RDS manages: the instance's own master user name and a random password.
    (moto's `MasterUserSecret` holds `admin` / `P@55w0rd!` for every instance.)"""

    def _generate_secret_string(self) -> str:
        password = random_password(
            password_length=41,
            exclude_characters='"@/\\',
            exclude_numbers=False,
            exclude_punctuation=False,
            exclude_uppercase=False,
            exclude_lowercase=False,
            include_space=False,
            require_each_included_type=True,
        )
        return json.dumps({"username": self.resource.master_username, "password": password})


def install() -> None:
    if getattr(DBInstance, "stackplan_sandbox", False):
        return
    create = DBInstance.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    has_attr = DBInstance.has_cfn_attr.__func__  # type: ignore[attr-defined]
    get_attr = DBInstance.get_cfn_attribute

    def create_from_cloudformation_json(
        cls: type[DBInstance],
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> DBInstance:
        properties = cloudformation_json["Properties"]
        if "Port" not in properties and properties.get("Engine"):
            properties = {**properties, "Port": DBInstance.default_port(properties["Engine"])}
        group = properties.get("DBSubnetGroupName")
        if isinstance(group, str):
            # Ref on a subnet group gives its name (as on AWS); moto's model wants the group.
            found = rds_backends[account_id][region_name].describe_db_subnet_groups(group)
            properties = {**properties, "DBSubnetGroupName": found[0]}
        if "VPCSecurityGroups" in properties and "VpcSecurityGroupIds" not in properties:
            properties = {**properties, "VpcSecurityGroupIds": properties["VPCSecurityGroups"]}
        database = create(
            cls,
            resource_name,
            {**cloudformation_json, "Properties": properties},
            account_id,
            region_name,
            **kwargs,
        )
        database.port = int(properties.get("Port", database.port))
        database.dbi_resource_id = _resource_id()
        database.enable_iam_database_authentication = _flag(
            properties.get("EnableIAMDatabaseAuthentication", False)
        )
        database.enabled_cloudwatch_logs_exports = properties.get(
            "EnableCloudwatchLogsExports", []
        )
        database.deletion_protection = _flag(properties.get("DeletionProtection", False))
        database.monitoring_interval = int(properties.get("MonitoringInterval", 0))
        database.monitoring_role_arn = properties.get("MonitoringRoleArn")
        if _flag(properties.get("ManageMasterUserPassword", False)):
            database.manage_master_user_password = True
            database.master_user_secret = ManagedMasterSecret(
                database, properties.get("MasterUserSecret", {}).get("KmsKeyId")
            )
        return database

    def has_cfn_attr(cls: type[DBInstance], attr: str) -> bool:
        return attr in ATTRIBUTES or has_attr(cls, attr)

    def get_cfn_attribute(self: DBInstance, attribute_name: str) -> Any:
        if attribute_name == "MasterUserSecret.SecretArn" and hasattr(self, "master_user_secret"):
            return self.master_user_secret.secret_arn
        if attribute_name == "DbiResourceId":
            return self.dbi_resource_id
        if attribute_name == "DBInstanceArn":
            return self.db_instance_arn
        return get_attr(self, attribute_name)

    DBInstance.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
    DBInstance.has_cfn_attr = classmethod(has_cfn_attr)  # type: ignore[assignment]
    DBInstance.get_cfn_attribute = get_cfn_attribute  # type: ignore[method-assign]
    DBInstance.stackplan_sandbox = True  # type: ignore[attr-defined]
    if "physical_resource_id" not in DBSubnetGroup.__dict__:
        # Ref on AWS::RDS::DBSubnetGroup is the group's (lowercased) name.
        DBSubnetGroup.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]
