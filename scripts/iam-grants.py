#!/usr/bin/env python3
"""Checks that every grant of a policy can take effect: that IAM authorises each action of a
statement on a resource the statement names, and that each resource it names is one IAM
authorises one of its actions on. A grant that can never apply is a reader's false belief about
what a role may do (and a deny that can never apply protects nothing).

    python scripts/iam-grants.py policies.json

`policies.json` holds `{"name": policy document, ...}` with every ARN written out
(`arn:aws:cloudformation:*:123456789012:stack/*/*`, no `Fn::Sub`). For each statement, from
AWS's policy reference as cfn-lint bundles it:

- every action is one IAM knows;
- every resource entry (other than `*`) can name a resource of a type one of the statement's
  actions is authorised on, by the type's ARN format;
- every action has a resource entry it is authorised on (`*`, or an ARN of one of its types);
  an action authorised on no resource type takes only `*`.

Prints one line per statement, and exits 1 naming every statement that fails.
"""
import json
import os
import re
import sys
from fnmatch import fnmatchcase

import cfnlint

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "123456789012"


def reference():
    path = os.path.join(os.path.dirname(cfnlint.__file__), "data", "AdditionalSpecs", "Policies.json")
    with open(path) as f:
        services = json.load(f)
    return {
        service.lower(): (
            {k.lower(): v for k, v in spec.get("Actions", {}).items()},
            {k.lower(): v for k, v in spec.get("Resources", {}).items()},
        )
        for service, spec in services.items()
    }


def format_regex(arn_format):
    """An ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a regex."""
    out = ""
    for part in re.split(r"(\$\{[^}]+\}|\.\*)", arn_format):
        if part in ("${Partition}", "${Region}", "${Account}"):
            out += "[^:]*"
        elif part.startswith("${") or part == ".*":
            out += ".*"
        else:
            out += re.escape(part)
    return re.compile(out + "$")


def format_example(arn_format):
    """One ARN of the format, with the account of the policies under test."""
    values = {"${Partition}": PARTITION, "${Region}": REGION, "${Account}": ACCOUNT}
    return "".join(
        values.get(part, "a/a" if part == ".*" else "a" if part.startswith("${") else part)
        for part in re.split(r"(\$\{[^}]+\}|\.\*)", arn_format)
    )


def can_name(pattern, arn_format):
    """Whether the resource pattern (IAM's `*` and `?` wildcards) can name a resource of the
    format: an ARN the pattern names is of the format, or an ARN of the format is named."""
    example = pattern.replace("*", "a").replace("?", "a")
    return bool(format_regex(arn_format).match(example)) or fnmatchcase(format_example(arn_format), pattern)


def check(statement, ref):
    problems = []
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    resources = statement.get("Resource", [])
    resources = [resources] if isinstance(resources, str) else resources
    # The ARN formats each action is authorised on (an empty list: on `*` only).
    formats = {}
    for action in actions:
        service, _, name = action.partition(":")
        known, types = ref.get(service.lower(), ({}, {}))
        if name.lower() not in known:
            problems.append(f"IAM has no action {action}")
            continue
        formats[action] = [
            f for t in known[name.lower()].get("Resources", []) for f in types.get(t.lower(), {}).get("ARNFormats", [])
        ]
    for resource in resources:
        if resource == "*":
            continue
        if not any(can_name(resource, f) for fs in formats.values() for f in fs):
            problems.append(f"{resource} names nothing any of its actions is authorised on")
    for action, fs in formats.items():
        if "*" in resources:
            continue
        if not fs:
            problems.append(f"{action} is authorised on `*` only, and the statement names no `*`")
        elif not any(can_name(r, f) for r in resources for f in fs):
            problems.append(f"{action} is authorised on none of the statement's resources")
    return problems


def main(path):
    with open(path) as f:
        policies = json.load(f)
    ref = reference()
    failed = []
    for policy, document in policies.items():
        statements = document["Statement"]
        for i, statement in enumerate([statements] if isinstance(statements, dict) else statements):
            name = f"{policy}/{statement.get('Sid', i)}"
            problems = check(statement, ref)
            print(f"{name}\t{statement['Effect']}\t{'; '.join(problems) or 'ok'}")
            if problems:
                failed.append(name)
    if failed:
        sys.exit(f"grants that cannot take effect: {', '.join(failed)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
