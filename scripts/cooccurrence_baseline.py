"""The keyword co-occurrence baseline of issue 9, scored with graphkit's own evaluator.

Takes graphkit's own entities; every sentence holding two of them plus a cooperation
keyword gives PARTNERS_WITH for each pair of organizations; a cloud keyword gives
DEPLOYS_ON from each other entity to the cloud products; an incubator keyword gives
INCUBATES from each organization to the programs. It is the floor the extractor must
clear on the same articles:

    python scripts/cooccurrence_baseline.py --gold GOLD_DIR ARTICLES_DIR
"""

from __future__ import annotations

import argparse
import re
from itertools import combinations
from pathlib import Path

from graphkit.evaluate import evaluate, load_gold
from graphkit.extract.pipeline import article_entities
from graphkit.extract.sentences import split_sentences
from graphkit.ingest import load_articles
from graphkit.lexicon import load_lexicon
from graphkit.model import EntityType, Extraction, Relation, RelationType

COOPERATION = re.compile(r"合作|签署|协议|联手|携手|partner|agreement|cooperat|collaborat|alliance|deal|kooperation|"
                         r"partnerschaft|zusammen|vereinbar|сотруднич|соглашени|партн|альянс", re.I)
CLOUD = re.compile(r"云|cloud|azure|aws|облак", re.I)
INCUBATOR = re.compile(r"孵化|加速器|incubat|accelerat|start-?up|inkubat|инкубат|акселерат|стартап", re.I)


def baseline_relations(article, entities, mentions) -> list:
    kinds = {e.id: e.kind for e in entities}
    out = {}
    for start, end in split_sentences(article.text):
        text = article.text[start:end]
        inside = {m.entity_key: m for m in mentions if start <= m.start and m.end <= end}
        if len(inside) < 2:
            continue

        def emit(rtype, a, b):
            rel = Relation(rtype, a, b, text, (start, end), None, 0.5, "baseline", article.id)
            out.setdefault(rel.key(), rel)
        orgs = [k for k, m in inside.items() if m.type is EntityType.ORGANIZATION]
        if COOPERATION.search(text):
            for a, b in combinations(sorted(orgs), 2):
                emit(RelationType.PARTNERS_WITH, a, b)
        if CLOUD.search(text):
            clouds = [k for k, m in inside.items() if kinds.get(k) == "cloud" or (m.type is EntityType.PRODUCT and CLOUD.search(m.text))]
            for c in clouds:
                for k in inside:
                    if k != c:
                        emit(RelationType.DEPLOYS_ON, k, c)
        if INCUBATOR.search(text):
            for p in (k for k, m in inside.items() if m.type is EntityType.PROGRAM):
                for o in orgs:
                    emit(RelationType.INCUBATES, o, p)
    return list(out.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("paths", type=Path, nargs="+")
    args = parser.parse_args()
    load_lexicon()
    extractions = []
    for article in load_articles(args.paths).articles:
        entities, mentions = article_entities(article)
        extractions.append(Extraction(article, tuple(entities), tuple(baseline_relations(article, entities, mentions))).to_json())
    report = evaluate(extractions, load_gold(args.gold))
    for scope in ("all", "zh", "de", "ru", "en"):
        c = report.relations[scope]
        print(f"baseline core strict {scope}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}")


if __name__ == "__main__":
    main()
