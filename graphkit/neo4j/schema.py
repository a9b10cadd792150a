"""The store's schema: the statements of cypher/schema/*.cypher, applied before a load."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

import neo4j

from graphkit.errors import StoreError
from graphkit.neo4j.connection import store_errors

__all__ = ["cypher_dir", "read_schema", "apply_schema"]


def cypher_dir() -> Path:
    """The repository's cypher/ folder (GRAPHKIT_CYPHER_DIR overrides)."""
    override = os.environ.get("GRAPHKIT_CYPHER_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "cypher"


def read_schema(folder: Optional[Path] = None) -> list[str]:
    """Statements of cypher/schema/*.cypher in file order (`//` comments dropped)."""
    folder = Path(folder) if folder else cypher_dir() / "schema"
    files = sorted(folder.glob("*.cypher")) if folder.is_dir() else []
    if not files:
        raise StoreError(f"{folder}: no schema files (*.cypher); run graphkit from its source "
                         "checkout or set GRAPHKIT_CYPHER_DIR to the repository's cypher/ folder")
    statements = []
    for path in files:
        text = "\n".join(re.sub(r"^\s*//.*$", "", line) for line in path.read_text(encoding="utf-8").splitlines())
        for stmt in text.split(";"):
            stmt = stmt.strip()
            if stmt:
                if not _idempotent(stmt):
                    raise StoreError(f"{path}: schema statement that is not idempotent (CREATE needs "
                                     f"IF NOT EXISTS, DROP needs IF EXISTS): {stmt[:60]}")
                statements.append(stmt)
    return statements


def _idempotent(statement: str) -> bool:
    words = statement.upper().split()
    if words and words[0] == "DROP":
        return "IF EXISTS" in " ".join(words)
    return "IF NOT EXISTS" in " ".join(words)


def apply_schema(driver: neo4j.Driver, database: str = "neo4j", folder: Optional[Path] = None) -> int:
    """Create every constraint and index of cypher/schema (idempotent); wait until online."""
    statements = read_schema(folder)
    with store_errors("applying the schema"):
        for stmt in statements:
            driver.execute_query(stmt, database_=database)
        driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    return len(statements)
