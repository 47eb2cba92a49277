"""The governance spec: typed models and a loader whose errors name file, line, path and fix."""

from .loader import SpecError, SpecProblem, load_spec, parse_spec
from .models import GovernanceSpec, ModelPackageGroupSpec, Persona, Transition

__all__ = ["GovernanceSpec", "ModelPackageGroupSpec", "Persona", "SpecError", "SpecProblem", "Transition",
           "load_spec", "parse_spec"]
