"""Lint rules: actions."""
