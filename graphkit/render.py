"""Rows (lists of dicts) -> rich table, CSV, JSON or Markdown on a given Console or file."""

from __future__ import annotations

import csv
import io
import json
import re
from enum import Enum

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["Format", "render_rows", "rows_to_text", "json_text", "stdout_console", "stderr_console", "sanitize"]

# Control characters other than tab and newline (C0, DEL, C1: ESC and CSI start terminal
# escape sequences; CR and backspace rewrite what is shown) never reach the terminal from
# data: they are shown as visible escapes instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_C1 = re.compile("[\x7f-\x9f\u2028\u2029]")  # what json.dumps(ensure_ascii=False) leaves raw


def sanitize(text: str) -> str:
    r"""`text` with control characters made visible.

    >>> sanitize("BMW\x1b]0;pwned\x07 and\rAudi")
    'BMW\\x1b]0;pwned\\x07 and\\rAudi'
    """
    return _CONTROL.sub(_visible, text)


def json_text(value) -> str:
    """Indented JSON for a terminal: C0 controls are escaped by json, C1 ones (which it
    leaves raw) by us, as valid \\u escapes."""
    return _escape_c1(json.dumps(value, ensure_ascii=False, indent=2, default=str)) + "\n"


def _escape_c1(text: str) -> str:
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _visible(match) -> str:
    char = match.group()
    if char == "\r":
        return "\\r"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class _SafeConsole(Console):
    """A Console whose printed strings are sanitized (markup and highlighting as asked)."""

    def print(self, *objects, **kwargs):
        return super().print(*(sanitize(o) if isinstance(o, str) else o for o in objects), **kwargs)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    md = "md"


PIPED_WIDTH = 100  # columns of tables written to a pipe or file when COLUMNS is not set


def stdout_console() -> Console:
    """The terminal's width; piped, COLUMNS or 100 columns (tables are laid out for that)."""
    import os

    console = _SafeConsole(soft_wrap=False, emoji=False)
    if not console.is_terminal:
        try:
            width = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            width = 0
        console = _SafeConsole(soft_wrap=False, emoji=False, width=width if width >= 20 else PIPED_WIDTH)
    return console


def stderr_console() -> Console:
    return _SafeConsole(stderr=True, soft_wrap=True, emoji=False)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return sanitize(json.dumps(value, ensure_ascii=False))
    if isinstance(value, float):
        return f"{value:.4g}"
    return sanitize(str(value))


def _columns(rows) -> list:
    cols = []
    for row in rows:
        for key in row:
            if key not in cols:
                cols.append(key)
    return cols


def rows_to_text(rows: list, fmt: Format, bom: bool = False) -> str:
    """CSV (with a BOM for Excel if asked), JSON (an array of row objects), JSON Lines or
    Markdown text of `rows`: always one parseable document."""
    fmt = Format(fmt)
    if fmt is Format.json:
        return json_text(rows)
    if fmt is Format.jsonl:
        return "".join(_escape_c1(json.dumps(row, ensure_ascii=False, default=str)) + "\n" for row in rows)
    cols = _columns(rows)
    if fmt is Format.csv:
        buf = io.StringIO()
        if bom:
            buf.write("\ufeff")
        writer = csv.writer(buf, lineterminator="\r\n" if bom else "\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
        return buf.getvalue()
    if fmt is Format.md:
        esc = lambda s: _cell(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(esc(row.get(c)) for c in cols) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    raise ValueError("tables are rendered by render_rows")


def _shorten(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal cells (CJK characters take two), with … when cut."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells - 1:
            break
        out.append(char)
    return "".join(out) + "…"


def render_rows(rows: list, fmt: Format, console: Console, title: str | None = None,
                columns=None, bom: bool = False, one_line=()) -> None:
    """Write `rows` in `fmt`. A table shows only `columns` (when given) so it fits the
    console, and shortens the `one_line` columns' cells to half the console width;
    every other format carries every column in full."""
    fmt = Format(fmt)
    if fmt is not Format.table:
        console.file.write(rows_to_text(rows, fmt, bom=bom))
        return
    cols = _columns(rows)
    if columns:
        cols = [c for c in columns if c in cols] or cols
    table = Table(title=escape(sanitize(title)) if title else None, show_lines=False)
    for col in cols:
        table.add_column(escape(sanitize(str(col))), overflow="fold")
    budget = max(30, console.width // 2)  # terminal cells a shortened cell keeps
    for row in rows:
        table.add_row(*(escape(_shorten(_cell(row.get(c)), budget) if c in one_line else _cell(row.get(c)))
                        for c in cols))
    console.print(table)
