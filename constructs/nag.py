"""cdk-nag granular finding ids: the text cdk-nag prints for a resolved value, so acknowledgements match it."""

from __future__ import annotations


def nag_text(value: object) -> str:
    """Fn::Join flattened, Ref X as <X>, Fn::GetAtt [X, Y] as <X.Y>: how cdk-nag renders a resolved value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(nag_text(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<" + ".".join(map(str, value["Fn::GetAtt"])) + ">"
    return str(value)
