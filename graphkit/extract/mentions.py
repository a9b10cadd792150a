"""Find entity mentions: lexicon names (any script, inflected) and discovered names.

Matching runs Aho-Corasick over the folded match view (Traditional->Simplified, lower
case), so 騰訊, 腾讯 and TENCENT hit the same alias, with offsets that are valid in the
original text. Discovered names come from patterns (legal suffixes, quoted program names,
typed context) and carry lower confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from ..lexicon import Lexicon, load_lexicon
from .coordination import coordinated_names
from ..model import EntityType, Mention
from ..textnorm import article_view, is_cjk, is_word_char, match_view, slugify

__all__ = ["Matcher", "find_mentions", "default_matcher"]

OWNED_PRODUCT_CONFIDENCE = 0.56  # X“Y”: a quoted name right after its owner
DESCRIPTOR_CONFIDENCE = 0.58  # "gemeinsame Innovationsbasis": refers to a program, no name

# Endings a Russian noun or name takes in its cases (Яндекс -> Яндекса, Яндексу, Яндексом ...).
_RU_ENDINGS = ("ами", "ями", "ого", "ому", "ом", "ем", "ой", "ей", "ам", "ям", "ах", "ях", "ов",
               "а", "я", "у", "ю", "е", "ы", "и")
_LATIN_ENDINGS = ("s",)
# Text after a name that still belongs to the mention: legal form, region unit, group.
_ORG_SUFFIX = re.compile(
    r"(?:,?\s(?:Co\.,?\s?Ltd\.?|Co\.|Corp\.?|Corporation|Inc\.?|Ltd\.?|LLC|AG|SE|SA|NV|N\.V\.|GmbH|PLC|"
    r"Technologies|Technology|Holdings?)(?![\w-]))+|(?:\s(?:China|Deutschland|Europe|Russia))(?![\w-])|"
    r"(?:中国|大中华区)"
)


@dataclass(frozen=True)
class _Alias:
    entity_id: str
    type: EntityType
    cjk: bool  # alias starts with a CJK character: no word-boundary check
    exact: str | None  # short all-caps alias: the original text must match case


class Matcher:
    """Compiled lexicon: one automaton over every alias of every entry."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.automaton = ahocorasick.Automaton()
        seen = {}
        for entry in lexicon.entries.values():
            for alias in entry.aliases():
                alias = alias.strip()
                folded = match_view(alias)
                if len(folded) < 2 or folded in seen:
                    continue
                exact = alias if (alias.isupper() and len(alias) <= 4) else None
                seen[folded] = True
                self.automaton.add_word(folded, (len(folded), _Alias(entry.id, entry.type, is_cjk(alias[0]), exact)))
        if len(self.automaton):
            self.automaton.make_automaton()

    def lexicon_mentions(self, text: str, view: str) -> list:
        if not len(self.automaton):
            return []
        found = []
        for end_index, (length, alias) in self.automaton.iter(view):
            start, end = end_index - length + 1, end_index + 1
            if not alias.cjk or not is_cjk(view[end - 1]):
                if start > 0 and is_word_char(text[start - 1]):
                    continue
            if alias.exact is not None:
                surface = text[start:end]
                if surface != alias.exact and surface != alias.exact.capitalize():
                    continue
            end = self._extend(text, start, end, alias)
            if end is None:
                continue
            found.append(Mention(start, end, text[start:end], alias.entity_id, alias.type, 1.0))
        return found

    @staticmethod
    def _extend(text: str, start: int, end: int, alias: _Alias) -> int | None:
        """Absorb inflection and legal/region suffixes; None if the match is inside a word."""
        last = text[end - 1]
        if is_word_char(last) and end < len(text) and is_word_char(text[end]):
            rest = text[end:end + 4]
            endings = _RU_ENDINGS if "\u0400" <= last <= "\u04ff" else _LATIN_ENDINGS
            for ending in endings:
                if rest.startswith(ending) and not (end + len(ending) < len(text) and is_word_char(text[end + len(ending)])):
                    end += len(ending)
                    break
            else:
                return None
        if alias.type is not EntityType.PRODUCT:
            m = _ORG_SUFFIX.match(text, end)
            if m:
                end = m.end()
        return end


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    return Matcher(load_lexicon())


# ---- discovery of names the lexicon does not know --------------------------------------

