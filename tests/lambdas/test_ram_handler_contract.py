"""Contract of the RAM handlers: self-contained assets (stdlib, boto3/botocore, crhelper and the shared
lambdas/_shared modules that handler_code copies in), a handler(event, context) entry point, and nothing
created at import (clients and CfnResource are lazy)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
SHARED = LAMBDAS / "_shared"
HANDLERS = ["ram_promotion", "ram_consumer"]
SHARED_MODULES = {path.stem for path in SHARED.glob("*.py")}
ALLOWED = {"boto3", "botocore", "crhelper", "__future__"}


def _import_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path} uses a relative import; the asset is one flat folder"
            roots.add((node.module or "").split(".")[0])
    return roots


@pytest.mark.parametrize("name", HANDLERS)
def test_imports_only_stdlib_boto3_crhelper_and_shared_modules(name: str) -> None:
    roots = _import_roots(LAMBDAS / name / "index.py")
    foreign = sorted(r for r in roots if r not in ALLOWED | SHARED_MODULES and r not in sys.stdlib_module_names)
    assert foreign == []
    assert "polling_resource" in roots


@pytest.mark.parametrize("path", sorted(SHARED.glob("*.py")), ids=lambda path: path.name)
def test_shared_modules_import_only_stdlib_boto3_crhelper_and_each_other(path: Path) -> None:
    roots = _import_roots(path)
    assert sorted(r for r in roots if r not in ALLOWED | SHARED_MODULES and r not in sys.stdlib_module_names) == []


def test_lambdas_has_no_init_and_shared_is_no_handler() -> None:
    """No __init__.py (modelgov.lambdas is mapped by setup.py) and _shared is never deployed as a handler."""
    assert sorted(LAMBDAS.rglob("__init__.py")) == []
    assert not (SHARED / "index.py").exists()


@pytest.mark.parametrize("name", HANDLERS)
def test_import_creates_no_client_and_no_cfn_resource(name: str, load_handler, monkeypatch) -> None:
    import crhelper.resource_helper as resource_helper

    created: list[str] = []
    monkeypatch.setattr(resource_helper.boto3, "client", lambda service, **_: created.append(service))
    module = load_handler(name)
    assert (module._resource._helper, module._clients, created) == (None, {}, [])
    assert callable(module.handler)


@pytest.mark.parametrize("name", HANDLERS)
def test_cold_import_loads_neither_crhelper_nor_boto3(name: str) -> None:
    """crhelper imports boto3 (most of a cold start); both must wait for the first invocation. The shared
    modules are loaded first, by path, under the top-level names the asset gives them."""
    child = ("import importlib.util, pathlib, sys\n"
             "def load(name, path):\n"
             "    spec = importlib.util.spec_from_file_location(name, path)\n"
             "    sys.modules[name] = module = importlib.util.module_from_spec(spec)\n"
             "    spec.loader.exec_module(module)\n"
             f"for path in sorted(pathlib.Path({str(SHARED)!r}).glob('*.py')):\n"
             "    load(path.stem, path)\n"
             f"load('index', {str(LAMBDAS / name / 'index.py')!r})\n"
             "print(sorted(m for m in ('crhelper', 'boto3', 'botocore') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", child], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
