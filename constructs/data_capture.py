"""Endpoint data capture: the DataCaptureConfig Model Monitor reads, validated and encrypted.

An endpoint config's DataCaptureConfig is create-only (a change needs a new endpoint config), so mistakes
are caught at synth: sampling must be an integer 0-100 and capture modes the API's names (Input, Output,
InputAndOutput; the Python SDK's REQUEST and RESPONSE are not API values). Rules live in
modelgov.policies.builders.monitor_rules (C324). Capture data must be in the monitoring schedule's region
(seed 000 L12564).
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker

from modelgov.policies.builders.monitor_rules import check_data_capture

DEFAULT_SAMPLING_PERCENTAGE = 20  # the SageMaker Python SDK's default (seed 000 L6965)
DEFAULT_CAPTURE_MODES = ("Input", "Output")


def endpoint_data_capture(
    *,
    destination_s3_uri: str,
    kms_key: kms.IKey | None,
    sampling_percentage: int = DEFAULT_SAMPLING_PERCENTAGE,
    capture_modes: Sequence[str] = DEFAULT_CAPTURE_MODES,
    csv_content_types: Sequence[str] = (),
    json_content_types: Sequence[str] = (),
    enable_capture: bool = True,
) -> sagemaker.CfnEndpointConfig.DataCaptureConfigProperty:
    """DataCaptureConfig for `CfnEndpointConfig(data_capture_config=...)`.

    :param destination_s3_uri: s3:// prefix for captured records, in the endpoint's region.
    :param kms_key: encrypts the captured data; pass None only on purpose (then S3 default encryption).
    :param sampling_percentage: integer share of requests captured, 0-100. Default: 20.
    :param capture_modes: Input, Output and/or InputAndOutput. Default: Input and Output.
    :param csv_content_types: content types captured as CSV text. Default: none (base64 when no type matches).
    :param json_content_types: content types captured as JSON text. Default: none.
    :param enable_capture: Default: true.
    """
    found = check_data_capture(
        sampling_percentage=sampling_percentage,
        capture_modes=list(capture_modes),
        destination_s3_uri=destination_s3_uri,
        is_unresolved=_token,
    )
    for content_types, prop in ((csv_content_types, "csv_content_types"), (json_content_types, "json_content_types")):
        if len(content_types) > 10:
            raise ValueError(f"data capture: {prop} has {len(content_types)} entries: allowed at most 10; drop some")
    if found:
        raise ValueError("data capture: " + "; ".join(v.message() for v in found))
    header = None
    if csv_content_types or json_content_types:
        header = sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
            csv_content_types=list(csv_content_types) or None, json_content_types=list(json_content_types) or None
        )
    return sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
        capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=m) for m in capture_modes],
        destination_s3_uri=destination_s3_uri,
        initial_sampling_percentage=sampling_percentage,
        enable_capture=enable_capture,
        kms_key_id=kms_key.key_arn if kms_key is not None else None,
        capture_content_type_header=header,
    )


def _token(value: object) -> bool:
    return isinstance(value, str | int) and cdk.Token.is_unresolved(value)
