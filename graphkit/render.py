"""Rows (lists of dicts) -> rich table, CSV, JSON or Markdown on a given Console or file."""

from __future__ import annotations

import csv
import io
import json
from enum import Enum

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["Format", "render_rows", "rows_to_text", "stdout_console", "stderr_console"]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


def stdout_console() -> Console:
    """Wide enough for ranking rows even when piped (rich would fall back to 80 columns)."""
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)
    return console


def stderr_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _columns(rows) -> list:
    cols = []
    for row in rows:
        for key in row:
            if key not in cols:
                cols.append(key)
    return cols


def rows_to_text(rows: list, fmt: Format) -> str:
    """CSV, JSON (an array of row objects) or Markdown text of `rows`."""
    fmt = Format(fmt)
    if fmt is Format.json:
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
    cols = _columns(rows)
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
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


def render_rows(rows: list, fmt: Format, console: Console, title: str | None = None) -> None:
    fmt = Format(fmt)
    if fmt is not Format.table:
        console.file.write(rows_to_text(rows, fmt))
        return
    table = Table(title=escape(title) if title else None, show_lines=False)
    for col in _columns(rows):
        table.add_column(escape(str(col)), overflow="fold")
    for row in rows:
        table.add_row(*(escape(_cell(row.get(c))) for c in _columns(rows)))
    console.print(table)
