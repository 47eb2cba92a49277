"""Pure-Python governance policy code: spec, builders, engine, linter, verifier. Never imports aws_cdk."""
