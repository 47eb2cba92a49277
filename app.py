#!/usr/bin/env python3
"""Reference CDK app: every modelgov stack, built from governance.yaml (context key modelgov:spec).

With context `modelgov:verify` true (cdk.json), `cdk synth` also runs the lifecycle proof as a policy
validation plugin (registered with `Validations.of(app).add_plugins`) and fails on any violation.
"""

import sys

import aws_cdk as cdk

from modelgov.constructs.reference_app import build_reference_app
from modelgov.constructs.verify_plugin import ModelgovVerifyPlugin
from modelgov.policies.spec import SpecError, load_spec

app = cdk.App()
spec_path = app.node.try_get_context("modelgov:spec") or "governance.yaml"
if str(app.node.try_get_context("modelgov:verify")).lower() == "true":  # true in cdk.json, "true" from --context
    cdk.Validations.of(app).add_plugins(ModelgovVerifyPlugin(spec_path))
try:
    spec = load_spec(spec_path)
except SpecError as err:
    print(err, file=sys.stderr)
    sys.exit(1)
try:
    build_reference_app(app, spec)
    app.synth()
except ValueError as err:  # constructs validate at construction; their messages name the place and the fix
    print(f"{spec_path}: {' '.join(str(err).split())}", file=sys.stderr)
    sys.exit(1)
