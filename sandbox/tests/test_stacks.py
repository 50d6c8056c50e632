"""The stack engine against moto alone: order, events, outputs, rollback, pace, deletes."""

from __future__ import annotations

import json
import os
import threading
import time
import unittest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402

import stackplan_sandbox  # noqa: E402
from stackplan_sandbox import stacks  # noqa: E402


def setUpModule() -> None:
    stackplan_sandbox.install()


# A topic named after a queue, and a bucket that waits for the topic: the queue must come
# first although the template lists it second.
TEMPLATE = {
    "Resources": {
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": {"Fn::Sub": "${Queue.QueueName}-topic"}},
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Topic"},
    },
    "Outputs": {
        "QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}},
        "TopicArn": {"Value": {"Ref": "Topic"}},
    },
}


def resource_events(cf, stack: str) -> list[tuple[str, str]]:
    events = reversed(cf.describe_stack_events(StackName=stack)["StackEvents"])
    return [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in events
        if e["ResourceType"] != "AWS::CloudFormation::Stack"
    ]


def stack_statuses(cf, stack: str) -> list[str]:
    events = reversed(cf.describe_stack_events(StackName=stack)["StackEvents"])
    return [e["ResourceStatus"] for e in events if e["ResourceType"] == "AWS::CloudFormation::Stack"]


class Order(unittest.TestCase):
    def test_references_cover_ref_getatt_and_sub_but_not_sub_variables(self) -> None:
        fragment = {
            "A": {"Ref": "One"},
            "B": {"Fn::GetAtt": ["Two", "Arn"]},
            "C": {"Fn::GetAtt": "Three.Endpoint.Address"},
            "D": {"Fn::Sub": "${Four.Arn}/x/${AWS::Region}/${!Literal}"},
            "E": {"Fn::Sub": ["${Five}-${Local}", {"Local": {"Ref": "Six"}}]},
            "F": {"Ref": "AWS::StackName"},
        }
        names = ["One", "Two", "Three", "Four", "Five", "Six", "Local", "Literal", "Unused"]
        self.assertEqual(
            stacks.references(fragment, names), {"One", "Two", "Three", "Four", "Five", "Six"}
        )

    def test_creation_order_puts_what_is_read_first_and_keeps_template_order_otherwise(self) -> None:
        self.assertEqual(
            stacks.creation_order(TEMPLATE["Resources"]), ["Queue", "Topic", "Bucket"]
        )

    def test_a_cycle_is_refused_as_cloudformation_does(self) -> None:
        resources = {
            "A": {"Type": "AWS::SQS::Queue", "DependsOn": "B"},
            "B": {"Type": "AWS::SQS::Queue", "Properties": {"X": {"Ref": "A"}}},
        }
        with self.assertRaisesRegex(Exception, r"Circular dependency between resources: \[A, B\]"):
            stacks.creation_order(resources)


