"""One self-contained HTML page (no CDN, no network): a persona x transition heatmap and a persona role x caller
class heatmap (who may assume it), violations in red, the counterexample and decisive statements shown when a
cell is clicked."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from ..result import VerifyResult

_STYLE = """
body{font:14px system-ui,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}.summary{margin:0 0 12px}
.pass{color:#17693a}.fail{color:#b3261e}
table.heatmap{border-collapse:collapse;margin:8px 0}
.heatmap th{font-weight:600;padding:4px 6px;text-align:left;white-space:nowrap}
.heatmap th.col{writing-mode:vertical-rl;transform:rotate(180deg);font-size:11px;height:260px;
vertical-align:top;text-align:left;overflow:hidden}.heatmap th.col.trust{height:400px}
.legend{margin-bottom:12px}
.heatmap td{width:22px;height:22px;border:1px solid #fff;cursor:pointer;text-align:center;font-size:11px}
td.allowed{background:#3c9d5d}td.denied{background:#d9dde3}td.partly{background:#9fd3ad}
td.violation{background:#d93025;color:#fff}td.unknown{background:#f2a600}td.none{background:#f6f7f9;cursor:default}
#details{border:1px solid #ccc;padding:8px 12px;min-height:80px;white-space:pre-wrap;font:12px ui-monospace,monospace}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;font-size:12px}
"""

_SCRIPT = """
const data = JSON.parse(document.getElementById('verify-data').textContent);
function show(cell) {
  const p = cell.dataset.principal, label = cell.dataset.label, kind = cell.dataset.kind;
  const entry = ((kind === 'trust' ? data.trust : data.matrices)[p] || {})[label];
  const found = data.violations.filter(v => v.kind === kind && v.principal === p && v.cell_labels.includes(label));
  let text = p + '\\n' + label + '\\n';
  if (entry) text += 'expected: ' + entry.expected + '  deployed: ' + entry.actual + '\\n';
  if (entry && entry.why) text += 'spec: ' + entry.why + '\\ncallers tried: ' + entry.callers.join(', ') + '\\n';
  for (const v of found) {
    text += '\\n' + v.code + ' ' + v.message + '\\ncounterexample:\\n' + JSON.stringify(v.counterexample, null, 2);
    for (const d of v.decisive) text += '\\ndecisive: ' + d.layer + ' ' + d.effect + ' ' + d.policy +
      (d.sid ? ' Sid ' + d.sid : ' statement ' + d.statement_index) + (d.logical_id ? ' (' + d.logical_id + ')' : '');
    text += '\\n';
  }
  document.getElementById('details').textContent = text;
}
for (const cell of document.querySelectorAll('td[data-label]')) cell.addEventListener('click', () => show(cell));
// #cell=<principal>|<label> clicks that cell (deep links from CI logs); else the first violation is shown
const wanted = decodeURIComponent(location.hash.replace(/^#cell=/, ''));
const target = [...document.querySelectorAll('td[data-label]')]
  .find(c => c.dataset.principal + '|' + c.dataset.label === wanted);
const first = target || document.querySelector('td.violation');
if (first) first.dispatchEvent(new MouseEvent('click', {bubbles: true}));
"""


def _state(entry: Any) -> str:
    if entry is None:
        return "none"
    if entry.violation:
        return "violation"
    return str(entry.actual) if entry.actual in ("allowed", "denied", "partly", "unknown") else "none"


def _table(result: VerifyResult, kind: str, table_id: str, matrices: Mapping[str, Mapping[str, Any]],
           labels: list[str]) -> str:
    """One heatmap: a row per principal, a column per label, each cell clickable for its details."""
    head = "".join(f'<th class="col{" trust" if kind == "trust" else ""}">{html.escape(label)}</th>'
                   for label in labels)
    rows = []
    personas = [result.personas.get(p) or "" for p in matrices]
    for principal, matrix in matrices.items():
        persona = result.personas.get(principal) or ""
        if personas.count(persona) > 1:  # the persona's role in several accounts: name each
            persona = principal
        cells = []
        for label in labels:
            entry = matrix.get(label)
            state = _state(entry)
            mark = "✗" if state == "violation" else "?" if state == "unknown" else ""
            title = html.escape(f"{principal} {label}: {state}", quote=True)
            cells.append(f'<td class="{state}" title="{title}" data-kind="{kind}" '
                         f'data-principal="{html.escape(principal, quote=True)}"'
                         f' data-label="{html.escape(label, quote=True)}">{mark}</td>')
        name = html.escape(persona or principal)
        rows.append(f'<tr><th title="{html.escape(principal, quote=True)}">{name}</th>{"".join(cells)}</tr>')
    first = "principal" if kind == "lifecycle" else "persona role"
    return (f'<table class="heatmap" id="{table_id}"><thead><tr><th>{first}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def render_html(result: VerifyResult) -> str:
    labels = sorted({label for matrix in result.matrices.values() for label in matrix})
    callers = list(dict.fromkeys(label for entries in result.trust.values() for label in entries))
    payload = result.to_dict()
    for violation, raw in zip(result.violations, payload["violations"], strict=True):
        raw["cell_labels"] = ([violation.label] if violation.kind == "trust"
                              else [label for label in labels if violation.covers(label)])
    data = json.dumps(payload).replace("</", "<\\/")
    lifecycle = _table(result, "lifecycle", "heatmap", result.matrices, labels)
    trust = ('<h2>who may assume each persona role</h2><p>sts:AssumeRole on each persona role by every class of '
             'caller, against the persona\'s trust in the spec (Identity Center columns are roles in the '
             'persona role\'s own account)</p>' + _table(result, "trust", "trust", result.trust, callers)
             if result.trust else "")
    verdict = ('<span class="pass">PASS</span>' if result.ok else '<span class="fail">FAIL</span>')
    stats = result.stats
    summary = (f"{verdict}: {len(result.violations)} violation(s), {len(result.unknowns)} note(s); "
               f"{stats.get('principals', 0)} principals, {stats.get('groups', 0)} groups, "
               f"{stats.get('evaluations', 0)} evaluations in {stats.get('seconds', 0)} s")
    legend = ('<div class="legend"><span class="allowed" style="background:#3c9d5d;color:#fff">allowed</span>'
              '<span style="background:#9fd3ad">partly</span><span style="background:#d9dde3">denied</span>'
              '<span style="background:#d93025;color:#fff">violation</span>'
              '<span style="background:#f2a600">unknown</span></div>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>modelgov verify</title>'
            f"<style>{_STYLE}</style></head><body><h1>modelgov verify</h1><p class=\"summary\">{summary}</p>"
            f'{legend}{lifecycle}{trust}<h2>details</h2><div id="details">click a cell</div>'
            f'<script type="application/json" id="verify-data">{data}</script><script>{_SCRIPT}</script>'
            "</body></html>\n")
