"""Benchmark `modelgov verify`: the reference app's cdk.out, and generated organizations 1x, 4x, 10x, 16x.

    .venv/bin/python benchmarks/verify.py [cdk.out]

Targets (issue 6): the reference app in at most 1 s (excluding synth); an organization 10x larger (10x
personas, groups and policies) in at most 5 s; growth no worse than linear in total statements. The
generated organizations are the reference spec with every persona and group repeated k times, built with
the same pure builders the reference app uses (inline policies, so the managed-policy size limit does not
cap the scale), plus the lifecycle SCP on the root. Each copy has its own stage names, status subsets and
group names, so the prover's classes and memo cannot fold the copies into one (engine evaluations grow
with the organization).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from modelgov.policies.builders.group_policy import build_group_policy
from modelgov.policies.builders.personas import READ_ACTIONS, lifecycle_statements
from modelgov.policies.builders.scp import build_lifecycle_scps
from modelgov.policies.spec import GovernanceSpec, load_spec
from modelgov.policies.verify import verify, verify_stacks
from modelgov.policies.verify.assembly import StackEnv, StackTemplate

REPO = Path(__file__).resolve().parents[1]


def scaled_spec(base: GovernanceSpec, k: int) -> GovernanceSpec:
    """k copies of every persona and group; each copy has its own literals, so no class or memo entry is
    shared between copies: its unprotected stages are renamed (`QA3`), each multi-status transition drops a
    different status, and its groups carry their own names and tags."""
    data = base.model_dump(by_alias=True)
    protected = set(data["lifecycle"]["protected_stages"])
    renames = [{s: s if i == 0 or s in protected else f"{s}{i}" for s in data["lifecycle"]["stages"]}
               for i in range(k)]
    data["lifecycle"]["stages"] = list(dict.fromkeys(v for r in renames for v in r.values()))

    def transition(t: dict[str, Any], i: int) -> dict[str, Any]:
        statuses = t["statuses"]
        if i and len(statuses) > 1:
            statuses = [s for n, s in enumerate(statuses) if n != i % len(statuses)]
        return {**t, "from": renames[i].get(t["from"], t["from"]), "to": renames[i][t["to"]], "statuses": statuses}

    data["personas"] = [{**p, "name": f"{p['name']}-{i}" if i else p["name"], "role_name": None,
                         "transitions": [transition(t, i) for t in p["transitions"]]}
                        for i in range(k) for p in data["personas"]]
    data["model_package_groups"] = [{**g, "name": f"{g['name']}-{i}" if i else g["name"],
                                     "tags": {**g.get("tags", {}), "copy": str(i)}}
                                    for i in range(k) for g in data["model_package_groups"]]
    data["sharing"] = {"shares": []}
    data["events"] = {"rules": []}
    return GovernanceSpec.model_validate(data)


def organization(spec: GovernanceSpec) -> list[StackTemplate]:
    org = spec.organization
    region, account = org.primary_region, org.registry_account
    resources: dict[str, Any] = {}
    for n, persona in enumerate(spec.personas):
        statements = [{"Sid": "ReadRegistry", "Effect": "Allow", "Action": READ_ACTIONS, "Resource": "*"},
                      *lifecycle_statements(spec, persona, partition="aws", region=region, account=account)]
        resources[f"Role{n}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": persona.effective_role_name, "AssumeRolePolicyDocument": {},
            "Policies": [{"PolicyName": "lifecycle", "PolicyDocument": {"Version": "2012-10-17",
                                                                         "Statement": statements}}]}}
    for n, group in enumerate(spec.model_package_groups):
        ids = [org.account_id(a) for a in group.readers]
        policy = build_group_policy(group=group.name, partition="aws", region=region, owner_account=account,
                                    readers=ids, deployers=[org.account_id(a) for a in group.deployers])
        props: dict[str, Any] = {"ModelPackageGroupName": group.name}
        if policy:
            props["ModelPackageGroupPolicy"] = policy
        resources[f"Group{n}"] = {"Type": "AWS::SageMaker::ModelPackageGroup", "Properties": props}
    scps = {f"Scp{n}": {"Type": "AWS::Organizations::Policy", "Properties": {
        "Name": f"lifecycle-{n}", "Type": "SERVICE_CONTROL_POLICY", "Content": doc, "TargetIds": [org.root_id]}}
        for n, doc in enumerate(build_lifecycle_scps(spec))}
    return [StackTemplate("registry", "registry.json", {"Resources": resources}, StackEnv(account, region)),
            StackTemplate("org", "org.json", {"Resources": scps}, StackEnv(org.management_account, region))]


def statements(stacks: list[StackTemplate]) -> int:
    total = 0
    for stack in stacks:
        for resource in stack.resources.values():
            props = resource.get("Properties", {})
            for policy in props.get("Policies", []):
                total += len(policy["PolicyDocument"]["Statement"])
            for key in ("ModelPackageGroupPolicy", "Content"):
                if isinstance(props.get(key), dict):
                    total += len(props[key]["Statement"])
    return total


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str]) -> int:
    base = load_spec(str(REPO / "governance.yaml"))
    cdk_out = Path(argv[0]) if argv else REPO / "cdk.out"
    if (cdk_out / "manifest.json").exists():
        seconds, result = timed(lambda: verify([cdk_out], base))
        verdict = "PASS" if result.ok else "FAIL"
        print(f"reference app {cdk_out}: {seconds:.3f} s (target <= 1 s), {result.stats['principals']} principals, "
              f"{result.stats['evaluations']} evaluations, verdict {verdict}")
    else:
        print(f"reference app: no {cdk_out}/manifest.json (run `make synth`); skipped")
    rows = []
    for k in (1, 4, 10, 16):
        spec = scaled_spec(base, k)
        stacks = organization(spec)
        seconds, result = timed(lambda spec=spec, stacks=stacks: verify_stacks(stacks, spec), repeat=1 if k > 4 else 3)
        count = statements(stacks)
        rows.append((k, len(spec.personas), len(spec.model_package_groups), count, seconds, result))
    print(f"{'size':>5} {'personas':>8} {'groups':>6} {'statements':>10} {'seconds':>8} {'ms/stmt':>8} "
          f"{'evaluations':>11} verdict")
    for k, personas, groups, count, seconds, result in rows:
        print(f"{k:>4}x {personas:>8} {groups:>6} {count:>10} {seconds:>8.3f} {1000 * seconds / count:>8.3f} "
              f"{result.stats['evaluations']:>11} {'PASS' if result.ok else 'FAIL'}")
    one, ten = rows[0], rows[2]
    evals = [row[5].stats["evaluations"] for row in rows]
    print(f"10x organization: {ten[4]:.3f} s (target <= 5 s); time grew {ten[4] / one[4]:.1f}x and evaluations "
          f"{evals[2] / evals[0]:.1f}x for {ten[3] / one[3]:.1f}x statements; 16x: {rows[3][4] / one[4]:.1f}x time, "
          f"{evals[3] / evals[0]:.1f}x evaluations for {rows[3][3] / one[3]:.1f}x statements")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
