"""Lint rules: conditions."""
