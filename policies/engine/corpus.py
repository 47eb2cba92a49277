"""Seeded corpora of simulations (iam-simulate's input shape) for differential tests and benchmarks.

Each case exercises a random mix of the engine's features: principal kinds, same- and cross-account
resources, SCP and RCP levels, identity, resource, boundary and session policies, Action/NotAction,
Resource/NotResource wildcards, policy variables with defaults, and every condition operator family with
IfExists and ForAllValues/ForAnyValue. Values come from small domains so conditions match often.

`deviations(sim)` names the documented iam-simulate divergences a case touches (docs/engine.md), so a
differential test can require identical decisions everywhere else.
"""

from __future__ import annotations

import random
from typing import Any

from ..iam import catalog
from ..iam.grammar import parse_operator
from .request import derived_keys, parse_principal
from .services import IMMUTABLE_ROLE_ACTIONS
from .variables import parse_template

ACCT, OTHER, MGMT = "111111111111", "222222222222", "999999999999"
REGION = "us-east-1"
PRINCIPALS = [
    f"arn:aws:iam::{ACCT}:role/QA", f"arn:aws:iam::{ACCT}:role/DataScientist", f"arn:aws:iam::{ACCT}:user/alice",
    f"arn:aws:sts::{ACCT}:assumed-role/QA/session1", f"arn:aws:sts::{ACCT}:federated-user/bob",
    f"arn:aws:iam::{OTHER}:role/QA", f"arn:aws:sts::{OTHER}:assumed-role/Deployer/ci",
    f"arn:aws:iam::{ACCT}:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForSageMaker",
    "sagemaker.amazonaws.com",
]
ACTIONS = ["sagemaker:UpdateModelPackage", "sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage",
           "sagemaker:UpdateModelPackage", "sqs:SendMessage", "sts:AssumeRole", "kms:Decrypt",
           "sts:GetCallerIdentity", "iam:PassRole", "kms:DeleteAlias"]
RESOURCES = {
    "sagemaker": [f"arn:aws:sagemaker:{REGION}:{{acct}}:model-package/churn/3",
                  f"arn:aws:sagemaker:{REGION}:{{acct}}:model-package/fraud/12",
                  f"arn:aws:sagemaker:{REGION}:{{acct}}:model-package/alice/7"],
    "sqs": [f"arn:aws:sqs:{REGION}:{{acct}}:orders", f"arn:aws:sqs:{REGION}:{{acct}}:audit"],
    "sts:AssumeRole": ["arn:aws:iam::{acct}:role/Deployer", "arn:aws:iam::{acct}:role/ml/Trainer"],
    "kms:Decrypt": [f"arn:aws:kms:{REGION}:{{acct}}:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    "kms:DeleteAlias": [f"arn:aws:kms:{REGION}:{{acct}}:alias/aws/s3", f"arn:aws:kms:{REGION}:{{acct}}:alias/ml"],
    "sts:GetCallerIdentity": ["*"],
    "iam:PassRole": ["arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin",
                     "arn:aws:iam::{acct}:role/ml/Trainer", "arn:aws:iam::{acct}:role/Deployer"],
}
ACTION_PATTERNS = {
    "sagemaker": ["sagemaker:UpdateModelPackage", "sagemaker:update*", "sagemaker:*ModelPackage",
                  "SageMaker:Describe*", "sagemaker:*", "sagemaker:CreateModel?ackage", "*", "s3:GetObject"],
    "sqs": ["sqs:SendMessage", "sqs:Send*", "sqs:*", "*", "SQS:sendmessage", "sagemaker:*"],
    "sts": ["sts:AssumeRole", "sts:Assume*", "sts:*", "*", "sts:GetCallerIdentity", "s3:GetObject"],
    "kms": ["kms:Decrypt", "kms:*", "KMS:decrypt", "*", "kms:Encrypt", "kms:DeleteAlias", "kms:*Alias"],
    "iam": ["iam:PassRole", "iam:Pass*", "iam:*", "*", "sagemaker:*"],
}
RESOURCE_PATTERNS = {
    "sagemaker": ["*", "arn:aws:sagemaker:*:*:model-package/*",
                  "arn:aws:sagemaker:us-east-1:{acct}:model-package/churn/*",
                  "arn:aws:sagemaker:*:{acct}:model-package/fraud/?2", "arn:aws:sagemaker:us-east-1:*:*",
                  "arn:aws:sagemaker:us-west-2:*:model-package/*",
                  "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team}/*",
                  "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team, 'churn'}/*",
                  "arn:aws:sagemaker:*:*:model-package/${aws:username}/*"],
    "sqs": ["*", "arn:aws:sqs:*:{acct}:orders", "arn:aws:sqs:us-east-1:*:*", "arn:aws:sqs:*:*:a*",
            "arn:aws:sqs:*:*:${aws:PrincipalTag/team}"],
    "sts": ["*", "arn:aws:iam::{acct}:role/Deployer", "arn:aws:iam::*:role/ml/*", "arn:aws:iam::*:role/*"],
    "kms": ["*", "arn:aws:kms:*:{acct}:key/*", "arn:aws:kms:us-east-1:*:key/1234*", "arn:aws:kms:*:*:alias/*"],
    "iam": ["*", "arn:aws:iam::{acct}:role/*", "arn:aws:iam::*:role/ml/*", "arn:aws:iam::*:role/aws-reserved/*"],
}
# key -> (operators that fit its type, policy values, request values)
STRING_OPS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
              "StringLike", "StringNotLike"]
