"""Shared fixtures: paths to the bundled sample and to the shared corpus when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "articles"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def fixture_articles():
    from graphkit.ingest import load_articles

    return load_articles([FIXTURES]).articles


@pytest.fixture(scope="session")
def fixture_graph(fixture_articles):
    from graphkit.extract import extract_article
    from graphkit.graph import build_graph

    return build_graph(extract_article(a) for a in fixture_articles)


def corpus_or_skip(split: str) -> Path:
    folder = CORPUS / split
    if not (folder / "articles").is_dir():
        pytest.skip(f"shared corpus split {split!r} not found at {folder}")
    return folder
