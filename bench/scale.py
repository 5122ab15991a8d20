"""A large run with the fast tier: generate realistic tickets, ingest, full refresh, render Home.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --tickets 1000000 --workdir /tmp/scale
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --tickets 100000 --backends sqlite
    .venv/bin/python bench/scale.py --tickets 1000000 --backends postgresql \\
        --pg-url postgresql+psycopg://user:pw@host/empty_db --workdir /tmp/scale
    .venv/bin/python bench/scale.py --tickets 1000000 --backends sqlite --workdir /tmp/scale \\
        --stages quality      # assignment quality on the stored run (after a refresh)

Tickets come from the sample generator (data/generate_sample.py, no extras, seed 11; its
truth.csv is written next to them); a workdir that already holds tickets generated for the same
count is reused. Each stage runs as the real CLI in a child process (`insights ingest`,
`insights refresh --full` with INSIGHTS_EMBEDDING_MODEL=fast), so wall time, CPU time (user +
sys) and peak RSS (`wait4` of that child) are what a user sees. The CLI is started by a small
launcher (`LAUNCHER`), not by this process: a child started from a process carries that
process's peak RSS into its own at `exec` (Linux keeps the old memory's high-water mark), so
after generating 1,000,000 tickets here a directly started ingest reported ~3 GB that was this
process's, not the ingest's (bench/README.md). The load average is printed
next to each figure, since on a shared machine wall time says little without it. The Home page
is then rendered with Streamlit's AppTest on that store (first render, then the median of warm
renders). The fast model is built before timing (once per machine).

Discovery fits on INSIGHTS_FIT_SAMPLE tickets and assigns the rest; the share fitted is printed
from the run's stats. `--stages quality` compares that sampled fit + assignment with a full fit
(no sampling) on a random subset of `--subset` tickets, both against the generator's truth.
Every figure is also appended to WORKDIR/results.jsonl.
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
SEED = 11
STAGES = ("ingest", "refresh", "home", "quality")
#: Runs argv[2:] and writes its wait4 figures to the file argv[1]; being small and started fresh,
#: it hands its child a clean peak RSS (see the module's docstring).
LAUNCHER = (
    "import json, os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "json.dump({'code': os.waitstatus_to_exitcode(status), 'maxrss_kb': usage.ru_maxrss,\n"
    "           'cpu_s': usage.ru_utime + usage.ru_stime}, open(sys.argv[1], 'w'))\n"
    "sys.exit(0)\n"
)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def record(work: Path, **fields) -> None:
    with (work / "results.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(fields | {"at": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")


def generate(n: int, folder: Path) -> Path:
    """The generator's tickets (reused when this folder already holds the same count)."""
    marker = folder / "generated.json"
    csv = folder / "tickets.csv"
    wanted = {"tickets": n, "seed": SEED, "extras": False}
    if csv.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted:
        print(f"reusing {n:,} generated tickets: {csv}", flush=True)
        return csv
    from generate_sample import write_sample

    t0 = time.perf_counter()
    write_sample(str(folder), n, SEED, extras=False)
    marker.write_text(json.dumps(wanted))
    print(f"generated {n:,} tickets in {time.perf_counter() - t0:.1f}s: {csv}", flush=True)
    return csv


def stage(name: str, args: list[str], env: dict[str, str], work: Path, backend: str) -> dict:
    """One CLI command in a child process: wall, CPU (user + sys) and peak RSS of that child."""
    load_before = load()
    t0 = time.perf_counter()
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as usage,
    ):
        launcher = [sys.executable, "-c", LAUNCHER, usage.name, INSIGHTS, *args]
        subprocess.run(launcher, env=env, stdout=out, stderr=err, text=True, check=True)
        seconds = time.perf_counter() - t0
        child = json.loads(Path(usage.name).read_text())
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    returncode = child["code"]
    if returncode != 0:
        raise SystemExit(f"{name} failed ({returncode}): {stderr.strip()[-800:]}")
    fig = {
        "backend": backend,
        "stage": name,
        "wall_s": round(seconds, 1),
        "cpu_s": round(child["cpu_s"], 1),
        "peak_rss_mb": round(child["maxrss_kb"] / 1024),
        "load_before": load_before,
        "load_after": load(),
    }
    print(
        f"  {name:8} wall {seconds:7.1f}s  cpu {fig['cpu_s']:7.1f}s  peak RSS "
        f"{fig['peak_rss_mb']:5} MB  load {load_before} -> {fig['load_after']}",
        flush=True,
    )
    for line in [line for line in stdout.splitlines() if line.strip()][-2:]:
        print(f"             {line.strip()[:110]}", flush=True)
    record(work, **fig)
    return fig


