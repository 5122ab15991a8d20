"""Theme-id stability and incremental-vs-full agreement on the shipped sample.

    .venv/bin/python bench/stability.py

1. id stability: a full run on weeks 1-12 of the sample, then a full run on weeks 1-16; the share
   of first-run themes whose tickets keep their theme id (member Jaccard >= 0.5, over the tickets
   of weeks 1-12).
2. incremental against full: from the weeks 1-12 run, weeks 13-16 are assigned incrementally;
   the share of those new tickets that land in the theme the weeks 1-16 full run gives them
   (tickets left waiting count as disagreements and are reported too).
3. new themes still form: a full run on weeks 1-9, then a full run on weeks 1-16 (anchored on the
   first, as every full refresh is); the planted theme that starts in week 10 must land mostly in
   one theme whose id the first run did not have.
Also prints V-measure of each run against the sample's truth, for context.
INSIGHTS_ANCHOR_WEIGHT=0 shows the same figures without anchoring.

    .venv/bin/python bench/stability.py --discovery-only

    .venv/bin/python bench/stability.py --discovery-only --sets banking77 bitext

measures (1) and (3) on discovery alone, from the benchmark cache's vectors (no store, no
embedding): a fit on the older tickets (the sample: weeks 1-12 of 16; a benchmark set: weeks 1-10
of its 12 synthetic weeks), then a fit on all of them anchored on it ("two more weeks arrive"); a
first-run theme (5+ tickets) keeps its id when some second-run theme holds its older tickets with
member Jaccard >= 0.5 (one-to-one, largest first). "tracker" is the same count where the id is the
one track.match_clusters (as a full refresh calls it) gives. On the sample also the planted new
theme: a fit before its first week, an anchored fit on all; its share in one theme and whether
the tracker gives that theme a new id. STABILITY_CONFIGS picks configurations by name (`configs()`;
default "umap-anchor-only defaults": UMAP's partial labels only, as before HDBSCAN was anchored,
against the defaults), STABILITY_SEED the seed.
The spike backtest lives in bench/spikes.py.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SAMPLE = REPO / "data" / "sample"


def assignments(engine) -> dict[str, int | None]:
    from sqlalchemy import select

    from insights.jobs.runs import latest_run_id
    from insights.store.db import session_scope
    from insights.store.models import Assignment, Ticket

    with session_scope(engine) as s:
        run = latest_run_id(s)
        rows = s.execute(
            select(Ticket.external_id, Assignment.theme_id).join(
                Assignment, (Assignment.ticket_id == Ticket.id) & (Assignment.run_id == run)
            )
        ).all()
    return dict(rows)


def v_measure(assigned: dict[str, int | None], truth: dict[str, str]) -> float:
    from sklearn.metrics import v_measure_score

    keys = [k for k in assigned if k in truth]
    return v_measure_score([truth[k] for k in keys], [str(assigned[k]) for k in keys])


def seed_embeddings(url: str, source: Path | None) -> None:
    """Copy cached vectors from another SQLite store (e.g. the demo's) so only discovery runs."""
    if source is None:
        return
    import sqlite3

    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    con.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM src.embeddings")
    con.commit()
    con.close()


def write_before(rows: list[dict], cutoff: str, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["created_at"][:10] < cutoff)


def new_theme_check(rows, truth, cutoff, tmpdir, embeddings_from) -> str:
    """Full run before the planted new theme starts, anchored full run after: is it new?"""
    import json

    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    planted = json.loads((SAMPLE / "patterns.json").read_text())["new_theme"]["theme"]
    before = tmpdir / "before_new_theme.csv"
    write_before(rows, cutoff, before)
    url = f"sqlite:///{tmpdir / 'new_theme.db'}"
    engine = connect(url)
    settings = load_settings(url)
    seed_embeddings(url, embeddings_from)
    ingest_file(engine, before, settings)
    refresh(engine, settings)
    old_ids = {t for t in assignments(engine).values() if t is not None}
    ingest_file(engine, SAMPLE / "tickets.csv", settings)
    refresh(engine, settings, full=True)
    after = assignments(engine)
    engine.dispose()
    members = [after.get(k) for k, theme in truth.items() if theme == planted]
    themed = [t for t in members if t is not None]
    if not themed:
        return f"planted new theme {planted}: all {len(members)} tickets unthemed"
    top = max(set(themed), key=themed.count)
    return (
        f"planted new theme {planted} ({len(members)} tickets from week 10): "
        f"{themed.count(top) / len(members):.1%} in one theme, "
        f"{'a new id' if top not in old_ids else 'an OLD id (absorbed)'}"
    )


def _kept(first: np.ndarray, second_early: np.ndarray) -> tuple[int, int]:
    """First-run themes (5+) some second-run theme holds with member Jaccard >= 0.5, one-to-one
    (largest first): (kept, themes)."""
    themes = [t for t in np.unique(first[first >= 0]) if (first == t).sum() >= 5]
    kept, used = 0, set()
    for theme in sorted(themes, key=lambda t: -(first == t).sum()):
        members = first == theme
        cands = [c for c in np.unique(second_early[members]) if c >= 0 and c not in used]
        best, best_j = None, 0.0
        for c in cands:
            other = second_early == c
            j = (members & other).sum() / (members | other).sum()
            if j > best_j:
                best, best_j = c, j
        if best is not None and best_j >= 0.5:
            kept += 1
            used.add(best)
    return kept, len(themes)


def _tracked(first, second, idx: np.ndarray) -> tuple[dict[int, int | None], int, int]:
    """What the tracker (track.match_clusters, as a full refresh calls it) makes of a refit:
    second-run cluster -> first-run theme (None: new), how many first-run themes (5+) keep
    their id with member Jaccard >= 0.5 (the store bench's measure), and how many keep their id
    or a lineage whatever the overlap: the tracker continues their id (a theme that absorbed
    its language split can fall below Jaccard 0.5) or records them merged into a theme that
    continues (`merged_into`, annotations carried over)."""
    from insights.themes.track import PreviousTheme, match_clusters

    f, s = first.labels, second.labels
    previous = [
        PreviousTheme(t, first.centroids[t], set(idx[f == t].tolist()))
        for t in range(first.n_themes)
    ]
    members = [set(np.flatnonzero(s == c).tolist()) for c in range(second.n_themes)]
    tracked = match_clusters(previous, second.centroids, members, set(idx.tolist()))
    kept = 0
    for c, theme in tracked.theme_for_cluster.items():
        if theme is None or (f == theme).sum() < 5:
            continue
        before = previous[theme].members
        after = members[c] & set(idx.tolist())
        kept += len(before & after) / len(before | after) >= 0.5
    lineage = sum(
        event in ("continued", "merged") and (f == theme).sum() >= 5
        for event, theme, _, _ in tracked.events
    )
    return tracked.theme_for_cluster, kept, lineage


def configs() -> dict:
    """Configurations of --discovery-only by name (STABILITY_CONFIGS picks some)."""
    from insights.themes.discover import DiscoveryParams

    seed = int(os.environ.get("STABILITY_SEED", DiscoveryParams.seed))
    off = {"rejoin_splits": False, "undo_merges": False, "seed": seed}  # HDBSCAN not anchored
    # the configurations measured before self-training became the default keep their meaning
    plain = {"adapt_rounds": 0, "seed": seed}
    return {
        "before": DiscoveryParams.before_adaptation(**off),
        "ours": DiscoveryParams.adapted_fixed(**off),
        "umap-anchor-only": DiscoveryParams(**(off | plain)),
        "umap-anchor-0.9": DiscoveryParams(anchor_weight=0.9, **(off | plain)),
        "rejoin-splits": DiscoveryParams(undo_merges=False, **plain),
        "plain": DiscoveryParams(**plain),
        "keep-language-merges": DiscoveryParams(keep_language_merges=True, **plain),
        "umap-default-epochs": DiscoveryParams(umap_epochs=None, **plain),
        "adapted-1.5": DiscoveryParams.adapted_fixed(seed=seed),
        "defaults": DiscoveryParams(seed=seed),
        "refit-keeps-granularity": DiscoveryParams(refit_keeps_granularity=True, seed=seed),
        # self-training is the default now: "self-training" and "defaults" are the same
        # configuration (both names kept, bench/README.md's tables use them)
        "self-training": DiscoveryParams(seed=seed),
        # refits' layouts: 200 epochs, each its own spectral start (the default until
        # 2026-12-03, late) against 60 / 100 epochs from one shared start (60: the default)
        "long-refit": DiscoveryParams(refit_epochs=None, seed=seed),
        "short-refit": DiscoveryParams(refit_epochs=60, seed=seed),
        "short-refit-100": DiscoveryParams(refit_epochs=100, seed=seed),
        "self-training-refit-by-silhouette": DiscoveryParams(
            refit_keeps_granularity=False, seed=seed
        ),
    }


def discovery_only(set_name: str) -> None:
    """Id survival over an anchored refit, on discovery alone (see the module doc)."""
    import json
    from dataclasses import replace

    import pandas as pd
    from common import BENCH_DIR, cached_embeddings, load_sets
    from sklearn.metrics import v_measure_score

    from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL
    from insights.themes.discover import ThemeDiscoverer, centering_groups

    bench = load_sets([set_name])[0]
    E, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
    source = SAMPLE / "tickets.csv" if set_name == "sample" else BENCH_DIR / f"{set_name}.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    created = dict(zip(frame["ticket_id"], frame["created_at"], strict=True))
    dates = pd.to_datetime(pd.Series([created[t] for t in bench.ids]), utc=True)
    start = dates.min().normalize()
    weeks = ((dates - start).dt.days // 7).to_numpy()
    last_old_week = 11 if set_name == "sample" else int(weeks.max()) - 2
    early = weeks <= last_old_week
    print(f"{set_name}: {early.sum()} older tickets, {len(E) - early.sum()} in the 2+ new weeks")
    groups = centering_groups(bench.texts, bench.languages)
    truth = np.asarray(bench.labels)
    planted = None
    if set_name == "sample":
        planted = json.loads((SAMPLE / "patterns.json").read_text())["new_theme"]["theme"]
    known = configs()
    names = os.environ.get("STABILITY_CONFIGS", "umap-anchor-only defaults").split()

    firsts: dict[tuple[str, int], object] = {}

    def refit(params, idx: np.ndarray):
        # the HDBSCAN anchoring switches act on anchored fits only: one first fit serves both
        off = {"rejoin_splits": False, "undo_merges": False, "keep_language_merges": False}
        key = (repr(replace(params, **off)), len(idx))
        if key not in firsts:
            firsts[key] = ThemeDiscoverer(params).fit(E[idx], [groups[i] for i in idx])
        first = firsts[key]
        anchor = np.full(len(E), -1)
        anchor[idx] = first.labels
        second = ThemeDiscoverer(params).fit(E, groups, anchor=anchor)
        return first, second

    for name in names:
        params = known[name]
        idx = np.flatnonzero(early)
        t0 = time.perf_counter()
        first, second = refit(params, idx)
        secs = time.perf_counter() - t0
        kept, n = _kept(first.labels, second.labels[idx])
        _, kept_tracked, lineage = _tracked(first, second, idx)
        used = second.params_used
        v1 = v_measure_score(truth[idx], first.labels)
        v2 = v_measure_score(truth, second.labels)
        print(
            f"{set_name} {name:18} themes (5+) {n}; kept their id {kept}/{n} = {kept / n:.3f} "
            f"(tracker: {kept_tracked / n:.3f}; id or lineage kept: "
            f"{lineage / n:.3f}); V older {v1:.3f}, all {v2:.3f}; "
            f"re-joined {used.get('rejoined_splits', 0)}, "
            f"un-merged {used.get('undone_merges', 0)}, "
            f"language merges kept {used.get('language_merges_kept', 0)}; {secs:.0f}s",
            flush=True,
        )
        if planted is None:
            continue
        # new themes still form: fit before the planted theme's first week, anchored refit on all
        is_planted = truth == planted
        before_idx = np.flatnonzero(weeks < weeks[is_planted].min())
        first, second = refit(params, before_idx)
        theme_for, _, _ = _tracked(first, second, before_idx)
        got = second.labels[is_planted]
        top = np.bincount(got[got >= 0]).argmax() if (got >= 0).any() else -1
        share = float(np.mean(got == top)) if top >= 0 else 0.0
        new_id = top >= 0 and theme_for[int(top)] is None
        print(
            f"{set_name} {name:18} planted new theme {planted} ({is_planted.sum()} tickets): "
            f"{share:.1%} in one theme, {'a new id' if new_id else 'an OLD id (absorbed)'}",
            flush=True,
        )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--embeddings-from",
        type=Path,
        default=None,
        help="SQLite store whose cached vectors to reuse (same model)",
    )
    parser.add_argument(
        "--discovery-only", action="store_true", help="vectors from bench/.cache, no store"
    )
    parser.add_argument("--sets", nargs="+", default=["sample"], help="with --discovery-only")
    args = parser.parse_args()
    if args.discovery_only:
        sys.path.insert(0, str(REPO / "bench"))
        for name in args.sets:
            discovery_only(name)
        return

    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    rows = list(csv.DictReader((SAMPLE / "tickets.csv").open(encoding="utf-8")))
    truth = {r["ticket_id"]: r["theme"] for r in csv.DictReader((SAMPLE / "truth.csv").open())}
    cutoff = "2026-08-24"  # Monday of week 13 (2026-W35)
    new_theme_cutoff = "2026-08-03"  # Monday of week 10 (2026-W32), the planted new theme's start
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        early = tmpdir / "weeks_1_12.csv"
        write_before(rows, cutoff, early)
        new_theme = new_theme_check(rows, truth, new_theme_cutoff, tmpdir, args.embeddings_from)
        full_url = f"sqlite:///{tmpdir / 'full.db'}"
        engine = connect(full_url)
        settings = load_settings(full_url)
        seed_embeddings(full_url, args.embeddings_from)
        ingest_file(engine, early, settings)
        t = time.perf_counter()
        refresh(engine, settings)
        print(f"weeks 1-12 full run: {time.perf_counter() - t:.0f}s")
        first = assignments(engine)
        engine.dispose()
        inc_path = tmpdir / "incremental.db"
        shutil.copy(tmpdir / "full.db", inc_path)

        engine = connect(full_url)
        ingest_file(engine, SAMPLE / "tickets.csv", settings)
        refresh(engine, settings, full=True)
        second = assignments(engine)

        os.environ["INSIGHTS_FULL_REFRESH_SHARE"] = "1.0"
        inc_url = f"sqlite:///{inc_path}"
        inc_engine = connect(inc_url)
        inc_settings = load_settings(inc_url)
        ingest_file(inc_engine, SAMPLE / "tickets.csv", inc_settings)
        result = refresh(inc_engine, inc_settings)
        assert result.mode == "incremental", result.message
        incremental = assignments(inc_engine)

    themes = {t for t in first.values() if t is not None}
    kept = 0
    for theme in themes:
        before = {k for k, v in first.items() if v == theme}
        after = {k for k, v in second.items() if v == theme and k in first}
        kept += len(before & after) / len(before | after) >= 0.5
    new = [k for k in second if k not in first]
    agree = sum(incremental.get(k) == second[k] and second[k] is not None for k in new)
    waiting = sum(incremental.get(k) is None for k in new)
    print(
        f"themes in the weeks 1-12 run: {len(themes)}; kept their id on weeks 1-16: "
        f"{kept}/{len(themes)} = {kept / len(themes):.3f}"
    )
    print(
        f"new tickets (weeks 13-16): {len(new)}; incremental agrees with full: "
        f"{agree / len(new):.3f}; left waiting: {waiting / len(new):.3f}"
    )
    print(new_theme)
    print(
        f"V-measure vs truth: weeks 1-12 {v_measure(first, truth):.3f}, weeks 1-16 "
        f"{v_measure(second, truth):.3f}, incremental {v_measure(incremental, truth):.3f}"
    )


if __name__ == "__main__":
    main()