KEYS: dict[str, tuple[list[str], list[Any], list[Any]]] = {
    "sagemaker:ModelLifeCycle:Stage": (STRING_OPS, ["Production", "Development", "Staging", "Prod*", "production",
                                                    "${aws:PrincipalTag/stage}",
                                                    "${aws:PrincipalTag/stage, 'Production'}"],
                                       ["Production", "Development", "Staging", "production"]),
    "sagemaker:ModelLifeCycle:StageStatus": (STRING_OPS, ["Approved", "PendingApproval", "*Approv*"],
                                             ["Approved", "PendingApproval", "Rejected"]),
    "aws:PrincipalTag/team": (STRING_OPS, ["churn", "fraud", "ch?rn"], ["churn", "fraud"]),
    "aws:TagKeys": (STRING_OPS, ["team", "env", "own*"], [["team"], ["team", "env"], ["owner"], []]),
    "aws:SourceIp": (["IpAddress", "NotIpAddress"], ["10.0.0.0/8", "192.168.1.0/24", "10.0.0.5", "2001:db8::/32"],
                     ["10.0.0.5", "192.168.1.10", "172.16.0.1", "2001:db8::1"]),
    "aws:EpochTime": (["DateLessThan", "DateGreaterThan", "DateEquals", "DateNotEquals", "DateGreaterThanEquals"],
                      ["1600000000", "1700000000", "1800000000"],
                      ["1700000000", "1650000000"]),
    "aws:CurrentTime": (["DateLessThan", "DateGreaterThan", "DateLessThanEquals", "DateNotEquals"],
                        ["2024-01-01T00:00:00Z", "2025-06-30T12:00:00Z", "2026-01-01"],
                        ["2024-05-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
    "aws:MultiFactorAuthAge": (["NumericLessThan", "NumericGreaterThan", "NumericEquals", "NumericNotEquals",
                                "NumericLessThanEquals", "NumericGreaterThanEquals"],
                               ["300", "3600", "600.5", 3600], ["300", "3600", "7200"]),
    "aws:SecureTransport": (["Bool"], ["true", "false", True, False, "True"], ["true", "false"]),
    "aws:SourceArn": (["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals", "StringLike"],
                      [f"arn:aws:sagemaker:*:{ACCT}:pipeline/*", "arn:aws:sagemaker:us-east-1:*:pipeline/train",
                       "arn:aws:sagemaker:*:*:pipeline/t?ain", "arn:aws:s3:::*",
                       "arn:aws:sagemaker:*:${aws:PrincipalAccount}:pipeline/*"],
                      [f"arn:aws:sagemaker:us-east-1:{ACCT}:pipeline/train",
                       f"arn:aws:sagemaker:eu-west-1:{OTHER}:pipeline/deploy"]),
    "aws:PrincipalArn": (["ArnLike", "ArnNotLike", "StringLike", "StringEquals"],
                         ["arn:aws:iam::*:role/QA", f"arn:aws:iam::{ACCT}:role/*", "arn:aws:iam::*:user/alice"],
                         []),
    "aws:PrincipalAccount": (["StringEquals", "StringNotEquals"], [ACCT, OTHER], []),
    "aws:PrincipalIsAWSService": (["Bool"], ["true", "false"], []),
    "aws:PrincipalServiceName": (["StringEquals", "StringLike"], ["sagemaker.amazonaws.com", "*.amazonaws.com"], []),
    # BinaryEquals compares base64 values; canonical encodings only, since iam-simulate compares the text
    # (two spellings of the same bytes, such as "QQ==" and "QR==", would differ there; docs/engine.md)
    "aws:PrincipalTag/cert": (["BinaryEquals"], ["Y2h1cm4=", "ZnJhdWQ=", "AAEC"],
                              ["Y2h1cm4=", "ZnJhdWQ=", "AAEC", "bm9uZQ=="]),
}
TAG_REQUEST_KEYS = ["aws:PrincipalTag/team", "aws:PrincipalTag/stage"]
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
QUALIFIERS = ["", "", "", "ForAllValues:", "ForAnyValue:"]


def _policy(statements: list[dict[str, Any]], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": statements}


class _Gen:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items: list[Any]) -> Any:
        return self.rng.choice(items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def one_or_list(self, items: list[Any]) -> Any:
        return items[0] if len(items) == 1 and self.chance(0.5) else items

    def condition(self, action: str) -> dict[str, Any]:
        block: dict[str, dict[str, Any]] = {}
        for _ in range(self.rng.randint(1, 2)):
            key = self.pick([k for k in KEYS if catalog.key_valid_for_action(k, action, None)])
            ops, policy_values, _ = KEYS[key]
            base = self.pick(ops)
            multi = key == "aws:TagKeys"
            qualifier = self.pick(["ForAllValues:", "ForAnyValue:"]) if multi else \
                ("" if self.chance(0.85) else self.pick(["ForAllValues:", "ForAnyValue:"]))
            suffix = "IfExists" if self.chance(0.2) else ""
            op = f"{qualifier}{base}{suffix}"
            if self.chance(0.07):
                op, values = "Null", self.pick(["true", "false", True])
            else:
                family = parse_operator(f"{base}").family
                fitting = [v for v in policy_values if family in {"String", "Arn"} or "${" not in str(v)]
                chosen = self.rng.sample(fitting, k=min(len(fitting), self.rng.randint(1, 2)))
                values = self.one_or_list(chosen)
            block.setdefault(op, {})
            if key.lower() in {k.lower() for k in block[op]}:
                continue
            block[op][key if self.chance(0.8) else key.lower()] = values
        return block

    def statement(self, service: str, action: str, acct: str, effect: str | None = None,
                  principal: Any = None, allow_not: bool = True) -> dict[str, Any]:
        stmt: dict[str, Any] = {"Effect": effect or self.pick(["Allow", "Allow", "Deny"])}
        if self.chance(0.3):
            stmt["Sid"] = f"S{self.rng.randint(0, 99)}"
        actions = self.rng.sample(ACTION_PATTERNS[service], k=self.rng.randint(1, 2))
        stmt["NotAction" if allow_not and self.chance(0.1) else "Action"] = self.one_or_list(actions)
        resources = [r.replace("{acct}", acct) for r in
                     self.rng.sample(RESOURCE_PATTERNS[service], k=self.rng.randint(1, 2))]
        use_not_resource = allow_not and self.chance(0.1) and not any("${" in r for r in resources)
        stmt["NotResource" if use_not_resource else "Resource"] = self.one_or_list(resources)
        if principal is not None:
            not_principal = isinstance(principal, dict) and "AWS" in principal and self.chance(0.12)
            stmt["NotPrincipal" if not_principal else "Principal"] = principal
        if self.chance(0.45):
            stmt["Condition"] = self.condition(action)
        return stmt

    def resource_principal(self, principal: Any) -> Any:
        if not isinstance(principal, str):
            return self.pick(["*", {"AWS": "*"}, {"AWS": ACCT}])
        if principal.endswith("amazonaws.com"):
            return self.pick([{"Service": principal}, "*", {"Service": "events.amazonaws.com"}])
        parsed = parse_principal(principal)
        assert parsed is not None
        options: list[Any] = ["*", {"AWS": "*"}, {"AWS": principal}, {"AWS": parsed.account},
                              {"AWS": f"arn:aws:iam::{parsed.account}:root"}, {"AWS": f"arn:aws:iam::{OTHER}:role/X"}]
        if parsed.kind == "assumed-role":
            options.append({"AWS": parsed.principal_arn})
        if parsed.kind == "federated-user":
            options.append({"AWS": parsed.user_arn_for_session()})
        return self.pick(options)

    def context(self, action: str, principal: Any, acct: str) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        for key, (_, _, request_values) in KEYS.items():
            if request_values and catalog.key_valid_for_action(key, action, None) and self.chance(0.55):
                value = self.pick(request_values)
                ctx[key if self.chance(0.85) else key.lower()] = value
        for key in TAG_REQUEST_KEYS:
            if key.lower() not in {k.lower() for k in ctx} and self.chance(0.5):
                ctx[key] = self.pick(["churn", "fraud", "Production"])
        parsed = parse_principal(principal)
        if parsed is not None and parsed.kind != "anonymous" and self.chance(0.5):  # sometimes pass derived keys
            ctx.update(derived_keys(parsed, acct))
        return ctx

    def simulation(self) -> dict[str, Any]:
        principal = self.pick(PRINCIPALS)
        action = self.pick(ACTIONS)
        service = action.split(":")[0]
        acct = ACCT if self.chance(0.75) else OTHER
        resource = self.pick(RESOURCES.get(action, RESOURCES.get(service, ["*"]))).replace("{acct}", acct)
        if principal.endswith("amazonaws.com") and self.chance(0.5):
            principal = self.pick([{"type": "Anonymous"}, principal])
        service_principal = not isinstance(principal, str) or principal.endswith("amazonaws.com")
        sim: dict[str, Any] = {
            "request": {"principal": principal, "action": action,
                        "resource": {"resource": resource, "accountId": acct},
                        "contextVariables": self.context(action, principal, acct)},
            "identityPolicies": [], "serviceControlPolicies": [], "resourceControlPolicies": [],
        }
        version = "2012-10-17" if self.chance(0.93) else "2008-10-17"
        if not service_principal:
            for i in range(self.rng.randint(0, 3)):
                stmts = [self.statement(service, action, acct) for _ in range(self.rng.randint(1, 3))]
                sim["identityPolicies"].append({"name": f"id{i}", "policy": _policy(stmts, version)})
            if self.chance(0.5):
                levels = []
                for org in ["r-root", "ou-ml", ACCT][: self.rng.randint(1, 3)]:
                    policies = [{"name": "FullAWSAccess", "policy": _policy([dict(ALLOW_ALL)])}] \
                        if self.chance(0.85) else []
                    if self.chance(0.5):
                        stmt = self.statement(service, action, acct, allow_not=False)
                        actions = stmt.get("Action")
                        listed = actions if isinstance(actions, list) else [actions]
                        stmt["Action"] = [a for a in listed if a and "*" not in a[:-1] and "?" not in a] or "*"
                        policies.append({"name": f"guard-{org}", "policy": _policy([stmt])})
                    levels.append({"orgIdentifier": org, "policies": policies})
                sim["serviceControlPolicies"] = levels
            if self.chance(0.2):
                sim["permissionBoundaryPolicies"] = [
                    {"name": "pb", "policy": _policy([self.statement(service, action, acct, allow_not=False)
                                                       for _ in range(self.rng.randint(1, 2))])}]
            if isinstance(principal, str) and (principal.split(":")[2:3] == ["sts"] or ":role/" in principal):
                if self.chance(0.25):
                    sim["sessionPolicy"] = _policy([self.statement(service, action, acct, allow_not=False)
                                                    for _ in range(self.rng.randint(1, 2))])
        if self.chance(0.25 if service == "sqs" else 0.08):
            deny = self.statement(service, action, acct, effect="Deny", principal="*", allow_not=False)
            actions = deny["Action"] if isinstance(deny["Action"], list) else [deny["Action"]]
            deny["Action"] = [a for a in actions if a != "*"] or f"{service}:*"
            sim["resourceControlPolicies"] = [{"orgIdentifier": "r-root", "policies": [
                {"name": "rcp-guard", "policy": _policy([deny])}]}]
        if self.chance(0.6 if service_principal else 0.45):
            stmts = [self.statement(service, action, acct, principal=self.resource_principal(principal),
                                    allow_not=False) for _ in range(self.rng.randint(1, 3))]
            sim["resourcePolicy"] = _policy(stmts, version)
        if self.chance(0.25):  # usually a third account; sometimes the caller's or the resource's (D15)
            sim["organization"] = {"managementAccountId": self.pick([MGMT, MGMT, ACCT, OTHER])}
        return sim


def generate(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """`count` simulations, the same for the same seed."""
    gen = _Gen(random.Random(seed))
    return [gen.simulation() for _ in range(count)]


# request resources with a serial number in them, so every request of a benchmark is a new (action, resource)
DISTINCT_RESOURCES = {
    "sagemaker": [f"arn:aws:sagemaker:{REGION}:{{acct}}:model-package/{{group}}/{{n}}"],
    "sqs": [f"arn:aws:sqs:{REGION}:{{acct}}:orders-{{n}}", f"arn:aws:sqs:{REGION}:{{acct}}:audit{{n}}"],
    "sts:AssumeRole": ["arn:aws:iam::{acct}:role/Deployer{n}", "arn:aws:iam::{acct}:role/ml/Trainer{n}"],
    "kms:Decrypt": [f"arn:aws:kms:{REGION}:{{acct}}:key/1234abcd-12ab-34cd-56ef-{{n:012d}}"],
    "kms:DeleteAlias": [f"arn:aws:kms:{REGION}:{{acct}}:alias/aws/s{{n}}",
                        f"arn:aws:kms:{REGION}:{{acct}}:alias/ml{{n}}"],
    "iam:PassRole": ["arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin{n}",
                     "arn:aws:iam::{acct}:role/ml/Trainer{n}", "arn:aws:iam::{acct}:role/Deployer{n}"],
}


def distinct_requests(sim: dict[str, Any], count: int, seed: int, first_serial: int) -> list[dict[str, Any]]:
    """`count` requests for `sim`'s principal, each with its own action/resource pair and a fresh context.

    Serial numbers from `first_serial` on make every resource new, so a benchmark that evaluates them
    against a prepared policy set measures evaluation, not the per-(action, resource) caches.
    """
    gen = _Gen(random.Random(seed))
    principal = sim["request"]["principal"]
    actions = [a for a in dict.fromkeys(ACTIONS) if a != "sts:GetCallerIdentity"]
    out: list[dict[str, Any]] = []
    service = str(sim["request"]["action"]).split(":")[0]
    own = [a for a in actions if a.startswith(f"{service}:")] or actions
    for n in range(first_serial, first_serial + count):
        action = gen.pick(own if gen.chance(0.6) else actions)  # mostly the service the policies were written for
        acct = ACCT if gen.chance(0.75) else OTHER
        template = gen.pick(DISTINCT_RESOURCES.get(action, DISTINCT_RESOURCES.get(action.split(":")[0], [])))
        resource = template.format(acct=acct, n=n, group=gen.pick(["churn", "fraud", "alice"]))
        out.append({"principal": principal, "action": action, "resource": {"resource": resource, "accountId": acct},
                    "contextVariables": gen.context(action, principal, acct)})
    return out


def _all_policies(sim: dict[str, Any]) -> list[dict[str, Any]]:
    docs = [p["policy"] for p in sim.get("identityPolicies", [])]
    docs += [p["policy"] for p in sim.get("permissionBoundaryPolicies", []) or []]
    for level in sim.get("serviceControlPolicies", []) + sim.get("resourceControlPolicies", []):
        docs += [p["policy"] for p in level.get("policies", [])]
    docs += [d for d in (sim.get("resourcePolicy"), sim.get("sessionPolicy")) if d]
    return docs


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    st = doc.get("Statement", [])
    return st if isinstance(st, list) else [st]


def _has_var(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and "${" in v for v in items)


def deviations(sim: dict[str, Any]) -> set[str]:
    """Which documented iam-simulate divergences (D1..D6, D12..D15) a case may touch."""
    out: set[str] = set()
    request = sim["request"]
    ctx_keys = {k.lower() for k in request.get("contextVariables", {})}
    principal = parse_principal(request["principal"])
    if principal is not None:
        ctx_keys |= {k.lower() for k in derived_keys(principal, request["resource"]["accountId"])}
    ctx = {k.lower(): v for k, v in request.get("contextVariables", {}).items()}
    for doc in _all_policies(sim):
        for stmt in _statements(doc):
            if doc.get("Version") != "2012-10-17" and any(_has_var(stmt.get(e)) for e in
                                                          ("Resource", "NotResource", "Condition")):
                out.add("D1")
            if doc.get("Version") != "2012-10-17" and "Condition" in stmt and "${" in str(stmt["Condition"]):
                out.add("D1")
            for op, block in (stmt.get("Condition") or {}).items():
                parsed = parse_operator(op)
                for key, values in block.items():
                    items = values if isinstance(values, list) else [values]
                    if parsed.negated and doc.get("Version") == "2012-10-17":
                        for v in items:
                            if isinstance(v, str) and any(n not in ctx_keys or isinstance(ctx.get(n), list)
                                                          for n in parse_template(v, True).variables()):
                                out.add("D2")
                    if parsed.family == "Date" and key.lower() in ctx:
                        request_epoch = str(ctx[key.lower()]).isdigit()
                        if any(str(v).isdigit() != request_epoch for v in items):
                            out.add("D3")
                    if parsed.family == "Arn" and doc.get("Version") == "2012-10-17" and any(
                            ":" in name for v in items if isinstance(v, str)
                            for name in parse_template(v, True).variables()):
                        out.add("D14")
                    if parsed.base == "NotIpAddress" and key.lower() in ctx:
                        request_v6 = ":" in str(ctx[key.lower()])
                        if any("/" not in str(v) and (":" in str(v)) != request_v6 for v in items):
                            out.add("D12")
    resource_policy = sim.get("resourcePolicy")
    if principal is not None and principal.kind in {"assumed-role", "federated-user"} and sim.get("sessionPolicy") \
            and resource_policy and str(request["principal"]) in str(resource_policy):
        out.add("D4")
    service = request["action"].split(":")[0].lower()
    if sim.get("resourceControlPolicies") and not catalog.rcp_supported(service):
        out.add("D5")
    if principal is not None and sim.get("serviceControlPolicies") and (
            principal.kind == "service" or principal.service_linked):
        out.add("D6")
    management = (sim.get("organization") or {}).get("managementAccountId")
    if management and principal is not None and (
            (sim.get("serviceControlPolicies") and principal.account == management)
            or (sim.get("resourceControlPolicies") and request["resource"]["accountId"] == management)):
        out.add("D15")
    if request["action"].lower() in IMMUTABLE_ROLE_ACTIONS and "role/aws-reserved/" in request["resource"]["resource"]:
        out.add("D13")
    return out
