"""Lambda code for lambdas/<name>/: the handler folder plus crhelper, bundled locally (no Docker).

The Lambda runtime has boto3 but not crhelper, so the asset must carry it. Docker is not available in
every CI, so bundling copies the handler folder and the installed crhelper package with plain Python; the
Docker image is only the fallback CDK requires to be named.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

RUNTIME = lambda_.Runtime.PYTHON_3_12
VENDORED = ("crhelper",)


def lambdas_root() -> Path:
    spec = importlib.util.find_spec("modelgov.lambdas")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("modelgov.lambdas is not installed; run `make setup`")
    return Path(next(iter(spec.submodule_search_locations)))


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed in this environment; run `make setup`")
    return Path(next(iter(spec.submodule_search_locations)))


@jsii.implements(cdk.ILocalBundling)
class _CopyBundling:
    def __init__(self, source: Path) -> None:
        self._source = source

    def try_bundle(self, output_dir: str, *, image: Any = None, **_: Any) -> bool:
        out = Path(output_dir)
        for item in self._source.iterdir():
            if item.name == "__pycache__":
                continue
            target = out / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(item, target)
        for package in VENDORED:
            shutil.copytree(_package_dir(package), out / package, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return True


def handler_code(name: str) -> lambda_.Code:
    """Code asset for lambdas/<name>/ (which must hold index.py with handler(event, context))."""
    source = lambdas_root() / name
    if not (source / "index.py").is_file():
        raise ValueError(f"lambdas/{name}/index.py not found; a handler folder needs index.py exposing handler")
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=cdk.AssetHashType.OUTPUT,
        bundling=cdk.BundlingOptions(
            image=RUNTIME.bundling_image,
            local=_CopyBundling(source),
            command=["bash", "-c", "cp -r /asset-input/. /asset-output && pip install crhelper -t /asset-output"],
        ),
    )
