"""Decoding that keeps the text: the shared corpus re-encoded, damaged and sprinkled with
invisible characters, each run through ingest + extraction and compared with the UTF-8
original. Prints counts; a crash (any exception but graphkit's InputError) is counted,
never raised.

    python benchmarks/bench_decoding.py [--seed 12] [--trials 5]

Outcomes per input: `same` (entities and relations equal to the UTF-8 original's),
`differs`, `error` (a clear one-line InputError) or `crash`. Uses only
`articles_from_bytes` and `extract_article`, so it runs against older checkouts too
(PYTHONPATH=/path/to/checkout) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from graphkit.errors import InputError
from graphkit.extract import extract_article
from graphkit.ingest import articles_from_bytes

# ../shared/corpus next to the checkout (or next to the folder of worktrees holding it)
CORPUS = next((p / "shared" / "corpus" for p in Path(__file__).resolve().parents[2:4]
               if (p / "shared" / "corpus").is_dir()), Path("../shared/corpus"))
NATURAL = {"zh": ("gb18030", "big5"), "ru": ("cp1251", "koi8_r"), "de": ("cp1252",), "en": ("cp1252",)}
UNICODE = ("utf-8-sig", "utf-16", "utf-32")  # Python writes a byte-order mark for these
EVERY = ("gb18030", "big5", "cp1251", "koi8_r", "cp1252")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u00ad", "\u200e", "\u202a", "\u2066", "\ufeff")


def facts(data: bytes, stem: str):
    """(entity ids, relation keys) of one input, or 'error' / 'crash:<type>'."""
    try:
        articles = articles_from_bytes(data, f"{stem}.txt", ".txt", stem)
        extraction = extract_article(articles[0])
    except InputError:
        return "error"
    except Exception as exc:  # noqa: BLE001 - counted: the point of the benchmark
        return f"crash:{type(exc).__name__}"
    return (frozenset(e.id for e in extraction.entities),
            frozenset((r.type.value, r.head, r.tail) for r in extraction.relations))


def outcome(result, reference) -> str:
    if isinstance(result, str):
        return result.split(":")[0]
    return "same" if result == reference else "differs"


def corpus():
    files = sorted(CORPUS.glob("seeds/articles/*.txt")) + sorted(CORPUS.glob("dev/articles/*.txt"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        lang = articles_from_bytes(text.encode("utf-8"), path.name, ".txt", path.stem)[0].lang
        yield path.stem, text, lang


def reencoded(docs) -> None:
    table = {}
    for stem, text, lang in docs:
        reference = facts(text.encode("utf-8"), stem)
        for codec in UNICODE + EVERY:
            group = "unicode (BOM)" if codec in UNICODE else (
                "natural legacy" if codec in NATURAL[lang] else "other legacy")
            for label, part in (("whole", text), ("first 200 chars", text[:200])):
                try:
                    data = part.encode(codec)
                except UnicodeEncodeError:
                    table.setdefault((group, label), Counter())["not encodable"] += 1
                    continue
                ref = reference if label == "whole" else facts(part.encode("utf-8"), stem)
                table.setdefault((group, label), Counter())[outcome(facts(data, stem), ref)] += 1
                table.setdefault((f"  {codec}", label), Counter())[outcome(facts(data, stem), ref)] += 1
        for codec in NATURAL[lang]:  # every other line in a legacy encoding, the rest UTF-8
            lines = text.split("\n")
            try:
                data = b"\n".join(line.encode(codec if i % 2 else "utf-8") for i, line in enumerate(lines))
            except UnicodeEncodeError:
                table.setdefault(("mixed by line", "whole"), Counter())["not encodable"] += 1
                continue
            table.setdefault(("mixed by line", "whole"), Counter())[outcome(facts(data, stem), reference)] += 1
    print("== corpus re-encoded (outcome vs the UTF-8 original of the same text)")
    _print_table(table)


def damaged(docs, rng: random.Random, trials: int) -> None:
    table, utf8_read, kept, total = {}, Counter(), Counter(), Counter()
    for stem, text, lang in docs:
        original = text.encode("utf-8")
        reference = facts(original, stem)
        for k in (1, 3, 10):
            for _ in range(trials):
                data = bytearray(original)
                for _ in range(k):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                result = facts(bytes(data), stem)
                key = (f"{k} random bytes", "non-ASCII article" if lang in ("zh", "ru") else "Latin article")
                table.setdefault(key, Counter())[outcome(result, reference)] += 1
                try:
                    encoding = articles_from_bytes(bytes(data), "x.txt", ".txt", "x")[0].encoding
                except Exception:  # noqa: BLE001
                    encoding = "-"
                utf8_read[key] += encoding.startswith("utf-8")
                if not isinstance(result, str):
                    kept[key] += len(result[0] & reference[0])
                total[key] += len(reference[0])
    print("== UTF-8 corpus with random byte damage (seeded)")
    _print_table(table)
    for key in sorted(table):
        n = sum(table[key].values())
        print(f"  {key[0]:>16} {key[1]:<18} read as UTF-8 {utf8_read[key]}/{n}; "
              f"entities kept {kept[key]}/{total[key]} ({kept[key] / max(1, total[key]):.1%})")


def invisible(docs, rng: random.Random) -> None:
    """An invisible character inside every occurrence of each found entity's first mention."""
    counts = Counter()
    for stem, text, lang in docs:
        result = facts(text.encode("utf-8"), stem)
        articles = articles_from_bytes(text.encode("utf-8"), "x.txt", ".txt", stem)
        extraction = extract_article(articles[0])
        spoiled = text
        for entity in extraction.entities:
            mention = entity.mentions[0] if entity.mentions else ""
            if len(mention) >= 2 and mention in spoiled:
                cut = len(mention) // 2
                spoiled = spoiled.replace(mention, mention[:cut] + rng.choice(INVISIBLE) + mention[cut:])
        counts[outcome(facts(spoiled.encode("utf-8"), stem), result)] += 1
    print("== invisible characters (zero-width, soft hyphen, bidi, BOM) inside entity names")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def _print_table(table) -> None:
    for (group, label), counts in sorted(table.items(), key=lambda kv: (kv[0][0].startswith(" "), kv[0])):
        print(f"  {group:<16} {label:<18} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--trials", type=int, default=5, help="damaged copies per article and damage level")
    args = parser.parse_args()
    docs = list(corpus())
    print(f"{len(docs)} articles from {CORPUS}")
    reencoded(docs)
    damaged(docs, random.Random(args.seed), args.trials)
    invisible(docs, random.Random(args.seed))


if __name__ == "__main__":
    main()
