"""Find every principal, policy, SCP and model package group the templates deploy, resolved per environment.

Reads IAM roles (inline policies, ManagedPolicyArns, PermissionsBoundary), AWS::IAM::Policy and
ManagedPolicy attachments, AWS::Organizations::Policy SCPs with their TargetIds, model package group
resource policies and the templates inside AWS::CloudFormation::StackSet (one copy per target account and
region). Principals beyond the spec are added for every account a group's resource policy lets in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from cfnlint.decode import decode_str

from modelgov.policies.spec.models import GovernanceSpec

from .assembly import StackEnv, StackTemplate, partition_of
from .intrinsics import Resolver, Unknown, assembly_exports, is_unknown, unknown_names
from .managed import is_aws_managed, managed_policy
from .model import Group, Inventory, Note, Policy, Principal, Source
from .ram import Share, permission_reference, principal_roots, share_statement

ALLOW_ALL: dict[str, Any] = {"Version": "2012-10-17",
                             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ANYONE: dict[str, Any] = {"Version": "2012-10-17",  # a trust policy that cannot be resolved
                          "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}
PERSONA_TAG = "modelgov:persona"
ANY_ACCOUNT = "999999999999"  # stands for "a principal in any AWS account outside the organization"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _document(value: Any) -> Any:
    """A policy given as an object or as a JSON string (Organizations Content, ModelPackageGroupPolicy)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return Unknown("policy document is a string that is not JSON")
    return value


def expand_stacksets(stacks: list[StackTemplate], spec: GovernanceSpec) -> list[StackTemplate]:
    """The input stacks plus one StackTemplate per StackSet instance (target account x region)."""
    from modelgov.policies.builders.persona_accounts import accounts_under

    out = list(stacks)
    exports = assembly_exports(stacks)
    for stack in stacks:
        resolver = Resolver(stack, exports)
        for logical_id, resource in stack.resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::StackSet":
                continue
            props = resolver.resolve(resource.get("Properties") or {}, f"Resources.{logical_id}.Properties")
            body = props.get("TemplateBody")
            if not isinstance(body, str):
                continue
            template, matches = decode_str(body)
            if matches or not isinstance(template, dict):
                continue
            for group in _as_list(props.get("StackInstancesGroup")):
                targets = group.get("DeploymentTargets") or {}
                accounts = [a for a in _as_list(targets.get("Accounts")) if isinstance(a, str)]
                ous = [o for o in _as_list(targets.get("OrganizationalUnitIds")) if isinstance(o, str)]
                accounts += [a for a in accounts_under(spec, ous) if a not in accounts]
                for region in [r for r in _as_list(group.get("Regions")) if isinstance(r, str)]:
                    for account in accounts:
                        env = StackEnv(account=account, region=region, partition=partition_of(region))
                        out.append(StackTemplate(
                            name=f"{props.get('StackSetName') or logical_id}@{account}/{region}", file=stack.file,
                            template=template, env=env, parent=f"{stack.name}/{logical_id}", text=stack.text))
    return out


