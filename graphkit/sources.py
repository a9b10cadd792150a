"""Paths -> units of work: one per plain file, one per JSON/JSONL record.

This is the sequential, cheap part of ingest (walking folders, reading bytes, cutting
JSON arrays and JSONL files into records); turning a unit into articles is done by
`graphkit.ingest.articles_from_unit`, possibly in another process. Nothing here holds
more than one file (or one JSONL line) in memory, and nothing raises for one bad input:
problems and notes are yielded in walk order, between the units.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .decoding import decode
from .errors import ConfigError, InputError

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "Unit",
    "Note",
    "display_name",
    "max_bytes_from_env",
    "iter_units",
    "json_array_records",
]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md", ".json", ".jsonl")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MAX_BYTES_VAR = "GRAPHKIT_MAX_BYTES"


@dataclass(frozen=True)
class Unit:
    """One piece of ingest work. `payload` is bytes for files and JSONL lines, str for a
    record cut out of an already decoded JSON file (then `encoding` says what it was)."""

    name: str  # where, for messages: "path" or "path, line 7" / "path, record 3"
    source: str  # display path of the file
    kind: str  # "txt", "html", "md" or "record"
    payload: bytes | str
    stem: str  # article id when the record names none
    encoding: str | None = None


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not a failure (a skipped hidden file, a
    duplicate, replaced bytes)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- names and settings ------------------------------------------------------------------

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def display_name(path) -> str:
    r"""A path as safe one-line text: undecodable bytes as \xNN, control characters
    (newline, CR, ESC, ...) as visible escapes, so a name can never forge output lines
    or drive the terminal.

    >>> display_name("a\nb\x1b[2J.txt")
    'a\\nb\\x1b[2J.txt'
    """
    text = os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return _UNPRINTABLE.sub(_escape_char, text)


def _escape_char(match) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def max_bytes_from_env() -> int:
    """GRAPHKIT_MAX_BYTES as a positive number of bytes (default 20 MiB); ConfigError if not."""
    raw = os.environ.get(_MAX_BYTES_VAR)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{_MAX_BYTES_VAR}={display_name(raw)!s} is not a positive whole number of bytes "
                          f"(e.g. {DEFAULT_MAX_BYTES} for the default 20 MiB)")
    return value


def describe_size(size: int) -> str:
    """Bytes in binary units as people read them: '512 bytes', '1.5 KiB', '20 MiB'."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size /= 1024
        if size < 1024 or unit == "TiB":
            return f"{size:.1f}".removesuffix(".0") + f" {unit}"


def _too_large(size: int, limit: int) -> str:
    return (f"file is {describe_size(size)} ({size:,} bytes), over the {describe_size(limit)} limit "
            f"({limit:,} bytes; set {_MAX_BYTES_VAR} to raise it)")


# --- walking -----------------------------------------------------------------------------

_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str:
    kind = next((label for test, label in _FILE_KINDS if test(mode)), "not a regular file")
    return f"{kind}, not an article file; skipped"


def _stat_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; skipped"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link; skipped" if path.is_symlink() else "no such file or folder"
    return f"cannot read ({exc.strerror or exc})"


