"""Lint rules: resources."""
