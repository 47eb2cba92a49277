"""Benchmark `modelgov verify`: the reference app's cdk.out, and generated organizations 1x, 4x, 10x, 16x.

    .venv/bin/python benchmarks/verify.py [cdk.out]

Each figure is the median of three runs, each in a fresh interpreter, so module-level caches start cold at
every size (a CI job verifies once).

Targets (issue 6): the reference app in at most 1 s (excluding synth); an organization 10x larger (10x
personas, groups and policies) in at most 5 s; growth no worse than linear in total statements. The
generated organizations are the reference spec with every persona and group repeated k times, built with
the same pure builders the reference app uses (inline policies, so the managed-policy size limit does not
cap the scale; the trust policy the spec gives each persona, so who may assume each role is proven too), plus
the lifecycle SCP on the root. Each copy has its own stage names, status subsets and
group names, so the prover's classes and memo cannot fold the copies into one (engine evaluations grow
with the organization).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from modelgov.policies.builders.group_policy import build_group_policy
from modelgov.policies.builders.personas import READ_ACTIONS, build_trust_policy, lifecycle_statements
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
            "RoleName": persona.effective_role_name,
            "AssumeRolePolicyDocument": build_trust_policy(
                persona, partition="aws", account=account,
                trusted_account_ids=[org.account_id(name) for name in persona.trust.accounts]),
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


def policy_entries(stacks: list[StackTemplate]) -> int:
    """Statements plus every Resource entry and condition value: the size of what the proof reads. Every
    persona names every group, so this grows faster than the statement count."""
    total = 0

    def count(doc: dict[str, Any]) -> int:
        n = 0
        for st in doc["Statement"]:
            resources = st.get("Resource", [])
            n += 1 + (len(resources) if isinstance(resources, list) else 1)
            for block in st.get("Condition", {}).values():
                n += sum(len(v) if isinstance(v, list) else 1 for v in block.values())
        return n
    for stack in stacks:
        for resource in stack.resources.values():
            props = resource.get("Properties", {})
            total += sum(count(policy["PolicyDocument"]) for policy in props.get("Policies", []))
            total += sum(count(props[key]) for key in ("ModelPackageGroupPolicy", "Content")
                         if isinstance(props.get(key), dict))
    return total


def one_run(what: str) -> dict[str, Any]:
    """Time one verification in this (fresh) interpreter: caches start cold, as in a CI job."""
    base = load_spec(str(REPO / "governance.yaml"))
    if what.startswith("app="):
        start = time.perf_counter()
        result = verify([Path(what[4:])], base)
        return {"seconds": time.perf_counter() - start, "ok": result.ok, **result.stats}
    spec = scaled_spec(base, int(what))
    stacks = organization(spec)
    start = time.perf_counter()
    result = verify_stacks(stacks, spec)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "ok": result.ok, "evaluations": result.stats["evaluations"],
            "principals": result.stats["principals"], "personas": len(spec.personas),
            "groups": len(spec.model_package_groups), "statements": statements(stacks),
            "entries": policy_entries(stacks)}


def measured(what: str, runs: int) -> dict[str, Any]:
    """The median of `runs` fresh-interpreter runs (imports and synth excluded)."""
    samples = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--one", what], capture_output=True, text=True, check=True)
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    samples.sort(key=lambda r: r["seconds"])
    return {**samples[len(samples) // 2], "all": [round(r["seconds"], 3) for r in samples]}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(one_run(argv[1])))
        return 0
    runs = 3
    cdk_out = Path(argv[0]) if argv else REPO / "cdk.out"
    print(f"each figure: median of {runs} runs, each in a fresh interpreter (cold caches; imports excluded)")
    if (cdk_out / "manifest.json").exists():
        app = measured(f"app={cdk_out}", runs)
        print(f"reference app {cdk_out}: {app['seconds']:.3f} s (target <= 1 s; runs {app['all']}), "
              f"{app['principals']} principals, {app['evaluations']} evaluations, "
              f"verdict {'PASS' if app['ok'] else 'FAIL'}")
    else:
        print(f"reference app: no {cdk_out}/manifest.json (run `make synth`); skipped")
    rows = [measured(str(k), runs) | {"k": k} for k in (1, 4, 10, 16)]
    print(f"{'size':>5} {'personas':>8} {'groups':>6} {'statements':>10} {'entries':>8} {'seconds':>8} "
          f"{'ms/stmt':>8} {'marginal':>8} {'evaluations':>11} verdict")
    previous: dict[str, Any] | None = None
    for row in rows:
        marginal = ""
        if previous is not None:
            added = row["statements"] - previous["statements"]
            marginal = f"{1000 * (row['seconds'] - previous['seconds']) / added:.3f}"
        print(f"{row['k']:>4}x {row['personas']:>8} {row['groups']:>6} {row['statements']:>10} {row['entries']:>8} "
              f"{row['seconds']:>8.3f} {1000 * row['seconds'] / row['statements']:>8.3f} {marginal:>8} "
              f"{row['evaluations']:>11} {'PASS' if row['ok'] else 'FAIL'}")
        previous = row
    one, ten, sixteen = rows[0], rows[2], rows[3]

    def growth(row: dict[str, Any]) -> str:
        return (f"time {row['seconds'] / one['seconds']:.1f}x, "
                f"evaluations {row['evaluations'] / one['evaluations']:.1f}x "
                f"for {row['statements'] / one['statements']:.1f}x statements "
                f"({row['entries'] / one['entries']:.1f}x policy entries)")
    print(f"10x organization: {ten['seconds']:.3f} s (target <= 5 s)")
    print(f"growth from 1x: 10x {growth(ten)}; 16x {growth(sixteen)}")
    linear = sixteen["seconds"] / one["seconds"] <= sixteen["statements"] / one["statements"]
    print(f"no worse than linear in statements (16x time ratio <= statement ratio): {'yes' if linear else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
