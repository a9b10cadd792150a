"""Argument strategies: how a rule's trigger or pattern picks the parties of its relation.

Each strategy is implemented once and is chosen by name in the rule files. A strategy
returns *hits*: (rule, head mention index, tail mention index, blocking cue or None). Hits
are evidence for the scorer, not verdicts.

* ``connector_split``: parties of the trigger's clause, split at a "with" connector
  ("A und B mit C": A-C, B-C, not A-B); without a connector, every pair of the clause.
* ``joiners``: newcomers to the sentence's or the previous multi-party deal.
* ``before_after``: heads before the trigger in its clause, tails from the first
  coordinated run after it ("A invests in B and C").
* ``before_anywhere``: heads before the trigger, tails anywhere in the sentence.
* ``founders_of_program``: organizations that found or run a program ("A initiiert P
  gemeinsam mit B und C": A, B, C -> P; passive forms name founders after the program).
* ``program_members``: startups that join or take part in a program (program -> startup).
* ``pattern``: a slot pattern over the masked sentence ({A}, {B}, {A+}); covers
  apposition, possessive and "X, a subsidiary of Y" constructions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import combinations
from typing import NamedTuple

from ..model import EntityType, RelationType
from .rulebook import MENTION_TOKEN, LanguageRules, Rule, load_frames
from .sentences import split_clauses

__all__ = ["Hit", "MaskedSentence", "apply_rules"]

_TOKEN = re.compile(r"⟦(\d+)⟧")
_ORG = EntityType.ORGANIZATION
# lexicon kinds of established companies: a member of a startup program is none of these
_ESTABLISHED_KINDS = frozenset({"carmaker", "brand", "supplier", "internet", "cloud", "tech", "telecom", "chip",
                                "investor", "incubator"})
_BOUNDARY = re.compile(r"[。；;:：]")
_ZH_COMMA = re.compile("[,，]")


class Hit(NamedTuple):  # a tuple: made for every rule match
    rule: Rule
    head: int
    tail: int
    blocked: str | None = None  # the cue class that silences it in this clause


class MaskedSentence:
    """A sentence whose mentions are replaced by tokens, with clause spans and cues.

    `mentions` come sorted by start and do not overlap, so token positions grow with the
    mention index: ordering indices by number orders them by position in the sentence.
    """

    def __init__(self, text: str, view: str, start: int, end: int, mentions: list, rules: LanguageRules, kinds: dict):
        self.start, self.end = start, end
        self.text = text[start:end]
        self.view = view[start:end]
        self.mentions = mentions
        self.kinds = kinds
        self.rules = rules
        parts, pos, self.token_pos = [], start, []
        out_len = 0
        for i, m in enumerate(mentions):
            chunk = view[pos:m.start]
            parts.append(chunk)
            out_len += len(chunk)
            token = MENTION_TOKEN.format(i)
            self.token_pos.append(out_len)
            parts.append(token)
            out_len += len(token)
            pos = m.end
        parts.append(view[pos:end])
        self.masked = "".join(parts)
        self.clauses = split_clauses(self.masked, 0, len(self.masked), rules.clause_split) or [(0, len(self.masked))]
        # one automaton pass tells which triggers, patterns and cues can match at all
        self._possible = possible = rules.prefilter.candidates(self.masked)
        exceptions = rules.cues.get("negation_exceptions")
        cue_view = exceptions.sub(" ", self.masked) if exceptions else self.masked
        cue_possible = possible if cue_view == self.masked else rules.prefilter.candidates(cue_view)
        self.cue_spans = {}
        for name in ("negation", "talk", "rumour", "denial", "modality", "joint", "incubation"):
            regex = rules.cues.get(name)
            self.cue_spans[name] = [m.start() for m in regex.finditer(cue_view)] if regex and ("cue", name) in cue_possible else []
        self.modifiers: set = set()
        self._party: dict = {}
        # every match of every trigger rule the automaton allows, once (strategies and features need them)
        self._triggers = {r.id: found for r in rules.trigger_rules
                          if ("trigger", r.id) in possible and (found := list(r.regex.finditer(self.masked)))}
        self.has_triggers = bool(self._triggers)
        self._has_patterns = None
        self._cues: dict = {}

    def may_match(self, kind: str, name: str) -> bool:
        """Whether the automaton saw what a ("trigger" | "pattern" | "cue", id) regex needs."""
        return (kind, name) in self._possible

    @property
    def has_patterns(self) -> bool:
        """Does any slot pattern match?"""
        if self._has_patterns is None:
            possible, masked = self._possible, self.masked
            self._has_patterns = any(regex.search(masked) for key, regex in self.rules.pattern_keys
                                     if key in possible)
        return self._has_patterns

    def triggers(self, rule: Rule) -> list:
        """Every match of a trigger rule in the sentence."""
        return self._triggers.get(rule.id, ())

    def fired(self) -> list:
        """The trigger rules with a match, in file order."""
        return [r for r in self.rules.trigger_rules if r.id in self._triggers]

    def token_end(self, i: int) -> int:
        return self.token_pos[i] + len(MENTION_TOKEN.format(i))

    def kind(self, i: int):
        return self.kinds.get(self.mentions[i].entity_key)

    def clause_of(self, offset: int) -> tuple:
        for s, e in self.clauses:
            if s <= offset <= e:
                return s, e
        return 0, len(self.masked)

    def cues_in(self, s: int, e: int) -> set:
        key = (s, e)
        found = self._cues.get(key)
        if found is None:
            found = self._cues[key] = {name for name, spans in self.cue_spans.items()
                                       if spans and any(s <= p < e for p in spans)}
        return found

    def blocking_cue(self, frame, offset: int) -> str | None:
        """The first of the frame's blocking cue classes present in the clause at `offset`."""
        s, e = self.clause_of(offset)
        found = self.cues_in(s, e)
        return next((c for c in frame.blocked_by if c in found), None)

    def is_party(self, i: int) -> bool:
        """An organization acting in the sentence, not a possessor, source or job title."""
        key = (i, i in self.modifiers)
        cached = self._party.get(key)
        if cached is None:
            cached = self._party[key] = self._is_party(i)
        return cached

    def _is_party(self, i: int) -> bool:
        m = self.mentions[i]
        if m.type is not _ORG or i in self.modifiers:
            return False
        after = self.masked[self.token_end(i):self.token_end(i) + 12]
        if after.startswith(("'s", "’s")):
            return False
        # (a cue the automaton found nowhere in the sentence cannot match inside a window of it)
        npb = self.rules.cues.get("non_party_before")
        if npb and self.may_match("cue", "non_party_before"):
            window = self.masked[max(0, self.token_pos[i] - 30):self.token_pos[i]]
            if any(m.end() == len(window) for m in npb.finditer(window)):
                return False
        titles = self.rules.cues.get("title_words")
        return not (titles and self.may_match("cue", "title_words") and titles.match(after.lstrip()))


