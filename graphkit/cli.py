"""graphkit command line: parse, call one library function, render. No logic here."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__, analyze, batch, ingest
from .cli_rules import rules_app, train as train_command
from .errors import GraphkitError, UsageProblem
from .extract import extract_article
from .graph import build_graph, load_graph, save_graph
from .render import Format, json_text, render_rows, rows_to_text, stderr_console, stdout_console
from .settings import Settings, load_settings
from .sources import display_name

class _App(typer.Typer):
    """Every command registered here runs inside the one error boundary (`_boundary`)."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)
        return lambda function: register(_boundary(function))


CONTEXT = {"help_option_names": ["-h", "--help"]}
HELP_STYLE = {"rich_markup_mode": None}  # plain help and usage errors: no `<bool>` placeholders, no boxes


def _flag(*names, **kwargs):
    """An on/off option, shown in help without a value placeholder (not `--wide <bool>`)."""
    return typer.Option(*names, metavar="", **kwargs)
app = _App(
    help="Turn car x tech news articles into an ecosystem graph and rank its central players.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings=CONTEXT,
    **HELP_STYLE,
)

GraphOpt = Annotated[Optional[Path], typer.Option(
    "--graph", "-g", show_default=False,
    help="Graph file (default: `graph` of graphkit.toml, GRAPHKIT_GRAPH, or graphkit-out/graph.json).")]
WideOpt = Annotated[bool, _flag("--wide", help="Tables: show every column (default: the ones that fit).")]
UndatedOpt = Annotated[str, typer.Option("--undated", metavar="keep|drop",
                                         help="With --since/--until: keep or drop undated edges (both bounds alike).")]
FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", show_default=False, help="Output format (default table, or `format` of graphkit.toml).")]


def _say(message: str, err: bool = False) -> None:
    """Plain text, never read as markup: `[red]` in a name is printed as typed."""
    (stderr_console() if err else stdout_console()).print(message, markup=False, highlight=False, emoji=False)


def _boundary(command):
    """Library errors become `error: ...` (plus `hint: ...`) on stderr and exit 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except GraphkitError as exc:
            _say(f"error: {exc}", err=True)
            if getattr(exc, "hint", None):
                _say(f"hint: {exc.hint}", err=True)
            raise typer.Exit(1) from None
        except BrokenPipeError:  # the reader went away (`graphkit extract ... | head`): stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:  # an output path that cannot be written, a full disk
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            _say(f"error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(1) from None
    return wrapper


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush into the closed pipe is silent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(message: str, hint: str | None = None):
    raise UsageProblem(message, hint)


def _version(value: bool) -> None:
    if value:
        _say(f"graphkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    config: Annotated[Optional[Path], typer.Option(
        "--config", show_default=False,
        help="Config file (default: ./graphkit.toml, or GRAPHKIT_CONFIG).")] = None,
    version: Annotated[bool, _flag("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    """Turn car x tech news articles into an ecosystem graph and rank its central players."""
    _INVOCATION.clear()
    _INVOCATION["config"] = config


_INVOCATION: dict = {}  # this invocation's --config and, once read, its Settings


def settings() -> Settings:
    """The settings of this invocation, read once (flags are applied by each command)."""
    if "settings" not in _INVOCATION:
        _INVOCATION["settings"] = load_settings(_INVOCATION.get("config"))
    return _INVOCATION["settings"]


def _graph(flag: Optional[Path]) -> Path:
    return flag if flag is not None else settings().graph


def _format(flag: Optional[Format]) -> Format:
    if flag is not None:
        return flag
    value = settings().format
    if value is None:
        return Format.table
    try:
        return Format(value.lower())
    except ValueError:
        raise UsageProblem(f"format {value!r} (from {settings().source('format')}) is not one of "
                           + ", ".join(f.value for f in Format)) from None


@contextlib.contextmanager
def _stdin_as_file(paths):
    """`-` among the paths reads the article(s) from stdin: saved to a temporary file named
    stdin.txt (stdin.jsonl for JSON lines, stdin.html for a page) that lives for the command."""
    paths = list(paths)
    if not any(str(p) == "-" for p in paths):
        yield paths
        return
    import tempfile

    data = sys.stdin.buffer.read()
    head = data.lstrip()[:1]
    suffix = ".jsonl" if head == b"{" else ".html" if head == b"<" else ".txt"
    with tempfile.TemporaryDirectory(prefix="graphkit-stdin-") as folder:
        target = Path(folder) / f"stdin{suffix}"
        target.write_bytes(data)
        yield [target if str(p) == "-" else p for p in paths]


def _read_articles(paths) -> list:
    """Ingest paths (`-`: stdin); report each bad file on stderr; fail only when nothing could be read."""
    with _stdin_as_file(paths) as paths:
        result = ingest.load_articles(paths)
    for item in result.problems + result.notes:
        _report(item, isinstance(item, GraphkitError))
    for skipped, kept in result.duplicates:
        _say(f"note: {skipped}: same text as {kept}, skipped as a duplicate", err=True)
    if not result.articles:
        _fail("no article could be read", "give .txt, .html, .md, .json or .jsonl files or folders holding them")
    return result.articles


def _curation():
    """The workspace's curation file (empty when there is none)."""
    from .curation import load_curation

    return load_curation(settings().curation)


