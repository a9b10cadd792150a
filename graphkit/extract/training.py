"""Train the relation scorer from gold annotations, with cross-validation by article.

    graphkit train --corpus ../shared/corpus [--exclude-ids FILE] [--out MODEL.json]

Each candidate pair (features.py) is labelled from the gold file of its article: a gold
relation between the two matched entities whose evidence overlaps the candidate's
sentence makes the pair positive for that relation type and direction. One logistic
regression per label (scikit-learn, seeded, liblinear) is fitted and exported as plain
JSON weights (scorer.py). Folds never split an article. Cross-validated figures come from
extracting each held-out fold with a model trained on the other folds and scoring it
with graphkit's own evaluator, so they are the figures a user would see on new articles.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..evaluate import _match_entities, evaluate, load_gold
from ..ingest import load_articles
from ..model import Extraction, RelationType, SYMMETRIC_TYPES
from ..textnorm import normalize_text
from .pipeline import article_entities
from .relations import article_candidates, extract_relations
from .scorer import MODEL_FORMAT, Scorer, apply_calibration, label_of

__all__ = ["apply_calibration", "calibration", "TrainingArticle", "load_training_corpus", "train_model", "cross_validate", "reliability"]

THRESHOLDS = (0.4, 0.5, 0.6)  # below 0.4 the reliability table shows accepted relations under 0.2 precision
DEFAULT_THRESHOLD = 0.5
MIN_POSITIVES = 3
# how far an unblocked rule hit lowers the acceptance threshold of its relation, by strategy
RULE_SUPPORT = {"default": 0.3, "pattern": 0.1}


@dataclass
class TrainingArticle:
    article: object
    gold: dict
    entities: list
    mentions: list
    rows: list  # (features, labels)


def _evidence_spans(text: str, evidence: str) -> list:
    spans = []
    for part in re.split(r"\s*(?:…|\.\.\.)\s*", normalize_text(evidence or "")):
        part = part.strip()
        if len(part) < 4:
            continue
        for probe in (part, part[:60], part[-60:]):
            pos = text.find(probe)
            if pos >= 0:
                spans.append((pos, pos + len(part) if probe is part else pos + len(probe)))
                break
    return spans


def _labels_for(article, gold, entities, traces) -> list:
    """(features, labels) per candidate; labels are scorer label names."""
    pred = [{"id": e.id, "name": e.name, "names": e.names, "mentions": list(e.mentions)} for e in entities]
    match = _match_entities(pred, gold["entities"])
    gold_to_pred = {g: p for p, g in match.items()}
    facts = []
    for r in gold["relations"]:
        h, t = gold_to_pred.get(r["head"]), gold_to_pred.get(r["tail"])
        if h and t and h != t:
            facts.append((RelationType(r["type"]), h, t, _evidence_spans(article.text, r.get("evidence"))))
    rows = []
    for trace in traces:
        s, e = trace.sentence.start, trace.sentence.end
        for cand in trace.candidates:
            a, b = (m.entity_key for m in cand.pair)
            labels, elsewhere = set(), False
            for rtype, h, t, spans in facts:
                if {h, t} != {a, b}:
                    continue
                if spans and not any(ss < e and s < se for ss, se in spans):
                    elsewhere = True  # stated in another sentence: neither a positive nor a clean negative
                    continue
                labels.add(label_of(rtype, forward=(h == a) or rtype in SYMMETRIC_TYPES))
            if labels or not elsewhere:
                rows.append((cand.features, labels))
    return rows


def load_training_corpus(corpus: Path, exclude: set = frozenset(), splits=("seeds", "dev")) -> list:
    out = []
    for split in splits:
        folder = Path(corpus) / split
        if not (folder / "gold").is_dir():
            continue
        gold = load_gold(folder / "gold")
        result = load_articles([folder / "articles"])
        for article in result.articles:
            if article.id in exclude or article.id not in gold:
                continue
            entities, mentions = article_entities(article)
            traces = article_candidates(article, mentions)
            out.append(TrainingArticle(article, gold[article.id], entities, mentions,
                                       _labels_for(article, gold[article.id], entities, traces)))
    return out


def train_model(articles: list, threshold: float = DEFAULT_THRESHOLD, C: float = 0.3, seed: int = 0, rule_support: dict | None = None) -> dict:
    """Fit one logistic regression per label with enough positives; return the model JSON."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [r for a in articles for r in a.rows]
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in feats} for feats, _ in rows]).tocsr()
    X.indices = X.indices.astype("int32")
    X.indptr = X.indptr.astype("int32")
    names = vec.get_feature_names_out()
    # one classifier per relation type (directions pooled: twice the positives for the
    # rare types); the direction comes from the rule hits, the frame, or the direction the
    # gold shows most often for the type
    typed = [{label.split(":")[0] for label in labels} for _, labels in rows]
    counts: dict = {}
    directions: dict = {}
    for (_, labels), types in zip(rows, typed):
        for t in types:
            counts[t] = counts.get(t, 0) + 1
        for label in labels:
            name, _, direction = label.partition(":")
            if direction:
                directions.setdefault(name, {"fwd": 0, "rev": 0})[direction] += 1
    labels_out = {}
    for label in sorted(counts):
        if counts[label] < MIN_POSITIVES:
            continue
        y = [1 if label in types else 0 for types in typed]
        clf = LogisticRegression(C=C, solver="liblinear", random_state=seed, max_iter=1000)
        clf.fit(X, y)
        weights = {str(names[k]): round(float(w), 4) for k, w in enumerate(clf.coef_[0]) if abs(w) >= 1e-3}
        labels_out[label] = {"intercept": round(float(clf.intercept_[0]), 4), "weights": weights,
                             "threshold": threshold, "positives": counts[label]}
    return {"format": MODEL_FORMAT, "created": _dt.date.today().isoformat(), "C": C, "seed": seed,
            "rule_support": rule_support or RULE_SUPPORT,
            "directions": {t: ("rev" if d["rev"] > d["fwd"] else "fwd") for t, d in sorted(directions.items())},
            "articles": sorted(a.article.id for a in articles), "candidates": len(rows), "labels": labels_out}


