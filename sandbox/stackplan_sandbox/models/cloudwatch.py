"""`AWS::CloudWatch::Alarm`.

moto 5.2.5 has no CloudFormation model for metric alarms (only for dashboards), although its
CloudWatch backend implements `PutMetricAlarm`. This model goes through that backend, so
`DescribeAlarms` lists the alarm with its metric, dimensions, thresholds, actions and tags.
Ref is the alarm's name (generated when `AlarmName` is absent, as CloudFormation does),
`Fn::GetAtt Arn` its ARN. The sandbox records the alarm: it is never evaluated.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel


class MetricAlarm(CloudFormationModel):
    def __init__(self, alarm: Any):
        self.alarm = alarm

    @property
    def physical_resource_id(self) -> str:
        return self.alarm.name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.alarm.alarm_arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MetricAlarm:
        p = cloudformation_json["Properties"]
        number = lambda key: float(p[key]) if key in p else None  # noqa: E731
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]) if "Period" in p else None,
            threshold=number("Threshold"),
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions", []),
            alarm_actions=p.get("AlarmActions", []),
            datapoints_to_alarm=int(p["DatapointsToAlarm"]) if "DatapointsToAlarm" in p else None,
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=str(p.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=p.get("Tags", []),
        )
        return cls(alarm)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> MetricAlarm:
        # PutMetricAlarm on an existing name replaces its settings; a generated name is kept.
        name = original_resource.alarm.name
        if "AlarmName" in cloudformation_json["Properties"] and new_resource_name != name:
            original_resource.delete(account_id, region_name)
            name = new_resource_name
        return cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([self.alarm.name])
