"""`graphkit rules check|trace` and `graphkit train`: the extraction engine's own commands."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import GraphkitError
from .render import stderr_console, stdout_console

rules_app = typer.Typer(help="Validate and trace the relation rules (graphkit/lexicons/rules/).", no_args_is_help=True,
                        context_settings={"help_option_names": ["-h", "--help"]}, rich_markup_mode=None)


def _print(text: str = "") -> None:
    stdout_console().print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


def _error(exc: GraphkitError) -> None:
    stderr_console().print(f"error: {exc}", markup=False, highlight=False)
    raise typer.Exit(1)


@rules_app.command("check")
def rules_check() -> None:
    """Validate frames.toml and every language's rule file; run every rule's examples."""
    from .extract.rulebook import check_all, load_language_rules
    from .extract.trace import rule_outcome
    try:
        counts = check_all()
    except GraphkitError as exc:
        _error(exc)
    failures = []
    for lang in ("zh", "de", "ru", "en"):
        for rule in load_language_rules(lang).rules:
            failures += [f"{rule.id}: example does not fire: {s}" for s in rule.examples if not rule_outcome(rule, s, lang)[1]]
            failures += [f"{rule.id}: counter-example fires: {s}" for s in rule.counter_examples if rule_outcome(rule, s, lang)[1]]
    _print(f"frames: {counts.pop('frames')}; rules: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for f in failures:
        stderr_console().print(f"error: {f}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)
    _print("all rule files valid; every example fires and no counter-example does")


@rules_app.command("trace")
def rules_trace(
    sentence: Annotated[str, typer.Argument(help="Text to trace (one or more sentences).")],
    lang: Annotated[str, typer.Option("--lang", "-l", help="Language: zh, de, ru or en.")] = "en",
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules only, without the trained scorer.")] = False,
) -> None:
    """Show mentions, clauses, rules fired or blocked (and why), and the scored candidates."""
    from .extract.scorer import load_scorer
    from .extract.trace import trace_text
    if lang not in ("zh", "de", "ru", "en"):
        _error(GraphkitError(f"unknown language {lang!r} (valid: zh, de, ru, en)"))
    try:
        result = trace_text(sentence, lang, scorer=None if no_model else load_scorer())
    except GraphkitError as exc:
        _error(exc)
    _print("mentions:")
    for e in result.entities:
        _print(f"  {e.name} [{e.type.value}{', ' + e.kind if e.kind else ''}] <- {', '.join(e.mentions)}")
    for k, t in enumerate(result.sentences):
        s = t.sentence
        label = _mention_labels(s)
        _print(f"sentence {k + 1}: {s.text}")
        for a, b in s.clauses:
            _print(f"  clause: {_unmask(label, s.masked[a:b])}")
        for c in t.carried:
            _print(f"  carried subject: {c.text!r} -> {c.entity_key}")
        cues = sorted(name for name, spans in s.cue_spans.items() if spans)
        if cues:
            _print(f"  cues: {', '.join(cues)}")
        for h, times in Counter(t.hits).items():  # one line per distinct hit, in order (x3: three trigger matches)
            head, tail = label[h.head], label[h.tail]
            state = f"BLOCKED by {h.blocked}" if h.blocked else "fired"
            _print(f"  rule {h.rule.id} ({h.rule.strategy}) {state}: {h.rule.relation.value} {head} -> {tail}"
                   + (f" (x{times})" if times > 1 else ""))
        shown = [d for d in t.decisions if d[2] >= 0.05 or d[3]]  # (candidate, decision, p, accepted)
        for cand, decision, p, ok in sorted(shown, key=lambda d: -d[2])[:12]:
            _print(f"  candidate {label[cand.first]} / {label[cand.second]}: {decision} p={p:.2f} "
                   f"{'ACCEPTED' if ok else 'rejected'}")
    _print("relations:")
    for k, rtype, head, tail, conf, rule in result.accepted:
        _print(f"  {rtype.value} {head} -> {tail} (confidence {conf:.2f}, {rule}, sentence {k + 1})")
    if not result.accepted:
        _print("  none")


def _mention_labels(sent) -> list:
    """How each mention of a sentence is shown: its text, numbered when the sentence holds
    the same text more than once ("BMW#1", "BMW#2"), so hits and candidates say which one."""
    total, seen, labels = Counter(m.text for m in sent.mentions), Counter(), []
    for m in sent.mentions:
        seen[m.text] += 1
        labels.append(f"{m.text}#{seen[m.text]}" if total[m.text] > 1 else m.text)
    return labels


def _unmask(labels: list, masked: str) -> str:
    import re
    return re.sub(r"⟦(\d+)⟧", lambda m: f"[{labels[int(m.group(1))]}]", masked)


def train(
    corpus: Annotated[Path, typer.Option("--corpus", help="Corpus folder with seeds/ and dev/ (articles + gold).")] = Path("../shared/corpus"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model JSON.")] = Path("graphkit/models/relation_scorer.json"),
    exclude_ids: Annotated[Optional[Path], typer.Option("--exclude-ids", help="File of article ids to leave out (one per line).")] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds (by article); 0 skips CV.")] = 5,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Train the relation scorer on gold annotations; print cross-validated figures and a reliability table."""
    try:
        from .extract import training
    except ImportError as exc:  # pragma: no cover - depends on the install
        _error(GraphkitError(f"training needs scikit-learn: pip install -e '.[train]' ({exc})"))
    exclude = set()
    if exclude_ids:
        try:
            exclude = {line.strip() for line in exclude_ids.read_text(encoding="utf-8").splitlines() if line.strip()}
        except OSError as exc:
            _error(GraphkitError(f"{exclude_ids}: cannot read ({exc.strerror})"))
    try:
        articles = training.load_training_corpus(corpus, exclude)
    except GraphkitError as exc:
        _error(exc)
    if not articles:
        _error(GraphkitError(f"{corpus}: no gold-annotated articles found"))
    _print(f"{len(articles)} articles, {sum(len(a.rows) for a in articles)} candidates")
    threshold = training.DEFAULT_THRESHOLD
    if folds > 1:
        results = training.cross_validate(articles, k=folds, seed=seed)
        threshold = training.best_threshold(results)
        _print(f"threshold chosen by cross-validation: {threshold}")
        report, extractions = results[threshold]
        for scope in ("all", "zh", "de", "ru", "en"):
            c = report.relations[scope]
            _print(f"cv core strict {scope}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}")
        _print(f"cv all nine types: F1 {training.all_types_f1(report):.3f}")
        for rtype, c in sorted(report.by_type.items()):
            _print(f"cv {rtype}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}")
        gold = {a.article.id: a.gold for a in articles}
        calibration = training.calibration(extractions, gold)
        _print("reliability out of fold (raw confidence bucket, relations, correct, precision):")
        for bucket, n, ok, precision in training.reliability(extractions, gold):
            _print(f"  {bucket}  {n:4d}  {ok:4d}  {precision if precision is not None else '-'}")
        calibrated = [{**x, "relations": [{**r, "confidence": training.apply_calibration(calibration, r["confidence"])}
                                          for r in x["relations"]]} for x in extractions]
        _print("reliability after calibration (fitted on the same out-of-fold predictions):")
        for bucket, n, ok, precision in training.reliability(calibrated, gold):
            _print(f"  {bucket}  {n:4d}  {ok:4d}  {precision if precision is not None else '-'}")
    else:
        calibration = {}
    model = training.train_model(articles, threshold=threshold, seed=seed)
    model["calibration"] = calibration
    training.save_model(model, out)
    _print(f"wrote {out} ({len(model['labels'])} labels, {sum(len(s['weights']) for s in model['labels'].values())} weights)")
