"""Compare extractions with gold annotations (format and rules of shared/corpus/README.md).

* entities match when a folded surface form (mentions, name, original name) is shared;
  matching is one-to-one (maximum bipartite matching);
* a relation is correct when its type and both matched entities agree (PARTNERS_WITH
  unordered); the lenient variant first lifts entities to the root of their gold
  SUBSIDIARY_OF / PRODUCT_OF chain.
Counts are micro-averaged overall, per language and per relation type.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .errors import InputError
from .model import CORE_TYPES, SYMMETRIC_TYPES, RelationType
from .textnorm import fold_key

__all__ = ["Counts", "EvalReport", "load_gold", "evaluate"]

CORE = {t.value for t in CORE_TYPES}
LIFT_TYPES = {RelationType.SUBSIDIARY_OF.value, RelationType.PRODUCT_OF.value}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other):
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, label):
        return {"scope": label, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


@dataclass
class EvalReport:
    entities: dict = field(default_factory=lambda: defaultdict(Counts))  # scope -> Counts
    relations: dict = field(default_factory=lambda: defaultdict(Counts))  # core strict, scope
    lenient: dict = field(default_factory=lambda: defaultdict(Counts))  # core lenient, scope
    by_type: dict = field(default_factory=lambda: defaultdict(Counts))  # every type, strict
    errors: list = field(default_factory=list)
    articles: int = 0
    missing: list = field(default_factory=list)  # gold ids without an article

    def tables(self) -> dict:
        def rows(d):
            order = ["all", "zh", "de", "ru", "en"]
            return [d[k].row(k) for k in sorted(d, key=lambda k: (order.index(k) if k in order else 9, k))]
        return {
            "entities": rows(self.entities),
            "relations (core, strict)": rows(self.relations),
            "relations (core, lenient)": rows(self.lenient),
            "relations by type (strict)": [self.by_type[k].row(k) for k in sorted(self.by_type)],
        }


def load_gold(folder: Path) -> dict:
    gold = {}
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "gold folder not found")
    for path in sorted(folder.glob("*.json")):
        try:
            gold[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"invalid gold JSON ({exc})") from None
    if not gold:
        raise InputError(str(folder), "no gold .json files")
    return gold


def _match_entities(pred_entities, gold_entities) -> dict:
    """pred id -> gold name, one-to-one, maximising the number of matches."""
    g = nx.Graph()
    gold_forms = {}
    for ge in gold_entities:
        forms = {fold_key(f) for f in [ge["name"], ge.get("name_original") or "", *ge.get("mentions", [])] if f}
        gold_forms[ge["name"]] = forms - {""}
    for pe in pred_entities:
        forms = {fold_key(f) for f in [pe["name"], *pe.get("names", {}).values(), *pe.get("mentions", [])] if f} - {""}
        for gname, gforms in gold_forms.items():
            if forms & gforms:
                g.add_edge(("p", pe["id"]), ("g", gname))
    matching = {}
    for component in nx.connected_components(g):
        sub = g.subgraph(component)
        top = {n for n in component if n[0] == "p"}
        for a, b in nx.bipartite.maximum_matching(sub, top_nodes=top).items():
            if a[0] == "p":
                matching[a[1]] = b[1]
    return matching


def _roots(gold) -> dict:
    parent = {}
    for r in gold["relations"]:
        if r["type"] in LIFT_TYPES:
            parent.setdefault(r["head"], r["tail"])

    def root(name, seen=()):
        if name in parent and name not in seen:
            return root(parent[name], (*seen, name))
        return name
    return {e["name"]: root(e["name"]) for e in gold["entities"]}


def _key(rtype, head, tail):
    if RelationType(rtype) in SYMMETRIC_TYPES and tail < head:
        head, tail = tail, head
    return (rtype, head, tail)


def evaluate(extractions: list, gold: dict) -> EvalReport:
    """`extractions` are `Extraction.to_json()` dicts; gold maps article id -> gold dict."""
    report = EvalReport()
    predicted = {x["article"]["id"]: x for x in extractions}
    for art_id, g in sorted(gold.items()):
        x = predicted.get(art_id)
        if x is None:
            report.missing.append(art_id)
            continue
        report.articles += 1
        lang = g.get("lang") or x["article"]["lang"]
        match = _match_entities(x["entities"], g["entities"])
        ent = Counts(tp=len(match), fp=len(x["entities"]) - len(match), fn=len(g["entities"]) - len(match))
        for scope in ("all", lang):
            report.entities[scope].add(ent)
        names = {e["id"]: e["name"] for e in x["entities"]}
        for e in x["entities"]:
            if e["id"] not in match:
                report.errors.append({"article": art_id, "kind": "entity FP", "what": f"{e['name']} {e['mentions'][:3]}", "evidence": ""})
        matched_gold = set(match.values())
        for e in g["entities"]:
            if e["name"] not in matched_gold:
                report.errors.append({"article": art_id, "kind": "entity miss", "what": f"{e['name']} {e['mentions'][:3]}", "evidence": ""})
        roots = _roots(g)
        gold_strict = {_key(r["type"], r["head"], r["tail"]): r for r in g["relations"]}
        gold_lenient = {_key(k[0], roots.get(k[1], k[1]), roots.get(k[2], k[2])) for k in gold_strict if k[0] in CORE}
        pred_strict, pred_lenient = {}, set()
        for r in x["relations"]:
            h, t = match.get(r["head"]), match.get(r["tail"])
            key = _key(r["type"], h or f"?{names.get(r['head'], r['head'])}", t or f"?{names.get(r['tail'], r['tail'])}")
            pred_strict.setdefault(key, r)
            if r["type"] in CORE and h and t:
                lk = _key(r["type"], roots.get(h, h), roots.get(t, t))
                if lk[1] != lk[2]:
                    pred_lenient.add(lk)
            elif r["type"] in CORE:
                pred_lenient.add(key)
        for rtype in {k[0] for k in gold_strict} | {k[0] for k in pred_strict}:
            gs = {k for k in gold_strict if k[0] == rtype}
            ps = {k for k in pred_strict if k[0] == rtype}
            c = Counts(tp=len(gs & ps), fp=len(ps - gs), fn=len(gs - ps))
            report.by_type[rtype].add(c)
            if rtype in CORE:
                for scope in ("all", lang):
                    report.relations[scope].add(c)
                    gl = {k for k in gold_lenient if k[0] == rtype}
                    pl = {k for k in pred_lenient if k[0] == rtype}
                    report.lenient[scope].add(Counts(tp=len(gl & pl), fp=len(pl - gl), fn=len(gl - pl)))
        for k in sorted(set(pred_strict) - set(gold_strict)):
            r = pred_strict[k]
            report.errors.append({"article": art_id, "kind": f"{k[0]} FP", "what": f"{k[1]} -> {k[2]} [{r.get('rule')}]", "evidence": r["evidence"]})
        for k in sorted(set(gold_strict) - set(pred_strict)):
            report.errors.append({"article": art_id, "kind": f"{k[0]} miss", "what": f"{k[1]} -> {k[2]}", "evidence": gold_strict[k]["evidence"]})
    return report
