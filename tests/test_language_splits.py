"""Themes that are one topic cut by language merge; themes apart in topic, or of one language,
never do."""

from __future__ import annotations

import numpy as np

from insights.themes.language_splits import group_sums, merge_language_splits

DIM = 16


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _theme(rng, direction: np.ndarray, n: int, noise: float = 0.15) -> np.ndarray:
    return _unit(direction + rng.normal(scale=noise, size=(n, DIM)))


def test_a_topic_split_by_language_is_merged_into_the_larger_theme() -> None:
    rng = np.random.default_rng(0)
    topic, other = rng.normal(size=DIM), rng.normal(size=DIM)
    shift = rng.normal(scale=0.08, size=DIM)  # what centering left of the language component
    Z = np.vstack([_theme(rng, topic, 30), _theme(rng, topic + shift, 12), _theme(rng, other, 30)])
    langs = ["id"] * 15 + ["th"] * 15 + ["en"] * 12 + ["en"] * 10 + ["id"] * 10 + ["th"] * 10
    labels = np.array([0] * 30 + [1] * 12 + [2] * 30)
    labels[5] = -1  # noise stays noise
    merged, n = merge_language_splits(Z, labels, langs)
    assert n == 1
    assert set(merged[:42].tolist()) == {-1, 0} and merged[5] == -1
    assert set(merged[42:].tolist()) == {2}


def test_one_language_or_apart_in_topic_never_merges() -> None:
    rng = np.random.default_rng(1)
    topic = rng.normal(size=DIM)
    near = topic + rng.normal(scale=0.08, size=DIM)
    Z = np.vstack([_theme(rng, topic, 30), _theme(rng, near, 12)])
    labels = np.array([0] * 30 + [1] * 12)
    # the same two close themes, all English: two intents of one language are left alone
    same, n = merge_language_splits(Z, labels, ["en"] * 42)
    assert n == 0 and np.array_equal(same, labels)
    # two different topics, each in its own language: language is not all that separates them
    far = np.vstack([_theme(rng, topic, 30), _theme(rng, rng.normal(size=DIM), 12)])
    apart, n = merge_language_splits(far, labels, ["th"] * 30 + ["en"] * 12)
    assert n == 0 and np.array_equal(apart, labels)


def test_group_sums_are_those_of_np_add_at_bit_for_bit() -> None:
    """Centroids come from these sums: a faster sum must not move a theme by one ulp."""
    rng = np.random.default_rng(7)
    for n, k, d in [(3000, 60, 384), (5, 3, 4), (0, 2, 3)]:
        values = rng.normal(size=(n, d)).astype(np.float32)
        groups = rng.integers(0, k, n)
        expected = np.zeros((k, d), np.float64)
        np.add.at(expected, groups, values)
        assert np.array_equal(group_sums(values, groups, k), expected)
