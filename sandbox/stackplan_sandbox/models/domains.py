"""API Gateway custom domain names: `AWS::ApiGatewayV2::DomainName` and
`AWS::ApiGatewayV2::ApiMapping` (HTTP and WebSocket APIs), `AWS::ApiGateway::DomainName` and
`AWS::ApiGateway::BasePathMapping` (REST APIs).

moto 5.2.5 has no CloudFormation model for any of them, although both of its API Gateway
backends implement `CreateDomainName` and the mappings (`CreateApiMapping`,
`CreateBasePathMapping`). These models go through those backends, so `GetDomainNames`,
`GetApiMappings` and `GetBasePathMappings` list them. Refs are AWS's: the domain name, and the
API mapping's id; a base path mapping, for which AWS's Ref means nothing useful, is
`DOMAIN/BASE_PATH` (`(none)` for the root, as the REST API names it).

`Fn::GetAtt RegionalDomainName` and `RegionalHostedZoneId` are what an alias record points at.
AWS answers `d-` and 10 lower-case letters and digits, `.execute-api.REGION.amazonaws.com`, and
the hosted zone of API Gateway's regional endpoints in the region. moto's v2 domain name holds
neither (the v2 model fills both into its `DomainNameConfigurations`, with
`DomainNameStatus: AVAILABLE`, as `GetDomainName` shows them on AWS), and its REST domain name
gives CloudFront's zone (`Z2FDTNDATAQYW2`, the edge-optimized endpoints' zone) as the regional
one (the REST model puts the region's zone in its place). The zones are AWS's documented ones
("Amazon API Gateway endpoints and quotas", Route 53 Hosted Zone ID column) for the regions in
`REGIONAL_HOSTED_ZONES`; in any other region the id is a stable fake derived from the region's
name (`Z` and 13 upper-case letters and digits), not AWS's. The sandbox records the domain:
nothing answers at its name.

Two moto backend bugs the deletes step around: the v2 `DeleteDomainName` fails with
"dictionary changed size during iteration" when the domain still has API mappings, and the REST
`DeleteDomainName` keeps the domain's base path mappings, which a domain created again under the
same name would inherit (and its `GetBasePathMappings` fails on a domain that never had one; the
REST model gives each new domain an empty list). AWS deletes a domain's mappings with it; so do
these deletes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from moto.apigateway.exceptions import BasePathNotFoundException
from moto.apigateway.exceptions import DomainNameNotFound as RestDomainNameNotFound
from moto.apigateway.models import apigateway_backends
from moto.apigateway.utils import create_id
from moto.apigatewayv2.exceptions import ApiMappingNotFound
from moto.apigatewayv2.exceptions import DomainNameNotFound as HttpDomainNameNotFound
from moto.apigatewayv2.models import apigatewayv2_backends
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from .apigatewayv2 import _camel

# API Gateway's regional endpoints' Route 53 hosted zones, as AWS documents them.
REGIONAL_HOSTED_ZONES = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "ap-southeast-1": "ZL327KTPIQFUL",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
}


def regional_hosted_zone(region_name: str) -> str:
    """The hosted zone of API Gateway's regional endpoints: AWS's where the table knows it, else
    a stable fake made from the region's name."""
    known = REGIONAL_HOSTED_ZONES.get(region_name)
    if known:
        return known
    digest = hashlib.sha256(f"execute-api.{region_name}".encode()).digest()
    return "Z" + base64.b32encode(digest).decode()[:13]


def regional_domain_name(region_name: str) -> str:
    """A regional custom domain's API Gateway name, shaped as AWS's."""
    return f"d-{create_id()}.execute-api.{region_name}.amazonaws.com"


def _http(account_id: str, region_name: str) -> Any:
    return apigatewayv2_backends[account_id][region_name]


def _rest(account_id: str, region_name: str) -> Any:
    return apigateway_backends[account_id][region_name]


# ---------------------------------------------------------------------------------------------
# HTTP and WebSocket APIs


