"""Article -> entities and typed relations with evidence (rule based, offline)."""

from .pipeline import extract_article

__all__ = ["extract_article"]
