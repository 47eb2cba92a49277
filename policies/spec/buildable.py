"""Can the spec be built? Size limits that only the builders know (managed policies, SCPs).

A spec can be valid field by field and still produce a persona policy past 10 managed policies of
6,144 characters, or an SCP statement past 5,120: `modelgov spec` reports that before `cdk synth` does.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..builders.personas import build_persona_boundary, build_persona_policies
from ..builders.scp import build_lifecycle_scps, build_monitoring_scps
from .models import GovernanceSpec

# The longest partition name: a spec that fits here fits in every partition.
WORST_PARTITION = "aws-us-gov"


def build_problems(spec: GovernanceSpec) -> Iterator[tuple[str, str]]:
    """(path, message) for every builder that refuses the spec."""
    org = spec.organization
    for i, persona in enumerate(spec.personas):
        try:
            build_persona_policies(spec, persona, partition=WORST_PARTITION, region=org.primary_region,
                                   account=org.registry_account)
            if persona.permissions_boundary:
                build_persona_boundary(spec, persona, partition=WORST_PARTITION, region=org.primary_region,
                                       account=org.registry_account)
        except ValueError as err:
            yield f"personas[{i}]", str(err)
    try:
        build_lifecycle_scps(spec, partition=WORST_PARTITION)
    except ValueError as err:
        yield "lifecycle", str(err)
    try:
        build_monitoring_scps(spec.monitoring.guardrails)
    except ValueError as err:
        yield "monitoring.guardrails", str(err)
