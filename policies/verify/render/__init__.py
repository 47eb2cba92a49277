"""Renderers for a VerifyResult: text for people, json/junit/sarif for CI, one self-contained html page."""

from __future__ import annotations

from collections.abc import Callable

from ..result import VerifyResult
from .html import render_html
from .json_report import render_json
from .junit import render_junit
from .sarif import render_sarif
from .text import render_text

RENDERERS: dict[str, Callable[[VerifyResult], str]] = {
    "text": render_text, "json": render_json, "junit": render_junit, "sarif": render_sarif, "html": render_html}

__all__ = ["RENDERERS", "render_html", "render_json", "render_junit", "render_sarif", "render_text"]
