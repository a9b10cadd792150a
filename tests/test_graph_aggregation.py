"""build aggregation: incremental edge summaries equal the ones derived from the whole
provenance, and adding an article never re-derives an edge over all its articles."""

from __future__ import annotations

import random

import graphkit.graph as graph_module
from graphkit.graph import add_extraction, build_graph, edge_summary, remove_article
from graphkit.model import Article, Entity, EntityType, Extraction, Relation, RelationType

NAMES = ["bmw", "alibaba", "tencent", "audi", "huawei"]


def _extraction(rng: random.Random, article_id: str) -> Extraction:
    article = Article(id=article_id, text="", lang="en", title=None,
                      published=rng.choice([None, "2019", "2020-05", "2021-01-02"]),
                      source=f"{article_id}.txt", sha256=article_id)
    entities = tuple(Entity(id=n, name=n.title(), type=EntityType.ORGANIZATION, mentions=(n,))
                     for n in rng.sample(NAMES, 3))
    relations = []
    for _ in range(rng.randint(1, 4)):  # the same fact twice in one article happens
        head, tail = rng.sample([e.id for e in entities], 2)
        relations.append(Relation(type=rng.choice([RelationType.PARTNERS_WITH, RelationType.INVESTS_IN]),
                                  head=head, tail=tail, evidence=f"{head} {tail} {rng.random()}",
                                  evidence_span=(0, 1), date=rng.choice([None, "2018", "2022-03"]),
                                  confidence=rng.choice([0.3, 0.55, 0.8, 1.2, -0.1]), rule="test"))
    return Extraction(article=article, entities=entities, relations=tuple(relations))


def _assert_summaries_match(graph) -> None:
    for head, tail, key, data in graph.edges(keys=True, data=True):
        provenance = data["provenance"]
        assert len({p["article"] for p in provenance}) == len(provenance), "one item per article"
        expected = edge_summary(provenance)
        assert {k: data[k] for k in expected} == expected, (head, tail, key)
    for node, data in graph.nodes(data=True):
        assert len(set(data["articles"])) == len(data["articles"]), node


def test_graph_incremental_summaries_equal_full_derivation():
    rng = random.Random(5)
    graph = build_graph(_extraction(rng, f"a{i}") for i in range(300))
    _assert_summaries_match(graph)
    for i in (3, 50, 299):  # re-extracted articles replace their own part
        add_extraction(graph, _extraction(rng, f"a{i}"))
    _assert_summaries_match(graph)
    remove_article(graph, "a7")
    for i in range(300, 400):
        add_extraction(graph, _extraction(rng, f"a{i}"))
    _assert_summaries_match(graph)
    assert "a7" not in {p["article"] for *_, d in graph.edges(keys=True, data=True) for p in d["provenance"]}


def test_graph_last_statement_of_a_fact_in_an_article_wins():
    rng = random.Random(1)
    base = _extraction(rng, "x")
    first = Relation(type=RelationType.INVESTS_IN, head=base.entities[0].id, tail=base.entities[1].id,
                     evidence="first", evidence_span=(0, 1), date=None, confidence=0.5, rule="a")
    second = Relation(type=first.type, head=first.head, tail=first.tail, evidence="second",
                      evidence_span=(0, 1), date="2020", confidence=0.9, rule="b")
    graph = build_graph([Extraction(base.article, base.entities, (first, second))])
    data = graph.edges[first.head, first.tail, "INVESTS_IN"]
    assert [p["evidence"] for p in data["provenance"]] == ["second"] and data["confidence"] == 0.9


def test_graph_adding_an_article_does_not_rederive_old_edges(monkeypatch):
    calls = []
    real = graph_module.edge_summary
    monkeypatch.setattr(graph_module, "edge_summary", lambda prov: calls.append(len(prov)) or real(prov))
    bmw = Entity(id="bmw", name="BMW", type=EntityType.ORGANIZATION)
    ali = Entity(id="alibaba", name="Alibaba", type=EntityType.ORGANIZATION)
    graph = build_graph(
        Extraction(Article(id=f"a{i}", text="", lang="en", title=None, published=None, source="s", sha256=str(i)),
                   (bmw, ali), (Relation(RelationType.PARTNERS_WITH, "bmw", "alibaba", f"e{i}", (0, 1), None, 0.5, "r"),))
        for i in range(500))
    assert calls == [1]  # derived once, when the edge was created; every later article is O(1)
    data = graph.edges["alibaba", "bmw", "PARTNERS_WITH"]
    assert data["support"] == 500 and data["confidence"] == real(data["provenance"])["confidence"]
