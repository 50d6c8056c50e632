#!/usr/bin/env python3
"""Checks that IAM can tell, by the target's tags, whether an action touches a resource a
Stackplan stack made: the execution role denies some actions unless the target is tagged
`stackplan:managed` (`server/src/bootstrap.rs`, `TAGGED_TARGETS`).

    python scripts/iam-resource-tags.py lambda:AddPermission=AWS::Lambda::Function ...

For each `action=ResourceType` pair, from AWS's policy reference and resource provider schemas
as cfn-lint bundles them:

- the action is of the CloudFormation type's service;
- IAM authorises the action on exactly one resource type. With two, one may be new and so
  untagged (a security group's rule), and a deny on a missing tag would refuse it;
- that resource type carries `aws:ResourceTag/${TagKey}`;
- CloudFormation tags the CloudFormation type as it creates it (`tagging.taggable` and
  `tagging.tagOnCreate`), so the stack's `stackplan:managed` is on it before anything is
  attached to it.

Prints one line per pair, and exits 1 naming every pair that fails.
"""
import glob
import json
import os
import sys

import cfnlint

TAG_KEY = "aws:ResourceTag/${TagKey}"


def data(*parts):
    return os.path.join(os.path.dirname(cfnlint.__file__), "data", *parts)


def tagging():
    found = {}
    for path in glob.glob(data("schemas", "resources", "*.json")):
        with open(path) as f:
            doc = json.load(f)
        if "typeName" in doc:
            found[doc["typeName"]] = doc.get("tagging", {})
    return found


def main(pairs):
    with open(data("AdditionalSpecs", "Policies.json")) as f:
        services = json.load(f)
    tags_of = tagging()
    failed = []
    for pair in pairs:
        action, _, cfn_type = pair.partition("=")
        service, _, name = action.partition(":")
        spec = services.get(service, {})
        actions = {k.lower(): v for k, v in spec.get("Actions", {}).items()}
        resources = {k.lower(): v for k, v in spec.get("Resources", {}).items()}
        problems = []
        if name.lower() not in actions:
            problems.append("IAM has no such action")
        on = actions.get(name.lower(), {}).get("Resources", [])
        if len(on) != 1:
            problems.append(f"IAM authorises it on {len(on)} resource types ({', '.join(on) or 'none'}), not one")
        elif TAG_KEY not in resources.get(on[0].lower(), {}).get("ConditionKeys", []):
            problems.append(f"IAM does not read the tags of {on[0]}")
        namespace = cfn_type.split("::")[1].lower() if cfn_type.count("::") == 2 else ""
        if namespace != service.lower():
            problems.append(f"{action} is not an action on {cfn_type}'s service")
        t = tags_of.get(cfn_type)
        if t is None:
            problems.append(f"no resource provider schema for {cfn_type}")
        elif not (t.get("taggable") and t.get("tagOnCreate")):
            problems.append(f"CloudFormation does not tag {cfn_type} as it creates it")
        target = on[0] if len(on) == 1 else "?"
        print(f"{action}\t{target}\t{cfn_type}\t{'; '.join(problems) or 'ok'}")
        if problems:
            failed.append(action)
    if failed:
        sys.exit(f"not decidable by the target's tags: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
