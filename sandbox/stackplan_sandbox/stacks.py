"""Stack operations as CloudFormation runs them: resource by resource, in dependency order,
with a stack event for each step, a rollback when a resource fails, and outputs at the end.

What moto 5.2.5 does instead, and what this module changes (each is a gap to report upstream):

- **No per-resource events.** CreateStack, ExecuteChangeSet, UpdateStack and DeleteStack record
  only two stack-level events. AWS records `CREATE_IN_PROGRESS` / `CREATE_COMPLETE` (and the
  update and delete equivalents) for every resource, with its type and physical id. Here every
  resource gets them, in the order CloudFormation would create it: after everything it reads
  through `Ref`, `Fn::GetAtt`, `Fn::Sub` or `DependsOn`.
- **Everything happens inside the request.** AWS answers CreateStack and ExecuteChangeSet at
  once and builds the stack afterwards. With a pace set (`set_pace`, the launcher's
  `--pace-ms`), operations run on a thread, one resource per step, so a client watching the
  stack sees it build. Without a pace they run inside the request, as moto does.
- **No outputs for change-set stacks.** moto computes a stack's outputs from the template the
  stack was created with, which for a CREATE change set is empty, and never again. Here the
  outputs are computed when the stack completes.
- **No stack tags on EC2 resources of change-set stacks.** CreateStack tags them with the stack's
  tags and `aws:cloudformation:*`; ExecuteChangeSet did not. Now both do.
- **An update change set leaves the stack's tags as they were.** CloudFormation gives the stack
  the tags of the update it runs (a change set's, or UpdateStack's, when it has any), and a
  rolled-back update gives back the tags of before. Here both do. (moto reads an absent and an
  empty tag list alike, so, as in its UpdateStack, an empty one keeps the tags.)
- **A CREATE change set's stack has its tags at once.** moto gives the stack under review the
  change set's tags. On AWS a `REVIEW_IN_PROGRESS` stack has none (`Tags: []`): they are the
  change set's until it is executed, and reach the stack then (LocalStack's AWS-validated
  snapshot of `test_stack_description_lifecycle[with-tags]` records it). So a policy or a
  client that trusts a stack's tags cannot trust a stack under review; here it cannot either.
- **Any change set can be executed, any number of times.** AWS refuses one whose execution status
  is not `AVAILABLE` (`InvalidChangeSetStatus`).
- **A second CREATE change set makes a second stack.** A CREATE change set for a name whose
  stack is still `REVIEW_IN_PROGRESS` (an earlier CREATE change set not executed) made another
  stack of that name, with an id of its own, and so did one for the name of a stack in any
  other status. CloudFormation adds the change set to the stack under review (its id answers,
  and the stack is created with what the change set that is executed says: template,
  parameters, tags), refuses a change set name the stack already has
  (`AlreadyExistsException`), and refuses the name of a stack in any other status
  (`ValidationError`, "Stack [name] already exists and cannot be created again with the
  changeSet [name]."). Here it does too.
- **No rollback.** A resource that fails to create leaves the stack `CREATE_IN_PROGRESS` and the
  request answers HTTP 500. Here the resource is `CREATE_FAILED` with the reason, the resources
  created before it are deleted (`ROLLBACK_IN_PROGRESS`) and the stack ends `ROLLBACK_COMPLETE`,
  as on AWS. A failed update deletes what it added and ends `UPDATE_ROLLBACK_COMPLETE`; modified
  resources are not restored (recorded only).
- **Deletes in arbitrary order.** Here resources are deleted in reverse dependency order; a
  resource that cannot be deleted is `DELETE_FAILED` and the stack `DELETE_FAILED`, as on AWS,
  instead of the stack vanishing from the list while its resources remain.
- **DescribeStackResources creates resources.** moto's resource map is lazy, so listing a stack's
  resources created any not yet created, and listed "phantom" entries with an empty logical id
  for types it cannot create. Here only resources that exist are listed.
- **A change set says nothing of replacements.** CloudFormation gives each modified resource's
  `Replacement`: `True` when a property that cannot change in place changes (the type's
  `createOnlyProperties`); for what reads a replaced resource (and is listed as modified for
  it), `Conditional` when the reading property cannot change in place, else `False`. moto
  gives none. Here a change set does, from the registry schemas cfn-lint carries, and lists
  the readers of every replaced resource, not only of the types replaced on any change.
- **A change of parameters alone changes nothing.** moto's change sets compare resource bodies
  and ignore the change set's parameters; its updates notice a changed parameter only where a
  resource reads it through a direct `Ref`. CloudFormation modifies every resource that reads
  a changed parameter, through `Ref`, `Fn::Sub`, or a condition (`Fn::If`, a resource's
  `Condition`, conditions built on conditions), and lists them in the change set. Here both
  change sets and updates do.
- **A failed delete cannot keep what it could not delete.** moto's DeleteStack ignores
  `RetainResources`. CloudFormation takes it for a stack in `DELETE_FAILED` (else a
  `ValidationError`) and leaves those resources in place, `DELETE_SKIPPED`, outside any stack.
  Here it does too.
- **A stack never says when it last changed, nor which change set it last ran.** moto's
  DescribeStacks gives no `LastUpdatedTime` and no `ChangeSetId`. CloudFormation sets
  `LastUpdatedTime` when an update starts (ExecuteChangeSet of an UPDATE change set, or
  UpdateStack) and `ChangeSetId` to the change set an ExecuteChangeSet ran; an UpdateStack runs
  none, so its stack has no `ChangeSetId`. Here both are set so.
- **An update's change set does not change the stack's role.** CloudFormation acts for a
  stack, from an executed change set on, as the role that change set names (none keeps the
  stack's); moto keeps the role the stack was created with. Here the change set's role is the
  stack's.
- **A rollback keeps what it made if its template retains it.** The sandbox's rollbacks (moto
  has none, above) honour `DeletionPolicy: Retain`. With `RetainExceptOnCreate` (CreateStack,
  UpdateStack, ExecuteChangeSet), CloudFormation's rollback deletes what the operation
  created, retained or not, so that a failed deploy leaves nothing behind it; moto ignores the
  flag. Here a rollback follows it.
- **Two creates of one name at once make two stacks.** moto checks that the name is free, then
  builds the stack (parsing its template) before listing it, and its server answers requests on
  threads: two CreateStack (or CREATE change set) calls at once both found the name free, and
  two stacks of one name existed. CloudFormation never has two live stacks of one name. Here
  stacks are made one at a time, so the second call finds the first stack (`AlreadyExists`).
- **A resource type moto cannot create is skipped silently** (a warning in its log), and any
  `Fn::GetAtt` on it later fails the stack with a misleading message. Here the resource fails
  with "the sandbox cannot create TYPE", which names the real cause.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from moto.cloudformation import models as cfn
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ValidationError,
)
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_changeset_id, validate_create_change_set
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource

logger = logging.getLogger("stackplan_sandbox")

_pace_seconds = 0.0

STACK_TYPE = "AWS::CloudFormation::Stack"

# Passes over the resources that failed to delete, as moto does: its backends report some
# dependencies (an ENI still in a subnet) that CloudFormation's own graph does not know.
DELETE_PASSES = 3


def set_pace(seconds: float) -> None:
    """Time spent on each resource. Zero runs every operation inside its request."""
    global _pace_seconds
    if seconds < 0:
        raise ValueError("the pace cannot be negative")
    _pace_seconds = seconds


def pace() -> float:
    return _pace_seconds


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


class ChangeSetNotFound(CloudFormationError):
    """DescribeChangeSet's, ExecuteChangeSet's and DeleteChangeSet's answer for a change set
    that is not there (AWS's `ChangeSetNotFoundException`, code `ChangeSetNotFound`)."""

    code = "ChangeSetNotFound"


class SandboxCannotCreate(Exception):
    """A resource type moto has no CloudFormation model for."""


# ---------------------------------------------------------------------------------------------
# The dependency graph


_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def references(node: Any, names: Iterable[str]) -> set[str]:
    """The resources a template fragment reads, through `Ref`, `Fn::GetAtt` or `Fn::Sub`."""
    names = set(names)
    found: set[str] = set()

    def visit(value: Any, local: frozenset[str]) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item, local)
            return
        if not isinstance(value, dict):
            return
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                if isinstance(inner, list) and inner and isinstance(inner[0], str):
                    found.add(inner[0])
                elif isinstance(inner, str):
                    found.add(inner.split(".", 1)[0])
            elif key == "Fn::Sub":
                text, variables = (inner, {}) if isinstance(inner, str) else (inner[0], inner[1])
                bound = local | frozenset(variables)
                for variable in _SUB_VARIABLE.findall(text):
                    target = variable.split(".", 1)[0]
                    if target not in bound:
                        found.add(target)
                visit(variables, local)
            else:
                visit(inner, local)

    visit(node, frozenset())
    return found & names


