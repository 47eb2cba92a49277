"""Lambda code for lambdas/<name>/: the handler folder, the shared modules it imports, and crhelper.

The Lambda runtime has boto3 but not crhelper, so the asset must carry it. Docker is not available in
every CI, so bundling copies the handler folder, the lambdas/_shared/ modules its code imports and the
installed crhelper package with plain Python; the Docker image is only the fallback CDK requires to be named.
Shared modules land at the top of the asset, beside index.py, so a handler imports them with a plain
`from polling_resource import ...`, exactly as Lambda puts the asset root on sys.path.
"""

from __future__ import annotations

import ast
import importlib.util
import shlex
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

RUNTIME = lambda_.Runtime.PYTHON_3_12
VENDORED = ("crhelper",)
SHARED = "_shared"  # lambdas/_shared/: modules copied into the assets that import them; never a handler itself
SHARED_MOUNT = "/asset-shared"  # where the Docker fallback sees lambdas/_shared/


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


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def shared_modules(source: Path) -> list[Path]:
    """The lambdas/_shared/*.py files the handler folder's code imports, directly or through one another.

    Only what is imported is copied, so a handler that shares nothing keeps exactly its old asset.
    """
    shared = source.parent / SHARED
    found: dict[str, Path] = {}
    queue = sorted(p for p in source.rglob("*.py") if "__pycache__" not in p.parts)
    while queue:
        for root in sorted(_imported_roots(queue.pop())):
            module = shared / f"{root}.py"
            if root not in found and module.is_file():
                if (source / module.name).exists() or (source / root).exists():
                    raise ValueError(f"lambdas/{source.name}/{root} would shadow the shared module "
                                     f"lambdas/{SHARED}/{module.name} in the asset; rename one of them")
                found[root] = module
                queue.append(module)
    return sorted(found.values())


@jsii.implements(cdk.ILocalBundling)
class _CopyBundling:
    def __init__(self, source: Path, shared: list[Path]) -> None:
        self._source = source
        self._shared = shared

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
        for module in self._shared:
            shutil.copy2(module, out / module.name)
        for package in VENDORED:
            shutil.copytree(_package_dir(package), out / package, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return True


def _docker_fallback(shared: list[Path]) -> tuple[list[str], list[cdk.DockerVolume]]:
    """The fallback's command and volumes: /asset-input is the handler folder only, so lambdas/_shared/ is
    mounted read-only beside it and the modules the handler imports are copied to the asset root too."""
    steps = ["cp -r /asset-input/. /asset-output"]
    volumes: list[cdk.DockerVolume] = []
    if shared:
        steps.append("cp " + " ".join(shlex.quote(f"{SHARED_MOUNT}/{m.name}") for m in shared) + " /asset-output/")
        volumes.append(cdk.DockerVolume(host_path=str(shared[0].parent), container_path=SHARED_MOUNT))
    steps.append("pip install crhelper -t /asset-output")
    return ["bash", "-c", " && ".join(steps)], volumes


def bundling_options(name: str) -> cdk.BundlingOptions:
    """How lambdas/<name>/ is bundled: local copy first, the Docker command as CDK's fallback."""
    source = lambdas_root() / name
    shared = shared_modules(source)
    command, volumes = _docker_fallback(shared)
    return cdk.BundlingOptions(image=RUNTIME.bundling_image, local=_CopyBundling(source, shared), command=command,
                               volumes=volumes or None)


def handler_code(name: str) -> lambda_.Code:
    """Code asset for lambdas/<name>/ (which must hold index.py with handler(event, context))."""
    source = lambdas_root() / name
    if not (source / "index.py").is_file():
        raise ValueError(f"lambdas/{name}/index.py not found; a handler folder needs index.py exposing handler")
    return lambda_.Code.from_asset(str(source), asset_hash_type=cdk.AssetHashType.OUTPUT,
                                   bundling=bundling_options(name))
