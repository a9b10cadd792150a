"""graphkit.neo4j against a real Neo4j server (marker `neo4j`; see tests/conftest.py).

Every test loads under its own random id prefix and deletes only what carries it. Store
states are compared as snapshots with the prefix stripped, so "re-load after a change"
can be checked against "clean load of the changed graph" under another prefix.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from conftest import new_id_prefix

from graphkit.errors import StoreError
from graphkit.graph import add_extraction, build_graph, graph_from_dict, graph_to_dict, remove_article, save_graph
from graphkit.model import RelationType
from graphkit.neo4j import (
    Neo4jSettings,
    connect,
    count_graph,
    delete_prefixed,
    load_graph,
    read_schema,
    retract_article,
)

ITEM_LISTS = ("articles", "evidence", "dates", "confidences", "rules")


@pytest.fixture
def prefix(neo4j_settings, neo4j_driver):
    """A private id prefix; everything under it is deleted after the test."""
    p = new_id_prefix()
    yield p
    delete_prefixed(neo4j_driver, p, database=neo4j_settings.database)


@pytest.fixture(scope="module")
def extractions(fixture_articles):
    from graphkit.extract import extract_article

    return [extract_article(a) for a in fixture_articles]


def _strip(value, p):
    if isinstance(value, str):
        return value.replace(p, "")
    if isinstance(value, list):
        return [_strip(v, p) for v in value]
    return value


def snapshot(driver, p, database="neo4j") -> dict:
    """Nodes and relationships under prefix p, prefix stripped, per-article items as a set.

    Item order inside an edge's lists and alias order are not part of the model's meaning
    (a re-load replaces an item in place, a fresh load writes file order), so both are
    compared as sorted."""
    nodes = {}
    for rec in driver.execute_query(
            "MATCH (n) WHERE n.id STARTS WITH $p RETURN n.id AS id, labels(n) AS labels, properties(n) AS props",
            parameters_={"p": p}, database_=database).records:
        props = {k: _strip(v, p) for k, v in rec["props"].items() if k != "edge_keys"}
        if "aliases" in props:
            props["aliases"] = sorted(props["aliases"])
        nodes[_strip(rec["id"], p)] = (sorted(rec["labels"]), props)
    rels = {}
    for rec in driver.execute_query(
            "MATCH (h)-[r]->(t) WHERE h.id STARTS WITH $p RETURN h.id AS h, type(r) AS type, t.id AS t, "
            "properties(r) AS props", parameters_={"p": p}, database_=database).records:
        key = (rec["type"], _strip(rec["h"], p), _strip(rec["t"], p))
        assert key not in rels, f"duplicate relationship {key}"
        props = {k: _strip(v, p) for k, v in rec["props"].items()}
        if "articles" in props:
            props["items"] = sorted(zip(*(props.pop(k) for k in ITEM_LISTS)))
        rels[key] = props
    return {"nodes": nodes, "rels": rels}


def edge_items(driver, p, rtype, head, tail) -> dict:
    rec = driver.execute_query(
        f"MATCH (:Entity {{id: $h}})-[r:{RelationType(rtype).value}]->(:Entity {{id: $t}}) RETURN r",
        parameters_={"h": p + head, "t": p + tail}).records
    assert len(rec) == 1
    r = rec[0]["r"]
    return {a: (e, d, c, ru) for a, e, d, c, ru in zip(*(r[k] for k in ITEM_LISTS))} | {"_support": r["support"]}


pytestmark = pytest.mark.neo4j


def test_store_load_twice_changes_nothing(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    first = load_graph(neo4j_driver, data, id_prefix=prefix)
    counts, snap = count_graph(neo4j_driver, prefix), snapshot(neo4j_driver, prefix)
    second = load_graph(neo4j_driver, data, id_prefix=prefix, batch_size=7)  # other batching, same result
    assert count_graph(neo4j_driver, prefix) == counts
    assert snapshot(neo4j_driver, prefix) == snap
    created = ("entities_created", "relationships_created")
    assert {k: v for k, v in first.as_dict().items() if k not in created} == \
        {k: v for k, v in second.as_dict().items() if k not in created}
    # the first load found nothing stored and created everything; the second, nothing
    assert (first.entities_created, first.relationships_created) == (len(data["nodes"]), len(data["edges"]))
    assert (second.entities_created, second.relationships_created) == (0, 0)
    assert counts["Entity"] == len(data["nodes"]) and counts["Article"] == len(data["articles"])
    assert counts["relationships"] == len(data["edges"])
    assert counts["MENTIONS"] == sum(len(n["articles"]) for n in data["nodes"])


def test_store_edge_properties_follow_the_model(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    load_graph(neo4j_driver, data, id_prefix=prefix)
    rels = snapshot(neo4j_driver, prefix)["rels"]
    for edge in data["edges"]:
        stored = rels[(edge["type"], edge["head"], edge["tail"])]
        assert stored["support"] == edge["support"] == len(stored["items"])
        assert stored.get("first_seen") == edge["first_seen"] and stored.get("last_seen") == edge["last_seen"]
        assert stored["confidence"] == pytest.approx(edge["confidence"], abs=1e-4)
        assert stored["key"] == f"{edge['type']}|{edge['head']}|{edge['tail']}"
        assert sorted(i[0] for i in stored["items"]) == sorted(edge["articles"])
    nodes = snapshot(neo4j_driver, prefix)["nodes"]
    for node in data["nodes"]:
        labels, props = nodes[node["id"]]
        assert labels == sorted(["Entity", node["type"]])
        assert props["name"] == node["name"] and set(props["aliases"]) == set(node["aliases"])
        for lang, name in node["names"].items():
            assert props[f"name_{lang}"] == name


def test_store_more_articles_add_support_to_shared_edges(neo4j_driver, extractions, prefix):
    full = graph_to_dict(build_graph(extractions))
    shared = next(e for e in full["edges"] if e["support"] >= 2)
    first_article = shared["articles"][0]
    part_a = [x for x in extractions if x.article.id == first_article]
    part_b = [x for x in extractions if x.article.id != first_article]

    load_graph(neo4j_driver, graph_to_dict(build_graph(part_a)), id_prefix=prefix)
    before = edge_items(neo4j_driver, prefix, shared["type"], shared["head"], shared["tail"])
    assert before["_support"] == 1

    load_graph(neo4j_driver, full, id_prefix=prefix)  # graph A+B
    after = edge_items(neo4j_driver, prefix, shared["type"], shared["head"], shared["tail"])
    assert after["_support"] == shared["support"]
    assert after[prefix + first_article] == before[prefix + first_article]

    # loading B on its own after A reaches the same store as loading A+B
    other = new_id_prefix()
    try:
        load_graph(neo4j_driver, graph_to_dict(build_graph(part_a)), id_prefix=other)
        load_graph(neo4j_driver, graph_to_dict(build_graph(part_b)), id_prefix=other)
        assert snapshot(neo4j_driver, other) == snapshot(neo4j_driver, prefix)
    finally:
        delete_prefixed(neo4j_driver, other)


def test_store_reload_replaces_only_the_changed_articles_contribution(neo4j_driver, extractions, prefix):
    graph = build_graph(extractions)
    data = graph_to_dict(graph)
    # an article sharing an edge with another one, so "other articles untouched" is tested
    shared = next(e for e in data["edges"] if e["support"] >= 2)
    changed_id = shared["articles"][0]
    changed = next(x for x in extractions if x.article.id == changed_id)
    load_graph(neo4j_driver, data, id_prefix=prefix)

    # re-extraction: the shared edge is no longer found, the other relations get new evidence
    kept = tuple(dataclasses.replace(r, evidence="re-extracted: " + r.evidence[:50], confidence=0.5)
                 for r in changed.relations if r.key() != (shared["type"], shared["head"], shared["tail"]))
    add_extraction(graph, dataclasses.replace(changed, relations=kept))
    new_data = graph_to_dict(graph)
    others_before = {a: v for a, v in edge_items(neo4j_driver, prefix, shared["type"], shared["head"],
                                                  shared["tail"]).items() if a not in ("_support", prefix + changed_id)}

    load_graph(neo4j_driver, new_data, id_prefix=prefix)
    after = edge_items(neo4j_driver, prefix, shared["type"], shared["head"], shared["tail"])
    assert prefix + changed_id not in after
    assert after["_support"] == shared["support"] - 1
    assert {a: v for a, v in after.items() if a != "_support"} == others_before

    clean = new_id_prefix()
    try:
        load_graph(neo4j_driver, new_data, id_prefix=clean)
        assert snapshot(neo4j_driver, prefix) == snapshot(neo4j_driver, clean)
    finally:
        delete_prefixed(neo4j_driver, clean)


def test_store_retract_removes_the_article_and_unsupported_edges(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    load_graph(neo4j_driver, data, id_prefix=prefix)
    # the article with the most edges of its own, so edges really get deleted
    only = {}
    for e in data["edges"]:
        if e["support"] == 1:
            only[e["articles"][0]] = only.get(e["articles"][0], 0) + 1
    article = max(only, key=only.get)

    result = retract_article(neo4j_driver, article, id_prefix=prefix)
    assert result["found"] and result["edges_deleted"] == only[article]
    assert not neo4j_driver.execute_query("MATCH (a:Article {id: $id}) RETURN a", parameters_={"id": prefix + article}).records
    assert not neo4j_driver.execute_query(
        "MATCH (h:Entity)-[r]->() WHERE h.id STARTS WITH $p AND $a IN r.articles RETURN r",
        parameters_={"p": prefix, "a": prefix + article}).records

    graph = graph_from_dict(copy.deepcopy(data))
    assert remove_article(graph, article)
    clean = new_id_prefix()
    try:
        load_graph(neo4j_driver, graph_to_dict(graph), id_prefix=clean)
        assert snapshot(neo4j_driver, prefix) == snapshot(neo4j_driver, clean)
    finally:
        delete_prefixed(neo4j_driver, clean)
    assert retract_article(neo4j_driver, article, id_prefix=prefix)["found"] is False


def test_store_partners_with_is_stored_once_per_pair(neo4j_driver, loaded_fixture_graph, fixture_graph):
    p = loaded_fixture_graph
    rows = neo4j_driver.execute_query(
        "MATCH (a:Entity)-[r:PARTNERS_WITH]->(b:Entity) WHERE a.id STARTS WITH $p RETURN a.id AS a, b.id AS b",
        parameters_={"p": p}).records
    pairs = [(r["a"], r["b"]) for r in rows]
    assert pairs and all(a < b for a, b in pairs)
    assert len({frozenset(x) for x in pairs}) == len(pairs)
    expected = sum(1 for _, _, k in fixture_graph.edges(keys=True) if k == "PARTNERS_WITH")
    assert len(pairs) == expected


def test_store_schema_constraints_and_fulltext_exist_after_load(neo4j_driver, loaded_fixture_graph):
    constraints = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties RETURN type, labelsOrTypes, properties").records
    unique = {(c["labelsOrTypes"][0], tuple(c["properties"])) for c in constraints if "UNIQUE" in c["type"]}
    for label in ("Entity", "Organization", "Product", "Program", "Article"):
        assert (label, ("id",)) in unique
    fulltext = neo4j_driver.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, properties, state WHERE name = 'entity_names' RETURN properties, state").records
    assert fulltext and fulltext[0]["state"] == "ONLINE" and "aliases" in fulltext[0]["properties"]
    hits = neo4j_driver.execute_query(
        "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node WHERE node.id STARTS WITH $p "
        "RETURN node.id AS id", parameters_={"q": "宝马", "p": loaded_fixture_graph}).records
    assert loaded_fixture_graph + "bmw" in [h["id"] for h in hits]


def test_store_schema_files_are_idempotent_statements():
    statements = read_schema()
    assert statements
    for statement in statements:
        drop = statement.upper().startswith("DROP")
        assert ("IF EXISTS" if drop else "IF NOT EXISTS") in statement.upper(), statement


def test_store_wrong_password_is_a_store_error_without_the_password(neo4j_settings):
    secret = "not-the-password-4711"
    bad = dataclasses.replace(neo4j_settings, password=secret)
    with pytest.raises(StoreError) as info:
        connect(bad)
    message = str(info.value)
    assert secret not in message and neo4j_settings.password not in message
    assert neo4j_settings.uri in message and "authentication" in message
    assert secret not in repr(bad)


def test_store_unreachable_port_is_a_store_error(neo4j_settings):
    with pytest.raises(StoreError, match="unavailable"):
        connect(Neo4jSettings(uri="bolt://127.0.0.1:1", user="neo4j", password="whatever-pw"))


def _cli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", "from graphkit.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_load_wrong_password_prints_one_line_error(neo4j_settings, tmp_path, fixture_graph):
    path = tmp_path / "graph.json"
    save_graph(fixture_graph, path)
    secret = "wrong-secret-0815"
    result = _cli("load", str(path), "--uri", neo4j_settings.uri, "--user", neo4j_settings.user,
                  env_extra={"NEO4J_PASSWORD": secret})
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and secret not in result.stderr + result.stdout


def test_cli_load_then_retract(neo4j_settings, neo4j_driver, tmp_path, fixture_graph, prefix):
    path = tmp_path / "graph.json"
    save_graph(fixture_graph, path)
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    result = _cli("load", str(path), "--id-prefix", prefix, "--batch-size", "10", env_extra=env)
    assert result.returncode == 0, result.stderr
    counts = count_graph(neo4j_driver, prefix)
    assert f"loaded {counts['nodes']} nodes" in result.stdout
    assert neo4j_settings.password not in result.stdout + result.stderr

    article = sorted(fixture_graph.graph["articles"])[0]
    result = _cli("retract", article, "--neo4j", "--graph", str(path), "--id-prefix", prefix, env_extra=env)
    assert result.returncode == 0, result.stderr
    assert article not in json.loads(path.read_text(encoding="utf-8"))["articles"] and article not in [
        a["id"] for a in json.loads(path.read_text(encoding="utf-8"))["articles"]]
    assert count_graph(neo4j_driver, prefix)["Article"] == counts["Article"] - 1
    result = _cli("retract", article, "--neo4j", "--graph", str(path), "--id-prefix", prefix, env_extra=env)
    assert result.returncode == 1 and result.stderr.startswith("error: ")


def test_store_parallel_writers_and_tiny_batches_store_the_same_graph(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    load_graph(neo4j_driver, data, id_prefix=prefix)
    other = new_id_prefix()
    try:
        counts = load_graph(neo4j_driver, data, id_prefix=other, writers=3, batch_size=2)
        assert counts.relationships_created == len(data["edges"])
        assert snapshot(neo4j_driver, other) == snapshot(neo4j_driver, prefix)
    finally:
        delete_prefixed(neo4j_driver, other)


def test_store_symmetric_edge_listed_both_ways_is_stored_once(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    edge = next(e for e in data["edges"] if e["type"] == "PARTNERS_WITH")
    flipped = copy.deepcopy(edge)
    flipped["head"], flipped["tail"] = edge["tail"], edge["head"]
    flipped["provenance"] = [{**flipped["provenance"][0], "article": "extra_article", "evidence": "listed the other way"}]
    data["edges"].append(flipped)
    load_graph(neo4j_driver, data, id_prefix=prefix)
    head, tail = sorted((edge["head"], edge["tail"]))
    items = edge_items(neo4j_driver, prefix, "PARTNERS_WITH", head, tail)
    assert items["_support"] == len(edge["articles"]) + 1
    assert items[prefix + "extra_article"][0] == "listed the other way"


def test_store_edge_to_an_unknown_node_is_a_clear_error(neo4j_driver, fixture_graph, prefix):
    data = graph_to_dict(fixture_graph)
    edge = copy.deepcopy(data["edges"][0])
    edge["tail"] = "no-such-company"
    data["edges"].append(edge)
    with pytest.raises(StoreError, match="no-such-company"):
        load_graph(neo4j_driver, data, id_prefix=prefix)


def test_store_schema_replaces_an_older_relationship_key_index(neo4j_driver, neo4j_settings):
    """Stores loaded before the key constraints had a plain index of the same shape."""
    db = neo4j_settings.database
    neo4j_driver.execute_query("DROP CONSTRAINT operates_key_unique IF EXISTS", database_=db)
    neo4j_driver.execute_query("CREATE INDEX operates_key IF NOT EXISTS FOR ()-[r:OPERATES]-() ON (r.key)",
                               database_=db)
    from graphkit.neo4j import apply_schema

    apply_schema(neo4j_driver, db)
    names = {r["name"]: r["type"] for r in neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type RETURN name, type", database_=db).records}
    assert names.get("operates_key_unique") == "RELATIONSHIP_UNIQUENESS"
    indexes = {r["name"] for r in neo4j_driver.execute_query("SHOW INDEXES YIELD name", database_=db).records}
    assert "operates_key" not in indexes
