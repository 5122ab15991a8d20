"""The fixed cost of discovery in a new process: fit ThemeDiscoverer on a small synthetic set
in two fresh processes one after the other (the second finds numba's cache of the first).

    .venv/bin/python bench/neighbour_cost.py [--rows 160] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import time
t0 = time.perf_counter()
import numpy as np
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer
rows = {rows}
rng = np.random.default_rng(0)
groups = 4
X = np.vstack([rng.normal(size=384) * 3 + rng.normal(size=(rows // groups, 384)) for _ in range(groups)])
X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
t1 = time.perf_counter()
result = ThemeDiscoverer(DiscoveryParams(adapt_rounds=0)).fit(X, ["en"] * len(X))  # one pass
print(f"{{t1 - t0:.1f}} {{time.perf_counter() - t1:.1f}} {{result.n_themes}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--cache-dir", type=Path, default=None, help="NUMBA_CACHE_DIR (fresh)")
    args = parser.parse_args()
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="numba-"))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    print(f"{'process':<8} {'import s':>9} {'fit s':>7} {'themes':>7}   NUMBA_CACHE_DIR={cache}")
    for n in (1, 2):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(rows=args.rows)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        imp, fit, k = out[-3:]
        print(f"{n:<8} {imp:>9} {fit:>7} {k:>7}   (wall {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
