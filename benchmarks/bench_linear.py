"""Extraction time on adversarial text shapes at sizes n, 2n, 4n, 8n.

Each shape is repeated until the text reaches the size; the script prints CPU seconds per
size and the growth ratio per doubling (about 2 for linear work, 4 for quadratic):

    python benchmarks/bench_linear.py [--base-kb 16]
"""

from __future__ import annotations

import argparse
import hashlib
import time

from graphkit.extract import extract_article
from graphkit.lexicon import load_lexicon
from graphkit.model import Article
from graphkit.textnorm import normalize_text

SHAPES = {
    "invested-and (en)": ("en", "Tencent invested in Baidu and "),
    "partners sentences (en)": ("en", "BMW partners with Alibaba on cloud services. "),
    "partners sentences (zh)": ("zh", "腾讯与宝马签署战略合作协议。"),
    "partners sentences (de)": ("de", "BMW arbeitet mit Tencent und Baidu zusammen. "),
    "partners sentences (ru)": ("ru", "Яндекс и КАМАЗ подписали соглашение о сотрудничестве. "),
    "one long name list (en)": ("en", "BMW, Audi, Tencent, Baidu, Alibaba, "),
    "discovered names (en)": ("en", "Foo{n} GmbH and Bar{n} AG signed an agreement with BMW. "),
    "semicolon clauses (en)": ("en", "BMW partners with Tencent; "),
    "dates on one line (en)": ("en", "On 2020-07-04 BMW and Tencent signed a deal, "),
    "markdown links (en)": ("en", "[BMW](http://x) partners with [Tencent](http://y) "),
    "no sentence end (zh)": ("zh", "宝马、腾讯、阿里巴巴、百度、华为、"),
}


def _text(unit: str, size: int) -> str:
    parts, n, total = [], 0, 0
    while total < size:
        piece = unit.replace("{n}", str(n))
        parts.append(piece)
        total += len(piece.encode("utf-8"))
        n += 1
    return "".join(parts)


def _time(lang: str, text: str) -> float:
    text = normalize_text(text)
    article = Article(id="bench", text=text, lang=lang, title=None, published=None, source="bench",
                      sha256=hashlib.sha256(text.encode()).hexdigest())
    start = time.process_time()
    extract_article(article)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-kb", type=int, default=16, help="size n in KB (default 16)")
    args = parser.parse_args()
    load_lexicon()
    sizes = [args.base_kb * 1024 * k for k in (1, 2, 4, 8)]
    print(f"{'shape':28} " + " ".join(f"{s // 1024:>7} KB" for s in sizes) + "   growth per doubling")
    worst = 0.0
    for name, (lang, unit) in SHAPES.items():
        times = [_time(lang, _text(unit, size)) for size in sizes]
        ratios = [b / a for a, b in zip(times, times[1:]) if a > 0.005]
        worst = max([worst, *ratios])
        print(f"{name:28} " + " ".join(f"{t:8.3f}s" for t in times) + "   " + " ".join(f"x{r:.2f}" for r in ratios))
    print(f"worst growth per doubling: x{worst:.2f} (linear: about x2)")


if __name__ == "__main__":
    main()