def _folds(articles: list, k: int, seed: int) -> list:
    ids = sorted(a.article.id for a in articles)
    random.Random(seed).shuffle(ids)
    return [set(ids[i::k]) for i in range(k)]


def cross_validate(articles: list, k: int = 5, seed: int = 0, C: float = 0.3) -> dict:
    """Out-of-fold extractions per threshold, scored by graphkit's evaluator."""
    by_threshold: dict = {t: [] for t in THRESHOLDS}
    for held in _folds(articles, k, seed):
        model = train_model([a for a in articles if a.article.id not in held], C=C, seed=seed)
        for t in THRESHOLDS:
            for spec in model["labels"].values():
                spec["threshold"] = t
            scorer = Scorer(model, "cv")
            for a in articles:
                if a.article.id in held:
                    rels = extract_relations(a.article, a.mentions, scorer)
                    by_threshold[t].append(Extraction(a.article, tuple(a.entities), tuple(rels)).to_json())
    gold = {a.article.id: a.gold for a in articles}
    return {t: (evaluate(x, gold), x) for t, x in by_threshold.items()}


def all_types_f1(report) -> float:
    tp = sum(c.tp for c in report.by_type.values())
    fp = sum(c.fp for c in report.by_type.values())
    fn = sum(c.fn for c in report.by_type.values())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(results: dict) -> float:
    """The threshold with the best mean of core strict F1 and F1 over all nine types."""
    return max(sorted(results), key=lambda t: (results[t][0].relations["all"].f1 + all_types_f1(results[t][0])) / 2)


def _outcomes(extractions: list, gold: dict) -> list:
    """(confidence, correct?) of every predicted relation, strict matching."""
    from ..evaluate import _key
    out = []
    for x in extractions:
        g = gold[x["article"]["id"]]
        match = _match_entities(x["entities"], g["entities"])
        gold_keys = {_key(r["type"], r["head"], r["tail"]) for r in g["relations"]}
        for r in x["relations"]:
            h, t = match.get(r["head"]), match.get(r["tail"])
            out.append((r["confidence"], bool(h and t and _key(r["type"], h, t) in gold_keys)))
    return out


def calibration(extractions: list, gold: dict) -> dict:
    """An isotonic map from raw confidence to the precision seen out of fold, stored in the
    model so that a relation's confidence reads as the share of such relations that are right."""
    from sklearn.isotonic import IsotonicRegression
    pairs = _outcomes(extractions, gold)
    if len(pairs) < 10:
        return {}
    # capped below 1: one sentence never makes a fact certain (several articles combine by noisy-or)
    iso = IsotonicRegression(y_min=0.02, y_max=0.98, out_of_bounds="clip")
    iso.fit([c for c, _ in pairs], [float(ok) for _, ok in pairs])
    return {"x": [round(float(v), 4) for v in iso.X_thresholds_], "y": [round(float(v), 4) for v in iso.y_thresholds_]}


def reliability(extractions: list, gold: dict, buckets=(0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)) -> list:
    """(bucket, predicted relations, correct, precision) by confidence, strict matching."""
    tally = [[0, 0] for _ in buckets[:-1]]
    for confidence, ok in _outcomes(extractions, gold):
        for i in range(len(buckets) - 1):
            if buckets[i] <= confidence < buckets[i + 1]:
                tally[i][0] += 1
                tally[i][1] += ok
    return [(f"{buckets[i]:.1f}-{min(1.0, buckets[i + 1]):.1f}", n, ok, round(ok / n, 3) if n else None)
            for i, (n, ok) in enumerate(tally)]


def save_model(model: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
