"""Contract of the RAM handlers: self-contained assets (stdlib, boto3/botocore, crhelper only), a
handler(event, context) entry point, and nothing created at import (clients and CfnResource are lazy)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
HANDLERS = ["ram_promotion", "ram_consumer"]
ALLOWED = {"boto3", "botocore", "crhelper", "__future__"}


@pytest.mark.parametrize("name", HANDLERS)
def test_imports_only_stdlib_boto3_and_crhelper(name: str) -> None:
    tree = ast.parse((LAMBDAS / name / "index.py").read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"lambdas/{name}/index.py uses a relative import; the asset is one folder"
            roots.add((node.module or "").split(".")[0])
    foreign = sorted(r for r in roots if r not in ALLOWED and r not in sys.stdlib_module_names)
    assert foreign == []


@pytest.mark.parametrize("name", HANDLERS)
def test_import_creates_no_client_and_no_cfn_resource(name: str, load_handler, monkeypatch) -> None:
    import crhelper.resource_helper as resource_helper

    created: list[str] = []
    monkeypatch.setattr(resource_helper.boto3, "client", lambda service, **_: created.append(service))
    module = load_handler(name)
    assert (module._helper, module._clients, created) == (None, {}, [])
    assert callable(module.handler)


@pytest.mark.parametrize("name", HANDLERS)
def test_cold_import_loads_neither_crhelper_nor_boto3(name: str) -> None:
    """crhelper imports boto3 (most of a cold start); both must wait for the first invocation."""
    child = ("import importlib.util, sys\n"
             f"spec = importlib.util.spec_from_file_location('index', {str(LAMBDAS / name / 'index.py')!r})\n"
             "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
             "print(sorted(m for m in ('crhelper', 'boto3', 'botocore') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", child], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
