"""Scripted Cypher reports: headers, parameter binding, CLI, and each report on the real fixture graph.

The Neo4j tests run every report against the graph built from fixtures/articles, loaded under
an id prefix by the `loaded_fixture_graph` fixture. Reports match by name, not id, so other
data in the same server (another test session's copy) can add rows: assertions are about rows
an analyst expects to see, and counts are compared with the relationships actually stored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphkit import reports
from graphkit.errors import ReportError

REPORT_DIR = Path(__file__).resolve().parent.parent / "cypher" / "reports"
REPORT_FILES = sorted(REPORT_DIR.glob("*.cypher"))
ALL = 1_000_000  # a `limit` high enough that other data in the server cannot crowd the fixture rows out
ANALYST_REPORTS = {
    "top_connected", "carmaker_clouds", "incubators", "company_partners", "shortest_paths",
    "cross_border_partnerships", "partnerships_per_year", "carmaker_tech_bridges", "edge_articles",
}

SAMPLE = """\
// title: Sample
// description: A report for tests,
//   continued here.
// param: company str
// param: limit int = 10
// param: ratio float = 0.5
// param: strict bool = false
// param: since date = null
// param: kinds list = carmaker,cloud
MATCH (c:Entity) WHERE c.name = $company AND ($since IS NULL OR c.x >= $since) // $ignored in comment
  AND ($strict OR c.kind IN $kinds) AND c.score >= $ratio
