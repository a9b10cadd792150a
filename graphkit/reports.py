"""Load `cypher/reports/*.cypher` (each describing itself in a `//` header) and run them read-only."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

from .errors import ReportError, StoreError

__all__ = [
    "PARAM_TYPES",
    "Param",
    "Report",
    "default_report_dir",
    "parse_report",
    "load_report",
    "list_reports",
    "find_report",
    "query_params",
    "parse_param_args",
    "bind_params",
    "run_report",
    "plain",
]

PARAM_TYPES = ("int", "float", "str", "bool", "date", "list")

_REQUIRED = object()  # sentinel: a param declared without `= default` must be given
_HEADER_KEY = re.compile(r"^//\s*(title|description|param)\s*:\s*(.*)$")
_PARAM_DECL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s+([a-z]+)\s*(?:=\s*(.*?))?\s*$")
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True)
class Param:
    """One declared parameter: `// param: name type [= default]`; no default means required."""

    name: str
    type: str
    default: object = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        """`limit int = 10`, `company str (required)` — as `report list` prints it."""
        if self.required:
            return f"{self.name} {self.type} (required)"
        shown = "null" if self.default is None else (",".join(self.default) if isinstance(self.default, list) else str(self.default).lower() if isinstance(self.default, bool) else self.default)
        return f"{self.name} {self.type} = {shown}"


@dataclass(frozen=True)
class Report:
    """A parsed report file: name is the file stem, query the text after the header."""

    name: str
    title: str
    description: str
    params: tuple
    query: str
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def default_report_dir() -> Path:
    """`GRAPHKIT_CYPHER_DIR` (its `reports/` subfolder when it has one), else the repo's cypher/reports."""
    override = os.environ.get("GRAPHKIT_CYPHER_DIR")
    if override:
        base = Path(override)
        return base / "reports" if (base / "reports").is_dir() else base
    import graphkit

    return Path(graphkit.__file__).resolve().parent.parent / "cypher" / "reports"


