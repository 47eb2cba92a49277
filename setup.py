"""Map the three top-level folders into the `modelgov` namespace.

`constructs/` cannot hold an `__init__.py` (it would shadow the `constructs` library when `cdk synth`
runs app.py from the repo root), so the folders are mapped explicitly instead of discovered.
"""
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
FOLDERS = {"constructs": "modelgov.constructs", "policies": "modelgov.policies", "lambdas": "modelgov.lambdas"}
DATA = ["*.yaml", "*.yml", "*.json", "*.html", "*.css", "*.js", "*.txt", "py.typed"]


def _packages() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    package_dir: dict[str, str] = {}
    for folder, dotted in FOLDERS.items():
        for path in sorted([ROOT / folder, *(ROOT / folder).rglob("*")]):
            if not path.is_dir() or "__pycache__" in path.parts:
                continue
            is_top = path == ROOT / folder  # always mapped, so later subfolders resolve through it
            if not is_top and not any(p.suffix in {".py", ".yaml", ".json"} for p in path.iterdir()):
                continue
            rel = path.relative_to(ROOT)
            name = ".".join([dotted, *rel.parts[1:]])
            packages.append(name)
            package_dir[name] = str(rel)
    return packages, package_dir


PACKAGES, PACKAGE_DIR = _packages()
setup(packages=PACKAGES, package_dir=PACKAGE_DIR, package_data={name: DATA for name in PACKAGES})
