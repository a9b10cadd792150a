"""Shared fixtures: paths to the bundled sample and to the shared corpus when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "articles"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def fixture_articles():
    from graphkit.ingest import load_articles

    return load_articles([FIXTURES]).articles


@pytest.fixture(scope="session")
def fixture_graph(fixture_articles):
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph

    return build_graph(extract_article(a) for a in fixture_articles)


def corpus_or_skip(split: str) -> Path:
    folder = CORPUS / split
    if not (folder / "articles").is_dir():
        pytest.skip(f"shared corpus split {split!r} not found at {folder}")
    return folder


# --- Neo4j integration fixtures (tests marked @pytest.mark.neo4j) ---------------------------
# A real server from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (/ NEO4J_DATABASE): skipped with
# a reason without one, failing when GRAPHKIT_REQUIRE_NEO4J=1. Tests write under a random id
# prefix and delete only `WHERE n.id STARTS WITH $prefix` afterwards.


def neo4j_required() -> bool:
    import os

    return os.environ.get("GRAPHKIT_REQUIRE_NEO4J") == "1"


def new_id_prefix() -> str:
    import secrets

    return f"gktest-{secrets.token_hex(4)}-"


@pytest.fixture(scope="session")
def neo4j_settings():
    """graphkit.neo4j.Neo4jSettings of a reachable server (skip / fail otherwise)."""
    import os

    from graphkit.errors import StoreError
    from graphkit.neo4j import Neo4jSettings, connect

    if not os.environ.get("NEO4J_URI"):
        reason = "no Neo4j server: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD to run integration tests"
        if neo4j_required():
            pytest.fail("GRAPHKIT_REQUIRE_NEO4J=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    settings = Neo4jSettings.from_env()
    try:
        connect(settings).close()
    except StoreError as exc:
        if neo4j_required():
            pytest.fail(f"GRAPHKIT_REQUIRE_NEO4J=1 but {exc}", pytrace=False)
        pytest.skip(f"Neo4j not usable: {exc}")
    return settings


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings):
    """One driver for the session (closed at the end)."""
    from graphkit.neo4j import connect

    driver = connect(neo4j_settings)
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def loaded_fixture_graph(neo4j_settings, neo4j_driver, fixture_graph):
    """Load the graph built from fixtures/articles under a fresh id prefix; yield the prefix.

    Every node id in the store then starts with the prefix (entity `bmw` is `<prefix>bmw`);
    the nodes (and so their relationships) are deleted after the session."""
    from graphkit.graph import graph_to_dict
    from graphkit.neo4j import delete_prefixed, load_graph

    prefix = new_id_prefix()
    load_graph(neo4j_driver, graph_to_dict(fixture_graph), id_prefix=prefix, database=neo4j_settings.database)
    yield prefix
    delete_prefixed(neo4j_driver, prefix, database=neo4j_settings.database)


# --- a private Neo4j server for the fault tests (marked slow) ---------------------------------
# They kill and restart their server, so they get one of their own (unpacked from ../shared into
# a temporary folder, on free ports), started once per session on first use, removed at the end.


@pytest.fixture(scope="session")
def private_neo4j(tmp_path_factory):
    from faults_support import NEO4J_LOCAL, PrivateNeo4j

    if not NEO4J_LOCAL.is_file():
        reason = f"no {NEO4J_LOCAL} to start a private Neo4j server with"
        if neo4j_required():
            pytest.fail("GRAPHKIT_REQUIRE_NEO4J=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    server = PrivateNeo4j(tmp_path_factory.mktemp("private-neo4j") / "home")
    try:
        server.start()
        yield server
    finally:
        server.remove()