@mock_aws
class Operations(unittest.TestCase):
    def setUp(self) -> None:
        stacks.set_pace(0)
        self.cf = boto3.client("cloudformation", region_name="us-east-1")

    def tearDown(self) -> None:
        stacks.set_pace(0)

    def execute_create(self, name: str, template: dict) -> str:
        change_set = self.cf.create_change_set(
            StackName=name,
            ChangeSetName=f"{name}-create",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps(template),
            Tags=[{"Key": "owner", "Value": "tests"}],
        )
        self.cf.execute_change_set(ChangeSetName=change_set["Id"])
        return change_set["Id"]

    def test_a_change_set_stack_gets_events_per_resource_in_order_and_its_outputs(self) -> None:
        self.execute_create("shop", TEMPLATE)
        stack = self.cf.describe_stacks(StackName="shop")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        self.assertTrue(outputs["QueueName"].startswith("shop-Queue-"), outputs)
        self.assertTrue(outputs["TopicArn"].endswith(f":{outputs['QueueName']}-topic"), outputs)
        self.assertEqual(
            resource_events(self.cf, "shop"),
            [
                (name, status)
                for name in ["Queue", "Topic", "Bucket"]
                for status in ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
            ],
        )
        events = self.cf.describe_stack_events(StackName="shop")["StackEvents"]
        complete = [e for e in events if e["ResourceStatus"] == "CREATE_COMPLETE" and e["LogicalResourceId"] == "Topic"]
        self.assertEqual(complete[0]["ResourceType"], "AWS::SNS::Topic")
        self.assertEqual(complete[0]["PhysicalResourceId"], outputs["TopicArn"])
        self.assertEqual(
            stack_statuses(self.cf, "shop"),
            ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"],
        )

    def test_a_change_set_runs_once(self) -> None:
        change_set = self.execute_create("once", TEMPLATE)
        described = self.cf.describe_change_set(ChangeSetName=change_set)
        self.assertEqual(described["ExecutionStatus"], "EXECUTE_COMPLETE")
        with self.assertRaises(ClientError) as raised:
            self.cf.execute_change_set(ChangeSetName=change_set)
        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidChangeSetStatus")

    def test_describing_resources_lists_only_what_exists(self) -> None:
        stacks.set_pace(0.2)
        self.execute_create("slow", TEMPLATE)
        first = self.cf.describe_stack_resources(StackName="slow")["StackResources"]
        self.assertLess(len(first), 3, "no resource is created by describing the stack")
        self.assertEqual(boto3.client("s3").list_buckets()["Buckets"], [])
        self.wait_for("slow", "CREATE_COMPLETE")
        listed = self.cf.describe_stack_resources(StackName="slow")["StackResources"]
        self.assertEqual(sorted(r["LogicalResourceId"] for r in listed), ["Bucket", "Queue", "Topic"])
        self.assertTrue(all(r["PhysicalResourceId"] for r in listed), listed)

    def wait_for(self, stack: str, status: str) -> list[str]:
        seen = []
        for _ in range(200):
            current = self.cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
            if not seen or seen[-1] != current:
                seen.append(current)
            if current == status:
                return seen
            time.sleep(0.05)
        self.fail(f"{stack} never reached {status}: {seen}")

    def test_with_a_pace_the_request_answers_first_and_the_stack_builds_after(self) -> None:
        stacks.set_pace(0.3)
        self.cf.create_stack(StackName="paced", TemplateBody=json.dumps(TEMPLATE))
        counts = []
        for _ in range(400):
            stack = self.cf.describe_stacks(StackName="paced")["Stacks"][0]
            counts.append(len(resource_events(self.cf, "paced")))
            if stack["StackStatus"] == "CREATE_COMPLETE":
                break
            self.assertEqual(stack["StackStatus"], "CREATE_IN_PROGRESS")
            time.sleep(0.05)
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertLess(counts[0], 9, "the request answered before the stack was built")
        self.assertEqual(counts[-1], 9)
        self.assertTrue(any(0 < c < 9 for c in counts), f"no intermediate state seen: {counts}")
        self.assertEqual(len(stack["Outputs"]), 2)

    def test_a_failing_resource_rolls_the_stack_back_with_its_reason(self) -> None:
        template = {
            "Resources": {
                "Queue": {"Type": "AWS::SQS::Queue"},
                "Broken": {
                    "Type": "AWS::SQS::Queue",
                    # SQS refuses this name (FIFO queues must end in .fifo): a real failure.
                    "Properties": {"QueueName": {"Fn::Sub": "${Queue.QueueName}"}, "FifoQueue": True},
                },
            }
        }
        self.execute_create("broken", template)
        stack = self.cf.describe_stacks(StackName="broken")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertEqual(
            resource_events(self.cf, "broken"),
            [
                ("Queue", "CREATE_IN_PROGRESS"),
                ("Queue", "CREATE_IN_PROGRESS"),
                ("Queue", "CREATE_COMPLETE"),
                ("Broken", "CREATE_IN_PROGRESS"),
                ("Broken", "CREATE_FAILED"),
                ("Queue", "DELETE_IN_PROGRESS"),
                ("Queue", "DELETE_COMPLETE"),
            ],
        )
        events = self.cf.describe_stack_events(StackName="broken")["StackEvents"]
        failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
        self.assertIn("fifo", failed["ResourceStatusReason"].lower())
        rollback = next(e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS")
        self.assertIn("[Broken]", rollback["ResourceStatusReason"])
        self.assertEqual(boto3.client("sqs").list_queues().get("QueueUrls", []), [])

    def test_a_rollback_deletes_what_it_retained_with_retain_except_on_create(self) -> None:
        template = {
            "Resources": {
                "Kept": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain"},
                "Broken": {
                    "Type": "AWS::SQS::Queue",
                    # SQS refuses this name (FIFO queues must end in .fifo): a real failure.
                    "Properties": {"QueueName": {"Fn::Sub": "${Kept.QueueName}"}, "FifoQueue": True},
                },
            }
        }
        sqs = boto3.client("sqs", region_name="us-east-1")
        # Without the flag the retained queue stays, outside the stack.
        self.cf.create_stack(StackName="retains", TemplateBody=json.dumps(template))
        self.assertIn(("Kept", "DELETE_SKIPPED"), resource_events(self.cf, "retains"))
        left = sqs.list_queues().get("QueueUrls", [])
        self.assertEqual(len(left), 1, left)
        sqs.delete_queue(QueueUrl=left[0])
        # With it, the rollback deletes what the create made, retained or not.
        self.cf.create_stack(
            StackName="drops", TemplateBody=json.dumps(template), RetainExceptOnCreate=True
        )
        stack = self.cf.describe_stacks(StackName="drops")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertIn(("Kept", "DELETE_COMPLETE"), resource_events(self.cf, "drops"))
        self.assertEqual(sqs.list_queues().get("QueueUrls", []), [])

    def test_an_update_rollback_deletes_what_it_added_with_retain_except_on_create(self) -> None:
        base = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
        self.execute_create("grows", base)
        broken = json.loads(json.dumps(base))
        broken["Resources"]["Added"] = {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain"}
        broken["Resources"]["Bad"] = {
            "Type": "AWS::SQS::Queue",
            "DependsOn": "Added",
            "Properties": {"QueueName": "x", "FifoQueue": True},
        }
        made = self.cf.create_change_set(
            StackName="grows", ChangeSetName="grows-broken", ChangeSetType="UPDATE", TemplateBody=json.dumps(broken)
        )
        self.cf.execute_change_set(ChangeSetName=made["Id"], RetainExceptOnCreate=True)
        stack = self.cf.describe_stacks(StackName="grows")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(("Added", "DELETE_COMPLETE"), resource_events(self.cf, "grows"))
        sqs = boto3.client("sqs", region_name="us-east-1")
        self.assertEqual(len(sqs.list_queues().get("QueueUrls", [])), 1, "only the stack's Q")

    def test_a_type_the_sandbox_cannot_create_fails_by_name(self) -> None:
        template = {"Resources": {"Thing": {"Type": "AWS::Nothing::Here"}}}
        self.cf.create_stack(StackName="unknown", TemplateBody=json.dumps(template))
        events = self.cf.describe_stack_events(StackName="unknown")["StackEvents"]
        failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
        self.assertIn("the sandbox cannot create AWS::Nothing::Here", failed["ResourceStatusReason"])

    def test_delete_goes_in_reverse_order_with_events_and_keeps_the_stack_describable(self) -> None:
        self.cf.create_stack(StackName="gone", TemplateBody=json.dumps(TEMPLATE))
        stack_id = self.cf.describe_stacks(StackName="gone")["Stacks"][0]["StackId"]
        self.cf.delete_stack(StackName="gone")
        deleted = self.cf.describe_stacks(StackName=stack_id)["Stacks"][0]
        self.assertEqual(deleted["StackStatus"], "DELETE_COMPLETE")
        deletes = [e for e in resource_events(self.cf, stack_id) if e[1].startswith("DELETE")]
        self.assertEqual(
            deletes,
            [
                (name, status)
                for name in ["Bucket", "Topic", "Queue"]
                for status in ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
            ],
        )
        self.assertEqual(boto3.client("sns").list_topics()["Topics"], [])
        with self.assertRaises(ClientError):
            self.cf.describe_stacks(StackName="gone")

    def test_an_update_change_set_adds_modifies_and_removes_with_events(self) -> None:
        self.execute_create("grow", TEMPLATE)
        updated = json.loads(json.dumps(TEMPLATE))
        del updated["Resources"]["Bucket"]
        updated["Resources"]["Queue"]["Properties"] = {"VisibilityTimeout": 60}
        updated["Resources"]["Extra"] = {"Type": "AWS::SQS::Queue"}
        change_set = self.cf.create_change_set(
            StackName="grow",
            ChangeSetName="grow-update",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(updated),
        )
        self.cf.execute_change_set(ChangeSetName=change_set["Id"])
        stack = self.cf.describe_stacks(StackName="grow")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        events = resource_events(self.cf, "grow")[9:]
        self.assertIn(("Queue", "UPDATE_COMPLETE"), events)
        self.assertIn(("Extra", "CREATE_COMPLETE"), events)
        self.assertEqual(events[-2:], [("Bucket", "DELETE_IN_PROGRESS"), ("Bucket", "DELETE_COMPLETE")])
        self.assertEqual(
            stack_statuses(self.cf, "grow")[-3:],
            ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"],
        )
        listed = self.cf.describe_stack_resources(StackName="grow")["StackResources"]
        self.assertEqual(sorted(r["LogicalResourceId"] for r in listed), ["Extra", "Queue", "Topic"])
        queue_url = next(r["PhysicalResourceId"] for r in listed if r["LogicalResourceId"] == "Queue")
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]
        self.assertEqual(attributes["VisibilityTimeout"], "60")
        self.assertEqual(boto3.client("s3").list_buckets()["Buckets"], [])

    def test_a_stack_says_when_it_last_changed_and_which_change_set_it_ran(self) -> None:
        first = self.execute_create("told", TEMPLATE)
        created = self.cf.describe_stacks(StackName="told")["Stacks"][0]
        self.assertNotIn("LastUpdatedTime", created)
        self.assertEqual(created["ChangeSetId"], first)
        updated = json.loads(json.dumps(TEMPLATE))
        updated["Resources"]["Extra"] = {"Type": "AWS::SQS::Queue"}
        change_set = self.cf.create_change_set(
            StackName="told",
            ChangeSetName="told-update",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(updated),
        )
        self.cf.execute_change_set(ChangeSetName=change_set["Id"])
        after = self.cf.describe_stacks(StackName="told")["Stacks"][0]
        self.assertEqual(after["ChangeSetId"], change_set["Id"])
        self.assertGreaterEqual(after["LastUpdatedTime"], after["CreationTime"])
        # UpdateStack runs no change set.
        del updated["Resources"]["Extra"]
        self.cf.update_stack(StackName="told", TemplateBody=json.dumps(updated))
        direct = self.cf.describe_stacks(StackName="told")["Stacks"][0]
        self.assertNotIn("ChangeSetId", direct)
        self.assertGreaterEqual(direct["LastUpdatedTime"], after["LastUpdatedTime"])

    def test_an_update_change_set_may_name_its_stack_by_id(self) -> None:
        self.execute_create("by-id", TEMPLATE)
        stack_id = self.cf.describe_stacks(StackName="by-id")["Stacks"][0]["StackId"]
        updated = json.loads(json.dumps(TEMPLATE))
        updated["Resources"]["Extra"] = {"Type": "AWS::SQS::Queue"}
        change_set = self.cf.create_change_set(
            StackName=stack_id,
            ChangeSetName="by-id-update",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(updated),
        )
        self.assertEqual(change_set["StackId"], stack_id)
        self.cf.execute_change_set(ChangeSetName=change_set["Id"])
        stack = self.cf.describe_stacks(StackName=stack_id)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertIn(("Extra", "CREATE_COMPLETE"), resource_events(self.cf, "by-id"))
        # A name or an id no stack has is refused, as before.
        with self.assertRaises(self.cf.exceptions.ClientError):
            self.cf.create_change_set(
                StackName=stack_id.replace("by-id", "no-such"),
                ChangeSetName="nothing",
                ChangeSetType="UPDATE",
                TemplateBody=json.dumps(updated),
            )

    def test_an_update_with_the_stacks_template_parameters_and_tags_has_no_changes(self) -> None:
        # As AWS: the change set fails with "didn't contain changes", whether a parameter at
        # its default is given or left out on either side.
        template = {
            "Parameters": {
                "Tag": {"Type": "String", "Default": "1"},
                "Bucket": {"Type": "String", "Default": ""},
            },
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}},
        }
        body = json.dumps(template)
        tags = [{"Key": "owner", "Value": "tests"}]
        self.cf.create_stack(
            StackName="same",
            TemplateBody=body,
            Tags=tags,
            Parameters=[{"ParameterKey": "Tag", "ParameterValue": "1"}],
        )

        def change_set(
            name: str, parameters: list[dict], template_body: str = body, given_tags: list[dict] | None = tags
        ) -> dict:
            request = {
                "StackName": "same",
                "ChangeSetName": name,
                "ChangeSetType": "UPDATE",
                "TemplateBody": template_body,
                "Parameters": parameters,
            }
            if given_tags is not None:
                request["Tags"] = given_tags
            made = self.cf.create_change_set(**request)
            return self.cf.describe_change_set(ChangeSetName=made["Id"])

        same = change_set("same-defaults", [{"ParameterKey": "Bucket", "ParameterValue": ""}])
        self.assertEqual((same["Status"], same["ExecutionStatus"]), ("FAILED", "UNAVAILABLE"))
        self.assertIn("didn't contain changes", same["StatusReason"])
        # Every parameter given, at its value: the same (moto's response had raised UpdateStack's
        # "No updates are to be performed." instead).
        given = change_set(
            "same-all-given",
            [{"ParameterKey": "Tag", "ParameterValue": "1"}, {"ParameterKey": "Bucket", "ParameterValue": ""}],
        )
        self.assertEqual(given["Status"], "FAILED")
        # No tags given keeps the stack's: nothing changes either.
        untagged = change_set("same-untagged", [], given_tags=None)
        self.assertEqual(untagged["Status"], "FAILED")
        # Other tags, a parameter away from its value, or another template: a change set to run.
        retagged = change_set("same-retagged", [], given_tags=[{"Key": "owner", "Value": "others"}])
        self.assertEqual(retagged["Status"], "CREATE_COMPLETE")
        other = change_set("same-other-tag", [{"ParameterKey": "Tag", "ParameterValue": "2"}])
        self.assertEqual(other["Status"], "CREATE_COMPLETE")
        grown = json.loads(body)
        grown["Resources"]["Extra"] = {"Type": "AWS::SQS::Queue"}
        bigger = change_set("same-bigger", [], json.dumps(grown))
        self.assertEqual(bigger["Status"], "CREATE_COMPLETE")

    def test_a_parameter_change_alone_modifies_what_reads_it_through_a_condition(self) -> None:
        template = {
            "Parameters": {"Ready": {"Type": "String", "Default": "false", "AllowedValues": ["false", "true"]}},
            "Conditions": {
                "Waiting": {"Fn::Equals": [{"Ref": "Ready"}, "false"]},
                "Started": {"Fn::Not": [{"Condition": "Waiting"}]},
            },
            "Resources": {
                "Gated": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"VisibilityTimeout": {"Fn::If": ["Started", 60, 0]}},
                },
                "Other": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 5}},
            },
        }
        body = json.dumps(template)

        def change_set(name: str, ready: str) -> dict:
            made = self.cf.create_change_set(
                StackName="gate",
                ChangeSetName=name,
                ChangeSetType="UPDATE",
                TemplateBody=body,
                Parameters=[{"ParameterKey": "Ready", "ParameterValue": ready}],
            )
            return self.cf.describe_change_set(ChangeSetName=made["Id"])

        self.execute_create("gate", template)
        # Every parameter at its value: a change set that failed, as AWS makes it (not the
        # error UpdateStack answers).
        same = change_set("gate-same", "false")
        self.assertEqual((same["Status"], same["ExecutionStatus"]), ("FAILED", "UNAVAILABLE"))
        self.assertIn("didn't contain changes", same["StatusReason"])
        started = change_set("gate-start", "true")
        self.assertEqual(
            [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in started["Changes"]],
            [("Modify", "Gated")],
        )
        self.cf.execute_change_set(ChangeSetName=started["ChangeSetId"])
        stack = self.cf.describe_stacks(StackName="gate")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertIn(("Gated", "UPDATE_COMPLETE"), resource_events(self.cf, "gate"))
        self.assertNotIn(("Other", "UPDATE_COMPLETE"), resource_events(self.cf, "gate"))
        listed = self.cf.describe_stack_resources(StackName="gate")["StackResources"]
        url = next(r["PhysicalResourceId"] for r in listed if r["LogicalResourceId"] == "Gated")
        attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        self.assertEqual(attributes["Attributes"]["VisibilityTimeout"], "60")

    def test_what_reads_a_replaced_resource_is_updated_to_the_new_one(self) -> None:
        # A new image tag makes a new task definition revision; the service must move to it
        # (CloudFormation lists it as Modify and updates it), not stay on the old, inactive one.
        template = {
            "Parameters": {"Tag": {"Type": "String", "Default": "1"}},
            "Resources": {
                "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
                "Task": {
                    "Type": "AWS::ECS::TaskDefinition",
                    "Properties": {
                        "Family": "app",
                        "ContainerDefinitions": [
                            {"Name": "app", "Image": {"Fn::Sub": "nginx:${Tag}"}, "Memory": 512}
                        ],
                    },
                },
                "Service": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, "DesiredCount": 1},
                },
                "Other": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 5}},
            },
        }
        self.execute_create("release", template)
        made = self.cf.create_change_set(
            StackName="release",
            ChangeSetName="release-tag-2",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": "Tag", "ParameterValue": "2"}],
        )
        listed = self.cf.describe_change_set(ChangeSetName=made["Id"])["Changes"]
        self.assertEqual(
            [
                (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"].get("Replacement"))
                for c in listed
            ],
            # The service's TaskDefinition changes in place: a new revision, not a new service.
            [("Modify", "Task", "True"), ("Modify", "Service", "False")],
        )
        self.cf.execute_change_set(ChangeSetName=made["Id"])
        self.assertEqual(self.cf.describe_stacks(StackName="release")["Stacks"][0]["StackStatus"], "UPDATE_COMPLETE")
        ecs = boto3.client("ecs", region_name="us-east-1")
        cluster = ecs.list_clusters()["clusterArns"][0]
        service = ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])
        self.assertTrue(service["services"][0]["taskDefinition"].endswith("task-definition/app:2"), service)
        self.assertNotIn(("Other", "UPDATE_COMPLETE"), resource_events(self.cf, "release"))

    def test_a_change_set_says_which_changes_replace_a_resource(self) -> None:
        # A bucket's name cannot change in place (createOnlyProperties): a new bucket. Its tags
        # can; and a queue read through a changed parameter is replaced only if the property
        # it reads it into is one that cannot change in place.
        template = {
            "Parameters": {"Wait": {"Type": "Number", "Default": 5}, "Name": {"Type": "String", "Default": "jobs-a"}},
            "Resources": {
                "Files": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "files-a"}},
                "Logs": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {"BucketName": "logs-a", "Tags": [{"Key": "team", "Value": "a"}]},
                },
                "Work": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": {"Ref": "Wait"}}},
                "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}},
                "Kept": {"Type": "AWS::SQS::Queue", "Properties": {}},
                # Reads the renamed bucket in a property that cannot change in place.
                "FilesPolicy": {
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {
                        "Bucket": {"Ref": "Files"},
                        "PolicyDocument": {
                            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
                        },
                    },
                },
            },
        }
        self.execute_create("buckets", template)
        changed = json.loads(json.dumps(template))
        changed["Resources"]["Files"]["Properties"]["BucketName"] = "files-b"
        changed["Resources"]["Logs"]["Properties"]["Tags"][0]["Value"] = "b"
        made = self.cf.create_change_set(
            StackName="buckets",
            ChangeSetName="rename",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(changed),
            Parameters=[
                {"ParameterKey": "Wait", "ParameterValue": "9"},
                {"ParameterKey": "Name", "ParameterValue": "jobs-b"},
            ],
        )
        listed = self.cf.describe_change_set(ChangeSetName=made["Id"])["Changes"]
        self.assertEqual(
            sorted(
                (c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"].get("Replacement"))
                for c in listed
            ),
            [("Files", "True"), ("FilesPolicy", "Conditional"), ("Jobs", "True"), ("Logs", "False"), ("Work", "False")],
        )
        # The execute does what the change set listed: the policy moves to the new bucket.
        self.cf.execute_change_set(ChangeSetName=made["Id"])
        self.assertEqual(self.cf.describe_stacks(StackName="buckets")["Stacks"][0]["StackStatus"], "UPDATE_COMPLETE")
        self.assertIn(("FilesPolicy", "UPDATE_COMPLETE"), resource_events(self.cf, "buckets"))

    def test_change_sets_are_found_within_their_stack_and_executing_one_deletes_the_others(self) -> None:
        queue = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 5}}}}
        self.execute_create("one", queue)
        self.execute_create("two", queue)

        def update(stack: str, name: str, timeout: int) -> str:
            body = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": timeout}}}}
            made = self.cf.create_change_set(
                StackName=stack, ChangeSetName=name, ChangeSetType="UPDATE", TemplateBody=json.dumps(body)
            )
            return made["Id"]

        # The same name in two stacks: each stack's own is the one found.
        first = update("one", "same", 10)
        second = update("two", "same", 20)
        for stack, arn in (("one", first), ("two", second)):
            found = self.cf.describe_change_set(StackName=stack, ChangeSetName="same")
            self.assertEqual(found["ChangeSetId"], arn)
        stale = update("one", "stale", 30)
        self.cf.execute_change_set(StackName="one", ChangeSetName="same")
        # The other change set of the stack that changed is gone; the other stack's stays.
        for name in ("stale", stale):
            with self.assertRaises(ClientError) as refused:
                self.cf.describe_change_set(StackName="one", ChangeSetName=name)
            self.assertEqual(refused.exception.response["Error"]["Code"], "ChangeSetNotFound")
        self.assertEqual(self.cf.describe_change_set(StackName="two", ChangeSetName="same")["ChangeSetId"], second)
        self.cf.delete_change_set(StackName="two", ChangeSetName="same")
        with self.assertRaises(ClientError) as gone:
            self.cf.delete_change_set(StackName="two", ChangeSetName="same")
        self.assertEqual(gone.exception.response["Error"]["Code"], "ChangeSetNotFound")

    def test_a_second_create_change_set_joins_the_stack_under_review(self) -> None:
        def queues(*names: str) -> str:
            return json.dumps({"Resources": {n: {"Type": "AWS::SQS::Queue", "Properties": {}} for n in names}})

        def create(name: str, body: str, owner: str) -> dict:
            return self.cf.create_change_set(
                StackName="review",
                ChangeSetName=name,
                ChangeSetType="CREATE",
                TemplateBody=body,
                Tags=[{"Key": "owner", "Value": owner}],
            )

        def stack_ids() -> list[str]:
            return [
                s["StackId"]
                for s in self.cf.list_stacks()["StackSummaries"]
                if s["StackName"] == "review" and s["StackStatus"] != "DELETE_COMPLETE"
            ]

        first = create("first", queues("A"), "first")
        second = create("second", queues("A", "B"), "second")
        # One stack, still under review, with both change sets.
        self.assertEqual(second["StackId"], first["StackId"])
        self.assertEqual(stack_ids(), [first["StackId"]])
        described = self.cf.describe_stacks(StackName="review")["Stacks"]
        self.assertEqual([(s["StackId"], s["StackStatus"]) for s in described], [(first["StackId"], "REVIEW_IN_PROGRESS")])
        # Under review, the stack has no tags: they are its change sets' until one runs.
        self.assertEqual(described[0].get("Tags", []), [])
        for name, made in (("first", first), ("second", second)):
            found = self.cf.describe_change_set(StackName="review", ChangeSetName=name)
            self.assertEqual((found["ChangeSetId"], found["StackId"]), (made["Id"], first["StackId"]))
            self.assertEqual(found["ExecutionStatus"], "AVAILABLE")
        # A change set name is the stack's once.
        with self.assertRaises(ClientError) as again:
            create("first", queues("C"), "again")
        self.assertEqual(again.exception.response["Error"]["Code"], "AlreadyExistsException")
        self.assertEqual(stack_ids(), [first["StackId"]])
        # Executing the second creates the stack from it; the first is gone, as on AWS.
        self.cf.execute_change_set(ChangeSetName=second["Id"])
        stack = self.cf.describe_stacks(StackName="review")["Stacks"][0]
        self.assertEqual((stack["StackId"], stack["StackStatus"]), (first["StackId"], "CREATE_COMPLETE"))
        self.assertEqual(stack["Tags"], [{"Key": "owner", "Value": "second"}])
        self.assertEqual(stack_ids(), [first["StackId"]])
        listed = self.cf.describe_stack_resources(StackName="review")["StackResources"]
        self.assertEqual(sorted(r["LogicalResourceId"] for r in listed), ["A", "B"])
        self.assertEqual(stack_statuses(self.cf, "review"), ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"])
        with self.assertRaises(ClientError) as gone:
            self.cf.describe_change_set(StackName="review", ChangeSetName="first")
        self.assertEqual(gone.exception.response["Error"]["Code"], "ChangeSetNotFound")

    def test_a_create_change_set_runs_only_on_a_stack_under_review(self) -> None:
        # Two CREATE change sets of one stack under review, the first executed while the second
        # was being made (the race a paced sandbox allows): the second cannot create the stack
        # again.
        queue = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}})
        made = [
            self.cf.create_change_set(StackName="raced", ChangeSetName=n, ChangeSetType="CREATE", TemplateBody=queue)
            for n in ("one", "two")
        ]
        backend = stacks.cfn.cloudformation_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        backend.stacks[made[0]["StackId"]].status = "CREATE_COMPLETE"
        with self.assertRaises(ClientError) as refused:
            self.cf.execute_change_set(ChangeSetName=made[1]["Id"])
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidChangeSetStatus")
        self.assertIn("the stack status is CREATE_COMPLETE", refused.exception.response["Error"]["Message"])

    def test_a_create_change_set_for_a_stack_that_exists_is_refused(self) -> None:
        queue = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
        self.execute_create("taken", queue)
        stack_id = self.cf.describe_stacks(StackName="taken")["Stacks"][0]["StackId"]
        with self.assertRaises(ClientError) as refused:
            self.cf.create_change_set(
                StackName="taken", ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=json.dumps(queue)
            )
        error = refused.exception.response["Error"]
        self.assertEqual(
            (error["Code"], error["Message"]),
            ("ValidationError", "Stack [taken] already exists and cannot be created again with the changeSet [again]."),
        )
        live = [
            (s["StackId"], s["StackStatus"])
            for s in self.cf.list_stacks()["StackSummaries"]
            if s["StackName"] == "taken"
        ]
        self.assertEqual(live, [(stack_id, "CREATE_COMPLETE")])
        # A deleted stack's name is free again, for a stack of its own.
        self.cf.delete_stack(StackName="taken")
        made = self.cf.create_change_set(
            StackName="taken", ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=json.dumps(queue)
        )
        self.assertNotEqual(made["StackId"], stack_id)

    def test_a_failed_update_leaves_the_parameters_as_they_were(self) -> None:
        template = {
            "Parameters": {"N": {"Type": "String", "Default": "a"}},
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "n", "Value": {"Ref": "N"}}]}}
            },
        }
        self.execute_create("params", template)
        broken = json.loads(json.dumps(template))
        # A FIFO queue's name must end in .fifo: SQS refuses it.
        broken["Resources"]["Bad"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "x", "FifoQueue": True}}

        def change_set(name: str, body: dict) -> dict:
            made = self.cf.create_change_set(
                StackName="params",
                ChangeSetName=name,
                ChangeSetType="UPDATE",
                TemplateBody=json.dumps(body),
                Parameters=[{"ParameterKey": "N", "ParameterValue": "b"}],
            )
            return self.cf.describe_change_set(ChangeSetName=made["Id"])

        failing = change_set("params-broken", broken)
        self.cf.execute_change_set(ChangeSetName=failing["ChangeSetId"])
        stack = self.cf.describe_stacks(StackName="params")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertEqual(stack["Parameters"], [{"ParameterKey": "N", "ParameterValue": "a"}])
        self.assertIn(("Bad", "CREATE_FAILED"), resource_events(self.cf, "params"))
        # The same parameter change with a template that works is still a change.
        fixed = change_set("params-fixed", template)
        self.assertEqual(
            [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in fixed["Changes"]],
            [("Modify", "Q")],
        )

    def test_an_update_without_a_parameter_of_before_drops_it(self) -> None:
        # CloudFormation takes an update's parameters as given: one the new template does not
        # declare is gone (moto kept the stack's old values, and failed on the undeclared one).
        template = {
            "Parameters": {"Old": {"Type": "String", "Default": ""}},
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "n", "Value": {"Ref": "Old"}}]}}
            },
        }
        self.cf.create_change_set(
            StackName="drop",
            ChangeSetName="drop-create",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": "Old", "ParameterValue": "kept"}],
        )
        self.cf.execute_change_set(ChangeSetName="drop-create", StackName="drop")
        without = {
            "Parameters": {"New": {"Type": "String", "Default": "fresh"}},
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "n", "Value": {"Ref": "New"}}]}}
            },
        }
        # Then back: the old parameter at its default, since the update does not give it.
        for name, body, parameter in [("drop-update", without, ("New", "fresh")), ("drop-back", template, ("Old", ""))]:
            made = self.cf.create_change_set(
                StackName="drop", ChangeSetName=name, ChangeSetType="UPDATE", TemplateBody=json.dumps(body)
            )
            self.cf.execute_change_set(ChangeSetName=made["Id"])
            stack = self.cf.describe_stacks(StackName="drop")["Stacks"][0]
            self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE", name)
            self.assertEqual(
                stack.get("Parameters", []), [{"ParameterKey": parameter[0], "ParameterValue": parameter[1]}], name
            )
        # The same change set again changes nothing.
        again = self.cf.create_change_set(
            StackName="drop", ChangeSetName="drop-again", ChangeSetType="UPDATE", TemplateBody=json.dumps(template)
        )
        self.assertEqual(self.cf.describe_change_set(ChangeSetName=again["Id"])["Status"], "FAILED")
        # The value the stack has, a default, is the previous value UpdateStack can keep.
        described = {**template, "Description": "kept"}
        self.cf.update_stack(
            StackName="drop",
            TemplateBody=json.dumps(described),
            Parameters=[{"ParameterKey": "Old", "UsePreviousValue": True}],
        )
        stack = self.cf.describe_stacks(StackName="drop")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(stack.get("Parameters", []), [{"ParameterKey": "Old", "ParameterValue": ""}])

    def test_an_update_change_set_gives_the_stack_its_role(self) -> None:
        template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 1}}}}
        first, second = (f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/{n}" for n in ("first", "second"))
        self.cf.create_stack(StackName="roled", TemplateBody=json.dumps(template), RoleARN=first)
        role = lambda: self.cf.describe_stacks(StackName="roled")["Stacks"][0].get("RoleARN")  # noqa: E731

        def update(timeout: int, **role_arn: str) -> None:
            template["Resources"]["Q"]["Properties"]["VisibilityTimeout"] = timeout
            made = self.cf.create_change_set(
                StackName="roled",
                ChangeSetName=f"roled-{timeout}",
                ChangeSetType="UPDATE",
                TemplateBody=json.dumps(template),
                **role_arn,
            )
            self.cf.execute_change_set(ChangeSetName=made["Id"])

        self.assertEqual(role(), first)
        update(2, RoleARN=second)
        self.assertEqual(role(), second)
        # A change set that names no role keeps the stack's.
        update(3)
        self.assertEqual(role(), second)

    def test_an_update_gives_the_stack_its_tags_and_a_rollback_gives_them_back(self) -> None:
        # CloudFormation gives the stack the tags of the update it runs; moto kept the old ones
        # for an update change set.
        template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 1}}}}
        tags = lambda d: [{"Key": k, "Value": v} for k, v in d.items()]  # noqa: E731
        self.cf.create_change_set(
            StackName="tagged",
            ChangeSetName="tagged-create",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps(template),
            Tags=tags({"team": "a", "keep": "1"}),
        )
        self.cf.execute_change_set(ChangeSetName="tagged-create", StackName="tagged")

        def update(name: str, body: dict, given: dict) -> tuple[str, dict]:
            made = self.cf.create_change_set(
                StackName="tagged",
                ChangeSetName=name,
                ChangeSetType="UPDATE",
                TemplateBody=json.dumps(body),
                Tags=tags(given),
            )
            self.cf.execute_change_set(ChangeSetName=made["Id"])
            stack = self.cf.describe_stacks(StackName="tagged")["Stacks"][0]
            return stack["StackStatus"], {t["Key"]: t["Value"] for t in stack.get("Tags", [])}

        changed = {
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 2}},
                "Net": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            }
        }
        self.assertEqual(update("tagged-update", changed, {"keep": "1"}), ("UPDATE_COMPLETE", {"keep": "1"}))
        # What the update adds carries its tags, beside CloudFormation's own.
        vpc = next(v for v in boto3.client("ec2", region_name="us-east-1").describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.9.0.0/16")
        vpc_tags = {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}
        self.assertEqual(vpc_tags.get("keep"), "1", vpc_tags)
        self.assertNotIn("team", vpc_tags)
        self.assertEqual(vpc_tags.get("aws:cloudformation:stack-name"), "tagged", vpc_tags)
        self.assertEqual(vpc_tags.get("aws:cloudformation:logical-id"), "Net", vpc_tags)
        # A failed update gives back the tags of before.
        broken = {"Resources": {**changed["Resources"], "Bad": {"Type": "AWS::Nothing::Here"}}}
        self.assertEqual(
            update("tagged-broken", broken, {"other": "2"}), ("UPDATE_ROLLBACK_COMPLETE", {"keep": "1"})
        )
        # UpdateStack too.
        self.cf.update_stack(StackName="tagged", TemplateBody=json.dumps(template), Tags=tags({"last": "3"}))
        stack = self.cf.describe_stacks(StackName="tagged")["Stacks"][0]
        self.assertEqual((stack["StackStatus"], stack["Tags"]), ("UPDATE_COMPLETE", tags({"last": "3"})))

    def test_creates_of_one_name_at_once_make_one_stack(self) -> None:
        # moto builds a stack (parsing its template) between checking its name and listing it:
        # made slow here, so that creates at once would all find the name free.
        original_init = stacks.cfn.Stack.__init__

        def slow_init(stack: object, *args: object, **kwargs: object) -> None:
            time.sleep(0.2)
            original_init(stack, *args, **kwargs)

        answers: list[str] = []

        def create() -> None:
            try:
                self.cf.create_stack(StackName="once", TemplateBody=json.dumps(TEMPLATE))
                answers.append("created")
            except ClientError as e:
                answers.append(e.response["Error"]["Code"])

        stacks.cfn.Stack.__init__ = slow_init  # type: ignore[method-assign]
        try:
            threads = [threading.Thread(target=create) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            stacks.cfn.Stack.__init__ = original_init  # type: ignore[method-assign]
        self.assertEqual(sorted(answers), ["AlreadyExistsException", "AlreadyExistsException", "created"])
        named = [s for s in self.cf.list_stacks()["StackSummaries"] if s["StackName"] == "once"]
        self.assertEqual(len(named), 1, named)

    def test_one_stack_runs_one_operation_at_a_time(self) -> None:
        # With a pace the creation goes on after the request: an update meanwhile is refused
        # as CloudFormation refuses it, and a delete waits for the creation to settle.
        queues = {
            "Resources": {
                f"Q{i}": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": i}} for i in range(6)
            }
        }
        stacks.set_pace(0.05)
        self.execute_create("busy", queues)
        self.assertEqual(self.cf.describe_stacks(StackName="busy")["Stacks"][0]["StackStatus"], "CREATE_IN_PROGRESS")
        with self.assertRaisesRegex(ClientError, "CREATE_IN_PROGRESS state and can not be updated"):
            self.cf.update_stack(StackName="busy", TemplateBody=json.dumps(queues))
        later = self.cf.create_change_set(
            StackName="busy", ChangeSetName="later", ChangeSetType="UPDATE", TemplateBody=json.dumps(queues)
        )
        with self.assertRaises(ClientError) as refused:
            self.cf.execute_change_set(ChangeSetName=later["Id"])
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidChangeSetStatus")
        stack_id = self.cf.describe_stacks(StackName="busy")["Stacks"][0]["StackId"]
        self.cf.delete_stack(StackName="busy")
        for _ in range(400):
            status = self.cf.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
            if status == "DELETE_COMPLETE":
                break
            time.sleep(0.02)
        self.assertEqual(status, "DELETE_COMPLETE")
        statuses = [
            e["ResourceStatus"]
            for e in reversed(self.cf.describe_stack_events(StackName=stack_id)["StackEvents"])
            if e["ResourceType"] == "AWS::CloudFormation::Stack"
        ]
        self.assertEqual(
            statuses, ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
        )
        self.assertEqual(boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", []), [])

    def test_iam_resources_must_be_acknowledged_and_named_ones_by_name(self) -> None:
        role = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            },
        }
        named = {**role, "Properties": {**role["Properties"], "RoleName": "fixed"}}

        def make(name: str, resource: dict, capabilities: list[str]) -> None:
            self.cf.create_change_set(
                StackName=name,
                ChangeSetName=f"{name}-create",
                ChangeSetType="CREATE",
                TemplateBody=json.dumps({"Resources": {"Role": resource}}),
                Capabilities=capabilities,
            )

        for name, resource, given, needed in (
            ("bare", role, [], "CAPABILITY_IAM"),
            ("named", named, ["CAPABILITY_IAM"], "CAPABILITY_NAMED_IAM"),
        ):
            with self.assertRaises(ClientError) as refused:
                make(name, resource, given)
            error = refused.exception.response["Error"]
            self.assertEqual(
                (error["Code"], error["Message"]),
                ("InsufficientCapabilitiesException", f"Requires capabilities : [{needed}]"),
            )
        make("ok", role, ["CAPABILITY_IAM"])
        make("ok-named", named, ["CAPABILITY_NAMED_IAM"])
        make("queue", {"Type": "AWS::SQS::Queue", "Properties": {}}, [])

    def test_a_template_whose_resources_need_each_other_is_refused_before_anything_exists(self) -> None:
        cycle = {
            "Resources": {
                "A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["B", "QueueName"]}}},
                "B": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["A", "QueueName"]}}},
            }
        }
        with self.assertRaisesRegex(ClientError, "Circular dependency between resources"):
            self.cf.create_stack(StackName="loop", TemplateBody=json.dumps(cycle))
        with self.assertRaisesRegex(ClientError, "Circular dependency between resources"):
            self.execute_create("loop", cycle)
        # Nothing was left behind: the name is free, and a good template takes it.
        self.assertEqual(
            [s["StackName"] for s in self.cf.list_stacks()["StackSummaries"] if s["StackName"] == "loop"], []
        )
        self.execute_create("loop", {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}})
        self.assertEqual(self.cf.describe_stacks(StackName="loop")["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")


if __name__ == "__main__":
    unittest.main()
