"""The fast model's pieces distilled on first use: the rows a text reads are those of the whole
build, whichever pieces were distilled before; the pieces are kept for the next process; a
killed run keeps what it finished; processes that distil at once do not clash."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import insights.embed.fast_model as fm
from insights.embed.fast_pieces import FastTable, PieceStore

DIM = 48  # above the 20 common components the distilled view loses


def tiny_vocab(n_words: int = 3000):
    """A vocabulary shaped like the encoder's: specials, the bare word-start marker, words
    with Zipf-like unigram log probabilities and random input rows."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = [f"w{i}" for i in range(n_words)]
    pieces = ["<s>", "</s>", "<unk>", "\u2581", *words]
    p = 1.0 / np.arange(1, len(pieces) + 1)
    rng = np.random.default_rng(0)
    vocab = SimpleNamespace(
        pieces=pieces,
        scores=np.log(p / p.sum()).astype(np.float32),
        special_ids={0, 1, 2},
        bos=0,
        eos=1,
        hidden=DIM,
        input_embeddings=rng.normal(size=(len(pieces), DIM)).astype(np.float32),
    )
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(pieces)}, "<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return vocab, tokenizer


class Encoder:
    """A deterministic stand-in for the transformer (each sequence's vector depends on that
    sequence alone, with a direction every piece shares); counts what it is asked."""

    def __init__(self, kill_after: int | None = None) -> None:
        self.rows = np.random.default_rng(1).normal(size=(4000, DIM))
        self.shared = np.random.default_rng(2).normal(size=DIM) * 3
        self.seen: list[tuple[int, ...]] = []
        self.kill_after = kill_after

    def __call__(self, sequences: list[tuple[int, ...]]) -> np.ndarray:
        if self.kill_after is not None and len(self.seen) >= self.kill_after:
            raise KeyboardInterrupt  # what ^C or a SIGTERM does mid-build
        self.seen.extend(sequences)
        out = np.array([self.rows[list(s[1:-1])].sum(0) + self.shared for s in sequences])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(autouse=True)
def small_reference(monkeypatch):
    monkeypatch.setattr(fm, "REFERENCE_TOP", 8)
    monkeypatch.setattr(fm, "REFERENCE_SAMPLE", 12)


def table(folder, encoder: Encoder | None = None) -> FastTable:
    vocab, tokenizer = tiny_vocab()
    return FastTable(vocab, tokenizer, PieceStore(folder), encoder or Encoder())


def test_rows_distilled_on_first_use_are_the_whole_build_s(tmp_path):
    whole = table(tmp_path / "whole")
    whole.complete(range(len(whole.table)))
    assert whole.done.all()

    encoder = Encoder()
    lazy = table(tmp_path / "lazy", encoder)
    reference, _ = fm.reference_pieces(lazy.vocab, np.array([bool(t) for t in lazy.texts]))
    assert len(encoder.seen) == len(reference) == 20  # preparing distils the reference only
    asked = [40, 41, 60, 61, 62, 63, *range(100, 3000, 7)]
    one_by_one = sum(lazy.complete([i]) for i in asked[:6])
    assert one_by_one + lazy.complete(asked) == len(set(asked) - set(reference.tolist()))
    assert lazy.complete(asked) == 0  # each piece once
    # to the bit: a piece's row never depends on the pieces distilled in the same call
    np.testing.assert_array_equal(lazy.table[asked], whole.table[asked])
    np.testing.assert_array_equal(lazy.table[reference], whole.table[reference])
    assert not lazy.table[[0, 1, 2, 3]].any()  # specials and the bare marker stay zero


def test_the_next_process_reads_the_pieces_back_without_the_encoder(tmp_path):
    first = table(tmp_path / "pieces")
    first.complete([30, 31, 32])
    encoder = Encoder()
    again = table(tmp_path / "pieces", encoder)
    assert encoder.seen == []
    assert again.complete([30, 31, 32]) == 0
    np.testing.assert_array_equal(again.table, first.table)


def test_a_killed_run_keeps_its_finished_chunks(tmp_path):
    folder = tmp_path / "pieces"
    table(folder).complete([])  # prepared: the reference pieces are stored
    killed = table(folder, Encoder(kill_after=4))
    todo = [i for i in range(len(killed.table)) if not killed.done[i]]
    with pytest.raises(KeyboardInterrupt):
        killed.complete(todo, chunk=4)
    assert not list(folder.glob("*.partial"))
    encoder = Encoder()
    resumed = table(folder, encoder)
    assert resumed.complete(todo) == len(todo) - 4  # the first chunk was kept
    assert len(encoder.seen) == len(todo) - 4


