#!/usr/bin/env python3
"""Reference CDK app: every modelgov stack, built from governance.yaml (context key modelgov:spec)."""

import sys

import aws_cdk as cdk

from modelgov.constructs.reference_app import build_reference_app
from modelgov.policies.spec import SpecError, load_spec

app = cdk.App()
spec_path = app.node.try_get_context("modelgov:spec") or "governance.yaml"
try:
    spec = load_spec(spec_path)
except SpecError as err:
    print(err, file=sys.stderr)
    sys.exit(1)
build_reference_app(app, spec)
app.synth()