def dependencies(resources: dict[str, Any]) -> dict[str, set[str]]:
    """For each resource, the resources it needs to exist first."""
    graph: dict[str, set[str]] = {}
    for name, body in resources.items():
        needs = references(body.get("Properties", {}), resources)
        depends_on = body.get("DependsOn", [])
        needs.update([depends_on] if isinstance(depends_on, str) else depends_on)
        needs.discard(name)
        graph[name] = needs & set(resources)
    return graph


def creation_order(resources: dict[str, Any]) -> list[str]:
    """Resources in an order CloudFormation could create them: each after what it needs, and
    otherwise in template order. A cycle is the error CloudFormation gives."""
    graph = dependencies(resources)
    done: set[str] = set()
    order: list[str] = []
    pending = list(resources)
    while pending:
        ready = next((n for n in pending if graph[n] <= done), None)
        if ready is None:
            raise ValidationError(
                message=f"Circular dependency between resources: [{', '.join(pending)}]"
            )
        pending.remove(ready)
        done.add(ready)
        order.append(ready)
    return order


def conditions_used(node: Any) -> set[str]:
    """The conditions a template fragment reads: `Fn::If`, a `Condition` key."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key == "Fn::If" and isinstance(inner, list) and inner and isinstance(inner[0], str):
                    found.add(inner[0])
                elif key == "Condition" and isinstance(inner, str):
                    found.add(inner)
                visit(inner)

    visit(node)
    return found


def parameters_read(body: Any, parameters: Iterable[str], conditions: dict[str, Any]) -> set[str]:
    """The parameters a resource reads, directly or through the conditions it uses."""
    names = set(parameters)
    read = references(body, names)
    pending, seen = list(conditions_used(body)), set()
    while pending:
        name = pending.pop()
        if name in seen or name not in conditions:
            continue
        seen.add(name)
        read |= references(conditions[name], names)
        pending.extend(conditions_used(conditions[name]))
    return read


def effective_parameters(template: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """Every declared parameter's value: the one given, else its default."""
    declared = template.get("Parameters") or {}
    values = {name: (spec or {}).get("Default") for name, spec in declared.items()}
    values.update(given or {})
    return values


def changed_parameters(
    rmap: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None
) -> set[str]:
    """The parameters whose value the update to `template` with `parameters` changes."""
    before = effective_parameters(rmap._template or {}, rmap.input_parameters)
    after = effective_parameters(template, parameters)
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


