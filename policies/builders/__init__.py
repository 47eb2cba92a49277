"""Pure builders: governance spec in, IAM policy documents (dicts) out. Reused by constructs and tests."""
