"""Relation frames and per-language rule files: load, validate, compile.

Two kinds of data drive relation extraction:

* ``graphkit/lexicons/frames.toml``: one frame per relation type, language-neutral: the
  entity types (and optionally kinds) allowed in its head and tail role, whether it is
  symmetric, the cue classes that block it, its base confidence.
* ``graphkit/lexicons/rules/<lang>.toml``: cue words, connectors and rules of one
  language. A rule names its relation, one argument *strategy* implemented once in
  ``strategies.py``, its trigger words or slot pattern, a priority, and example and
  counter-example sentences that the test suite runs.

Patterns are written in data syntax: ``{A}``/``{B}`` one mention, ``{A+}`` a coordinated
list of mentions, ``{M}`` any mention, ``{gap:N}`` up to N tokens that cross neither a
mention nor a clause boundary (a token is a word, or one CJK character). The compiled
forms use an internal mention token that never appears in the data files.

Every problem in a file (unknown key, bad regex, unknown relation, strategy, cue class
or entity type) raises one RuleFileError naming the file and the rule id.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from ..errors import GraphkitError
from ..model import EntityType, RelationType
from .prefilter import Prefilter

__all__ = [
    "RuleFileError", "Frame", "Rule", "LanguageRules", "STRATEGIES", "CUE_CLASSES",
    "load_frames", "load_language_rules", "rule_files", "check_all", "MENTION_TOKEN",
]

LANGS = ("zh", "de", "ru", "en")
STRATEGIES = ("connector_split", "joiners", "before_after", "before_anywhere",
              "founders_of_program", "program_members", "pattern")
CUE_CLASSES = ("negation", "talk", "rumour", "denial", "modality")
_CUE_KEYS = set(CUE_CLASSES) | {"negation_exceptions", "non_party_before", "title_words", "joint", "incubation",
                                "carried_subject", "carried_pair", "carried_product"}
_RULE_KEYS = {"id", "relation", "strategy", "triggers", "pattern", "head", "tail", "head_types", "tail_types",
              "modifier", "also_partners", "priority", "examples", "counter_examples", "requires"}
_FILE_KEYS = {"lang", "clause_split", "cues", "connectors", "rule"}
_FRAME_KEYS = {"symmetric", "head_types", "tail_types", "head_kinds", "tail_kinds", "blocked_by", "base_confidence"}

MENTION_TOKEN = "⟦{}⟧"  # internal: how a mention appears in the masked sentence
_ANY_MENTION = r"⟦\d+⟧"


class RuleFileError(GraphkitError):
    """A frames or rule file is malformed."""

    def __init__(self, path: str, where: str, problem: str):
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")
        self.path, self.where, self.problem = path, where, problem


@dataclass(frozen=True)
class Frame:
    relation: RelationType
    symmetric: bool
    head_types: frozenset
    tail_types: frozenset
    head_kinds: frozenset
    tail_kinds: frozenset
    blocked_by: tuple
    base_confidence: float

    def allows(self, head_type, head_kind, tail_type, tail_kind) -> bool:
        return (head_type in self.head_types and tail_type in self.tail_types
                and (not self.head_kinds or head_kind in self.head_kinds)
                and (not self.tail_kinds or tail_kind in self.tail_kinds))


@dataclass(frozen=True)
class Rule:
    id: str
    relation: RelationType
    strategy: str
    regex: re.Pattern  # triggers (alternation) or the slot pattern
    priority: int
    head: str = "A"
    tail: str = "B"
    head_types: frozenset = frozenset()
    tail_types: frozenset = frozenset()
    modifier: str | None = None
    also_partners: bool = False
    requires: str | None = None  # a cue class that must be present in the sentence
    examples: tuple = ()
    counter_examples: tuple = ()


@dataclass(frozen=True)
class LanguageRules:
    lang: str
    path: str
    clause_split: re.Pattern
    cues: dict  # class -> compiled regex (None when the file gives none)
    with_connectors: re.Pattern | None
    list_connectors: re.Pattern | None
    rules: tuple = field(default_factory=tuple)
    list_gap: re.Pattern | None = None  # what may stand between two coordinated mentions
    coordinated_gap: re.Pattern | None = None  # the same, written with the file's list connectors

    def by_strategy(self, strategy: str) -> list:
        return [r for r in self.rules if r.strategy == strategy]

    @cached_property
    def pattern_rules(self) -> tuple:
        return tuple(self.by_strategy("pattern"))

    @cached_property
    def pattern_keys(self) -> tuple:
        """(prefilter key, regex) of every slot pattern, in file order."""
        return tuple((("pattern", r.id), r.regex) for r in self.pattern_rules)

    @cached_property
    def trigger_rules(self) -> tuple:
        """The rules that fire on a trigger word (every strategy but slot patterns), in file order."""
        return tuple(r for r in self.rules if r.strategy != "pattern")

    @cached_property
    def prefilter(self) -> Prefilter:
        """One automaton for every trigger rule, slot pattern and cue class of the language:
        keys ("trigger", rule id), ("pattern", rule id), ("cue", class)."""
        regexes = {("trigger", r.id): r.regex for r in self.trigger_rules}
        regexes.update({("pattern", r.id): r.regex for r in self.pattern_rules})
        regexes.update({("cue", name): regex for name, regex in self.cues.items() if regex is not None})
        return Prefilter(regexes)


def _gap(lang: str, n: int) -> str:
    if lang == "zh":
        return rf"[^⟦。；;！？]{{0,{n}}}?"
    # one way only to cut a gap into tokens (no nested ambiguity): linear-time matching
    return rf"(?:[^\s⟦。；;.!?]+\s+){{0,{n}}}?"


def _list_sep(lang: str) -> str:
    words = {"zh": "、|,|，|/|&|和|及|与|以及", "de": ",|/|&|und|sowie|oder",
             "ru": ",|/|&|и|а также", "en": ",|/|&|and|as well as"}[lang]
    articles = {"de": "(?:die |der |das |den |dem )?", "en": "(?:the )?"}.get(lang, "")
    return rf"(?:\s*(?:{words})\s*{articles})"


def expand(template: str, lang: str) -> str:
    """Data syntax -> regex over the masked sentence."""
    out = re.sub(r"\{gap:(\d+)\}", lambda m: _gap(lang, int(m.group(1))), template)
    out = out.replace("{M}", _ANY_MENTION)

    def slot(m):
        name, plus = m.group(1), m.group(2)
        if plus:
            return rf"(?P<{name}>{_ANY_MENTION}(?:{_list_sep(lang)}{_ANY_MENTION})*)"
        return rf"(?P<{name}>{_ANY_MENTION})"
    return re.sub(r"\{([A-Z])(\+?)\}", slot, out)


def _compile(path: str, where: str, patterns, lang: str) -> re.Pattern | None:
    if patterns is None:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RuleFileError(path, where, "expected a list of strings")
    patterns = [p for p in patterns if p]
    if not patterns:
        return None
    for p in patterns:
        if "⟦" in p or "⟧" in p:
            raise RuleFileError(path, where, f"internal mention tokens are not allowed in data: {p!r}")
    try:
        return re.compile("|".join(f"(?:{expand(p, lang)})" for p in patterns))
    except re.error as exc:
        raise RuleFileError(path, where, f"bad regex ({exc})") from None


def _types(path, where, values) -> frozenset:
    try:
        return frozenset(EntityType(v) for v in values or ())
    except ValueError:
        raise RuleFileError(path, where, f"unknown entity type in {values!r} "
                            f"(valid: {', '.join(t.value for t in EntityType)})") from None


def _relation(path, where, value) -> RelationType:
    try:
        return RelationType(value)
    except ValueError:
        raise RuleFileError(path, where, f"unknown relation {value!r} "
                            f"(valid: {', '.join(t.value for t in RelationType)})") from None


def _unknown_keys(path, where, data: dict, allowed: set) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise RuleFileError(path, where, f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(str(path), "", f"cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(str(path), "", f"not valid TOML ({exc})") from None


def _data_folder() -> Path:
    return Path(str(resources.files("graphkit.lexicons")))


def parse_frames(path: Path) -> dict:
    data = _read_toml(path)
    _unknown_keys(str(path), "", data, {"frame"})
    frames = {}
    for name, raw in (data.get("frame") or {}).items():
        where = f"frame {name}"
        if not isinstance(raw, dict):
            raise RuleFileError(str(path), where, "expected a table")
        _unknown_keys(str(path), where, raw, _FRAME_KEYS)
        rel = _relation(str(path), where, name)
        blocked = tuple(raw.get("blocked_by", ()))
        for cue in blocked:
            if cue not in CUE_CLASSES:
                raise RuleFileError(str(path), where, f"unknown cue class {cue!r} (valid: {', '.join(CUE_CLASSES)})")
        conf = raw.get("base_confidence", 0.7)
        if not isinstance(conf, (int, float)) or not 0 < conf <= 1:
            raise RuleFileError(str(path), where, f"base_confidence must be in (0, 1], got {conf!r}")
        frames[rel] = Frame(
            relation=rel, symmetric=bool(raw.get("symmetric", False)),
            head_types=_types(str(path), where, raw.get("head_types")),
            tail_types=_types(str(path), where, raw.get("tail_types")),
            head_kinds=frozenset(raw.get("head_kinds", ())), tail_kinds=frozenset(raw.get("tail_kinds", ())),
            blocked_by=blocked, base_confidence=float(conf))
    missing = [t.value for t in RelationType if t not in frames]
    if missing:
        raise RuleFileError(str(path), "", f"no frame for {', '.join(missing)}")
    return frames


@lru_cache(maxsize=1)
def load_frames() -> dict:
    return parse_frames(_data_folder() / "frames.toml")


def _strings(path, where, value) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleFileError(path, where, "expected a list of sentences")
    return tuple(value)


def _parse_rule(path: str, raw: dict, lang: str, seen: set) -> Rule:
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise RuleFileError(path, "rule without id", "every [[rule]] needs an id")
    where = f"rule {rid}"
    if rid in seen:
        raise RuleFileError(path, where, "duplicate rule id")
    seen.add(rid)
    _unknown_keys(path, where, raw, _RULE_KEYS)
    relation = _relation(path, where, raw.get("relation"))
    strategy = raw.get("strategy")
    if strategy not in STRATEGIES:
        raise RuleFileError(path, where, f"unknown strategy {strategy!r} (valid: {', '.join(STRATEGIES)})")
    if strategy == "pattern":
        if not isinstance(raw.get("pattern"), str) or "triggers" in raw:
            raise RuleFileError(path, where, "a pattern rule needs `pattern` (a string) and no `triggers`")
        regex = _compile(path, where, raw["pattern"], lang)
        for role in (raw.get("head", "A"), raw.get("tail", "B"), raw.get("modifier")):
            if role is not None and f"(?P<{role}>" not in regex.pattern:
                raise RuleFileError(path, where, f"role {role!r} has no {{{role}}} slot in the pattern")
    else:
        if "pattern" in raw or not raw.get("triggers"):
            raise RuleFileError(path, where, f"a {strategy} rule needs `triggers` and no `pattern`")
        regex = _compile(path, where, raw["triggers"], lang)
    requires = raw.get("requires")
    if requires is not None and requires not in _CUE_KEYS:
        raise RuleFileError(path, where, f"unknown cue class {requires!r} in requires")
    priority = raw.get("priority", 50)
    if not isinstance(priority, int):
        raise RuleFileError(path, where, "priority must be an integer")
    return Rule(
        id=rid, relation=relation, strategy=strategy, regex=regex, priority=priority,
        head=raw.get("head", "A"), tail=raw.get("tail", "B"),
        head_types=_types(path, where, raw.get("head_types")), tail_types=_types(path, where, raw.get("tail_types")),
        modifier=raw.get("modifier"), also_partners=bool(raw.get("also_partners", False)), requires=requires,
        examples=_strings(path, where + " examples", raw.get("examples")),
        counter_examples=_strings(path, where + " counter_examples", raw.get("counter_examples")))


def parse_language_rules(path: Path, lang: str) -> LanguageRules:
    p = str(path)
    data = _read_toml(path)
    _unknown_keys(p, "", data, _FILE_KEYS)
    if data.get("lang") != lang:
        raise RuleFileError(p, "", f"lang must be {lang!r}, got {data.get('lang')!r}")
    cues_raw = data.get("cues") or {}
    _unknown_keys(p, "cues", cues_raw, _CUE_KEYS)
    cues = {name: _compile(p, f"cues.{name}", cues_raw.get(name), lang) for name in _CUE_KEYS}
    conn = data.get("connectors") or {}
    _unknown_keys(p, "connectors", conn, {"with", "list"})
    seen: set = set()
    rules = tuple(sorted((_parse_rule(p, raw, lang, seen) for raw in data.get("rule", [])),
                         key=lambda r: (-r.priority, r.id)))
    clause = _compile(p, "clause_split", data.get("clause_split", r"[;；]"), lang)
    list_connectors = _compile(p, "connectors.list", conn.get("list"), lang)
    coordinated = re.compile(rf"\s*(?:{list_connectors.pattern})\s*(?:the |die |der |den |dem )?") if list_connectors else None
    return LanguageRules(lang=lang, path=p, clause_split=clause, cues=cues,
                         with_connectors=_compile(p, "connectors.with", conn.get("with"), lang),
                         list_connectors=list_connectors, rules=rules,
                         list_gap=re.compile(_list_sep(lang) + r"?\s*"), coordinated_gap=coordinated)


def rule_files() -> dict:
    folder = _data_folder() / "rules"
    return {lang: folder / f"{lang}.toml" for lang in LANGS}


@lru_cache(maxsize=None)
def load_language_rules(lang: str) -> LanguageRules:
    files = rule_files()
    return parse_language_rules(files.get(lang, files["en"]), lang if lang in files else "en")


def check_all() -> dict:
    """Validate the frames and every language file; returns counts for `graphkit rules check`."""
    frames = parse_frames(_data_folder() / "frames.toml")
    counts = {"frames": len(frames)}
    for lang, path in rule_files().items():
        rules = parse_language_rules(path, lang)
        counts[lang] = len(rules.rules)
    return counts
