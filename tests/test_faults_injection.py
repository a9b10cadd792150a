"""Values that look like Cypher change nothing in the store, wherever they come in.

Report parameters (every parameter of every report), entity names, aliases and ids, article
ids, titles and text all reach Neo4j as parameters only: these tests put Cypher-injection
payloads in each of them and check that the store holds them as plain text and that nothing
else in it changed (a digest of every node, relationship and property, the schema and the
users). They run on the private server of the fault tests, where nothing else writes, so a
digest of the whole store is meaningful.
"""

from __future__ import annotations

import pytest
from faults_support import PASSWORD, graphkit, store_digest

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]

PAYLOADS = [
    "x' }) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "') RETURN 1 AS x UNION MATCH (n) DETACH DELETE n RETURN 1 AS x //",
    "BMW` ) DROP CONSTRAINT entity_id //",
    "1; MATCH (n) SET n.pwned = true",
    "*/ CALL dbms.security.createUser('evil', 'evil-pass', false) /*",
    "$company",
    "{id: 'bmw'}]->(m) DETACH DELETE m //",
    "PARTNERS_WITH|DEPLOYS_ON]-() DELETE r //",
    "\\' OR 1=1 //",
]


def whole_store(driver) -> dict:
    """Digest of everything in the database, plus its schema and the users."""
    state = store_digest(driver, "")
    state["constraints"] = sorted(r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records)
    state["indexes"] = sorted(r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records)
    state["users"] = sorted(r["user"] for r in driver.execute_query("SHOW USERS YIELD user", database_="system").records)
    return state


@pytest.fixture(scope="module")
def loaded_private(private_neo4j, fixture_graph):
    """The fixture graph loaded into the private server under a prefix; yields (driver, prefix)."""
    from graphkit.graph import graph_to_dict
    from graphkit.neo4j import connect, delete_prefixed, load_graph

    driver = connect(private_neo4j.settings())
    prefix = "inj-"
    load_graph(driver, graph_to_dict(fixture_graph), id_prefix=prefix)
    yield driver, prefix
    delete_prefixed(driver, prefix)
    driver.close()


SANE = {"company": "BMW", "a": "BMW", "b": "Tencent"}


def test_injection_in_every_report_parameter_changes_nothing(loaded_private):
    from graphkit.errors import GraphkitError
    from graphkit.reports import bind_params, list_reports, parse_param_args, run_report

    driver, _ = loaded_private
    before = whole_store(driver)
    ran, refused = {}, 0
    for report in list_reports():
        required = {p.name: SANE.get(p.name, "1") for p in report.params if p.required}
        for param in report.params:
            for payload in PAYLOADS:
                args = [f"{k}={v}" for k, v in {**required, param.name: payload}.items()]
                try:
                    params = bind_params(report, parse_param_args(report.name, args))
                except GraphkitError:
                    refused += 1  # e.g. a payload for an int parameter: a one-line error
                    continue
                run_report(driver, report, params)  # anything but rows is a failure of the test
                ran[report.name] = ran.get(report.name, 0) + 1
    takes_text = {r.name for r in list_reports() if any(p.type in ("str", "list") for p in r.params)}
    assert set(ran) == takes_text, "every report with a text parameter ran with payloads in it"
    assert refused > 0
    assert whole_store(driver) == before


def test_injection_in_report_parameters_on_the_command_line_changes_nothing(private_neo4j, loaded_private):
    driver, _ = loaded_private
    before = whole_store(driver)
    env = private_neo4j.env()
    for args in (["company_partners", "-p", f"company={PAYLOADS[0]}"],
                 ["shortest_paths", "-p", f"a={PAYLOADS[2]}", "-p", f"b={PAYLOADS[1]}"],
                 ["top_connected", "-p", f"limit={PAYLOADS[4]}"]):
        proc = graphkit("report", "run", *args, env=env)
        assert "Traceback" not in proc.stderr and PASSWORD not in proc.stdout + proc.stderr
        if proc.returncode != 0:  # a value of the wrong type: one line naming the parameter
            errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and "limit" in errors[0], proc.stderr
    assert whole_store(driver) == before