def _use_lexicon() -> None:
    """Put the user lexicon folder and the curation's aliases and entities in force (before
    any worker process starts: they inherit it)."""
    from .curation import use_user_lexicon

    use_user_lexicon(_curation(), settings().lexicon)


def _extract_all(articles, jobs: int = 1) -> list:
    """Extract with the user lexicon folder and the curation's aliases and entities in force;
    with `jobs` > 1 in forked worker processes (they inherit the lexicon in force)."""
    _use_lexicon()
    articles = list(articles)
    if jobs <= 1 or len(articles) < 2 * batch._BATCH_UNITS:
        return list(_progress(articles, "extracting", extract_article))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    batch._warm_up()  # lexicon and rules compiled once, before the fork
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(extract_article, articles, chunksize=batch._BATCH_UNITS))


def _progress(items, label: str, work):
    """work(item) for each item, with a progress bar on stderr for runs long enough to wait on."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    items = list(items)
    err = stderr_console()
    if len(items) < 50 or not err.is_terminal:
        yield from map(work, items)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield work(item)
            bar.advance(task)


@contextlib.contextmanager
def _article_counter(label: str):
    """A live article count on stderr (a terminal only) while a streamed run goes on."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    err = stderr_console()
    if not err.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description} {task.completed} articles"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda: bar.advance(task)


def _report(item, is_error: bool) -> None:
    _say(f"{'error' if is_error else 'note'}: {item}", err=True)


def _exit_for(counts) -> None:
    """Exit 1 when nothing was read, 2 when some inputs were skipped (the output holds the rest)."""
    if not counts.articles:
        _fail("no article could be read", "give .txt, .html, .md, .json or .jsonl files or folders holding them")
    if counts.skipped:
        _say(f"note: {counts.skipped} input(s) skipped, named above; exit status 2", err=True)
        raise typer.Exit(2)


JobsOpt = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, show_default="the machine's cores",
                                                help="Worker processes for ingest and extraction.")]


def _curate(graph) -> list:
    """Apply the curation file to `graph` in place; say how many entries took effect."""
    from .curation import apply_curation

    curation = _curation()
    if curation.empty:
        return []
    log = apply_curation(graph, curation)
    applied = sum(e["status"] == "applied" for e in log)
    _say(f"note: curation {curation.path}: {applied} of {len(log)} entries applied", err=True)
    return log


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Graph file (JSON or columnar).")],
    dest: Annotated[Path, typer.Argument(help="Where to write it: NAME.json or NAME.parquet (a folder of tables).")],
):
    """Copy a graph file into the other form (JSON export of a columnar graph, or the reverse)."""
    save_graph(load_graph(source), dest)
    _say(f"wrote {dest}")


@app.command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders; - reads stdin.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", "--graph", "-g", show_default=False,
                                                help="Where to write the graph (default: the configured graph).")] = None,
    jobs: JobsOpt = None,
):
    """Extract every article and write a new graph from exactly these articles.

    An existing graph file is replaced (use `graphkit add` to grow it instead)."""
    from .neardup import NearDuplicateFilter

    out = _graph(out)
    batch.check_output_path(out)
    _use_lexicon()
    near = NearDuplicateFilter()
    with _stdin_as_file(paths) as paths, _article_counter("extracting") as tick:
        graph, counts = batch.build(paths, _report, jobs=jobs or batch.default_jobs(), tick=tick, near_duplicates=near)
    if counts.articles:
        near.record(graph)
        _curate(graph)
        if Path(out).exists():
            _say(f"note: {display_name(out)} replaced by a graph of these articles only; "
                 "`graphkit add` grows a graph instead", err=True)
        save_graph(graph, out)
        _say(f"{counts.articles} articles -> {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
             f"wrote {display_name(out)}")
    _exit_for(counts)


def _say_skipped(plan) -> None:
    for article_id, holder in plan.unchanged:
        same = "already in the graph" if article_id == holder else f"same text as {holder}"
        _say(f"note: {article_id}: {same}; nothing changed", err=True)
    for article, kept, similarity in plan.near_duplicates:
        _say(f"note: {article.id}: near-duplicate of {kept} (similarity {similarity:.2f}); counted once", err=True)