class HttpDomainName(CloudFormationModel):
    ATTRIBUTES = ("DomainName", "DomainNameArn", "RegionalDomainName", "RegionalHostedZoneId")

    def __init__(self, domain: Any, regional_name: str, regional_zone: str):
        self.domain = domain
        self.regional_name = regional_name
        self.regional_zone = regional_zone

    @property
    def physical_resource_id(self) -> str:
        return self.domain.domain_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DomainName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::DomainName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "DomainName":
            return self.domain.domain_name
        if attribute_name == "DomainNameArn":
            return self.domain.domain_name_arn
        if attribute_name == "RegionalDomainName":
            return self.regional_name
        if attribute_name == "RegionalHostedZoneId":
            return self.regional_zone
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> HttpDomainName:
        p = cloudformation_json["Properties"]
        regional_name = regional_domain_name(region_name)
        regional_zone = regional_hosted_zone(region_name)
        configurations = [
            {
                **_camel(c),
                "apiGatewayDomainName": regional_name,
                "hostedZoneId": regional_zone,
                "domainNameStatus": "AVAILABLE",
            }
            for c in p.get("DomainNameConfigurations", [])
        ]
        domain = _http(account_id, region_name).create_domain_name(
            domain_name=p.get("DomainName", resource_name),
            domain_name_configurations=configurations,
            mutual_tls_authentication=_camel(p.get("MutualTlsAuthentication")) or {},
            tags=p.get("Tags", {}),  # tag keys keep their case
        )
        return cls(domain, regional_name, regional_zone)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _http(account_id, region_name)
        name = self.domain.domain_name
        for mapping_id, mapping in list(backend.api_mappings.items()):
            if mapping.domain_name == name:
                backend.delete_api_mapping(mapping_id, name)
        try:
            backend.delete_domain_name(name)
        except HttpDomainNameNotFound:
            pass  # already gone


class ApiMapping(CloudFormationModel):
    def __init__(self, mapping: Any):
        self.mapping = mapping

    @property
    def physical_resource_id(self) -> str:
        return self.mapping.api_mapping_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGatewayV2::ApiMapping"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "ApiMappingId"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "ApiMappingId":
            return self.mapping.api_mapping_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiMapping:
        p = cloudformation_json["Properties"]
        mapping = _http(account_id, region_name).create_api_mapping(
            api_id=p["ApiId"],
            api_mapping_key=p.get("ApiMappingKey", ""),
            domain_name=p["DomainName"],
            stage=p["Stage"],
        )
        return cls(mapping)

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            _http(account_id, region_name).delete_api_mapping(
                self.mapping.api_mapping_id, self.mapping.domain_name
            )
        except ApiMappingNotFound:
            pass  # gone with its domain


# ---------------------------------------------------------------------------------------------
# REST APIs


class RestDomainName(CloudFormationModel):
    ATTRIBUTES = (
        "DistributionDomainName",
        "DistributionHostedZoneId",
        "RegionalDomainName",
        "RegionalHostedZoneId",
    )

    def __init__(self, domain: Any):
        self.domain = domain

    @property
    def physical_resource_id(self) -> str:
        return self.domain.domain_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "DomainName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::DomainName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "DistributionDomainName":
            return self.domain.distribution_domain_name
        if attribute_name == "DistributionHostedZoneId":
            return self.domain.distribution_hosted_zone_id
        if attribute_name == "RegionalDomainName":
            return self.domain.regional_domain_name
        if attribute_name == "RegionalHostedZoneId":
            return self.domain.regional_hosted_zone_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> RestDomainName:
        p = cloudformation_json["Properties"]
        backend = _rest(account_id, region_name)
        domain = backend.create_domain_name(
            domain_name=p.get("DomainName", resource_name),
            certificate_name=None,
            tags={t["Key"]: t["Value"] for t in p.get("Tags", [])} or None,
            certificate_arn=p.get("CertificateArn"),
            certificate_body=None,
            certificate_private_key=None,
            certificate_chain=None,
            regional_certificate_name=None,
            regional_certificate_arn=p.get("RegionalCertificateArn"),
            endpoint_configuration=_camel(p.get("EndpointConfiguration")),
            security_policy=p.get("SecurityPolicy"),
        )
        # moto gives CloudFront's zone (the edge-optimized endpoints') as the regional one.
        domain.regional_hosted_zone_id = regional_hosted_zone(region_name)
        backend.base_path_mappings.setdefault(domain.domain_name, {})
        return cls(domain)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _rest(account_id, region_name)
        name = self.domain.domain_name
        backend.base_path_mappings.pop(name, None)
        try:
            backend.delete_domain_name(name)
        except RestDomainNameNotFound:
            pass  # already gone


class BasePathMapping(CloudFormationModel):
    def __init__(self, mapping: Any):
        self.mapping = mapping

    @property
    def physical_resource_id(self) -> str:
        return f"{self.mapping.domain_name}/{self.mapping.base_path}"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::BasePathMapping"

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
    ) -> BasePathMapping:
        p = cloudformation_json["Properties"]
        mapping = _rest(account_id, region_name).create_base_path_mapping(
            domain_name=p["DomainName"],
            rest_api_id=p["RestApiId"],
            base_path=p.get("BasePath", ""),
            stage=p.get("Stage"),
        )
        return cls(mapping)

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            _rest(account_id, region_name).delete_base_path_mapping(
                self.mapping.domain_name, self.mapping.base_path
            )
        except (RestDomainNameNotFound, BasePathNotFoundException):
            pass  # gone with its domain
