"""Speed benchmark: embedding alone vs the whole refresh, on the sample and a generated set.

    .venv/bin/python bench/speed.py --n 8000          # the shipped sample size
    .venv/bin/python bench/speed.py --n 50000         # generated with data/generate_sample.py

Prints tickets/s of embedding alone (the model on the tickets' texts, no store), of the whole
first refresh (embed + discover + label + write), the ratio of the two, the time of a second
refresh with nothing new (embeds nothing), and peak memory (RSS) of this process.

``--single-pass`` skips the separate embedding-only pass and takes embedding alone as the time
spent inside the model during the refresh itself (same texts, same run, same machine load). It
halves the wall time of the 50,000-ticket run, which otherwise embeds everything twice.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--single-pass", action="store_true")
    args = parser.parse_args()

    from insights.embed import embed_texts, load_embedder
    from insights.ingest.load import ingest_file
    from insights.jobs.refresh import refresh
    from insights.settings import load_settings
    from insights.store.db import connect

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        if args.n == 8000:
            path = REPO / "data" / "sample" / "tickets.csv"
        else:
            subprocess.run(
                [
                    sys.executable,
                    str(REPO / "data" / "generate_sample.py"),
                    "--out",
                    str(tmpdir / "gen"),
                    "--n",
                    str(args.n),
                    "--seed",
                    str(args.seed),
                    "--no-extras",
                ],
                check=True,
                capture_output=True,
            )
            path = tmpdir / "gen" / "tickets.csv"
        url = f"sqlite:///{tmpdir / 'store.db'}"
        settings = load_settings(url)
        engine = connect(url)
        t = time.perf_counter()
        result = ingest_file(engine, path, settings)
        ingest_s = time.perf_counter() - t
        from sqlalchemy import text as sql

        with engine.connect() as conn:
            texts = [r[0] for r in conn.execute(sql("SELECT DISTINCT text FROM tickets"))]

        embed_s = 0.0
        if not args.single_pass:
            model = load_embedder(settings.embedding.model, settings.embedding.threads)
            t = time.perf_counter()
            embed_texts(
                model,
                settings.embedding.model,
                texts,
                batch_size=settings.embedding.batch_size,
                max_tokens=settings.embedding.max_tokens,
            )
            embed_s = time.perf_counter() - t
            del model

        t = time.perf_counter()
        first = refresh(engine, settings)
        refresh_s = time.perf_counter() - t
        if args.single_pass:
            embed_s = first.timings["embed_model"]
        t = time.perf_counter()
        second = refresh(engine, settings)
        second_s = time.perf_counter() - t

    n = result.new
    print(
        f"tickets: {n:,} ({len(texts):,} distinct texts); ingest {ingest_s:.1f}s ({n / ingest_s:,.0f}/s)"
    )
    where = "model time inside the refresh" if args.single_pass else "separate pass"
    print(f"embedding alone ({where}): {embed_s:.1f}s = {len(texts) / embed_s:,.1f} texts/s")
    print(
        f"first refresh:   {refresh_s:.1f}s = {n / refresh_s:,.1f} tickets/s "
        f"(embed {first.timings['embed']:.1f}s, discover {first.timings['discover']:.1f}s, "
        f"label {first.timings['label']:.1f}s, write {first.timings['write']:.1f}s)"
    )
    print(f"refresh / embedding-only time: {refresh_s / embed_s:.2f}")
    print(f"second refresh (nothing new): {second_s:.1f}s, embedded {second.n_embedded}")
    print(
        f"themes: {first.n_themes}, unthemed {first.unthemed_share:.1%}; peak RSS {peak_rss_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
