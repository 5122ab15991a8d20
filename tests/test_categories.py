"""Categories: data-driven grouping of theme centroids, titles, stable ids, human edits."""

from __future__ import annotations

import numpy as np
import pytest

from insights.themes.categories import (
    CategoryParams,
    PreviousCategory,
    ThemeInfo,
    build_categories,
    category_titles,
    cut_tree,
)

AREAS = {
    "refund": ["refund", "money back", "refund status", "bank"],
    "delivery": ["courier", "parcel late", "delivery", "tracking"],
    "payout": ["payout", "seller balance", "withdraw", "settlement"],
    "account": ["login", "password", "account locked", "otp"],
}


def make_themes(per_area: int = 5, seed: int = 0, dim: int = 32) -> list[ThemeInfo]:
    """Themes around four well-separated area directions; keywords share the area's words."""
    rng = np.random.default_rng(seed)
    axes = np.linalg.qr(rng.normal(size=(dim, dim)))[0][: len(AREAS)]
    out = []
    tid = 1
    for a, (_area, words) in enumerate(AREAS.items()):
        for j in range(per_area):
            v = axes[a] + rng.normal(0, 0.12, dim)
            kws = [words[0], words[1 + j % 3], f"detail{tid}"]
            out.append(ThemeInfo(tid, v / np.linalg.norm(v), kws, volume=10 + 5 * j))
            tid += 1
    return out


def area_of(theme_id: int, per_area: int = 5) -> int:
    return (theme_id - 1) // per_area


def previous_of(result) -> list[PreviousCategory]:
    return [
        PreviousCategory(c.category_id, c.centroid, set(c.theme_ids), c.parent_id)
        for c in result.categories
    ]


def test_areas_become_categories_with_area_titles():
    themes = make_themes()
    res = build_categories(themes)
    tops = [c for c in res.categories if c.parent_id is None]
    assert len(tops) == 4
    for c in tops:
        assert len({area_of(t) for t in c.theme_ids}) == 1  # no category mixes areas
        area = list(AREAS)[area_of(c.theme_ids[0])]
        assert AREAS[area][0] in c.title.lower()
        assert c.volume == sum(t.volume for t in themes if t.theme_id in c.theme_ids)
    assert sorted(t for c in tops for t in c.theme_ids) == [t.theme_id for t in themes]
    assert [c.volume for c in tops] == sorted((c.volume for c in tops), reverse=True)


def test_cut_follows_the_data_not_a_fixed_number():
    for n_areas in (2, 3, 4):
        themes = [t for t in make_themes(per_area=6) if area_of(t.theme_id, 6) < n_areas]
        labels, cut = cut_tree(np.vstack([t.centroid for t in themes]), CategoryParams())
        assert cut["k"] == n_areas and cut["silhouette"] > 0.5
        assert len(set(labels.tolist())) == n_areas


def test_few_themes_form_one_category():
    res = build_categories(make_themes()[:3])
    assert len(res.categories) == 1 and len(res.categories[0].theme_ids) == 3
    assert build_categories([]).categories == []


def test_ids_survive_a_rerun_with_changed_themes():
    themes = make_themes()
    first = build_categories(themes)
    ids = first.category_of()
    changed = [t for t in themes if t.theme_id not in (1, 7)]  # two themes retired
    rng = np.random.default_rng(5)
    new = ThemeInfo(99, themes[12].centroid + rng.normal(0, 0.05, 32), ["payout", "fee"], 30)
    again = build_categories([*changed, new], previous_of(first), next_id=10)
    got = again.category_of()
    assert all(got[t] == ids[t] for t in got if t != 99)
    assert got[99] == ids[13]  # joins the category of its area
    assert {e[0] for e in again.events} == {"continued"}


def test_a_new_area_gets_a_fresh_id():
    themes = make_themes()
    first = build_categories([t for t in themes if area_of(t.theme_id) < 3])
    res = build_categories(themes, previous_of(first), next_id=50)
    fresh = [c for c in res.categories if c.category_id == 50]
    assert len(fresh) == 1 and {area_of(t) for t in fresh[0].theme_ids} == {3}
    assert ("new", 50, None) in res.events


def test_human_title_and_moved_theme_survive_reruns():
    themes = make_themes()
    first = build_categories(themes)
    ids = first.category_of()
    refunds, delivery = ids[1], ids[6]
    titles = {refunds: "Money back"}
    pins = {3: delivery}  # a person moved theme 3 (a refund theme) to delivery
    run = build_categories(themes, previous_of(first), titles=titles, pins=pins, next_id=10)
    for _ in range(2):  # and it stays that way on the next runs
        run = build_categories(themes, previous_of(run), titles=titles, pins=pins, next_id=10)
        cats = {c.category_id: c for c in run.categories}
        assert run.category_of()[3] == delivery
        assert cats[refunds].title == "Money back" and cats[refunds].title_by_human
        assert "refund" in cats[refunds].machine_title.lower()
        assert cats[delivery].pinned_theme_ids == [3]
        assert all(run.category_of()[t] == refunds for t in (1, 2, 4, 5))


def test_pin_to_a_category_the_clustering_lost_restores_it():
    themes = make_themes()
    res = build_categories(themes, pins={2: 77}, titles={77: "Escalations"})
    cats = {c.category_id: c for c in res.categories}
    assert cats[77].theme_ids == [2] and cats[77].title == "Escalations"
    assert ("restored", 77, None) in res.events
    stale = build_categories(themes, pins={999: 1})
    assert stale.stale_pins == [999]


def test_second_level_only_where_it_helps():
    rng = np.random.default_rng(1)
    dim = 32
    axes = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    themes = []
    for i in range(24):  # one big area with two clear sub-areas, one plain area
        if i < 16:
            sub = axes[0] + (0.6 if i < 8 else -0.6) * axes[1]
            v = sub + rng.normal(0, 0.08, dim)
        else:
            v = axes[2] * 3 + rng.normal(0, 0.08, dim)
        themes.append(ThemeInfo(i, v / np.linalg.norm(v), [f"w{i}"], 10))
    params = CategoryParams(k_low=0.2, k_high=0.4, sub_min_themes=8)  # top level: 2 areas
    res = build_categories(themes, params=params)
    subs = [c for c in res.categories if c.parent_id is not None]
    assert sorted(sorted(c.theme_ids) for c in subs) == [list(range(8)), list(range(8, 16))]
    (parent,) = {c.parent_id for c in subs}
    tops = {c.category_id: c for c in res.categories if c.parent_id is None}
    assert sorted(tops[parent].theme_ids) == list(range(16))
    plain = build_categories(make_themes(per_area=12), params=CategoryParams(sub_min_themes=8))
    assert not [c for c in plain.categories if c.parent_id is not None]


def test_titles_prefer_shared_words_over_one_theme_detail():
    themes = make_themes()
    ((title, _keywords),) = category_titles(themes, [[0, 1, 2, 3, 4]])
    assert title.lower().startswith("refund")
    assert "detail1" not in title


def test_json_contract():
    out = build_categories(make_themes()).categories[0].to_json()
    assert list(out)[:4] == ["category_id", "title", "theme_ids", "volume"]
    assert isinstance(out["theme_ids"], list)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rerun_without_changes_is_identical(seed):
    themes = make_themes(seed=seed)
    first = build_categories(themes)
    again = build_categories(themes, previous_of(first), next_id=100)
    assert again.category_of() == first.category_of()
    assert [c.title for c in again.categories] == [c.title for c in first.categories]
