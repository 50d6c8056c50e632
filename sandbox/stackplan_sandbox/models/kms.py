"""`AWS::KMS::Key` as CloudFormation creates and deletes it.

moto 5.2.5 has a CloudFormation model for KMS keys with three gaps a template's key meets:

- it hands the template's tags, in CloudFormation's form (`Key`/`Value`), to a tagger that
  reads KMS's own (`TagKey`/`TagValue`), and the stack fails with a `KeyError`;
- it keeps the key policy as the template's JSON object, where the backend and `GetKeyPolicy`
  work with the policy's text;
- deleting the stack leaves the key enabled, where CloudFormation schedules its deletion
  (after `PendingWindowInDays`, 30 by default). A key the template keeps
  (`DeletionPolicy: Retain`) stays, as moto's stack deletion already ensures.

`install()` replaces the model's create with one that converts both, and gives the model a
`delete` that schedules the key's deletion.
"""

from __future__ import annotations

import json
from typing import Any

from moto.kms.models import Key, kms_backends

DEFAULT_PENDING_DAYS = 30


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]


def _create(
    cls: type[Key],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Key:
    p = cloudformation_json["Properties"]
    policy = p.get("KeyPolicy")
    key = kms_backends[account_id][region_name].create_key(
        policy=policy if policy is None or isinstance(policy, str) else json.dumps(policy),
        key_usage=p.get("KeyUsage", "ENCRYPT_DECRYPT"),
        key_spec=p.get("KeySpec", "SYMMETRIC_DEFAULT"),
        description=p.get("Description", ""),
        tags=_tags(p),
    )
    key.key_rotation_status = p.get("EnableKeyRotation", False) in (True, "true")
    key.enabled = p.get("Enabled", True) in (True, "true")
    key.stackplan_pending_days = int(p.get("PendingWindowInDays", DEFAULT_PENDING_DAYS))
    return key


def _delete(self: Key, account_id: str, region_name: str) -> None:
    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys and self.key_state != "PendingDeletion":
        days = getattr(self, "stackplan_pending_days", DEFAULT_PENDING_DAYS)
        backend.schedule_key_deletion(self.id, days)


def install() -> None:
    Key.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
    Key.delete = _delete  # type: ignore[attr-defined]
