"""`AWS::CertificateManager::Certificate`, validated through DNS in a Route 53 hosted zone.

moto 5.2.5 has no CloudFormation model for ACM certificates, although its backend implements
`RequestCertificate` and `DeleteCertificate`. This model requests the certificate through that
backend, with its subject alternative names, tags, transparency logging preference and private
CA, so `ListCertificates` and `DescribeCertificate` show it. Ref is the certificate's ARN.

With `ValidationMethod: DNS` and a `HostedZoneId` in `DomainValidationOptions`, CloudFormation
writes each domain's validation CNAME (the `ResourceRecord` that `DescribeCertificate` gives)
into that hosted zone and waits until ACM has seen it and issued the certificate. Here the
record is written (UPSERT, as CloudFormation does) into moto's Route 53 zone, and the
certificate is `ISSUED` at once: the sandbox has no DNS for ACM to query, so validation
succeeds as soon as the record exists. A hosted zone that does not exist fails the resource,
as it fails CloudFormation; nothing is requested then. A domain with no hosted zone named for
it (or `EMAIL` validation) would keep CloudFormation waiting for someone to validate it by
hand; the sandbox has nobody to wait for and issues the certificate as well.

Deleting the resource deletes the certificate (one already gone is fine) and, as on AWS, leaves
the validation records in the zone (CloudFormation does not remove them, see
aws-cloudformation/cloudformation-coverage-roadmap#1603).
"""

from __future__ import annotations

from typing import Any

from moto.acm.exceptions import CertificateNotFound
from moto.acm.models import acm_backends
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.route53.exceptions import NoSuchHostedZone
from moto.route53.models import route53_backends
from moto.utilities.utils import get_partition


def _backend(account_id: str, region_name: str) -> Any:
    return acm_backends[account_id][region_name]


def _route53(account_id: str, region_name: str) -> Any:
    # Route 53 is global: one backend per partition.
    return route53_backends[account_id][get_partition(region_name)]


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower()


def _validation_zones(p: dict[str, Any], account_id: str, region_name: str) -> dict[str, Any]:
    """For each of the certificate's domains that names a hosted zone, the zone (must exist)."""
    if str(p.get("ValidationMethod", "")).upper() != "DNS":
        return {}
    domains = {_fqdn(d) for d in [p["DomainName"], *p.get("SubjectAlternativeNames", [])]}
    route53 = _route53(account_id, region_name)
    zones: dict[str, Any] = {}
    for option in p.get("DomainValidationOptions", []):
        domain, zone_id = _fqdn(option.get("DomainName", "")), option.get("HostedZoneId")
        if not zone_id or domain not in domains:
            continue
        try:
            zones[domain] = route53.get_hosted_zone(zone_id)
        except NoSuchHostedZone as error:
            raise ValidationError(
                message=(
                    f"Hosted zone {zone_id} for the DNS validation of {option['DomainName']} "
                    f"does not exist: No hosted zone found with ID: {zone_id}"
                )
            ) from error
    return zones


class Certificate(CloudFormationModel):
    def __init__(self, arn: str):
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CertificateManager::Certificate"

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
    ) -> Certificate:
        p = cloudformation_json["Properties"]
        zones = _validation_zones(p, account_id, region_name)
        options = {}
        if "CertificateTransparencyLoggingPreference" in p:
            options["CertificateTransparencyLoggingPreference"] = p[
                "CertificateTransparencyLoggingPreference"
            ]
        backend = _backend(account_id, region_name)
        arn = backend.request_certificate(
            domain_name=p["DomainName"],
            idempotency_token=None,
            subject_alt_names=p.get("SubjectAlternativeNames"),
            tags=p.get("Tags", []),
            cert_authority_arn=p.get("CertificateAuthorityArn"),
            cert_options=options or None,
        )
        bundle = backend.get_certificate(arn)
        try:
            for option in bundle.describe()["Certificate"].get("DomainValidationOptions", []):
                zone = zones.get(_fqdn(option["DomainName"]))
                if zone is None:
                    continue
                record = option["ResourceRecord"]
                _route53(account_id, region_name).change_resource_record_sets(
                    zone.id,
                    [
                        {
                            "Action": "UPSERT",
                            "ResourceRecordSet": {
                                "Name": record["Name"],
                                "Type": record["Type"],
                                "TTL": 300,
                                "ResourceRecords": [{"Value": record["Value"]}],
                            },
                        }
                    ],
                )
        except Exception:
            backend.delete_certificate(arn)  # the resource failed: it leaves nothing behind
            raise
        # No DNS to query: the record is there, so ACM has validated the domain.
        bundle.status = "ISSUED"
        return cls(arn)

    def delete(self, account_id: str, region_name: str) -> None:
        try:
            _backend(account_id, region_name).delete_certificate(self.arn)
        except CertificateNotFound:
            pass  # already gone: CloudFormation's delete is done
