"""JUnit XML: one testsuite per principal, one testcase per persona x transition of its matrix; one testsuite per
persona role for who may assume it, one testcase per caller class."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..result import VerifyResult, blocking
from .common import counterexample, decisive


def render_junit(result: VerifyResult) -> str:
    root = ET.Element("testsuites", name="modelgov verify")
    total = failures = 0
    for principal, matrix in result.matrices.items():
        persona = result.personas.get(principal) or principal
        suite = ET.SubElement(root, "testsuite", name=persona)
        suite_failures = 0
        for label, entry in matrix.items():
            case = ET.SubElement(suite, "testcase", classname=f"modelgov.verify.{persona}", name=label)
            total += 1
            if not entry.violation:
                continue
            suite_failures += 1
            found = [v for v in result.violations if v.principal == principal and v.covers(label)]
            text = "\n".join(f"{v.code} {v.message}\ncounterexample: {counterexample(v.request)}\n"
                             + "\n".join(f"decisive: {decisive(d)}" for d in v.decisive) for v in found)
            failure = ET.SubElement(case, "failure", type=found[0].code if found else "V005",
                                    message=f"{label}: expected {entry.expected}, deployed {entry.actual}")
            failure.text = text or f"{principal}: no deployed role makes this transition"
        suite.set("tests", str(len(matrix)))
        suite.set("failures", str(suite_failures))
        failures += suite_failures
    roles_of = [result.personas.get(p) or p for p in result.trust]
    for principal, entries in result.trust.items():
        persona = result.personas.get(principal) or principal
        name = f"{persona} trust" if roles_of.count(persona) == 1 else f"{persona} trust ({principal})"
        suite = ET.SubElement(root, "testsuite", name=name)
        suite_failures = 0
        for label, trusted in entries.items():
            case = ET.SubElement(suite, "testcase", classname=f"modelgov.verify.trust.{persona}", name=label)
            total += 1
            if not trusted.violation:
                continue
            suite_failures += 1
            found = [v for v in result.violations if v.kind == "trust" and v.principal == principal
                     and v.label == label]
            text = "\n".join(f"{v.code} {v.message}\ncounterexample: {counterexample(v.request)}\n"
                             + "\n".join(f"decisive: {decisive(d)}" for d in v.decisive) for v in found)
            failure = ET.SubElement(case, "failure", type=found[0].code if found else "V203",
                                    message=f"{label}: expected {trusted.expected}, deployed {trusted.actual}")
            failure.text = text or trusted.why
        suite.set("tests", str(len(entries)))
        suite.set("failures", str(suite_failures))
        failures += suite_failures
    unknowns = ET.SubElement(root, "testsuite", name="unknowns", tests=str(len(result.unknowns)), failures="0")
    for note in result.unknowns:
        case = ET.SubElement(unknowns, "testcase", classname="modelgov.verify.unknowns", name=note.code)
        if blocking(note.code):
            ET.SubElement(case, "failure", type=note.code, message=note.message)
            failures += 1
        else:
            ET.SubElement(case, "system-out").text = note.message
    root.set("tests", str(total + len(result.unknowns)))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