def walk(paths):
    """Yield article files (Path) in a stable order, and an InputError or Note for every
    entry that is skipped. Folders are read recursively, following links, once each."""
    seen_folders = set()
    for raw in paths:
        path = Path(raw)
        try:
            info = path.stat()
        except OSError as exc:
            yield InputError(display_name(path), _stat_problem(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = yield from _walk_folder(path, info, seen_folders)
            if not found:
                yield InputError(display_name(path), "folder holds no article files ("
                                 + ", ".join(ARTICLE_SUFFIXES) + ")")
        elif stat.S_ISREG(info.st_mode):
            yield path
        else:
            yield InputError(display_name(path), _not_regular(info.st_mode))


def _walk_folder(folder: Path, info, seen: set):
    """Depth-first, names sorted; returns how many article files it yielded."""
    key = (info.st_dev, info.st_ino)
    if key in seen:
        yield InputError(display_name(folder), "folder already read through another path "
                         "(symbolic link loop or second link); skipped")
        return 0
    seen.add(key)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        yield InputError(display_name(folder), f"cannot list folder ({exc.strerror or exc}); skipped")
        return 0
    found = 0
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            yield Note(display_name(path), "hidden, skipped (name starts with a dot)")
            continue
        try:
            child = path.stat()
        except OSError as exc:
            yield InputError(display_name(path), _stat_problem(path, exc))
            continue
        if stat.S_ISDIR(child.st_mode):
            found += yield from _walk_folder(path, child, seen)
        elif not stat.S_ISREG(child.st_mode):
            yield InputError(display_name(path), _not_regular(child.st_mode))
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            found += 1
            yield path
        else:
            yield Note(display_name(path), "not an article file type (" + ", ".join(ARTICLE_SUFFIXES) + "), skipped")
    return found


# --- units -------------------------------------------------------------------------------


def iter_units(paths, max_bytes: int):
    """Yield Unit, InputError and Note items for everything under `paths`, in order."""
    for item in walk(paths):
        if not isinstance(item, Path):
            yield item
            continue
        try:
            yield from _file_units(item, max_bytes)
        except OSError as exc:
            yield InputError(display_name(item), f"cannot read ({exc.strerror or exc})")


def _file_units(path: Path, max_bytes: int):
    name = display_name(path)
    stem = display_name(path.stem)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_units(path, name, stem, max_bytes)
        return
    size = path.stat().st_size
    if size > max_bytes:
        yield InputError(name, _too_large(size, max_bytes))
        return
    with open(path, "rb") as fh:  # a regular file, checked by walk(): no FIFO can block here
        data = fh.read(min(size, max_bytes) + 1)  # (read(n) allocates n bytes up front)
        if len(data) > size:  # grew since stat: read on up to the limit
            data += fh.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # grew since stat
        yield InputError(name, _too_large(len(data), max_bytes))
        return
    if suffix == ".json":
        yield from _json_units(data, name, stem)
        return
    kind = {".html": "html", ".htm": "html", ".md": "md"}.get(suffix, "txt")
    yield Unit(name=name, source=name, kind=kind, payload=data, stem=stem)


def _decoded(data: bytes, name: str):
    """Decode a whole file, yielding its error or its decoding note; returns the text or None."""
    try:
        decoded = decode(data, name)
    except InputError as exc:
        yield exc
        return None
    if decoded.note():
        yield Note(name, decoded.note())
    return decoded


def _json_units(data: bytes, name: str, stem: str):
    decoded = yield from _decoded(data, name)
    if decoded is None:
        return
    records = json_array_records(decoded.text)
    count = 0
    for index, line, text in _single_flag(records):
        count += 1
        record_stem = stem if index is None else f"{stem}-{index}"
        where = name if index is None else f"{name}, record {index} (line {line})"
        yield Unit(name=where, source=name, kind="record", payload=text, stem=record_stem,
                   encoding=decoded.encoding)
    if not count:
        yield InputError(name, "holds no records (empty JSON array)")


def _single_flag(records):
    """(index, line, text) with index None when the array holds exactly one record (its
    article keeps the file stem as id, like a single-object file)."""
    first = next(records, None)
    if first is None:
        return
    second = next(records, None)
    if second is None:
        yield None, first[1], first[2]
        return
    yield first
    yield second
    yield from records


def _jsonl_units(path: Path, name: str, stem: str, max_bytes: int):
    """One unit per non-blank line; lines split on \\n only (a raw U+2028, U+2029 or U+0085
    inside a JSON string is text, not a line break)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
            yield from _utf16_jsonl_units(fh, name, stem, max_bytes)
            return
        pending = None  # held back one line: a file of one record keeps the file stem as id
        count = 0
        lineno = 0
        while True:
            line = fh.readline(max_bytes + 1)
            if not line:
                break
            lineno += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of the long line
                    line = fh.readline(1 << 20)
                yield InputError(f"{name}, line {lineno}", f"line longer than the {describe_size(max_bytes)} "
                                 f"limit ({_MAX_BYTES_VAR}); skipped")
                continue
            if not line.strip():
                continue
            count += 1
            unit = Unit(name=f"{name}, line {lineno}", source=name, kind="record", payload=line,
                        stem=f"{stem}-{lineno}")
            if pending is not None:
                yield pending
            pending = unit
        if pending is not None:
            yield pending if count > 1 else Unit(pending.name, pending.source, pending.kind, pending.payload, stem)
        elif not count:
            yield InputError(name, "file is empty (no JSON lines)")


def _utf16_jsonl_units(fh, name: str, stem: str, max_bytes: int):
    data = fh.read(min(os.fstat(fh.fileno()).st_size, max_bytes) + 1)
    if len(data) > max_bytes:
        yield InputError(name, _too_large(os.fstat(fh.fileno()).st_size, max_bytes) + " (UTF-16 JSONL is read whole)")
        return
    decoded = yield from _decoded(data, name)
    if decoded is None:
        return
    lines = [(n, line) for n, line in enumerate(decoded.text.split("\n"), 1) if line.strip()]
    for n, line in lines:
        yield Unit(name=f"{name}, line {n}", source=name, kind="record", payload=line,
                   stem=stem if len(lines) == 1 else f"{stem}-{n}", encoding=decoded.encoding)
    if not lines:
        yield InputError(name, "file is empty (no JSON lines)")


_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


def json_array_records(text: str):
    """Yield (index, line, source text) of each element of a top-level JSON array, without
    parsing the elements (each is parsed alone, so one bad record costs only itself). A
    top-level value that is not an array is one record (index 1). Linear in the text;
    strings are skipped as whole tokens so brackets inside them do not count."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("[", start):
        yield 1, text.count("\n", 0, start) + 1, text
        return
    depth, index, begin, line, line_pos = 0, 0, start + 1, 1, 0
    for match in _TOKENS.finditer(text, start):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            continue
        if token in "]}":
            depth -= 1
            if depth > 0:
                continue
        elif depth != 1:  # a comma inside a record
            continue
        segment = text[begin:match.start()]
        if segment.strip() or token == ",":
            index += 1
            offset = begin + len(segment) - len(segment.lstrip())
            line += text.count("\n", line_pos, offset)
            line_pos = offset
            yield index, line, segment
        begin = match.end()
        if depth <= 0:
            rest = text[begin:]
            if rest.strip():
                index += 1
                yield index, line + text.count("\n", line_pos, begin), rest
            return
    segment = text[begin:]
    if segment.strip():  # the array was never closed: the last record reports it
        yield index + 1, line + text.count("\n", line_pos, begin), segment
