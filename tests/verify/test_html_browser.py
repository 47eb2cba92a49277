"""The HTML report rendered by headless Chromium: a non-blank screenshot, the heatmap and a counterexample."""

from __future__ import annotations

import html
import shutil
import struct
import subprocess
import urllib.parse
import zlib
from pathlib import Path

import pytest

from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.render import render_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars"]
SIZE = (1200, 800)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120, check=True)


def png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct RGB(A) pixels of an 8-bit PNG (filters undone), standard library only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 4 if colour == 6 else 3
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours = bytearray(stride), set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        if row % 8 == 0:
            colours.update(bytes(line[i:i + 3]) for i in range(0, stride, channels * 4))
        previous = line
    return width, height, colours


@pytest.mark.browser
def test_html_report_renders_heatmap_and_counterexample(composition, tmp_path):
    composition.resource("DataScientistRole")["Properties"]["ManagedPolicyArns"].append(
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    result = verify_stacks(composition.stacks(), composition.spec)
    page = tmp_path / "verify.html"
    page.write_text(render_html(result), encoding="utf-8")
    text = page.read_text()
    assert "http://" not in text and "https://" not in text  # self-contained: nothing to fetch

    shot = tmp_path / "shot.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={SIZE[0]},{SIZE[1]}", page.as_uri())
    width, height, colours = png_pixels(shot.read_bytes())
    assert (width, height) == SIZE
    assert len(colours) > 5  # not blank
    assert bytes((0xD9, 0x30, 0x25)) in colours  # a red violation cell is on screen

    violation = next(v for v in result.violations if v.persona == "data-scientist")
    label = next(lbl for lbl in result.matrices[violation.principal] if violation.covers(lbl))
    anchor = urllib.parse.quote(f"{violation.principal}|{label}")
    dom = chromium(tmp_path, "--dump-dom", f"{page.as_uri()}#cell={anchor}").stdout.decode()
    assert dom.count('class="violation"') >= 1 and dom.count('class="allowed"') >= 1
    details = dom.split('id="details">', 1)[1].split("</div>", 1)[0]
    assert html.escape(label) in details and "counterexample" in details
    assert "arn:aws:iam::222222222222:role/modelgov-data-scientist" in details
    assert "AllowAllNonAdminSageMakerActions" in details


@pytest.mark.browser
def test_html_report_shows_who_may_assume_each_role(composition, tmp_path):
    """The trust heatmap: the widened QA trust is a red cell whose details give the sts:AssumeRole counterexample."""
    statement = composition.resource("QaRole")["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    statement["Condition"]["ArnLike"]["aws:PrincipalArn"] = [
        p.replace("_????????????????", "_*") for p in statement["Condition"]["ArnLike"]["aws:PrincipalArn"]]
    result = verify_stacks(composition.stacks(), composition.spec)
    violation = next(v for v in result.violations if v.kind == "trust" and "near miss" in v.label)
    page = tmp_path / "verify.html"
    page.write_text(render_html(result), encoding="utf-8")
    assert "http://" not in page.read_text() and "https://" not in page.read_text()

    anchor = urllib.parse.quote(f"{violation.principal}|{violation.label}")
    dom = chromium(tmp_path, "--dump-dom", f"{page.as_uri()}#cell={anchor}").stdout.decode()
    trust = dom.split('id="trust"', 1)[1].split("</table>", 1)[0]
    assert trust.count('class="violation"') == 2 and trust.count('data-kind="trust"') > 20  # near miss, unnamed
    assert 'class="allowed"' in trust
    details = dom.split('id="details">', 1)[1].split("</div>", 1)[0]
    assert html.escape(violation.label, quote=False) in details and "V201" in details and "counterexample" in details
    assert "AWSReservedSSO_QASpecialist_admin_a1b2c3d4e5f6a7b8" in details and "sts:AssumeRole" in details
    assert "TrustPermissionSets" in details

    shot = tmp_path / "shot.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri())
    assert bytes((0xD9, 0x30, 0x25)) in png_pixels(shot.read_bytes())[2]  # the red trust cell is on screen
