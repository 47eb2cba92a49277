"""The monitor validation table: every rule, with the value that breaks it and the code it yields."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modelgov.policies.builders.monitor_rules import (
    MonitorInput,
    check_monitor,
    max_runtime_limit,
    parse_offset,
    parse_schedule,
    processing_instance_types,
    schedule_warnings,
)
from modelgov.policies.findings import catalogue

BASE = {
    "DataQuality": MonitorInput(
        "DataQuality",
        endpoint_name="ep",
        max_runtime_seconds=1800,
        baseline_constraints_uri="s3://b/constraints.json",
        baseline_statistics_uri="s3://b/statistics.json",
        input_local_path="/opt/ml/processing/input/endpoint",
        output_local_path="/opt/ml/processing/output",
        output_s3_uri="s3://b/reports",
    ),
    "ModelQuality": MonitorInput(
        "ModelQuality",
        endpoint_name="ep",
        max_runtime_seconds=1800,
        ground_truth_s3_uri="s3://b/gt",
        problem_type="BinaryClassification",
        start_time_offset="-P1D",
        end_time_offset="-PT1H",
    ),
    "ModelBias": MonitorInput(
        "ModelBias",
        endpoint_name="ep",
        ground_truth_s3_uri="s3://b/gt",
        analysis_config_uri="s3://b/analysis.json",
    ),
    "ModelExplainability": MonitorInput(
        "ModelExplainability",
        batch_capture_s3_uri="s3://b/capture",
        dataset_format="csv",
        analysis_config_uri="s3://b/analysis.json",
    ),
}


def codes(props: MonitorInput) -> list[tuple[str, str]]:
    return [(v.code, v.prop) for v in check_monitor(props)]


@pytest.mark.parametrize("monitor_type", list(BASE))
def test_valid_base_props_pass(monitor_type: str) -> None:
    assert check_monitor(BASE[monitor_type]) == []


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 * ? * * *)",
        "cron(0 12 ? * * *)",
        "cron(0 0 ? * * *)",
        "cron(0 05 ? * * *)",
        "cron(0 23 ? * * *)",
        "cron(0 17/12 ? * * *)",
        "cron(0 0/2 ? * * *)",
        "cron(0 0/24 ? * * *)",
        "cron(0 00/01 ? * * *)",
    ],
)
def test_schedule_forms_accepted(expression: str) -> None:
    assert parse_schedule(expression) is not None


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 [00-23] ? * * *)",
        "cron(0 24 ? * * *)",
        "cron(15 * ? * * *)",
        "cron(0 */6 ? * * *)",
        "cron(0 0/0 ? * * *)",
        "cron(0 0/25 ? * * *)",
        "cron(0 0,12 ? * * *)",
        "cron(0 12 ? * MON-FRI *)",
        "cron(0 12 * * ? *)",
        "cron(0 12 ? * * 2025)",
        "rate(1 hour)",
        "now",
        "cron(0  12 ? * * *)",
        "",
    ],
)
def test_fails_schedule_outside_the_four_forms(expression: str) -> None:
    assert parse_schedule(expression) is None
    assert ("C311", "schedule_expression") in codes(replace(BASE["DataQuality"], schedule_expression=expression))


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("cron(0 * ? * * *)", 3600),
        ("cron(0 3 ? * * *)", 86400),
        ("cron(0 0/6 ? * * *)", 21600),
        ("NOW", 86400),
    ],
)
def test_schedule_period(expression: str, period: int) -> None:
    schedule = parse_schedule(expression)
    assert schedule is not None and schedule.period_seconds == period


@pytest.mark.parametrize(
    ("monitor_type", "expression", "limit"),
    [
        ("DataQuality", "cron(0 * ? * * *)", 3600),
        ("ModelExplainability", "cron(0 * ? * * *)", 3600),
        ("ModelQuality", "cron(0 * ? * * *)", 1800),
        ("ModelBias", "cron(0 * ? * * *)", 1800),
        ("ModelQuality", "cron(0 0/2 ? * * *)", 3600),
        ("DataQuality", "cron(0 4 ? * * *)", 86400),
        ("ModelBias", "cron(0 4 ? * * *)", 43200),
    ],
)
def test_max_runtime_limit_follows_cadence(monitor_type: str, expression: str, limit: int) -> None:
    schedule = parse_schedule(expression)
    assert schedule is not None
    assert max_runtime_limit(monitor_type, schedule) == limit


def test_fails_model_quality_hourly_runtime_above_half_period() -> None:
    props = replace(BASE["ModelQuality"], max_runtime_seconds=1801)
    [violation] = check_monitor(props)
    assert (violation.code, violation.prop, violation.value) == ("C313", "max_runtime", 1801)
    assert "1 to 1800 seconds" in violation.message()


def test_data_quality_hourly_runtime_may_use_full_period() -> None:
    assert check_monitor(replace(BASE["DataQuality"], max_runtime_seconds=3600)) == []
    assert codes(replace(BASE["DataQuality"], max_runtime_seconds=3601)) == [("C313", "max_runtime")]


def test_fails_zero_runtime() -> None:
    assert codes(replace(BASE["DataQuality"], max_runtime_seconds=0)) == [("C313", "max_runtime")]


def test_now_requires_both_analysis_times() -> None:
    props = replace(BASE["DataQuality"], schedule_expression="NOW")
    assert codes(props) == [("C312", "data_analysis_start_time"), ("C312", "data_analysis_end_time")]
    assert check_monitor(replace(props, data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H")) == []


@pytest.mark.parametrize(("start", "end"), [("-PT25H", "-PT0H"), ("-PT1H", "-PT2H"), ("-P2D", "-PT1H")])
def test_fails_now_window_longer_than_a_day_or_reversed(start: str, end: str) -> None:
    props = replace(
        BASE["DataQuality"],
        schedule_expression="NOW",
        data_analysis_start_time=start,
        data_analysis_end_time=end,
    )
    assert codes(props) == [("C312", "data_analysis_start_time")]


def test_fails_analysis_times_on_a_cron_schedule() -> None:
    props = replace(BASE["DataQuality"], data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H")
    assert codes(props) == [("C312", "data_analysis_start_time")]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("-PT1H", -3600), ("-PT0H", 0), ("-P8D", -8 * 86400), ("-PT30M", -1800), ("-P1DT6H", -30 * 3600)],
)
def test_offsets_parse(value: str, seconds: int) -> None:
    assert parse_offset(value) == seconds


@pytest.mark.parametrize("value", ["-PT2D", "-P1H", "PT1H", "-P1M", "-P", "-PT", "-P1W", "-PT1.5H", "-P1000000000000D"])
def test_fails_offsets_that_are_not_negative_iso_durations(value: str) -> None:
    assert parse_offset(value) is None
    assert ("C321", "start_time_offset") in codes(replace(BASE["ModelQuality"], start_time_offset=value))


def test_fails_start_offset_after_end_offset() -> None:
    props = replace(BASE["ModelQuality"], start_time_offset="-PT1H", end_time_offset="-P1D")
    assert codes(props) == [("C321", "start_time_offset")]


def test_fails_offsets_on_data_quality() -> None:
    assert codes(replace(BASE["DataQuality"], start_time_offset="-PT1H")) == [("C321", "start_time_offset")]


def test_instance_types_come_from_botocore() -> None:
    types = processing_instance_types()
    assert "ml.m5.xlarge" in types and "ml.t3.medium" in types and "ml.m5.huge" not in types


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("instance_type", "ml.m5.huge"),
        ("instance_type", "m5.xlarge"),
        ("instance_count", 0),
        ("instance_count", 101),
        ("volume_size_in_gb", 0),
        ("volume_size_in_gb", 16385),
    ],
)
def test_fails_compute_out_of_range(field: str, value: object) -> None:
    assert codes(replace(BASE["DataQuality"], **{field: value})) == [("C314", field)]


def test_fails_endpoint_and_batch_together() -> None:
    props = replace(BASE["DataQuality"], batch_capture_s3_uri="s3://b/capture", dataset_format="csv")
    [violation] = check_monitor(props)
    assert (violation.code, violation.value) == ("C315", "both")


def test_fails_no_input() -> None:
    [violation] = check_monitor(replace(BASE["DataQuality"], endpoint_name=None))
    assert (violation.code, violation.value) == ("C315", "neither")


def test_fails_unknown_dataset_format() -> None:
    props = replace(BASE["ModelExplainability"], dataset_format="xml")
    assert codes(props) == [("C315", "dataset_format")]


@pytest.mark.parametrize(
    ("monitor_type", "field", "code"),
    [
        ("ModelQuality", "ground_truth_s3_uri", "C316"),
        ("ModelBias", "ground_truth_s3_uri", "C316"),
        ("ModelQuality", "problem_type", "C317"),
        ("ModelBias", "analysis_config_uri", "C318"),
        ("ModelExplainability", "analysis_config_uri", "C318"),
        ("DataQuality", "baseline_constraints_uri", "C319"),
        ("DataQuality", "baseline_statistics_uri", "C319"),
    ],
)
def test_fails_required_input_missing(monitor_type: str, field: str, code: str) -> None:
    assert codes(replace(BASE[monitor_type], **{field: None})) == [(code, field)]


def test_fails_unknown_problem_type() -> None:
    assert codes(replace(BASE["ModelQuality"], problem_type="Ranking")) == [("C317", "problem_type")]


@pytest.mark.parametrize("monitor_type", ["ModelBias", "ModelExplainability"])
def test_fails_scripts_on_clarify_monitors(monitor_type: str) -> None:
    props = replace(BASE[monitor_type], record_preprocessor_source_uri="s3://b/pre.py")
    assert codes(props) == [("C320", "record_preprocessor_source_uri")]


def test_scripts_allowed_on_data_quality() -> None:
    props = replace(
        BASE["DataQuality"],
        record_preprocessor_source_uri="s3://b/pre.py",
        post_analytics_processor_source_uri="s3://b/post.py",
    )
    assert check_monitor(props) == []


@pytest.mark.parametrize(
    "path", ["opt/ml/processing/input", "/tmp/input", "/opt/ml/processing", "/opt/ml/processing/../etc"]
)
def test_fails_local_path_outside_processing(path: str) -> None:
    assert codes(replace(BASE["DataQuality"], input_local_path=path)) == [("C322", "input_local_path")]


def test_fails_same_input_and_output_path() -> None:
    props = replace(BASE["DataQuality"], output_local_path="/opt/ml/processing/input/endpoint/")
    assert codes(props) == [("C322", "output_local_path")]


@pytest.mark.parametrize("field", ["output_s3_uri", "baseline_constraints_uri", "ground_truth_s3_uri"])
def test_fails_locations_that_are_not_s3_uris(field: str) -> None:
    props = replace(BASE["ModelQuality"], baseline_constraints_uri="s3://b/c.json", output_s3_uri="s3://b/o")
    assert codes(replace(props, **{field: "https://bucket/key"})) == [("C323", field)]


def test_fails_invalid_schedule_name() -> None:
    assert codes(replace(BASE["DataQuality"], schedule_name="my_schedule")) == [("C325", "monitoring_schedule_name")]


def test_unresolved_values_are_skipped_not_guessed() -> None:
    token = "${Token[TOKEN.1]}"
    props = replace(
        BASE["ModelQuality"],
        instance_type=token,
        ground_truth_s3_uri=token,
        schedule_expression=token,
        start_time_offset=token,
    )
    assert check_monitor(props, is_unresolved=lambda v: isinstance(v, str) and v.startswith("${Token")) == []
    assert check_monitor(props) != []


def test_fails_unknown_monitor_type() -> None:
    assert codes(MonitorInput("Drift", endpoint_name="ep")) == [("C310", "monitor_type")]


def test_message_names_property_value_allowed_and_fix() -> None:
    [violation] = check_monitor(replace(BASE["DataQuality"], schedule_expression="rate(1 hour)"))
    message = violation.message()
    assert "schedule_expression" in message and "'rate(1 hour)'" in message
    assert "cron(0 H/N ? * * *)" in message and "use cron(0 * ? * * *) for hourly" in message
    assert message[0].islower() and not message.endswith(".")


@pytest.mark.parametrize(
    ("expression", "warns"),
    [
        ("cron(0 17/12 ? * * *)", True),
        ("cron(0 0/5 ? * * *)", True),
        ("cron(0 0/6 ? * * *)", False),
        ("cron(0 * ? * * *)", False),
    ],
)
def test_uneven_every_n_hours_warns(expression: str, warns: bool) -> None:
    schedule = parse_schedule(expression)
    assert schedule is not None
    assert bool(schedule_warnings(schedule)) is warns


def test_every_code_is_catalogued() -> None:
    every = set()
    for props in [
        MonitorInput("Drift"),
        replace(
            BASE["DataQuality"],
            schedule_expression="x",
            endpoint_name=None,
            instance_count=0,
            input_local_path="x",
            output_s3_uri="x",
            baseline_statistics_uri=None,
            schedule_name="_",
            start_time_offset="-PT1H",
            data_analysis_start_time="-PT1H",
        ),
        replace(
            BASE["ModelBias"],
            ground_truth_s3_uri=None,
            analysis_config_uri=None,
            record_preprocessor_source_uri="s3://b/p.py",
            max_runtime_seconds=99999,
        ),
        replace(BASE["ModelQuality"], problem_type=None),
        replace(BASE["DataQuality"], schedule_expression="NOW"),
    ]:
        every |= {v.code for v in check_monitor(props)}
    assert every >= {
        "C310",
        "C311",
        "C312",
        "C313",
        "C314",
        "C315",
        "C316",
        "C317",
        "C318",
        "C319",
        "C320",
        "C321",
        "C322",
        "C323",
        "C325",
    }
    for code in every:
        assert catalogue()[code].severity == "error"


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("cron(0 0/5 ? * * *)", 4 * 3600),  # 0, 5, 10, 15, 20: 20:00 -> 00:00 is 4 h
        ("cron(0 1/5 ? * * *)", 4 * 3600),  # 1 ... 21: 21:00 -> 01:00 is 4 h
        ("cron(0 0/7 ? * * *)", 3 * 3600),  # 0, 7, 14, 21: 21:00 -> 00:00 is 3 h
        ("cron(0 17/12 ? * * *)", 86400),  # 17 only: once a day
        ("cron(0 0/24 ? * * *)", 86400),
        ("cron(0 2/12 ? * * *)", 12 * 3600),
    ],
)
def test_every_n_hours_period_is_the_shortest_gap_across_midnight(expression: str, period: int) -> None:
    schedule = parse_schedule(expression)
    assert schedule is not None and schedule.period_seconds == period


def test_fails_runtime_longer_than_the_gap_across_midnight() -> None:
    props = replace(BASE["DataQuality"], schedule_expression="cron(0 0/5 ? * * *)", max_runtime_seconds=18000)
    [violation] = check_monitor(props)
    assert (violation.code, violation.value) == ("C313", 18000)
    assert "1 to 14400 seconds" in violation.message()


def test_model_quality_runtime_is_half_the_gap_across_midnight() -> None:
    schedule = parse_schedule("cron(0 0/5 ? * * *)")
    assert schedule is not None and max_runtime_limit("ModelQuality", schedule) == 7200
    props = replace(BASE["ModelQuality"], schedule_expression="cron(0 0/5 ? * * *)", max_runtime_seconds=7201)
    assert [(v.code, v.value) for v in check_monitor(props)] == [("C313", 7201)]


@pytest.mark.parametrize(
    ("input_path", "output_path"),
    [
        ("/opt/ml/processing/x", "/opt/ml/processing/x/y"),
        ("/opt/ml/processing/x/y/", "/opt/ml/processing/x"),
    ],
)
def test_fails_nested_local_paths(input_path: str, output_path: str) -> None:
    props = replace(BASE["DataQuality"], input_local_path=input_path, output_local_path=output_path)
    [violation] = check_monitor(props)
    assert (violation.code, violation.prop) == ("C322", "output_local_path")
    assert "neither inside the other" in violation.message()


def test_sibling_local_paths_sharing_a_name_prefix_pass() -> None:
    props = replace(
        BASE["DataQuality"], input_local_path="/opt/ml/processing/x", output_local_path="/opt/ml/processing/xy"
    )
    assert check_monitor(props) == []