def _indices(text: str) -> list:
    return [int(x) for x in _TOKEN.findall(text or "")]


def _unique(sent: MaskedSentence, indices) -> list:
    seen, out = set(), []
    for i in sorted(indices):
        key = sent.mentions[i].entity_key
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def _first_run(sent: MaskedSentence, indices: list, list_sep: re.Pattern) -> list:
    """The first mention and those coordinated with it ("Azure und IoT Edge")."""
    indices = sorted(indices)
    run = [indices[0]]
    for i in indices[1:]:
        gap = sent.masked[sent.token_end(run[-1]):sent.token_pos[i]]
        if not list_sep.fullmatch(gap):
            break
        run.append(i)
    return run


def _nearest_group(sent: MaskedSentence, indices: list) -> list:
    """Of the parties left of a connector keep the last coordinated run ("A und B mit C")."""
    indices = sorted(indices)
    group = [indices[-1]]
    for i in reversed(indices[:-1]):
        gap = sent.masked[sent.token_end(i):sent.token_pos[group[0]]]
        if len(gap) > 40 or _BOUNDARY.search(gap) or (sent.rules.lang == "zh" and _ZH_COMMA.search(gap)):
            break
        group.insert(0, i)
    return group


def _subject_group(sent: MaskedSentence, left: list) -> list:
    """The sentence subject when an apposition separates it from the connector, else the
    coordinated run nearest to the connector."""
    first = min(left)
    if sent.rules.lang != "zh" and sent.token_pos[first] <= 1 and len(left) > 1:
        if sent.masked[sent.token_end(first):].startswith(","):
            return [first]
    return _nearest_group(sent, left)


class _Collector:
    def __init__(self, sent: MaskedSentence, list_sep: re.Pattern):
        self.sent, self.list_sep, self.hits = sent, list_sep, []
        self.joined: list = []  # (newcomer mention, member entity id) across sentences
        self.frames = load_frames()

    def add(self, rule: Rule, head: int, tail: int, offset: int, relation=None) -> None:
        sent = self.sent
        if sent.mentions[head].entity_key == sent.mentions[tail].entity_key:
            return
        frame = self.frames[relation or rule.relation]
        if not frame.allows(sent.mentions[head].type, sent.kind(head), sent.mentions[tail].type, sent.kind(tail)):
            return
        self.hits.append(Hit(rule if relation is None else _as_relation(rule, relation), head, tail,
                             sent.blocking_cue(frame, offset)))