@app.command()
def add(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders; - reads stdin.")],
    graph: GraphOpt = None,
    fmt: FormatOpt = None,
    jobs: JobsOpt = None,
):
    """Merge articles into the graph: new ones add, changed ones replace their own part, same text changes nothing.

    Prints what changed (entities, edges, support). Starts a new graph when the file does not exist."""
    from . import changes

    path = _graph(graph)
    g = load_graph(path) if Path(path).exists() else build_graph([])
    plan = changes.plan_add(g, _read_articles(paths))
    _say_skipped(plan)
    result = changes.apply_add(g, plan, _extract_all(plan.to_extract, jobs or batch.default_jobs()), after=_curate)
    if result.added or result.replaced or plan.near_duplicates or not result.diff.empty or not Path(path).exists():
        save_graph(g, path)
    _say_changes(result.diff, _format(fmt),
                 f"{path}: {len(result.added)} articles added, {len(result.replaced)} replaced, "
                 f"{len(result.unchanged)} unchanged, {len(plan.near_duplicates)} near-duplicates counted once")


def _say_changes(diff, fmt: Format, headline: str) -> None:
    """A change summary: headline and counts, then one row per change (or one JSON document)."""
    if fmt is Format.json:
        sys.stdout.write(json.dumps({"summary": headline, **diff.to_json()}, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is not Format.table:
        render_rows(diff.rows(), fmt, stdout_console())
        return
    _say(headline)
    _say(diff.summary())
    if not diff.empty:
        render_rows(diff.rows(), fmt, stdout_console(), title="Changes")


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Graph file before.")],
    new: Annotated[Path, typer.Argument(help="Graph file after.")],
    fmt: FormatOpt = None,
):
    """What changed between two graph files: articles, entities, edges and their support."""
    from .changes import diff_graphs

    result = diff_graphs(load_graph(old), load_graph(new))
    _say_changes(result, _format(fmt), f"{old} -> {new}")


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders; - reads stdin.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="JSONL file (default: stdout).")] = None,
    jobs: JobsOpt = None,
):
    """Write one JSON object per article: article metadata, entities, relations (see docs/extraction.md)."""
    _use_lexicon()
    with _stdin_as_file(paths) as paths, _article_counter("extracting") as tick:
        counts = batch.write_jsonl(paths, out, _report, jobs=jobs or batch.default_jobs(), tick=tick)
    if out and counts.articles:
        _say(f"wrote {counts.articles} articles to {display_name(out)}", err=True)
    _exit_for(counts)


def _relations(values) -> tuple:
    """Relation type names, any case; unknown ones are an error listing the valid ones."""
    from .model import RelationType

    out = []
    for value in values or ():
        if value.upper() not in RelationType.__members__:
            _fail(f"unknown relation type {value!r}", "choose from " + ", ".join(RelationType.__members__))
        out.append(value.upper())
    return tuple(out)


RANK_COLUMNS = ("rank", "name", "kind", "score", "degree", "partners", "why")


def _node_values(graph, attribute: str, given, option: str) -> tuple:
    """--type / --kind values matched case-insensitively against those the graph holds;
    an unknown one is an error listing the valid ones."""
    if not given:
        return ()
    valid = {d.get(attribute) for _, d in graph.nodes(data=True) if d.get(attribute)}
    if attribute == "type":
        from .model import EntityType

        valid |= {t.value for t in EntityType}
    else:
        from .lexicon import load_lexicon

        valid |= {e.kind for e in load_lexicon().entries.values() if e.kind}
    valid = sorted(valid)
    by_fold = {v.casefold(): v for v in valid}
    out = []
    for value in given:
        if value.casefold() not in by_fold:
            _fail(f"unknown {option} {value!r}", "choose from " + ", ".join(valid))
        out.append(by_fold[value.casefold()])
    return tuple(out)


