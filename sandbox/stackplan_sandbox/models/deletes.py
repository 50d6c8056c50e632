"""Deleting what moto's CloudFormation models create.

moto 5.2.5 deletes a stack's resource through the model's `delete` method or its
`delete_from_cloudformation_json`; many models have neither, so DeleteStack reports the stack
deleted while their resources stay: route tables, routes, subnet associations, NAT gateways
(with their network interfaces), S3 gateway endpoints (with their routes), Elastic IPs, internet gateways and their attachments, flow
logs, target groups, listeners, ECS clusters, services and task definitions, Lambda
permissions, and REST APIs with their resources, methods and deployments. The VPC then cannot be deleted either (its route tables remain).

`install()` gives each of those models a `delete` that calls the service API CloudFormation
would call, so the sandbox deletes what AWS deletes. A Lambda permission also remembers its
statement id, and a REST API's method and deployment the ids of what they belong to (moto's
models keep none), which their deletes need.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway.models import Deployment, Method, Resource, RestAPI, apigateway_backends
from moto.awslambda.models import Permission, lambda_backends
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
from moto.ecs.models import Cluster, Service, TaskDefinition, ecs_backends
from moto.elbv2.models import FakeListener, FakeTargetGroup, elbv2_backends


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _delete_route_table(self: RouteTable, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_route_table(self.id)


def _delete_route(self: Route, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.route_table.id in backend.route_tables:
        backend.delete_route(
            self.route_table.id,
            self.destination_cidr_block,
            getattr(self, "destination_ipv6_cidr_block", None),
            getattr(self, "destination_prefix_list_id", None),
        )


def _delete_association(
    self: SubnetRouteTableAssociation, account_id: str, region_name: str
) -> None:
    backend = _ec2(account_id, region_name)
    table = backend.route_tables.get(self.route_table_id)
    if table is None:
        return
    for association_id, subnet_id in list(table._associations.items()):
        if subnet_id == self.subnet_id:
            backend.disassociate_route_table(association_id)


def _delete_nat_gateway(self: NatGateway, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    backend.delete_nat_gateway(self.id)
    # AWS releases the gateway's network interface with it.
    backend.enis.pop(self._eni.id, None)
    for address in backend.addresses:
        if address.eni is self._eni:
            address.eni = None
            address.association_id = None


def _delete_vpc_endpoint(self: VPCEndPoint, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    # AWS removes a gateway endpoint's routes from its route tables with it.
    for table_id in self.route_table_ids or []:
        table = backend.route_tables.get(table_id)
        if table is None:
            continue
        for route_id, route in list(table._routes.items()):
            if getattr(route, "gateway", None) is self or getattr(route, "vpc_endpoint_id", None) == self.id:
                del table._routes[route_id]
    backend.vpc_end_points.pop(self.id, None)


def _release_address(self: ElasticAddress, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.allocation_id:
        backend.release_address(allocation_id=self.allocation_id)
    else:
        backend.release_address(address=self.public_ip)


def _delete_internet_gateway(self: InternetGateway, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_internet_gateway(self.id)


def _detach_gateway(self: VPCGatewayAttachment, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if self.gateway_id.startswith("igw-"):
        backend.detach_internet_gateway(self.gateway_id, self.vpc_id)
    else:
        backend.detach_vpn_gateway(self.gateway_id, self.vpc_id)


def _delete_flow_log(self: FlowLogs, account_id: str, region_name: str) -> None:
    _ec2(account_id, region_name).delete_flow_logs([self.id])


def _delete_target_group(self: FakeTargetGroup, account_id: str, region_name: str) -> None:
    elbv2_backends[account_id][region_name].delete_target_group(self.arn)


def _delete_listener(self: FakeListener, account_id: str, region_name: str) -> None:
    elbv2_backends[account_id][region_name].delete_listener(self.arn)


def _delete_cluster(self: Cluster, account_id: str, region_name: str) -> None:
    ecs_backends[account_id][region_name].delete_cluster(self.arn)


def _delete_service(self: Service, account_id: str, region_name: str) -> None:
    # CloudFormation scales the service to zero, then deletes it.
    ecs_backends[account_id][region_name].delete_service(self.cluster_name, self.name, force=True)


def _deregister_task_definition(self: TaskDefinition, account_id: str, region_name: str) -> None:
    ecs_backends[account_id][region_name].deregister_task_definition(self.arn)


def _delete_rest_api(self: RestAPI, account_id: str, region_name: str) -> None:
    apigateway_backends[account_id][region_name].delete_rest_api(self.id)


def _api(account_id: str, region_name: str, api_id: str) -> Any:
    return apigateway_backends[account_id][region_name].apis.get(api_id)


def _delete_resource(self: Resource, account_id: str, region_name: str) -> None:
    api = _api(account_id, region_name, self.api_id)
    if api is not None:
        api.resources.pop(self.id, None)


def _delete_method(self: Method, account_id: str, region_name: str) -> None:
    api_id, resource_id = self.stackplan_parent  # type: ignore[attr-defined]
    api = _api(account_id, region_name, api_id)
    if api is not None and resource_id in api.resources:
        api.resources[resource_id].delete_method(self.http_method)


def _delete_deployment(self: Deployment, account_id: str, region_name: str) -> None:
    (api_id,) = self.stackplan_parent  # type: ignore[attr-defined]
    api = _api(account_id, region_name, api_id)
    if api is not None and self.id in api.deployments:
        api.deployments.pop(self.id)


def _remembering_parent(model: type, keys: tuple[str, ...]) -> None:
    """Wraps a model's create so the resource remembers the ids of what it belongs to (moto's
    model keeps none, and the delete needs them)."""
    create = model.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(
        cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        instance = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        properties = cloudformation_json["Properties"]
        instance.stackplan_parent = tuple(properties[k] for k in keys)
        return instance

    model.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[attr-defined]


def _create_permission(
    cls: type[Permission],
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Permission:
    properties = cloudformation_json["Properties"]
    function = lambda_backends[account_id][region_name].get_function(properties["FunctionName"])
    statement, _revision = function.policy.add_statement(raw=json.dumps(properties))
    permission = Permission(region=region_name)
    permission.function_name = properties["FunctionName"]  # type: ignore[attr-defined]
    permission.sid = statement["Sid"]  # type: ignore[attr-defined]
    return permission


def _remove_permission(self: Permission, account_id: str, region_name: str) -> None:
    backend = lambda_backends[account_id][region_name]
    try:
        backend.get_function(self.function_name)  # type: ignore[attr-defined]
    except Exception:
        return  # the function went first, and its policy with it
    backend.remove_permission(self.function_name, self.sid)  # type: ignore[attr-defined]


DELETES: dict[type, Any] = {
    RouteTable: _delete_route_table,
    Route: _delete_route,
    SubnetRouteTableAssociation: _delete_association,
    NatGateway: _delete_nat_gateway,
    VPCEndPoint: _delete_vpc_endpoint,
    ElasticAddress: _release_address,
    InternetGateway: _delete_internet_gateway,
    VPCGatewayAttachment: _detach_gateway,
    FlowLogs: _delete_flow_log,
    FakeTargetGroup: _delete_target_group,
    FakeListener: _delete_listener,
    Cluster: _delete_cluster,
    Service: _delete_service,
    TaskDefinition: _deregister_task_definition,
    RestAPI: _delete_rest_api,
    Resource: _delete_resource,
    Method: _delete_method,
    Deployment: _delete_deployment,
    Permission: _remove_permission,
}


def install() -> None:
    for model, delete in DELETES.items():
        if "delete" not in model.__dict__:
            model.delete = delete  # type: ignore[attr-defined]
    if not getattr(Method, "stackplan_sandbox", False):
        _remembering_parent(Method, ("RestApiId", "ResourceId"))
        _remembering_parent(Deployment, ("RestApiId",))
        Method.stackplan_sandbox = True  # type: ignore[attr-defined]
    if not getattr(Permission, "remembers_its_sid", False):
        Permission.create_from_cloudformation_json = classmethod(_create_permission)  # type: ignore[assignment]
        Permission.remembers_its_sid = True  # type: ignore[attr-defined]
        # The statement id is the permission's physical id, as on AWS.
        Permission.physical_resource_id = property(lambda self: self.sid)  # type: ignore[attr-defined]
