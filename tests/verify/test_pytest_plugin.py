"""The pytest plugin as a platform team uses it: a test file in its own project, run by pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROJECT_TEST = '''
def test_qa_nominates(governance):
    governance.assert_allowed("qa", "QA->Production:PendingApproval")
    governance.assert_allowed("lead-engineer", "any->Development:PendingApproval")
    governance.assert_denied("data-scientist", "QA->Production:PendingApproval")
    governance.assert_denied("qa", "QA->Production:Approved")


def test_wrong_expectation_prints_the_counterexample(governance):
    governance.assert_denied("qa", "QA->Production:PendingApproval")
'''


def test_governance_fixture_asserts_and_prints_counterexamples(composition, tmp_path):
    cdk_out = composition.write_assembly(tmp_path / "cdk.out")
    (tmp_path / "test_governance.py").write_text(PROJECT_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\ngovernance_spec = governance.yaml\n")
    (tmp_path / "governance.yaml").write_text((REPO / "governance.yaml").read_text())
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                          f"--governance-cdk-out={cdk_out}", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert "1 failed, 1 passed" in out, out[-3000:]
    assert "qa QA->Production:PendingApproval should be denied, but the deployed policies say Allowed" in out
    assert '"principal": "arn:aws:iam::222222222222:role/modelgov-qa"' in out
    assert '"sagemaker:CurrentModelLifeCycleStageStatus": "Approved"' in out
    assert "decisive: identity Allow" in out


def test_names_outside_the_catalog_are_rejected_not_passed_vacuously(composition):
    import pytest

    from modelgov.policies.verify.assertions import Governance
    from modelgov.policies.verify.inventory import build_inventory

    governance = Governance(composition.spec, build_inventory(composition.stacks(), composition.spec))
    with pytest.raises(ValueError, match=r"'Development->Qa:PendingApproval': stage 'Qa' is not in the spec's "
                                         r"lifecycle catalog \(Proposal, Development, QA"):
        governance.assert_denied("data-scientist", "Development->Qa:PendingApproval")
    with pytest.raises(ValueError, match=r"status 'approved' is not in"):
        governance.assert_denied("data-scientist", "QA->Production:approved")
    with pytest.raises(ValueError, match=r"stage 'Staging' is not in"):
        governance.assert_allowed("qa", "Staging->Production:PendingApproval")
    governance.assert_denied("data-scientist", "Development->QA:Approved")  # catalog names still work
