"""`AWS::Logs::LogGroup` with its KMS key.

moto 5.2.5's log group reads the key it is encrypted with from the API's parameter name
(`kmsKeyId`), which its CloudFormation model passes through unchanged from the template, where
the property is `KmsKeyId`: a template's key is dropped, and `DescribeLogGroups` shows the
group unencrypted. `install()` wraps the model's create so the template's key is kept.
"""

from __future__ import annotations

from typing import Any

from moto.logs.models import LogGroup

_create = LogGroup.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_with_key(
    cls: type[LogGroup],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> LogGroup:
    group = _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    key = cloudformation_json["Properties"].get("KmsKeyId")
    if key:
        group.kms_key_id = key
    return group


def install() -> None:
    if getattr(LogGroup.create_from_cloudformation_json, "__func__", None) is _create_with_key:
        return
    LogGroup.create_from_cloudformation_json = classmethod(_create_with_key)  # type: ignore[method-assign,assignment]
