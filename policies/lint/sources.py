"""Find the policies in the paths given to `modelgov lint`: policy files, templates and cdk.out folders.

Templates are JSON or YAML CloudFormation; every property that holds a policy is linted, whether it is
an object, a JSON string, or a `!Sub`/`Fn::Sub` string (offsets inside the string map back to the file).
A folder scan reads every JSON/YAML file but lints only what its content shows to be a policy, a template
or a cloud assembly: a repository also holds package.json, governance.yaml and test data, and reporting
those as broken policies would bury the real findings. A file named on the command line is held to what
the user asked for, so a non-policy there is an input error (L008).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from modelgov.policies.iam import POLICY_VERSIONS

from .document import PolicyDocument, PolicyKind, infer_kind
from .jsonparse import parse_json
from .nodes import Node, PathPart, format_path
from .textmap import Locate, TextMap, through_string
from .yamlparse import parse_yaml

# CloudFormation type -> (property path, kind). "*" walks every item of a list. Sources: the resource
# pages of the CloudFormation template reference for each type.
POLICY_PROPERTIES: dict[str, tuple[tuple[tuple[PathPart, ...], PolicyKind], ...]] = {
    "AWS::IAM::Role": ((("AssumeRolePolicyDocument",), "trust"), (("Policies", "*", "PolicyDocument"), "identity")),
    "AWS::IAM::User": ((("Policies", "*", "PolicyDocument"), "identity"),),
    "AWS::IAM::Group": ((("Policies", "*", "PolicyDocument"), "identity"),),
    "AWS::IAM::Policy": ((("PolicyDocument",), "identity"),),
    "AWS::IAM::ManagedPolicy": ((("PolicyDocument",), "identity"),),
    "AWS::IAM::RolePolicy": ((("PolicyDocument",), "identity"),),
    "AWS::IAM::UserPolicy": ((("PolicyDocument",), "identity"),),
    "AWS::IAM::GroupPolicy": ((("PolicyDocument",), "identity"),),
    "AWS::SSO::PermissionSet": ((("InlinePolicy",), "identity"),),
    "AWS::Organizations::Policy": ((("Content",), "scp"),),
    "AWS::SageMaker::ModelPackageGroup": ((("ModelPackageGroupPolicy",), "resource"),),
    "AWS::Events::EventBusPolicy": ((("Statement",), "resource"),),
    "AWS::RAM::Permission": ((("PolicyTemplate",), "template"),),
    "AWS::S3::BucketPolicy": ((("PolicyDocument",), "resource"),),
    "AWS::KMS::Key": ((("KeyPolicy",), "resource"),),
    "AWS::ECR::Repository": ((("RepositoryPolicyText",), "resource"),),
    "AWS::ECR::RegistryPolicy": ((("PolicyText",), "resource"),),
    "AWS::SNS::TopicPolicy": ((("PolicyDocument",), "resource"),),
    "AWS::SQS::QueuePolicy": ((("PolicyDocument",), "resource"),),
    "AWS::SecretsManager::ResourcePolicy": ((("ResourcePolicy",), "resource"),),
}
# Organizations policy types whose Content is an IAM policy; tag, backup and AI opt-out policies are not.
ORGANIZATIONS_KINDS: dict[str, PolicyKind] = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


@dataclass(frozen=True)
class Note:
    """A problem with a file rather than a policy: unreadable, invalid syntax, a policy built at deploy."""

    code: str
    file: str
    line: int
    column: int
    message: str
    fix: str
    path: str = ""
    logical_id: str = ""


@dataclass(frozen=True)
class Skipped:
    """A file a folder scan found but did not lint, with the reason (shown with --verbose)."""

    file: str
    reason: str


@dataclass
class Loaded:
    policies: list[PolicyDocument] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: int = 0
    skipped: list[Skipped] = field(default_factory=list)


FileKind = Literal["policy", "template", "assembly", "other"]
# How load_text treats a document: "text" lints anything as a policy (lint_text, the engine's input check),
# "file" was named on the command line (a non-policy is L008), "folder" was found by a scan (skipped).
LoadMode = Literal["text", "file", "folder"]
SUFFIXES = (".json", ".yaml", ".yml")
# Folders a scan never enters: tool state, dependencies and virtualenvs hold thousands of JSON files that
# are never policies (node_modules alone would dwarf a repository's own files).
PRUNED_FOLDERS = frozenset({"node_modules", "__pycache__"})
_TEMPLATE_NAMES = (".template.json", ".template.yaml", ".template.yml")
_STATEMENT_KEYS = frozenset({"Effect", "Action", "NotAction"})
_MARKERS = re.compile(r"\b(Statement|Effect|Resources|AWSTemplateFormatVersion)\b")


@dataclass
class Scan:
    """What a folder scan found: candidate files and the cloud assembly manifests (for stack accounts)."""

    files: list[Path] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)


def _is_manifest(path: Path) -> bool:
    """A cloud assembly manifest: `manifest.json` listing artifacts, or versioned next to the cdk.out marker."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and (isinstance(data.get("artifacts"), dict) or (
        "version" in data and (path.parent / "cdk.out").is_file()))


