"""Resolve CloudFormation intrinsics offline, as the deployed stack would, or mark the value unknown.

The resolver knows each stack's environment (pseudo parameters), parameter defaults, conditions,
mappings, the names and ARNs CloudFormation gives the resource types the verifier reads, and the
exports of every stack in the assembly (Fn::ImportValue). Anything else becomes an `Unknown` that names
what could not be resolved; the proof treats unknowns so they never help prove a Deny or a non-Allow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .assembly import StackTemplate

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# Resource types whose Ref and attributes follow from a name property (CloudFormation return values):
# type -> (name property, Ref template, {attribute: template}); a generated name stays unknown.
_NAMED: dict[str, tuple[str, str, dict[str, str]]] = {
    "AWS::Logs::LogGroup": ("LogGroupName", "{name}", {"Arn": "arn:{p}:logs:{r}:{a}:log-group:{name}:*"}),
    "AWS::Events::EventBus": ("Name", "{name}", {"Arn": "arn:{p}:events:{r}:{a}:event-bus/{name}",
                                                 "Name": "{name}"}),
    "AWS::SQS::Queue": ("QueueName", "https://sqs.{r}.{suffix}/{a}/{name}",
                        {"Arn": "arn:{p}:sqs:{r}:{a}:{name}", "QueueName": "{name}"}),
    "AWS::SNS::Topic": ("TopicName", "arn:{p}:sns:{r}:{a}:{name}",
                        {"TopicArn": "arn:{p}:sns:{r}:{a}:{name}", "TopicName": "{name}"}),
    "AWS::Lambda::Function": ("FunctionName", "{name}", {"Arn": "arn:{p}:lambda:{r}:{a}:function:{name}"}),
    "AWS::S3::Bucket": ("BucketName", "{name}", {"Arn": "arn:{p}:s3:::{name}"}),
}
NO_VALUE = object()  # AWS::NoValue: the property is removed


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known before deployment; `name` says which intrinsic and where."""

    name: str

    def __str__(self) -> str:
        return f"<unresolved {self.name}>"


