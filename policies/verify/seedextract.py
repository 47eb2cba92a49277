"""Regenerate policies/data/managed_policies/*.json from the seed documents (run by hand, never at runtime).

`python -m modelgov.policies.verify.seedextract SEED_DIR OUT_DIR` reads each policy's JSON block from the
seed text at the lines listed in SEEDS, removes the PDF page furniture (running header, footer title,
page numbers, `## Page N`), re-joins string literals the extraction wrapped mid-line, parses it strictly
(duplicate keys rejected) and writes one file per policy naming the seed file and lines it came from.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

# name -> (seed file, first line, last line, version as the seed states it, complete?)
SEEDS: dict[str, tuple[str, int, int, str, bool]] = {
    "AmazonSageMakerFullAccess": ("000_e90d49b69fb2e9fd.txt", 52219, 53092, "not stated in the seed", True),
    "AmazonSageMakerReadOnly": ("000_e90d49b69fb2e9fd.txt", 53117, 53180, "not stated in the seed", True),
    "AmazonSageMakerCanvasFullAccess": ("000_e90d49b69fb2e9fd.txt", 53296, 53947,
                                        "11 (August 15, 2024; changelog at 000 L55040-55052)", True),
    # The seed shows only the read statement (without Resource); the real policy grants more, so it is
    # shipped as incomplete and the verifier treats it like an unknown managed policy.
    "AmazonSageMakerModelRegistryFullAccess": ("003_4eb37286edd684ca.txt", 61, 82, "not stated in the seed",
                                               False),
}
_FURNITURE = re.compile(r"^\s*(Developer Guide|Amazon SageMaker AI|AWS managed policies for SageMaker AI|\d+|"
                        r"## Page \d+|)\s*$")


def _in_string(text: str) -> bool:
    """True when `text` ends inside a JSON string literal."""
    inside, escaped = False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"duplicate keys {sorted(duplicates)}")
    return dict(pairs)


def extract(lines: list[str]) -> dict[str, Any]:
    text = ""
    for raw in lines:
        line = raw.rstrip("\n")
        if _FURNITURE.match(line) or line.strip().startswith("```"):
            continue
        text += line.strip() if _in_string(text) else "\n" + line
    parsed: dict[str, Any] = json.loads(text, object_pairs_hook=_no_duplicates)
    return parsed


def main(argv: list[str]) -> int:
    seed_dir, out_dir = Path(argv[0]), Path(argv[1])
    for name, (file, first, last, version, complete) in SEEDS.items():
        lines = (seed_dir / file).read_text(encoding="utf-8").splitlines()[first - 1:last]
        data = {"name": name, "arn": f"arn:aws:iam::aws:policy/{name}", "version": version,
                "source": f"../shared/seeds/{file}:{first}-{last}",
                "generator": "python -m modelgov.policies.verify.seedextract", "complete": complete,
                "document": extract(lines)}
        (out_dir / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
