"""Every E code is catalogued once, and every catalogued E code has an input that triggers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from modelgov.policies.engine import simulate
from modelgov.policies.findings import catalogue

ACCT = "111111111111"
MP = f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package/churn/3"
ENGINE_YAML = Path(__file__).resolve().parents[2] / "policies/data/findings/engine.yaml"


def sim(request: dict[str, Any] | None = None, policy: Any = None, **layers: Any) -> dict[str, Any]:
    base_request = {"principal": f"arn:aws:iam::{ACCT}:role/QA", "action": "sagemaker:UpdateModelPackage",
                    "resource": {"resource": MP, "accountId": ACCT}, "contextVariables": {}}
    out: dict[str, Any] = {"request": {**base_request, **(request or {})}, "serviceControlPolicies": [],
                           "resourceControlPolicies": [],
                           "identityPolicies": [] if policy is None else [{"name": "p", "policy": policy}]}
    out.update(layers)
    return out


def statement(**extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                                                    **extra}]}


TRIGGERS: dict[str, dict[str, Any]] = {
    "E001": sim(request={"resource": {"resource": MP, "accountId": "12"}}),
    "E002": sim(request={"action": "sagemaker:UpdateModelPackages"}),
    "E003": sim(request={"resource": {"resource": MP.replace("model-package/churn/3", "endpoint/x"),
                                      "accountId": ACCT}}),
    "E004": sim(request={"contextVariables": {"s3:prefix": "x"}}),
    "E005": sim(request={"contextVariables": {"sagemaker:ModelLifeCycle:Stage": ["a", "b"]}}),
    "E006": sim(request={"principal": "QA"}),
    "E010": sim(policy={"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}),
    "E011": sim(policy=statement(Condition={"NullIfExists": {"aws:SourceIp": "true"}})),
    "E012": sim(policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:Nope",
                                                               "Resource": "*"}]}),
    "E013": sim(policy=statement(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "1e3"}})),
    "E014": sim(policy=statement(Condition={"StringEquals": {"sagemaker:Bogus": "x"}})),
    "E015": sim(serviceControlPolicies=[{"orgIdentifier": "r", "policies": [
        {"name": "s", "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sagemaker:*Package", "Resource": "*"}]}}]}]),
    "E016": sim(policy=statement(Condition={"StringEquals": {"aws:SourceVpc": "a", "AWS:SOURCEVPC": "b"}})),
    "E017": sim(policy={"Version": "2012-10-18", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    "E018": sim(request={"principal": f"arn:aws:iam::{ACCT}:user/alice"}, sessionPolicy=statement()),
}


def engine_codes() -> list[str]:
    return sorted(yaml.safe_load(ENGINE_YAML.read_text(encoding="utf-8")))


def test_engine_codes_are_in_the_shared_catalogue() -> None:
    entries = yaml.safe_load(ENGINE_YAML.read_text(encoding="utf-8"))
    for code in engine_codes():
        assert code.startswith("E") and entries[code]["severity"] == "error"
        assert entries[code]["title"] and entries[code]["fix"] and entries[code]["source"]
    shared = catalogue()
    for code in engine_codes():
        assert shared[code].title == entries[code]["title"]


def test_every_code_has_a_trigger() -> None:
    assert sorted(TRIGGERS) == engine_codes()


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_trigger_yields_exactly_its_code(code: str) -> None:
    result = simulate(TRIGGERS[code])
    assert result.decision != "Allowed"
    assert {e.code for e in result.errors} == {code}, [str(e) for e in result.errors]
