"""The graph file in both forms (graphkit.graphfile): JSON and the columnar Parquet folder.

Either form holds the same graph; every reader finds out which one it has; a bad file is
one GraphFileError line naming the file and the problem."""

from __future__ import annotations

import copy
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graphkit.errors import GraphFileError
from graphkit.graph import graph_to_dict, load_graph, save_graph
from graphkit.graphfile import is_columnar


def test_columnar_and_json_hold_the_same_graph(fixture_graph, tmp_path):
    fixture_graph = copy.deepcopy(fixture_graph)
    fixture_graph.graph["neo4j_id_prefix"] = "p-"  # graph metadata travels too
    save_graph(fixture_graph, tmp_path / "g.parquet")
    save_graph(fixture_graph, tmp_path / "g.json")
    assert is_columnar(tmp_path / "g.parquet") and not is_columnar(tmp_path / "g.json")
    from_parquet, from_json = load_graph(tmp_path / "g.parquet"), load_graph(tmp_path / "g.json")
    assert graph_to_dict(from_parquet) == graph_to_dict(from_json) == graph_to_dict(fixture_graph)
    assert from_parquet.graph["neo4j_id_prefix"] == "p-"
    # saving over an existing columnar graph replaces it whole
    from_parquet.remove_node(next(iter(from_parquet)))
    save_graph(from_parquet, tmp_path / "g.parquet")
    assert graph_to_dict(load_graph(tmp_path / "g.parquet")) == graph_to_dict(from_parquet)


def _rewrite(folder, table, column, value, row=0):
    data = pq.read_table(folder / f"{table}.parquet")
    values = data.column(column).to_pylist()
    values[row] = value
    data = data.set_column(data.schema.get_field_index(column), column, pa.array(values, data.schema.field(column).type))
    pq.write_table(data, folder / f"{table}.parquet")


@pytest.mark.parametrize("table, column, value, message", [
    ("edges", "confidence", math.nan, "confidence nan"),
    ("edges", "support", -2, "support -2"),
    ("edges", "tail", "nobody-knows-this", "'nobody-knows-this' is not a node"),
    ("evidence", "confidence", -0.5, "confidence -0.5"),
    ("evidence", "edge", 10**6, "edges.parquet does not have"),
])
def test_bad_columnar_graph_is_one_clear_error(fixture_graph, tmp_path, table, column, value, message):
    folder = tmp_path / "g.parquet"
    save_graph(fixture_graph, folder)
    _rewrite(folder, table, column, value)
    with pytest.raises(GraphFileError) as info:
        load_graph(folder)
    assert str(info.value).startswith(str(folder)) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_table_and_unknown_version_are_clear_errors(fixture_graph, tmp_path):
    folder = tmp_path / "g.parquet"
    save_graph(fixture_graph, folder)
    (folder / "evidence.parquet").unlink()
    with pytest.raises(GraphFileError, match="evidence.parquet is missing"):
        load_graph(folder)
    manifest = json.loads((folder / "graphkit.json").read_text())
    (folder / "graphkit.json").write_text(json.dumps({**manifest, "version": 99}))
    with pytest.raises(GraphFileError, match="version 99"):
        load_graph(folder)


@pytest.mark.parametrize("damage, message", [
    (lambda d: d["edges"][0].update(confidence=float("nan")), "confidence nan"),
    (lambda d: d["edges"][0].update(support=-1), "support -1"),
    (lambda d: d["edges"][0].update(head="ghost"), "'ghost' is not a node"),
    (lambda d: d["nodes"][0].pop("id"), "malformed graph file"),
    (lambda d: d.update(edges={"not": "a list"}), "malformed graph file"),
])
def test_bad_json_graph_is_one_clear_error(fixture_graph, tmp_path, damage, message):
    data = graph_to_dict(fixture_graph)
    damage(data)
    path = tmp_path / "g.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(GraphFileError) as info:
        load_graph(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