@app.command()
def rank(
    graph: GraphOpt = None,
    metric: Annotated[str, typer.Option(help="pagerank | degree | betweenness | eigenvector | closeness | composite")] = "pagerank",
    top: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 10,
    type_: Annotated[Optional[list[str]], typer.Option("--type", help="Only nodes of this type (Organization, Product, Program); repeatable.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option(help="Only nodes of this kind (carmaker, cloud, ...); repeatable.")] = None,
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types (PARTNERS_WITH, ...); repeatable.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only edges last seen on/after this date (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only edges first seen on/before this date.")] = None,
    undated: UndatedOpt = "keep",
    fmt: FormatOpt = None,
    wide: WideOpt = False,
):
    """Rank the central players of the built graph and say why."""
    from .timewindow import make_window

    if metric.lower() not in analyze.METRICS:
        _fail(f"unknown metric {metric!r}", "choose one of " + ", ".join(analyze.METRICS))
    from .fastrank import ColumnarGraph, open_for_rank

    window = make_window(since, until, undated)
    g = open_for_rank(_graph(graph))  # a columnar file is ranked from its columns
    options = analyze.RankOptions(metric=metric.lower(), top=top, types=_node_values(g, "type", type_, "--type"),
                                  kinds=_node_values(g, "kind", kind, "--kind"), relations=_relations(relation),
                                  since=window.since, until=window.until, undated=window.undated)
    result = g.rank(options) if isinstance(g, ColumnarGraph) else analyze.rank(g, options)
    render_rows(result.rows, _format(fmt), stdout_console(), title=f"Central players by {metric}",
                columns=None if wide else RANK_COLUMNS)
    for note in result.notes:
        _say(f"note: {note}", err=True)


EXPLAIN_EDGES = 25


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="Company, product or program name in any script (宝马, bmw, БМВ).")],
    graph: GraphOpt = None,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
    all_edges: Annotated[bool, _flag("--all", help="Tables: list every edge (default: the 25 strongest).")] = False,
):
    """Why a player ranks where it does: rank per metric, community, edges with evidence."""
    path = _graph(graph)
    g = load_graph(path)
    fmt = _format(fmt)
    node = analyze.find_node(g, name)
    if node is None:
        close = analyze.suggest_names(g, name)
        _fail(f"{name!r} is not in the graph {path}",
              ("did you mean: " + ", ".join(close) + "?") if close else "try `graphkit rank --top 50` to see the names it holds")
    info = analyze.explain(g, node)
    for note in info.notes:
        _say(f"note: {note}", err=True)
    if fmt is Format.json:
        sys.stdout.write(json_text(info.to_json()))
        return
    console = stdout_console()
    if fmt is not Format.table:  # one document: the edges with their evidence
        render_rows([{"entity": info.name, **e} for e in info.edges], fmt, console)
        _say(f"note: {fmt.value} holds the edges; `-f json` has ranks, community and curation too", err=True)
        return
    heading = info.name + (f" ({info.original_name})" if info.original_name else "")
    _say(f"{heading} — {info.type}, {info.kind or 'kind unknown'}")
    for note in info.curation:
        _say(f"curation: {note}")
    ranks = [{"metric": m, "rank": f"{r['rank']} of {r['of']}", "score": r["score"]} for m, r in info.ranks.items()]
    render_rows(ranks, fmt, console, title="Rank per metric")
    if info.community:
        c = info.community
        _say(f"Community {c['community']} ({c['size']} members): " + ", ".join(c["peers"]))
    shown = info.edges if all_edges else sorted(info.edges, key=lambda e: -e["support"])[:EXPLAIN_EDGES]
    shown = [e for e in info.edges if e in shown]  # strongest ones, in the usual order
    render_rows(shown, fmt, console, title="Edges with evidence",
                columns=None if wide else ("type", "direction", "partner", "support", "first_seen", "evidence"),
                one_line=() if wide else ("evidence",))
    if len(shown) < len(info.edges):
        _say(f"... and {len(info.edges) - len(shown)} weaker edges: --all lists them, "
             f"`graphkit edges --company {info.id}` lists every supporting article")


COMMUNITY_MEMBERS = 12


@app.command()
def communities(
    graph: GraphOpt = None,
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types; repeatable.")] = None,
    seed: Annotated[int, typer.Option(help="Louvain seed (same seed, same clusters).")] = analyze.SEED,
    fmt: FormatOpt = None,
    wide: WideOpt = False,
):
    """Clusters of the ecosystem (Louvain, seeded) with members and links between clusters."""
    from .fastrank import ColumnarGraph, open_for_rank

    g = open_for_rank(_graph(graph))  # a columnar file: Louvain from its columns
    parts = g.communities(_relations(relation), seed=seed) if isinstance(g, ColumnarGraph) else \
        analyze.communities(g, _relations(relation), seed=seed)
    fmt = _format(fmt)
    rows = [{"community": p["community"], "size": p["size"], "members": p["members"],
             "links to other clusters": [f"{a} {k} {b}" for edges in p["links"].values() for a, k, b in edges][:6]}
            for p in parts]
    if fmt is Format.table and not wide:  # the best-connected members; every one with --wide or another format
        for row in rows:
            if len(row["members"]) > COMMUNITY_MEMBERS:
                row["members"] = row["members"][:COMMUNITY_MEMBERS] + [f"... {len(row['members']) - COMMUNITY_MEMBERS} more"]
    render_rows(rows, fmt, stdout_console(), title="Communities")


