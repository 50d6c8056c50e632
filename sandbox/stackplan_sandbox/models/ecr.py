"""`AWS::ECR::Repository` without a `RepositoryName`.

CloudFormation names such a repository from the stack and logical id in lower case, because
ECR accepts only lower-case names. moto 5.2.5 keeps the logical id's capitals
(`shop-Repository-1A2B…`), which its own ECR then refuses to create, and the stack fails.
`install()` lowers the generated name, as AWS does.
"""

from __future__ import annotations

from moto.cloudformation import parsing

LOWER_CASE_NAMES = {"AWS::ECR::Repository"}


def install() -> None:
    original = parsing.generate_resource_name
    if getattr(original, "lower_case_names", False):
        return

    def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
        name = original(resource_type, stack_name, logical_id)
        return name.lower() if resource_type in LOWER_CASE_NAMES else name

    generate_resource_name.lower_case_names = True  # type: ignore[attr-defined]
    parsing.generate_resource_name = generate_resource_name
