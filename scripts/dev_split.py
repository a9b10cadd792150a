"""Split ../shared/corpus/dev into a tuning part and a held-out check part, by a fixed rule.

Rule: among the 40 articles added after the extractor was written (the ids listed in the
corpus README's "Added" table), per language the four whose sha256("graphkit-check:" + id)
is smallest form the check part (16 articles). Everything else in dev is the tuning part.
The script writes folders of symlinks so `graphkit evaluate` can score each part:

    python scripts/dev_split.py [--corpus ../shared/corpus] [--out graphkit-out/splits]
    graphkit evaluate --gold graphkit-out/splits/check/gold graphkit-out/splits/check/articles
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

PER_LANGUAGE = 4


def added_ids(readme: str) -> list[str]:
    section = readme.split("### Added", 1)[1] if "### Added" in readme else ""
    return re.findall(r"^\| ((?:zh|de|ru|en)_\w+) \| (?:zh|de|ru|en) \| \d+ \|", section, re.M)


def check_ids(ids: list[str]) -> list[str]:
    out = []
    for lang in ("zh", "de", "ru", "en"):
        mine = sorted((i for i in ids if i.startswith(lang + "_")),
                      key=lambda i: hashlib.sha256(f"graphkit-check:{i}".encode()).hexdigest())
        out.extend(mine[:PER_LANGUAGE])
    return sorted(out)


def materialise(corpus: Path, out: Path) -> dict[str, list[str]]:
    dev = corpus / "dev"
    all_ids = sorted(p.stem for p in (dev / "gold").glob("*.json"))
    fresh = added_ids((corpus / "README.md").read_text(encoding="utf-8"))
    check = set(check_ids(fresh))
    parts = {"check": sorted(check), "tune": [i for i in all_ids if i not in check],
             "fresh40": sorted(fresh)}
    for name, ids in parts.items():
        for sub, suffix in (("articles", ".txt"), ("gold", ".json")):
            folder = out / name / sub
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():
                old.unlink()
            for i in ids:
                (folder / f"{i}{suffix}").symlink_to((dev / sub / f"{i}{suffix}").resolve())
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=Path("graphkit-out/splits"))
    args = parser.parse_args()
    parts = materialise(args.corpus, args.out)
    for name, ids in parts.items():
        print(f"{name}: {len(ids)} articles -> {args.out / name}")
    print("check ids:", " ".join(parts["check"]))


if __name__ == "__main__":
    main()