def _resource_diff(
    self: parsing.ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    old = self._resource_json_map
    new = other_template.get("Resources") or {}
    changed = changed_parameters(self, other_template, parameters)
    conditions = other_template.get("Conditions") or {}
    return {
        "Add": [name for name in new if name not in old],
        "Modify": [
            name
            for name in new
            if name in old
            and (new[name] != old[name] or parameters_read(new[name], changed, conditions))
        ],
        "Remove": [name for name in old if name not in new],
    }


# Types every change of which replaces the resource (each property's "Update requires:
# Replacement" in CloudFormation's resource reference): a new physical id, so what reads it
# changes too.
REPLACED_ON_ANY_CHANGE = frozenset({"AWS::ECS::TaskDefinition", "AWS::Lambda::Version"})


def dependents(
    resources: dict[str, Any], modified: Iterable[str], also_replaced: Iterable[str] = ()
) -> list[str]:
    """The resources that read (`Ref`, `Fn::GetAtt`, `Fn::Sub`) a modified resource that the
    change replaces (one of a type replaced on any change, or one of `also_replaced`), in
    template order. CloudFormation lists them in a change set as `Modify` (their new values are
    known only when it runs); one of them that is itself replaced passes it on."""
    modified = list(modified)
    replaced = {n for n in modified if resources.get(n, {}).get("Type") in REPLACED_ON_ANY_CHANGE}
    replaced |= set(also_replaced)
    found: list[str] = []
    grew = True
    while grew:
        grew = False
        for name, body in resources.items():
            if name in found or name in modified:
                continue
            if references(body.get("Properties", {}), replaced):
                found.append(name)
                grew = True
                if body.get("Type") in REPLACED_ON_ANY_CHANGE:
                    replaced.add(name)
    return [name for name in resources if name in found]


def create_only(region: str, resource_type: str) -> frozenset[str] | None:
    """The top-level properties of `resource_type` whose change replaces the resource (its
    registry schema's `createOnlyProperties`), from the copy of the registry schemas cfn-lint
    carries (moto's CloudFormation extra depends on cfn-lint; the sandbox's environment has
    it); `None` when they cannot be known."""
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    except ImportError:  # pragma: no cover - installed beside moto
        return None
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # an unknown type or region: nothing to go on
        return None
    return frozenset(
        path.split("/")[2]
        for path in schema.get("createOnlyProperties", [])
        if path.startswith("/properties/")
    )


def _replacement(region: str, resource_type: str, touched: set[str], answer: str) -> str | None:
    """`answer` when one of the `touched` properties cannot change in place (or the type is
    replaced on any change: `True`), else `False`; `None` when the type's schema is not
    known."""
    if resource_type in REPLACED_ON_ANY_CHANGE:
        return "True"
    fixed = create_only(region, resource_type)
    if fixed is None:
        return None
    return answer if touched & fixed else "False"


def replacement(
    region: str,
    resource_type: str,
    old: dict[str, Any],
    new: dict[str, Any],
    changed: set[str],
    conditions: dict[str, Any],
) -> str | None:
    """A modified resource's `Replacement`, as a change set gives it: `True` when a property
    that cannot change in place changes (directly, or through a parameter of `changed` it
    reads), else `False`; `None` when the type's schema is not known."""
    before, after = old.get("Properties") or {}, new.get("Properties") or {}
    touched = {
        name
        for name in set(before) | set(after)
        if before.get(name) != after.get(name) or parameters_read(after.get(name), changed, conditions)
    }
    return _replacement(region, resource_type, touched, "True")


def _change_set_diff(self: cfn.ChangeSet) -> list[cfn.Change]:
    """A change set's changes, with its parameters, and each modified resource's
    `Replacement`."""
    rmap = self.stack.resource_map
    names = _resource_diff(rmap, self.template_dict, self.parameters)
    new = self.template_dict.get("Resources") or {}
    old = rmap._resource_json_map
    changed = changed_parameters(rmap, self.template_dict, self.parameters)
    conditions = self.template_dict.get("Conditions") or {}
    region = getattr(self.stack, "region_name", None) or "us-east-1"
    # What the change itself modifies, and whether each is replaced.
    replacements = {
        name: replacement(region, new[name].get("Type", ""), old.get(name, {}), new[name], changed, conditions)
        for name in names["Modify"]
    }
    # What reads a replaced resource is modified too: it must name the new one.
    replaced = {name for name, r in replacements.items() if r == "True"}
    carried = [name for name in dependents(new, names["Modify"], replaced) if name not in names["Add"]]
    for name in carried:
        replacements[name] = reader_replacement(region, new[name], replaced | set(carried))
    names["Modify"] += carried
    changes = []
    for action, logical_ids in names.items():
        for logical_id in logical_ids:
            body = new.get(logical_id) or old.get(logical_id, {})
            change = cfn.Change(action=action, logical_resource_id=logical_id, resource_type=body.get("Type", ""))
            if action == "Modify":
                change.replacement = replacements[logical_id]
            changes.append(change)
    return changes


def reader_replacement(region: str, body: dict[str, Any], replaced: set[str]) -> str | None:
    """The `Replacement` of a resource modified only because it reads a replaced one: the new
    id is known only while the change set runs, so CloudFormation says `Conditional` when a
    property that reads it cannot change in place, and `False` when it can (a service moving
    to a task definition's new revision). A type replaced on any change is `True`."""
    properties = body.get("Properties") or {}
    reading = {name for name, value in properties.items() if references(value, replaced)}
    return _replacement(region, body.get("Type", ""), reading, "Conditional")


# ---------------------------------------------------------------------------------------------
# Events


def _event(
    stack: cfn.Stack,
    logical_id: str,
    resource_type: str,
    status: str,
    physical_id: str | None = None,
    reason: str | None = None,
) -> None:
    event = cfn.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id or "",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _stack_event(stack: cfn.Stack, status: str, reason: str | None = None) -> None:
    stack.status = status
    stack._add_stack_event(status, resource_status_reason=reason)


def _physical_id(instance: Any) -> str:
    try:
        value = getattr(instance, "physical_resource_id", None)
    except Exception:  # a model whose id needs something it lacks; the event still counts
        value = None
    return str(value) if value is not None else ""


def reason(error: BaseException) -> str:
    """An error as a stack event's reason: the AWS error code and message when there is one."""
    code = getattr(error, "code", None) or getattr(error, "error_type", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    text = f"{message} (Service: {code})" if isinstance(code, str) and code else message
    return text[:1000]


def _step() -> None:
    if _pace_seconds > 0:
        time.sleep(_pace_seconds)


_operation_locks: dict[str, threading.Lock] = {}
_operation_locks_guard = threading.Lock()


def _operation_lock(stack_id: str) -> threading.Lock:
    with _operation_locks_guard:
        return _operation_locks.setdefault(stack_id, threading.Lock())


def _run(stack: cfn.Stack, work: Callable[[], None]) -> None:
    """Runs an operation now, or on its own thread when a pace is set. One stack's operations
    run one at a time, in turn: a delete asked for while the stack is still being created
    starts when the creation has settled."""
    lock = _operation_lock(stack.stack_id)
    if _pace_seconds <= 0:
        with lock:
            work()
        return

    def guarded() -> None:
        try:
            with lock:
                work()
        except Exception:  # the operation already recorded its failure as events
            logger.exception("stack operation %s failed", stack.name)

    threading.Thread(target=guarded, name=f"stack-{stack.name}", daemon=True).start()


class InsufficientCapabilitiesException(CloudFormationError):
    code = "InsufficientCapabilitiesException"


# IAM resources need CAPABILITY_IAM; one given a name of its own, CAPABILITY_NAMED_IAM
# (CloudFormation's "Acknowledging IAM resources").
_IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
}


def required_capabilities(template: dict[str, Any]) -> list[str]:
    """The capabilities a template's resources need acknowledged."""
    needed: list[str] = []
    for body in (template.get("Resources") or {}).values():
        kind = (body or {}).get("Type")
        if kind not in _IAM_NAME_PROPERTIES:
            continue
        name = _IAM_NAME_PROPERTIES[kind]
        if name and name in ((body or {}).get("Properties") or {}):
            return ["CAPABILITY_NAMED_IAM"]
        needed = ["CAPABILITY_IAM"]
    return needed


def check_capabilities(template_body: str | None, given: list[str]) -> None:
    """CloudFormation's refusal of a template whose IAM resources were not acknowledged
    (`CAPABILITY_NAMED_IAM` covers `CAPABILITY_IAM`)."""
    if not template_body:
        return
    needed = required_capabilities(cfn.Stack.parse_template(template_body) or {})
    enough = not needed or needed[0] in given or "CAPABILITY_NAMED_IAM" in given
    if not enough:
        raise InsufficientCapabilitiesException(f"Requires capabilities : [{needed[0]}]")


def check_template(template_body: str | None, given: list[str]) -> None:
    """What CloudFormation refuses when the request comes, before any stack or change set
    exists: IAM resources not acknowledged, and resources that need each other."""
    if not template_body:
        return
    check_capabilities(template_body, given)
    creation_order((cfn.Stack.parse_template(template_body) or {}).get("Resources") or {})


# The request's `RetainExceptOnCreate`, for the operation it starts (read where the backend
# starts it, within the request, before any thread of its own).
_retain_except_on_create: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "retain_except_on_create", default=False
)


