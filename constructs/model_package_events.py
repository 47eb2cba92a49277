"""ModelPackageEvents: an EventBridge rule for SageMaker model package approval and lifecycle changes.

Wiring only: the pattern comes from modelgov.policies.builders.event_patterns, the governance bus policy
statement from the same module. Every target gets the rule's dead-letter queue and, where EventBridge
accepts one, a retry policy, so an event that cannot be delivered is kept instead of dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from modelgov.policies.builders.event_patterns import (
    model_package_state_change_pattern,
    organization_put_events_statement,
)

MAX_TARGETS = 5  # EventBridge targets per rule
RULE_NAME = re.compile(r"^[\.\-_A-Za-z0-9]{1,64}$")
BUS_NAME = re.compile(r"^[\.\-_A-Za-z0-9]{1,256}$")
MAX_RETRY_ATTEMPTS = 185
EVENTS_PRINCIPAL = "events.amazonaws.com"

# (condition that is wrong, message): the validation table of the retry settings.
_RETRY_CHECKS = (
    (lambda attempts, age: not 0 <= attempts <= MAX_RETRY_ATTEMPTS,
     "retry_attempts is {attempts}; EventBridge allows 0-185, use a value in that range"),
    (lambda attempts, age: not 60 <= age <= 86_400,
     "max_event_age is {age} seconds; EventBridge allows 60 seconds to 24 hours, use a duration in that range"),
)


class ModelPackageEvents(Construct):
    """Rule on "SageMaker Model Package State Change" filtered by group, approval status and lifecycle.

    Targets are added with `add_topic`, `add_queue`, `add_function` and `add_event_bus`; each one is
    wired with `dead_letter_queue` and (except event buses, for which EventBridge takes no retry policy)
    `retry_attempts` and `max_event_age`. At most five targets per rule.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        groups: Sequence[str] = (),
        approval_statuses: Sequence[str] = (),
        stages: Sequence[str] = (),
        stage_statuses: Sequence[str] = (),
        accounts: Sequence[str] = (),
        rule_name: str | None = None,
        description: str | None = None,
        enabled: bool = True,
        dead_letter_queue: sqs.IQueue | None = None,
        retry_attempts: int = MAX_RETRY_ATTEMPTS,
        max_event_age: cdk.Duration | None = None,
    ) -> None:
        """Create the rule and its dead-letter queue.

        :param groups: model package group names to match. Default: every group.
        :param approval_statuses: ModelApprovalStatus values to match. Default: any status.
        :param stages: ModelLifeCycle stages to match; events without a lifecycle never match. Default: any.
        :param stage_statuses: ModelLifeCycle stage statuses to match. Default: any.
        :param accounts: source accounts to match (for a rule on a bus that receives forwarded events).
            Default: any account.
        :param rule_name: the rule's name (create-only: a change replaces the rule). Default: generated.
        :param description: rule description. Default: a summary of the filters.
        :param enabled: whether the rule is enabled. Default: true.
        :param dead_letter_queue: where undeliverable events go. Default: an SSE-SQS encrypted, TLS-only queue
            that keeps messages 14 days.
        :param retry_attempts: EventBridge delivery attempts per event, 0-185. Default: 185 (the service max).
        :param max_event_age: how long EventBridge keeps retrying, 60 s to 24 h. Default: 24 hours.
        """
        super().__init__(scope, id)
        age = max_event_age or cdk.Duration.hours(24)
        age_seconds = age.to_seconds()
        for wrong, message in _RETRY_CHECKS:
            if wrong(retry_attempts, age_seconds):
                raise ValueError(f"{self.node.path}: " + message.format(attempts=retry_attempts, age=age_seconds))
        if rule_name is not None and not cdk.Token.is_unresolved(rule_name) and not RULE_NAME.match(rule_name):
            raise ValueError(f"{self.node.path}: rule_name {rule_name!r} must be 1-64 letters, digits, '.', '-' or "
                             "'_'; rename it")
        try:
            pattern = model_package_state_change_pattern(groups=groups, approval_statuses=approval_statuses,
                                                         stages=stages, stage_statuses=stage_statuses,
                                                         accounts=accounts)
        except ValueError as error:
            raise ValueError(f"{self.node.path}: {error}") from None
        self.event_pattern = pattern
        self.retry_attempts = retry_attempts
        self.max_event_age = age
        if dead_letter_queue is None:
            dead_letter_queue = sqs.Queue(self, "DeadLetterQueue", encryption=sqs.QueueEncryption.SQS_MANAGED,
                                          enforce_ssl=True, retention_period=cdk.Duration.days(14))
            cdk.Validations.of(dead_letter_queue).acknowledge(cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="this queue is the dead-letter queue of the rule's targets; it is the end of the line"))
        self.dead_letter_queue: sqs.IQueue = dead_letter_queue
        self.rule = events.Rule(
            self, "Rule", rule_name=rule_name, enabled=enabled,
            description=description or _describe(groups, approval_statuses, stages, stage_statuses),
            event_pattern=events.EventPattern(source=pattern["source"], detail_type=pattern["detail-type"],
                                              account=pattern.get("account"), detail=pattern.get("detail")))
        self._target_count = 0

    def _count(self) -> None:
        if self._target_count >= MAX_TARGETS:
            raise ValueError(f"{self.node.path}: a rule takes at most {MAX_TARGETS} targets; create a second "
                             "ModelPackageEvents for the others")
        self._target_count += 1

    def add_topic(self, id: str, *, topic_name: str | None = None, master_key: kms.IKey | None = None) -> sns.Topic:
        """Create a KMS-encrypted, TLS-only SNS topic and deliver the events to it.

        :param topic_name: Default: generated.
        :param master_key: the topic's key. Default: a new key with rotation; EventBridge is allowed to use it
            (kms:Decrypt, kms:GenerateDataKey) for this account only.
        """
        self._count()
        key = master_key or kms.Key(self, f"{id}Key", enable_key_rotation=True,
                                    description=f"encrypts the {id} model package events topic")
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="EventBridgePublishesEncrypted", principals=[iam.ServicePrincipal(EVENTS_PRINCIPAL)],
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}}))
        topic = sns.Topic(self, id, topic_name=topic_name, master_key=key, enforce_ssl=True)
        self.rule.add_target(targets.SnsTopic(topic, dead_letter_queue=self.dead_letter_queue,
                                              retry_attempts=self.retry_attempts, max_event_age=self.max_event_age))
        return topic

    def add_queue(self, id: str, *, queue_name: str | None = None, max_receive_count: int = 5) -> sqs.Queue:
        """Create an SSE-SQS encrypted, TLS-only queue and deliver the events to it.

        Messages the consumer fails to process `max_receive_count` times move to the rule's dead-letter queue.
        :param queue_name: Default: generated.
        :param max_receive_count: receives before a message moves to the dead-letter queue. Default: 5.
        """
        self._count()
        queue = sqs.Queue(self, id, queue_name=queue_name, encryption=sqs.QueueEncryption.SQS_MANAGED,
                          enforce_ssl=True, dead_letter_queue=sqs.DeadLetterQueue(
                              queue=self.dead_letter_queue, max_receive_count=max_receive_count))
        self.rule.add_target(targets.SqsQueue(queue, dead_letter_queue=self.dead_letter_queue,
                                              retry_attempts=self.retry_attempts, max_event_age=self.max_event_age))
        return queue

    def add_function(self, function: lambda_.IFunction) -> None:
        """Deliver the events to a Lambda function (asynchronous invoke, permission added for the rule)."""
        self._count()
        self.rule.add_target(targets.LambdaFunction(function, dead_letter_queue=self.dead_letter_queue,
                                                    retry_attempts=self.retry_attempts,
                                                    max_event_age=self.max_event_age))

    def add_event_bus(self, bus: events.IEventBus) -> None:
        """Forward the events to another bus (a central governance bus); dead-letter queue, no retry policy.

        EventBridge does not take a retry policy for event bus targets (see aws_events_targets.EventBusProps),
        so the service default (24 hours, 185 attempts) applies before the dead-letter queue.
        """
        self._count()
        self.rule.add_target(targets.EventBus(bus, dead_letter_queue=self.dead_letter_queue))