class _Builder:
    def __init__(self, stacks: list[StackTemplate], spec: GovernanceSpec) -> None:
        self.spec = spec
        self.stacks = expand_stacksets(stacks, spec)
        self.exports = assembly_exports(self.stacks)
        self.inventory = Inventory(org_id=spec.organization.id)
        self.managed: dict[str, Policy] = {}  # customer managed policy ARN -> policy
        self.attachments: dict[tuple[str, str], list[Policy]] = {}  # (account, role name) -> policies
        self.roles: list[tuple[StackTemplate, Resolver, str, dict[str, Any]]] = []
        self.ram_permissions: dict[tuple[str, str], dict[str, Any]] = {}
        self.ram_shares: list[tuple[StackTemplate, Resolver, str, dict[str, Any], Source]] = []
        self._noted: set[tuple[str, str]] = set()

    def note(self, code: str, message: str, source: Source) -> None:
        if (code, message) not in self._noted:
            self._noted.add((code, message))
            self.inventory.notes.append(Note(code, message, source))

    def source(self, stack: StackTemplate, logical_id: str) -> Source:
        name = f"{stack.name}" if not stack.parent else f"{stack.parent} -> {stack.name}"
        return Source(file=stack.file, stack=name, logical_id=logical_id, line=stack.line_of(
            stack.parent.rsplit("/", 1)[-1] if stack.parent else logical_id))

    def policy(self, name: str, document: Any, source: Source, uncertain: str = "") -> Policy:
        for missing in unknown_names(document):
            self.note("V002", f"{source.stack} {source.logical_id}: {missing} cannot be resolved; treated as "
                              "any value (it never helps prove a deny)", source)
        if not isinstance(document, dict):
            self.note("V002", f"{source.stack} {source.logical_id}: policy {name} cannot be resolved; treated "
                              "as allowing everything", source)
            return Policy(name, ALLOW_ALL, source, uncertain=f"policy {name} cannot be resolved")
        return Policy(name, document, source, uncertain)

    def walk(self) -> Iterator[tuple[StackTemplate, Resolver, str, dict[str, Any], Any]]:
        for stack in self.stacks:
            resolver = Resolver(stack, self.exports)
            for logical_id, resource in stack.resources.items():
                if not isinstance(resource, dict):
                    continue
                deployed = resolver.deployed(logical_id)
                if deployed is False:
                    continue
                yield stack, resolver, logical_id, resource, deployed

    def collect(self) -> None:
        for stack, resolver, logical_id, resource, deployed in self.walk():
            rtype = resource.get("Type")
            where = f"Resources.{logical_id}.Properties"
            uncertain = f"{logical_id} has condition {deployed.name}" if isinstance(deployed, Unknown) else ""
            source = self.source(stack, logical_id)
            if rtype in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
                props = resolver.resolve(resource.get("Properties") or {}, where)
                name = props.get("ManagedPolicyName") or props.get("PolicyName") or logical_id
                policy = self.policy(f"{stack.name}/{name}", props.get("PolicyDocument"), source, uncertain)
                if rtype == "AWS::IAM::ManagedPolicy":
                    arn = resolver.physical(logical_id, None)
                    if isinstance(arn, str):
                        self.managed[arn] = policy
                for role in _as_list(props.get("Roles")):
                    if isinstance(role, str):
                        self.attachments.setdefault((stack.env.account, role), []).append(policy)
                    else:
                        self.note("V002", f"{stack.name} {logical_id}: a role it attaches to cannot be resolved "
                                          f"({role}); that attachment is not counted", source)
            elif rtype == "AWS::IAM::Role":
                self.roles.append((stack, resolver, logical_id, resource))
            elif rtype == "AWS::Organizations::Policy":
                self._scp(stack, resolver, logical_id, resource, source, uncertain)
            elif rtype == "AWS::SageMaker::ModelPackageGroup":
                self._group(stack, resolver, logical_id, resource, source, uncertain)
            elif rtype == "AWS::RAM::Permission":
                props = resolver.resolve(resource.get("Properties") or {}, where)
                self.ram_permissions[(stack.name, logical_id)] = props
            elif rtype == "AWS::RAM::ResourceShare":
                self.ram_shares.append((stack, resolver, logical_id, resource, source))

    def apply_ram_shares(self) -> None:
        """Each share's grants, as statements added to the shared groups' resource policies."""
        extra: dict[str, list[tuple[str, dict[str, Any], Source]]] = {}
        for stack, resolver, logical_id, resource, source in self.ram_shares:
            raw = resource.get("Properties") or {}
            props = resolver.resolve(raw, f"Resources.{logical_id}.Properties")
            name = props.get("Name") if isinstance(props.get("Name"), str) else logical_id
            templates: list[dict[str, Any]] = []
            unknown: list[str] = []
            for entry, resolved in zip(_as_list(raw.get("PermissionArns")), _as_list(props.get("PermissionArns")),
                                       strict=False):
                target = permission_reference(entry)
                permission = self.ram_permissions.get((stack.name, target)) if target else None
                if permission is not None and isinstance(permission.get("PolicyTemplate"), dict):
                    templates.append(_document(permission["PolicyTemplate"]))
                else:
                    unknown.append(str(resolved))
            if not raw.get("PermissionArns"):
                unknown.append("the default AWS managed permission")
            if unknown:
                self.note("V006", f"{stack.name} {logical_id}: RAM share {name} uses {', '.join(unknown)}, whose text "
                                  "modelgov does not ship; those grants are not counted (use a customer managed "
                                  "AWS::RAM::Permission to have them proven)", source)
            principals, unplaced = principal_roots(self.spec, _as_list(props.get("Principals")),
                                                   stack.env.partition)
            for value in unplaced:
                self.note("V002", f"{stack.name} {logical_id}: RAM share {name} principal {value} cannot be placed "
                                  "in the spec's organization; it is not counted", source)
            for resource_arn in _as_list(props.get("ResourceArns")):
                group = next((g for g in self.inventory.groups if g.arn == resource_arn), None)
                if group is None:
                    continue
                for template in templates:
                    statement = share_statement(Share(name, source, [], []), template, principals, group.arn,
                                                group.version_arn.rsplit("/", 1)[0] + "/*",
                                                len(extra.get(group.name, [])))
                    extra.setdefault(group.name, []).append((name, statement, source))
        for group in self.inventory.groups:
            if group.name not in extra:
                continue
            shares = sorted({name for name, _, _ in extra[group.name]})
            statements = [s for _, s, _ in extra[group.name]]
            base = group.policy.document.get("Statement", []) if group.policy else []
            label = (f"{group.policy.name} + " if group.policy else f"group {group.name}: ") + \
                f"RAM share {', '.join(shares)}"
            group.policy = Policy(label, {"Version": "2012-10-17", "Statement": [*_as_list(base), *statements]},
                                  group.policy.source if group.policy else extra[group.name][0][2],
                                  group.policy.uncertain if group.policy else "")

    def _scp(self, stack: StackTemplate, resolver: Resolver, logical_id: str, resource: dict[str, Any],
             source: Source, uncertain: str) -> None:
        props = resolver.resolve(resource.get("Properties") or {}, f"Resources.{logical_id}.Properties")
        if props.get("Type") != "SERVICE_CONTROL_POLICY":
            return
        name = props.get("Name") if isinstance(props.get("Name"), str) else logical_id
        policy = self.policy(f"SCP {name}", _document(props.get("Content")), source, uncertain)
        known = self.org_targets()
        for target in _as_list(props.get("TargetIds")):
            if isinstance(target, str) and target in known:
                self.inventory.scps.setdefault(target, []).append(policy)
            else:
                self.note("V004", f"{stack.name} {logical_id}: SCP {name} targets {target}, which is not the root, "
                                  "an OU or an account of the spec's organization; its statements are not counted",
                          source)

    def org_targets(self) -> set[str]:
        org = self.spec.organization
        return {org.root_id, *(ou.id for ou in org.organizational_units), *(a.id for a in org.accounts),
                org.registry_account}

    def _group(self, stack: StackTemplate, resolver: Resolver, logical_id: str, resource: dict[str, Any],
               source: Source, uncertain: str) -> None:
        props = resolver.resolve(resource.get("Properties") or {}, f"Resources.{logical_id}.Properties")
        name = props.get("ModelPackageGroupName")
        if not isinstance(name, str) or not stack.env.account or not stack.env.region:
            self.note("V002", f"{stack.name} {logical_id}: model package group name or environment cannot be "
                              "resolved; the group is not verified", source)
            return
        raw = props.get("ModelPackageGroupPolicy")
        policy = None if raw is None else self.policy(f"group policy {name}", _document(raw), source, uncertain)
        self.inventory.groups.append(Group(name=name, account=stack.env.account, region=stack.env.region,
                                           partition=stack.env.partition, policy=policy, source=source))

    def lookup_managed(self, arn: Any, role_label: str, source: Source) -> Policy:
        """A managed policy by ARN: the templates' own, a shipped AWS one, or an unknown stand-in."""
        if isinstance(arn, str) and arn in self.managed:
            return self.managed[arn]
        data = managed_policy(arn) if isinstance(arn, str) else None
        if data is not None and data.get("complete", True):
            return Policy(f"AWS managed {data['name']} (version {data['version']})", data["document"],
                          Source(file=data["source"], logical_id=data["name"]))
        shown = arn if isinstance(arn, str) else str(arn)
        why = ("unknown managed policy ARN" if isinstance(arn, str) and is_aws_managed(arn)
               else "managed policy ARN not defined in the input")
        if data is not None:
            why = "AWS managed policy whose full text the seeds do not give"
        self.note("V003", f"cannot prove: {why} {shown} (attached to {role_label}); it is treated as allowing "
                          "everything that could matter", source)
        return Policy(f"unknown managed policy {shown}", ALLOW_ALL, source, uncertain=f"{why} {shown}")

    def build_roles(self) -> None:
        personas = {p.effective_role_name: p.name for p in self.spec.personas}
        names = {p.name for p in self.spec.personas}
        for stack, resolver, logical_id, resource in self.roles:
            where = f"Resources.{logical_id}.Properties"
            props = resolver.resolve(resource.get("Properties") or {}, where)
            source = self.source(stack, logical_id)
            name = resolver.role_name(logical_id)
            if not stack.env.account:
                self.note("V002", f"{stack.name}: the template's account is unknown (a loose template; pass "
                                  "--account); its roles are verified in every account of the organization", source)
            raw_trust = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument")
            for account, arn in self.role_arns(stack, resolver, logical_id, name):
                # a loose template's trust names its own account through AWS::AccountId: resolve it per account
                trust = props.get("AssumeRolePolicyDocument") if stack.env.account else Resolver(
                    replace(stack, env=replace(stack.env, account=account)), self.exports).resolve(
                    raw_trust, f"{where}.AssumeRolePolicyDocument")
                self.add_role(stack, props, source, logical_id, name, account, arn, personas, names, trust)

    def role_arns(self, stack: StackTemplate, resolver: Resolver, logical_id: str,
                  name: Any) -> list[tuple[str, Any]]:
        """(account, ARN) of a role: its stack's account, or, when that is unknown, each organization account
        (it may be deployed in any of them, the registry included), so its persona is kept and proven."""
        if stack.env.account:
            return [(stack.env.account, resolver.physical(logical_id, "Arn"))]
        org = self.spec.organization
        path = resolver.resolve(resource_prop(stack, logical_id, "Path"), f"Resources.{logical_id}.Properties.Path")
        path = path if isinstance(path, str) else "/"
        accounts = dict.fromkeys([org.registry_account, *(a.id for a in org.accounts), org.management_account])
        return [(account, f"arn:{stack.env.partition}:iam::{account}:role{path}{name}" if isinstance(name, str)
                 else None) for account in accounts]

    def add_role(self, stack: StackTemplate, props: dict[str, Any], source: Source, logical_id: str, name: Any,
                 account: str, arn: Any, personas: dict[str, str], names: set[str], trust: Any = None) -> None:
        """One principal for the role as deployed in `account`; a persona's role keeps its trust policy."""
        if not isinstance(name, str) or not isinstance(arn, str):
            self.note("V002", f"{stack.name} {logical_id}: role name or ARN cannot be resolved; the role is "
                              "verified under a placeholder name", source)
            name, arn = f"{logical_id}-UNRESOLVED", f"arn:aws:iam::{account or ANY_ACCOUNT}:role/{logical_id}"
        tags: dict[str, Any] = {str(t.get("Key")): t.get("Value") for t in _as_list(props.get("Tags"))
                                if isinstance(t, dict)}
        persona = personas.get(name, "")
        if tags.get(PERSONA_TAG) in names:
            persona = str(tags[PERSONA_TAG])
        label = f"role {name} in {account or 'an unknown account'}"
        if not stack.env.account:
            label += " (account unknown: one of the organization's)"
        identity: list[Policy] = []
        for index, inline in enumerate(_as_list(props.get("Policies"))):
            if isinstance(inline, dict):
                identity.append(self.policy(f"{name}/{inline.get('PolicyName', index)}",
                                            inline.get("PolicyDocument"), source))
        for managed_arn in _as_list(props.get("ManagedPolicyArns")):
            identity.append(self.lookup_managed(managed_arn, label, source))
        identity += self.attachments.get((stack.env.account, name), [])
        boundary: list[Policy] = []
        if props.get("PermissionsBoundary") is not None:
            boundary.append(self.lookup_managed(props["PermissionsBoundary"], label, source))
        self.inventory.principals.append(Principal(
            label=label, arn=arn, account=account, kind="role", persona=persona, identity=identity,
            boundary=boundary, source=source, trust=self.trust_policy(name, trust, source) if persona else None,
            tags=tags))

    def trust_policy(self, role: str, raw: Any, source: Source) -> Policy | None:
        """The role's trust policy; None when it has no statement (CloudFormation cannot create such a role).

        A trust policy or a statement list that cannot be resolved stands for "anyone may assume": an Allow
        to every principal, kept only on the permissive side, so it never helps prove that a caller is denied.
        """
        document = _document(raw)
        statements = document.get("Statement") if isinstance(document, dict) else None
        if raw is None or isinstance(document, dict) and not is_unknown(statements) and not _as_list(statements):
            return None
        name = f"trust policy of {role}"
        if isinstance(document, dict) and all(isinstance(s, dict) for s in _as_list(statements)):
            return self.policy(name, document, source)
        self.note("V002", f"{source.stack} {source.logical_id}: {name} cannot be resolved; treated as trusting "
                          "every principal (it never helps prove a caller is denied)", source)
        return Policy(name, ANYONE, source, uncertain=f"{name} cannot be resolved")

    def add_spec_groups(self) -> None:
        """Spec groups that no template deploys are still verified, in the registry, without a policy."""
        org = self.spec.organization
        present = {g.name for g in self.inventory.groups}
        for group in self.spec.model_package_groups:
            if group.name not in present:
                region = org.primary_region
                self.inventory.groups.append(Group(name=group.name, account=org.registry_account, region=region,
                                                   partition=partition_of(region)))

    def add_resource_policy_principals(self) -> None:
        """"Any principal in account N": every account a group's resource policy names in an Allow."""
        known = {p.arn for p in self.inventory.principals}
        seen: set[str] = set()
        for group in self.inventory.groups:
            if group.policy is None:
                continue
            for statement in _as_list(group.policy.document.get("Statement")):
                if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                    continue
                principal = statement.get("Principal")
                values = _as_list(principal.get("AWS")) if isinstance(principal, dict) else _as_list(principal)
                for value in values:
                    account, arn = _principal_account(value, group.partition)
                    if account == group.account or arn in known or arn in seen:
                        continue
                    seen.add(arn)
                    known_in_account = tuple(p.arn for p in self.inventory.principals if p.account == account)
                    if arn.endswith(":root"):
                        label = (f"any principal in account {account}" if account != ANY_ACCOUNT
                                 else "any principal in any AWS account")
                        arn = f"arn:{group.partition}:iam::{account}:role/modelgov-any-principal"
                    else:
                        label = f"principal {arn} (not in the templates)"
                    self.inventory.principals.append(Principal(
                        label=f"{label}, via {group.policy.name} ({group.source.logical_id})", arn=arn,
                        account=account, kind="account",
                        identity=[Policy(f"any identity policy in account {account}", ALLOW_ALL)],
                        source=group.source, via=group.policy.name, exclude_arns=known_in_account))


    def add_unknown_roles(self) -> None:
        """"Any other role in account N": roles outside the input in each account that owns a group."""
        for account in sorted({g.account for g in self.inventory.groups}):
            group = next(g for g in self.inventory.groups if g.account == account)
            known = tuple(p.arn for p in self.inventory.principals if p.account == account and p.kind == "role")
            self.inventory.principals.append(Principal(
                label=f"any other role in account {account} (identity policies not in the input)",
                arn=f"arn:{group.partition}:iam::{account}:role/modelgov-any-principal", account=account,
                kind="account", identity=[Policy(f"any identity policy in account {account}", ALLOW_ALL)],
                protected_only=True, exclude_arns=known))


