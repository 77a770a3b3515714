"""Benchmark of the first use of :mod:`abcd.i18n`: importing it, reading the catalogues, the first formats.

Run on demand::

    python bench/i18n.py

Each figure is the best of a few fresh interpreters, because everything
measured here happens once per process (the catalogues are cached).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5

_PROBE = """
import json, time
t0 = time.perf_counter()
import abcd.i18n
t1 = time.perf_counter()
import babel.messages.pofile
t2 = time.perf_counter()
from abcd.i18n import LANGUAGES, catalogues, t
for lang in LANGUAGES:
    catalogues.load_catalogue(lang)
t3 = time.perf_counter()
t("gaps.tooltip", "nl", n=3)
t4 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3]))
"""

LABELS = (
    "import abcd.i18n",
    "import babel.messages.pofile (first t())",
    "read every catalogue",
    "first count (babel.numbers)",
)


def main() -> None:
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, check=True).stdout)
        for _ in range(RUNS)
    ]
    for index, label in enumerate(LABELS):
        print(f"{label:<45} {1000 * min(run[index] for run in runs):6.1f} ms")


if __name__ == "__main__":
    main()
