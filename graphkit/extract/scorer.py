"""The relation scorer: a one-vs-rest logistic model over candidate features.

The model file (graphkit/models/relation_scorer.json) is plain JSON written by
`graphkit train` (graphkit/extract/training.py, which uses scikit-learn): per label an
intercept, feature weights and a decision threshold chosen by cross-validation. Scoring
needs no third-party library, so the shipped model loads offline, is small, diffable and
versioned with the code. Labels are ``PARTNERS_WITH`` (symmetric) and ``<TYPE>:fwd`` /
``<TYPE>:rev`` for directed types, relative to the order of the two mentions in the text.
The model itself has one classifier per relation type; the direction of a directed type
is read from the rule hits, the frame's entity types, or the type's usual direction in the
gold (`directions` in the model file).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from ..errors import GraphkitError
from ..model import RelationType

__all__ = ["Scorer", "Decision", "load_scorer", "MODEL_FORMAT", "label_of", "apply_calibration"]

MODEL_FORMAT = "graphkit-relation-scorer/2"


def label_of(rtype: RelationType, forward: bool) -> str:
    if rtype is RelationType.PARTNERS_WITH:
        return rtype.value
    return f"{rtype.value}:{'fwd' if forward else 'rev'}"


class Decision(NamedTuple):  # a tuple: made nine times per candidate pair
    label: str
    probability: float
    threshold: float

    @property
    def accepted(self) -> bool:
        return self.probability >= self.threshold


class Scorer:
    def __init__(self, data: dict, source: str = "model"):
        if data.get("format") != MODEL_FORMAT:
            raise GraphkitError(f"{source}: not a relation scorer model (format {data.get('format')!r})")
        self.source = source
        self.meta = {k: v for k, v in data.items() if k != "labels"}
        # an unblocked rule hit for a label multiplies its threshold by a factor per strategy
        # (slot patterns are more specific than trigger words, so they lower it more)
        support = data.get("rule_support", {})
        self.rule_support = {"default": float(support)} if isinstance(support, (int, float)) else \
            {k: float(v) for k, v in support.items()}
        self.directions = dict(data.get("directions", {}))
        self.calibration = data.get("calibration") or {}
        self.labels = {}
        for label, spec in data["labels"].items():
            RelationType(label)
            self.labels[label] = (float(spec["intercept"]), dict(spec["weights"]), float(spec["threshold"]))
        # feature -> its weight under every label (0.0 where a label has none): one lookup per
        # feature, then a column sum per label in feature order (the same floats as summing
        # each label's weights on its own)
        self._order = list(self.labels)
        self._heads = [(label, self.labels[label][0], self.labels[label][2]) for label in self._order]
        names = {name for _, weights, _ in self.labels.values() for name in weights}
        self._rows = {name: tuple(float(self.labels[label][1].get(name, 0.0)) for label in self._order)
                      for name in names}

    def score(self, features, floor: float = 0.0) -> list:
        """A Decision per label whose probability reaches `floor`, best first."""
        rows = self._rows
        present = [rows[name] for name in features if name in rows]
        sums = list(map(sum, zip(*present))) if present else [0] * len(self._order)
        cut = _logit_below(floor)
        out = []
        for (label, intercept, threshold), total in zip(self._heads, sums):
            logit = intercept + total
            if logit < cut:
                continue  # cannot round up to `floor`: skip the exponential
            probability = round(1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit)))), 4)
            if probability >= floor:
                out.append(Decision(label, probability, threshold))
        out.sort(key=_minus_probability)
        return out

    def floor(self, support: dict) -> float:
        """The lowest probability any label can be accepted at, given the rule support factors."""
        return min(threshold * support.get(label, 1.0) for label, _, threshold in self._heads) if self._heads else 0.0


@lru_cache(maxsize=64)
def _logit_below(floor: float) -> float:
    """A log-odds under which a probability, rounded to 4 places, stays below `floor`.

    Rounding lifts a probability by at most 0.00005, so any logit below that of
    `floor - 0.0001` is out; the margin keeps the pruning free of float edge cases."""
    bound = floor - 0.0001
    if bound <= 0.0:
        return -math.inf
    if bound >= 1.0:
        return math.inf
    return math.log(bound / (1.0 - bound))


def _minus_probability(decision: Decision) -> float:
    return -decision.probability


def apply_calibration(calibration: dict, confidence: float) -> float:
    """Piecewise-linear map of a raw confidence through the model's isotonic calibration."""
    xs, ys = calibration.get("x") or [], calibration.get("y") or []
    if not xs:
        return confidence
    if confidence <= xs[0]:
        return ys[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if confidence <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (confidence - x0) / (x1 - x0)
    return ys[-1]


def default_model_path() -> Path:
    return Path(str(resources.files("graphkit"))) / "models" / "relation_scorer.json"


@lru_cache(maxsize=4)
def load_scorer(path: str | None = None) -> Scorer | None:
    """The shipped (or given) model; None when no model file exists (rule-only mode)."""
    file = Path(path) if path else default_model_path()
    if not file.exists():
        return None
    try:
        return Scorer(json.loads(file.read_text(encoding="utf-8")), str(file))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraphkitError(f"{file}: cannot read the relation scorer ({exc})") from None
