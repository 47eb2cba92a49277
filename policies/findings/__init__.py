"""Findings shared by the spec loader, linter, verifier and constructs: one model, one catalogue."""

from .catalogue import Catalogue, CatalogueEntry, catalogue
from .finding import Finding, Location

__all__ = ["Catalogue", "CatalogueEntry", "Finding", "Location", "catalogue"]
