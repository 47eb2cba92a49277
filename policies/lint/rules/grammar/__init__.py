"""Lint rules: grammar."""