def is_unknown(value: Any) -> bool:
    """True when the value or anything inside it is unresolved."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def unknown_names(value: Any) -> list[str]:
    """Every unresolved name inside a value, in order, without repeats."""
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, Unknown):
            if item.name not in found:
                found.append(item.name)
        elif isinstance(item, dict):
            for v in item.values():
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)

    walk(value)
    return found


def url_suffix(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


class Resolver:
    """Resolves values inside one stack; `exports` maps export names of the whole assembly to values."""

    def __init__(self, stack: StackTemplate, exports: dict[str, Any] | None = None) -> None:
        self.stack = stack
        self.exports = exports if exports is not None else {}
        self.template = stack.template
        self._conditions: dict[str, bool | Unknown] = {}
        self._functions: dict[str, Callable[[Any, str], Any]] = {
            "Ref": self._ref, "Fn::GetAtt": self._get_att, "Fn::Join": self._join, "Fn::Sub": self._sub,
            "Fn::Select": self._select, "Fn::Split": self._split, "Fn::If": self._if,
            "Fn::ImportValue": self._import, "Fn::FindInMap": self._find_in_map, "Condition": self._condition_ref,
            "Fn::Equals": self._equals, "Fn::And": self._and, "Fn::Or": self._or, "Fn::Not": self._not,
        }

    # -- public -------------------------------------------------------------------------------------------
    def resolve(self, value: Any, where: str = "") -> Any:
        """The value with every intrinsic replaced by its result or an Unknown; NoValue entries dropped."""
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                if key in self._functions:
                    return self._functions[key](arg, where)
                if key.startswith("Fn::"):
                    return Unknown(f"{key} at {where}")
            out = {}
            for k, v in value.items():
                resolved = self.resolve(v, f"{where}.{k}" if where else str(k))
                if resolved is not NO_VALUE:
                    out[str(k)] = resolved
            return out
        if isinstance(value, list):
            items = [self.resolve(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return [i for i in items if i is not NO_VALUE]
        if isinstance(value, bool | int | float):
            return value
        return str(value) if value is not None else value

    def condition(self, name: str) -> bool | Unknown:
        """Value of a named template condition."""
        if name not in self._conditions:
            self._conditions[name] = Unknown(f"condition {name}")  # guards against cycles
            body = (self.template.get("Conditions") or {}).get(name)
            result = self.resolve(body, f"Conditions.{name}") if body is not None else Unknown(
                f"condition {name} (not defined)")
            self._conditions[name] = result if isinstance(result, bool | Unknown) else Unknown(
                f"condition {name}")
        return self._conditions[name]

    def deployed(self, logical_id: str) -> bool | Unknown:
        """Whether a resource is created: its Condition, when it has one."""
        resource = self.stack.resources.get(logical_id) or {}
        name = resource.get("Condition")
        return True if name is None else self.condition(str(name))

    # -- physical names and attributes ---------------------------------------------------------------------
    def pseudo(self, name: str) -> Any:
        env = self.stack.env
        values: dict[str, Any] = {
            "AWS::AccountId": env.account or Unknown("AWS::AccountId (environment-agnostic stack)"),
            "AWS::Region": env.region or Unknown("AWS::Region (environment-agnostic stack)"),
            "AWS::Partition": env.partition, "AWS::URLSuffix": url_suffix(env.partition),
            "AWS::StackName": self.stack.name, "AWS::NoValue": NO_VALUE,
            "AWS::StackId": Unknown("AWS::StackId"), "AWS::NotificationARNs": Unknown("AWS::NotificationARNs"),
        }
        return values.get(name, Unknown(name))

    def _prop(self, logical_id: str, prop: str) -> Any:
        props = (self.stack.resources.get(logical_id) or {}).get("Properties") or {}
        value = props.get(prop)
        return None if value is None else self.resolve(value, f"Resources.{logical_id}.Properties.{prop}")

    def _generated(self, logical_id: str) -> str:
        """The physical name CloudFormation generates; its random suffix is unknown, so it is marked."""
        return f"{self.stack.name}-{logical_id}-GENERATED"[:64]

    def _arn(self, service: str, region: str, resource: str) -> Any:
        env = self.stack.env
        account = env.account or Unknown("AWS::AccountId (environment-agnostic stack)")
        parts: list[Any] = ["arn", env.partition, service, region, account, resource]
        if any(isinstance(p, Unknown) for p in parts):
            return Unknown(f"ARN of {resource}")
        return ":".join(parts)

    def role_name(self, logical_id: str) -> Any:
        name = self._prop(logical_id, "RoleName")
        return self._generated(logical_id) if name is None else name

    def physical(self, logical_id: str, attribute: str | None) -> Any:
        """Ref (attribute None) or Fn::GetAtt of a resource, for the types the verifier reads."""
        resource = self.stack.resources.get(logical_id)
        if not isinstance(resource, dict):
            return Unknown(f"{logical_id} (no such resource or parameter)")
        rtype = resource.get("Type", "")
        env = self.stack.env
        where = f"{logical_id}.{attribute}" if attribute else f"Ref {logical_id}"
        if rtype == "AWS::IAM::Role":
            name = self.role_name(logical_id)
            if attribute is None or attribute == "RoleName":
                return name
            if attribute == "Arn":
                path = self._prop(logical_id, "Path") or "/"
                if isinstance(name, Unknown) or isinstance(path, Unknown):
                    return Unknown(f"{where}")
                return self._arn("iam", "", f"role{path}{name}")
        if rtype == "AWS::IAM::ManagedPolicy" and attribute in (None, "PolicyArn"):
            name = self._prop(logical_id, "ManagedPolicyName") or self._generated(logical_id)
            path = self._prop(logical_id, "Path") or "/"
            if isinstance(name, Unknown) or isinstance(path, Unknown):
                return Unknown(where)
            return self._arn("iam", "", f"policy{path}{name}")
        if rtype == "AWS::SageMaker::ModelPackageGroup":
            name = self._prop(logical_id, "ModelPackageGroupName")
            if attribute == "ModelPackageGroupName":
                return name if name is not None else Unknown(where)
            if attribute in (None, "ModelPackageGroupArn") and isinstance(name, str):
                region = env.region or Unknown("AWS::Region (environment-agnostic stack)")
                if isinstance(region, Unknown):
                    return Unknown(where)
                return self._arn("sagemaker", region, f"model-package-group/{name}")
        if rtype in _NAMED:
            return self._named(logical_id, rtype, attribute, where)
        return Unknown(f"{where} ({rtype})")

    def _named(self, logical_id: str, rtype: str, attribute: str | None, where: str) -> Any:
        prop, ref, attributes = _NAMED[rtype]
        template = ref if attribute is None else attributes.get(attribute)
        name = self._prop(logical_id, prop)
        env = self.stack.env
        if template is None or not isinstance(name, str) or not env.account or not env.region:
            return Unknown(f"{where} ({rtype})")
        return template.format(name=name, p=env.partition, r=env.region, a=env.account,
                               suffix=url_suffix(env.partition))

    # -- intrinsic functions -------------------------------------------------------------------------------
    def _ref(self, arg: Any, where: str) -> Any:
        name = str(arg)
        if name.startswith("AWS::"):
            return self.pseudo(name)
        parameters = self.template.get("Parameters") or {}
        if name in parameters:
            default = (parameters[name] or {}).get("Default")
            ptype = str((parameters[name] or {}).get("Type", ""))
            if default is None or ptype.startswith("AWS::SSM::Parameter"):
                return Unknown(f"parameter {name}")
            return self.resolve(default, f"Parameters.{name}.Default")
        return self.physical(name, None)

    def _get_att(self, arg: Any, where: str) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        elif isinstance(arg, list) and len(arg) == 2:
            logical_id, attribute = str(arg[0]), self.resolve(arg[1], where)
            if isinstance(attribute, Unknown):
                return Unknown(f"Fn::GetAtt {logical_id} at {where}")
        else:
            return Unknown(f"Fn::GetAtt at {where}")
        return self.physical(logical_id, str(attribute))

    def _join(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Join at {where}")
        delimiter, items = self.resolve(arg[0], where), self.resolve(arg[1], where)
        if isinstance(delimiter, Unknown) or not isinstance(items, list):
            return Unknown(f"Fn::Join at {where}")
        missing = unknown_names(items)
        if missing:
            return Unknown(f"Fn::Join at {where} ({', '.join(missing)})")
        return str(delimiter).join(str(i) for i in items)

    def _sub(self, arg: Any, where: str) -> Any:
        if isinstance(arg, list) and len(arg) == 2:
            text, variables = arg[0], self.resolve(arg[1], where)
        else:
            text, variables = arg, {}
        if not isinstance(text, str) or not isinstance(variables, dict):
            return Unknown(f"Fn::Sub at {where}")
        missing: list[str] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif name.startswith("AWS::"):
                value = self.pseudo(name)
            elif "." in name:
                logical_id, _, attribute = name.partition(".")
                value = self.physical(logical_id, attribute)
            else:
                value = self._ref(name, where)
            if isinstance(value, Unknown) or is_unknown(value):
                missing.append(name)
                return ""
            return str(value)

        result = _SUB_VARIABLE.sub(replace, text)
        return Unknown(f"Fn::Sub at {where} ({', '.join(missing)})") if missing else result

    def _select(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Select at {where}")
        index, items = self.resolve(arg[0], where), self.resolve(arg[1], where)
        try:
            return items[int(index)] if isinstance(items, list) else Unknown(f"Fn::Select at {where}")
        except (ValueError, TypeError, IndexError):
            return Unknown(f"Fn::Select at {where}")

    def _split(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Split at {where}")
        delimiter, text = self.resolve(arg[0], where), self.resolve(arg[1], where)
        if not isinstance(delimiter, str) or not isinstance(text, str):
            return Unknown(f"Fn::Split at {where}")
        return text.split(delimiter)

    def _if(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3):
            return Unknown(f"Fn::If at {where}")
        chosen = self.condition(str(arg[0]))
        if isinstance(chosen, Unknown):
            return Unknown(f"Fn::If {arg[0]} at {where}")
        return self.resolve(arg[1] if chosen else arg[2], where)

    def _import(self, arg: Any, where: str) -> Any:
        name = self.resolve(arg, where)
        if isinstance(name, str) and name in self.exports:
            return self.exports[name]
        return Unknown(f"Fn::ImportValue {name} (not exported by any stack in the input)")

    def _find_in_map(self, arg: Any, where: str) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return Unknown(f"Fn::FindInMap at {where}")
        keys = [self.resolve(a, where) for a in arg[:3]]
        try:
            return self.resolve((self.template.get("Mappings") or {})[keys[0]][keys[1]][keys[2]], where)
        except (KeyError, TypeError):
            return Unknown(f"Fn::FindInMap {keys} at {where}")

    def _condition_ref(self, arg: Any, where: str) -> Any:
        return self.condition(str(arg))

    def _equals(self, arg: Any, where: str) -> Any:
        values = self.resolve(arg, where)
        if not isinstance(values, list) or len(values) != 2 or is_unknown(values):
            return Unknown(f"Fn::Equals at {where}")
        return values[0] == values[1]

    def _bools(self, arg: Any, where: str) -> list[bool | Unknown]:
        items = arg if isinstance(arg, list) else [arg]
        out: list[bool | Unknown] = []
        for item in items:
            value = self.resolve(item, where)
            out.append(value if isinstance(value, bool | Unknown) else Unknown(f"condition at {where}"))
        return out

    def _and(self, arg: Any, where: str) -> Any:
        values = self._bools(arg, where)
        if False in values:
            return False
        return Unknown(f"Fn::And at {where}") if any(isinstance(v, Unknown) for v in values) else True

    def _or(self, arg: Any, where: str) -> Any:
        values = self._bools(arg, where)
        if True in values:
            return True
        return Unknown(f"Fn::Or at {where}") if any(isinstance(v, Unknown) for v in values) else False

    def _not(self, arg: Any, where: str) -> Any:
        values = self._bools(arg, where)
        if len(values) != 1 or isinstance(values[0], Unknown):
            return Unknown(f"Fn::Not at {where}")
        return not values[0]


def assembly_exports(stacks: list[StackTemplate]) -> dict[str, Any]:
    """Export name -> value over every stack, so Fn::ImportValue resolves within the assembly."""
    exports: dict[str, Any] = {}
    for _ in range(2):  # a second pass lets an export use another stack's export
        for stack in stacks:
            resolver = Resolver(stack, exports)
            for output_id, output in (stack.template.get("Outputs") or {}).items():
                export = (output or {}).get("Export")
                if not isinstance(export, dict):
                    continue
                name = resolver.resolve(export.get("Name"), f"Outputs.{output_id}.Export.Name")
                if isinstance(name, str):
                    exports[name] = resolver.resolve(output.get("Value"), f"Outputs.{output_id}.Value")
    return exports
