"""Every code of construct-monitor.yaml is catalogued once, has a trigger, and nothing emits an uncatalogued code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest
import yaml
from aws_cdk.assertions import Annotations, Match

from modelgov.constructs.model_monitor import MonitorAlarm
from modelgov.policies.builders.monitor_rules import MonitorInput, check_data_capture, check_monitor
from modelgov.policies.findings import catalogue

from .test_monitor_rules import BASE

FILE = resources.files("modelgov.policies") / "data" / "findings" / "construct-monitor.yaml"


def _rule(props: MonitorInput) -> set[str]:
    return {v.code for v in check_monitor(props)}


def _warning(build: Any, code: str, **overrides: Any) -> set[str]:
    stack, _ = build(**overrides)
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(f"modelgov:{code}"))
    return {code} if found else set()


def _error(build: Any, **overrides: Any) -> set[str]:
    with pytest.raises(ValueError) as raised:
        build(**overrides)
    return set(re.findall(r"\((C3\d\d)\)", str(raised.value)))


TRIGGERS: dict[str, Callable[[Any], set[str]]] = {
    "C301": lambda b: _warning(b, "C301", vpc=None, require_vpc=False),
    "C302": lambda b: _warning(b, "C302", inter_container_traffic_encryption=False),
    "C303": lambda b: _warning(b, "C303", schedule_expression="cron(0 17/12 ? * * *)"),
    "C310": lambda b: _rule(MonitorInput("Drift")),
    "C311": lambda b: _rule(replace(BASE["DataQuality"], schedule_expression="rate(1 hour)")),
    "C312": lambda b: _rule(replace(BASE["DataQuality"], schedule_expression="NOW")),
    "C313": lambda b: _rule(replace(BASE["ModelQuality"], max_runtime_seconds=3600)),
    "C314": lambda b: _rule(replace(BASE["DataQuality"], instance_count=0)),
    "C315": lambda b: _rule(replace(BASE["DataQuality"], endpoint_name=None)),
    "C316": lambda b: _rule(replace(BASE["ModelBias"], ground_truth_s3_uri=None)),
    "C317": lambda b: _rule(replace(BASE["ModelQuality"], problem_type=None)),
    "C318": lambda b: _rule(replace(BASE["ModelExplainability"], analysis_config_uri=None)),
    "C319": lambda b: _rule(replace(BASE["DataQuality"], baseline_statistics_uri=None)),
    "C320": lambda b: _rule(replace(BASE["ModelBias"], post_analytics_processor_source_uri="s3://b/p.py")),
    "C321": lambda b: _rule(replace(BASE["ModelQuality"], end_time_offset="-PT2D")),
    "C322": lambda b: _rule(replace(BASE["DataQuality"], output_local_path="output")),
    "C323": lambda b: _rule(replace(BASE["DataQuality"], output_s3_uri="reports")),
    "C324": lambda b: {
        v.code
        for v in check_data_capture(sampling_percentage=101, capture_modes=["Input"], destination_s3_uri="s3://c/x")
    },
    "C325": lambda b: _rule(replace(BASE["DataQuality"], schedule_name="a_b")),
    "C326": lambda b: _error(b, alarms=[MonitorAlarm.model_metric_below("f1", 0.5)]),
}


def test_file_has_no_duplicate_codes_and_stays_in_c300_c399() -> None:
    text = FILE.read_text(encoding="utf-8")
    codes = re.findall(r"^(C\d{3}):", text, flags=re.MULTILINE)
    assert len(codes) == len(set(codes))
    assert all(300 <= int(code[1:]) <= 399 for code in codes)
    assert set(codes) == set(yaml.safe_load(text))


def test_every_catalogued_code_has_a_trigger() -> None:
    assert set(yaml.safe_load(FILE.read_text(encoding="utf-8"))) == set(TRIGGERS)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_trigger_emits_its_code(code: str, build: Any) -> None:
    emitted = TRIGGERS[code](build)
    assert code in emitted
    for other in emitted:
        assert other in catalogue()
    severity = catalogue()[code].severity
    assert severity == ("warning" if code in {"C301", "C302", "C303"} else "error")
