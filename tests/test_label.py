"""Theme labels on a small handmade multilingual corpus: 3 themes x 5 languages x 3 tickets."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from insights.themes.label import (
    MAX_TITLE_CHARS,
    ThemeLabel,
    c_tf_idf,
    label_themes,
    labelling_rows,
)

CORPUS: dict[int, dict[str, list[str]]] = {
    0: {  # refund not received
        "en": [
            "I still haven't received my refund for the returned item",
            "Refund not received after the return was approved",
            "Where is my refund? It has been two weeks",
        ],
        "id": [
            "Refund saya belum masuk padahal barang sudah dikembalikan",
            "Dana refund belum diterima sampai sekarang",
            "Kapan refund saya diproses? Sudah seminggu",
        ],
        "zh": ["我的退款还没有到账", "退货以后一直没收到退款", "退款什么时候到账？已经两个星期了"],
        "th": ["ยังไม่ได้รับเงินคืนเลยค่ะ", "คืนสินค้าแล้วแต่ยังไม่ได้เงินคืน", "เงินคืนจะเข้าเมื่อไหร่ครับ"],
        "vi": [
            "Tôi chưa nhận được hoàn tiền.",
            "Đã trả hàng nhưng chưa được hoàn tiền",
            "Khi nào tôi được hoàn tiền vậy shop",
        ],
    },
    1: {  # parcel late
        "en": [
            "My parcel is late, the delivery is delayed again",
            "The package delivery is delayed for a week",
            "Courier delivery late, parcel still not here",
        ],
        "id": [
            "Paket saya belum sampai, pengiriman terlambat",
            "Pengiriman paket lambat sekali",
            "Kurir terlambat mengantar paket saya",
        ],
        "zh": ["我的快递一直没到，物流太慢了", "包裹配送延迟了一个星期", "快递太慢了，包裹还没到"],
        "th": ["พัสดุยังไม่มาส่งเลย ขนส่งช้ามาก", "การจัดส่งพัสดุล่าช้า", "พัสดุส่งช้ามากค่ะ"],
        "vi": [
            "Giao hàng chậm quá, đơn hàng vẫn chưa tới",
            "Đơn vị vận chuyển giao hàng trễ",
            "Sao giao hàng lâu vậy, đã một tuần rồi",
        ],
    },
    2: {  # account locked
        "en": [
            "I cannot log in to my account, password reset not working",
            "My account is locked and I can't log in",
            "Login fails, account locked after password reset",
        ],
        "id": [
            "Akun saya terkunci, tidak bisa login",
            "Tidak bisa masuk akun, lupa password",
            "Akun terblokir setelah ganti password",
        ],
        "zh": [
            "我的账号被锁了，无法登录",
            "账号登录不了，密码重置也没用",
            "忘记密码，账号登录失败",
        ],
        "th": ["เข้าสู่ระบบไม่ได้ บัญชีถูกล็อก", "ลืมรหัสผ่าน เข้าบัญชีไม่ได้", "บัญชีโดนล็อกค่ะ"],
        "vi": [
            "Tài khoản của tôi bị khóa, không đăng nhập được",
            "Không đăng nhập được tài khoản, quên mật khẩu",
            "Tài khoản bị khóa sau khi đổi mật khẩu",
        ],
    },
}
UNTHEMED = [
    ("What are your opening hours?", "en"),
    ("Bisakah saya ganti warna produk?", "id"),
    ("这个商品有别的颜色吗", "zh"),
    ("Can I change the color of my item?", "en"),
]

#: For each theme and language: at least one of these must be among the language's keywords.
EXPECTED: dict[int, dict[str, set[str]]] = {
    0: {"en": {"refund"}, "id": {"refund"}, "zh": {"退款"}, "th": {"เงินคืน", "รับเงิน", "เงิน"},
        "vi": {"hoàn tiền"}},
    1: {"en": {"delivery", "parcel", "delayed"}, "id": {"paket", "pengiriman", "terlambat"},
        "zh": {"快递", "包裹"}, "th": {"พัสดุ", "ส่ง", "ช้า"}, "vi": {"giao hàng", "giao"}},
    2: {"en": {"account", "password", "locked"}, "id": {"akun", "password"},
        "zh": {"账号", "登录", "密码"}, "th": {"บัญชี", "ล็อก"},
        "vi": {"tài khoản", "đăng nhập", "mật khẩu"}},
}  # fmt: skip


def _corpus() -> tuple[list[str], list[str], np.ndarray]:
    texts: list[str] = []
    languages: list[str] = []
    labels: list[int] = []
    for theme, by_lang in CORPUS.items():
        for lang, items in by_lang.items():
            texts += items
            languages += [lang] * len(items)
            labels += [theme] * len(items)
    for text, lang in UNTHEMED:
        texts.append(text)
        languages.append(lang)
        labels.append(-1)
    return texts, languages, np.array(labels)


@pytest.fixture(scope="module")
def labelled() -> tuple[list[str], list[str], np.ndarray, dict[int, ThemeLabel]]:
    texts, languages, labels = _corpus()
    return texts, languages, labels, label_themes(texts, languages, labels)


def test_every_theme_labelled_and_unthemed_not(labelled) -> None:
    _, _, _, result = labelled
    assert set(result) == {0, 1, 2}
    assert -1 not in result


def test_keywords_per_language_contain_expected_words(labelled) -> None:
    _, _, _, result = labelled
    for theme, by_lang in EXPECTED.items():
        label = result[theme]
        assert set(label.keywords_by_language) == set(by_lang)
        for lang, expected in by_lang.items():
            keywords = label.keywords_by_language[lang]
            assert 0 < len(keywords) <= 6
            assert expected & set(keywords), (theme, lang, keywords)


def test_chinese_and_thai_keywords_are_in_their_script(labelled) -> None:
    _, _, _, result = labelled
    for label in result.values():
        assert all(
            any("\u4e00" <= ch <= "\u9fff" for ch in k) for k in label.keywords_by_language["zh"]
        )
        assert all(
            any("\u0e00" <= ch <= "\u0e7f" for ch in k) for k in label.keywords_by_language["th"]
        )


def test_overall_keywords_deduplicated_and_across_languages(labelled) -> None:
    _, _, _, result = labelled
    for label in result.values():
        assert 0 < len(label.keywords) <= 8
        assert len(set(label.keywords)) == len(label.keywords)
    assert "refund" in result[0].keywords  # shared by English and Indonesian tickets


def test_titles_short_readable_and_english_first(labelled) -> None:
    _, _, _, result = labelled
    for label in result.values():
        assert 0 < len(label.title) <= MAX_TITLE_CHARS
        assert label.title.strip() == label.title
        assert label.title.isascii()  # English tickets present: English title
    assert "refund" in result[0].title.lower()
    assert "account" in result[2].title.lower() or "password" in result[2].title.lower()


def test_title_falls_back_to_most_common_language() -> None:
    texts = CORPUS[0]["zh"] + ["退款怎么还没到", "申请退款好几天了"] + CORPUS[0]["th"]
    languages = ["zh"] * 5 + ["th"] * 3
    result = label_themes(texts, languages, np.zeros(len(texts), dtype=int))
    assert "退款" in result[0].title
    assert len(result[0].title) <= MAX_TITLE_CHARS


def test_representatives_by_keyword_coverage(labelled) -> None:
    _, languages, labels, result = labelled
    for theme, label in result.items():
        assert set(label.representatives) == set(CORPUS[theme])
        for lang, indices in label.representatives.items():
            assert 1 <= len(indices) <= 3
            assert len(set(indices)) == len(indices)
            for i in indices:
                assert labels[i] == theme and languages[i] == lang


def test_representatives_nearest_centroid() -> None:
    texts, languages, labels = _corpus()
    rng = np.random.default_rng(0)
    centroids = rng.normal(size=(3, 16))
    embeddings = rng.normal(size=(len(texts), 16))
    typical: dict[tuple[int, str], int] = {}
    for i, (label, lang) in enumerate(zip(labels.tolist(), languages, strict=True)):
        if label >= 0:
            embeddings[i] = centroids[label] + rng.normal(scale=0.8, size=16)
            if (label, lang) not in typical:  # the first ticket of each language: on the centroid
                embeddings[i] = centroids[label] * 2.0
                typical[(label, lang)] = i
    result = label_themes(texts, languages, labels, embeddings=embeddings, centroids=centroids)
    for (theme, lang), index in typical.items():
        reps = result[theme].representatives[lang]
        assert reps[0] == index
        assert all(labels[i] == theme and languages[i] == lang for i in reps)
    # Without centroids, the members' mean is used and still finds the typical tickets.
    result = label_themes(texts, languages, labels, embeddings=embeddings)
    assert all(result[t].representatives[lang][0] == i for (t, lang), i in typical.items())


def test_small_language_share_gets_representatives_but_no_keywords() -> None:
    texts = CORPUS[0]["en"] + ["Refund belum masuk kak"]
    result = label_themes(texts, ["en", "en", "en", "id"], np.zeros(4, dtype=int))
    assert set(result[0].keywords_by_language) == {"en"}
    assert result[0].representatives["id"] == [3]


def test_no_themes_and_bad_input() -> None:
    assert label_themes(["a", "b"], ["en", "en"], np.array([-1, -1])) == {}
    assert label_themes([], [], np.array([], dtype=int)) == {}
    with pytest.raises(ValueError):
        label_themes(["a"], ["en", "en"], np.array([0]))
    empty = label_themes(["!!!", "???"], ["en", "en"], np.array([0, 0]))
    assert empty[0].keywords == [] and empty[0].title


def test_c_tf_idf_matches_bertopic_formula() -> None:
    counts = sp.csr_matrix(np.array([[2, 0, 1], [0, 3, 1]], dtype=float))
    tf = counts.toarray() / counts.toarray().sum(axis=1, keepdims=True)
    avg_words = counts.toarray().sum(axis=1).mean()
    idf = np.log(1 + avg_words / counts.toarray().sum(axis=0))
    np.testing.assert_allclose(c_tf_idf(counts).toarray(), tf * idf)


def test_labelling_rows_sample_large_stores_and_keep_small_themes() -> None:
    labels = np.zeros(10_000, dtype=np.int64)
    labels[:50] = 1  # a small theme: kept whole
    labels[50:2000] = 2
    labels[2000:3000] = -1
    np.testing.assert_array_equal(labelling_rows(labels, 20_000, 0), np.arange(10_000))
    rows = labelling_rows(labels, 1_000, 0, per_theme=300)
    assert len(rows) == len(set(rows.tolist())) and np.all(np.diff(rows) > 0)
    assert 1_000 <= len(rows) <= 1_000 + 50 + 300
    assert (labels[rows] == 1).sum() == 50
    assert (labels[rows] == 2).sum() >= 300 and (labels[rows] == 0).sum() >= 300
    np.testing.assert_array_equal(rows, labelling_rows(labels, 1_000, 0, per_theme=300))
