"""Ingest alone (read, decode, parse, clean, normalize; no extraction) on adversarial
shapes at sizes n, 2n, 4n, 8n: seconds, peak traced memory and the growth per doubling
(about 2x is linear).

    python benchmarks/bench_ingest_scaling.py [--kb 256]

Extraction time on the same shapes belongs to the extraction engine's benchmark.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from graphkit.errors import InputError
from graphkit.ingest import iter_ingest


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit.encode("utf-8")))


SHAPES = {
    # name: (file suffix, size in bytes -> file content)
    "one long line of dated sentences": (".txt", lambda n: _repeat("BMW and Alibaba agreed on 2020-07-04. ", n)),
    "many short lines (menus, junk)": (".txt", lambda n: _repeat("Home News Cars Video Login\n分类导航\nhttp://x.y/a.jpg\n", n)),
    "invisible characters everywhere": (".txt", lambda n: _repeat("B\u200dM\u00adW\u200b \u202eund\u2066 ", n)),
    "Markdown link brackets": (".md", lambda n: _repeat("[[BMW](x) [Alibaba](", n)),
    "deep HTML nesting": (".html", lambda n: "<html><body>" + _repeat("<div><span>", n // 2) + "BMW und Alibaba."),
    "HTML comments and scripts": (".html", lambda n: "<p>BMW.</p>" + _repeat("<!-- x --><script>var a=1;</script>", n)),
    "HTML unclosed tags and comments": (".html", lambda n: "<p>BMW.</p>" + _repeat('<a href="<!-- x', n)),
    "JSON array of many records": (".json", lambda n: "[" + ",".join(
        json.dumps({"id": f"r{i}", "text": f"BMW und Alibaba, Meldung {i}."}) for i in range(max(1, n // 60))) + "]"),
    "JSON nested deep inside one record": (".json", lambda n: '[{"text": "BMW.", "x": ' + "[" * (n // 2) + "]" * (n // 2) + "}]"),
    "JSONL of many lines": (".jsonl", lambda n: "\n".join(
        json.dumps({"id": f"r{i}", "text": f"BMW und Alibaba, Meldung {i}."}) for i in range(max(1, n // 60)))),
    "legacy encoding (cp1251) to detect": (".txt", lambda n: _repeat("Яндекс и КАМАЗ договорились. ", n)),
}


def measure(path: Path) -> tuple:
    tracemalloc.start()
    start = time.perf_counter()
    articles = problems = 0
    for item in iter_ingest([path], max_bytes=1 << 30):
        if isinstance(item, InputError):
            problems += 1
        elif hasattr(item, "sha256"):
            articles += 1
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, articles, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=256, help="n, in KB")
    args = parser.parse_args()
    print(f"{'shape':<36} {'size':>7} {'seconds':>8} {'x prev':>7} {'peak MB':>8} {'x prev':>7}  articles/errors")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        for name, (suffix, make) in SHAPES.items():
            previous = None
            for factor in (1, 2, 4, 8):
                size = args.kb * 1024 * factor
                path = Path(tmp) / f"shape{suffix}"
                text = make(size)
                path.write_bytes(text.encode("cp1251") if "cp1251" in name else text.encode("utf-8"))
                seconds, peak, articles, problems = measure(path)
                growth = (f"{seconds / previous[0]:7.2f} {'':>8} {peak / previous[1]:7.2f}" if previous
                          else f"{'-':>7} {'':>8} {'-':>7}")
                time_growth, mem_growth = growth.split()[0], growth.split()[-1]
                print(f"{name:<36} {path.stat().st_size / 1e6:6.1f}M {seconds:8.3f} {time_growth:>7} "
                      f"{peak / 1e6:8.1f} {mem_growth:>7}  {articles}/{problems}")
                previous = (seconds, peak)


if __name__ == "__main__":
    main()
