"""Seeded fuzz campaign against ingest + extraction (issue 12's input categories).

    python scripts/fuzz_ingest.py [--seed 12] [--inputs 10000] [--cli-sample 60] [--jobs 2]

Writes generated inputs into a temporary folder: random and truncated bytes, BOMs, NULs,
legacy and mixed encodings, byte-mutated real articles (../shared/corpus and
fixtures/articles), malformed and deeply nested JSON/JSONL, HTML with scripts, comments
and bogus markup, long lines, adversarial repetition, odd file names, links, FIFOs,
permissions, hidden files, empty arrays. Good articles are planted among them: as files
of their own, as records of JSON arrays beside bad records, as lines of JSONL files beside
bad lines.

Then it drives the `extract` loop (graphkit.batch) in-process on every input alone, and
once over the whole folder with --jobs; and runs a sample through the real CLI in
subprocesses. It prints counts; the campaign passes when tracebacks are 0 and planted
good articles lost are 0 (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from graphkit import batch
from graphkit.errors import InputError
from graphkit.sources import Note, display_name

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIRS = [ROOT / "fixtures" / "articles"] + [
    p / "shared" / "corpus" / split / "articles" for p in ROOT.parents[:2] for split in ("seeds", "dev")]
CODECS = ("utf-8", "gb18030", "big5", "cp1251", "koi8_r", "cp1252", "utf-16", "utf-32", "utf-8-sig")
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
REPEATS = ("BMW invested in Alibaba and ", "腾讯与宝马签署合作协议，", "Яндекс и КАМАЗ договорились, ",
           "BMW und Alibaba kooperieren; ", "[BMW](x) [Alibaba](y) ", "2020-07-04 2021-01-02 ",
           "Foo GmbH, Bar Inc., Baz Co. Ltd, ", "“创新基地”", "; ")
ODD_NAMES = ("new\nline", "cr\rname", "esc\x1b[31mred", "bell\x07", "emoji :smile: 😀", "tab\tname",
             "spaces  ", "-dash", "日本語", "x" * 200, "[bold]markup[red]", "quote\"'")


class Campaign:
    """Generates the inputs into `folder` and remembers what was planted where."""

    def __init__(self, folder: Path, rng: random.Random, texts: list):
        self.folder, self.rng, self.texts = folder, rng, texts
        self.categories = Counter()  # inputs generated per category
        self.planted = set()  # ids of good articles planted
        self.inputs = []  # (category, path) of every generated input
        self.serial = 0

    # -- helpers --
    def _name(self, suffix: str, odd: bool = False) -> str:
        self.serial += 1
        base = f"in{self.serial:05d}"
        if odd:
            base += "-" + self.rng.choice(ODD_NAMES)
        return base + suffix

    def add(self, category: str, data: bytes, suffix: str = ".txt", name: str | None = None) -> Path:
        path = self.folder / (name or self._name(suffix))
        path.write_bytes(data)
        self.categories[category] += 1
        self.inputs.append((category, path))
        return path

    def text(self) -> str:
        return self.rng.choice(self.texts)

    def good_text(self, ident: str) -> str:
        """A real article plus a sentence naming the planted id (so no two are duplicates)."""
        self.planted.add(ident)
        return self.text() + f"\nPlanted marker {ident}: BMW und Alibaba vereinbaren eine Partnerschaft."

    # -- categories --
    def random_bytes(self):
        size = self.rng.choice([0, 1, 2, 3, 17, 100, 1000, 5000])
        self.add("random bytes", self.rng.randbytes(size), self.rng.choice([".txt", ".html", ".md", ".json", ".jsonl"]))

    def truncated(self):
        data = self.text().encode(self.rng.choice(["utf-8", "utf-16", "gb18030"]), errors="replace")
        self.add("truncated bytes", data[:self.rng.randrange(0, len(data) + 1)])

    def bom(self):
        text = self.text()[: self.rng.randrange(0, 3000)]
        codec = self.rng.choice(CODECS)
        data = self.rng.choice(BOMS) + text.encode(codec, errors="replace")
        if self.rng.random() < 0.5:
            data = data[:-1]  # odd length
        if self.rng.random() < 0.3:
            data += b"\x00\xd8" * self.rng.randint(1, 3)  # lone surrogates
        self.add("BOMs", data)

    def nuls(self):
        data = bytearray(self.text().encode("utf-8"))
        for _ in range(self.rng.choice([1, 2, 5, 50, 500])):
            data.insert(self.rng.randrange(len(data) + 1), 0)
        self.add("NULs", bytes(data))

    def legacy(self):
        text = self.text()
        codec = self.rng.choice(CODECS)
        data = text.encode(codec, errors="replace")
        self.add("legacy encodings", data[: self.rng.choice([len(data), 200, 60])])

    def mixed(self):
        lines = self.text().split("\n")
        data = b"\n".join(line.encode(self.rng.choice(CODECS[:6]), errors="replace") for line in lines)
        self.add("mixed encodings", data)

    def mutated(self):
        data = bytearray(self.text().encode("utf-8"))
        for _ in range(self.rng.choice([1, 3, 10, 100])):
            op = self.rng.random()
            pos = self.rng.randrange(len(data) + 1)
            if op < 0.5 and pos < len(data):
                data[pos] = self.rng.randrange(256)
            elif op < 0.75:
                data.insert(pos, self.rng.randrange(256))
            elif pos < len(data):
                del data[pos]
        self.add("byte-mutated articles", bytes(data), self.rng.choice([".txt", ".html", ".md"]))

    def json_array(self):
        records = []
        for _ in range(self.rng.randint(1, 8)):
            kind = self.rng.random()
            if kind < 0.4:
                ident = f"planted-{self.serial:05d}-{len(records)}"
                records.append(json.dumps({"id": ident, "text": self.good_text(ident), "published": "2021-03-04"},
                                          ensure_ascii=False))
            else:
                records.append(self.rng.choice(self._bad_records()))
        text = "[" + ",\n".join(records) + "]"
        if self.rng.random() < 0.2:
            text = text[:-1]  # never closed
        self.add("JSON arrays (good and bad records)", text.encode("utf-8", errors="surrogatepass"), ".json")

    def _bad_records(self):
        deep = self.rng.choice([50, 1000, 5000])
        return [
            '{"id": "bad", "text": "x", oops}',
            '{"text": ' + "[" * deep + "]" * deep + "}",
            '{"text": "BMW", "n": ' + "7" * 4301 + "}",
            '{"text": "Tencent and GAC partner.", "published": 20210304, "title": {"x": 1}}',
            '{"text": "Volkswagen\\ud800 and Microsoft.", "id": "sur\\udfff", "title": "\\ud83d"}',
            '{"text": ""}', '{"text": null}', '"just a string"', "12", "null", "[1, 2, [3]]",
            '{"id": "ctl", "text": "BMW \\u001b[2J and Alibaba \\u0007 partner."}',
            '{"text": "unterminated',
        ]

    def jsonl(self):
        lines = []
        for _ in range(self.rng.randint(1, 10)):
            if self.rng.random() < 0.4:
                ident = f"planted-{self.serial:05d}-{len(lines)}"
                text = self.good_text(ident) + "\u2028Zeile\u2029Absatz\u0085Ende."
                lines.append(json.dumps({"id": ident, "text": text}, ensure_ascii=False))
            else:
                lines.append(self.rng.choice(self._bad_records() + ["", "   ", "{", "\x00\x01"]))
        self.add("JSONL (good and bad lines)", "\n".join(lines).encode("utf-8", errors="surrogatepass"), ".jsonl")

    def html(self):
        body = self.text().replace("\n", "</p><p>")
        junk = self.rng.choice(["<script>var a='</p>';</script>", "<!-- comment <p>x</p> -->", "<![foo[ bar ]]>",
                                "a<![ x", "<!", "<style>p{}</style>", "<" * 50, "<div>" * 2000, "&#xd800;&#0;",
                                "<p title='\x1b[2J'>", "</></><!--"])
        page = f"<html><head><title>T</title></head><body><p>{body}</p>{junk}</body></html>"
        self.add("HTML (scripts, comments, bogus markup)", page.encode("utf-8", errors="replace"), ".html")

    def long_line(self):
        unit = self.rng.choice(["BMW and Alibaba agreed on 2020-07-04. ", "宝马与阿里巴巴合作。", "x" * 100 + " "])
        self.add("long lines", (unit * (self.rng.choice([20_000, 100_000]) // len(unit))).encode("utf-8"))

    def repetition(self):
        unit = self.rng.choice(REPEATS)
        self.add("adversarial repetition", (unit * self.rng.choice([50, 200, 400])).encode("utf-8"))

    def odd_name(self):
        name = self._name(".txt", odd=True)
        ident = display_name(Path(name).stem)  # the article id: the stem, escaped
        self.add("odd file names", self.good_text(ident).encode("utf-8"), name=name)
        if self.rng.random() < 0.3:  # an undecodable byte in the name
            raw = os.fsencode(self.folder / f"in{self.serial:05d}-\xff.txt".replace("\xff", "")) + b"\xff"
            with open(raw, "wb") as fh:
                fh.write(b"")
            self.categories["odd file names"] += 1
            self.inputs.append(("odd file names", Path(os.fsdecode(raw))))

    def special(self):
        """Links, FIFOs, permissions, hidden entries, empty arrays, folders named like files."""
        choice = self.rng.randrange(8)
        path = self.folder / self._name(".txt")
        if choice == 0:
            sub = self.folder / f"loop{self.serial}"
            sub.mkdir()
            (sub / "a.txt").write_bytes(self.text().encode("utf-8"))
            os.symlink(sub, sub / "again")  # a loop (a link to its own folder)
            path = sub
        elif choice == 1:
            os.symlink(self.folder / "nowhere.txt", path)
        elif choice == 2:
            os.mkfifo(path)
        elif choice == 3:
            path.write_bytes(self.text().encode("utf-8"))
            path.chmod(0)  # root still reads it; everyone else gets one line
        elif choice == 4:
            path = self.folder / ("." + path.name)
            path.write_bytes(self.text().encode("utf-8"))
        elif choice == 5:
            path = path.with_suffix(".json")
            path.write_bytes(b"[]")
        elif choice == 6:
            path.mkdir()
        else:
            os.symlink("/dev/null", path)
        self.categories["links, FIFOs, permissions, hidden, empty"] += 1
        self.inputs.append(("links, FIFOs, permissions, hidden, empty", path))

    def good_file(self):
        ident = f"planted-{self.serial + 1:05d}"
        self.add("planted good files", self.good_text(ident).encode("utf-8"), name=ident + ".txt")


def corpus_texts() -> list:
    texts = []
    for folder in CORPUS_DIRS:
        for path in sorted(folder.glob("*.txt")):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def run_alone(inputs, counts: Counter, crashes: list) -> None:
    """The extract loop on each input alone, in-process: anything but a finished run with
    InputError/Note items is a traceback."""
    for category, path in inputs:
        try:
            for item in batch.extractions([path], jobs=1, as_json=True):
                if isinstance(item, str):
                    json.loads(item)
                    counts["articles"] += 1
                elif isinstance(item, InputError):
                    counts["input errors"] += 1
                elif isinstance(item, Note):
                    counts["notes"] += 1
        except Exception:  # noqa: BLE001 - that is what we count
            crashes.append((category, repr(path), traceback.format_exc(limit=3)))


def run_cli_sample(paths, out_dir: Path) -> Counter:
    counts = Counter()
    for i, path in enumerate(paths):
        proc = subprocess.run([sys.executable, "-m", "graphkit.cli", "extract", str(path), "--out",
                               str(out_dir / f"cli{i}.jsonl"), "--jobs", "1"],
                              capture_output=True, env={**os.environ, "COLUMNS": "200"}, timeout=300)
        counts[f"exit {proc.returncode}"] += 1
        counts["tracebacks"] += b"Traceback" in proc.stderr
        counts["raw control bytes on stderr"] += any(c in proc.stderr for c in (b"\x1b", b"\x07", b"\r"))
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--inputs", type=int, default=10000)
    parser.add_argument("--cli-sample", type=int, default=60, help="inputs also run through the CLI one by one")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = corpus_texts()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphkit-fuzz-") as tmp:
        folder = Path(tmp) / "inputs"
        folder.mkdir()
        campaign = Campaign(folder, rng, texts)
        makers = [(campaign.random_bytes, 12), (campaign.truncated, 8), (campaign.bom, 8), (campaign.nuls, 6),
                  (campaign.legacy, 10), (campaign.mixed, 5), (campaign.mutated, 16), (campaign.json_array, 8),
                  (campaign.jsonl, 8), (campaign.html, 8), (campaign.long_line, 0.3), (campaign.repetition, 2),
                  (campaign.odd_name, 3), (campaign.special, 3), (campaign.good_file, 4)]
        funcs, weights = zip(*makers)
        while len(campaign.inputs) < args.inputs:
            rng.choices(funcs, weights)[0]()
        generated = time.perf_counter()
        print(f"fuzz seed {args.seed}: {len(campaign.inputs)} inputs from {len(texts)} real articles "
              f"({generated - started:.1f} s to generate)")
        for category, n in sorted(campaign.categories.items()):
            print(f"  {n:6d}  {category}")

        counts, crashes = Counter(), []
        run_alone(campaign.inputs, counts, crashes)
        alone = time.perf_counter()
        print(f"each input alone, in-process ({alone - generated:.1f} s): {counts['articles']} articles, "
              f"{counts['input errors']} one-line input errors, {counts['notes']} notes; "
              f"tracebacks {len(crashes)}")
        for category, path, trace in crashes[:5]:
            print(f"  TRACEBACK {category} {path}\n{trace}")

        found, whole_crash, errors = set(), None, 0
        try:
            for item in batch.extractions([folder], jobs=args.jobs, as_json=True):
                if isinstance(item, str):
                    found.add(json.loads(item)["article"]["id"])
                elif isinstance(item, InputError):
                    errors += 1
        except Exception:  # noqa: BLE001
            whole_crash = traceback.format_exc(limit=5)
        whole = time.perf_counter()
        recovered = campaign.planted & found
        print(f"whole folder, --jobs {args.jobs} ({whole - alone:.1f} s): {len(found)} articles, {errors} input errors; "
              f"traceback {'YES' if whole_crash else 0}")
        if whole_crash:
            print(whole_crash)
        print(f"planted good articles: {len(campaign.planted)} planted (files, JSON records, JSONL lines, odd "
              f"file names), {len(recovered)} recovered, {len(campaign.planted - recovered)} lost")
        for lost in sorted(campaign.planted - recovered)[:10]:
            print(f"  LOST {lost}")

        sample = rng.sample([p for _, p in campaign.inputs], min(args.cli_sample, len(campaign.inputs)))
        cli = run_cli_sample(sample + [folder], Path(tmp))
        print(f"CLI sample ({time.perf_counter() - whole:.1f} s): {len(sample) + 1} runs (the last: the whole folder); "
              + ", ".join(f"{k} {v}" for k, v in sorted(cli.items())))
        for _, path in campaign.inputs:  # let TemporaryDirectory clean up what we locked
            try:
                if not path.is_symlink() and path.exists():
                    path.chmod(0o644)
            except OSError:
                pass
    failed = crashes or whole_crash or campaign.planted - recovered or cli["tracebacks"]
    print("RESULT", "FAIL" if failed else "PASS", f"({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
