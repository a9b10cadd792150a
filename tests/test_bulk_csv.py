"""The CSV files `graphkit load --bulk` hands to neo4j-admin, checked offline."""

from __future__ import annotations

import csv

import pytest

from graphkit.errors import StoreError
from graphkit.neo4j.bulk import ARRAY_DELIMITER, write_import_csv
from graphkit.neo4j.plan import make_plan


def graph():
    rec = lambda a, e, d, c: {"article": a, "evidence": e, "date": d, "confidence": c, "rule": "r"}  # noqa: E731
    return {
        "articles": [{"id": "a1", "title": 'Say "hi", all', "lang": "en"}, {"id": "a2", "title": "Zwei\nZeilen"}],
        "nodes": [{"id": "bmw", "name": "BMW", "type": "Organization", "names": {"zh": "宝马"}, "aliases": ["BMW", "宝马"],
                   "articles": ["a1"]},
                  {"id": "sap", "name": "SAP", "type": "Organization", "aliases": [], "articles": ["a2"]},
                  {"id": "lonely", "name": "Nobody", "type": "Product", "articles": []}],
        "edges": [{"type": "PARTNERS_WITH", "head": "sap", "tail": "bmw",
                   "provenance": [rec("a1", 'quote " and, comma', "2020", 0.8), rec("a2", "", "", 0.5)]},
                  {"type": "SUPPLIES", "head": "sap", "tail": "bmw", "provenance": [rec("a2", "x", "", 0.7)]}],
    }


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_csv_files_hold_the_plan_rows(tmp_path):
    files = write_import_csv(make_plan(graph(), "p-"), tmp_path)
    entities = rows(tmp_path / "entities.csv")
    assert entities[0][:2] == ["id:ID(Entity)", ":LABEL"]
    assert [r[0] for r in entities[1:]] == ["p-bmw", "p-sap"]  # the entity nothing refers to is left out
    bmw = dict(zip(entities[0], entities[1]))
    assert bmw[":LABEL"].split(ARRAY_DELIMITER) == ["Entity", "Organization"]
    assert bmw["aliases:string[]"].split(ARRAY_DELIMITER) == ["BMW", "宝马"] and bmw["name_zh"] == "宝马"
    assert files.entities_without_aliases == [("p-sap", [])]

    edges = [dict(zip(rows(tmp_path / "edges.csv")[0], r)) for r in rows(tmp_path / "edges.csv")[1:]]
    partners = next(e for e in edges if e[":TYPE"] == "PARTNERS_WITH")
    assert (partners[":START_ID(Entity)"], partners[":END_ID(Entity)"]) == ("p-bmw", "p-sap")
    assert partners["evidence:string[]"].split(ARRAY_DELIMITER) == ['quote " and, comma', ""]
    assert partners["dates:string[]"].split(ARRAY_DELIMITER) == ["2020", ""]
    assert partners["confidence:double"] == "0.9" and partners["support:long"] == "2"
    assert partners["first_seen"] == partners["last_seen"] == "2020"
    supplies = next(e for e in edges if e[":TYPE"] == "SUPPLIES")
    assert supplies["first_seen"] == ""  # no property: the importer skips an empty field
    # the one-item SUPPLIES edge has a blank date: [""] arrives as no property, set after the import
    assert {t.value: names for t, names in files.blank_lists.items()} == {"SUPPLIES": {"dates"}}

    articles = [dict(zip(rows(tmp_path / "articles.csv")[0], r)) for r in rows(tmp_path / "articles.csv")[1:]]
    assert articles[0]["title:string"] == 'Say "hi", all' and articles[1]["title:string"] == "Zwei\nZeilen"
    assert files.multiline  # the importer is told that fields span lines
    assert rows(tmp_path / "mentions.csv")[1:] == [["p-a1", "p-bmw", "MENTIONS"], ["p-a2", "p-sap", "MENTIONS"]]
    assert (files.counts.entities, files.counts.articles, files.counts.relationships, files.counts.mentions) == \
        (2, 2, 2, 2)


def test_edge_to_a_missing_node_and_the_delimiter_in_text_are_refused(tmp_path):
    g = graph()
    g["edges"].append({"type": "OPERATES", "head": "bmw", "tail": "ghost", "provenance": [{"article": "a1"}]})
    with pytest.raises(StoreError, match="ghost"):
        write_import_csv(make_plan(g, ""), tmp_path)
    g = graph()
    g["nodes"][0]["aliases"].append("bad\x1falias")
    with pytest.raises(StoreError, match="U\\+001F"):
        write_import_csv(make_plan(g, ""), tmp_path)


