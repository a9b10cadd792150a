"""graphkit command line: parse, call one library function, render. No logic here."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import analyze, ingest
from .errors import GraphkitError
from .extract import extract_article
from .graph import DEFAULT_GRAPH_PATH, build_graph, load_graph, save_graph
from .render import Format, render_rows, rows_to_text, stderr_console, stdout_console

app = typer.Typer(
    help="Turn car x tech news articles into an ecosystem graph and rank its central players.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

GraphOpt = Annotated[Path, typer.Option("--graph", "-g", help="Graph file written by `graphkit build`.", envvar="GRAPHKIT_GRAPH")]


def _fail(message: str, hint: str | None = None) -> None:
    err = stderr_console()
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, emoji=False)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", markup=True, highlight=False)
    raise typer.Exit(1)


def reports_errors(command):
    """Library errors become `error: ...` on stderr and exit 1, however the app is invoked."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GraphkitError as exc:
            stderr_console().print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None
    return wrapper


def _read_articles(paths) -> list:
    """Ingest paths; report each bad file on stderr; fail only when nothing could be read."""
    result = ingest.load_articles(paths)
    err = stderr_console()
    for problem in result.problems:
        err.print(f"error: {problem}", markup=False, highlight=False)
    for skipped, kept in result.duplicates:
        err.print(f"note: {skipped}: same text as {kept}, skipped as a duplicate", markup=False, highlight=False)
    if not result.articles:
        _fail("no article could be read", "give .txt, .html, .md, .json or .jsonl files or folders holding them")
    return result.articles


def _extract_all(articles) -> list:
    return [extract_article(a) for a in articles]


@app.command()
@reports_errors
def build(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the graph.")] = DEFAULT_GRAPH_PATH,
):
    """Extract every article and write the aggregated graph (default graphkit-out/graph.json)."""
    extractions = _extract_all(_read_articles(paths))
    graph = build_graph(extractions)
    save_graph(graph, out)
    stdout_console().print(
        f"{len(extractions)} articles -> {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; wrote {out}",
        markup=False, highlight=False)