def test_processes_distilling_at_once_share_the_store(tmp_path, monkeypatch):
    """Two processes (Dask workers, two refreshes) distil overlapping pieces into one store;
    rows files are only added, a reader merges many into one, and no piece is lost."""
    import insights.embed.fast_pieces as fp

    monkeypatch.setattr(fp, "MERGE_AT", 3)
    folder = tmp_path / "pieces"
    a, b = table(folder), table(folder)
    for start in range(20, 60, 5):
        a.complete(range(start, start + 5), chunk=2)
        b.complete(range(start + 3, start + 8), chunk=2)
    ids, _ = PieceStore(folder).rows()  # many files: merged
    assert len(list(folder.glob("rows-*.npz"))) == 1
    assert len(ids) == len(set(ids.tolist())) and set(range(20, 63)) <= set(ids.tolist())
    reader = table(folder)
    assert reader.complete(range(20, 63)) == 0
    whole = table(tmp_path / "whole")
    whole.complete(range(20, 63))
    np.testing.assert_allclose(reader.table, whole.table, atol=1e-6)


def test_the_reference_depends_on_the_vocabulary_alone():
    vocab, _ = tiny_vocab()
    live = np.array([i > 3 for i in range(len(vocab.pieces))])
    ids, weights = fm.reference_pieces(vocab, live)
    again, _ = fm.reference_pieces(vocab, live)
    np.testing.assert_array_equal(ids, again)
    assert len(ids) == 20 and set(range(4, 12)) <= set(ids.tolist())  # the 8 most probable
    p = np.exp(vocab.scores.astype(np.float64))
    drawn = np.setdiff1d(ids, np.arange(4, 12))
    # each drawn piece stands for (rest / drawn) pieces of the rest
    np.testing.assert_allclose(
        weights[np.isin(ids, drawn)], p[drawn] * (len(vocab.pieces) - 12) / 12
    )


def test_the_pipeline_embeds_with_a_table_completed_as_it_reads(tmp_path):
    """`StaticEngine` over the partial table completes the rows a batch reads first: the
    vectors are those of the whole model written as a folder."""
    from insights.embed.text_embedder import StaticEngine

    whole = table(tmp_path / "whole")
    whole.complete(range(len(whole.table)))
    folder = fm.save_static_model(tmp_path / "model", whole.tokenizer, whole.table, {})
    lazy = table(tmp_path / "lazy")
    engine = StaticEngine(lazy.tokenizer, lazy.table, 0, lazy)
    texts = ["w40 w41 w5", "w59", "w7 w7 w58"]
    ours = engine.vectors(texts, 128)
    read = [lazy.vocab.pieces.index(w) for w in ("w40", "w41", "w58", "w59")]
    assert lazy.done[read].all()
    np.testing.assert_allclose(
        ours, StaticEngine.from_folder(folder).vectors(texts, 128), atol=1e-6
    )


def test_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    store = PieceStore(tmp_path / "pieces")
    store.add(np.array([5]), np.ones((1, DIM)))

    def full_disk(fh, **arrays):
        fh.write(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(OSError, match="No space"):
        store.add(np.array([6]), np.ones((1, DIM)))
    assert sorted(p.name for p in store.folder.iterdir() if not p.name.startswith("rows-")) == []
    ids, _ = store.rows()
    assert ids.tolist() == [5]


def test_damaged_files_in_the_store_are_made_again(tmp_path):
    """A file damaged on disk (not by this product: its writes are atomic) costs a re-run of
    what it held, never a crash."""
    folder = tmp_path / "pieces"
    first = table(folder)
    first.complete([30, 31])
    for name in (PieceStore.INPUT, PieceStore.STATS):
        (folder / name).write_bytes(b"garbage")
    (folder / "rows-damaged.npz").write_bytes(b"PK\x03\x04 truncated")
    again = table(folder)
    assert not (folder / "rows-damaged.npz").exists()
    assert again.complete([30, 31]) == 0
    np.testing.assert_array_equal(again.table, first.table)
