"""Intrinsic functions and references the way CloudFormation resolves them.

Two gaps in moto 5.2.5's `clean_json`, which resolves every property value:

- `Fn::Sub` with a dotted attribute, `${Database.MasterUserSecret.SecretArn}`, is split on every
  dot, so moto asks `Database` for the attribute `MasterUserSecret` and fails the stack
  ("does not support attribute type MasterUserSecret"). CloudFormation splits on the first dot
  only: the resource, then the attribute `MasterUserSecret.SecretArn`.
- Dynamic references (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm:…}}`) stay literal text;
  CloudFormation replaces them with the value they name before the resource sees it.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from .models.secretsmanager import resolve


def _first_dot_only(value: Any) -> Any:
    """`{"Fn::GetAtt": [A, B, C]}`, as moto's `Fn::Sub` builds it, as `[A, "B.C"]`."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        if isinstance(target, list) and len(target) > 2 and all(isinstance(t, str) for t in target):
            return {"Fn::GetAtt": [target[0], ".".join(target[1:])]}
    return value


def install() -> None:
    original = parsing.clean_json
    if getattr(original, "stackplan_sandbox", False):
        return

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        value = original(_first_dot_only(resource_json), resources_map)
        account_id = getattr(resources_map, "_account_id", None)
        if isinstance(value, str) and "{{resolve:" in value and account_id:
            return resolve(value, account_id, resources_map._region_name)
        return value

    clean_json.stackplan_sandbox = True  # type: ignore[attr-defined]
    parsing.clean_json = clean_json
