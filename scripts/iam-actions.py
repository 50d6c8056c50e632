#!/usr/bin/env python3
"""The IAM actions CloudFormation needs to create, read, update and delete each resource type,
from the resource provider schemas AWS publishes (cfn-lint bundles them: `handlers.<op>.permissions`).

    python scripts/iam-actions.py AWS::EC2::VPC AWS::S3::Bucket ...   # one TSV line per type

Prints `type<TAB>action,action,...` (actions sorted), keeping only the actions IAM knows
(cfn-lint's copy of AWS's policy reference). The deployer's
execution role (`stackplan bootstrap`) is built from these lines for the types in the resource
registry; `tests/tests/bootstrap.rs` checks `server/data/iam-actions.tsv` against this script.
"""
import glob
import json
import os
import sys

import cfnlint
from importlib.metadata import version

HANDLERS = ("create", "read", "update", "delete")


def schemas():
    root = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas", "resources")
    found = {}
    for path in glob.glob(os.path.join(root, "*.json")):
        with open(path) as f:
            doc = json.load(f)
        name = doc.get("typeName")
        if name:
            found[name] = doc
    return found


def known_actions():
    """The IAM actions cfn-lint knows (its copy of AWS's policy reference), lowercase."""
    path = os.path.join(os.path.dirname(cfnlint.__file__), "data", "AdditionalSpecs", "Policies.json")
    with open(path) as f:
        services = json.load(f)
    return {f"{svc}:{action}" for svc, spec in services.items() for action in spec.get("Actions", {})}


def main(types):
    by_name = schemas()
    known = known_actions()
    print(f"# IAM actions per resource type: the create, read, update and delete handler permissions of AWS's resource provider schemas (as bundled by cfn-lint {version('cfn-lint')}). Made by scripts/iam-actions.py; do not edit.")
    for name in types:
        doc = by_name.get(name)
        if doc is None:
            sys.exit(f"no resource provider schema for {name}")
        actions = set()
        for op in HANDLERS:
            actions.update(doc.get("handlers", {}).get(op, {}).get("permissions", []))
        # Some handlers list names IAM does not have (old spellings, API operations): no policy
        # can grant those, so they are left out.
        actions = {a for a in actions if a.lower() in known}
        if not actions:
            sys.exit(f"the schema of {name} lists no handler permissions")
        print(f"{name}\t{','.join(sorted(actions))}")


if __name__ == "__main__":
    main(sys.argv[1:])
