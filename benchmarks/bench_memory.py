"""Peak memory of `graphkit extract` on folders of n and 2n articles (and a JSONL file of
many short records): streaming keeps it flat, holding every article made it grow with
the folder.

    python benchmarks/bench_memory.py [--articles 3000] [--lines 100000] [--jobs 1]
    PYTHONPATH=/path/to/older/checkout python benchmarks/bench_memory.py ...   # before

Runs the CLI in a subprocess and samples the resident memory of it and its worker
processes (summed, from /proc) every 50 ms; prints the peak per input.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import generate  # noqa: E402


def _tree_rss_kb(root: int) -> int:
    """Resident kB of `root` and all its descendants."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total


def peak_of(command: list) -> tuple:
    """(peak summed RSS in MB, wall seconds, exit code) of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    return peak / 1024, time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for the new loop (older checkouts have none)")
    args = parser.parse_args()
    jobs = ["--jobs", str(args.jobs)] if "--jobs" in subprocess.run(
        [sys.executable, "-m", "graphkit.cli", "extract", "--help"], capture_output=True, text=True).stdout else []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        docs = generate(2 * args.articles, 3)
        for count in (args.articles, 2 * args.articles):
            folder = Path(tmp) / f"folder{count}"
            folder.mkdir()
            for stem, data in docs[:count]:
                (folder / f"{stem}.txt").write_bytes(data)
            size = sum(len(d) for _, d in docs[:count]) / 1e6
            peak, wall, code = peak_of([sys.executable, "-m", "graphkit.cli", "extract", str(folder),
                                        "--out", str(Path(tmp) / "out.jsonl"), *jobs])
            print(f"extract folder of {count} articles ({size:.1f} MB): peak RSS {peak:.0f} MB, "
                  f"{wall:.0f} s, exit {code}")
        feed = Path(tmp) / "feed.jsonl"
        sentences = ["BMW und Alibaba vereinbaren eine Partnerschaft.", "Tencent signed a deal with Dongfeng Motor.",
                     "腾讯与东风汽车集团签署战略合作协议。", "Яндекс и Hyundai Mobis договорились о сотрудничестве."]
        with open(feed, "w", encoding="utf-8") as fh:
            for i in range(args.lines):
                fh.write(json.dumps({"id": f"r{i}", "text": f"{sentences[i % 4]} Meldung {i}."},
                                    ensure_ascii=False) + "\n")
        peak, wall, code = peak_of([sys.executable, "-m", "graphkit.cli", "extract", str(feed),
                                    "--out", str(Path(tmp) / "out.jsonl"), *jobs])
        print(f"extract JSONL of {args.lines} lines ({feed.stat().st_size / 1e6:.1f} MB): peak RSS {peak:.0f} MB, "
              f"{wall:.0f} s, exit {code}")


if __name__ == "__main__":
    main()
