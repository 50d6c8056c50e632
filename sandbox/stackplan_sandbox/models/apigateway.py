"""`AWS::ApiGateway::Stage`.

moto 5.2.5 models REST APIs, resources, methods and deployments in CloudFormation, but not
stages, although its API Gateway backend implements `CreateStage`. This model creates the stage
through that backend, so `GetStages` lists it, with its deployment, variables, description,
tracing and tags; `MethodSettings` are recorded as moto records them. Ref is the stage's name.
"""

from __future__ import annotations

from typing import Any

from moto.apigateway.models import apigateway_backends
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
