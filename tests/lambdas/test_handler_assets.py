"""The Lambda assets handler_code bundles: each handler folder, the lambdas/_shared modules its code imports
(at the asset root) and crhelper, so index.py imports from the asset folder alone, as Lambda loads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from modelgov.constructs.handler_code import SHARED_MOUNT, bundling_options, handler_code, shared_modules

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
SHARED = LAMBDAS / "_shared"
EXPECTED = {
    "ram_consumer": {"index.py", "polling_resource.py", "crhelper"},
    "ram_promotion": {"index.py", "polling_resource.py", "crhelper"},
    "monitoring_schedule": {"index.py", "polling_resource.py", "crhelper"},
}
# What the child prints: where each module came from, once index is imported and its crhelper helper built.
ORIGINS = ("import json, sys, index\n"
           "index._resource.helper if hasattr(index, '_resource') else index._get_helper()\n"
           "print(json.dumps({m: getattr(sys.modules.get(m), '__file__', None) "
           "for m in ('index', 'polling_resource', 'crhelper')}))\n")


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def _assert_imports_from_the_asset(asset: Path, name: str) -> None:
    assert {p.name for p in asset.iterdir()} == EXPECTED[name]
    assert (asset / "index.py").read_bytes() == (LAMBDAS / name / "index.py").read_bytes()
    for module in shared_modules(LAMBDAS / name):
        assert (asset / module.name).read_bytes() == module.read_bytes()
    # Without site-packages (-S) nothing but the asset and the standard library can satisfy index's imports.
    bare = subprocess.run([sys.executable, "-S", "-c", "import index; assert callable(index.handler)"], cwd=asset,
                          env=_child_env(), capture_output=True, text=True)
    assert bare.returncode == 0, bare.stderr
    # With site-packages (the runtime's boto3), building the helper takes crhelper from the asset too.
    full = subprocess.run([sys.executable, "-c", ORIGINS], cwd=asset, env=_child_env(), capture_output=True,
                          text=True)
    assert full.returncode == 0, full.stderr
    origins = json.loads(full.stdout.strip().splitlines()[-1])
    assert Path(origins["index"]).parent.resolve() == asset.resolve()
    assert Path(origins["crhelper"]).resolve().is_relative_to(asset.resolve() / "crhelper")
    if "polling_resource.py" in EXPECTED[name]:
        assert Path(origins["polling_resource"]).parent.resolve() == asset.resolve()


def _synth_asset(name: str, outdir: Path) -> Path:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Assets", env=cdk.Environment(account="222222222222", region="us-east-1"))
    lambda_.Function(stack, "Handler", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                     code=handler_code(name))
    app.synth()
    manifest = json.loads((outdir / "Assets.assets.json").read_text())
    paths = [f["source"]["path"] for f in manifest["files"].values() if f["source"]["path"].startswith("asset.")]
    assert len(paths) == 1, paths
    return outdir / paths[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_local_bundling_puts_the_shared_modules_beside_index(name: str, tmp_path: Path) -> None:
    _assert_imports_from_the_asset(_synth_asset(name, tmp_path), name)


def test_reference_app_assets_import_from_the_asset_alone(reference_cdk_out: Path) -> None:
    """The assets `cdk synth` wrote for the reference app's RAM functions (found by the template's asset path)."""
    seen = set()
    for template in sorted(reference_cdk_out.glob("*.template.json")):
        for resource in json.loads(template.read_text())["Resources"].values():
            path = resource.get("Metadata", {}).get("aws:asset:path")
            if resource["Type"] != "AWS::Lambda::Function" or not path:
                continue
            asset = reference_cdk_out / path
            name = next(n for n in EXPECTED if (LAMBDAS / n / "index.py").read_bytes()
                        == (asset / "index.py").read_bytes())
            _assert_imports_from_the_asset(asset, name)
            seen.add(name)
    assert {"ram_consumer", "ram_promotion"} <= seen


def test_shared_modules_are_found_through_the_handlers_imports() -> None:
    assert shared_modules(LAMBDAS / "ram_consumer") == [SHARED / "polling_resource.py"]
    assert shared_modules(LAMBDAS / "ram_promotion") == [SHARED / "polling_resource.py"]
    assert shared_modules(LAMBDAS / "monitoring_schedule") == [SHARED / "polling_resource.py"]


def test_shared_modules_follow_imports_between_shared_modules(tmp_path: Path) -> None:
    (tmp_path / "_shared").mkdir()
    (tmp_path / "_shared" / "outer.py").write_text("import inner\n")
    (tmp_path / "_shared" / "inner.py").write_text("import json\n")
    (tmp_path / "_shared" / "unused.py").write_text("")
    (tmp_path / "handler").mkdir()
    (tmp_path / "handler" / "index.py").write_text("from outer import thing\nimport boto3\n")
    assert [p.name for p in shared_modules(tmp_path / "handler")] == ["inner.py", "outer.py"]


def test_a_handler_file_that_would_shadow_a_shared_module_is_refused(tmp_path: Path) -> None:
    (tmp_path / "_shared").mkdir()
    (tmp_path / "_shared" / "common.py").write_text("")
    (tmp_path / "handler").mkdir()
    (tmp_path / "handler" / "index.py").write_text("import common\n")
    (tmp_path / "handler" / "common.py").write_text("")
    with pytest.raises(ValueError, match="would shadow the shared module lambdas/_shared/common.py"):
        shared_modules(tmp_path / "handler")


def test_docker_fallback_mounts_and_copies_the_shared_modules() -> None:
    """/asset-input is the handler folder alone, so the fallback mounts lambdas/_shared and copies from it."""
    options = bundling_options("ram_promotion")
    assert list(options.command) == [
        "bash", "-c", f"cp -r /asset-input/. /asset-output && cp {SHARED_MOUNT}/polling_resource.py /asset-output/ "
                      "&& pip install crhelper -t /asset-output"]
    assert [(v.host_path, v.container_path) for v in options.volumes] == [(str(SHARED), SHARED_MOUNT)]


def test_docker_fallback_of_a_handler_without_shared_modules_is_unchanged(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "index.py").write_text("import json\n\ndef handler(event, context):\n    return None\n")
    monkeypatch.setattr("modelgov.constructs.handler_code.lambdas_root", lambda: tmp_path)
    options = bundling_options("plain")
    assert list(options.command) == ["bash", "-c", "cp -r /asset-input/. /asset-output && pip install crhelper "
                                                   "-t /asset-output"]
    assert options.volumes is None
