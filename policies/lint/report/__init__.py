"""Reporters: the same findings as text for people, JSON for scripts, SARIF 2.1.0 for code scanning."""

from .json_report import render_json, to_dict
from .sarif import render_sarif
from .text import render_text

FORMATS = {"text": render_text, "json": render_json, "sarif": render_sarif}

__all__ = ["FORMATS", "render_json", "render_sarif", "render_text", "to_dict"]
