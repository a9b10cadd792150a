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
