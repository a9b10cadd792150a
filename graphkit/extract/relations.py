"""Typed relations from mentions, sentence by sentence, driven by per-language rule data.

Two mechanisms, both reading graphkit/lexicons/triggers/<lang>.toml:

* structural patterns: regexes over the *masked* sentence, where every mention is replaced
  by a token ``⟦i⟧``; ``{A}``, ``{B}`` stand for one mention, ``{A+}`` for a coordinated
  list ("宝马、奔驰和奥迪"). They give SUBSIDIARY_OF, PRODUCT_OF, OPERATES, ... and mark
  modifiers ("FAW" in "Haima, a subsidiary of FAW") that are not parties of the sentence's deal.
* argument roles around a trigger: PARTNERS_WITH splits parties at a "with" connector so
  "腾讯与宝马、奔驰达成合作" pairs Tencent with each carmaker but not the carmakers with each
  other; DEPLOYS_ON, INVESTS_IN, SUPPLIES take heads before the trigger and tails after it;
  INCUBATES ties programs to the organizations that found or run them.

Sentences with negation, talk or rumour cues yield no deal relations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from ..dates import find_dates
from ..lexicon import load_lexicon, load_rules
from ..model import EntityType, Relation, RelationType
from ..textnorm import match_view
from .sentences import split_clauses, split_sentences

__all__ = ["extract_relations"]

_TOKEN = re.compile(r"⟦(\d+)⟧")
_LIST_SEP = r"(?:\s*(?:、|,|，|/|&|和|及|与|以及|und|and|sowie|as well as|и|а также)\s*(?:the |die |der |das |den |dem )?)"
_CLOUD_KINDS = {"cloud", "platform", "os"}
_ORG = EntityType.ORGANIZATION


@dataclass(frozen=True)
class _Rules:
    lang: str
    clause_split: re.Pattern
    negation: re.Pattern | None
    negation_exceptions: re.Pattern | None
    title_words: re.Pattern | None
    partner_triggers: re.Pattern | None
    strong_connectors: re.Pattern | None
    weak_connectors: re.Pattern | None
    deploy_forward: re.Pattern | None
    deploy_backward: re.Pattern | None
    invest_forward: re.Pattern | None
    supply_forward: re.Pattern | None
    incubate_found: re.Pattern | None
    incubate_startups: re.Pattern | None
    joint: re.Pattern | None
    non_party_before: re.Pattern | None
    incubation_cue: re.Pattern | None
    join_triggers: re.Pattern | None
    patterns: tuple  # (RelationType, compiled, head group, tail group, head types, tail types, modifier group)


def _alternation(items) -> re.Pattern | None:
    items = [i for i in items or () if i]
    return re.compile("|".join(f"(?:{i})" for i in items)) if items else None


def _expand(template: str) -> str:
    def repl(m):
        name, plus = m.group(1), m.group(2)
        if plus:
            return rf"(?P<{name}>⟦\d+⟧(?:{_LIST_SEP}⟦\d+⟧)*)"
        return rf"(?P<{name}>⟦\d+⟧)"

    template = re.sub(r"\{gap(?::(\d+))?\}", lambda m: rf"[^⟦。]{{0,{m.group(1) or 30}}}?", template)
    return re.sub(r"\{([A-Z])(\+?)\}", repl, template)


@lru_cache(maxsize=None)
def compiled_rules(lang: str) -> _Rules:
    data = load_rules(lang)
    section = lambda name: data.get(name, {})  # noqa: E731
    patterns = []
    for p in data.get("pattern", []):
        patterns.append((
            RelationType(p["type"]),
            re.compile(_expand(p["regex"])),
            p.get("head", "A"),
            p.get("tail", "B"),
            frozenset(EntityType(t) for t in p.get("head_types", [])),
            frozenset(EntityType(t) for t in p.get("tail_types", [])),
            p.get("modifier"),
            p.get("also_partners", False),
        ))
    return _Rules(
        lang=lang,
        clause_split=re.compile(data.get("clause_split", r"[;；]")),
        negation=_alternation(data.get("negation")),
        negation_exceptions=_alternation(data.get("negation_exceptions")),
        title_words=_alternation(data.get("title_words")),
        partner_triggers=_alternation(section("partners").get("triggers")),
        strong_connectors=_alternation(section("partners").get("strong_connectors")),
        weak_connectors=_alternation(section("partners").get("weak_connectors")),
        deploy_forward=_alternation(section("deploys").get("forward")),
        deploy_backward=_alternation(section("deploys").get("backward")),
        invest_forward=_alternation(section("invests").get("forward")),
        supply_forward=_alternation(section("supplies").get("forward")),
        incubate_found=_alternation(section("incubates").get("found")),
        incubate_startups=_alternation(section("incubates").get("startups")),
        joint=_alternation(data.get("joint")),
        non_party_before=_alternation([f"(?:{x})$" for x in data.get("non_party_before", [])]),
        incubation_cue=_alternation(section("incubates").get("cues")),
        join_triggers=_alternation(section("partners").get("join_triggers")),
        patterns=tuple(patterns),
    )


class _Sentence:
    """One sentence with its mentions, masked text and cue flags."""

    def __init__(self, text, view, start, end, mentions, rules, kinds):
        self.lang = rules.lang
        self.start, self.end = start, end
        self.text = text[start:end]
        self.view = view[start:end]
        self.mentions = mentions
        self.kinds = kinds
        parts, pos = [], start
        for i, m in enumerate(mentions):
            parts.append(view[pos:m.start])
            parts.append(f"⟦{i}⟧")
            pos = m.end
        parts.append(view[pos:end])
        self.masked = "".join(parts)
        cue_text = self.view
        if rules.negation_exceptions:
            cue_text = rules.negation_exceptions.sub(" ", cue_text)
        self.negated = bool(rules.negation and rules.negation.search(cue_text))
        self.modifiers = set()
        self._positions = {}

    @property
    def dates(self):
        if not hasattr(self, "_dates"):
            self._dates = [h.iso for h in find_dates(self.text)]
        return self._dates

    def kind(self, i):
        return self.kinds.get(self.mentions[i].entity_key)


def _indices(group_text: str) -> list:
    return [int(x) for x in _TOKEN.findall(group_text or "")]


def _ancestors(entity_id):
    lexicon, seen = load_lexicon(), []
    parent = lexicon.parent_id(entity_id)
    while parent and parent not in seen:
        seen.append(parent)
        parent = lexicon.parent_id(parent)
    return seen


def _related_in_lexicon(a, b) -> bool:
    """A company does not partner with its own parent or unit (阿里 and 阿里云)."""
    return a in _ancestors(b) or b in _ancestors(a)


class _Emitter:
    def __init__(self, article_id):
        self.article_id = article_id
        self.out = {}

    def emit(self, rtype, head, tail, sent, rule, confidence):
        if head.entity_key == tail.entity_key:
            return
        if rtype is RelationType.PARTNERS_WITH and _related_in_lexicon(head.entity_key, tail.entity_key):
            return
        dates = sent.dates
        rel = Relation(
            type=rtype,
            head=head.entity_key,
            tail=tail.entity_key,
            evidence=sent.text,
            evidence_span=(sent.start, sent.end),
            date=dates[0] if dates else None,
            confidence=round(min(1.0, confidence * min(head.confidence, tail.confidence) ** 0.5), 3),
            rule=rule,
            article=self.article_id,
        )
        key = rel.key()
        if key not in self.out or self.out[key].confidence < rel.confidence:
            self.out[key] = rel


def _overlapping(regex, text):
    """Every match start, not only non-overlapping ones: "BMW Alibabas Assistent Tmall Genie"
    must try (Alibaba, Tmall Genie) after (BMW, Alibaba) fails the type check."""
    pos = 0
    while (m := regex.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


def _apply_patterns(sent, rules, emitter):
    for rtype, regex, hg, tg, htypes, ttypes, modifier, also_partners in rules.patterns:
        for m in _overlapping(regex, sent.masked):
            if rtype is not RelationType.SUBSIDIARY_OF and rtype is not RelationType.PRODUCT_OF and sent.negated:
                continue
            heads = [sent.mentions[i] for i in _indices(m.group(hg))]
            tails = [sent.mentions[i] for i in _indices(m.group(tg))]
            heads = [h for h in heads if not htypes or h.type in htypes]
            tails = [t for t in tails if not ttypes or t.type in ttypes]
            if not heads or not tails:
                continue
            if modifier:
                sent.modifiers.update(_indices(m.group(modifier)))
            for h in heads:
                for t in tails:
                    emitter.emit(rtype, h, t, sent, f"pattern:{rtype.value.lower()}", 0.85)
            if also_partners and len(tails) > 1:
                for a, b in combinations(tails, 2):
                    emitter.emit(RelationType.PARTNERS_WITH, a, b, sent, "pattern:co-parents", 0.75)


def _is_party(sent, i, rules) -> bool:
    m = sent.mentions[i]
    if m.type is not _ORG or i in sent.modifiers:
        return False
    if sent.view[m.end - sent.start:m.end - sent.start + 2] in ("'s", "’s"):  # "Tencent's rival"
        return False
    if rules.non_party_before and rules.non_party_before.search(sent.view[:m.start - sent.start]):
        return False
    if rules.title_words:
        after = sent.view[m.end - sent.start:m.end - sent.start + 12]
        if rules.title_words.match(after.lstrip()):
            return False
    return True


def _unique(mentions):
    seen, out = set(), []
    for m in mentions:
        if m.entity_key not in seen:
            seen.add(m.entity_key)
            out.append(m)
    return out


def _partners(sent, rules, emitter):
    """PARTNERS_WITH per trigger: parties of the trigger's clause (or of the sentence so far
    when the clause names fewer than two), split at a "with" connector when there is one."""
    if sent.negated or not rules.partner_triggers:
        return
    parties = [i for i in range(len(sent.mentions)) if _is_party(sent, i, rules)]
    if len(_unique(sent.mentions[i] for i in parties)) < 2:
        return
    for trig in rules.partner_triggers.finditer(sent.masked):
        cs, ce = _clause_of(sent, rules, trig.start())
        scope = [i for i in parties if cs <= _token_pos(sent, i) < ce]
        if len(_unique(sent.mentions[i] for i in scope)) < 2:
            cs = 0
            scope = [i for i in parties if _token_pos(sent, i) < ce]
        if len(_unique(sent.mentions[i] for i in scope)) < 2:
            continue
        if _pairs_at_connector(sent, rules, emitter, scope, cs, ce):
            continue
        group = _unique(sent.mentions[i] for i in scope)
        if len(group) <= 6:
            for a, b in combinations(group, 2):
                emitter.emit(RelationType.PARTNERS_WITH, a, b, sent, "partners:coordinated", 0.6)


def _pairs_at_connector(sent, rules, emitter, scope, cs, ce) -> bool:
    if not rules.strong_connectors:
        return False
    for c in rules.strong_connectors.finditer(sent.masked, cs, ce):
        left = [i for i in scope if _token_pos(sent, i) < c.start()]
        right = [i for i in scope if _token_pos(sent, i) >= c.end()]
        if not left or not right:
            continue
        left = _subject_group(sent, rules, left, c.start())
        right = _first_run(sent, right)
        for a in _unique(sent.mentions[i] for i in left):
            for b in _unique(sent.mentions[i] for i in right):
                emitter.emit(RelationType.PARTNERS_WITH, a, b, sent, "partners:connector", 0.8)
        return True
    return False


def _subject_group(sent, rules, left, pos):
    """Parties left of a connector: the sentence subject when an apposition separates it
    ("Alliance Ventures, the fund that invests for Renault and Nissan, has partnered with"),
    else the coordinated run nearest to the connector."""
    first = min(left, key=lambda i: _token_pos(sent, i))
    token = f"⟦{first}⟧"
    if rules.lang != "zh" and sent.masked.lstrip().startswith(token):
        after = sent.masked.lstrip()[len(token):]
        if after.startswith(",") and len(left) > 1:
            return [first]
    return _nearest_group(sent, left)


def _token_pos(sent, i):
    pos = sent._positions.get(i)
    if pos is None:
        pos = sent._positions[i] = sent.masked.index(f"⟦{i}⟧")
    return pos


def _nearest_group(sent, indices):
    """Of the parties left of a connector keep the last coordinated run ("A und B mit C")."""
    indices = sorted(indices, key=lambda i: _token_pos(sent, i))
    group = [indices[-1]]
    for i in reversed(indices[:-1]):
        gap = sent.masked[_token_pos(sent, i) + len(f"⟦{i}⟧"):_token_pos(sent, group[0])]
        if len(gap) > 40 or re.search(r"[。；;:：，]", gap) or (sent.lang == "zh" and "," in gap):
            break
        group.insert(0, i)
    return group


def _clause_of(sent, rules, offset):
    for s, e in split_clauses(sent.masked, 0, len(sent.masked), rules.clause_split):
        if s <= offset <= e:
            return s, e
    return 0, len(sent.masked)


def _heads_tails(sent, rules, trigger, head_ok, tail_ok, tail_anywhere=False):
    cs, ce = _clause_of(sent, rules, trigger.start())
    heads, tails = [], []
    for i in range(len(sent.mentions)):
        pos = _token_pos(sent, i)
        if i in sent.modifiers and not tail_anywhere:
            continue
        if cs <= pos < trigger.start() and head_ok(i):
            heads.append(i)
        elif tail_anywhere and tail_ok(i) and not (cs <= pos < trigger.start()):
            tails.append(i)
        elif not tail_anywhere and trigger.start() <= pos < ce and tail_ok(i):
            tails.append(i)
    return heads, tails


def _deploys(sent, rules, emitter, previous):
    if sent.negated:
        return
    cloudish = lambda i: sent.kind(i) in _CLOUD_KINDS or sent.mentions[i].type is EntityType.PRODUCT  # noqa: E731
    for regex, anywhere in ((rules.deploy_forward, False), (rules.deploy_backward, True)):
        if not regex:
            continue
        for trig in regex.finditer(sent.masked):
            heads, tails = _heads_tails(
                sent, rules, trig,
                head_ok=lambda i: sent.kind(i) not in ("cloud",) and sent.mentions[i].type is not EntityType.PROGRAM,
                tail_ok=lambda i: True, tail_anywhere=anywhere)
            cloud_tails = [i for i in tails if sent.kind(i) in _CLOUD_KINDS] or [i for i in tails if cloudish(i) and sent.kind(i) != "telecom"]
            tails = cloud_tails or [i for i in tails if sent.mentions[i].type is _ORG][:1]
            if not anywhere and tails:
                tails = _first_run(sent, tails)
            products = [i for i in heads if sent.mentions[i].type is EntityType.PRODUCT]
            heads = products or heads
            head_mentions = [sent.mentions[i] for i in heads]
            if not head_mentions and previous is not None and re.match(r"^\s*(它|其|该平台|она|он|оно|sie|es|it)\b", sent.view):
                head_mentions = previous
            for h in _unique(head_mentions):
                for t in _unique(sent.mentions[i] for i in tails):
                    emitter.emit(RelationType.DEPLOYS_ON, h, t, sent, "deploys:" + ("backward" if anywhere else "forward"), 0.75)


def _first_run(sent, indices):
    """The first mention after a trigger and those coordinated with it ("Azure und IoT Edge")."""
    indices = sorted(indices, key=lambda i: _token_pos(sent, i))
    run = [indices[0]]
    for i in indices[1:]:
        gap = sent.masked[_token_pos(sent, run[-1]) + len(f"⟦{run[-1]}⟧"):_token_pos(sent, i)]
        if not re.fullmatch(_LIST_SEP + r"?\s*", gap):
            break
        run.append(i)
    return run


def _directed(sent, rules, emitter, regex, rtype, rule):
    if sent.negated or not regex:
        return
    for trig in regex.finditer(sent.masked):
        heads, tails = _heads_tails(sent, rules, trig,
                                    head_ok=lambda i: _is_party(sent, i, rules),
                                    tail_ok=lambda i: sent.mentions[i].type is _ORG and i not in sent.modifiers)
        if not heads or not tails:
            continue
        heads = _subject_group(sent, rules, heads, trig.start())
        tails = _first_run(sent, tails)
        gap = sent.masked[trig.end():_token_pos(sent, tails[0])]
        if len(gap) > 45 or re.search(r"\b(for|für|для)\b|[,，;；]", gap):
            continue
        for h in _unique(sent.mentions[i] for i in heads):
            for t in _unique(sent.mentions[i] for i in tails):
                emitter.emit(rtype, h, t, sent, rule, 0.75)


_STARTUP_PROGRAM = re.compile(r"incubat|accelerat|garage|start-?up|innovation|孵化|加速|创新|初创|车库|创业|inkubat|innovations|инкубат|акселерат|инновац|стартап", re.I)


def _incubates(sent, rules, emitter):
    if sent.negated:
        return
    programs = [i for i, m in enumerate(sent.mentions) if m.type is EntityType.PROGRAM]
    if not programs:
        return
    orgs = [i for i in range(len(sent.mentions)) if _is_party(sent, i, rules)]
    cue = bool(rules.incubation_cue and rules.incubation_cue.search(sent.masked))
    found = rules.incubate_found.search(sent.masked) if rules.incubate_found else None
    if found and orgs:
        for p in programs:
            if not (cue or _STARTUP_PROGRAM.search(sent.mentions[p].text)):
                continue
            anchor = min(found.start(), _token_pos(sent, p))
            before = [i for i in orgs if _token_pos(sent, i) < anchor]
            between = [i for i in orgs if anchor <= _token_pos(sent, i) < _token_pos(sent, p)]
            group = _subject_group(sent, rules, before, anchor) if before else []
            if not group and not between and found.start() > _token_pos(sent, p):
                # passive: "Совместный инкубатор X и Y открыт" - founders follow the program
                after = [i for i in range(len(sent.mentions)) if i != p and _token_pos(sent, p) < _token_pos(sent, i) < found.start()
                         and (i in orgs or sent.mentions[i].type is EntityType.PROGRAM)]
                between = _first_run(sent, after) if after else []
            founders = _unique(sent.mentions[i] for i in group + between)
            for o in founders:
                emitter.emit(RelationType.INCUBATES, o, sent.mentions[p], sent, "incubates:founds", 0.75)
            if rules.joint and rules.joint.search(sent.view):
                for a, b in combinations(founders, 2):
                    emitter.emit(RelationType.PARTNERS_WITH, a, b, sent, "incubates:co-founders", 0.7)
    if rules.incubate_startups and rules.incubate_startups.search(sent.masked):
        startups = [sent.mentions[i] for i in orgs if sent.kind(i) not in ("carmaker", "internet", "cloud", "tech", "investor", "incubator")]
        for p in _unique(sent.mentions[i] for i in programs):
            for st in _unique(startups):
                emitter.emit(RelationType.INCUBATES, p, st, sent, "incubates:startups", 0.65)


def _alliance_joiners(sent, rules, emitter, state):
    """"Bosch and ZF have also pledged to take part" after a multi-party deal: the newcomers
    partner with every earlier member and with each other."""
    members = state.get("group")
    if sent.negated or not members or not rules.join_triggers or not rules.join_triggers.search(sent.masked):
        return
    newcomers = _unique(sent.mentions[i] for i in range(len(sent.mentions))
                        if _is_party(sent, i, rules) and sent.mentions[i].entity_key not in {m.entity_key for m in members})
    for n in newcomers:
        for m in members:
            emitter.emit(RelationType.PARTNERS_WITH, n, m, sent, "partners:joiners", 0.6)
    for a, b in combinations(newcomers, 2):
        emitter.emit(RelationType.PARTNERS_WITH, a, b, sent, "partners:joiners", 0.6)


def _remember_group(sent, emitter, state, before):
    """Keep the latest multi-party deal (>= 3 parties in one sentence) for joiners."""
    added = [r for k, r in emitter.out.items() if k not in before and r.type is RelationType.PARTNERS_WITH]
    parties = {r.head for r in added} | {r.tail for r in added}
    if len(parties) >= 3:
        state["group"] = [m for m in _unique(sent.mentions) if m.entity_key in parties]


def _startups_of_incubators(sentences, emitter, rules):
    """Startups an incubator article lists ("CarPay-Diem kommt aus Luxemburg, ...") are
    incubated by the organization that runs the article's startup program."""
    runners = {r.head for r in emitter.out.values()
               if r.type is RelationType.INCUBATES and r.rule == "incubates:founds"}
    if len(runners) != 1:
        return
    runner = next(iter(runners))
    for sent in sentences:
        if not (rules.incubation_cue and rules.incubation_cue.search(sent.view)) and not any(
                m.confidence <= 0.55 and m.type is _ORG for m in sent.mentions):
            continue
        head = next((m for m in sent.mentions if m.entity_key == runner), None)
        for m in sent.mentions:
            if m.type is _ORG and m.confidence <= 0.55 and m.entity_key != runner:
                h = head or _Stand(runner)
                emitter.emit(RelationType.INCUBATES, h, m, sent, "incubates:listed-startups", 0.55)


