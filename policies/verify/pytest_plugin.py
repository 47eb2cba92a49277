"""pytest plugin (entry point `pytest11`): a `governance` fixture over a spec and a synthesized cdk.out.

    def test_only_qa_nominates(governance):
        governance.assert_allowed("qa", "QA->Production:PendingApproval")
        governance.assert_denied("data-scientist", "QA->Production:PendingApproval")

Options (command line or ini): --governance-spec / governance_spec (default governance.yaml) and
--governance-cdk-out / governance_cdk_out (default cdk.out), relative to the rootdir.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .assertions import Governance


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("modelgov")
    group.addoption("--governance-spec", default=None, help="governance spec for the governance fixture")
    group.addoption("--governance-cdk-out", default=None, help="cdk.out folder for the governance fixture")
    parser.addini("governance_spec", "governance spec for the governance fixture", default="governance.yaml")
    parser.addini("governance_cdk_out", "cdk.out folder for the governance fixture", default="cdk.out")


@pytest.fixture(scope="session")
def governance(request: Any) -> Governance:
    """The deployed composition of the configured cdk.out, checked against the configured spec."""
    from .assertions import Governance  # imported on use: every pytest run loads this plugin
    config = request.config
    root = Path(str(config.rootpath))
    spec = config.getoption("governance_spec") or config.getini("governance_spec")
    cdk_out = config.getoption("governance_cdk_out") or config.getini("governance_cdk_out")
    return Governance.load(root / spec, [root / cdk_out])
