"""Lint rules: lifecycle."""
