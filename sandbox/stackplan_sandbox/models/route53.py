"""`AWS::Route53::RecordSet` as Route 53 keeps it.

moto 5.2.5's model appends the template's record to the zone as written, without what Route
53's `ChangeResourceRecordSets` does (and moto's own API does):

- the name keeps no final dot (`api.example.com`), where Route 53 answers the fully qualified
  `api.example.com.`; an alias target's `DNSName` likewise;
- a name outside the zone is accepted, and a record that already exists is added a second
  time, where AWS fails the resource (`InvalidChangeBatch`);
- the change is missing from the zone's journal, so moto's `ChangeResourceRecordSets` later
  refuses to DELETE the record ("Expected exactly one of [AliasTarget, ...] but found none").

Its deletes are rough too: an update deletes every record of the name, whatever its type, before
creating the new one, and deleting a record whose zone is gone fails the stack's delete.

`install()` creates the record through the backend's `ChangeResourceRecordSets` (a CREATE), so
it is checked, named and journaled as one made through the API, with `TTL` and `Weight` as
numbers, the alias target's `DNSName` fully qualified and `EvaluateTargetHealth` a boolean. Ref
stays the name as the template writes it. Deleting (and replacing, on update) removes that one
record, and counts a record or zone already gone as deleted. Alias records themselves
(`AliasTarget` with `HostedZoneId`, `DNSName`, `EvaluateTargetHealth`) moto already keeps.

Hosted zone ids: moto makes 22 random capitals and digits, where Route 53's ids start with `Z`
(`Z1RWWTK7Y8UDDQ`, as moto's own comment says), so a client that checks the form refuses
moto's. `install()` makes them start with `Z`.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.route53.exceptions import NoSuchHostedZone, ResourceRecordAlreadyExists
from moto.route53.models import FakeZone, RecordSet, route53_backends
from moto.utilities.utils import get_partition

# Template properties that are not part of the record itself.
NOT_RECORD = {"HostedZoneId", "HostedZoneName", "Comment"}


def _backend(account_id: str, region_name: str) -> Any:
    return route53_backends[account_id][get_partition(region_name)]


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


def _same_name(a: str, b: str) -> bool:
    return a.rstrip(".").lower() == b.rstrip(".").lower()


def _zone(backend: Any, properties: dict[str, Any]) -> FakeZone:
    name = properties.get("HostedZoneName")
    if name:
        for zone in backend.zones.values():
            if _same_name(zone.name, name):
                return zone
        if "HostedZoneId" not in properties:
            raise ValidationError(message=f"No hosted zone found with name: {name}")
    return backend.get_hosted_zone(properties["HostedZoneId"])


def _find(zone: FakeZone, name: str, record_type: str, set_identifier: Any) -> RecordSet | None:
    for record in zone.rrsets:
        if (
            _same_name(record.name, name)
            and record.type == record_type
            and record.set_identifier == set_identifier
        ):
            return record
    return None


def _create(
    cls: type[RecordSet],
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> RecordSet:
    p = cloudformation_json["Properties"]
    backend = _backend(account_id, region_name)
    zone = _zone(backend, p)
    rrset = {k: v for k, v in p.items() if k not in NOT_RECORD}
    rrset["Name"] = _fqdn(p["Name"])
    for number in ("TTL", "Weight"):  # strings in templates, numbers in the API
        if number in p:
            rrset[number] = int(p[number])
    if "ResourceRecords" in p:
        rrset["ResourceRecords"] = [{"Value": str(v)} for v in p["ResourceRecords"]]
    if "AliasTarget" in p:
        alias = dict(p["AliasTarget"])
        alias["DNSName"] = _fqdn(alias["DNSName"])
        evaluate = str(alias.get("EvaluateTargetHealth", False)).lower() == "true"
        alias["EvaluateTargetHealth"] = evaluate
        rrset["AliasTarget"] = alias
    set_identifier = p.get("SetIdentifier")
    if _find(zone, rrset["Name"], p["Type"], set_identifier) is not None:
        raise ResourceRecordAlreadyExists(name=rrset["Name"], _type=p["Type"])
    backend.change_resource_record_sets(zone.id, [{"Action": "CREATE", "ResourceRecordSet": rrset}])
    record: RecordSet = zone.rrsets[-1]  # a CREATE appends the record
    record.hosted_zone_id = zone.id
    record.hosted_zone_name = None
    record.stackplan_ref = p["Name"]  # type: ignore[attr-defined]
    return record


def _delete(self: RecordSet, account_id: str, region_name: str) -> None:
    try:
        zone = _backend(account_id, region_name).get_hosted_zone(self.hosted_zone_id)
    except NoSuchHostedZone:
        return  # gone with its zone
    zone.rrsets = [
        r
        for r in zone.rrsets
        if r is not self
        and not (
            _same_name(r.name, self.name)
            and r.type == self.type
            and r.set_identifier == self.set_identifier
        )
    ]


def _update(
    cls: type[RecordSet],
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> RecordSet:
    original_resource.delete(account_id, region_name)
    return cls.create_from_cloudformation_json(
        new_resource_name, cloudformation_json, account_id, region_name
    )


def _ref(self: RecordSet) -> str:
    return getattr(self, "stackplan_ref", None) or self.name


def _zone_ids_start_with_z() -> None:
    from moto.route53 import models

    original = models.create_route53_zone_id

    def create_route53_zone_id(*args: Any, **kwargs: Any) -> str:
        zone_id = original(*args, **kwargs)
        return zone_id if zone_id.startswith("Z") else "Z" + zone_id[1:]

    models.create_route53_zone_id = create_route53_zone_id


def install() -> None:
    if getattr(RecordSet, "stackplan_sandbox", False):
        return
    _zone_ids_start_with_z()
    RecordSet.create_from_cloudformation_json = classmethod(_create)  # type: ignore[assignment]
    RecordSet.update_from_cloudformation_json = classmethod(_update)  # type: ignore[assignment]
    RecordSet.delete = _delete  # type: ignore[method-assign]
    RecordSet.physical_resource_id = property(_ref)  # type: ignore[assignment]
    RecordSet.stackplan_sandbox = True  # type: ignore[attr-defined]
