"""Read what `cdk synth` wrote (or loose template files) offline: every stack, its template and environment.

The verifier proves what will be deployed, so it reads the cloud assembly's manifest for each stack's
account and region (the values of AWS::AccountId / AWS::Region in that stack) instead of trusting names.
Templates are decoded by cfn-lint's decoder, which accepts JSON and YAML with short-form intrinsics.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

_ENV = re.compile(r"^aws://(?P<account>\d{12}|unknown-account)/(?P<region>[a-z0-9-]+|unknown-region)$")
STACK_ARTIFACT = "aws:cloudformation:stack"


class AssemblyError(ValueError):
    """Input that cannot be read at all (exit code 2): the message names the file and the fix."""


@dataclass(frozen=True)
class StackEnv:
    """Where a stack deploys; empty strings mean environment-agnostic (resolved as unknowns)."""

    account: str = ""
    region: str = ""
    partition: str = "aws"


@dataclass
class StackTemplate:
    """One template to be deployed in one environment (a StackSet instance is its own StackTemplate)."""

    name: str
    file: str
    template: dict[str, Any]
    env: StackEnv
    parent: str = ""  # the StackSet's "stack/logical id" for StackSet instances
    text: str = field(default="", repr=False)

    @property
    def resources(self) -> dict[str, Any]:
        resources = self.template.get("Resources") or {}
        return resources if isinstance(resources, dict) else {}

    def line_of(self, logical_id: str) -> int:
        """1-based line of a resource's logical id in its file (0 when unknown), for SARIF and text output."""
        key = next((k for k in self.resources if k == logical_id), None)  # decoded keys carry their mark
        mark = getattr(key, "start_mark", None) or getattr(self.resources.get(logical_id), "start_mark", None)
        if mark is not None:
            return int(mark.line) + 1
        if self.text:
            index = self.text.find(f'"{logical_id}"')
            if index >= 0:
                return self.text.count("\n", 0, index) + 1
        return 0


def _decode(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AssemblyError(f"{path}: cannot read the template ({exc.strerror}); check the path") from None
    except UnicodeDecodeError as exc:
        raise AssemblyError(f"{path}: byte {exc.start} is not UTF-8 ({exc.reason}); a template is JSON or YAML "
                            "text, save it as UTF-8") from None
    template, matches = decode(str(path))
    if matches or not isinstance(template, dict):
        detail = matches[0].message if matches else "not a mapping"
        raise AssemblyError(f"{path}: not a CloudFormation template ({detail}); fix the JSON or YAML syntax")
    return template, text


def _env(value: str) -> StackEnv:
    match = _ENV.match(value or "")
    if not match:
        return StackEnv()
    account = "" if match["account"].startswith("unknown") else match["account"]
    region = "" if match["region"].startswith("unknown") else match["region"]
    return StackEnv(account=account, region=region, partition=partition_of(region))


def partition_of(region: str) -> str:
    """The partition a region belongs to; an unknown region stays in `aws`, the only one CDK assumes."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def load_assembly(folder: Path) -> list[StackTemplate]:
    """Every stack of a cdk.out folder, in manifest order, with the environment from the manifest."""
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError:
        raise AssemblyError(f"{manifest_path}: no cloud assembly manifest; run `cdk synth` or pass template "
                            "files") from None
    except json.JSONDecodeError as exc:
        raise AssemblyError(f"{manifest_path}:{exc.lineno}:{exc.colno}: manifest is not JSON ({exc.msg}); "
                            "re-run `cdk synth`") from None
    except UnicodeDecodeError as exc:
        raise AssemblyError(f"{manifest_path}: byte {exc.start} is not UTF-8 ({exc.reason}); re-run `cdk synth`"
                            ) from None
    stacks: list[StackTemplate] = []
    for name, artifact in (manifest.get("artifacts") or {}).items():
        if artifact.get("type") == "cdk:cloud-assembly":  # nested assembly (CDK stages)
            nested = (artifact.get("properties") or {}).get("directoryName")
            if nested:
                stacks.extend(load_assembly(folder / nested))
            continue
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        template_file = (artifact.get("properties") or {}).get("templateFile")
        if not template_file:
            raise AssemblyError(f"{manifest_path}: artifact {name!r} names no templateFile; re-run `cdk synth`")
        path = folder / template_file
        template, text = _decode(path)
        stacks.append(StackTemplate(name=artifact.get("displayName") or name, file=str(path), template=template,
                                    env=_env(artifact.get("environment", "")), text=text))
    if not stacks:
        raise AssemblyError(f"{manifest_path}: the assembly holds no CloudFormation stack; check the app")
    return stacks


def load_templates(paths: list[Path], env: StackEnv | None = None) -> list[StackTemplate]:
    """Loose template files (JSON or YAML); their environment is `env` or unknown."""
    stacks = []
    for path in paths:
        template, text = _decode(path)
        stacks.append(StackTemplate(name=path.stem.removesuffix(".template"), file=str(path), template=template,
                                    env=env or StackEnv(), text=text))
    return stacks


def load_inputs(paths: list[Path], env: StackEnv | None = None) -> list[StackTemplate]:
    """A cdk.out folder, or template files; anything else is an AssemblyError."""
    if not paths:
        raise AssemblyError("no input: pass a cdk.out folder or template files")
    if len(paths) == 1 and paths[0].is_dir():
        return load_assembly(paths[0])
    for path in paths:
        if path.is_dir():
            raise AssemblyError(f"{path}: pass one cdk.out folder, or template files, not both")
        if not path.exists():
            raise AssemblyError(f"{path}: no such file; check the path")
    return load_templates(paths, env)
