"""The package lexicon is validated data: an entry written twice, or one alias given to two
entries, stops loading with a line naming the file and the entry (instead of the second
table's aliases going missing without a word)."""

import pytest

from graphkit import lexicon as lexicon_module
from graphkit.errors import LexiconFileError


@pytest.fixture
def package_files(tmp_path, monkeypatch):
    def use(**files):
        paths = []
        for name, text in files.items():
            path = tmp_path / f"{name}.toml"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        monkeypatch.setattr(lexicon_module, "_entity_files", lambda: sorted(paths))
        lexicon_module.load_lexicon.cache_clear()
        return lexicon_module.load_lexicon

    yield use
    lexicon_module.load_lexicon.cache_clear()


def test_the_shipped_lexicon_loads_clean():
    lexicon_module.load_lexicon.cache_clear()
    assert len(lexicon_module.load_lexicon().entries) > 100


def test_an_entry_written_twice_names_both_files(package_files, tmp_path):
    load = package_files(
        a_carmakers='[[entity]]\nname = "Nordwerk"\nde = ["Nordwerk AG"]\n',
        b_suppliers='[[entity]]\nname = "Ostwind"\n\n[[entity]]\nname = "Nordwerk"\nzh = ["诺德沃克"]\n',
    )
    with pytest.raises(LexiconFileError) as caught:
        load()
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'b_suppliers.toml'}: [[entity]] #2 (Nordwerk): repeats the entry 'Nordwerk' of ")
    assert str(tmp_path / "a_carmakers.toml") in message and "\n" not in message


def test_one_alias_for_two_entries_is_refused(package_files):
    load = package_files(
        a_carmakers='[[entity]]\nname = "Nordwerk"\nen = ["NW Motors"]\n',
        b_suppliers='[[entity]]\nname = "Nordwerk Parts"\nen = ["nw motors"]\n',
    )
    with pytest.raises(LexiconFileError, match=r"alias 'nw motors' also names 'Nordwerk'"):
        load()


def test_the_same_alias_in_two_languages_of_one_entry_is_fine(package_files):
    load = package_files(a_carmakers='[[entity]]\nname = "Nordwerk"\nen = ["NW"]\nde = ["NW"]\n')
    assert [e.name for e in load().entries.values()] == ["Nordwerk"]