def scan_folder(folder: Path) -> Scan:
    """Every JSON/YAML file below a folder, except inside a cloud assembly, where only templates count.

    An assembly's other files (manifest, tree.json, *.assets.json, asset.* bundles) describe the
    assembly rather than hold policies; nested assemblies (assembly-*) are scanned the same way.
    Hidden files and folders, node_modules, __pycache__ and virtualenvs are not entered.
    """
    scan = Scan()
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        assembly = "manifest.json" in filenames and _is_manifest(here / "manifest.json")
        dirnames[:] = sorted(d for d in dirnames if not (
            d.startswith(".") or d in PRUNED_FOLDERS or (here / d / "pyvenv.cfg").is_file()
            or (assembly and d.startswith("asset."))))
        if assembly:
            scan.manifests.append(here / "manifest.json")
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name.endswith(".template.json") if assembly else name.lower().endswith(SUFFIXES):
                scan.files.append(here / name)
    return scan


def classify(root: Node | None, text: str, name: str) -> tuple[FileKind, str]:
    """What a parsed file is, and for anything else a short description of what it holds instead.

    A policy has a Statement (any case, so a mis-cased policy is still linted and reported), a policy
    Version, or is bare statements (Effect/Action); a template has Resources or AWSTemplateFormatVersion.
    Text that does not parse is linted when it names a policy or template element, so its syntax errors
    are shown rather than hidden.
    """
    if root is None:
        if name.lower().endswith(_TEMPLATE_NAMES) or _MARKERS.search(text):
            return "policy", ""
        return "other", "not valid JSON or YAML, and it names no policy or template element"
    if root.kind == "object":
        keys = root.keys()
        if _is_template(root):
            return "template", ""
        version = root.get("Version")
        if (any(k.lower() == "statement" for k in keys) or _STATEMENT_KEYS & set(keys)
                or (version is not None and version.kind == "string" and str(version.value).strip()
                    in POLICY_VERSIONS)):
            return "policy", ""
        if Path(name).name == "manifest.json" and "artifacts" in keys:
            return "assembly", ""
        shown = ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "")
        return "other", f"an object with keys {shown}" if keys else "an empty object"
    if root.kind == "array":
        if any(item.kind == "object" and (_STATEMENT_KEYS & set(item.keys())
                                          or any(k.lower() == "statement" for k in item.keys()))
               for item in root.items):
            return "policy", ""
        return "other", f"a list of {len(root.items)} item{'s' if len(root.items) != 1 else ''}, none a statement"
    return "other", f"a single {root.kind} value"


def stack_accounts(manifests: Iterable[Path]) -> dict[Path, str]:
    """Template file -> account id, from the cloud assembly manifests (`aws://ACCOUNT/region`)."""
    accounts: dict[Path, str] = {}
    for manifest in manifests:
        try:
            artifacts = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", {})
        except (OSError, ValueError, AttributeError):
            continue
        for artifact in artifacts.values() if isinstance(artifacts, dict) else []:
            env = str(artifact.get("environment", "")) if isinstance(artifact, dict) else ""
            template = (artifact.get("properties") or {}).get("templateFile") if isinstance(artifact, dict) else None
            match = re.fullmatch(r"aws://(\d{12})/.*", env)
            if match and isinstance(template, str):
                accounts[(manifest.parent / template).resolve()] = match.group(1)
    return accounts


def _is_yaml(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".yaml", ".yml"):
        return True
    if path.suffix.lower() == ".json":
        return False
    return not text.lstrip("\ufeff \t\r\n").startswith(("{", "[", '"', "\u201c"))


def _is_template(root: Node) -> bool:
    return root.kind == "object" and (root.get("Resources") is not None
                                      or root.get("AWSTemplateFormatVersion") is not None)


