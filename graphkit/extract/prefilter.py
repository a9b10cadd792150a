"""Which regexes of a set can match a text, found with one Aho-Corasick pass.

Every regex (a rule's triggers, a slot pattern, a cue class) is reduced to literals one of
which any match must contain ("\\bdeploy(?:s|ed)?\\b" needs "deploy"; "签署|合作" needs
"签署" or "合作"). One automaton over all literals of a language tells, per sentence, which
regexes are worth running; a regex without such literals (or with case-insensitive parts)
is always run. The prefilter only ever skips a regex that cannot match, so results are
the same as running every regex.
"""

from __future__ import annotations

import re

import ahocorasick

try:  # the parser of the standard library's regex engine (internal; without it, no prefilter)
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover - other Python versions
    _c = _parser = None

__all__ = ["required_literals", "Prefilter"]


def _best(options: list):
    """The most selective requirement: the one whose shortest literal is longest."""
    options = [o for o in options if o]
    return max(options, key=lambda o: min(len(s) for s in o)) if options else None


def _required(items) -> frozenset | None:
    """Literals one of which every match of the parsed sequence `items` contains."""
    options, run = [], []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset({"".join(run)}))
            run = []
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE:
                continue  # case-folded literals are not searched for: this part gives nothing
            options.append(_required(sub))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            options.append(_required(av[2]))
        elif op is _c.BRANCH:
            branches = [_required(b) for b in av[1]]
            if all(branches):
                options.append(frozenset().union(*branches))
    if run:
        options.append(frozenset({"".join(run)}))
    return _best(options)


def required_literals(regex: re.Pattern) -> frozenset | None:
    """Literals one of which every match of `regex` contains; None when there are none to use."""
    if _parser is None or regex.flags & re.IGNORECASE:
        return None
    try:
        return _required(_parser.parse(regex.pattern, regex.flags))
    except Exception:  # noqa: BLE001 - an unparsable or unusual regex is simply always run
        return None


class Prefilter:
    """Keys of the regexes that may match a text (one pass of one automaton)."""

    def __init__(self, regexes: dict):
        literals = {key: required_literals(regex) for key, regex in regexes.items()}
        self.always = frozenset(key for key, needed in literals.items() if needed is None)
        self.automaton = ahocorasick.Automaton()
        owners: dict = {}
        for key, needed in literals.items():
            for literal in needed or ():
                owners.setdefault(literal, set()).add(key)
        for literal, keys in owners.items():
            self.automaton.add_word(literal, frozenset(keys))
        if owners:
            self.automaton.make_automaton()

    def candidates(self, text: str) -> frozenset:
        if not len(self.automaton):
            return self.always
        return self.always.union(*[keys for _, keys in self.automaton.iter(text)])
