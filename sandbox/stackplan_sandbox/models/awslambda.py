"""`AWS::Lambda::Function` with a container image (`PackageType: Image`).

moto 5.2.5's CloudFormation model of a function passes the backend only `Code`, `Handler`,
`Role`, `Runtime` and a few optional properties (`Description`, `MemorySize`, `Timeout`,
`VpcConfig`, `Environment`, …); `PackageType`, `Architectures` and `ImageConfig` are dropped,
and its update ignores them too. A container-image function on Graviton is then recorded as a
`Zip` function on `x86_64` whose code is an `ImageUri`, and `GetFunction` says so.

`install()` wraps the model's create and update so that the three properties are recorded as
AWS records them (their defaults when absent: `Zip`, `x86_64`, no image config). The image
itself is not checked: moto does not look for it in ECR unless `MOTO_LAMBDA_STUB_ECR=false`.
A changed `ImageUri` already reaches the function on update (moto's update passes `Code` on).
Changing `PackageType` replaces the function on AWS; here the function is updated in place.
"""

from __future__ import annotations

from typing import Any

from moto.awslambda.models import ImageConfig, LambdaFunction


def _record(function: LambdaFunction, properties: dict[str, Any]) -> None:
    function.package_type = properties.get("PackageType", "Zip")
    function.architectures = properties.get("Architectures", ["x86_64"])
    function.image_config = ImageConfig(properties.get("ImageConfig", {}))


def install() -> None:
    if getattr(LambdaFunction, "stackplan_sandbox", False):
        return
    create = LambdaFunction.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    update = LambdaFunction.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(
        cls: type[LambdaFunction],
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunction:
        function = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        # The function the backend keeps: CloudFormation has no `Publish`, so no version copy.
        try:
            _record(function, cloudformation_json["Properties"])
        except Exception:  # invalid `Architectures`: AWS creates no function
            function.delete(account_id, region_name)
            raise
        return function

    def update_from_cloudformation_json(
        cls: type[LambdaFunction],
        original_resource: LambdaFunction,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> LambdaFunction:
        function = update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        _record(function, cloudformation_json["Properties"])
        return function

    LambdaFunction.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[assignment]
    LambdaFunction.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)  # type: ignore[assignment]
    LambdaFunction.stackplan_sandbox = True  # type: ignore[attr-defined]
