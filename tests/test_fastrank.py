"""`graphkit rank` on a columnar graph file (graphkit.fastrank) lists what analyze.rank lists
on the same graph loaded whole, for every metric and filter."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graphkit import analyze, fastmetrics
from graphkit.errors import GraphFileError
from graphkit.fastrank import ColumnarGraph
from graphkit.graph import load_graph, save_graph


def synthetic(n=140, m=600, seed=3):
    rng = random.Random(seed)
    g = nx.MultiDiGraph(articles={})
    kinds = ["carmaker", "cloud", "chip", None]
    for i in range(n):
        g.add_node(f"n{i:03d}", name=f"N{i % 97}", type="Organization" if i % 5 else "Product", kind=kinds[i % 4],
                   names={"zh": f"名{i}"} if i % 3 == 0 else {}, aliases=[], articles=[])
    types = [t.value for t in analyze.RelationType]
    for _ in range(m):
        h, t, k = f"n{rng.randrange(n):03d}", f"n{rng.randrange(n):03d}", rng.choice(types)
        year = rng.randrange(2015, 2024)
        g.add_edge(h, t, key=k, type=k, support=rng.randint(1, 3), confidence=round(rng.uniform(0.3, 1), 2),
                   first_seen=f"{year}-03" if rng.random() < 0.9 else None, last_seen=f"{year + 1}",
                   articles=[f"a{rng.randrange(300)}" for _ in range(2)], evidence=["e"])
    return g


OPTIONS = [
    analyze.RankOptions(metric="pagerank", top=20),
    analyze.RankOptions(metric="degree", top=12, kinds=("carmaker",)),
    analyze.RankOptions(metric="betweenness", top=10, types=("Product",)),
    analyze.RankOptions(metric="eigenvector", top=10, relations=("PARTNERS_WITH", "SUPPLIES")),
    analyze.RankOptions(metric="closeness", top=10, since="2018", until="2021"),
    analyze.RankOptions(metric="composite", top=10, since="2019", undated="drop"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: o.metric)
def test_columnar_rank_equals_rank_of_the_whole_graph(options, tmp_path):
    path = tmp_path / "g.parquet"
    save_graph(synthetic(), path)
    expected = analyze.rank(load_graph(path), options)
    got = ColumnarGraph(path).rank(options)
    assert got.rows == expected.rows and got.notes == expected.notes


def test_columnar_rank_of_the_fixture_graph(fixture_graph, tmp_path):
    path = tmp_path / "g.parquet"
    save_graph(fixture_graph, path)
    whole = load_graph(path)
    for metric in ("pagerank", "degree", "betweenness", "eigenvector", "closeness", "composite"):
        options = analyze.RankOptions(metric=metric, top=30)
        assert ColumnarGraph(path).rank(options).rows == analyze.rank(whole, options).rows


def test_large_columnar_graph_takes_the_fast_metrics(tmp_path, monkeypatch):
    path = tmp_path / "g.parquet"
    save_graph(synthetic(), path)
    monkeypatch.setattr(fastmetrics, "FAST_ABOVE_NODES", 10)
    for metric in ("pagerank", "betweenness", "composite"):
        options = analyze.RankOptions(metric=metric, top=10)
        got, expected = ColumnarGraph(path).rank(options).rows, analyze.rank(load_graph(path), options).rows
        assert [r["id"] for r in got] == [r["id"] for r in expected]


def test_columnar_rank_refuses_a_negative_weight(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "g.parquet"
    save_graph(synthetic(), path)
    table = pq.read_table(path / "edges.parquet")
    column = table.column("support").to_pylist()
    column[5] = -3
    pq.write_table(table.set_column(table.schema.get_field_index("support"), "support", pa.array(column, pa.int64())),
                   path / "edges.parquet")
    with pytest.raises(GraphFileError, match="support -3"):
        ColumnarGraph(path).rank(analyze.RankOptions())


def test_json_and_columnar_files_of_one_graph_rank_alike(fixture_graph, tmp_path):
    save_graph(fixture_graph, tmp_path / "g.parquet")
    save_graph(fixture_graph, tmp_path / "g.json")
    from_json = load_graph(tmp_path / "g.json")
    for metric in ("pagerank", "degree", "betweenness", "eigenvector", "closeness"):
        options = analyze.RankOptions(metric=metric, top=40)
        assert ColumnarGraph(tmp_path / "g.parquet").rank(options).rows == analyze.rank(from_json, options).rows


@pytest.mark.parametrize("relations", [(), ("PARTNERS_WITH", "SUPPLIES")], ids=["all", "two types"])
def test_columnar_communities_equal_those_of_the_whole_graph(relations, tmp_path):
    path = tmp_path / "g.parquet"
    save_graph(synthetic(), path)
    expected = analyze.communities(load_graph(path), relations)
    assert len(expected) > 3 and any(c["links"] for c in expected)
    assert ColumnarGraph(path).communities(relations) == expected


def test_large_columnar_graph_finds_communities_in_c(tmp_path, monkeypatch):
    path = tmp_path / "g.parquet"
    save_graph(synthetic(), path)
    monkeypatch.setattr(fastmetrics, "FAST_ABOVE_NODES", 10)
    got, expected = ColumnarGraph(path).communities(), analyze.communities(load_graph(path))
    # igraph's Louvain takes the edges in another order on each path: the same cover of the
    # nodes, near-equal partitions
    assert sorted(m for c in got for m in c["members"]) == sorted(m for c in expected for m in c["members"])
    assert abs(len(got) - len(expected)) <= 2


def test_communities_command_reads_a_columnar_file_like_its_json_twin(tmp_path):
    import json

    from typer.testing import CliRunner

    from graphkit.cli import app

    graph = synthetic()
    save_graph(graph, tmp_path / "g.parquet")
    save_graph(graph, tmp_path / "g.json")
    outputs = []
    for name in ("g.parquet", "g.json"):
        result = CliRunner().invoke(app, ["communities", "--graph", str(tmp_path / name), "-f", "json",
                                          "--relation", "PARTNERS_WITH", "--relation", "INVESTS_IN"],
                                    catch_exceptions=False)
        assert result.exit_code == 0
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1] and len(outputs[0]) > 3
