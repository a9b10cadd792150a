"""Bytes -> Article: decode, strip page junk, detect language, parse title and date, hash.

`iter_ingest(paths)` streams articles, problems and notes in input order; the work on one
unit (`articles_from_unit`) is independent of every other, so `graphkit.batch` can run it
in worker processes. Whatever one input does, it costs only itself: every failure is an
InputError naming the file (and record or line), never an exception out of the run.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import date
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from .dates import find_dates
from .decoding import decode, decode_bytes
from .errors import InputError
from .htmltext import page_text
from .model import Article
from .sources import ARTICLE_SUFFIXES, Note, Unit, iter_units, json_array_records, max_bytes_from_env
from .textnorm import is_cjk, normalize_text, strip_invisible

__all__ = [
    "ARTICLE_SUFFIXES",
    "IngestResult",
    "Note",
    "decode_bytes",
    "clean_text",
    "detect_language",
    "articles_from_bytes",
    "articles_from_unit",
    "Deduplicator",
    "iter_ingest",
    "load_articles",
]

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class IngestResult:
    articles: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # InputError, one per skipped file or record
    duplicates: list = field(default_factory=list)  # (skipped id, kept id)
    notes: list = field(default_factory=list)  # Note: hidden files, replaced bytes, ...


@lru_cache(maxsize=1)
def _junk() -> dict:
    raw = resources.files("graphkit.lexicons").joinpath("junk.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    return {
        "lines": {s.casefold() for s in data["lines"]},
        "prefixes": tuple(s.casefold() for s in data["line_prefixes"]),
        "inline": tuple(data["inline"]),
    }


_URL_ONLY = re.compile(r"^\S*(https?://|www\.)\S+$")
_IMAGE = re.compile(r"\.(jpe?g|png|gif|webp)(\?\S*)?!?$", re.I)
_SENTENCE_END = re.compile(r"[.!?。！？;；:：»\"”)]$")
_COUNTER = re.compile(r"^[\d.,万千k]+\s*(次阅读|阅读|views?|просмотр\w*)$", re.I)


def _is_menu_line(line: str) -> bool:
    """Navigation bars: several short capitalized/CJK tokens, no sentence punctuation."""
    if _SENTENCE_END.search(line) or len(line) > 100:
        return False
    tokens = line.replace("·", " ").replace("|", " ").split()
    if len(tokens) < 4:
        return False
    short = [t for t in tokens if len(t) <= 14]
    capitalized = [t for t in tokens if t[:1].isupper() or is_cjk(t[0]) or not t[:1].isalpha()]
    return len(short) == len(tokens) and len(capitalized) == len(tokens)


def clean_text(text: str) -> str:
    """Drop navigation, widget, URL and counter lines; remove inline widget fragments."""
    junk = _junk()
    kept = []
    for line in text.split("\n"):
        for fragment in junk["inline"]:
            line = line.replace(fragment, "")
        stripped = line.strip(" •·|>-–—*")
        folded = stripped.casefold()
        if not stripped:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if (
            folded in junk["lines"]
            or folded.startswith(junk["prefixes"])
            or _URL_ONLY.match(stripped)
            or _IMAGE.search(stripped)
            or _COUNTER.match(stripped)
            or _is_menu_line(stripped)
            or (len(stripped) <= 4 and all(is_cjk(c) for c in stripped))
        ):
            continue
        kept.append(stripped)
    return "\n".join(kept).strip()


_DE_WORDS = {"der", "die", "das", "und", "ist", "nicht", "mit", "für", "auf", "den", "dem", "ein", "eine", "sich", "von", "zu", "im", "des", "wird", "werden", "haben"}
_EN_WORDS = {"the", "and", "of", "to", "is", "with", "for", "on", "a", "in", "that", "its", "has", "have", "will", "by", "as", "from", "was", "be", "an"}

_LOWER_WORD_RE = re.compile(r"[a-zäöüß]+")
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def detect_language(text: str) -> str:
    """zh, ru, de or en from script counts and function words (offline, no model)."""
    sample = text[:20000]
    cjk = len(_CJK_RE.findall(sample))
    cyr = len(_CYR_RE.findall(sample))
    latin = len(sample.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER))  # [A-Za-z]
    if cjk and cjk * 3 >= latin and cjk >= cyr:
        return "zh"
    if cyr > latin * 0.5:
        return "ru"
    words = _LOWER_WORD_RE.findall(sample.lower())
    umlaut_words = len(words) - sum(map(str.isascii, words))  # the only non-ASCII letters are äöüß
    de = sum(map(_DE_WORDS.__contains__, words)) + 3 * umlaut_words
    en = sum(map(_EN_WORDS.__contains__, words))
    return "de" if de > en else "en"


_ZH_TITLE = re.compile(r"^\s*(标题|標題)\s*[:：]\s*(.+)$", re.M)
_ZH_BODY_PREFIX = re.compile(r"^\s*(内容|內容|正文)\s*[:：]\s*", re.M)
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}(?:-\d{2}){0,2})\S*\s*", re.I)


def _title_and_body(text: str) -> tuple:
    m = _ZH_TITLE.search(text)
    if m:
        title = m.group(2).strip()
        body = (text[: m.start()] + text[m.end():]).strip()
        return title, _ZH_BODY_PREFIX.sub("", body, count=1)
    for line in text.split("\n")[:3]:
        line = line.strip()
        if not line or len(line) < 40 and find_dates(line):  # (length first: find_dates is not cheap on a long line)
            continue
        if len(line) <= 120 and not re.search(r"[.。;；]$", line) and (" " in line or is_cjk(line[0])):
            return line, text
        break
    return None, text


def _published(text: str) -> str | None:
    """Publication date: a date in the header area (first lines), never a guessed year."""
    head = "\n".join(line for line in text.split("\n")[:8] if len(line) <= 80)
    hits = [h for h in find_dates(head) if len(h.iso) >= 7]
    return hits[0].iso if hits else None


def _clean_string(value) -> str | None:
    """A metadata value from JSON or HTML as safe one-line text (None if not a usable string)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = _SURROGATE.sub("\ufffd", str(value))
    text = " ".join(strip_invisible(text).split())
    return text or None


