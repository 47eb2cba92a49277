"""Validation table for Model Monitor props: schedule grammar, cadence, offsets, inputs per monitor type.

Pure rules, so the ModelMonitor construct, the linter and the verifier share one reading of the service's
limits. Each rule yields a `Violation` with a catalogued code (policies/data/findings/construct-monitor.yaml,
C310-C339); code holds no titles or severities. Sources: seed 000 L10253-10304 (cron grammar), L8213-8219
(runtime vs cadence), L10192-10211 (NOW), botocore's SageMaker model (enums, ranges) and
../shared/research/seed-model-monitor.md §1.5, §2.3.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

MonitorType = Literal["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"]
MONITOR_TYPES: tuple[MonitorType, ...] = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")
DATASET_FORMATS = ("csv", "json", "parquet")
# Model quality and bias run a ground-truth merge job before the analysis, inside the same runtime budget.
HALF_PERIOD_TYPES: frozenset[str] = frozenset({"ModelQuality", "ModelBias"})
GROUND_TRUTH_TYPES: frozenset[str] = frozenset({"ModelQuality", "ModelBias"})
CLARIFY_TYPES: frozenset[str] = frozenset({"ModelBias", "ModelExplainability"})
SCRIPT_TYPES: frozenset[str] = frozenset({"DataQuality", "ModelQuality"})

HOUR = 3600
DAY = 86400
MAX_RUNTIME = 86400
LOCAL_PATH_ROOT = "/opt/ml/processing/"
MAX_NAME = 63
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
S3_URI = re.compile(r"^s3://[^/\s]+(/\S*)?$")

_HOUR = r"(?P<hour>[01]?[0-9]|2[0-3])"
_RATE = r"(?P<rate>0?[1-9]|1[0-9]|2[0-4])"
SCHEDULE_FORMS = ("cron(0 * ? * * *)", "cron(0 H ? * * *)", "cron(0 H/N ? * * *)", "NOW")
_HOURLY = re.compile(r"^cron\(0 \* \? \* \* \*\)$")
_DAILY = re.compile(rf"^cron\(0 {_HOUR} \? \* \* \*\)$")
_EVERY = re.compile(rf"^cron\(0 {_HOUR}/{_RATE} \? \* \* \*\)$")
# Negative ISO 8601 duration, days and/or time part; M means minutes only after T (seed L8180-8201).
_OFFSET = re.compile(r"^-P(?=\d|T\d)(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
OFFSET_FORMS = "a negative ISO 8601 duration such as -PT1H, -PT30M or -P1D (at most 15 characters)"


@dataclass(frozen=True)
class Violation:
    """One broken rule: a catalogued code, the property, the value received, what is allowed and the fix."""

    code: str
    prop: str
    value: object
    allowed: str
    fix: str

    def message(self) -> str:
        return f"{self.prop} is {self.value!r}: allowed {self.allowed}; {self.fix} ({self.code})"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule expression. period_seconds (the shortest gap between runs) bounds MaxRuntimeInSeconds."""

    expression: str
    kind: Literal["hourly", "daily", "every_n_hours", "now"]
    period_seconds: int
    start_hour: int | None = None
    rate_hours: int | None = None

    def run_hours(self) -> list[int]:
        """UTC hours of the day a run starts. Increments do not wrap past 23 (cron semantics)."""
        if self.kind == "hourly":
            return list(range(24))
        if self.kind == "daily" and self.start_hour is not None:
            return [self.start_hour]
        if self.kind == "every_n_hours" and self.start_hour is not None and self.rate_hours:
            return list(range(self.start_hour, 24, self.rate_hours))
        return []


@dataclass(frozen=True)
class MonitorInput:
    """What the construct (or a template under lint) configures for one monitor type.

    A field left None is absent. Values the caller cannot read yet (CDK tokens, intrinsics) are skipped
    through `is_unresolved`, never guessed.
    """

    monitor_type: str
    schedule_expression: str | None = "cron(0 * ? * * *)"
    data_analysis_start_time: str | None = None
    data_analysis_end_time: str | None = None
    max_runtime_seconds: int | None = None
    instance_type: str | None = None
    instance_count: int | None = None
    volume_size_in_gb: int | None = None
    endpoint_name: str | None = None
    batch_capture_s3_uri: str | None = None
    dataset_format: str | None = None
    input_local_path: str | None = None
    output_local_path: str | None = None
    output_s3_uri: str | None = None
    baseline_constraints_uri: str | None = None
    baseline_statistics_uri: str | None = None
    ground_truth_s3_uri: str | None = None
    problem_type: str | None = None
    analysis_config_uri: str | None = None
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None
    start_time_offset: str | None = None
    end_time_offset: str | None = None
    schedule_name: str | None = None
    extra_local_paths: Sequence[str] = field(default_factory=tuple)