_LEGAL = r"(?:GmbH|AG|SE|Inc\.|Inc|Co\.,?\s?Ltd\.?|Co\.\s?Ltd|Ltd\.?|LLC|Corp\.?|Corporation|S\.A\.|N\.V\.|PLC|KG)"
_CAP = r"(?!(?:The|Der|Die|Das|A|An|In|On|For|With|Mit|Und|And)\b)[A-Z][\w&\-]*"
_LATIN_LEGAL = re.compile(rf"\b((?:{_CAP} ){{0,5}}{_CAP}) {_LEGAL}(?![\w])")
_PROGRAM_WORDS = r"(?:Incubator|Accelerator|Acceleration Program|Program|Programme|Lab|Garage|Innovation (?:Base|Center|Centre|Hub)|Alliance|Fund|Hub)"
_LATIN_PROGRAM = re.compile(rf"\b((?:{_CAP} ){{1,5}}{_PROGRAM_WORDS})\b")
# "PowerShare, an electric vehicle charging platform start-up" / "Zouzoucar aus Frankreich"
_LATIN_APPOSITIVE = re.compile(r"\b([A-Z][\w\-]+(?: [A-Z][\w\-]+){0,3}), (?:a|an) [^,.;]{0,60}?\b(?:start-?up|company|firm|maker|developer|provider|supplier)\b")
_STARTUP_ORIGIN = re.compile(r"(?<![\w-])([A-Za-z][\w]*(?:-[\w]+)*) (?:kommt |stammt )?(?:aus|из) (?:der |dem |den )?[A-ZÄÖÜА-ЯЁ][\wäöüа-яё]+")
_STARTUP_CUE = re.compile(r"start-?ups?|startups?|стартап|初创|创业公司", re.I)
_QUOTED = re.compile(r"[“„「『«\"]([^“”„「」『』«»\"\n]{2,100})[”“」』»\"]")
# generic names of joint programs: "gemeinsame Innovationsbasis", "Совместный инкубатор", "joint incubator"
_JOINT_PROGRAM = re.compile(
    r"(?i:\b(?:gemeinsame[nrs]?|joint|совместн\w+)) (?:[\wäöüа-яё-]+ )?"
    r"(?:Innovationsbasis|Innovationszentrum|Inkubator|Accelerator|innovation base|innovation cent(?:er|re)|incubator|"
    r"инновационн\w+ баз\w+|инкубатор\w*|акселератор\w*)", re.I)
_PROGRAM_NOUNS = re.compile(
    r"(基地|中心|实验室|孵化器|加速器|计划|车库|联盟|学院|Incubator|Accelerator|Programm?e?|Lab|Garage|Base|Basis|Hub|"
    r"инкубатор|акселератор|баз[аеуы]|центр|лаборатори[яи])$", re.I)
_PRODUCT_NOUNS_ZH = "系统|平台|云平台|芯片|助手|操作系统|机器人|应用|app"
_ZH_ORG = re.compile(r"([\u4e00-\u9fff]{2,16}?(?:\(集团\)|（集团）)?(?:股份有限公司|有限公司|有限责任公司|集团|研究院|研究所|实验室|管理委员会|人民政府|委员会|大学))")
_ZH_STOP = set("的与和及、在是了将对由为从向把被于等其已并也都又就而这那该此同跟给让使令称位家个")
_ZH_NOT_NAME = set("第这那该各每某其多少几个家些们的了在是和与及或很最大")
_RU_ORG = re.compile(r"(?:ПАО|ОАО|ЗАО|ООО|АО|компани[яиюей]|концерн[аеом]?|завод[аеом]?|бренд(?:ом|а|е)?|марк[аиуойе])\s+«?([A-ZА-ЯЁ][\w\-]*(?:\s[A-ZА-ЯЁ][\w\-]*){0,3})»?")
_LATIN_IN_CJK = re.compile(r"[A-Za-z][A-Za-z0-9.&\-]*(?:\s[A-Za-z0-9][A-Za-z0-9.&\-]*){0,3}")
_TYPED_BEFORE = re.compile(r"(平台|系统|机器人|芯片|助手|品牌|公司|платформ[аеуы]?|систем[аеуы]|бренд(?:ом|а)?|компани[яиюей]|стартап[аеу]?)\s?[“「«\"]?$")
_TYPED_AFTER = re.compile(r"^[”」»\"]?\s?(平台|系统|车联网系统|芯片|助手|公司|品牌)")
_COMMON_ACRONYMS = {"ai", "ceo", "cto", "cfo", "it", "iot", "ppt", "lbs", "app", "suv", "ev", "tops", "r&d", "mou", "ipo", "ok", "pc", "gps", "5g", "4g", "ota", "api", "sdk", "dmsp"}