@dataclass(frozen=True)
class _Stand:
    """The runner of an incubator when a sentence lists its startups without naming it."""
    entity_key: str
    confidence: float = 1.0


def extract_relations(article, mentions) -> list:
    """All relations of one article; `mentions` are the article's resolved mentions."""
    rules = compiled_rules(article.lang)
    lexicon = load_lexicon()
    kinds = {m.entity_key: (lexicon.get(m.entity_key).kind if lexicon.get(m.entity_key) else None) for m in mentions}
    view = match_view(article.text)
    emitter = _Emitter(article.id)
    previous_products = None
    sentences, state = [], {}
    by_start = sorted(mentions, key=lambda m: m.start)
    cursor = 0
    for start, end in split_sentences(article.text):
        while cursor < len(by_start) and by_start[cursor].start < start:
            cursor += 1
        stop = cursor
        while stop < len(by_start) and by_start[stop].end <= end:
            stop += 1
        in_sentence = by_start[cursor:stop]
        sent = _Sentence(article.text, view, start, end, in_sentence, rules, kinds)
        sentences.append(sent)
        if in_sentence:
            _apply_patterns(sent, rules, emitter)
            before = set(emitter.out)
            _partners(sent, rules, emitter)
            _alliance_joiners(sent, rules, emitter, state)
            _remember_group(sent, emitter, state, before)
            _deploys(sent, rules, emitter, previous_products)
            _directed(sent, rules, emitter, rules.invest_forward, RelationType.INVESTS_IN, "invests:forward")
            _directed(sent, rules, emitter, rules.supply_forward, RelationType.SUPPLIES, "supplies:forward")
            _incubates(sent, rules, emitter)
        products = [m for m in in_sentence if m.type is EntityType.PRODUCT]
        previous_products = products[-1:] or previous_products
    _startups_of_incubators(sentences, emitter, rules)
    return list(emitter.out.values())