def home_render(env: dict[str, str], repeat: int = 3) -> tuple[float, float, float]:
    """First render, median warm render (seconds) and the CPU seconds of all renders.

    The pages' imports are loaded first, as `insights app` does before its server starts
    (app/serve.py): the first render is what the first visitor after a start waits for."""
    import functools

    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT / "app"))
    from serve import preload

    preload()
    # AppTest scans every installed distribution for Streamlit components on each run (1-4 s);
    # a server scans once at start, so the render measured here does too (as tests/conftest.py)
    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    scan_started = time.perf_counter()
    manifest_scanner.scan_component_manifests()
    print(
        f"  component scan (once, as at a server's start): {time.perf_counter() - scan_started:.2f}s"
    )

    os.environ.update({k: env[k] for k in ("INSIGHTS_DB_URL", "INSIGHTS_HOME")})
    home = str(ROOT / "app" / "Home.py")

    def once() -> float:
        at = AppTest.from_file(home, default_timeout=900)
        t0 = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return time.perf_counter() - t0

    before = resource.getrusage(resource.RUSAGE_SELF)
    first = once()
    warm = statistics.median(once() for _ in range(repeat))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return first, warm, cpu


def latest_run(url: str) -> tuple[int, dict, dict]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        run_id, stats, params = conn.execute(
            text(
                "SELECT id, stats, parameters FROM runs WHERE status='ok' ORDER BY id DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    stats = json.loads(stats) if isinstance(stats, str) else stats
    params = json.loads(params) if isinstance(params, str) else params
    return run_id, stats, params


def fit_share(url: str) -> tuple[str, dict]:
    _, stats, params = latest_run(url)
    n = stats.get("n_tickets", 0)
    fit = min(n, params.get("discovery", {}).get("fit_sample", n))
    timings = {k: round(v, 1) for k, v in stats.get("timings", {}).items()}
    line = f"{fit:,} of {n:,} tickets fitted ({fit / max(n, 1):.1%}), the rest assigned"
    return line, {"fitted": fit, "n": n, "timings": timings, "themes": stats.get("n_themes")}


def quality(url: str, truth_csv: Path, subset: int, seed: int = 0) -> dict:
    """The stored run's labels (sampled fit + assignment) against a full fit on a random subset.

    Both are scored against the generator's truth on the same subset (V-measure, ARI; unthemed
    rows count as one group), and against each other (ARI). The full fit uses the run's own
    parameters with `fit_sample` above the subset size, on the same stored vectors (the texts
    the refresh embedded are rebuilt with the boilerplate it learned, for the centring groups).
    """
    import numpy as np
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score, v_measure_score
    from sqlalchemy import create_engine, select

    from insights.embed.cache import load_vectors
    from insights.ingest.prepare import stored_learner
    from insights.store.models import Assignment, Ticket
    from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups

    run_id, _, params = latest_run(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        all_ids = np.array(conn.scalars(select(Ticket.id).order_by(Ticket.id)).all())
    n = len(all_ids)
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(all_ids, size=min(subset, n), replace=False))
    rows, assigned = {}, {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900].tolist()
            stmt = select(
                Ticket.id,
                Ticket.external_id,
                Ticket.clean_text,
                Ticket.language,
                Ticket.content_hash,
            ).where(Ticket.id.in_(part))
            rows.update({r.id: r for r in conn.execute(stmt)})
            stmt = select(Assignment.ticket_id, Assignment.theme_id).where(
                Assignment.run_id == run_id, Assignment.ticket_id.in_(part)
            )
            assigned.update(dict(conn.execute(stmt).all()))
    learner = stored_learner(engine)
    picked = [rows[int(i)] for i in ids]
    truth = pd.read_csv(truth_csv, dtype=str, keep_default_na=False).set_index("ticket_id")
    true = truth.loc[[r.external_id for r in picked], "theme"].to_numpy()
    run_labels = np.array([assigned.get(int(i)) or -1 for i in ids], dtype=np.int64)
    texts = [learner.transform(r.clean_text or "") for r in picked]
    langs = [r.language for r in picked]
    X = load_vectors(engine, stats_model(url), [r.content_hash for r in picked])
    engine.dispose()
    disc = dict(params.get("discovery", {}))
    disc["fit_sample"] = max(len(ids), disc.get("fit_sample", 0)) + 1
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    result = ThemeDiscoverer(DiscoveryParams(**disc)).fit(X, centering_groups(texts, langs))
    fit_wall, fit_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    full = result.labels
    # which of the subset the run fitted (discovery's own seeded sample over the store's rows,
    # in id order) and which it assigned: V of each part
    disc_run = params.get("discovery", {})
    fitted = np.zeros(len(ids), dtype=bool)
    if n > disc_run.get("fit_sample", n):
        fit_pos = np.random.default_rng(disc_run.get("seed", 42)).choice(
            n, size=disc_run["fit_sample"], replace=False
        )
        fitted = np.isin(np.searchsorted(all_ids, ids), fit_pos)
    else:
        fitted[:] = True
    parts = {}
    for name, mask in (("fitted", fitted), ("assigned", ~fitted)):
        if mask.sum() > 1:
            parts[f"run_V_{name}"] = round(v_measure_score(true[mask], run_labels[mask]), 3)
            parts[f"full_V_on_{name}"] = round(v_measure_score(true[mask], full[mask]), 3)
            parts[f"n_{name}"] = int(mask.sum())
    return parts | {
        "subset": len(ids),
        "n": n,
        "fitted_in_run": min(n, params.get("discovery", {}).get("fit_sample", n)),
        "run_V": round(v_measure_score(true, run_labels), 3),
        "run_ARI": round(adjusted_rand_score(true, run_labels), 3),
        "run_unthemed": round(float(np.mean(run_labels < 0)), 3),
        "run_themes_in_subset": len(set(run_labels.tolist()) - {-1}),
        "full_V": round(v_measure_score(true, full), 3),
        "full_ARI": round(adjusted_rand_score(true, full), 3),
        "full_unthemed": round(float(np.mean(full < 0)), 3),
        "full_themes": int(result.n_themes),
        "run_vs_full_ARI": round(adjusted_rand_score(run_labels, full), 3),
        "full_fit_wall_s": round(fit_wall, 1),
        "full_fit_cpu_s": round(fit_cpu, 1),
        "truth_themes": len(set(true.tolist())),
    }


def stats_model(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        model = conn.execute(
            text("SELECT model_id FROM runs WHERE status='ok' ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    engine.dispose()
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("INSIGHTS_TEST_PG_URL", ""),
        help="an empty PostgreSQL database (default: INSIGHTS_TEST_PG_URL)",
    )
    ap.add_argument("--stages", nargs="+", choices=STAGES, default=["ingest", "refresh", "home"])
    ap.add_argument("--subset", type=int, default=50_000, help="--stages quality: subset size")
    args = ap.parse_args()
    from insights.embed.fast_pieces import ensure_fast_model

    t0 = time.perf_counter()
    ensure_fast_model()
    print(f"fast model ready in {time.perf_counter() - t0:.1f}s", flush=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="insights-scale-"))
    csv = generate(args.tickets, work / "data")
    for backend in args.backends:
        home = work / backend
        home.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            url = f"sqlite:///{home / 'insights.db'}"
        else:
            url = args.pg_url
            if not url:
                print("postgresql: skipped (--pg-url or INSIGHTS_TEST_PG_URL: an empty database)")
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
        env.pop("PREFECT_API_URL", None)
        print(f"{backend}: {args.tickets:,} tickets, stages {' '.join(args.stages)}", flush=True)
        figures = []
        if "ingest" in args.stages:
            figures.append(stage("ingest", ["ingest", str(csv)], env, work, backend))
        if "refresh" in args.stages:
            figures.append(stage("refresh", ["refresh", "--full"], env, work, backend))
            line, run = fit_share(url)
            print(f"  {line}\n  run timings (s): {run['timings']}", flush=True)
            record(work, backend=backend, stage="run", **run)
        if figures:
            wall = sum(f["wall_s"] for f in figures)
            cpu = sum(f["cpu_s"] for f in figures)
            print(
                f"  {' + '.join(f['stage'] for f in figures)}: wall {wall / 60:.1f} min, "
                f"cpu {cpu / 60:.1f} min",
                flush=True,
            )
        if "home" in args.stages:
            load_before = load()
            first, warm, cpu = home_render(env)
            print(
                f"  Home render: first {first:.2f}s, warm median {warm:.2f}s "
                f"(cpu {cpu:.1f}s for 4 renders; load {load_before} -> {load()})",
                flush=True,
            )
            record(
                work,
                backend=backend,
                stage="home",
                first_s=round(first, 2),
                warm_s=round(warm, 2),
                cpu_s=round(cpu, 1),
                load_before=load_before,
                load_after=load(),
            )
        if "quality" in args.stages:
            q = quality(url, csv.parent / "truth.csv", args.subset)
            print(f"  quality: {q}", flush=True)
            record(work, backend=backend, stage="quality", **q)


if __name__ == "__main__":
    main()