def _reading_retain_except_on_create(respond: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def read(self: Any) -> Any:
        given = self._get_param("RetainExceptOnCreate")
        token = _retain_except_on_create.set(given is True or str(given).lower() == "true")
        try:
            return respond(self)
        finally:
            _retain_except_on_create.reset(token)

    read.reads_retain_except_on_create = True  # type: ignore[attr-defined]
    return read


def _checking_template(respond: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(self: Any) -> Any:
        check_template(self._get_param("TemplateBody"), self._get_param("Capabilities", []))
        return respond(self)

    return checked


def _busy(stack: cfn.Stack) -> bool:
    """Whether an operation of the stack is under way (one waiting for review is not)."""
    return stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS"


def _refuse_while_busy(stack: cfn.Stack) -> None:
    """CloudFormation's answer to an update of a stack whose operation has not settled."""
    if _busy(stack):
        raise ValidationError(
            message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
        )


# ---------------------------------------------------------------------------------------------
# Creating, updating and deleting resources


def _resource_map(stack: cfn.Stack) -> parsing.ResourceMap:
    return stack.resource_map


def _enabled(rmap: parsing.ResourceMap, body: dict[str, Any]) -> bool:
    condition = body.get("Condition")
    return not condition or bool(rmap.lazy_condition_map[condition])


def _tag_ec2(rmap: parsing.ResourceMap, logical_id: str, instance: Any) -> None:
    """Stack tags on EC2 resources, as CloudFormation propagates them."""
    if isinstance(instance, TaggedEC2Resource):
        tags = dict(rmap.tags)
        tags["aws:cloudformation:logical-id"] = logical_id
        backend = ec2_backends[rmap._account_id][rmap._region_name]
        backend.create_tags([instance.physical_resource_id], tags)


def _create_one(stack: cfn.Stack, logical_id: str, body: dict[str, Any]) -> None:
    rmap = _resource_map(stack)
    resource_type = body["Type"]
    _step()
    _event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    if parsing.resource_class_from_type(resource_type) is None and not resource_type.startswith(
        "Custom::"
    ):
        raise SandboxCannotCreate(
            f"the sandbox cannot create {resource_type}: moto has no CloudFormation model for it"
        )
    instance = rmap[logical_id]
    _tag_ec2(rmap, logical_id, instance)
    physical = _physical_id(instance)
    _event(
        stack, logical_id, resource_type, "CREATE_IN_PROGRESS", physical, "Resource creation Initiated"
    )
    _event(stack, logical_id, resource_type, "CREATE_COMPLETE", physical)


def _can_delete(instance: Any, resource_type: str) -> bool:
    """Whether moto (with the extensions) can delete the resource: moto reports a resource
    deleted when its model has no way to delete it, and keeps it."""
    if callable(getattr(instance, "delete", None)):
        return True
    model = parsing.resource_class_from_type(resource_type)
    return model is not None and not hasattr(
        model.delete_from_cloudformation_json, "__isabstractmethod__"
    )


def _delete_one(
    stack: cfn.Stack,
    logical_id: str,
    body: dict[str, Any],
    keep: Iterable[str] = (),
    drop_retained: bool = False,
) -> None:
    rmap = _resource_map(stack)
    instance = rmap._parsed_resources.get(logical_id)
    if instance is None:
        return
    resource_type = body["Type"]
    physical = _physical_id(instance)
    _step()
    if (body.get("DeletionPolicy") == "Retain" and not drop_retained) or logical_id in keep:
        _event(stack, logical_id, resource_type, "DELETE_SKIPPED", physical)
        rmap._parsed_resources.pop(logical_id, None)
        return
    if not _can_delete(instance, resource_type):
        _event(
            stack,
            logical_id,
            resource_type,
            "DELETE_SKIPPED",
            physical,
            f"the sandbox cannot delete {resource_type}: moto keeps it",
        )
        rmap._parsed_resources.pop(logical_id, None)
        return
    _event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical)
    rmap._delete_resource(instance, body)
    rmap._parsed_resources.pop(logical_id, None)
    _event(stack, logical_id, resource_type, "DELETE_COMPLETE", physical)


def _delete_all(
    stack: cfn.Stack,
    resources: dict[str, Any],
    only: Iterable[str] | None = None,
    keep: Iterable[str] = (),
    drop_retained: bool = False,
) -> list[str]:
    """Deletes resources in reverse dependency order, leaving those in `keep` in place, and
    those their template retains unless `drop_retained` (a rollback with
    `RetainExceptOnCreate`); answers those that could not be deleted."""
    wanted = set(resources if only is None else only)
    rmap = _resource_map(stack)
    order = [n for n in reversed(creation_order(resources)) if n in wanted]
    remaining = [n for n in order if n in rmap._parsed_resources]
    failures: dict[str, BaseException] = {}
    for _ in range(DELETE_PASSES):
        failures = {}
        for name in remaining:
            try:
                _delete_one(stack, name, resources[name], keep, drop_retained)
            except Exception as error:  # retried: moto's backends know dependencies CFN does not
                failures[name] = error
        remaining = [n for n in remaining if n in failures]
        if not remaining:
            break
    for name, error in failures.items():
        instance = rmap._parsed_resources.get(name)
        _event(
            stack,
            name,
            resources[name]["Type"],
            "DELETE_FAILED",
            _physical_id(instance),
            reason(error),
        )
    return list(failures)


def _complete_outputs(backend: cfn.CloudFormationBackend, stack: cfn.Stack) -> None:
    """Outputs (and exports) computed from the finished stack, as AWS shows them."""
    stack.output_map = stack._create_output_map()
    list(stack.output_map.values())  # resolve now, while every resource exists
    exports = stack.exports
    for export in exports:
        owner = backend.exports.get(export.name)
        if owner is not None and owner.exporting_stack_id != stack.stack_id:
            raise ValidationError(
                stack.stack_id, message="Export names must be unique across a given region"
            )
    for export in exports:
        backend.exports[export.name] = export


def _create_stack(
    backend: cfn.CloudFormationBackend,
    stack: cfn.Stack,
    on_done: Callable[[bool], None],
    drop_retained: bool = False,
) -> None:
    """Creates every resource of the stack's template; rolls back on the first failure (what
    it created, retained or not when `drop_retained`)."""
    resources: dict[str, Any] = stack.template_dict.get("Resources", {})
    rmap = _resource_map(stack)
    # No outputs until the stack is complete: reading them earlier would create resources.
    stack.output_map = parsing.OutputMap(rmap, {}, stack.stack_id)
    rmap._template = stack.template_dict
    rmap._resource_json_map = resources
    rmap.tags.update(
        {
            "aws:cloudformation:stack-name": stack.name,
            "aws:cloudformation:stack-id": stack.stack_id,
        }
    )
    current = None
    try:
        for current in creation_order(resources):
            if _enabled(rmap, resources[current]):
                _create_one(stack, current, resources[current])
        current = None
        _complete_outputs(backend, stack)
    except Exception as error:
        failed = current
        if failed is not None:
            _event(stack, failed, resources[failed]["Type"], "CREATE_FAILED", None, reason(error))
            cause = f"The following resource(s) failed to create: [{failed}]. Rollback requested by user."
        else:
            cause = reason(error)
        _stack_event(stack, "ROLLBACK_IN_PROGRESS", cause)
        stuck = _delete_all(stack, resources, drop_retained=drop_retained)
        _stack_event(stack, "ROLLBACK_FAILED" if stuck else "ROLLBACK_COMPLETE")
        on_done(False)
        return
    _stack_event(stack, "CREATE_COMPLETE")
    on_done(True)


def _update_stack(
    backend: cfn.CloudFormationBackend,
    stack: cfn.Stack,
    template: str,
    parameters: dict[str, Any] | None,
    on_done: Callable[[bool], None],
    tags: dict[str, str] | None = None,
    drop_retained: bool = False,
) -> None:
    """Applies a new template: adds and modifies in dependency order, then removes. `tags`,
    if given, become the stack's (until a rollback, which deletes what the update added,
    retained or not when `drop_retained`)."""
    rmap = _resource_map(stack)
    old_resources = dict(rmap._resource_json_map)
    old_parameters = rmap.input_parameters
    old_tags = (dict(stack.tags or {}), dict(rmap.tags))
    new_dict = cfn.Stack.parse_template(template)
    new_resources: dict[str, Any] = new_dict.get("Resources", {})
    diff = rmap.build_resource_diff(new_dict, parameters)
    rmap._template = new_dict
    # An update's parameters are the ones it gives, over the new template's defaults, as in
    # CloudFormation: none of before survives by itself (moto kept the old values, and
    # failed on one the new template does not declare).
    rmap.input_parameters = dict(parameters or {})
    rmap.resolved_parameters = {}
    rmap.load_mapping()
    rmap.load_parameters()
    rmap.load_conditions()
    rmap._resource_json_map = new_resources
    if tags is not None:
        # The resources' tags keep CloudFormation's own (`aws:cloudformation:*`).
        stack.tags = dict(tags)
        rmap.tags = {**{k: v for k, v in rmap.tags.items() if k.startswith("aws:cloudformation:")}, **tags}
    added: list[str] = []
    # Resources whose physical id the update changed (a task definition's new revision, say):
    # what reads them is updated too, as CloudFormation does, or it would go on naming the old.
    replaced: set[str] = set()
    current = None
    try:
        for current in creation_order(new_resources):
            body = new_resources[current]
            if current in diff["Add"] and _enabled(rmap, body):
                _create_one(stack, current, body)
                added.append(current)
            elif current in diff["Modify"] or references(body.get("Properties", {}), replaced):
                before = _physical_id(rmap._parsed_resources.get(current))
                _modify_one(stack, current, body)
                if _physical_id(rmap._parsed_resources.get(current)) != before:
                    replaced.add(current)
        current = None
    except Exception as error:
        if current is not None:
            # A resource the update was adding failed to be created, not updated.
            failed = "CREATE_FAILED" if current in diff["Add"] else "UPDATE_FAILED"
            _event(stack, current, new_resources[current]["Type"], failed, None, reason(error))
        _stack_event(
            stack,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            f"The following resource(s) failed to update: [{current}]." if current else reason(error),
        )
        _delete_all(stack, new_resources, only=added, drop_retained=drop_retained)
        # Back to the template and the parameter values of before: the next change set is
        # compared with what the stack still is.
        rmap._template = stack.template_dict
        rmap.input_parameters = old_parameters
        rmap.resolved_parameters = {}
        rmap.load_mapping()
        rmap.load_parameters()
        rmap.load_conditions()
        rmap._resource_json_map = old_resources
        stack.tags, rmap.tags = old_tags
        _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
        on_done(False)
        return
    _stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    rmap._resource_json_map = {**old_resources, **new_resources}
    _delete_all(stack, {**old_resources, **new_resources}, only=diff["Remove"])
    rmap._resource_json_map = new_resources
    stack.template = template
    stack._parse_template()
    # The values the update gave, as a change set gives them (moto finds "no changes" by
    # comparing the two); what it left to a default is read from the template, see
    # `_resolve_update_parameters`.
    stack.parameters = dict(parameters or {})
    _complete_outputs(backend, stack)
    _stack_event(stack, "UPDATE_COMPLETE")
    on_done(True)


def _modify_one(stack: cfn.Stack, logical_id: str, body: dict[str, Any]) -> None:
    """Updates a resource in place where its model can, and replaces it where it cannot."""
    rmap = _resource_map(stack)
    resource_type = body["Type"]
    _step()
    original = rmap._parsed_resources.get(logical_id)
    _event(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", _physical_id(original))
    updated = parsing.parse_and_update_resource(
        logical_id, body, rmap, account_id=rmap._account_id, region_name=rmap._region_name
    )
    if updated is None:
        # moto stores None here and loses the resource; CloudFormation replaces it.
        if original is not None:
            rmap._delete_resource(original, body)
        rmap._parsed_resources.pop(logical_id, None)
        updated = rmap[logical_id]
    else:
        rmap._parsed_resources[logical_id] = updated
    _tag_ec2(rmap, logical_id, updated)
    _event(stack, logical_id, resource_type, "UPDATE_COMPLETE", _physical_id(updated))


# ---------------------------------------------------------------------------------------------
# The backend's operations


def _stack_resources(self: cfn.Stack) -> list[Any]:
    """Resources that exist, in template order; never creates one."""
    rmap = self.resource_map
    parsed = dict(rmap._parsed_resources)
    return [
        parsed[name]
        for name in list(rmap._resource_json_map)
        if hasattr(parsed.get(name), "logical_resource_id")
    ]


def _create_resources(self: cfn.Stack) -> None:
    """CreateStack's work (moto calls it once the stack and its first event exist)."""
    self.status = "CREATE_IN_PROGRESS"
    backend = cfn.cloudformation_backends[self.account_id][self.region_name]
    drop = _retain_except_on_create.get()
    _run(self, lambda: _create_stack(backend, self, lambda _ok: None, drop))


def _find_change_set(
    backend: cfn.CloudFormationBackend, name: str, stack_name: str | None = None
) -> cfn.ChangeSet:
    """A change set by its ARN, or by its name within the stack named (by name or id): names
    are unique per stack only, as in CloudFormation."""
    if name in backend.change_sets:
        return backend.change_sets[name]
    for change_set in backend.change_sets.values():
        stack = backend.stacks.get(change_set.stack_id)
        in_stack = stack_name is None or stack_name in (
            change_set.stack_id,
            stack.name if stack is not None else None,
        )
        if change_set.change_set_name == name and in_stack:
            return change_set
    raise ChangeSetNotFound(f"ChangeSet [{name}] does not exist")


def _describe_change_set(
    self: cfn.CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> cfn.ChangeSet:
    return _find_change_set(self, change_set_name, stack_name)


def _delete_change_set(
    self: cfn.CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    change_set = _find_change_set(self, change_set_name, stack_name)
    for key, value in list(self.change_sets.items()):
        if value is change_set:
            del self.change_sets[key]


def _describe_change_set_response(self: Any) -> Any:
    return ActionResult(
        self.cloudformation_backend.describe_change_set(
            change_set_name=self._get_param("ChangeSetName"),
            stack_name=self._get_param("StackName"),
        )
    )


def _delete_change_set_response(self: Any) -> Any:
    self.cloudformation_backend.delete_change_set(
        change_set_name=self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
    )
    return EmptyResult()


def _execute_change_set(
    self: cfn.CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    change_set = _find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution "
            f"status of [{change_set.execution_status}]"
        )
    stack = self.stacks[change_set.stack_id]
    if _busy(stack):
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status: "
            f"the stack status is {stack.status}"
        )
    if change_set.change_set_type == "CREATE" and stack.status != "REVIEW_IN_PROGRESS":
        # Another CREATE change set of the stack was executed first: the stack exists.
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status: "
            f"the stack status is {stack.status}"
        )
    drop = _retain_except_on_create.get()
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    # DescribeStacks' `ChangeSetId` (moto's serializer reads the attribute by that name).
    stack.change_set_id = change_set.change_set_id
    # The stack's other change sets were made against what it is no longer: CloudFormation
    # deletes them when one is executed.
    for key, other in list(self.change_sets.items()):
        if other.stack_id == stack.stack_id and other is not change_set:
            del self.change_sets[key]

    def finish(ok: bool) -> None:
        change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"

    if change_set.change_set_type == "CREATE":
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = change_set.parameters
        # The stack under review may have more than one change set: it is created with the
        # one executed, not the one that made it.
        stack.tags = dict(change_set.tags or {})
        stack.notification_arns = list(change_set.notification_arns or [])
        stack.role_arn = change_set.role_arn
        rmap = stack.resource_map
        rmap.tags = dict(stack.tags)
        rmap._template = stack.template_dict
        rmap._resource_json_map = stack.template_dict.get("Resources", {})
        rmap.input_parameters = change_set.parameters
        rmap.load()
        _stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
        _run(stack, lambda: _create_stack(self, stack, finish, drop))
    else:
        stack.last_updated_time = utcnow()
        # The change set's role acts for the stack from now on; none keeps the stack's.
        stack.role_arn = change_set.role_arn or stack.role_arn
        _stack_event(stack, "UPDATE_IN_PROGRESS", "User Initiated")
        _run(
            stack,
            lambda: _update_stack(
                self,
                stack,
                change_set.template,
                change_set.parameters,
                finish,
                change_set.tags or None,
                drop,
            ),
        )


def _update(
    self: cfn.Stack,
    template: str,
    role_arn: str | None = None,
    parameters: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """UpdateStack's work."""
    backend = cfn.cloudformation_backends[self.account_id][self.region_name]
    _refuse_while_busy(self)
    self.last_updated_time = utcnow()
    self.change_set_id = None
    _stack_event(self, "UPDATE_IN_PROGRESS", "User Initiated")
    self.role_arn = role_arn
    drop = _retain_except_on_create.get()
    _run(self, lambda: _update_stack(backend, self, template, parameters, lambda _ok: None, tags, drop))


def _named(backend: cfn.CloudFormationBackend, name: str | None) -> cfn.Stack | None:
    """The live stack of that name, if any (`backend.stacks` is keyed by id)."""
    return next((s for s in backend.stacks.values() if s.name == name), None)


def _delete_stack(
    self: cfn.CloudFormationBackend,
    name_or_stack_id: str,
    retain_resources: list[str] | None = None,
) -> None:
    """DeleteStack. `retain_resources` (RetainResources) keeps those resources in place, outside
    the stack; CloudFormation takes it only for a stack whose delete failed."""
    stack = self.stacks.get(name_or_stack_id) or _named(self, name_or_stack_id)
    keep = list(retain_resources or [])
    if keep and (stack is None or stack.status != "DELETE_FAILED"):
        raise ValidationError(
            message=(
                f"Invalid operation on stack [{name_or_stack_id}]. RetainResources can only be "
                "specified when the stack is in the DELETE_FAILED state"
            )
        )
    if stack is None or stack.status == "DELETE_IN_PROGRESS":
        return  # AWS answers success for a stack that is gone or already going
    unknown = [k for k in keep if k not in stack.resource_map._resource_json_map]
    if unknown:
        raise ValidationError(
            message=f"The specified resources to retain are not in stack [{stack.name}]: {', '.join(unknown)}"
        )
    if stack.status.startswith("UPDATE_") and stack.status.endswith("_IN_PROGRESS"):
        raise ValidationError(
            message=f"Stack [{stack.name}] cannot be deleted while in status {stack.status}"
        )
    # A settled stack starts deleting as the request answers; one still being created starts
    # once the creation has settled (its turn, below).
    settled = not _busy(stack)
    if settled:
        _stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")

    def work() -> None:
        if not settled:
            if stack.stack_id not in self.stacks or stack.status == "DELETE_IN_PROGRESS":
                return  # deleted, or being deleted, meanwhile
            _stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")
        resources = stack.resource_map._resource_json_map
        stuck = _delete_all(stack, resources, keep=keep)
        if stuck:
            _stack_event(
                stack,
                "DELETE_FAILED",
                f"The following resource(s) failed to delete: [{', '.join(stuck)}]. ",
            )
            return
        for name, export in list(self.exports.items()):
            if export.exporting_stack_id == stack.stack_id:
                self.exports.pop(name, None)
        self.stacks.pop(stack.stack_id, None)
        self.deleted_stacks[stack.stack_id] = stack
        _stack_event(stack, "DELETE_COMPLETE")

    _run(stack, work)


def _delete_stack_response(self: Any) -> Any:
    """DeleteStack with its RetainResources (moto's reads the stack's name only)."""
    self.cloudformation_backend.delete_stack(
        self._get_param("StackName"), self._get_param("RetainResources", [])
    )
    return EmptyResult()


def _add_to_stack_under_review(
    backend: cfn.CloudFormationBackend, stack: cfn.Stack, request: dict[str, Any]
) -> tuple[str, str]:
    """A CREATE change set for a stack still under review (an earlier CREATE change set made
    it and was not executed): it joins the stack's other change sets, as CloudFormation adds
    it, and no other stack is made."""
    name = request["change_set_name"]
    validate_create_change_set(name)
    if any(
        other.stack_id == stack.stack_id and other.change_set_name == name
        for other in backend.change_sets.values()
    ):
        raise AlreadyExistsException(f"ChangeSet [{name}] already exists")
    change_set = cfn.ChangeSet(
        change_set_type="CREATE",
        change_set_id=generate_changeset_id(name, backend.region_name, backend.account_id),
        change_set_name=name,
        stack=stack,
        template=request["template"],
        parameters=request["parameters"],
        description=request["description"],
        notification_arns=request.get("notification_arns"),
        tags=request.get("tags"),
        role_arn=request.get("role_arn"),
    )
    change_set.status = "CREATE_COMPLETE"
    change_set.execution_status = "AVAILABLE"
    backend.change_sets[change_set.change_set_id] = change_set
    return change_set.change_set_id, stack.stack_id


def _create_change_set(original: Any) -> Any:
    """AWS takes a stack's id (its ARN) where a stack's name goes, an update's change set
    included (`StackName`: "the name or the unique ID of the stack"); moto's looks up the
    update's stack by name only. A caller that names the stack by id can be sure the change
    set lands on the stack it checked, not on a newer one of the same name.

    A CREATE change set for a name a stack has is added to that stack while it is under
    review, and refused otherwise; moto made a second stack of the name either way. The stack
    a CREATE change set makes has no tags until a change set of it runs."""

    def create_change_set(self: cfn.CloudFormationBackend, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("stack_name")
        if kwargs.get("change_set_type") == "UPDATE":
            if name in self.stacks:
                kwargs["stack_name"] = self.stacks[name].name
            change_set_id, stack_id = original(self, *args, **kwargs)
            _fail_without_changes(self.change_sets[change_set_id])
            return change_set_id, stack_id
        if kwargs.get("change_set_type") == "CREATE":
            existing = _named(self, name)
            if existing is not None and existing.status == "REVIEW_IN_PROGRESS":
                return _add_to_stack_under_review(self, existing, kwargs)
            if existing is not None:
                raise ValidationError(
                    message=f"Stack [{name}] already exists and cannot be created again with "
                    f"the changeSet [{kwargs.get('change_set_name')}]."
                )
            change_set_id, stack_id = original(self, *args, **kwargs)
            # The tags are the change set's until it runs (`_execute_change_set` gives them).
            self.stacks[stack_id].tags = {}
            return change_set_id, stack_id
        return original(self, *args, **kwargs)

    create_change_set.by_stack_id = True  # type: ignore[attr-defined]
    return create_change_set


NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a "
    "change set."
)


def _fail_without_changes(change_set: cfn.ChangeSet) -> None:
    """An update's change set with the stack's template, parameters and tags fails, as AWS's
    does, with "didn't contain changes". moto compared the parameters given with the stack's
    as stored, so a parameter left to its default on one side and given it on the other (or
    stored with the defaults filled in) read as a change, and the change set held no change
    at all. A parameter a change set leaves out takes its default, as in AWS."""
    if change_set.status != "CREATE_COMPLETE":
        return
    stack = change_set.stack
    if not stack.has_template(change_set.template):
        return
    template = stack.template_dict or {}

    def effective(given: dict[str, Any] | None) -> dict[str, str | None]:
        values = effective_parameters(template, given)
        return {k: None if v is None else str(v) for k, v in values.items()}

    # A change set that gives no tags keeps the stack's.
    if effective(stack.parameters) != effective(change_set.parameters) or (
        change_set.tags and change_set.tags != (stack.tags or {})
    ):
        return
    change_set.status = "FAILED"
    change_set.execution_status = "UNAVAILABLE"
    change_set.status_reason = NO_CHANGES


def _change_set_without_update_check(respond: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """AWS answers an update's change set that changes nothing with a change set that failed
    ("didn't contain changes"), never with an error; moto's response raised UpdateStack's "No
    updates are to be performed." first when every parameter was given at its value. The check
    stays UpdateStack's."""

    def create_change_set(self: Any) -> Any:
        # A response object answers one request: the check is off for this one only.
        self._validate_different_update = lambda *_args, **_kwargs: None
        try:
            return respond(self)
        finally:
            del self._validate_different_update

    create_change_set.skips_update_check = True  # type: ignore[attr-defined]
    create_change_set.checks_capabilities = getattr(respond, "checks_capabilities", False)  # type: ignore[attr-defined]
    return create_change_set


def _resolve_update_parameters(
    original: Callable[..., dict[str, str]],
) -> Callable[..., dict[str, str]]:
    """UpdateStack's `UsePreviousValue` for a stack: the value the stack has, which is the one
    its last operation gave or else its template's default (moto read only given values, and
    failed on a parameter left to its default)."""

    def resolve(
        self: cfn.CloudFormationBackend, instance: Any, incoming_params: list[dict[str, Any]]
    ) -> dict[str, str]:
        if not isinstance(instance, cfn.Stack):
            return original(self, instance, incoming_params)
        declared = (instance.template_dict or {}).get("Parameters", {})
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in incoming_params if "ParameterValue" in p}
        for p in incoming_params:
            if p.get("UsePreviousValue", False):
                key = p["ParameterKey"]
                previous = instance.parameters.get(key, declared.get(key, {}).get("Default"))
                if previous is None:
                    raise ValidationError(
                        instance.name,
                        message=f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template",
                    )
                parameters[key] = str(previous)
        return parameters

    resolve.previous_or_default = True  # type: ignore[attr-defined]
    return resolve


# Held while a stack is made: its name checked free, then the stack listed under it.
_making = threading.RLock()


def _one_at_a_time(original: Callable[..., Any]) -> Callable[..., Any]:
    """A backend call that makes a stack under a name it first checks is free, run under
    `_making`, so that no other can take the name between the check and the listing."""

    def made(*args: Any, **kwargs: Any) -> Any:
        with _making:
            return original(*args, **kwargs)

    made.one_at_a_time = True  # type: ignore[attr-defined]
    return made


def install() -> None:
    if not getattr(cfn.CloudFormationBackend._resolve_update_parameters, "previous_or_default", False):
        cfn.CloudFormationBackend._resolve_update_parameters = _resolve_update_parameters(  # type: ignore[method-assign]
            cfn.CloudFormationBackend._resolve_update_parameters
        )
    cfn.Stack.stack_resources = property(_stack_resources)  # type: ignore[assignment]
    cfn.Stack.create_resources = _create_resources  # type: ignore[method-assign]
    cfn.Stack.update = _update  # type: ignore[method-assign]
    cfn.ChangeSet.diff = _change_set_diff  # type: ignore[method-assign]
    parsing.ResourceMap.build_resource_diff = _resource_diff  # type: ignore[method-assign]
    cfn.CloudFormationBackend.execute_change_set = _execute_change_set  # type: ignore[method-assign]
    cfn.CloudFormationBackend.describe_change_set = _describe_change_set  # type: ignore[method-assign]
    cfn.CloudFormationBackend.delete_change_set = _delete_change_set  # type: ignore[method-assign]
    if not getattr(cfn.CloudFormationBackend.create_change_set, "by_stack_id", False):
        cfn.CloudFormationBackend.create_change_set = _create_change_set(  # type: ignore[method-assign]
            cfn.CloudFormationBackend.create_change_set
        )
    for operation in ("create_stack", "create_change_set"):
        make = getattr(cfn.CloudFormationBackend, operation)
        if not getattr(make, "one_at_a_time", False):
            setattr(cfn.CloudFormationBackend, operation, _one_at_a_time(make))
    for operation in ("create_stack", "update_stack", "create_change_set"):
        respond = getattr(CloudFormationResponse, operation)
        if not getattr(respond, "checks_capabilities", False):
            checked = _checking_template(respond)
            checked.checks_capabilities = True  # type: ignore[attr-defined]
            setattr(CloudFormationResponse, operation, checked)
    if not getattr(CloudFormationResponse.create_change_set, "skips_update_check", False):
        CloudFormationResponse.create_change_set = _change_set_without_update_check(  # type: ignore[method-assign]
            CloudFormationResponse.create_change_set
        )
    for operation in ("create_stack", "update_stack", "execute_change_set"):
        respond = getattr(CloudFormationResponse, operation)
        if not getattr(respond, "reads_retain_except_on_create", False):
            setattr(CloudFormationResponse, operation, _reading_retain_except_on_create(respond))
    CloudFormationResponse.describe_change_set = _describe_change_set_response  # type: ignore[method-assign]
    CloudFormationResponse.delete_change_set = _delete_change_set_response  # type: ignore[method-assign]
    cfn.CloudFormationBackend.delete_stack = _delete_stack  # type: ignore[method-assign]
    CloudFormationResponse.delete_stack = _delete_stack_response  # type: ignore[method-assign]
