"""The import contract: modelgov.* maps onto the three folders without shadowing the constructs library."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMPORT_CHECK = ("import aws_cdk, constructs, modelgov.constructs, modelgov.policies, modelgov.lambdas; "
                "import modelgov.constructs.model_package_group as m; "
                "print(constructs.__file__); print(m.__file__)")


def test_repo_root_import_resolves_constructs_library_from_site_packages() -> None:
    out = subprocess.run([sys.executable, "-c", IMPORT_CHECK], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    assert "site-packages" in out[0] and out[0].endswith(os.path.join("constructs", "__init__.py"))
    assert Path(out[1]) == REPO / "constructs" / "model_package_group.py"


def test_constructs_and_lambdas_folders_have_no_init_file() -> None:
    assert not (REPO / "constructs" / "__init__.py").exists()
    assert not (REPO / "lambdas" / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("modelgov.") and node.module.split(".")[1] in {"constructs", "lambdas"}:
                names.add("modelgov." + node.module.split(".")[1])
    return names


def test_policies_never_import_aws_cdk_or_constructs() -> None:
    offenders = {}
    for path in sorted((REPO / "policies").rglob("*.py")):
        bad = _imports(path) & {"aws_cdk", "constructs", "jsii", "modelgov.constructs", "modelgov.lambdas"}
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_policies_import_with_aws_cdk_unavailable() -> None:
    """Every policies module imports in a process where aws_cdk and constructs cannot be imported."""
    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('aws_cdk', 'constructs', 'jsii'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import modelgov.policies as p\n"
        "count = 0\n"
        "for info in pkgutil.walk_packages(p.__path__, 'modelgov.policies.'):\n"
        "    if info.name.endswith('pytest_plugin'):\n"
        "        continue\n"
        "    importlib.import_module(info.name); count += 1\n"
        "print(count)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 5


def test_built_wheel_imports_in_a_fresh_venv_outside_the_repo(tmp_path: Path) -> None:
    # Build from a copy of the sources, so nothing left in the working tree's build/ can reach the wheel.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "cdk.out", "__pycache__", "*.egg-info", ".*_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(wheels), str(source)], check=True, capture_output=True, text=True)
    wheel = next(wheels.glob("modelgov-*.whl"))
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    fresh_python = env_dir / "bin" / "python"
    fresh_site = subprocess.run([str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    # Third-party dependencies come from the project venv (a plain path entry: its editable-install hook,
    # a .pth file, is NOT processed), the package itself only from the wheel.
    Path(fresh_site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", fresh_site, str(wheel)],
                   check=True, capture_output=True, text=True)
    check = ("import aws_cdk, constructs, modelgov.constructs, modelgov.policies; "
             "import modelgov.constructs.model_package_group as m; import modelgov.policies.spec as s; "
             "print(constructs.__file__); print(m.__file__); print(s.__file__)")
    out = subprocess.run([str(fresh_python), "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert "site-packages" in lines[0] and lines[0].endswith("constructs/__init__.py")
    assert lines[1].startswith(fresh_site) and lines[2].startswith(fresh_site)
