"""CloudFormation models moto lacks, and fixes to ones it has.

Each module covers one AWS service and says which moto gap it fills. Defining a
`CloudFormationModel` subclass is enough for moto to find it once the caches in
`moto.cloudformation.parsing` are cleared (`stackplan_sandbox.install` does that); fixes to
existing models are applied by the module's `install()`.
"""

from __future__ import annotations

from . import (
    acm,
    apigateway,
    apigatewayv2,
    applicationautoscaling,
    awslambda,
    cloudwatch,
    deletes,
    domains,
    ec2,
    ecr,
    ecs,
    elasticache,
    elbv2,
    kms,
    logs,
    rds,
    route53,
    s3,
    secretsmanager,
    sns,
)

# The CloudFormation types the extensions add (the rest are fixes to moto's own models).
MODELS = (
    acm.Certificate,
    apigateway.RestStage,
    apigatewayv2.Api,
    apigatewayv2.Integration,
    apigatewayv2.Route,
    apigatewayv2.Stage,
    apigatewayv2.Authorizer,
    applicationautoscaling.ScalableTarget,
    applicationautoscaling.ScalingPolicy,
    cloudwatch.MetricAlarm,
    domains.HttpDomainName,
    domains.ApiMapping,
    domains.RestDomainName,
    domains.BasePathMapping,
    ec2.SecurityGroupEgress,
    elasticache.CacheSubnetGroup,
    elasticache.ReplicationGroup,
    elasticache.User,
    elasticache.UserGroup,
    s3.BucketPolicy,
    secretsmanager.Secret,
    sns.Subscription,
)


def install() -> None:
    """Applies every fix to moto's own models (the new models exist once imported)."""
    for module in (
        apigateway, apigatewayv2, awslambda, deletes, ec2, ecr, ecs, elasticache, elbv2, kms, logs, rds, route53, s3
    ):
        module.install()