_DERIVED: dict = {}


def _as_relation(rule: Rule, relation) -> Rule:
    """A derived rule id for a second relation a rule implies (co-founders partner)."""
    key = (rule.id, relation)
    if key not in _DERIVED:
        _DERIVED[key] = replace(rule, id=f"{rule.id}+{relation.value.lower()}", relation=relation)
    return _DERIVED[key]


def _patterns(c: _Collector, rules: tuple) -> None:
    sent = c.sent
    if not sent.has_patterns:
        return
    for rule in rules:
        if not sent.may_match("pattern", rule.id):
            continue
        pos = 0
        while (m := rule.regex.search(sent.masked, pos)) is not None:
            pos = m.start() + 1
            heads = [i for i in _indices(m.group(rule.head)) if not rule.head_types or sent.mentions[i].type in rule.head_types]
            tails = [i for i in _indices(m.group(rule.tail)) if not rule.tail_types or sent.mentions[i].type in rule.tail_types]
            if not heads or not tails:
                continue
            if rule.modifier:
                sent.modifiers.update(_indices(m.group(rule.modifier)))
            for h in heads:
                for t in tails:
                    c.add(rule, h, t, m.start())
            if rule.also_partners and len(tails) > 1:
                for a, b in combinations(tails, 2):
                    c.add(rule, a, b, m.start(), RelationType.PARTNERS_WITH)


_COMMA = re.compile(r"[,，、]|\bsowie\b|\bas well as\b|以及|\bа также\b")  # separators above "and"


def _conjoined_pairs(sent: MaskedSentence, group: list, list_sep: re.Pattern) -> list:
    """A list of pairs: four or more parties where at least two gaps are a bare
    conjunction ("und", "and", "和") and the others commas; each conjoined pair is one deal."""
    if len(group) < 4:
        return []
    ordered = sorted(group)
    pairs = []
    for a, b in zip(ordered, ordered[1:]):
        gap = sent.masked[sent.token_end(a):sent.token_pos[b]]
        if list_sep.fullmatch(gap) and not _COMMA.search(gap) and gap.strip():
            pairs.append((a, b))
    return pairs if len(pairs) >= 2 and len(pairs) * 2 >= len(ordered) - 1 else []


def _connector_split(c: _Collector, rule: Rule) -> None:
    sent = c.sent
    if not sent.triggers(rule):
        return
    parties = [i for i in range(len(sent.mentions)) if sent.is_party(i)]
    if len(_unique(sent, parties)) < 2:
        return
    for trig in sent.triggers(rule):
        cs, ce = sent.clause_of(trig.start())
        scope = [i for i in parties if cs <= sent.token_pos[i] < ce]
        if len(_unique(sent, scope)) < 2:
            cs = 0
            scope = [i for i in parties if sent.token_pos[i] < ce]
        if len(_unique(sent, scope)) < 2:
            continue
        split = False
        if sent.rules.with_connectors:
            for conn in sent.rules.with_connectors.finditer(sent.masked, cs, ce):
                left = [i for i in scope if sent.token_pos[i] < conn.start()]
                right = [i for i in scope if sent.token_pos[i] >= conn.end()]
                if not left or not right:
                    continue
                for a in _unique(sent, _subject_group(sent, left)):
                    for b in _unique(sent, _first_run(sent, right, c.list_sep)):
                        c.add(rule, a, b, trig.start())
                split = True
                break
        if not split:
            group = _unique(sent, scope)
            pairs = _conjoined_pairs(sent, group, c.list_sep)
            before = [i for i in group if sent.token_pos[i] < trig.start()]
            after = [i for i in group if sent.token_pos[i] >= trig.end()]
            if pairs:  # "A und B, C und D sowie E und F haben Kooperationen unterzeichnet"
                for a, b in pairs:
                    c.add(rule, a, b, trig.start())
            elif before and len(after) > 1:  # "Huawei supports its partners BAIC, Changan and GAC"
                for a in _subject_group(sent, before):
                    for b in after:
                        c.add(rule, a, b, trig.start())
            elif len(group) <= 8:
                for a, b in combinations(group, 2):
                    c.add(rule, a, b, trig.start())


