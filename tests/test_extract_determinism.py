"""Extraction output does not depend on the interpreter's string hashing."""

import os
import subprocess
import sys

ARTICLE = (
    "Charging alliance grows\n\n"
    "BMW, Daimler and Audi formed an alliance for charging networks in Europe. "
    "Bosch, Continental and Valeo have also joined.\n"
)


def _extract(path, seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run([sys.executable, "-m", "graphkit.cli", "extract", str(path)], env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_same_relations_in_the_same_order_whatever_the_hash_seed(tmp_path):
    article = tmp_path / "alliance.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    outputs = {_extract(article, seed) for seed in ("1", "2", "3", "4", "5")}
    assert len(outputs) == 1
    assert '"head": "continental"' in outputs.pop()  # the newcomers' relations are there
