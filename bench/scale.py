"""A large run with the fast tier: generate realistic tickets, ingest, full refresh, render Home.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --tickets 1000000
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --tickets 100000 --backends sqlite
    INSIGHTS_TEST_PG_URL=postgresql+psycopg://... .venv/bin/python bench/scale.py --tickets 100000

Tickets come from the sample generator (data/generate_sample.py, no extras). Each stage runs as
the real CLI in a child process (`insights ingest`, `insights refresh --full` with
INSIGHTS_EMBEDDING_MODEL=fast), so wall time and peak RSS (`ru_maxrss` of the child) are what a
user sees; the Home page is then rendered with Streamlit's AppTest on that store (first render,
then the median of warm renders). The fast model is built before timing (once per machine).
Discovery fits on INSIGHTS_FIT_SAMPLE tickets and assigns the rest; the share fitted is printed
from the run's stats.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
INSIGHTS = str(Path(sys.executable).parent / "insights")


def generate(n: int, folder: Path) -> Path:
    from generate_sample import write_sample

    write_sample(str(folder), n, 11, extras=False)
    return folder / "tickets.csv"


def stage(name: str, args: list[str], env: dict[str, str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run([INSIGHTS, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    last = [line for line in proc.stdout.splitlines() if line.strip()][-2:]
    print(
        f"  {name:10} {seconds:8.1f}s  peak RSS >= {max(peak, before) / 1024:7.0f} MB", flush=True
    )
    for line in last:
        print(f"             {line.strip()[:110]}", flush=True)
    return {"seconds": seconds, "peak_rss_mb": peak / 1024}


def home_render(env: dict[str, str], repeat: int = 3) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    os.environ.update({k: env[k] for k in ("INSIGHTS_DB_URL", "INSIGHTS_HOME")})
    home = str(ROOT / "app" / "Home.py")

    def once() -> float:
        at = AppTest.from_file(home, default_timeout=600)
        t0 = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return time.perf_counter() - t0

    first = once()
    return first, statistics.median(once() for _ in range(repeat))


def fit_share(env: dict[str, str]) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["INSIGHTS_DB_URL"])
    with engine.connect() as conn:
        stats, params = conn.execute(
            text("SELECT stats, parameters FROM runs WHERE status='ok' ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    stats = json.loads(stats) if isinstance(stats, str) else stats
    params = json.loads(params) if isinstance(params, str) else params
    n = stats.get("n_tickets", 0)
    fit = min(n, params.get("discovery", {}).get("fit_sample", n))
    return f"{fit:,} of {n:,} tickets fitted ({fit / max(n, 1):.1%}), the rest assigned"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    from insights.embed.fast_model import ensure_fast_model

    t0 = time.perf_counter()
    ensure_fast_model()
    print(f"fast model ready in {time.perf_counter() - t0:.1f}s", flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="insights-scale-"))
    t0 = time.perf_counter()
    csv = generate(args.tickets, work / "data")
    print(f"generated {args.tickets:,} tickets in {time.perf_counter() - t0:.1f}s: {csv}")
    for backend in args.backends:
        home = work / backend
        home.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            url = f"sqlite:///{home / 'insights.db'}"
        else:
            url = os.environ.get("INSIGHTS_TEST_PG_URL", "")
            if not url:
                print("postgresql: skipped (set INSIGHTS_TEST_PG_URL to an empty database)")
                continue
        env = {
            **os.environ,
            "INSIGHTS_HOME": str(home),
            "INSIGHTS_DB_URL": url,
            "INSIGHTS_EMBEDDING_MODEL": "fast",
            "PREFECT_HOME": str(home / "prefect"),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        print(f"{backend}: {args.tickets:,} tickets", flush=True)
        started = time.perf_counter()
        stage("ingest", ["ingest", str(csv)], env)
        stage("refresh", ["refresh", "--full"], env)
        total = time.perf_counter() - started
        print(f"  {fit_share(env)}")
        first, warm = home_render(env)
        print(f"  Home render: first {first:.2f}s, warm median {warm:.2f}s")
        print(f"  ingest + refresh wall time: {total / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