def resource_prop(stack: StackTemplate, logical_id: str, prop: str) -> Any:
    resource = stack.resources.get(logical_id)
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props.get(prop) if isinstance(props, dict) else None


def _principal_account(value: Any, partition: str) -> tuple[str, str]:
    """(account, principal ARN) of a resource-policy principal; unresolved or '*' means any account."""
    if not isinstance(value, str) or is_unknown(value) or value == "*":
        return ANY_ACCOUNT, f"arn:{partition}:iam::{ANY_ACCOUNT}:root"
    if value.isdigit() and len(value) == 12:
        return value, f"arn:{partition}:iam::{value}:root"
    parts = value.split(":")
    if len(parts) >= 6 and parts[4].isdigit():
        return parts[4], value
    return ANY_ACCOUNT, f"arn:{partition}:iam::{ANY_ACCOUNT}:root"


def build_inventory(stacks: list[StackTemplate], spec: GovernanceSpec) -> Inventory:
    builder = _Builder(stacks, spec)
    builder.collect()
    builder.build_roles()
    builder.add_spec_groups()
    builder.apply_ram_shares()
    builder.add_resource_policy_principals()
    builder.add_unknown_roles()
    found = {p.persona for p in builder.inventory.principals if p.persona}
    for persona in spec.personas:
        if (persona.transitions or persona.approval_statuses) and persona.name not in found:
            builder.note("V005", f"persona {persona.name!r} has no role in the input (expected role name "
                                 f"{persona.effective_role_name} or tag {PERSONA_TAG}={persona.name}); "
                                 "its transitions are checked as impossible", Source(file="governance.yaml"))
    return builder.inventory