def _strip_comments(query: str) -> str:
    """Query text without `//` comments (outside string literals) so `$x` in a comment is no use."""
    out, quote, i = [], None, 0
    while i < len(query):
        ch = query[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(query):
                out.append(query[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
            out.append(ch)
        elif query.startswith("//", i):
            while i < len(query) and query[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def query_params(query: str) -> list:
    """Names of the `$parameters` a query uses, in order of first use.

    >>> query_params("MATCH (n) WHERE n.name = $company // not $this\\nRETURN n LIMIT $limit")
    ['company', 'limit']
    """
    seen = []
    for name in _PARAM_USE.findall(_strip_comments(query)):
        if name not in seen:
            seen.append(name)
    return seen


def _convert(report: str, param: str, type_: str, raw):
    """A raw value (CLI string, or already a Python value) -> the declared type; ReportError if not."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().lower() == "null":
        return None

    def bad(expected: str):
        return ReportError(f"report {report}: parameter {param!r} expects {expected}, got {raw!r}")

    if type_ == "int":
        if isinstance(raw, bool):
            raise bad("an integer")
        if isinstance(raw, int):
            return raw
        try:
            return int(str(raw).strip())
        except ValueError:
            raise bad("an integer") from None
    if type_ == "float":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
        try:
            value = float(str(raw).strip())
        except ValueError:
            raise bad("a number") from None
        if math.isnan(value):
            raise bad("a number")
        return value
    if type_ == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise bad("true or false")
    if type_ == "date":
        if isinstance(raw, _date):
            return raw.isoformat()
        text = str(raw).strip()
        if not _DATE.match(text):
            raise bad("a date YYYY[-MM[-DD]]")
        try:  # reject 2020-13 or 2021-02-30
            parts = [int(x) for x in text.split("-")]
            _date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            raise bad("a real calendar date") from None
        return text
    if type_ == "list":
        if isinstance(raw, (list, tuple)):
            return [str(x) for x in raw]
        return [part.strip() for part in str(raw).split(",") if part.strip()]
    if type_ == "str":
        return str(raw)
    raise ReportError(f"report {report}: parameter {param!r} has unknown type {type_!r} (use {', '.join(PARAM_TYPES)})")


def parse_report(text: str, name: str, path: Path | None = None) -> Report:
    """Parse a report: leading `//` header (title, description, params) then the Cypher query.

    Description lines may continue on further `//` lines. Raises ReportError naming the report
    when the title, the description or the query is missing, a param line is malformed, or the
    query uses a `$param` the header does not declare.

    >>> r = parse_report("// title: T\\n// description: D\\n// param: limit int = 5\\nRETURN $limit", "x")
    >>> (r.title, r.params[0].default, r.query)
    ('T', 5, 'RETURN $limit')
    """
    lines = text.splitlines()
    fields = {"title": "", "description": ""}
    params: list = []
    last = None
    body_start = len(lines)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            last = None
            continue
        if not stripped.startswith("//"):
            body_start = i
            break
        match = _HEADER_KEY.match(stripped)
        if match:
            key, value = match.group(1), match.group(2).strip()
            if key == "param":
                decl = _PARAM_DECL.match(value)
                if not decl or decl.group(2) not in PARAM_TYPES:
                    raise ReportError(f"report {name}: bad param line {stripped!r} (want `// param: name {'|'.join(PARAM_TYPES)} = default`)")
                pname, ptype, pdefault = decl.groups()
                if any(p.name == pname for p in params):
                    raise ReportError(f"report {name}: parameter {pname!r} declared twice")
                if pdefault is None:
                    default = _REQUIRED
                else:
                    pdefault = pdefault.strip()
                    if len(pdefault) >= 2 and pdefault[0] == pdefault[-1] and pdefault[0] in "'\"":
                        pdefault = pdefault[1:-1]
                    default = _convert(name, pname, ptype, pdefault)
                params.append(Param(pname, ptype, default))
                last = None
            else:
                fields[key] = (fields[key] + " " + value).strip() if fields[key] else value
                last = key
        elif last == "description":  # continuation line
            fields["description"] += " " + stripped.lstrip("/").strip()
    query = "\n".join(lines[body_start:]).strip()
    for key in ("title", "description"):
        if not fields[key]:
            raise ReportError(f"report {name}: header has no `// {key}:` line")
    if not query:
        raise ReportError(f"report {name}: no Cypher query after the header")
    declared = {p.name for p in params} | set(BUILTIN_PARAMS)
    for used in query_params(query):
        if used not in declared:
            raise ReportError(f"report {name}: query uses ${used} but the header declares no `// param: {used} ...`")
    return Report(name=name, title=fields["title"], description=fields["description"].strip(),
                  params=tuple(params), query=query, path=path)


def load_report(path: Path) -> Report:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"report {path.stem}: cannot read {path} ({exc.__class__.__name__})") from None
    return parse_report(text, path.stem, path)


def list_reports(folder: Path | None = None) -> list:
    """Every `*.cypher` report in `folder` (default: default_report_dir()), sorted by name."""
    folder = Path(folder) if folder else default_report_dir()
    if not folder.is_dir():
        raise ReportError(f"no report folder {folder} (set GRAPHKIT_CYPHER_DIR to the folder holding reports/)")
    return [load_report(p) for p in sorted(folder.glob("*.cypher"))]


def find_report(name: str, folder: Path | None = None) -> Report:
    """A report by name (file stem; a path to a .cypher file works too)."""
    candidate = Path(name)
    if candidate.suffix == ".cypher" and candidate.is_file():
        return load_report(candidate)
    folder = Path(folder) if folder else default_report_dir()
    path = folder / f"{candidate.stem if candidate.suffix == '.cypher' else name}.cypher"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(folder.glob("*.cypher"))) or "none"
        raise ReportError(f"unknown report {name!r} (known: {known})")
    return load_report(path)


def parse_param_args(report_name: str, items) -> dict:
    """`["company=BMW", "limit=5"]` (CLI `-p key=value`) -> `{"company": "BMW", "limit": "5"}`.

    The value may contain `=`; ReportError names the report when an item has no `key=`.

    >>> parse_param_args("x", ["a=1", "q=x=y"])
    {'a': '1', 'q': 'x=y'}
    """
    raw = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise ReportError(f"report {report_name}: parameter {item!r} is not key=value (e.g. -p company=BMW)")
        raw[key.strip()] = value
    return raw


def bind_params(report: Report, raw: dict) -> dict:
    """Check `raw` (name -> CLI string, or a Python value) against the header; return typed values.

    Every declared param is present in the result (defaults filled in). Raises ReportError naming
    the report and the parameter when one is unknown, missing or of the wrong type.

    >>> r = parse_report("// title: T\\n// description: D\\n// param: top int = 5\\nRETURN $top", "x")
    >>> bind_params(r, {"top": "3"})
    {'top': 3}
    """
    raw = dict(raw or {})
    declared = {p.name for p in report.params}
    for key in raw:
        if key not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ReportError(f"report {report.name}: unknown parameter {key!r} (declared: {known})")
    bound = {}
    for p in report.params:
        if p.name in raw:
            bound[p.name] = _convert(report.name, p.name, p.type, raw[p.name])
        elif p.required:
            raise ReportError(f"report {report.name}: missing parameter {p.name!r} ({p.type}); give it with -p {p.name}=VALUE")
        else:
            bound[p.name] = p.default
    return bound


def plain(value):
    """A neo4j result value as plain Python: temporals -> ISO strings, nodes -> name (or id),
    relationships -> type, paths -> [node, TYPE, node, ...], containers recursively."""
    from neo4j.graph import Node, Path as GraphPath, Relationship

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Node):
        props = dict(value)
        return props.get("name") or props.get("id") or props.get("title") or value.element_id
    if isinstance(value, Relationship):
        return value.type
    if isinstance(value, GraphPath):
        nodes = value.nodes
        out = [plain(nodes[0])]
        for i, rel in enumerate(value.relationships):
            out += [rel.type, plain(nodes[i + 1])]
        return out
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "iso_format"):  # neo4j.time Date, DateTime, Time, Duration
        return value.iso_format()
    return str(value)


BUILTIN_PARAMS = ("id_prefix",)  # given to every report by run_report, never declared in a header


def run_report(target, report: Report, params: dict, database: str | None = None, id_prefix: str = "") -> list:
    """Run `report` in a read transaction; return rows as plain dicts (column order kept).

    `target` is a neo4j Driver or store settings (then a driver is opened and closed here).
    `params` are already bound (see bind_params). `$id_prefix` (built in) keeps a report to
    the nodes of one load (`graphkit load --id-prefix`); "" matches every node. Cypher or server errors raise ReportError /
    StoreError naming the report; the query never contains parameter values.
    """
    import neo4j
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    owned = None
    if hasattr(target, "session"):
        driver = target
    else:
        from .neo4j import connect

        driver = owned = connect(target)
        if database is None:
            database = getattr(target, "database", None)

    def work(tx):
        result = tx.run(report.query, {**params, "id_prefix": id_prefix or ""})
        keys = result.keys()
        return [{k: plain(record[k]) for k in keys} for record in result]

    try:
        # notifications off: a report naming a relationship type absent from this graph is fine
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                            notifications_min_severity="OFF") as session:
            return session.execute_read(work)
    except (ServiceUnavailable, AuthError) as exc:
        raise StoreError(f"report {report.name}: cannot reach Neo4j ({exc.__class__.__name__}: {exc.message if hasattr(exc, 'message') else exc})") from None
    except Neo4jError as exc:
        raise ReportError(f"report {report.name}: Neo4j refused the query ({exc.code}: {exc.message})") from None
    finally:
        if owned is not None:
            owned.close()