@app.command()
def edges(
    graph: GraphOpt = None,
    company: Annotated[Optional[str], typer.Option("--company", "-c", help="Only edges of this entity (any name or alias).")] = None,
    type_: Annotated[Optional[list[str]], typer.Option("--type", "-t", help="Only these relation types; repeatable.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Only evidence dated on/after this date (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Only evidence dated on/before this date.")] = None,
    undated: UndatedOpt = "keep",
    fmt: FormatOpt = None,
    bom: Annotated[bool, _flag("--bom", help="CSV: start with a byte-order mark so Excel reads UTF-8.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    wide: WideOpt = False,
):
    """Every edge with every supporting article: id, title, date, URL, evidence sentence, confidence."""
    from .evidence import TABLE_COLUMNS, EdgeQuery, edge_rows
    from .timewindow import make_window

    path = _graph(graph)
    g = load_graph(path)
    fmt = _format(fmt)
    node = None
    if company is not None:
        node = analyze.find_node(g, company)
        if node is None:
            close = analyze.suggest_names(g, company)
            _fail(f"{company!r} is not in the graph {path}",
                  ("did you mean: " + ", ".join(close) + "?") if close else "try `graphkit rank --top 50`")
    rows = edge_rows(g, EdgeQuery(company=node, types=_relations(type_), window=make_window(since, until, undated)))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rows_to_text(rows, Format.md if fmt is Format.table else fmt, bom=bom), encoding="utf-8")
        _say(f"wrote {len(rows)} rows to {out}", err=True)
        return
    render_rows(rows, fmt, stdout_console(), title="Edges and their evidence",
                columns=None if wide else TABLE_COLUMNS, bom=bom, one_line=() if wide else ("evidence",))


@app.command()
def evaluate(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders; - reads stdin.")],
    gold: Annotated[Path, typer.Option(help="Folder of gold <id>.json files.")],
    errors: Annotated[bool, _flag("--errors", help="List false positives and misses with evidence.")] = False,
    fmt: FormatOpt = None,
):
    """Precision / recall / F1 of extraction against gold annotations."""
    from .evaluate import evaluate as run_eval, load_gold

    fmt = _format(fmt)
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
    if fmt in (Format.csv, Format.jsonl):  # one document: every table's rows, named in a `table` column
        rows = [{"table": title, **row} for title, table in report.tables().items() for row in table]
        if errors:
            rows += [{"table": "errors", **row} for row in report.errors]
        render_rows(rows, fmt, console)
    else:
        if fmt is Format.table:
            _say(f"{report.articles} articles compared with gold")
        for title, rows in report.tables().items():
            if fmt is Format.md:
                console.file.write(f"\n## {title}\n\n")
            render_rows(rows, fmt, console, title=title)
        if errors:
            if fmt is Format.md:
                console.file.write("\n## Errors (false positives and misses)\n\n")
            render_rows(report.errors, fmt, console, title="Errors (false positives and misses)")
    if report.missing:
        _say("note: no article for gold ids " + ", ".join(report.missing), err=True)


@app.command("map")
def map_(
    graph: GraphOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("graphkit-out/ecosystem.html"),
    relation: Annotated[Optional[list[str]], typer.Option(help="Only these edge types (PARTNERS_WITH, ...); repeatable.")] = None,
    top: Annotated[Optional[int], typer.Option(min=1, help="Keep the N highest-ranked nodes (PageRank); default all.")] = None,
):
    """Write an interactive, offline HTML map of the ecosystem (one self-contained file)."""
    from .mapview import map_html

    text = map_html(load_graph(_graph(graph)), relations=_relations(relation), top=top)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    _say(f"wrote {out}")


# ---- curation: corrections kept in the workspace's curation file, applied to every build

curate_app = _App(help="Correct the graph so the correction survives rebuilds (writes the curation file).",
                  no_args_is_help=True, context_settings=CONTEXT, **HELP_STYLE)
app.add_typer(curate_app, name="curate")


def _write_curation(table: str, values: dict, graph: Optional[Path]) -> None:
    """Append one entry, then apply the whole file to the graph file when there is one."""
    from .curation import append_entry, apply_curation, entry_key

    path = settings().curation
    curation = append_entry(path, table, values)
    _say(f"{path}: added [[{table}]] " + ", ".join(f"{k} = {v}" for k, v in values.items() if v is not None))
    graph_path = _graph(graph)
    if not Path(graph_path).exists():
        _say(f"note: no graph at {graph_path} yet; the next build applies it", err=True)
        return
    g = load_graph(graph_path)
    log = apply_curation(g, curation)
    save_graph(g, graph_path)
    key = entry_key(table, values)
    entry = next((e for e in log if e["key"] == key), None)
    if entry is not None:
        _say(f"{graph_path}: {entry['action']} {entry['subject']}: {entry['status']}"
             + (f" ({entry['detail']})" if entry.get("detail") else ""))
    if table in ("alias", "entity"):
        _say("note: text that uses the new name is found from the next build or add on", err=True)


@curate_app.command("alias")
def curate_alias(
    entity: Annotated[str, typer.Argument(help="The entity: id, name or any alias (e.g. BMW).")],
    alias: Annotated[str, typer.Argument(help="The new name for it (e.g. 'Bavarian Motor Works').")],
    lang: Annotated[Optional[str], typer.Option(help="zh, de, ru or en (default: guessed from the script).")] = None,
    graph: GraphOpt = None,
):
    """ENTITY is also called ALIAS: extends its lexicon entry (or a discovered entity)."""
    _write_curation("alias", {"entity": entity, "alias": alias, "lang": lang}, graph)


@curate_app.command("entity")
def curate_entity(
    name: Annotated[str, typer.Argument(help="Canonical name of an entity the lexicon lacks.")],
    type_: Annotated[str, typer.Option("--type", help="Organization, Product or Program.")] = "Organization",
    kind: Annotated[Optional[str], typer.Option(help="carmaker, cloud, supplier, ...")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name; repeatable.")] = None,
    graph: GraphOpt = None,
):
    """Add a new entity (with aliases) that extraction should find from now on."""
    from .model import EntityType

    matched = next((t.value for t in EntityType if t.value.lower() == type_.lower()), None)
    if matched is None:
        _fail(f"unknown type {type_!r}", "choose one of " + ", ".join(t.value for t in EntityType))
    _write_curation("entity", {"name": name, "type": matched, "kind": kind, "aliases": list(alias or [])}, graph)


@curate_app.command("merge")
def curate_merge(
    entity: Annotated[str, typer.Argument(help="The entity that is really another one (e.g. Daimler).")],
    into: Annotated[str, typer.Argument(help="The one it is (e.g. Mercedes-Benz).")],
    graph: GraphOpt = None,
):
    """ENTITY is INTO: its edges, names and articles move to INTO."""
    _write_curation("merge", {"entity": entity, "into": into}, graph)


def _edge_args(parts: list) -> dict:
    from .model import RelationType

    if len(parts) != 3:
        _fail("give an entity, or an edge as HEAD TYPE TAIL", "e.g. graphkit curate reject BMW PARTNERS_WITH Alibaba")
    head, rtype, tail = parts
    if rtype.upper() not in RelationType.__members__:
        _fail(f"unknown relation type {rtype!r}", "choose from " + ", ".join(RelationType.__members__))
    return {"head": head, "type": rtype.upper(), "tail": tail}


@curate_app.command("reject")
def curate_reject(
    what: Annotated[list[str], typer.Argument(metavar="ENTITY | HEAD TYPE TAIL",
                                              help="An entity, or an edge such as BMW PARTNERS_WITH Alibaba.")],
    graph: GraphOpt = None,
):
    """Drop a wrong entity or a wrong edge from every build."""
    values = {"entity": what[0]} if len(what) == 1 else _edge_args(what)
    _write_curation("reject", values, graph)


@curate_app.command("confirm")
def curate_confirm(
    what: Annotated[list[str], typer.Argument(metavar="HEAD TYPE TAIL", help="An edge such as BMW PARTNERS_WITH Alibaba.")],
    graph: GraphOpt = None,
):
    """Mark an edge as checked by an analyst (shown by explain and edges)."""
    _write_curation("confirm", _edge_args(what), graph)


@curate_app.command("list")
def curate_list(graph: GraphOpt = None, fmt: FormatOpt = None):
    """The curation entries and what each did to the graph file."""
    curation = _curation()
    graph_path = _graph(graph)
    if Path(graph_path).exists():
        log = load_graph(graph_path).graph.get("curation", [])
    else:
        log = []
    rows = [{"action": e["action"], "subject": e["subject"], "status": e["status"], "detail": e.get("detail", "")}
            for e in log]
    if not rows and not curation.empty:
        _say(f"note: {graph_path} was built without this curation; run build or add", err=True)
    render_rows(rows, _format(fmt), stdout_console(), title=f"Curation ({curation.path})")


# ---- Neo4j: one definition of the connection options, shared by load, retract and report run

NEO4J_PANEL = "Neo4j connection"
UriOpt = Annotated[Optional[str], typer.Option(
    "--uri", rich_help_panel=NEO4J_PANEL, show_default=False,
    help="bolt://HOST:7687, neo4j://HOST:7687 or neo4j+s://ID.databases.neo4j.io (Aura); default NEO4J_URI, "
         "[neo4j] uri of graphkit.toml, or bolt://127.0.0.1:7687.")]
UserOpt = Annotated[Optional[str], typer.Option("--user", rich_help_panel=NEO4J_PANEL, show_default=False,
                                                help="Neo4j user (default NEO4J_USER, config, or neo4j).")]
PasswordOpt = Annotated[Optional[str], typer.Option("--password", hide_input=True, show_default=False,
                                                    rich_help_panel=NEO4J_PANEL,
                                                    help="Neo4j password (prefer the NEO4J_PASSWORD variable; never printed).")]
DatabaseOpt = Annotated[Optional[str], typer.Option("--database", rich_help_panel=NEO4J_PANEL, show_default=False,
                                                    help="Database name (default NEO4J_DATABASE, config, or neo4j).")]
IdPrefixOpt = Annotated[Optional[str], typer.Option(
    "--id-prefix", show_default=False, rich_help_panel=NEO4J_PANEL,
    help="Put this before every node id (to keep test or trial loads apart); default: GRAPHKIT_ID_PREFIX, "
         "config, or (retract, report) the prefix the graph file was loaded with.")]


def _neo4j(uri, user, password, database):
    from .neo4j import Neo4jSettings

    s = settings().with_flags(neo4j_uri=uri, neo4j_user=user, neo4j_password=password, neo4j_database=database)
    return Neo4jSettings(uri=s.neo4j_uri, user=s.neo4j_user, password=s.neo4j_password, database=s.neo4j_database)


def _id_prefix(flag: Optional[str], graph_path: Optional[Path] = None) -> tuple:
    """(prefix, where it came from): flag > env > config > the prefix recorded in the graph file."""
    s = settings().with_flags(id_prefix=flag)
    if s.id_prefix is not None:
        return s.id_prefix, s.source("id_prefix")
    if graph_path is not None and Path(graph_path).exists():
        from .graph import loaded_prefix

        recorded = loaded_prefix(load_graph(graph_path))
        if recorded is not None:
            return recorded, "graph file"
    return "", "default"


report_app = _App(help="Scripted Cypher reports (cypher/reports/*.cypher) run against Neo4j.",
                  no_args_is_help=True, context_settings=CONTEXT, **HELP_STYLE)
app.add_typer(report_app, name="report")
app.add_typer(rules_app, name="rules")
app.command("train")(train_command)


@report_app.command("list")
def report_list(fmt: FormatOpt = None):
    """List the reports: name (file stem), title and parameters (type = default)."""
    from . import reports

    items = reports.list_reports()
    rows = [{"name": r.name, "title": r.title, "params": ", ".join(p.describe() for p in r.params)} for r in items]
    render_rows(rows, _format(fmt), stdout_console(), title="Reports")


@report_app.command("run")
def report_run(
    name: Annotated[str, typer.Argument(help="Report name from `graphkit report list` (or a .cypher file).")],
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="Report parameter key=value; repeatable; `null` for none.")] = None,
    fmt: Annotated[Optional[Format], typer.Option("--format", "-f", show_default=False,
                                                  help="Output format; with --out, table is written as md.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the rows to this file (csv, json or md) instead of stdout.")] = None,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    id_prefix: IdPrefixOpt = None,
    graph: GraphOpt = None,
):
    """Run one report against Neo4j; parameters are checked against the report's header.

    Only nodes of one load are reported: the --id-prefix given, configured, or recorded in
    the graph file by `graphkit load` (none: every node)."""
    from . import reports

    fmt = _format(fmt)
    report = reports.find_report(name)
    params = reports.bind_params(report, reports.parse_param_args(report.name, param))
    prefix, _ = _id_prefix(id_prefix, _graph(graph))
    rows = reports.run_report(_neo4j(uri, user, password, database), report, params, id_prefix=prefix)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rows_to_text(rows, Format.md if fmt is Format.table else fmt), encoding="utf-8")
        _say(f"wrote {len(rows)} rows to {out}", err=True)
    else:
        render_rows(rows, fmt, stdout_console(), title=report.title)
    if not rows:
        _say(f"note: report {report.name} returned no rows", err=True)


