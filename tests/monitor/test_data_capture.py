"""The endpoint data-capture helper: rendered into an endpoint config, and its validation."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template

from modelgov.constructs.data_capture import endpoint_data_capture


def _render(**kwargs: object) -> dict[str, object]:
    stack = cdk.Stack(cdk.App(), "Endpoint")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    config = endpoint_data_capture(destination_s3_uri="s3://capture/churn", kms_key=key, **kwargs)  # type: ignore[arg-type]
    sagemaker.CfnEndpointConfig(
        stack,
        "Config",
        data_capture_config=config,
        production_variants=[
            sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="main", model_name="m", initial_instance_count=1, instance_type="ml.m5.large"
            )
        ],
    )
    raw = Template.from_stack(stack).to_json()
    [props] = [
        r["Properties"]["DataCaptureConfig"]
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::SageMaker::EndpointConfig"
    ]
    return props


def test_defaults_capture_input_and_output_at_20_percent_with_the_key() -> None:
    props = _render()
    assert props["InitialSamplingPercentage"] == 20 and props["EnableCapture"] is True
    assert props["CaptureOptions"] == [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]
    assert props["DestinationS3Uri"] == "s3://capture/churn"
    assert "Fn::GetAtt" in props["KmsKeyId"]


def test_content_type_headers() -> None:
    props = _render(csv_content_types=["text/csv"], json_content_types=["application/json"])
    assert props["CaptureContentTypeHeader"] == {
        "CsvContentTypes": ["text/csv"],
        "JsonContentTypes": ["application/json"],
    }


@pytest.mark.parametrize("sampling", [-1, 101, 2.5, True])
def test_fails_sampling_outside_0_to_100(sampling: object) -> None:
    with pytest.raises(ValueError, match=r"sampling_percentage is .*: allowed an integer 0 to 100.*\(C324\)"):
        endpoint_data_capture(destination_s3_uri="s3://capture/x", kms_key=None, sampling_percentage=sampling)  # type: ignore[arg-type]


@pytest.mark.parametrize("sampling", [0, 100])
def test_sampling_bounds_are_allowed(sampling: int) -> None:
    assert _render(sampling_percentage=sampling)["InitialSamplingPercentage"] == sampling


def test_fails_sdk_capture_mode_names() -> None:
    with pytest.raises(ValueError, match="capture_modes is 'REQUEST': allowed Input, Output, InputAndOutput"):
        endpoint_data_capture(destination_s3_uri="s3://capture/x", kms_key=None, capture_modes=["REQUEST"])


def test_fails_empty_capture_modes() -> None:
    with pytest.raises(ValueError, match="capture_modes is \\[\\]"):
        endpoint_data_capture(destination_s3_uri="s3://capture/x", kms_key=None, capture_modes=[])


def test_fails_destination_that_is_not_s3() -> None:
    with pytest.raises(ValueError, match="destination_s3_uri is 'capture/x'"):
        endpoint_data_capture(destination_s3_uri="capture/x", kms_key=None)


def test_fails_too_many_content_types() -> None:
    with pytest.raises(ValueError, match="csv_content_types has 11 entries"):
        endpoint_data_capture(
            destination_s3_uri="s3://capture/x", kms_key=None, csv_content_types=[f"text/t{i}" for i in range(11)]
        )