def many_edges_graph(n_nodes=60, n_edges=700):
    """Edges of several types, some with two articles, undated ones, a quote and a line
    break in the evidence, and one pair given as A-B and B-A of a symmetric type."""
    nodes = [{"id": f"n{i}", "name": f"N{i}", "type": "Organization", "aliases": [f"N{i}"], "articles": ["a0"]}
             for i in range(n_nodes)]
    types = ["PARTNERS_WITH", "SUPPLIES", "INVESTS_IN", "DEPLOYS_ON"]
    edges = []
    for k in range(n_edges):
        head, tail = f"n{k % n_nodes}", f"n{(k * 7 + 1 + k // n_nodes) % n_nodes}"
        if head == tail:
            continue
        prov = [{"article": f"a{k % 13}", "evidence": f'says "{k}"\nhere' if k % 50 == 0 else f"e{k}",
                 "date": "" if k % 3 else f"2021-0{1 + k % 9}", "confidence": 0.5 + (k % 7) / 20, "rule": "r"}]
        if k % 5 == 0:
            prov.append({"article": f"a{(k + 1) % 13}", "evidence": "", "date": "2020", "confidence": 0.6, "rule": ""})
        edges.append({"type": types[k % len(types)], "head": head, "tail": tail, "provenance": prov})
    edges.append({"type": "PARTNERS_WITH", "head": edges[0]["tail"], "tail": edges[0]["head"],
                  "provenance": [{"article": "a5", "evidence": "twin", "date": "2019", "confidence": 0.9}]})
    return {"articles": [{"id": f"a{i}", "title": f"T{i}"} for i in range(13)], "nodes": nodes, "edges": edges}


def test_edges_written_in_parts_by_forked_workers_are_the_same_bytes_as_one_file(tmp_path):
    """The importer reads the parts of a group as one file: their concatenation must be the
    single-process file, and every count and fix-up list the same."""
    plan = make_plan(many_edges_graph(), "p-")
    one, three = tmp_path / "one", tmp_path / "three"
    one.mkdir()
    three.mkdir()
    single = write_import_csv(plan, one, parts=1)
    split = write_import_csv(plan, three, parts=3)
    assert [p.name for p in split.relationships[0]] == ["edges.csv", "edges-1.csv", "edges-2.csv"]
    assert [p.name for p in single.relationships[0]] == ["edges.csv"]
    joined = b"".join(p.read_bytes() for p in split.relationships[0])
    assert joined == (one / "edges.csv").read_bytes()
    assert len(rows(one / "edges.csv")) == plan.n_edges + 1  # the twin pair is one edge
    for name in ("entities.csv", "articles.csv", "mentions.csv"):
        assert (three / name).read_bytes() == (one / name).read_bytes()
    assert split.counts == single.counts and split.counts.relationships == plan.n_edges
    assert split.blank_lists == single.blank_lists and split.blank_lists
    assert split.multiline and single.multiline  # told by the workers: no node field has a line break
    assert split.entities_without_aliases == single.entities_without_aliases


def test_a_worker_refusing_an_edge_reports_it_in_one_error(tmp_path):
    g = many_edges_graph()
    g["edges"][-2]["provenance"][0]["evidence"] = "two\x1fparts"  # in the last part
    with pytest.raises(StoreError, match="U\\+001F"):
        write_import_csv(make_plan(g, ""), tmp_path, parts=2)


def test_the_importer_stage_times_are_read_from_its_output():
    from graphkit.neo4j.bulk import _importer_stages

    output = ("(1/4) Node import 2026-12-01 04:27:32.419+0000\nNode import COMPLETED in 2s 782ms\n"
              "Relationship import COMPLETED in 1m 7s 475ms\nRelationship linking COMPLETED in 743ms\n"
              "IMPORT DONE in 1m 14s 24ms. \nImported:\n  120000 nodes\n")
    assert _importer_stages(output) == pytest.approx({"import_nodes": 2.782, "import_relationships": 67.475,
                                                      "import_linking": 0.743, "import_inside": 74.024})