def _make_article(raw_text: str, art_id: str, source: str, encoding: str,
                  title: str | None = None, published: str | None = None,
                  lang: str | None = None) -> Article:
    text = normalize_text(strip_invisible(_SURROGATE.sub("\ufffd", raw_text)))
    marker = _DATE_MARKER.match(text)
    if marker:
        published = published or marker.group(1)
        text = text[marker.end():]
    found_title, text = _title_and_body(clean_text(text))
    if not text.strip():
        raise InputError(source, "no article text left after removing page junk")
    published = published or _published(text)
    return Article(
        id=art_id,
        text=text,
        lang=lang if lang in ("zh", "de", "ru", "en") else detect_language(text),
        title=_clean_string(title) or found_title,
        published=published,
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        encoding=encoding,
    )


def _iso_prefix(value) -> str | None:
    """YYYY[-MM[-DD]] from a metadata date of any shape; impossible parts are dropped."""
    value = _clean_string(value)
    if not value:
        return None
    value = value[:100]
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        hits = find_dates(value)
        return hits[0].iso if hits else None
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    try:
        date(int(year), int(month), int(day or 1))
    except ValueError:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}" if day else f"{year}-{month}"


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARK = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+)|(\*\*|__|`)", re.M)


def _html_article(text: str, stem: str, name: str, encoding: str) -> Article:
    page = page_text(text)
    return _make_article(page.body, stem, name, encoding, title=page.h1 or page.title,
                         published=_iso_prefix(page.published))


def _markdown_article(text: str, stem: str, name: str, encoding: str) -> Article:
    title = None
    m = re.search(r"^#\s+(.+)$", text, re.M)
    if m:
        title = m.group(1).strip()
        text = text[: m.start()] + text[m.end():]
    body = _MD_MARK.sub(lambda mm: "", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text)))
    return _make_article(body, stem, name, encoding, title=title)


def _record_article(record_text: str, unit: Unit, encoding: str) -> Article:
    """One JSON record (an object with a text field) -> article; InputError naming the record."""
    try:
        record = json.loads(record_text)
    except json.JSONDecodeError as exc:
        raise InputError(unit.name, f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(unit.name, "invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(unit.name, f"invalid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError(unit.name, f"a JSON {type(record).__name__}, expected an object with a 'text' field")
    body = next((record[k] for k in ("text", "content", "body") if isinstance(record.get(k), str)
                 and record[k].strip()), None)
    if body is None:
        raise InputError(unit.name, "no non-empty 'text' field")
    art_id = _clean_string(record.get("id")) or unit.stem
    source = _clean_string(record.get("url")) or _clean_string(record.get("source")) or unit.source
    lang = record.get("lang") if isinstance(record.get("lang"), str) else None
    try:
        return _make_article(body, art_id, source, encoding, title=record.get("title"),
                             published=_iso_prefix(record.get("published") or record.get("date")), lang=lang)
    except InputError as exc:
        raise InputError(unit.name, exc.problem) from None


def articles_from_unit(unit: Unit) -> tuple:
    """(articles, notes) of one unit. Raises InputError (only) when it yields no article.

    `notes` may hold InputErrors too: the broken parts of a record that also held good
    ones (see _resynced_records)."""
    notes = []
    if isinstance(unit.payload, str):
        text, encoding = unit.payload, unit.encoding or "utf-8"
    else:
        decoded = decode(unit.payload, unit.name)
        if decoded.note():
            notes.append(Note(unit.name, decoded.note()))
        text, encoding = decoded.text, decoded.encoding
    if unit.kind == "record":
        try:
            return [_record_article(text, unit, encoding)], notes
        except InputError:
            articles, problems = _resynced_records(text, unit, encoding)
            if not articles:
                raise
            return articles, notes + problems
    if unit.kind == "html":
        return [_html_article(text, unit.stem, unit.name, encoding)], notes
    if unit.kind == "md":
        return [_markdown_article(text, unit.stem, unit.name, encoding)], notes
    return [_make_article(text, unit.stem, unit.name, encoding)], notes


_LINE_START_OBJECT = re.compile(r"\n[ \t]*(?=\{)")


_RESYNC_LIMIT = 200  # cuts per broken record: each re-reads the rest, so keep it bounded


def _resynced_records(text: str, unit: Unit, encoding: str) -> tuple:
    """A record that does not parse may have swallowed its neighbours (an unterminated
    string or bracket runs on into them). Records usually start on a line of their own:
    the broken part ends where a later line starts with '{', and what follows is read
    again as the rest of the array (and mended the same way where it breaks again)."""
    articles, problems = [], []
    work = [(0, text)]  # (line offset in the record, text still to read), next on top
    cuts = 0
    while work:
        offset, chunk = work.pop()
        cut = _LINE_START_OBJECT.search(chunk)
        cuts += 1
        if cut is None or cuts > _RESYNC_LIMIT:
            if offset:  # the record's own failure is reported by the caller
                problems.append(InputError(f"{unit.name}, part from line +{offset}", "invalid JSON, skipped"))
            continue
        head, rest = chunk[:cut.start()], chunk[cut.end():]
        rest_offset = offset + head.count("\n") + 1
        _read_part(head.strip().rstrip(","), f"{unit.name}, part from line +{offset}", unit, encoding,
                   offset, articles, problems)
        later = []
        for _, line, record in json_array_records("[" + rest):
            where = f"{unit.name}, part from line +{rest_offset + line - 1}"
            if not _read_part(record, where, unit, encoding, rest_offset + line - 1, articles, problems,
                              quiet=_LINE_START_OBJECT.search(record) is not None):
                later.append((rest_offset + line - 1, record))
        work.extend(reversed(later))
    return [a for _, a in sorted(articles, key=lambda pair: pair[0])], problems


def _read_part(part: str, where: str, unit: Unit, encoding: str, line: int, articles: list, problems: list,
               quiet: bool = False) -> bool:
    """Parse one piece of a broken record; collect its article or (unless quiet) its problem."""
    if not part.strip():
        return True
    try:
        articles.append((line, _record_article(part, Unit(where, unit.source, unit.kind, part, unit.stem,
                                                          unit.encoding), encoding)))
        return True
    except InputError as exc:
        if not quiet:
            problems.append(exc)
        return False


def articles_from_bytes(data: bytes, name: str, suffix: str, stem: str) -> list:
    """Parse one file's bytes into articles (a JSON array or JSONL file may hold several).

    Raises InputError for the first bad record; `iter_ingest` instead reports each one."""
    suffix = suffix.lower()
    if suffix not in (".json", ".jsonl"):
        kind = {".html": "html", ".htm": "html", ".md": "md"}.get(suffix, "txt")
        return articles_from_unit(Unit(name=name, source=name, kind=kind, payload=data, stem=stem))[0]
    decoded = decode(data, name)
    if suffix == ".jsonl":
        lines = [(n, line) for n, line in enumerate(decoded.text.split("\n"), 1) if line.strip()]
        records = [(f"{name}, line {n}", line, f"{stem}-{n}" if len(lines) > 1 else stem) for n, line in lines]
    else:
        parts = list(json_array_records(decoded.text))
        records = [(f"{name}, record {i}", text, f"{stem}-{i}" if len(parts) > 1 else stem) for i, _, text in parts]
    return [_record_article(text, Unit(where, name, "record", text, rec_stem, decoded.encoding), decoded.encoding)
            for where, text, rec_stem in records]


class Deduplicator:
    """The same normalized text twice is one article; the same id for different texts gets
    a hash suffix. Keeps 8 bytes of hash per article, not the articles."""

    def __init__(self):
        self._by_hash = {}  # first 8 bytes of sha256 -> kept id
        self._ids = set()

    def admit(self, article: Article) -> tuple:
        """(article to keep or None, id it duplicates or None); a kept article may be renamed."""
        key = bytes.fromhex(article.sha256[:16])
        if key in self._by_hash:
            return None, self._by_hash[key]
        if article.id in self._ids:
            article = replace(article, id=f"{article.id}-{article.sha256[:8]}")
        self._by_hash[key] = article.id
        self._ids.add(article.id)
        return article, None


def iter_ingest(paths, max_bytes: int | None = None):
    """Yield Article, InputError and Note items in input order (one pass, streaming)."""
    max_bytes = max_bytes_from_env() if max_bytes is None else max_bytes
    dedup = Deduplicator()
    for item in iter_units(paths, max_bytes):
        if not isinstance(item, Unit):
            yield item
            continue
        try:
            articles, notes = articles_from_unit(item)
        except InputError as exc:
            yield exc
            continue
        yield from notes
        for article in articles:
            kept, original = dedup.admit(article)
            if kept is None:
                yield Note(article.source, f"{article.id}: same text as {original}, skipped as a duplicate")
            else:
                yield kept


def load_articles(paths, max_bytes: int | None = None) -> IngestResult:
    """Read every article under `paths`. Problems are collected per file or record, never fatal."""
    result = IngestResult()
    dedup = Deduplicator()
    max_bytes = max_bytes_from_env() if max_bytes is None else max_bytes
    for item in iter_units(paths, max_bytes):
        if isinstance(item, InputError):
            result.problems.append(item)
        elif isinstance(item, Note):
            result.notes.append(item)
        else:
            try:
                articles, notes = articles_from_unit(item)
            except InputError as exc:
                result.problems.append(exc)
                continue
            result.notes.extend(n for n in notes if isinstance(n, Note))
            result.problems.extend(n for n in notes if isinstance(n, InputError))
            for article in articles:
                kept, original = dedup.admit(article)
                if kept is None:
                    result.duplicates.append((article.id, original))
                else:
                    result.articles.append(kept)
    return result
