"""`AWS::Logs::LogGroup` with its KMS key.

moto 5.2.5's log group reads the key it is encrypted with from the API's parameter name
(`kmsKeyId`), which its CloudFormation model passes through unchanged from the template, where
the property is `KmsKeyId`: a template's key is dropped, and `DescribeLogGroups` shows the
group unencrypted. `install()` wraps the model's create so the template's key is kept, and
so that a key that does not exist in the account and region, or is not enabled, fails the
group as CloudWatch Logs fails it (moto accepts any text there).
"""

from __future__ import annotations

from typing import Any

from moto.kms.models import kms_backends
from moto.logs.models import LogGroup


class KeyNotUsable(Exception):
    """CloudWatch Logs' refusal of a key it cannot encrypt a log group with."""


def check_key(key: str, account_id: str, region_name: str) -> None:
    """Fails unless `key` (an id or ARN) is an enabled key of this account and region."""
    backend = kms_backends[account_id][region_name]
    found = backend.keys.get(backend.any_id_to_key_id(key))
    if found is None or found.key_state != "Enabled":
        raise KeyNotUsable(
            f"The specified KMS key does not exist or is not allowed to be used: {key} "
            f"({'not found' if found is None else found.key_state})"
        )

_create = LogGroup.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_with_key(
    cls: type[LogGroup],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> LogGroup:
    key = cloudformation_json["Properties"].get("KmsKeyId")
    if key:
        check_key(key, account_id, region_name)
    group = _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if key:
        group.kms_key_id = key
    return group


def install() -> None:
    if getattr(LogGroup.create_from_cloudformation_json, "__func__", None) is _create_with_key:
        return
    LogGroup.create_from_cloudformation_json = classmethod(_create_with_key)  # type: ignore[method-assign,assignment]
