"""Connecting to Neo4j, and turning driver errors into one-line StoreErrors.

Imports are absolute: `import neo4j` inside this package is the official driver, never
graphkit.neo4j itself.

>>> settings = Neo4jSettings("bolt://127.0.0.1:7687", "neo4j", "secret")
>>> "secret" in repr(settings)
False
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import neo4j
from neo4j import exceptions as neo4j_exc

from graphkit.errors import StoreError

__all__ = ["Neo4jSettings", "connect", "store_errors", "RERUN_HINT", "URI_SCHEMES"]

# The driver logs each retry of a failing transaction as a warning; with no logging set up
# those would reach stderr through logging's last-resort handler, around the one-line
# StoreError that reports the failure. Applications that configure logging still get them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
RERUN_HINT = "; the load stopped part way: run it again once Neo4j is back (loads are idempotent)"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect. The password is left out of repr (and so of logs)."""

    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = "neo4j"
    max_retry_seconds: float = 30.0  # how long managed transactions retry transient errors

    @classmethod
    def from_env(cls, env=None) -> "Neo4jSettings":
        """NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (defaults: local, neo4j)."""
        env = os.environ if env is None else env
        return cls(uri=env.get("NEO4J_URI") or cls.uri, user=env.get("NEO4J_USER") or cls.user,
                   password=env.get("NEO4J_PASSWORD") or "", database=env.get("NEO4J_DATABASE") or cls.database)

    def where(self) -> str:
        """`uri as user` for messages: never the password."""
        return f"{self.uri} as {self.user!r}"


def _one_line(text: str, secret: str = "") -> str:
    text = " ".join(str(text).split())
    if secret:
        text = text.replace(secret, "***")
    return text


def _describe(exc: BaseException, secret: str = "") -> str:
    if isinstance(exc, neo4j_exc.AuthError):
        return "authentication failed (wrong user or password?)"
    if isinstance(exc, (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired)):
        return "server unavailable (is Neo4j running and reachable?)"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return _one_line(message, secret)


@contextmanager
def store_errors(doing: str, where: str = "", secret: str = "", hint: str = "") -> Iterator[None]:
    """Turn driver errors into one-line StoreErrors (never the password, never a trace)."""
    try:
        yield
    except StoreError:
        raise
    except (neo4j_exc.Neo4jError, neo4j_exc.DriverError, OSError, ValueError) as exc:
        place = f" at {where}" if where else ""
        raise StoreError(f"Neo4j{place}: {doing} failed: {_describe(exc, secret)}{hint}") from None


def connect(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check that the server answers and accepts the credentials.

    Raises StoreError naming the uri and user (not the password) when the URI is not
    bolt://, neo4j:// or their +s/+ssc forms, the server is unreachable, or auth fails.
    """
    scheme = settings.uri.split("://", 1)[0].lower() if "://" in settings.uri else ""
    if scheme not in URI_SCHEMES:
        raise StoreError(f"Neo4j URI {settings.uri!r} not understood: use bolt://HOST:7687, "
                         "neo4j://HOST:7687 or neo4j+s://ID.databases.neo4j.io (Aura)")
    driver = None
    with store_errors("connecting", settings.where(), settings.password):
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=(settings.user, settings.password),
            max_transaction_retry_time=settings.max_retry_seconds, connection_timeout=10.0,
            user_agent="graphkit", notifications_min_severity="OFF")
        try:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1", database_=settings.database)
        except BaseException:
            driver.close()
            raise
    return driver
