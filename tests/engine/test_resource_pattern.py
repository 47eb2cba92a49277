"""A variable-free Resource entry is matched by one regex over the whole ARN; it must keep field semantics.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
(wildcards do not span ARN segments' colons in the partition, service, region and account fields; the
resource part may hold colons and matches case-sensitively).
"""

from __future__ import annotations

import pytest

from modelgov.policies.engine.request import normalize_request
from modelgov.policies.engine.statement import ResourcePattern

ACCT = "111111111111"


def matches(pattern: str, arn: str, action: str = "sqs:SendMessage") -> bool | None:
    request, errors = normalize_request({"principal": f"arn:aws:iam::{ACCT}:role/QA", "action": action,
                                         "resource": {"resource": arn, "accountId": ACCT}})
    assert request is not None, errors
    entry = ResourcePattern(pattern, "", True)
    assert entry.whole is not None  # the fast path is the one under test
    return entry.match(request, request.context)


@pytest.mark.parametrize(("pattern", "arn", "expected"), [
    ("arn:aws:sqs:*:*:a*", f"arn:aws:sqs:us-east-1:{ACCT}:audit", True),
    ("ARN:AWS:SQS:US-EAST-1:*:audit", f"arn:aws:sqs:us-east-1:{ACCT}:audit", True),  # fields ignore case
    ("arn:aws:sqs:*:*:Audit", f"arn:aws:sqs:us-east-1:{ACCT}:audit", False),  # the resource part does not
    ("arn:aws:sqs:us-east-?:*:audit", f"arn:aws:sqs:us-east-1:{ACCT}:audit", True),
    ("arn:aws:sqs:us-east-?:*:audit", f"arn:aws:sqs:us-east-12:{ACCT}:audit", False),
    # a field wildcard must not swallow a colon: region * cannot also cover the account
    (f"arn:aws:sqs:*:{ACCT}:orders", f"arn:aws:sqs:us-east-1:{ACCT}:orders", True),
    ("arn:aws:sqs:*:*:*", f"arn:aws:sqs:us-east-1:{ACCT}:orders", True),
    ("arn:aws:sqs:*:222222222222:*", f"arn:aws:sqs:us-east-1:{ACCT}:orders", False),
])
def test_whole_arn_regex_keeps_field_semantics(pattern: str, arn: str, expected: bool) -> None:
    assert matches(pattern, arn) is expected


def test_resource_part_may_hold_colons() -> None:
    arn = f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package/churn/3"
    assert matches("arn:aws:sagemaker:*:*:model-package/*", arn, "sagemaker:UpdateModelPackage") is True
    assert matches("arn:aws:sagemaker:*:*:model-package/churn/?", arn, "sagemaker:UpdateModelPackage") is True
    stream = f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/x:log-stream:s"
    assert matches("arn:aws:logs:*:*:log-group:/aws/x:*", stream, "logs:PutLogEvents") is True
    # region * must not run on past its colon: here "log-group" sits in the account field and fails there
    assert matches("arn:aws:logs:*:log-group:*", f"arn:aws:logs:us-east-1:{ACCT}:log-group:g:log-stream:s",
                   "logs:PutLogEvents") is False
