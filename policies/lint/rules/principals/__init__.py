"""Lint rules: principals."""