_PRODUCT_AFTER_QUOTE = re.compile(rf"^[^，。,.\s]{{0,4}}?({_PRODUCT_NOUNS_ZH}|system|platform|Plattform|платформ)", re.I)
_PROGRAM_BEFORE_QUOTE = re.compile(r"(中心|基地|实验室)\s?$")
_ZH_CLAUSE_MARK = re.compile(r"[，。,\s]")
_CAMEL = re.compile(r"[a-z][A-Z]")
_ORG_CUE = re.compile(r"品牌|公司|бренд|компани|стартап")


# what a match of each discovery pattern must contain: one cheap search decides whether the
# pattern (which tries every word of the text) runs at all
_HAS_LEGAL = re.compile(rf" {_LEGAL}(?![\w])")
_HAS_PROGRAM_WORD = re.compile(rf" {_PROGRAM_WORDS}\b")
_HAS_JOINT_WORD = re.compile(r"(?i:gemeinsame|joint|совместн)")
_HAS_ZH_ORG_SUFFIX = re.compile("公司|集团|研究院|研究所|实验室|委员会|人民政府|大学")


def _discover(text: str, lang: str) -> list:
    """(start, end, name, type, confidence, origin) of candidate names not taken from the lexicon."""
    found = []
    for m in (_LATIN_LEGAL.finditer(text) if _HAS_LEGAL.search(text) else ()):
        found.append((m.start(), m.end(), m.group(0), EntityType.ORGANIZATION, 0.7, "legal_form"))
    for m in (_LATIN_PROGRAM.finditer(text) if _HAS_PROGRAM_WORD.search(text) else ()):
        if len(m.group(1).split()) >= 2:
            found.append((m.start(1), m.end(1), m.group(1), EntityType.PROGRAM, 0.6, "program_name"))
    for m in _QUOTED.finditer(text):
        inner = m.group(1).strip()
        if _PROGRAM_NOUNS.search(inner) and len(inner) >= 3:
            found.append((m.start(1), m.end(1), inner, EntityType.PROGRAM, 0.65, "quoted_program"))
            continue
        before, after = text[max(0, m.start() - 6):m.start()], text[m.end():m.end() + 8]
        glued = m.start() > 0 and (is_cjk(text[m.start() - 1]) or text[m.start() - 1].isalnum())
        if _PRODUCT_AFTER_QUOTE.match(after):
            found.append((m.start(1), m.end(1), inner, EntityType.PRODUCT, 0.6, "quoted_product"))
        elif _PROGRAM_BEFORE_QUOTE.search(before):
            found.append((m.start(1), m.end(1), inner, EntityType.PROGRAM, 0.6, "quoted_program"))
        elif lang == "zh" and glued and not _ZH_CLAUSE_MARK.search(inner) and len(inner) <= 12:
            # X“Y”: a name glued to its owner (阿里云“汽车云”, 騰訊「AI in Car」); kept only
            # when X is a known organization (checked in find_mentions)
            found.append((m.start(1), m.end(1), inner, EntityType.PRODUCT, OWNED_PRODUCT_CONFIDENCE, "owned_product"))
    for m in (_JOINT_PROGRAM.finditer(text) if _HAS_JOINT_WORD.search(text) else ()):
        found.append((m.start(), m.end(), m.group(0), EntityType.PROGRAM, DESCRIPTOR_CONFIDENCE, "descriptor"))
    for m in (_LATIN_APPOSITIVE.finditer(text) if ", a" in text else ()):
        found.append((m.start(1), m.end(1), m.group(1), EntityType.ORGANIZATION, 0.6, "apposition"))
    for m in (_STARTUP_ORIGIN.finditer(text) if "aus " in text or "из " in text else ()):
        window = text[max(0, m.start() - 300):m.end() + 300]
        name = m.group(1)
        if (_STARTUP_CUE.search(window) and (name[0].isupper() or _CAMEL.search(name)) and len(name) > 2
                and not _STARTUP_CUE.fullmatch(name)):  # "das Startup aus Peking": the cue word is no name
            found.append((m.start(1), m.end(1), name, EntityType.ORGANIZATION, 0.55, "startup_origin"))
    if lang == "zh":
        for m in (_ZH_ORG.finditer(text) if _HAS_ZH_ORG_SUFFIX.search(text) else ()):
            start, end = m.start(1), m.end(1)
            while start < end - 2 and text[start] in _ZH_STOP:
                start += 1
            # the lazy group may have started at an earlier stop character: cut after the last one
            span = text[start:end]
            cut = max((i for i, ch in enumerate(span[:-2]) if ch in _ZH_STOP), default=-1)
            start += cut + 1
            if end - start >= 4 and not any(ch in _ZH_NOT_NAME for ch in text[start:end - 2]) and not text[start:end].startswith("新"):
                kind = EntityType.PROGRAM if text[start:end].endswith("实验室") else EntityType.ORGANIZATION
                found.append((start, end, text[start:end], kind, 0.6, "zh_org_suffix"))
    if lang in ("zh", "ru"):
        for m in _LATIN_IN_CJK.finditer(text):
            name = m.group(0).strip(" .-")
            if len(name) < 2 or name.lower() in _COMMON_ACRONYMS:
                continue
            start = m.start()
            end = start + len(name)
            if (start > 0 and is_word_char(text[start - 1]) and not is_cjk(text[start - 1])):
                continue
            before, after = text[max(0, start - 12):start], text[end:end + 8]
            tb, ta = _TYPED_BEFORE.search(before), _TYPED_AFTER.search(after)
            cue = (tb.group(1) if tb else "") + (ta.group(1) if ta else "")
            if not cue:
                continue
            org_cue = _ORG_CUE.search(cue)
            found.append((start, end, name, EntityType.ORGANIZATION if org_cue else EntityType.PRODUCT, 0.55, "typed_context"))
    if lang == "ru":
        for m in _RU_ORG.finditer(text):
            found.append((m.start(1), m.end(1), m.group(1), EntityType.ORGANIZATION, 0.6, "ru_org_noun"))
    return found


