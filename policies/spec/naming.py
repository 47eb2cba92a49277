"""Construct ids derived from spec names. Ids are public contract (they drive logical ids), so one rule."""

from __future__ import annotations


def construct_id(name: str, suffix: str = "") -> str:
    """'churn-prediction' -> 'ChurnPrediction' + suffix; two names with one id would collide at synth."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-") if part) + suffix
