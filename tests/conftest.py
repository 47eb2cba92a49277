"""Shared fixtures for the whole suite.

`reference_cdk_out`: the reference app synthesized by the real CDK CLI (`cdk synth --no-notices`), once per
source state, shared between pytest-xdist workers through a lock file, so every test that reads templates
reads what a user's `cdk synth` would produce.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SYNTH_DIR = REPO / "build" / "test-cdk.out"


def _source_digest() -> str:
    digest = hashlib.sha256()
    files = [REPO / "app.py", REPO / "cdk.json", REPO / "governance.yaml"]
    for folder in ("constructs", "policies", "lambdas"):
        files += sorted(p for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def tool_env() -> dict[str, str]:
    """Environment with the venv's Node 24 and node_modules/.bin first, as the Makefile sets it."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(REPO / ".venv" / "bin"), str(REPO / "node_modules" / ".bin"),
                                   env.get("PATH", "")])
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "1"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def synth_reference_app(outdir: Path, *context: str) -> subprocess.CompletedProcess[str]:
    args = ["cdk", "synth", "--no-notices", "--quiet", "--output", str(outdir)]
    for item in context:
        args += ["--context", item]
    return subprocess.run(args, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def reference_cdk_out() -> Iterator[Path]:
    SYNTH_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(SYNTH_DIR.parent / "test-cdk.out.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = _source_digest()
        stamp = SYNTH_DIR / ".modelgov-digest"
        if not (stamp.is_file() and stamp.read_text() == digest):
            shutil.rmtree(SYNTH_DIR, ignore_errors=True)
            result = synth_reference_app(SYNTH_DIR)
            assert result.returncode == 0, f"cdk synth failed:\n{result.stdout}\n{result.stderr}"
            stamp.write_text(digest)
        fcntl.flock(lock, fcntl.LOCK_UN)
    yield SYNTH_DIR