Unresolved = Callable[[object], bool]


def _never(_: object) -> bool:
    return False


@lru_cache(maxsize=1)
def processing_instance_types() -> tuple[str, ...]:
    """ProcessingInstanceType from botocore's SageMaker model: the service's own list, never a copy."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return tuple(model.shape_for("ProcessingInstanceType").enum)


def parse_schedule(expression: str) -> Schedule | None:
    """The four forms Model Monitor accepts (seed L10253-10304); None for anything else."""
    if expression == "NOW":
        return Schedule(expression, "now", MAX_RUNTIME)
    if _HOURLY.match(expression):
        return Schedule(expression, "hourly", HOUR)
    if match := _DAILY.match(expression):
        return Schedule(expression, "daily", DAY, start_hour=int(match["hour"]))
    if match := _EVERY.match(expression):
        rate, start = int(match["rate"]), int(match["hour"])
        gap = shortest_gap_hours(list(range(start, 24, rate)))
        return Schedule(expression, "every_n_hours", gap * HOUR, start_hour=start, rate_hours=rate)
    return None


def shortest_gap_hours(hours: Sequence[int]) -> int:
    """Fewest hours between two consecutive runs, the wrap past midnight included (24 - last + first).

    Increments restart at H every day, so cron(0 0/5 ? * * *) runs at 0, 5, 10, 15 and 20: the 20:00 run
    has only 4 hours before the 00:00 one, and that gap, not N, bounds MaxRuntimeInSeconds.
    """
    ordered = sorted(set(hours))
    if len(ordered) < 2:
        return 24
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    return min([*gaps, 24 - ordered[-1] + ordered[0]])


def parse_offset(value: str) -> int | None:
    """Seconds of a negative ISO 8601 offset (always <= 0); None when it is not one."""
    if len(value) > 15:
        return None
    match = _OFFSET.match(value)
    if not match:
        return None
    days, hours, minutes, seconds = (int(match[g] or 0) for g in ("d", "h", "m", "s"))
    return -(days * DAY + hours * HOUR + minutes * 60 + seconds)


def max_runtime_limit(monitor_type: str, schedule: Schedule) -> int:
    """Largest MaxRuntimeInSeconds the cadence allows: the shortest gap between runs, half of it for model
    quality and bias."""
    period = min(schedule.period_seconds, MAX_RUNTIME)
    if schedule.kind != "now" and monitor_type in HALF_PERIOD_TYPES:
        return period // 2
    return period


def check_monitor(props: MonitorInput, is_unresolved: Unresolved = _never) -> list[Violation]:
    """Every rule of the table, in a stable order; an empty list means the props are valid."""
    return list(_check(props, is_unresolved))


def _check(p: MonitorInput, unresolved: Unresolved) -> Iterator[Violation]:
    def known(value: object) -> bool:
        return value is not None and not unresolved(value)

    if p.monitor_type not in MONITOR_TYPES:
        yield Violation(
            "C310",
            "monitor_type",
            p.monitor_type,
            ", ".join(MONITOR_TYPES),
            "choose one of the four monitor types",
        )
        return
    schedule = None
    if known(p.schedule_expression) and isinstance(p.schedule_expression, str):
        schedule = parse_schedule(p.schedule_expression)
        if schedule is None:
            yield Violation(
                "C311",
                "schedule_expression",
                p.schedule_expression,
                "exactly " + ", ".join(SCHEDULE_FORMS) + " with H 0-23 and N 1-24",
                "use cron(0 * ? * * *) for hourly, cron(0 H ? * * *) for daily or NOW for one run",
            )
    yield from _check_analysis_window(p, schedule, known)
    if known(p.max_runtime_seconds) and p.max_runtime_seconds is not None:
        limit = max_runtime_limit(p.monitor_type, schedule) if schedule else MAX_RUNTIME
        if not 1 <= p.max_runtime_seconds <= limit:
            why = (
                " (half the schedule period: the ground-truth merge job shares the budget)"
                if schedule and schedule.kind != "now" and p.monitor_type in HALF_PERIOD_TYPES
                else " (one run must finish before the next starts)"
            )
            yield Violation(
                "C313",
                "max_runtime",
                p.max_runtime_seconds,
                f"1 to {limit} seconds{why}",
                f"lower max_runtime to at most {limit} seconds or choose a longer schedule period",
            )
    yield from _check_compute(p, known)
    yield from _check_inputs(p, known)
    yield from _check_paths(p, known)
    yield from _check_uris(p, known)
    if known(p.schedule_name) and p.schedule_name is not None and not NAME_PATTERN.match(p.schedule_name):
        yield Violation(
            "C325",
            "monitoring_schedule_name",
            p.schedule_name,
            "1-63 letters, digits and hyphens, starting and ending with a letter or digit",
            "shorten the name or remove other characters",
        )


def _check_analysis_window(
    p: MonitorInput, schedule: Schedule | None, known: Callable[[object], bool]
) -> Iterator[Violation]:
    start, end = p.data_analysis_start_time, p.data_analysis_end_time
    if schedule is not None and schedule.kind == "now":
        for prop, value in (("data_analysis_start_time", start), ("data_analysis_end_time", end)):
            if value is None:
                yield Violation(
                    "C312",
                    prop,
                    None,
                    "a negative ISO 8601 offset when the schedule is NOW",
                    "set data_analysis_start_time and data_analysis_end_time, e.g. -PT1H and -PT0H",
                )
    elif schedule is not None and (start is not None or end is not None):
        yield Violation(
            "C312",
            "data_analysis_start_time",
            start or end,
            "only with schedule_expression NOW",
            "remove the data analysis times or use schedule_expression NOW",
        )
        return
    seconds: dict[str, int] = {}
    for prop, value in (("data_analysis_start_time", start), ("data_analysis_end_time", end)):
        if known(value) and isinstance(value, str):
            parsed = parse_offset(value)
            if parsed is None:
                yield Violation("C312", prop, value, OFFSET_FORMS, "write the offset like -PT1H")
            else:
                seconds[prop] = parsed
    if len(seconds) == 2:
        first, last = seconds["data_analysis_start_time"], seconds["data_analysis_end_time"]
        if first > last or last - first > DAY:
            yield Violation(
                "C312",
                "data_analysis_start_time",
                start,
                f"at or before the end time {end!r} and at most 24 hours before it",
                "use a window of at most 24 hours, e.g. -PT24H to -PT0H",
            )


def _check_compute(p: MonitorInput, known: Callable[[object], bool]) -> Iterator[Violation]:
    if known(p.instance_type) and p.instance_type not in processing_instance_types():
        yield Violation(
            "C314",
            "instance_type",
            p.instance_type,
            "a SageMaker ProcessingInstanceType (ml.m5.xlarge, ml.c5.2xlarge ...)",
            "choose a processing instance type listed by botocore",
        )
    if known(p.instance_count) and p.instance_count is not None and not 1 <= p.instance_count <= 100:
        yield Violation("C314", "instance_count", p.instance_count, "1 to 100", "set instance_count within 1-100")
    if known(p.volume_size_in_gb) and p.volume_size_in_gb is not None and not 1 <= p.volume_size_in_gb <= 16384:
        yield Violation(
            "C314",
            "volume_size_in_gb",
            p.volume_size_in_gb,
            "1 to 16384",
            "set volume_size_in_gb within 1-16384",
        )


def _check_inputs(p: MonitorInput, known: Callable[[object], bool]) -> Iterator[Violation]:
    t = p.monitor_type
    has_endpoint, has_batch = p.endpoint_name is not None, p.batch_capture_s3_uri is not None
    if has_endpoint == has_batch:
        yield Violation(
            "C315",
            "endpoint_name/batch_transform_input",
            "both" if has_endpoint else "neither",
            "exactly one of them",
            "monitor a real-time endpoint or a batch transform job, not both",
        )
    if has_batch and known(p.dataset_format) and p.dataset_format not in DATASET_FORMATS:
        yield Violation(
            "C315",
            "dataset_format",
            p.dataset_format,
            ", ".join(DATASET_FORMATS),
            "name the batch transform output format",
        )
    if t in GROUND_TRUTH_TYPES and p.ground_truth_s3_uri is None:
        yield Violation(
            "C316",
            "ground_truth_s3_uri",
            None,
            f"an s3:// prefix of ground-truth labels for {t}",
            "upload labels under <prefix>/yyyy/mm/dd/hh/ and set ground_truth_s3_uri",
        )
    if t == "ModelQuality" and (
        p.problem_type is None or (known(p.problem_type) and p.problem_type not in PROBLEM_TYPES)
    ):
        yield Violation(
            "C317",
            "problem_type",
            p.problem_type,
            ", ".join(PROBLEM_TYPES),
            "set problem_type for model quality",
        )
    if t in CLARIFY_TYPES and p.analysis_config_uri is None:
        yield Violation(
            "C318",
            "analysis_config_uri",
            None,
            f"an s3:// URI of the Clarify analysis config for {t}",
            "upload analysis_config.json and set analysis_config_uri",
        )
    if t == "DataQuality":
        for prop, value in (
            ("baseline_constraints_uri", p.baseline_constraints_uri),
            ("baseline_statistics_uri", p.baseline_statistics_uri),
        ):
            if value is None:
                yield Violation(
                    "C319",
                    prop,
                    None,
                    "an s3:// URI from a data quality baselining job",
                    "run the baseline (suggest_baseline) and pass its constraints and statistics",
                )
    if t not in SCRIPT_TYPES:
        for prop, value in (
            ("record_preprocessor_source_uri", p.record_preprocessor_source_uri),
            ("post_analytics_processor_source_uri", p.post_analytics_processor_source_uri),
        ):
            if value is not None:
                yield Violation(
                    "C320",
                    prop,
                    value,
                    "only for DataQuality and ModelQuality",
                    f"remove the script from the {t} monitor",
                )
    if t == "DataQuality":
        for prop, value in (
            ("start_time_offset", p.start_time_offset),
            ("end_time_offset", p.end_time_offset),
        ):
            if value is not None:
                yield Violation(
                    "C321",
                    prop,
                    value,
                    "only for ModelQuality and ModelBias",
                    "remove the offset; data quality analyses the last period",
                )
        return
    offsets: dict[str, int] = {}
    for prop, value in (("start_time_offset", p.start_time_offset), ("end_time_offset", p.end_time_offset)):
        if known(value) and isinstance(value, str):
            parsed = parse_offset(value)
            if parsed is None:
                yield Violation("C321", prop, value, OFFSET_FORMS, "write the offset like -P1D or -PT6H, not -PT2D")
            else:
                offsets[prop] = parsed
    if len(offsets) == 2 and offsets["start_time_offset"] > offsets["end_time_offset"]:
        yield Violation(
            "C321",
            "start_time_offset",
            p.start_time_offset,
            f"at or before end_time_offset {p.end_time_offset!r}",
            "swap the two offsets",
        )


def _check_paths(p: MonitorInput, known: Callable[[object], bool]) -> Iterator[Violation]:
    paths = [("input_local_path", p.input_local_path), ("output_local_path", p.output_local_path)]
    paths += [(f"local_path[{i}]", value) for i, value in enumerate(p.extra_local_paths)]
    seen: dict[str, str] = {}
    for prop, value in paths:
        if not known(value) or not isinstance(value, str):
            continue
        normal = value.rstrip("/")
        if not value.startswith(LOCAL_PATH_ROOT) or len(normal) <= len(LOCAL_PATH_ROOT) - 1 or ".." in value:
            yield Violation(
                "C322",
                prop,
                value,
                f"an absolute path under {LOCAL_PATH_ROOT}",
                f"use e.g. {LOCAL_PATH_ROOT}input/endpoint (note the leading slash)",
            )
        elif clash := _overlapping(normal, seen):
            yield Violation(
                "C322",
                prop,
                value,
                f"a path distinct from {seen[clash]} ({clash}) and neither inside the other",
                "give the input and the output separate local paths, e.g. /opt/ml/processing/input and "
                "/opt/ml/processing/output",
            )
        else:
            seen[normal] = prop


def _overlapping(path: str, seen: dict[str, str]) -> str | None:
    """A path already used that equals `path` or contains it (or lies inside it): the container mounts clash."""
    for other in seen:
        if path == other or path.startswith(other + "/") or other.startswith(path + "/"):
            return other
    return None


def _check_uris(p: MonitorInput, known: Callable[[object], bool]) -> Iterator[Violation]:
    for prop in (
        "batch_capture_s3_uri",
        "output_s3_uri",
        "baseline_constraints_uri",
        "baseline_statistics_uri",
        "ground_truth_s3_uri",
        "analysis_config_uri",
        "record_preprocessor_source_uri",
        "post_analytics_processor_source_uri",
    ):
        value = getattr(p, prop)
        if known(value) and isinstance(value, str) and not S3_URI.match(value):
            yield Violation("C323", prop, value, "an s3://bucket/key URI", "write the location as s3://bucket/key")


def schedule_warnings(schedule: Schedule) -> list[str]:
    """Cadence surprises: increments do not wrap, so 17/12 runs once a day (seed-model-monitor §2.5)."""
    if schedule.kind != "every_n_hours" or schedule.start_hour is None or not schedule.rate_hours:
        return []
    hours = schedule.run_hours()
    if schedule.start_hour + schedule.rate_hours > 23 or 24 % schedule.rate_hours:
        return [
            f"{schedule.expression} runs at {', '.join(f'{h:02d}:00' for h in hours)} UTC only; increments "
            "do not wrap past 23:00, so runs are not evenly spaced across days"
        ]
    return []


CAPTURE_MODES = ("Input", "Output", "InputAndOutput")


def check_data_capture(
    *,
    sampling_percentage: object,
    capture_modes: Sequence[str],
    destination_s3_uri: str | None,
    is_unresolved: Unresolved = _never,
) -> list[Violation]:
    """Endpoint DataCaptureConfig: integer sampling 0-100, known capture modes, an s3:// destination."""
    found: list[Violation] = []
    if not is_unresolved(sampling_percentage) and (
        not isinstance(sampling_percentage, int)
        or isinstance(sampling_percentage, bool)
        or not 0 <= sampling_percentage <= 100
    ):
        found.append(
            Violation(
                "C324",
                "sampling_percentage",
                sampling_percentage,
                "an integer 0 to 100",
                "set the share of requests to capture, e.g. 20",
            )
        )
    if not capture_modes or len(capture_modes) > 32:
        found.append(
            Violation(
                "C324",
                "capture_modes",
                list(capture_modes),
                "1 to 32 of " + ", ".join(CAPTURE_MODES),
                "capture Input, Output or both",
            )
        )
    for mode in capture_modes:
        if mode not in CAPTURE_MODES:
            found.append(
                Violation(
                    "C324",
                    "capture_modes",
                    mode,
                    ", ".join(CAPTURE_MODES),
                    "use the API's names (REQUEST and RESPONSE are the Python SDK's)",
                )
            )
    if destination_s3_uri is not None and not is_unresolved(destination_s3_uri):
        if not S3_URI.match(destination_s3_uri):
            found.append(
                Violation(
                    "C324",
                    "destination_s3_uri",
                    destination_s3_uri,
                    "an s3://bucket/prefix URI",
                    "write the capture destination as s3://bucket/prefix",
                )
            )
    return found


def check_schedule(
    *,
    schedule_expression: str | None,
    data_analysis_start_time: str | None = None,
    data_analysis_end_time: str | None = None,
    schedule_name: str | None = None,
    is_unresolved: Unresolved = _never,
) -> list[Violation]:
    """Only the schedule's own rules (grammar, analysis window, name): for schedules of named job definitions."""
    props = MonitorInput(
        "DataQuality",
        schedule_expression=schedule_expression,
        data_analysis_start_time=data_analysis_start_time,
        data_analysis_end_time=data_analysis_end_time,
        schedule_name=schedule_name,
    )
    return [v for v in check_monitor(props, is_unresolved) if v.code in ("C311", "C312", "C325")]