def load_text(file: str, text: str, yaml_format: bool, kind: PolicyKind | None = None, account: str = "",
              mode: LoadMode = "text") -> Loaded:
    """Parse one file's text into its policies (or file notes); see LoadMode for non-policy text."""
    out = Loaded(files=1)
    textmap = TextMap(text)
    root, problems = parse_yaml(text) if yaml_format else parse_json(text)
    if mode == "folder" or (mode == "file" and root is not None):  # a named file that does not parse: show why
        what, reason = classify(root, text, file)
        if what in ("other", "assembly") and mode == "folder":
            return Loaded(skipped=[Skipped(file, reason or "a cloud assembly manifest outside its folder")])
        if what == "assembly":
            return Loaded(files=1, notes=[Note(
                "L008", file, 0, 0, "this is a cloud assembly manifest, not a policy or template",
                f"pass its folder ({Path(file).parent}) to lint the assembly's templates")])
        if what == "other":
            return Loaded(files=1, notes=[Note(
                "L008", file, 0, 0, f"not an IAM policy (no Statement), CloudFormation template (no Resources) "
                                    f"or cdk.out assembly: the file holds {reason}",
                "pass a policy, a template or a cdk.out folder (a folder scan skips such files)")])
    if root is not None and _is_template(root):
        for problem in problems:
            line, column = textmap.locate(problem.offset)
            out.notes.append(Note(problem.code, file, line, column, problem.message, problem.fix))
        _template_policies(file, root, textmap.locate, out)
        for doc in out.policies:
            doc.account = account
        return out
    if root is None:
        for problem in problems:
            line, column = textmap.locate(problem.offset)
            out.notes.append(Note(problem.code, file, line, column, problem.message, problem.fix))
        return out
    inferred = kind is None
    chosen, _ = infer_kind(root) if kind is None else (kind, False)
    out.policies.append(PolicyDocument(file, root, chosen, textmap.locate, syntax=problems,
                                       kind_inferred=inferred))
    return out


def load_file(path: Path, kind: PolicyKind | None = None, account: str = "", mode: LoadMode = "file") -> Loaded:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        return Loaded(notes=[Note("L000", str(path), 0, 0, f"cannot read the file: {reason}",
                                  "pass a readable UTF-8 policy, template or cdk.out folder")])
    return load_text(str(path), text, _is_yaml(path, text), kind, account, mode)


def _template_policies(file: str, root: Node, locate: Locate, out: Loaded) -> None:
    resources = root.get("Resources")
    if resources is None or resources.kind != "object":
        return
    for key_node, resource in resources.pairs:
        logical_id = str(key_node.value)
        if resource.kind != "object":
            continue
        type_node = resource.get("Type")
        properties = resource.get("Properties")
        rtype = str(type_node.value) if type_node is not None and type_node.kind == "string" else ""
        if rtype not in POLICY_PROPERTIES or properties is None or properties.kind != "object":
            continue
        for prop_path, kind in POLICY_PROPERTIES[rtype]:
            if rtype == "AWS::Organizations::Policy":
                org_type = properties.get("Type")
                kind_for = ORGANIZATIONS_KINDS.get(str(org_type.value) if org_type is not None else "")
                if kind_for is None:
                    continue
                kind = kind_for
            base = ("Resources", logical_id, "Properties")
            for path, node in _find(properties, prop_path, base):
                _add_policy(file, node, kind, locate, path, rtype, logical_id, out)


def _find(node: Node, parts: tuple[PathPart, ...], path: tuple[PathPart, ...]
          ) -> list[tuple[tuple[PathPart, ...], Node]]:
    if not parts:
        return [(path, node)]
    head, rest = parts[0], parts[1:]
    if head == "*":
        if node.kind != "array":
            return []
        return [hit for index, item in enumerate(node.items) for hit in _find(item, rest, (*path, index))]
    child = node.get(str(head)) if node.kind == "object" else None
    return [] if child is None else _find(child, rest, (*path, head))


def _add_policy(file: str, node: Node, kind: PolicyKind, locate: Locate, path: tuple[PathPart, ...],
                rtype: str, logical_id: str, out: Loaded) -> None:
    text_node: Node | None = None
    if node.kind == "string":
        text_node = node
    elif node.kind == "object" and len(node.pairs) == 1 and node.keys()[0] == "Fn::Sub":
        inner = node.pairs[0][1]
        text_node = inner if inner.kind == "string" else (
            inner.items[0] if inner.kind == "array" and inner.items and inner.items[0].kind == "string" else None)
        path = (*path, "Fn::Sub")
    elif node.kind == "object" and len(node.pairs) == 1 and str(node.keys()[0]).startswith("Fn::"):
        line, column = locate(node.start)
        out.notes.append(Note("L009", file, line, column,
                              f"the policy is built by {node.keys()[0]} at deploy time and was not linted",
                              "write the policy as an object (CDK does this) or a !Sub string",
                              format_path(path), logical_id))
        return
    if text_node is None:
        out.policies.append(PolicyDocument(file, node, kind, locate, path, rtype, logical_id))
        return
    inner_locate = through_string(text_node, locate)
    root, problems = parse_json(str(text_node.value))
    if root is None:
        for problem in problems:
            line, column = inner_locate(problem.offset)
            out.notes.append(Note(problem.code, file, line, column, problem.message, problem.fix,
                                  format_path(path), logical_id))
        return
    out.policies.append(PolicyDocument(file, root, kind, inner_locate, path, rtype, logical_id, syntax=problems))