@app.command()
@reports_errors
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="JSONL file (default: stdout).")] = None,
):
    """Write one JSON object per article: article metadata, entities, relations (see README)."""
    lines = [json.dumps(x.to_json(), ensure_ascii=False) for x in _extract_all(_read_articles(paths))]
    text = "\n".join(lines) + "\n"
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        stderr_console().print(f"wrote {len(lines)} articles to {out}", markup=False, highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
@reports_errors
def rank(
    graph: GraphOpt = DEFAULT_GRAPH_PATH,
    metric: Annotated[str, typer.Option(help="pagerank | degree | betweenness | eigenvector | closeness | composite")] = "pagerank",
    top: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 10,
    type_: Annotated[Optional[list[str]], typer.Option("--type", help="Only nodes of this type (Organization, Product, Program); repeatable.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option(help="Only nodes of this kind (carmaker, cloud, ...); repeatable.")] = None,
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types (PARTNERS_WITH, ...); repeatable.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only edges last seen on/after this date (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only edges first seen on/before this date.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
):
    """Rank the central players of the built graph and say why."""
    if metric not in analyze.METRICS:
        _fail(f"unknown metric {metric!r}", "choose one of " + ", ".join(analyze.METRICS))
    try:
        relations = tuple(r.upper() for r in relation or ())
        from .model import RelationType
        for r in relations:
            RelationType(r)
    except ValueError:
        _fail(f"unknown relation type in {relation}", "use e.g. PARTNERS_WITH, DEPLOYS_ON, INCUBATES")
    options = analyze.RankOptions(metric=metric, top=top, types=tuple(type_ or ()), kinds=tuple(kind or ()),
                                  relations=relations, since=since, until=until)
    result = analyze.rank(load_graph(graph), options)
    render_rows(result.rows, fmt, stdout_console(), title=f"Central players by {metric}")
    for note in result.notes:
        stderr_console().print(f"note: {note}", markup=False, highlight=False)


@app.command()
@reports_errors
def explain(
    name: Annotated[str, typer.Argument(help="Company, product or program name in any script (宝马, bmw, БМВ).")],
    graph: GraphOpt = DEFAULT_GRAPH_PATH,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
):
    """Why a player ranks where it does: rank per metric, community, edges with evidence."""
    g = load_graph(graph)
    node = analyze.find_node(g, name)
    if node is None:
        _fail(f"{name!r} is not in the graph {graph}", "try `graphkit rank --top 50` to see the names it holds")
    info = analyze.explain(g, node)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout_console()
    heading = info["name"] + (f" ({info['original_name']})" if info["original_name"] else "")
    console.print(f"{heading} — {info['type']}, {info['kind'] or 'kind unknown'}", markup=False, highlight=False)
    ranks = [{"metric": m, "rank": f"{r['rank']} of {r['of']}", "score": r["score"]} for m, r in info["ranks"].items()]
    render_rows(ranks, fmt, console, title="Rank per metric")
    if info["community"]:
        c = info["community"]
        console.print(f"Community {c['community']} ({c['size']} members): " + ", ".join(c["peers"]), markup=False, highlight=False)
    render_rows(info["edges"], fmt, console, title="Edges with evidence")


@app.command()
@reports_errors
def communities(
    graph: GraphOpt = DEFAULT_GRAPH_PATH,
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types; repeatable.")] = None,
    seed: Annotated[int, typer.Option(help="Louvain seed (same seed, same clusters).")] = analyze.SEED,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
):
    """Clusters of the ecosystem (Louvain, seeded) with members and links between clusters."""
    parts = analyze.communities(load_graph(graph), tuple(r.upper() for r in relation or ()), seed=seed)
    rows = [{"community": p["community"], "size": p["size"], "members": p["members"],
             "links to other clusters": [f"{a} {k} {b}" for edges in p["links"].values() for a, k, b in edges][:6]}
            for p in parts]
    render_rows(rows, fmt, stdout_console(), title="Communities")


@app.command()
@reports_errors
def evaluate(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    gold: Annotated[Path, typer.Option(help="Folder of gold <id>.json files.")],
    errors: Annotated[bool, typer.Option("--errors", help="List false positives and misses with evidence.")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
):
    """Precision / recall / F1 of extraction against gold annotations."""
    from .evaluate import evaluate as run_eval, load_gold

    gold_data = load_gold(gold)
    extractions = [x.to_json() for x in _extract_all(_read_articles(paths))]
    report = run_eval(extractions, gold_data)
    console = stdout_console()
    if fmt is Format.json:
        payload = {"articles": report.articles, "tables": report.tables()}
        if errors:
            payload["errors"] = report.errors
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(f"{report.articles} articles compared with gold", markup=False, highlight=False)
    for title, rows in report.tables().items():
        render_rows(rows, fmt, console, title=title)
    if report.missing:
        stderr_console().print("note: no article for gold ids " + ", ".join(report.missing), markup=False, highlight=False)
    if errors:
        render_rows(report.errors, fmt, console, title="Errors (false positives and misses)")


@app.command("map")
@reports_errors
def map_(
    graph: GraphOpt = DEFAULT_GRAPH_PATH,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("graphkit-out/ecosystem.html"),
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types (PARTNERS_WITH, ...); repeatable.")] = None,
    top: Annotated[Optional[int], typer.Option(min=1, help="Keep the N highest-ranked nodes (PageRank); default all.")] = None,
):
    """Write an interactive, offline HTML map of the ecosystem (one self-contained file)."""
    from .mapview import map_html
    from .model import RelationType

    relations = tuple(r.upper() for r in relation or ())
    unknown = [r for r in relations if r not in RelationType.__members__]
    if unknown:
        _fail(f"unknown relation type {', '.join(unknown)}", "use e.g. PARTNERS_WITH, DEPLOYS_ON, INCUBATES")
    text = map_html(load_graph(graph), relations=relations, top=top)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    stdout_console().print(f"wrote {out}", markup=False, highlight=False)


report_app = typer.Typer(help="Scripted Cypher reports (cypher/reports/*.cypher) run against Neo4j.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("list")
def report_list(fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table):
    """List the reports: name (file stem), title and parameters (type = default)."""
    from . import reports

    try:
        items = reports.list_reports()
    except GraphkitError as exc:
        _fail(str(exc))
    rows = [{"name": r.name, "title": r.title, "params": ", ".join(p.describe() for p in r.params)} for r in items]
    render_rows(rows, fmt, stdout_console(), title="Reports")


@report_app.command("run")
def report_run(
    name: Annotated[str, typer.Argument(help="Report name from `graphkit report list` (or a .cypher file).")],
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Report parameter key=value; repeatable; `null` for none.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format; with --out, table is written as md.")] = Format.table,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the rows to this file (csv, json or md) instead of stdout.")] = None,
    uri: Annotated[str, typer.Option(envvar="NEO4J_URI", help="Neo4j URI.")] = "bolt://127.0.0.1:7687",
    user: Annotated[str, typer.Option(envvar="NEO4J_USER", help="Neo4j user.")] = "neo4j",
    password: Annotated[str, typer.Option(envvar="NEO4J_PASSWORD", show_default=False, help="Neo4j password.")] = "",
    database: Annotated[str, typer.Option(envvar="NEO4J_DATABASE", help="Neo4j database.")] = "neo4j",
):
    """Run one report against Neo4j; parameters are checked against the report's header."""
    from . import reports
    from .neo4j import Neo4jSettings

    try:
        report = reports.find_report(name)
        params = reports.bind_params(report, reports.parse_param_args(report.name, param))
        rows = reports.run_report(Neo4jSettings(uri=uri, user=user, password=password, database=database), report, params)
    except GraphkitError as exc:
        _fail(str(exc))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rows_to_text(rows, Format.md if fmt is Format.table else fmt), encoding="utf-8")
        stderr_console().print(f"wrote {len(rows)} rows to {out}", markup=False, highlight=False)
    else:
        render_rows(rows, fmt, stdout_console(), title=report.title)
    if not rows:
        stderr_console().print(f"note: report {report.name} returned no rows", markup=False, highlight=False)


NEO4J_PANEL = "Neo4j connection"
UriOpt = Annotated[str, typer.Option("--uri", envvar="NEO4J_URI", rich_help_panel=NEO4J_PANEL,
                                     help="bolt://HOST:7687, neo4j://HOST:7687 or neo4j+s://ID.databases.neo4j.io (Aura).")]
UserOpt = Annotated[str, typer.Option("--user", envvar="NEO4J_USER", rich_help_panel=NEO4J_PANEL, help="Neo4j user.")]
PasswordOpt = Annotated[str, typer.Option("--password", envvar="NEO4J_PASSWORD", hide_input=True, show_default=False,
                                          rich_help_panel=NEO4J_PANEL,
                                          help="Neo4j password (prefer the NEO4J_PASSWORD variable; never printed).")]
DatabaseOpt = Annotated[str, typer.Option("--database", envvar="NEO4J_DATABASE", rich_help_panel=NEO4J_PANEL,
                                          help="Database name (Community edition has one: neo4j).")]
IdPrefixOpt = Annotated[str, typer.Option("--id-prefix", show_default=False,
                                          help="Put this before every node id (to keep test or trial loads apart).")]


def _neo4j_settings(uri: str, user: str, password: str, database: str):
    from .neo4j import Neo4jSettings

    return Neo4jSettings(uri=uri, user=user, password=password, database=database)


@app.command()
@reports_errors
def load(
    graph: Annotated[Path, typer.Argument(help="Graph file written by `graphkit build`.", envvar="GRAPHKIT_GRAPH")] = DEFAULT_GRAPH_PATH,
    uri: UriOpt = "bolt://127.0.0.1:7687",
    user: UserOpt = "neo4j",
    password: PasswordOpt = "",
    database: DatabaseOpt = "neo4j",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per write transaction.")] = 2000,
    writers: Annotated[int, typer.Option("--writers", min=1, max=16,
                                         help="Transactions in flight at once (threads).")] = 2,
    id_prefix: IdPrefixOpt = "",
):
    """Write the built graph to Neo4j (schema first; re-loading changes nothing)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from . import neo4j as store
    from .graph import graph_to_dict

    data = graph_to_dict(load_graph(graph))
    settings = _neo4j_settings(uri, user, password, database)
    started = time.perf_counter()
    driver = store.connect(settings)
    try:
        columns = (TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=stderr_console(), transient=False) as bar:
            tasks = {stage: bar.add_task(stage, total=None) for stage in ("nodes", "relationships")}

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(tasks[stage], completed=done, total=total)

            counts = store.load_graph(driver, data, batch_size=batch_size, id_prefix=id_prefix,
                                      progress=progress, database=database, writers=writers)
    finally:
        driver.close()
    elapsed = time.perf_counter() - started
    stdout_console().print(
        f"loaded {counts.nodes} nodes ({counts.entities} entities, {counts.articles} articles) and "
        f"{counts.relationships + counts.mentions} relationships ({counts.relationships} edges, "
        f"{counts.relationships_created} of them new, {counts.mentions} MENTIONS) into {settings.database} at {settings.uri} in {elapsed:.1f}s",
        markup=False, highlight=False)
    if counts.stale_items or counts.orphans_deleted:
        stderr_console().print(f"note: removed {counts.stale_items} stale article items and "
                               f"{counts.orphans_deleted} entities nothing refers to any more", markup=False, highlight=False)


@app.command()
@reports_errors
def retract(
    article_id: Annotated[str, typer.Argument(help="Article id (the file stem, as in `graphkit extract`).")],
    graph: GraphOpt = DEFAULT_GRAPH_PATH,
    uri: UriOpt = "bolt://127.0.0.1:7687",
    user: UserOpt = "neo4j",
    password: PasswordOpt = "",
    database: DatabaseOpt = "neo4j",
    id_prefix: IdPrefixOpt = "",
):
    """Withdraw one article from Neo4j and from the graph file; edges it alone supported go."""
    from . import neo4j as store
    from .graph import remove_article

    driver = store.connect(_neo4j_settings(uri, user, password, database))
    try:
        result = store.retract_article(driver, article_id, id_prefix=id_prefix, database=database)
    finally:
        driver.close()
    in_file = False
    if Path(graph).exists():
        g = load_graph(graph)
        in_file = remove_article(g, article_id)
        if in_file:
            save_graph(g, graph)
    if not result["found"] and not in_file:
        _fail(f"article {article_id!r} is neither in Neo4j nor in {graph}",
              "ids are file stems; `graphkit extract PATH` prints them")
    out = stdout_console()
    if result["found"]:
        out.print(f"Neo4j: removed article {article_id}: {result['edges_updated']} edges lost its support, "
                  f"{result['edges_deleted']} edges and {result['entities_deleted']} entities deleted",
                  markup=False, highlight=False)
    else:
        out.print(f"Neo4j: article {article_id} was not loaded", markup=False, highlight=False)
    out.print(f"{graph}: " + (f"removed article {article_id}" if in_file else f"article {article_id} not in the file"),
              markup=False, highlight=False)


def main() -> None:
    """Entry point: library errors become one-line messages, never tracebacks."""
    try:
        app()
    except GraphkitError as exc:
        stderr_console().print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