def _directed(c: _Collector, rule: Rule, anywhere: bool) -> None:
    sent = c.sent
    frame = c.frames[rule.relation]
    for trig in sent.triggers(rule):
        cs, ce = sent.clause_of(trig.start())
        heads, tails = [], []
        for i in range(len(sent.mentions)):
            pos, m = sent.token_pos[i], sent.mentions[i]
            if cs <= pos < trig.start() and m.type in frame.head_types and (m.type is not _ORG or sent.is_party(i)):
                heads.append(i)
            elif m.type in frame.tail_types and i not in sent.modifiers and (
                    (anywhere and not cs <= pos < trig.start()) or (not anywhere and trig.start() <= pos < ce)):
                tails.append(i)
        if not heads or not tails:
            continue
        heads = _subject_group(sent, heads)
        if not anywhere:
            tails = _first_run(sent, tails, c.list_sep)
        for h in _unique(sent, heads):
            for t in _unique(sent, tails):
                c.add(rule, h, t, trig.start())


def _founders(c: _Collector, rule: Rule) -> None:
    sent = c.sent
    found = next(iter(sent.triggers(rule)), None)
    programs = [i for i, m in enumerate(sent.mentions) if m.type is EntityType.PROGRAM] if found else []
    if not programs:
        return
    orgs = [i for i in range(len(sent.mentions)) if sent.is_party(i)]
    if not orgs:
        return
    joint = bool(sent.cue_spans.get("joint"))
    for p in programs:
        anchor = min(found.start(), sent.token_pos[p])
        before = [i for i in orgs if sent.token_pos[i] < anchor]
        between = [i for i in orgs if anchor <= sent.token_pos[i] < sent.token_pos[p]]
        after = []
        if sent.rules.with_connectors:  # "A initiiert P gemeinsam mit B, C und D"
            for conn in sent.rules.with_connectors.finditer(sent.masked, sent.token_pos[p]):
                after = _first_run(sent, [i for i in orgs if sent.token_pos[i] >= conn.end()], c.list_sep) \
                    if any(sent.token_pos[i] >= conn.end() for i in orgs) else []
                break
        group = _subject_group(sent, before) if before else []
        if not group and not between and found.start() > sent.token_pos[p]:
            later = [i for i in orgs if sent.token_pos[p] < sent.token_pos[i] < found.start()]
            between = _first_run(sent, later, c.list_sep) if later else []
        founders = _unique(sent, group + between + after)
        for o in founders:
            c.add(rule, o, p, found.start())
        if joint or after:
            for a, b in combinations(founders, 2):
                c.add(rule, a, b, found.start(), RelationType.PARTNERS_WITH)


def _members(c: _Collector, rule: Rule) -> None:
    sent = c.sent
    trig = next(iter(sent.triggers(rule)), None)
    if not trig:
        return
    programs = [i for i, m in enumerate(sent.mentions) if m.type is EntityType.PROGRAM]
    startups = [i for i in range(len(sent.mentions)) if sent.is_party(i)
                and sent.kind(i) not in _ESTABLISHED_KINDS]
    for p in _unique(sent, programs):
        for s in _unique(sent, startups):
            c.add(rule, p, s, trig.start())


def _joiners(c: _Collector, rule: Rule, group: list) -> None:
    """Newcomers join the latest multi-party deal: they partner with every member."""
    sent = c.sent
    trig = next(iter(sent.triggers(rule)), None)
    if not trig or not group:
        return
    members = list(dict.fromkeys(group))  # ordered: the output must not depend on hashing
    newcomers = _unique(sent, [i for i in range(len(sent.mentions))
                               if sent.is_party(i) and sent.mentions[i].entity_key not in members])
    c.joined = [(sent.mentions[n], k) for n in newcomers for k in members]
    for a, b in combinations(newcomers, 2):
        c.add(rule, a, b, trig.start())


def apply_rules(sent: MaskedSentence, rules: LanguageRules, group: list | None = None) -> tuple:
    """Every hit of the language's rules in one sentence (patterns first: they mark the
    possessors and appositions that are not parties of the sentence's deal). Returns
    (hits, joined) where `joined` pairs newcomers with members of an earlier deal."""
    c = _Collector(sent, rules.list_gap)
    if len(sent.mentions) < 1:
        return [], []
    _patterns(c, rules.pattern_rules)
    # every strategy needs a trigger match: rules without one are skipped before any work
    for rule in sent.fired():
        if rule.requires and not sent.cue_spans.get(rule.requires):
            continue
        if rule.strategy == "connector_split":
            _connector_split(c, rule)
        elif rule.strategy in ("before_after", "before_anywhere"):
            _directed(c, rule, rule.strategy == "before_anywhere")
        elif rule.strategy == "founders_of_program":
            _founders(c, rule)
        elif rule.strategy == "program_members":
            _members(c, rule)
        elif rule.strategy == "joiners":
            _joiners(c, rule, group or [])
    return c.hits, c.joined
