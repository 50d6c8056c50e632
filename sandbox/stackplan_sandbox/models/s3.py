"""`AWS::S3::BucketPolicy`, and bucket policies that deny plain-HTTP access.

moto 5.2.5 has no CloudFormation model for bucket policies, although its S3 backend implements
`PutBucketPolicy`. This model puts the policy through that backend, so `GetBucketPolicy`
returns it; deleting the resource deletes the policy. Ref is the bucket's name.

moto evaluates bucket policies on object requests but ignores their conditions, so the
standard "deny when `aws:SecureTransport` is false" statement denies every request. On AWS that
statement only stops plain-HTTP requests, and the AWS SDKs always use TLS; the sandbox stands
in for AWS's TLS endpoints, so `install()` evaluates that condition as a TLS request would.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition


def _backend(account_id: str, region_name: str) -> Any:
    return s3_backends[account_id][get_partition(region_name)]


class BucketPolicy(CloudFormationModel):
    def __init__(self, bucket_name: str):
        self.bucket_name = bucket_name

    @property
    def physical_resource_id(self) -> str:
        return self.bucket_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

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
    ) -> BucketPolicy:
        p = cloudformation_json["Properties"]
        document = p["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        _backend(account_id, region_name).put_bucket_policy(p["Bucket"], text.encode())
        return cls(p["Bucket"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> BucketPolicy:
        if cloudformation_json["Properties"]["Bucket"] != original_resource.bucket_name:
            original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.bucket_name in backend.buckets:
            backend.delete_bucket_policy(self.bucket_name)


def _insecure_transport_only(statement: dict[str, Any]) -> bool:
    """Whether a statement applies only to plain-HTTP requests."""
    condition = statement.get("Condition", {})
    secure = {k.lower(): v for k, v in condition.get("Bool", {}).items()}.get("aws:securetransport")
    return str(secure).lower() == "false"


def install() -> None:
    original = FakeBucket.get_permission
    if getattr(original, "evaluates_secure_transport", False):
        return

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return original(self, action, resource)
        document = json.loads(self.policy)
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if not _insecure_transport_only(s)]
        if len(kept) == len(statements):
            return original(self, action, resource)
        if not kept:
            return PermissionResult.NEUTRAL
        policy = IAMPolicy(json.dumps({**document, "Statement": kept}))
        return policy.is_action_permitted(action, resource)

    get_permission.evaluates_secure_transport = True  # type: ignore[attr-defined]
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