@app.command()
def load(
    graph_arg: Annotated[Optional[Path], typer.Argument(metavar="GRAPH", show_default=False,
                                                        help="Same as --graph (kept for older scripts).")] = None,
    graph: GraphOpt = None,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per write transaction.")] = 2000,
    writers: Annotated[int, typer.Option("--writers", min=1, max=16,
                                         help="Transactions in flight at once (threads).")] = 2,
    id_prefix: IdPrefixOpt = None,
    bulk: Annotated[bool, typer.Option("--bulk", help="Fill an EMPTY database with neo4j-admin's offline importer "
                                       "(stops and restarts the server; see docs/neo4j.md).")] = False,
    neo4j_home: Annotated[Optional[Path], typer.Option("--neo4j-home", envvar="NEO4J_HOME", show_default=False,
                                                       help="Installation folder of the server (for --bulk).")] = None,
):
    """Write the built graph to Neo4j (schema first; re-loading changes nothing).

    The id prefix used is recorded in the graph file, so `retract` and `report run` use it too."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from . import neo4j as store
    from .graph import graph_to_dict, record_prefix

    path = graph or graph_arg or settings().graph
    g = load_graph(path)
    _curate(g)
    prefix, _ = _id_prefix(id_prefix)
    data = graph_to_dict(g)
    neo = _neo4j(uri, user, password, database)
    if bulk:
        from .neo4j.bulk import load_bulk_cli

        load_bulk_cli(data, neo, neo4j_home, prefix)
        record_prefix(g, prefix)
        save_graph(g, path)
        return
    started = time.perf_counter()
    driver = store.connect(neo)
    try:
        columns = (TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=stderr_console(), transient=False) as bar:
            tasks = {stage: bar.add_task(stage, total=None) for stage in ("nodes", "relationships")}

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(tasks[stage], completed=done, total=total)

            counts = store.load_graph(driver, data, batch_size=batch_size, id_prefix=prefix,
                                      progress=progress, database=neo.database, writers=writers)
    finally:
        driver.close()
    record_prefix(g, prefix)
    save_graph(g, path)  # the prefix and the curation now in Neo4j
    elapsed = time.perf_counter() - started
    _say(f"loaded {counts.nodes} nodes ({counts.entities} entities, {counts.articles} articles) and "
         f"{counts.relationships + counts.mentions} relationships ({counts.relationships} edges, "
         f"{counts.relationships_created} of them new, {counts.mentions} MENTIONS) into {neo.database} at {neo.uri} in {elapsed:.1f}s")
    if counts.stale_items or counts.orphans_deleted:
        _say(f"note: removed {counts.stale_items} stale article items and "
             f"{counts.orphans_deleted} entities nothing refers to any more", err=True)


@app.command()
def retract(
    article_ids: Annotated[list[str], typer.Argument(metavar="ARTICLE_ID...",
                                                     help="Article ids (file stems, as in `graphkit extract`).")],
    graph: GraphOpt = None,
    neo4j: Annotated[bool, _flag("--neo4j", rich_help_panel=NEO4J_PANEL,
                                        help="Also withdraw the articles from Neo4j (default: the graph file only).")] = False,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    id_prefix: IdPrefixOpt = None,
    fmt: FormatOpt = None,
):
    """Withdraw articles from the graph file (and with --neo4j from Neo4j); edges they alone supported go."""
    from .changes import retract_articles

    path = _graph(graph)
    in_file = None
    if Path(path).exists():
        g = load_graph(path)
        in_file = retract_articles(g, article_ids)
    elif not neo4j:
        load_graph(path)  # the usual "no graph file" error
    store_results = {}
    if neo4j:
        from . import neo4j as store

        prefix, _ = _id_prefix(id_prefix, path)
        driver = store.connect(_neo4j(uri, user, password, database))
        try:
            for article_id in article_ids:
                store_results[article_id] = store.retract_article(driver, article_id, id_prefix=prefix,
                                                                  database=_database(database))
        finally:
            driver.close()
    found_somewhere = [a for a in article_ids
                       if (in_file and a in in_file.removed) or store_results.get(a, {}).get("found")]
    if not found_somewhere:
        where = f"neither in Neo4j nor in {path}" if neo4j else f"not in {path}"
        _fail(f"article {', '.join(article_ids)} is {where}", "ids are file stems; `graphkit extract PATH` prints them")
    if in_file and in_file.removed:
        save_graph(g, path)
    fmt = _format(fmt)
    for article_id, result in store_results.items():  # on stderr when stdout carries a document
        if result["found"]:
            _say(f"Neo4j: removed article {article_id}: {result['edges_updated']} edges lost its support, "
                 f"{result['edges_deleted']} edges and {result['entities_deleted']} entities deleted",
                 err=fmt is not Format.table)
        else:
            _say(f"Neo4j: article {article_id} was not loaded", err=fmt is not Format.table)
    if in_file is not None:
        for article_id in in_file.missing:
            _say(f"note: {path}: article {article_id} not in the file", err=True)
        _say_changes(in_file.diff, fmt, f"{path}: removed {len(in_file.removed)} articles")


def _database(flag: Optional[str]) -> str:
    return settings().with_flags(neo4j_database=flag).neo4j_database


def main() -> None:
    """Entry point: library errors become one-line messages, never tracebacks."""
    try:
        app()
    except GraphkitError as exc:
        _say(f"error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)


if __name__ == "__main__":
    main()
