"""Exceptions raised by the library; the CLI turns them into one-line messages."""

__all__ = ["GraphkitError", "InputError", "GraphFileError", "StoreError", "ReportError"]


class GraphkitError(Exception):
    """Base of every error a user can act on (bad input, unreachable server, ...)."""


class InputError(GraphkitError):
    """An input file could not be turned into an article."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class GraphFileError(GraphkitError):
    """The persisted graph file is missing or unreadable."""


class StoreError(GraphkitError):
    """Neo4j could not be reached or refused a write."""


class ReportError(GraphkitError):
    """A Cypher report is unknown, malformed, or got bad parameters."""
