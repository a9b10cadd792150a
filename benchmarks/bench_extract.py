"""Extraction throughput on a generated corpus: MB/s and articles/s on one core, peak memory.

    python benchmarks/bench_extract.py [--articles 1200] [--seed 7]

Articles are assembled from sentence templates in zh/de/ru/en filled with lexicon names,
padded with neutral filler sentences to news length (~2-5 KB), so matching, discovery
and every relation rule run on realistic input. One process, one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import time
import unicodedata

from graphkit.extract import extract_article
from graphkit.extract.mentions import default_matcher
from graphkit.extract.pipeline import article_entities
from graphkit.extract.relations import article_candidates, extract_relations
from graphkit.ingest import articles_from_bytes
from graphkit.lexicon import load_lexicon
from graphkit.model import Extraction

TEMPLATES = {
    "zh": ["{a}与{b}签署战略合作协议，双方将在智能网联汽车领域展开深度合作。",
           "{a}已将其车联网平台部署在{c}上。", "{a}宣布投资{b}，金额约数亿美元。",
           "据传，{a}正在与{b}洽谈合作。", "业内人士认为，汽车行业正在经历深刻的数字化转型，软件能力成为竞争焦点。",
           "{a}表示，今年将继续加大在自动驾驶和智能座舱方面的研发投入。"],
    "de": ["{a} und {b} haben eine strategische Partnerschaft vereinbart.",
           "Künftig sollen die Dienste von {a} auf der Cloud von {c} laufen.", "{a} investiert in {b}.",
           "Die Branche befindet sich in einem tiefgreifenden Wandel, getrieben von Software und Vernetzung.",
           "Nach Angaben des Unternehmens soll die Zusammenarbeit in den kommenden Jahren ausgebaut werden."],
    "ru": ["{a} и {b} подписали соглашение о стратегическом сотрудничестве.",
           "Платформа {a} будет основана на платформе {c}.", "{a} инвестировал в {b} несколько миллионов долларов.",
           "Эксперты отмечают, что автомобильная отрасль быстро меняется под влиянием цифровых технологий.",
           "Компания планирует расширить производство в ближайшие годы."],
    "en": ["{a} signed a strategic partnership agreement with {b} on Tuesday.",
           "{a} will deploy its connected-car services on {c}.", "{a} has invested in {b}, a fast-growing start-up.",
           "Analysts say software now decides which carmakers stay competitive in the connected-car race.",
           "The companies did not disclose the financial terms of the agreement."],
}


def _names(lang, kinds):
    lexicon = load_lexicon()
    out = []
    for entry in lexicon.entries.values():
        if entry.kind in kinds:
            names = entry.names.get(lang) or [entry.name]
            out.append(names[0] if lang in ("zh", "ru") and entry.names.get(lang) else entry.name)
    return out


def generate(count: int, seed: int) -> list:
    rng = random.Random(seed)
    orgs = {lang: _names(lang, {"carmaker", "tech", "internet", "supplier", "startup", "mobility", "chip"}) for lang in TEMPLATES}
    clouds = {lang: _names(lang, {"cloud"}) for lang in TEMPLATES}
    docs = []
    for i in range(count):
        lang = ("zh", "de", "ru", "en")[i % 4]
        target = rng.randint(2000, 5000)
        sentences = []
        while sum(len(s.encode("utf-8")) for s in sentences) < target:
            t = rng.choice(TEMPLATES[lang])
            sentences.append(t.format(a=rng.choice(orgs[lang]), b=rng.choice(orgs[lang]), c=rng.choice(clouds[lang])))
        joiner = "" if lang == "zh" else " "
        text = f"Article {i}\n" + "\n".join(joiner.join(sentences[j:j + 4]) for j in range(0, len(sentences), 4))
        docs.append((f"bench-{lang}-{i}", text.encode("utf-8")))
    return docs


def real_corpus(repeat: int) -> list:
    """The shared dev+seed articles (real news with page junk), repeated with distinct ids."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    files = sorted(root.glob("*/articles/*.txt"))
    return [(f"{p.stem}-{i}", p.read_bytes()) for i in range(repeat) for p in files]


STAGES = ("ingest", "mentions", "rules+features", "scoring")


def extract_by_stage(stem: str, data: bytes, times: dict):
    """extract_article's work split into its stages, each timed (CPU seconds into `times`)."""
    t0 = time.process_time()
    article = articles_from_bytes(data, f"{stem}.txt", ".txt", stem)[0]
    t1 = time.process_time()
    entities, mentions = article_entities(article)
    t2 = time.process_time()
    traces = article_candidates(article, mentions)
    t3 = time.process_time()
    relations = extract_relations(article, mentions, traces=traces)
    t4 = time.process_time()
    for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
        times[stage] = times.get(stage, 0.0) + seconds
    return article, Extraction(article=article, entities=tuple(entities), relations=tuple(relations))


def floor_scan(docs: list) -> float:
    """CPU seconds of the floor the issue measures against: decode, NFKC-normalize and run
    the lexicon's Aho-Corasick automaton once over every text (no extraction at all)."""
    automaton = default_matcher().automaton
    t0 = time.process_time()
    for _, data in docs:
        text = unicodedata.normalize("NFKC", data.decode("utf-8", "replace"))
        for _ in automaton.iter(text.lower()):
            pass
    return time.process_time() - t0


def measure(label: str, docs: list) -> None:
    total_bytes = sum(len(d) for _, d in docs)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    relations, per_lang, times = 0, {}, {}
    digest = hashlib.sha256()
    for stem, data in docs:
        t0 = time.process_time()
        article, extraction = extract_by_stage(stem, data, times)
        relations += len(extraction.relations)
        digest.update(json.dumps(extraction.to_json(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
        lang_time, lang_bytes = per_lang.get(article.lang, (0.0, 0))
        per_lang[article.lang] = (lang_time + time.process_time() - t0, lang_bytes + len(data))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    floor = floor_scan(docs)
    stage_total = sum(times.values())
    print(f"== {label}")
    print(f"articles            {len(docs)} ({total_bytes / 1e6:.1f} MB UTF-8, {total_bytes / len(docs) / 1e3:.1f} KB each)")
    print(f"relations found     {relations}")
    print(f"cpu seconds         {cpu:.2f} (wall {wall:.2f}; includes hashing the output)")
    print(f"throughput          {total_bytes / 1e6 / stage_total:.2f} MB/s per core, {len(docs) / stage_total:.0f} articles/s per core")
    for lang, (t, b) in sorted(per_lang.items()):
        print(f"  {lang}               {b / 1e6 / t:.2f} MB/s")
    print("where the time goes " + ", ".join(f"{stage} {times[stage]:.2f} s ({times[stage] / stage_total:.0%})" for stage in STAGES))
    print(f"floor (same run)    decode + NFKC + one Aho-Corasick scan: {floor:.2f} s = {total_bytes / 1e6 / floor:.1f} MB/s; "
          f"extraction costs {stage_total / floor:.0f}x the floor")
    print(f"output digest       {digest.hexdigest()[:16]} (sha256 of every extraction; equal digests = identical results)")


def measure_jobs(docs: list, jobs: int) -> None:
    """The `extract` command's loop (graphkit.batch: walk, read, ingest, extract, in input
    order) over the documents written as files, on 1 process and on `jobs`: wall-clock
    throughput, the ratio, and whether the outputs are identical."""
    import os
    import tempfile
    from pathlib import Path

    from graphkit import batch

    total_bytes = sum(len(d) for _, d in docs)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as folder:
        for stem, data in docs:
            (Path(folder) / f"{stem}.txt").write_bytes(data)
        runs = {}
        for n in (1, jobs):
            load = os.getloadavg()[0]
            cpu0 = _cpu_all()
            wall0 = time.perf_counter()
            lines = [x for x in batch.extractions([folder], jobs=n, as_json=True) if isinstance(x, str)]
            runs[n] = (time.perf_counter() - wall0, lines, load, _cpu_all() - cpu0)
    print(f"== --jobs: the extract loop (read + ingest + extract, ordered output), {len(docs)} files, "
          f"{total_bytes / 1e6:.1f} MB, {os.cpu_count()} cores")
    for n, (wall, lines, load, cpu) in runs.items():
        print(f"  --jobs {n:<3}         {wall:.2f} s wall, {total_bytes / 1e6 / wall:.2f} MB/s, "
              f"{len(lines) / wall:.0f} articles/s; {cpu:.2f} CPU s in all processes "
              f"(1-min load average before: {load:.1f})")
    ratio = runs[1][0] / runs[jobs][0]
    print(f"  ratio               {ratio:.2f}x wall with {jobs} jobs; output identical: {runs[1][1] == runs[jobs][1]}")
    print(f"  CPU cost of the pool {runs[jobs][3] / runs[1][3]:.2f}x the single process's CPU seconds "
          f"(so on {jobs} idle cores the ratio could reach {jobs * runs[1][3] / runs[jobs][3]:.2f}x)")
    print("  (a shared machine: other processes take cores too; the load average shows how busy it was)")


def _cpu_all() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=0,
                        help="also time the extract loop on 1 and on N processes (0: the machine's cores)")
    parser.add_argument("--jobs-only", action="store_true", help="only the --jobs comparison")
    args = parser.parse_args()
    if args.jobs_only:
        import os

        measure_jobs(generate(args.articles, args.seed), args.jobs or os.cpu_count() or 1)
        return
    docs = generate(args.articles, args.seed)
    extract_article(articles_from_bytes(docs[0][1], "warm.txt", ".txt", "warm")[0])  # load lexicon, compile rules
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    measure("generated corpus (dense: every other sentence states a relation)", docs)
    real = real_corpus(repeat=max(1, args.articles // 20))
    if real:
        measure("shared seeds+dev articles, repeated (real news text with page junk)", real)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS            {peak / 1024:.0f} MB for the whole run ({max(0, peak - rss_before) / 1024:.0f} MB above the loaded lexicon)")
    import os

    measure_jobs(docs, args.jobs or os.cpu_count() or 1)


if __name__ == "__main__":
    main()
