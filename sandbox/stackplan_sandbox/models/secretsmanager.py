"""`AWS::SecretsManager::Secret`, and CloudFormation's dynamic references to secrets.

moto 5.2.5 has no CloudFormation model for Secrets Manager secrets, although its backend
implements `CreateSecret` and `GetRandomPassword`. This model creates the secret through that
backend, with `GenerateSecretString` honoured as AWS does it (a random password of the asked
length and character classes, put under `GenerateStringKey` in `SecretStringTemplate`). Ref is
the secret's ARN; `Fn::GetAtt Id` too.

moto also leaves dynamic references such as
`{{resolve:secretsmanager:arn:aws:secretsmanager:…:secret:name-AbCdEf:SecretString:token}}` in
property values as literal text, where CloudFormation replaces them with the secret's value
before the resource sees it. `resolve` does what CloudFormation does (Secrets Manager, and SSM
parameters with `{{resolve:ssm:name[:version]}}`); `stackplan_sandbox.intrinsics` applies it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends
from moto.secretsmanager.utils import random_password


def _backend(account_id: str, region_name: str) -> Any:
    return secretsmanager_backends[account_id][region_name]


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def generate_secret_string(spec: dict[str, Any]) -> str:
    """The value `GenerateSecretString` asks for."""
    password = random_password(
        int(spec.get("PasswordLength", 32)),
        spec.get("ExcludeCharacters", ""),
        _flag(spec.get("ExcludeNumbers", False)),
        _flag(spec.get("ExcludePunctuation", False)),
        _flag(spec.get("ExcludeUppercase", False)),
        _flag(spec.get("ExcludeLowercase", False)),
        _flag(spec.get("IncludeSpace", False)),
        _flag(spec.get("RequireEachIncludedType", True)),
    )
    if "SecretStringTemplate" not in spec:
        return password
    document = json.loads(spec["SecretStringTemplate"])
    document[spec["GenerateStringKey"]] = password
    return json.dumps(document)


class Secret(CloudFormationModel):
    def __init__(self, arn: str, name: str):
        self.arn = arn
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Id":
            return self.arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Secret:
        p = cloudformation_json["Properties"]
        if "SecretString" in p and "GenerateSecretString" in p:
            raise ValidationError(
                message="You can't specify both SecretString and GenerateSecretString"
            )
        value = p.get("SecretString")
        if "GenerateSecretString" in p:
            value = generate_secret_string(p["GenerateSecretString"])
        created = json.loads(
            _backend(account_id, region_name).create_secret(
                name=resource_name,
                secret_string=value,
                secret_binary=None,
                description=p.get("Description"),
                tags=p.get("Tags", []),
                kms_key_id=p.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=p.get("ReplicaRegions", []),
                force_overwrite=False,
            )
        )
        return cls(created["ARN"], created["Name"])

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.arn in backend.secrets:
            # CloudFormation deletes a stack's secret at once, without a recovery window.
            backend.delete_secret(
                self.arn, recovery_window_in_days=None, force_delete_without_recovery=True
            )


# ---------------------------------------------------------------------------------------------
# Dynamic references

_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm):([^}]*)\}\}")


def _secret_reference(account_id: str, region_name: str, body: str) -> str:
    """`secret-id:SecretString:json-key:version-stage:version-id`, every part after the id
    optional; the id may be an ARN, which has colons of its own."""
    parts = body.split(":")
    if body.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    rest += [""] * (4 - len(rest))
    _field, key, stage, version = rest[:4]
    value = _backend(account_id, region_name).get_secret_value(
        secret_id, version or None, stage or None
    )["SecretString"]
    if not key:
        return value
    try:
        return str(json.loads(value)[key])
    except (ValueError, KeyError) as error:
        raise ValidationError(
            message=f"Could not find a value associated with JSONKey in SecretString: {key}"
        ) from error


def _ssm_reference(account_id: str, region_name: str, body: str) -> str:
    from moto.ssm.models import ssm_backends

    parameter = ssm_backends[account_id][region_name].get_parameter(body)
    if parameter is None:
        raise ValidationError(message=f"Parameter {body} does not exist")
    return parameter.value


def resolve(text: str, account_id: str, region_name: str) -> str:
    """A property value with its dynamic references replaced by what they name."""

    def one(match: re.Match[str]) -> str:
        service, body = match.groups()
        if service == "secretsmanager":
            return _secret_reference(account_id, region_name, body)
        return _ssm_reference(account_id, region_name, body)

    return _REFERENCE.sub(one, text)
