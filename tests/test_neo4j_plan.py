"""graphkit.neo4j.plan: the rows a graph file turns into, checked offline on small graphs."""

from __future__ import annotations

import pytest

from graphkit.errors import StoreError
from graphkit.model import EntityType, RelationType
from graphkit.neo4j.plan import EVIDENCE_MAX_CHARS, make_plan


def rec(article, evidence="sentence", date="", confidence=0.8, rule="r"):
    return {"article": article, "evidence": evidence, "date": date, "confidence": confidence, "rule": rule}


def small_graph():
    return {
        "format": "graphkit-graph/1",
        "articles": [{"id": "a1", "lang": "en", "title": "One", "published": "2020-01-02", "source": "x.txt"},
                     {"id": "a2", "lang": "de", "title": "Zwei", "published": None}],
        "nodes": [
            {"id": "bmw", "name": "BMW", "type": "Organization", "kind": "carmaker", "country": "DE",
             "names": {"en": "BMW", "zh": "宝马", "fr": "BMW"}, "aliases": ["BMW", "宝马", "BMW"],
             "articles": ["a1", "a2"], "confidence": 1.0, "parent": None, "wikidata": None},
            {"id": "alibaba", "name": "Alibaba", "type": "Organization", "names": {}, "aliases": [],
             "articles": ["a1"], "confidence": None},
            {"id": "ali_cloud", "name": "Alibaba Cloud", "type": "Product", "parent": "alibaba",
             "articles": ["a2", "a2"]},
        ],
        "edges": [
            {"type": "PARTNERS_WITH", "head": "bmw", "tail": "alibaba",
             "provenance": [rec("a1", "x" * 500, "2020-01-02", 0.8), rec("a2", "again", "", None)]},
            # the same pair listed the other way round: one stored edge, a3's item added
            {"type": "PARTNERS_WITH", "head": "alibaba", "tail": "bmw", "provenance": [rec("a3", "third", "2019")]},
            {"type": "DEPLOYS_ON", "head": "bmw", "tail": "ali_cloud", "provenance": [rec("a2", confidence=0.5)]},
            {"type": "SUPPLIES", "head": "alibaba", "tail": "bmw", "provenance": []},  # no support: not stored
        ],
    }


def test_entities_get_labels_language_names_and_prefixed_ids():
    plan = make_plan(small_graph(), "p-")
    orgs = {r["id"]: r for r in plan.entities[EntityType.ORGANIZATION]}
    assert set(orgs) == {"p-bmw", "p-alibaba"}
    bmw = orgs["p-bmw"]
    assert bmw["props"] == {"name": "BMW", "name_en": "BMW", "name_zh": "宝马", "kind": "carmaker", "country": "DE"}
    assert bmw["aliases"] == ["BMW", "宝马"] and bmw["confidence"] == 1.0
    assert orgs["p-alibaba"]["confidence"] == 1.0  # missing confidence counts as certain
    (cloud,) = plan.entities[EntityType.PRODUCT]
    assert cloud["props"]["parent"] == "p-alibaba"
    assert plan.n_entities == 3


def test_symmetric_edge_listed_both_ways_is_one_row_from_the_smaller_id():
    plan = make_plan(small_graph(), "")
    assert plan.n_edges == 2
    (index,) = plan.edge_order[RelationType.PARTNERS_WITH]
    row = plan.edge_row(index)
    assert (row["head"], row["tail"], row["key"]) == ("alibaba", "bmw", "PARTNERS_WITH|alibaba|bmw")
    props = row["props"]
    assert props["articles"] == ["a1", "a2", "a3"]
    assert len(props["evidence"][0]) == EVIDENCE_MAX_CHARS
    assert props["dates"] == ["2020-01-02", "", "2019"]
    assert props["confidences"] == [0.8, 1.0, 0.8]
    assert (props["support"], props["first_seen"], props["last_seen"]) == (3, "2019", "2020-01-02")
    assert props["confidence"] == 1.0


def test_edge_without_dates_has_no_first_or_last_seen():
    plan = make_plan(small_graph(), "")
    (index,) = plan.edge_order[RelationType.DEPLOYS_ON]
    props = plan.edge_row(index)["props"]
    assert "first_seen" not in props and "last_seen" not in props
    assert props["confidence"] == 0.5 and props["key"] == "DEPLOYS_ON|bmw|ali_cloud"


def test_articles_mentions_and_edge_keys():
    plan = make_plan(small_graph(), "p-")
    articles = {a["id"]: a["props"] for a in plan.articles}
    # a3 is cited by an edge but not described: it still gets a node
    assert articles == {"p-a1": {"id": "p-a1", "lang": "en", "title": "One", "published": "2020-01-02", "source": "x.txt"},
                        "p-a2": {"id": "p-a2", "lang": "de", "title": "Zwei"}, "p-a3": {"id": "p-a3"}}
    assert plan.mentions == {"p-a1": ["p-bmw", "p-alibaba"], "p-a2": ["p-bmw", "p-ali_cloud"]}
    assert plan.n_mentions == 4
    assert plan.article_edge_keys["p-a2"] == ["PARTNERS_WITH|p-alibaba|p-bmw", "DEPLOYS_ON|p-bmw|p-ali_cloud"]
    assert plan.article_edge_keys["p-a3"] == ["PARTNERS_WITH|p-alibaba|p-bmw"]


@pytest.mark.parametrize("where, value", [("nodes", {"id": "x", "type": "Planet"}),
                                          ("edges", {"type": "LIKES", "head": "bmw", "tail": "alibaba",
                                                     "provenance": [rec("a1")]})])
def test_unknown_types_are_store_errors(where, value):
    graph = small_graph()
    graph[where].append(value)
    with pytest.raises(StoreError, match="unknown"):
        make_plan(graph, "")
