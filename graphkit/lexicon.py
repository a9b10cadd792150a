"""Load the industry lexicon and per-language relation rules from the TOML data files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .model import EntityType
from .textnorm import slugify

__all__ = ["LexEntry", "Lexicon", "load_lexicon", "load_rules", "LANGS"]

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
    """All `[[entity]]` tables of graphkit/lexicons/entities/*.toml; later files never override."""
    entries, by_name = {}, {}
    for file in _entity_files():
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        for raw in data.get("entity", []):
            name = raw["name"].strip()
            entry_id = slugify(name)
            if entry_id in entries:
                continue
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
    return Lexicon(entries, by_name)


@lru_cache(maxsize=None)
def load_rules(lang: str) -> dict:
    """Relation triggers and cue words for one language (graphkit/lexicons/triggers/<lang>.toml)."""
    file = resources.files("graphkit.lexicons").joinpath("triggers", f"{lang}.toml")
    return tomllib.loads(file.read_text(encoding="utf-8"))
