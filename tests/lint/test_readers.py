"""The positioned readers: every slip reported at its line and column, the tree repaired around it."""

from __future__ import annotations

import pytest

from modelgov.policies.lint.jsonparse import parse_json
from modelgov.policies.lint.textmap import TextMap, through_string
from modelgov.policies.lint.yamlparse import parse_yaml


def _problems(text: str) -> list[tuple[str, int, int, str]]:
    _, problems = parse_json(text)
    where = TextMap(text)
    return [(p.code, *where.locate(p.offset), p.message) for p in problems]


def test_missing_comma_points_right_after_the_previous_value() -> None:
    text = '{\n"a": "Development"\n"b": "Approved"\n}'
    assert [(c, line, col) for c, line, col, _ in _problems(text)] == [("L001", 2, 19)]


def test_every_slip_is_reported_not_only_the_first() -> None:
    text = '{\n"a": [1, 2,],\n"b": 1\n"c": {"d": 1,}\n}'
    codes = [(line, col, msg.split(":")[0]) for _, line, col, msg in _problems(text)]
    assert codes == [(2, 11, "trailing comma before ']'"), (3, 7, "missing comma between members, found '\"c\"'"),
                     (4, 13, "trailing comma before '}'")]


def test_colon_inside_the_quoted_operator_is_explained_and_repaired() -> None:
    root, problems = parse_json('{"StringEquals:" {"k": "v"}}')
    assert root is not None and root.to_python() == {"StringEquals": {"k": "v"}}
    assert problems[0].offset == 14 and "colon is inside the quoted name" in problems[0].message


def test_duplicate_keys_are_kept_and_reported_at_the_second() -> None:
    root, problems = parse_json('{"k": 1,\n "k": 2}')
    assert root is not None and root.to_python() == {"k": 2} and len(root.pairs) == 2
    assert [(p.code, TextMap('{"k": 1,\n "k": 2}').locate(p.offset)) for p in problems] == [("L002", (2, 2))]


def test_typographic_quotes_are_read_and_reported_once_per_line() -> None:
    root, problems = parse_json('{\u201cAction\u201d: \u201c*\u201d}')
    assert root is not None and root.to_python() == {"Action": "*"}
    assert [p.code for p in problems] == ["L003"]


def test_bare_statements_joined_by_commas_become_a_list() -> None:
    root, problems = parse_json('{"Effect": "Allow"},\n{"Effect": "Deny"}')
    assert root is not None and root.kind == "array" and len(root.items) == 2
    assert "extra data" in problems[0].message


def test_a_bare_member_becomes_an_object() -> None:
    root, problems = parse_json('"Action": ["s3:GetObject"]')
    assert root is not None and root.to_python() == {"Action": ["s3:GetObject"]}
    assert "bare member" in problems[0].message


@pytest.mark.parametrize("text", ['{"a": ', '[1, 2', '{"a": "b', '', '{"a": 1} trailing', '{"a" 1 2}', '{,}'])
def test_unrecoverable_text_yields_no_tree_and_a_positioned_problem(text: str) -> None:
    root, problems = parse_json(text)
    assert root is None and problems and problems[-1].code == "L001"
    assert 0 <= problems[-1].offset <= len(text)


def test_unquoted_placeholder_is_skipped_with_a_finding() -> None:
    root, problems = parse_json('{"Principal": <principal>, "Action": "*"}')
    assert root is not None and root.to_python()["Action"] == "*"
    assert problems[0].offset == 14 and "<principal>" in problems[0].message


def test_escaped_string_offsets_map_back_to_the_raw_text() -> None:
    text = '"{\\"Version\\": \\"2012-10-17 \\"}"'
    outer, _ = parse_json(text)
    assert outer is not None
    inner_text = outer.value
    inner, _ = parse_json(inner_text)
    assert inner is not None
    version = inner.get("Version")
    assert version is not None
    locate = through_string(outer, TextMap(text).locate)
    assert locate(version.start) == (1, 16)  # the backslash of the escaped quote that opens "2012-10-17 " in the file


def test_yaml_block_scalar_offsets_map_to_the_file() -> None:
    text = "P: !Sub |\n    {\n      \"Effect\": \"Alow\"\n    }\n"
    root, problems = parse_yaml(text)
    assert root is not None and not problems
    scalar = root.get("P")
    assert scalar is not None and scalar.keys() == ["Fn::Sub"]
    string = scalar.pairs[0][1]
    inner, _ = parse_json(string.value)
    assert inner is not None
    effect = inner.get("Effect")
    assert effect is not None
    assert through_string(string, TextMap(text).locate)(effect.start) == (3, 17)


def test_yaml_short_tags_become_long_form_intrinsics() -> None:
    root, _ = parse_yaml("A: !Ref X\nB: !GetAtt R.Arn\nC: !Join ['', [a, b]]\n")
    assert root is not None
    assert root.to_python() == {"A": {"Ref": "X"}, "B": {"Fn::GetAtt": "R.Arn"}, "C": {"Fn::Join": ["", ["a", "b"]]}}


def test_yaml_duplicate_keys_and_syntax_errors_are_reported() -> None:
    _, problems = parse_yaml("a: 1\na: 2\n")
    assert [p.code for p in problems] == ["L002"]
    root, problems = parse_yaml("a: [1, 2\n")
    assert root is None and problems[0].code == "L001"
