"""Bytes -> Article: decode, strip page junk, detect language, parse title and date, hash."""

from __future__ import annotations

import hashlib
import html.parser
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .dates import find_dates
from .errors import InputError
from .model import Article
from .textnorm import is_cjk, normalize_text

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_BYTES",
    "IngestResult",
    "decode_bytes",
    "clean_text",
    "detect_language",
    "articles_from_bytes",
    "load_articles",
]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md", ".json", ".jsonl")
MAX_BYTES = int(os.environ.get("GRAPHKIT_MAX_BYTES", 20 * 1024 * 1024))

# Frequent Chinese characters: text decoded with the right codec is full of them.
_COMMON_ZH = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
    "位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强"
    "放决西被干做必战先回则任取据处府研信车汽司技术云智网联创宝马阿里腾讯微软合作签署战略协议集团科"
)
_RU_COMMON = set("оеаинтсрвлкмдпуяызбгчйхжшюцщэфъё")
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32 and b != 27)
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[A-Za-z]")


@dataclass
class IngestResult:
    articles: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # InputError, one per file or record
    duplicates: list = field(default_factory=list)  # (skipped id, kept id)


def _plausibility(text: str, codec: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 1.0
    n = len(non_ascii)
    if codec.startswith("gb"):
        return sum(c in _COMMON_ZH for c in non_ascii) / n * 1.2
    if codec in ("cp1251", "koi8_r"):
        return sum(c in _RU_COMMON for c in non_ascii) / n
    # cp1252: Western European letters
    return sum(c.isalpha() and c.islower() for c in non_ascii) / n * 0.9


def decode_bytes(data: bytes, name: str) -> tuple:
    """Return (text, encoding). Raises InputError for empty, binary or undecodable data."""
    if not data.strip():
        raise InputError(name, "file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) * 0.02:
        raise InputError(name, "looks like a binary file, not text (control bytes found)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = None
    for codec in ("gb18030", "cp1251", "koi8_r", "cp1252"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text[:20000], codec)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < 0.3:
        raise InputError(
            name, "cannot decode: not UTF-8, GB18030, Windows-1251, KOI8-R or CP1252 text"
        )
    return best[1], best[2]


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


def detect_language(text: str) -> str:
    """zh, ru, de or en from script counts and function words (offline, no model)."""
    sample = text[:20000]
    cjk = len(_CJK_RE.findall(sample))
    cyr = len(_CYR_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    if cjk and cjk * 3 >= latin and cjk >= cyr:
        return "zh"
    if cyr > latin * 0.5:
        return "ru"
    words = re.findall(r"[a-zäöüß]+", sample.lower())
    de = sum(w in _DE_WORDS for w in words) + 3 * sum(any(c in w for c in "äöüß") for w in words)
    en = sum(w in _EN_WORDS for w in words)
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
        if not line or find_dates(line) and len(line) < 40:
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


def _make_article(raw_text: str, art_id: str, source: str, encoding: str,
                  title: str | None = None, published: str | None = None,
                  lang: str | None = None) -> Article:
    text = normalize_text(raw_text)
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
        title=title or found_title,
        published=published,
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        encoding=encoding,
    )


class _HTMLText(html.parser.HTMLParser):
    """Visible article text of an HTML page; boilerplate containers are skipped."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "button", "noscript", "svg", "iframe", "select"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote", "time"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip_depth, self.title, self.h1, self.published = [], 0, None, None, None
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self.skip_depth += 1
        if tag in ("title", "h1"):
            self._in = tag
        if tag == "meta" and (attrs.get("property") or attrs.get("name") or "") in (
            "article:published_time", "date", "pubdate", "publishdate", "og:published_time"):
            self.published = self.published or attrs.get("content")
        if tag == "time" and attrs.get("datetime"):
            self.published = self.published or attrs["datetime"]
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag == self._in:
            self._in = None
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in == "title" and not self.title:
            self.title = data.strip() or None
            return
        if self.skip_depth:
            return
        if self._in == "h1" and not self.h1:
            self.h1 = data.strip() or None
        self.parts.append(data)


def _iso_prefix(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if m:
        return "-".join(p for p in m.groups() if p)
    hits = find_dates(value)
    return hits[0].iso if hits else None


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARK = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+)|(\*\*|__|`)", re.M)


def articles_from_bytes(data: bytes, name: str, suffix: str, stem: str) -> list:
    """Parse one file's bytes into articles (JSONL may hold several). Raises InputError."""
    text, encoding = decode_bytes(data, name)
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        parser = _HTMLText()
        parser.feed(text)
        body = "".join(parser.parts)
        return [_make_article(body, stem, name, encoding, title=parser.h1 or parser.title,
                              published=_iso_prefix(parser.published))]
    if suffix == ".md":
        title = None
        m = re.search(r"^#\s+(.+)$", text, re.M)
        if m:
            title = m.group(1).strip()
            text = text[: m.start()] + text[m.end():]
        body = _MD_MARK.sub(lambda mm: "", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text)))
        return [_make_article(body, stem, name, encoding, title=title)]
    if suffix in (".json", ".jsonl"):
        return _articles_from_json(text, name, stem, encoding, suffix)
    return [_make_article(text, stem, name, encoding)]


def _articles_from_json(text: str, name: str, stem: str, encoding: str, suffix: str) -> list:
    if suffix == ".jsonl":
        records = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    records.append((lineno, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(name, f"line {lineno}: invalid JSON ({exc.msg})") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(name, f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
        records = list(enumerate(data if isinstance(data, list) else [data], 1))
    articles = []
    for index, record in records:
        body = record.get("text") or record.get("content") or record.get("body") if isinstance(record, dict) else None
        if not isinstance(body, str) or not body.strip():
            raise InputError(name, f"record {index}: no non-empty 'text' field")
        art_id = str(record.get("id") or (stem if len(records) == 1 else f"{stem}-{index}"))
        articles.append(_make_article(
            body, art_id, record.get("url") or record.get("source") or name, encoding,
            title=record.get("title"), published=_iso_prefix(record.get("published") or record.get("date")),
            lang=record.get("lang")))
    return articles


def _walk(paths) -> list:
    files, problems = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append(InputError(str(path), "folder holds no article files (" + ", ".join(ARTICLE_SUFFIXES) + ")"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(InputError(str(path), "no such file or folder"))
    return files, problems


def load_articles(paths, max_bytes: int = MAX_BYTES) -> IngestResult:
    """Read every article under `paths`. Problems are collected per file, never fatal."""
    files, problems = _walk(paths)
    result = IngestResult(problems=problems)
    seen_hash, seen_id = {}, {}
    for path in files:
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(str(path), f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (GRAPHKIT_MAX_BYTES)")
            data = path.read_bytes()
            articles = articles_from_bytes(data, str(path), path.suffix, path.stem)
        except InputError as exc:
            result.problems.append(exc)
            continue
        except OSError as exc:
            result.problems.append(InputError(str(path), f"cannot read ({exc.strerror or exc})"))
            continue
        for article in articles:
            if article.sha256 in seen_hash:
                result.duplicates.append((article.id, seen_hash[article.sha256]))
                continue
            if article.id in seen_id:  # same stem, different text: keep both, disambiguate
                article = replace(article, id=f"{article.id}-{article.sha256[:8]}")
            seen_hash[article.sha256] = article.id
            seen_id[article.id] = True
            result.articles.append(article)
    return result
