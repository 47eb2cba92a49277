"""RAM permission templates for model package groups: validation against the IAM service reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelgov.policies.builders.ram_permission import (
    MAX_NAME,
    build_permission_template,
    permission_name,
    promoted_permission_name,
    validate_permission_template,
)
from modelgov.policies.findings.catalogue import _parse

READ = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]


def _codes(template: object) -> list[tuple[str, str]]:
    return [(f.code, f.detail) for f in validate_permission_template(template, path="permission")]


def test_read_template_is_valid() -> None:
    assert _codes(build_permission_template(READ)) == []


def test_template_actions_are_canonical_sorted_and_unique() -> None:
    template = build_permission_template(["sagemaker:listmodelpackages", *READ])
    assert template == {"Effect": "Allow", "Action": sorted(READ)}


@pytest.mark.parametrize(("template", "expected"), [
    ({"Effect": "Allow", "Action": ["sagemaker:DescribeModelPackges"]},
     [("C202", "sagemaker:DescribeModelPackges")]),
    ({"Effect": "Allow", "Action": ["sagemaker:CreateEndpoint"]}, [("C203", "sagemaker:CreateEndpoint")]),
    ({"Effect": "Allow", "Action": ["s3:GetObject"]}, [("C203", "s3:GetObject")]),
    ({"Effect": "Allow", "Action": ["sagemaker:*"]}, [("C204", "sagemaker:*")]),
    ({"Effect": "Allow", "Action": "*"}, [("C204", "*")]),
    ({"Effect": "Allow", "Action": ["sagemaker:UpdateModelPackage"]}, [("C205", "sagemaker:UpdateModelPackage")]),
    ({"Effect": "Deny", "Action": READ}, [("C201", "Effect")]),
    ({"Effect": "Allow", "Action": READ, "Resource": "*"}, [("C201", "Resource")]),
    ({"Effect": "Allow", "Action": READ, "Principal": {"AWS": "*"}}, [("C201", "Principal")]),
    ({"Effect": "Allow", "Action": []}, [("C201", "Action")]),
    ("not a template", [("C201", "")]),
])
def test_invalid_templates_yield_their_code(template: object, expected: list[tuple[str, str]]) -> None:
    assert _codes(template) == expected


def test_finding_points_at_the_action_index() -> None:
    template = {"Effect": "Allow", "Action": [*READ, "sagemaker:CreateEndpoint"]}
    [finding] = validate_permission_template(template, file="governance.yaml", path="sharing.shares[0].permission")
    assert (finding.location.file, finding.location.path) == ("governance.yaml",
                                                               "sharing.shares[0].permission.Action[3]")


def _sharing_catalogue():  # only this feature's file, so another area's catalogue edits cannot mask ours
    path = Path(__file__).resolve().parents[2] / "policies" / "data" / "findings" / "construct-sharing.yaml"
    return _parse([(path.name, path.read_text())])


def test_every_emitted_code_is_catalogued_with_severity() -> None:
    entries = _sharing_catalogue()
    severities = {code: entries[code].severity for code in ("C201", "C202", "C203", "C204", "C205", "C210")}
    assert severities == {"C201": "error", "C202": "error", "C203": "error", "C204": "error", "C205": "warning",
                          "C210": "warning"}


def test_permission_name_changes_with_the_template() -> None:
    first = permission_name("registry-read", build_permission_template(READ))
    second = permission_name("registry-read", build_permission_template(READ[:2]))
    assert first != second and first.startswith("registry-read-") and len(first) <= MAX_NAME


def test_fails_permission_name_with_too_long_prefix() -> None:
    with pytest.raises(ValueError, match=r"prefix of at most 28"):
        permission_name("x" * 29, build_permission_template(READ))


def test_promoted_permission_name_fits_ram_limits_for_the_longest_group() -> None:
    name = promoted_permission_name("a" * 63)
    assert len(name) <= MAX_NAME and name.startswith("modelgov-")
    assert promoted_permission_name("a" * 63) != promoted_permission_name("a" * 62 + "b")
