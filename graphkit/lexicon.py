"""Load the industry lexicon and per-language relation rules from the TOML data files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .errors import LexiconFileError
from .model import EntityType
from .textnorm import match_view, slugify

__all__ = ["LexEntry", "Lexicon", "load_lexicon", "extend_lexicon", "LANGS"]

LANGS = ("zh", "de", "ru", "en")


@dataclass(frozen=True)
class LexEntry:
    id: str
    name: str
    type: EntityType
    kind: str | None
    country: str | None
    parent: str | None  # canonical name of the parent entry
    wikidata: str | None
    names: dict = field(hash=False, compare=False)  # lang -> [aliases]

    def aliases(self):
        yield self.name
        for lang in LANGS:
            yield from self.names.get(lang, ())

    def display_name(self, lang: str) -> str | None:
        names = self.names.get(lang) or ()
        return names[0] if names else None


@dataclass
class Lexicon:
    entries: dict  # id -> LexEntry
    by_name: dict  # canonical name -> id

    def get(self, entity_id: str) -> LexEntry | None:
        return self.entries.get(entity_id)

    def parent_id(self, entity_id: str) -> str | None:
        entry = self.entries.get(entity_id)
        return self.by_name.get(entry.parent) if entry and entry.parent else None


def _entity_files():
    folder = resources.files("graphkit.lexicons").joinpath("entities")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """All `[[entity]]` tables of graphkit/lexicons/entities/*.toml: each entry once, each alias one entry's."""
    entries, by_name, home = {}, {}, {}
    for file in _entity_files():
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        for index, raw in enumerate(data.get("entity", []), 1):
            name = raw["name"].strip()
            entry_id = slugify(name)
            if entry_id in entries:  # the second table's aliases would be lost without a word
                raise LexiconFileError(file, f"[[entity]] #{index} ({name})",
                                       f"repeats the entry {entries[entry_id].name!r} of {home[entry_id]}: "
                                       "add the aliases to that table")
            home[entry_id] = str(file)
            entries[entry_id] = LexEntry(
                id=entry_id,
                name=name,
                type=EntityType(raw.get("type", "Organization")),
                kind=raw.get("kind"),
                country=raw.get("country"),
                parent=raw.get("parent"),
                wikidata=raw.get("wikidata"),
                names={lang: list(raw.get(lang, [])) for lang in LANGS},
            )
            by_name[name] = entry_id
    _check_aliases_unambiguous(entries, home)
    return Lexicon(entries, by_name)


def _check_aliases_unambiguous(entries: dict, home: dict) -> None:
    """One surface form, one entry: the matcher keys aliases by their match view, so an
    alias two entries share would silently go to whichever was read first."""
    owner = {}
    for entry in entries.values():
        for alias in entry.aliases():
            key = match_view(alias.strip())
            other = owner.setdefault(key, entry)
            if other.id != entry.id:
                raise LexiconFileError(home[entry.id], f"[[entity]] {entry.name!r}",
                                       f"alias {alias!r} also names {other.name!r} ({home[other.id]})")



def extend_lexicon(lexicon: Lexicon, tables, source: str) -> list:
    """Merge user `[[entity]]` tables (the package format) into `lexicon` in place.

    A table whose `name` is already an entry (by canonical name or id) adds its aliases
    to that entry and fills fields the entry lacks; any other table is a new entry. So a
    user file that repeats an entry to add an alias extends it instead of being ignored.
    Returns the ids touched. A broken table raises LexiconFileError naming `source`.
    """
    touched = []
    for index, raw in enumerate(tables, 1):
        where = f"[[entity]] #{index}"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            raise LexiconFileError(source, where, "needs a non-empty `name`")
        name = raw["name"].strip()
        entry_id = lexicon.by_name.get(name) or slugify(name)
        aliases = {}
        for lang in LANGS:
            values = raw.get(lang, [])
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise LexiconFileError(source, f"{where} ({name})", f"`{lang}` must be a list of names")
            aliases[lang] = [v.strip() for v in values]
        old = lexicon.entries.get(entry_id)
        if old is not None:
            names = {lang: list(old.names.get(lang, ())) for lang in LANGS}
            for lang, values in aliases.items():
                names[lang] += [v for v in values if v not in names[lang]]
            lexicon.entries[entry_id] = LexEntry(
                id=old.id, name=old.name, type=old.type, kind=old.kind or raw.get("kind"),
                country=old.country or raw.get("country"), parent=old.parent or raw.get("parent"),
                wikidata=old.wikidata or raw.get("wikidata"), names=names)
        else:
            try:
                entity_type = EntityType(raw.get("type", "Organization"))
            except ValueError:
                raise LexiconFileError(source, f"{where} ({name})", f"unknown type {raw.get('type')!r} (use "
                                       + ", ".join(t.value for t in EntityType) + ")") from None
            lexicon.entries[entry_id] = LexEntry(
                id=entry_id, name=name, type=entity_type, kind=raw.get("kind"), country=raw.get("country"),
                parent=raw.get("parent"), wikidata=raw.get("wikidata"), names=aliases)
            lexicon.by_name[name] = entry_id
        touched.append(entry_id)
    return touched