RETURN c.name AS name LIMIT $limit
"""


# --------------------------------------------------------------------------- headers (no Neo4j)

def test_reports_folder_holds_the_analyst_reports():
    assert {p.stem for p in REPORT_FILES} >= ANALYST_REPORTS
    assert reports.default_report_dir().resolve() == REPORT_DIR


@pytest.mark.parametrize("path", REPORT_FILES, ids=lambda p: p.stem)
def test_reports_every_file_has_full_header(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("//"):
            break
        header.append(line.strip())
    assert any(re.match(r"^// title: \S", h) for h in header), f"{path.name}: no `// title:` line"
    assert any(re.match(r"^// description: \S", h) for h in header), f"{path.name}: no `// description:` line"
    declared = {}
    for h in header:
        m = re.match(r"^// param: (\w+) (int|float|str|bool|date|list)(?: = (.+))?$", h)
        if h.startswith("// param:"):
            assert m, f"{path.name}: malformed param line {h!r}"
            declared[m.group(1)] = m.group(3)
    report = reports.load_report(path)  # the parser agrees
    used = set(reports.query_params(report.query)) - set(reports.BUILTIN_PARAMS)
    assert used <= set(declared), f"{path.name}: undeclared {sorted(used - set(declared))}"
    assert "$id_prefix" in report.query, f"{path.name}: does not keep to one load's nodes"
    assert set(declared) <= used, f"{path.name}: declared but unused {sorted(set(declared) - used)}"
    assert [p.name for p in report.params] == list(declared)


def test_reports_parse_header_and_query():
    r = reports.parse_report(SAMPLE, "sample")
    assert (r.name, r.title, r.description) == ("sample", "Sample", "A report for tests, continued here.")
    assert [(p.name, p.type) for p in r.params] == [
        ("company", "str"), ("limit", "int"), ("ratio", "float"), ("strict", "bool"), ("since", "date"), ("kinds", "list")]
    assert r.param("company").required and not r.param("limit").required
    assert [p.default for p in r.params[1:]] == [10, 0.5, False, None, ["carmaker", "cloud"]]
    assert r.query.startswith("MATCH (c:Entity)") and "// title" not in r.query
    assert reports.query_params(r.query) == ["company", "since", "strict", "kinds", "ratio", "limit"]


@pytest.mark.parametrize("text, problem", [
    ("// description: d\nRETURN 1", "no `// title:` line"),
    ("// title: t\nRETURN 1", "no `// description:` line"),
    ("// title: t\n// description: d\n", "no Cypher query"),
    ("// title: t\n// description: d\nRETURN $x", "query uses $x"),
    ("// title: t\n// description: d\n// param: x integer = 1\nRETURN $x", "bad param line"),
    ("// title: t\n// description: d\n// param: x int = one\nRETURN $x", "'x' expects an integer"),
])
def test_reports_bad_header_names_the_report(text, problem):
    with pytest.raises(ReportError) as info:
        reports.parse_report(text, "broken")
    assert str(info.value).startswith("report broken: ") and problem in str(info.value)


# --------------------------------------------------------------------------- parameters (no Neo4j)

@pytest.fixture
def sample():
    return reports.parse_report(SAMPLE, "sample")


@pytest.mark.parametrize("raw, key, expected", [
    ({"limit": "5"}, "limit", 5),
    ({"limit": " 7 "}, "limit", 7),
    ({"limit": "null"}, "limit", None),
    ({"ratio": "2"}, "ratio", 2.0),
    ({"strict": "true"}, "strict", True),
    ({"strict": "No"}, "strict", False),
    ({"since": "2020"}, "since", "2020"),
    ({"since": "2020-07-03"}, "since", "2020-07-03"),
    ({"kinds": "cloud, chip ,"}, "kinds", ["cloud", "chip"]),
    ({"kinds": ""}, "kinds", []),
    ({"company": "x' OR 1=1 //"}, "company", "x' OR 1=1 //"),
])
def test_reports_bind_parses_by_declared_type(sample, raw, key, expected):
    bound = reports.bind_params(sample, {"company": "BMW", **raw})
    assert bound[key] == expected
    assert set(bound) == {p.name for p in sample.params}  # defaults filled in


def test_reports_bind_keeps_defaults(sample):
    assert reports.bind_params(sample, {"company": "宝马"}) == {
        "company": "宝马", "limit": 10, "ratio": 0.5, "strict": False, "since": None, "kinds": ["carmaker", "cloud"]}


@pytest.mark.parametrize("raw, message", [
    ({}, "report sample: missing parameter 'company'"),
    ({"company": "BMW", "colour": "red"}, "report sample: unknown parameter 'colour'"),
    ({"company": "BMW", "limit": "ten"}, "report sample: parameter 'limit' expects an integer, got 'ten'"),
    ({"company": "BMW", "strict": "maybe"}, "report sample: parameter 'strict' expects true or false"),
    ({"company": "BMW", "since": "03.07.2020"}, "report sample: parameter 'since' expects a date"),
    ({"company": "BMW", "since": "2021-02-30"}, "report sample: parameter 'since' expects a real calendar date"),
])
def test_reports_bad_parameter_names_report_and_parameter(sample, raw, message):
    with pytest.raises(ReportError) as info:
        reports.bind_params(sample, raw)
    assert str(info.value).startswith(message)


def test_reports_missing_and_unknown_parameter_of_a_real_report():
    report = reports.find_report("company_partners")
    with pytest.raises(ReportError, match=r"^report company_partners: missing parameter 'company'"):
        reports.bind_params(report, {})
    with pytest.raises(ReportError, match=r"^report company_partners: unknown parameter 'firm'"):
        reports.bind_params(report, {"company": "BMW", "firm": "SAP"})


def test_reports_param_args_and_unknown_report():
    assert reports.parse_param_args("r", ["a=1", "q=x=y", " b =2"]) == {"a": "1", "q": "x=y", "b": "2"}
    with pytest.raises(ReportError, match=r"^report r: parameter 'limit' is not key=value"):
        reports.parse_param_args("r", ["limit"])
    with pytest.raises(ReportError, match=r"^unknown report 'nope' \(known: .*company_partners"):
        reports.find_report("nope")


def test_reports_cypher_dir_override(tmp_path, monkeypatch):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "mine.cypher").write_text("// title: Mine\n// description: d\nRETURN 1 AS one\n", encoding="utf-8")
    monkeypatch.setenv("GRAPHKIT_CYPHER_DIR", str(tmp_path))
    assert [r.name for r in reports.list_reports()] == ["mine"]


# --------------------------------------------------------------------------- CLI (no Neo4j)

def _invoke(*args):
    from typer.testing import CliRunner

    from graphkit.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_report_list_shows_names_titles_params():
    result = _invoke("report", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "name,title,params"
    assert len(lines) == 1 + len(REPORT_FILES)
    assert any(line.startswith("company_partners,One company's partners") and "company str (required)" in line
               for line in lines)


def test_cli_report_run_missing_parameter_is_one_line_exit_1():
    result = _invoke("report", "run", "company_partners")
    assert result.exit_code == 1
    assert result.stderr == "error: report company_partners: missing parameter 'company' (str); give it with -p company=VALUE\n"


def test_cli_report_run_unknown_parameter_is_one_line_exit_1():
    result = _invoke("report", "run", "incubators", "-p", "owner=BMW")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: report incubators: unknown parameter 'owner' (declared: limit, runner)")
    assert len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- on Neo4j

@pytest.fixture(scope="module")
def driver(neo4j_driver):
    return neo4j_driver


@pytest.fixture(scope="module")
def run(driver, neo4j_settings, loaded_fixture_graph):
    """run("company_partners", company="BMW") -> rows, parameters bound from strings like the CLI."""

    def _run(name, **raw):
        report = reports.find_report(name)
        return reports.run_report(driver, report, reports.bind_params(report, {k: str(v) for k, v in raw.items()}),
                                  database=neo4j_settings.database)

    return _run


def _stored(driver, database, query, **params) -> int:
    """Ground truth straight from the store (copies loaded by other sessions included)."""
    records, _, _ = driver.execute_query(query, parameters_=params, database_=database)
    return records[0][0]


def _stored_around(driver, database, query, produce):
    """(value produced by a report, set of stored counts read just before and just after it).

    Another session may load or delete its own copy meanwhile; a report that double counts
    would still be caught, as twice the count is neither the count before nor after."""
    before = _stored(driver, database, query)
    value = produce()
    return value, {before, _stored(driver, database, query)}


def _mine(rows, prefix, column="articles"):
    return [r for r in rows if any(a.startswith(prefix) for a in (r[column] if isinstance(r[column], list) else [r[column]]))]


@pytest.mark.neo4j
@pytest.mark.parametrize("spelling", ["Dongfeng Motor", "dongfeng motor", "东风汽车集团"])
def test_report_company_partners_dongfeng_has_tencent_with_evidence(run, loaded_fixture_graph, spelling):
    rows = _mine(run("company_partners", company=spelling), loaded_fixture_graph)
    tencent = [r for r in rows if r["partner"] == "Tencent"]
    assert len(tencent) == 1, rows
    row = tencent[0]
    assert row["company"] == "Dongfeng Motor"
    assert row["evidence"] and all(isinstance(e, str) and e for e in row["evidence"])
    assert row["first_seen"].startswith("2019-06")
    assert row["support"] == len(row["articles"]) >= 1


@pytest.mark.neo4j
def test_report_company_partners_bmw_each_partner_once(run, loaded_fixture_graph):
    rows = _mine(run("company_partners", company="bmw"), loaded_fixture_graph)
    partners = [r["partner"] for r in rows]
    assert len(partners) == len(set(partners)), "a partnership listed twice"
    assert {"Alibaba", "Daimler", "Tencent", "SAP"} <= set(partners)
    alibaba = next(r for r in rows if r["partner"] == "Alibaba")
    assert alibaba["support"] >= 2  # zh, de and ru articles all state it
    assert run("company_partners", company="x' OR 1=1 //") == []  # a value, never query text


@pytest.mark.neo4j
def test_report_carmaker_clouds_azure_via_volkswagen(run):
    rows = run("carmaker_clouds", limit=ALL)

    def deployed(provider, carmaker):
        return any(r["provider"] == provider and any(d.startswith(carmaker) for d in r["deployments"]) for r in rows)

    assert deployed("Azure", "Volkswagen"), rows
    assert all("Microsoft" in r["owner"] for r in rows if r["provider"] == "Azure")
    assert deployed("Alibaba Cloud", "Xpeng") and deployed("Amazon Web Services", "Toyota")
    assert all(0 < r["share_pct"] <= 100 for r in rows)
    assert [r["carmakers"] for r in rows] == sorted((r["carmakers"] for r in rows), reverse=True)
    clouds = run("carmaker_clouds", provider_kind="cloud", limit=ALL)
    assert "Azure" in {r["provider"] for r in clouds} and all(r["kind"] == "cloud" for r in clouds)
    assert run("carmaker_clouds", since="2030") == []


@pytest.mark.neo4j
def test_report_incubators_bmw_runs_garage_and_joint_base(run):
    rows = run("incubators", limit=ALL)
    assert any(r["incubator"] == "BMW Startup Garage" and "BMW" in r["run_by"] and r["type"] == "Program" for r in rows)
    joint = [r for r in rows if {"BMW", "Alibaba"} <= set(r["run_by"]) and (r["first_seen"] or "").startswith("2020")]
    assert joint, "the joint innovation base run by BMW and Alibaba since 2020 is missing"
    by_bmw = run("incubators", runner="宝马", limit=ALL)
    assert by_bmw and all("BMW" in r["run_by"] for r in by_bmw)
    assert {r["incubator"] for r in by_bmw} >= {"BMW Startup Garage", joint[0]["incubator"]}


@pytest.mark.neo4j
def test_report_shortest_paths_dongfeng_to_bmw_through_tencent(run):
    rows = run("shortest_paths", a="Dongfeng Motor", b="BMW", limit=ALL)
    assert rows and rows[0]["hops"] == 2
    assert ["Dongfeng Motor", "Tencent", "BMW"] in [r["names"] for r in rows]
    assert "Dongfeng Motor -[PARTNERS_WITH]- Tencent -[PARTNERS_WITH]- BMW" in [r["path"] for r in rows]
    only_partners = run("shortest_paths", a="东风汽车集团", b="bmw", types="PARTNERS_WITH")
    assert only_partners and all(set(re.findall(r"\[(\w+)\]", r["path"])) == {"PARTNERS_WITH"} for r in only_partners)
    assert run("shortest_paths", a="Dongfeng Motor", b="BMW", max_hops=1) == []


@pytest.mark.neo4j
def test_report_cross_border_partnerships_each_pair_once(run, driver, neo4j_settings):
    rows, stored = _stored_around(
        driver, neo4j_settings.database,
        "MATCH (:Entity {name: 'Alibaba'})-[r:PARTNERS_WITH]-(:Entity {name: 'BMW'}) RETURN count(r)",
        lambda: run("cross_border_partnerships", limit=ALL))
    assert all(r["country_a"] < r["country_b"] for r in rows)
    assert all(r["partnerships"] == len(r["examples"]) for r in rows)
    cn_de = next(r for r in rows if (r["country_a"], r["country_b"]) == ("CN", "DE"))
    assert cn_de["examples"].count("Alibaba – BMW") in stored
    assert "Alibaba – BMW" in cn_de["examples"]
    assert all("CN" in (r["country_a"], r["country_b"]) for r in run("cross_border_partnerships", country="cn", limit=ALL))


@pytest.mark.neo4j
def test_report_partnerships_per_year_counts_pairs_once(run, driver, neo4j_settings):
    years, stored = _stored_around(
        driver, neo4j_settings.database,
        "MATCH (:Entity {name: 'Dongfeng Motor'})-[r:PARTNERS_WITH]-(:Entity {name: 'Tencent'}) RETURN count(r)",
        lambda: run("partnerships_per_year"))
    rows = {r["year"]: r for r in years}
    assert "undated" not in rows
    assert all(r["new_partnerships"] == len(r["pairs"]) for r in rows.values())
    assert rows["2019"]["pairs"].count("Dongfeng Motor – Tencent") in stored
    assert "Dongfeng Motor – Tencent" in rows["2019"]["pairs"]
    assert "Alibaba – BMW" in rows["2020"]["pairs"]
    windowed = run("partnerships_per_year", from_year=2019, to_year=2020, include_undated="true")
    assert {r["year"] for r in windowed} == {"2019", "2020", "undated"}
    assert any("SAP" in p for p in next(r for r in windowed if r["year"] == "undated")["pairs"])  # Catena-X states no date


@pytest.mark.neo4j
def test_report_carmaker_tech_bridges(run):
    rows = run("carmaker_tech_bridges", limit=ALL)
    assert any(r["company"] == "BMW" and "Daimler" in r["carmakers"] and {"SAP", "Alibaba"} <= set(r["tech_firms"])
               for r in rows), rows
    assert any(r["company"] == "Microsoft" and "Volkswagen" in r["carmakers"] and "Azure" in r["tech_firms"]
               for r in rows)
    assert all(r["carmaker_links"] >= 1 and r["tech_links"] >= 1 for r in rows)
    partners_only = run("carmaker_tech_bridges", types="PARTNERS_WITH", limit=ALL)
    assert any(r["company"] == "BMW" for r in partners_only)
    assert not any("Azure" in r["tech_firms"] for r in partners_only)  # Azure is linked by PRODUCT_OF/DEPLOYS_ON only


@pytest.mark.neo4j
def test_report_edge_articles_bmw_alibaba(run, loaded_fixture_graph):
    p = loaded_fixture_graph
    rows = _mine(run("edge_articles", a="BMW", b="阿里巴巴", type="partners_with"), p, column="article")
    assert {r["article"] for r in rows} == {p + "zh_bmw_alibaba_garage", p + "de_bmw_alibaba_innovationsbasis",
                                            p + "ru_bmw_alibaba_incubator"}
    assert {r["lang"] for r in rows} == {"zh", "de", "ru"}
    assert all(r["relation"] == "PARTNERS_WITH" and r["title"] and r["evidence"] for r in rows)
    every_type = _mine(run("edge_articles", a="BMW", b="Alibaba"), p, column="article")
    assert len(every_type) >= len(rows)


@pytest.mark.neo4j
def test_report_top_connected_counts_each_partner_once(run, driver, neo4j_settings, loaded_fixture_graph):
    rows = run("top_connected", type="partners_with", limit=ALL)
    assert rows and {r["relation"] for r in rows} == {"PARTNERS_WITH"}
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["connections"] for r in rows] == sorted((r["connections"] for r in rows), reverse=True)
    ours = _stored(driver, neo4j_settings.database,  # our copy of BMW, by id: no other session touches it
                   "MATCH (:Entity {id: $id})-[:PARTNERS_WITH]-(p:Entity) RETURN count(DISTINCT p)",
                   id=loaded_fixture_graph + "bmw")
    assert ours >= 8  # Alibaba, Daimler, Tencent and the five Catena-X founders
    assert ours in [r["connections"] for r in rows if r["player"] == "BMW"]
    every = run("top_connected", limit=1)
    assert {"PARTNERS_WITH", "DEPLOYS_ON", "INCUBATES"} <= {r["relation"] for r in every}


def test_reports_docs_list_every_report():
    readme = (REPORT_DIR.parent.parent / "docs" / "neo4j.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Reports"):]
    for path in REPORT_FILES:
        report = reports.load_report(path)
        row = next((line for line in section.splitlines() if line.startswith(f"| `{report.name}` |")), None)
        assert row, f"docs/neo4j.md ## Reports has no row for {report.name}"
        assert all(p.name in row for p in report.params), f"docs/neo4j.md row for {report.name} misses a parameter"
