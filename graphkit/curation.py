"""Analyst corrections that survive rebuilds: a TOML file in the user's workspace.

    [[alias]]    entity = "BMW"            alias = "Bavarian Motor Works"   (lang optional)
    [[entity]]   name = "LingYue Digital"  type = "Organization"  kind = "software"  aliases = ["凌跃科技"]
    [[merge]]    entity = "Daimler"        into = "Mercedes-Benz"           ("Daimler is Mercedes-Benz")
    [[reject]]   entity = "Foo Motors"     or  head = "BMW"  type = "PARTNERS_WITH"  tail = "Alibaba"
    [[confirm]]  head = "BMW"  type = "PARTNERS_WITH"  tail = "Alibaba"

Aliases and new entities extend the lexicon before extraction (so text that uses them
is found) and the graph after it; merges, rejections and confirmations are applied to the
graph after every build, add and load. Applying is idempotent, and what it changed is
logged in the graph (`graph.graph["curation"]`) for `explain`. Entities are named by id,
canonical name or any alias. A user lexicon folder (`lexicon` in graphkit.toml) of
`[[entity]]` tables in the package format is merged the same way.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .errors import CurationError, LexiconFileError
from .model import SYMMETRIC_TYPES, EntityType, RelationType
from .textnorm import fold_key, is_cjk

__all__ = ["Curation", "EdgeRef", "load_curation", "append_entry", "apply_curation", "use_user_lexicon",
           "lexicon_tables", "read_user_lexicon", "curation_notes", "entry_key", "merge_nodes"]

TABLES = ("alias", "entity", "merge", "reject", "confirm")


@dataclass(frozen=True)
class EdgeRef:
    head: str
    type: str
    tail: str

    def __str__(self) -> str:
        return f"{self.head} {self.type} {self.tail}"


@dataclass
class Curation:
    path: Path | None = None
    aliases: list = field(default_factory=list)  # (entity, alias, lang or None)
    entities: list = field(default_factory=list)  # dicts: name, type, kind, country, aliases
    merges: list = field(default_factory=list)  # (entity, into)
    rejected_entities: list = field(default_factory=list)
    rejected_edges: list = field(default_factory=list)  # EdgeRef
    confirmed_edges: list = field(default_factory=list)  # EdgeRef

    @property
    def empty(self) -> bool:
        return not (self.aliases or self.entities or self.merges or self.rejected_entities
                    or self.rejected_edges or self.confirmed_edges)


# ---- reading and writing the file ------------------------------------------------------

def _text(path, where, raw, key, required=True):
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CurationError(path, where, f"`{key}` must be a non-empty string")
    return value.strip()


def _edge(path, where, raw) -> EdgeRef:
    rtype = _text(path, where, raw, "type").upper()
    if rtype not in RelationType.__members__:
        raise CurationError(path, where, f"unknown relation type {raw['type']!r} (use {', '.join(RelationType.__members__)})")
    return EdgeRef(_text(path, where, raw, "head"), rtype, _text(path, where, raw, "tail"))


def _check_keys(path, where, raw, allowed):
    if not isinstance(raw, dict):
        raise CurationError(path, where, "must be a table")
    unknown = sorted(set(raw) - set(allowed) - {"reason", "note", "by", "at"})
    if unknown:
        raise CurationError(path, where, f"unknown key {unknown[0]!r} (expected {', '.join(allowed)})")


def parse_curation(data: dict, path) -> Curation:
    """A Curation from parsed TOML; each broken entry names the file, the entry and the problem."""
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise CurationError(path, unknown[0], f"unknown table (expected [[{']], [['.join(TABLES)}]])")
    cur = Curation(path=Path(path))
    for table in TABLES:
        items = data.get(table, [])
        if not isinstance(items, list):
            raise CurationError(path, f"[{table}]", f"write it as [[{table}]] (an array of tables)")
        for index, raw in enumerate(items, 1):
            where = f"[[{table}]] #{index}"
            if table == "alias":
                _check_keys(path, where, raw, ("entity", "alias", "lang"))
                lang = _text(path, where, raw, "lang", required=False)
                if lang is not None and lang not in ("zh", "de", "ru", "en"):
                    raise CurationError(path, where, f"lang {lang!r} is not one of zh, de, ru, en")
                cur.aliases.append((_text(path, where, raw, "entity"), _text(path, where, raw, "alias"), lang))
            elif table == "entity":
                _check_keys(path, where, raw, ("name", "type", "kind", "country", "aliases"))
                name = _text(path, where, raw, "name")
                etype = raw.get("type", "Organization")
                if etype not in {t.value for t in EntityType}:
                    raise CurationError(path, where, f"unknown type {etype!r} (use {', '.join(t.value for t in EntityType)})")
                aliases = raw.get("aliases", [])
                if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                    raise CurationError(path, where, "`aliases` must be a list of names")
                cur.entities.append({"name": name, "type": etype, "kind": raw.get("kind"),
                                     "country": raw.get("country"), "aliases": [a.strip() for a in aliases]})
            elif table == "merge":
                _check_keys(path, where, raw, ("entity", "into"))
                cur.merges.append((_text(path, where, raw, "entity"), _text(path, where, raw, "into")))
            elif table == "reject":
                _check_keys(path, where, raw, ("entity", "head", "type", "tail"))
                if "entity" in raw:
                    if any(k in raw for k in ("head", "type", "tail")):
                        raise CurationError(path, where, "give either `entity` or `head`/`type`/`tail`, not both")
                    cur.rejected_entities.append(_text(path, where, raw, "entity"))
                else:
                    cur.rejected_edges.append(_edge(path, where, raw))
            else:
                _check_keys(path, where, raw, ("head", "type", "tail"))
                cur.confirmed_edges.append(_edge(path, where, raw))
    return cur


def load_curation(path: Path | None) -> Curation:
    """The curation file at `path`; a missing file is an empty curation."""
    if path is None or not Path(path).exists():
        return Curation(path=Path(path) if path else None)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CurationError(path, None, f"cannot read curation file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise CurationError(path, None, "curation file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(path, None, f"invalid TOML ({exc})") from None
    return parse_curation(data, path)


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def append_entry(path: Path, table: str, values: dict) -> Curation:
    """Append one `[[table]]` entry to the file (comments and order kept) and re-read it.

    The file is checked with the new entry before it is written: a bad entry leaves it as it was."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else (
        "# graphkit curation file: corrections applied to every build, add and load.\n")
    block = f"\n[[{table}]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items() if v is not None)
    text = old + ("" if old.endswith("\n") else "\n") + block
    try:
        parsed = parse_curation(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(path, None, f"invalid TOML ({exc})") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return parsed


# ---- the lexicon side: aliases and new entities are found in text ----------------------

def _lang_of(name: str) -> str:
    if any(is_cjk(c) for c in name):
        return "zh"
    if any("\u0400" <= c <= "\u04ff" for c in name):
        return "ru"
    return "en"


def read_user_lexicon(path: Path | None) -> list:
    """(source, [[entity]] tables) of every *.toml in a user lexicon folder (or one file)."""
    if path is None:
        return []
    path = Path(path)
    if not path.exists():
        raise LexiconFileError(path, None, "no such user lexicon file or folder")
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    out = []
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise LexiconFileError(file, None, "not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise LexiconFileError(file, None, f"invalid TOML ({exc})") from None
        unknown = sorted(set(data) - {"entity"})
        if unknown:
            raise LexiconFileError(file, unknown[0], "unknown table (a lexicon file holds [[entity]] tables)")
        if not isinstance(data.get("entity", []), list):
            raise LexiconFileError(file, "[entity]", "write it as [[entity]] (an array of tables)")
        out.append((str(file), data.get("entity", [])))
    return out


def lexicon_tables(curation: Curation, lexicon) -> list:
    """The curation's aliases and entities as `[[entity]]` tables for lexicon.extend_lexicon."""
    tables = []
    for entity in curation.entities:
        table = {"name": entity["name"], "type": entity["type"], "kind": entity["kind"], "country": entity["country"]}
        for alias in [entity["name"]] + entity["aliases"]:
            table.setdefault(_lang_of(alias), []).append(alias)
        tables.append(table)
    known = {e["name"] for e in curation.entities}
    index = _lexicon_index(lexicon)
    for entity, alias, lang in curation.aliases:
        name = entity if entity in known else None
        if name is None:
            entry = lexicon.get(index.get(fold_key(entity), "")) or lexicon.get(entity)
            if entry is None:
                continue  # an alias of a discovered entity: applied to the graph only
            name = entry.name
        tables.append({"name": name, (lang or _lang_of(alias)): [alias]})
    return tables


def _lexicon_index(lexicon) -> dict:
    index = {}
    for entry in lexicon.entries.values():
        for alias in entry.aliases():
            index.setdefault(fold_key(alias), entry.id)
    return index


_APPLIED = {"key": None}


def use_user_lexicon(curation: Curation | None, lexicon_path: Path | None) -> None:
    """Make extraction see the user lexicon folder and the curation's aliases and entities.

    The package lexicon is reloaded and extended, and the compiled matcher rebuilt, only
    when what is asked differs from what is in use (a process serves one workspace)."""
    from . import lexicon as lex
    from . import resolve
    from .extract import mentions

    files = read_user_lexicon(lexicon_path)
    key = json.dumps([files, [] if curation is None else [curation.aliases, curation.entities]],
                     ensure_ascii=False, sort_keys=True, default=str)
    empty = not files and (curation is None or not (curation.aliases or curation.entities))
    if key == _APPLIED["key"] or (empty and _APPLIED["key"] is None):
        return
    lex.load_lexicon.cache_clear()
    lexicon = lex.load_lexicon()
    for source, tables in files:
        lex.extend_lexicon(lexicon, tables, source)
    if curation is not None:
        try:
            lex.extend_lexicon(lexicon, lexicon_tables(curation, lexicon), str(curation.path))
        except LexiconFileError as exc:
            raise CurationError(curation.path, exc.entry, exc.problem) from None
    mentions.default_matcher.cache_clear()
    resolve._display_names.cache_clear()
    _APPLIED["key"] = None if empty else key


# ---- the graph side ---------------------------------------------------------------------

class _Names:
    """Entity references (id, name, any alias, any lexicon alias) -> node ids of one graph."""

    def __init__(self, graph: nx.MultiDiGraph):
        from .lexicon import load_lexicon

        self.graph = graph
        self.index = {}
        for node, data in graph.nodes(data=True):
            for form in [node, data.get("name")] + list((data.get("names") or {}).values()) + list(data.get("aliases") or []):
                if form:
                    self.index.setdefault(fold_key(form), node)
        self.lexicon = _lexicon_index(load_lexicon())

    def find(self, ref: str) -> str | None:
        if ref in self.graph:
            return ref
        key = fold_key(ref)
        node = self.index.get(key)
        if node in self.graph:
            return node
        node = self.lexicon.get(key)
        return node if node in self.graph else None

    def add(self, form: str, node: str) -> None:
        self.index[fold_key(form)] = node


def _canonical(rtype: str, head: str, tail: str) -> tuple:
    if RelationType(rtype) in SYMMETRIC_TYPES and tail < head:
        return tail, head
    return head, tail


def merge_nodes(graph: nx.MultiDiGraph, source: str, target: str) -> None:
    """Fold node `source` into `target`: its edges, provenance, names and articles move over."""
    from .graph import edge_summary

    moved = [(h, t, k, d) for h, t, k, d in graph.out_edges(source, keys=True, data=True)]
    moved += [(h, t, k, d) for h, t, k, d in graph.in_edges(source, keys=True, data=True) if h != source]
    for h, t, k, d in moved:
        h2, t2 = (target if h == source else h), (target if t == source else t)
        if h2 == t2:
            continue  # "A partners with B" where A is B says nothing
        h2, t2 = _canonical(k, h2, t2)
        if graph.has_edge(h2, t2, key=k):
            data = graph.edges[h2, t2, k]
            have = {p["article"] for p in data["provenance"]}
            data["provenance"] = data["provenance"] + [p for p in d["provenance"] if p["article"] not in have]
            data["confirmed"] = data.get("confirmed") or d.get("confirmed")
        else:
            graph.add_edge(h2, t2, key=k, **{**d, "provenance": list(d["provenance"])})
            data = graph.edges[h2, t2, k]
        data.update(edge_summary(data["provenance"]))
    src, dst = graph.nodes[source], graph.nodes[target]
    for form in [src.get("name")] + list(src.get("aliases") or []):
        if form and form not in dst.setdefault("aliases", []):
            dst["aliases"].append(form)
    for lang, name in (src.get("names") or {}).items():
        dst.setdefault("names", {}).setdefault(lang, name)
    for article in src.get("articles") or []:
        if article not in dst.setdefault("articles", []):
            dst["articles"].append(article)
    graph.remove_node(source)


def _find_edge(graph, names: _Names, ref: EdgeRef):
    head, tail = names.find(ref.head), names.find(ref.tail)
    if head is None or tail is None:
        return None
    for h, t in {_canonical(ref.type, head, tail), (head, tail)}:
        if graph.has_edge(h, t, key=ref.type):
            return h, t
    return None


def apply_curation(graph: nx.MultiDiGraph, curation: Curation) -> list:
    """Apply the curation to `graph` in place; return this pass's log entries.

    The log (`graph.graph["curation"]`, one entry per curation entry: action, subject,
    entities involved, status) keeps an entry's "applied" status across passes, so a
    rebuilt-and-recurated graph and a curated-twice graph tell the same story."""
    previous = {e["key"]: e for e in graph.graph.get("curation", [])}
    log = []
    names = _Names(graph)

    def record(action, subject, nodes, status, detail=""):
        key = f"{action}:{subject}"
        if status != "applied" and previous.get(key, {}).get("status") == "applied":
            log.append(previous[key])
            return
        log.append({"key": key, "action": action, "subject": subject, "nodes": sorted(n for n in nodes if n),
                    "status": status, "detail": detail})

    for entity in curation.entities:
        node = names.find(entity["name"])
        for alias in entity["aliases"]:
            other = names.find(alias)
            if node is None:
                node = other
            elif other is not None and other != node:
                merge_nodes(graph, other, node)
        if node is not None:
            for alias in [entity["name"]] + entity["aliases"]:
                _add_alias(graph, node, alias)
                names.add(alias, node)
        record("entity", entity["name"], [node], "applied" if node else "not in the graph",
               "aliases: " + ", ".join(entity["aliases"]) if entity["aliases"] else "")
    for entity, alias, _ in curation.aliases:
        node, other = names.find(entity), names.find(alias)
        if node is not None and other is not None and other != node:
            merge_nodes(graph, other, node)  # the alias was discovered as a node of its own
            detail = f"merged the node found under {alias!r}"
        else:
            detail = ""
        if node is not None:
            _add_alias(graph, node, alias)
            names.add(alias, node)
        record("alias", f"{entity} = {alias}", [node], "applied" if node else "not in the graph", detail)
    for entity, into in curation.merges:
        source, target = names.find(entity), names.find(into)
        if source is not None and target is not None and source != target:
            merge_nodes(graph, source, target)
            names.add(entity, target)
            record("merge", f"{entity} is {into}", [target], "applied", f"{source} merged into {target}")
        else:
            missing = entity if source is None else into
            record("merge", f"{entity} is {into}", [target], "applied" if source == target and source else
                   f"{missing!r} not in the graph")
    for entity in curation.rejected_entities:
        node = names.find(entity)
        if node is not None:
            degree = graph.degree(node)
            graph.remove_node(node)
            record("reject entity", entity, [node], "applied", f"removed with {degree} edges")
        else:
            record("reject entity", entity, [], "not in the graph")
    for ref in curation.rejected_edges:
        found = _find_edge(graph, names, ref)
        if found is not None:
            graph.remove_edge(*found, key=ref.type)
            record("reject edge", str(ref), found, "applied")
        else:
            record("reject edge", str(ref), [names.find(ref.head), names.find(ref.tail)], "not in the graph")
    for ref in curation.confirmed_edges:
        found = _find_edge(graph, names, ref)
        if found is not None:
            graph.edges[found[0], found[1], ref.type]["confirmed"] = True
            record("confirm edge", str(ref), found, "applied")
        else:
            record("confirm edge", str(ref), [names.find(ref.head), names.find(ref.tail)], "not in the graph")
    graph.graph["curation"] = log
    return log


def _add_alias(graph, node, alias) -> None:
    aliases = graph.nodes[node].setdefault("aliases", [])
    if alias not in aliases and alias != graph.nodes[node].get("name"):
        aliases.append(alias)


def entry_key(table: str, values: dict) -> str:
    """The log key `apply_curation` gives the entry written as `[[table]]` with `values`."""
    if table == "alias":
        return f"alias:{values['entity']} = {values['alias']}"
    if table == "entity":
        return f"entity:{values['name']}"
    if table == "merge":
        return f"merge:{values['entity']} is {values['into']}"
    if table == "reject" and "entity" in values:
        return f"reject entity:{values['entity']}"
    action = "reject edge" if table == "reject" else "confirm edge"
    return f"{action}:{values['head']} {values['type'].upper()} {values['tail']}"


def curation_notes(graph: nx.MultiDiGraph, node: str) -> list:
    """What curation changed about `node`, one short line per entry (for explain)."""
    notes = []
    for entry in graph.graph.get("curation", []):
        if node in entry.get("nodes", []) and entry["status"] == "applied":
            notes.append(f"{entry['action']}: {entry['subject']}" + (f" ({entry['detail']})" if entry.get("detail") else ""))
    return notes
