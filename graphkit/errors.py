"""Exceptions raised by the library; the CLI turns them into one-line messages."""

__all__ = ["GraphkitError", "InputError", "GraphFileError", "StoreError", "ReportError", "ConfigError",
           "DataFileError", "CurationError", "LexiconFileError", "UsageProblem", "OutputError"]


class GraphkitError(Exception):
    """Base of every error a user can act on (bad input, unreachable server, ...)."""


class InputError(GraphkitError):
    """An input file could not be turned into an article."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self):  # picklable across worker processes despite the two-argument init
        return (type(self), (self.path, self.problem))


class OutputError(GraphkitError):
    """An output file cannot be written (a folder, no permission, disk full)."""


class GraphFileError(GraphkitError):
    """The persisted graph file is missing or unreadable."""


class StoreError(GraphkitError):
    """Neo4j could not be reached or refused a write."""


class ReportError(GraphkitError):
    """A Cypher report is unknown, malformed, or got bad parameters."""


class ConfigError(GraphkitError):
    """graphkit.toml (or the file given by --config / GRAPHKIT_CONFIG) is missing or malformed."""


class DataFileError(GraphkitError):
    """A user data file (lexicon, rules, curation) has a broken entry: names file, entry, problem."""

    def __init__(self, path, entry: str | None, problem: str):
        where = f"{path}: {entry}: " if entry else f"{path}: "
        super().__init__(where + problem)
        self.path, self.entry, self.problem = str(path), entry, problem


class CurationError(DataFileError):
    """The curation file has a broken entry."""


class LexiconFileError(DataFileError):
    """A user lexicon file has a broken entry."""


class UsageProblem(GraphkitError):
    """A bad option value or name; carries an optional hint printed under the error."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint
