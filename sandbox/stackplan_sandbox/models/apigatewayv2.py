"""`AWS::ApiGatewayV2::Api`, `Integration`, `Route`, `Stage` and `Authorizer`.

moto 5.2.5 has no CloudFormation model for API Gateway v2 (HTTP and WebSocket APIs), although
its backend implements `CreateApi`, `CreateIntegration`, `CreateRoute`, `CreateStage` and
`CreateAuthorizer`. These models go through that backend, so `GetApis`, `GetRoutes`,
`GetStages`, `GetAuthorizer` and `GetAuthorizers` find them. Refs are AWS's (the API's id, the
integration's id, the route's id, the stage's name, the authorizer's id); `Fn::GetAtt` gives
`ApiEndpoint` and `ApiId`, and an authorizer's `AuthorizerId`. A route keeps its
`AuthorizationType`, `AuthorizerId` and `AuthorizationScopes`. The sandbox records the API: its
endpoint does not answer.

moto 5.2.5 has no `GetAuthorizers`, though it routes the URL (the call fails as "not
implemented"); `install()` adds it, unpaginated like moto's `GetRoutes`.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigatewayv2.models import ApiGatewayV2Backend, apigatewayv2_backends
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.core.responses import TYPE_RESPONSE


def _backend(account_id: str, region_name: str) -> Any:
    return apigatewayv2_backends[account_id][region_name]


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the API's camelCase ones, all the way down."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


class _ApiPart:
    """Something that lives inside an API: deleted with it, so deleting it twice is fine.

    A mixin, not a `CloudFormationModel` subclass: moto finds models among the *direct*
    subclasses of `CloudFormationModel`."""

    api_id: str

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    def _api(self, account_id: str, region_name: str) -> Any:
        return _backend(account_id, region_name).apis.get(self.api_id)


class Api(CloudFormationModel):
    def __init__(self, api: Any):
        self.api = api

    @property
    def physical_resource_id(self) -> str:
        return self.api.api_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Api"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ApiEndpoint", "ApiId")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "ApiEndpoint":
            return self.api.api_endpoint
        if attribute_name == "ApiId":
            return self.api.api_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Api:
        p = cloudformation_json["Properties"]
        api = _backend(account_id, region_name).create_api(
            api_key_selection_expression=p.get("ApiKeySelectionExpression"),
            cors_configuration=_camel(p.get("CorsConfiguration")),
            description=p.get("Description"),
            disable_schema_validation=p.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=p.get("DisableExecuteApiEndpoint"),
            name=p.get("Name", resource_name),
            protocol_type=p["ProtocolType"],
            route_selection_expression=p.get("RouteSelectionExpression"),
            tags=p.get("Tags", {}),
            version=p.get("Version"),
        )
        return cls(api)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_api(self.api.api_id)


class Integration(_ApiPart, CloudFormationModel):
    def __init__(self, api_id: str, integration: Any):
        self.api_id = api_id
        self.integration = integration

    @property
    def physical_resource_id(self) -> str:
        return self.integration.id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Integration"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Integration:
        p = cloudformation_json["Properties"]
        integration = _backend(account_id, region_name).create_integration(
            api_id=p["ApiId"],
            connection_id=p.get("ConnectionId"),
            connection_type=p.get("ConnectionType"),
            content_handling_strategy=p.get("ContentHandlingStrategy"),
            credentials_arn=p.get("CredentialsArn"),
            description=p.get("Description"),
            integration_method=p.get("IntegrationMethod"),
            integration_subtype=p.get("IntegrationSubtype"),
            integration_type=p["IntegrationType"],
            integration_uri=p.get("IntegrationUri"),
            passthrough_behavior=p.get("PassthroughBehavior"),
            payload_format_version=p.get("PayloadFormatVersion"),
            request_parameters=p.get("RequestParameters"),
            request_templates=p.get("RequestTemplates"),
            response_parameters=p.get("ResponseParameters"),
            template_selection_expression=p.get("TemplateSelectionExpression"),
            timeout_in_millis=p.get("TimeoutInMillis"),
            tls_config=_camel(p.get("TlsConfig")),
        )
        return cls(p["ApiId"], integration)

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None:
            api.delete_integration(self.integration.id)


class Route(_ApiPart, CloudFormationModel):
    def __init__(self, api_id: str, route: Any):
        self.api_id = api_id
        self.route = route

    @property
    def physical_resource_id(self) -> str:
        return self.route.route_id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Route"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Route:
        p = cloudformation_json["Properties"]
        route = _backend(account_id, region_name).create_route(
            api_id=p["ApiId"],
            api_key_required=p.get("ApiKeyRequired"),
            authorization_scopes=p.get("AuthorizationScopes"),
            authorization_type=p.get("AuthorizationType"),
            authorizer_id=p.get("AuthorizerId"),
            model_selection_expression=p.get("ModelSelectionExpression"),
            operation_name=p.get("OperationName"),
            request_models=p.get("RequestModels"),
            request_parameters=p.get("RequestParameters"),
            route_key=p["RouteKey"],
            route_response_selection_expression=p.get("RouteResponseSelectionExpression"),
            target=p.get("Target"),
        )
        return cls(p["ApiId"], route)

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None:
            api.delete_route(self.route.route_id)


class Stage(_ApiPart, CloudFormationModel):
    def __init__(self, api_id: str, stage: Any):
        self.api_id = api_id
        self.stage = stage

    @property
    def physical_resource_id(self) -> str:
        return self.stage.name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Stage:
        p = dict(cloudformation_json["Properties"])
        api_id = p.pop("ApiId")
        tags = p.pop("Tags", {})
        config = _camel(p)
        config["tags"] = tags  # tag keys keep their case
        stage = _backend(account_id, region_name).create_stage(api_id, config)
        return cls(api_id, stage)

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None and self.stage.name in api.stages:
            api.delete_stage(self.stage.name)


class Authorizer(_ApiPart, CloudFormationModel):
    def __init__(self, api_id: str, authorizer: Any):
        self.api_id = api_id
        self.authorizer = authorizer

    @property
    def physical_resource_id(self) -> str:
        return self.authorizer.id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::Authorizer"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "AuthorizerId"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "AuthorizerId":
            return self.authorizer.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Authorizer:
        p = cloudformation_json["Properties"]
        authorizer = _backend(account_id, region_name).create_authorizer(
            api_id=p["ApiId"],
            auth_creds_arn=p.get("AuthorizerCredentialsArn"),
            auth_payload_format_version=p.get("AuthorizerPayloadFormatVersion"),
            auth_result_ttl=p.get("AuthorizerResultTtlInSeconds"),
            authorizer_uri=p.get("AuthorizerUri"),
            authorizer_type=p["AuthorizerType"],
            enable_simple_response=p.get("EnableSimpleResponses"),
            identity_source=p.get("IdentitySource"),
            identity_validation_expr=p.get("IdentityValidationExpression"),
            # The API's shape: `{"issuer": …, "audience": [...]}`.
            jwt_config=_camel(p["JwtConfiguration"]) if "JwtConfiguration" in p else None,
            name=p["Name"],
        )
        return cls(p["ApiId"], authorizer)

    def delete(self, account_id: str, region_name: str) -> None:
        api = self._api(account_id, region_name)
        if api is not None:
            api.delete_authorizer(self.authorizer.id)


def _get_authorizers(self: ApiGatewayV2Backend, api_id: str) -> list[Any]:
    return list(self.get_api(api_id).authorizers.values())


def _get_authorizers_response(self: ApiGatewayV2Response) -> TYPE_RESPONSE:
    api_id = self.path.split("/")[-2]
    authorizers = self.apigatewayv2_backend.get_authorizers(api_id)
    return 200, {}, json.dumps({"items": [a.to_json() for a in authorizers]})


def install() -> None:
    """Adds `GetAuthorizers` (the backend's `get_authorizers` and the API's action)."""
    if hasattr(ApiGatewayV2Response, "get_authorizers"):
        return
    ApiGatewayV2Backend.get_authorizers = _get_authorizers  # type: ignore[attr-defined]
    ApiGatewayV2Response.get_authorizers = _get_authorizers_response  # type: ignore[attr-defined]
