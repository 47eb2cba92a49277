"""Intrinsic resolution: each function as CloudFormation evaluates it, or an Unknown naming what is missing."""

from __future__ import annotations

import pytest

from modelgov.policies.verify.assembly import StackEnv, StackTemplate
from modelgov.policies.verify.intrinsics import Resolver, Unknown, assembly_exports

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "NoDefault": {"Type": "String"}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                   "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
                   "Unknowable": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]}},
    "Mappings": {"Stages": {"prod": {"Top": "Production"}}},
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "modelgov-qa", "Path": "/ml/"}},
        "Generated": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Group": {"Type": "AWS::SageMaker::ModelPackageGroup", "Properties": {"ModelPackageGroupName": "churn"}},
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p"}},
        "Dev": {"Type": "AWS::IAM::Role", "Condition": "NotProd", "Properties": {}},
    },
    "Outputs": {"GroupArn": {"Value": {"Ref": "Group"}, "Export": {"Name": "registry-group-arn"}}},
}


@pytest.fixture
def resolver() -> Resolver:
    stack = StackTemplate("registry", "t.json", TEMPLATE, StackEnv("222222222222", "us-east-1", "aws"))
    return Resolver(stack, assembly_exports([stack]))


@pytest.mark.parametrize(("value", "expected"), [
    ({"Ref": "AWS::AccountId"}, "222222222222"),
    ({"Ref": "AWS::Partition"}, "aws"),
    ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
    ({"Ref": "Env"}, "prod"),
    ({"Ref": "Role"}, "modelgov-qa"),
    ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::222222222222:role/ml/modelgov-qa"),
    ({"Fn::GetAtt": "Role.Arn"}, "arn:aws:iam::222222222222:role/ml/modelgov-qa"),
    ({"Ref": "Group"}, "arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn"),
    ({"Ref": "Managed"}, "arn:aws:iam::222222222222:policy/p"),
    ({"Fn::Join": ["/", ["a", {"Ref": "Env"}, "c"]]}, "a/prod/c"),
    ({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}"},
     "arn:aws:iam::222222222222:role/modelgov-qa"),
    ({"Fn::Sub": ["${X}-${Role.Arn}", {"X": "x"}]}, "x-arn:aws:iam::222222222222:role/ml/modelgov-qa"),
    ({"Fn::Sub": "${!Literal}"}, "${Literal}"),
    ({"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}, "b"),
    ({"Fn::If": ["IsProd", "yes", "no"]}, "yes"),
    ({"Fn::If": ["NotProd", "yes", {"Ref": "AWS::NoValue"}]}, None),
    ({"Fn::FindInMap": ["Stages", {"Ref": "Env"}, "Top"]}, "Production"),
    ({"Fn::ImportValue": "registry-group-arn"}, "arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn"),
])
def test_resolves(resolver, value, expected):
    resolved = resolver.resolve({"v": value})
    assert resolved.get("v") == expected


@pytest.mark.parametrize(("value", "named"), [
    ({"Ref": "NoDefault"}, "parameter NoDefault"),
    ({"Fn::ImportValue": "nobody-exports-this"}, "nobody-exports-this"),
    ({"Fn::If": ["Unknowable", "a", "b"]}, "Fn::If Unknowable"),
    ({"Fn::Sub": "x-${NoDefault}"}, "NoDefault"),
    ({"Fn::GetAtt": ["Generated", "RoleId"]}, "Generated.RoleId"),
    ({"Fn::GetAZs": ""}, "Fn::GetAZs"),
])
def test_unresolvable_values_are_named(resolver, value, named):
    resolved = resolver.resolve(value, "Resources.X.Properties.P")
    assert isinstance(resolved, Unknown)
    assert named in resolved.name


def test_conditions_decide_deployment(resolver):
    assert resolver.deployed("Role") is True
    assert resolver.deployed("Dev") is False


def test_environment_agnostic_stack_leaves_account_unknown():
    stack = StackTemplate("agnostic", "t.json", TEMPLATE, StackEnv())
    resolved = Resolver(stack).resolve({"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"})
    assert isinstance(resolved, Unknown) and "AWS::AccountId" in resolved.name


@pytest.mark.parametrize(("resource", "value", "expected"), [
    ({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/modelgov/x"}}, {"Fn::GetAtt": ["R", "Arn"]},
     "arn:aws:logs:us-east-1:222222222222:log-group:/modelgov/x:*"),
    ({"Type": "AWS::Events::EventBus", "Properties": {"Name": "governance"}}, {"Fn::GetAtt": ["R", "Arn"]},
     "arn:aws:events:us-east-1:222222222222:event-bus/governance"),
    ({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}, {"Ref": "R"},
     "arn:aws:sns:us-east-1:222222222222:t"),
    ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}}, {"Ref": "R"},
     "https://sqs.us-east-1.amazonaws.com/222222222222/q"),
])
def test_named_resource_arns(resource, value, expected):
    stack = StackTemplate("s", "t.json", {"Resources": {"R": resource}}, StackEnv("222222222222", "us-east-1", "aws"))
    assert Resolver(stack).resolve(value) == expected


def test_generated_names_stay_unknown():
    stack = StackTemplate("s", "t.json", {"Resources": {"R": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}},
                          StackEnv("222222222222", "us-east-1", "aws"))
    assert isinstance(Resolver(stack).resolve({"Fn::GetAtt": ["R", "Arn"]}), Unknown)
