"""The relation scorer's pruning by `floor` must never drop a label that reaches it."""

import math

from hypothesis import given, settings, strategies as st

from graphkit.extract.scorer import load_scorer

SCORER = load_scorer()
FEATURES = sorted(SCORER._rows)


def every_label(features) -> dict:
    """label -> rounded probability, the plain way: every label, no pruning."""
    out = {}
    for label, (intercept, weights, _) in SCORER.labels.items():
        logit = intercept + sum(weights.get(name, 0.0) for name in features)
        out[label] = round(1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit)))), 4)
    return out


@settings(max_examples=300, deadline=None)
@given(features=st.lists(st.sampled_from(FEATURES), max_size=25, unique=True),
       pick=st.integers(min_value=0, max_value=100), nudge=st.sampled_from([-0.0001, -0.00005, 0.0, 0.00005, 0.0001]))
def test_score_keeps_every_label_at_or_above_the_floor(features, pick, nudge):
    plain = every_label(features)
    # floors right at (and a hair around) a label's own rounded probability: the edge the pruning must respect
    probabilities = sorted(plain.values())
    floor = max(0.0, probabilities[pick % len(probabilities)] + nudge)
    decisions = SCORER.score(features, floor)
    assert {d.label: d.probability for d in decisions} == {k: p for k, p in plain.items() if p >= floor}
    assert [d.probability for d in decisions] == sorted((d.probability for d in decisions), reverse=True)


def test_score_without_floor_gives_every_label():
    assert len(SCORER.score(["bias"])) == len(SCORER.labels)
