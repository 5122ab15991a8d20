"""Imported once by the session's fork server (tests/forked.py): compiles discovery's numba
code there, so every process forked from it starts with UMAP's layout compiled (the graphs of
fits up to 20,000 rows are exact: no NNDescent, `insights/themes/neighbours.py`). It also
imports the encoder module (sentence-transformers, torch: about 7 s a process); no torch
operation runs here, so forking stays safe. Prefect is not imported: it reads its settings
(the test's API URL) when imported, which must happen in the child.

numba's default threading layer here is GNU OpenMP, which aborts a process forked after it
ran; the workqueue layer is fork-safe. Discovery runs UMAP single-threaded (fixed seed), so
the layer does not change its results.
"""

import warnings

import numba
import numpy as np

numba.config.THREADING_LAYER = "workqueue"

import insights.embed.encoder  # noqa: E402, F401
from insights.themes.discover import ThemeDiscoverer  # noqa: E402  (after the layer is set)


def _blobs(n_per: int = 40, topics: int = 4, dim: int = 384) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(topics, dim))
    X = np.vstack([c + 0.3 * rng.normal(size=(n_per, dim)) for c in centres])
    return X.astype(np.float32), ["en", "th"] * (len(X) // 2)


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    X, langs = _blobs()
    first = ThemeDiscoverer().fit(X, langs)
    ThemeDiscoverer().fit(X, langs, anchor=first.labels)  # the anchored (supervised) path too