def find_mentions(text: str, lang: str, matcher: Matcher | None = None) -> list:
    """Non-overlapping mentions, left to right; longer spans win, lexicon wins ties."""
    matcher = matcher or default_matcher()
    view = article_view(text)
    lexicon_found = matcher.lexicon_mentions(text, view)
    candidates = list(lexicon_found)
    for start, end, name, etype, conf, origin in _discover(text, lang):
        key = slugify(_strip_legal(name))
        candidates.append(Mention(start, end, text[start:end], key, etype, conf, origin))
    candidates.sort(key=lambda m: (-(m.end - m.start), -m.confidence, m.start))
    taken = bytearray(len(text) + 1)
    chosen = []
    for m in candidates:
        if any(taken[m.start:m.end]):
            continue
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        chosen.append(m)
    chosen = sorted((_absorb_lexicon(m, text, view, matcher) for m in chosen), key=lambda m: m.start)
    lexicon_starts_by_end: dict = {}
    for m in lexicon_found:
        lexicon_starts_by_end.setdefault(m.end, []).append(m.start)
    kept = []
    for m in chosen:
        if m.origin == "owned_product":
            owner = kept[-1] if kept else None
            if not (owner and owner.confidence >= 1.0 and owner.type is EntityType.ORGANIZATION and m.start - owner.end <= 1):
                continue
        if m.confidence < 0.9 and any(s > m.start for s in lexicon_starts_by_end.get(m.end, ())):
            continue  # "助力东风集团": the known name is the real mention
        kept.append(m)
    return sorted(kept + coordinated_names(text, kept, lang), key=lambda m: m.start)


def _absorb_lexicon(m: Mention, text: str, view: str, matcher: Matcher) -> Mention:
    """A discovered name that is a known name plus a legal form resolves to the known entry."""
    if m.confidence >= 1.0:
        return m
    core = match_view(_strip_legal(m.text))
    hits = [a for _, (n, a) in matcher.automaton.iter(core) if n == len(core)] if len(matcher.automaton) else []
    if hits:
        return Mention(m.start, m.end, m.text, hits[0].entity_id, hits[0].type, 0.9, m.origin + "+lexicon")
    return m


_LEGAL_TAIL = re.compile(rf"(?:[\s,]+{_LEGAL})+$|(?:股份有限公司|有限责任公司|有限公司|\(集团\)|（集团）)$")


def _strip_legal(name: str) -> str:
    return _LEGAL_TAIL.sub("", name).strip() or name