def rename_entity(graph: dict, old: str, new: str) -> None:
    """Give entity `old` the id `new` everywhere the graph dict refers to it."""
    for node in graph["nodes"]:
        if node["id"] == old:
            node["id"] = new
        if node.get("parent") == old:
            node["parent"] = new
    for edge in graph["edges"]:
        edge["head"] = new if edge["head"] == old else edge["head"]
        edge["tail"] = new if edge["tail"] == old else edge["tail"]


def test_injection_in_entity_ids_names_and_aliases_is_stored_as_text(private_neo4j, fixture_graph):
    from graphkit.graph import graph_to_dict
    from graphkit.neo4j import connect, count_graph, delete_prefixed, load_graph
    from graphkit.reports import bind_params, find_report, run_report

    graph = graph_to_dict(fixture_graph)
    bmw = next(n for n in graph["nodes"] if n["id"] == "bmw")
    tencent = next(n for n in graph["nodes"] if n["id"] == "tencent")
    bmw["name"], bmw["aliases"] = PAYLOADS[0], [PAYLOADS[1], PAYLOADS[3]]
    tencent["name"] = PAYLOADS[6]
    rename_entity(graph, "tencent", PAYLOADS[2])
    prefix = "injnames-"
    driver = connect(private_neo4j.settings())
    try:
        before = whole_store(driver)
        load_graph(driver, graph, id_prefix=prefix)
        counts = count_graph(driver, prefix)
        assert counts["Entity"] == len(graph["nodes"]) and counts["relationships"] == len(graph["edges"])
        stored = {r["id"]: r for r in driver.execute_query(
            "MATCH (e:Entity) WHERE e.id IN $ids RETURN e.id AS id, e.name AS name, e.aliases AS aliases",
            parameters_={"ids": [prefix + "bmw", prefix + PAYLOADS[2]]}).records}
        assert stored[prefix + "bmw"]["name"] == PAYLOADS[0]
        assert {PAYLOADS[1], PAYLOADS[3]} <= set(stored[prefix + "bmw"]["aliases"])
        assert stored[prefix + PAYLOADS[2]]["name"] == PAYLOADS[6]
        # a user looking the payload-named company up by name finds its partners
        report = find_report("company_partners")
        rows = run_report(driver, report, bind_params(report, {"company": PAYLOADS[1]}))
        assert rows, "the alias written as a payload finds BMW"
        delete_prefixed(driver, prefix)
        assert whole_store(driver) == before
    finally:
        delete_prefixed(driver, prefix)
        driver.close()


ARTICLE = """{title}
March 3, 2021

Ford and Google have formed a six-year partnership{payload}, the companies said on Monday.

Ford will deploy its connected-vehicle services on Google Cloud. Under the deal {payload2} Google Cloud
becomes Ford's preferred cloud provider.
"""


def test_injection_in_article_ids_titles_and_text_is_stored_as_text(private_neo4j, tmp_path):
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph, graph_to_dict
    from graphkit.ingest import load_articles
    from graphkit.neo4j import connect, delete_prefixed, load_graph

    folder = tmp_path / "articles"
    folder.mkdir()
    name = "en_ford') DETACH DELETE n"
    (folder / f"{name}.txt").write_text(
        ARTICLE.format(title=PAYLOADS[5], payload=PAYLOADS[0], payload2=PAYLOADS[4]), encoding="utf-8")
    graph = graph_to_dict(build_graph(extract_article(a) for a in load_articles([folder]).articles))
    assert graph["edges"], "the article still yields its partnership"
    prefix = "injtext-"
    driver = connect(private_neo4j.settings())
    try:
        before = whole_store(driver)
        load_graph(driver, graph, id_prefix=prefix)
        article = driver.execute_query("MATCH (a:Article) WHERE a.id STARTS WITH $p RETURN a.id AS id, a.title AS t",
                                       parameters_={"p": prefix}).records
        assert [(r["id"], r["t"]) for r in article] == [(prefix + name, graph["articles"][0]["title"])]
        assert "CALL dbms.security.createUser('evil', 'evil-pass', false)" in article[0]["t"]
        evidence = [e for r in driver.execute_query(
            "MATCH (h:Entity)-[r]->() WHERE h.id STARTS WITH $p RETURN r.evidence AS ev",
            parameters_={"p": prefix}).records for e in r["ev"]]
        assert any(PAYLOADS[0] in e for e in evidence), evidence
        delete_prefixed(driver, prefix)
        assert whole_store(driver) == before
    finally:
        delete_prefixed(driver, prefix)
        driver.close()
