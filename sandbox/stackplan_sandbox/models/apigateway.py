"""`AWS::ApiGateway::Stage`.

moto 5.2.5 models REST APIs, resources, methods and deployments in CloudFormation, but not
stages, although its API Gateway backend implements `CreateStage`. This model creates the stage
through that backend, so `GetStages` lists it, with its deployment, variables, description,
tracing and tags; `MethodSettings` are recorded as moto records them. Ref is the stage's name.

`AWS::ApiGateway::Method`: moto's model drops the integration's `Credentials` (the role API
Gateway assumes to call the integration). `install()` wraps its create so that the integration
keeps them, as `PutIntegration` does, including its refusal of another account's role.
"""

from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import CrossAccountNotAllowed
from moto.apigateway.models import Method, apigateway_backends
from moto.utilities.utils import get_partition
from moto.core.common_models import CloudFormationModel


class RestStage(CloudFormationModel):
    def __init__(self, api_id: str, name: str):
        self.api_id = api_id
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

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
    ) -> RestStage:
        p = cloudformation_json["Properties"]
        tags = {t["Key"]: t["Value"] for t in p.get("Tags", [])}
        apigateway_backends[account_id][region_name].create_stage(
            function_id=p["RestApiId"],
            stage_name=resource_name,
            deploymentId=p["DeploymentId"],
            variables=p.get("Variables"),
            description=p.get("Description", ""),
            cacheClusterEnabled=str(p.get("CacheClusterEnabled", False)).lower() == "true",
            cacheClusterSize=p.get("CacheClusterSize"),
            tags=tags,
            tracing_enabled=str(p.get("TracingEnabled", False)).lower() == "true",
        )
        return cls(p["RestApiId"], resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        api = apigateway_backends[account_id][region_name].apis.get(self.api_id)
        if api is not None:
            api.stages.pop(self.name, None)


_create_method = Method.create_from_cloudformation_json


def _create_method_with_credentials(
    cls: type[Method],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Method:
    credentials = cloudformation_json["Properties"].get("Integration", {}).get("Credentials")
    if credentials and not credentials.startswith(f"arn:{get_partition(region_name)}:iam::{account_id}:"):
        raise CrossAccountNotAllowed()
    method = _create_method(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if credentials and method.method_integration is not None:
        method.method_integration.credentials = credentials
    return method


def install() -> None:
    Method.create_from_cloudformation_json = classmethod(_create_method_with_credentials)  # type: ignore[method-assign,assignment]