class GovernanceEventBus(Construct):
    """A custom event bus whose policy admits PutEvents from the organization only (aws:PrincipalOrgID)."""

    def __init__(self, scope: Construct, id: str, *, event_bus_name: str, organization_id: str) -> None:
        """Create the bus.

        :param event_bus_name: the bus name (create-only: a change replaces the bus and drops its rules).
        :param organization_id: the AWS Organizations id (o-...) whose principals may put events.
        """
        super().__init__(scope, id)
        if not cdk.Token.is_unresolved(event_bus_name) and not BUS_NAME.match(event_bus_name):
            raise ValueError(f"{self.node.path}: event_bus_name {event_bus_name!r} must be 1-256 letters, digits, "
                             "'.', '-' or '_'; rename it")
        self.event_bus = events.EventBus(self, "Resource", event_bus_name=event_bus_name)
        try:
            statement = organization_put_events_statement(bus_arn=self.event_bus.event_bus_arn,
                                                          organization_id=organization_id)
        except ValueError as error:
            raise ValueError(f"{self.node.path}: {error}") from None
        self.event_bus.add_to_resource_policy(iam.PolicyStatement.from_json(statement))


def _describe(groups: Sequence[str], approvals: Sequence[str], stages: Sequence[str],
              statuses: Sequence[str]) -> str:
    parts = [f"{label} {', '.join(sorted(values))}" for label, values in (
        ("groups", groups), ("approval", approvals), ("stages", stages), ("stage statuses", statuses)) if values]
    return "modelgov: SageMaker model package state changes" + (f" ({'; '.join(parts)})" if parts else "")[:400]
